// An account's sync log (Accounts → Log): its recent runs and the orders its import rules left out.
// Order numbers and errors come from the marketplace or the engine and are shown as text only.
import type { SyncRunEntry } from "../bindings/SyncRunEntry";
import type { SkippedEntry } from "../bindings/SkippedEntry";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { useAccountLog } from "../queries";

export function SyncLog({ accountId, accountName }: { accountId: number; accountName: string }) {
  const { t } = useI18n();
  const log = useAccountLog(accountId);
  const words = t.accounts.log;
  return (
    <section className="sync-log" id={syncLogId(accountId)} data-testid="account-log" aria-label={words.title(accountName)}>
      {log.isError && <p className="form-problem">{log.error.message}</p>}
      {log.data && (
        <>
          <h3>{words.runs}</h3>
          {log.data.runs.length === 0 ? <p className="hint">{words.noRuns}</p> : <SyncRuns runs={log.data.runs} />}
          <h3>{words.notImported}</h3>
          {log.data.skipped.length === 0 ? (
            <p className="hint">{words.nothingSkipped}</p>
          ) : (
            <SkippedOrders skipped={log.data.skipped} />
          )}
        </>
      )}
    </section>
  );
}

/** The panel's id, for the button that opens it (aria-controls). */
export const syncLogId = (accountId: number) => `account-log-${accountId}`;

function SyncRuns({ runs }: { runs: SyncRunEntry[] }) {
  const { t, locale } = useI18n();
  const columns = t.accounts.log.columns;
  const outcome = (run: SyncRunEntry) =>
    run.outcome === "ok" ? t.accounts.status.ok : run.outcome === "error" ? t.accounts.status.error : run.outcome ?? t.accounts.log.unfinished;
  return (
    <div className="table-scroll">
      <table className="grid">
        <thead>
          <tr>
            <th>{columns.started}</th>
            <th>{columns.outcome}</th>
            <th className="num">{columns.pages}</th>
            <th className="num">{columns.new}</th>
            <th className="num">{columns.changed}</th>
            <th className="num">{columns.quarantined}</th>
            <th className="num">{columns.skipped}</th>
            <th>{columns.error}</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <tr key={run.started_at} data-testid="account-log-run" data-outcome={run.outcome ?? "unfinished"}>
              <td>{formatDateTime(run.started_at, locale)}</td>
              <td className={run.outcome === "error" ? "error-text" : undefined}>{outcome(run)}</td>
              <td className="num">{run.pages}</td>
              <td className="num">{run.orders_new}</td>
              <td className="num">{run.orders_changed}</td>
              <td className="num">{run.quarantined}</td>
              <td className="num">{run.skipped}</td>
              <td className="error-text">{run.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SkippedOrders({ skipped }: { skipped: SkippedEntry[] }) {
  const { t, locale } = useI18n();
  const words = t.accounts.log;
  return (
    <ul className="events">
      {skipped.map((s) => (
        <li key={s.external_id} data-testid="account-log-skipped" data-order-number={s.number}>
          <time dateTime={s.at}>{formatDateTime(s.at, locale)}</time> {words.order(s.number)}:{" "}
          {/* A reason a newer engine adds reads as its code. */}
          {words.reasons[s.reason] ?? s.reason}
        </li>
      ))}
    </ul>
  );
}
