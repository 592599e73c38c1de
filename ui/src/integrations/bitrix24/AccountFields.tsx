// Bitrix24's part of the account form: where the incoming webhook is made, then its parts each in
// its own field (the portal's address, the user it acts as, its token), a word on what could not
// be verified, then what a transfer does to the order's status.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { Bitrix24Settings } from "../../bindings/Bitrix24Settings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import { keySafeAt, trimmedAddress } from "../StoreFields";
import { DEFAULT_RULES, TransferRulesFields } from "../TransferRulesFields";
import type { AccountFieldsProps, AccountForm } from "../types";

type Bitrix24 = { kind: "bitrix24" } & Bitrix24Settings;

const bitrix24Of = (s: AccountSettings): Bitrix24 => {
  if (s.kind !== "bitrix24") throw new Error(`not a Bitrix24 account: ${s.kind}`);
  return s;
};

/**
 * A whole webhook URL (`https://{portal}/rest/{user_id}/{token}/`) typed as the portal's address:
 * saved, it would keep the token in the database, so it is refused (as the engine does) and the
 * token asked for in its own field, which goes to the keychain.
 */
const isWebhookUrl = (address: string): boolean => /\/rest\//i.test(`${trimmedAddress(address)}/`);

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = bitrix24Of(settings);
  const words = t.form.bitrix24;
  return (
    <>
      <p className="hint" data-testid="bitrix24-webhook-steps">
        {words.webhookSteps}
      </p>
      {/* Deleting a deal with its order was not tried against a live portal: the manager should
          know before deleting orders sent there. */}
      <p className="warning" role="note" data-testid="bitrix24-unverified">
        {words.unverified}
      </p>
      <TextField
        label={words.portalUrl}
        testId="account-store-url"
        value={s.portal_url}
        placeholder="https://"
        hint={words.portalUrlHint}
        onChange={(portal_url) => onChange({ ...s, portal_url })}
      />
      <TextField
        label={words.userId}
        testId="account-user-id"
        value={s.user_id}
        inputMode="numeric"
        hint={words.userIdHint}
        onChange={(user_id) => onChange({ ...s, user_id })}
      />
      <SecretField
        label={words.webhookToken}
        testId="account-webhook-token"
        value={secrets.webhook_token ?? ""}
        stored={keysKept}
        hint={words.webhookTokenHint}
        onChange={(webhook_token) => onSecrets({ ...secrets, webhook_token })}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const s = bitrix24Of(settings);
  return <TransferRulesFields rules={s.transfer} onChange={(transfer) => onChange({ ...s, transfer })} />;
}

export const bitrix24AccountForm: AccountForm = {
  blank: () => ({ kind: "bitrix24", portal_url: "", user_id: "", transfer: DEFAULT_RULES, webhook_token_env: null }),
  cleaned: (settings) => {
    const s = bitrix24Of(settings);
    return { ...s, portal_url: trimmedAddress(s.portal_url), user_id: s.user_id.trim() };
  },
  secrets: ["webhook_token"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = bitrix24Of(settings);
    const words = t.form.bitrix24;
    const url = trimmedAddress(s.portal_url);
    const userId = s.user_id.trim();
    if (!url) return t.form.required(words.portalUrl);
    if (isWebhookUrl(url)) return words.webhookUrlPasted;
    if (!keySafeAt(url)) return t.form.transfer.insecureUrl;
    if (!userId) return t.form.required(words.userId);
    if (!/^\d+$/.test(userId)) return words.userIdDigits;
    if (keysRequired && !secrets.webhook_token?.trim()) return t.form.required(words.webhookToken);
    return null;
  },
  // The token goes to the portal's own address: a new address asks for it again.
  storeAddress: (settings) => trimmedAddress(bitrix24Of(settings).portal_url),
  title: (t) => t.form.bitrix24.title,
  Credentials,
  Options,
};
