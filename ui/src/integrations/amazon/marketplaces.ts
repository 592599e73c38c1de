import type { AmazonRegion } from "../../bindings/AmazonRegion";
import type { Messages } from "../../i18n/en";

export type Country = keyof Messages["form"]["amazon"]["countries"];

export type Marketplace = { id: string; country: Country };

/** Each region's Selling Partner API host, as the engine's Region::host (connectors/src/amazon/settings.rs). */
export const REGION_HOSTS: Record<AmazonRegion, string> = {
  eu: "https://sellingpartnerapi-eu.amazon.com",
  na: "https://sellingpartnerapi-na.amazon.com",
  fe: "https://sellingpartnerapi-fe.amazon.com",
};

export const REGIONS: readonly AmazonRegion[] = ["eu", "na", "fe"];

/** Login with Amazon's token endpoint (LWA_TOKEN_URL), which an empty token address means. */
export const LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token";

/**
 * The marketplaces most sellers of each region sell on, the first being the region's default.
 * Amazon has more (India, the Middle East…): those are typed by their id.
 */
export const MARKETPLACES: Record<AmazonRegion, readonly Marketplace[]> = {
  eu: [
    { id: "A1PA6795UKMFR9", country: "de" },
    { id: "A13V1IB3VIYZZH", country: "fr" },
    { id: "APJ6JRA9NG5V4", country: "it" },
    { id: "A1RKKUPIHCS9HS", country: "es" },
    { id: "A1F83G8C2ARO7P", country: "gb" },
    { id: "A1805IZSGTT6HS", country: "nl" },
    { id: "A1C3SOZRARQ6R3", country: "pl" },
    { id: "A2NODRKZP88ZB9", country: "se" },
    { id: "AMEN7PMS3EDWL", country: "be" },
    { id: "A33AVAJ2PDY3EV", country: "tr" },
  ],
  na: [
    { id: "ATVPDKIKX0DER", country: "us" },
    { id: "A2EUQ1WTGCTBG2", country: "ca" },
    { id: "A1AM78C64UM0Y8", country: "mx" },
    { id: "A2Q3Y263D00KWC", country: "br" },
  ],
  fe: [
    { id: "A1VC38T7YXB528", country: "jp" },
    { id: "A39IBJ37TRP1C6", country: "au" },
    { id: "A19VAU5U5O7RUS", country: "sg" },
  ],
};

/** The marketplace a region starts with (and a change of region resets to). */
export const firstMarketplace = (region: AmazonRegion): string => MARKETPLACES[region][0]?.id ?? "";

export const listedIn = (region: AmazonRegion, id: string): boolean => MARKETPLACES[region].some((m) => m.id === id);
