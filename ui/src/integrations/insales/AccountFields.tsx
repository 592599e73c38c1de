// InSales's part of the account form: the shop's address, the API application's identifier and
// its password, a word on what could not be verified, then what a transfer does to the order.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { InSalesSettings } from "../../bindings/InSalesSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { keySafeAt, trimmedAddress } from "../StoreFields";
import { DEFAULT_RULES, TransferRulesFields } from "../TransferRulesFields";
import type { AccountFieldsProps, AccountForm } from "../types";

type InSales = { kind: "insales" } & InSalesSettings;

const inSalesOf = (s: AccountSettings): InSales => {
  if (s.kind !== "insales") throw new Error(`not an InSales account: ${s.kind}`);
  return s;
};

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = inSalesOf(settings);
  const words = t.form.insales;
  return (
    <>
      {/* Finding an order again by its comment and matching items by article were not tried
          against a live shop: the manager should know before the first transfer. */}
      <p className="warning" role="note" data-testid="insales-unverified">
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
      <TextField
        label={words.apiId}
        testId="account-api-id"
        value={s.api_id}
        hint={words.apiIdHint}
        onChange={(api_id) => onChange({ ...s, api_id })}
      />
      <SecretField
        label={words.password}
        testId="account-password"
        value={secrets.password ?? ""}
        stored={keysKept}
        hint={words.passwordHint}
        onChange={(password) => onSecrets({ ...secrets, password })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const s = inSalesOf(settings);
  return <TransferRulesFields rules={s.transfer} onChange={(transfer) => onChange({ ...s, transfer })} />;
}

export const inSalesAccountForm: AccountForm = {
  blank: () => ({ kind: "insales", url: "", api_id: "", transfer: DEFAULT_RULES, password_env: null }),
  cleaned: (settings) => {
    const s = inSalesOf(settings);
    return { ...s, url: trimmedAddress(s.url), api_id: s.api_id.trim() };
  },
  secrets: ["password"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = inSalesOf(settings);
    const words = t.form.insales;
    const url = trimmedAddress(s.url);
    if (!url) return t.form.required(words.url);
    if (!keySafeAt(url)) return t.form.transfer.insecureUrl;
    if (!s.api_id.trim()) return t.form.required(words.apiId);
    if (keysRequired && !secrets.password?.trim()) return t.form.required(words.password);
    return null;
  },
  // The password goes to the shop's own address: a new address asks for it again.
  storeAddress: (settings) => trimmedAddress(inSalesOf(settings).url),
  title: (t) => t.form.insales.title,
  Credentials,
  Options,
};
