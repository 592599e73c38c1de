// WooCommerce's part of the account form: the store's address with its REST API consumer key and
// secret, then how far back the first sync reads, whether orders are accepted on arrival, how
// products are recognised and how the key travels.
import { useState } from "react";
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { ProductKey } from "../../bindings/ProductKey";
import type { WooCommerceSettings } from "../../bindings/WooCommerceSettings";
import { wholeNumber } from "../../cabinet/draft";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import type { AccountFieldsProps, AccountForm } from "../types";

/** Core's WOOCOMMERCE_BACKFILL_DAYS and the most the engine accepts. */
const BACKFILL_DAYS = 60;
const MAX_BACKFILL_DAYS = 3650;
const PRODUCT_KEYS: readonly ProductKey[] = ["sku", "name", "id"];

type WooCommerce = { kind: "woocommerce" } & WooCommerceSettings;

const wooOf = (s: AccountSettings): WooCommerce => {
  if (s.kind !== "woocommerce") throw new Error(`not a WooCommerce account: ${s.kind}`);
  return s;
};

const trimmedAddress = (url: string) => url.trim().replace(/\/+$/, "");

/**
 * Whether the key may go to this address: https, or plain http only to this computer (a local test
 * store), where nobody on the way could read it. The engine refuses the rest too (secure_enough in
 * connectors/src/woocommerce/settings.rs); saying it here names the fix before anything is sent.
 */
export function keySafeAt(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === "https:") return parsed.hostname !== "";
  if (parsed.protocol !== "http:") return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = wooOf(settings);
  const words = t.form.woocommerce;
  return (
    <>
      <TextField
        label={words.url}
        testId="account-store-url"
        value={s.url}
        placeholder="https://"
        hint={words.urlHint}
        onChange={(url) => onChange({ ...s, url })}
      />
      <SecretField
        label={words.consumerKey}
        testId="account-consumer-key"
        value={secrets.consumer_key ?? ""}
        stored={keysKept}
        onChange={(v) => onSecrets({ ...secrets, consumer_key: v })}
      />
      <SecretField
        label={words.consumerSecret}
        testId="account-consumer-secret"
        value={secrets.consumer_secret ?? ""}
        stored={keysKept}
        hint={words.keysHint}
        onChange={(v) => onSecrets({ ...secrets, consumer_secret: v })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = wooOf(settings);
  const words = t.form.woocommerce;
  // The days as typed (an emptied field stays empty); the settings hold the number.
  const [days, setDays] = useState(() => String(s.backfill_days));
  return (
    <>
      <label>
        {words.backfillDays}
        <input
          data-testid="account-backfill-days"
          type="number"
          min={1}
          max={MAX_BACKFILL_DAYS}
          value={days}
          onChange={(e) => {
            setDays(e.target.value);
            onChange({ ...s, backfill_days: wholeNumber(e.target.value) });
          }}
        />
        <span className="hint">{words.backfillDaysHint}</span>
      </label>
      <label className="checkbox">
        <input
          data-testid="account-accept-on-arrival"
          type="checkbox"
          checked={s.accept_on_arrival}
          onChange={(e) => onChange({ ...s, accept_on_arrival: e.target.checked })}
        />
        {words.acceptOnArrival}
      </label>
      <span className="hint">{words.acceptOnArrivalHint}</span>
      <label>
        {words.identifyBy}
        <select
          data-testid="account-identify-by"
          value={s.identify_products_by}
          onChange={(e) => onChange({ ...s, identify_products_by: productKeyOf(e.target.value) })}
        >
          {PRODUCT_KEYS.map((key) => (
            <option key={key} value={key}>
              {words.productKeys[key]}
            </option>
          ))}
        </select>
      </label>
      <label className="checkbox">
        <input
          data-testid="account-key-in-query"
          type="checkbox"
          checked={s.key_in_query}
          onChange={(e) => onChange({ ...s, key_in_query: e.target.checked })}
        />
        {words.keyInQuery}
      </label>
    </>
  );
}

const productKeyOf = (v: string): ProductKey => PRODUCT_KEYS.find((k) => k === v) ?? "sku";

export const wooCommerceAccountForm: AccountForm = {
  blank: () => ({
    kind: "woocommerce",
    url: "",
    backfill_days: BACKFILL_DAYS,
    accept_on_arrival: true,
    identify_products_by: "sku",
    key_in_query: false,
    consumer_key_env: null,
    consumer_secret_env: null,
  }),
  cleaned: (settings) => {
    const s = wooOf(settings);
    return { ...s, url: trimmedAddress(s.url) };
  },
  secrets: ["consumer_key", "consumer_secret"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = wooOf(settings);
    const words = t.form.woocommerce;
    const url = trimmedAddress(s.url);
    if (!url) return t.form.required(words.url);
    if (!keySafeAt(url)) return words.insecureUrl;
    if (keysRequired && !secrets.consumer_key) return t.form.required(words.consumerKey);
    if (keysRequired && !secrets.consumer_secret) return t.form.required(words.consumerSecret);
    if (!Number.isInteger(s.backfill_days) || s.backfill_days < 1 || s.backfill_days > MAX_BACKFILL_DAYS) {
      return words.backfillDaysRange;
    }
    return null;
  },
  storeAddress: (settings) => trimmedAddress(wooOf(settings).url),
  title: (t) => t.form.woocommerce.title,
  Credentials,
  Options,
};
