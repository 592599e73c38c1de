import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api } from "../api";
import type { AppSettings } from "../bindings/AppSettings";
import type { RetentionSettings as Retention } from "../bindings/RetentionSettings";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { keys } from "../queries";

/** The periods the engine accepts (`RETENTION_MIN_DAYS` / `RETENTION_MAX_DAYS` in core/src/settings.rs). */
export const MIN_DAYS = 7;
export const MAX_DAYS = 3650;

/** The tables the retention pass prunes, in the order the form lists them. */
const PERIODS = ["done_outbox_days", "sync_runs_days", "intake_requests_days", "account_events_days"] as const;
type Period = (typeof PERIODS)[number];
/** The form as typed: each period stays text until it is checked. */
type Draft = Record<Period, string>;

const toDraft = (r: Retention): Draft => ({
  done_outbox_days: String(r.done_outbox_days),
  sync_runs_days: String(r.sync_runs_days),
  intake_requests_days: String(r.intake_requests_days),
  account_events_days: String(r.account_events_days),
});

/** A whole number of days within the allowed range, or null. */
function daysOf(text: string): number | null {
  if (!/^\d{1,5}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= MIN_DAYS && n <= MAX_DAYS ? n : null;
}

/**
 * Settings: how many days the bookkeeping tables keep their rows before the retention pass (every
 * few hours) removes them. Saved with the Save button, all periods at once.
 */
export function RetentionSettings({ settings }: { settings: AppSettings }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const saved = settings.retention;
  const [draft, setDraft] = useState<Draft>(() => toDraft(saved));
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (retention: Retention) => api.saveSettings({ ...settings, retention }),
    onMutate: () => setProblem(null),
    onSuccess: (stored) => {
      qc.setQueryData(keys.settings, stored);
      setDraft(toDraft(stored.retention));
      notices.info(t.retention.saved);
    },
    onError: (e) => setProblem(e.message),
  });
  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(saved));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { ...saved };
    for (const period of PERIODS) {
      const days = daysOf(draft[period]);
      if (days == null) {
        setProblem(t.retention.badDays(t.retention.periods[period], MIN_DAYS, MAX_DAYS));
        return;
      }
      next[period] = days;
    }
    save.mutate(next);
  };

  return (
    <form className="panel-section retention-settings" data-testid="retention-settings" onSubmit={submit} noValidate>
      <h2>{t.retention.title}</h2>
      <p className="hint">{t.retention.hint(MIN_DAYS, MAX_DAYS)}</p>
      <p className="hint" data-testid="retention-kept">
        {t.retention.kept}
      </p>
      {PERIODS.map((period) => (
        <label className="inline" key={period}>
          {t.retention.periods[period]}
          <input
            data-testid={`retention-${period}`}
            inputMode="numeric"
            size={6}
            value={draft[period]}
            aria-invalid={problem != null && daysOf(draft[period]) == null}
            onChange={(e) => {
              setProblem(null);
              setDraft((d) => ({ ...d, [period]: e.target.value }));
            }}
          />
          {t.retention.days}
        </label>
      ))}
      {problem && (
        <p className="form-problem" role="alert" data-testid="retention-problem">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="retention-save" disabled={!dirty || save.isPending}>
          {t.retention.save}
        </button>
      </div>
    </form>
  );
}
