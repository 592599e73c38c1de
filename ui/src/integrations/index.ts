// The UI's integration registry: one line per integration. Screens look an integration up here
// by its account kind and never name a vendor themselves.
import type { AccountKind } from "../bindings/AccountKind";
import { amazon } from "./amazon";
import { amocrm } from "./amocrm";
import { bitrix24 } from "./bitrix24";
import { cartum } from "./cartum";
import { gettzap } from "./gettzap";
import { insales } from "./insales";
import { moysklad } from "./moysklad";
import { ozon } from "./ozon";
import { retailcrm } from "./retailcrm";
import { shiptor } from "./shiptor";
import { shopify } from "./shopify";
import type { Integration } from "./types";
import { woocommerce } from "./woocommerce";
import { zzap } from "./zzap";

export type { Integration } from "./types";

/** In the order the account form offers them. */
export const INTEGRATIONS: readonly Integration[] = [ozon, zzap, gettzap, woocommerce, cartum, shopify, amazon, retailcrm, moysklad, shiptor, amocrm, bitrix24, insales];

/** The first one is what a new account form starts with. */
export const DEFAULT_KIND: AccountKind = ozon.kind;

export function integration(kind: AccountKind): Integration {
  const found = INTEGRATIONS.find((i) => i.kind === kind);
  if (!found) throw new Error(`no integration for account kind ${kind}`);
  return found;
}

/** A kind the UI does not know (sent by a newer engine) reads as itself. */
export function integrationName(kind: string): string {
  return INTEGRATIONS.find((i) => i.kind === kind)?.name ?? kind;
}
