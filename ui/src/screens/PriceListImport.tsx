import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { api } from "../api";
import type { ImportOptions } from "../bindings/ImportOptions";
import type { ImportPreview } from "../bindings/ImportPreview";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { ListSettings } from "../bindings/ListSettings";
import type { PriceListView } from "../bindings/PriceListView";
import type { TextEncoding } from "../bindings/TextEncoding";
import { useNotices } from "../components/Notices";
import { PathField } from "../components/PathField";
import { useI18n } from "../i18n";
import {
  FIELDS,
  REQUIRED,
  assign,
  baseName,
  columnCount,
  complete,
  draftOf,
  fieldAt,
  isSpreadsheet,
  missing,
  type DraftMapping,
  type Field,
} from "../pricelist/mapping";
import { keys, useImportProgress, usePriceLists } from "../queries";

/** Everything left to detection from the file. */
const DETECT: ImportOptions = { delimiter: null, encoding: null, header: null };
const DELIMITERS = [",", ";", "\t", "|"];
/** Encoding names are the same in every language. */
const ENCODINGS: { value: TextEncoding; label: string }[] = [
  { value: "utf-8", label: "UTF-8" },
  { value: "cp1251", label: "Windows-1251 (CP1251)" },
];

/**
 * File → preview (columns confirmed) → import with progress → summary. A list imported before
 * remembers its columns, so re-importing the same supplier's file needs no preview.
 */
export function PriceListImport({ reimport }: { reimport: PriceListView | null }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const lists = usePriceLists();
  const [path, setPath] = useState("");
  const [name, setName] = useState(reimport?.name ?? "");
  /** What the manager changed by hand; null while the file's own (or the list's remembered) options apply. */
  const [requested, setRequested] = useState<ImportOptions | null>(null);
  const [previewed, setPreviewed] = useState<ImportPreview | null>(null);
  /** Columns picked by hand; null while the list's remembered or the guessed columns apply. */
  const [picked, setPicked] = useState<DraftMapping | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const pathInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (reimport) pathInput.current?.focus();
  }, [reimport]);

  const listName = name.trim() || baseName(path);
  const existing = lists.data?.find((l) => l.name === listName) ?? null;
  const mapping = picked ?? draftOf(existing?.settings.mapping ?? previewed?.mapping);

  const changePath = (next: string) => {
    setPath(next);
    // Another file may be written and laid out differently: what was read of this one no longer holds.
    setPreviewed(null);
    setRequested(null);
    setPicked(null);
    setProblem(null);
  };

  const choose = useMutation({
    mutationFn: api.choosePriceListFile,
    onSuccess: (chosen) => {
      if (chosen) changePath(chosen);
    },
    onError: (e) => notices.error(e.message),
  });

  const preview = useMutation({
    mutationFn: (options: ImportOptions) => api.previewPriceList(path.trim(), options),
    onMutate: () => setProblem(null),
    onSuccess: setPreviewed,
    onError: (e) => setProblem(e.message),
  });
  const runPreview = () => {
    if (!path.trim()) return setProblem(t.priceLists.needPath);
    preview.mutate(requested ?? existing?.settings.options ?? DETECT);
  };
  const changeOption = (patch: Partial<ImportOptions>) => {
    if (!previewed) return;
    const next = { ...previewed.options, ...patch };
    setRequested(next);
    preview.mutate(next);
  };

  const run = useMutation({
    mutationFn: (settings: ListSettings | null) => api.importPriceList(path.trim(), listName, settings),
    onMutate: () => {
      setProblem(null);
      qc.setQueryData(keys.importProgress, null);
    },
    onError: (e) => setProblem(e.message),
    onSettled: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: keys.priceLists }),
        qc.invalidateQueries({ queryKey: keys.offersAll }),
      ]),
  });

  // Why Import cannot run yet, if it cannot.
  const columns = complete(mapping);
  let blocker: string | null = null;
  if (!path.trim()) blocker = t.priceLists.needPath;
  else if (previewed && !columns) blocker = t.priceLists.missing(missing(mapping).map((f) => t.priceLists.fields[f]).join(", "));
  else if (!previewed && !existing) blocker = t.priceLists.needPreview;

  const startImport = (e: FormEvent) => {
    e.preventDefault();
    if (blocker) return setProblem(blocker);
    // Without a preview the engine reads the file with the list's remembered settings.
    run.mutate(previewed && columns ? { mapping: columns, options: previewed.options } : null);
  };

  return (
    <form className="panel-section import-form" data-testid="pricelist-import-form" onSubmit={startImport} noValidate>
      <h2>{t.priceLists.importTitle}</h2>
      <PathField
        label={t.priceLists.path}
        testId="pricelist-path"
        chooseTestId="pricelist-choose"
        inputRef={pathInput}
        value={path}
        placeholder={t.priceLists.pathPlaceholder}
        onChange={changePath}
        onChoose={() => choose.mutate()}
        choosing={choose.isPending}
        onKeyDown={(e) => {
          // Enter after typing the path of a file not previewed yet goes on to the preview, the next step.
          if (e.key === "Enter" && !previewed && !existing) {
            e.preventDefault();
            runPreview();
          }
        }}
      />
      <label>
        {t.priceLists.name}
        <input
          data-testid="pricelist-name"
          list="pricelist-names"
          value={name}
          placeholder={baseName(path)}
          onChange={(e) => setName(e.target.value)}
        />
        <datalist id="pricelist-names">
          {lists.data?.map((l) => <option key={l.id} value={l.name} />)}
        </datalist>
        {listName && (
          <span className="hint" data-testid="pricelist-name-hint">
            {existing ? t.priceLists.existingList : t.priceLists.newList}
            {existing && !previewed && ` ${t.priceLists.remembered}`}
          </span>
        )}
      </label>
      <div className="form-actions">
        <button type="button" data-testid="pricelist-preview" disabled={preview.isPending} onClick={runPreview}>
          {preview.isPending ? t.priceLists.previewing : t.priceLists.preview}
        </button>
        <button type="submit" className="primary" data-testid="pricelist-import" disabled={run.isPending || blocker != null}>
          {run.isPending ? t.priceLists.importing : t.priceLists.import}
        </button>
        {blocker && path.trim() && <span className="hint">{blocker}</span>}
      </div>
      {problem && (
        <p className="form-problem" role="alert" data-testid="pricelist-problem">
          {problem}
        </p>
      )}
      {previewed && (
        <>
          <ReadOptions path={path} options={previewed.options} disabled={preview.isPending} onChange={changeOption} />
          <p className="hint">{t.priceLists.previewHint}</p>
          <PreviewTable
            preview={previewed}
            mapping={mapping}
            onPick={(column, field) => setPicked(assign(mapping, column, field))}
          />
        </>
      )}
      {run.isPending && <ImportProgressBar list={listName} />}
      {run.data && <ImportSummaryView summary={run.data} />}
    </form>
  );
}

/** How the file is read; each change reads the preview again. */
function ReadOptions({
  path,
  options,
  disabled,
  onChange,
}: {
  path: string;
  options: ImportOptions;
  disabled: boolean;
  onChange: (patch: Partial<ImportOptions>) => void;
}) {
  const { t } = useI18n();
  const delimiters = options.delimiter && !DELIMITERS.includes(options.delimiter) ? [...DELIMITERS, options.delimiter] : DELIMITERS;
  return (
    <div className="field-row">
      {!isSpreadsheet(path) && (
        <>
          <label className="inline">
            {t.priceLists.delimiter}
            <select
              data-testid="pricelist-delimiter"
              value={options.delimiter ?? ""}
              disabled={disabled}
              onChange={(e) => onChange({ delimiter: e.target.value })}
            >
              {options.delimiter == null && <option value="" />}
              {delimiters.map((d) => (
                <option key={d} value={d}>
                  {d === "\t" ? "⇥" : d} {t.priceLists.delimiters[d] ?? ""}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            {t.priceLists.encoding}
            <select
              data-testid="pricelist-encoding"
              value={options.encoding ?? ""}
              disabled={disabled}
              onChange={(e) => onChange({ encoding: e.target.value as TextEncoding })}
            >
              {options.encoding == null && <option value="" />}
              {ENCODINGS.map((enc) => (
                <option key={enc.value} value={enc.value}>
                  {enc.label}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="pricelist-header"
          checked={options.header ?? false}
          disabled={disabled}
          onChange={(e) => onChange({ header: e.target.checked })}
        />
        {t.priceLists.header}
      </label>
    </div>
  );
}

/** The first rows under a row of pickers: what each column holds. */
function PreviewTable({
  preview,
  mapping,
  onPick,
}: {
  preview: ImportPreview;
  mapping: DraftMapping;
  onPick: (column: number, field: Field | null) => void;
}) {
  const { t } = useI18n();
  const columns = Array.from({ length: columnCount(preview) }, (_, i) => i);
  return (
    <div className="table-scroll">
      <table className="grid preview" data-testid="pricelist-preview-table">
        <thead>
          <tr>
            {columns.map((i) => (
              <th key={i}>
                <select
                  data-testid={`pricelist-mapping-${i}`}
                  aria-label={t.priceLists.column(i + 1)}
                  value={fieldAt(mapping, i) ?? ""}
                  onChange={(e) => onPick(i, e.target.value === "" ? null : (e.target.value as Field))}
                >
                  <option value="">{t.priceLists.notImported}</option>
                  {FIELDS.map((f) => (
                    <option key={f} value={f}>
                      {t.priceLists.fields[f]}
                      {REQUIRED.includes(f) ? " *" : ""}
                    </option>
                  ))}
                </select>
              </th>
            ))}
          </tr>
          <tr>
            {columns.map((i) => (
              <th key={i} className="muted">
                {preview.header?.[i] ?? t.priceLists.column(i + 1)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row, n) => (
            <tr key={n} data-testid="pricelist-preview-row">
              {columns.map((i) => (
                <td key={i}>{row[i] ?? ""}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImportProgressBar({ list }: { list: string }) {
  const { t } = useI18n();
  const progress = useImportProgress();
  // Another window's import of another list is not this one's progress.
  const mine = progress && progress.list === list ? progress : null;
  return (
    <div className="import-progress" data-testid="import-progress" role="status">
      {mine && mine.total > 0 ? <progress value={mine.done} max={mine.total} /> : <progress />}
      <span>{mine ? t.priceLists.progress(mine.rows) : t.priceLists.importing}</span>
    </div>
  );
}

/** What the import did, and which rows to fix in the file. */
function ImportSummaryView({ summary }: { summary: ImportSummary }) {
  const { t } = useI18n();
  const p = t.priceLists;
  return (
    <div className="import-summary" data-testid="import-summary" role="status">
      <h3>{p.summaryTitle(summary.list)}</h3>
      <dl className="facts">
        <dt>{p.rowsRead}</dt>
        <dd data-testid="summary-rows-read">{summary.rows_read}</dd>
        <dt>{p.offers}</dt>
        <dd data-testid="summary-offers">{summary.offers}</dd>
        <dt>{p.rejected}</dt>
        <dd data-testid="summary-rejected">{summary.rejected}</dd>
        {summary.reject_counts.map((c) => (
          <div key={c.code} className="facts-sub" data-testid="summary-reject-count" data-code={c.code}>
            <dt>{p.rejectCodes[c.code]}</dt>
            <dd>{c.count}</dd>
          </div>
        ))}
      </dl>
      {summary.rejects.length > 0 && (
        <>
          <h4>{p.firstRejected}</h4>
          <ul className="rejects">
            {summary.rejects.map((r) => (
              <li key={`${r.row}-${r.code}`} data-testid="summary-reject">
                {p.row(r.row)}: {p.rejectCodes[r.code]}
                {r.value !== "" && <span className="muted"> — «{r.value}»</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
