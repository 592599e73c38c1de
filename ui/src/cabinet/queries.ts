// The cabinet's queries. Every key starts with keys.cabinetAll, so an `orders_changed` event (and
// any change made here) refreshes all of them at once.
import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery, type QueryClient } from "@tanstack/react-query";
import { api } from "../api";
import type { OrderFilter } from "../bindings/OrderFilter";
import type { OrderSort } from "../bindings/OrderSort";
import type { PageCursor } from "../bindings/PageCursor";
import { PREFETCH_ROWS } from "../components/useLoadMore";
import { keys, readUnlessCached, refreshAfterStatusChange, shopStatusesOptions, type ExportProgress } from "../queries";
import { transferTargetsOptions } from "../transfers/queries";
import { loadCurrentView, serializeView, withoutStatus, type CabinetView } from "./viewState";

/** Rows per keyset page: large enough to scroll through quickly, small enough to arrive at once. */
export const PAGE_SIZE = 500;
/**
 * Rows of the first page: a few screenfuls, so that the screen's first paint does not wait for
 * 500 rows to be read, sent and parsed; the pages after it are full ones. A screenful more than
 * PREFETCH_ROWS, so that opening the screen reads this page alone: with fewer rows the window's
 * first rows are already within reach of the list's end and the next page is asked for at once.
 */
export const FIRST_PAGE_SIZE = PREFETCH_ROWS + 100;

export const cabinetKeys = {
  pages: (filter: OrderFilter, sort: OrderSort) => [...keys.cabinetAll, "pages", filter, sort] as const,
  stats: (filter: OrderFilter) => [...keys.cabinetAll, "stats", withoutStatus(filter)] as const,
  charts: (filter: OrderFilter) => [...keys.cabinetAll, "charts", filter] as const,
  order: (id: number) => [...keys.cabinetOrderAll, id] as const,
  validate: (draft: unknown) => [...keys.cabinetAll, "validate", draft] as const,
  /** What each delivery method costs at a weight (refreshed when Settings → Delivery is saved). */
  quotes: (weightG: number) => [...keys.cabinetAll, "quotes", weightG] as const,
};

/** The table's pages: each one asks for the rows after the previous page's last (never an offset). */
const cabinetPagesOptions = (filter: OrderFilter, sort: OrderSort) =>
  infiniteQueryOptions({
    queryKey: cabinetKeys.pages(filter, sort),
    queryFn: ({ pageParam }) =>
      api.cabinetPage({ filter, sort, after: pageParam, limit: pageParam == null ? FIRST_PAGE_SIZE : PAGE_SIZE }),
    initialPageParam: null as PageCursor | null,
    getNextPageParam: (last) => last.next ?? undefined,
    // A refetch reads every loaded page again: engine events (orders_changed) say when that is
    // needed, a window regaining focus does not.
    refetchOnWindowFocus: false,
  });
export const useCabinetPages = (filter: OrderFilter, sort: OrderSort) => useInfiniteQuery(cabinetPagesOptions(filter, sort));

/** Counts ignore the status filters, so the key leaves them out: clicking a status refetches nothing. */
const cabinetStatsOptions = (filter: OrderFilter) =>
  queryOptions({ queryKey: cabinetKeys.stats(filter), queryFn: () => api.cabinetStats(withoutStatus(filter)) });
export const useCabinetStats = (filter: OrderFilter) => useQuery(cabinetStatsOptions(filter));

/**
 * Asks for what the screen first shows as the manager goes to it: the kept view's first page and
 * its counts, and the shop's statuses and transfer targets its rows name. Settles once all are
 * read; null when all are in the cache (the screen shows them at once and refreshes them).
 */
export function prefetchCabinet(qc: QueryClient): Promise<unknown> | null {
  const view = loadCurrentView();
  const pages = cabinetPagesOptions(view.filter, view.sort);
  const stats = cabinetStatsOptions(view.filter);
  const shown = [pages.queryKey, stats.queryKey, shopStatusesOptions.queryKey, transferTargetsOptions.queryKey];
  return readUnlessCached(qc, shown, () =>
    Promise.all([
      qc.prefetchInfiniteQuery(pages),
      qc.prefetchQuery(stats),
      qc.prefetchQuery(shopStatusesOptions),
      qc.prefetchQuery(transferTargetsOptions),
    ]),
  );
}

export const useCabinetCharts = (filter: OrderFilter, enabled: boolean) =>
  useQuery({ queryKey: cabinetKeys.charts(filter), queryFn: () => api.cabinetCharts(filter), enabled });

export const useShopOrderFull = (id: number) =>
  useQuery({ queryKey: cabinetKeys.order(id), queryFn: () => api.shopOrderFull(id) });

export const useExportProgress = (): ExportProgress | null =>
  useQuery<ExportProgress | null>({
    queryKey: keys.exportProgress,
    queryFn: () => null,
    enabled: false,
    staleTime: Infinity,
  }).data ?? null;

/** After orders were made, edited, deleted or moved: the cabinet, the older lists and the marketplace side. */
export function refreshAfterOrderChange(qc: QueryClient): Promise<unknown> {
  return Promise.all([
    refreshAfterStatusChange(qc),
    qc.invalidateQueries({ queryKey: keys.customers }),
    qc.invalidateQueries({ queryKey: keys.appInfo }),
  ]);
}

/**
 * Where the manager was in the list (scroll offset and cursor row), so that Back from an order
 * returns to the same place. Kept with the query client, i.e. while the app runs, and only for the
 * same view: another list starts at its top.
 */
type Place = { view: string; offset: number; cursor: number | null };
const PLACE_KEY = ["cabinetPlace"] as const;

export function rememberPlace(qc: QueryClient, view: CabinetView, offset: number, cursor: number | null): void {
  qc.setQueryData<Place>(PLACE_KEY, { view: serializeView(view), offset, cursor });
}

export function rememberedPlace(qc: QueryClient, view: CabinetView): { offset: number; cursor: number | null } {
  const place = qc.getQueryData<Place>(PLACE_KEY);
  return place && place.view === serializeView(view) ? { offset: place.offset, cursor: place.cursor } : { offset: 0, cursor: null };
}
