import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import backupFixture from "../test/fixtures/database_backup.json";
import refusedFixture from "../test/fixtures/database_refused.json";
import restoreFixture from "../test/fixtures/database_restore.json";
import { type Fixture, type Override, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenarios (ui_fixtures.rs), each with an Ozon account: database_world's two
 * backups beside the database (one the manager made, one from before an update), then "Back up
 * now" (database_backup_now) or restoring the older one (database_restore); and a database with
 * no backup where a file that is no database is chosen to restore (database_restore_refused).
 * The file chooser is the shell's: the tests answer it.
 */
const DIR = "/home/manager/.local/share/ordertray";

async function openDatabase(fixture: Fixture, overrides: Record<string, Override> = {}) {
  const b = serveRecorded(fixture, overrides);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("database");
  await waitFor(() => expect(within(section).getByTestId("database-path")).toBeInTheDocument());
  return { b, user, section };
}

const rows = () => screen.getAllByTestId("backup-row");

describe("Settings → Database", () => {
  it("shows the database file, its size and its backups newest first, each kind in words", async () => {
    const { section } = await openDatabase(backupFixture);
    expect(within(section).getByRole("heading", { level: 2 })).toHaveTextContent("Database");
    expect(screen.getByTestId("database-path")).toHaveTextContent(`${DIR}/ordertray.db`);
    expect(screen.getByTestId("database-size")).toHaveTextContent("5 MB");
    expect(rows().map((r) => r.getAttribute("data-kind"))).toEqual(["manual", "pre_migration"]);
    expect(rows()[0]).toHaveTextContent("Made by you");
    expect(rows()[0]).toHaveTextContent("ordertray.manual-20261122T180000.backup.db");
    expect(rows()[1]).toHaveTextContent("Before an update");
    expect(rows()[1]).toHaveTextContent("1.5 kB");
  });

  it("Back up now makes a backup and lists it first", async () => {
    const { b, user } = await openDatabase(backupFixture);
    await user.click(screen.getByTestId("database-backup-now"));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(b.callsTo("backup_database")).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent("ordertray.manual-20261123T090000.backup.db");
    expect(await screen.findByText("Backed up: ordertray.manual-20261123T090000.backup.db")).toBeInTheDocument();
  });

  it("restores a backup only after confirming, then says what was kept and that the app restarts", async () => {
    const { b, user } = await openDatabase(restoreFixture);
    const second = rows()[1] as HTMLElement;
    await user.click(within(second).getByTestId("backup-restore"));
    expect(b.callsTo("restore_database")).toHaveLength(0);
    await user.click(within(second).getByTestId("backup-restore-confirm"));

    const done = await screen.findByTestId("database-restarting");
    expect(b.callsTo("restore_database").map((c) => c.args)).toEqual([
      { path: `${DIR}/ordertray.v3-20261120T080000.backup.db` },
    ]);
    expect(done).toHaveTextContent(`Restored from ${DIR}/ordertray.v3-20261120T080000.backup.db.`);
    expect(done).toHaveTextContent(
      `The database it replaced was kept as ${DIR}/ordertray.before-restore-20261123T090000.backup.db.`,
    );
    expect(done).toHaveTextContent("Ordertray is restarting…");
    // Nothing else may start while the app restarts.
    expect(screen.queryByTestId("database-backup-now")).toBeNull();
    expect(screen.queryByTestId("backup-row")).toBeNull();
  });

  it("restores a file chosen elsewhere after asking, and shows the engine's refusal", async () => {
    const chosen = `${DIR}/old.db`;
    const { b, user } = await openDatabase(refusedFixture, { "plugin:dialog|open": () => chosen });

    await user.click(screen.getByTestId("database-restore-file"));
    const ask = await screen.findByTestId("database-restore-file-confirm");
    expect(ask).toHaveTextContent(chosen);
    await user.click(within(ask).getByRole("button", { name: "No" }));
    expect(b.callsTo("restore_database")).toHaveLength(0);

    await user.click(screen.getByTestId("database-restore-file"));
    await user.click(await screen.findByTestId("database-restore-file-yes"));
    expect(await screen.findByTestId("error-banner")).toHaveTextContent(`the backup ${chosen} cannot be used`);
    expect(b.callsTo("restore_database").map((c) => c.args)).toEqual([{ path: chosen }]);
    // Refused before anything changed: the section is usable as before.
    expect(screen.queryByTestId("database-restarting")).toBeNull();
    expect(screen.getByTestId("database-backup-now")).toBeEnabled();
  });

  it("says when there is no backup yet", async () => {
    await openDatabase(refusedFixture);
    expect(screen.getByTestId("database-no-backups")).toHaveTextContent("No backups yet.");
  });
});
