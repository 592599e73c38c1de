import { describe, expect, it } from "vitest";
import type { AlertArgs } from "../bindings/AlertArgs";
import type { AlertKind } from "../bindings/AlertKind";
import { alertText } from "./alerts";
import { en } from "./en";
import { pl } from "./pl";
import { ru } from "./ru";

const args = (more: Partial<AlertArgs> = {}): AlertArgs => ({
  marketplace: "Ozon",
  account: "Shop A",
  number: "0570-0029-1",
  detail: "",
  error: null,
  effect: null,
  ...more,
});
const alert = (kind: AlertKind, count: number, more: Partial<AlertArgs> = {}) => ({ kind, count, args: args(more) });

describe("alert banners", () => {
  it("word new orders with each language's plural", () => {
    expect([1, 3].map((n) => alertText(alert("new_order", n), en))).toEqual([
      "1 new order — Ozon «Shop A»: 0570-0029-1",
      "3 new orders — Ozon «Shop A»: 0570-0029-1 …",
    ]);
    expect([1, 3, 5, 11, 21].map((n) => alertText(alert("new_order", n), ru))).toEqual([
      "1 новый заказ — Ozon «Shop A»: 0570-0029-1",
      "3 новых заказа — Ozon «Shop A»: 0570-0029-1 …",
      "5 новых заказов — Ozon «Shop A»: 0570-0029-1 …",
      "11 новых заказов — Ozon «Shop A»: 0570-0029-1 …",
      "21 новый заказ — Ozon «Shop A»: 0570-0029-1 …",
    ]);
    expect([1, 3, 5, 12, 22].map((n) => alertText(alert("new_order", n), pl))).toEqual([
      "1 nowe zamówienie — Ozon „Shop A”: 0570-0029-1",
      "3 nowe zamówienia — Ozon „Shop A”: 0570-0029-1 …",
      "5 nowych zamówień — Ozon „Shop A”: 0570-0029-1 …",
      "12 nowych zamówień — Ozon „Shop A”: 0570-0029-1 …",
      "22 nowe zamówienia — Ozon „Shop A”: 0570-0029-1 …",
    ]);
  });

  it("word a rule's rejections with the rule's name and how many lines", () => {
    const rejected = (n: number) => alert("rule_rejected", n, { detail: "No stock" });
    expect(alertText(rejected(1), en)).toBe("Rule «No stock» rejected a line — 0570-0029-1");
    expect(alertText(rejected(2), en)).toBe("Rule «No stock» rejected 2 lines — 0570-0029-1 …");
    expect(alertText(rejected(2), ru)).toBe("Правило «No stock» отклонило 2 строки — 0570-0029-1 …");
    expect(alertText(rejected(5), ru)).toBe("Правило «No stock» отклонило 5 строк — 0570-0029-1 …");
    expect(alertText(rejected(5), pl)).toBe("Reguła „No stock” odrzuciła 5 pozycji — 0570-0029-1 …");
  });

  it("word cancellations, status changes and failing syncs, counting the other orders", () => {
    expect(alertText(alert("buyer_cancelled", 3), en)).toBe(
      "Ozon «Shop A»: order 0570-0029-1 was cancelled on the marketplace (and 2 more)",
    );
    expect(alertText(alert("buyer_cancelled", 1), ru)).toBe("Ozon «Shop A»: заказ 0570-0029-1 отменён на маркетплейсе");
    expect(alertText(alert("status_changed", 3, { detail: "delivering" }), ru)).toBe(
      "Ozon «Shop A»: заказ 0570-0029-1 теперь в статусе «delivering» на маркетплейсе (и ещё 2)",
    );
    expect(alertText(alert("status_changed", 2, { detail: "delivered" }), pl)).toBe(
      "Ozon „Shop A”: zamówienie 0570-0029-1 ma teraz status „delivered” na platformie (i 1 więcej)",
    );
    expect(alertText(alert("sync_failing", 1, { detail: "HTTP 500" }), ru)).toBe(
      "Ozon «Shop A»: синхронизация не удаётся уже давно — HTTP 500",
    );
  });

  it("word the engine's error in an alert in the manager's language, its English otherwise", () => {
    const failing = alert("sync_failing", 1, {
      detail: "authorization failed: Invalid Api-Key",
      error: { kind: "marketplace_auth", detail: "Invalid Api-Key" },
    });
    expect(alertText(failing, ru)).toBe(
      "Ozon «Shop A»: синхронизация не удаётся уже давно — Авторизация не удалась: Invalid Api-Key",
    );
    expect(alertText(failing, pl)).toBe(
      "Ozon „Shop A”: synchronizacja od dłuższego czasu się nie udaje — Autoryzacja nie powiodła się: Invalid Api-Key",
    );
    expect(alertText(failing, en)).toBe(
      "Ozon «Shop A»: sync has been failing for a while — authorization failed: Invalid Api-Key",
    );
  });

  it("word a failed update's call in the manager's language", () => {
    const failed = alert("push_failed", 1, {
      detail: "Ozon answered 403",
      effect: {
        effect: "ship",
        order: "0570-0029-1",
        items: "123×2",
        reason: null,
        line: null,
        status: null,
        comment: null,
        tracking: null,
        description: null,
      },
    });
    expect(alertText(failed, en)).toBe("Ozon «Shop A»: could not send to the marketplace — Ship 0570-0029-1: 123×2: Ozon answered 403");
    expect(alertText(failed, ru)).toBe("Ozon «Shop A»: не удалось отправить на маркетплейс — Отгрузить 0570-0029-1: 123×2: Ozon answered 403");
    // Without the call (none readable), the order's number.
    expect(alertText(alert("push_failed", 1, { detail: "x" }), en)).toBe("Ozon «Shop A»: could not send to the marketplace — 0570-0029-1: x");
    // An account deleted before its call failed: no «» and no one named.
    const gone = alert("push_failed", 1, { detail: "x", account: "", marketplace: "" });
    expect(alertText(gone, pl)).toBe("Nie udało się wysłać na platformę — 0570-0029-1: x");
  });

  it("shows a kind this version does not know by its code", () => {
    expect(alertText({ ...alert("new_order", 1), kind: "made_up" as AlertKind }, ru)).toBe("made_up");
    expect(alertText({ ...alert("new_order", 1), kind: "toString" as AlertKind }, ru)).toBe("toString");
  });
});

describe("ship-by banners", () => {
  it("name the order, its deadline in the language's format, and how many more", () => {
    const due = "2026-03-02T09:30:00Z";
    const near = (n: number) => alert("ship_by_near", n, { detail: due });
    const overdue = (n: number) => alert("ship_by_overdue", n, { detail: due });
    const when = (locale: string) => new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" }).format(new Date(due));
    expect(alertText(near(1), en)).toBe(`Ozon «Shop A»: order 0570-0029-1 must ship by ${when("en")} and is not accepted yet`);
    expect(alertText(overdue(3), en)).toBe(
      `Ozon «Shop A»: order 0570-0029-1 was to ship by ${when("en")} and is still not accepted (and 2 more)`,
    );
    expect(alertText(near(2), ru)).toBe(
      `Ozon «Shop A»: заказ 0570-0029-1 нужно отгрузить до ${when("ru")}, а он ещё не принят (и ещё 1)`,
    );
    expect(alertText(overdue(1), pl)).toContain(`zamówienie 0570-0029-1 trzeba było wysłać do ${when("pl")}`);
  });
});
