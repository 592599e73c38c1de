import { queryOptions, useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { api } from "../api";
import type { DatabaseProblem } from "../bindings/DatabaseProblem";
import type { Lang } from "../bindings/Lang";
import { ConfirmButton } from "../components/ConfirmButton";
import { useNotices } from "../components/Notices";
import { languages, useI18n } from "../i18n";
import { BackupChoices, RestoreOutcome, useRestore } from "./BackupChoices";

/** Whether the database opened: the shell answers once it has tried, and the answer holds for the run. */
export const databaseProblemOptions = queryOptions({
  queryKey: ["databaseProblem"],
  queryFn: api.databaseProblem,
  staleTime: Infinity,
  refetchOnWindowFocus: false,
});

/**
 * Asks the shell first whether the database opened. When it did not, the app has no engine and
 * only the database screen is shown; otherwise (or when the question itself fails) the app, once
 * `firstReads` (the first screen's data, see firstScreen.ts) has settled when there is one.
 */
export function StartupGate({ children, firstReads }: { children: ReactNode; firstReads?: Promise<void> }) {
  const problem = useQuery(databaseProblemOptions);
  const [readsIn, setReadsIn] = useState(firstReads == null);
  useEffect(() => {
    let mounted = true;
    const show = () => {
      if (mounted) setReadsIn(true);
    };
    // Whichever way they settle: the app is never held back for good.
    firstReads?.then(show, show);
    return () => {
      mounted = false;
    };
  }, [firstReads]);
  if (problem.isPending || (problem.data == null && !readsIn)) return <OpeningScreen />;
  if (problem.data) return <DatabaseProblemScreen problem={problem.data} />;
  return <>{children}</>;
}

/** How long the database may take to open before the window says what it waits for: most starts open at once. */
const SAY_OPENING_AFTER_MS = 400;

/** The database is still opening: an update of a large one takes a while, and so does a keychain waiting to be unlocked. */
function OpeningScreen() {
  const { t } = useI18n();
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setShown(true), SAY_OPENING_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);
  // The live region is there from the start, so that its text is announced when it comes.
  return (
    <section className="database-problem" role="status" aria-live="polite">
      {shown && (
        <div data-testid="database-opening">
          <h1>{t.database.opening}</h1>
          <p className="hint">{t.database.openingHint}</p>
        </div>
      )}
    </section>
  );
}

/** The database could not be opened: why, and the ways out (a backup, a new database, quitting). */
export function DatabaseProblemScreen({ problem }: { problem: DatabaseProblem }) {
  const { t, lang, setLang } = useI18n();
  const notices = useNotices();
  const restore = useRestore();
  const startNew = useMutation({ mutationFn: api.startNewDatabase, onError: (e) => notices.error(e.message) });
  const quit = useMutation({ mutationFn: api.quitApp, onError: (e) => notices.error(e.message) });
  const restarting = restore.isSuccess || startNew.isSuccess;
  const busy = restore.isPending || startNew.isPending || restarting;
  const explanation = {
    damaged: t.database.problemDamaged,
    too_new: t.database.problemTooNew,
    unavailable: t.database.problemUnavailable,
  };
  // A newer version's database holds the shop's data and nothing is wrong with it.
  const offerNew = problem.kind !== "too_new";
  return (
    <section className="database-problem" data-testid="database-problem" data-kind={problem.kind}>
      <header className="screen-header">
        <h1>{t.database.problemTitle}</h1>
        <label>
          <span className="sr-only">{t.nav.language}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            {languages.map((l) => (
              <option key={l.lang} value={l.lang}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </header>
      <p>{explanation[problem.kind]}</p>
      <dl className="facts">
        <dt>{t.database.problemFile}</dt>
        <dd data-testid="database-problem-path">{problem.path}</dd>
        <dt>{t.database.problemError}</dt>
        <dd>
          <pre className="log" data-testid="database-problem-message">
            {problem.message}
          </pre>
        </dd>
      </dl>
      {restore.data && <RestoreOutcome report={restore.data} />}
      {startNew.isSuccess && (
        <div className="banner" role="status" data-testid="database-restarting">
          {startNew.data != null && <p>{t.database.startedNew(startNew.data)}</p>}
          <p>
            <strong>{t.database.restarting}</strong>
          </p>
        </div>
      )}
      {!restarting && (
        <>
          <h2>{t.database.problemRestoreTitle}</h2>
          <p className="hint">{offerNew ? t.database.problemRestoreHint : t.database.problemRestoreHintKept}</p>
          <BackupChoices
            backups={problem.backups}
            empty={t.database.noBackupsBeside}
            disabled={busy}
            onRestore={(path) => restore.mutate(path)}
          />
          {offerNew && (
            <>
              <h2>{t.database.startNew}</h2>
              <p className="hint">{t.database.startNewHint}</p>
            </>
          )}
          <div className="row-actions">
            {offerNew && (
              <ConfirmButton
                testId="database-start-new"
                question={t.database.confirmStartNew}
                disabled={busy}
                onConfirm={() => startNew.mutate()}
              >
                {t.database.startNew}
              </ConfirmButton>
            )}
            <button type="button" data-testid="database-quit" disabled={quit.isPending} onClick={() => quit.mutate()}>
              {t.database.quit}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
