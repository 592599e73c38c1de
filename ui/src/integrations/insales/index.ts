import type { Integration } from "../types";
import { inSalesAccountForm } from "./AccountFields";

/** A shop orders are sent to (a transfer target): it writes the items off its stock, and deletes
 * its order when the shop's is deleted (after the manager agreed). */
export const insales: Integration = {
  kind: "insales",
  name: "InSales",
  identity: (s) => (s.kind === "insales" ? s.url : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: true,
  orderStatuses: [],
  // The shop's address is in its settings; the account has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: inSalesAccountForm,
  cancelReasons: [],
};
