import type { QueryClient } from "@tanstack/react-query";
import { databaseProblemOptions } from "./database/DatabaseProblemScreen";
import { accountsOptions, appInfoOptions, inboxPagesOptions, settingsOptions } from "./queries";
import { INBOX_START, inboxQuery } from "./screens/Inbox";
import { dataWait } from "./screens/prefetch";

/**
 * Asks for what the first screen shows as soon as the database is open, from the page's script:
 * asked for by the screens, the reads would leave only once React had drawn the app without them
 * (its queries start in effects), and the app would be laid out and painted twice, empty and then
 * with its data. Settles once they are in, at most `dataWait` after the database opened (a busy
 * engine does not hold the window back), or at once when the database could not be opened. Never
 * fails: a failed read is the screen's to show.
 */
export async function readFirstScreen(qc: QueryClient): Promise<void> {
  const problem = await qc.fetchQuery(databaseProblemOptions).catch(() => null);
  if (problem != null) return;
  const start = INBOX_START;
  const reads = Promise.all([
    qc.prefetchQuery(appInfoOptions),
    qc.prefetchQuery(accountsOptions),
    qc.prefetchQuery(settingsOptions),
    qc.prefetchInfiniteQuery(inboxPagesOptions(inboxQuery(start.view, start.accountId, start.sort, start.search.trim()))),
  ]);
  let deadline: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([reads, new Promise((r) => (deadline = setTimeout(r, dataWait.ms)))]);
  clearTimeout(deadline);
}
