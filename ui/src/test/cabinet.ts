// The cabinet's commands for component tests: shop orders kept as ShopOrderFull, listed in keyset
// pages, counted, validated as core::cabinet does, edited, deleted and exported.
import type { CabinetCharts } from "../bindings/CabinetCharts";
import type { CabinetRow } from "../bindings/CabinetRow";
import type { DraftProblem } from "../bindings/DraftProblem";
import type { EditPreview } from "../bindings/EditPreview";
import type { ExportOptions } from "../bindings/ExportOptions";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { OrderPageQuery } from "../bindings/OrderPageQuery";
import type { OrderType } from "../bindings/OrderType";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import type { ShopOrderFull } from "../bindings/ShopOrderFull";
import type { ShopStatus } from "../bindings/ShopStatus";
import { FakeBackend, defaultStatuses } from "./backend";

/** The statuses a new database has now: the seven of before, then "deleted" (8) and "transferred" (9). */
export function cabinetStatuses(): ShopStatus[] {
  return [
    ...defaultStatuses(),
    { id: 8, code: "deleted", name: "", group: "removed", position: 7 },
    { id: 9, code: "transferred", name: "", group: "in_work", position: 8 },
  ];
}

/** A month's charts: Ozon and hand-made orders on two days, a quiet day between; RUB and EUR revenue. */
export const CHARTS: CabinetCharts = {
  arrivals: [
    { day: "2026-11-01", source: "ozon", count: 5 },
    { day: "2026-11-01", source: "manual", count: 1 },
    { day: "2026-11-03", source: "ozon", count: 2 },
    { day: "2026-11-03", source: "manual", count: 4 },
  ],
  accepted: 30,
  rejected: 10,
  median_decision_secs: 7500,
  revenue: [
    { day: "2026-11-01", amount: "1500.50", currency: "RUB" },
    { day: "2026-11-02", amount: "20.00", currency: "EUR" },
    { day: "2026-11-03", amount: "300", currency: "RUB" },
  ],
};

export function emptyDraft(over: Partial<ShopOrderDraft> = {}): ShopOrderDraft {
  return {
    number: "20261123-090000",
    preorder: false,
    recipient: { name: "", phone: "", email: "", address: "", postal_code: "" },
    items: [],
    auto_dimensions: true,
    weight_g: 0,
    length_cm: 0,
    width_cm: 0,
    height_cm: 0,
    declared_value: "0",
    cod: false,
    payment_method: null,
    paid: false,
    delivery_method: "",
    delivery_cost: "0",
    order_type: "standard",
    currency: "RUB",
    tracking_number: "",
    ...over,
  };
}

/** A complete order: one item of 1000.00 × 2, 500 g each, sent by courier for 350.00. */
export function fullOrder(id: number, number: string, over: Partial<ShopOrderFull> = {}, draft: Partial<ShopOrderDraft> = {}): ShopOrderFull {
  return {
    id,
    created_at: `2026-11-${String(10 + (id % 18)).padStart(2, "0")}T08:00:00Z`,
    status_id: 1,
    account: null,
    account_kind: null,
    source_order_id: null,
    customer_id: null,
    transferred_to: null,
    source: null,
    extra: null,
    read_only: false,
    timeline: [],
    ...over,
    draft: emptyDraft({
      number,
      recipient: { name: `Recipient ${id}`, phone: "+79001234567", email: "", address: "Москва, Тверская 1", postal_code: "101000" },
      items: [
        {
          id: id * 10,
          line_id: null,
          offer_id: null,
          article: "0986452041",
          brand: "BOSCH",
          name: "Oil filter",
          quantity: 2,
          price: "1000.00",
          weight_g: 500,
          length_cm: 10,
          width_cm: 10,
          height_cm: 8,
        },
      ],
      weight_g: 1000,
      length_cm: 10,
      width_cm: 10,
      height_cm: 16,
      declared_value: "2350.00",
      payment_method: "prepaid",
      paid: true,
      delivery_method: "courier",
      delivery_cost: "350.00",
      ...draft,
    }),
  };
}

const money = (s: string) => Number(s);

function total(d: ShopOrderDraft): number {
  return d.items.reduce((sum, i) => sum + money(i.price) * i.quantity, 0) + money(d.delivery_cost);
}

function size(d: ShopOrderDraft): ShopOrderDraft {
  if (!d.auto_dimensions) return d;
  let weight = 0;
  let length = 0;
  let width = 0;
  let height = 0;
  for (const i of d.items) {
    weight += i.weight_g * i.quantity;
    length = Math.max(length, i.length_cm);
    width = Math.max(width, i.width_cm);
    height += i.height_cm * i.quantity;
  }
  return { ...d, weight_g: weight, length_cm: length, width_cm: width, height_cm: height };
}

/** core::cabinet::ShopOrderDraft::problems, for the codes the forms word. */
export function draftProblems(d: ShopOrderDraft): DraftProblem[] {
  const out: DraftProblem[] = [];
  const add = (field: string, code: string, message: string) => out.push({ field, code, message });
  if (d.number.length > 64) add("number", "number", "The order number is longer than 64 characters");
  if (d.items.length === 0) add("items", "no_items", "Add at least one item");
  d.items.forEach((item, i) => {
    if (item.name.trim() === "" && item.article.trim() === "") add(`items.${i}.name`, "required", `Item ${i + 1}: name or article`);
    if (item.quantity < 1) add(`items.${i}.quantity`, "quantity", `Item ${i + 1}: quantity must be at least 1`);
    if (money(item.price) < 0) add(`items.${i}.price`, "price", `Item ${i + 1}: the price cannot be negative`);
  });
  const cod = d.cod ? total(d) : 0;
  if (d.cod && money(d.declared_value) < cod) {
    add("declared_value", "declared_below_cod", `The declared value may not be below the cash-on-delivery amount (${cod.toFixed(2)})`);
  }
  if (d.cod && d.paid) add("paid", "paid_with_cod", "An order paid on delivery cannot be marked paid in advance");
  if (!d.preorder) {
    if (d.recipient.name.trim() === "") add("recipient.name", "required", "The recipient's name is required");
    if (d.recipient.phone.trim() === "" && d.recipient.email.trim() === "") add("recipient.phone", "required", "A phone or an e-mail is required");
    if (d.recipient.address.trim() === "") add("recipient.address", "required", "The destination address is required");
  }
  const email = d.recipient.email.trim();
  if (email !== "" && !email.includes("@")) add("recipient.email", "email", `«${email}» is not an e-mail address`);
  return out;
}

export class CabinetBackend extends FakeBackend {
  orders: ShopOrderFull[] = [];
  /** Rows per page the fake answers with, whatever the UI asks (so a test sees several pages). */
  pageSize: number | null = null;
  charts: CabinetCharts = { arrivals: [], accepted: 0, rejected: 0, median_decision_secs: null, revenue: [] };
  /** What the native save dialog returns (null: the manager closed it). */
  savePath: string | null = "/home/manager/orders.csv";
  /** While set, an export stops after its first progress event until this settles. */
  exportGate: Promise<void> | null = null;
  replacedChars = 0;
  private exportCancelled = false;
  private nextOrderId = 5000;

  constructor() {
    super();
    this.statuses = cabinetStatuses();
  }

  row(o: ShopOrderFull): CabinetRow {
    const d = o.draft;
    return {
      id: o.id,
      number: d.number,
      created_at: o.created_at,
      status_id: o.status_id,
      order_type: d.order_type,
      payment_method: d.payment_method,
      paid: d.paid,
      cod: d.cod,
      recipient_name: d.recipient.name,
      recipient_phone: d.recipient.phone,
      account: o.account,
      account_kind: o.account_kind,
      total: total(d).toFixed(2),
      currency: d.currency,
      items: d.items.length,
      preorder: d.preorder,
      transferred_to: o.transferred_to,
    };
  }

  private matches(o: ShopOrderFull, f: OrderFilter): boolean {
    const d = o.draft;
    const group = this.statuses.find((s) => s.id === o.status_id)?.group;
    if (f.status_ids.length > 0 && (o.status_id == null || !f.status_ids.includes(o.status_id))) return false;
    if (f.groups.length > 0 && (group == null || !f.groups.includes(group))) return false;
    if (f.payment.length > 0 && (d.payment_method == null || !f.payment.includes(d.payment_method))) return false;
    if (f.paid != null && d.paid !== f.paid) return false;
    if (f.types.length > 0 && !f.types.includes(d.order_type)) return false;
    if (f.manual && o.account != null) return false;
    if (f.kinds.length > 0 && (o.account_kind == null || !f.kinds.includes(o.account_kind))) return false;
    if (f.from && o.created_at < f.from) return false;
    if (f.to && o.created_at >= f.to) return false;
    const q = f.search.trim().toLowerCase();
    if (q && !d.number.toLowerCase().includes(q) && !d.recipient.name.toLowerCase().includes(q)) return false;
    return true;
  }

  private page(q: OrderPageQuery) {
    const key = (r: CabinetRow): string | number => {
      switch (q.sort.column) {
        case "created":
          return r.created_at;
        case "number":
          return r.number;
        case "recipient":
          return r.recipient_name;
        case "total":
          return Number(r.total);
      }
    };
    const dir = q.sort.desc ? -1 : 1;
    const rows = this.orders
      .filter((o) => this.matches(o, q.filter))
      .map((o) => this.row(o))
      .sort((a, b) => {
        const [ka, kb] = [key(a), key(b)];
        return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * dir;
      });
    const start = q.after ? rows.findIndex((r) => r.id === q.after?.id) + 1 : 0;
    const limit = this.pageSize ?? q.limit;
    const slice = rows.slice(start, start + limit);
    const last = slice[slice.length - 1];
    const more = start + limit < rows.length;
    return { rows: slice, next: more && last ? { key: String(key(last)), id: last.id } : null };
  }

  private order(id: number): ShopOrderFull {
    const o = this.orders.find((x) => x.id === id);
    if (!o) throw { code: "not_found", message: `Order ${id} not found` };
    return o;
  }

  private editPreview(o: ShopOrderFull, d: ShopOrderDraft): EditPreview {
    const after = size(d);
    return {
      weight_before_g: o.draft.weight_g,
      weight_after_g: after.weight_g,
      delivery_cost_before: o.draft.delivery_cost,
      delivery_cost_after: d.delivery_cost,
      total_before: total(o.draft).toFixed(2),
      total_after: total(d).toFixed(2),
      needs_confirmation: money(o.draft.delivery_cost) !== money(d.delivery_cost),
    };
  }

  /** Files an export wrote: like the shell, a second export to one asks before replacing it. */
  writtenFiles = new Set<string>();

  private async exportCsv(path: string, options: ExportOptions, overwrite: boolean) {
    if (this.writtenFiles.has(path) && !overwrite) throw { code: "needs_confirmation", message: `${path} already exists` };
    this.exportCancelled = false;
    const orders = this.orders.filter((o) => options.filter.status_id == null || o.status_id === options.filter.status_id);
    await this.emit({ type: "export_progress", done: Math.floor(orders.length / 2), total: orders.length });
    if (this.exportGate) await this.exportGate;
    if (this.exportCancelled) throw { code: "conflict", message: "The export was cancelled" };
    await this.emit({ type: "export_progress", done: orders.length, total: orders.length });
    this.writtenFiles.add(path);
    return { path, orders: orders.length, rows: orders.length, bytes: 2048, replaced_chars: this.replacedChars };
  }

  protected handle(cmd: string, args: Record<string, unknown>): unknown {
    const mine = [
      "plugin:dialog|save",
      "cabinet_page",
      "cabinet_stats",
      "cabinet_charts",
      "shop_order_full",
      "new_order_draft",
      "validate_order",
      "create_shop_order",
      "preview_order_edit",
      "update_shop_order",
      "quote_delivery",
      "set_shop_order_status",
      "send_tracking_number",
      "set_order_type",
      "delete_shop_orders",
      "purge_shop_orders",
      "export_csv",
      "cancel_export",
      "open_export",
      "show_export_in_folder",
    ];
    if (!mine.includes(cmd)) return super.handle(cmd, args);
    this.calls.push({ cmd, args });
    const failure = this.failures.get(cmd);
    if (failure) {
      this.failures.delete(cmd);
      throw failure;
    }
    switch (cmd) {
      case "plugin:dialog|save":
        return this.savePath;
      case "cabinet_page":
        return this.page(args.query as OrderPageQuery);
      case "cabinet_stats": {
        const f = args.filter as OrderFilter;
        const found = this.orders.filter((o) => this.matches(o, { ...f, status_ids: [], groups: [] }));
        const counts = new Map<number | null, number>();
        for (const o of found) counts.set(o.status_id, (counts.get(o.status_id) ?? 0) + 1);
        return { by_status: [...counts].map(([status_id, count]) => ({ status_id, count })), total: found.length };
      }
      case "cabinet_charts":
        return this.charts;
      case "shop_order_full":
        return structuredClone(this.order(args.id as number));
      case "new_order_draft":
        return emptyDraft();
      case "validate_order":
        return draftProblems(args.draft as ShopOrderDraft);
      case "create_shop_order": {
        const d = size(args.draft as ShopOrderDraft);
        if (draftProblems(d).length > 0) throw { code: "invalid_input", message: draftProblems(d)[0]?.message };
        const o = fullOrder(this.nextOrderId++, d.number, { created_at: "2026-11-23T09:00:00Z" });
        o.draft = structuredClone(d);
        this.orders.unshift(o);
        return structuredClone(o);
      }
      case "preview_order_edit":
        return this.editPreview(this.order(args.id as number), args.draft as ShopOrderDraft);
      case "update_shop_order": {
        const o = this.order(args.id as number);
        const d = size(args.draft as ShopOrderDraft);
        if (this.editPreview(o, d).needs_confirmation && !args.confirmed) {
          throw { code: "needs_confirmation", message: "The delivery cost changes: confirm the edit" };
        }
        o.draft = structuredClone(d);
        return structuredClone(o);
      }
      case "quote_delivery": {
        const m = this.settings.delivery_methods.find((x) => x.id === args.method);
        if (!m) throw { code: "not_found", message: `Delivery method ${String(args.method)} not found` };
        const kg = Math.ceil(Math.max(0, args.weightG as number) / 1000);
        return (Number(m.base) + Number(m.per_kg) * kg).toFixed(2);
      }
      case "set_shop_order_status": {
        const status = this.statuses.find((s) => s.id === args.statusId);
        if (!status) throw { code: "not_found", message: "No such status" };
        if (status.code === "transferred") throw { code: "invalid_input", message: "Transferred is set by a transfer only" };
        const ids = args.ids as number[];
        for (const id of ids) this.order(id).status_id = status.id;
        return { changed: ids, outbox_rows: [], not_sent: [] };
      }
      case "send_tracking_number": {
        // The engine's checks, in its order (engine/src/cabinet.rs `send_tracking_number`).
        const o = this.order(args.id as number);
        const tracking = String(args.tracking).trim();
        if (o.account_kind !== "ozon" || o.source_order_id == null) {
          throw { code: "invalid_input", message: "This order did not come from an Ozon posting" };
        }
        if (o.read_only) throw { code: "invalid_input", message: "The posting is FBO: Ozon takes no tracking number" };
        if (o.extra?.tpl_integration_type !== "non_integrated") {
          throw {
            code: "invalid_input",
            message: "Ozon takes tracking numbers only for postings the seller delivers (realFBS)",
          };
        }
        if (tracking === "") throw { code: "invalid_input", message: "Enter the tracking number" };
        o.draft.tracking_number = tracking;
        return structuredClone(o);
      }
      case "set_order_type":
        for (const id of args.ids as number[]) this.order(id).draft.order_type = args.orderType as OrderType;
        return null;
      case "delete_shop_orders":
        for (const id of args.ids as number[]) {
          const o = this.order(id);
          o.status_id = 8;
          if (args.removeLinks) o.transferred_to = null;
        }
        return null;
      case "purge_shop_orders": {
        const ids = args.ids as number[];
        if (ids.some((id) => this.order(id).status_id !== 8)) throw { code: "invalid_input", message: "Delete the orders first" };
        this.orders = this.orders.filter((o) => !ids.includes(o.id));
        return ids.length;
      }
      case "export_csv":
        return this.exportCsv(args.path as string, args.options as ExportOptions, args.overwrite === true);
      case "cancel_export":
        this.exportCancelled = true;
        return null;
      default:
        return null;
    }
  }
}
