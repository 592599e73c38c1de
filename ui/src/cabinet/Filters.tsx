import type { FormEvent, RefObject } from "react";
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

/** The filters as a form: nothing applies until Find (or Enter in a field); Clear returns to the default view. */
export function Filters({
  draft,
  onChange,
  onFind,
  onClear,
  statuses,
  accounts,
  searchRef,
}: {
  draft: OrderFilter;
  onChange: (next: OrderFilter) => void;
  onFind: () => void;
  onClear: () => void;
  statuses: readonly ShopStatus[] | undefined;
  accounts: readonly AccountView[] | undefined;
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const { t } = useI18n();
  const f = t.cabinet.filters;
  const set = (patch: Partial<OrderFilter>) => onChange({ ...draft, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onFind();
  };
  const kinds = [...new Set(accounts?.map((a) => a.account.kind) ?? [])];
  const status = statusValue(draft);
  const source = sourceValue(draft);
  return (
    <form className="cabinet-filters" onSubmit={submit} aria-label={f.title} data-testid="cabinet-filters">
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
          value={draft.payment.length === 1 ? draft.payment[0] : ""}
          onChange={(e) => set({ payment: e.target.value === "" ? [] : [e.target.value as PaymentMethod] })}
        >
          <option value="">{f.anyPayment}</option>
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
        <button type="submit" className="primary" data-testid="cabinet-find">
          {f.find}
        </button>
        <button type="button" data-testid="cabinet-clear" onClick={onClear}>
          {f.clear}
        </button>
      </div>
    </form>
  );
}
