// Transfer data for component tests, typed with the bindings as the engine sends it (no engine
// scenario records transfers yet: sending is tested in Rust, against the targets' fakes).
import type { CabinetRow } from "../bindings/CabinetRow";
import type { OrderTransferView } from "../bindings/OrderTransferView";
import type { TransferTargetView } from "../bindings/TransferTargetView";
import type { TransferView } from "../bindings/TransferView";

const RULES = { success_status: null, failure_status: null, send_on_status: null };

export const crmTarget: TransferTargetView = {
  account_id: 21,
  name: "Our CRM",
  kind: "retailcrm",
  kind_name: "RetailCRM",
  active: true,
  deletes: false,
  ships: false,
  rules: RULES,
};

export const shiptorTarget: TransferTargetView = {
  account_id: 22,
  name: "Shiptor parcels",
  kind: "shiptor",
  kind_name: "Shiptor",
  active: true,
  deletes: true,
  ships: true,
  rules: RULES,
};

export const sentToCrm: TransferView = {
  account_id: crmTarget.account_id,
  target: crmTarget.name,
  kind: "retailcrm",
  remote_id: "4711",
  link: "https://shop.retailcrm.ru/orders/4711/edit",
  state: "transferred",
  last_error: null,
  last_error_words: null,
  remote_status: null,
  tracking_number: null,
  history: [],
  updated_at: "2026-12-03T10:00:00Z",
};

export const refusedByShiptor: TransferView = {
  account_id: shiptorTarget.account_id,
  target: shiptorTarget.name,
  kind: "shiptor",
  remote_id: null,
  link: "javascript:alert(1)",
  state: "problematic",
  last_error: "Shiptor parcels: Не указан индекс",
  last_error_words: { kind: "transfer_refused", target: "Shiptor parcels", detail: "Не указан индекс" },
  remote_status: null,
  tracking_number: null,
  history: [],
  updated_at: "2026-12-03T10:05:00Z",
};

export const parcelOnItsWay: TransferView = {
  ...refusedByShiptor,
  remote_id: "RP-99",
  link: "https://shiptor.ru/cabinet/packages/99",
  state: "transferred",
  last_error: null,
  last_error_words: null,
  remote_status: "Delivering",
  tracking_number: "RA123456789RU",
  history: [
    { at: "2026-12-03T11:00:00Z", text: "Accepted at the warehouse" },
    { at: "2026-12-04T09:30:00Z", text: "Handed to Russian Post" },
  ],
};

export const orderTransfer = (order_id: number, number: string, transfer: TransferView): OrderTransferView => ({
  order_id,
  number,
  transfer,
});

export const row = (id: number, number: string, extra: Partial<CabinetRow> = {}): CabinetRow => ({
  id,
  number,
  created_at: "2026-12-01T10:00:00Z",
  status_id: 1,
  order_type: "standard",
  payment_method: "card_online",
  paid: false,
  cod: false,
  recipient_name: "Anna",
  recipient_phone: "+7 900 000-00-00",
  account: null,
  account_kind: null,
  total: "1500.00",
  currency: "RUB",
  items: 1,
  preorder: false,
  transferred_to: null,
  ...extra,
});
