import type { QueryClient } from "@tanstack/react-query";
import { prefetchCabinet } from "../cabinet/queries";
import { customerPagesOptions } from "../queries";

/**
 * Asks for what a screen first shows as the manager goes to it from the sidebar: the reads then
 * run while the screen mounts and paints its frame instead of after it (a screen's queries start
 * in effects, which run once that first paint is done). For the screens over large lists.
 */
export function prefetchScreen(qc: QueryClient, screen: string): void {
  if (screen === "orders") prefetchCabinet(qc);
  else if (screen === "customers") void qc.prefetchInfiniteQuery(customerPagesOptions);
}
