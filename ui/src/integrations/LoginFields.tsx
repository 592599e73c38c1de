// Login, password and API key: the credentials of the integrations that sign in with a login (an
// integration without an API key names none).
import type { Secrets } from "../api";
import { SecretField, TextField } from "../components/FormFields";
import { useI18n } from "../i18n";

type LoginLabels = { login: string; password: string; apiKey?: string };

export function LoginFields(props: {
  labels: LoginLabels;
  loginType: "email" | "text";
  login: string;
  onLogin: (login: string) => void;
  secrets: Secrets;
  onSecrets: (secrets: Secrets) => void;
  /** A saved account: empty secret fields keep the stored ones. */
  stored: boolean;
  passwordHint?: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <TextField
        label={props.labels.login}
        testId="account-login"
        type={props.loginType}
        value={props.login}
        onChange={props.onLogin}
      />
      <SecretField
        label={props.labels.password}
        testId="account-password"
        value={props.secrets.password ?? ""}
        stored={props.stored}
        hint={props.passwordHint}
        onChange={(v) => props.onSecrets({ ...props.secrets, password: v })}
      />
      {props.labels.apiKey && (
        <SecretField
          label={props.labels.apiKey}
          testId="account-api-key"
          value={props.secrets.api_key ?? ""}
          stored={props.stored}
          hint={t.form.apiKeyHint}
          onChange={(v) => props.onSecrets({ ...props.secrets, api_key: v })}
        />
      )}
    </>
  );
}

/** A login is always required; the secrets when the keychain holds none for this account (new, or its base URL changed). */
export function loginProblem(
  login: string,
  secrets: Secrets,
  keysRequired: boolean,
  labels: LoginLabels,
  required: (what: string) => string,
): string | null {
  if (!login.trim()) return required(labels.login);
  if (keysRequired && !secrets.password) return required(labels.password);
  if (keysRequired && labels.apiKey && !secrets.api_key) return required(labels.apiKey);
  return null;
}
