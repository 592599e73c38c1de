// The engine sends an event per synced page, so a backfill sends many a second; refetching the
// inbox and the cabinet for each kept heavy queries running back to back, each cancelling the last.
// Per query family: the first event refreshes at once (a single new order shows without delay),
// later ones within the window are folded into one refresh when it ends, so a burst ends with a
// refresh after its last event and nothing it announced is missed.
import { hashKey, type QueryKey } from "@tanstack/react-query";

/** At most two refreshes a second per family while events keep coming. */
export const REFRESH_WINDOW_MS = 500;

export type CoalescedRefreshes = {
  /** Refreshes the family now, or once at the end of its window when it refreshed lately. */
  refresh: (queryKey: QueryKey) => void;
  /** Drops the refreshes still waiting for their window (the screen that wanted them is gone). */
  cancel: () => void;
};

/** A family's open window: its end timer, and whether an event came in it. */
type FamilyWindow = { timer: ReturnType<typeof setTimeout>; again: boolean };

export function coalesceRefreshes(
  run: (queryKey: QueryKey) => unknown,
  windowMs = REFRESH_WINDOW_MS,
): CoalescedRefreshes {
  const open = new Map<string, FamilyWindow>();

  const start = (hash: string, queryKey: QueryKey) => {
    // The window also lasts until the refetch has answered: a query slower than the window is
    // never cancelled by its own next refresh, it gets one more right after instead.
    let waiting = 2;
    const end = () => {
      if (--waiting > 0 || open.get(hash) !== slot) return;
      open.delete(hash);
      if (slot.again) start(hash, queryKey);
    };
    const slot: FamilyWindow = { timer: setTimeout(end, windowMs), again: false };
    open.set(hash, slot);
    Promise.resolve(run(queryKey)).then(end, end);
  };

  return {
    refresh(queryKey) {
      const hash = hashKey(queryKey);
      const slot = open.get(hash);
      if (slot) slot.again = true;
      else start(hash, queryKey);
    },
    cancel() {
      for (const slot of open.values()) clearTimeout(slot.timer);
      open.clear();
    },
  };
}
