import type { Integration } from "../types";
import { gettzapAccountForm } from "./AccountFields";

export const gettzap: Integration = {
  kind: "gettzap",
  name: "Gettzap",
  identity: (s) => (s.kind === "gettzap" ? s.login : ""),
  // Gettzap pushes its orders to the intake.
  receivesPushes: true,
  inCabinet: false,
  transferTarget: false,
  orderStatuses: [],
  defaultBaseUrl: () => "",
  accountForm: gettzapAccountForm,
  cancelReasons: [],
};
