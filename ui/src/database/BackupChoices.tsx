import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import type { BackupInfo } from "../bindings/BackupInfo";
import type { RestoreReport } from "../bindings/RestoreReport";
import { ConfirmButton } from "../components/ConfirmButton";
import { useNotices } from "../components/Notices";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { formatBytes } from "./format";

/** Restoring a backup: on success the app restarts a moment later, so nothing else may start. */
export function useRestore() {
  const notices = useNotices();
  return useMutation({ mutationFn: api.restoreDatabase, onError: (e) => notices.error(e.message) });
}

/** The backups beside the database, each restorable, and a backup file chosen from elsewhere. */
export function BackupChoices({
  backups,
  empty,
  disabled,
  onRestore,
}: {
  backups: BackupInfo[];
  /** What to say when there is none. */
  empty: string;
  disabled: boolean;
  onRestore: (path: string) => void;
}) {
  const { t, locale } = useI18n();
  const notices = useNotices();
  const [chosen, setChosen] = useState<string | null>(null);
  const choose = useMutation({
    mutationFn: () => api.chooseBackupFile(t.database.fileFilter),
    onSuccess: (path) => setChosen(path),
    onError: (e) => notices.error(e.message),
  });
  return (
    <div className="backup-choices">
      {backups.length === 0 ? (
        <p className="hint" data-testid="database-no-backups">
          {empty}
        </p>
      ) : (
        <table className="grid backups" data-testid="backups">
          <thead>
            <tr>
              <th>{t.database.made}</th>
              <th>{t.database.kind}</th>
              <th className="num">{t.database.size}</th>
              <th>{t.database.file}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {backups.map((b) => (
              <tr key={b.path} data-testid="backup-row" data-kind={b.kind} data-path={b.path}>
                <td>{formatDateTime(b.created_at, locale)}</td>
                <td>{t.database.kinds[b.kind]}</td>
                <td className="num">{formatBytes(b.bytes, locale)}</td>
                <td className="muted" title={b.path}>
                  {b.file_name}
                </td>
                <td>
                  <ConfirmButton
                    testId="backup-restore"
                    question={t.database.confirmRestore}
                    disabled={disabled}
                    onConfirm={() => onRestore(b.path)}
                  >
                    {t.database.restore}
                  </ConfirmButton>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {chosen == null ? (
        <div className="row-actions">
          <button
            type="button"
            data-testid="database-restore-file"
            disabled={disabled || choose.isPending}
            onClick={() => choose.mutate()}
          >
            {t.database.restoreFromFile}
          </button>
        </div>
      ) : (
        <div className="confirm" role="group" data-testid="database-restore-file-confirm">
          <span>
            {chosen}: {t.database.confirmRestore}
          </span>
          <button
            type="button"
            className="danger"
            data-testid="database-restore-file-yes"
            disabled={disabled}
            onClick={() => {
              setChosen(null);
              onRestore(chosen);
            }}
          >
            {t.common.yes}
          </button>
          <button type="button" onClick={() => setChosen(null)}>
            {t.common.no}
          </button>
        </div>
      )}
    </div>
  );
}

/** What a restore did, while the app restarts. */
export function RestoreOutcome({ report }: { report: RestoreReport }) {
  const { t } = useI18n();
  return (
    <div className="banner" role="status" data-testid="database-restarting">
      <p>{t.database.restored(report.restored_from)}</p>
      {report.previous != null && (
        <p>
          {report.previous_moved_aside
            ? t.database.previousMovedAside(report.previous)
            : t.database.previousKept(report.previous)}
        </p>
      )}
      <p>
        <strong>{t.database.restarting}</strong>
      </p>
    </div>
  );
}
