// Shopify's part of the account form: the shop with its app's client ID and secret (or an old
// custom app's admin API access token), then the Admin API version, how far back the first sync
// reads and whether the app may see that far, whether orders are accepted on arrival, how
// products are recognised, and the webhooks that bring orders sooner.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { ShopifySettings } from "../../bindings/ShopifySettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import type { Messages } from "../../i18n/en";
import {
  AcceptOnArrivalField,
  CheckField,
  DaysField,
  daysInRange,
  keySafeAt,
  ProductKeyField,
  trimmedAddress,
} from "../StoreFields";
import { StoreWebhooks } from "../StoreWebhooks";
import type { AccountFieldsProps, AccountForm } from "../types";

/** Core's SHOPIFY_API_VERSION and SHOPIFY_BACKFILL_DAYS. */
const API_VERSION = "2025-10";
const BACKFILL_DAYS = 60;
/** Core's SHOPIFY_VISIBLE_DAYS: what Shopify shows an app without read_all_orders. */
const VISIBLE_DAYS = 60;
/** Every admin API access token a custom app shows starts so: it tells the two secrets apart. */
const ACCESS_TOKEN_PLACEHOLDER = "shpat_…";

type Shopify = { kind: "shopify" } & ShopifySettings;

const shopifyOf = (s: AccountSettings): Shopify => {
  if (s.kind !== "shopify") throw new Error(`not a Shopify account: ${s.kind}`);
  return s;
};

/**
 * The address the keys go to, as the engine makes it from what was typed (ShopifySettings::address
 * in connectors/src/shopify/settings.rs): a bare handle is a myshopify.com shop, a domain gets
 * https://, a full address stays. Nothing typed names no shop, so it has no address.
 */
export function shopAddress(shop: string): string {
  const typed = trimmedAddress(shop);
  if (typed === "") return "";
  if (typed.includes("://")) return typed;
  return typed.includes(".") ? `https://${typed}` : `https://${typed}.myshopify.com`;
}

/** `2025-10`: a year and a month, as the engine's dated_version takes it. */
const datedVersion = (v: string): boolean => /^\d{4}-\d{2}$/.test(v);

/** The one secret field is the client secret or, for an old custom app, its admin token. */
const secretLabel = (s: ShopifySettings, t: Messages): string =>
  s.admin_token ? t.form.shopify.accessToken : t.form.shopify.clientSecret;

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = shopifyOf(settings);
  const words = t.form.shopify;
  return (
    <>
      <TextField
        label={words.shop}
        testId="account-store-url"
        value={s.shop}
        placeholder="my-shop"
        hint={words.shopHint}
        onChange={(shop) => onChange({ ...s, shop })}
      />
      <CheckField
        label={words.adminToken}
        testId="account-admin-token"
        value={s.admin_token}
        hint={words.adminTokenHint}
        onChange={(admin_token) => onChange({ ...s, admin_token })}
      />
      {!s.admin_token && (
        <TextField
          label={words.clientId}
          testId="account-client-id"
          value={s.client_id}
          onChange={(client_id) => onChange({ ...s, client_id })}
        />
      )}
      <SecretField
        label={secretLabel(s, t)}
        testId="account-client-secret"
        value={secrets.client_secret ?? ""}
        stored={keysKept}
        placeholder={s.admin_token ? ACCESS_TOKEN_PLACEHOLDER : undefined}
        hint={s.admin_token ? words.accessTokenHint : words.clientSecretHint}
        onChange={(v) => onSecrets({ ...secrets, client_secret: v })}
      />
    </>
  );
}

function Options({ settings, onChange, account }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = shopifyOf(settings);
  const words = t.form.shopify;
  // The engine reads no further than Shopify shows: said here so a longer setting is not a surprise.
  const clamped = !s.read_all_orders && s.backfill_days > VISIBLE_DAYS;
  return (
    <>
      <TextField
        label={words.apiVersion}
        testId="account-api-version"
        value={s.api_version}
        placeholder={API_VERSION}
        hint={words.apiVersionHint}
        onChange={(api_version) => onChange({ ...s, api_version })}
      />
      <DaysField
        label={words.backfillDays}
        testId="account-backfill-days"
        value={s.backfill_days}
        hint={words.backfillDaysHint}
        onChange={(backfill_days) => onChange({ ...s, backfill_days })}
      />
      <CheckField
        label={words.readAllOrders}
        testId="account-read-all-orders"
        value={s.read_all_orders}
        hint={words.readAllOrdersHint}
        onChange={(read_all_orders) => onChange({ ...s, read_all_orders })}
      />
      {clamped && (
        <p className="warning" data-testid="account-backfill-clamped">
          {words.backfillClamped}
        </p>
      )}
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
      {/* Shopify signs webhooks with the client secret, which an account on an admin token does not hold. */}
      <StoreWebhooks
        accountId={account?.id ?? null}
        platform="shopify"
        unavailable={s.admin_token ? t.form.webhooks.shopifyAdminToken : null}
      />
    </>
  );
}

export const shopifyAccountForm: AccountForm = {
  blank: () => ({
    kind: "shopify",
    shop: "",
    client_id: "",
    admin_token: false,
    api_version: API_VERSION,
    backfill_days: BACKFILL_DAYS,
    read_all_orders: false,
    accept_on_arrival: true,
    identify_products_by: "sku",
    client_secret_env: null,
  }),
  cleaned: (settings) => {
    const s = shopifyOf(settings);
    return {
      ...s,
      shop: trimmedAddress(s.shop),
      client_id: s.client_id.trim(),
      api_version: s.api_version.trim(),
    };
  },
  secrets: ["client_secret"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = shopifyOf(settings);
    const words = t.form.shopify;
    const address = shopAddress(s.shop);
    if (!address) return t.form.required(words.shop);
    if (!keySafeAt(address)) return words.insecureShop;
    if (!s.admin_token && !s.client_id.trim()) return t.form.required(words.clientId);
    if (keysRequired && !secrets.client_secret) return t.form.required(secretLabel(s, t));
    if (!datedVersion(s.api_version.trim())) return words.badApiVersion;
    if (!daysInRange(s.backfill_days)) return words.backfillDaysRange;
    return null;
  },
  storeAddress: (settings) => shopAddress(shopifyOf(settings).shop),
  title: (t) => t.form.shopify.title,
  Credentials,
  Options,
};
