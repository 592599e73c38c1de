import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api } from "../api";
import type { IntakeSettings as Settings } from "../bindings/IntakeSettings";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";

const settingsKey = ["intake-settings"] as const;
const statusKey = ["intake-status"] as const;
const BINDS = ["127.0.0.1", "0.0.0.0"] as const;

/** The form as typed: the numbers stay text until they are checked. */
type Draft = { enabled: boolean; bind: string; port: string; public_url: string; preorder_link_days: string };

const toDraft = (s: Settings): Draft => ({ ...s, port: String(s.port), preorder_link_days: String(s.preorder_link_days) });

/** `MAX_PREORDER_LINK_DAYS` in core/src/intake.rs (the engine refuses more). */
const MAX_LINK_DAYS = 90;

/** A whole number from `min` to `max` as typed, or null. */
function wholeIn(text: string, min: number, max: number): number | null {
  if (!/^\d{1,6}$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

/**
 * Settings: the order intake, the HTTP address marketplaces that push orders deliver to.
 * Saving starts, moves or stops it at once; the line under the form says whether it listens now,
 * or why it could not start.
 */
export function IntakeSettings() {
  const { t } = useI18n();
  const settings = useQuery({ queryKey: settingsKey, queryFn: api.intakeSettings });
  return (
    <div className="panel-section intake-settings" data-testid="intake-settings">
      <h2>{t.intake.title}</h2>
      <p className="hint">{t.intake.hint}</p>
      {settings.isError && <p className="form-problem">{settings.error.message}</p>}
      {settings.data && <IntakeForm saved={settings.data} />}
    </div>
  );
}

function IntakeForm({ saved }: { saved: Settings }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const [draft, setDraft] = useState<Draft>(() => toDraft(saved));
  const [problem, setProblem] = useState<string | null>(null);
  // While it listens, the refusal counters move: look again now and then.
  const status = useQuery({
    queryKey: statusKey,
    queryFn: api.intakeStatus,
    refetchInterval: (q) => (q.state.data?.listening ? 15_000 : false),
  });

  const save = useMutation({
    mutationFn: api.saveIntakeSettings,
    onMutate: () => setProblem(null),
    onSuccess: (stored) => {
      qc.setQueryData(settingsKey, stored);
      setDraft(toDraft(stored));
      notices.info(t.intake.saved);
    },
    onError: (e) => {
      setProblem(e.message);
      // A start that failed still keeps the settings (the app tries them again at its next start).
      void qc.invalidateQueries({ queryKey: settingsKey });
    },
    // Failed or not, the server may have stopped or moved; the accounts' addresses show its port.
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: statusKey });
      void qc.invalidateQueries({ queryKey: ["intake-address"] });
    },
  });

  const change = (patch: Partial<Draft>) => {
    setProblem(null);
    setDraft((d) => ({ ...d, ...patch }));
  };
  const dirty = JSON.stringify(draft) !== JSON.stringify(toDraft(saved));
  const listening = status.data?.listening ?? null;
  const error = status.data?.error ?? null;
  const refusals = status.data
    ? { refused: status.data.refused, limited: status.data.rate_limited, away: status.data.turned_away }
    : null;
  const anyRefused = refusals != null && refusals.refused + refusals.limited + refusals.away > 0;
  // Saving again unchanged retries a start that failed (the port may be free now).
  const canSave = !save.isPending && (dirty || (saved.enabled && listening == null));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const port = wholeIn(draft.port, 1, 65535);
    if (port == null) {
      setProblem(t.intake.badPort);
      return;
    }
    const days = wholeIn(draft.preorder_link_days, 1, MAX_LINK_DAYS);
    if (days == null) {
      setProblem(t.intake.badLinkDays(MAX_LINK_DAYS));
      return;
    }
    save.mutate({ ...draft, port, public_url: draft.public_url.trim(), preorder_link_days: days });
  };

  return (
    <form className="intake-form" onSubmit={submit} noValidate>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="intake-enabled"
          checked={draft.enabled}
          onChange={(e) => change({ enabled: e.target.checked })}
        />
        {t.intake.enabled}
      </label>
      <label className="inline">
        {t.intake.bind}
        <select data-testid="intake-bind" value={draft.bind} onChange={(e) => change({ bind: e.target.value })}>
          {/* A bind stored some other way (an older ordertray-cli serve) stays choosable as it is. */}
          {!(BINDS as readonly string[]).includes(draft.bind) && <option value={draft.bind}>{draft.bind}</option>}
          <option value="127.0.0.1">{t.intake.bindLocal}</option>
          <option value="0.0.0.0">{t.intake.bindAll}</option>
        </select>
      </label>
      {draft.bind === "0.0.0.0" && <p className="hint">{t.intake.bindAllHint}</p>}
      <label className="inline">
        {t.intake.port}
        <input
          data-testid="intake-port"
          inputMode="numeric"
          size={6}
          value={draft.port}
          onChange={(e) => change({ port: e.target.value })}
        />
      </label>
      <label>
        {t.intake.publicUrl}
        <input
          data-testid="intake-public-url"
          type="url"
          placeholder="https://orders.example.com"
          value={draft.public_url}
          onChange={(e) => change({ public_url: e.target.value })}
        />
        <span className="hint">{t.intake.publicUrlHint}</span>
      </label>
      <label className="inline">
        {t.intake.linkDays}
        <input
          data-testid="intake-link-days"
          inputMode="numeric"
          size={4}
          value={draft.preorder_link_days}
          onChange={(e) => change({ preorder_link_days: e.target.value })}
        />
      </label>
      <p className="hint">{t.intake.linkDaysHint}</p>
      <p
        className={listening ? "test-ok" : "hint"}
        data-testid="intake-state"
        data-listening={listening ?? ""}
        aria-live="polite"
      >
        {listening ? `✓ ${t.intake.listening(listening)}` : saved.enabled ? t.intake.notListening : t.intake.off}
      </p>
      {refusals && (listening || anyRefused) && (
        <p className="hint" data-testid="intake-refused">
          {t.intake.refused(refusals.refused, refusals.limited, refusals.away)}
        </p>
      )}
      {error && (
        <p className="form-problem" role="alert" data-testid="intake-error">
          {t.intake.failed} {error}
        </p>
      )}
      {problem && problem !== error && (
        <p className="form-problem" role="alert" data-testid="intake-problem">
          {problem}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="intake-save" disabled={!canSave}>
          {t.intake.save}
        </button>
      </div>
    </form>
  );
}
