import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { REFRESH_WINDOW_MS } from "./coalesceRefreshes";
import type { AlertArgs } from "./bindings/AlertArgs";
import type { AppInfo } from "./bindings/AppInfo";
import type { InboxPage } from "./bindings/InboxPage";
import type { OrderDetail } from "./bindings/OrderDetail";
import ozonInbox from "./test/fixtures/ozon_inbox.json";
import ozonOrders from "./test/fixtures/ozon_orders.json";
import settingsAlerts from "./test/fixtures/settings_alerts.json";
import settingsRegion from "./test/fixtures/settings_region.json";
import settingsSwitched from "./test/fixtures/settings_switched.json";
import syncPaused from "./test/fixtures/sync_paused.json";
import syncPausedTray from "./test/fixtures/sync_paused_tray.json";
import inboxHtml from "./test/fixtures/inbox_html.json";
import demo from "./test/fixtures/demo.json";
import accountEdit from "./test/fixtures/account_edit.json";
import accountOutbox from "./test/fixtures/account_outbox.json";
import accountWait from "./test/fixtures/account_wait.json";
import type { AccountView } from "./bindings/AccountView";
import type { OutboxView } from "./bindings/OutboxView";
import firstAccount from "./test/fixtures/first_account.json";
import fresh from "./test/fixtures/fresh.json";
import keychainLocked from "./test/fixtures/keychain_locked.json";
import inboxBackfill from "./test/fixtures/inbox_backfill.json";
import inboxRefresh from "./test/fixtures/inbox_refresh.json";
import type { AppSettings } from "./bindings/AppSettings";
import ozonInboxLive from "./test/fixtures/ozon_inbox_live.json";
import ozonInboxOpen from "./test/fixtures/ozon_inbox_open.json";
import ozonInboxReject from "./test/fixtures/ozon_inbox_reject.json";
import ozonInboxStale from "./test/fixtures/ozon_inbox_stale.json";
import { recorded, serveRecorded } from "./test/recorded";
import { renderWithProviders } from "./test/render";

/** An alert's arguments as the engine sends them: about the first order of account «Shop A». */
const alertArgs = (more: Partial<AlertArgs> = {}): AlertArgs => ({
  marketplace: "Ozon",
  account: "Shop A",
  number: "0570-0029-1",
  detail: "",
  error: null,
  effect: null,
  ...more,
});
/** The fake Ozon's key in the engine's scenarios (engine/tests/common: API_KEY). */
const OZON_KEY = "0f3c2b8e-secret-key-for-tests-only";
const rows = () => screen.queryAllByTestId("inbox-row");
function row(i: number): HTMLElement {
  const r = rows()[i];
  if (!r) throw new Error(`no inbox row ${i}`);
  return r;
}
const rowIds = () => rows().map((r) => Number(r.getAttribute("data-line-id")));
const cursorId = () => rows().find((r) => r.getAttribute("data-cursor") === "true")?.getAttribute("data-line-id");
const selectedIds = () => rows().filter((r) => r.getAttribute("data-selected") === "true").map((r) => r.getAttribute("data-line-id"));

describe("first start", () => {
  it("welcomes a shop with no account and connects one, the key going only to add_account", async () => {
    // The engine's scenario (ui_fixtures.rs, first_account): a new database and the fake Ozon (its
    // address reads as http://127.0.0.1:8787); the form sends what the scenario sent.
    const reasons = recorded<{ id: number; title: string }[]>(firstAccount, "cancel_reasons");
    const chosen = reasons[1];
    if (!chosen) throw new Error("Ozon lists several cancel reasons");
    const b = serveRecorded(firstAccount);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await screen.findByTestId("welcome");
    await user.click(screen.getByTestId("add-account"));

    await user.type(screen.getByTestId("account-name"), "Shop A");
    await user.type(screen.getByTestId("account-client-id"), "424242");
    await user.type(screen.getByTestId("account-api-key"), OZON_KEY);
    await user.click(screen.getByTestId("account-advanced"));
    await user.type(screen.getByTestId("account-base-url"), "http://127.0.0.1:8787");
    await user.click(screen.getByTestId("account-test"));
    expect(await screen.findByTestId("account-test-result")).toHaveTextContent("✓ Connected to Ozon.");
    // A working key loads Ozon's own reasons into the select.
    await waitFor(() =>
      expect(screen.getByTestId("account-cancel-reason-source")).toHaveTextContent("as Ozon lists them"),
    );
    await user.selectOptions(screen.getByTestId("account-cancel-reason"), String(chosen.id));

    await user.click(screen.getByTestId("account-save"));
    const row = await screen.findByTestId("account-row");
    expect(row).toHaveAttribute("data-account-id", "1");
    const [add] = b.callsTo("add_account");
    expect(add?.args).toMatchObject({
      draft: {
        name: "Shop A",
        base_url: "http://127.0.0.1:8787",
        settings: { client_id: "424242", ship_on_accept: true, cancel_reason_id: chosen.id },
      },
      secrets: { api_key: OZON_KEY },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain(OZON_KEY);
    expect(within(row).getByTestId("account-health")).toHaveAttribute("data-status", "never");
    // The first account turned autostart on in the engine; Settings shows it at once.
    await user.click(screen.getByTestId("nav-settings"));
    await waitFor(() => expect(screen.getByTestId("settings-autostart")).toBeChecked());
  });

  it("refuses to save without the required fields and says which", async () => {
    const b = serveRecorded(fresh);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("add-account"));
    await user.type(screen.getByTestId("account-name"), "Shop A");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Client-Id is required.");
    expect(b.callsTo("add_account")).toHaveLength(0);
  });

  it("shows the engine's error when saving fails and keeps the form", async () => {
    // The engine's scenario (ui_fixtures.rs, first_start_locked_keychain): the keychain is locked.
    serveRecorded(keychainLocked);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("add-account"));
    await user.type(screen.getByTestId("account-name"), "Shop A");
    await user.type(screen.getByTestId("account-client-id"), "836");
    await user.type(screen.getByTestId("account-api-key"), "k");
    await user.click(screen.getByTestId("account-save"));
    // (The start already warned that the keychain keeps nothing: that banner is an alert too.)
    expect(await within(screen.getByTestId("account-form")).findByRole("alert")).toHaveTextContent(
      "The keychain is locked",
    );
    expect(screen.getByTestId("account-form")).toBeInTheDocument();
  });

  it("Try demo starts the demo and shows its badge", async () => {
    // The engine's scenario (ui_fixtures.rs, first_start_demo).
    const b = serveRecorded(demo);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("try-demo"));
    expect(await screen.findByTestId("demo-badge")).toBeInTheDocument();
    expect(b.callsTo("start_demo")).toHaveLength(1);
    expect(await screen.findByTestId("inbox")).toBeInTheDocument();
  });

  it("a screen chosen while the demo starts stays on view", async () => {
    // The same scenario; the manager opens Settings before the engine has answered "Try demo".
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    serveRecorded(demo, {}, { start_demo: () => answered });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("try-demo"));
    // (Until the demo's account exists every screen shows the welcome.)
    await user.click(screen.getByTestId("nav-settings"));
    answer();
    expect(await screen.findByTestId("demo-badge")).toBeInTheDocument();
    expect(await screen.findByTestId("settings")).toBeInTheDocument();
    expect(screen.queryByTestId("inbox")).not.toBeInTheDocument();
  });

  it("warns when the keychain cannot store secrets", async () => {
    serveRecorded(keychainLocked);
    renderWithProviders(<App />);
    expect(await screen.findByTestId("keychain-warning")).toHaveTextContent("no Secret Service on the session bus");
  });
});

describe("accounts", () => {
  it("edits an account without re-entering its key, and disables it", async () => {
    // The engine's scenario (ui_fixtures.rs, account_edited): Shop A on the fake Ozon.
    const b = serveRecorded(accountEdit);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    await user.click(await screen.findByTestId("account-edit"));
    const name = screen.getByTestId("account-name");
    expect(name).toHaveValue("Shop A");
    expect(screen.getByTestId("account-client-id")).toHaveValue("424242");
    expect(screen.getByTestId("account-api-key")).toHaveValue("");
    await user.clear(name);
    await user.type(name, "Shop B");
    await user.clear(screen.getByTestId("account-interval"));
    await user.type(screen.getByTestId("account-interval"), "120");
    await user.click(screen.getByTestId("account-ship-on-accept"));
    await user.click(screen.getByTestId("account-save"));
    await screen.findByText("Shop B", { selector: "strong" });
    expect(b.callsTo("update_account").map((c) => c.args)).toEqual([
      {
        id: 1,
        draft: expect.objectContaining({ name: "Shop B", interval_secs: 120, settings: expect.objectContaining({ ship_on_accept: false }) }),
        secrets: {},
      },
    ]);
    await user.click(screen.getByTestId("account-toggle"));
    await waitFor(() => expect(screen.getByTestId("account-health")).toHaveAttribute("data-status", "disabled"));
    expect(b.callsTo("set_account_active").map((c) => c.args)).toEqual([{ id: 1, active: false }]);
  });

  it("lists an account's failed update with its error and retries it", async () => {
    // The engine's scenario (ui_fixtures.rs, account_outbox_failed): Ozon answered 500 to every
    // attempt to ship an accepted posting, and to the last sync.
    const [account] = recorded<AccountView[]>(accountOutbox, "list_accounts");
    const [failed] = recorded<OutboxView[]>(accountOutbox, "account_outbox");
    if (!account?.health.last_error || !failed?.last_error) throw new Error("the scenario records the failures");
    const b = serveRecorded(accountOutbox);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const health = await screen.findByTestId("account-health");
    expect(health).toHaveAttribute("data-status", "error");
    expect(screen.getByTestId("account-row")).toHaveTextContent(account.health.last_error);
    await user.click(screen.getByTestId("account-outbox-toggle"));
    const row = await screen.findByTestId("outbox-row");
    expect(row).toHaveAttribute("data-state", "failed");
    expect(row).toHaveTextContent(failed.last_error);
    await user.click(within(row).getByTestId("outbox-retry"));
    await waitFor(() => expect(screen.getByTestId("outbox-row")).toHaveAttribute("data-state", "pending"));
    expect(b.callsTo("retry_outbox").map((c) => c.args)).toEqual([{ id: failed.id }]);
  });

  it("says until when the marketplace asked the account to wait, and not once that time has passed", async () => {
    // The engine's scenario (ui_fixtures.rs, account_server_wait): Shop A was told to come back in
    // 10 minutes, Shop B was not. The recorded times read as 2026-03-02 09:30 UTC: the test's
    // clock stands before it, then after it.
    vi.useFakeTimers({ shouldAdvanceTime: true, now: new Date("2026-03-02T09:25:00Z") });
    serveRecorded(accountWait);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    const { unmount } = renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const waits = await screen.findAllByTestId("server-wait");
    expect(waits).toHaveLength(1);
    expect(waits[0]).toHaveTextContent(/^Waiting until .+ \(the marketplace asked\)$/);
    unmount();

    vi.setSystemTime(new Date("2026-03-02T09:31:00Z"));
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(2));
    expect(screen.queryByTestId("server-wait")).toBeNull();
    vi.useRealTimers();
  });
});

describe("inbox keyboard triage", () => {
  it("j/x select two lines and a accepts exactly those", async () => {
    // The engine's inbox: the one-product posting above the two-product one (newest first).
    const [first, second, third] = recorded<InboxPage>(ozonInbox, "inbox").lines.map((l) => l.line.id);
    const engine = serveRecorded(ozonInbox);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.click(row(0));
    await user.keyboard("xjx");
    expect(rows()[0]).toHaveAttribute("data-selected", "true");
    expect(within(row(1)).getByTestId("row-select")).toBeChecked();
    expect(rows()[2]).toHaveAttribute("data-selected", "false");
    await user.keyboard("a");
    await waitFor(() => expect(rowIds()).toEqual([third]));
    expect(engine.callsTo("triage").map((c) => c.args)).toEqual([{ lines: [first, second], action: "accept" }]);
    expect(await screen.findByTestId("toast")).toHaveTextContent("Accepted 2 lines");
  });

  it("r with no selection rejects the line under the cursor; Delete deletes it", async () => {
    const [first, second, third] = recorded<InboxPage>(ozonInboxReject, "inbox").lines.map((l) => l.line.id);
    const engine = serveRecorded(ozonInboxReject);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.keyboard("jj");
    expect(rows()[1]).toHaveAttribute("data-cursor", "true");
    await user.keyboard("r");
    await waitFor(() => expect(rowIds()).toEqual([first, third]));
    await user.keyboard("{Delete}");
    await waitFor(() => expect(rowIds()).toEqual([first]));
    expect(engine.callsTo("triage").map((c) => c.args)).toEqual([
      { lines: [second], action: "reject" },
      { lines: [third], action: "delete" },
    ]);
  });

  it("a click on a row and the Reject button reject that line; Enter opens its order", async () => {
    const [first, second, third] = recorded<InboxPage>(ozonInboxOpen, "inbox").lines.map((l) => l.line.id);
    const order = recorded<OrderDetail>(ozonInboxOpen, "order_detail");
    const engine = serveRecorded(ozonInboxOpen);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.click(row(2));
    await user.click(screen.getByTestId("bulk-reject"));
    await waitFor(() => expect(rowIds()).toEqual([first, second]));
    expect(engine.callsTo("triage").map((c) => c.args)).toEqual([{ lines: [third], action: "reject" }]);

    await user.click(row(0));
    await user.keyboard("{Enter}");
    const detail = await screen.findByTestId("order-detail");
    expect(within(detail).getByTestId("order-number")).toHaveTextContent(order.order.number);
    expect(within(detail).getAllByTestId("order-line")).toHaveLength(order.order.lines.length);
  });

  it("Back from an order opened in the inbox returns to the same sort and line", async () => {
    const [, second] = recorded<InboxPage>(ozonInboxOpen, "inbox").lines.map((l) => l.line.id);
    serveRecorded(ozonInboxOpen);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.selectOptions(screen.getByTestId("inbox-sort"), "newest");
    await user.click(row(1));
    expect(cursorId()).toBe(String(second));
    await user.keyboard("{Enter}");
    const detail = await screen.findByTestId("order-detail");
    await user.click(within(detail).getByRole("button", { name: /Back/ }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.getByTestId("inbox-sort")).toHaveValue("newest");
    expect(cursorId()).toBe(String(second));
  });

  it("keys typed into a field never triage", async () => {
    const engine = serveRecorded(ozonInbox);
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    const select = screen.getByTestId("inbox-account");
    fireEvent.keyDown(select, { key: "a" });
    fireEvent.keyDown(window, { key: "a" }); // no cursor yet: nothing to act on
    expect(engine.callsTo("triage")).toHaveLength(0);
  });

  it("a triage failure is shown and the rows come back", async () => {
    // The first line was accepted elsewhere after the window read the inbox: the engine refuses.
    const [first, second, third] = recorded<InboxPage>(ozonInboxStale, "inbox").lines.map((l) => l.line.id);
    const refusal = ozonInboxStale.answers.find((a) => a.cmd === "triage")?.error;
    if (!refusal) throw new Error("the scenario records the refusal");
    serveRecorded(ozonInboxStale);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await user.click(row(0));
    await user.keyboard("a");
    expect(await screen.findByTestId("error-banner")).toHaveTextContent(refusal.message);
    // The others come back; the one decided elsewhere is gone, as the engine now says.
    await waitFor(() => expect(rowIds()).toEqual([second, third]));
    expect(rowIds()).not.toContain(first);
  });

  it("marketplace text is shown as text, never as HTML", async () => {
    // The engine's scenario (ui_fixtures.rs, inbox_html_name): a product named with HTML in it.
    serveRecorded(inboxHtml);
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveTextContent('<img src=x onerror="alert(1)">Brake pad');
    expect(document.querySelector("img")).toBeNull();
  });

  it("an engine event about new lines refreshes the inbox live", async () => {
    const before = recorded<InboxPage>(ozonInboxLive, "inbox").lines.map((l) => l.line.id);
    const engine = serveRecorded(ozonInboxLive);
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(before.length));
    // A sync found one more posting (one product) and the engine says so.
    engine.advance();
    const [after] = ozonInboxLive.answers.filter((a) => a.cmd === "inbox").slice(-1);
    const lines = (after?.ok as InboxPage | undefined)?.lines ?? [];
    const orderId = lines.find((l) => !before.includes(l.line.id))?.order_id ?? null;
    await engine.emit({ type: "new_lines", account_id: 1, orders: 1, lines: 1, first_order_id: orderId });
    await waitFor(() => expect(rowIds()).toEqual(lines.map((l) => l.line.id)));
    const unread = (ozonInboxLive.answers.filter((a) => a.cmd === "app_info").at(-1)?.ok as AppInfo).unread;
    expect(await screen.findByTestId("unread-count")).toHaveTextContent(String(unread));
  });
});

describe("refreshes during a sync", () => {
  // Fake time that also flows on its own, so that queries and rendering run as usual while a test
  // can still jump over a refresh window instead of waiting it out.
  const flowingFakeTime = () => vi.useFakeTimers({ shouldAdvanceTime: true });
  const endOfWindow = () => act(() => vi.advanceTimersByTimeAsync(REFRESH_WINDOW_MS));
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The inbox the engine answered after each of its changes in the scenario, in order. */
  const inboxes = (fixture: typeof inboxBackfill) =>
    fixture.answers.filter((a) => a.cmd === "inbox").map((a) => (a.ok as InboxPage).lines.map((l) => l.line.id));

  it("a backfill's burst of events refetches the inbox a few times, not once per event, and once after the last", async () => {
    // The engine's scenario (ui_fixtures.rs, inbox_backfill): ten syncs, each one newer line.
    flowingFakeTime();
    const listed = inboxes(inboxBackfill);
    const b = serveRecorded(inboxBackfill);
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    const fetched = () => b.callsTo("inbox").length;
    const before = fetched();
    for (let i = 1; i < listed.length; i++) {
      // Each synced page brings one newer line, listed first.
      b.advance();
      await b.emit({ type: "new_lines", account_id: 1, orders: 1, lines: 1, first_order_id: null });
      if (i === 1) await waitFor(() => expect(rowIds()[0]).toBe(listed[1]?.[0]));
    }
    expect(fetched() - before).toBeLessThanOrEqual(3);
    await endOfWindow();
    await waitFor(() => expect(rowIds()).toEqual(listed.at(-1)));
    expect(fetched() - before).toBeLessThanOrEqual(4);
  });

  it("a refresh in the middle of keyboard triage keeps the cursor on its line, or on its neighbour when the line left", async () => {
    // The engine's scenario (ui_fixtures.rs, inbox_refresh): a sync brings two newer lines, then
    // the last line is accepted elsewhere.
    flowingFakeTime();
    const [start = [], synced = [], decided = []] = inboxes(inboxRefresh);
    const [l1, l2, l3] = start.map(String);
    const b = serveRecorded(inboxRefresh);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderWithProviders(<App />);
    await waitFor(() => expect(rowIds()).toEqual(start));
    await user.keyboard("jjxj");
    expect(cursorId()).toBe(l3);
    expect(selectedIds()).toEqual([l2]);

    // A sync brings two newer lines, listed above the cursor.
    b.advance();
    await b.emit({ type: "new_lines", account_id: 1, orders: 2, lines: 2, first_order_id: null });
    await waitFor(() => expect(rowIds()).toEqual(synced));
    expect(synced.slice(2)).toEqual(start);
    expect(cursorId()).toBe(l3);
    expect(selectedIds()).toEqual([l2]);

    // The cursor's line was decided elsewhere; the next refresh (held for its window) drops it.
    b.advance();
    await b.emit({ type: "orders_changed", account_id: 1 });
    await endOfWindow();
    await waitFor(() => expect(rowIds()).toEqual(decided));
    expect(decided).toEqual(synced.slice(0, 4));
    // The nearest row to where the line was, not the row at the place it had before the sync.
    expect(cursorId()).toBe(l2);
    expect(selectedIds()).toEqual([l2]);
    await user.keyboard("k");
    expect(cursorId()).toBe(l1);
  });
});

describe("alerts", () => {
  it("an alert the engine sends as a banner shows its text and opens its order", async () => {
    // The engine's inbox with the first line's order recorded (ui_fixtures.rs, ozon_orders_accepted).
    const lines = recorded<InboxPage>(ozonOrders, "inbox").lines;
    const [first] = lines;
    if (!first) throw new Error("the inbox has lines");
    const b = serveRecorded(ozonOrders);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(lines.length));
    const orderId = first.order_id;
    await b.emit({ type: "alert", kind: "rule_rejected", count: 2, args: alertArgs({ detail: "No stock" }), order_id: orderId });
    expect(await screen.findByText("Rule «No stock» rejected 2 lines — 0570-0029-1 …")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Open" }));
    expect(await screen.findByTestId("order-number")).toHaveTextContent(first.order_number);
  });

  it("a banner is worded in the manager's language with the right plural, and order data in it stays text", async () => {
    const b = serveRecorded(ozonInbox);
    localStorage.setItem("ordertray.lang", "ru");
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    const account = '<img src=x onerror="alert(1)"><b>Shop</b> & Co';
    const newOrders = (count: number, number: string) =>
      b.emit({ type: "alert", kind: "new_order", count, args: alertArgs({ account, number }), order_id: null });

    await newOrders(3, "1-1");
    const three = await screen.findByText(`3 новых заказа — Ozon «${account}»: 1-1 …`);
    expect(three.querySelector("img, b")).toBeNull();
    expect(document.querySelector("img[src=x]")).toBeNull();
    await newOrders(21, "2-1");
    expect(await screen.findByText(`21 новый заказ — Ozon «${account}»: 2-1 …`)).toBeInTheDocument();

    await user.selectOptions(screen.getByTestId("lang-switch"), "en");
    await newOrders(1, "3-1");
    expect(await screen.findByText(`1 new order — Ozon «${account}»: 3-1`)).toBeInTheDocument();
    await newOrders(5, "4-1");
    expect(await screen.findByText(`5 new orders — Ozon «${account}»: 4-1 …`)).toBeInTheDocument();
    expect(document.querySelector("img[src=x]")).toBeNull();
  });

  it("notification channels, quiet hours and timings are saved as chosen", async () => {
    // The engine's scenario (ui_fixtures.rs, settings_alerts): each change saved as the engine kept it.
    const b = serveRecorded(settingsAlerts);
    const saved = () => b.callsTo("save_settings").map((c) => (c.args.settings as AppSettings).alerts);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-settings"));
    await user.click(await screen.findByTestId("alert-new_order-sound"));
    await waitFor(() => expect(saved().at(-1)?.new_order).toEqual({ popup: true, sound: false, in_app: true }));
    await waitFor(() => expect(screen.getByTestId("alert-rule_rejected-popup")).toBeEnabled());
    await user.click(screen.getByTestId("alert-rule_rejected-popup"));
    await waitFor(() => expect(saved().at(-1)?.rule_rejected.popup).toBe(true));
    await waitFor(() => expect(screen.getByTestId("alert-quiet")).toBeEnabled());
    await user.click(screen.getByTestId("alert-quiet"));
    await waitFor(() => expect(saved().at(-1)?.quiet_hours).toEqual({ from: "22:00", to: "08:00" }));
    const minutes = await screen.findByTestId("alert-failing-minutes");
    await waitFor(() => expect(minutes).toBeEnabled());
    await user.clear(minutes);
    await user.type(minutes, "30");
    expect(saved()).toHaveLength(3);
    await user.tab();
    await waitFor(() => expect(saved().at(-1)?.sync_failing_minutes).toBe(30));
    expect(saved().at(-1)?.new_order.sound).toBe(false);
  });
});

describe("settings", () => {
  it("switches autostart and closing to the tray, and shows where the data lives", async () => {
    // The engine's scenario (ui_fixtures.rs, settings_switched). Showing the bundle in the file
    // manager is the shell's alone: the test answers it.
    const b = serveRecorded(settingsSwitched, { show_diagnostics_in_folder: () => null });
    const dbPath = recorded<AppInfo>(settingsSwitched, "app_info").db_path;
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-settings"));
    const autostart = await screen.findByTestId("settings-autostart");
    expect(autostart).not.toBeChecked();
    expect(screen.getByTestId("settings-close-to-tray")).toBeChecked();
    expect(screen.getByTestId("settings-about")).toHaveTextContent(dbPath);
    await user.click(autostart);
    await waitFor(() => expect(screen.getByTestId("settings-autostart")).toBeChecked());
    await waitFor(() => expect(screen.getByTestId("settings-autostart")).toBeEnabled());
    await user.click(screen.getByTestId("settings-close-to-tray"));
    await waitFor(() => expect(screen.getByTestId("settings-close-to-tray")).not.toBeChecked());
    await user.selectOptions(screen.getByTestId("settings-theme"), "dark");
    expect(document.documentElement.dataset.theme).toBe("dark");
    await user.selectOptions(screen.getByTestId("settings-theme"), "system");
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(screen.getByTestId("recent-logs")).toHaveTextContent("WARN <b>not html</b>");
    expect(screen.queryByTestId("diagnostics-show-folder")).toBeNull();
    await user.click(screen.getByTestId("save-diagnostics"));
    expect(await screen.findByTestId("diagnostics-path")).toHaveTextContent(
      "Saved: /home/manager/Downloads/ordertray-diagnostics.zip",
    );
    await user.click(screen.getByTestId("diagnostics-show-folder"));
    expect(b.callsTo("show_diagnostics_in_folder").map((c) => c.args)).toEqual([
      { path: "/home/manager/Downloads/ordertray-diagnostics.zip" },
    ]);
    expect(b.callsTo("save_settings").map((c) => c.args.settings)).toEqual([
      expect.objectContaining({ autostart: true, close_to_tray: true }),
      expect.objectContaining({ autostart: true, close_to_tray: false }),
    ]);
  });
});

describe("customer region", () => {
  it("moving the customer to the order's region is a setting, off by default", async () => {
    // The engine's scenario (ui_fixtures.rs, settings_customer_region).
    const b = serveRecorded(settingsRegion);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-settings"));
    const toggle = await screen.findByTestId("settings-move-customer-region");
    expect(toggle).not.toBeChecked();
    expect(screen.getByText("Move the customer to the order's region when it differs")).toBeInTheDocument();
    await user.click(toggle);
    await waitFor(() => expect(screen.getByTestId("settings-move-customer-region")).toBeChecked());
    expect(b.callsTo("save_settings").map((c) => c.args.settings)).toEqual([
      expect.objectContaining({ move_customer_region: true, autostart: false, close_to_tray: true }),
    ]);
  });
});

describe("pausing sync", () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  it("pauses from Settings, shows it on every screen, and resumes", async () => {
    // The engine's scenario (ui_fixtures.rs, sync_paused); its times read as 2026-03-02 09:30 UTC,
    // so the test's clock stands before that.
    vi.useFakeTimers({ shouldAdvanceTime: true, now: new Date("2026-03-02T09:00:00Z") });
    const b = serveRecorded(syncPaused);
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-settings"));
    expect(screen.queryByTestId("sync-paused")).toBeNull();
    await user.click(await screen.findByTestId("sync-pause-hour"));
    expect(await screen.findByTestId("sync-paused")).toHaveTextContent("Sync is paused until");
    await user.click(screen.getByTestId("sync-pause"));
    await waitFor(() => expect(screen.getByTestId("sync-paused")).toHaveTextContent("until you resume"));
    await user.click(screen.getByTestId("nav-inbox"));
    expect(screen.getByTestId("sync-paused")).toBeInTheDocument();
    await user.click(screen.getByTestId("sync-resume"));
    await waitFor(() => expect(screen.queryByTestId("sync-paused")).toBeNull());
    expect(b.callsTo("pause_sync").map((c) => c.args)).toEqual([{ minutes: 60 }, { minutes: null }]);
    expect(b.callsTo("resume_sync")).toHaveLength(1);
  });

  it("a pause made from the tray appears when the engine says so", async () => {
    // The engine's scenario (ui_fixtures.rs, sync_paused, `sync_paused_tray`).
    const b = serveRecorded(syncPausedTray);
    renderWithProviders(<App />);
    await screen.findByTestId("inbox");
    await waitFor(() => expect(b.callsTo("get_settings").length).toBeGreaterThan(0));
    b.advance();
    await b.emit({ type: "sync_pause", paused: true });
    expect(await screen.findByTestId("sync-paused")).toBeInTheDocument();
  });
});

describe("restarted background tasks", () => {
  it("a task the engine restarted shows a banner naming it with its error as text, until dismissed", async () => {
    const b = serveRecorded(ozonInbox);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.queryByTestId("task-restarted")).toBeNull();

    const error = 'panicked: <img src=x onerror="alert(1)"><b>Retry-After</b> overflowed';
    await b.emit({ type: "task_restarted", task: "poller", account_id: 1, error, restarts: 1 });
    const banner = await screen.findByTestId("task-restarted");
    expect(banner).toHaveTextContent("A background task failed and was restarted: sync of the account «Shop A».");
    expect(within(banner).getByTestId("task-restarted-error").textContent).toBe(error);
    expect(banner).not.toHaveTextContent("Failures in a row");
    expect(banner.querySelector("img, b")).toBeNull();

    // The same task failing again replaces its banner; another task gets its own.
    await b.emit({ type: "task_restarted", task: "poller", account_id: 1, error: "database is locked", restarts: 2 });
    await waitFor(() => expect(screen.getByTestId("task-restarted")).toHaveTextContent("Failures in a row: 2."));
    expect(screen.getAllByTestId("task-restarted")).toHaveLength(1);
    expect(screen.getByTestId("task-restarted-error")).toHaveTextContent("database is locked");
    await b.emit({ type: "task_restarted", task: "outbox", account_id: null, error: "disk I/O error", restarts: 1 });
    await waitFor(() => expect(screen.getAllByTestId("task-restarted")).toHaveLength(2));
    const outbox = screen.getAllByTestId("task-restarted").find((el) => el.dataset.task === "outbox");
    expect(outbox).toHaveTextContent("restarted: delivery of updates to marketplaces. Error: disk I/O error");

    // It stays on every screen until dismissed.
    await user.click(screen.getByTestId("nav-settings"));
    expect(screen.getAllByTestId("task-restarted")).toHaveLength(2);
    const poller = screen.getAllByTestId("task-restarted").find((el) => el.dataset.task === "poller");
    if (!poller) throw new Error("the poller's banner is shown");
    await user.click(within(poller).getByRole("button", { name: "Dismiss" }));
    expect(screen.getAllByTestId("task-restarted")).toHaveLength(1);
    expect(screen.getByTestId("task-restarted")).toHaveAttribute("data-task", "outbox");
    await user.click(screen.getByTestId("task-restarted-dismiss"));
    expect(screen.queryByTestId("task-restarted")).toBeNull();
  });

  it("is worded in Russian and Polish, and a task it does not know keeps the engine's name", async () => {
    const b = serveRecorded(ozonInbox);
    localStorage.setItem("ordertray.lang", "ru");
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await waitFor(() => expect(rows()).toHaveLength(3));
    await b.emit({ type: "task_restarted", task: "retention", account_id: null, error: "database is locked", restarts: 3 });
    const banner = await screen.findByTestId("task-restarted");
    expect(banner).toHaveTextContent(
      "Фоновая задача завершилась с ошибкой и перезапущена: очистка старых служебных записей. Сбоев подряд: 3. Ошибка: database is locked",
    );
    await user.selectOptions(screen.getByTestId("lang-switch"), "pl");
    await waitFor(() =>
      expect(screen.getByTestId("task-restarted")).toHaveTextContent(
        "Zadanie w tle zakończyło się błędem i zostało uruchomione ponownie: czyszczenie starych zapisów technicznych. Błędów z rzędu: 3. Błąd: database is locked",
      ),
    );
    await b.emit({ type: "task_restarted", task: "constructor", account_id: null, error: "x", restarts: 1 });
    await waitFor(() => expect(screen.getAllByTestId("task-restarted")).toHaveLength(2));
    expect(screen.getAllByTestId("task-restarted")[1]).toHaveTextContent("uruchomione ponownie: constructor.");
  });
});

describe("language", () => {
  it("switches to Russian and tells the engine", async () => {
    const b = serveRecorded(ozonInbox);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await screen.findByText("Inbox", { selector: "h1" });
    await user.selectOptions(screen.getByTestId("lang-switch"), "ru");
    expect(await screen.findByText("Входящие", { selector: "h1" })).toBeInTheDocument();
    expect(b.callsTo("set_language").map((c) => c.args)).toContainEqual({ lang: "ru" });
    expect(localStorage.getItem("ordertray.lang")).toBe("ru");
  });
});
