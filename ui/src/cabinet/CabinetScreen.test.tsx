// The cabinet (All orders) on the engine's recorded answers (cabinet*.json, ui_fixtures.rs
// `cabinet_world` and the scenarios after it). Which orders a filter, search, sort or page finds,
// what the counts are and what a bulk change does is the engine's, tested in Rust (engine
// tests/cabinet.rs: `filters_and_search_combine_over_marketplace_and_hand_made_orders`,
// `keyset_pages_neither_repeat_nor_skip_while_orders_arrive`,
// `delete_restores_by_another_status_and_only_deleted_orders_go_for_good`); here, that the window
// asks for what the manager chose and shows what the engine answers.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { en } from "../i18n/en";
import type { CabinetStats } from "../bindings/CabinetStats";
import type { OrderPage } from "../bindings/OrderPage";
import type { OrderPageQuery } from "../bindings/OrderPageQuery";
import type { ShopStatus } from "../bindings/ShopStatus";
import fixture from "../test/fixtures/cabinet.json";
import deleteFixture from "../test/fixtures/cabinet_delete.json";
import pagesFixture from "../test/fixtures/cabinet_pages.json";
import purgeFixture from "../test/fixtures/cabinet_purge.json";
import statusFixture from "../test/fixtures/cabinet_status.json";
import typeFixture from "../test/fixtures/cabinet_type.json";
import { FIRST_PAGE_SIZE, PAGE_SIZE } from "./queries";
import { dataWait } from "../screens/prefetch";
import { statusLabel } from "./words";
import { type Fixture, type Override, recorded, recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { orderTransfer, sentToCrm } from "../test/transfers";

/*
 * The scenario's six orders, by id: 1 from Ozon (Shop A), 2 and 6 made by hand as SO-2 and SO-6
 * (6 transferred to RetailCRM), all three «Accepted» (group new); 3 «Ordered» (in work, cash on
 * delivery, unpaid, "through"), 4 «Shipped» (done), 5 «Deleted». Newer ids are newer orders.
 */
const shown = () => screen.queryAllByTestId(/^cabinet-row-\d+$/).map((r) => Number(r.dataset.testid?.slice("cabinet-row-".length)));
const row = (id: number) => screen.getByTestId(`cabinet-row-${id}`);
type Served = ReturnType<typeof serveRecorded>;
const pageQueries = (s: Served) => s.callsTo("cabinet_page").map((c) => (c.args as { query: OrderPageQuery }).query);
const lastQuery = (s: Served) => pageQueries(s).at(-1) as OrderPageQuery;

async function openCabinet(f: Fixture = fixture, overrides: Record<string, Override> = {}) {
  const served = serveRecorded(f, overrides);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
  return { served, user };
}

describe("the cabinet", () => {
  it("opens with the orders of the “new” group, newest first, and counts per status and group", async () => {
    const { served } = await openCabinet();
    expect(pageQueries(served)[0]).toEqual({
      filter: {
        status_ids: [],
        groups: ["new"],
        payment: [],
        paid: null,
        types: [],
        account_ids: [],
        kinds: [],
        manual: false,
        from: null,
        to: null,
        search: "",
      },
      sort: { column: "created", desc: true },
      after: null,
      limit: FIRST_PAGE_SIZE,
    });
    await waitFor(() => expect(screen.getByTestId("cabinet-stat-all")).toHaveTextContent("All 6"));
    expect(screen.getByTestId("cabinet-stat-1")).toHaveTextContent("Accepted 3");
    expect(screen.getByTestId("cabinet-stat-8")).toHaveTextContent("Deleted 1");
    // Statuses no order is in wait behind "+N", counted all the same.
    expect(screen.queryByTestId("cabinet-stat-9")).toBeNull();
    const more = screen.getByTestId("cabinet-stats-empty");
    const counted = new Set(recorded<CabinetStats>(fixture, "cabinet_stats").by_status.filter((c) => c.count > 0).map((c) => c.status_id));
    const statuses = recorded<ShopStatus[]>(fixture, "shop_statuses");
    expect(more).toHaveTextContent(`+${statuses.filter((st) => !counted.has(st.id)).length}`);
    await userEvent.setup().click(more);
    expect(screen.getByTestId("cabinet-stat-9")).toHaveTextContent("Transferred 0");
    expect(screen.getByTestId("cabinet-stat-12")).toHaveTextContent("Problematic 0");
    expect(screen.getByTestId("cabinet-stats-empty")).toHaveTextContent("Hide the empty ones");
    expect(screen.getByTestId("cabinet-stat-group-new")).toHaveTextContent("New 3");
    expect(screen.getByTestId("cabinet-stat-group-in_work")).toHaveTextContent("In work 1");
    expect(screen.getByTestId("cabinet-stat-group-removed")).toHaveTextContent("Removed 1");
    expect(screen.getByTestId("cabinet-stat-group-new")).toHaveAttribute("aria-pressed", "true");
    // Counts ignore the status filters.
    expect(served.callsTo("cabinet_stats")[0]?.args).toMatchObject({ filter: { groups: [], status_ids: [] } });
    const ozon = recorded<OrderPage>(fixture, "cabinet_page").rows.find((r) => r.id === 1);
    expect(ozon).toMatchObject({ account: "Shop A", payment_method: "prepaid", total: "7817.00" });
    expect(row(1)).toHaveTextContent("Shop A");
    expect(row(1)).toHaveTextContent("Prepaid");
    expect(row(1)).toHaveTextContent("7,817.00");
    expect(row(2)).toHaveTextContent("Recipient 2");
    expect(row(2)).toHaveTextContent("2,350.00");
    expect(row(2)).toHaveTextContent("By hand");
  });

  it("a click on a count shows exactly those orders; Clear returns to the default view", async () => {
    const { served, user } = await openCabinet();
    const statsCalls = served.callsTo("cabinet_stats").length;
    await user.click(screen.getByTestId("cabinet-stat-4"));
    await waitFor(() => expect(shown()).toEqual([4]));
    expect(lastQuery(served).filter).toMatchObject({ status_ids: [4], groups: [] });
    expect(screen.getByTestId("cabinet-filter-status")).toHaveValue("s:4");
    await user.click(screen.getByTestId("cabinet-stat-group-removed"));
    await waitFor(() => expect(shown()).toEqual([5]));
    expect(lastQuery(served).filter).toMatchObject({ status_ids: [], groups: ["removed"] });
    // Narrowing by status does not count again: the counts are the same under any status.
    expect(served.callsTo("cabinet_stats")).toHaveLength(statsCalls);
    await user.click(screen.getByTestId("cabinet-stat-all"));
    await waitFor(() => expect(shown()).toHaveLength(6));

    await user.type(screen.getByTestId("cabinet-search"), "so-4");
    await user.click(screen.getByTestId("cabinet-clear"));
    await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    expect(screen.getByTestId("cabinet-search")).toHaveValue("");
    expect(screen.getByTestId("cabinet-filter-status")).toHaveValue("g:new");
    expect(screen.getByTestId("cabinet-stat-group-new")).toHaveAttribute("aria-pressed", "true");
  });

  describe("in UTC", () => {
    // The dates the manager picks are local days; the scenario recorded them as days in UTC.
    beforeEach(() => {
      vi.stubEnv("TZ", "UTC");
    });
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it("filters combine and apply on Find (or Enter)", async () => {
      const { served, user } = await openCabinet();
      await user.selectOptions(screen.getByTestId("cabinet-filter-status"), "");
      await user.selectOptions(screen.getByTestId("cabinet-filter-payment"), "cash_on_delivery");
      await user.selectOptions(screen.getByTestId("cabinet-filter-paid"), "no");
      await user.selectOptions(screen.getByTestId("cabinet-filter-type"), "through");
      await user.selectOptions(screen.getByTestId("cabinet-filter-source"), "manual");
      fireEvent.change(screen.getByTestId("cabinet-filter-from"), { target: { value: "2025-11-01" } });
      fireEvent.change(screen.getByTestId("cabinet-filter-to"), { target: { value: "2025-11-30" } });
      // Nothing applies until Find.
      expect(shown()).toEqual([6, 2, 1]);
      await user.click(screen.getByTestId("cabinet-find"));
      await waitFor(() => expect(shown()).toEqual([3]));
      expect(lastQuery(served).filter).toMatchObject({
        status_ids: [],
        groups: [],
        payment: ["cash_on_delivery"],
        paid: false,
        types: ["through"],
        manual: true,
        kinds: [],
        account_ids: [],
      });
      expect(new Date(lastQuery(served).filter.from ?? "").getDate()).toBe(1);
      // "To" includes the whole day: the engine's end is the next day's start.
      expect(lastQuery(served).filter.to).toBe("2025-12-01T00:00:00.000Z");
      expect(screen.getByTestId("cabinet-filter-to")).toHaveValue("2025-11-30");

      await user.click(screen.getByTestId("cabinet-clear"));
      await waitFor(() => expect(shown()).toHaveLength(3));
      await user.type(screen.getByTestId("cabinet-search"), "recipient 2{Enter}");
      await waitFor(() => expect(shown()).toEqual([2]));
      expect(lastQuery(served).filter.search).toBe("recipient 2");
    });
  });

  it("reads the list in keyset pages: each asks for the rows after the previous page's last", async () => {
    // Recorded two rows a page, so that six orders take three.
    const served = serveRecorded(pagesFixture);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await user.click(await screen.findByTestId("cabinet-stat-all"));
    await waitFor(() => expect(shown()).toEqual([6, 5, 4, 3, 2, 1]));
    const all = pageQueries(served).filter((q) => q.filter.groups.length === 0);
    const answers = served.callsTo("cabinet_page").length;
    // Each cursor is the one the page before answered with.
    const cursors = pagesFixture.answers.filter((a) => a.cmd === "cabinet_page").map((a) => (a.ok as OrderPage).next);
    expect(all.map((q) => q.after)).toEqual([null, cursors[0], cursors[1]]);
    expect(all.map((q) => q.after?.id ?? null)).toEqual([null, 5, 3]);
    // Never an offset: the next query is only the cursor, the rest as before.
    expect(all.every((q) => q.sort.column === "created")).toBe(true);
    // A short first page for the first paint, full ones after it.
    expect(all.map((q) => q.limit)).toEqual([FIRST_PAGE_SIZE, PAGE_SIZE, PAGE_SIZE]);
    // The last page has no next cursor: nothing more is asked for.
    await new Promise((r) => setTimeout(r, 50));
    expect(served.callsTo("cabinet_page")).toHaveLength(answers);
  });

  it("asks for its first page, counts, statuses and targets as the sidebar's All orders is clicked, before the screen draws, once each", async () => {
    // A screen's own queries start in effects, after its first paint: asked from the click, the
    // reads run while it mounts and paints.
    const drawnWhenAsked: Record<string, boolean> = {};
    const asked = (cmd: string) => (args: Record<string, unknown>) => {
      drawnWhenAsked[cmd] ??= screen.queryByTestId("cabinet") != null;
      // The scenario has no transfer integration: the engine answers no target.
      return cmd === "transfer_targets" ? [] : recordedFor(fixture, cmd, args);
    };
    const reads = ["cabinet_page", "cabinet_stats", "shop_statuses", "transfer_targets"];
    const served = serveRecorded(fixture, Object.fromEntries(reads.map((cmd) => [cmd, asked(cmd)])));
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    expect(drawnWhenAsked).toEqual(Object.fromEntries(reads.map((cmd) => [cmd, false])));
    for (const cmd of reads) expect([cmd, served.callsTo(cmd).length]).toEqual([cmd, 1]);
  });

  describe("opened from the sidebar while its first read is held", () => {
    let release = () => {};
    let answered = false;
    /** The engine, with All orders' first page held until `release()`. */
    const serveHeld = () => {
      const gate = new Promise<void>((r) => (release = r));
      answered = false;
      return serveRecorded(fixture, {}, { cabinet_page: () => gate.then(() => void (answered = true)) });
    };
    /** Whether the cabinet was in the DOM at any point (checked after each change of it). */
    const watchCabinet = () => {
      const seen = { ever: false, firstDraw: null as { rows: number[]; text: string | null | undefined } | null };
      const observer = new MutationObserver(() => {
        if (!screen.queryByTestId("cabinet")) return;
        seen.ever = true;
        seen.firstDraw ??= { rows: shown(), text: screen.queryByTestId("cabinet-row-6")?.textContent };
      });
      observer.observe(document.body, { childList: true, subtree: true });
      return { seen, stop: () => observer.disconnect() };
    };
    const kept = dataWait.ms;
    afterEach(() => {
      dataWait.ms = kept;
    });
    /** The app on the held engine, All orders clicked in the sidebar with a wait of `waitMs` for its data. */
    const clickOrders = async (waitMs: number) => {
      dataWait.ms = waitMs;
      serveHeld();
      const cabinet = watchCabinet();
      const user = userEvent.setup();
      renderWithProviders(<App />);
      await user.click(await screen.findByTestId("nav-orders"));
      return { cabinet, user };
    };

    it("opens once its first page, counts and statuses are in: the inbox stays until then, and the screen's first draw is its last", async () => {
      // Opened at once, the screen would lay out and paint its frame empty, then again with the data.
      const { cabinet } = await clickOrders(60_000);
      expect(screen.queryByTestId("cabinet")).toBeNull();
      expect(screen.getByTestId("inbox")).toBeInTheDocument();
      release();
      await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
      cabinet.stop();
      // The status names too: without the shop's statuses a row shows a status's number.
      const status = statusLabel(recorded<ShopStatus[]>(fixture, "shop_statuses"), 1, en);
      expect(status).not.toMatch(/#/);
      expect(row(6)).toHaveTextContent(status);
      expect(cabinet.seen.firstDraw).toEqual({ rows: [6, 2, 1], text: row(6).textContent });
    });

    it("opens without its data when the read takes longer than the wait, and shows it when it comes", async () => {
      const { cabinet } = await clickOrders(0);
      expect(await screen.findByTestId("cabinet")).toBeInTheDocument();
      cabinet.stop();
      expect(shown()).toEqual([]);
      release();
      await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    });

    it("a sidebar click made while All orders waits for its data wins: All orders does not open after it", async () => {
      const { cabinet, user } = await clickOrders(60_000);
      await user.click(screen.getByTestId("nav-inbox"));
      release();
      await waitFor(() => expect(answered).toBe(true));
      // The read's answer settles in the tasks after it; the screen would open then.
      await new Promise((r) => setTimeout(r, 0));
      cabinet.stop();
      expect(cabinet.seen.ever).toBe(false);
      expect(screen.getByTestId("inbox")).toBeInTheDocument();
    });
  });

  it("opens on one page: the first holds more than the window shows plus the prefetch reach", async () => {
    // A first page as long as the window asks for, with more after it: the next page is for
    // when the manager scrolls or moves towards its end, not for the screen's opening.
    const recordedRow = recorded<OrderPage>(fixture, "cabinet_page").rows[0];
    if (!recordedRow) throw new Error("the fixture has a row");
    const rows = Array.from({ length: FIRST_PAGE_SIZE }, (_, i) => ({ ...recordedRow, id: 1000 - i }));
    const next = { key: "next", id: 1000 - FIRST_PAGE_SIZE + 1 };
    const served = serveRecorded(fixture, {
      cabinet_page: (args) => {
        const { after, limit } = (args as { query: OrderPageQuery }).query;
        return after == null ? { rows: rows.slice(0, limit), next } : { rows: [], next: null };
      },
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await waitFor(() => expect(shown()[0]).toBe(1000));
    await new Promise((r) => setTimeout(r, 50));
    expect(pageQueries(served).map((q) => q.after)).toEqual([null]);
  });

  it("sorts by a column; a second click turns the order around, and paging starts over", async () => {
    const { served, user } = await openCabinet();
    await user.click(screen.getByTestId("cabinet-sort-number"));
    await waitFor(() => expect(shown()).toEqual([1, 2, 6]));
    expect(lastQuery(served)).toMatchObject({ sort: { column: "number", desc: false }, after: null });
    expect(screen.getByTestId("cabinet-sort-number").parentElement).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByTestId("cabinet-sort-number"));
    await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    expect(lastQuery(served)).toMatchObject({ sort: { column: "number", desc: true }, after: null });
    // Another column starts newest first for dates.
    await user.click(screen.getByTestId("cabinet-sort-created"));
    expect(screen.getByTestId("cabinet-sort-created").parentElement).toHaveAttribute("aria-sort", "descending");
    await user.click(screen.getByTestId("cabinet-sort-created"));
    await waitFor(() => expect(shown()).toEqual([1, 2, 6]));
    expect(lastQuery(served)).toMatchObject({ sort: { column: "created", desc: false }, after: null });
  });

  it("selects with clicks and keys, and moves the selected orders to a status (never «Transferred»)", async () => {
    const { served, user } = await openCabinet(statusFixture);
    await user.click(row(6));
    expect(row(6)).toHaveAttribute("data-selected", "true");
    await user.keyboard("{Control>}");
    await user.click(row(1));
    await user.keyboard("{/Control}");
    expect(screen.getByTestId("cabinet-selected")).toHaveTextContent("2 orders selected");
    // Shift-click: the range from the last clicked row.
    await user.keyboard("{Shift>}");
    await user.click(row(6));
    await user.keyboard("{/Shift}");
    expect(screen.getByTestId("cabinet-selected")).toHaveTextContent("3 orders selected");
    // x toggles the row under the cursor: the clicked row is the cursor, j moves it down.
    await user.keyboard("jx");
    expect(row(2)).toHaveAttribute("data-cursor", "true");
    expect(row(2)).toHaveAttribute("data-selected", "false");

    const options = within(screen.getByTestId("bulk-status")).getAllByRole("option").map((o) => o.textContent);
    expect(options).toContain("Shipped");
    // Transferred comes only from a transfer, Deleted only from Delete (which warns first).
    expect(options).not.toContain("Deleted");
    expect(options).not.toContain("Transferred");
    await user.selectOptions(screen.getByTestId("bulk-status"), "4");
    await user.click(screen.getByTestId("bulk-status-apply"));
    expect(await screen.findByText("2 orders → «Shipped»")).toBeInTheDocument();
    expect(served.callsTo("set_shop_order_status").map((c) => c.args)).toEqual([{ ids: [6, 1], statusId: 4 }]);
    // They left the “new” group.
    await waitFor(() => expect(shown()).toEqual([2]));
    expect(screen.getByTestId("cabinet-selected")).toHaveTextContent("Click, Shift-click or x to select orders.");
  });

  it("changes the order type of the selected orders", async () => {
    const { served, user } = await openCabinet(typeFixture);
    await user.click(screen.getByTestId("cabinet-select-all"));
    expect(screen.getByTestId("cabinet-selected")).toHaveTextContent("3 orders selected");
    await user.selectOptions(screen.getByTestId("bulk-type"), "export");
    await user.click(screen.getByTestId("bulk-type-apply"));
    await waitFor(() =>
      expect(served.callsTo("set_order_type").map((c) => c.args)).toEqual([{ ids: [6, 2, 1], orderType: "export" }]),
    );
    await waitFor(() => expect(row(1)).toHaveTextContent("Export"));
  });

  it("warns before deleting an order that was transferred, and can remove the link too", async () => {
    const { served, user } = await openCabinet(deleteFixture);
    await user.click(row(6));
    await user.keyboard("{Control>}");
    await user.click(row(2));
    await user.keyboard("{/Control}");
    await user.click(screen.getByTestId("bulk-delete"));
    const warning = screen.getByTestId("bulk-delete-warning");
    expect(warning).toHaveTextContent("Order SO-6 was transferred to RetailCRM.");
    expect(served.callsTo("delete_shop_orders")).toEqual([]);
    await user.click(within(warning).getByTestId("bulk-delete-unlink"));
    await waitFor(() =>
      expect(served.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [6, 2], removeLinks: true }]),
    );
    await waitFor(() => expect(shown()).toEqual([1]));

    // Without a transferred order there is nothing to ask.
    await user.click(row(1));
    await user.click(screen.getByTestId("bulk-delete"));
    await waitFor(() =>
      expect(served.callsTo("delete_shop_orders").map((c) => c.args)).toContainEqual({ ids: [1], removeLinks: false }),
    );
    await waitFor(() => expect(shown()).toEqual([]));
  });

  it("a warning's buttons delete the orders it warned about, whatever is selected by then", async () => {
    const { served, user } = await openCabinet(deleteFixture);
    await user.click(row(6));
    await user.keyboard("{Control>}");
    await user.click(row(2));
    await user.keyboard("{/Control}");
    await user.click(screen.getByTestId("bulk-delete"));
    // The manager clicks another row while the warning is up.
    await user.click(row(1));
    const warning = screen.getByTestId("bulk-delete-warning");
    await user.click(within(warning).getByTestId("bulk-delete-unlink"));
    await waitFor(() =>
      expect(served.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [6, 2], removeLinks: true }]),
    );
  });

  it("deletes permanently only when every selected order is already deleted, after asking", async () => {
    const { served, user } = await openCabinet(purgeFixture);
    await user.click(screen.getByTestId("cabinet-stat-all"));
    await waitFor(() => expect(shown()).toHaveLength(6));
    expect(screen.getByTestId("bulk-purge")).toBeDisabled();
    await user.click(row(5));
    expect(screen.getByTestId("bulk-purge")).toBeEnabled();
    expect(screen.getByTestId("bulk-delete")).toBeDisabled();
    await user.keyboard("{Control>}");
    await user.click(row(4));
    await user.keyboard("{/Control}");
    expect(screen.getByTestId("bulk-purge")).toBeDisabled();
    await user.keyboard("{Control>}");
    await user.click(row(4));
    await user.keyboard("{/Control}");
    await user.click(screen.getByTestId("bulk-purge"));
    expect(served.callsTo("purge_shop_orders")).toEqual([]);
    await user.click(screen.getByTestId("bulk-purge-confirm"));
    expect(await screen.findByText("1 order deleted permanently")).toBeInTheDocument();
    expect(served.callsTo("purge_shop_orders").map((c) => c.args)).toEqual([{ ids: [5] }]);
    await waitFor(() => expect(shown()).toHaveLength(5));
  });

  it("keeps the view when leaving and coming back; a named view reopens", async () => {
    const { user } = await openCabinet();
    await user.click(screen.getByTestId("cabinet-stat-4"));
    await waitFor(() => expect(shown()).toEqual([4]));
    await user.click(screen.getByTestId("nav-inbox"));
    await user.click(screen.getByTestId("nav-orders"));
    await waitFor(() => expect(shown()).toEqual([4]));
    expect(screen.getByTestId("cabinet-filter-status")).toHaveValue("s:4");

    await user.type(screen.getByTestId("cabinet-view-name"), "Shipped");
    await user.click(screen.getByTestId("cabinet-view-save"));
    await user.click(screen.getByTestId("cabinet-clear"));
    await waitFor(() => expect(shown()).toHaveLength(3));
    await user.selectOptions(screen.getByTestId("cabinet-views"), "Shipped");
    await waitFor(() => expect(shown()).toEqual([4]));
    expect(JSON.parse(localStorage.getItem("ordertray.cabinet.views") ?? "[]")).toEqual([
      { name: "Shipped", view: "s=4&sort=-created" },
    ]);
  });

  it("keys: / goes to the search, j/k move, Enter opens the order", async () => {
    const { user } = await openCabinet();
    await user.keyboard("/");
    expect(screen.getByTestId("cabinet-search")).toHaveFocus();
    expect(screen.getByTestId("cabinet-search")).toHaveValue("");
    await user.keyboard("{Escape}");
    (document.activeElement as HTMLElement).blur();
    await user.keyboard("jjk");
    expect(row(6)).toHaveAttribute("data-cursor", "true");
    await user.keyboard("j{Enter}");
    expect(await screen.findByTestId("shop-order-number")).toHaveTextContent("SO-2");
    expect(screen.getByTestId("nav-orders")).toHaveClass("active");
    await user.click(screen.getByTestId("shop-order-back"));
    await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    // Back where it was: the cursor is on the order just opened.
    expect(row(2)).toHaveAttribute("data-cursor", "true");
    await user.keyboard("j");
    expect(row(1)).toHaveAttribute("data-cursor", "true");
    // With a Russian layout on, the same physical keys: k comes as «л», x as «ч».
    fireEvent.keyDown(window, { key: "л", code: "KeyK" });
    expect(row(2)).toHaveAttribute("data-cursor", "true");
    fireEvent.keyDown(window, { key: "ч", code: "KeyX" });
    expect(row(2)).toHaveAttribute("data-selected", "true");
  });

  it("sends one order from its row's menu, by keyboard, without moving the cabinet's cursor or selection", async () => {
    const crm = {
      account_id: 21,
      name: "Our CRM",
      kind: "retailcrm" as const,
      kind_name: "RetailCRM",
      active: true,
      deletes: false,
      ships: false,
      rules: { success_status: null, failure_status: null, send_on_status: null },
    };
    const { served, user } = await openCabinet(fixture, {
      transfer_targets: () => [crm, { ...crm, account_id: 22, name: "Shiptor parcels", kind: "shiptor", kind_name: "Shiptor" }],
      send_to_target: () => ({ queued: [2], to_confirm: [] }),
      // Queued, still waiting to go (the engine lists it pending from the moment it is queued).
      transfer_status: () => [orderTransfer(2, "SO-2", { ...sentToCrm, account_id: 21, state: "pending", remote_id: null })],
    });
    const send = await within(row(2)).findByRole("button", { name: "Send order SO-2 to…" });
    send.focus();
    await user.keyboard("{Enter}");
    const menu = within(row(2)).getByRole("menu");
    expect(within(menu).getByRole("menuitem", { name: "Our CRM" })).toHaveFocus();
    // Arrows move within the menu, not the cabinet's cursor.
    await user.keyboard("{ArrowDown}");
    expect(within(menu).getByRole("menuitem", { name: "Shiptor parcels" })).toHaveFocus();
    await user.keyboard("{ArrowUp}{Enter}");
    await waitFor(() => expect(served.callsTo("send_to_target").map((c) => c.args)).toEqual([{ accountId: 21, ids: [2], confirmed: false }]));
    expect(send).toHaveFocus();
    expect(screen.queryAllByTestId(/^cabinet-row-\d+$/).filter((r) => r.dataset.selected === "true")).toEqual([]);
    expect(await screen.findByTestId("send-progress")).toHaveTextContent("Sent to Our CRM");
  });

  it("a search of one or two characters reads on where each read stopped, says how far it got, and 'no match' only at the list's end", async () => {
    // The engine checks a bounded number of orders a read (30,000): a fragment in no order takes
    // a read for each stretch of the list; one found in order 1 only shows it at the end.
    const recordedRow = recorded<OrderPage>(fixture, "cabinet_page").rows[0];
    if (!recordedRow) throw new Error("the fixture has a row");
    let release: (() => void) | null = null;
    let releaseLast: (() => void) | null = null;
    const served = serveRecorded(fixture, {
      cabinet_page: async (args) => {
        const { filter, after } = (args as { query: OrderPageQuery }).query;
        if (filter.search === "") return recorded<OrderPage>(fixture, "cabinet_page");
        // Answered a turn later, as the app's calls are; the second read waits for the test.
        await new Promise<void>((r) => setTimeout(r, 0));
        const stopped = (id: number) => ({ rows: [], next: { key: `${id}`, id }, orders_checked: 30000, stopped: true });
        if (after == null) return stopped(60001);
        if (after.id === 60001) {
          if (filter.search === "ъъ") await new Promise<void>((r) => (release = r));
          return stopped(30001);
        }
        if (after.id === 30001) return stopped(1);
        if (filter.search === "ъъ") await new Promise<void>((r) => (releaseLast = r));
        const rows = filter.search === "ab" ? [{ ...recordedRow, id: 1 }] : [];
        return { rows, next: null, orders_checked: 1, stopped: false };
      },
      cabinet_stats: (args) => {
        const { filter } = args as { filter: { search: string } };
        if (filter.search === "") return recorded<CabinetStats>(fixture, "cabinet_stats");
        return { by_status: [], total: 0, searched_newest: 30000 };
      },
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    const searched = () => pageQueries(served).filter((q) => q.filter.search !== "");

    await user.type(screen.getByTestId("cabinet-search"), "ъъ{Enter}");
    expect(await screen.findByText("Searching… 30,000 orders checked so far")).toBeInTheDocument();
    expect(screen.queryByTestId("cabinet-empty")).toBeNull();
    expect(shown()).toEqual([]);
    expect(searched().map((q) => q.after?.id ?? null)).toEqual([null, 60001]);
    // The bar says its counts are of the newest orders only.
    await waitFor(() => expect(screen.getByTestId("cabinet-stat-all")).toHaveTextContent(/^All 0\+$/));
    expect(screen.getByTestId("cabinet-stat-all")).toHaveAttribute("title", en.cabinet.stats.searchedNewest("30,000"));

    (release as (() => void) | null)?.();
    expect(await screen.findByText("Searching… 90,000 orders checked so far")).toBeInTheDocument();
    expect(screen.queryByTestId("cabinet-empty")).toBeNull();
    (releaseLast as (() => void) | null)?.();
    expect(await screen.findByTestId("cabinet-empty")).toBeInTheDocument();
    expect(screen.queryByTestId("cabinet-searching")).toBeNull();
    expect(searched().map((q) => q.after?.id ?? null)).toEqual([null, 60001, 30001, 1]);

    // Found at the list's end: shown once the reads get there.
    await user.clear(screen.getByTestId("cabinet-search"));
    await user.type(screen.getByTestId("cabinet-search"), "ab{Enter}");
    await waitFor(() => expect(shown()).toEqual([1]));
    expect(screen.queryByTestId("cabinet-searching")).toBeNull();
    expect(searched().filter((q) => q.filter.search === "ab").map((q) => q.after?.id ?? null)).toEqual([null, 60001, 30001, 1]);
  }, 30_000);

  it("stops saying it is searching when a read of a short search fails, and says why", async () => {
    serveRecorded(fixture, {
      cabinet_page: async (args) => {
        const { filter, after } = (args as { query: OrderPageQuery }).query;
        if (filter.search === "") return recorded<OrderPage>(fixture, "cabinet_page");
        await new Promise<void>((r) => setTimeout(r, 0));
        if (after == null) return { rows: [], next: { key: "60001", id: 60001 }, orders_checked: 30000, stopped: true };
        throw { code: "storage", message: "database is locked", words: null };
      },
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await waitFor(() => expect(shown()).toEqual([6, 2, 1]));
    await user.type(screen.getByTestId("cabinet-search"), "ъъ{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent("database is locked");
    expect(screen.queryByTestId("cabinet-searching")).toBeNull();
    expect(screen.queryByTestId("cabinet-empty")).toBeNull();
  });

  it("refreshes when the engine says orders changed", async () => {
    const { served } = await openCabinet();
    // SO-17 (id 7) was made elsewhere.
    served.advance();
    await served.emit({ type: "orders_changed", account_id: null });
    await waitFor(() => expect(shown()).toEqual([7, 6, 2, 1]));
    await waitFor(() => expect(screen.getByTestId("cabinet-stat-1")).toHaveTextContent("Accepted 4"));
  });

  it("shows the engine's failure instead of an empty list", async () => {
    serveRecorded(fixture, {
      cabinet_page: () => {
        throw { code: "storage", message: "database is locked", words: null };
      },
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    expect(await screen.findByRole("alert")).toHaveTextContent("database is locked");
    expect(screen.queryByTestId("cabinet-empty")).toBeNull();
  });
});
