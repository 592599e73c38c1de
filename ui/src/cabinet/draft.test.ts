import { describe, expect, it } from "vitest";
import type { OrderItem } from "../bindings/OrderItem";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import { en } from "../i18n/en";
import {
  blankItem,
  computedSize,
  engineDraft,
  followedDeclaredValue,
  itemFromOffer,
  localProblems,
  orderTotal,
  preorderProblems,
  wholeNumber,
} from "./draft";
import { awaitingPayment, codAmount, problemText } from "./words";

/** A new order's draft as the engine starts it, `over` changing fields. */
function emptyDraft(over: Partial<ShopOrderDraft> = {}): ShopOrderDraft {
  return {
    number: "20261123-090000",
    preorder: false,
    recipient: { name: "", phone: "", email: "" },
    address: {
      country: "",
      region: "",
      city: "",
      street: "",
      house: "",
      flat: "",
      postal_code: "",
      pickup_point_id: "",
      pickup_point_address: "",
      text: "",
    },
    items: [],
    auto_dimensions: true,
    weight_g: 0,
    length_cm: 0,
    width_cm: 0,
    height_cm: 0,
    declared_value: "0",
    declared_value_auto: true,
    cod: false,
    cod_amount_typed: null,
    payment_method: null,
    paid: false,
    delivery_method: "",
    delivery_cost: "0",
    order_type: "standard",
    currency: "RUB",
    tracking_number: "",
    ...over,
  };
}

const item = (over: Partial<OrderItem>): OrderItem => ({ ...blankItem(), name: "Item", ...over });

describe("order draft", () => {
  it("computes the parcel from the items: weights add up, largest length and width, heights stack", () => {
    const items = [
      item({ quantity: 2, weight_g: 500, length_cm: 30, width_cm: 10, height_cm: 5 }),
      item({ quantity: 1, weight_g: 1200, length_cm: 20, width_cm: 25, height_cm: 12 }),
    ];
    expect(computedSize(items)).toEqual({ weight_g: 2200, length_cm: 30, width_cm: 25, height_cm: 22 });
    expect(computedSize([])).toEqual({ weight_g: 0, length_cm: 0, width_cm: 0, height_cm: 0 });
  });

  it("sends the computed size when automatic, the typed one otherwise, and decimals in the engine's spelling", () => {
    const items = [item({ quantity: 3, weight_g: 100, height_cm: 2, price: "12,50" })];
    const auto = engineDraft(emptyDraft({ items, declared_value: " 1 000,5 ", delivery_cost: "" }), false);
    expect(auto).toMatchObject({ weight_g: 300, height_cm: 6, declared_value: "1000.5", delivery_cost: "0", preorder: false });
    expect(auto.items[0]?.price).toBe("12.50");
    const typed = engineDraft(emptyDraft({ items, auto_dimensions: false, weight_g: 999 }), true);
    expect(typed).toMatchObject({ weight_g: 999, height_cm: 0, preorder: true });
  });

  it("flags decimals the engine cannot read before asking it", () => {
    const d = emptyDraft({ items: [item({ price: "12 р." })], declared_value: "abc", declared_value_auto: false, delivery_cost: "-5" });
    expect(localProblems(d)).toEqual([{ field: "items.0.price" }, { field: "declared_value" }]);
  });

  it("totals and number fields", () => {
    const d = emptyDraft({ items: [item({ quantity: 2, price: "100.25" })], delivery_cost: "350" });
    expect(orderTotal(d)).toBeCloseTo(550.5);
    expect(wholeNumber("12.6")).toBe(13);
    expect(wholeNumber("")).toBe(0);
    expect(wholeNumber("x")).toBe(0);
  });

  it("an offer becomes an item with its article, brand, name and price", () => {
    const offer = { id: 7, list_id: 1, list: "A", brand: "BOSCH", article: "0986", name: "Filter", price: "99.90", stock: 1, delivery_days: 2, supplier: null };
    expect(itemFromOffer(offer)).toMatchObject({ offer_id: 7, article: "0986", brand: "BOSCH", name: "Filter", price: "99.90", quantity: 1 });
  });

  it("a pre-order is not stopped by a missing recipient, but by everything else", () => {
    const problems = [
      { field: "recipient.name", code: "required", message: "" },
      { field: "recipient.email", code: "email", message: "" },
      { field: "items", code: "no_items", message: "" },
    ];
    expect(preorderProblems(problems).map((p) => p.code)).toEqual(["email", "no_items"]);
  });

  it("collects the total on delivery unless an amount is typed, and declares at least that much", () => {
    const items = [item({ quantity: 2, price: "1000" })];
    const d = emptyDraft({ items, delivery_cost: "400" });
    expect(codAmount(d)).toBe(0);
    expect(followedDeclaredValue(d)).toBe(2000);
    const cod = { ...d, cod: true };
    expect(codAmount(cod)).toBe(2400);
    expect(followedDeclaredValue(cod)).toBe(2400);
    const typed = { ...cod, cod_amount_typed: "1 500,50" };
    expect(codAmount(typed)).toBe(1500.5);
    expect(followedDeclaredValue(typed)).toBe(2000);
    expect(engineDraft(typed).cod_amount_typed).toBe("1500.50");
    expect(localProblems({ ...cod, cod_amount_typed: "half" })).toEqual([{ field: "cod_amount_typed" }]);
    // A typed declared value is checked; a followed one is not the manager's text.
    expect(localProblems({ ...d, declared_value: "abc" })).toEqual([]);
    expect(localProblems({ ...d, declared_value: "abc", declared_value_auto: false })).toEqual([{ field: "declared_value" }]);
  });

  it("waits for an online card payment until it is paid", () => {
    expect(awaitingPayment({ payment_method: "card_online", paid: false })).toBe(true);
    expect(awaitingPayment({ payment_method: "card_online", paid: true })).toBe(false);
    expect(awaitingPayment({ payment_method: "card_on_delivery", paid: false })).toBe(false);
    expect(awaitingPayment({ payment_method: null, paid: false })).toBe(false);
  });

  it("words the engine's problems by code and field", () => {
    const d = emptyDraft({ cod: true, items: [item({ quantity: 1, price: "1000" })], delivery_cost: "350" });
    const text = (field: string, code: string) => problemText({ field, code, message: "engine words" }, d, en, "en-GB");
    expect(text("declared_value", "declared_below_cod")).toMatch(
      /^Declared value may not be below the cash-on-delivery amount \(RUB\s1,350\.00\)$/,
    );
    expect(text("paid", "paid_with_cod")).toBe("An order paid on delivery cannot be marked paid in advance");
    expect(text("recipient.name", "required")).toBe("Enter the recipient's name");
    expect(text("recipient.phone", "required")).toBe("Enter a phone or an e-mail");
    expect(text("items.1.quantity", "quantity")).toBe("Item 2: the quantity must be at least 1");
    expect(text("items.0.name", "required")).toBe("Item 1: enter a name or an article");
    expect(text("delivery_cost", "price")).toBe("The delivery cost cannot be negative");
    expect(text("somewhere", "brand_new_code")).toBe("engine words");
    const byPost = (code: string) => problemText({ field: "", code, message: "" }, d, en, "en-GB", "Russian Post");
    expect(byPost("postal_code_required")).toBe("«Russian Post» needs the recipient's postal code");
    expect(byPost("no_card_on_delivery")).toBe("«Russian Post» takes no card payment on delivery");
  });
});
