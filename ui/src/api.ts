// The one typed door to the Rust side: every command, its argument names and its result type.
// Errors always come out as ApiError, whatever shape the IPC layer rejected with.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { open, save } from "@tauri-apps/plugin-dialog";
import type { Account } from "./bindings/Account";
import type { AccountDraft } from "./bindings/AccountDraft";
import type { AccountView } from "./bindings/AccountView";
import type { AppError } from "./bindings/AppError";
import type { AppInfo } from "./bindings/AppInfo";
import type { AppSettings } from "./bindings/AppSettings";
import type { BackupInfo } from "./bindings/BackupInfo";
import type { CabinetCharts } from "./bindings/CabinetCharts";
import type { CabinetStats } from "./bindings/CabinetStats";
import type { CancelReasonOption } from "./bindings/CancelReasonOption";
import type { ConnectionReport } from "./bindings/ConnectionReport";
import type { CustomerSummary } from "./bindings/CustomerSummary";
import type { DatabaseInfo } from "./bindings/DatabaseInfo";
import type { DatabaseProblem } from "./bindings/DatabaseProblem";
import type { DraftProblem } from "./bindings/DraftProblem";
import type { EditPreview } from "./bindings/EditPreview";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ExportOptions } from "./bindings/ExportOptions";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { ImportOptions } from "./bindings/ImportOptions";
import type { ImportPreview } from "./bindings/ImportPreview";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { InboxLine } from "./bindings/InboxLine";
import type { InboxQuery } from "./bindings/InboxQuery";
import type { IntakeSettings } from "./bindings/IntakeSettings";
import type { IntakeStatus } from "./bindings/IntakeStatus";
import type { Lang } from "./bindings/Lang";
import type { ListSettings } from "./bindings/ListSettings";
import type { OfferBinding } from "./bindings/OfferBinding";
import type { OfferMatch } from "./bindings/OfferMatch";
import type { OfferView } from "./bindings/OfferView";
import type { OrderDetail } from "./bindings/OrderDetail";
import type { OrderFilter } from "./bindings/OrderFilter";
import type { OrderPage } from "./bindings/OrderPage";
import type { OrderPageQuery } from "./bindings/OrderPageQuery";
import type { OrderType } from "./bindings/OrderType";
import type { OutboxView } from "./bindings/OutboxView";
import type { PriceListView } from "./bindings/PriceListView";
import type { PushSettings } from "./bindings/PushSettings";
import type { PushTemplates } from "./bindings/PushTemplates";
import type { RestoreReport } from "./bindings/RestoreReport";
import type { RuleOutcome } from "./bindings/RuleOutcome";
import type { RuleSet } from "./bindings/RuleSet";
import type { ShopOrderView } from "./bindings/ShopOrderView";
import type { ShopOrderDraft } from "./bindings/ShopOrderDraft";
import type { ShopOrderFull } from "./bindings/ShopOrderFull";
import type { ShopStatus } from "./bindings/ShopStatus";
import type { StatusChangeReport } from "./bindings/StatusChangeReport";
import type { SyncReport } from "./bindings/SyncReport";
import type { TriageAction } from "./bindings/TriageAction";
import type { TriageReport } from "./bindings/TriageReport";

export class ApiError extends Error {
  readonly code: ErrorCode | "ipc";
  constructor(code: ErrorCode | "ipc", message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

function isAppError(e: unknown): e is AppError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as AppError).code === "string" &&
    typeof (e as AppError).message === "string"
  );
}

export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isAppError(e)) return new ApiError(e.code, e.message);
  if (e instanceof Error) return new ApiError("ipc", e.message);
  return new ApiError("ipc", String(e));
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw toApiError(e);
  }
}

/** Secrets travel only on add/update/test and are never returned. */
/** Secret fields by name (Ozon: api_key; ZZAP: password and api_key); only typed ones are sent. */
export type Secrets = { api_key?: string; password?: string };
/** The intake address as shown (token hidden); the full one is fetched only to copy it. */
export type { IntakeAddress } from "./bindings/IntakeAddress";

function secretArgs(secrets: Secrets): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).filter(([, v]) => typeof v === "string" && v !== ""));
}

export const api = {
  appInfo: () => call<AppInfo>("app_info"),
  setLanguage: (lang: Lang) => call<null>("set_language", { lang }),
  listAccounts: () => call<AccountView[]>("list_accounts"),
  addAccount: (draft: AccountDraft, secrets: Secrets) =>
    call<Account>("add_account", { draft, secrets: secretArgs(secrets) }),
  updateAccount: (id: number, draft: AccountDraft, secrets: Secrets) =>
    call<Account>("update_account", { id, draft, secrets: secretArgs(secrets) }),
  setAccountActive: (id: number, active: boolean) => call<null>("set_account_active", { id, active }),
  deleteAccount: (id: number) => call<null>("delete_account", { id }),
  testConnection: (draft: AccountDraft, secrets: Secrets, id: number | null) =>
    call<ConnectionReport>("test_connection", { draft, secrets: secretArgs(secrets), id }),
  cancelReasons: (draft: AccountDraft, secrets: Secrets, id: number | null) =>
    call<CancelReasonOption[]>("cancel_reasons", { draft, secrets: secretArgs(secrets), id }),
  syncNow: (id: number) => call<SyncReport>("sync_now", { id }),
  intakeAddress: (accountId: number) =>
    call<import("./bindings/IntakeAddress").IntakeAddress>("intake_address", { accountId }),
  /** The full intake address with its token: for the clipboard only, never rendered. */
  intakeUrl: (accountId: number) => call<string>("intake_url", { accountId }),
  rotateIntakeToken: (accountId: number) => call<null>("rotate_intake_token", { accountId }),
  intakeSettings: () => call<IntakeSettings>("intake_settings"),
  /** Saves and starts, moves or stops the intake at once; a start that fails is an error. */
  saveIntakeSettings: (settings: IntakeSettings) => call<IntakeSettings>("save_intake_settings", { settings }),
  /** Whether the intake listens now (where), or why its last start failed. */
  intakeStatus: () => call<IntakeStatus>("intake_status"),
  inbox: (query: InboxQuery) => call<InboxLine[]>("inbox", { query }),
  orderDetail: (id: number) => call<OrderDetail>("order_detail", { id }),
  triage: (lines: number[], action: TriageAction) => call<TriageReport>("triage", { lines, action }),
  /** Takes a decision back while its marketplace calls still wait; returns every line undone. */
  undoTriage: (lines: number[]) => call<number[]>("undo_triage", { lines }),
  retryOutbox: (id: number) => call<null>("retry_outbox", { id }),
  accountOutbox: (id: number) => call<OutboxView[]>("account_outbox", { id }),
  getSettings: () => call<AppSettings>("get_settings"),
  saveSettings: (settings: AppSettings) => call<AppSettings>("save_settings", { settings }),
  pauseSync: (minutes: number | null) => call<AppSettings>("pause_sync", { minutes }),
  resumeSync: () => call<AppSettings>("resume_sync"),
  recentLogs: () => call<string[]>("recent_logs"),
  saveDiagnostics: () => call<string>("save_diagnostics"),
  /** Only the bundle this run saved. */
  showDiagnosticsInFolder: (path: string) => call<null>("show_diagnostics_in_folder", { path }),
  startDemo: () => call<Account>("start_demo"),
  removeDemo: () => call<null>("remove_demo"),
  previewPriceList: (path: string, options: ImportOptions) =>
    call<ImportPreview>("preview_price_list", { path, options }),
  /** Without settings the list's remembered mapping is used; progress comes as `import_progress` events. */
  importPriceList: (path: string, name: string, settings: ListSettings | null) =>
    call<ImportSummary>("import_price_list", { path, name, settings }),
  priceLists: () => call<PriceListView[]>("price_lists"),
  deletePriceList: (id: number) => call<null>("delete_price_list", { id }),
  searchOffers: (text: string, limit: number | null) => call<OfferView[]>("search_offers", { text, limit }),
  lineOffers: (lineId: number) => call<OfferMatch[]>("line_offers", { lineId }),
  acceptWithOffer: (lineId: number, binding: OfferBinding) =>
    call<TriageReport>("accept_with_offer", { lineId, binding }),
  ruleSet: (accountId: number) => call<RuleSet>("rule_set", { accountId }),
  saveRuleSet: (set: RuleSet) => call<RuleSet>("save_rule_set", { set }),
  dryRunRules: (accountId: number | null) => call<RuleOutcome[]>("dry_run_rules", { accountId }),
  applyRules: (accountId: number) => call<RuleOutcome[]>("apply_rules", { accountId }),
  shopOrders: (customerId: number | null, limit: number | null) =>
    call<ShopOrderView[]>("shop_orders", { customerId, limit }),
  customers: (limit: number | null) => call<CustomerSummary[]>("customers", { limit }),
  shopStatuses: () => call<ShopStatus[]>("shop_statuses"),
  /** The array's order is the workflow's order; new statuses have id 0. */
  saveShopStatuses: (statuses: ShopStatus[]) => call<ShopStatus[]>("save_shop_statuses", { statuses }),
  setLineStatus: (lines: number[], statusId: number) =>
    call<StatusChangeReport>("set_line_status", { lines, statusId }),
  pushSettings: (accountId: number) => call<PushSettings>("push_settings", { accountId }),
  /** Reloads the account's own status list from its marketplace (ZZAP) and returns the settings with it. */
  loadMarketplaceStatuses: (accountId: number) => call<PushSettings>("load_marketplace_statuses", { accountId }),
  savePushSettings: (accountId: number, templates: PushTemplates) =>
    call<PushSettings>("save_push_settings", { accountId, templates }),
  /** The template filled with a real line's values; fails naming the variables that have none yet. */
  previewTemplate: (lineId: number, statusId: number, template: string) =>
    call<string>("preview_template", { lineId, statusId, template }),
  // The "All orders" cabinet.
  /** One keyset page: pass the previous page's `next` as `after` for the following one. */
  cabinetPage: (query: OrderPageQuery) => call<OrderPage>("cabinet_page", { query }),
  /** Orders per status under every filter except the status ones. */
  cabinetStats: (filter: OrderFilter) => call<CabinetStats>("cabinet_stats", { filter }),
  cabinetCharts: (filter: OrderFilter) => call<CabinetCharts>("cabinet_charts", { filter }),
  shopOrderFull: (id: number) => call<ShopOrderFull>("shop_order_full", { id }),
  newOrderDraft: () => call<ShopOrderDraft>("new_order_draft", {}),
  validateOrder: (draft: ShopOrderDraft) => call<DraftProblem[]>("validate_order", { draft }),
  createShopOrder: (draft: ShopOrderDraft) => call<ShopOrderFull>("create_shop_order", { draft }),
  previewOrderEdit: (id: number, draft: ShopOrderDraft) => call<EditPreview>("preview_order_edit", { id, draft }),
  /** Fails with `needs_confirmation` when the delivery cost would change and `confirmed` is false. */
  updateShopOrder: (id: number, draft: ShopOrderDraft, confirmed: boolean) =>
    call<ShopOrderFull>("update_shop_order", { id, draft, confirmed }),
  /** The method's tariff for the weight: a decimal string. */
  quoteDelivery: (method: string, weightG: number) => call<string>("quote_delivery", { method, weightG }),
  /** Saves the order's tracking number and queues it for Ozon (orders from realFBS postings only). */
  sendTrackingNumber: (id: number, tracking: string) =>
    call<ShopOrderFull>("send_tracking_number", { id, tracking }),
  setShopOrderStatus: (ids: number[], statusId: number) =>
    call<StatusChangeReport>("set_shop_order_status", { ids, statusId }),
  setOrderType: (ids: number[], orderType: OrderType) => call<null>("set_order_type", { ids, orderType }),
  /** Moves the orders to the "deleted" status; `removeLinks` also clears their transfer links. */
  deleteShopOrders: (ids: number[], removeLinks: boolean) => call<null>("delete_shop_orders", { ids, removeLinks }),
  /** Permanently, and only orders already in "deleted"; returns how many went. */
  purgeShopOrders: (ids: number[]) => call<number>("purge_shop_orders", { ids }),
  /** Progress comes as `export_progress` events; a cancelled export fails with code "conflict". */
  /** Fails with `needs_confirmation` when the file exists and `overwrite` is false. */
  exportCsv: (path: string, options: ExportOptions, overwrite = false) =>
    call<ExportSummary>("export_csv", { path, options, overwrite }),
  cancelExport: () => call<null>("cancel_export", {}),
  openExport: (path: string) => call<null>("open_export", { path }),
  showExportInFolder: (path: string) => call<null>("show_export_in_folder", { path }),
  /** The native save dialog for a CSV export; null when the manager closed it. */
  chooseExportFile: async (defaultName: string, filterName: string): Promise<string | null> => {
    try {
      return await save({ defaultPath: defaultName, filters: [{ name: filterName, extensions: ["csv"] }] });
    } catch (e) {
      throw toApiError(e);
    }
  },
  // The database file: backups, restore, and the choices when it could not be opened at start.
  /** Why the database could not be opened at start (the app then has no engine); null when it opened. */
  databaseProblem: () => call<DatabaseProblem | null>("database_problem"),
  databaseInfo: () => call<DatabaseInfo>("database_info"),
  backupDatabase: () => call<BackupInfo>("backup_database"),
  /** Replaces the database with the backup; on success the app restarts a moment later. */
  restoreDatabase: (path: string) => call<RestoreReport>("restore_database", { path }),
  /** Moves the unreadable database aside (returns where) and restarts on an empty one. */
  startNewDatabase: () => call<string | null>("start_new_database"),
  quitApp: () => call<null>("quit_app"),
  /** The native file chooser for a backup made elsewhere; null when closed without choosing. */
  chooseBackupFile: async (filterName: string): Promise<string | null> => {
    try {
      return await open({ multiple: false, filters: [{ name: filterName, extensions: ["db", "sqlite", "sqlite3"] }] });
    } catch (e) {
      throw toApiError(e);
    }
  },
  /** The native file chooser; null when the manager closed it without choosing. */
  choosePriceListFile: async (): Promise<string | null> => {
    try {
      return await open({
        multiple: false,
        filters: [{ name: "Price list", extensions: ["csv", "txt", "xlsx", "xls", "xlsm", "ods"] }],
      });
    } catch (e) {
      throw toApiError(e);
    }
  },
};

/** Listening starts asynchronously; the returned function stops it whenever it is called. */
function subscription(listening: Promise<UnlistenFn>): () => void {
  return () => {
    // Stopping after the IPC bridge is gone (window closing) has nothing left to undo.
    listening.then((stop) => stop()).catch(() => undefined);
  };
}

export function onEngineEvent(handler: (event: EngineEvent) => void): () => void {
  return subscription(listen<EngineEvent>("engine", (e) => handler(e.payload)));
}

/** A click on an OS notification asks the window to show that order. */
export function onOpenOrder(handler: (orderId: number) => void): () => void {
  return subscription(listen<{ order_id: number }>("open-order", (e) => handler(e.payload.order_id)));
}
