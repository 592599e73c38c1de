import type { Integration } from "../types";
import { amoCrmAccountForm } from "./AccountFields";

/** A CRM orders are sent to as deals (a transfer target): nothing is read from it but their
 * state, and it deletes nothing (a deal stays when the order here is deleted). */
export const amocrm: Integration = {
  kind: "amocrm",
  name: "amoCRM",
  identity: (s) => (s.kind === "amocrm" ? s.url : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: true,
  orderStatuses: [],
  // The account's address is in its settings; it has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: amoCrmAccountForm,
  cancelReasons: [],
};
