import { describe, expect, it } from "vitest";
import { formatPrice } from "./format";
import { dateTimeFormat, numberFormat, relativeTimeFormat } from "./intl";

describe("the language's formatters", () => {
  it("are made once per language and options", () => {
    expect(numberFormat("ru-RU", { style: "currency", currency: "RUB" })).toBe(
      numberFormat("ru-RU", { style: "currency", currency: "RUB" }),
    );
    expect(numberFormat("ru-RU", { style: "currency", currency: "EUR" })).not.toBe(
      numberFormat("ru-RU", { style: "currency", currency: "RUB" }),
    );
    expect(numberFormat("en-GB")).not.toBe(numberFormat("ru-RU"));
    expect(dateTimeFormat("pl-PL", { dateStyle: "short" })).toBe(dateTimeFormat("pl-PL", { dateStyle: "short" }));
    expect(relativeTimeFormat("en-GB", { style: "short" })).toBe(relativeTimeFormat("en-GB", { style: "short" }));
  });

  it("format as a new formatter would", () => {
    const at = new Date("2026-12-06T10:30:00Z");
    const options: Intl.DateTimeFormatOptions = { dateStyle: "short", timeStyle: "short" };
    expect(dateTimeFormat("ru-RU", options).format(at)).toBe(new Intl.DateTimeFormat("ru-RU", options).format(at));
    expect(formatPrice("1234.5", "RUB", "ru-RU")).toBe(
      new Intl.NumberFormat("ru-RU", { style: "currency", currency: "RUB" }).format(1234.5),
    );
  });

  it("keep nothing of a currency code they do not know, which is shown as it came", () => {
    expect(formatPrice("10", "NOT-A-CODE", "en-GB")).toBe("10 NOT-A-CODE");
    expect(formatPrice("10", "NOT-A-CODE", "en-GB")).toBe("10 NOT-A-CODE");
  });
});
