import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { CustomerSummary } from "../bindings/CustomerSummary";
import type { ShopOrderView } from "../bindings/ShopOrderView";
import customersFixture from "../test/fixtures/customers.json";
import ozonOrders from "../test/fixtures/ozon_orders.json";
import { recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { formatDateTime } from "../format";

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
  const [ivanId, annaId] = recordedFor<CustomerSummary[]>(customersFixture, "customers", { limit: null }).map((c) => c.customer.id);
  const ordersOf = (customerId: number | undefined) =>
    recordedFor<ShopOrderView[]>(customersFixture, "shop_orders", { customerId, limit: null });
  return { engine: serveRecorded(customersFixture), ivanId, annaId, ordersOf };
}

/** 400 customers like the scenario's first, named "Customer 0" to "Customer 399". */
function manyCustomers(): CustomerSummary[] {
  const [first] = recordedFor<CustomerSummary[]>(customersFixture, "customers", { limit: null });
  if (!first) throw new Error("the scenario records customers");
  return Array.from({ length: 400 }, (_, i) => ({
    ...first,
    customer: { ...first.customer, id: 10_000 + i, name: `Customer ${i}` },
  }));
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
    serveRecorded(customersFixture, { customers: () => many });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    // Drawn a step per frame: wait for the last row.
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(400));
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
    serveRecorded(customersFixture, { customers: () => many, shop_orders: () => [] });
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await waitFor(() => expect(screen.getAllByTestId("customer-row")).toHaveLength(400));
    const counted = vi.mocked(formatDateTime);
    counted.mockClear();
    await user.click(screen.getAllByTestId("customer-row")[5] as HTMLElement);
    expect(await screen.findByTestId("customer-orders")).toHaveTextContent("Customer 5");
    expect(counted.mock.calls.length).toBeLessThanOrEqual(6);
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
