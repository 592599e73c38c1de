import { numberFormat } from "../intl";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError, api } from "../api";
import type { AppSettings } from "../bindings/AppSettings";
import type { CsvEncoding } from "../bindings/CsvEncoding";
import type { Delimiter } from "../bindings/Delimiter";
import type { ExportColumn } from "../bindings/ExportColumn";
import type { ExportOptions } from "../bindings/ExportOptions";
import type { ExportPreset } from "../bindings/ExportPreset";
import type { ExportSummary } from "../bindings/ExportSummary";
import type { OrderType } from "../bindings/OrderType";
import type { ExportPayment } from "../bindings/ExportPayment";
import type { Period } from "../bindings/Period";
import type { ShopStatus } from "../bindings/ShopStatus";
import { useNotices } from "../components/Notices";
import { PathField } from "../components/PathField";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import { keys, useSettings } from "../queries";
import { useExportProgress } from "./queries";
import { ORDER_TYPES, PAYMENT_METHODS } from "./viewState";
import { DEFAULT_EXPORT_COLUMNS, ITEM_COLUMNS, ORDER_COLUMNS, formatBytes } from "./words";

const PERIODS: readonly Period[] = ["month", "3months", "year", "all"];
const DELIMITERS: readonly Delimiter[] = ["comma", "semicolon", "tab"];
/** Encoding names are the same in every language. */
const ENCODINGS: { value: CsvEncoding; label: string }[] = [
  { value: "utf-8", label: "UTF-8" },
  { value: "cp1251", label: "Windows-1251 (CP1251)" },
];

export function defaultExportOptions(lang: ExportOptions["lang"]): ExportOptions {
  return {
    filter: { order_type: null, status_id: null, period: "all", payment: null, paid: null },
    delimiter: "comma",
    encoding: "utf-8",
    columns: [...DEFAULT_EXPORT_COLUMNS],
    lang,
  };
}

/** `orders-2026-11-23.csv`, today as the manager's calendar says. */
export function defaultFileName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `orders-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.csv`;
}

/** A column ticked on goes to the end; ticked off, it leaves. */
export function toggleColumn(columns: readonly ExportColumn[], column: ExportColumn): ExportColumn[] {
  return columns.includes(column) ? columns.filter((c) => c !== column) : [...columns, column];
}

export function moveColumn(columns: readonly ExportColumn[], column: ExportColumn, delta: -1 | 1): ExportColumn[] {
  const i = columns.indexOf(column);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= columns.length) return [...columns];
  const next = [...columns];
  [next[i], next[j]] = [next[j] as ExportColumn, next[i] as ExportColumn];
  return next;
}

/** Whether the typed path says where the file goes whatever the app's working folder is. */
export function isFullPath(path: string): boolean {
  return /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path);
}

const isExisting = (e: Error) => e instanceof ApiError && e.code === "needs_confirmation";
export const isCancelled = (e: Error) => e instanceof ApiError && e.words?.kind === "export_cancelled";

/**
 * Which orders and columns → where to save (typed, or from the file chooser) → progress (with Cancel) → summary with Open / Show in
 * folder. Named presets keep the options in the app's settings.
 */
export function ExportDialog({ statuses, onClose }: { statuses: readonly ShopStatus[] | undefined; onClose: () => void }) {
  const { t, lang, locale } = useI18n();
  const e = t.cabinet.export;
  const qc = useQueryClient();
  const notices = useNotices();
  const settings = useSettings();
  const presets = settings.data?.export_presets ?? [];
  const [options, setOptions] = useState<ExportOptions>(() => defaultExportOptions(lang));
  const [advanced, setAdvanced] = useState(false);
  const [presetName, setPresetName] = useState("");
  const [chosenPreset, setChosenPreset] = useState("");
  const [path, setPath] = useState("");
  const [pathProblem, setPathProblem] = useState<string | null>(null);
  const progress = useExportProgress();
  const setFilter = (patch: Partial<ExportOptions["filter"]>) => setOptions((o) => ({ ...o, filter: { ...o.filter, ...patch } }));

  const run = useMutation({
    mutationFn: ({ path, options, overwrite }: { path: string; options: ExportOptions; overwrite: boolean }) =>
      api.exportCsv(path, options, overwrite),
  });
  const cancel = useMutation({ mutationFn: api.cancelExport, onError: (err) => notices.error(err.message) });
  const changePath = (next: string) => {
    setPath(next);
    setPathProblem(null);
  };
  const choose = useMutation({
    mutationFn: () => api.chooseExportFile(path.trim() || defaultFileName(), e.fileFilter),
    onSuccess: (chosen) => {
      if (chosen) changePath(chosen);
    },
    onError: (err) => notices.error(err.message),
  });
  /** `overwrite`: the manager already agreed to replace an existing file (the system's chooser asks). */
  const exportTo = (target: string, overwrite: boolean) => {
    qc.setQueryData(keys.exportProgress, null);
    run.mutate({ path: target, options: { ...options, lang }, overwrite });
  };
  /** To the typed path; with none typed, the file chooser asks first. */
  const startExport = () => {
    const target = path.trim();
    if (target === "") {
      choose.mutate(undefined, { onSuccess: (chosen) => chosen && exportTo(chosen, true) });
    } else if (!isFullPath(target)) {
      setPathProblem(e.needFullPath);
    } else {
      exportTo(target, false);
    }
  };

  const savePresets = useMutation({
    mutationFn: async (change: (list: ExportPreset[]) => ExportPreset[]) => {
      // Read the settings as they are now: another window or screen may have changed them.
      const fresh = await qc.fetchQuery({ queryKey: keys.settings, queryFn: api.getSettings, staleTime: 0 });
      return api.saveSettings({ ...fresh, export_presets: change(fresh.export_presets) });
    },
    onSuccess: (saved: AppSettings) => qc.setQueryData(keys.settings, saved),
    onError: (err) => notices.error(err.message),
  });
  const savePreset = () => {
    const name = presetName.trim();
    if (!name) return;
    const preset: ExportPreset = { name, options: { ...options, lang } };
    savePresets.mutate((list) => [...list.filter((p) => p.name !== name), preset], {
      onSuccess: () => {
        notices.info(e.presetSaved(name));
        setChosenPreset(name);
      },
    });
  };
  const loadPreset = (name: string) => {
    setChosenPreset(name);
    const preset = presets.find((p) => p.name === name);
    if (!preset) return;
    setOptions({ ...preset.options, lang });
    setPresetName(name);
  };

  const running = run.isPending || choose.isPending;
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key === "Escape" && !running) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [running, onClose]);

  const columnBox = (c: ExportColumn) => (
    <label key={c} className="checkbox">
      <input
        type="checkbox"
        data-testid={`export-column-${c}`}
        checked={options.columns.includes(c)}
        disabled={running}
        onChange={() => setOptions((o) => ({ ...o, columns: toggleColumn(o.columns, c) }))}
      />
      {t.cabinet.exportColumns[c]}
    </label>
  );

  return (
    <div className="modal-backdrop">
      <div className="modal export-dialog" role="dialog" aria-modal="true" aria-labelledby="export-title" data-testid="export-dialog">
        <h2 id="export-title">{e.title}</h2>
        <div className="field-row">
          <label>
            <span>{e.orderType}</span>
            <select
              data-testid="export-order-type"
              value={options.filter.order_type ?? ""}
              disabled={running}
              onChange={(ev) => setFilter({ order_type: ev.target.value === "" ? null : (ev.target.value as OrderType) })}
            >
              <option value="">{e.anyType}</option>
              {ORDER_TYPES.map((o) => (
                <option key={o} value={o}>
                  {t.cabinet.orderTypes[o]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{e.status}</span>
            <select
              data-testid="export-status"
              value={options.filter.status_id ?? ""}
              disabled={running}
              onChange={(ev) => setFilter({ status_id: ev.target.value === "" ? null : Number(ev.target.value) })}
            >
              <option value="">{e.anyStatus}</option>
              {statuses && <StatusOptions statuses={statuses} />}
            </select>
          </label>
          <label>
            <span>{e.period}</span>
            <select
              data-testid="export-period"
              value={options.filter.period}
              disabled={running}
              onChange={(ev) => setFilter({ period: ev.target.value as Period })}
            >
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  {e.periods[p]}
                </option>
              ))}
            </select>
          </label>
        </div>

        <div className="field-row">
          <label>
            <span>{e.presets}</span>
            <select
              data-testid="export-preset"
              value={chosenPreset}
              disabled={running}
              onChange={(ev) => loadPreset(ev.target.value)}
            >
              <option value="">{e.choosePreset}</option>
              {presets.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            data-testid="export-preset-delete"
            disabled={chosenPreset === "" || running || savePresets.isPending}
            onClick={() => {
              const name = chosenPreset;
              savePresets.mutate((list) => list.filter((p) => p.name !== name), { onSuccess: () => setChosenPreset("") });
            }}
          >
            {e.deletePreset}
          </button>
        </div>

        <button
          type="button"
          className="link"
          aria-expanded={advanced}
          data-testid="export-advanced"
          onClick={() => setAdvanced((a) => !a)}
        >
          {advanced ? "▾" : "▸"} {e.advanced}
        </button>
        {advanced && (
          <div className="export-advanced">
            <div className="field-row">
              <label>
                <span>{e.delimiter}</span>
                <select
                  data-testid="export-delimiter"
                  value={options.delimiter}
                  disabled={running}
                  onChange={(ev) => setOptions((o) => ({ ...o, delimiter: ev.target.value as Delimiter }))}
                >
                  {DELIMITERS.map((d) => (
                    <option key={d} value={d}>
                      {e.delimiters[d]}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>{e.encoding}</span>
                <select
                  data-testid="export-encoding"
                  value={options.encoding}
                  disabled={running}
                  onChange={(ev) => setOptions((o) => ({ ...o, encoding: ev.target.value as CsvEncoding }))}
                >
                  {ENCODINGS.map((enc) => (
                    <option key={enc.value} value={enc.value}>
                      {enc.label}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                <span>{e.payment}</span>
                <select
                  data-testid="export-payment"
                  value={options.filter.payment ?? ""}
                  disabled={running}
                  onChange={(ev) => setFilter({ payment: ev.target.value === "" ? null : (ev.target.value as ExportPayment) })}
                >
                  <option value="">{e.anyPayment}</option>
                  {PAYMENT_METHODS.map((p) => (
                    <option key={p} value={p}>
                      {t.cabinet.payment[p]}
                    </option>
                  ))}
                  <option value="card">{t.cabinet.filters.card}</option>
                </select>
              </label>
              <label>
                <span>{e.paid}</span>
                <select
                  data-testid="export-paid"
                  value={options.filter.paid == null ? "" : options.filter.paid ? "yes" : "no"}
                  disabled={running}
                  onChange={(ev) => setFilter({ paid: ev.target.value === "" ? null : ev.target.value === "yes" })}
                >
                  <option value="">{e.any}</option>
                  <option value="yes">{t.common.yes}</option>
                  <option value="no">{t.common.no}</option>
                </select>
              </label>
            </div>
            <div className="export-columns">
              <fieldset>
                <legend>{e.orderColumns}</legend>
                {ORDER_COLUMNS.map(columnBox)}
              </fieldset>
              <fieldset>
                <legend>{e.itemColumns}</legend>
                {ITEM_COLUMNS.map(columnBox)}
              </fieldset>
              <fieldset>
                <legend>{e.columnOrder}</legend>
                <ol className="column-order" data-testid="export-column-order">
                  {options.columns.map((c, i) => (
                    <li key={c}>
                      <span>{t.cabinet.exportColumns[c]}</span>
                      <button
                        type="button"
                        className="link"
                        aria-label={`${e.up}: ${t.cabinet.exportColumns[c]}`}
                        disabled={i === 0 || running}
                        onClick={() => setOptions((o) => ({ ...o, columns: moveColumn(o.columns, c, -1) }))}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="link"
                        aria-label={`${e.down}: ${t.cabinet.exportColumns[c]}`}
                        disabled={i === options.columns.length - 1 || running}
                        onClick={() => setOptions((o) => ({ ...o, columns: moveColumn(o.columns, c, 1) }))}
                      >
                        ↓
                      </button>
                    </li>
                  ))}
                </ol>
              </fieldset>
            </div>
            <div className="field-row">
              <label className="grow">
                <span>{e.presetName}</span>
                <input
                  data-testid="export-preset-name"
                  value={presetName}
                  disabled={running}
                  onChange={(ev) => setPresetName(ev.target.value)}
                />
              </label>
              <button
                type="button"
                data-testid="export-preset-save"
                disabled={presetName.trim() === "" || running || savePresets.isPending}
                onClick={savePreset}
              >
                {e.savePreset}
              </button>
            </div>
          </div>
        )}

        <PathField
          label={e.saveTo}
          testId="export-path"
          chooseTestId="export-choose"
          value={path}
          placeholder={e.pathPlaceholder}
          disabled={running}
          onChange={changePath}
          onChoose={() => choose.mutate()}
          choosing={choose.isPending}
          onKeyDown={(ev) => {
            if (ev.key === "Enter" && options.columns.length > 0) {
              ev.preventDefault();
              startExport();
            }
          }}
        />
        {pathProblem && (
          <p className="form-problem" data-testid="export-path-problem" role="alert">
            {pathProblem}
          </p>
        )}
        {options.columns.length === 0 && <p className="form-problem">{e.noColumns}</p>}
        {running && (
          <div className="import-progress" data-testid="export-progress" role="status">
            {progress && progress.total > 0 ? <progress value={progress.done} max={progress.total} /> : <progress />}
            <span>{progress ? e.progress(progress.done, progress.total) : e.running}</span>
            <button type="button" data-testid="export-cancel" disabled={!run.isPending || cancel.isPending} onClick={() => cancel.mutate()}>
              {e.cancel}
            </button>
          </div>
        )}
        {run.isError &&
          (isExisting(run.error) ? (
            <div className="warning" data-testid="export-exists" role="alert">
              <span>{e.exists(run.variables.path)}</span>
              <button type="button" data-testid="export-replace" disabled={running} onClick={() => exportTo(run.variables.path, true)}>
                {e.replace}
              </button>
            </div>
          ) : isCancelled(run.error) ? (
            <p className="warning" data-testid="export-cancelled" role="status">
              {e.cancelled}
            </p>
          ) : (
            <p className="form-problem" data-testid="export-error" role="alert">
              {run.error.message}
            </p>
          ))}
        {run.data && <ExportDone summary={run.data} locale={locale} />}

        <div className="form-actions">
          <button
            type="button"
            className="primary"
            data-testid="export-start"
            disabled={running || options.columns.length === 0}
            onClick={startExport}
          >
            {e.start}
          </button>
          <button type="button" data-testid="export-close" disabled={running} onClick={onClose}>
            {t.common.close}
          </button>
        </div>
      </div>
    </div>
  );
}

function ExportDone({ summary, locale }: { summary: ExportSummary; locale: string }) {
  const { t } = useI18n();
  const e = t.cabinet.export;
  const notices = useNotices();
  const number = numberFormat(locale);
  const act = (what: Promise<null>) => what.catch((err: Error) => notices.error(err.message));
  return (
    <div className="import-summary" data-testid="export-done" role="status">
      <h3>{e.done}</h3>
      <dl className="facts">
        <dt>{e.file}</dt>
        <dd data-testid="export-done-path">{summary.path}</dd>
        <dt>{e.orders}</dt>
        <dd>{number.format(summary.orders)}</dd>
        <dt>{e.rows}</dt>
        <dd>{number.format(summary.rows)}</dd>
        <dt>{e.size}</dt>
        <dd>{formatBytes(summary.bytes, locale)}</dd>
      </dl>
      {summary.replaced_chars > 0 && (
        <p className="warning" data-testid="export-replaced">
          {e.replaced(summary.replaced_chars)}
        </p>
      )}
      <div className="form-actions">
        <button type="button" data-testid="export-open-file" onClick={() => void act(api.openExport(summary.path))}>
          {e.openFile}
        </button>
        <button type="button" data-testid="export-show-folder" onClick={() => void act(api.showExportInFolder(summary.path))}>
          {e.showInFolder}
        </button>
      </div>
    </div>
  );
}
