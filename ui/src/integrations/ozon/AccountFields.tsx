// Ozon's part of the account form: Client-Id and API key, then its cancel reason, shipping on
// accept and the options for imported orders.
import { useMutation } from "@tanstack/react-query";
import { useEffect } from "react";
import { api } from "../../api";
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { OzonSettings } from "../../bindings/OzonSettings";
import { SecretField, TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import type { AccountFieldsProps, AccountForm, AccountOptionsProps } from "../types";
import { reasonOptions } from "../../accounts/cancelReasons";
import { CANCEL_REASONS, OTHER_REASON } from "./cancelReasons";
import { DEFAULT_OZON_OPTIONS, OzonOptions, ozonOptionsOf } from "./OzonOptions";

type Ozon = { kind: "ozon" } & OzonSettings;

const ozonOf = (s: AccountSettings): Ozon => {
  if (s.kind !== "ozon") throw new Error(`not an Ozon account: ${s.kind}`);
  return s;
};

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = ozonOf(settings);
  return (
    <>
      <TextField
        label={t.form.clientId}
        testId="account-client-id"
        inputMode="numeric"
        value={s.client_id}
        onChange={(v) => onChange({ ...s, client_id: v })}
      />
      <SecretField
        label={t.form.apiKey}
        testId="account-api-key"
        value={secrets.api_key ?? ""}
        stored={keysKept}
        hint={t.form.apiKeyHint}
        onChange={(v) => onSecrets({ ...secrets, api_key: v })}
      />
    </>
  );
}

function Options({ settings, onChange, secrets, account, draft, report }: AccountOptionsProps) {
  const { t } = useI18n();
  const s = ozonOf(settings);
  // Ozon's own list replaces the built-in one once the key is known to work (or stored already).
  const reasons = useMutation({ mutationFn: () => api.cancelReasons(draft(), secrets, account?.id ?? null) });
  const load = reasons.mutate;
  useEffect(() => {
    if (account) load();
  }, [account, load]);
  const tested = report?.ok === true;
  useEffect(() => {
    if (tested) load();
  }, [tested, load]);
  return (
    <>
      <label>
        {t.form.cancelReason}
        <select
          data-testid="account-cancel-reason"
          value={s.cancel_reason_id}
          onChange={(e) => onChange({ ...s, cancel_reason_id: Number(e.target.value) })}
        >
          {reasonOptions(reasons.data, s.cancel_reason_id, t.cancelReasons, CANCEL_REASONS).map((r) => (
            <option key={r.id} value={r.id}>
              {r.id} — {r.title}
            </option>
          ))}
        </select>
        <span className="hint" data-testid="account-cancel-reason-source">
          {reasons.data ? t.form.reasonsFromOzon : t.form.reasonsBuiltIn}
        </span>
      </label>
      {s.cancel_reason_id === OTHER_REASON && (
        <label>
          {t.form.cancelMessage}
          <input
            value={s.cancel_reason_message}
            onChange={(e) => onChange({ ...s, cancel_reason_message: e.target.value })}
          />
        </label>
      )}
      <label className="checkbox">
        <input
          data-testid="account-ship-on-accept"
          type="checkbox"
          checked={s.ship_on_accept}
          onChange={(e) => onChange({ ...s, ship_on_accept: e.target.checked })}
        />
        {t.form.shipOnAccept}
      </label>
      <OzonOptions value={ozonOptionsOf(s)} onChange={(options) => onChange({ ...s, ...options })} />
    </>
  );
}

export const ozonAccountForm: AccountForm = {
  blank: () => ({
    kind: "ozon",
    client_id: "",
    cancel_reason_id: 352,
    cancel_reason_message: "",
    ship_on_accept: true,
    api_key_env: null,
    ...DEFAULT_OZON_OPTIONS,
  }),
  cleaned: (settings) => {
    const s = ozonOf(settings);
    return {
      ...s,
      client_id: s.client_id.trim(),
      cancel_reason_message: s.cancel_reason_message.trim(),
      source_label: s.source_label.trim(),
    };
  },
  secrets: ["api_key"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = ozonOf(settings);
    if (!s.client_id.trim()) return t.form.required(t.form.clientId);
    if (keysRequired && !secrets.api_key) return t.form.required(t.form.apiKey);
    if (s.cancel_reason_id === OTHER_REASON && !s.cancel_reason_message.trim()) return t.form.cancelMessageRequired;
    return null;
  },
  title: (t) => t.form.addTitle,
  Credentials,
  Options,
};
