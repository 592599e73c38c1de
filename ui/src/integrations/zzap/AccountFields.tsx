// ZZAP's part of the account form: login, password and API key, and the status codes that import
// an order or mean its buyer cancelled.
import { useState } from "react";
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { ZzapSettings } from "../../bindings/ZzapSettings";
import { TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import type { Messages } from "../../i18n/en";
import { LoginFields, loginProblem } from "../LoginFields";
import { codesOf, type AccountFieldsProps, type AccountForm } from "../types";

/** ZZAP allows one request per 3 seconds (core: ZZAP_MIN_INTERVAL_MS). */
const ZZAP_INTERVAL_MS = 3000;

type Zzap = { kind: "zzap" } & ZzapSettings;

const zzapOf = (s: AccountSettings): Zzap => {
  if (s.kind !== "zzap") throw new Error(`not a ZZAP account: ${s.kind}`);
  return s;
};

const labels = (t: Messages) => ({ login: t.form.zzapLogin, password: t.form.zzapPassword, apiKey: t.form.zzapApiKey });

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = zzapOf(settings);
  // The codes as typed; the settings hold the parsed list.
  const [importCodes, setImportCodes] = useState(() => s.import_codes.join(";"));
  const [cancelCodes, setCancelCodes] = useState(() => s.buyer_cancel_codes.join(";"));
  return (
    <>
      <LoginFields
        labels={labels(t)}
        loginType="email"
        login={s.login}
        onLogin={(login) => onChange({ ...s, login })}
        secrets={secrets}
        onSecrets={onSecrets}
        stored={keysKept}
      />
      <TextField
        label={t.form.zzapImportCodes}
        testId="account-import-codes"
        value={importCodes}
        onChange={(v) => {
          setImportCodes(v);
          onChange({ ...s, import_codes: codesOf(v) });
        }}
      />
      <TextField
        label={t.form.zzapCancelCodes}
        testId="account-cancel-codes"
        value={cancelCodes}
        hint={t.form.zzapCodesHint}
        onChange={(v) => {
          setCancelCodes(v);
          onChange({ ...s, buyer_cancel_codes: codesOf(v) });
        }}
      />
    </>
  );
}

export const zzapAccountForm: AccountForm = {
  blank: () => ({
    kind: "zzap",
    login: "",
    import_codes: [],
    buyer_cancel_codes: [],
    min_request_interval_ms: ZZAP_INTERVAL_MS,
    password_env: null,
    api_key_env: null,
  }),
  cleaned: (settings) => {
    const s = zzapOf(settings);
    return { ...s, login: s.login.trim() };
  },
  secrets: ["password", "api_key"],
  problem: (settings, secrets, keysRequired, t) =>
    loginProblem(zzapOf(settings).login, secrets, keysRequired, labels(t), t.form.required),
  title: (t) => t.form.zzapTitle,
  Credentials,
};
