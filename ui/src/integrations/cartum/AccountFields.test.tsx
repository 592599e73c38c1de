import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";
import { knownTimeZone } from "./AccountFields";

/*
 * No engine scenario records a Cartum account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. The saved shop below is typed with the bindings as the engine
 * lists one.
 */
const savedShop: Account = {
  id: 8,
  kind: "cartum",
  name: "Horoshop",
  region: "",
  active: true,
  interval_secs: 300,
  base_url: null,
  demo: false,
  settings: {
    kind: "cartum",
    url: "https://shop.example",
    login: "manager",
    timezone: "Europe/Kyiv",
    backfill_days: 60,
    window_days: 14,
    accept_on_arrival: true,
    identify_products_by: "sku",
    password_env: null,
  },
  created_at: "2026-03-02T09:30:00Z",
};

const savedAs = (args: Record<string, unknown>) => ({ ...savedShop, ...(args.draft as object) });

async function newShopForm() {
  const b = serveRecorded(fresh, { add_account: savedAs });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  await user.selectOptions(screen.getByTestId("account-kind"), "cartum");
  return { b, user };
}

async function retype(user: ReturnType<typeof userEvent.setup>, testId: string, text: string) {
  await user.clear(screen.getByTestId(testId));
  await user.type(screen.getByTestId(testId), text);
}

describe("a Cartum shop", () => {
  it("is connected with its address, login and password; the password goes only as a secret, the options as settings", async () => {
    const { b, user } = await newShopForm();
    expect(screen.getByRole("heading")).toHaveTextContent("Connect a Cartum shop");
    // Defaults as core's: Kyiv time, 60 days first, 14 days again, accepted on arrival, by SKU.
    expect(screen.getByTestId("account-timezone")).toHaveValue("Europe/Kyiv");
    expect(screen.getByTestId("account-backfill-days")).toHaveValue(60);
    expect(screen.getByTestId("account-window-days")).toHaveValue(14);
    expect(screen.getByTestId("account-accept-on-arrival")).toBeChecked();
    expect(screen.getByTestId("account-identify-by")).toHaveValue("sku");
    expect(screen.getByTestId("account-password")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-password")).toHaveAttribute("placeholder", "");
    expect(screen.queryByTestId("account-api-key")).toBeNull();
    expect(screen.queryByTestId("account-base-url")).toBeNull();

    await user.type(screen.getByTestId("account-name"), "Horoshop");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Shop address is required.");
    await user.type(screen.getByTestId("account-store-url"), "https://shop.example/");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Login is required.");
    await user.type(screen.getByTestId("account-login"), " manager ");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Password is required.");
    await user.type(screen.getByTestId("account-password"), "s3cret-pass");
    await retype(user, "account-timezone", "Europe/Atlantis");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Shop time zone: a time zone name such as Europe/Kyiv");
    await retype(user, "account-timezone", "Europe/Warsaw");
    await retype(user, "account-window-days", "0");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Days each sync reads again: a whole number from 1 to 3650.");
    await retype(user, "account-window-days", "7");
    await retype(user, "account-backfill-days", "30");
    await user.click(screen.getByTestId("account-accept-on-arrival"));
    await user.selectOptions(screen.getByTestId("account-identify-by"), "name");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Horoshop",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: {
          kind: "cartum",
          url: "https://shop.example",
          login: "manager",
          timezone: "Europe/Warsaw",
          backfill_days: 30,
          window_days: 7,
          accept_on_arrival: false,
          identify_products_by: "name",
          password_env: null,
        },
      },
      secrets: { password: "s3cret-pass" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("s3cret-pass");
  });

  it("refuses a plain-http address in words and sends nothing", async () => {
    const { b, user } = await newShopForm();
    await user.type(screen.getByTestId("account-name"), "Horoshop");
    await user.type(screen.getByTestId("account-store-url"), "http://shop.example");
    await user.type(screen.getByTestId("account-login"), "manager");
    await user.type(screen.getByTestId("account-password"), "s3cret-pass");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The shop address must start with https:// (over http:// the password would travel as plain text)",
    );
    await user.click(screen.getByTestId("account-test"));
    expect(b.callsTo("add_account")).toEqual([]);
    expect(b.callsTo("test_connection")).toEqual([]);
  });

  it("a saved shop keeps its password when it is left empty; a new shop address asks for it again", async () => {
    const b = serveRecorded(fresh, { update_account: (args) => ({ ...savedShop, ...(args.draft as object) }) });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedShop} onDone={onDone} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-store-url")).toHaveValue("https://shop.example");
    expect(screen.getByTestId("account-login")).toHaveValue("manager");
    expect(screen.getByTestId("account-password")).toHaveValue("");
    expect(screen.getByTestId("account-password")).toHaveAttribute("placeholder", "Stored in the keychain; leave empty to keep it");

    // The password would go to another site: the stored one is not offered to it.
    await retype(user, "account-store-url", "https://other.example");
    expect(screen.getByTestId("account-password")).toHaveAttribute("placeholder", "");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Password is required.");
    expect(b.callsTo("update_account")).toEqual([]);

    // Back to the stored address (a trailing slash is the same address): saved without a password.
    await retype(user, "account-store-url", "https://shop.example/");
    await retype(user, "account-window-days", "30");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args)).toEqual([
      {
        id: savedShop.id,
        draft: expect.objectContaining({
          base_url: null,
          settings: { ...savedShop.settings, window_days: 30 },
        }),
        secrets: {},
      },
    ]);
  });
});

describe("which time zones the engine takes", () => {
  it.each(["Europe/Kyiv", "Europe/Warsaw", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+3"])("%s: yes", (zone) => {
    expect(knownTimeZone(zone)).toBe(true);
  });

  it.each(["", "Europe/Atlantis", "europe/kyiv", "+02:00", "Kyiv"])("%s: no", (zone) => {
    expect(knownTimeZone(zone)).toBe(false);
  });
});
