// The cabinet's view: its filters and sort, serialised as a compact URL-like string that a saved
// view stores and reopens. Pure (storage aside), so the round trip is tested without a DOM.
import type { AccountKind } from "../bindings/AccountKind";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { OrderSort } from "../bindings/OrderSort";
import type { OrderType } from "../bindings/OrderType";
import type { PaymentMethod } from "../bindings/PaymentMethod";
import type { SortColumn } from "../bindings/SortColumn";
import type { StatusGroup } from "../bindings/StatusGroup";
import { INTEGRATIONS } from "../integrations";

export type CabinetView = { filter: OrderFilter; sort: OrderSort };

export const PAYMENT_METHODS: readonly PaymentMethod[] = ["cash_on_delivery", "card_on_delivery", "card_online", "prepaid"];
export const ORDER_TYPES: readonly OrderType[] = ["standard", "through", "export"];
export const SORT_COLUMNS: readonly SortColumn[] = ["created", "number", "recipient", "total"];
const GROUP_VALUES: readonly StatusGroup[] = ["new", "in_work", "done", "refused", "removed"];
/** Read when parsing, not at load: the registry imports cabinet code (its order screens). */
const cabinetKinds = (): readonly AccountKind[] => INTEGRATIONS.filter((i) => i.inCabinet).map((i) => i.kind);

/** No filter at all: every order. */
export function emptyFilter(): OrderFilter {
  return {
    status_ids: [],
    groups: [],
    payment: [],
    paid: null,
    types: [],
    account_ids: [],
    kinds: [],
    manual: false,
    from: null,
    to: null,
    search: "",
  };
}

export const DEFAULT_SORT: OrderSort = { column: "created", desc: true };

/** What the cabinet opens with and Clear returns to: the orders waiting in the "new" group, newest first. */
export function defaultView(): CabinetView {
  return { filter: { ...emptyFilter(), groups: ["new"] }, sort: { ...DEFAULT_SORT } };
}

/** The filter without its status part: what the statistics bar counts under. */
export function withoutStatus(filter: OrderFilter): OrderFilter {
  return { ...filter, status_ids: [], groups: [] };
}

const list = (values: readonly (string | number)[]) => values.join(",");

/** E.g. `g=new&pay=prepaid&paid=1&q=ivan&sort=-created`; only what narrows is written. */
export function serializeView({ filter: f, sort }: CabinetView): string {
  const p = new URLSearchParams();
  if (f.status_ids.length > 0) p.set("s", list(f.status_ids));
  if (f.groups.length > 0) p.set("g", list(f.groups));
  if (f.payment.length > 0) p.set("pay", list(f.payment));
  if (f.paid != null) p.set("paid", f.paid ? "1" : "0");
  if (f.types.length > 0) p.set("type", list(f.types));
  if (f.account_ids.length > 0) p.set("acc", list(f.account_ids));
  if (f.kinds.length > 0) p.set("kind", list(f.kinds));
  if (f.manual) p.set("manual", "1");
  if (f.from) p.set("from", f.from);
  if (f.to) p.set("to", f.to);
  if (f.search !== "") p.set("q", f.search);
  p.set("sort", `${sort.desc ? "-" : ""}${sort.column}`);
  return p.toString();
}

function oneOf<T extends string>(allowed: readonly T[], raw: string | null): T[] {
  if (!raw) return [];
  return [...new Set(raw.split(",").filter((v): v is T => (allowed as readonly string[]).includes(v)))];
}

function ids(raw: string | null): number[] {
  if (!raw) return [];
  return [...new Set(raw.split(",").map(Number).filter((n) => Number.isSafeInteger(n) && n > 0))];
}

function time(raw: string | null): string | null {
  if (!raw) return null;
  return Number.isNaN(new Date(raw).getTime()) ? null : raw;
}

/** The view a string describes; anything it does not understand is left out (never an error). */
export function parseView(text: string): CabinetView {
  const p = new URLSearchParams(text.startsWith("?") ? text.slice(1) : text);
  const paid = p.get("paid");
  const sortRaw = p.get("sort") ?? "";
  const desc = sortRaw.startsWith("-");
  const column = SORT_COLUMNS.find((c) => c === (desc ? sortRaw.slice(1) : sortRaw));
  return {
    filter: {
      status_ids: ids(p.get("s")),
      groups: oneOf(GROUP_VALUES, p.get("g")),
      payment: oneOf(PAYMENT_METHODS, p.get("pay")),
      paid: paid === "1" ? true : paid === "0" ? false : null,
      types: oneOf(ORDER_TYPES, p.get("type")),
      account_ids: ids(p.get("acc")),
      kinds: oneOf(cabinetKinds(), p.get("kind")),
      manual: p.get("manual") === "1",
      from: time(p.get("from")),
      to: time(p.get("to")),
      search: p.get("q") ?? "",
    },
    sort: column ? { column, desc } : { ...DEFAULT_SORT },
  };
}

/** Same filters and sort, whatever order their lists were written in. */
export function sameView(a: CabinetView, b: CabinetView): boolean {
  return serializeView(normalized(a)) === serializeView(normalized(b));
}

function normalized(v: CabinetView): CabinetView {
  const sorted = <T extends string | number>(xs: T[]) => [...xs].sort();
  const f = v.filter;
  return {
    sort: v.sort,
    filter: {
      ...f,
      status_ids: sorted(f.status_ids),
      groups: sorted(f.groups),
      payment: sorted(f.payment),
      types: sorted(f.types),
      account_ids: sorted(f.account_ids),
      kinds: sorted(f.kinds),
    },
  };
}

/** A date input's day (local) as the first moment of that day. */
export function dayStart(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 0, 0, 0, 0).toISOString();
}

/** A date input's day (local) as the end of the period: the first moment of the next day (the engine's "to" is exclusive). */
export function dayEnd(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + 1, 0, 0, 0, 0).toISOString();
}

/** The last day a period's exclusive end includes, as the "to" date input shows it. */
export function lastDayOf(end: string | null): string {
  if (!end) return "";
  const t = new Date(end).getTime();
  return Number.isNaN(t) ? "" : dayOf(new Date(t - 1).toISOString());
}

/** The local day of a moment, as a date input shows it ("" for none). */
export function dayOf(iso: string | null): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
}

// Storage: the current view survives leaving the screen (and restarting); saved views are named strings.
const CURRENT_KEY = "ordertray.cabinet.view";
const SAVED_KEY = "ordertray.cabinet.views";

export type SavedView = { name: string; view: string };

export function loadCurrentView(): CabinetView {
  const text = globalThis.localStorage?.getItem(CURRENT_KEY);
  return text == null ? defaultView() : parseView(text);
}

export function storeCurrentView(view: CabinetView): void {
  globalThis.localStorage?.setItem(CURRENT_KEY, serializeView(view));
}

export function loadSavedViews(): SavedView[] {
  try {
    const parsed: unknown = JSON.parse(globalThis.localStorage?.getItem(SAVED_KEY) ?? "[]");
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (v): v is SavedView =>
        typeof v === "object" && v !== null && typeof (v as SavedView).name === "string" && typeof (v as SavedView).view === "string",
    );
  } catch {
    return [];
  }
}

/** Saving under an existing name replaces that view; views stay sorted by name. */
export function saveView(views: readonly SavedView[], name: string, view: CabinetView): SavedView[] {
  const trimmed = name.trim();
  const next = [...views.filter((v) => v.name !== trimmed), { name: trimmed, view: serializeView(view) }].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  globalThis.localStorage?.setItem(SAVED_KEY, JSON.stringify(next));
  return next;
}

export function deleteView(views: readonly SavedView[], name: string): SavedView[] {
  const next = views.filter((v) => v.name !== name);
  globalThis.localStorage?.setItem(SAVED_KEY, JSON.stringify(next));
  return next;
}
