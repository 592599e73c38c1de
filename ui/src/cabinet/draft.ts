// The order form's arithmetic and checks that need no engine: parcel size from the items, totals,
// and which decimals are not numbers yet. The engine's validate_order has the final word.
import type { DraftProblem } from "../bindings/DraftProblem";
import type { OfferView } from "../bindings/OfferView";
import type { OrderItem } from "../bindings/OrderItem";
import type { ShopOrderDraft } from "../bindings/ShopOrderDraft";
import { codAmount, decimalForEngine, isDecimal } from "./words";

export type Size = { weight_g: number; length_cm: number; width_cm: number; height_cm: number };

/** As the engine computes it: weights add up, length and width are the largest, items stack in height. */
export function computedSize(items: readonly OrderItem[]): Size {
  let weight = 0;
  let length = 0;
  let width = 0;
  let height = 0;
  for (const item of items) {
    const q = Math.max(0, item.quantity);
    weight += Math.max(0, item.weight_g) * q;
    length = Math.max(length, item.length_cm);
    width = Math.max(width, item.width_cm);
    height += Math.max(0, item.height_cm) * q;
  }
  return { weight_g: weight, length_cm: length, width_cm: width, height_cm: height };
}

/** The size that counts: computed from the items when automatic, else as typed. */
export function effectiveSize(draft: ShopOrderDraft): Size {
  if (draft.auto_dimensions) return computedSize(draft.items);
  const { weight_g, length_cm, width_cm, height_cm } = draft;
  return { weight_g, length_cm, width_cm, height_cm };
}

const money = (text: string) => {
  const n = Number(decimalForEngine(text));
  return Number.isFinite(n) ? n : 0;
};

export function itemsTotal(draft: ShopOrderDraft): number {
  return draft.items.reduce((sum, i) => sum + money(i.price) * i.quantity, 0);
}

/** The declared value while it follows the items (core `followed_declared_value`). */
export function followedDeclaredValue(draft: ShopOrderDraft): number {
  return Math.max(itemsTotal(draft), codAmount(draft));
}

export function orderTotal(draft: ShopOrderDraft): number {
  return itemsTotal(draft) + money(draft.delivery_cost);
}

/** A whole number from a number field; "" and garbage are 0, fractions round. */
export function wholeNumber(text: string): number {
  const n = Math.round(Number(text));
  return Number.isFinite(n) ? n : 0;
}

export function blankItem(): OrderItem {
  return {
    id: null,
    line_id: null,
    offer_id: null,
    article: "",
    brand: "",
    name: "",
    quantity: 1,
    price: "0",
    weight_g: 0,
    length_cm: 0,
    width_cm: 0,
    height_cm: 0,
  };
}

/** An item picked from a price list: its article, brand, name and price; the size is typed. */
export function itemFromOffer(offer: OfferView): OrderItem {
  return { ...blankItem(), offer_id: offer.id, article: offer.article, brand: offer.brand, name: offer.name, price: offer.price };
}

/** The decimal fields the engine cannot read yet ("12,5" is fine, "12 р." is not). */
export function localProblems(draft: ShopOrderDraft): { field: string }[] {
  const bad = (text: string) => text.trim() !== "" && !isDecimal(text);
  const out: { field: string }[] = [];
  draft.items.forEach((item, i) => {
    if (bad(item.price)) out.push({ field: `items.${i}.price` });
  });
  if (!draft.declared_value_auto && bad(draft.declared_value)) out.push({ field: "declared_value" });
  if (draft.cod && draft.cod_amount_typed != null && bad(draft.cod_amount_typed)) out.push({ field: "cod_amount_typed" });
  if (bad(draft.delivery_cost)) out.push({ field: "delivery_cost" });
  return out;
}

/** The draft as the engine takes it: decimals in its spelling, the size filled when automatic. */
export function engineDraft(draft: ShopOrderDraft, preorder: boolean = draft.preorder): ShopOrderDraft {
  return {
    ...draft,
    ...effectiveSize(draft),
    preorder,
    declared_value: decimalForEngine(draft.declared_value),
    cod_amount_typed: draft.cod_amount_typed == null ? null : decimalForEngine(draft.cod_amount_typed),
    delivery_cost: decimalForEngine(draft.delivery_cost),
    items: draft.items.map((i) => ({ ...i, price: decimalForEngine(i.price) })),
  };
}

/**
 * A pre-order needs no recipient or address (the engine asks for them only of a full order): the
 * problems that still stop one from being saved.
 */
export function preorderProblems(problems: readonly DraftProblem[]): DraftProblem[] {
  const forBuyer = (p: DraftProblem) =>
    (p.code === "required" && (p.field.startsWith("recipient.") || p.field.startsWith("address."))) || p.code === "postal_code_required";
  return problems.filter((p) => !forBuyer(p));
}
