import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, useState, type FormEvent } from "react";
import { api } from "../api";
import type { InboxLine } from "../bindings/InboxLine";
import type { IncomingStatus } from "../bindings/IncomingStatus";
import type { PushCapabilities } from "../bindings/PushCapabilities";
import type { PushLevel } from "../bindings/PushLevel";
import type { PushProblem } from "../bindings/PushProblem";
import type { PushSettings } from "../bindings/PushSettings";
import type { PushTemplates } from "../bindings/PushTemplates";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusPush } from "../bindings/StatusPush";
import { useNotices } from "../components/Notices";
import { StatusOptions } from "../components/StatusOptions";
import { useI18n } from "../i18n";
import type { Messages } from "../i18n/en";
import { keys, useAccounts, usePreviewLines, usePushSettings, useShopStatuses } from "../queries";
import { fieldProblemsOf, pushProblemsOf, unplaced, type TemplateField } from "../pushes/problems";
import { firstInGroup, statusName } from "../statuses/statuses";
import { DEFAULT_KIND, integration } from "../integrations";

/** The variables a comment may use, in the order the help lists them. */
const VARIABLES = ["order", "line", "brand", "article", "name", "qty", "price", "status", "tracking", "reason"] as const;

/** A row with a key that survives removing the rows above it. */
type EditedPush = { key: number; push: StatusPush };
type Draft = Omit<PushTemplates, "pushes"> & { pushes: EditedPush[] };

/** One account's status updates: what its marketplace is told as lines are decided and move through statuses. */
export function StatusPushes({ accountId, onBack }: { accountId: number; onBack: () => void }) {
  const { t } = useI18n();
  const settings = usePushSettings(accountId);
  const statuses = useShopStatuses();
  const account = useAccounts().data?.find((a) => a.account.id === accountId)?.account;
  const market = integration(account?.kind ?? DEFAULT_KIND);
  const error = settings.error ?? statuses.error;
  return (
    <section className="pushes" data-testid="pushes">
      <header className="screen-header">
        <button type="button" className="link" onClick={onBack}>
          ← {t.common.back}
        </button>
        <h1>{t.pushes.title(account?.name ?? "")}</h1>
      </header>
      {error && <p className="form-problem screen-text">{error.message}</p>}
      {settings.data && statuses.data && (
        <PushEditor saved={settings.data} statuses={statuses.data} market={market.name} marketStatuses={market.orderStatuses} />
      )}
    </section>
  );
}

function PushEditor({
  saved,
  statuses,
  market,
  marketStatuses,
}: {
  saved: PushSettings;
  statuses: ShopStatus[];
  market: string;
  /** The integration's own status words, when the account has no list loaded from it. */
  marketStatuses: readonly string[];
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const nextKey = useRef(0);
  const withKeys = (tpl: PushTemplates): Draft => ({
    ...tpl,
    pushes: tpl.pushes.map((push) => ({ key: nextKey.current++, push })),
  });
  const [draft, setDraft] = useState<Draft>(() => withKeys(saved.templates));
  const [problem, setProblem] = useState<string | null>(null);
  const toTemplates = (d: Draft): PushTemplates => ({
    ...d,
    accepted_status: d.accepted_status.trim(),
    refusal_status: d.refusal_status.trim(),
    pushes: d.pushes.map(({ push }) => ({ ...push, marketplace_status: push.marketplace_status.trim() })),
    incoming: d.incoming
      .map((m) => ({ ...m, marketplace_status: m.marketplace_status.trim() }))
      .filter((m) => m.marketplace_status !== ""),
  });
  const setIncoming = (i: number, patch: Partial<IncomingStatus>) =>
    setDraft((d) => ({ ...d, incoming: d.incoming.map((m, j) => (j === i ? { ...m, ...patch } : m)) }));
  const templates = toTemplates(draft);
  const dirty = JSON.stringify(templates) !== JSON.stringify(toTemplates(withoutKeys(saved.templates)));
  const caps = saved.capabilities;
  const { problems } = saved;
  const lines = usePreviewLines(saved.account_id);
  const [previewLineId, setPreviewLineId] = useState<number | null>(null);
  const previewLine = lines.data?.find((l) => l.line.id === previewLineId) ?? lines.data?.[0];
  const ids = { line: useId(), order: useId(), any: useId(), incoming: useId() };

  const save = useMutation({
    mutationFn: (tpl: PushTemplates) => api.savePushSettings(saved.account_id, tpl),
    onMutate: () => setProblem(null),
    onSuccess: (next) => {
      qc.setQueryData(keys.pushSettings(next.account_id), next);
      setDraft(withKeys(next.templates));
      notices.info(t.pushes.saved);
    },
    onError: (e) => setProblem(e.message),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(templates);
  };
  // Fresh codes from the marketplace; the edits on screen stay as they are.
  const load = useMutation({
    mutationFn: () => api.loadMarketplaceStatuses(saved.account_id),
    onSuccess: (next) => {
      qc.setQueryData(keys.pushSettings(next.account_id), next);
      notices.info(t.pushes.statusesLoaded(market, next.capabilities.line_statuses.length));
    },
    onError: (e) => notices.error(e.message),
  });
  const set = (patch: Partial<Omit<PushTemplates, "pushes">>) => setDraft((d) => ({ ...d, ...patch }));
  const setPush = (key: number, patch: Partial<StatusPush>) =>
    setDraft((d) => ({ ...d, pushes: d.pushes.map((p) => (p.key === key ? { key, push: { ...p.push, ...patch } } : p)) }));
  const fieldProblems = (field: TemplateField) => fieldProblemsOf(problems, field, templates);
  const preview = { line: previewLine, loading: lines.isLoading };
  const firstStatus = statuses[0];
  const c = t.pushes.columns;

  return (
    <form className="pushes-body" onSubmit={submit} noValidate>
      <p className="hint">{t.pushes.intro}</p>
      <p className="hint" data-testid="push-capabilities">
        {capabilitiesText(caps, market, t)}
      </p>
      {saved.loads_statuses && (
        <p className="field-row" data-testid="push-dictionary">
          {caps.line_statuses.length === 0 && <span className="warning">{t.pushes.noStatusesYet(market)}</span>}
          <button type="button" data-testid="push-load-statuses" disabled={load.isPending} onClick={() => load.mutate()}>
            {load.isPending ? t.pushes.loadingStatuses : t.pushes.loadStatuses(market)}
          </button>
        </p>
      )}
      <ProblemList problems={unplaced(problems, saved.templates, caps)} level={null} market={market} statuses={statuses} />
      <datalist id={ids.line}>
        <MarketStatusOptions values={caps.line_statuses} labels={caps.labels} />
      </datalist>
      <datalist id={ids.order}>
        <MarketStatusOptions values={caps.order_statuses} labels={caps.labels} />
      </datalist>
      <datalist id={ids.any}>
        <MarketStatusOptions values={[...new Set([...caps.line_statuses, ...caps.order_statuses])]} labels={caps.labels} />
      </datalist>

      <fieldset className="push-group">
        <legend>{t.pushes.onAccept}</legend>
        <MarketStatusField
          testId="push-accepted-status"
          list={ids.any}
          value={draft.accepted_status}
          onChange={(accepted_status) => set({ accepted_status })}
          problems={fieldProblems("accepted_status")}
          market={market}
        />
        <CommentField
          testId="push-accepted-notice"
          label={t.pushes.comment}
          value={draft.accepted_notice}
          onChange={(accepted_notice) => set({ accepted_notice })}
          problems={fieldProblems("accepted_notice")}
          market={market}
          statusId={firstInGroup(statuses, "new")?.id}
          preview={preview}
        />
      </fieldset>
      <fieldset className="push-group">
        <legend>{t.pushes.onRefusal}</legend>
        <MarketStatusField
          testId="push-refusal-status"
          list={ids.any}
          value={draft.refusal_status}
          onChange={(refusal_status) => set({ refusal_status })}
          problems={fieldProblems("refusal_status")}
          market={market}
        />
        <CommentField
          testId="push-refusal-text"
          label={t.pushes.comment}
          value={draft.refusal_text}
          onChange={(refusal_text) => set({ refusal_text })}
          problems={fieldProblems("refusal_text")}
          market={market}
          statusId={firstInGroup(statuses, "refused")?.id}
          preview={preview}
        />
      </fieldset>
      <label className="inline">
        {t.pushes.buyerCancel}
        <select
          data-testid="push-buyer-cancel-status"
          value={draft.buyer_cancel_status_id ?? ""}
          onChange={(e) => set({ buyer_cancel_status_id: e.target.value === "" ? null : Number(e.target.value) })}
        >
          <option value="">{t.pushes.buyerCancelNone}</option>
          <StatusOptions statuses={statuses} />
        </select>
      </label>

      <h2>{t.pushes.incomingTitle}</h2>
      <p className="hint">{t.pushes.incomingHint}</p>
      <datalist id={ids.incoming}>
        {(marketStatuses.length > 0 ? marketStatuses : Object.keys(caps.labels)).map((code) => (
          <option key={code} value={code}>
            {caps.labels[code] ?? code}
          </option>
        ))}
      </datalist>
      {draft.incoming.length > 0 && (
        <table className="grid push-table" data-testid="incoming-table">
          <thead>
            <tr>
              <th>{t.pushes.incomingMarketStatus}</th>
              <th>{t.pushes.incomingShopStatus}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {draft.incoming.map((m, i) => (
              <tr key={i} data-testid="incoming-row">
                <td>
                  <input
                    data-testid="incoming-marketplace-status"
                    aria-label={t.pushes.incomingMarketStatus}
                    list={ids.incoming}
                    value={m.marketplace_status}
                    onChange={(e) => setIncoming(i, { marketplace_status: e.target.value })}
                  />
                </td>
                <td>
                  <select
                    data-testid="incoming-status"
                    aria-label={t.pushes.incomingShopStatus}
                    value={m.status_id}
                    onChange={(e) => setIncoming(i, { status_id: Number(e.target.value) })}
                  >
                    <StatusOptions statuses={statuses} />
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    data-testid="incoming-remove"
                    onClick={() => setDraft((d) => ({ ...d, incoming: d.incoming.filter((_, j) => j !== i) }))}
                  >
                    {t.pushes.remove}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div className="form-actions">
        <button
          type="button"
          data-testid="incoming-add"
          disabled={!firstStatus}
          onClick={() =>
            firstStatus &&
            setDraft((d) => ({ ...d, incoming: [...d.incoming, { marketplace_status: "", status_id: firstStatus.id }] }))
          }
        >
          {t.pushes.incomingAdd}
        </button>
      </div>

      <h2>{t.pushes.perStatus}</h2>
      <p className="hint">{t.pushes.levelHint}</p>
      {draft.pushes.length === 0 && <p className="hint">{t.pushes.empty}</p>}
      {draft.pushes.length > 0 && (
        <table className="grid push-table">
          <thead>
            <tr>
              <th>{c.status}</th>
              <th>{c.level}</th>
              <th>{c.marketStatus}</th>
              <th>{c.comment}</th>
              <th />
            </tr>
          </thead>
          {draft.pushes.map(({ key, push }) => (
            <PushRow
              key={key}
              push={push}
              statuses={statuses}
              lists={ids}
              problems={pushProblemsOf(problems, push, caps)}
              market={market}
              preview={preview}
              onChange={(patch) => setPush(key, patch)}
              onRemove={() => setDraft((d) => ({ ...d, pushes: d.pushes.filter((p) => p.key !== key) }))}
            />
          ))}
        </table>
      )}
      <div className="form-actions">
        <button
          type="button"
          data-testid="pushes-add"
          disabled={!firstStatus}
          onClick={() =>
            firstStatus &&
            setDraft((d) => ({
              ...d,
              pushes: [
                ...d.pushes,
                { key: nextKey.current++, push: { status_id: firstStatus.id, level: "line", marketplace_status: "", comment: "" } },
              ],
            }))
          }
        >
          {t.pushes.add}
        </button>
      </div>

      <VariablesHelp lines={lines.data ?? []} chosen={previewLine} onChoose={setPreviewLineId} />

      <div className="form-actions">
        <button type="submit" className="primary" data-testid="pushes-save" disabled={save.isPending || !dirty}>
          {save.isPending ? t.pushes.saving : t.pushes.save}
        </button>
        {dirty && (
          <span className="warning" data-testid="pushes-unsaved">
            {t.pushes.unsaved}
          </span>
        )}
      </div>
      {problem && (
        <p className="form-problem" role="alert" data-testid="pushes-error">
          {problem}
        </p>
      )}
    </form>
  );
}

function withoutKeys(tpl: PushTemplates): Draft {
  return { ...tpl, pushes: tpl.pushes.map((push) => ({ key: 0, push })) };
}

/** The line previews are filled from, and whether it is still being looked for. */
type Preview = { line: InboxLine | undefined; loading: boolean };

function PushRow(props: {
  push: StatusPush;
  statuses: ShopStatus[];
  lists: { line: string; order: string };
  problems: PushProblem[];
  market: string;
  preview: Preview;
  onChange: (patch: Partial<StatusPush>) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const { push, onChange } = props;
  return (
    // A body per row keeps the row's problems beside it and lets tests find both together.
    <tbody data-testid="push-row" data-status-id={push.status_id} data-level={push.level}>
      <tr>
        <td>
          <select
            data-testid="push-status"
            aria-label={t.pushes.columns.status}
            value={push.status_id}
            onChange={(e) => onChange({ status_id: Number(e.target.value) })}
          >
            <StatusOptions statuses={props.statuses} />
          </select>
        </td>
        <td>
          <select
            data-testid="push-level"
            aria-label={t.pushes.columns.level}
            value={push.level}
            onChange={(e) => onChange({ level: e.target.value as PushLevel })}
          >
            {(["line", "order"] as const).map((level) => (
              <option key={level} value={level}>
                {t.pushes.levels[level]}
              </option>
            ))}
          </select>
        </td>
        <td>
          <input
            data-testid="push-marketplace-status"
            aria-label={t.pushes.columns.marketStatus}
            list={props.lists[push.level]}
            placeholder={t.pushes.noMarketStatus}
            value={push.marketplace_status}
            onChange={(e) => onChange({ marketplace_status: e.target.value })}
          />
        </td>
        <td>
          <CommentField
            testId="push-comment"
            label={t.pushes.columns.comment}
            value={push.comment}
            onChange={(comment) => onChange({ comment })}
            problems={[]}
            market={props.market}
            statusId={push.status_id}
            preview={props.preview}
          />
        </td>
        <td>
          <button type="button" className="danger" data-testid="push-remove" onClick={props.onRemove}>
            {t.pushes.remove}
          </button>
        </td>
      </tr>
      {props.problems.length > 0 && (
        <tr className="push-row-problems">
          <td colSpan={5}>
            <ProblemList problems={props.problems} level={push.level} market={props.market} statuses={null} />
          </td>
        </tr>
      )}
    </tbody>
  );
}

function MarketStatusOptions({ values, labels }: { values: string[]; labels: PushCapabilities["labels"] }) {
  const { t } = useI18n();
  return (
    <>
      {values.map((v) => (
        <option key={v} value={v}>
          {marketStatusName(v, labels, t)}
        </option>
      ))}
    </>
  );
}

/** A marketplace status by its name: the account's own list (loaded from the marketplace), else our words for it. */
function marketStatusName(code: string, labels: PushCapabilities["labels"], t: Messages): string {
  return labels[code] ?? t.pushes.marketStatuses[code] ?? code;
}

function MarketStatusField(props: {
  testId: string;
  list: string;
  value: string;
  onChange: (value: string) => void;
  problems: PushProblem[];
  market: string;
}) {
  const { t } = useI18n();
  return (
    <div className="push-field">
      <label className="inline">
        {t.pushes.marketStatus}
        <input
          data-testid={props.testId}
          list={props.list}
          placeholder={t.pushes.noMarketStatus}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </label>
      <ProblemList problems={props.problems} level={null} market={props.market} statuses={null} />
    </div>
  );
}

/** A comment template with its Preview, filled from a real line with the draft's text. */
function CommentField(props: {
  testId: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  problems: PushProblem[];
  market: string;
  statusId: number | undefined;
  preview: Preview;
}) {
  const { t } = useI18n();
  // What was previewed, and for which text: editing the text hides a preview that no longer fits it.
  const [shown, setShown] = useState<{ template: string; text: string; ok: boolean } | null>(null);
  const { line } = props.preview;
  const { statusId } = props;
  const run = useMutation({
    mutationFn: (v: { lineId: number; statusId: number; template: string }) =>
      api.previewTemplate(v.lineId, v.statusId, v.template),
    onSuccess: (text, v) => setShown({ template: v.template, text, ok: true }),
    onError: (e, v) => setShown({ template: v.template, text: e.message, ok: false }),
  });
  const previewNow = () => {
    if (!line) return setShown({ template: props.value, text: t.pushes.noLine, ok: false });
    if (statusId != null) run.mutate({ lineId: line.line.id, statusId, template: props.value });
  };
  const result = shown?.template === props.value ? shown : null;
  return (
    <div className="push-field">
      <label>
        <span className={props.testId === "push-comment" ? "sr-only" : undefined}>{props.label}</span>
        <textarea
          data-testid={props.testId}
          rows={2}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </label>
      <div className="push-preview">
        <button
          type="button"
          data-testid="push-preview"
          disabled={props.value.trim() === "" || statusId == null || props.preview.loading || run.isPending}
          onClick={previewNow}
        >
          {t.pushes.preview}
        </button>
        {result?.ok && (
          <span className="preview-text" data-testid="push-preview-text">
            {result.text}
          </span>
        )}
        {result && !result.ok && (
          <span className="error-text" data-testid="push-preview-error">
            {result.text}
          </span>
        )}
      </div>
      <ProblemList problems={props.problems} level={null} market={props.market} statuses={null} />
    </div>
  );
}

/**
 * What the marketplace cannot honour, in words. `level` is the row's (null outside the table);
 * with `statuses` each problem also names the status it is about (for problems no row shows).
 */
function ProblemList(props: { problems: PushProblem[]; level: PushLevel | null; market: string; statuses: ShopStatus[] | null }) {
  const { t } = useI18n();
  if (props.problems.length === 0) return null;
  return (
    <ul className="push-problems">
      {props.problems.map((p, i) => {
        const text = problemText(p, props.level, props.market, t);
        const status = props.statuses?.find((s) => s.id === p.status_id);
        return (
          <li key={i} className="warning" data-testid="push-problem" data-type={p.type}>
            {status ? `${statusName(status, t)}: ${text}` : text}
          </li>
        );
      })}
    </ul>
  );
}

function problemText(p: PushProblem, level: PushLevel | null, market: string, t: Messages): string {
  const w = t.pushes.problems;
  switch (p.type) {
    case "unsupported_status":
      if (level === "line") return w.unsupportedForLines(market, p.marketplace_status);
      if (level === "order") return w.unsupportedForOrder(market, p.marketplace_status);
      return w.unsupported(market, p.marketplace_status);
    case "no_comments":
      return w.noComments(market);
    case "no_level":
      return p.level === "line" ? w.noLineLevel(market) : w.noOrderLevel(market);
    case "bad_template": {
      const braces = (names: string[]) => names.map((n) => `{${n}}`).join(", ");
      const parts = [
        p.error.unknown.length > 0 ? w.unknownVariables(braces(p.error.unknown)) : null,
        p.error.missing.length > 0 ? w.missingVariables(braces(p.error.missing)) : null,
        p.error.unbalanced_at != null ? w.unbalanced(p.error.unbalanced_at + 1) : null,
      ];
      return w.badTemplate(parts.filter((s) => s != null).join("; "));
    }
  }
}

function capabilitiesText(caps: PushCapabilities, market: string, t: Messages): string {
  const named = (values: string[]) =>
    values.length === 0 ? t.pushes.nothing : values.map((v) => `«${marketStatusName(v, caps.labels, t)}» (${v})`).join(", ");
  return t.pushes.capabilities(market, named(caps.line_statuses), named(caps.order_statuses), caps.comments);
}

/** The variables a comment may use, and the line Preview fills them from. */
function VariablesHelp(props: { lines: InboxLine[]; chosen: InboxLine | undefined; onChoose: (id: number) => void }) {
  const { t } = useI18n();
  return (
    <div className="push-variables" data-testid="push-variables">
      <h2>{t.pushes.variablesTitle}</h2>
      <dl className="facts">
        {VARIABLES.map((v) => (
          <div key={v} className="facts-sub">
            <dt>
              <code>{`{${v}}`}</code>
            </dt>
            <dd>{t.pushes.variables[v]}</dd>
          </div>
        ))}
      </dl>
      <p className="hint">{t.pushes.braces}</p>
      {props.lines.length === 0 ? (
        <p className="hint">{t.pushes.noLine}</p>
      ) : (
        <label className="inline">
          {t.pushes.previewWith}
          <select
            data-testid="preview-line"
            value={props.chosen?.line.id ?? ""}
            onChange={(e) => props.onChoose(Number(e.target.value))}
          >
            {props.lines.map((l) => (
              <option key={l.line.id} value={l.line.id}>
                {l.order_number} — {l.line.name}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
