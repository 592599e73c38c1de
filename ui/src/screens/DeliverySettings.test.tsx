import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import type { AppSettings } from "../bindings/AppSettings";
import delivery from "../test/fixtures/delivery.json";
import { type Override, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

/**
 * The engine's scenario (ui_fixtures.rs, delivery_settings): the built-in methods; the first save
 * adds "CDEK courier" (fixed 500, up to 3 days, "through" orders, Shiptor code "cdek-courier"),
 * which the engine gives the id cdek_courier; the second, a method named like the courier, it
 * refuses. The recorded saves answer only the settings the form must send.
 */
function backend(overrides: Record<string, Override> = {}) {
  return serveRecorded(delivery, overrides);
}
const saves = (b: ReturnType<typeof backend>) => b.callsTo("save_settings").map((c) => c.args.settings as AppSettings);

async function openDelivery() {
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await user.click(await screen.findByTestId("nav-settings"));
  const section = await screen.findByTestId("delivery-settings");
  return { user, section, s: within(section) };
}

type Section = ReturnType<typeof within>;
const methodRows = (s: Section) =>
  s.getAllByTestId("delivery-method").map((row: HTMLElement) => [
    row.getAttribute("data-method-id"),
    within(row).getByTestId("delivery-method-name").textContent,
    within(row).getByTestId("delivery-method-summary").textContent?.replace(/\s/g, " "),
  ]);

/** The Edit button of the method at `index`. */
const editOf = (s: Section, index: number) => {
  const row = s.getAllByTestId("delivery-method")[index];
  if (!row) throw new Error(`no method at ${index}`);
  return within(row).getByTestId("delivery-edit");
};

describe("delivery methods in Settings", () => {
  it("lists the methods with kind, tariff and term, and saves a new one as the engine takes it", async () => {
    const b = backend();
    const { user, s } = await openDelivery();
    expect(s.getByRole("heading", { level: 2 })).toHaveTextContent("Delivery methods");
    expect(methodRows(s)).toEqual([
      ["courier", "Курьер", "Courier · RUB 350.00 + RUB 50.00/kg · up to 2 days"],
      ["pickup_point", "Пункт выдачи", "Pickup point · RUB 200.00 + RUB 30.00/kg · up to 4 days"],
      ["post", "Почта России", "Post · Почта России · RUB 250.00 + RUB 60.00/kg · up to 10 days"],
      ["self_pickup", "Самовывоз", "Pickup point · RUB 0.00 · same day"],
    ]);
    expect(s.getByTestId("delivery-save")).toBeDisabled();

    // The post's rules show in its editor.
    await user.click(editOf(s, 2));
    expect(s.getByTestId("delivery-postal-code")).toBeChecked();
    expect(s.getByTestId("delivery-card")).not.toBeChecked();
    expect(s.getByTestId("delivery-tariff")).toHaveValue("weight");

    await user.click(s.getByTestId("delivery-add"));
    expect(s.queryByTestId("delivery-postal-code")).not.toBeChecked();
    await user.type(s.getByTestId("delivery-name"), "CDEK courier");
    await user.type(s.getByTestId("delivery-carrier"), "CDEK");
    expect(s.getByTestId("delivery-tariff")).toHaveValue("fixed");
    expect(s.queryByTestId("delivery-per-kg")).toBeNull();
    await user.clear(s.getByTestId("delivery-base"));
    await user.type(s.getByTestId("delivery-base"), "500");
    await user.type(s.getByTestId("delivery-term"), "3");
    await user.selectOptions(s.getByTestId("delivery-order-type"), "through");
    await user.type(s.getByTestId("delivery-code-shiptor"), "cdek-courier");
    expect(s.getByTestId("delivery-unsaved")).toBeInTheDocument();
    await user.click(s.getByTestId("delivery-save"));

    expect(await screen.findByText("Delivery methods saved")).toBeInTheDocument();
    expect(saves(b)).toHaveLength(1);
    expect(saves(b)[0]?.delivery_methods.at(-1)).toEqual({
      id: "",
      name: "CDEK courier",
      kind: "courier",
      carrier: "CDEK",
      base: "500",
      per_kg: "0",
      term_days: 3,
      postal_code_required: false,
      card_on_delivery: true,
      order_type: "through",
      codes: { shiptor: "cdek-courier" },
    });
    await waitFor(() =>
      expect(methodRows(s).at(-1)).toEqual(["cdek_courier", "CDEK courier", "Courier · CDEK · RUB 500.00 · up to 3 days"]),
    );
    expect(s.getByTestId("delivery-save")).toBeDisabled();
    expect(s.queryByTestId("delivery-editor")).toBeNull();
  });

  it("shows the engine's refusal of a repeated name and keeps what was typed", async () => {
    const refusal = delivery.answers.find((a) => a.cmd === "save_settings" && a.error)?.error;
    if (!refusal) throw new Error("the scenario records the refusal");
    backend({
      save_settings: () => {
        throw refusal;
      },
    });
    const { user, s } = await openDelivery();
    await user.click(s.getByTestId("delivery-add"));
    await user.type(s.getByTestId("delivery-name"), "курьер");
    await user.click(s.getByTestId("delivery-save"));
    expect(await s.findByTestId("delivery-problem")).toHaveTextContent("«курьер»");
    expect(s.getByTestId("delivery-name")).toHaveValue("курьер");
    expect(s.getAllByTestId("delivery-method")).toHaveLength(5);
  });

  it("checks amounts and the term before sending, naming the method", async () => {
    const b = backend();
    const { user, s } = await openDelivery();
    await user.click(editOf(s, 0));
    await user.clear(s.getByTestId("delivery-per-kg"));
    await user.type(s.getByTestId("delivery-per-kg"), "fifty");
    await user.click(s.getByTestId("delivery-save"));
    expect(await s.findByRole("alert")).toHaveTextContent("Курьер: Per kg must be an amount such as 350 or 349.90.");
    await user.clear(s.getByTestId("delivery-per-kg"));
    await user.type(s.getByTestId("delivery-per-kg"), "50");
    await user.clear(s.getByTestId("delivery-term"));
    await user.type(s.getByTestId("delivery-term"), "120");
    await user.click(s.getByTestId("delivery-save"));
    expect(await s.findByRole("alert")).toHaveTextContent("Курьер: the delivery term is a whole number of days from 0 to 90.");
    expect(saves(b)).toEqual([]);
  });

  it("is worded in Russian and Polish", async () => {
    backend();
    localStorage.setItem("ordertray.lang", "ru");
    const { s, user } = await openDelivery();
    expect(s.getByRole("heading", { level: 2 })).toHaveTextContent("Способы доставки");
    expect(methodRows(s)[0][2]).toMatch(/^Курьер · 350,00\s₽ \+ 50,00\s₽\/кг · до 2 дней$/);
    await user.selectOptions(screen.getByTestId("lang-switch"), "pl");
    expect(await s.findByRole("heading", { level: 2 })).toHaveTextContent("Metody dostawy");
    expect(methodRows(s)[3][2]).toMatch(/^Punkt odbioru · 0,00\sRUB · tego samego dnia$/);
  });
});
