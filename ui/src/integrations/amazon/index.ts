import type { Integration } from "../types";
import { amazonAccountForm } from "./AccountFields";
import { REGION_HOSTS } from "./marketplaces";

export const amazon: Integration = {
  kind: "amazon",
  name: "Amazon",
  // The client ID names the developer's app, which several sellers may share; the marketplace
  // tells one account from another.
  identity: (s) => (s.kind === "amazon" ? s.marketplace_id : ""),
  receivesPushes: false,
  inCabinet: true,
  transferTarget: false,
  // Nothing but a cancel goes back, and Amazon's Orders API takes none: no status to map.
  orderStatuses: [],
  defaultBaseUrl: (s) => (s.kind === "amazon" ? REGION_HOSTS[s.region] : ""),
  accountForm: amazonAccountForm,
  cancelReasons: [],
};
