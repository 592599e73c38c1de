// The labelled inputs the account forms share (every integration's fields use them).
import { useI18n } from "../i18n";

/** A labelled one-line field, with a hint under it when there is one. */
export function TextField(props: {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "email" | "password";
  inputMode?: "numeric";
  placeholder?: string;
  hint?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        data-testid={props.testId}
        type={props.type ?? "text"}
        inputMode={props.inputMode}
        value={props.value}
        autoComplete="off"
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint && <span className="hint">{props.hint}</span>}
    </label>
  );
}

/** A password or key: never shown; on a saved account, empty keeps the stored one. */
export function SecretField(props: {
  label: string;
  testId: string;
  value: string;
  stored: boolean;
  onChange: (value: string) => void;
  hint?: string;
  /** What the field looks like filled in, while nothing is stored (a stored key's note wins). */
  placeholder?: string;
}) {
  const { t } = useI18n();
  return (
    <TextField
      label={props.label}
      testId={props.testId}
      type="password"
      value={props.value}
      placeholder={props.stored ? t.form.apiKeyKeep : (props.placeholder ?? "")}
      hint={props.hint}
      onChange={props.onChange}
    />
  );
}
