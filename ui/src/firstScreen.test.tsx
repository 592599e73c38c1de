import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { App } from "./App";
import { StartupGate } from "./database/DatabaseProblemScreen";
import { readFirstScreen } from "./firstScreen";
import { keys } from "./queries";
import { newQueryClient } from "./queryClient";
import { INBOX_START, inboxFirstQuery } from "./screens/Inbox";
import { dataWait } from "./screens/prefetch";
import damagedFixture from "./test/fixtures/database_damaged.json";
import ozonInbox from "./test/fixtures/ozon_inbox.json";
import { serveRecorded } from "./test/recorded";
import { renderWithProviders } from "./test/render";

/** The app as main.tsx starts it: its first reads asked for before React draws anything. */
function startApp() {
  const client = newQueryClient();
  const firstReads = readFirstScreen(client);
  renderWithProviders(
    <StartupGate firstReads={firstReads}>
      <App />
    </StartupGate>,
    client,
  );
  return client;
}

/** What the inbox showed the first time the app was drawn: its rows, or none. */
function watchFirstDraw() {
  const seen = { rows: null as number | null };
  const observer = new MutationObserver(() => {
    if (seen.rows == null && screen.queryByTestId("nav-inbox")) seen.rows = screen.queryAllByTestId("inbox-row").length;
  });
  observer.observe(document.body, { childList: true, subtree: true });
  return { seen, stop: () => observer.disconnect() };
}

const FIRST_READS = ["app_info", "list_accounts", "get_settings", "inbox"];

describe("the start", () => {
  const kept = dataWait.ms;
  afterEach(() => {
    dataWait.ms = kept;
  });

  it("reads the first screen's data once the database is open, before the app is drawn, and draws the inbox once, with its rows", async () => {
    dataWait.ms = 60_000;
    let opened: (() => void) | null = null;
    let answerInbox: (() => void) | null = null;
    const served = serveRecorded(
      ozonInbox,
      { database_problem: () => null },
      {
        database_problem: () => new Promise<void>((r) => (opened = r)),
        inbox: () => new Promise<void>((r) => (answerInbox = r)),
      },
    );
    const draw = watchFirstDraw();
    startApp();
    await waitFor(() => expect(served.callsTo("database_problem")).toHaveLength(1));
    // While the database opens there is nothing to read.
    for (const cmd of FIRST_READS) expect(served.callsTo(cmd), cmd).toHaveLength(0);
    (opened as (() => void) | null)?.();
    await waitFor(() => expect(served.callsTo("inbox")).toHaveLength(1));
    for (const cmd of FIRST_READS) expect(served.callsTo(cmd), cmd).toHaveLength(1);
    // The first reads went out before the app was drawn, and it waits for the inbox's.
    expect(screen.queryByTestId("nav-inbox")).toBeNull();
    (answerInbox as (() => void) | null)?.();
    expect(await screen.findByTestId("nav-inbox")).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("inbox-row").length).toBeGreaterThan(0));
    draw.stop();
    expect(draw.seen.rows).toBe(screen.getAllByTestId("inbox-row").length);
    // The screens found their data read already: the inbox's first page is not asked for again.
    expect(served.callsTo("inbox")).toHaveLength(1);
  });

  it("does not wait beyond the data wait for a read that takes long: the app opens, then shows it", async () => {
    dataWait.ms = 0;
    let answerInbox: (() => void) | null = null;
    serveRecorded(ozonInbox, { database_problem: () => null }, { inbox: () => new Promise<void>((r) => (answerInbox = r)) });
    startApp();
    expect(await screen.findByTestId("nav-inbox")).toBeInTheDocument();
    expect(screen.queryAllByTestId("inbox-row")).toHaveLength(0);
    (answerInbox as (() => void) | null)?.();
    await waitFor(() => expect(screen.getAllByTestId("inbox-row").length).toBeGreaterThan(0));
  });

  it("keeps what the engine says between the first reads and the app's listening: new lines then are read", async () => {
    dataWait.ms = 60_000;
    let answerInfo: (() => void) | null = null;
    const served = serveRecorded(
      ozonInbox,
      { database_problem: () => null },
      { app_info: () => new Promise<void>((r) => (answerInfo = r)) },
    );
    const client = startApp();
    const firstPage = keys.inboxPages(inboxFirstQuery(INBOX_START));
    await waitFor(() => expect(client.getQueryState(firstPage)?.status).toBe("success"));
    // The inbox is read; the app, waiting for app info, is neither drawn nor listening yet.
    await served.emit({ type: "new_lines", account_id: 1, orders: 1, lines: 1, first_order_id: null });
    expect(screen.queryByTestId("nav-inbox")).toBeNull();
    (answerInfo as (() => void) | null)?.();
    expect(await screen.findByTestId("nav-inbox")).toBeInTheDocument();
    await waitFor(() => expect(served.callsTo("inbox")).toHaveLength(2));
  });

  it("reads nothing more when the database could not be opened: its screen shows at once", async () => {
    const served = serveRecorded(damagedFixture, { quit_app: () => null });
    startApp();
    expect(await screen.findByTestId("database-problem")).toBeInTheDocument();
    expect(served.calls.map((c) => c.cmd)).toEqual(["database_problem"]);
  });
});
