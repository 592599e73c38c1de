import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { api, onEngineEvent, onOpenOrder } from "./api";
import { healthStatus, healthText } from "./accounts/health";
import type { Lang } from "./bindings/Lang";
import { ConfirmButton } from "./components/ConfirmButton";
import { useNotices } from "./components/Notices";
import { PauseBanner } from "./components/PauseBanner";
import { TaskRestartedBanner, taskKey, type TaskRestart } from "./components/TaskRestartedBanner";
import { languages, useI18n } from "./i18n";
import { alertText } from "./i18n/alerts";
import { errorText, wordsText } from "./i18n/errors";
import type { Messages } from "./i18n/en";
import { coalesceRefreshes } from "./coalesceRefreshes";
import { applyEngineEvent, useAccounts, useAppInfo } from "./queries";
import { AccountForm } from "./screens/AccountForm";
import { Accounts } from "./screens/Accounts";
import { Catalog, catalogStart, type CatalogPlace } from "./screens/Catalog";
import { Customers } from "./screens/Customers";
import { INBOX_START, Inbox, type InboxPlace } from "./screens/Inbox";
import { OrderDetail } from "./screens/OrderDetail";
import { PriceLists } from "./screens/PriceLists";
import { Rules } from "./screens/Rules";
import { Settings } from "./screens/Settings";
import { StatusPushes } from "./screens/StatusPushes";
import { Welcome } from "./screens/Welcome";
import { CabinetScreen } from "./cabinet/CabinetScreen";
import { openWhenReady } from "./screens/prefetch";
import { noteNavigation } from "./perf";
import { NewOrderScreen, ShopOrderScreen } from "./cabinet/ShopOrderScreen";


export type Route =
  | { name: "inbox" }
  | { name: "accounts" }
  | { name: "account-form"; id: number | null }
  | { name: "order"; id: number }
  | { name: "rules"; accountId: number }
  | { name: "pushes"; accountId: number }
  | { name: "pricelists" }
  | { name: "customers"; customerId?: number; search?: string }
  | { name: "catalog"; place?: CatalogPlace }
  | { name: "orders" }
  | { name: "shop-order"; id: number }
  | { name: "shop-order-new" }
  | { name: "settings" };

/** The sidebar's screens, in their order there. */
const NAV: {
  route: "inbox" | "pricelists" | "customers" | "catalog" | "orders" | "accounts" | "settings";
  label: keyof Messages["nav"];
  testId: string;
}[] = [
  { route: "inbox", label: "inbox", testId: "nav-inbox" },
  { route: "pricelists", label: "priceLists", testId: "nav-pricelists" },
  { route: "customers", label: "customers", testId: "nav-customers" },
  { route: "catalog", label: "catalog", testId: "nav-catalog" },
  { route: "orders", label: "orders", testId: "nav-orders" },
  { route: "accounts", label: "accounts", testId: "nav-accounts" },
  { route: "settings", label: "settings", testId: "nav-settings" },
];

export function App() {
  const { t, lang, setLang } = useI18n();
  const qc = useQueryClient();
  const notices = useNotices();
  const info = useAppInfo();
  const accounts = useAccounts();
  const [route, setRoute] = useState<Route>({ name: "inbox" });
  const [previous, setPrevious] = useState<Route>({ name: "inbox" });
  /** Background tasks that failed and were restarted, until the manager dismisses them. */
  const [restarted, setRestarted] = useState<TaskRestart[]>([]);

  useEffect(() => {
    // The engine words OS notifications in the manager's language.
    api.setLanguage(lang).catch((e: Error) => notices.error(e.message));
  }, [lang, notices]);

  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    // After a sidebar click the focus would stay on its button, where Enter presses it again instead
    // of reaching the screen's keys. A field the new screen focused itself keeps the focus.
    const main = mainRef.current;
    if (main && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
  }, [route]);

  // "Try demo" shows the inbox once the demo has started, unless the manager chose another screen
  // while it started: that choice stays. `go` reads it too, so that it stays one function: screens
  // keep it in memoised callbacks, and a new one would draw every memoised row again.
  const routeNow = useRef(route);
  useEffect(() => {
    routeNow.current = route;
  }, [route]);
  const go = useCallback((next: Route) => {
    setPrevious(routeNow.current);
    setRoute(next);
  }, []);
  /**
   * Counts the sidebar's clicks and the routes shown: a screen that waits for its data opens only
   * if neither another click nor any other way to another screen came meanwhile.
   */
  const navigations = useRef(0);
  // A layout effect: counted in the commit that shows the route, before any later task.
  useLayoutEffect(() => {
    navigations.current += 1;
  }, [route]);
  // The list's search stays with the choice (Back from an order returns to both).
  const chooseCustomer = useCallback(
    (customerId: number) =>
      setRoute((r) => ({ name: "customers", customerId, search: r.name === "customers" ? r.search : undefined })),
    [],
  );
  const openShopOrder = useCallback((id: number) => go({ name: "shop-order", id }), [go]);
  const demoAskedOn = useRef<Route | null>(null);
  /** Where the manager was in the inbox, for when it is shown again (Back from an order). */
  const inboxPlace = useRef<InboxPlace>(INBOX_START);

  const coalesced = useMemo(() => coalesceRefreshes((queryKey) => qc.invalidateQueries({ queryKey })), [qc]);
  // A refresh still waiting for its window would otherwise fire into an unmounted app.
  useEffect(() => coalesced.cancel, [coalesced]);
  useEffect(() => {
    return onEngineEvent((event) => {
      applyEngineEvent(qc, event, coalesced.refresh);
      if (event.type === "task_restarted") {
        setRestarted((all) => [...all.filter((r) => taskKey(r) !== taskKey(event)), event]);
      }
      // The engine decides which events are banners (the manager's channels, or no OS popups) and
      // sends them as a code with arguments; they are worded here, in the manager's language.
      if (event.type === "alert") {
        const orderId = event.order_id;
        notices.info(
          alertText(event, t),
          orderId == null
            ? undefined
            : {
                id: "open-alert",
                label: t.openOrder,
                run: () =>
                  setRoute((r) => {
                    setPrevious(r);
                    return { name: "order", id: orderId };
                  }),
              },
        );
      }
    });
  }, [qc, coalesced, notices, t]);

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
      <Welcome
        onAddAccount={() => go({ name: "account-form", id: null })}
        onDemoAsked={() => (demoAskedOn.current = route)}
        onDemoStarted={() => {
          if (routeNow.current === demoAskedOn.current) go({ name: "inbox" });
        }}
      />
    );
  } else if (route.name === "settings") {
    screen = <Settings />;
  } else if (route.name === "accounts") {
    screen = (
      <Accounts
        onAdd={() => go({ name: "account-form", id: null })}
        onEdit={(id) => go({ name: "account-form", id })}
        onRules={(accountId) => go({ name: "rules", accountId })}
        onPushes={(accountId) => go({ name: "pushes", accountId })}
      />
    );
  } else if (route.name === "rules") {
    screen = <Rules key={route.accountId} accountId={route.accountId} onBack={() => go({ name: "accounts" })} />;
  } else if (route.name === "pushes") {
    screen = <StatusPushes key={route.accountId} accountId={route.accountId} onBack={() => go({ name: "accounts" })} />;
  } else if (route.name === "pricelists") {
    screen = <PriceLists />;
  } else if (route.name === "customers") {
    screen = (
      <Customers
        chosenId={route.customerId ?? null}
        onChoose={chooseCustomer}
        search={route.search ?? ""}
        onSearch={(search) => setRoute({ name: "customers", customerId: route.customerId, search })}
        onOpenShopOrder={openShopOrder}
      />
    );
  } else if (route.name === "catalog") {
    screen = (
      <Catalog
        place={route.place ?? catalogStart}
        onPlace={(place) => setRoute({ name: "catalog", place })}
        onOpenShopOrder={openShopOrder}
        onOpenOrder={(id) => go({ name: "order", id })}
      />
    );
  } else if (route.name === "orders") {
    screen = <CabinetScreen onOpen={(id) => go({ name: "shop-order", id })} onNew={() => go({ name: "shop-order-new" })} />;
  } else if (route.name === "shop-order") {
    screen = (
      <ShopOrderScreen
        key={route.id}
        id={route.id}
        onBack={() => go(previous.name === "customers" || previous.name === "catalog" ? previous : { name: "orders" })}
        onOpenMarketplaceOrder={(id) => go({ name: "order", id })}
      />
    );
  } else if (route.name === "shop-order-new") {
    screen = <NewOrderScreen onCreated={(id) => go({ name: "shop-order", id })} onCancel={() => go({ name: "orders" })} />;
  } else {
    screen = <Inbox onOpenOrder={(id) => go({ name: "order", id })} place={inboxPlace} />;
  }

  return (
    <div className="app">
      <nav className="sidebar">
        <div className="brand">{t.appName}</div>
        {NAV.map(({ route: to, label, testId }) => (
          <button
            key={to}
            type="button"
            className={navSection(route, previous) === to ? "nav active" : "nav"}
            data-testid={testId}
            onClick={() => {
              if (route.name !== to) noteNavigation(to);
              const click = ++navigations.current;
              openWhenReady(qc, to, () => {
                if (navigations.current === click) go({ name: to });
              });
            }}
          >
            {t.nav[label]}
            {to === "inbox" && unread > 0 && (
              <span className="count" data-testid="unread-count">
                {unread}
              </span>
            )}
          </button>
        ))}
        <ul className="sidebar-accounts">
          {accounts.data?.map((a) => {
            const status = healthStatus(a);
            const health =
              a.health.last_error == null
                ? healthText(a, status, t)
                : errorText(a.health.last_error_words, a.health.last_error, lang);
            // A notice (webhooks paused) changes no dot: the tooltip is where the sidebar can say it.
            const title = a.health.notice == null ? health : `${health}\n${wordsText(a.health.notice, lang)}`;
            return (
              <li key={a.account.id} title={title}>
                <span className={`dot dot-${status}`} aria-hidden />
                <span className="sidebar-account-name">{a.account.name}</span>
                <span className="sr-only">{healthText(a, status, t)}</span>
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
      <main className="main" ref={mainRef} tabIndex={-1}>
        {info.data && !info.data.keychain_ok && (
          <div className="banner banner-warning" data-testid="keychain-warning" role="alert">
            {t.keychain.warning(info.data.keychain_message ?? "")}
          </div>
        )}
        {info.data && !info.data.notifications_ok && <div className="banner">{t.notificationsOff}</div>}
        <PauseBanner />
        {restarted.map((r) => (
          <TaskRestartedBanner
            key={taskKey(r)}
            restart={r}
            accounts={accounts.data}
            onDismiss={() => setRestarted((all) => all.filter((x) => taskKey(x) !== taskKey(r)))}
          />
        ))}
        {info.isError && (
          <div className="banner banner-error" role="alert">
            {info.error.message}
          </div>
        )}
        {/* No screen is loaded lazily: React holds a Suspense boundary's content back for 300 ms
            after its fallback showed, which made All orders' first opening take ~0.5 s. */}
        {screen}
      </main>
    </div>
  );
}

/** Which sidebar entry a screen belongs to: an order opened from a list stays under that list. */
function navSection(route: Route, previous: Route): (typeof NAV)[number]["route"] {
  switch (route.name) {
    case "order":
      if (previous.name === "shop-order") return "orders";
      return previous.name === "customers" || previous.name === "catalog" || previous.name === "orders" ? previous.name : "inbox";
    case "shop-order":
      return previous.name === "customers" || previous.name === "catalog" ? previous.name : "orders";
    case "shop-order-new":
      return "orders";
    case "account-form":
    case "rules":
    case "pushes":
      return "accounts";
    default:
      return route.name;
  }
}
