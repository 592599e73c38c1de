import type { Integration } from "../types";
import { shiptorAccountForm } from "./AccountFields";

/** A delivery service orders are sent to (a transfer target): its packages' status, tracking
 * number and history of operations are read back. */
export const shiptor: Integration = {
  kind: "shiptor",
  name: "Shiptor",
  identity: (s) => (s.kind === "shiptor" ? s.url : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: true,
  orderStatuses: [],
  // The API's address is in its settings (Shiptor's own by default).
  defaultBaseUrl: () => "",
  accountForm: shiptorAccountForm,
  cancelReasons: [],
};
