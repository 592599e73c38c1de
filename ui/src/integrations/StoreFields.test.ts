import { describe, expect, it } from "vitest";
import { keySafeAt } from "./StoreFields";

describe("where the key may go", () => {
  it.each([
    "https://shop.example",
    "https://shop.example/wp",
    "http://localhost:8080",
    "http://127.0.0.1:8080",
    "http://[::1]:9",
  ])("%s: yes", (url) => {
    expect(keySafeAt(url)).toBe(true);
  });

  it.each([
    "http://shop.example",
    "http://10.0.0.1",
    "http://127.0.0.1.shop.example",
    "ftp://shop.example",
    "shop.example",
    "https://",
  ])("%s: no", (url) => {
    expect(keySafeAt(url)).toBe(false);
  });
});
