import type { Integration } from "../types";
import { zzapAccountForm } from "./AccountFields";

export const zzap: Integration = {
  kind: "zzap",
  name: "ZZAP",
  identity: (s) => (s.kind === "zzap" ? s.login : ""),
  receivesPushes: false,
  inCabinet: false,
  transferTarget: false,
  // Each account loads its own status list from ZZAP.
  orderStatuses: [],
  defaultBaseUrl: () => "https://api.zzap.pro",
  accountForm: zzapAccountForm,
  cancelReasons: [],
};
