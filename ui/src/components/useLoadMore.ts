import { useEffect } from "react";

/** Rows before a list's end at which its next page is asked for, so that it is there in time. */
export const PREFETCH_ROWS = 100;

/** Where a keyset list stands, for [`useLoadMore`]. */
export type ListReach = {
  /** The last row drawn, or the keyboard's cursor. */
  reach: number;
  rowCount: number;
  hasMore: boolean;
  /** Any fetch of the pages is under way (a refetch too): asking for more now would cancel it. */
  fetching: boolean;
  /** The last ask for a page failed (the screen says why): not asked again, a failure after each fetch. */
  failed: boolean;
  /**
   * Pages read: a page that adds no row (a search read on) changes nothing else, and a quick answer
   * may never show `fetching`, yet the next page is still wanted.
   */
  pages: number;
};

/**
 * Asks for a keyset list's next page once `reach` comes within PREFETCH_ROWS rows of its end; one
 * page at a time.
 */
export function useLoadMore({ reach, rowCount, hasMore, fetching, failed, pages }: ListReach, onLoadMore: () => void) {
  useEffect(() => {
    if (hasMore && !fetching && !failed && reach >= rowCount - 1 - PREFETCH_ROWS) onLoadMore();
  }, [reach, rowCount, hasMore, fetching, failed, pages, onLoadMore]);
}
