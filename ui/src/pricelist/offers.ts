// Choosing an offer for a line: the same order and margin the engine uses, for offers found by hand too.
import type { OfferMatch } from "../bindings/OfferMatch";
import type { OfferView } from "../bindings/OfferView";

export type SortBy = "price" | "delivery";

/** Margin of the marketplace price over the offer price, in percent with one decimal (as the engine). */
export function marginPercent(linePrice: string, offerPrice: string): string | null {
  const line = Number(linePrice);
  const offer = Number(offerPrice);
  if (!Number.isFinite(line) || !Number.isFinite(offer) || offer === 0) return null;
  return (Math.round(((line - offer) / offer) * 1000) / 10).toFixed(1);
}

/** Offers found by search, shaped like the engine's matches so one table shows both. */
export function asMatches(offers: OfferView[], linePrice: string): OfferMatch[] {
  return offers.map((offer) => ({ offer, margin_percent: marginPercent(linePrice, offer.price), matched_by: "search" }));
}

/** Cheapest first, or fastest first; an unknown delivery time counts as the slowest. */
export function sortOffers(matches: readonly OfferMatch[], by: SortBy): OfferMatch[] {
  const days = (m: OfferMatch) => m.offer.delivery_days ?? Number.POSITIVE_INFINITY;
  const price = (m: OfferMatch) => Number(m.offer.price);
  return [...matches].sort((a, b) => {
    const primary = by === "price" ? price(a) - price(b) || days(a) - days(b) : days(a) - days(b) || price(a) - price(b);
    return primary || a.offer.id - b.offer.id;
  });
}

/** The manager's price override: empty means the list's price; a comma is a decimal point. */
export function parsePriceOverride(text: string): { ok: true; price: string | null } | { ok: false } {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return { ok: true, price: null };
  return /^\d+(\.\d{1,4})?$/.test(trimmed) ? { ok: true, price: trimmed } : { ok: false };
}

/** The quantity override: empty means the ordered quantity. */
export function parseQuantityOverride(text: string): { ok: true; quantity: number | null } | { ok: false } {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: true, quantity: null };
  const n = Number(trimmed);
  return Number.isInteger(n) && n >= 1 ? { ok: true, quantity: n } : { ok: false };
}
