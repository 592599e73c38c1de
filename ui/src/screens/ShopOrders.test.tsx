import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { CustomerPage } from "../bindings/CustomerPage";
import type { CustomerSummary } from "../bindings/CustomerSummary";
import type { PageCursor } from "../bindings/PageCursor";
import type { ShopOrderView } from "../bindings/ShopOrderView";
import customersFixture from "../test/fixtures/customers.json";
import ozonOrders from "../test/fixtures/ozon_orders.json";
import { recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { formatDateTime } from "../format";
import { PREFETCH_ROWS } from "../components/useLoadMore";
import { CUSTOMERS_PAGE } from "../queries";

// Counted: each customer row formats its last order's date once per render.
vi.mock("../format", async (actual) => {
  const real = await actual<typeof import("../format")>();
  return { ...real, formatDateTime: vi.fn(real.formatDateTime) };
});

/**
 * The engine's scenario (ui_fixtures.rs, customers_with_orders): three accepted realFBS postings,
 * two of Иван Петров and one of Anna Nowak, all to Москва; each is a shop order of its customer.
 */
function withOrders() {
  const [ivanId, annaId] = firstPage().rows.map((c) => c.customer.id);
  const ordersOf = (customerId: number | undefined) =>
    recordedFor<ShopOrderView[]>(customersFixture, "shop_orders", { customerId, limit: null });
  return { engine: serveRecorded(customersFixture), ivanId, annaId, ordersOf };
}

/** The customers' first page as the engine answered the screen in the scenario. */
function firstPage(): CustomerPage {
  return recordedFor<CustomerPage>(customersFixture, "customers", { search: null, limit: CUSTOMERS_PAGE, after: null });
}

/** `n` customers like the scenario's first, named "Customer 0" onwards. */
function manyCustomers(n = 400): CustomerSummary[] {
  const [first] = firstPage().rows;
  if (!first) throw new Error("the scenario records customers");
  return Array.from({ length: n }, (_, i) => ({
    ...first,
    customer: { ...first.customer, id: 10_000 + i, name: `Customer ${i}` },
  }));
}

/** The engine's keyset pages over `all` (the cursor's key is the row's place, the engine's own is opaque to the UI). */
function pagesOf(all: CustomerSummary[]) {
  return (args: Record<string, unknown>): CustomerPage => {
    const { limit, after } = args as { limit: number; after: PageCursor | null };
    const start = after == null ? 0 : Number(after.key) + 1;
    const rows = all.slice(start, start + limit);
    const last = start + rows.length - 1;
    const next = rows.length === limit ? { key: String(last), id: all[last]?.customer.id ?? 0 } : null;
    return { rows, next, checked: 0, stopped: false };
  };
}

describe("customers", () => {
  it("lists customers; clicking one, or j and Enter, shows that customer's orders", async () => {
    const { engine: b, ivanId, annaId } = withOrders();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(2));
    const [ivan] = screen.getAllByTestId("customer-row") as [HTMLElement];
    expect(ivan).toHaveTextContent("Иван Петров");
    expect(ivan).toHaveTextContent("+79001234567");
    expect(ivan).toHaveTextContent("Москва");

    await user.click(ivan);
    const orders = await screen.findByTestId("customer-orders");
    expect(orders).toHaveTextContent("Orders of Иван Петров");
    await waitFor(() => expect(within(orders).getAllByTestId("shop-order-row")).toHaveLength(2));
    expect(b.callsTo("shop_orders").map((c) => c.args)).toContainEqual({ customerId: ivanId, limit: null });

    await user.keyboard("j{Enter}");
    await waitFor(() => expect(screen.getByTestId("customer-orders")).toHaveTextContent("Orders of Anna Nowak"));
    await waitFor(() => expect(within(screen.getByTestId("customer-orders")).getAllByTestId("shop-order-row")).toHaveLength(1));
    expect(b.callsTo("shop_orders").map((c) => c.args)).toContainEqual({ customerId: annaId, limit: null });
  });

  it("an order of a customer opens as the shop order, and Back returns to the customer list", async () => {
    const { engine: b, ivanId, ordersOf } = withOrders();
    const second = ordersOf(ivanId)[1];
    if (!second) throw new Error("the scenario records two orders of Иван Петров");
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await user.click((await screen.findAllByTestId("customer-row"))[0] as HTMLElement);
    const orders = await screen.findByTestId("customer-orders");
    await waitFor(() => expect(within(orders).getAllByTestId("shop-order-row")).toHaveLength(2));
    // (An order made by hand, with no marketplace order, opens the same way: cabinet/ShopOrderScreen.test.tsx.)
    await user.click(within(orders).getByRole("button", { name: second.number }));
    expect(await screen.findByTestId("shop-order-number")).toHaveTextContent(second.number);
    expect(b.callsTo("shop_order_full").map((c) => c.args)).toEqual([{ id: second.id }]);
    expect(screen.getByTestId("nav-customers")).toHaveClass("active");
    await user.click(screen.getByTestId("shop-order-back"));
    expect(await screen.findByTestId("customer-orders")).toHaveTextContent("Orders of Иван Петров");
  });

  it("a cursor move in a long list draws the rows it leaves and enters, not every row", async () => {
    const many = manyCustomers();
    serveRecorded(customersFixture, { customers: pagesOf(many) });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    // Drawn a step per frame: wait for the first page's last row.
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(CUSTOMERS_PAGE));
    const counted = vi.mocked(formatDateTime);
    counted.mockClear();
    await user.keyboard("jj");
    await waitFor(() => expect(screen.getAllByTestId("customer-row")[1]).toHaveAttribute("data-cursor", "true"));
    // Two moves: the first row entered, then left with the second entered.
    expect(counted.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it("choosing a customer in a long list draws the rows whose choice changed, not every row", async () => {
    // The choice goes through the app's route: the app draws again, and the callbacks it hands the
    // screen must stay the same ones for the memoised rows to be left alone.
    const many = manyCustomers();
    serveRecorded(customersFixture, { customers: pagesOf(many), shop_orders: () => [] });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(CUSTOMERS_PAGE));
    const counted = vi.mocked(formatDateTime);
    counted.mockClear();
    await user.click(screen.getAllByTestId("customer-row")[5] as HTMLElement);
    expect(await screen.findByTestId("customer-orders")).toHaveTextContent("Customer 5");
    expect(counted.mock.calls.length).toBeLessThanOrEqual(6);
  });

  it("a long list comes a page at a time: the next as the cursor nears the end, or on Show more", async () => {
    const many = manyCustomers(450);
    const b = serveRecorded(customersFixture, { customers: pagesOf(many) });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(CUSTOMERS_PAGE));
    expect(b.callsTo("customers").map((c) => c.args)).toEqual([{ search: null, limit: CUSTOMERS_PAGE, after: null }]);
    expect(screen.getByTestId("customers-more")).toHaveTextContent("Customers shown: 200");
    // The cursor (at the row before) comes within PREFETCH_ROWS of the loaded rows' end: the next
    // page is asked for, once.
    await user.keyboard("j".repeat(CUSTOMERS_PAGE - 1 - PREFETCH_ROWS));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")[CUSTOMERS_PAGE - 2 - PREFETCH_ROWS]).toHaveAttribute("data-cursor", "true"));
    expect(b.callsTo("customers")).toHaveLength(1);
    await user.keyboard("j");
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(2 * CUSTOMERS_PAGE));
    expect(b.callsTo("customers").map((c) => c.args)).toEqual([
      { search: null, limit: CUSTOMERS_PAGE, after: null },
      { search: null, limit: CUSTOMERS_PAGE, after: { key: String(CUSTOMERS_PAGE - 1), id: 10_000 + CUSTOMERS_PAGE - 1 } },
    ]);
    expect(screen.getAllByTestId("customer-row")[CUSTOMERS_PAGE]).toHaveTextContent(`Customer ${CUSTOMERS_PAGE}`);
    await user.click(within(screen.getByTestId("customers-more")).getByRole("button", { name: "Show more" }));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(450));
    expect(screen.getAllByTestId("customer-row")[449]).toHaveTextContent("Customer 449");
    // The list's end: nothing more to ask for.
    expect(screen.queryByTestId("customers-more")).not.toBeInTheDocument();
    expect(b.callsTo("customers")).toHaveLength(3);
  });

  it("asks for the first page as the sidebar's Customers is clicked, once, and opens with it: its first draw has the rows", async () => {
    let drawnWhenAsked: boolean | null = null;
    const b = serveRecorded(customersFixture, {
      customers: (args) => {
        drawnWhenAsked ??= screen.queryByTestId("customers") != null;
        return pagesOf(manyCustomers(3))(args);
      },
    });
    const firstDraw: number[] = [];
    const observer = new MutationObserver(() => {
      if (firstDraw.length === 0 && screen.queryByTestId("customers")) firstDraw.push(screen.queryAllByTestId("customer-row").length);
    });
    observer.observe(document.body, { childList: true, subtree: true });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(3));
    observer.disconnect();
    expect(drawnWhenAsked).toBe(false);
    expect(firstDraw).toEqual([3]);
    expect(b.callsTo("customers")).toHaveLength(1);
  });

  it("finds customers by a fragment of a phone typed with its separators, and Back from an order keeps the search", async () => {
    const { engine: b, annaId, ordersOf } = withOrders();
    const [annasOrder] = ordersOf(annaId);
    if (!annasOrder) throw new Error("the scenario records an order of Anna Nowak");
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(2));
    await user.keyboard("jj");
    await waitFor(() => expect(screen.getAllByTestId("customer-row")[1]).toHaveAttribute("data-cursor", "true"));
    // "/" goes to the search, as in All orders.
    await user.keyboard("/");
    expect(screen.getByTestId("customers-search")).toHaveFocus();
    await user.keyboard("601 234");
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(1));
    expect(screen.getByTestId("customer-row")).toHaveTextContent("Anna Nowak");
    expect(b.callsTo("customers").map((c) => c.args)).toContainEqual({ search: "601 234", limit: CUSTOMERS_PAGE, after: null });
    // Another list starts with no cursor, not on whichever customer is at the old one's place.
    expect(screen.getByTestId("customer-row")).toHaveAttribute("data-cursor", "false");
    // ↓ leaves the field for the list; Enter shows the customer's orders.
    await user.keyboard("{ArrowDown}{Enter}");
    const orders = await screen.findByTestId("customer-orders");
    expect(orders).toHaveTextContent("Orders of Anna Nowak");
    await user.click(await within(orders).findByRole("button", { name: annasOrder.number }));
    await user.click(await screen.findByTestId("shop-order-back"));
    expect(await screen.findByTestId("customer-orders")).toHaveTextContent("Orders of Anna Nowak");
    expect(screen.getByTestId("customers-search")).toHaveValue("601 234");
    expect(screen.getAllByTestId("customer-row")).toHaveLength(1);
  });

  it("says when no customer matches the search", async () => {
    serveRecorded(customersFixture, {
      customers: (args) => (args.search == null ? firstPage() : { rows: [], next: null, checked: 0, stopped: false }),
    });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(2));
    await user.type(screen.getByTestId("customers-search"), "zzz");
    expect(await screen.findByTestId("customers-empty")).toHaveTextContent("No customer matches «zzz».");
    expect(screen.queryByTestId("customer-row")).not.toBeInTheDocument();
  });

  it("a search of one or two characters reads on while its reads come back unfilled, saying how many it checked", async () => {
    const [anna] = firstPage().rows.slice(1);
    if (!anna) throw new Error("the scenario records two customers");
    let release: (() => void) | null = null;
    const b = serveRecorded(
      customersFixture,
      {
        customers: (args) => {
          const after = args.after as PageCursor | null;
          if (args.search == null) return firstPage();
          // The engine's bound of customers checked a read: the first read finds none of them.
          if (after == null) return { rows: [], next: { key: "", id: 5_001 }, checked: 5_000, stopped: true };
          return { rows: [anna], next: null, checked: 1_200, stopped: false };
        },
      },
      {
        customers: async (args) => {
          if (args.after != null) await new Promise<void>((r) => (release = r));
        },
      },
    );
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(2));
    // Pasted: one search, not one a letter.
    await user.click(screen.getByTestId("customers-search"));
    await user.paste("ow");
    expect(await screen.findByTestId("customers-searching")).toHaveTextContent("Searching… 5,000 customers checked so far");
    // Not "no customer matches" while the search reads on.
    expect(screen.queryByTestId("customers-empty")).not.toBeInTheDocument();
    await waitFor(() => expect(release).not.toBeNull());
    (release as (() => void) | null)?.();
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(1));
    expect(screen.getByTestId("customer-row")).toHaveTextContent("Anna Nowak");
    expect(screen.queryByTestId("customers-searching")).not.toBeInTheDocument();
    expect(b.callsTo("customers").map((c) => c.args)).toEqual([
      { search: null, limit: CUSTOMERS_PAGE, after: null },
      { search: "ow", limit: CUSTOMERS_PAGE, after: null },
      { search: "ow", limit: CUSTOMERS_PAGE, after: { key: "", id: 5_001 } },
    ]);
  });

  it("says when there are none yet", async () => {
    // Accepted Ozon postings are shop orders, but Ozon gives no customer: the engine lists none.
    serveRecorded(ozonOrders);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    expect(await screen.findByText(/No customers yet/)).toBeInTheDocument();
  });
});
