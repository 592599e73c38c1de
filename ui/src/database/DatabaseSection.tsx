import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { BackupChoices, RestoreOutcome, useRestore } from "./BackupChoices";
import { formatBytes } from "./format";

export const databaseKey = ["database"] as const;

/** Settings → Database: where the data lives, its backups, "Back up now" and restoring one. */
export function DatabaseSection() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const info = useQuery({ queryKey: databaseKey, queryFn: api.databaseInfo });
  const backup = useMutation({
    mutationFn: api.backupDatabase,
    onSuccess: (made) => {
      notices.info(t.database.backedUp(made.file_name));
      return qc.invalidateQueries({ queryKey: databaseKey });
    },
    onError: (e) => notices.error(e.message),
  });
  const restore = useRestore();
  // After a restore the database is closed and the app restarts: nothing more to do here.
  const busy = backup.isPending || restore.isPending || restore.isSuccess;
  return (
    <div className="diagnostics database" data-testid="database">
      <h2>{t.database.title}</h2>
      <p className="hint">{t.database.hint}</p>
      {info.isError && <p className="form-problem">{info.error.message}</p>}
      {info.data && (
        <dl className="facts">
          <dt>{t.database.file}</dt>
          <dd data-testid="database-path">{info.data.path}</dd>
          <dt>{t.database.size}</dt>
          <dd data-testid="database-size">{formatBytes(info.data.bytes, locale)}</dd>
        </dl>
      )}
      {restore.data ? (
        <RestoreOutcome report={restore.data} />
      ) : (
        <>
          <div className="row-actions">
            <button
              type="button"
              className="primary"
              data-testid="database-backup-now"
              disabled={busy}
              onClick={() => backup.mutate()}
            >
              {t.database.backupNow}
            </button>
          </div>
          <h3>{t.database.backups}</h3>
          {info.data && (
            <BackupChoices
              backups={info.data.backups}
              empty={t.database.noBackups}
              disabled={busy}
              onRestore={(path) => restore.mutate(path)}
            />
          )}
        </>
      )}
    </div>
  );
}
