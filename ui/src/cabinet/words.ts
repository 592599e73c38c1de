// The cabinet's words: statuses, sources, payment and order types, form problems, sizes. Pure.
import { numberFormat } from "../intl";
import type { AccountKind } from "../bindings/AccountKind";
import type { DraftProblem } from "../bindings/DraftProblem";
import type { ExportColumn } from "../bindings/ExportColumn";
import type { PaymentMethod } from "../bindings/PaymentMethod";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import type { ShopStatus } from "../bindings/ShopStatus";
import { formatPrice } from "../format";
import { integrationName } from "../integrations";
import type { Messages } from "../i18n/en";
import { statusName } from "../statuses/statuses";

/** Built-in status codes the cabinet treats specially. */
export const DELETED = "deleted";
export const TRANSFERRED = "transferred";

export function kindName(kind: AccountKind): string {
  return integrationName(kind);
}

/** A chart's or a row's source: an account kind, or "manual" for orders made by hand. */
export function sourceName(source: string, t: Messages): string {
  if (source === "manual") return t.cabinet.manual;
  return integrationName(source);
}

export function statusById(statuses: readonly ShopStatus[] | undefined, id: number | null): ShopStatus | undefined {
  return id == null ? undefined : statuses?.find((s) => s.id === id);
}

export function statusLabel(statuses: readonly ShopStatus[] | undefined, id: number | null, t: Messages): string {
  const status = statusById(statuses, id);
  if (status) return statusName(status, t);
  return id == null ? t.cabinet.stats.none : `#${id}`;
}

/**
 * The statuses a status select offers: "Transferred" is set only by a successful transfer, never by
 * hand, and "Deleted" only by Delete (which warns first about transferred orders).
 */
export function manualStatuses(statuses: readonly ShopStatus[]): ShopStatus[] {
  return statuses.filter((s) => s.code !== TRANSFERRED && s.code !== DELETED);
}

export function isDeleted(statuses: readonly ShopStatus[] | undefined, id: number | null): boolean {
  return statusById(statuses, id)?.code === DELETED;
}

export const ORDER_COLUMNS: readonly ExportColumn[] = [
  "number",
  "created_at",
  "status",
  "order_type",
  "marketplace",
  "account",
  "recipient_name",
  "recipient_phone",
  "recipient_email",
  "address",
  "postal_code",
  "payment_method",
  "paid",
  "cod",
  "declared_value",
  "delivery_method",
  "delivery_cost",
  "weight_g",
  "total",
  "currency",
];
export const ITEM_COLUMNS: readonly ExportColumn[] = ["item_article", "item_brand", "item_name", "item_quantity", "item_price"];
/** As the engine's export::default_columns: the order's own fields, no items. */
export const DEFAULT_EXPORT_COLUMNS: readonly ExportColumn[] = [
  "number",
  "created_at",
  "status",
  "marketplace",
  "recipient_name",
  "recipient_phone",
  "address",
  "payment_method",
  "paid",
  "total",
  "currency",
];

/** 1234567 → "1.2 MB" as the locale writes it. */
export function formatBytes(bytes: number, locale: string): string {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;
  let value = bytes;
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u++;
  }
  return numberFormat(locale, {
    style: "unit",
    unit: units[u],
    unitDisplay: "short",
    maximumFractionDigits: u === 0 ? 0 : 1,
  }).format(value);
}

/** A decimal the engine takes: digits with one optional "." or ",". */
export function isDecimal(text: string): boolean {
  return /^\s*-?\d+([.,]\d+)?\s*$/.test(text);
}

/** "1 250,50" → "1250.50"; anything unreadable is returned trimmed (the form flags it). */
export function decimalForEngine(text: string): string {
  const t = text.replace(/\s/g, "").replace(",", ".");
  return t === "" ? "0" : t;
}

/** Paid by card online and not paid yet (core `awaiting_payment`): the shop waits before shipping. */
export const awaitingPayment = (o: { payment_method: PaymentMethod | null; paid: boolean }) =>
  o.payment_method === "card_online" && !o.paid;

/** What the courier collects (core `cod_amount`): the typed amount, else items plus delivery. */
export function codAmount(draft: ShopOrderDraft): number {
  if (!draft.cod) return 0;
  if (draft.cod_amount_typed != null) return Number(decimalForEngine(draft.cod_amount_typed));
  const items = draft.items.reduce((sum, i) => sum + Number(decimalForEngine(i.price)) * i.quantity, 0);
  return items + Number(decimalForEngine(draft.delivery_cost));
}

const itemNumber = (field: string) => Number(field.split(".")[1] ?? 0) + 1;

/**
 * A problem from validate_order in the manager's language, by its code and field. `method` names
 * the order's delivery method (its id when the shop no longer offers it).
 */
export function problemText(
  p: DraftProblem,
  draft: ShopOrderDraft,
  t: Messages,
  locale: string,
  method: string = draft.delivery_method,
): string {
  const w = t.cabinet.problems;
  switch (p.code) {
    case "required":
      if (p.field === "recipient.name") return w.recipientName;
      if (p.field === "recipient.phone" || p.field === "recipient.email") return w.recipientContact;
      if (p.field === "address.city") return w.recipientAddress;
      if (p.field.startsWith("items.")) return w.itemName(itemNumber(p.field));
      return w.required;
    case "declared_below_cod":
      return w.declaredBelowCod(formatPrice(codAmount(draft).toFixed(2), draft.currency, locale));
    case "paid_with_cod":
      return w.paidWithCod;
    case "no_items":
      return w.noItems;
    case "quantity":
      return w.itemQuantity(itemNumber(p.field));
    case "price":
      if (p.field === "declared_value") return w.declaredNegative;
      if (p.field === "delivery_cost") return w.deliveryCostNegative;
      if (p.field.startsWith("items.")) return w.itemPrice(itemNumber(p.field));
      return p.message;
    case "size":
      return w.size;
    case "email":
      return w.email;
    case "number":
      return w.number;
    case "cod_above_total":
      return w.codAboveTotal;
    case "postal_code_required":
      return w.postalCodeRequired(method);
    case "no_card_on_delivery":
      return w.noCardOnDelivery(method);
    default:
      return p.message;
  }
}
