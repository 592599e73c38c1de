import type { Integration } from "../types";
import { cartumAccountForm } from "./AccountFields";

/**
 * Cartum's default order statuses (connectors/src/cartum): 1 new, 2 processing, 3 delivered,
 * 4 not delivered, 6 delivering. A shop may rename or add its own, so each account loads the shop's
 * list; these stand in until it has.
 */
const ORDER_STATUSES = ["1", "2", "3", "4", "6"];

export const cartum: Integration = {
  kind: "cartum",
  name: "Cartum",
  identity: (s) => (s.kind === "cartum" ? s.url : ""),
  receivesPushes: false,
  inCabinet: true,
  transferTarget: false,
  orderStatuses: ORDER_STATUSES,
  // The shop's address is in its settings; the account has no API address of its own.
  defaultBaseUrl: () => "",
  accountForm: cartumAccountForm,
  cancelReasons: [],
};
