import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { api } from "../api";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusGroup } from "../bindings/StatusGroup";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { keys, useShopStatuses } from "../queries";
import { move } from "../rules/draft";
import { GROUPS, builtInName, forSaving, newStatus } from "../statuses/statuses";

/** A status with a key that survives reordering (new statuses all have id 0 until saved). */
type EditedStatus = { key: number; status: ShopStatus };

/** Settings: the statuses an accepted line moves through, in workflow order, each in a group. */
export function ShopStatuses() {
  const { t } = useI18n();
  const statuses = useShopStatuses();
  return (
    <div className="panel-section statuses" data-testid="statuses">
      <h2>{t.statuses.title}</h2>
      <p className="hint">{t.statuses.hint}</p>
      {statuses.isError && <p className="form-problem">{statuses.error.message}</p>}
      {statuses.data && <StatusesEditor saved={statuses.data} />}
    </div>
  );
}

function StatusesEditor({ saved }: { saved: ShopStatus[] }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const nextKey = useRef(0);
  const withKeys = (list: ShopStatus[]): EditedStatus[] => list.map((status) => ({ key: nextKey.current++, status }));
  const [draft, setDraft] = useState<EditedStatus[]>(() => withKeys(saved));
  const [problem, setProblem] = useState<string | null>(null);
  const writesOffHint = useId();
  const toSave = forSaving(draft.map((d) => d.status));
  const dirty = JSON.stringify(toSave) !== JSON.stringify(forSaving(saved));

  const save = useMutation({
    mutationFn: api.saveShopStatuses,
    onMutate: () => setProblem(null),
    onSuccess: (list) => {
      qc.setQueryData(keys.shopStatuses, list);
      setDraft(withKeys(list));
      notices.info(t.statuses.saved);
      // Lines and push settings show statuses by name.
      void qc.invalidateQueries({ queryKey: keys.orderAll });
      void qc.invalidateQueries({ queryKey: keys.pushSettingsAll });
    },
    onError: (e) => setProblem(e.message),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(toSave);
  };
  const change = (key: number, patch: Partial<ShopStatus>) =>
    setDraft((all) => all.map((d) => (d.key === key ? { key, status: { ...d.status, ...patch } } : d)));

  return (
    <form className="statuses-body" onSubmit={submit} noValidate>
      <ol className="status-list">
        {draft.map(({ key, status }, index) => (
          <li key={key} className="status-row" data-testid="status-row" data-status-id={status.id}>
            <span className="rule-number">{index + 1}.</span>
            <input
              className="grow"
              data-testid="status-name"
              aria-label={t.statuses.name}
              // A built-in status shows its own name until the shop types another.
              placeholder={builtInName(status.code, t) || t.statuses.namePlaceholder}
              value={status.name}
              onChange={(e) => change(key, { name: e.target.value })}
            />
            <select
              data-testid="status-group"
              aria-label={t.statuses.group}
              value={status.group}
              onChange={(e) => change(key, { group: e.target.value as StatusGroup })}
            >
              {GROUPS.map((g) => (
                <option key={g} value={g}>
                  {t.statuses.groups[g]}
                </option>
              ))}
            </select>
            <label className="checkbox">
              <input
                type="checkbox"
                data-testid="status-writes-off"
                aria-describedby={writesOffHint}
                checked={status.writes_off}
                onChange={(e) => change(key, { writes_off: e.target.checked })}
              />
              {t.statuses.writesOff}
            </label>
            <button
              type="button"
              data-testid="status-up"
              aria-label={t.statuses.up}
              title={t.statuses.up}
              disabled={index === 0}
              onClick={() => setDraft((all) => move(all, index, -1))}
            >
              ↑
            </button>
            <button
              type="button"
              data-testid="status-down"
              aria-label={t.statuses.down}
              title={t.statuses.down}
              disabled={index === draft.length - 1}
              onClick={() => setDraft((all) => move(all, index, 1))}
            >
              ↓
            </button>
            <button
              type="button"
              className="danger"
              data-testid="status-remove"
              onClick={() => setDraft((all) => all.filter((d) => d.key !== key))}
            >
              {t.statuses.remove}
            </button>
          </li>
        ))}
      </ol>
      <p className="hint" id={writesOffHint}>
        {t.statuses.writesOffHint}
      </p>
      <div className="form-actions">
        <button
          type="button"
          data-testid="statuses-add"
          onClick={() => setDraft((all) => [...all, { key: nextKey.current++, status: newStatus() }])}
        >
          {t.statuses.add}
        </button>
        <button type="submit" className="primary" data-testid="statuses-save" disabled={save.isPending || !dirty}>
          {save.isPending ? t.statuses.saving : t.statuses.save}
        </button>
        {dirty && (
          <span className="warning" data-testid="statuses-unsaved">
            {t.statuses.unsaved}
          </span>
        )}
      </div>
      {problem && (
        <p className="form-problem" role="alert" data-testid="statuses-problem">
          {problem}
        </p>
      )}
    </form>
  );
}
