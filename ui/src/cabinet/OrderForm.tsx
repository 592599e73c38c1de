import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { ApiError, api } from "../api";
import type { Address } from "../bindings/Address";
import type { DeliveryMethod } from "../bindings/DeliveryMethod";
import type { DraftProblem } from "../bindings/DraftProblem";
import type { EditPreview } from "../bindings/EditPreview";
import type { OrderItem } from "../bindings/OrderItem";
import type { OrderType } from "../bindings/OrderType";
import type { PaymentMethod } from "../bindings/PaymentMethod";
import type { Recipient } from "../bindings/Recipient";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import type { ShopOrderFull } from "../bindings/ShopOrderFull";
import type { TransferView } from "../bindings/TransferView";
import { useNotices } from "../components/Notices";
import { useSettled } from "../components/useSettled";
import { formatAmount, formatPrice } from "../format";
import { useI18n } from "../i18n";
import { useOfferSearch, useSettings } from "../queries";
import {
  blankItem,
  computedSize,
  effectiveSize,
  engineDraft,
  followedDeclaredValue,
  itemFromOffer,
  itemsTotal,
  localProblems,
  orderTotal,
  preorderProblems,
  wholeNumber,
} from "./draft";
import { AddressFields } from "./AddressFields";
import { Field } from "./Field";
import { OrderTransfers } from "./OtherSystems";
import { cabinetKeys, refreshAfterOrderChange } from "./queries";
import { ORDER_TYPES, PAYMENT_METHODS } from "./viewState";
import { problemText } from "./words";

/** The courier collects the money: the order is cash on delivery. */
const onDelivery = (p: PaymentMethod) => p === "cash_on_delivery" || p === "card_on_delivery";

export type FormMode = { kind: "new" } | { kind: "edit"; id: number };

type Confirming = { preview: EditPreview; preorder: boolean };
type SaveResult = { kind: "saved"; full: ShopOrderFull } | ({ kind: "confirm" } & Confirming);

/**
 * The order as the create and edit forms hold it. Problems come from the engine's validate_order and
 * are shown by their fields in the manager's language; saving waits until there are none. An edit
 * that changes the delivery cost shows old → new and asks before it is saved.
 */
export function OrderForm({
  initial,
  mode,
  transfers = [],
  onSaved,
  onCancel,
}: {
  initial: ShopOrderDraft;
  mode: FormMode;
  /** Where the order being edited was sent (the "In other systems" block). */
  transfers?: readonly TransferView[];
  onSaved: (order: ShopOrderFull) => void;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const f = t.cabinet.form;
  const qc = useQueryClient();
  const notices = useNotices();
  const methods = useSettings().data?.delivery_methods ?? [];
  const [draft, setDraft] = useState<ShopOrderDraft>(initial);
  const method = methods.find((m) => m.id === draft.delivery_method);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<Confirming | null>(null);
  const [saveError, setSaveError] = useState<string | null>(null);

  const touch = (field: string) => setTouched((old) => (old.has(field) ? old : new Set(old).add(field)));
  const change = (field: string, patch: Partial<ShopOrderDraft>) => {
    touch(field);
    setConfirming(null);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const changeRecipient = (key: keyof Recipient, value: string) => {
    touch(`recipient.${key}`);
    setConfirming(null);
    setDraft((d) => ({ ...d, recipient: { ...d.recipient, [key]: value } }));
  };
  const changeAddress = (key: keyof Address, value: string) => {
    touch(`address.${key}`);
    setConfirming(null);
    setDraft((d) => ({ ...d, address: { ...d.address, [key]: value } }));
  };
  const changeItem = (i: number, field: keyof OrderItem, patch: Partial<OrderItem>) => {
    touch(`items.${i}.${field}`);
    setConfirming(null);
    setDraft((d) => ({ ...d, items: d.items.map((item, j) => (j === i ? { ...item, ...patch } : item)) }));
  };
  const addItem = (item: OrderItem) => {
    touch("items");
    setConfirming(null);
    setDraft((d) => ({ ...d, items: [...d.items, item] }));
  };
  const removeItem = (i: number) => {
    setConfirming(null);
    setDraft((d) => ({ ...d, items: d.items.filter((_, j) => j !== i) }));
  };

  // Problems: the engine's, for the draft as it would be saved as a full order.
  const local = localProblems(draft);
  const forEngine = useMemo(() => (local.length === 0 ? engineDraft(draft, false) : null), [draft, local.length]);
  const checked = useSettled(forEngine, 200);
  const validation = useQuery({
    queryKey: cabinetKeys.validate(checked),
    queryFn: () => api.validateOrder(checked as ShopOrderDraft),
    enabled: checked != null,
    placeholderData: keepPreviousData,
  });
  const problems: DraftProblem[] = validation.data ?? [];
  const upToDate = checked === forEngine && !validation.isFetching && validation.isSuccess;
  const localWords = local.map((p) => ({ field: p.field, text: t.cabinet.problems.notANumber }));
  const wordOf = (p: DraftProblem) => problemText(p, draft, t, locale, method?.name);
  const words = [...localWords, ...problems.map((p) => ({ field: p.field, text: wordOf(p) }))];
  const shown = (field: string) => {
    const texts = [
      ...localWords.filter((p) => p.field === field).map((p) => p.text),
      ...problems
        .filter((p) => p.field === field && (p.code !== "required" || touched.has(field)))
        .map(wordOf),
    ];
    if (texts.length === 0) return null;
    return (
      <span className="form-problem field-problem" data-testid={`problem-${field}`}>
        {texts.join(" ")}
      </span>
    );
  };
  const canSaveOrder = local.length === 0 && upToDate && problems.length === 0;
  const canSavePreorder = local.length === 0 && upToDate && preorderProblems(problems).length === 0;

  // Delivery cost follows the method's tariff when the method or the weight changes; typing overrides it.
  const size = effectiveSize(draft);
  const quotes = useQuery({
    queryKey: cabinetKeys.quotes(size.weight_g),
    queryFn: () => api.deliveryQuotes(size.weight_g),
    placeholderData: keepPreviousData,
  });
  const quoted = useRef<string | null>(mode.kind === "edit" ? `${initial.delivery_method}|${effectiveSize(initial).weight_g}` : null);
  useEffect(() => {
    const method = draft.delivery_method;
    const key = `${method}|${size.weight_g}`;
    // Only this weight's quotes give this weight's cost (not the previous weight's, still shown).
    if (method === "" || quoted.current === key || quotes.isPlaceholderData || !quotes.data) return;
    const quote = quotes.data.find((q) => q.method_id === method);
    if (!quote) return;
    quoted.current = key;
    setDraft((d) => ({ ...d, delivery_cost: quote.cost }));
  }, [draft.delivery_method, size.weight_g, quotes.data, quotes.isPlaceholderData]);
  useEffect(() => {
    if (quotes.isError) notices.error(quotes.error.message);
  }, [quotes.isError, quotes.error, notices]);
  const methodLabel = (m: DeliveryMethod) => {
    const cost = quotes.data?.find((q) => q.method_id === m.id)?.cost;
    const parts = [cost == null ? null : formatPrice(cost, draft.currency || "RUB", locale), m.term_days == null ? null : t.delivery.upTo(m.term_days)];
    const facts = parts.filter((p) => p != null).join(", ");
    return facts === "" ? m.name : `${m.name} — ${facts}`;
  };

  const save = useMutation({
    mutationFn: async ({ preorder, confirmed }: { preorder: boolean; confirmed: boolean }): Promise<SaveResult> => {
      const d = engineDraft(draft, preorder);
      if (mode.kind === "new") return { kind: "saved", full: await api.createShopOrder(d) };
      if (!confirmed) {
        const preview = await api.previewOrderEdit(mode.id, d);
        if (preview.needs_confirmation) return { kind: "confirm", preview, preorder };
      }
      try {
        return { kind: "saved", full: await api.updateShopOrder(mode.id, d, confirmed) };
      } catch (e) {
        // The delivery changed between the preview and the save (another window): ask now.
        if (e instanceof ApiError && e.code === "needs_confirmation") {
          return { kind: "confirm", preview: await api.previewOrderEdit(mode.id, d), preorder };
        }
        throw e;
      }
    },
    onMutate: () => setSaveError(null),
    onSuccess: (r) => {
      if (r.kind === "confirm") {
        setConfirming({ preview: r.preview, preorder: r.preorder });
        return;
      }
      setConfirming(null);
      notices.info(mode.kind === "new" ? f.created(r.full.draft.number) : f.saved(r.full.draft.number));
      qc.setQueryData(cabinetKeys.order(r.full.id), r.full);
      void refreshAfterOrderChange(qc);
      onSaved(r.full);
    },
    onError: (e) => setSaveError(e.message),
  });

  const currency = draft.currency || "RUB";
  const price = (n: number) => formatPrice(n.toFixed(2), currency, locale);
  const auto = computedSize(draft.items);
  const sizeField = (key: "weight_g" | "length_cm" | "width_cm" | "height_cm", label: string, testId: string) => (
    <label>
      <span>{label}</span>
      <input
        type="number"
        min={0}
        data-testid={testId}
        readOnly={draft.auto_dimensions}
        aria-readonly={draft.auto_dimensions}
        value={draft.auto_dimensions ? auto[key] : draft[key] === 0 ? "" : draft[key]}
        placeholder="0"
        onChange={(e) => change(key, { [key]: wholeNumber(e.target.value) })}
      />
    </label>
  );

  const isPreorder = mode.kind === "edit" && initial.preorder;
  return (
    <form className="order-form panel-section" data-testid="order-form" onSubmit={(e) => e.preventDefault()} noValidate>
      <h2>{mode.kind === "new" ? f.newTitle : f.editTitle(initial.number)}</h2>

      <label>
        <span>{f.number}</span>
        <input data-testid="order-number-input" value={draft.number} onChange={(e) => change("number", { number: e.target.value })} />
        <span className="hint">{f.numberHint}</span>
        {shown("number")}
      </label>
      {mode.kind === "edit" && (
        <label>
          <span>{f.tracking}</span>
          <input
            data-testid="order-tracking-input"
            value={draft.tracking_number}
            onChange={(e) => change("tracking_number", { tracking_number: e.target.value })}
          />
          <span className="hint">{f.trackingHint}</span>
        </label>
      )}

      <fieldset className="form-group">
        <legend>{f.recipient}</legend>
        <p className="hint">{f.recipientOptional}</p>
        <div className="field-row">
          <Field label={f.name} problem={shown("recipient.name")}>
            <input
              data-testid="order-recipient-name"
              value={draft.recipient.name}
              onChange={(e) => changeRecipient("name", e.target.value)}
            />
          </Field>
          <Field label={f.phone} problem={shown("recipient.phone")}>
            <input
              type="tel"
              data-testid="order-recipient-phone"
              value={draft.recipient.phone}
              onChange={(e) => changeRecipient("phone", e.target.value)}
            />
          </Field>
          <Field label={f.email} problem={shown("recipient.email")}>
            <input
              type="email"
              data-testid="order-recipient-email"
              value={draft.recipient.email}
              onChange={(e) => changeRecipient("email", e.target.value)}
            />
          </Field>
        </div>
      </fieldset>

      <fieldset className="form-group">
        <legend>{f.address}</legend>
        <AddressFields address={draft.address} method={method} onChange={changeAddress} shown={shown} />
      </fieldset>

      <fieldset className="form-group">
        <legend>{f.items}</legend>
        <OfferPicker onPick={addItem} />
        <button type="button" data-testid="order-add-item" onClick={() => addItem(blankItem())}>
          {f.addFree}
        </button>
        {shown("items")}
        {draft.items.length === 0 ? (
          <p className="hint">{f.noItems}</p>
        ) : (
          <ItemsTable items={draft.items} currency={currency} onChange={changeItem} onRemove={removeItem} shown={shown} />
        )}
      </fieldset>

      <fieldset className="form-group">
        <legend>{f.parcel}</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="order-auto-size"
            checked={draft.auto_dimensions}
            onChange={(e) => {
              const on = e.target.checked;
              // Switching to typed values starts from what was computed, not from zero.
              change("auto_dimensions", on ? { auto_dimensions: true } : { auto_dimensions: false, ...auto });
            }}
          />
          {f.auto}
        </label>
        {draft.auto_dimensions && <p className="hint">{f.autoHint}</p>}
        <div className="field-row">
          {sizeField("weight_g", f.weight, "order-weight")}
          {sizeField("length_cm", f.length, "order-length")}
          {sizeField("width_cm", f.width, "order-width")}
          {sizeField("height_cm", f.height, "order-height")}
        </div>
        {shown("weight_g")}
      </fieldset>

      <fieldset className="form-group">
        <legend>{f.payment}</legend>
        <div className="field-row">
          <Field label={f.paymentMethod} problem={shown("payment_method")}>
            <select
              data-testid="order-payment-method"
              value={draft.payment_method ?? ""}
              onChange={(e) => {
                const payment_method = e.target.value === "" ? null : (e.target.value as PaymentMethod);
                // Paying on delivery is cash on delivery; paying before it is not.
                const cod = payment_method == null ? {} : onDelivery(payment_method) ? { cod: true, paid: false } : { cod: false };
                change("payment_method", { payment_method, ...cod });
              }}
            >
              <option value="">{f.noPaymentMethod}</option>
              {PAYMENT_METHODS.map((p) => (
                <option key={p} value={p}>
                  {t.cabinet.payment[p]}
                </option>
              ))}
            </select>
          </Field>
          <label className="checkbox">
            <input
              type="checkbox"
              data-testid="order-cod"
              checked={draft.cod}
              onChange={(e) => change("cod", e.target.checked ? { cod: true, paid: false } : { cod: false })}
            />
            {f.cod}
          </label>
          {draft.cod && (
            <Field label={f.codAmount} problem={shown("cod_amount_typed")}>
              <input
                inputMode="decimal"
                data-testid="order-cod-amount"
                placeholder={price(orderTotal(draft))}
                value={draft.cod_amount_typed ?? ""}
                onChange={(e) => change("cod_amount_typed", { cod_amount_typed: e.target.value.trim() === "" ? null : e.target.value })}
              />
            </Field>
          )}
          <label className="checkbox" title={draft.cod ? f.paidDisabled : undefined}>
            <input
              type="checkbox"
              data-testid="order-paid"
              checked={draft.paid}
              disabled={draft.cod}
              onChange={(e) => change("paid", { paid: e.target.checked })}
            />
            {f.paid}
          </label>
          {draft.payment_method === "card_online" && !draft.paid && (
            <span className="badge badge-warning" data-testid="order-awaiting-payment">
              {t.cabinet.awaitingPayment}
            </span>
          )}
        </div>
        {draft.cod && <p className="hint">{draft.cod_amount_typed == null ? f.codFollows : f.paidDisabled}</p>}
        {shown("paid")}
        <div className="field-row">
          <Field label={f.declaredValue} problem={shown("declared_value")}>
            <input
              inputMode="decimal"
              data-testid="order-declared-value"
              value={draft.declared_value_auto ? followedDeclaredValue(draft).toFixed(2) : draft.declared_value}
              onChange={(e) => change("declared_value", { declared_value: e.target.value, declared_value_auto: false })}
            />
          </Field>
          {draft.declared_value_auto ? (
            <p className="hint" data-testid="order-declared-follows">
              {f.declaredFollows}
            </p>
          ) : (
            <button type="button" className="link" data-testid="order-declared-follow" onClick={() => change("declared_value", { declared_value_auto: true })}>
              {f.declaredFollow}
            </button>
          )}
        </div>
      </fieldset>

      <fieldset className="form-group">
        <legend>{f.delivery}</legend>
        <div className="field-row">
          <Field label={f.deliveryMethod} problem={shown("delivery_method")}>
            <select
              data-testid="order-delivery-method"
              value={draft.delivery_method}
              onChange={(e) => {
                const chosen = methods.find((m) => m.id === e.target.value);
                // The type follows a method that sets one (the engine applies the same rule on saving).
                const type = chosen?.order_type == null ? {} : { order_type: chosen.order_type };
                change("delivery_method", { delivery_method: e.target.value, ...type });
              }}
            >
              <option value="">{f.noDeliveryMethod}</option>
              {methods.map((m) => (
                <option key={m.id} value={m.id}>
                  {methodLabel(m)}
                </option>
              ))}
              {draft.delivery_method !== "" && !methods.some((m) => m.id === draft.delivery_method) && (
                <option value={draft.delivery_method}>{draft.delivery_method}</option>
              )}
            </select>
          </Field>
          <Field label={f.deliveryCost} problem={shown("delivery_cost")}>
            <input
              inputMode="decimal"
              data-testid="order-delivery-cost"
              value={draft.delivery_cost}
              onChange={(e) => change("delivery_cost", { delivery_cost: e.target.value })}
            />
          </Field>
          <Field label={f.orderType}>
            <select
              data-testid="order-type"
              value={draft.order_type}
              disabled={method?.order_type != null}
              title={method?.order_type != null ? f.typeByMethod(method.name) : undefined}
              onChange={(e) => change("order_type", { order_type: e.target.value as OrderType })}
            >
              {ORDER_TYPES.map((o) => (
                <option key={o} value={o}>
                  {t.cabinet.orderTypes[o]}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <p className="hint">{f.deliveryCostHint}</p>
        {method?.order_type != null && (
          <p className="hint" data-testid="order-type-by-method">
            {f.typeByMethod(method.name)}
          </p>
        )}
      </fieldset>

      <dl className="facts order-totals">
        <dt>{f.itemsTotal}</dt>
        <dd data-testid="order-items-total">{price(itemsTotal(draft))}</dd>
        <dt>{f.total}</dt>
        <dd data-testid="order-total">{price(orderTotal(draft))}</dd>
      </dl>

      {words.length > 0 && (
        <div className="form-problems" data-testid="order-problems">
          <span>{f.fixFirst}</span>
          <ul>
            {words.map((w, i) => (
              <li key={i}>{w.text}</li>
            ))}
          </ul>
        </div>
      )}
      {validation.isError && (
        <p className="form-problem" role="alert" data-testid="order-validate-error">
          {validation.error.message}
        </p>
      )}
      {saveError && (
        <p className="form-problem" role="alert" data-testid="order-save-error">
          {saveError}
        </p>
      )}
      {confirming && (
        <ConfirmDelivery
          preview={confirming.preview}
          currency={currency}
          busy={save.isPending}
          onConfirm={() => save.mutate({ preorder: confirming.preorder, confirmed: true })}
          onCancel={() => setConfirming(null)}
        />
      )}
      <div className="form-actions">
        {(mode.kind === "new" || isPreorder) && (
          <button
            type="button"
            data-testid="order-save-preorder"
            disabled={!canSavePreorder || save.isPending}
            onClick={() => save.mutate({ preorder: true, confirmed: false })}
          >
            {f.savePreorder}
          </button>
        )}
        <button
          type="button"
          className="primary"
          data-testid="order-save"
          disabled={!canSaveOrder || save.isPending}
          onClick={() => save.mutate({ preorder: false, confirmed: false })}
        >
          {save.isPending ? f.saving : isPreorder ? t.cabinet.order.completePreorder : f.saveOrder}
        </button>
        <button type="button" data-testid="order-cancel" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
      {mode.kind === "edit" && <OrderTransfers orderId={mode.id} transfers={transfers} />}
    </form>
  );
}

/** Search the price lists; a click adds the offer as an item. */
function OfferPicker({ onPick }: { onPick: (item: OrderItem) => void }) {
  const { t, locale } = useI18n();
  const f = t.cabinet.form;
  const [text, setText] = useState("");
  const found = useOfferSearch(text, 10);
  return (
    <div className="offer-picker">
      <label>
        <span>{f.findOffer}</span>
        <input
          type="search"
          data-testid="order-offer-search"
          placeholder={f.findPlaceholder}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {text.trim().length >= 2 && found.data && (
        <ul className="offer-results" data-testid="order-offer-results">
          {found.data.length === 0 && <li className="hint">{t.offers.noResults}</li>}
          {found.data.map((o) => (
            <li key={o.id}>
              <button
                type="button"
                className="link"
                data-testid="order-offer"
                onClick={() => {
                  onPick(itemFromOffer(o));
                  setText("");
                }}
              >
                {o.brand} {o.article} — {o.name} · {formatAmount(o.price, locale)} · {o.list}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ItemsTable({
  items,
  currency,
  onChange,
  onRemove,
  shown,
}: {
  items: OrderItem[];
  currency: string;
  onChange: (i: number, field: keyof OrderItem, patch: Partial<OrderItem>) => void;
  onRemove: (i: number) => void;
  shown: (field: string) => ReactNode;
}) {
  const { t, locale } = useI18n();
  const c = t.cabinet.item;
  const text = (i: number, field: "article" | "brand" | "name") => (
    <input
      data-testid={`item-${i}-${field}`}
      aria-label={`${c[field]} ${i + 1}`}
      value={items[i]?.[field] ?? ""}
      onChange={(e) => onChange(i, field, { [field]: e.target.value })}
    />
  );
  const whole = (i: number, field: "quantity" | "weight_g" | "length_cm" | "width_cm" | "height_cm", label: string) => {
    const value = items[i]?.[field] ?? 0;
    return (
      <input
        type="number"
        min={field === "quantity" ? 1 : 0}
        className="num-input"
        data-testid={`item-${i}-${field}`}
        aria-label={`${label} ${i + 1}`}
        value={value === 0 ? "" : value}
        placeholder="0"
        onChange={(e) => onChange(i, field, { [field]: wholeNumber(e.target.value) })}
      />
    );
  };
  return (
    <div className="table-scroll">
      <table className="grid order-items" data-testid="order-items">
        <thead>
          <tr>
            <th>{c.article}</th>
            <th>{c.brand}</th>
            <th>{c.name}</th>
            <th className="num">{c.quantity}</th>
            <th className="num">{c.price}</th>
            <th className="num">{c.weight}</th>
            <th className="num">{c.length}</th>
            <th className="num">{c.width}</th>
            <th className="num">{c.height}</th>
            <th className="num">{c.sum}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item, i) => {
            const sum = Number(item.price.replace(",", ".")) * item.quantity;
            return (
              <tr key={i} data-testid="order-item">
                <td>{text(i, "article")}</td>
                <td>{text(i, "brand")}</td>
                <td>
                  {text(i, "name")}
                  {shown(`items.${i}.name`)}
                </td>
                <td>
                  {whole(i, "quantity", c.quantity)}
                  {shown(`items.${i}.quantity`)}
                </td>
                <td>
                  <input
                    inputMode="decimal"
                    className="num-input"
                    data-testid={`item-${i}-price`}
                    aria-label={`${c.price} ${i + 1}`}
                    value={item.price}
                    onChange={(e) => onChange(i, "price", { price: e.target.value })}
                  />
                  {shown(`items.${i}.price`)}
                </td>
                <td>{whole(i, "weight_g", c.weight)}</td>
                <td>{whole(i, "length_cm", c.length)}</td>
                <td>{whole(i, "width_cm", c.width)}</td>
                <td>{whole(i, "height_cm", c.height)}</td>
                <td className="num">{Number.isFinite(sum) ? formatPrice(sum.toFixed(2), currency, locale) : ""}</td>
                <td>
                  {/* An item of the marketplace's order follows its line: it is not removed here. */}
                  {item.line_id === null && (
                    <button type="button" className="link" data-testid={`item-${i}-remove`} aria-label={c.remove} onClick={() => onRemove(i)}>
                      ×
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Old → new weight, delivery cost and total: saved only when the manager agrees. */
function ConfirmDelivery({
  preview,
  currency,
  busy,
  onConfirm,
  onCancel,
}: {
  preview: EditPreview;
  currency: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t, locale } = useI18n();
  const f = t.cabinet.form;
  const money = (s: string) => formatPrice(s, currency, locale);
  const grams = (n: number) => t.cabinet.order.grams(n);
  return (
    <div className="confirm-delivery" role="alertdialog" aria-labelledby="confirm-delivery-title" data-testid="order-confirm">
      <h3 id="confirm-delivery-title">{f.confirmTitle}</h3>
      <table className="grid">
        <tbody>
          <tr data-testid="confirm-weight">
            <th>{f.confirmWeight}</th>
            <td>{grams(preview.weight_before_g)}</td>
            <td aria-hidden>→</td>
            <td>{grams(preview.weight_after_g)}</td>
          </tr>
          <tr data-testid="confirm-cost">
            <th>{f.confirmCost}</th>
            <td>{money(preview.delivery_cost_before)}</td>
            <td aria-hidden>→</td>
            <td>{money(preview.delivery_cost_after)}</td>
          </tr>
          <tr data-testid="confirm-total">
            <th>{f.confirmTotal}</th>
            <td>{money(preview.total_before)}</td>
            <td aria-hidden>→</td>
            <td>{money(preview.total_after)}</td>
          </tr>
        </tbody>
      </table>
      <p>{f.confirmQuestion}</p>
      <div className="form-actions">
        <button type="button" className="primary" data-testid="order-confirm-save" disabled={busy} onClick={onConfirm}>
          {f.confirmSave}
        </button>
        <button type="button" data-testid="order-confirm-cancel" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </div>
  );
}
