import type { Integration } from "../types";
import { wooCommerceAccountForm } from "./AccountFields";

/** WooCommerce's built-in order statuses (connectors/src/woocommerce/spec.rs): one per order. */
const ORDER_STATUSES = ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed"];

export const woocommerce: Integration = {
  kind: "woocommerce",
  name: "WooCommerce",
  identity: (s) => (s.kind === "woocommerce" ? s.url : ""),
  receivesPushes: false,
  inCabinet: true,
  transferTarget: false,
  orderStatuses: ORDER_STATUSES,
  // The store's address is in its settings; the account has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: wooCommerceAccountForm,
  cancelReasons: [],
};
