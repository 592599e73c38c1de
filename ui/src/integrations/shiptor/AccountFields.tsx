// Shiptor's part of the account form: the API key (the address is Shiptor's own unless told
// otherwise), a word that the connector is unverified, then what a transfer does to the order.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { ShiptorSettings } from "../../bindings/ShiptorSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { keySafeAt, trimmedAddress } from "../StoreFields";
import { DEFAULT_RULES, TransferRulesFields } from "../TransferRulesFields";
import type { AccountFieldsProps, AccountForm } from "../types";

/** Shiptor's API root (connectors/src/shiptor/settings.rs DEFAULT_URL). */
export const SHIPTOR_URL = "https://api.shiptor.ru";

type Shiptor = { kind: "shiptor" } & ShiptorSettings;

const shiptorOf = (s: AccountSettings): Shiptor => {
  if (s.kind !== "shiptor") throw new Error(`not a Shiptor account: ${s.kind}`);
  return s;
};

/** The engine reads an emptied address as Shiptor's own; the form says the same. */
const addressOf = (s: Shiptor) => trimmedAddress(s.url) || SHIPTOR_URL;

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = shiptorOf(settings);
  const words = t.form.shiptor;
  return (
    <>
      {/* The connector was written against Shiptor's SDK, not checked against its live API: the
          manager should know before trusting it with parcels. */}
      <p className="warning" role="note" data-testid="shiptor-unverified">
        {words.unverified}
      </p>
      <SecretField
        label={t.form.transfer.apiKey}
        testId="account-api-key"
        value={secrets.api_key ?? ""}
        stored={keysKept}
        hint={words.apiKeyHint}
        onChange={(api_key) => onSecrets({ ...secrets, api_key })}
      />
      <TextField
        label={words.url}
        testId="account-store-url"
        value={s.url}
        placeholder={SHIPTOR_URL}
        hint={words.urlHint}
        onChange={(url) => onChange({ ...s, url })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const s = shiptorOf(settings);
  return <TransferRulesFields rules={s.transfer} onChange={(transfer) => onChange({ ...s, transfer })} />;
}

export const shiptorAccountForm: AccountForm = {
  blank: () => ({ kind: "shiptor", url: SHIPTOR_URL, transfer: DEFAULT_RULES, api_key_env: null }),
  cleaned: (settings) => {
    const s = shiptorOf(settings);
    return { ...s, url: addressOf(s) };
  },
  secrets: ["api_key"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = shiptorOf(settings);
    if (!keySafeAt(addressOf(s))) return t.form.transfer.insecureUrl;
    if (keysRequired && !secrets.api_key?.trim()) return t.form.required(t.form.transfer.apiKey);
    return null;
  },
  storeAddress: (settings) => addressOf(shiptorOf(settings)),
  title: (t) => t.form.shiptor.title,
  Credentials,
  Options,
};
