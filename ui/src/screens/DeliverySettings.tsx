import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent, type ReactNode } from "react";
import { api } from "../api";
import type { AppSettings } from "../bindings/AppSettings";
import type { DeliveryKind } from "../bindings/DeliveryKind";
import type { DeliveryMethod } from "../bindings/DeliveryMethod";
import type { OrderType } from "../bindings/OrderType";
import { ORDER_TYPES } from "../cabinet/viewState";
import { decimalForEngine, isDecimal } from "../cabinet/words";
import { useNotices } from "../components/Notices";
import { formatPrice } from "../format";
import { useI18n } from "../i18n";
import { keys } from "../queries";

const KINDS: readonly DeliveryKind[] = ["courier", "pickup_point", "post"];
/** The systems orders are transferred to (`TRANSFER_TARGETS` in core/src/delivery.rs, which refuses others). */
export const TRANSFER_TARGETS: readonly (readonly [string, string])[] = [
  ["retailcrm", "RetailCRM"],
  ["moysklad", "MoySklad"],
  ["amocrm", "amoCRM"],
  ["insales", "InSales"],
  ["bitrix24", "Bitrix24"],
  ["shiptor", "Shiptor"],
];
/** `MAX_TERM_DAYS` in core/src/delivery.rs. */
const MAX_TERM_DAYS = 90;

/**
 * A method as the form holds it: amounts and the term stay text until saving, the tariff's shape
 * (fixed or by weight) is the manager's choice, and a key that survives a new method's empty id.
 */
type Edited = {
  key: number;
  method: DeliveryMethod;
  byWeight: boolean;
  term: string;
};

const edited = (key: number, method: DeliveryMethod): Edited => ({
  key,
  method,
  byWeight: Number(decimalForEngine(method.per_kg)) !== 0,
  term: method.term_days == null ? "" : String(method.term_days),
});

/** A new method: the engine gives it its id from its name on saving. */
function newMethod(name: string): DeliveryMethod {
  return {
    id: "",
    name,
    kind: "courier",
    carrier: "",
    base: "0",
    per_kg: "0",
    term_days: null,
    postal_code_required: false,
    card_on_delivery: true,
    order_type: null,
    codes: {},
  };
}

/** What a kind usually asks (the engine's `DeliveryMethod::new`): the post wants a postal code, takes no card. */
const kindRules = (kind: DeliveryKind) => ({ postal_code_required: kind === "post", card_on_delivery: kind !== "post" });

/** The method as the engine takes it, or the first problem's words. */
function forSaving(e: Edited, t: ReturnType<typeof useI18n>["t"]): DeliveryMethod | string {
  const d = t.delivery;
  const name = e.method.name.trim() || d.newName;
  const money = (text: string, label: string) => (isDecimal(text) && Number(decimalForEngine(text)) >= 0 ? null : d.badMoney(name, label));
  const problem = money(e.method.base, e.byWeight ? d.base : d.price) ?? (e.byWeight ? money(e.method.per_kg, d.perKg) : null);
  if (problem) return problem;
  const term = e.term.trim();
  if (term !== "" && !(/^\d{1,3}$/.test(term) && Number(term) <= MAX_TERM_DAYS)) return d.badTerm(name, MAX_TERM_DAYS);
  const codes = Object.fromEntries(
    Object.entries(e.method.codes)
      .map(([target, code]) => [target, code.trim()] as const)
      .filter(([, code]) => code !== ""),
  );
  return {
    ...e.method,
    name: e.method.name.trim(),
    carrier: e.method.carrier.trim(),
    base: decimalForEngine(e.method.base),
    per_kg: e.byWeight ? decimalForEngine(e.method.per_kg) : "0",
    term_days: term === "" ? null : Number(term),
    codes,
  };
}

/**
 * Settings → Delivery: the methods the order form offers, each with its tariff, term, the rules it
 * sets on an order and its codes in other systems. Saved together with the Save button.
 */
export function DeliverySettings({ settings }: { settings: AppSettings }) {
  const { t, locale } = useI18n();
  const d = t.delivery;
  const qc = useQueryClient();
  const notices = useNotices();
  const nextKey = useRef(0);
  const withKeys = (list: DeliveryMethod[]) => list.map((m) => edited(nextKey.current++, m));
  const [draft, setDraft] = useState<Edited[]>(() => withKeys(settings.delivery_methods));
  const [open, setOpen] = useState<number | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const prepared = draft.map((e) => forSaving(e, t));
  const dirty = JSON.stringify(prepared) !== JSON.stringify(settings.delivery_methods);

  const save = useMutation({
    mutationFn: (delivery_methods: DeliveryMethod[]) => api.saveSettings({ ...settings, delivery_methods }),
    onMutate: () => setProblem(null),
    onSuccess: (stored) => {
      qc.setQueryData(keys.settings, stored);
      setDraft(withKeys(stored.delivery_methods));
      setOpen(null);
      notices.info(d.saved);
      void qc.invalidateQueries({ queryKey: [...keys.cabinetAll, "quotes"] });
    },
    onError: (e) => setProblem(e.message),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = prepared.find((p): p is string => typeof p === "string");
    if (bad) {
      setProblem(bad);
      return;
    }
    save.mutate(prepared as DeliveryMethod[]);
  };
  const change = (key: number, patch: Partial<Edited>) => {
    setProblem(null);
    setDraft((all) => all.map((e) => (e.key === key ? { ...e, ...patch } : e)));
  };
  const changeMethod = (e: Edited, patch: Partial<DeliveryMethod>) => change(e.key, { method: { ...e.method, ...patch } });
  const add = () => {
    const e = edited(nextKey.current++, newMethod(""));
    setDraft((all) => [...all, e]);
    setOpen(e.key);
  };

  // Tariffs are in the shop's currency; until the shop can choose one (with store platforms) it is roubles.
  const currency = "RUB";
  const summary = (e: Edited) => {
    const price = (text: string) => (isDecimal(text) ? formatPrice(decimalForEngine(text), currency, locale) : text);
    const tariff = d.summary(price(e.method.base), e.byWeight ? price(e.method.per_kg) : null);
    const term = /^\d+$/.test(e.term.trim()) ? d.upTo(Number(e.term)) : null;
    return [d.kinds[e.method.kind], e.method.carrier.trim() || null, tariff, term].filter((p) => p != null).join(" · ");
  };

  return (
    <form className="panel-section delivery-settings" data-testid="delivery-settings" onSubmit={submit} noValidate>
      <h2>{d.title}</h2>
      <p className="hint">{d.hint}</p>
      <ul className="delivery-list">
        {draft.map((e) => (
          <li key={e.key} className="delivery-method" data-testid="delivery-method" data-method-id={e.method.id}>
            <div className="delivery-summary">
              <strong className="grow" data-testid="delivery-method-name">
                {e.method.name.trim() || d.newName}
              </strong>
              <span className="muted" data-testid="delivery-method-summary">
                {summary(e)}
              </span>
              <button
                type="button"
                data-testid="delivery-edit"
                aria-expanded={open === e.key}
                onClick={() => setOpen(open === e.key ? null : e.key)}
              >
                {open === e.key ? d.close : d.edit}
              </button>
              <button
                type="button"
                className="danger"
                data-testid="delivery-remove"
                onClick={() => setDraft((all) => all.filter((x) => x.key !== e.key))}
              >
                {d.remove}
              </button>
            </div>
            {open === e.key && <MethodEditor e={e} change={change} changeMethod={changeMethod} />}
          </li>
        ))}
      </ul>
      {problem && (
        <p className="form-problem" role="alert" data-testid="delivery-problem">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="button" data-testid="delivery-add" onClick={add}>
          {d.add}
        </button>
        <button type="submit" className="primary" data-testid="delivery-save" disabled={save.isPending || !dirty}>
          {save.isPending ? d.saving : d.save}
        </button>
        {dirty && (
          <span className="warning" data-testid="delivery-unsaved">
            {d.unsaved}
          </span>
        )}
      </div>
    </form>
  );
}

function MethodEditor({
  e,
  change,
  changeMethod,
}: {
  e: Edited;
  change: (key: number, patch: Partial<Edited>) => void;
  changeMethod: (e: Edited, patch: Partial<DeliveryMethod>) => void;
}) {
  const { t } = useI18n();
  const d = t.delivery;
  const m = e.method;
  const field = (label: string, input: ReactNode, key?: string) => (
    <label key={key}>
      <span>{label}</span>
      {input}
    </label>
  );
  return (
    <fieldset className="delivery-editor" data-testid="delivery-editor">
      <div className="field-row">
        {field(
          d.name,
          <input data-testid="delivery-name" autoFocus={m.id === ""} value={m.name} onChange={(x) => changeMethod(e, { name: x.target.value })} />,
        )}
        {field(
          d.kind,
          <select
            data-testid="delivery-kind"
            value={m.kind}
            onChange={(x) => {
              const kind = x.target.value as DeliveryKind;
              changeMethod(e, { kind, ...kindRules(kind) });
            }}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {d.kinds[k]}
              </option>
            ))}
          </select>,
        )}
        {field(d.carrier, <input data-testid="delivery-carrier" value={m.carrier} onChange={(x) => changeMethod(e, { carrier: x.target.value })} />)}
      </div>
      <div className="field-row">
        {field(
          d.tariff,
          <select
            data-testid="delivery-tariff"
            value={e.byWeight ? "weight" : "fixed"}
            onChange={(x) => change(e.key, { byWeight: x.target.value === "weight" })}
          >
            <option value="fixed">{d.fixed}</option>
            <option value="weight">{d.byWeight}</option>
          </select>,
        )}
        {field(
          e.byWeight ? d.base : d.price,
          <input data-testid="delivery-base" inputMode="decimal" size={8} value={m.base} onChange={(x) => changeMethod(e, { base: x.target.value })} />,
        )}
        {e.byWeight &&
          field(
            d.perKg,
            <input
              data-testid="delivery-per-kg"
              inputMode="decimal"
              size={8}
              value={m.per_kg}
              onChange={(x) => changeMethod(e, { per_kg: x.target.value })}
            />,
          )}
        {field(
          d.term,
          <input
            data-testid="delivery-term"
            inputMode="numeric"
            size={4}
            title={d.termHint}
            value={e.term}
            onChange={(x) => change(e.key, { term: x.target.value })}
          />,
        )}
      </div>
      <div className="field-row">
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="delivery-postal-code"
            checked={m.postal_code_required}
            onChange={(x) => changeMethod(e, { postal_code_required: x.target.checked })}
          />
          {d.postalCodeRequired}
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="delivery-card"
            checked={m.card_on_delivery}
            onChange={(x) => changeMethod(e, { card_on_delivery: x.target.checked })}
          />
          {d.cardOnDelivery}
        </label>
        {field(
          d.orderType,
          <select
            data-testid="delivery-order-type"
            value={m.order_type ?? ""}
            onChange={(x) => changeMethod(e, { order_type: x.target.value === "" ? null : (x.target.value as OrderType) })}
          >
            <option value="">{d.orderTypeFree}</option>
            {ORDER_TYPES.map((o) => (
              <option key={o} value={o}>
                {t.cabinet.orderTypes[o]}
              </option>
            ))}
          </select>,
        )}
      </div>
      <details className="delivery-codes">
        <summary>{d.codes}</summary>
        <p className="hint">{d.codesHint}</p>
        <div className="field-row">
          {TRANSFER_TARGETS.map(([target, name]) =>
            field(
              name,
              <input
                data-testid={`delivery-code-${target}`}
                size={12}
                value={m.codes[target] ?? ""}
                onChange={(x) => changeMethod(e, { codes: { ...m.codes, [target]: x.target.value } })}
              />,
              target,
            ),
          )}
        </div>
      </details>
    </fieldset>
  );
}
