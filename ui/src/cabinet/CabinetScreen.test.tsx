import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { OrderPageQuery } from "../bindings/OrderPageQuery";
import { accountView } from "../test/backend";
import { CabinetBackend, fullOrder } from "../test/cabinet";
import { renderWithProviders } from "../test/render";

/**
 * SO-1 (from Ozon), SO-2 and SO-6 (transferred to RetailCRM) are in «Accepted» (group new);
 * SO-3 is «Ordered» (in work), SO-4 «Shipped» (done), SO-5 «Deleted». Newer ids are newer orders.
 */
function withOrders(): CabinetBackend {
  const b = new CabinetBackend();
  b.accounts = [accountView(1, "Shop A")];
  b.orders = [
    fullOrder(1, "SO-1", { account: "Shop A", account_kind: "ozon", source_order_id: 57000 }),
    fullOrder(2, "SO-2"),
    fullOrder(3, "SO-3", { status_id: 2 }, { payment_method: "cash_on_delivery", paid: false, cod: true, order_type: "through" }),
    fullOrder(4, "SO-4", { status_id: 4 }),
    fullOrder(5, "SO-5", { status_id: 8 }),
    fullOrder(6, "SO-6", { transferred_to: "RetailCRM" }),
  ];
  return b.install();
}

const shown = () => screen.queryAllByTestId(/^cabinet-row-\d+$/).map((r) => within(r).getByRole("button").textContent);
const row = (id: number) => screen.getByTestId(`cabinet-row-${id}`);
const pageQueries = (b: CabinetBackend) => b.callsTo("cabinet_page").map((c) => (c.args as { query: OrderPageQuery }).query);
const lastQuery = (b: CabinetBackend) => pageQueries(b).at(-1) as OrderPageQuery;

async function openCabinet() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await waitFor(() => expect(shown()).toEqual(["SO-6", "SO-2", "SO-1"]));
  return user;
}

describe("the cabinet", () => {
  it("opens with the orders of the “new” group, newest first, and counts per status and group", async () => {
    const b = withOrders();
    await openCabinet();
    expect(pageQueries(b)[0]).toEqual({
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
      limit: 500,
    });
    await waitFor(() => expect(screen.getByTestId("cabinet-stat-all")).toHaveTextContent("All 6"));
    expect(screen.getByTestId("cabinet-stat-1")).toHaveTextContent("Accepted 3");
    expect(screen.getByTestId("cabinet-stat-8")).toHaveTextContent("Deleted 1");
    expect(screen.getByTestId("cabinet-stat-9")).toHaveTextContent("Transferred 0");
    expect(screen.getByTestId("cabinet-stat-group-new")).toHaveTextContent("New 3");
    expect(screen.getByTestId("cabinet-stat-group-in_work")).toHaveTextContent("In work 1");
    expect(screen.getByTestId("cabinet-stat-group-removed")).toHaveTextContent("Removed 1");
    expect(screen.getByTestId("cabinet-stat-group-new")).toHaveAttribute("aria-pressed", "true");
    // Counts ignore the status filters.
    expect(b.callsTo("cabinet_stats")[0]?.args).toMatchObject({ filter: { groups: [], status_ids: [] } });
    const so1 = row(1);
    expect(so1).toHaveTextContent("Shop A");
    expect(so1).toHaveTextContent("Recipient 1");
    expect(so1).toHaveTextContent("Prepaid");
    expect(so1).toHaveTextContent("2,350.00");
    expect(row(2)).toHaveTextContent("By hand");
  });

  it("a click on a count shows exactly those orders; Clear returns to the default view", async () => {
    const b = withOrders();
    const user = await openCabinet();
    const statsCalls = b.callsTo("cabinet_stats").length;
    await user.click(screen.getByTestId("cabinet-stat-4"));
    await waitFor(() => expect(shown()).toEqual(["SO-4"]));
    expect(lastQuery(b).filter).toMatchObject({ status_ids: [4], groups: [] });
    expect(screen.getByTestId("cabinet-filter-status")).toHaveValue("s:4");
    await user.click(screen.getByTestId("cabinet-stat-group-removed"));
    await waitFor(() => expect(shown()).toEqual(["SO-5"]));
    expect(lastQuery(b).filter).toMatchObject({ status_ids: [], groups: ["removed"] });
    // Narrowing by status does not count again: the counts are the same under any status.
    expect(b.callsTo("cabinet_stats")).toHaveLength(statsCalls);
    await user.click(screen.getByTestId("cabinet-stat-all"));
    await waitFor(() => expect(shown()).toHaveLength(6));

    await user.type(screen.getByTestId("cabinet-search"), "so-4");
    await user.click(screen.getByTestId("cabinet-clear"));
    await waitFor(() => expect(shown()).toEqual(["SO-6", "SO-2", "SO-1"]));
    expect(screen.getByTestId("cabinet-search")).toHaveValue("");
    expect(screen.getByTestId("cabinet-filter-status")).toHaveValue("g:new");
    expect(screen.getByTestId("cabinet-stat-group-new")).toHaveAttribute("aria-pressed", "true");
  });

  it("filters combine and apply on Find (or Enter)", async () => {
    const b = withOrders();
    const user = await openCabinet();
    await user.selectOptions(screen.getByTestId("cabinet-filter-status"), "");
    await user.selectOptions(screen.getByTestId("cabinet-filter-payment"), "cash_on_delivery");
    await user.selectOptions(screen.getByTestId("cabinet-filter-paid"), "no");
    await user.selectOptions(screen.getByTestId("cabinet-filter-type"), "through");
    await user.selectOptions(screen.getByTestId("cabinet-filter-source"), "manual");
    fireEvent.change(screen.getByTestId("cabinet-filter-from"), { target: { value: "2026-11-01" } });
    fireEvent.change(screen.getByTestId("cabinet-filter-to"), { target: { value: "2026-11-30" } });
    // Nothing applies until Find.
    expect(shown()).toEqual(["SO-6", "SO-2", "SO-1"]);
    await user.click(screen.getByTestId("cabinet-find"));
    await waitFor(() => expect(shown()).toEqual(["SO-3"]));
    expect(lastQuery(b).filter).toMatchObject({
      status_ids: [],
      groups: [],
      payment: ["cash_on_delivery"],
      paid: false,
      types: ["through"],
      manual: true,
      kinds: [],
      account_ids: [],
    });
    expect(new Date(lastQuery(b).filter.from ?? "").getDate()).toBe(1);
    // "To" includes the whole day: the engine's end is the next day's start.
    expect(new Date(lastQuery(b).filter.to ?? "").getDate()).toBe(1);
    expect(screen.getByTestId("cabinet-filter-to")).toHaveValue("2026-11-30");

    await user.click(screen.getByTestId("cabinet-clear"));
    await waitFor(() => expect(shown()).toHaveLength(3));
    await user.type(screen.getByTestId("cabinet-search"), "recipient 2{Enter}");
    await waitFor(() => expect(shown()).toEqual(["SO-2"]));
    expect(lastQuery(b).filter.search).toBe("recipient 2");
  });

  it("reads the list in keyset pages: each asks for the rows after the previous page's last", async () => {
    const b = withOrders();
    b.pageSize = 2;
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await user.click(await screen.findByTestId("cabinet-stat-all"));
    await waitFor(() => expect(shown()).toEqual(["SO-6", "SO-5", "SO-4", "SO-3", "SO-2", "SO-1"]));
    const all = pageQueries(b).filter((q) => q.filter.groups.length === 0);
    const answers = b.callsTo("cabinet_page").length;
    expect(all.map((q) => q.after)).toEqual([
      null,
      { key: "2026-11-15T08:00:00Z", id: 5 },
      { key: "2026-11-13T08:00:00Z", id: 3 },
    ]);
    // Never an offset: the next query is only the cursor, the rest as before.
    expect(all.every((q) => q.limit === 500 && q.sort.column === "created")).toBe(true);
    // The last page has no next cursor: nothing more is asked for.
    await new Promise((r) => setTimeout(r, 50));
    expect(b.callsTo("cabinet_page")).toHaveLength(answers);
  });

  it("sorts by a column; a second click turns the order around, and paging starts over", async () => {
    const b = withOrders();
    const user = await openCabinet();
    await user.click(screen.getByTestId("cabinet-sort-number"));
    await waitFor(() => expect(shown()).toEqual(["SO-1", "SO-2", "SO-6"]));
    expect(lastQuery(b)).toMatchObject({ sort: { column: "number", desc: false }, after: null });
    expect(screen.getByTestId("cabinet-sort-number").parentElement).toHaveAttribute("aria-sort", "ascending");
    await user.click(screen.getByTestId("cabinet-sort-number"));
    await waitFor(() => expect(shown()).toEqual(["SO-6", "SO-2", "SO-1"]));
    expect(lastQuery(b)).toMatchObject({ sort: { column: "number", desc: true }, after: null });
    // Another column starts newest first for dates.
    await user.click(screen.getByTestId("cabinet-sort-created"));
    expect(screen.getByTestId("cabinet-sort-created").parentElement).toHaveAttribute("aria-sort", "descending");
    await user.click(screen.getByTestId("cabinet-sort-created"));
    await waitFor(() => expect(shown()).toEqual(["SO-1", "SO-2", "SO-6"]));
    expect(lastQuery(b)).toMatchObject({ sort: { column: "created", desc: false }, after: null });
  });

  it("selects with clicks and keys, and moves the selected orders to a status (never «Transferred»)", async () => {
    const b = withOrders();
    const user = await openCabinet();
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
    expect(b.callsTo("set_shop_order_status").map((c) => c.args)).toEqual([{ ids: [6, 1], statusId: 4 }]);
    // They left the “new” group.
    await waitFor(() => expect(shown()).toEqual(["SO-2"]));
    expect(screen.getByTestId("cabinet-selected")).toHaveTextContent("Click, Shift-click or x to select orders.");
  });

  it("changes the order type of the selected orders", async () => {
    const b = withOrders();
    const user = await openCabinet();
    await user.click(screen.getByTestId("cabinet-select-all"));
    expect(screen.getByTestId("cabinet-selected")).toHaveTextContent("3 orders selected");
    await user.selectOptions(screen.getByTestId("bulk-type"), "export");
    await user.click(screen.getByTestId("bulk-type-apply"));
    await waitFor(() => expect(b.callsTo("set_order_type").map((c) => c.args)).toEqual([{ ids: [6, 2, 1], orderType: "export" }]));
    await waitFor(() => expect(row(1)).toHaveTextContent("Export"));
  });

  it("warns before deleting an order that was transferred, and can remove the link too", async () => {
    const b = withOrders();
    const user = await openCabinet();
    await user.click(row(6));
    await user.keyboard("{Control>}");
    await user.click(row(2));
    await user.keyboard("{/Control}");
    await user.click(screen.getByTestId("bulk-delete"));
    const warning = screen.getByTestId("bulk-delete-warning");
    expect(warning).toHaveTextContent("Order SO-6 was transferred to RetailCRM.");
    expect(b.callsTo("delete_shop_orders")).toEqual([]);
    await user.click(within(warning).getByTestId("bulk-delete-unlink"));
    await waitFor(() => expect(b.callsTo("delete_shop_orders").map((c) => c.args)).toEqual([{ ids: [6, 2], removeLinks: true }]));
    await waitFor(() => expect(shown()).toEqual(["SO-1"]));

    // Without a transferred order there is nothing to ask.
    await user.click(row(1));
    await user.click(screen.getByTestId("bulk-delete"));
    await waitFor(() => expect(b.callsTo("delete_shop_orders").map((c) => c.args)).toContainEqual({ ids: [1], removeLinks: false }));
  });

  it("deletes permanently only when every selected order is already deleted, after asking", async () => {
    const b = withOrders();
    const user = await openCabinet();
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
    expect(b.callsTo("purge_shop_orders")).toEqual([]);
    await user.click(screen.getByTestId("bulk-purge-confirm"));
    expect(await screen.findByText("1 order deleted permanently")).toBeInTheDocument();
    expect(b.callsTo("purge_shop_orders").map((c) => c.args)).toEqual([{ ids: [5] }]);
    await waitFor(() => expect(shown()).toHaveLength(5));
  });

  it("keeps the view when leaving and coming back; a named view reopens", async () => {
    withOrders();
    const user = await openCabinet();
    await user.click(screen.getByTestId("cabinet-stat-4"));
    await waitFor(() => expect(shown()).toEqual(["SO-4"]));
    await user.click(screen.getByTestId("nav-inbox"));
    await user.click(screen.getByTestId("nav-orders"));
    await waitFor(() => expect(shown()).toEqual(["SO-4"]));
    expect(screen.getByTestId("cabinet-filter-status")).toHaveValue("s:4");

    await user.type(screen.getByTestId("cabinet-view-name"), "Shipped");
    await user.click(screen.getByTestId("cabinet-view-save"));
    await user.click(screen.getByTestId("cabinet-clear"));
    await waitFor(() => expect(shown()).toHaveLength(3));
    await user.selectOptions(screen.getByTestId("cabinet-views"), "Shipped");
    await waitFor(() => expect(shown()).toEqual(["SO-4"]));
    expect(JSON.parse(localStorage.getItem("ordertray.cabinet.views") ?? "[]")).toEqual([
      { name: "Shipped", view: "s=4&sort=-created" },
    ]);
  });

  it("keys: / goes to the search, j/k move, Enter opens the order", async () => {
    withOrders();
    const user = await openCabinet();
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
    await waitFor(() => expect(shown()).toEqual(["SO-6", "SO-2", "SO-1"]));
    // Back where it was: the cursor is on the order just opened.
    expect(row(2)).toHaveAttribute("data-cursor", "true");
    await user.keyboard("j");
    expect(row(1)).toHaveAttribute("data-cursor", "true");
  });

  it("refreshes when the engine says orders changed", async () => {
    const b = withOrders();
    await openCabinet();
    b.orders.push(fullOrder(17, "SO-17"));
    await b.emit({ type: "orders_changed", account_id: null });
    await waitFor(() => expect(shown()).toEqual(["SO-17", "SO-6", "SO-2", "SO-1"]));
    await waitFor(() => expect(screen.getByTestId("cabinet-stat-1")).toHaveTextContent("Accepted 4"));
  });

  it("shows the engine's failure instead of an empty list", async () => {
    const b = withOrders();
    b.failures.set("cabinet_page", { code: "storage", message: "database is locked" });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    expect(await screen.findByRole("alert")).toHaveTextContent("database is locked");
    expect(screen.queryByTestId("cabinet-empty")).toBeNull();
  });
});
