// Amazon's part of the account form: the Selling Partner API region and marketplace with the Login
// with Amazon app's client ID, secret and the seller's refresh token, then how far back the first
// sync reads, whether orders are accepted on arrival, how products are recognised and, for a proxy
// or a test, another token address.
import { useState } from "react";
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { AmazonRegion } from "../../bindings/AmazonRegion";
import type { AmazonSettings } from "../../bindings/AmazonSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { AcceptOnArrivalField, DaysField, daysInRange, keySafeAt, ProductKeyField } from "../StoreFields";
import type { AccountFieldsProps, AccountForm } from "../types";
import { firstMarketplace, listedIn, LWA_TOKEN_URL, MARKETPLACES, REGIONS } from "./marketplaces";

/** Core's AMAZON_BACKFILL_DAYS. */
const BACKFILL_DAYS = 60;
const OTHER = "other";

type Amazon = { kind: "amazon" } & AmazonSettings;

const amazonOf = (s: AccountSettings): Amazon => {
  if (s.kind !== "amazon") throw new Error(`not an Amazon account: ${s.kind}`);
  return s;
};

const regionOf = (v: string): AmazonRegion => REGIONS.find((r) => r === v) ?? "eu";

/** The token address as the engine saves it: trimmed, and empty meaning Login with Amazon's own. */
const tokenUrlOf = (s: AmazonSettings): string | null => {
  const typed = (s.token_url ?? "").trim();
  return typed === "" ? null : typed;
};

/** A listed marketplace, or "Other…" with its id typed. */
function MarketplaceField(props: { region: AmazonRegion; value: string; onChange: (id: string) => void }) {
  const { t } = useI18n();
  const words = t.form.amazon;
  // "Other…" stays chosen while an id is typed, even one that happens to be listed: the field
  // must not vanish under the manager's fingers.
  const [other, setOther] = useState(() => !listedIn(props.region, props.value));
  return (
    <>
      <label>
        {words.marketplace}
        <select
          data-testid="account-marketplace"
          value={other ? OTHER : props.value}
          onChange={(e) => {
            const chosen = e.target.value;
            setOther(chosen === OTHER);
            // The id is the seller's to type: a listed one left in it could be saved unnoticed.
            props.onChange(chosen === OTHER ? "" : chosen);
          }}
        >
          {MARKETPLACES[props.region].map((m) => (
            <option key={m.id} value={m.id}>
              {words.countries[m.country]} ({m.id})
            </option>
          ))}
          <option value={OTHER}>{words.otherMarketplace}</option>
        </select>
      </label>
      {other && (
        <TextField
          label={words.marketplaceId}
          testId="account-marketplace-id"
          value={props.value}
          hint={words.marketplaceIdHint}
          onChange={props.onChange}
        />
      )}
    </>
  );
}

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = amazonOf(settings);
  const words = t.form.amazon;
  return (
    <>
      <label>
        {words.region}
        <select
          // The form's own "account-region" is the account's region label.
          data-testid="account-amazon-region"
          value={s.region}
          onChange={(e) => {
            const region = regionOf(e.target.value);
            // Marketplace ids belong to one region: the old one would not be served by the new host.
            onChange({ ...s, region, marketplace_id: firstMarketplace(region) });
          }}
        >
          {REGIONS.map((r) => (
            <option key={r} value={r}>
              {words.regions[r]}
            </option>
          ))}
        </select>
      </label>
      {/* Keyed by region so that a new region starts on its first marketplace, not on "Other…". */}
      <MarketplaceField
        key={s.region}
        region={s.region}
        value={s.marketplace_id}
        onChange={(marketplace_id) => onChange({ ...s, marketplace_id })}
      />
      <TextField
        label={words.clientId}
        testId="account-client-id"
        value={s.client_id}
        placeholder="amzn1.application-oa2-client.…"
        onChange={(client_id) => onChange({ ...s, client_id })}
      />
      <SecretField
        label={words.clientSecret}
        testId="account-client-secret"
        value={secrets.client_secret ?? ""}
        stored={keysKept}
        onChange={(v) => onSecrets({ ...secrets, client_secret: v })}
      />
      <SecretField
        label={words.refreshToken}
        testId="account-refresh-token"
        value={secrets.refresh_token ?? ""}
        stored={keysKept}
        placeholder="Atzr|…"
        hint={words.keysHint}
        onChange={(v) => onSecrets({ ...secrets, refresh_token: v })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = amazonOf(settings);
  const words = t.form.amazon;
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
      <p className="hint" role="note" data-testid="account-amazon-cancel-note">
        {words.cancelNote}
      </p>
      <ProductKeyField
        label={words.identifyBy}
        names={words.productKeys}
        value={s.identify_products_by}
        onChange={(identify_products_by) => onChange({ ...s, identify_products_by })}
      />
      <TextField
        label={words.tokenUrl}
        testId="account-token-url"
        value={s.token_url ?? ""}
        placeholder={LWA_TOKEN_URL}
        hint={words.tokenUrlHint}
        onChange={(token_url) => onChange({ ...s, token_url })}
      />
    </>
  );
}

export const amazonAccountForm: AccountForm = {
  blank: () => ({
    kind: "amazon",
    region: "eu",
    marketplace_id: firstMarketplace("eu"),
    client_id: "",
    backfill_days: BACKFILL_DAYS,
    accept_on_arrival: true,
    identify_products_by: "sku",
    token_url: null,
    client_secret_env: null,
    refresh_token_env: null,
  }),
  cleaned: (settings) => {
    const s = amazonOf(settings);
    return { ...s, marketplace_id: s.marketplace_id.trim(), client_id: s.client_id.trim(), token_url: tokenUrlOf(s) };
  },
  secrets: ["client_secret", "refresh_token"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = amazonOf(settings);
    const words = t.form.amazon;
    const marketplace = s.marketplace_id.trim();
    if (!marketplace) return t.form.required(words.marketplaceId);
    if (!/^[A-Za-z0-9]+$/.test(marketplace)) return words.badMarketplaceId;
    if (!s.client_id.trim()) return t.form.required(words.clientId);
    if (keysRequired && !secrets.client_secret) return t.form.required(words.clientSecret);
    if (keysRequired && !secrets.refresh_token) return t.form.required(words.refreshToken);
    const tokenUrl = tokenUrlOf(s);
    if (tokenUrl != null && !keySafeAt(tokenUrl)) return words.insecureTokenUrl;
    if (!daysInRange(s.backfill_days)) return words.backfillDaysRange;
    return null;
  },
  title: (t) => t.form.amazon.title,
  Credentials,
  Options,
};
