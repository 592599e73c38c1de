import { useEffect } from "react";

/** Rows before a list's end at which its next page is asked for, so that it is there in time. */
export const PREFETCH_ROWS = 100;

/**
 * Asks for a keyset list's next page once `reach` (the last row drawn, or the keyboard's cursor)
 * comes within PREFETCH_ROWS rows of its end; one page at a time. `pages` counts the pages read:
 * a page that adds no row (a search read on) changes nothing else, and a quick answer may never
 * show `fetching`, yet the next page is still wanted.
 */
export function useLoadMore(
  reach: number,
  rowCount: number,
  hasMore: boolean,
  fetching: boolean,
  onLoadMore: () => void,
  pages = 0,
) {
  useEffect(() => {
    if (hasMore && !fetching && reach >= rowCount - 1 - PREFETCH_ROWS) onLoadMore();
  }, [reach, rowCount, hasMore, fetching, onLoadMore, pages]);
}
