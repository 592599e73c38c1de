import { dateTimeFormat } from "../intl";
import { useState, type FormEvent, type RefObject } from "react";
import type { AccountView } from "../bindings/AccountView";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { OrderType } from "../bindings/OrderType";
import type { PaymentMethod } from "../bindings/PaymentMethod";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusGroup } from "../bindings/StatusGroup";
import { useI18n } from "../i18n";
import { GROUPS, statusName } from "../statuses/statuses";
import { ORDER_TYPES, PAYMENT_METHODS, dayEnd, dayOf, dayStart, lastDayOf } from "./viewState";
import { kindName } from "./words";

/** The status select's value: one status ("s:3"), one group ("g:new"), none (""), or several. */
function statusValue(f: OrderFilter): string {
  if (f.status_ids.length === 0 && f.groups.length === 0) return "";
  if (f.status_ids.length === 1 && f.groups.length === 0) return `s:${f.status_ids[0]}`;
  if (f.groups.length === 1 && f.status_ids.length === 0) return `g:${f.groups[0]}`;
  return "several";
}

/** The source select's value: every source (""), orders made by hand, a marketplace kind or one account. */
function sourceValue(f: OrderFilter): string {
  if (f.manual && f.kinds.length === 0 && f.account_ids.length === 0) return "manual";
  if (!f.manual && f.kinds.length === 1 && f.account_ids.length === 0) return `k:${f.kinds[0]}`;
  if (!f.manual && f.account_ids.length === 1 && f.kinds.length === 0) return `a:${f.account_ids[0]}`;
  if (!f.manual && f.kinds.length === 0 && f.account_ids.length === 0) return "";
  return "several";
}

type Words = ReturnType<typeof useI18n>["t"];

/** A filter that is set, as a chip: what it says, and the part of the filter that clears it. */
export type FilterChip = { id: string; label: string; clear: Partial<OrderFilter> };

/**
 * The applied filter's parts other than the status (the counts bar shows that one) as chips.
 * Pure, so that what a chip says and clears is tested without a DOM.
 */
/** "Card": paid by card, on delivery or online. */
const CARD: readonly PaymentMethod[] = ["card_on_delivery", "card_online"];
const isCard = (payment: readonly PaymentMethod[]) => payment.length === CARD.length && CARD.every((p) => payment.includes(p));

export function filterChips(
  filter: OrderFilter,
  t: Words,
  locale: string,
  accounts: readonly AccountView[] | undefined,
): FilterChip[] {
  const f = t.cabinet.filters;
  const chips: FilterChip[] = [];
  const day = (value: string) => {
    const d = new Date(`${value}T00:00:00`);
    return Number.isNaN(d.getTime()) ? value : dateTimeFormat(locale, { dateStyle: "short" }).format(d);
  };
  if (filter.search.trim() !== "") chips.push({ id: "search", label: `${f.search}: ${filter.search}`, clear: { search: "" } });
  if (filter.payment.length > 0) {
    const names = isCard(filter.payment) ? f.card : filter.payment.map((p) => t.cabinet.payment[p]).join(", ");
    chips.push({ id: "payment", label: `${f.payment}: ${names}`, clear: { payment: [] } });
  }
  if (filter.paid != null) {
    chips.push({ id: "paid", label: `${f.paid}: ${filter.paid ? t.common.yes : t.common.no}`, clear: { paid: null } });
  }
  if (filter.types.length > 0) {
    const names = filter.types.map((o) => t.cabinet.orderTypes[o]).join(", ");
    chips.push({ id: "type", label: `${f.type}: ${names}`, clear: { types: [] } });
  }
  if (filter.manual || filter.kinds.length > 0 || filter.account_ids.length > 0) {
    const names = [
      ...(filter.manual ? [t.cabinet.manual] : []),
      ...filter.kinds.map(kindName),
      ...filter.account_ids.map((id) => accounts?.find((a) => a.account.id === id)?.account.name ?? `#${id}`),
    ].join(", ");
    chips.push({ id: "source", label: `${f.source}: ${names}`, clear: { manual: false, kinds: [], account_ids: [] } });
  }
  if (filter.from) chips.push({ id: "from", label: `${f.from}: ${day(dayOf(filter.from))}`, clear: { from: null } });
  if (filter.to) chips.push({ id: "to", label: `${f.to}: ${day(lastDayOf(filter.to))}`, clear: { to: null } });
  return chips;
}

/**
 * The filters in one row: the search, Find, a Filters button that opens the panel of the other
 * filters, a chip for each one that is set (× clears it at once) and Clear. In the panel nothing
 * applies until Apply / Find (or Enter in a field); Clear returns to the default view.
 */
export function Filters({
  draft,
  applied,
  onChange,
  onFind,
  onClear,
  onClearPart,
  statuses,
  accounts,
  searchRef,
}: {
  draft: OrderFilter;
  /** The filter the list shows now: its chips. */
  applied: OrderFilter;
  onChange: (next: OrderFilter) => void;
  onFind: () => void;
  onClear: () => void;
  /** Clears one part of the applied filter (a chip's ×). */
  onClearPart: (part: Partial<OrderFilter>) => void;
  statuses: readonly ShopStatus[] | undefined;
  accounts: readonly AccountView[] | undefined;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const { t, locale } = useI18n();
  const f = t.cabinet.filters;
  const [open, setOpen] = useState(false);
  const chips = filterChips(applied, t, locale, accounts);
  const set = (patch: Partial<OrderFilter>) => onChange({ ...draft, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setOpen(false);
    onFind();
  };
  const kinds = [...new Set(accounts?.map((a) => a.account.kind) ?? [])];
  const status = statusValue(draft);
  const source = sourceValue(draft);
  return (
    <form className="cabinet-filters" onSubmit={submit} aria-label={f.title} data-testid="cabinet-filters">
      <div className="filter-row">
        <label className="cabinet-search">
          <span className="sr-only">{f.search}</span>
          <input
            ref={searchRef}
            type="search"
            data-testid="cabinet-search"
            placeholder={f.searchPlaceholder}
            value={draft.search}
            onChange={(e) => set({ search: e.target.value })}
          />
        </label>
        <button type="submit" className="primary" data-testid="cabinet-find">
          {f.find}
        </button>
        <button
          type="button"
          data-testid="cabinet-filters-toggle"
          aria-expanded={open}
          aria-controls="cabinet-filter-panel"
          onClick={() => setOpen((o) => !o)}
        >
          {f.title}
          {chips.length > 0 && <span className="count">{chips.length}</span>} ▾
        </button>
        <ul className="filter-chips" aria-label={f.set} data-testid="cabinet-filter-chips">
          {chips.map((c) => (
            <li key={c.id} className="filter-chip" data-testid={`cabinet-chip-${c.id}`}>
              <span className="filter-chip-label" title={c.label}>
                {c.label}
              </span>
              <button
                type="button"
                className="link"
                data-testid={`cabinet-chip-clear-${c.id}`}
                aria-label={f.removeChip(c.label)}
                title={f.removeChip(c.label)}
                onClick={() => onClearPart(c.clear)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <button type="button" data-testid="cabinet-clear" onClick={onClear}>
          {f.clear}
        </button>
      </div>
      <div className="filter-panel" id="cabinet-filter-panel" data-testid="cabinet-filter-panel" hidden={!open}>
      <label>
        <span>{f.status}</span>
        <select
          data-testid="cabinet-filter-status"
          value={status}
          onChange={(e) => {
            const v = e.target.value;
            if (v === "") set({ status_ids: [], groups: [] });
            else if (v.startsWith("s:")) set({ status_ids: [Number(v.slice(2))], groups: [] });
            else if (v.startsWith("g:")) set({ status_ids: [], groups: [v.slice(2) as StatusGroup] });
          }}
        >
          <option value="">{f.anyStatus}</option>
          {status === "several" && (
            <option value="several" disabled>
              {f.several}
            </option>
          )}
          <optgroup label={t.cabinet.stats.groups}>
            {GROUPS.map((g) => (
              <option key={g} value={`g:${g}`}>
                {f.group(t.statuses.groups[g])}
              </option>
            ))}
          </optgroup>
          <optgroup label={t.cabinet.stats.statuses}>
            {statuses?.map((s) => (
              <option key={s.id} value={`s:${s.id}`}>
                {statusName(s, t)}
              </option>
            ))}
          </optgroup>
        </select>
      </label>
      <label>
        <span>{f.payment}</span>
        <select
          data-testid="cabinet-filter-payment"
          value={isCard(draft.payment) ? "card" : draft.payment.length === 1 ? draft.payment[0] : ""}
          onChange={(e) => {
            const v = e.target.value;
            set({ payment: v === "" ? [] : v === "card" ? [...CARD] : [v as PaymentMethod] });
          }}
        >
          <option value="">{f.anyPayment}</option>
          <option value="card">{f.card}</option>
          {PAYMENT_METHODS.map((p) => (
            <option key={p} value={p}>
              {t.cabinet.payment[p]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{f.paid}</span>
        <select
          data-testid="cabinet-filter-paid"
          value={draft.paid == null ? "" : draft.paid ? "yes" : "no"}
          onChange={(e) => set({ paid: e.target.value === "" ? null : e.target.value === "yes" })}
        >
          <option value="">{f.any}</option>
          <option value="yes">{t.common.yes}</option>
          <option value="no">{t.common.no}</option>
        </select>
      </label>
      <label>
        <span>{f.type}</span>
        <select
          data-testid="cabinet-filter-type"
          value={draft.types.length === 1 ? draft.types[0] : ""}
          onChange={(e) => set({ types: e.target.value === "" ? [] : [e.target.value as OrderType] })}
        >
          <option value="">{f.anyType}</option>
          {ORDER_TYPES.map((o) => (
            <option key={o} value={o}>
              {t.cabinet.orderTypes[o]}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{f.source}</span>
        <select
          data-testid="cabinet-filter-source"
          value={source}
          onChange={(e) => {
            const v = e.target.value;
            const none = { manual: false, kinds: [], account_ids: [] };
            if (v === "") set(none);
            else if (v === "manual") set({ ...none, manual: true });
            else if (v.startsWith("k:")) set({ ...none, kinds: [v.slice(2) as OrderFilter["kinds"][number]] });
            else if (v.startsWith("a:")) set({ ...none, account_ids: [Number(v.slice(2))] });
          }}
        >
          <option value="">{f.anySource}</option>
          {source === "several" && (
            <option value="several" disabled>
              {f.several}
            </option>
          )}
          <option value="manual">{t.cabinet.manual}</option>
          {kinds.map((k) => (
            <option key={k} value={`k:${k}`}>
              {kindName(k)}
            </option>
          ))}
          {accounts?.map((a) => (
            <option key={a.account.id} value={`a:${a.account.id}`}>
              {a.account.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>{f.from}</span>
        <input
          type="date"
          data-testid="cabinet-filter-from"
          value={dayOf(draft.from)}
          onChange={(e) => set({ from: dayStart(e.target.value) })}
        />
      </label>
      <label>
        <span>{f.to}</span>
        <input
          type="date"
          data-testid="cabinet-filter-to"
          value={lastDayOf(draft.to)}
          onChange={(e) => set({ to: dayEnd(e.target.value) })}
        />
      </label>
        <div className="cabinet-filter-actions">
          <button type="submit" className="primary" data-testid="cabinet-filters-apply">
            {f.apply}
          </button>
          <button type="button" onClick={() => setOpen(false)}>
            {t.common.close}
          </button>
        </div>
      </div>
    </form>
  );
}
