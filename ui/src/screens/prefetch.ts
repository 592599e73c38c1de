import type { QueryClient } from "@tanstack/react-query";
import { prefetchCabinet } from "../cabinet/queries";
import { customerPagesOptions, readUnlessCached } from "../queries";

/**
 * How long a sidebar click (and the start, firstScreen.ts) waits for the screen's first data before
 * it opens the screen without it: the data of a large list is read in a few milliseconds when the
 * engine is free; when it is busy (a sync), the screen is not held back for it. An object so that a
 * test can hold it.
 */
export const dataWait = { ms: 100 };

/**
 * Asks for what a screen first shows as the manager goes to it from the sidebar, for the screens
 * over large lists. Settles once it is read (a failed read too: the screen shows its error); null
 * when there is nothing to wait for (another screen, or the data is in the cache already).
 */
export function prefetchScreen(qc: QueryClient, screen: string): Promise<unknown> | null {
  if (screen === "orders") return prefetchCabinet(qc);
  if (screen === "customers") {
    const all = customerPagesOptions("");
    return readUnlessCached(qc, [all.queryKey], () => qc.prefetchInfiniteQuery(all));
  }
  return null;
}

/**
 * Opens `screen` from the sidebar once its first data is in (at most `dataWait` after the click),
 * so that it paints once, with its data: opened at once it would lay out and paint its whole frame
 * empty, then again with the data. The screen it leaves stays until then. `open` is called once,
 * in a later task when there is something to wait for: it checks that no other way was taken.
 */
export function openWhenReady(qc: QueryClient, screen: string, open: () => void): void {
  const reading = prefetchScreen(qc, screen);
  if (reading == null) open();
  else void withinDataWait(reading).then(open);
}

/** Settles once `reading` has, or `dataWait` after it was asked for, whichever comes first. */
export function withinDataWait(reading: Promise<unknown>): Promise<void> {
  return new Promise((settle) => {
    const deadline = setTimeout(settle, dataWait.ms);
    const done = () => {
      clearTimeout(deadline);
      settle();
    };
    reading.then(done, done);
  });
}
