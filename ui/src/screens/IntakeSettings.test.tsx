import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { IntakeStatus } from "../bindings/IntakeStatus";
import intake from "../test/fixtures/intake.json";
import intakeCounted from "../test/fixtures/intake_counted.json";
import intakeRefused from "../test/fixtures/intake_refused.json";
import { type Fixture, recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenarios (ui_fixtures.rs), each with an Ozon account so that the app opens on its
 * screens: intake_settings_saved (on, on a port another program holds, read as 9100; then on 9101
 * with a public address; then off), intake_settings_refused (a public address that is not a web
 * address) and intake_refusals_counted (listening, with requests it refused). The checks
 * themselves are tested in Rust (core intake settings, engine intake tests).
 */
async function openIntake(fixture: Fixture, state: string | RegExp = "Off") {
  const b = serveRecorded(fixture);
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("intake-settings");
  await waitFor(() => expect(within(section).getByTestId("intake-state")).toHaveTextContent(state));
  return { b, user, section };
}

const saves = (b: ReturnType<typeof serveRecorded>) => b.callsTo("save_intake_settings").map((c) => c.args.settings);

describe("the order intake in Settings", () => {
  it("is turned on where the manager says, says why it cannot listen, and listens once the port is free", async () => {
    const { b, user, section } = await openIntake(intake);
    const s = within(section);
    expect(s.getByRole("heading")).toHaveTextContent("Order intake");
    expect(section).toHaveTextContent("reachable from the internet over HTTPS");
    expect(s.getByTestId("intake-enabled")).not.toBeChecked();
    expect(s.getByTestId("intake-bind")).toHaveValue("127.0.0.1");
    expect(s.getByTestId("intake-port")).toHaveValue("8787");
    expect(s.getByTestId("intake-save")).toBeDisabled();

    await user.click(s.getByTestId("intake-enabled"));
    await user.selectOptions(s.getByTestId("intake-bind"), "0.0.0.0");
    expect(section).toHaveTextContent("Other computers can reach the intake directly");
    await user.clear(s.getByTestId("intake-port"));
    await user.type(s.getByTestId("intake-port"), "70000");
    await user.click(s.getByTestId("intake-save"));
    expect(await s.findByTestId("intake-problem")).toHaveTextContent("from 1 to 65535");
    expect(saves(b)).toEqual([]);
    // A buyer link's days are checked the same way before anything is saved.
    await user.clear(s.getByTestId("intake-port"));
    await user.type(s.getByTestId("intake-port"), "9100");
    expect(s.getByTestId("intake-link-days")).toHaveValue("7");
    await user.clear(s.getByTestId("intake-link-days"));
    await user.type(s.getByTestId("intake-link-days"), "91");
    await user.click(s.getByTestId("intake-save"));
    expect(await s.findByTestId("intake-problem")).toHaveTextContent("from 1 to 90");
    expect(saves(b)).toEqual([]);
    await user.clear(s.getByTestId("intake-link-days"));
    await user.type(s.getByTestId("intake-link-days"), "7");

    // A port another program holds: the engine's reason is shown once, and nothing claims to listen.
    await user.clear(s.getByTestId("intake-port"));
    await user.type(s.getByTestId("intake-port"), "9100");
    await user.type(s.getByTestId("intake-public-url"), " https://tunnel.example/ ");
    await user.click(s.getByTestId("intake-save"));
    const error = await s.findByTestId("intake-error");
    expect(error).toHaveTextContent("The order intake could not start:");
    expect(error).toHaveTextContent("port 9100 is already taken by another program");
    expect(s.queryByTestId("intake-problem")).toBeNull();
    expect(s.getByTestId("intake-state")).toHaveTextContent("Not listening");
    expect(s.getByTestId("intake-state")).toHaveAttribute("data-listening", "");
    expect(saves(b)).toEqual([{ enabled: true, bind: "0.0.0.0", port: 9100, public_url: "https://tunnel.example/", preorder_link_days: 7 }]);
    // The settings were kept (the engine tries them again at the next start); Save can retry now.
    expect(s.getByTestId("intake-save")).toBeEnabled();

    await user.clear(s.getByTestId("intake-port"));
    await user.type(s.getByTestId("intake-port"), "9101");
    await user.click(s.getByTestId("intake-save"));
    await waitFor(() => expect(s.getByTestId("intake-state")).toHaveAttribute("data-listening", "0.0.0.0:9101"));
    expect(s.getByTestId("intake-state")).toHaveTextContent("Receiving orders: listening on 0.0.0.0:9101");
    expect(s.queryByTestId("intake-error")).toBeNull();
    expect(await screen.findByText("Order intake settings saved")).toBeInTheDocument();
    // What the engine stored (trailing slash gone) is what the form shows; nothing left to save.
    expect(s.getByTestId("intake-public-url")).toHaveValue("https://tunnel.example");
    expect(s.getByTestId("intake-save")).toBeDisabled();

    await user.click(s.getByTestId("intake-enabled"));
    await user.click(s.getByTestId("intake-save"));
    await waitFor(() => expect(s.getByTestId("intake-state")).toHaveTextContent("Off"));
    expect(saves(b).at(-1)).toEqual({ enabled: false, bind: "0.0.0.0", port: 9101, public_url: "https://tunnel.example", preorder_link_days: 7 });
    expect(s.queryByTestId("intake-refused")).toBeNull();
  });

  it("shows the engine's refusal of a public address that is not a web address", async () => {
    const { b, user, section } = await openIntake(intakeRefused);
    const s = within(section);
    await user.type(s.getByTestId("intake-public-url"), "tunnel.example");
    await user.click(s.getByTestId("intake-save"));
    expect(await s.findByTestId("intake-problem")).toHaveTextContent("starting with http:// or https://");
    expect(saves(b)).toHaveLength(1);
    expect(s.getByTestId("intake-state")).toHaveTextContent("Off");
  });

  it("counts the requests it refused, which are never stored", async () => {
    const counted = recorded<IntakeStatus>(intakeCounted, "intake_status");
    expect([counted.refused, counted.rate_limited, counted.turned_away]).toEqual([2, 1, 1]);
    const { user, section } = await openIntake(intakeCounted, /listening/);
    const s = within(section);
    await waitFor(() => expect(s.getByTestId("intake-state")).toHaveAttribute("data-listening", "127.0.0.1:8787"));
    const refused = s.getByTestId("intake-refused");
    expect(refused).toHaveTextContent("without a valid token: 2");
    expect(refused).toHaveTextContent("too many from one address: 1");
    expect(refused).toHaveTextContent("over the connection limit: 1");

    // Turned off, what it refused is still shown (counted since the app started).
    await user.click(s.getByTestId("intake-enabled"));
    await user.click(s.getByTestId("intake-save"));
    await waitFor(() => expect(s.getByTestId("intake-state")).toHaveTextContent("Off"));
    expect(s.getByTestId("intake-refused")).toHaveTextContent("without a valid token: 2");
  });
});
