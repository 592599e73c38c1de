import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { accountView, customerSummary, inboxLine, shopOrder } from "../test/backend";
import { CabinetBackend, fullOrder } from "../test/cabinet";
import ozonOrders from "../test/fixtures/ozon_orders.json";
import { serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

function withOrders(): CabinetBackend {
  const b = new CabinetBackend();
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

  it("an order of a customer opens as the shop order, and Back returns to the customer list", async () => {
    const b = withOrders();
    b.orders = [fullOrder(3, "SO-3")];
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-customers"));
    await user.click((await screen.findAllByTestId("customer-row"))[0] as HTMLElement);
    const orders = await screen.findByTestId("customer-orders");
    await waitFor(() => expect(within(orders).getAllByTestId("shop-order-row")).toHaveLength(2));
    // SO-3 was made by hand: it has no marketplace order, and still opens.
    await user.click(within(orders).getByRole("button", { name: "SO-3" }));
    expect(await screen.findByTestId("shop-order-number")).toHaveTextContent("SO-3");
    expect(b.callsTo("shop_order_full").map((c) => c.args)).toEqual([{ id: 3 }]);
    expect(screen.getByTestId("nav-customers")).toHaveClass("active");
    await user.click(screen.getByTestId("shop-order-back"));
    expect(await screen.findByTestId("customer-orders")).toHaveTextContent("Orders of Иван Петров");
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
