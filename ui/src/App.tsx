import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, onEngineEvent, onOpenOrder } from "./api";
import { healthStatus } from "./accounts/health";
import type { Lang } from "./bindings/Lang";
import { ConfirmButton } from "./components/ConfirmButton";
import { useNotices } from "./components/Notices";
import { PauseBanner } from "./components/PauseBanner";
import { languages, useI18n } from "./i18n";
import { applyEngineEvent, useAccounts, useAppInfo } from "./queries";
import { AccountForm } from "./screens/AccountForm";
import { Accounts } from "./screens/Accounts";
import { Inbox } from "./screens/Inbox";
import { OrderDetail } from "./screens/OrderDetail";
import { Settings } from "./screens/Settings";
import { Welcome } from "./screens/Welcome";

export type Route =
  | { name: "inbox" }
  | { name: "accounts" }
  | { name: "account-form"; id: number | null }
  | { name: "order"; id: number }
  | { name: "settings" };

export function App() {
  const { t, lang, setLang } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const info = useAppInfo();
  const accounts = useAccounts();
  const [route, setRoute] = useState<Route>({ name: "inbox" });
  const [previous, setPrevious] = useState<Route>({ name: "inbox" });

  useEffect(() => {
    // The engine words OS notifications in the manager's language.
    api.setLanguage(lang).catch((e: Error) => notices.error(e.message));
  }, [lang, notices]);

  const go = (next: Route) => {
    setPrevious(route);
    setRoute(next);
  };

  useEffect(() => {
    const notificationsOk = info.data?.notifications_ok ?? true;
    const names = new Map(accounts.data?.map((a) => [a.account.id, a.account.name]));
    return onEngineEvent((event) => {
      applyEngineEvent(qc, event);
      // Without OS notifications the window is the only place a new order can be announced.
      if (event.type === "new_lines" && !notificationsOk) {
        notices.info(t.newOrders(event.orders, names.get(event.account_id) ?? ""));
      }
    });
  }, [qc, notices, t, info.data?.notifications_ok, accounts.data]);

  useEffect(() => {
    return onOpenOrder((id) => {
      setRoute((r) => {
        setPrevious(r);
        return { name: "order", id };
      });
    });
  }, []);

  const removeDemo = useMutation({
    mutationFn: api.removeDemo,
    onSuccess: () => qc.invalidateQueries(),
    onError: (e) => notices.error(e.message),
  });

  const noAccounts = accounts.isSuccess && accounts.data.length === 0;
  const demoRunning = info.data?.demo_running || accounts.data?.some((a) => a.account.demo);
  const unread = info.data?.unread ?? 0;

  let screen;
  if (route.name === "account-form") {
    const existing = accounts.data?.find((a) => a.account.id === route.id)?.account ?? null;
    screen = (
      <AccountForm
        key={route.id ?? "new"}
        account={existing}
        onDone={() => go({ name: "accounts" })}
        onCancel={() => go(noAccounts ? { name: "inbox" } : { name: "accounts" })}
      />
    );
  } else if (route.name === "order") {
    screen = <OrderDetail orderId={route.id} onBack={() => setRoute(previous.name === "order" ? { name: "inbox" } : previous)} />;
  } else if (noAccounts) {
    screen = (
      <Welcome onAddAccount={() => go({ name: "account-form", id: null })} onDemoStarted={() => go({ name: "inbox" })} />
    );
  } else if (route.name === "settings") {
    screen = <Settings />;
  } else if (route.name === "accounts") {
    screen = <Accounts onAdd={() => go({ name: "account-form", id: null })} onEdit={(id) => go({ name: "account-form", id })} />;
  } else {
    screen = <Inbox onOpenOrder={(id) => go({ name: "order", id })} />;
  }

  return (
    <div className="app">
      <nav className="sidebar">
        <div className="brand">{t.appName}</div>
        <button
          type="button"
          className={route.name === "inbox" || route.name === "order" ? "nav active" : "nav"}
          data-testid="nav-inbox"
          onClick={() => go({ name: "inbox" })}
        >
          {t.nav.inbox}
          {unread > 0 && (
            <span className="count" data-testid="unread-count">
              {unread}
            </span>
          )}
        </button>
        <button
          type="button"
          className={route.name.startsWith("account") ? "nav active" : "nav"}
          data-testid="nav-accounts"
          onClick={() => go({ name: "accounts" })}
        >
          {t.nav.accounts}
        </button>
        <button
          type="button"
          className={route.name === "settings" ? "nav active" : "nav"}
          data-testid="nav-settings"
          onClick={() => go({ name: "settings" })}
        >
          {t.nav.settings}
        </button>
        <ul className="sidebar-accounts">
          {accounts.data?.map((a) => {
            const status = healthStatus(a);
            return (
              <li key={a.account.id} title={a.health.last_error ?? t.accounts.status[status]}>
                <span className={`dot dot-${status}`} aria-hidden />
                <span className="sidebar-account-name">{a.account.name}</span>
                <span className="sr-only">{t.accounts.status[status]}</span>
              </li>
            );
          })}
        </ul>
        <div className="sidebar-bottom">
          {demoRunning && (
            <div className="demo">
              <span className="badge" data-testid="demo-badge">
                {t.demo.badge}
              </span>
              <ConfirmButton testId="remove-demo" question={t.demo.confirmRemove} onConfirm={() => removeDemo.mutate()}>
                {t.demo.remove}
              </ConfirmButton>
            </div>
          )}
          <label>
            <span className="sr-only">{t.nav.language}</span>
            <select data-testid="lang-switch" value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
              {languages.map((l) => (
                <option key={l.lang} value={l.lang}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          {info.data && <div className="muted version">v{info.data.version}</div>}
        </div>
      </nav>
      <main className="main">
        {info.data && !info.data.keychain_ok && (
          <div className="banner banner-warning" data-testid="keychain-warning" role="alert">
            {t.keychain.warning(info.data.keychain_message ?? "")}
          </div>
        )}
        {info.data && !info.data.notifications_ok && <div className="banner">{t.notificationsOff}</div>}
        <PauseBanner />
        {info.isError && (
          <div className="banner banner-error" role="alert">
            {info.error.message}
          </div>
        )}
        {screen}
      </main>
    </div>
  );
}

