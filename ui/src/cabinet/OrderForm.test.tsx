import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import { accountView, offerView, priceListView } from "../test/backend";
import { CabinetBackend, fullOrder } from "../test/cabinet";
import { renderWithProviders } from "../test/render";

function withOffers(): CabinetBackend {
  const b = new CabinetBackend();
  b.accounts = [accountView(1, "Shop A")];
  const list = priceListView(1, "Supplier A");
  b.priceLists = [list];
  b.offers = [offerView(11, list, { brand: "BOSCH", article: "0986452041", name: "Oil filter", price: "1000.00" })];
  b.orders = [fullOrder(2, "SO-2")];
  return b.install();
}

const field = (id: string) => screen.getByTestId(id);
const lastDraft = (b: CabinetBackend, cmd: string) => (b.callsTo(cmd).at(-1)?.args as { draft: ShopOrderDraft }).draft;

async function openNewOrder() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByTestId("new-order"));
  await waitFor(() => expect(field("order-number-input")).toHaveValue("20261123-090000"));
  return user;
}

/** Picks the offer found by "bosch" and makes it 2 × 500 g, 10×10×8 cm. */
async function addFilter(user: ReturnType<typeof userEvent.setup>) {
  await user.type(field("order-offer-search"), "bosch");
  await user.click(await screen.findByTestId("order-offer"));
  await user.clear(field("item-0-quantity"));
  await user.type(field("item-0-quantity"), "2");
  await user.type(field("item-0-weight_g"), "500");
  await user.type(field("item-0-length_cm"), "10");
  await user.type(field("item-0-width_cm"), "10");
  await user.type(field("item-0-height_cm"), "8");
}

// Typing a whole order key by key takes a while in jsdom.
const SLOW = { timeout: 20_000 };

describe("a new order", SLOW, () => {
  it("numbers it by its creation time, computes weight and size from the items, and quotes the delivery", async () => {
    const b = withOffers();
    const user = await openNewOrder();
    await addFilter(user);
    expect(field("item-0-article")).toHaveValue("0986452041");
    expect(field("item-0-brand")).toHaveValue("BOSCH");
    expect(field("item-0-price")).toHaveValue("1000.00");
    expect(field("order-auto-size")).toBeChecked();
    expect(field("order-weight")).toHaveValue(1000);
    expect(field("order-weight")).toHaveAttribute("readonly");
    expect(field("order-length")).toHaveValue(10);
    expect(field("order-height")).toHaveValue(16);
    expect(field("order-items-total")).toHaveTextContent("2,000.00");

    await user.selectOptions(field("order-delivery-method"), "courier");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("400.00"));
    expect(b.callsTo("quote_delivery").at(-1)?.args).toEqual({ method: "courier", weightG: 1000 });
    // Another weight, another quote.
    await user.clear(field("item-0-quantity"));
    await user.type(field("item-0-quantity"), "3");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("450.00"));
    expect(field("order-total")).toHaveTextContent("3,450.00");

    // Typed by hand: the computed values are where typing starts.
    await user.click(field("order-auto-size"));
    expect(field("order-weight")).not.toHaveAttribute("readonly");
    expect(field("order-weight")).toHaveValue(1500);
    await user.clear(field("order-weight"));
    await user.type(field("order-weight"), "1800");
    await waitFor(() => expect(b.callsTo("quote_delivery").at(-1)?.args).toEqual({ method: "courier", weightG: 1800 }));
  });

  it("words the engine's problems by their fields and saves only when there are none", async () => {
    const b = withOffers();
    const user = await openNewOrder();
    // Nothing yet: what is missing is listed and both saves wait.
    const problems = await screen.findByTestId("order-problems");
    await waitFor(() => expect(problems).toHaveTextContent("Add at least one item"));
    expect(problems).toHaveTextContent("Enter the recipient's name");
    expect(field("order-save")).toBeDisabled();
    expect(field("order-save-preorder")).toBeDisabled();

    await addFilter(user);
    await user.selectOptions(field("order-delivery-method"), "courier");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("400.00"));
    // Paid in advance, then cash on delivery: paid is off and cannot be ticked.
    await user.click(field("order-paid"));
    expect(field("order-paid")).toBeChecked();
    await user.click(field("order-cod"));
    expect(field("order-paid")).not.toBeChecked();
    expect(field("order-paid")).toBeDisabled();
    await user.type(field("order-declared-value"), "{Control>}a{/Control}1000");
    await waitFor(() =>
      expect(field("problem-declared_value")).toHaveTextContent(
        /^Declared value may not be below the cash-on-delivery amount \(RUB\s2,400\.00\)$/,
      ),
    );
    // Items only: a pre-order can be saved, a full order not yet.
    await user.clear(field("order-declared-value"));
    await user.type(field("order-declared-value"), "2400");
    await waitFor(() => expect(screen.queryByTestId("problem-declared_value")).toBeNull());
    await waitFor(() => expect(field("order-save-preorder")).toBeEnabled());
    expect(field("order-save")).toBeDisabled();

    await user.type(field("order-recipient-name"), "Иван Петров");
    await user.type(field("order-recipient-email"), "ivan");
    await waitFor(() => expect(field("problem-recipient.email")).toHaveTextContent("This is not an e-mail address"));
    await user.type(field("order-recipient-email"), "@example.com");
    await user.type(field("order-recipient-address"), "Москва, Тверская 1");
    await user.selectOptions(field("order-payment-method"), "cash_on_delivery");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    expect(screen.queryByTestId("order-problems")).toBeNull();

    await user.clear(field("order-number-input"));
    await user.type(field("order-number-input"), "SHOP-77");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));
    expect(await screen.findByText("Order SHOP-77 created")).toBeInTheDocument();
    const saved = lastDraft(b, "create_shop_order");
    expect(saved).toMatchObject({
      number: "SHOP-77",
      preorder: false,
      recipient: { name: "Иван Петров", email: "ivan@example.com", address: "Москва, Тверская 1" },
      auto_dimensions: true,
      weight_g: 1000,
      declared_value: "2400",
      cod: true,
      paid: false,
      payment_method: "cash_on_delivery",
      delivery_method: "courier",
      delivery_cost: "400.00",
      order_type: "standard",
    });
    expect(saved.items).toEqual([
      expect.objectContaining({ offer_id: 11, article: "0986452041", brand: "BOSCH", quantity: 2, price: "1000.00", weight_g: 500 }),
    ]);
    // The new order opens.
    expect(await screen.findByTestId("shop-order-number")).toHaveTextContent("SHOP-77");
  });

  it("saves a pre-order with items only, and a free item typed by hand", async () => {
    const b = withOffers();
    const user = await openNewOrder();
    await user.click(field("order-add-item"));
    await user.type(field("item-0-name"), "Wiper blade, 600 mm");
    await user.clear(field("item-0-price"));
    await user.type(field("item-0-price"), "450,50");
    await waitFor(() => expect(field("order-save-preorder")).toBeEnabled());
    await user.click(field("order-save-preorder"));
    expect(await screen.findByText("Order 20261123-090000 created")).toBeInTheDocument();
    expect(lastDraft(b, "create_shop_order")).toMatchObject({
      preorder: true,
      recipient: { name: "" },
      items: [expect.objectContaining({ offer_id: null, name: "Wiper blade, 600 mm", price: "450.50" })],
    });
    // Opened again later, it is completed into a full order.
    expect(await screen.findByTestId("shop-order-edit")).toHaveTextContent("Complete the order");
  });

  it("a price that is not a number is flagged without asking the engine", async () => {
    const b = withOffers();
    const user = await openNewOrder();
    await user.click(field("order-add-item"));
    await user.clear(field("item-0-price"));
    await user.type(field("item-0-price"), "12 р.");
    expect(await screen.findByTestId("problem-items.0.price")).toHaveTextContent("Enter a number, such as 1250.50");
    await new Promise((r) => setTimeout(r, 300));
    expect(b.callsTo("validate_order").some((c) => (c.args as { draft: ShopOrderDraft }).draft.items[0]?.price === "12 р.")).toBe(false);
  });
});

describe("editing an order", SLOW, () => {
  it("asks before saving a change of the delivery cost, showing old → new, then saves confirmed", async () => {
    const b = withOffers();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await user.click(await screen.findByRole("button", { name: "SO-2" }));
    await user.click(await screen.findByTestId("shop-order-edit"));
    expect(field("item-0-quantity")).toHaveValue(2);
    // Opening the form does not re-quote the saved cost.
    expect(b.callsTo("quote_delivery")).toEqual([]);
    await user.clear(field("item-0-quantity"));
    await user.type(field("item-0-quantity"), "3");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("450.00"));
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));

    const confirm = await screen.findByTestId("order-confirm");
    expect(within(confirm).getByTestId("confirm-weight")).toHaveTextContent(/1000 g.*→.*1500 g/);
    expect(within(confirm).getByTestId("confirm-cost")).toHaveTextContent(/350\.00.*→.*450\.00/);
    expect(within(confirm).getByTestId("confirm-total")).toHaveTextContent(/2,350\.00.*→.*3,450\.00/);
    expect(b.callsTo("update_shop_order")).toEqual([]);
    await user.click(within(confirm).getByTestId("order-confirm-save"));
    expect(await screen.findByText("Order SO-2 saved")).toBeInTheDocument();
    expect(b.callsTo("preview_order_edit")).toHaveLength(1);
    expect(b.callsTo("update_shop_order").map((c) => (c.args as { id: number; confirmed: boolean }).confirmed)).toEqual([true]);
    expect(lastDraft(b, "update_shop_order")).toMatchObject({ delivery_cost: "450.00", weight_g: 1500 });
    expect(b.callsTo("update_shop_order")[0]?.args).toMatchObject({ id: 2 });
    // Back on the order, with the new total.
    await waitFor(() => expect(field("shop-order-total")).toHaveTextContent("3,450.00"));
  });

  it("saves at once when the delivery stays the same", async () => {
    const b = withOffers();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await user.click(await screen.findByRole("button", { name: "SO-2" }));
    await user.click(await screen.findByTestId("shop-order-edit"));
    await user.clear(field("order-recipient-name"));
    await user.type(field("order-recipient-name"), "Anna Nowak");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));
    expect(await screen.findByText("Order SO-2 saved")).toBeInTheDocument();
    expect(screen.queryByTestId("order-confirm")).toBeNull();
    expect(b.callsTo("update_shop_order").map((c) => c.args)).toEqual([
      expect.objectContaining({ id: 2, confirmed: false }),
    ]);
  });

  it("asks when the engine says confirmation is needed after all", async () => {
    const b = withOffers();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-orders"));
    await user.click(await screen.findByRole("button", { name: "SO-2" }));
    await user.click(await screen.findByTestId("shop-order-edit"));
    await user.clear(field("order-recipient-name"));
    await user.type(field("order-recipient-name"), "Anna Nowak");
    b.failures.set("update_shop_order", { code: "needs_confirmation", message: "The delivery cost changes" });
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));
    await user.click(within(await screen.findByTestId("order-confirm")).getByTestId("order-confirm-save"));
    expect(await screen.findByText("Order SO-2 saved")).toBeInTheDocument();
    expect(b.callsTo("update_shop_order").map((c) => (c.args as { confirmed: boolean }).confirmed)).toEqual([false, true]);
  });
});
