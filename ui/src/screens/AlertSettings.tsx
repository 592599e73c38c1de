import { useState } from "react";
import type { AlertKind } from "../bindings/AlertKind";
import type { AlertSettings as Alerts } from "../bindings/AlertSettings";
import type { Channels } from "../bindings/Channels";
import { useI18n } from "../i18n";

const KINDS: AlertKind[] = [
  "new_order",
  "buyer_cancelled",
  "push_failed",
  "sync_failing",
  "rule_rejected",
  "status_changed",
  "ship_by_near",
  "ship_by_overdue",
];
const CHANNELS: (keyof Channels)[] = ["popup", "sound", "in_app"];

/** Per-event channels, quiet hours and coalescing; every change is saved at once like the other settings. */
export function AlertSettings({
  alerts,
  disabled,
  onChange,
}: {
  alerts: Alerts;
  disabled: boolean;
  onChange: (next: Alerts) => void;
}) {
  const { t } = useI18n();
  const setChannel = (kind: AlertKind, channel: keyof Channels, on: boolean) =>
    onChange({ ...alerts, [kind]: { ...alerts[kind], [channel]: on } });
  const quiet = alerts.quiet_hours;
  return (
    <fieldset className="alert-settings" data-testid="alert-settings" disabled={disabled}>
      <legend>{t.alerts.title}</legend>
      <p className="hint">{t.alerts.hint}</p>
      <table className="grid">
        <thead>
          <tr>
            <th>{t.alerts.kind}</th>
            {CHANNELS.map((c) => (
              <th key={c}>{t.alerts.channels[c]}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {KINDS.map((kind) => (
            <tr key={kind}>
              <td>{t.alerts.kinds[kind]}</td>
              {CHANNELS.map((c) => (
                <td key={c}>
                  <input
                    type="checkbox"
                    data-testid={`alert-${kind}-${c}`}
                    aria-label={`${t.alerts.kinds[kind]}: ${t.alerts.channels[c]}`}
                    checked={alerts[kind][c]}
                    onChange={(e) => setChannel(kind, c, e.target.checked)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="inline-fields">
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="alert-quiet"
            checked={quiet != null}
            onChange={(e) => onChange({ ...alerts, quiet_hours: e.target.checked ? { from: "22:00", to: "08:00" } : null })}
          />
          {t.alerts.quiet}
        </label>
        {quiet && (
          <>
            <label className="inline">
              {t.alerts.quietFrom}
              <input
                type="time"
                data-testid="alert-quiet-from"
                value={quiet.from}
                onChange={(e) => e.target.value && onChange({ ...alerts, quiet_hours: { ...quiet, from: e.target.value } })}
              />
            </label>
            <label className="inline">
              {t.alerts.quietTo}
              <input
                type="time"
                data-testid="alert-quiet-to"
                value={quiet.to}
                onChange={(e) => e.target.value && onChange({ ...alerts, quiet_hours: { ...quiet, to: e.target.value } })}
              />
            </label>
          </>
        )}
      </div>
      <label className="inline">
        {t.alerts.failingMinutes}
        <WholeNumber
          testId="alert-failing-minutes"
          value={alerts.sync_failing_minutes}
          onCommit={(sync_failing_minutes) => onChange({ ...alerts, sync_failing_minutes })}
        />
      </label>
      <label className="inline">
        {t.alerts.shipByNearMinutes}
        <WholeNumber
          testId="alert-ship-by-minutes"
          value={alerts.ship_by_near_minutes}
          onCommit={(ship_by_near_minutes) => onChange({ ...alerts, ship_by_near_minutes })}
        />
      </label>
      <label className="inline">
        {t.alerts.coalesceSeconds}
        <WholeNumber
          testId="alert-coalesce-seconds"
          value={alerts.coalesce_seconds}
          onCommit={(coalesce_seconds) => onChange({ ...alerts, coalesce_seconds })}
        />
      </label>
    </fieldset>
  );
}

/** Saved when the field is left or Enter is pressed, not per keystroke (typing "30" is not "3" then "30"). */
function WholeNumber({ testId, value, onCommit }: { testId: string; value: number; onCommit: (n: number) => void }) {
  const [draft, setDraft] = useState<string | null>(null);
  const commit = () => {
    const n = Number.parseInt(draft ?? "", 10);
    if (draft != null && Number.isFinite(n) && n >= 0 && n !== value) onCommit(n);
    setDraft(null);
  };
  return (
    <input
      type="number"
      min={0}
      data-testid={testId}
      value={draft ?? String(value)}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === "Enter") commit();
      }}
    />
  );
}
