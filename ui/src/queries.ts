// Query keys and hooks: one place decides what is cached and what an engine event refreshes.
import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useQuery, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { api } from "./api";
import type { Account } from "./bindings/Account";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { InboxQuery } from "./bindings/InboxQuery";
import type { PageCursor } from "./bindings/PageCursor";
import type { ProductQuery } from "./bindings/ProductQuery";

/** How far the running price-list import has got, as the engine last said. */
export type ImportProgress = Omit<Extract<EngineEvent, { type: "import_progress" }>, "type">;
/** How far the running CSV export has got, as the engine last said. */
export type ExportProgress = Omit<Extract<EngineEvent, { type: "export_progress" }>, "type">;
/** How far an account's multi-page sync (the first sync's backfill) has got, as the engine last said. */
export type SyncProgress = Omit<Extract<EngineEvent, { type: "sync_progress" }>, "type" | "account_id">;

export const keys = {
  appInfo: ["appInfo"] as const,
  accounts: ["accounts"] as const,
  inboxAll: ["inbox"] as const,
  inbox: (q: InboxQuery) => ["inbox", q] as const,
  /** The inbox screen's view, read a page at a time (its `after` is each page's own). */
  inboxPages: (q: InboxQuery) => ["inbox", "pages", q] as const,
  orderAll: ["order"] as const,
  order: (id: number) => ["order", id] as const,
  outboxAll: ["outbox"] as const,
  settings: ["settings"] as const,
  accountOutbox: (id: number) => ["outbox", id] as const,
  accountLog: (id: number) => ["accountLog", id] as const,
  /** Not fetched: written by `sync_progress` events while a run goes on, cleared when it ends. */
  syncProgress: (accountId: number) => ["syncProgress", accountId] as const,
  priceLists: ["priceLists"] as const,
  offersAll: ["offers"] as const,
  offerSearch: (text: string) => ["offers", "search", text] as const,
  lineOffers: (lineId: number) => ["offers", "line", lineId] as const,
  ruleSet: (accountId: number) => ["rules", accountId] as const,
  cancelReasons: (accountId: number) => ["cancelReasons", accountId] as const,
  shopOrdersAll: ["shopOrders"] as const,
  shopOrders: (customerId: number | null) => ["shopOrders", customerId] as const,
  customers: ["customers"] as const,
  /** The Customers screen's list, read a page at a time; "" without a search. */
  customerPages: (search: string) => ["customers", "pages", search] as const,
  customerChoice: ["customers", "choice"] as const,
  shopStatuses: ["shopStatuses"] as const,
  pushSettingsAll: ["pushSettings"] as const,
  pushSettings: (accountId: number) => ["pushSettings", accountId] as const,
  /** Not fetched: written by `import_progress` events, read by the import screen. */
  importProgress: ["importProgress"] as const,
  /** Everything the "All orders" cabinet reads (pages, counts, charts, one order): see cabinet/queries.ts. */
  cabinetAll: ["cabinet"] as const,
  /** Every open shop order of All orders (`cabinetKeys.order`). */
  cabinetOrderAll: ["cabinet", "order"] as const,
  /** Not fetched: written by `export_progress` events, read by the export dialog. */
  exportProgress: ["exportProgress"] as const,
  /** Everything the Catalog reads: products come with orders, so `orders_changed` refreshes it all. */
  catalogAll: ["catalog"] as const,
  products: (q: ProductQuery) => ["catalog", "products", q] as const,
  productCategories: ["catalog", "categories"] as const,
  productOrders: (productId: number) => ["catalog", "orders", productId] as const,
};

export const appInfoOptions = queryOptions({ queryKey: keys.appInfo, queryFn: api.appInfo });
export const useAppInfo = () => useQuery(appInfoOptions);
export const accountsOptions = queryOptions({
  queryKey: keys.accounts,
  queryFn: api.listAccounts,
  // Health times ("next sync in …") age even without events.
  refetchInterval: 15_000,
});
export const useAccounts = () => useQuery(accountsOptions);
export const useInbox = (q: InboxQuery) =>
  useQuery({ queryKey: keys.inbox(q), queryFn: async () => (await api.inbox(q)).lines });
/** Lines per page of the inbox screen: a few screens' worth, read in a few milliseconds. */
export const INBOX_PAGE = 200;
/**
 * A view of the inbox, page after page: each asks for the lines after the previous page's last,
 * or after the last line a short search checked when it stopped with its page unfilled.
 */
export const inboxPagesOptions = (q: InboxQuery) =>
  infiniteQueryOptions({
    queryKey: keys.inboxPages(q),
    queryFn: ({ pageParam }) => api.inbox({ ...q, limit: INBOX_PAGE, after: pageParam }),
    initialPageParam: null as number | null,
    getNextPageParam: (last) =>
      last.searched_to ?? (last.lines.length < INBOX_PAGE ? undefined : last.lines[last.lines.length - 1]?.line.id),
    // A refetch reads every loaded page again: engine events say when that is needed.
    refetchOnWindowFocus: false,
  });
export const useInboxPages = (q: InboxQuery) => useInfiniteQuery(inboxPagesOptions(q));
export const settingsOptions = queryOptions({ queryKey: keys.settings, queryFn: api.getSettings });
export const useSettings = () => useQuery(settingsOptions);
export const useAccountOutbox = (id: number, enabled: boolean) =>
  useQuery({ queryKey: keys.accountOutbox(id), queryFn: () => api.accountOutbox(id), enabled });
export const useAccountLog = (id: number) => useQuery({ queryKey: keys.accountLog(id), queryFn: () => api.accountLog(id) });
export const useSyncProgress = (accountId: number): SyncProgress | null =>
  useQuery<SyncProgress | null>({
    queryKey: keys.syncProgress(accountId),
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  }).data ?? null;
export const useOrder = (id: number | null) =>
  useQuery({
    queryKey: keys.order(id ?? -1),
    queryFn: () => api.orderDetail(id ?? -1),
    enabled: id != null,
  });
/** An order's detail as it is now (never an older cached copy), for acting on its lines. */
export const fetchOrder = (qc: QueryClient, id: number) =>
  qc.fetchQuery({ queryKey: keys.order(id), queryFn: () => api.orderDetail(id), staleTime: 0 });
export const usePriceLists = () => useQuery({ queryKey: keys.priceLists, queryFn: api.priceLists });
/** Searching starts at two characters: one matches half the catalogue and tells nothing. */
export const useOfferSearch = (text: string, limit: number | null = null) =>
  useQuery({
    queryKey: keys.offerSearch(text.trim()),
    queryFn: () => api.searchOffers(text.trim(), limit),
    enabled: text.trim().length >= 2,
  });
export const useLineOffers = (lineId: number) =>
  useQuery({ queryKey: keys.lineOffers(lineId), queryFn: () => api.lineOffers(lineId) });
export const useRuleSet = (accountId: number) =>
  useQuery({ queryKey: keys.ruleSet(accountId), queryFn: () => api.ruleSet(accountId) });
/** The marketplace's own cancel reasons for a stored account (asks the marketplace, so only when needed). */
export const useCancelReasons = (account: Account | undefined, enabled: boolean) =>
  useQuery({
    queryKey: keys.cancelReasons(account?.id ?? -1),
    queryFn: () => {
      if (!account) return [];
      const { name, region, active, interval_secs, base_url, settings } = account;
      return api.cancelReasons({ name, region, active, interval_secs, base_url, settings }, {}, account.id);
    },
    enabled: enabled && account != null,
    staleTime: Infinity,
  });
export const useShopOrders = (customerId: number | null) =>
  useQuery({ queryKey: keys.shopOrders(customerId), queryFn: () => api.shopOrders(customerId, null) });
/** Customers a keyset page at a time: a shop may have hundreds of thousands. */
export const CUSTOMERS_PAGE = 200;
/** The customers, or those `search` finds ("" for all). */
export const customerPagesOptions = (search: string) =>
  infiniteQueryOptions({
    queryKey: keys.customerPages(search),
    queryFn: ({ pageParam }) => api.customers(search === "" ? null : search, CUSTOMERS_PAGE, pageParam),
    initialPageParam: null as PageCursor | null,
    getNextPageParam: (last) => last.next ?? undefined,
    // A refetch reads every loaded page again: engine events say when that is needed.
    refetchOnWindowFocus: false,
  });
/** The previous list stays on screen while another search's arrives. */
export const useCustomerPages = (search: string) =>
  useInfiniteQuery({ ...customerPagesOptions(search), placeholderData: keepPreviousData });
/** The most recent buyers, to choose one from a list (a marketplace's orders all put on one). */
export const useCustomerChoice = () =>
  useQuery({ queryKey: keys.customerChoice, queryFn: async () => (await api.customers(null, 1_000, null)).rows });
/** The previous list stays on screen while the next one (another search or category) arrives. */
export const useProducts = (q: ProductQuery) =>
  useQuery({ queryKey: keys.products(q), queryFn: () => api.products(q), placeholderData: keepPreviousData });
export const useProductCategories = () => useQuery({ queryKey: keys.productCategories, queryFn: api.productCategories });
export const useProductOrders = (productId: number) =>
  useQuery({ queryKey: keys.productOrders(productId), queryFn: () => api.productOrders(productId) });
export const shopStatusesOptions = queryOptions({ queryKey: keys.shopStatuses, queryFn: api.shopStatuses });
export const useShopStatuses = () => useQuery(shopStatusesOptions);
export const usePushSettings = (accountId: number) =>
  useQuery({ queryKey: keys.pushSettings(accountId), queryFn: () => api.pushSettings(accountId) });
/** Lines a template preview can be filled from: the account's accepted ones, newest order first. */
export const usePreviewLines = (accountId: number) =>
  useInbox({ account_id: accountId, state: "accepted", limit: 20, after: null, processed: false, sort: "newest", search: null });
export const useImportProgress = (): ImportProgress | null =>
  useQuery<ImportProgress | null>({
    queryKey: keys.importProgress,
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  }).data ?? null;

/**
 * Starts `read` (a screen's first reads, asked for ahead of its mount) and returns what to wait for:
 * null when every one of `shownKeys` has data cached already, which the screen shows at once while
 * the reads refresh it. A key whose last read failed is not waited for either: it is read again as
 * the screen opens (the screen shows that read as loading meanwhile), instead of holding the screen
 * back on every visit for what most likely fails again (transfer targets that cannot be read).
 */
export function readUnlessCached(qc: QueryClient, shownKeys: readonly QueryKey[], read: () => Promise<unknown>): Promise<unknown> | null {
  const cached = shownKeys.every((key) => qc.getQueryData(key) !== undefined || qc.getQueryState(key)?.status === "error");
  const reading = read();
  return cached ? null : reading;
}

/** What deciding lines can change: the inbox, their orders, the counts, the shop's orders and customers. */
export function refreshAfterDecision(qc: QueryClient): Promise<unknown> {
  return Promise.all(
    [keys.inboxAll, keys.orderAll, keys.appInfo, keys.accounts, keys.shopOrdersAll, keys.customers, keys.cabinetAll].map((queryKey) =>
      qc.invalidateQueries({ queryKey }),
    ),
  );
}

/** What a status change can change: the lines' orders, what it queued for the marketplace and its counts. */
export function refreshAfterStatusChange(qc: QueryClient): Promise<unknown> {
  return Promise.all(
    [keys.inboxAll, keys.orderAll, keys.outboxAll, keys.accounts, keys.shopOrdersAll, keys.cabinetAll].map((queryKey) =>
      qc.invalidateQueries({ queryKey }),
    ),
  );
}

/**
 * Refetches exactly what an engine event can have changed, through `refresh` (the app passes one
 * that coalesces a sync's bursts: see coalesceRefreshes.ts). Data an event carries is set at once.
 */
export function applyEngineEvent(
  qc: QueryClient,
  event: EngineEvent,
  refresh: (queryKey: QueryKey) => void = (queryKey) => void qc.invalidateQueries({ queryKey }),
): void {
  switch (event.type) {
    case "new_lines":
      refresh(keys.inboxAll);
      refresh(keys.accounts);
      refresh(keys.appInfo);
      break;
    case "orders_changed":
      // Accepted lines make shop orders, and an accepted order can create or move its customer.
      refresh(keys.inboxAll);
      refresh(keys.orderAll);
      refresh(keys.shopOrdersAll);
      refresh(keys.customers);
      refresh(keys.cabinetAll);
      // Items of new store orders file their products (and categories) in the catalog.
      refresh(keys.catalogAll);
      break;
    case "account_health":
      // Sent when a run ends (and on other changes to the account): its progress is over, its log grew.
      qc.setQueryData(keys.syncProgress(event.account_id), null);
      refresh(keys.accounts);
      refresh(keys.accountLog(event.account_id));
      break;
    case "outbox":
      // A call delivered or refused writes on its order's timeline, which an open shop order shows.
      refresh(keys.orderAll);
      refresh(keys.cabinetOrderAll);
      refresh(keys.outboxAll);
      refresh(keys.accounts);
      break;
    case "sync_pause":
      refresh(keys.settings);
      refresh(keys.accounts);
      break;
    case "keychain_checked":
      refresh(keys.appInfo);
      break;
    case "unread_count":
      qc.setQueryData(keys.appInfo, (info: Awaited<ReturnType<typeof api.appInfo>> | undefined) =>
        info ? { ...info, unread: event.count } : info,
      );
      break;
    case "import_progress": {
      const { list, done, total, rows } = event;
      const progress: ImportProgress = { list, done, total, rows };
      qc.setQueryData(keys.importProgress, progress);
      // The last event of an import: the list's counts and its offers are new. It comes once, to a
      // manager watching the import, so it is never held back with a sync's refreshes.
      if (done >= total) {
        void qc.invalidateQueries({ queryKey: keys.priceLists });
        void qc.invalidateQueries({ queryKey: keys.offersAll });
      }
      break;
    }
    case "sync_progress": {
      const { account_id, pages_done, pages_total } = event;
      const progress: SyncProgress | null = pages_done < pages_total ? { pages_done, pages_total } : null;
      qc.setQueryData(keys.syncProgress(account_id), progress);
      break;
    }
    case "export_progress": {
      const progress: ExportProgress = { done: event.done, total: event.total };
      qc.setQueryData(keys.exportProgress, progress);
      break;
    }
  }
}
