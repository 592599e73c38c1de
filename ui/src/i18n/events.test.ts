import { describe, expect, it } from "vitest";
import type { EventView } from "../bindings/EventView";
import type { OrderDetail } from "../bindings/OrderDetail";
import ozonInboxOpen from "../test/fixtures/ozon_inbox_open.json";
import { en } from "./en";
import { eventText } from "./events";
import { pl } from "./pl";
import { ru } from "./ru";

/** The order detail the real engine answered in the recorded fixture (with its timeline). */
function recordedEvents(): EventView[] {
  const answers = (ozonInboxOpen as unknown as { answers: { ok?: unknown }[] }).answers;
  const detail = answers.map((a) => a.ok as OrderDetail | undefined).find((a) => a != null && Array.isArray(a.events));
  if (!detail) throw new Error("no order detail in the fixture");
  return detail.events;
}

const event = (kind: string, args: EventView["args"], message = "English message"): EventView => ({
  id: 1,
  at: "2026-11-23T08:00:00Z",
  kind,
  actor: "sync",
  message,
  line_id: null,
  args,
});

describe("timeline events", () => {
  it("words an event the engine recorded in Russian and English", () => {
    const arrived = recordedEvents().find((e) => e.kind === "arrived");
    if (!arrived) throw new Error("no arrival in the fixture");
    expect(arrived.args).toMatchObject({ order: "57000002-0074-1", marketplace: "Ozon", lines: 1 });
    expect(eventText(arrived, ru)).toBe("Заказ 57000002-0074-1 поступил с Ozon: 1 строка, статус awaiting_packaging");
    expect(eventText(arrived, en)).toBe("Order 57000002-0074-1 arrived from Ozon with 1 line, status awaiting_packaging");
    expect(eventText(arrived, pl)).toBe("Zamówienie 57000002-0074-1 przyszło z Ozon: 1 pozycja, status awaiting_packaging");
  });

  it("shows the stored message of an event written before events had arguments", () => {
    const old = event("arrived", null, "Order 0570-1 arrived from Ozon with 2 line(s), status awaiting_packaging");
    expect(eventText(old, ru)).toBe("Order 0570-1 arrived from Ozon with 2 line(s), status awaiting_packaging");
    expect(eventText(event("status", null, "Line «A» → Shipped"), pl)).toBe("Line «A» → Shipped");
  });

  it("shows the stored message for a kind it does not know or arguments that do not fit", () => {
    expect(eventText(event("made_up_kind", { x: 1 }), ru)).toBe("English message");
    expect(eventText(event("line_added", { name: "Filter" }), ru)).toBe("English message");
    expect(eventText(event("toString", {}), ru)).toBe("English message");
  });

  it("words how a store delivers an order, its text kept as the store wrote it", () => {
    const delivery = event("delivery_details", { marketplace: "WooCommerce", text: "Курьер 300 RUB; <b>Казань</b>" });
    expect(eventText(delivery, en)).toBe("Delivery on WooCommerce: Курьер 300 RUB; <b>Казань</b>");
    expect(eventText(delivery, ru)).toBe("Доставка на WooCommerce: Курьер 300 RUB; <b>Казань</b>");
    expect(eventText(delivery, pl)).toBe("Dostawa w WooCommerce: Курьер 300 RUB; <b>Казань</b>");
  });

  it("words the write-off of an order's items and the quantity changes it stops", () => {
    const waits = event("push_waits_for_write_off", { order: "1042", status: "<i>completed</i>" });
    expect(eventText(waits, en)).toBe("Order 1042: «<i>completed</i>» is sent once the items are written off; not sent");
    expect(eventText(waits, ru)).toBe("Заказ 1042: «<i>completed</i>» отправляется после списания товаров; не отправлен");
    expect(eventText(waits, pl)).toBe("Zamówienie 1042: „<i>completed</i>” zostanie wysłane po zdjęciu towarów ze stanu; nie wysłano");

    const writtenOff = event("items_written_off", {});
    expect(eventText(writtenOff, en)).toBe("Items written off: quantity changes on the platform no longer apply");
    expect(eventText(writtenOff, ru)).toBe("Товары списаны: изменения количества на площадке больше не применяются");
    expect(eventText(writtenOff, pl)).toBe("Towary zdjęte ze stanu: zmiany ilości na platformie nie są już stosowane");

    const changed = (applied: boolean) => event("quantity_changed", { line: "Filter <b>W 712</b>", from: 2, to: 3, applied });
    expect(eventText(changed(true), en)).toBe("Quantity of «Filter <b>W 712</b>» changed on the platform: 2 → 3");
    expect(eventText(changed(true), ru)).toBe("Количество «Filter <b>W 712</b>» изменено на площадке: 2 → 3");
    expect(eventText(changed(true), pl)).toBe("Ilość „Filter <b>W 712</b>” zmieniona na platformie: 2 → 3");
    expect(eventText(changed(false), en)).toBe(
      "Quantity of «Filter <b>W 712</b>» changed on the platform (2 → 3), not applied: the items are written off",
    );
    expect(eventText(changed(false), ru)).toBe(
      "Количество «Filter <b>W 712</b>» изменено на площадке (2 → 3), не применено: товары списаны",
    );
    expect(eventText(changed(false), pl)).toBe(
      "Ilość „Filter <b>W 712</b>” zmieniona na platformie (2 → 3), nie zastosowano: towary zdjęte ze stanu",
    );
  });

  it("uses Russian and Polish plural forms", () => {
    const moved = (n: number) => event("buyer_cancelled", { moved: n, status: "", status_code: "refused" });
    expect([1, 3, 5, 21].map((n) => eventText(moved(n), ru))).toEqual([
      "Отменён покупателем: 1 принятая строка перенесена в «Отказ»",
      "Отменён покупателем: 3 принятые строки перенесены в «Отказ»",
      "Отменён покупателем: 5 принятых строк перенесено в «Отказ»",
      "Отменён покупателем: 21 принятая строка перенесена в «Отказ»",
    ]);
    expect([1, 2, 5, 22].map((n) => eventText(moved(n), pl))).toEqual([
      "Anulowane przez kupującego: 1 przyjęta pozycja przeniesiona do „Odmowa”",
      "Anulowane przez kupującego: 2 przyjęte pozycje przeniesione do „Odmowa”",
      "Anulowane przez kupującego: 5 przyjętych pozycji przeniesiono do „Odmowa”",
      "Anulowane przez kupującego: 22 przyjęte pozycje przeniesione do „Odmowa”",
    ]);
    expect(eventText(moved(2), en)).toBe("Cancelled by the buyer: 2 accepted lines moved to «Refused»");
  });

  it("words the codes among the arguments: actions, line states, statuses, marketplace calls", () => {
    const accept = event("accept", {
      line: "Oil filter",
      rule: "In stock",
      offer_brand: "MANN",
      offer_article: "W 712",
      offer_list: "Main",
      offer_price: "12.50",
      offer_quantity: 2,
    });
    expect(eventText(accept, ru)).toBe("Строка «Oil filter» принята по правилу «In stock» с предложением MANN W 712 из «Main» по 12.50 × 2");
    expect(eventText(event("undo", { line: "Oil filter", from: "rejected" }), ru)).toBe(
      "Строка «Oil filter» снова во входящих: отменено решение «отклонена»",
    );
    expect(eventText(event("line_status", { line: "Oil filter", status: "", status_code: "shipped" }), pl)).toBe(
      "Pozycja „Oil filter” → Wysłane",
    );
    const queued = event("outbox_queued", {
      effect: "cancel_lines",
      order: "0570-1",
      items: "111×2",
      reason: 352,
      line: null,
      status: null,
      comment: null,
      tracking: null,
      description: null,
    });
    expect(eventText(queued, ru)).toBe("В очереди на отправку маркетплейсу: Отменить товары 0570-1 (причина 352): 111×2");
    expect(eventText(queued, en)).toBe("Queued for the marketplace: Cancel products of 0570-1 (reason 352): 111×2");
  });

  it("keeps markup in arguments as text", () => {
    const added = event("line_added", { name: "<img src=x onerror=alert(1)>", sku: "1" });
    expect(eventText(added, en)).toBe("Line <img src=x onerror=alert(1)> (1) added by the marketplace");
  });
});

describe("transfer events", () => {
  // The engine stores an event's error words as an object among its arguments (EventView's
  // binding types the arguments as plain values only).
  const withWords = (args: Record<string, unknown>) => args as unknown as EventView["args"];
  const refused = event("transfer_failed", withWords({
    target: "Shiptor parcels",
    error: "Shiptor parcels: Не указан индекс",
    error_words: { kind: "transfer_refused", target: "Shiptor parcels", detail: "Не указан индекс" },
  }));

  it("words every transfer event in each language, the target's own words kept as they came", () => {
    const events = [
      event("transfer_queued", { target: "Our CRM" }),
      event("transfer_sent", { target: "Our CRM", remote_id: "4711" }),
      refused,
      event("transfer_remote_status", { target: "Shiptor parcels", status: "Delivering" }),
      event("transfer_unlinked", { target: "Our CRM" }),
      event("transfer_deleted", { target: "Shiptor parcels" }),
    ];
    for (const t of [en, ru, pl]) {
      for (const e of events) {
        const text = eventText(e, t);
        expect(text, `${e.kind}`).not.toBe(e.message);
        expect(text, `${e.kind}`).not.toMatch(/undefined|null|\[object/);
      }
    }
    expect(eventText(events[1] as EventView, en)).toBe("Sent to Our CRM: «4711» there");
    // A refusal names its target once; another failure says where it was going.
    expect(eventText(refused, ru)).toBe("Shiptor parcels не принял заказ: Не указан индекс");
    expect(eventText(refused, en)).toBe("Shiptor parcels: Не указан индекс");
    const lost = event(
      "transfer_failed",
      withWords({ target: "Our CRM", error: "network: timed out", error_words: { kind: "network", detail: "timed out" } }),
    );
    expect(eventText(lost, pl)).toMatch(/^Przekazanie do Our CRM nie powiodło się: /);
  });
});
