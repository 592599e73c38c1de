import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, type Secrets } from "../api";
import type { Account } from "../bindings/Account";
import type { AccountDraft } from "../bindings/AccountDraft";
import type { AccountKind } from "../bindings/AccountKind";
import type { AccountSettings } from "../bindings/AccountSettings";
import type { ConnectionReport } from "../bindings/ConnectionReport";
import { useI18n } from "../i18n";
import { DEFAULT_KIND, INTEGRATIONS, integration } from "../integrations";
import { keys } from "../queries";

const DEFAULT_INTERVAL = 60;

/** The fields every account has; the integration's own are its settings (edited by its part of the form). */
type Common = {
  name: string;
  region: string;
  interval: string;
  /** Seconds per unit of `interval` (the account stores seconds). */
  intervalUnit: number;
  baseUrl: string;
};

const BLANK: Common = { name: "", region: "", interval: String(DEFAULT_INTERVAL), intervalUnit: 1, baseUrl: "" };

function commonOf(account: Account | null): Common {
  if (!account) return BLANK;
  return {
    ...BLANK,
    name: account.name,
    region: account.region,
    interval: String(account.interval_secs),
    baseUrl: account.base_url ?? "",
  };
}

/** Only the secrets the integration stores, and only those typed (empty keeps the stored one). */
function secretsFor(kind: AccountKind, typed: Secrets): Secrets {
  const out: Secrets = {};
  for (const name of integration(kind).accountForm.secrets) {
    const value = typed[name];
    if (value) out[name] = value;
  }
  return out;
}

const kindOf = (v: string): AccountKind => INTEGRATIONS.find((i) => i.kind === v)?.kind ?? DEFAULT_KIND;

function draftOf(c: Common, settings: AccountSettings, account: Account | null): AccountDraft {
  const form = integration(settings.kind).accountForm;
  // An API address typed for another kind before switching must not override a store's own address.
  const baseUrl = form.storeAddress ? "" : c.baseUrl.trim();
  return {
    name: c.name.trim(),
    region: c.region.trim(),
    active: account?.active ?? true,
    interval_secs: (Number.parseInt(c.interval, 10) || 0) * c.intervalUnit,
    base_url: baseUrl === "" ? null : baseUrl,
    settings: form.cleaned(settings),
  };
}

/** Where the account's keys go: its API address, the address it uses when none is typed (a
 * region's host), and the store's own address when the settings hold one. */
function keysDestination(baseUrl: string | null, settings: AccountSettings): string {
  const spec = integration(settings.kind);
  const store = spec.accountForm.storeAddress?.(settings) ?? "";
  return [baseUrl ?? "", spec.defaultBaseUrl(settings), store]
    .map((a) => a.trim().replace(/\/+$/, ""))
    .join(" ");
}

export function AccountForm({
  account,
  onDone,
  onCancel,
}: {
  account: Account | null;
  onDone: (account: Account) => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [c, setC] = useState<Common>(() => commonOf(account));
  const [kind, setKind] = useState<AccountKind>(account?.kind ?? DEFAULT_KIND);
  // Each kind's settings as edited, so that switching the kind of a new account loses nothing.
  const [edited, setEdited] = useState<Partial<Record<AccountKind, AccountSettings>>>(() =>
    account ? { [account.kind]: account.settings } : {},
  );
  const [typedSecrets, setTypedSecrets] = useState<Secrets>({});
  const [advanced, setAdvanced] = useState(() => Boolean(account?.base_url));
  const [problem, setProblem] = useState<string | null>(null);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const spec = integration(kind);
  const form = spec.accountForm;
  const settings = edited[kind] ?? form.blank();
  const set = <K extends keyof Common>(k: K, v: Common[K]) => {
    setC((old) => ({ ...old, [k]: v }));
    setReport(null);
  };
  const setSettings = (next: AccountSettings) => {
    setEdited((old) => ({ ...old, [next.kind]: next }));
    setReport(null);
  };
  const setSecrets = (next: Secrets) => {
    setTypedSecrets(next);
    setReport(null);
  };
  const secrets = secretsFor(kind, typedSecrets);
  const id = account?.id ?? null;
  const draft = () => draftOf(c, settings, account);
  // A new address gets none of the stored keys (the engine answers secrets_required): ask for them.
  const keysKept =
    account != null && keysDestination(draft().base_url, settings) === keysDestination(account.base_url, account.settings);

  const check = (): string | null => {
    if (!c.name.trim()) return t.form.required(t.form.name);
    return form.problem(settings, typedSecrets, !keysKept, t);
  };

  const test = useMutation({
    mutationFn: () => api.testConnection(draft(), secrets, id),
    onMutate: () => setReport(null),
    onSuccess: setReport,
    onError: (e) => setReport({ ok: false, message: e.message, expires_at: null }),
  });
  const save = useMutation({
    mutationFn: () => (id == null ? api.addAccount(draftOf(c, settings, null), secrets) : api.updateAccount(id, draft(), secrets)),
    onSuccess: async (saved) => {
      // Saving the first account also turns on start at login: Settings must not show the old value.
      await Promise.all([
        qc.invalidateQueries({ queryKey: keys.accounts }),
        qc.invalidateQueries({ queryKey: keys.settings }),
      ]);
      onDone(saved);
    },
    onError: (e) => setProblem(e.message),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const bad = check();
    setProblem(bad);
    if (!bad) save.mutate();
  };
  const runTest = () => {
    const bad = check();
    setProblem(bad);
    if (!bad) test.mutate();
  };

  const fields = { settings, onChange: setSettings, secrets: typedSecrets, onSecrets: setSecrets, account, keysKept };
  const { Credentials, Options } = form;
  return (
    <form className="account-form" data-testid="account-form" onSubmit={submit} noValidate>
      <h1>{account ? t.form.editTitle : form.title(t)}</h1>
      {!account && (
        <label>
          {t.form.marketplace}
          <select
            data-testid="account-kind"
            value={kind}
            onChange={(e) => {
              setKind(kindOf(e.target.value));
              setReport(null);
            }}
          >
            {INTEGRATIONS.map((i) => (
              <option key={i.kind} value={i.kind}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        {t.form.name}
        <input
          data-testid="account-name"
          value={c.name}
          placeholder={t.form.namePlaceholder}
          onChange={(e) => set("name", e.target.value)}
          autoFocus
        />
      </label>
      <Credentials key={`${kind}-credentials`} {...fields} />
      <label>
        {t.form.region}
        <input data-testid="account-region" value={c.region} onChange={(e) => set("region", e.target.value)} />
      </label>
      {/* A transfer target is never polled: it has no interval to set. */}
      {!spec.transferTarget && (
        <>
          <label>
            {t.form.interval}
            <input
              data-testid="account-interval"
              type="number"
              min={10}
              value={c.interval}
              onChange={(e) => set("interval", e.target.value)}
            />
          </label>
          <label>
            {t.form.intervalUnit}
            <select
              data-testid="account-interval-unit"
              value={c.intervalUnit}
              onChange={(e) => set("intervalUnit", Number(e.target.value))}
            >
              <option value={1}>{t.form.units.seconds}</option>
              <option value={60}>{t.form.units.minutes}</option>
              <option value={3600}>{t.form.units.hours}</option>
              <option value={86400}>{t.form.units.days}</option>
            </select>
          </label>
        </>
      )}
      {Options && <Options key={`${kind}-options`} {...fields} draft={draft} report={report} />}
      {!form.storeAddress && (
        <>
          <button
            type="button"
            className="link"
            data-testid="account-advanced"
            aria-expanded={advanced}
            onClick={() => setAdvanced((v) => !v)}
          >
            {advanced ? "▾" : "▸"} {t.form.advanced}
          </button>
          {advanced && (
            <label>
              {t.form.baseUrl}
              <input
                data-testid="account-base-url"
                value={c.baseUrl}
                placeholder={spec.defaultBaseUrl(settings)}
                onChange={(e) => set("baseUrl", e.target.value)}
              />
              <span className="hint">{t.form.baseUrlHint(spec.name)}</span>
            </label>
          )}
        </>
      )}
      {problem && (
        <p className="form-problem" role="alert">
          {problem}
        </p>
      )}
      {(report || test.isPending) && (
        <p
          className={report ? (report.ok ? "test-ok" : "test-failed") : "hint"}
          data-testid="account-test-result"
          role="status"
        >
          {report ? `${report.ok ? "✓" : "✗"} ${report.message}` : t.form.testing}
        </p>
      )}
      <div className="form-actions">
        <button type="button" data-testid="account-test" disabled={test.isPending} onClick={runTest}>
          {test.isPending ? t.form.testing : t.form.test}
        </button>
        <button type="submit" className="primary" data-testid="account-save" disabled={save.isPending}>
          {save.isPending ? t.form.saving : t.common.save}
        </button>
        <button type="button" onClick={onCancel}>
          {t.common.cancel}
        </button>
      </div>
    </form>
  );
}
