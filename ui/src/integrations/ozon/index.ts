import type { Integration } from "../types";
import { ozonAccountForm } from "./AccountFields";
import { CANCEL_REASONS } from "./cancelReasons";
import { OzonOrderFacts } from "./OrderFacts";

/** Ozon posting statuses a shop maps (api-notes/ozon.md); newer ones can be typed. */
const POSTING_STATUSES = [
  "awaiting_packaging",
  "awaiting_deliver",
  "delivering",
  "driver_pickup",
  "delivered",
  "cancelled",
  "not_accepted",
  "arbitration",
  "client_arbitration",
];

export const ozon: Integration = {
  kind: "ozon",
  name: "Ozon",
  identity: (s) => (s.kind === "ozon" ? s.client_id : ""),
  receivesPushes: false,
  inCabinet: true,
  transferTarget: false,
  orderStatuses: POSTING_STATUSES,
  defaultBaseUrl: () => "https://api-seller.ozon.ru",
  accountForm: ozonAccountForm,
  cancelReasons: CANCEL_REASONS,
  OrderFacts: OzonOrderFacts,
};
