import type { KeyboardEvent, Ref } from "react";
import { useI18n } from "../i18n";

/**
 * A file's path, typed in full or filled in by the system's file chooser ("Choose…"). The typed
 * path is the whole way for a manager who knows where the file goes, and for WebDriver, which
 * cannot drive the native dialog.
 */
export function PathField({
  label,
  value,
  onChange,
  onChoose,
  choosing = false,
  disabled = false,
  placeholder,
  testId,
  chooseTestId,
  inputRef,
  onKeyDown,
}: {
  label: string;
  value: string;
  onChange: (path: string) => void;
  onChoose: () => void;
  /** The chooser is open: Choose… waits for it. */
  choosing?: boolean;
  disabled?: boolean;
  placeholder?: string;
  testId: string;
  chooseTestId: string;
  inputRef?: Ref<HTMLInputElement>;
  onKeyDown?: (e: KeyboardEvent<HTMLInputElement>) => void;
}) {
  const { t } = useI18n();
  return (
    <div className="field-row">
      <label className="grow">
        {label}
        <input
          ref={inputRef}
          data-testid={testId}
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={onKeyDown}
        />
      </label>
      <button type="button" data-testid={chooseTestId} disabled={disabled || choosing} onClick={onChoose}>
        {t.common.choose}
      </button>
    </div>
  );
}
