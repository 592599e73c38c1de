import { useState, type ReactNode } from "react";
import { useI18n } from "../i18n";

/** A destructive button that asks inline (no browser dialog: webviews differ in whether they show one). */
export function ConfirmButton({
  children,
  question,
  onConfirm,
  disabled,
  testId,
}: {
  children: ReactNode;
  question: string;
  onConfirm: () => void;
  disabled?: boolean;
  testId?: string;
}) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" data-testid={testId} disabled={disabled} onClick={() => setAsking(true)}>
        {children}
      </button>
    );
  }
  return (
    <span className="confirm" role="group">
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        data-testid={testId ? `${testId}-confirm` : undefined}
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {t.common.yes}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t.common.no}
      </button>
    </span>
  );
}
