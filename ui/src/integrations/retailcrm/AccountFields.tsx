// RetailCRM's part of the account form: the CRM's address, the store (site) code its orders go to
// and the API key; then what a transfer does to the order's status.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { RetailCrmSettings } from "../../bindings/RetailCrmSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { keySafeAt, trimmedAddress } from "../StoreFields";
import { DEFAULT_RULES, TransferRulesFields } from "../TransferRulesFields";
import type { AccountFieldsProps, AccountForm } from "../types";

type RetailCrm = { kind: "retailcrm" } & RetailCrmSettings;

const retailCrmOf = (s: AccountSettings): RetailCrm => {
  if (s.kind !== "retailcrm") throw new Error(`not a RetailCRM account: ${s.kind}`);
  return s;
};

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = retailCrmOf(settings);
  const words = t.form.retailcrm;
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
      <TextField label={words.site} testId="account-site" value={s.site} hint={words.siteHint} onChange={(site) => onChange({ ...s, site })} />
      <SecretField
        label={t.form.transfer.apiKey}
        testId="account-api-key"
        value={secrets.api_key ?? ""}
        stored={keysKept}
        hint={words.apiKeyHint}
        onChange={(api_key) => onSecrets({ ...secrets, api_key })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const s = retailCrmOf(settings);
  return <TransferRulesFields rules={s.transfer} onChange={(transfer) => onChange({ ...s, transfer })} />;
}

export const retailCrmAccountForm: AccountForm = {
  blank: () => ({ kind: "retailcrm", url: "", site: "", transfer: DEFAULT_RULES, api_key_env: null }),
  cleaned: (settings) => {
    const s = retailCrmOf(settings);
    return { ...s, url: trimmedAddress(s.url), site: s.site.trim() };
  },
  secrets: ["api_key"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = retailCrmOf(settings);
    const words = t.form.retailcrm;
    const url = trimmedAddress(s.url);
    if (!url) return t.form.required(words.url);
    if (!keySafeAt(url)) return t.form.transfer.insecureUrl;
    if (!s.site.trim()) return t.form.required(words.site);
    if (keysRequired && !secrets.api_key?.trim()) return t.form.required(t.form.transfer.apiKey);
    return null;
  },
  // The key goes to the CRM's own address: a new address asks for the key again.
  storeAddress: (settings) => trimmedAddress(retailCrmOf(settings).url),
  title: (t) => t.form.retailcrm.title,
  Credentials,
  Options,
};
