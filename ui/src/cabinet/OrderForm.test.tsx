// The order form on the engine's recorded answers (order_*.json, ui_fixtures.rs
// `order_form_world` and the scenarios after it): Supplier A's BOSCH oil filter to pick, SO-2 made
// by hand to edit. What the engine finds wrong in a draft, what a delivery costs and when an edit
// must be confirmed is the engine's, tested in Rust (engine tests/cabinet.rs
// `hand_made_orders_are_checked_and_edits_that_reprice_delivery_ask_first`, core cabinet tests);
// here, that the form sends the draft the manager made and words what the engine answers.
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { OfferView } from "../bindings/OfferView";
import type { OrderPage } from "../bindings/OrderPage";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import newFixture from "../test/fixtures/order_form.json";
import preorderFixture from "../test/fixtures/order_preorder.json";
import editFixture from "../test/fixtures/order_edit.json";
import editSameFixture from "../test/fixtures/order_edit_same.json";
import editRaceFixture from "../test/fixtures/order_edit_race.json";
import { type Fixture, type InFlight, recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/** The number the engine gave the new order's draft (ui_fixtures.rs FIXED_ORDER_NUMBER). */
const NUMBER = "20260302-093000";

const field = (id: string) => screen.getByTestId(id);
/** SO-2's id in the scenario. */
const so2 = () => {
  const row = recorded<OrderPage>(editFixture, "cabinet_page").rows.find((r) => r.number === "SO-2");
  if (!row) throw new Error("SO-2 is not in the recorded cabinet");
  return row.id;
};
type Served = ReturnType<typeof serveRecorded>;
const lastDraft = (s: Served, cmd: string) => (s.callsTo(cmd).at(-1)?.args as { draft: ShopOrderDraft }).draft;

async function openNewOrder(fixture: Fixture = newFixture) {
  const served = serveRecorded(fixture);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByTestId("new-order"));
  await waitFor(() => expect(field("order-number-input")).toHaveValue(NUMBER));
  return { served, user };
}

async function editSO2(fixture: Fixture, inFlight: Record<string, InFlight> = {}) {
  const served = serveRecorded(fixture, {}, inFlight);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-orders"));
  await user.click(await screen.findByRole("button", { name: "SO-2" }));
  await user.click(await screen.findByTestId("shop-order-edit"));
  return { served, user };
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
    const { served: b, user } = await openNewOrder();
    await addFilter(user);
    expect(field("item-0-article")).toHaveValue("0986452041");
    expect(field("item-0-brand")).toHaveValue("BOSCH");
    expect(field("item-0-price")).toHaveValue("1000");
    expect(field("order-auto-size")).toBeChecked();
    expect(field("order-weight")).toHaveValue(1000);
    expect(field("order-weight")).toHaveAttribute("readonly");
    expect(field("order-length")).toHaveValue(10);
    expect(field("order-height")).toHaveValue(16);
    expect(field("order-items-total")).toHaveTextContent("2,000.00");

    // Each method is offered with what it costs at this weight and how long it takes.
    await waitFor(() => expect(screen.getByRole("option", { name: /^Курьер — RUB\s400\.00, up to 2 days$/ })).toBeInTheDocument());
    expect(screen.getByRole("option", { name: /^Почта России — RUB\s310\.00, up to 10 days$/ })).toBeInTheDocument();
    expect(b.callsTo("delivery_quotes").at(-1)?.args).toEqual({ weightG: 1000 });
    await user.selectOptions(field("order-delivery-method"), "courier");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("400"));
    // Another weight, another quote.
    await user.clear(field("item-0-quantity"));
    await user.type(field("item-0-quantity"), "3");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("450"));
    expect(field("order-total")).toHaveTextContent("3,450.00");

    // Typed by hand: the computed values are where typing starts.
    await user.click(field("order-auto-size"));
    expect(field("order-weight")).not.toHaveAttribute("readonly");
    expect(field("order-weight")).toHaveValue(1500);
    await user.clear(field("order-weight"));
    await user.type(field("order-weight"), "1800");
    await waitFor(() => expect(b.callsTo("delivery_quotes").at(-1)?.args).toEqual({ weightG: 1800 }));
  });

  it("words the engine's problems by their fields and saves only when there are none", async () => {
    const { served: b, user } = await openNewOrder();
    // Nothing yet: what is missing is listed and both saves wait.
    const problems = await screen.findByTestId("order-problems");
    await waitFor(() => expect(problems).toHaveTextContent("Add at least one item"));
    expect(problems).toHaveTextContent("Enter the recipient's name");
    expect(field("order-save")).toBeDisabled();
    expect(field("order-save-preorder")).toBeDisabled();

    await addFilter(user);
    await user.selectOptions(field("order-delivery-method"), "courier");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("400"));
    // Paid in advance, then cash on delivery: paid is off and cannot be ticked.
    await user.click(field("order-paid"));
    expect(field("order-paid")).toBeChecked();
    await user.click(field("order-cod"));
    expect(field("order-paid")).not.toBeChecked();
    expect(field("order-paid")).toBeDisabled();
    // The declared value follows the items, and covers what the courier collects (items + delivery).
    expect(field("order-declared-value")).toHaveValue("2400.00");
    expect(field("order-declared-follows")).toBeInTheDocument();
    // Typed, it stays as typed, and may not be below the cash-on-delivery amount.
    await user.type(field("order-declared-value"), "{Control>}a{/Control}1000");
    await waitFor(() =>
      expect(field("problem-declared_value")).toHaveTextContent(
        /^Declared value may not be below the cash-on-delivery amount \(RUB\s2,400\.00\)$/,
      ),
    );
    // Back to following the items: the problem goes.
    await user.click(field("order-declared-follow"));
    expect(field("order-declared-value")).toHaveValue("2400.00");
    // Items only: a pre-order can be saved, a full order not yet.
    await waitFor(() => expect(screen.queryByTestId("problem-declared_value")).toBeNull());
    await waitFor(() => expect(field("order-save-preorder")).toBeEnabled());
    expect(field("order-save")).toBeDisabled();

    await user.type(field("order-recipient-name"), "Иван Петров");
    await user.type(field("order-recipient-email"), "ivan");
    await waitFor(() => expect(field("problem-recipient.email")).toHaveTextContent("This is not an e-mail address"));
    await user.type(field("order-recipient-email"), "@example.com");
    await user.type(field("order-address-city"), "Москва");
    await user.type(field("order-address-street"), "ул. Тверская");
    await user.type(field("order-address-house"), "1");
    await user.selectOptions(field("order-payment-method"), "cash_on_delivery");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    expect(screen.queryByTestId("order-problems")).toBeNull();

    await user.clear(field("order-number-input"));
    await user.type(field("order-number-input"), "SHOP-77");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));
    expect(await screen.findByText("Order SHOP-77 created")).toBeInTheDocument();
    const saved = lastDraft(b, "create_shop_order");
    const [offer] = recorded<OfferView[]>(newFixture, "search_offers");
    if (!offer) throw new Error("no offer recorded");
    expect(saved).toMatchObject({
      number: "SHOP-77",
      preorder: false,
      recipient: { name: "Иван Петров", email: "ivan@example.com" },
      address: { city: "Москва", street: "ул. Тверская", house: "1" },
      auto_dimensions: true,
      weight_g: 1000,
      declared_value_auto: true,
      cod: true,
      cod_amount_typed: null,
      paid: false,
      payment_method: "cash_on_delivery",
      delivery_method: "courier",
      delivery_cost: "400",
      order_type: "standard",
    });
    expect(saved.items).toEqual([
      expect.objectContaining({ offer_id: offer.id, article: "0986452041", brand: "BOSCH", quantity: 2, price: "1000", weight_g: 500 }),
    ]);
    // The new order opens.
    expect(await screen.findByTestId("shop-order-number")).toHaveTextContent("SHOP-77");
  });

  it("saves a pre-order with items only, and a free item typed by hand", async () => {
    const { served: b, user } = await openNewOrder(preorderFixture);
    await user.click(field("order-add-item"));
    await user.type(field("item-0-name"), "Wiper blade, 600 mm");
    await user.clear(field("item-0-price"));
    await user.type(field("item-0-price"), "450,50");
    await waitFor(() => expect(field("order-save-preorder")).toBeEnabled());
    await user.click(field("order-save-preorder"));
    expect(await screen.findByText(`Order ${NUMBER} created`)).toBeInTheDocument();
    expect(lastDraft(b, "create_shop_order")).toMatchObject({
      preorder: true,
      recipient: { name: "" },
      items: [expect.objectContaining({ offer_id: null, name: "Wiper blade, 600 mm", price: "450.50" })],
    });
    // Opened again later, it is completed into a full order.
    expect(await screen.findByTestId("shop-order-edit")).toHaveTextContent("Complete the order");
  });

  it("a price that is not a number is flagged without asking the engine", async () => {
    const { served: b, user } = await openNewOrder();
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
    const { served: b, user } = await editSO2(editFixture);
    expect(field("item-0-quantity")).toHaveValue(2);
    // Opening the form does not re-quote the saved cost (350.00, below the tariff's 400.00).
    await waitFor(() => expect(b.callsTo("delivery_quotes").length).toBeGreaterThan(0));
    expect(field("order-delivery-cost")).toHaveValue("350.00");
    await user.clear(field("item-0-quantity"));
    await user.type(field("item-0-quantity"), "3");
    await waitFor(() => expect(field("order-delivery-cost")).toHaveValue("450"));
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
    expect(lastDraft(b, "update_shop_order")).toMatchObject({ delivery_cost: "450", weight_g: 1500 });
    expect(b.callsTo("update_shop_order")[0]?.args).toMatchObject({ id: so2() });
    // Back on the order, with the new total.
    await waitFor(() => expect(field("shop-order-total")).toHaveTextContent("3,450.00"));
  });

  it("saves at once when the delivery stays the same", async () => {
    const { served: b, user } = await editSO2(editSameFixture);
    await user.clear(field("order-recipient-name"));
    await user.type(field("order-recipient-name"), "Anna Nowak");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));
    expect(await screen.findByText("Order SO-2 saved")).toBeInTheDocument();
    expect(screen.queryByTestId("order-confirm")).toBeNull();
    expect(b.callsTo("update_shop_order").map((c) => c.args)).toEqual([
      expect.objectContaining({ id: so2(), confirmed: false }),
    ]);
  });

  it("asks when the engine says confirmation is needed after all", async () => {
    // SO-2's delivery cost is changed elsewhere while the manager saves (after the preview).
    let changedElsewhere = false;
    const inFlight = {
      update_shop_order: async () => {
        if (!changedElsewhere) b.advance();
        changedElsewhere = true;
      },
    };
    const { served: b, user } = await editSO2(editRaceFixture, inFlight);
    await user.clear(field("order-recipient-name"));
    await user.type(field("order-recipient-name"), "Anna Nowak");
    await waitFor(() => expect(field("order-save")).toBeEnabled());
    await user.click(field("order-save"));
    await user.click(within(await screen.findByTestId("order-confirm")).getByTestId("order-confirm-save"));
    expect(await screen.findByText("Order SO-2 saved")).toBeInTheDocument();
    expect(b.callsTo("update_shop_order").map((c) => (c.args as { confirmed: boolean }).confirmed)).toEqual([false, true]);
  });
});
