// MoySklad's part of the account form: the access token and, when the account has several, the
// legal entity orders are made for (the address is MoySklad's own unless told otherwise); then
// what a transfer does to the order.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { MoySkladSettings } from "../../bindings/MoySkladSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { keySafeAt, trimmedAddress } from "../StoreFields";
import { DEFAULT_RULES, TransferRulesFields } from "../TransferRulesFields";
import type { AccountFieldsProps, AccountForm } from "../types";

/** MoySklad's JSON API (connectors/src/moysklad/settings.rs DEFAULT_URL). */
export const MOYSKLAD_URL = "https://api.moysklad.ru/api/remap/1.2";

type MoySklad = { kind: "moysklad" } & MoySkladSettings;

const moyskladOf = (s: AccountSettings): MoySklad => {
  if (s.kind !== "moysklad") throw new Error(`not a MoySklad account: ${s.kind}`);
  return s;
};

/** The engine reads an emptied address as MoySklad's own; the form says the same. */
const addressOf = (s: MoySklad) => trimmedAddress(s.url) || MOYSKLAD_URL;

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = moyskladOf(settings);
  const words = t.form.moysklad;
  return (
    <>
      <SecretField
        label={words.token}
        testId="account-token"
        value={secrets.token ?? ""}
        stored={keysKept}
        hint={words.tokenHint}
        onChange={(token) => onSecrets({ ...secrets, token })}
      />
      <TextField
        label={words.organization}
        testId="account-organization"
        value={s.organization ?? ""}
        hint={words.organizationHint}
        onChange={(organization) => onChange({ ...s, organization })}
      />
      <TextField
        label={words.url}
        testId="account-store-url"
        value={s.url}
        placeholder={MOYSKLAD_URL}
        hint={words.urlHint}
        onChange={(url) => onChange({ ...s, url })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const s = moyskladOf(settings);
  return <TransferRulesFields rules={s.transfer} onChange={(transfer) => onChange({ ...s, transfer })} />;
}

export const moyskladAccountForm: AccountForm = {
  blank: () => ({ kind: "moysklad", url: MOYSKLAD_URL, organization: null, transfer: DEFAULT_RULES, token_env: null }),
  cleaned: (settings) => {
    const s = moyskladOf(settings);
    const organization = s.organization?.trim() ?? "";
    return { ...s, url: addressOf(s), organization: organization === "" ? null : organization };
  },
  secrets: ["token"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = moyskladOf(settings);
    if (!keySafeAt(addressOf(s))) return t.form.transfer.insecureUrl;
    if (keysRequired && !secrets.token?.trim()) return t.form.required(t.form.moysklad.token);
    return null;
  },
  storeAddress: (settings) => addressOf(moyskladOf(settings)),
  title: (t) => t.form.moysklad.title,
  Credentials,
  Options,
};
