import type { OzonSettings } from "../../bindings/OzonSettings";
import type { PaymentMethod } from "../../bindings/PaymentMethod";
import { useI18n } from "../../i18n";
import { useCustomerChoice, useSettings } from "../../queries";

/** The Ozon account's options for imported orders (issue 4); the rest of OzonSettings is the form's. */
export type OzonOptionFields = Pick<
  OzonSettings,
  | "paid_on_delivered"
  | "import_awaiting_deliver"
  | "import_fbo"
  | "source_label"
  | "fixed_customer_id"
  | "posting_number_to"
  | "order_date"
  | "default_delivery_method"
  | "default_payment_method"
  | "sync_start_time"
>;

export const DEFAULT_OZON_OPTIONS: OzonOptionFields = {
  paid_on_delivered: false,
  import_awaiting_deliver: false,
  import_fbo: false,
  source_label: "",
  fixed_customer_id: null,
  posting_number_to: "order_number",
  order_date: "loaded",
  default_delivery_method: "",
  default_payment_method: null,
  sync_start_time: null,
};

export function ozonOptionsOf(s: OzonSettings): OzonOptionFields {
  return {
    paid_on_delivered: s.paid_on_delivered,
    import_awaiting_deliver: s.import_awaiting_deliver,
    import_fbo: s.import_fbo,
    source_label: s.source_label,
    fixed_customer_id: s.fixed_customer_id,
    posting_number_to: s.posting_number_to,
    order_date: s.order_date,
    default_delivery_method: s.default_delivery_method,
    default_payment_method: s.default_payment_method,
    sync_start_time: s.sync_start_time,
  };
}

const PAYMENTS: PaymentMethod[] = ["prepaid", "card_online", "card_on_delivery", "cash_on_delivery"];

export function OzonOptions({ value, onChange }: { value: OzonOptionFields; onChange: (v: OzonOptionFields) => void }) {
  const { t } = useI18n();
  const f = t.form;
  const customers = useCustomerChoice();
  const settings = useSettings();
  const set = <K extends keyof OzonOptionFields>(k: K, v: OzonOptionFields[K]) => onChange({ ...value, [k]: v });
  const methods = settings.data?.delivery_methods ?? [];
  return (
    <fieldset className="form-group" data-testid="ozon-options">
      <legend>{f.ozonOptions}</legend>
      <label>
        {f.syncStart}
        <input
          data-testid="ozon-sync-start"
          type="time"
          value={value.sync_start_time ?? ""}
          onChange={(e) => set("sync_start_time", e.target.value === "" ? null : e.target.value)}
        />
        <span className="hint">{f.syncStartHint}</span>
      </label>
      <label className="checkbox">
        <input
          data-testid="ozon-import-awaiting-deliver"
          type="checkbox"
          checked={value.import_awaiting_deliver}
          onChange={(e) => set("import_awaiting_deliver", e.target.checked)}
        />
        {f.importAwaitingDeliver}
      </label>
      <label className="checkbox">
        <input
          data-testid="ozon-import-fbo"
          type="checkbox"
          checked={value.import_fbo}
          onChange={(e) => set("import_fbo", e.target.checked)}
        />
        {f.importFbo}
      </label>
      <label className="checkbox">
        <input
          data-testid="ozon-paid-on-delivered"
          type="checkbox"
          checked={value.paid_on_delivered}
          onChange={(e) => set("paid_on_delivered", e.target.checked)}
        />
        {f.paidOnDelivered}
      </label>
      <label>
        {f.sourceLabel}
        <input
          data-testid="ozon-source-label"
          value={value.source_label}
          placeholder="Ozon"
          onChange={(e) => set("source_label", e.target.value)}
        />
      </label>
      <label>
        {f.customer}
        <select
          data-testid="ozon-fixed-customer"
          value={value.fixed_customer_id ?? ""}
          onChange={(e) => set("fixed_customer_id", e.target.value === "" ? null : Number(e.target.value))}
        >
          <option value="">{f.customerMatch}</option>
          {(customers.data ?? []).map(({ customer }) => (
            <option key={customer.id} value={customer.id}>
              {customer.name ?? customer.phone ?? customer.email ?? `#${customer.id}`}
            </option>
          ))}
          {value.fixed_customer_id != null &&
            !(customers.data ?? []).some((c) => c.customer.id === value.fixed_customer_id) && (
              <option value={value.fixed_customer_id}>#{value.fixed_customer_id}</option>
            )}
        </select>
      </label>
      <label>
        {f.postingNumberTo}
        <select
          data-testid="ozon-posting-number-to"
          value={value.posting_number_to}
          onChange={(e) => set("posting_number_to", e.target.value === "buyer_name" ? "buyer_name" : "order_number")}
        >
          <option value="order_number">{f.postingNumberToOptions.order_number}</option>
          <option value="buyer_name">{f.postingNumberToOptions.buyer_name}</option>
        </select>
      </label>
      <label>
        {f.orderDate}
        <select
          data-testid="ozon-order-date"
          value={value.order_date}
          onChange={(e) => set("order_date", e.target.value === "placed_on_ozon" ? "placed_on_ozon" : "loaded")}
        >
          <option value="loaded">{f.orderDateOptions.loaded}</option>
          <option value="placed_on_ozon">{f.orderDateOptions.placed_on_ozon}</option>
        </select>
      </label>
      <label>
        {f.defaultDelivery}
        <select
          data-testid="ozon-default-delivery"
          value={value.default_delivery_method}
          onChange={(e) => set("default_delivery_method", e.target.value)}
        >
          <option value="">{f.none}</option>
          {methods.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
          {value.default_delivery_method !== "" && !methods.some((m) => m.id === value.default_delivery_method) && (
            <option value={value.default_delivery_method}>{value.default_delivery_method}</option>
          )}
        </select>
      </label>
      <label>
        {f.defaultPayment}
        <select
          data-testid="ozon-default-payment"
          value={value.default_payment_method ?? ""}
          onChange={(e) =>
            set("default_payment_method", PAYMENTS.find((p) => p === e.target.value) ?? null)
          }
        >
          <option value="">{f.prepaidDefault}</option>
          {PAYMENTS.map((p) => (
            <option key={p} value={p}>
              {t.cabinet.payment[p]}
            </option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}
