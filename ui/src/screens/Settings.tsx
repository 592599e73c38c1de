import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api";
import type { AppSettings } from "../bindings/AppSettings";
import { useNotices } from "../components/Notices";
import { DatabaseSection } from "../database/DatabaseSection";
import { PauseButtons } from "../components/PauseBanner";
import { useI18n } from "../i18n";
import { keys, useAppInfo, useSettings } from "../queries";
import { applyTheme, savedTheme, type Theme } from "../theme";
import { AlertSettings } from "./AlertSettings";
import { DeliverySettings } from "./DeliverySettings";
import { IntakeSettings } from "./IntakeSettings";
import { RetentionSettings } from "./RetentionSettings";
import { ShopStatuses } from "./ShopStatuses";
import { useScreenReady } from "../perf";

/** App-wide preferences and the facts a support request needs. */
export function Settings() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const settings = useSettings();
  const info = useAppInfo();
  useScreenReady("settings", settings.isSuccess && info.isSuccess);
  const save = useMutation({
    mutationFn: api.saveSettings,
    onSuccess: (saved) => qc.setQueryData(keys.settings, saved),
    onError: (e) => notices.error(e.message),
  });
  const change = (patch: Partial<AppSettings>) => {
    if (settings.data) save.mutate({ ...settings.data, ...patch });
  };
  const s = settings.data;
  return (
    <section className="settings" data-testid="settings">
      <header className="screen-header">
        <h1>{t.settings.title}</h1>
      </header>
      {settings.isError && <p className="form-problem">{settings.error.message}</p>}
      {s && (
        <div className="settings-body">
          <Toggle
            testId="settings-autostart"
            label={t.settings.autostart}
            checked={s.autostart}
            disabled={save.isPending}
            onChange={(autostart) => change({ autostart })}
          />
          <ThemeChoice />
          <PauseButtons />
          <Toggle
            testId="settings-close-to-tray"
            label={t.settings.closeToTray}
            checked={s.close_to_tray}
            disabled={save.isPending}
            onChange={(close_to_tray) => change({ close_to_tray })}
          />
          <Toggle
            testId="settings-move-customer-region"
            label={t.settings.moveCustomerRegion}
            checked={s.move_customer_region}
            disabled={save.isPending}
            onChange={(move_customer_region) => change({ move_customer_region })}
          />
          <ShopCurrency settings={s} />
          <AlertSettings alerts={s.alerts} disabled={save.isPending} onChange={(alerts) => change({ alerts })} />
        </div>
      )}
      <ShopStatuses />
      {s && <DeliverySettings settings={s} />}
      <IntakeSettings />
      {s && <RetentionSettings settings={s} />}
      <Diagnostics />
      <DatabaseSection />
      {info.data && (
        <dl className="facts settings-facts" data-testid="settings-about">
          <dt>{t.settings.version}</dt>
          <dd>{info.data.version}</dd>
          <dt>{t.settings.database}</dt>
          <dd>{info.data.db_path}</dd>
          <dt>{t.settings.keychain}</dt>
          <dd>{info.data.keychain_ok ? t.settings.works : (info.data.keychain_message ?? t.settings.unavailable)}</dd>
          <dt>{t.settings.notifications}</dt>
          <dd>{info.data.notifications_ok ? t.settings.works : t.settings.unavailable}</dd>
        </dl>
      )}
    </section>
  );
}

/** The recent log and a bundle for support; both redacted by the engine. */
function Diagnostics() {
  const { t } = useI18n();
  const notices = useNotices();
  const logs = useQuery({ queryKey: ["logs"], queryFn: api.recentLogs });
  const bundle = useMutation({
    mutationFn: api.saveDiagnostics,
    onSuccess: (path) => notices.info(t.settings.bundleSaved(path)),
    onError: (e) => notices.error(e.message),
  });
  /** Only the bundle this run saved can be shown in its folder. */
  const saved = bundle.data;
  return (
    <div className="diagnostics">
      <h2>{t.settings.diagnostics}</h2>
      <p className="hint">{t.settings.diagnosticsHint}</p>
      <div className="row-actions">
        <button type="button" data-testid="save-diagnostics" disabled={bundle.isPending} onClick={() => bundle.mutate()}>
          {t.settings.saveBundle}
        </button>
        <button type="button" onClick={() => void logs.refetch()}>
          {t.settings.refreshLog}
        </button>
      </div>
      {saved && (
        <div className="row-actions saved-file">
          <p className="test-ok" data-testid="diagnostics-path">
            {t.settings.bundleSaved(saved)}
          </p>
          <button
            type="button"
            data-testid="diagnostics-show-folder"
            onClick={() => void api.showDiagnosticsInFolder(saved).catch((e: Error) => notices.error(e.message))}
          >
            {t.settings.showInFolder}
          </button>
        </div>
      )}
      {logs.isError && <p className="form-problem">{logs.error.message}</p>}
      <pre className="log" data-testid="recent-logs">
        {logs.data?.length ? logs.data.join("\n") : t.settings.noLog}
      </pre>
    </div>
  );
}

/**
 * The currency the shop sells in (ISO 4217): a web store selling in another imports nothing.
 * Saved when the field is left or Enter is pressed, trimmed and upper-cased (the engine does the
 * same); a refusal keeps what was typed and shows the engine's reason under the field.
 */
function ShopCurrency({ settings }: { settings: AppSettings }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [draft, setDraft] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (shop_currency: string) => api.saveSettings({ ...settings, shop_currency }),
    onMutate: () => setProblem(null),
    onSuccess: (stored) => {
      qc.setQueryData(keys.settings, stored);
      setDraft(null);
    },
    onError: (e) => setProblem(e.message),
  });
  const commit = () => {
    // Unchanged since the engine refused it: it would refuse it again.
    if (draft == null || save.isPending || problem != null) return;
    const code = draft.trim().toUpperCase();
    if (code === settings.shop_currency) setDraft(null);
    else save.mutate(code);
  };
  return (
    <div>
      <label className="inline">
        {t.settings.shopCurrency}
        <input
          data-testid="settings-shop-currency"
          className="short"
          autoCapitalize="characters"
          spellCheck={false}
          value={draft ?? settings.shop_currency}
          aria-invalid={problem != null}
          aria-describedby="settings-shop-currency-hint"
          onChange={(e) => {
            setProblem(null);
            setDraft(e.target.value);
          }}
          onBlur={commit}
          onKeyDown={(e) => {
            if (e.key === "Enter") commit();
          }}
        />
      </label>
      <p className="hint" id="settings-shop-currency-hint">
        {t.settings.shopCurrencyHint}
      </p>
      {problem && (
        <p className="form-problem" role="alert" data-testid="settings-shop-currency-problem">
          {problem}
        </p>
      )}
    </div>
  );
}

function ThemeChoice() {
  const { t } = useI18n();
  const [theme, setTheme] = useState<Theme>(savedTheme);
  return (
    <label className="inline">
      {t.settings.theme}
      <select
        data-testid="settings-theme"
        value={theme}
        onChange={(e) => {
          const next = e.target.value as Theme;
          applyTheme(next);
          setTheme(next);
        }}
      >
        <option value="system">{t.settings.themeSystem}</option>
        <option value="light">{t.settings.themeLight}</option>
        <option value="dark">{t.settings.themeDark}</option>
      </select>
    </label>
  );
}

function Toggle(props: {
  testId: string;
  label: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="checkbox">
      <input
        type="checkbox"
        data-testid={props.testId}
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}
