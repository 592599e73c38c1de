import { describe, expect, it } from "vitest";
import type { OfferMatch } from "../bindings/OfferMatch";
import { asMatches, marginPercent, parsePriceOverride, parseQuantityOverride, sortOffers } from "./offers";

function match(id: number, price: string, days: number | null): OfferMatch {
  return {
    offer: { id, list_id: 1, list: "A", brand: "B", article: "X", name: "", price, stock: null, delivery_days: days, supplier: null },
    margin_percent: null,
    matched_by: "offer_id",
  };
}

describe("choosing an offer", () => {
  it("computes the margin over the offer price as the engine does", () => {
    expect(marginPercent("150", "100")).toBe("50.0");
    expect(marginPercent("90", "100")).toBe("-10.0");
    expect(marginPercent("1530.00", "1100.00")).toBe("39.1");
    expect(marginPercent("90", "0")).toBeNull();
    expect(asMatches([match(1, "100", 1).offer], "125")[0]).toMatchObject({ margin_percent: "25.0", matched_by: "search" });
  });

  it("sorts cheapest first, or fastest first with unknown delivery last", () => {
    const offers = [match(1, "300", 1), match(2, "100", null), match(3, "200", 5), match(4, "200", 2)];
    expect(sortOffers(offers, "price").map((m) => m.offer.id)).toEqual([2, 4, 3, 1]);
    expect(sortOffers(offers, "delivery").map((m) => m.offer.id)).toEqual([1, 4, 3, 2]);
    // Equal offers keep a stable order: the lower id first.
    expect(sortOffers([match(9, "1", 1), match(8, "1", 1)], "price").map((m) => m.offer.id)).toEqual([8, 9]);
  });

  it("reads the overrides: empty keeps the list's values, a comma is a decimal point", () => {
    expect(parsePriceOverride("")).toEqual({ ok: true, price: null });
    expect(parsePriceOverride(" 1250,5 ")).toEqual({ ok: true, price: "1250.5" });
    expect(parsePriceOverride("-3")).toEqual({ ok: false });
    expect(parsePriceOverride("abc")).toEqual({ ok: false });
    expect(parseQuantityOverride("")).toEqual({ ok: true, quantity: null });
    expect(parseQuantityOverride("3")).toEqual({ ok: true, quantity: 3 });
    expect(parseQuantityOverride("0")).toEqual({ ok: false });
    expect(parseQuantityOverride("1.5")).toEqual({ ok: false });
  });
});
