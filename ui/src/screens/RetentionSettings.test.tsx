import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AppSettings } from "../bindings/AppSettings";
import { FakeBackend, accountView } from "../test/backend";
import { renderWithProviders } from "../test/render";

/** With an account, so that the app opens on its screens rather than the welcome. */
function backend(): FakeBackend {
  const b = new FakeBackend();
  b.accounts = [accountView(1, "Shop A")];
  return b.install();
}

async function openRetention() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("retention-settings");
  return { user, section, s: within(section) };
}

const saves = (b: FakeBackend) => b.callsTo("save_settings").map((c) => c.args.settings as AppSettings);

describe("data retention in Settings", () => {
  it("shows the periods and what is never pruned, and saves the edited periods with the other settings", async () => {
    const b = backend();
    b.settings = { ...b.settings, move_customer_region: true };
    const { user, section, s } = await openRetention();
    expect(s.getByRole("heading")).toHaveTextContent("Data retention");
    expect(s.getByTestId("retention-kept")).toHaveTextContent(
      "never removes orders, their lines or the history of their status changes",
    );
    expect(section).toHaveTextContent("From 7 to 3650 days each");
    for (const id of ["done_outbox_days", "sync_runs_days", "intake_requests_days", "account_events_days"]) {
      expect(s.getByTestId(`retention-${id}`)).toHaveValue("90");
    }
    expect(s.getByLabelText(/Sync runs/)).toBe(s.getByTestId("retention-sync_runs_days"));
    expect(s.getByTestId("retention-save")).toBeDisabled();

    await user.clear(s.getByTestId("retention-sync_runs_days"));
    await user.type(s.getByTestId("retention-sync_runs_days"), "14");
    await user.clear(s.getByTestId("retention-intake_requests_days"));
    await user.type(s.getByTestId("retention-intake_requests_days"), " 365 ");
    expect(saves(b)).toEqual([]);
    await user.click(s.getByTestId("retention-save"));

    expect(await screen.findByText("Data retention saved")).toBeInTheDocument();
    expect(saves(b)).toEqual([
      expect.objectContaining({
        move_customer_region: true,
        retention: { done_outbox_days: 90, sync_runs_days: 14, intake_requests_days: 365, account_events_days: 90 },
      }),
    ]);
    expect(b.settings.retention.sync_runs_days).toBe(14);
    await waitFor(() => expect(s.getByTestId("retention-intake_requests_days")).toHaveValue("365"));
    expect(s.getByTestId("retention-save")).toBeDisabled();
  });

  it("refuses a period out of range or not a whole number, naming it, and saves nothing", async () => {
    const b = backend();
    const { user, s } = await openRetention();
    const events = s.getByTestId("retention-account_events_days");
    for (const typed of ["6", "3651", "30.5", "-10", "a week"]) {
      await user.clear(events);
      await user.type(events, typed);
      await user.click(s.getByTestId("retention-save"));
      expect(await s.findByRole("alert")).toHaveTextContent(
        "Account notices (sync failures, skipped orders): enter a whole number of days from 7 to 3650.",
      );
      expect(events).toHaveAttribute("aria-invalid", "true");
    }
    expect(saves(b)).toEqual([]);
    // Typing again clears the complaint; a valid period is saved.
    await user.clear(events);
    expect(s.queryByRole("alert")).toBeNull();
    await user.type(events, "7");
    await user.click(s.getByTestId("retention-save"));
    await waitFor(() => expect(saves(b).map((x) => x.retention.account_events_days)).toEqual([7]));
  });

  it("shows the engine's reason when it refuses the periods, and keeps what was typed", async () => {
    const b = backend();
    b.failures.set("save_settings", {
      code: "invalid_input",
      message: "Keep sync runs for 7 to 3650 days; 5 is out of range",
    });
    const { user, s } = await openRetention();
    await user.clear(s.getByTestId("retention-sync_runs_days"));
    await user.type(s.getByTestId("retention-sync_runs_days"), "30");
    await user.click(s.getByTestId("retention-save"));
    expect(await s.findByTestId("retention-problem")).toHaveTextContent(
      "Keep sync runs for 7 to 3650 days; 5 is out of range",
    );
    expect(s.getByTestId("retention-sync_runs_days")).toHaveValue("30");
    expect(b.settings.retention.sync_runs_days).toBe(90);
  });

  it("is worded in Russian and Polish", async () => {
    backend();
    localStorage.setItem("ordertray.lang", "ru");
    const { s, user } = await openRetention();
    expect(s.getByRole("heading")).toHaveTextContent("Хранение данных");
    expect(s.getByTestId("retention-kept")).toHaveTextContent("никогда не удаляет заказы, их строки и историю смены их статусов");
    await user.selectOptions(screen.getByTestId("lang-switch"), "pl");
    expect(await s.findByRole("heading")).toHaveTextContent("Przechowywanie danych");
    expect(s.getByTestId("retention-kept")).toHaveTextContent("nigdy nie usuwa zamówień");
  });
});
