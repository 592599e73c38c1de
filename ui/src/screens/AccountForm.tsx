import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { api, type Secrets } from "../api";
import type { Account } from "../bindings/Account";
import type { AccountDraft } from "../bindings/AccountDraft";
import type { AccountKind } from "../bindings/AccountKind";
import type { AccountSettings } from "../bindings/AccountSettings";
import type { CancelReasonOption } from "../bindings/CancelReasonOption";
import type { ConnectionReport } from "../bindings/ConnectionReport";
import { useI18n } from "../i18n";
import { keys } from "../queries";
import { DEFAULT_OZON_OPTIONS, OzonOptions, ozonOptionsOf, type OzonOptionFields } from "./OzonOptions";
import { GettzapIntake } from "./GettzapIntake";

/** Seller reasons Ozon documents for FBS cancels; 402 needs a comment. */
export const CANCEL_REASONS = [352, 400, 402] as const;
const OTHER_REASON = 402;
const DEFAULT_INTERVAL = 60;
/** ZZAP allows one request per 3 seconds (core: ZZAP_MIN_INTERVAL_MS). */
const ZZAP_INTERVAL_MS = 3000;
/** The Gettzap statuses a new account starts with (core: GETTZAP_DEFAULT_STATUSES, an assumption). */
export const GETTZAP_STATUSES = ["accepted", "in_work", "shipped", "issued", "refused"];
/** Statuses that mean Gettzap's buyer cancelled (core's GETTZAP_DEFAULT_CANCEL_STATUSES). */
export const GETTZAP_CANCEL_STATUSES = ["cancelled", "canceled", "cancel", "отменен", "отменён", "отказ покупателя"];

type Fields = {
  kind: AccountKind;
  name: string;
  region: string;
  clientId: string;
  apiKey: string;
  interval: string;
  cancelReason: number;
  cancelMessage: string;
  shipOnAccept: boolean;
  ozon: OzonOptionFields;
  /** Seconds per unit of `interval` (the account stores seconds). */
  intervalUnit: number;
  baseUrl: string;
  login: string;
  password: string;
  importCodes: string;
  cancelCodes: string;
  /** Gettzap: its statuses, and those meaning its buyer cancelled, separated by ";". */
  statuses: string;
  cancelStatuses: string;
};

/** A ";"-separated list as typed (Gettzap's statuses may hold spaces). */
const listOf = (text: string): string[] =>
  text
    .split(";")
    .map((v) => v.trim())
    .filter(Boolean);

const codesOf = (text: string): string[] =>
  text
    .split(/[;,\s]+/)
    .map((c) => c.trim())
    .filter(Boolean);

/** A new account's form: every kind's fields with their defaults. */
const BLANK: Fields = {
  kind: "ozon",
  name: "",
  region: "",
  clientId: "",
  apiKey: "",
  interval: String(DEFAULT_INTERVAL),
  cancelReason: 352,
  cancelMessage: "",
  shipOnAccept: true,
  ozon: DEFAULT_OZON_OPTIONS,
  intervalUnit: 1,
  baseUrl: "",
  login: "",
  password: "",
  importCodes: "",
  cancelCodes: "",
  statuses: GETTZAP_STATUSES.join(";"),
  cancelStatuses: GETTZAP_CANCEL_STATUSES.join(";"),
};

/** A saved account's form: its kind's fields from its settings; secrets empty (kept unless typed). */
function fieldsOf(account: Account | null): Fields {
  if (!account) return BLANK;
  const s = account.settings;
  const saved: Fields = {
    ...BLANK,
    kind: s.kind,
    name: account.name,
    region: account.region,
    interval: String(account.interval_secs),
    baseUrl: account.base_url ?? "",
    statuses: "",
  };
  switch (s.kind) {
    case "zzap":
      return {
        ...saved,
        login: s.login,
        importCodes: s.import_codes.join(";"),
        cancelCodes: s.buyer_cancel_codes.join(";"),
      };
    case "gettzap":
      return {
        ...saved,
        login: s.login,
        statuses: s.statuses.join(";"),
        cancelStatuses: s.cancel_statuses.join(";"),
      };
    case "ozon":
      return {
        ...saved,
        clientId: s.client_id,
        cancelReason: s.cancel_reason_id,
        cancelMessage: s.cancel_reason_message,
        shipOnAccept: s.ship_on_accept,
        ozon: ozonOptionsOf(s),
      };
  }
}

function settingsOf(f: Fields, account: Account | null): AccountSettings {
  const before = account?.settings;
  if (f.kind === "zzap") {
    const kept = before?.kind === "zzap" ? before : null;
    return {
      kind: "zzap",
      login: f.login.trim(),
      import_codes: codesOf(f.importCodes),
      buyer_cancel_codes: codesOf(f.cancelCodes),
      min_request_interval_ms: kept?.min_request_interval_ms ?? ZZAP_INTERVAL_MS,
      password_env: kept?.password_env ?? null,
      api_key_env: kept?.api_key_env ?? null,
    };
  }
  if (f.kind === "gettzap") {
    const kept = before?.kind === "gettzap" ? before : null;
    return {
      kind: "gettzap",
      login: f.login.trim(),
      statuses: listOf(f.statuses),
      cancel_statuses: listOf(f.cancelStatuses),
      password_env: kept?.password_env ?? null,
      api_key_env: kept?.api_key_env ?? null,
      intake_token_env: kept?.intake_token_env ?? null,
    };
  }
  return {
    kind: "ozon",
    client_id: f.clientId.trim(),
    cancel_reason_id: f.cancelReason,
    cancel_reason_message: f.cancelMessage.trim(),
    ship_on_accept: f.shipOnAccept,
    api_key_env: before?.kind === "ozon" ? before.api_key_env : null,
    ...f.ozon,
    source_label: f.ozon.source_label.trim(),
  };
}

/** What a secret field holds; only what was typed is sent (empty keeps the stored one). */
function secretsOf(f: Fields): Secrets {
  const out: Secrets = {};
  if (f.apiKey) out.api_key = f.apiKey;
  if ((f.kind === "zzap" || f.kind === "gettzap") && f.password) out.password = f.password;
  return out;
}

const kindOf = (v: string): AccountKind => (v === "zzap" || v === "gettzap" ? v : "ozon");

export function draftOf(f: Fields, account: Account | null): AccountDraft {
  return {
    name: f.name.trim(),
    region: f.region.trim(),
    active: account?.active ?? true,
    interval_secs: (Number.parseInt(f.interval, 10) || 0) * f.intervalUnit,
    base_url: f.baseUrl.trim() === "" ? null : f.baseUrl.trim(),
    settings: settingsOf(f, account),
  };
}

/** Ozon's current list when loaded, else the documented seller reasons; the chosen one always stays. */
export function reasonOptions(
  loaded: CancelReasonOption[] | undefined,
  chosen: number,
  builtInTitles: Record<number, string>,
): CancelReasonOption[] {
  const list = loaded?.length ? loaded : CANCEL_REASONS.map((id) => ({ id, title: builtInTitles[id] ?? "" }));
  return list.some((r) => r.id === chosen) ? list : [...list, { id: chosen, title: builtInTitles[chosen] ?? "?" }];
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
  const [f, setF] = useState<Fields>(() => fieldsOf(account));
  const [advanced, setAdvanced] = useState(() => Boolean(account?.base_url));
  const [problem, setProblem] = useState<string | null>(null);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const set = <K extends keyof Fields>(k: K, v: Fields[K]) => {
    setF((old) => ({ ...old, [k]: v }));
    setReport(null);
  };
  const secrets = secretsOf(f);
  const zzap = f.kind === "zzap";
  const gettzap = f.kind === "gettzap";
  const ozon = f.kind === "ozon";
  const id = account?.id ?? null;
  // A new address gets none of the stored keys (the engine answers secrets_required): ask for them.
  const sameAddress = (f.baseUrl.trim().replace(/\/+$/, "") || null) === (account?.base_url ?? null);
  const keysKept = account != null && sameAddress;

  const check = (): string | null => {
    if (!f.name.trim()) return t.form.required(t.form.name);
    if (gettzap) {
      if (!f.login.trim()) return t.form.required(t.form.gettzapLogin);
      if (!keysKept && !f.password) return t.form.required(t.form.gettzapPassword);
      if (!keysKept && !f.apiKey) return t.form.required(t.form.gettzapApiKey);
      return null;
    }
    if (zzap) {
      if (!f.login.trim()) return t.form.required(t.form.zzapLogin);
      if (!keysKept && !f.password) return t.form.required(t.form.zzapPassword);
      if (!keysKept && !f.apiKey) return t.form.required(t.form.zzapApiKey);
      return null;
    }
    if (!f.clientId.trim()) return t.form.required(t.form.clientId);
    if (!keysKept && !f.apiKey) return t.form.required(t.form.apiKey);
    if (f.cancelReason === OTHER_REASON && !f.cancelMessage.trim()) return t.form.cancelMessageRequired;
    return null;
  };

  // Ozon's own list replaces the built-in one once the key is known to work (or stored already).
  const reasons = useMutation({ mutationFn: () => api.cancelReasons(draftOf(f, account), secrets, id) });
  const loadReasons = reasons.mutate;
  useEffect(() => {
    if (account && account.kind === "ozon") loadReasons();
  }, [account, loadReasons]);
  const test = useMutation({
    mutationFn: () => api.testConnection(draftOf(f, account), secrets, id),
    onMutate: () => setReport(null),
    onSuccess: (r) => {
      setReport(r);
      if (r.ok && ozon) reasons.mutate();
    },
    onError: (e) => setReport({ ok: false, message: e.message, expires_at: null }),
  });
  const save = useMutation({
    mutationFn: () =>
      id == null ? api.addAccount(draftOf(f, null), secrets) : api.updateAccount(id, draftOf(f, account), secrets),
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

  return (
    <form className="account-form" data-testid="account-form" onSubmit={submit} noValidate>
      <h1>{account ? t.form.editTitle : zzap ? t.form.zzapTitle : gettzap ? t.form.gettzapTitle : t.form.addTitle}</h1>
      {!account && (
        <label>
          {t.form.marketplace}
          <select
            data-testid="account-kind"
            value={f.kind}
            onChange={(e) => set("kind", kindOf(e.target.value))}
          >
            <option value="ozon">Ozon</option>
            <option value="zzap">ZZAP</option>
            <option value="gettzap">Gettzap</option>
          </select>
        </label>
      )}
      <label>
        {t.form.name}
        <input
          data-testid="account-name"
          value={f.name}
          placeholder={t.form.namePlaceholder}
          onChange={(e) => set("name", e.target.value)}
          autoFocus
        />
      </label>
      {zzap || gettzap ? (
        <>
          <TextField
            label={zzap ? t.form.zzapLogin : t.form.gettzapLogin}
            testId="account-login"
            type={zzap ? "email" : "text"}
            value={f.login}
            onChange={(v) => set("login", v)}
          />
          <SecretField
            label={zzap ? t.form.zzapPassword : t.form.gettzapPassword}
            testId="account-password"
            value={f.password}
            stored={keysKept}
            onChange={(v) => set("password", v)}
          />
          <SecretField
            label={zzap ? t.form.zzapApiKey : t.form.gettzapApiKey}
            testId="account-api-key"
            value={f.apiKey}
            stored={keysKept}
            hint={t.form.apiKeyHint}
            onChange={(v) => set("apiKey", v)}
          />
          {zzap ? (
            <>
              <TextField
                label={t.form.zzapImportCodes}
                testId="account-import-codes"
                value={f.importCodes}
                onChange={(v) => set("importCodes", v)}
              />
              <TextField
                label={t.form.zzapCancelCodes}
                testId="account-cancel-codes"
                value={f.cancelCodes}
                hint={t.form.zzapCodesHint}
                onChange={(v) => set("cancelCodes", v)}
              />
            </>
          ) : (
            <>
              <TextField
                label={t.form.gettzapStatuses}
                testId="account-gettzap-statuses"
                value={f.statuses}
                hint={t.form.gettzapStatusesHint}
                onChange={(v) => set("statuses", v)}
              />
              <TextField
                label={t.form.gettzapCancelStatuses}
                testId="account-gettzap-cancel-statuses"
                value={f.cancelStatuses}
                hint={t.form.gettzapCancelStatusesHint}
                onChange={(v) => set("cancelStatuses", v)}
              />
              <GettzapIntake accountId={id} />
            </>
          )}
        </>
      ) : (
        <>
          <TextField
            label={t.form.clientId}
            testId="account-client-id"
            inputMode="numeric"
            value={f.clientId}
            onChange={(v) => set("clientId", v)}
          />
          <SecretField
            label={t.form.apiKey}
            testId="account-api-key"
            value={f.apiKey}
            stored={keysKept}
            hint={t.form.apiKeyHint}
            onChange={(v) => set("apiKey", v)}
          />
        </>
      )}
      <label>
        {t.form.region}
        <input data-testid="account-region" value={f.region} onChange={(e) => set("region", e.target.value)} />
      </label>
      <label>
        {t.form.interval}
        <input
          data-testid="account-interval"
          type="number"
          min={10}
          value={f.interval}
          onChange={(e) => set("interval", e.target.value)}
        />
      </label>
      <label>
        {t.form.intervalUnit}
        <select
          data-testid="account-interval-unit"
          value={f.intervalUnit}
          onChange={(e) => set("intervalUnit", Number(e.target.value))}
        >
          <option value={1}>{t.form.units.seconds}</option>
          <option value={60}>{t.form.units.minutes}</option>
          <option value={3600}>{t.form.units.hours}</option>
          <option value={86400}>{t.form.units.days}</option>
        </select>
      </label>
      {ozon && (
        <>
      <label>
        {t.form.cancelReason}
        <select
          data-testid="account-cancel-reason"
          value={f.cancelReason}
          onChange={(e) => set("cancelReason", Number(e.target.value))}
        >
          {reasonOptions(reasons.data, f.cancelReason, t.cancelReasons).map((r) => (
            <option key={r.id} value={r.id}>
              {r.id} — {r.title}
            </option>
          ))}
        </select>
        <span className="hint" data-testid="account-cancel-reason-source">
          {reasons.data ? t.form.reasonsFromOzon : t.form.reasonsBuiltIn}
        </span>
      </label>
      {f.cancelReason === OTHER_REASON && (
        <label>
          {t.form.cancelMessage}
          <input value={f.cancelMessage} onChange={(e) => set("cancelMessage", e.target.value)} />
        </label>
      )}
      <label className="checkbox">
        <input
          data-testid="account-ship-on-accept"
          type="checkbox"
          checked={f.shipOnAccept}
          onChange={(e) => set("shipOnAccept", e.target.checked)}
        />
        {t.form.shipOnAccept}
      </label>
      <OzonOptions value={f.ozon} onChange={(ozon) => set("ozon", ozon)} />
        </>
      )}
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
            value={f.baseUrl}
            placeholder={zzap ? "https://api.zzap.pro" : gettzap ? "" : "https://api-seller.ozon.ru"}
            onChange={(e) => set("baseUrl", e.target.value)}
          />
          <span className="hint">{t.form.baseUrlHint}</span>
        </label>
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

/** A labelled one-line field, with a hint under it when there is one. */
function TextField(props: {
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "email" | "password";
  inputMode?: "numeric";
  placeholder?: string;
  hint?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        data-testid={props.testId}
        type={props.type ?? "text"}
        inputMode={props.inputMode}
        value={props.value}
        autoComplete="off"
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint && <span className="hint">{props.hint}</span>}
    </label>
  );
}

/** A password or key: never shown; on a saved account, empty keeps the stored one. */
function SecretField(props: {
  label: string;
  testId: string;
  value: string;
  stored: boolean;
  onChange: (value: string) => void;
  hint?: string;
}) {
  const { t } = useI18n();
  return (
    <TextField
      label={props.label}
      testId={props.testId}
      type="password"
      value={props.value}
      placeholder={props.stored ? t.form.apiKeyKeep : ""}
      hint={props.hint}
      onChange={props.onChange}
    />
  );
}
