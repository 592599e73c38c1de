// The inbox shows lines under their order: a header (number, account, age, region, total) and the
// order's lines beneath it. Pure, so the grouping is tested without a DOM.
import { relativeTimeFormat } from "../intl";
import type { InboxLine } from "../bindings/InboxLine";
import { orderKey, type ListRow, type OrderKey } from "./selection";

export type OrderGroup = {
  orderId: number;
  /** The order's facts, as every line of it carries them. */
  order: InboxLine;
  lines: InboxLine[];
};

export type InboxRow =
  | (ListRow & { kind: "order"; key: OrderKey; group: OrderGroup })
  | (ListRow & { kind: "line"; key: number; line: InboxLine; group: OrderGroup });

/** Groups lines by order, orders in the order their first line comes in (the engine's: newest first). */
export function groupByOrder(lines: readonly InboxLine[]): OrderGroup[] {
  const byId = new Map<number, OrderGroup>();
  for (const line of lines) {
    const group = byId.get(line.order_id);
    if (group) group.lines.push(line);
    else byId.set(line.order_id, { orderId: line.order_id, order: line, lines: [line] });
  }
  return [...byId.values()];
}

/** The list as it is drawn: each order's header, then its lines. */
export function inboxRows(groups: readonly OrderGroup[]): InboxRow[] {
  return groups.flatMap((group): InboxRow[] => {
    const ids = group.lines.map((l) => l.line.id);
    return [
      { kind: "order", key: orderKey(group.orderId), lines: ids, group },
      ...group.lines.map((line): InboxRow => ({ kind: "line", key: line.line.id, lines: [line.line.id], line, group })),
    ];
  });
}

/**
 * What the shown lines of an order come to (price × quantity), in their currency; null when they
 * are in more than one currency or a price is not a number. In cents, so that sums are exact.
 */
export function linesTotal(lines: readonly InboxLine[]): { amount: string; currency: string } | null {
  const first = lines[0];
  if (!first) return null;
  let cents = 0n;
  for (const { line } of lines) {
    if (line.currency !== first.line.currency) return null;
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(line.price.trim());
    if (!m) return null;
    const value = BigInt(m[2] ?? "0") * 100n + BigInt((m[3] ?? "").padEnd(2, "0") || "0");
    cents += (m[1] ? -value : value) * BigInt(line.quantity);
  }
  const sign = cents < 0n ? "-" : "";
  const abs = cents < 0n ? -cents : cents;
  return { amount: `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`, currency: first.line.currency };
}

/** How long ago an order came in, the way the manager's language says it ("3 h ago"). */
export function formatAge(iso: string, locale: string, now: number = Date.now()): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const minutes = Math.max(1, Math.round((now - then) / 60_000));
  const rtf = relativeTimeFormat(locale, { style: "short", numeric: "always" });
  if (minutes < 60) return rtf.format(-minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (hours < 48) return rtf.format(-hours, "hour");
  return rtf.format(-Math.round(hours / 24), "day");
}
