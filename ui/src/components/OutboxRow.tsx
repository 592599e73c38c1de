import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { OutboxView } from "../bindings/OutboxView";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { errorText } from "../i18n/errors";
import { keys } from "../queries";
import { useNotices } from "./Notices";

/** One update for the marketplace: its state, attempts, last error and, once failed, Retry. */
export function OutboxRow({ row }: { row: OutboxView }) {
  const { t, lang, locale } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const retry = useMutation({
    mutationFn: () => api.retryOutbox(row.id),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: keys.orderAll }),
        qc.invalidateQueries({ queryKey: keys.outboxAll }),
        qc.invalidateQueries({ queryKey: keys.accounts }),
      ]),
    onError: (e) => notices.error(e.message),
  });
  return (
    <li data-testid="outbox-row" data-state={row.state} className={`outbox-${row.state}`}>
      <span className={`state state-${row.state}`}>{t.order.outboxStates[row.state]}</span>{" "}
      {t.events.effect(row.effect, t)}
      {row.attempts > 0 && <span className="muted"> · {t.order.attempts(row.attempts)}</span>}
      {row.state === "pending" && row.next_attempt_at && row.attempts > 0 && (
        <span className="muted">
          {" "}
          · {t.order.nextAttempt}: {formatDateTime(row.next_attempt_at, locale)}
        </span>
      )}
      {row.last_error && <div className="error-text">{errorText(row.last_error_words, row.last_error, lang)}</div>}
      {row.state === "failed" && (
        <button type="button" data-testid="outbox-retry" disabled={retry.isPending} onClick={() => retry.mutate()}>
          {t.common.retry}
        </button>
      )}
    </li>
  );
}
