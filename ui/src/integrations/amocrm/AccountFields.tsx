// amoCRM's part of the account form: the account's address and the long-lived token, a word on
// what could not be verified, then what a transfer does to the order's status.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { AmoCrmSettings } from "../../bindings/AmoCrmSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { keySafeAt, trimmedAddress } from "../StoreFields";
import { DEFAULT_RULES, TransferRulesFields } from "../TransferRulesFields";
import type { AccountFieldsProps, AccountForm } from "../types";

type AmoCrm = { kind: "amocrm" } & AmoCrmSettings;

const amoCrmOf = (s: AccountSettings): AmoCrm => {
  if (s.kind !== "amocrm") throw new Error(`not an amoCRM account: ${s.kind}`);
  return s;
};

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = amoCrmOf(settings);
  const words = t.form.amocrm;
  return (
    <>
      {/* Finding a deal again by its name was not tried against a live account: the manager
          should know before editing deals there. */}
      <p className="warning" role="note" data-testid="amocrm-unverified">
        {words.unverified}
      </p>
      <TextField
        label={words.url}
        testId="account-store-url"
        value={s.url}
        placeholder="https://"
        hint={words.urlHint}
        onChange={(url) => onChange({ ...s, url })}
      />
      <SecretField
        label={words.token}
        testId="account-token"
        value={secrets.token ?? ""}
        stored={keysKept}
        hint={words.tokenHint}
        onChange={(token) => onSecrets({ ...secrets, token })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const s = amoCrmOf(settings);
  return <TransferRulesFields rules={s.transfer} onChange={(transfer) => onChange({ ...s, transfer })} />;
}

export const amoCrmAccountForm: AccountForm = {
  blank: () => ({ kind: "amocrm", url: "", transfer: DEFAULT_RULES, token_env: null }),
  cleaned: (settings) => {
    const s = amoCrmOf(settings);
    return { ...s, url: trimmedAddress(s.url) };
  },
  secrets: ["token"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = amoCrmOf(settings);
    const words = t.form.amocrm;
    const url = trimmedAddress(s.url);
    if (!url) return t.form.required(words.url);
    if (!keySafeAt(url)) return t.form.transfer.insecureUrl;
    if (keysRequired && !secrets.token?.trim()) return t.form.required(words.token);
    return null;
  },
  // The token goes to the account's own address: a new address asks for it again.
  storeAddress: (settings) => trimmedAddress(amoCrmOf(settings).url),
  title: (t) => t.form.amocrm.title,
  Credentials,
  Options,
};
