import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AppError } from "../bindings/AppError";
import type { AppSettings } from "../bindings/AppSettings";
import retention from "../test/fixtures/retention.json";
import { type Override, recorded, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's retention scenario (ui_fixtures.rs, retention_settings) for the app around Settings,
 * with the shop's currency stored as EUR. Its check and normalisation are tested in Rust (core
 * settings tests); here only what the field sends and shows.
 */
function backend(saveSettings: Override) {
  let stored: AppSettings = { ...recorded<AppSettings>(retention, "get_settings"), shop_currency: "EUR" };
  return serveRecorded(retention, {
    get_settings: () => stored,
    save_settings: (args) => {
      stored = saveSettings(args) as AppSettings;
      return stored;
    },
  });
}
/** A save answered as the engine answers a valid one: with the settings as saved. */
const savedAsSent: Override = (args) => args.settings;

async function openSettings() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  return { user, field: await screen.findByTestId("settings-shop-currency") };
}

const saves = (b: ReturnType<typeof backend>) => b.callsTo("save_settings").map((c) => c.args.settings as AppSettings);

describe("the shop currency in Settings", () => {
  it("shows the stored currency and saves the one typed, trimmed and upper-cased, with the other settings", async () => {
    const b = backend(savedAsSent);
    const { user, field } = await openSettings();
    expect(field).toHaveValue("EUR");
    expect(screen.getByLabelText("Shop currency")).toBe(field);
    expect(field).toHaveAccessibleDescription(/Orders from web stores \(WooCommerce\) must be in this currency/);

    await user.clear(field);
    await user.type(field, " usd ");
    expect(saves(b)).toEqual([]);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(field).toHaveValue("USD"));
    await user.tab();
    expect(saves(b)).toEqual([expect.objectContaining({ shop_currency: "USD", move_customer_region: true })]);
  });

  it("shows the engine's refusal naming the field and keeps what was typed", async () => {
    const refusal: AppError = {
      code: "invalid_input",
      message: "Shop currency must be a three-letter currency code (RUB, EUR, USD); «EURO» is not",
      words: { kind: "bad_format", field: "shop_currency", label: "Shop currency", value: "euro", format: "currency_code" },
    };
    const b = backend(() => {
      throw refusal;
    });
    const { user, field } = await openSettings();
    await user.clear(field);
    await user.type(field, "euro");
    await user.tab();
    expect(await screen.findByTestId("settings-shop-currency-problem")).toHaveTextContent(
      "Shop currency must be a three-letter currency code (RUB, EUR, USD); «EURO» is not",
    );
    expect(field).toHaveValue("euro");
    expect(field).toHaveAttribute("aria-invalid", "true");
    expect(saves(b).map((s) => s.shop_currency)).toEqual(["EURO"]);
  });
});
