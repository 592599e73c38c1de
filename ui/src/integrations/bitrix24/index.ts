import type { Integration } from "../types";
import { bitrix24AccountForm } from "./AccountFields";

/** A CRM orders are sent to as deals through an incoming webhook (a transfer target): nothing is
 * read from it but their state, and it deletes the deal when the shop's order is deleted (after
 * the manager agreed). */
export const bitrix24: Integration = {
  kind: "bitrix24",
  name: "Bitrix24",
  identity: (s) => (s.kind === "bitrix24" ? s.portal_url : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: true,
  orderStatuses: [],
  // The portal's address is in its settings; the account has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: bitrix24AccountForm,
  cancelReasons: [],
};
