import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AppSettings } from "../bindings/AppSettings";
import retention from "../test/fixtures/retention.json";
import { type Override, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenario (ui_fixtures.rs, retention_settings): an Ozon account (so the app opens on
 * its screens), settings that move a customer's region; its first save keeps sync runs 14 days and
 * intake requests 365, its second (sync runs 5 days) the engine refuses. The range itself is
 * checked in Rust too (core settings tests); the form checks it before sending.
 */
function backend(overrides: Record<string, Override> = {}) {
  return serveRecorded(retention, overrides);
}
/** A save answered as the engine answers a valid one: with the settings as saved. */
const savedAsSent: Override = (args) => args.settings;

async function openRetention() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("retention-settings");
  return { user, section, s: within(section) };
}

const saves = (b: ReturnType<typeof backend>) => b.callsTo("save_settings").map((c) => c.args.settings as AppSettings);

describe("data retention in Settings", () => {
  it("shows the periods and what is never pruned, and saves the edited periods with the other settings", async () => {
    const b = backend();
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
    await waitFor(() => expect(s.getByTestId("retention-intake_requests_days")).toHaveValue("365"));
    expect(s.getByTestId("retention-save")).toBeDisabled();
  });

  it("refuses a period out of range or not a whole number, naming it, and saves nothing", async () => {
    const b = backend({ save_settings: savedAsSent });
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
    // The engine's refusal as recorded, whatever the form sends.
    const refusal = retention.answers.find((a) => a.cmd === "save_settings" && a.error)?.error;
    if (!refusal) throw new Error("the scenario records the refusal");
    backend({
      save_settings: () => {
        throw refusal;
      },
    });
    const { user, s } = await openRetention();
    await user.clear(s.getByTestId("retention-sync_runs_days"));
    await user.type(s.getByTestId("retention-sync_runs_days"), "30");
    await user.click(s.getByTestId("retention-save"));
    expect(await s.findByTestId("retention-problem")).toHaveTextContent(
      "Keeping sync runs must be between 7 and 3650 days",
    );
    expect(s.getByTestId("retention-sync_runs_days")).toHaveValue("30");
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
