import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { FakeBackend, accountView, customerSummary, inboxLine, shopOrder } from "../test/backend";
import { renderWithProviders } from "../test/render";

function withOrders(): FakeBackend {
  const b = new FakeBackend();
  b.accounts = [accountView(1, "Shop A")];
  // Marketplace order 57000 (0570-0029-1) became shop order SO-1.
  b.lines = [inboxLine(1, "0570-0029-1")];
  b.customers = [
    customerSummary(5, "Иван Петров", { orders: 2 }),
    customerSummary(6, "Anna Nowak", { orders: 1, last_order_at: null }),
  ];
  b.shopOrders = [
    shopOrder(1, "SO-1", { customer_id: 5, customer_name: "Иван Петров", source_order_id: 57000, lines: 2, total: "3060.00" }),
    shopOrder(2, "SO-2", { customer_id: 6, customer_name: "Anna Nowak" }),
    shopOrder(3, "SO-3", { customer_id: 5, customer_name: "Иван Петров" }),
  ];
  return b.install();
}

describe("customers", () => {
  it("lists customers; clicking one, or j and Enter, shows that customer's orders", async () => {
    const b = withOrders();
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
    expect(b.callsTo("shop_orders").map((c) => c.args)).toContainEqual({ customerId: 5, limit: null });

    await user.keyboard("j{Enter}");
    await waitFor(() => expect(screen.getByTestId("customer-orders")).toHaveTextContent("Orders of Anna Nowak"));
    await waitFor(() => expect(within(screen.getByTestId("customer-orders")).getAllByTestId("shop-order-row")).toHaveLength(1));
    expect(b.callsTo("shop_orders").map((c) => c.args)).toContainEqual({ customerId: 6, limit: null });
  });

  it("says when there are none yet", async () => {
    const b = withOrders();
    b.customers = [];
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    expect(await screen.findByText(/No customers yet/)).toBeInTheDocument();
  });
});

describe("all orders", () => {
  it("lists the shop's orders; an order from the marketplace opens its detail, and Back returns", async () => {
    const b = withOrders();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await waitFor(() => expect(screen.getAllByTestId("shop-order-row")).toHaveLength(3));
    const first = screen.getAllByTestId("shop-order-row")[0] as HTMLElement;
    expect(first).toHaveTextContent("SO-1");
    expect(first).toHaveTextContent("Shop A");
    expect(first).toHaveTextContent("Иван Петров");
    expect(first).toHaveTextContent("3,060.00");
    expect(b.callsTo("shop_orders").map((c) => c.args)).toEqual([{ customerId: null, limit: null }]);

    await user.keyboard("j{Enter}");
    const detail = await screen.findByTestId("order-detail");
    expect(within(detail).getByTestId("order-number")).toHaveTextContent("0570-0029-1");
    expect(screen.getByTestId("nav-orders")).toHaveClass("active");
    await user.click(within(detail).getByText(/Back/));
    await waitFor(() => expect(screen.getAllByTestId("shop-order-row")).toHaveLength(3));

    // An order made by hand has no marketplace order to open.
    await user.click(screen.getAllByTestId("shop-order-row")[1] as HTMLElement);
    expect(screen.queryByTestId("order-detail")).toBeNull();
  });

  it("refreshes when the engine says orders changed", async () => {
    const b = withOrders();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await waitFor(() => expect(screen.getAllByTestId("shop-order-row")).toHaveLength(3));
    b.shopOrders.unshift(shopOrder(4, "SO-4"));
    await b.emit({ type: "orders_changed", account_id: 1 });
    await waitFor(() => expect(screen.getAllByTestId("shop-order-row")).toHaveLength(4));
  });
});
