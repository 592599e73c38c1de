import type { Integration } from "../types";
import { moyskladAccountForm } from "./AccountFields";

/** A warehouse orders are sent to (a transfer target): it ships them, and deletes its order when
 * the shop's is deleted (after the manager agreed). */
export const moysklad: Integration = {
  kind: "moysklad",
  name: "MoySklad",
  identity: (s) => (s.kind === "moysklad" ? s.url : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: true,
  orderStatuses: [],
  // The API's address is in its settings (MoySklad's own by default).
  defaultBaseUrl: () => "",
  accountForm: moyskladAccountForm,
  cancelReasons: [],
};
