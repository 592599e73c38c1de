import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AccountLog } from "../bindings/AccountLog";
import type { AccountView } from "../bindings/AccountView";
import type { SyncReport } from "../bindings/SyncReport";
import accountWait from "../test/fixtures/account_wait.json";
import { recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/*
 * The engine's scenario (ui_fixtures.rs, account_server_wait): two Ozon accounts, Shop A (id 1)
 * and Shop B (id 2). No scenario records a sync log with skipped orders yet, so the log below is
 * typed with the bindings as the engine answers it (newest first); one order number carries
 * markup, as a store's data may.
 */
const accounts = recorded<AccountView[]>(accountWait, "list_accounts");
const [shopA, shopB] = accounts.map((v) => v.account.id) as [number, number];

const log: AccountLog = {
  runs: [
    {
      started_at: "2026-03-02T09:40:00Z",
      finished_at: null,
      outcome: null,
      pages: 2,
      orders_seen: 200,
      orders_new: 180,
      orders_changed: 0,
      quarantined: 0,
      skipped: 3,
      error: null,
    },
    {
      started_at: "2026-03-02T09:30:00Z",
      finished_at: "2026-03-02T09:30:02Z",
      outcome: "error",
      pages: 1,
      orders_seen: 100,
      orders_new: 97,
      orders_changed: 1,
      quarantined: 1,
      skipped: 2,
      error: "WooCommerce answered 503: Service Unavailable",
    },
  ],
  skipped: [
    { at: "2026-03-02T09:40:01Z", external_id: "1044", number: "1044", reason: "no_contact" },
    { at: "2026-03-02T09:40:00Z", external_id: "1043", number: "<b>1043</b>", reason: "no_customer" },
    { at: "2026-03-02T09:30:01Z", external_id: "1042", number: "1042", reason: "no_items" },
  ],
};

const rowOf = (id: number) =>
  screen.getAllByTestId("account-row").find((r) => r.getAttribute("data-account-id") === String(id)) as HTMLElement;

async function openAccounts(overrides: Parameters<typeof serveRecorded>[1] = {}) {
  const b = serveRecorded(accountWait, overrides);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-accounts"));
  await waitFor(() => expect(screen.getAllByTestId("account-row")).toHaveLength(2));
  return { b, user };
}

describe("an account's sync log", () => {
  it("opens from the keyboard and lists the runs and the orders not imported, with their reasons as text", async () => {
    const { b, user } = await openAccounts({ account_log: () => log });
    const button = within(rowOf(shopB)).getByTestId("account-log-button");
    expect(button).toHaveAttribute("data-account-id", String(shopB));
    expect(button).toHaveAttribute("aria-expanded", "false");
    button.focus();
    await user.keyboard("{Enter}");
    const panel = await screen.findByTestId("account-log");
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(button).toHaveAttribute("aria-controls", panel.id);
    expect(b.callsTo("account_log").map((c) => c.args)).toEqual([{ id: shopB }]);

    const runs = await within(panel).findAllByTestId("account-log-run");
    expect(runs.map((r) => r.getAttribute("data-outcome"))).toEqual(["unfinished", "error"]);
    expect(runs[0]).toHaveTextContent("not finished");
    expect(runs[1]).toHaveTextContent("Error");
    expect(runs[1]).toHaveTextContent("WooCommerce answered 503: Service Unavailable");
    const cells = [...(runs[1]?.querySelectorAll("td.num") ?? [])].map((c) => c.textContent);
    // Pages, new, changed, set aside, not imported.
    expect(cells).toEqual(["1", "97", "1", "1", "2"]);

    const skipped = within(panel).getAllByTestId("account-log-skipped");
    expect(skipped.map((s) => s.getAttribute("data-order-number"))).toEqual(["1044", "<b>1043</b>", "1042"]);
    expect(skipped[0]).toHaveTextContent("Order 1044: the customer has neither e-mail nor phone");
    expect(skipped[1]).toHaveTextContent("Order <b>1043</b>: no customer");
    expect(skipped[1]?.querySelector("b")).toBeNull();
    expect(skipped[2]).toHaveTextContent("Order 1042: no items");

    await user.keyboard("{Enter}");
    expect(screen.queryByTestId("account-log")).toBeNull();
  });

  it("words the reasons in Russian and Polish", async () => {
    localStorage.setItem("ordertray.lang", "ru");
    const { user } = await openAccounts({ account_log: () => log });
    await user.click(within(rowOf(shopA)).getByTestId("account-log-button"));
    const reasons = async () =>
      (await screen.findAllByTestId("account-log-skipped")).map((s) => s.textContent?.replace(/^.*?Заказ |^.*?Zamówienie /, ""));
    await waitFor(async () =>
      expect(await reasons()).toEqual([
        "1044: у покупателя нет ни e-mail, ни телефона",
        "<b>1043</b>: нет покупателя",
        "1042: нет товаров",
      ]),
    );
    expect(screen.getByTestId("account-log")).toHaveTextContent("Не загружены");

    await user.selectOptions(screen.getByTestId("lang-switch"), "pl");
    await waitFor(async () =>
      expect(await reasons()).toEqual([
        "1044: klient nie ma ani e-maila, ani telefonu",
        "<b>1043</b>: brak klienta",
        "1042: brak produktów",
      ]),
    );
    expect(screen.getByTestId("account-log")).toHaveTextContent("Niezaimportowane");
  });

  it("says when nothing ran and nothing was left out", async () => {
    const { user } = await openAccounts({ account_log: (): AccountLog => ({ runs: [], skipped: [] }) });
    await user.click(within(rowOf(shopA)).getByTestId("account-log-button"));
    const panel = await screen.findByTestId("account-log");
    await waitFor(() => expect(panel).toHaveTextContent("No sync has run yet."));
    expect(panel).toHaveTextContent("No order was left out.");
    expect(within(panel).queryByTestId("account-log-run")).toBeNull();
  });
});

describe("a WooCommerce store", () => {
  it("is listed by its address; a sync names the orders it did not import, the log lists them", async () => {
    // Shop A as the engine lists it, made a WooCommerce store (no scenario records one yet).
    const [first] = accounts;
    if (!first) throw new Error("the scenario lists Shop A");
    const store: AccountView = {
      ...first,
      account: {
        ...first.account,
        kind: "woocommerce",
        base_url: null,
        settings: {
          kind: "woocommerce",
          url: "https://shop.example",
          backfill_days: 60,
          accept_on_arrival: true,
          identify_products_by: "sku",
          key_in_query: false,
          consumer_key_env: null,
          consumer_secret_env: null,
        },
      },
    };
    const report: SyncReport = {
      account_id: store.account.id,
      pages: 1,
      orders_seen: 5,
      orders_new: 3,
      orders_changed: 0,
      lines_new: 4,
      quarantined: 0,
      skipped: 2,
    };
    const b = serveRecorded(accountWait, {
      list_accounts: () => [store],
      account_log: () => log,
      sync_now: () => report,
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const row = await screen.findByTestId("account-row");
    expect(row).toHaveTextContent("WooCommerce · https://shop.example");
    await user.click(within(row).getByTestId("account-sync-now"));
    expect(await screen.findByTestId("toast")).toHaveTextContent("2 orders not imported: see the log");
    await user.click(within(row).getByTestId("account-log-button"));
    expect(await screen.findAllByTestId("account-log-skipped")).toHaveLength(3);
    expect(b.callsTo("account_log").map((c) => c.args)).toEqual([{ id: store.account.id }]);
  });
});

describe("an account's health notice", () => {
  // Shop B as the engine lists it with its store's webhooks paused: the sync still works.
  const paused: AccountView[] = accounts.map((v) =>
    v.account.id === shopB
      ? {
          ...v,
          health: {
            ...v.health,
            notice: { kind: "webhooks_disabled", marketplace: "WooCommerce", names: "Order created, Order updated" },
          },
        }
      : { ...v, health: { ...v.health, notice: null } },
  );

  it("shows beside a working account's health, in words, and not where there is none", async () => {
    await openAccounts({ list_accounts: () => paused });
    const notice = within(rowOf(shopB)).getByTestId("account-notice");
    expect(notice).toHaveAttribute("role", "note");
    expect(notice).toHaveTextContent(
      "WooCommerce paused its webhooks after failed deliveries (Order created, Order updated): orders still come by polling",
    );
    // Not a failure: the account stays OK, with no error shown.
    expect(within(rowOf(shopB)).getByTestId("account-health")).toHaveAttribute("data-status", "ok");
    expect(within(rowOf(shopB)).queryByTestId("account-last-error")).toBeNull();
    expect(within(rowOf(shopA)).queryByTestId("account-notice")).toBeNull();
  });

  it("is worded in Russian and Polish", async () => {
    localStorage.setItem("ordertray.lang", "ru");
    const { user } = await openAccounts({ list_accounts: () => paused });
    const notice = () => within(rowOf(shopB)).getByTestId("account-notice");
    expect(notice()).toHaveTextContent(
      "WooCommerce приостановил вебхуки после неудачных доставок (Order created, Order updated): заказы по-прежнему приходят опросом",
    );
    await user.selectOptions(screen.getByTestId("lang-switch"), "pl");
    await waitFor(() => expect(notice()).toHaveTextContent("WooCommerce wstrzymał webhooki po nieudanych dostarczeniach"));
  });
});

describe("a backfill's progress", () => {
  const bar = () => screen.queryByTestId("sync-progress");

  it("shows on its account's row while pages arrive and goes when the last page is stored", async () => {
    const { b } = await openAccounts();
    expect(bar()).toBeNull();
    await b.emit({ type: "sync_progress", account_id: shopB, pages_done: 1, pages_total: 3 });
    const progress = await within(rowOf(shopB)).findByTestId("sync-progress");
    expect(progress).toHaveAttribute("data-account-id", String(shopB));
    expect(progress).toHaveAttribute("value", "1");
    expect(progress).toHaveAttribute("max", "3");
    expect(rowOf(shopB)).toHaveTextContent("Backfill: page 1 of 3");
    expect(within(rowOf(shopA)).queryByTestId("sync-progress")).toBeNull();

    await b.emit({ type: "sync_progress", account_id: shopB, pages_done: 2, pages_total: 3 });
    await waitFor(() => expect(rowOf(shopB)).toHaveTextContent("Backfill: page 2 of 3"));
    expect(within(rowOf(shopB)).getByTestId("sync-progress")).toHaveAttribute("value", "2");

    await b.emit({ type: "sync_progress", account_id: shopB, pages_done: 3, pages_total: 3 });
    await waitFor(() => expect(bar()).toBeNull());
  });

  it("goes when the account's health comes after a run that stopped early", async () => {
    const { b } = await openAccounts();
    await b.emit({ type: "sync_progress", account_id: shopA, pages_done: 4, pages_total: 10 });
    expect(await within(rowOf(shopA)).findByTestId("sync-progress")).toHaveAttribute("value", "4");
    // Another account's health says nothing about this run.
    await b.emit({ type: "account_health", account_id: shopB });
    expect(within(rowOf(shopA)).getByTestId("sync-progress")).toBeInTheDocument();
    await b.emit({ type: "account_health", account_id: shopA });
    await waitFor(() => expect(bar()).toBeNull());
  });
});

describe("a transfer target (a CRM, a delivery service)", () => {
  // Shop B as if it were a RetailCRM account: never polled, so it has never synced.
  const withCrm: AccountView[] = accounts.map((v) =>
    v.account.id === shopB
      ? {
          ...v,
          account: {
            ...v.account,
            kind: "retailcrm",
            name: "Our CRM",
            settings: {
              kind: "retailcrm",
              url: "https://shop.retailcrm.ru",
              site: "main",
              transfer: { success_status: null, failure_status: null, send_on_status: null },
              api_key_env: null,
            },
          },
          health: { ...v.health, last_poll_at: null, next_poll_at: null, last_outcome: null, notice: null },
        }
      : v,
  );

  it("is labelled as one, without sync times, Sync now, log, rules or status updates; it can be edited", async () => {
    await openAccounts({ list_accounts: () => withCrm });
    const crm = rowOf(shopB);
    expect(within(crm).getByTestId("account-transfer-target")).toHaveTextContent("Transfer target");
    expect(crm).toHaveTextContent("RetailCRM · https://shop.retailcrm.ru · main");
    expect(within(crm).getByTestId("account-health")).toHaveAttribute("data-status", "ok");
    expect(crm).not.toHaveTextContent(/Not synced yet|Last sync|Next sync|every \d+ s/);
    for (const id of ["account-sync-now", "account-log-button", `rules-${shopB}`, `pushes-${shopB}`]) {
      expect(within(crm).queryByTestId(id), id).toBeNull();
    }
    expect(within(crm).getByTestId("account-edit")).toBeEnabled();
    // The marketplace account beside it is unchanged.
    expect(within(rowOf(shopA)).getByTestId("account-sync-now")).toBeInTheDocument();
  });
});
