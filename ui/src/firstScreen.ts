import type { QueryClient } from "@tanstack/react-query";
import { holdEngineEvents } from "./api";
import { databaseProblemOptions } from "./database/DatabaseProblemScreen";
import { accountsOptions, appInfoOptions, inboxPagesOptions, settingsOptions } from "./queries";
import { INBOX_START, inboxFirstQuery } from "./screens/Inbox";
import { withinDataWait } from "./screens/prefetch";

/**
 * Asks for what the first screen shows as soon as the database is open, from the page's script:
 * asked for by the screens, the reads would leave only once React had drawn the app without them
 * (its queries start in effects), and the app would be laid out and painted twice, empty and then
 * with its data. Settles once they are in, at most `dataWait` after the database opened (a busy
 * engine does not hold the window back), or at once when the database could not be opened. Never
 * fails: a failed read is the screen's to show. What the engine says from now on is kept for the
 * app, which listens only once drawn.
 */
export async function readFirstScreen(qc: QueryClient): Promise<void> {
  const letGo = holdEngineEvents();
  const problem = await qc.fetchQuery(databaseProblemOptions).catch(() => null);
  if (problem != null) {
    // Without its database the app has no engine to hear from, and never listens.
    letGo();
    return;
  }
  await withinDataWait(
    Promise.all([
      qc.prefetchQuery(appInfoOptions),
      qc.prefetchQuery(accountsOptions),
      qc.prefetchQuery(settingsOptions),
      qc.prefetchInfiniteQuery(inboxPagesOptions(inboxFirstQuery(INBOX_START))),
    ]),
  );
}
