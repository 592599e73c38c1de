import { describe, expect, it } from "vitest";
import { formatBytes } from "./format";

describe("formatBytes", () => {
  it("steps by 1024 with at most one decimal", () => {
    expect(formatBytes(0, "en-GB")).toBe("0 kB");
    expect(formatBytes(512, "en-GB")).toBe("0.5 kB");
    expect(formatBytes(1536, "en-GB")).toBe("1.5 kB");
    expect(formatBytes(5 * 1024 * 1024, "en-GB")).toBe("5 MB");
    expect(formatBytes(3.25 * 1024 ** 3, "en-GB")).toBe("3.3 GB");
  });

  it("writes the number the language's way", () => {
    expect(formatBytes(1536, "ru-RU")).toMatch(/^1,5\s?кБ$/);
    expect(formatBytes(1536, "pl-PL")).toMatch(/^1,5\s?kB$/);
  });
});
