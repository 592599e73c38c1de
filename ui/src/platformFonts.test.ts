import { describe, expect, it } from "vitest";
import { applyPlatformFonts, isLinuxWebview } from "./platformFonts";

const GTK = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const WINDOWS =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
const ANDROID = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

describe("the font list per platform", () => {
  it("tells the Linux webview from macOS, Windows and Android", () => {
    expect(isLinuxWebview(GTK)).toBe(true);
    expect(isLinuxWebview(MAC)).toBe(false);
    expect(isLinuxWebview(WINDOWS)).toBe(false);
    expect(isLinuxWebview(ANDROID)).toBe(false);
  });

  it("marks the document on Linux only, and unmarks it elsewhere", () => {
    const root = document.createElement("html");
    applyPlatformFonts(root, GTK);
    expect(root.dataset.platform).toBe("linux");
    applyPlatformFonts(root, WINDOWS);
    expect(root.dataset.platform).toBeUndefined();
  });
});
