import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

/* No engine scenario records a RetailCRM account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. */
const savedCrm: Account = {
  id: 21,
  kind: "retailcrm",
  name: "Our CRM",
  region: "",
  active: true,
  interval_secs: 60,
  base_url: null,
  demo: false,
  settings: {
    kind: "retailcrm",
    url: "https://shop.retailcrm.ru",
    site: "main",
    transfer: { success_status: null, failure_status: null, send_on_status: null },
    api_key_env: null,
  },
  created_at: "2026-12-01T09:30:00Z",
};

async function newCrmForm() {
  const b = serveRecorded(fresh, {
    add_account: (args) => ({ ...savedCrm, ...(args.draft as object) }),
    test_connection: () => ({ ok: true, message: "Connected to RetailCRM", expires_at: null }),
  });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  await user.selectOptions(screen.getByTestId("account-kind"), "retailcrm");
  return { b, user };
}

describe("a RetailCRM account", () => {
  it("asks for the CRM address, the store code and the API key; the key goes only as a secret, the transfer rules as settings", async () => {
    const { b, user } = await newCrmForm();
    expect(screen.getByRole("heading")).toHaveTextContent("Connect RetailCRM");
    // Not polled: no interval, no API address of its own.
    expect(screen.queryByTestId("account-interval")).toBeNull();
    expect(screen.queryByTestId("account-base-url")).toBeNull();
    expect(screen.getByTestId("account-api-key")).toHaveAttribute("type", "password");
    // The rules start at the engine's defaults.
    expect(screen.getByTestId("account-transfer-success")).toHaveDisplayValue("Transferred (default)");
    expect(screen.getByTestId("account-transfer-failure")).toHaveDisplayValue("Problematic (default)");
    expect(screen.getByTestId("account-transfer-send-on")).toHaveDisplayValue("— no status: only by hand —");

    await user.type(screen.getByTestId("account-name"), "Our CRM");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("CRM address is required.");
    await user.type(screen.getByTestId("account-store-url"), "http://shop.retailcrm.ru");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("The address must start with https://");
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://shop.retailcrm.ru/");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Store code is required.");
    await user.type(screen.getByTestId("account-site"), " main ");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("API key is required.");
    await user.type(screen.getByTestId("account-api-key"), "crm-key-123");
    // The statuses come from the shop's list (fresh: 5 Delivered, 6 Refused, 4 Shipped).
    await waitFor(() => expect(screen.getByTestId("account-transfer-send-on")).toHaveTextContent("Shipped"));
    await user.selectOptions(screen.getByTestId("account-transfer-send-on"), "4");
    await user.selectOptions(screen.getByTestId("account-transfer-failure"), "6");
    expect(screen.getByTestId("account-transfer-send-on")).not.toHaveTextContent("Deleted");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Our CRM",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: {
          kind: "retailcrm",
          url: "https://shop.retailcrm.ru",
          site: "main",
          transfer: { success_status: null, failure_status: 6, send_on_status: 4 },
          api_key_env: null,
        },
      },
      secrets: { api_key: "crm-key-123" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("crm-key-123");
  });

  it("tests the connection with what is typed", async () => {
    const { b, user } = await newCrmForm();
    await user.type(screen.getByTestId("account-name"), "Our CRM");
    await user.type(screen.getByTestId("account-store-url"), "https://shop.retailcrm.ru");
    await user.type(screen.getByTestId("account-site"), "main");
    await user.type(screen.getByTestId("account-api-key"), "crm-key-123");
    await user.click(screen.getByTestId("account-test"));
    expect(await screen.findByTestId("account-test-result")).toHaveTextContent("✓ Connected to RetailCRM");
    expect(b.callsTo("test_connection").map((c) => c.args)).toEqual([
      { draft: expect.objectContaining({ settings: expect.objectContaining({ kind: "retailcrm", site: "main" }) }), secrets: { api_key: "crm-key-123" }, id: null },
    ]);
  });

  it("a saved CRM keeps its key when the field is left empty", async () => {
    const b = serveRecorded(fresh, { update_account: (args) => ({ ...savedCrm, ...(args.draft as object) }) });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedCrm} onDone={onDone} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-api-key")).toHaveAttribute("placeholder", "Stored in the keychain; leave empty to keep it");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args.secrets)).toEqual([{}]);
  });
});
