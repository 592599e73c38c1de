import { describe, expect, it, vi } from "vitest";
import { en } from "./en";
import { pl } from "./pl";
import { ru } from "./ru";
import { initialLang } from "./index";
import { plPlural, ruPlural } from "./plural";

/** Every leaf of `a` exists in `b` with the same kind (text or function). */
function shape(o: unknown, path = ""): string[] {
  if (typeof o === "function") return [`${path}:fn`];
  if (typeof o === "string") return [`${path}:text`];
  if (o && typeof o === "object") {
    return Object.entries(o).flatMap(([k, v]) => shape(v, `${path}.${k}`));
  }
  return [`${path}:${typeof o}`];
}

describe("translations", () => {
  it.each([
    ["Russian", ru],
    ["Polish", pl],
  ])("%s has exactly the English keys, with the same kinds", (_name, catalog) => {
    expect(shape(catalog).sort()).toEqual(shape(en).sort());
  });

  it.each([
    ["Russian", ru],
    ["Polish", pl],
  ])("no %s text is left in English", (_name, catalog) => {
    const untranslated = shape(catalog)
      .filter((p) => p.endsWith(":text"))
      .map((p) => p.slice(0, -5))
      .filter((p) => {
        const get = (o: unknown) => p.split(".").slice(1).reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o);
        const r = get(catalog) as string;
        return r === get(en) && /[a-z]{4,}/i.test(r) && !/^(Ordertray|OK|Client-Id|Api-Key|Demo|Region|Status|Marketplace|E-mail|Ozon|ZZAP|Gettzap|Australia)$/.test(r);
      });
    expect(untranslated).toEqual([]);
  });

  it.each([
    [1, "заказ"],
    [2, "заказа"],
    [4, "заказа"],
    [5, "заказов"],
    [11, "заказов"],
    [12, "заказов"],
    [14, "заказов"],
    [21, "заказ"],
    [22, "заказа"],
    [25, "заказов"],
    [101, "заказ"],
    [111, "заказов"],
    [0, "заказов"],
  ])("Russian plural of %i is %s", (n, word) => {
    expect(ruPlural(n, "заказ", "заказа", "заказов")).toBe(word);
  });

  it.each([
    [1, "zamówienie"],
    [2, "zamówienia"],
    [4, "zamówienia"],
    [5, "zamówień"],
    [12, "zamówień"],
    [21, "zamówień"],
    [22, "zamówienia"],
    [0, "zamówień"],
  ])("Polish plural of %i is %s", (n, word) => {
    expect(plPlural(n, "zamówienie", "zamówienia", "zamówień")).toBe(word);
  });

  it("follows the OS language until the manager chooses one", () => {
    const os = vi.spyOn(navigator, "language", "get");
    os.mockReturnValue("pl-PL");
    expect(initialLang()).toBe("pl");
    os.mockReturnValue("ru-RU");
    expect(initialLang()).toBe("ru");
    os.mockReturnValue("de-DE");
    expect(initialLang()).toBe("en");
    localStorage.setItem("ordertray.lang", "ru");
    os.mockReturnValue("pl-PL");
    expect(initialLang()).toBe("ru");
    os.mockRestore();
  });

  it("phrases agree with their numbers", () => {
    expect(en.inbox.accepted(1)).toBe("Accepted 1 line");
    expect(en.inbox.accepted(3)).toBe("Accepted 3 lines");
    expect(ru.newOrders(3, "Ozon «A»")).toBe("3 новых заказа — Ozon «A»");
    expect(ru.newOrders(1, "Ozon «A»")).toBe("1 новый заказ — Ozon «A»");
    expect(ru.newOrders(5, "Ozon «A»")).toBe("5 новых заказов — Ozon «A»");
    expect(pl.newOrders(3, "Ozon «A»")).toBe("3 nowe zamówienia — Ozon «A»");
    expect(pl.newOrders(5, "Ozon «A»")).toBe("5 nowych zamówień — Ozon «A»");
  });
});
