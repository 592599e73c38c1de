import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { api } from "../api";
import type { Account } from "../bindings/Account";
import type { CancelReasonOption } from "../bindings/CancelReasonOption";
import type { Condition } from "../bindings/Condition";
import type { PriceListView } from "../bindings/PriceListView";
import type { Rule } from "../bindings/Rule";
import type { RuleAction } from "../bindings/RuleAction";
import type { RuleOutcome } from "../bindings/RuleOutcome";
import type { RuleSet } from "../bindings/RuleSet";
import { ConfirmButton } from "../components/ConfirmButton";
import { OfferLabel } from "../components/LineDecision";
import { useNotices } from "../components/Notices";
import { useI18n } from "../i18n";
import { keys, refreshAfterDecision, useAccounts, useCancelReasons, usePriceLists, useRuleSet } from "../queries";
import {
  CONDITION_TYPES,
  actionChoice,
  actionOf,
  move,
  newCondition,
  newRule,
  normalised,
  parseList,
  ruleProblem,
  type ActionChoice,
  type ConditionType,
} from "../rules/draft";
import { reasonOptions } from "../accounts/cancelReasons";
import { integration } from "../integrations";

/** A rule with a key that survives reordering (new rules all have id 0 until saved). */
type EditedRule = { key: number; rule: Rule };
type Draft = { enabled: boolean; rules: EditedRule[] };

/** One account's automatic processing: its ordered rules, a dry run and applying them now. */
export function Rules({ accountId, onBack }: { accountId: number; onBack: () => void }) {
  const { t } = useI18n();
  const set = useRuleSet(accountId);
  const account = useAccounts().data?.find((a) => a.account.id === accountId)?.account;
  return (
    <section className="rules" data-testid="rules">
      <header className="screen-header">
        <button type="button" className="link" onClick={onBack}>
          ← {t.common.back}
        </button>
        <h1>{t.rules.title(account?.name ?? "")}</h1>
      </header>
      {set.isError && <p className="form-problem screen-text">{set.error.message}</p>}
      {set.data && <RulesEditor saved={set.data} account={account} />}
    </section>
  );
}

function RulesEditor({ saved, account }: { saved: RuleSet; account: Account | undefined }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const lists = usePriceLists();
  const nextKey = useRef(0);
  const withKeys = (set: RuleSet): Draft => ({
    enabled: set.enabled,
    rules: set.rules.map((rule) => ({ key: nextKey.current++, rule })),
  });
  const [draft, setDraft] = useState<Draft>(() => withKeys(saved));
  const [problem, setProblem] = useState<string | null>(null);
  const toSet = (d: Draft): RuleSet => ({
    account_id: saved.account_id,
    enabled: d.enabled,
    rules: d.rules.map((r) => normalised(r.rule)),
  });
  const dirty = JSON.stringify(toSet(draft)) !== JSON.stringify(saved);
  const builtInReasons = account ? integration(account.kind).cancelReasons : [];
  const reasons = useCancelReasons(
    account,
    draft.rules.some((r) => r.rule.action.type === "reject"),
  );

  const save = useMutation({
    mutationFn: api.saveRuleSet,
    onMutate: () => setProblem(null),
    onSuccess: (set) => {
      qc.setQueryData(keys.ruleSet(set.account_id), set);
      setDraft(withKeys(set));
      notices.info(t.rules.saved);
    },
    onError: (e) => setProblem(e.message),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = draft.rules.map((r) => ruleProblem(r.rule)).find((p) => p != null);
    if (bad) return setProblem(t.rules.problems[bad]);
    save.mutate(toSet(draft));
  };

  const setRules = (change: (rules: EditedRule[]) => EditedRule[]) => setDraft((d) => ({ ...d, rules: change(d.rules) }));
  const changeRule = (key: number, rule: Rule) => setRules((rules) => rules.map((r) => (r.key === key ? { key, rule } : r)));

  return (
    <form className="rules-body" onSubmit={submit} noValidate>
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="rules-enabled"
          checked={draft.enabled}
          onChange={(e) => setDraft((d) => ({ ...d, enabled: e.target.checked }))}
        />
        {t.rules.enabled}
      </label>
      <p className="hint">{t.rules.enabledHint}</p>
      {draft.rules.length === 0 && <p className="hint">{t.rules.empty}</p>}
      <ol className="rule-list">
        {draft.rules.map(({ key, rule }, index) => (
          <RuleCard
            key={key}
            rule={rule}
            index={index}
            count={draft.rules.length}
            lists={lists.data ?? []}
            reasons={reasons.data}
            builtInReasons={builtInReasons}
            onChange={(next) => changeRule(key, next)}
            onMove={(delta) => setRules((rules) => move(rules, index, delta))}
            onRemove={() => setRules((rules) => rules.filter((r) => r.key !== key))}
          />
        ))}
      </ol>
      <div className="form-actions">
        <button
          type="button"
          data-testid="rules-add"
          onClick={() =>
            setRules((rules) => [...rules, { key: nextKey.current++, rule: newRule(t.rules.newName(rules.length + 1)) }])
          }
        >
          {t.rules.add}
        </button>
        <button type="submit" className="primary" data-testid="rules-save" disabled={save.isPending || !dirty}>
          {save.isPending ? t.rules.saving : t.rules.save}
        </button>
        {dirty && (
          <span className="warning" data-testid="rules-unsaved">
            {t.rules.unsaved}
          </span>
        )}
      </div>
      {problem && (
        <p className="form-problem" role="alert">
          {problem}
        </p>
      )}
      <RulesTrial accountId={saved.account_id} dirty={dirty} />
    </form>
  );
}

function RuleCard(props: {
  rule: Rule;
  index: number;
  count: number;
  lists: PriceListView[];
  reasons: CancelReasonOption[] | undefined;
  builtInReasons: readonly number[];
  onChange: (rule: Rule) => void;
  onMove: (delta: number) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const { rule, index, count, onChange } = props;
  const problem = ruleProblem(rule);
  const setConditions = (conditions: Condition[]) => onChange({ ...rule, conditions });
  return (
    <li className={rule.enabled ? "rule-card" : "rule-card rule-off"} data-testid="rule" data-rule-id={rule.id}>
      <div className="rule-head">
        <span className="rule-number">{index + 1}.</span>
        <input
          className="grow"
          data-testid="rule-name"
          aria-label={t.rules.name}
          value={rule.name}
          onChange={(e) => onChange({ ...rule, name: e.target.value })}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="rule-enabled"
            checked={rule.enabled}
            onChange={(e) => onChange({ ...rule, enabled: e.target.checked })}
          />
          {t.rules.on}
        </label>
        <button
          type="button"
          data-testid="rule-up"
          aria-label={t.rules.up}
          title={t.rules.up}
          disabled={index === 0}
          onClick={() => props.onMove(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          data-testid="rule-down"
          aria-label={t.rules.down}
          title={t.rules.down}
          disabled={index === count - 1}
          onClick={() => props.onMove(1)}
        >
          ↓
        </button>
        <button type="button" className="danger" data-testid="rule-delete" onClick={props.onRemove}>
          {t.rules.remove}
        </button>
      </div>
      <div className="rule-part">
        <span className="rule-label">{t.rules.when}</span>
        <div className="rule-conditions">
          {rule.conditions.length === 0 && <span className="muted">{t.rules.always}</span>}
          <ul>
            {rule.conditions.map((c, i) => (
              <li key={`${i}-${c.type}`} className="condition" data-testid="condition" data-type={c.type}>
                <ConditionEditor
                  condition={c}
                  lists={props.lists}
                  onChange={(next) => setConditions(rule.conditions.map((old, j) => (j === i ? next : old)))}
                />
                <button
                  type="button"
                  className="link"
                  data-testid="condition-remove"
                  aria-label={t.rules.removeCondition}
                  title={t.rules.removeCondition}
                  onClick={() => setConditions(rule.conditions.filter((_, j) => j !== i))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          <select
            data-testid="rule-add-condition"
            aria-label={t.rules.addCondition}
            value=""
            onChange={(e) => {
              if (e.target.value) setConditions([...rule.conditions, newCondition(e.target.value as ConditionType)]);
            }}
          >
            <option value="">{t.rules.addCondition}</option>
            {CONDITION_TYPES.map((type) => (
              <option key={type} value={type}>
                {t.rules.conditions[type]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="rule-part">
        <span className="rule-label">{t.rules.then}</span>
        <ActionEditor
          action={rule.action}
          reasons={props.reasons}
          builtInReasons={props.builtInReasons}
          onChange={(action) => onChange({ ...rule, action })}
        />
      </div>
      {problem && <p className="form-problem">{t.rules.problems[problem]}</p>}
    </li>
  );
}

function ConditionEditor({
  condition: c,
  lists,
  onChange,
}: {
  condition: Condition;
  lists: PriceListView[];
  onChange: (c: Condition) => void;
}) {
  const { t } = useI18n();
  const title = <span className="condition-title">{t.rules.conditions[c.type]}</span>;
  switch (c.type) {
    case "offer_in_lists":
      return (
        <span className="condition-body">
          {title}
          {lists.length === 0 && <span className="hint">{t.rules.noLists}</span>}
          {lists.map((l) => (
            <label key={l.id} className="checkbox">
              <input
                type="checkbox"
                data-testid={`condition-list-${l.id}`}
                checked={c.list_ids.includes(l.id)}
                onChange={(e) =>
                  onChange({
                    ...c,
                    list_ids: e.target.checked ? [...c.list_ids, l.id] : c.list_ids.filter((id) => id !== l.id),
                  })
                }
              />
              {l.name}
            </label>
          ))}
          {lists.length > 0 && <span className="hint">{t.rules.anyList}</span>}
        </span>
      );
    case "stock_covers_quantity":
      return <span className="condition-body">{title}</span>;
    case "min_margin":
      return (
        <label className="condition-body">
          {title}
          <input
            data-testid="condition-margin"
            inputMode="decimal"
            size={6}
            value={c.percent}
            onChange={(e) => onChange({ ...c, percent: e.target.value })}
          />
          %
        </label>
      );
    case "max_delivery_days":
      return (
        <label className="condition-body">
          {title}
          <input
            type="number"
            min={0}
            data-testid="condition-days"
            className="short"
            value={Number.isNaN(c.days) ? "" : c.days}
            onChange={(e) => onChange({ ...c, days: e.target.value === "" ? Number.NaN : Number(e.target.value) })}
          />
          {t.rules.days}
        </label>
      );
    case "brand_in":
    case "brand_not_in":
      return (
        <label className="condition-body">
          {title}
          <ListInput testId="condition-brands" values={c.brands} onChange={(brands) => onChange({ ...c, brands })} />
          <span className="hint">{t.rules.commaSeparated}</span>
        </label>
      );
    case "region_in":
      return (
        <label className="condition-body">
          {title}
          <ListInput testId="condition-regions" values={c.regions} onChange={(regions) => onChange({ ...c, regions })} />
          <span className="hint">{t.rules.commaSeparated}</span>
        </label>
      );
  }
}

/** A comma-separated list that keeps what is typed ("Bosch, ") while the rule holds the parsed items. */
function ListInput({ values, onChange, testId }: { values: string[]; onChange: (v: string[]) => void; testId: string }) {
  const [text, setText] = useState(values.join(", "));
  // The items changed from outside (another condition took this one's place): show them.
  const shown = JSON.stringify(parseList(text)) === JSON.stringify(values) ? text : values.join(", ");
  return (
    <input
      className="grow"
      data-testid={testId}
      value={shown}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parseList(e.target.value));
      }}
    />
  );
}

function ActionEditor({
  action,
  reasons,
  builtInReasons,
  onChange,
}: {
  action: RuleAction;
  reasons: CancelReasonOption[] | undefined;
  /** The account's integration's documented reasons, offered until its own list is loaded. */
  builtInReasons: readonly number[];
  onChange: (a: RuleAction) => void;
}) {
  const { t } = useI18n();
  const choices: ActionChoice[] = ["accept_price", "accept_delivery", "reject", "leave"];
  return (
    <span className="condition-body">
      <select
        data-testid="rule-action"
        aria-label={t.rules.then}
        value={actionChoice(action)}
        onChange={(e) => onChange(actionOf(e.target.value as ActionChoice, action))}
      >
        {choices.map((c) => (
          <option key={c} value={c}>
            {t.rules.actions[c]}
          </option>
        ))}
      </select>
      {action.type === "reject" && (
        <>
          <label className="inline">
            {t.rules.reason}
            <select
              data-testid="rule-reject-reason"
              value={action.reason_id ?? ""}
              onChange={(e) => onChange({ ...action, reason_id: e.target.value === "" ? null : Number(e.target.value) })}
            >
              <option value="">{t.rules.accountReason}</option>
              {reasonOptions(
                reasons,
                action.reason_id ?? reasons?.[0]?.id ?? builtInReasons[0] ?? 0,
                t.cancelReasons,
                builtInReasons,
              ).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.id} — {r.title}
                </option>
              ))}
            </select>
          </label>
          <label className="inline">
            {t.rules.message}
            <input
              data-testid="rule-reject-message"
              value={action.message ?? ""}
              onChange={(e) => onChange({ ...action, message: e.target.value === "" ? null : e.target.value })}
            />
          </label>
        </>
      )}
    </span>
  );
}

/** Trying the saved rules on the inbox: a dry run changes nothing; Apply decides the lines now. */
function RulesTrial({ accountId, dirty }: { accountId: number; dirty: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const [shown, setShown] = useState<{ kind: "dry-run" | "applied"; outcomes: RuleOutcome[] } | null>(null);
  const dryRun = useMutation({
    mutationFn: () => api.dryRunRules(accountId),
    onSuccess: (outcomes) => setShown({ kind: "dry-run", outcomes }),
    onError: (e) => notices.error(e.message),
  });
  const apply = useMutation({
    mutationFn: () => api.applyRules(accountId),
    onSuccess: (outcomes) => {
      setShown({ kind: "applied", outcomes });
      notices.info(appliedText(outcomes));
    },
    onError: (e) => notices.error(e.message),
    onSettled: () => refreshAfterDecision(qc),
  });
  const appliedText = (outcomes: RuleOutcome[]) => {
    const done = outcomes.filter((o) => o.error == null);
    return t.rules.applied(
      done.filter((o) => o.decision.type === "accept").length,
      done.filter((o) => o.decision.type === "reject").length,
    );
  };
  const busy = dryRun.isPending || apply.isPending;
  return (
    <div className="panel-section rules-trial">
      <div className="form-actions">
        <button type="button" data-testid="rules-dry-run" disabled={dirty || busy} onClick={() => dryRun.mutate()}>
          {t.rules.dryRun}
        </button>
        <ConfirmButton testId="rules-apply" question={t.rules.confirmApply} disabled={dirty || busy} onConfirm={() => apply.mutate()}>
          {t.rules.apply}
        </ConfirmButton>
        {dirty && <span className="hint">{t.rules.saveFirst}</span>}
      </div>
      {shown?.kind === "dry-run" && <p className="hint">{t.rules.dryRunHint}</p>}
      {shown?.kind === "applied" && (
        <p className="test-ok" data-testid="rules-apply-result" role="status">
          {appliedText(shown.outcomes)}
        </p>
      )}
      {shown && shown.outcomes.length === 0 && <p className="hint">{t.rules.noOutcomes}</p>}
      {shown && shown.outcomes.length > 0 && <OutcomeTable outcomes={shown.outcomes} testId={`rules-${shown.kind}-table`} />}
    </div>
  );
}

function OutcomeTable({ outcomes, testId }: { outcomes: RuleOutcome[]; testId: string }) {
  const { t } = useI18n();
  const c = t.rules.columns;
  const anyError = outcomes.some((o) => o.error != null);
  return (
    <table className="grid" data-testid={testId}>
      <thead>
        <tr>
          <th>{c.line}</th>
          <th>{c.order}</th>
          <th>{c.rule}</th>
          <th>{c.action}</th>
          <th>{c.offer}</th>
          {anyError && <th>{c.problem}</th>}
        </tr>
      </thead>
      <tbody>
        {outcomes.map((o) => (
          <tr key={o.line_id} data-testid="rule-outcome" data-line-id={o.line_id} data-decision={o.decision.type}>
            <td>{o.line_name}</td>
            <td>{o.order_number}</td>
            <td>{o.decision.rule_name ?? <span className="muted">{t.rules.noRule}</span>}</td>
            <td>
              <span className={`state state-${o.decision.type}`}>{t.rules.outcome[o.decision.type]}</span>
            </td>
            <td>{o.offer && <OfferLabel offer={o.offer} />}</td>
            {anyError && <td className="error-text">{o.error}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
