// Gettzap's part of the account form: login, password and API key, its statuses and those that
// mean its buyer cancelled, and the address Gettzap delivers orders to.
import { useState } from "react";
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { GettzapSettings } from "../../bindings/GettzapSettings";
import { TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import type { Messages } from "../../i18n/en";
import { LoginFields, loginProblem } from "../LoginFields";
import { listOf, type AccountFieldsProps, type AccountForm } from "../types";
import { GettzapIntake } from "./GettzapIntake";

/** The Gettzap statuses a new account starts with (core: GETTZAP_DEFAULT_STATUSES, an assumption). */
export const GETTZAP_STATUSES = ["accepted", "in_work", "shipped", "issued", "refused"];
/** Statuses that mean Gettzap's buyer cancelled (core's GETTZAP_DEFAULT_CANCEL_STATUSES). */
export const GETTZAP_CANCEL_STATUSES = ["cancelled", "canceled", "cancel", "отменен", "отменён", "отказ покупателя"];

type Gettzap = { kind: "gettzap" } & GettzapSettings;

const gettzapOf = (s: AccountSettings): Gettzap => {
  if (s.kind !== "gettzap") throw new Error(`not a Gettzap account: ${s.kind}`);
  return s;
};

const labels = (t: Messages) => ({
  login: t.form.gettzapLogin,
  password: t.form.gettzapPassword,
  apiKey: t.form.gettzapApiKey,
});

function Credentials({ settings, onChange, secrets, onSecrets, account, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = gettzapOf(settings);
  // The lists as typed (";"-separated: Gettzap's statuses may hold spaces); the settings hold them parsed.
  const [statuses, setStatuses] = useState(() => s.statuses.join(";"));
  const [cancelStatuses, setCancelStatuses] = useState(() => s.cancel_statuses.join(";"));
  return (
    <>
      <LoginFields
        labels={labels(t)}
        loginType="text"
        login={s.login}
        onLogin={(login) => onChange({ ...s, login })}
        secrets={secrets}
        onSecrets={onSecrets}
        stored={keysKept}
      />
      <TextField
        label={t.form.gettzapStatuses}
        testId="account-gettzap-statuses"
        value={statuses}
        hint={t.form.gettzapStatusesHint}
        onChange={(v) => {
          setStatuses(v);
          onChange({ ...s, statuses: listOf(v) });
        }}
      />
      <TextField
        label={t.form.gettzapCancelStatuses}
        testId="account-gettzap-cancel-statuses"
        value={cancelStatuses}
        hint={t.form.gettzapCancelStatusesHint}
        onChange={(v) => {
          setCancelStatuses(v);
          onChange({ ...s, cancel_statuses: listOf(v) });
        }}
      />
      <GettzapIntake accountId={account?.id ?? null} />
    </>
  );
}

export const gettzapAccountForm: AccountForm = {
  blank: () => ({
    kind: "gettzap",
    login: "",
    statuses: GETTZAP_STATUSES,
    cancel_statuses: GETTZAP_CANCEL_STATUSES,
    password_env: null,
    api_key_env: null,
    intake_token_env: null,
  }),
  cleaned: (settings) => {
    const s = gettzapOf(settings);
    return { ...s, login: s.login.trim() };
  },
  secrets: ["password", "api_key"],
  problem: (settings, secrets, keysRequired, t) =>
    loginProblem(gettzapOf(settings).login, secrets, keysRequired, labels(t), t.form.required),
  title: (t) => t.form.gettzapTitle,
  Credentials,
};
