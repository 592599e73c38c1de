import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { FakeBackend, accountView, backupInfo } from "../test/backend";
import { renderWithProviders } from "../test/render";

function withBackups(): FakeBackend {
  const b = new FakeBackend();
  b.accounts = [accountView(1, "Shop A")];
  b.database.backups = [backupInfo("manual", "20261122T180000"), backupInfo("pre_migration", "20261120T080000", 1536)];
  return b.install();
}

async function openDatabase() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("database");
  await waitFor(() => expect(within(section).getByTestId("database-path")).toBeInTheDocument());
  return { user, section };
}

const rows = () => screen.getAllByTestId("backup-row");

describe("Settings → Database", () => {
  it("shows the database file, its size and its backups newest first, each kind in words", async () => {
    withBackups();
    const { section } = await openDatabase();
    expect(within(section).getByRole("heading", { level: 2 })).toHaveTextContent("Database");
    expect(screen.getByTestId("database-path")).toHaveTextContent("/tmp/ordertray.db");
    expect(screen.getByTestId("database-size")).toHaveTextContent("5 MB");
    expect(rows().map((r) => r.getAttribute("data-kind"))).toEqual(["manual", "pre_migration"]);
    expect(rows()[0]).toHaveTextContent("Made by you");
    expect(rows()[0]).toHaveTextContent("ordertray.manual-20261122T180000.backup.db");
    expect(rows()[1]).toHaveTextContent("Before an update");
    expect(rows()[1]).toHaveTextContent("1.5 kB");
  });

  it("Back up now makes a backup and lists it first", async () => {
    const b = withBackups();
    const { user } = await openDatabase();
    await user.click(screen.getByTestId("database-backup-now"));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(b.callsTo("backup_database")).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent("ordertray.manual-20261123T090000.backup.db");
    expect(await screen.findByText("Backed up: ordertray.manual-20261123T090000.backup.db")).toBeInTheDocument();
  });

  it("restores a backup only after confirming, then says what was kept and that the app restarts", async () => {
    const b = withBackups();
    const { user } = await openDatabase();
    const second = rows()[1] as HTMLElement;
    await user.click(within(second).getByTestId("backup-restore"));
    expect(b.callsTo("restore_database")).toHaveLength(0);
    await user.click(within(second).getByTestId("backup-restore-confirm"));

    const done = await screen.findByTestId("database-restarting");
    expect(b.callsTo("restore_database").map((c) => c.args)).toEqual([
      { path: "/tmp/ordertray.v3-20261120T080000.backup.db" },
    ]);
    expect(done).toHaveTextContent("Restored from /tmp/ordertray.v3-20261120T080000.backup.db.");
    expect(done).toHaveTextContent(
      "The database it replaced was kept as /tmp/ordertray.before-restore-20261123T090000.backup.db.",
    );
    expect(done).toHaveTextContent("Ordertray is restarting…");
    // Nothing else may start while the app restarts.
    expect(screen.queryByTestId("database-backup-now")).toBeNull();
    expect(screen.queryByTestId("backup-row")).toBeNull();
  });

  it("restores a file chosen elsewhere after asking, and shows the engine's refusal", async () => {
    const b = withBackups();
    b.chosenFile = "/home/manager/old.db";
    b.files.set("/home/manager/old.db", "");
    const { user } = await openDatabase();

    await user.click(screen.getByTestId("database-restore-file"));
    const ask = await screen.findByTestId("database-restore-file-confirm");
    expect(ask).toHaveTextContent("/home/manager/old.db");
    await user.click(within(ask).getByRole("button", { name: "No" }));
    expect(b.callsTo("restore_database")).toHaveLength(0);

    b.failures.set("restore_database", {
      code: "storage",
      message: "the database file is damaged: the backup /home/manager/old.db cannot be used: file is not a database",
    });
    await user.click(screen.getByTestId("database-restore-file"));
    await user.click(await screen.findByTestId("database-restore-file-yes"));
    expect(await screen.findByTestId("error-banner")).toHaveTextContent("the backup /home/manager/old.db cannot be used");
    expect(b.callsTo("restore_database").map((c) => c.args)).toEqual([{ path: "/home/manager/old.db" }]);
    // Refused before anything changed: the section is usable as before.
    expect(screen.queryByTestId("database-restarting")).toBeNull();
    expect(screen.getByTestId("database-backup-now")).toBeEnabled();
  });

  it("says when there is no backup yet", async () => {
    const b = new FakeBackend();
    b.accounts = [accountView(1, "Shop A")];
    b.install();
    await openDatabase();
    expect(screen.getByTestId("database-no-backups")).toHaveTextContent("No backups yet.");
  });
});
