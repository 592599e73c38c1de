// How far an account's multi-page sync has got (the first sync reads many pages of history), while
// the engine reports it; gone once the run ends.
import { useI18n } from "../i18n";
import { useSyncProgress } from "../queries";

export function SyncProgressBar({ accountId }: { accountId: number }) {
  const { t } = useI18n();
  const progress = useSyncProgress(accountId);
  if (!progress) return null;
  const text = t.accounts.backfill(progress.pages_done, progress.pages_total);
  return (
    <div className="import-progress" role="status">
      <progress
        data-testid="sync-progress"
        data-account-id={accountId}
        value={progress.pages_done}
        max={progress.pages_total}
        aria-label={text}
      />
      <span>{text}</span>
    </div>
  );
}
