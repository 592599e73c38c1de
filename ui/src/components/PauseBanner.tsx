import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { AppSettings } from "../bindings/AppSettings";
import { formatDateTime } from "../format";
import { useI18n } from "../i18n";
import { keys, useSettings } from "../queries";
import { useNotices } from "./Notices";

/** Until when polling is paused; null when it is not. */
export function pausedUntil(s: AppSettings | undefined, now: Date): "resumed" | Date | null {
  if (!s) return null;
  if (s.sync_paused) return "resumed";
  const until = s.sync_paused_until ? new Date(s.sync_paused_until) : null;
  return until && until > now ? until : null;
}

/** A paused sync must never be forgotten: it stays on every screen until resumed. */
export function PauseBanner() {
  const { t, locale } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const settings = useSettings();
  const resume = useMutation({
    mutationFn: api.resumeSync,
    onSuccess: (s) => qc.setQueryData(keys.settings, s),
    onError: (e) => notices.error(e.message),
  });
  const until = pausedUntil(settings.data, new Date());
  if (!until) return null;
  return (
    <div className="banner banner-warning" data-testid="sync-paused" role="status">
      {until === "resumed" ? t.pause.pausedUntilResumed : t.pause.pausedUntil(formatDateTime(until.toISOString(), locale))}{" "}
      <button type="button" data-testid="sync-resume" disabled={resume.isPending} onClick={() => resume.mutate()}>
        {t.pause.resume}
      </button>
    </div>
  );
}

/** The pause choices, for the Settings screen. */
export function PauseButtons() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const pause = useMutation({
    mutationFn: api.pauseSync,
    onSuccess: (s) => qc.setQueryData(keys.settings, s),
    onError: (e) => notices.error(e.message),
  });
  return (
    <div className="row-actions">
      <button type="button" data-testid="sync-pause-hour" disabled={pause.isPending} onClick={() => pause.mutate(60)}>
        {t.pause.hour}
      </button>
      <button type="button" data-testid="sync-pause" disabled={pause.isPending} onClick={() => pause.mutate(null)}>
        {t.pause.untilResumed}
      </button>
    </div>
  );
}
