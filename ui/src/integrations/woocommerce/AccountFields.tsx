// WooCommerce's part of the account form: the store's address with its REST API consumer key and
// secret, then how far back the first sync reads, whether orders are accepted on arrival, how
// products are recognised, how the key travels, and the webhooks that bring orders sooner.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { WooCommerceSettings } from "../../bindings/WooCommerceSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { AcceptOnArrivalField, CheckField, DaysField, daysInRange, keySafeAt, ProductKeyField, trimmedAddress } from "../StoreFields";
import { StoreWebhooks } from "../StoreWebhooks";
import type { AccountFieldsProps, AccountForm } from "../types";

/** Core's WOOCOMMERCE_BACKFILL_DAYS. */
const BACKFILL_DAYS = 60;

type WooCommerce = { kind: "woocommerce" } & WooCommerceSettings;

const wooOf = (s: AccountSettings): WooCommerce => {
  if (s.kind !== "woocommerce") throw new Error(`not a WooCommerce account: ${s.kind}`);
  return s;
};

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

function Options({ settings, onChange, account }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = wooOf(settings);
  const words = t.form.woocommerce;
  return (
    <>
      <DaysField
        label={words.backfillDays}
        testId="account-backfill-days"
        value={s.backfill_days}
        hint={words.backfillDaysHint}
        onChange={(backfill_days) => onChange({ ...s, backfill_days })}
      />
      <AcceptOnArrivalField
        label={words.acceptOnArrival}
        hint={words.acceptOnArrivalHint}
        value={s.accept_on_arrival}
        onChange={(accept_on_arrival) => onChange({ ...s, accept_on_arrival })}
      />
      <ProductKeyField
        label={words.identifyBy}
        names={words.productKeys}
        value={s.identify_products_by}
        onChange={(identify_products_by) => onChange({ ...s, identify_products_by })}
      />
      <CheckField
        label={words.keyInQuery}
        testId="account-key-in-query"
        value={s.key_in_query}
        onChange={(key_in_query) => onChange({ ...s, key_in_query })}
      />
      <StoreWebhooks accountId={account?.id ?? null} platform="woocommerce" />
    </>
  );
}

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
    if (!daysInRange(s.backfill_days)) return words.backfillDaysRange;
    return null;
  },
  storeAddress: (settings) => trimmedAddress(wooOf(settings).url),
  title: (t) => t.form.woocommerce.title,
  Credentials,
  Options,
};
