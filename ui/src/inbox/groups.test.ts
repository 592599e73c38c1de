import { describe, expect, it } from "vitest";
import type { InboxLine } from "../bindings/InboxLine";
import { groupByOrder, inboxRows, linesTotal } from "./groups";
import { emptySelection, orderKey, reconcile, reduceSelection, selectedOf, targets, type Selection, type SelectionAction } from "./selection";

/** A line of order `order` (the fields the grouping reads; the rest as the engine sends them). */
function line(id: number, order: number, price = "100.00", quantity = 1, currency = "RUB"): InboxLine {
  return {
    line: {
      id,
      external_id: String(id),
      sku: String(id),
      offer_id: `ART-${id}`,
      name: `Product ${id}`,
      quantity,
      price,
      currency,
      state: "new",
      bound_offer: null,
      decided_by_rule: null,
      shop_status_id: null,
    },
    order_id: order,
    order_external_id: String(order),
    order_number: `5700000${order}-0001-1`,
    order_status: "awaiting_packaging",
    order_created_at: "2026-11-23T08:00:00Z",
    order_region: null,
    order_ship_by: null,
    account_id: 1,
    account: "Shop A",
    marketplace_cancelled: false,
    demo: false,
    best_offer: null,
  };
}

// Order 7 (lines 1, 2), order 8 (line 3), order 9 (lines 4, 5): [o7, 1, 2, o8, 3, o9, 4, 5].
const rows = inboxRows(groupByOrder([line(1, 7), line(2, 7), line(3, 8), line(4, 9), line(5, 9)]));
const apply = (s: Selection, ...actions: SelectionAction[]) => actions.reduce((acc, a) => reduceSelection(rows, acc, a), s);
const first = rows[0] ?? { key: 0, lines: [] };
const move = (delta: number): SelectionAction => ({ type: "move", delta });
const jump = (delta: number): SelectionAction => ({ type: "jump", delta });

describe("lines grouped under their order", () => {
  it("each order's header comes before its lines, orders as their first line comes", () => {
    expect(rows.map((r) => r.key)).toEqual([orderKey(7), 1, 2, orderKey(8), 3, orderKey(9), 4, 5]);
    expect(rows[0]?.lines).toEqual([1, 2]);
    // A line of an order listed further down joins its order rather than repeating its header.
    const mixed = groupByOrder([line(1, 7), line(3, 8), line(2, 7)]);
    expect(mixed.map((g) => [g.orderId, g.lines.map((l) => l.line.id)])).toEqual([
      [7, [1, 2]],
      [8, [3]],
    ]);
  });

  it("j/k move over the lines only, stepping past the headers", () => {
    let s = apply(emptySelection, move(0));
    expect(s.cursor).toBe(1);
    s = apply(s, move(1), move(1));
    expect(s.cursor).toBe(3);
    s = apply(s, move(1), move(1), move(5));
    expect(s.cursor).toBe(5);
    s = apply(s, move(-2));
    expect(s.cursor).toBe(3);
  });

  it("J/K jump to the next / previous order's header; j/k go on from there", () => {
    let s = apply(emptySelection, jump(1));
    expect(s.cursor).toBe(orderKey(7));
    s = apply(s, jump(1));
    expect(s.cursor).toBe(orderKey(8));
    expect(apply(s, move(1)).cursor).toBe(3);
    expect(apply(s, move(-1)).cursor).toBe(2);
    s = apply(s, jump(1), jump(1));
    expect(s.cursor).toBe(orderKey(9));
    // From a line, K goes to its own order's header first.
    s = apply(s, move(1), move(1), jump(-1));
    expect(s.cursor).toBe(orderKey(9));
    expect(apply(s, jump(-1), jump(-1), jump(-1)).cursor).toBe(orderKey(7));
  });

  it("x on a header selects its lines, and again unselects them; triage acts on them", () => {
    let s = apply(emptySelection, jump(1), { type: "toggle" });
    expect([...s.selected]).toEqual([1, 2]);
    expect(selectedOf(first, s)).toBe("all");
    expect(targets(rows, s)).toEqual([1, 2]);
    s = apply(s, { type: "toggle", id: 2 });
    expect(selectedOf(first, s)).toBe("some");
    // A partly selected order's header selects the rest.
    s = apply(s, { type: "toggle", id: orderKey(7) });
    expect([...s.selected].sort()).toEqual([1, 2]);
    s = apply(s, { type: "toggle", id: orderKey(7) });
    expect(s.selected.size).toBe(0);
  });

  it("without a selection, triage on a header acts on its order's lines", () => {
    const s = apply(emptySelection, { type: "focus", id: orderKey(9) });
    expect(targets(rows, s)).toEqual([4, 5]);
    expect(targets(rows, apply(s, move(1)))).toEqual([4]);
  });

  it("deciding the cursor's line moves the cursor to the next line that stays, never onto a header", () => {
    // Order 8's only line decided: the next row is order 9's header; the cursor takes line 4.
    let s = apply(emptySelection, { type: "focus", id: 3 }, { type: "decided", lines: [3] });
    expect(s.cursor).toBe(4);
    expect(targets(rows, s)).toEqual([4]);
    // The last lines decided: the cursor goes back to the last line that stays.
    s = apply(emptySelection, { type: "focus", id: 5 }, { type: "toggle" }, move(-1), { type: "toggle" });
    s = apply(s, { type: "decided", lines: [4, 5] });
    expect(s.cursor).toBe(3);
    expect(s.selected.size).toBe(0);
    // A header's cursor goes to the next order's header; a line not decided keeps the cursor.
    expect(apply(emptySelection, { type: "focus", id: orderKey(7) }, { type: "decided", lines: [1, 2] }).cursor).toBe(orderKey(8));
    expect(apply(emptySelection, { type: "focus", id: 2 }, { type: "decided", lines: [4] }).cursor).toBe(2);
    // Everything decided: no cursor.
    expect(apply(emptySelection, { type: "focus", id: 1 }, { type: "decided", lines: [1, 2, 3, 4, 5] }).cursor).toBeNull();
  });

  it("a cursor whose line left the list lands on a line, not on the header now in its place", () => {
    // Line 3 accepted elsewhere: order 8 is gone, and its place is order 9's header.
    const s = apply(emptySelection, { type: "focus", id: 3 });
    const left = inboxRows(groupByOrder([line(1, 7), line(2, 7), line(4, 9), line(5, 9)]));
    expect(reconcile(left, s).cursor).toBe(4);
  });

  it("select all selects every line, never a header", () => {
    const s = apply(emptySelection, { type: "toggleAll" });
    expect([...s.selected]).toEqual([1, 2, 3, 4, 5]);
  });

  it("an order's shown lines come to their prices times quantities, to the kopeck", () => {
    expect(linesTotal([line(1, 7, "1458.10", 3), line(2, 7, "0.7", 1)])).toEqual({ amount: "4375.00", currency: "RUB" });
    expect(linesTotal([line(1, 7, "10", 2, "RUB"), line(2, 7, "1", 1, "EUR")])).toBeNull();
    expect(linesTotal([line(1, 7, "n/a")])).toBeNull();
  });
});
