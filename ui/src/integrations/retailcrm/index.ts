import type { Integration } from "../types";
import { retailCrmAccountForm } from "./AccountFields";

/** A CRM orders are sent to (a transfer target): nothing is read from it but their state. */
export const retailcrm: Integration = {
  kind: "retailcrm",
  name: "RetailCRM",
  identity: (s) => (s.kind === "retailcrm" ? `${s.url} · ${s.site}` : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: true,
  orderStatuses: [],
  // The CRM's address is in its settings; the account has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: retailCrmAccountForm,
  cancelReasons: [],
};
