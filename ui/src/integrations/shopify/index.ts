import type { Integration } from "../types";
import { shopifyAccountForm } from "./AccountFields";

export const shopify: Integration = {
  kind: "shopify",
  name: "Shopify",
  identity: (s) => (s.kind === "shopify" ? s.shop : ""),
  receivesPushes: false,
  inCabinet: true,
  transferTarget: false,
  // Nothing goes back to Shopify: its orders are sold already and their status is the shop's.
  orderStatuses: [],
  // The shop's address is in its settings; the account has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: shopifyAccountForm,
  cancelReasons: [],
};
