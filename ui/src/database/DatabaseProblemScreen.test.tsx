import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import damagedFixture from "../test/fixtures/database_damaged.json";
import damagedBackupFixture from "../test/fixtures/database_damaged_backup.json";
import startNewFixture from "../test/fixtures/database_start_new.json";
import tooNewFixture from "../test/fixtures/database_too_new.json";
import unavailableFixture from "../test/fixtures/database_unavailable.json";
import ozonInbox from "../test/fixtures/ozon_inbox.json";
import { type Fixture, type Override, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { StartupGate } from "./DatabaseProblemScreen";

/**
 * The engine's scenarios (ui_fixtures.rs, damaged_world and database_unavailable): the database
 * could not be opened, and `database_problem` answers what `database::diagnose` found, with the
 * backups beside it; restoring one, or starting anew, is the engine's too. Quitting is the
 * shell's alone, and so is the answer when the database opened (no problem): the tests answer
 * those.
 */
const DIR = "/home/manager/.local/share/ordertray";
const quit: Override = () => null;

function start(fixture: Fixture, overrides: Record<string, Override> = {}) {
  const b = serveRecorded(fixture, { quit_app: quit, ...overrides });
  renderWithProviders(
    <StartupGate>
      <App />
    </StartupGate>,
  );
  return b;
}

describe("while the database opens", () => {
  it("says so when it takes a while, then shows the app", async () => {
    let opened: (() => void) | null = null;
    serveRecorded(ozonInbox, { database_problem: () => null }, { database_problem: () => new Promise<void>((r) => (opened = r)) });
    renderWithProviders(
      <StartupGate>
        <App />
      </StartupGate>,
    );
    const opening = await screen.findByTestId("database-opening", {}, { timeout: 5_000 });
    expect(opening).toHaveTextContent("Opening the database…");
    expect(screen.queryByTestId("nav-inbox")).toBeNull();
    (opened as (() => void) | null)?.();
    expect(await screen.findByTestId("nav-inbox")).toBeInTheDocument();
    expect(screen.queryByTestId("database-opening")).toBeNull();
  });
});

describe("the database cannot be opened", () => {
  it("shows why instead of the app, with the error and the file", async () => {
    const b = start(damagedFixture);
    const screenEl = await screen.findByTestId("database-problem");
    expect(screenEl).toHaveAttribute("data-kind", "damaged");
    expect(within(screenEl).getByRole("heading", { level: 1 })).toHaveTextContent("Ordertray cannot open its database");
    expect(screenEl).toHaveTextContent("The database file is damaged");
    expect(screen.getByTestId("database-problem-path")).toHaveTextContent(`${DIR}/ordertray.db`);
    expect(screen.getByTestId("database-problem-message")).toHaveTextContent("too short for a database");
    // The app (which needs the engine) is not shown and asks the engine nothing.
    expect(screen.queryByTestId("nav-inbox")).toBeNull();
    expect(b.calls.map((c) => c.cmd)).toEqual(["database_problem"]);
  });

  it("restores a backup found beside it after confirming", async () => {
    const b = start(damagedFixture);
    const user = userEvent.setup();
    await screen.findByTestId("database-problem");
    const rows = screen.getAllByTestId("backup-row");
    expect(rows.map((r) => r.getAttribute("data-kind"))).toEqual(["manual", "before_restore"]);
    expect(rows[1]).toHaveTextContent("Replaced by a restore");
    const first = rows[0] as HTMLElement;
    await user.click(within(first).getByTestId("backup-restore"));
    await user.click(within(first).getByTestId("backup-restore-confirm"));

    const done = await screen.findByTestId("database-restarting");
    expect(b.callsTo("restore_database").map((c) => c.args)).toEqual([
      { path: `${DIR}/ordertray.manual-20261122T180000.backup.db` },
    ]);
    expect(done).toHaveTextContent(`The unreadable database was moved to ${DIR}/ordertray.corrupt-20261123T090000.db.`);
    expect(done).toHaveTextContent("Ordertray is restarting…");
    expect(screen.queryByTestId("database-start-new")).toBeNull();
  });

  it("starts with a new empty database only after confirming, keeping the damaged file", async () => {
    const b = start(startNewFixture);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("database-start-new"));
    expect(b.callsTo("start_new_database")).toHaveLength(0);
    await user.click(screen.getByTestId("database-start-new-confirm"));
    const done = await screen.findByTestId("database-restarting");
    expect(done).toHaveTextContent(`The damaged file was moved to ${DIR}/ordertray.corrupt-20261123T090000.db.`);
    expect(b.callsTo("start_new_database")).toHaveLength(1);
    expect(b.callsTo("restore_database")).toHaveLength(0);
  });

  it("quits", async () => {
    const b = start(damagedFixture);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("database-quit"));
    await waitFor(() => expect(b.callsTo("quit_app")).toHaveLength(1));
  });

  it("shows the engine's refusal of a backup and keeps every choice open", async () => {
    start(damagedBackupFixture);
    const user = userEvent.setup();
    await screen.findByTestId("database-problem");
    const first = screen.getAllByTestId("backup-row")[0] as HTMLElement;
    await user.click(within(first).getByTestId("backup-restore"));
    await user.click(within(first).getByTestId("backup-restore-confirm"));
    expect(await screen.findByTestId("error-banner")).toHaveTextContent(
      `the backup ${DIR}/ordertray.manual-20261122T180000.backup.db cannot be used`,
    );
    expect(screen.queryByTestId("database-restarting")).toBeNull();
    expect(screen.getByTestId("database-start-new")).toBeEnabled();
  });

  it("explains a database that could not be reached, in Russian, and says when no backup was found", async () => {
    localStorage.setItem("ordertray.lang", "ru");
    start(unavailableFixture);
    const screenEl = await screen.findByTestId("database-problem");
    expect(screenEl).toHaveAttribute("data-kind", "unavailable");
    expect(screenEl).toHaveTextContent("Ordertray не может открыть базу данных");
    expect(screenEl).toHaveTextContent("Не удалось открыть базу данных");
    expect(screen.getByTestId("database-no-backups")).toHaveTextContent(
      "Рядом с базой данных резервных копий не найдено.",
    );
    expect(screen.getByTestId("database-start-new")).toHaveTextContent("Начать с новой пустой базы");
  });

  it("says a newer version's database is not damaged and offers no empty database in its place", async () => {
    start(tooNewFixture);
    const screenEl = await screen.findByTestId("database-problem");
    expect(screenEl).toHaveAttribute("data-kind", "too_new");
    expect(screenEl).toHaveTextContent("made by a newer version of Ordertray");
    expect(screenEl).not.toHaveTextContent("damaged");
    expect(screen.queryByTestId("database-start-new")).toBeNull();
    expect(screen.getByTestId("database-quit")).toBeEnabled();
  });

  it("a database that opened shows the app", async () => {
    start(ozonInbox, { database_problem: () => null });
    expect(await screen.findByTestId("nav-inbox")).toBeInTheDocument();
    expect(screen.queryByTestId("database-problem")).toBeNull();
  });
});
