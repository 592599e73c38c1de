import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

/* No engine scenario records an amoCRM account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. */
const savedAmo: Account = {
  id: 23,
  kind: "amocrm",
  name: "Our deals",
  region: "",
  active: true,
  interval_secs: 60,
  base_url: null,
  demo: false,
  settings: {
    kind: "amocrm",
    url: "https://shop.amocrm.ru",
    transfer: { success_status: null, failure_status: null, send_on_status: null },
    token_env: null,
  },
  created_at: "2026-12-01T09:30:00Z",
};

async function newAmoForm() {
  const b = serveRecorded(fresh, {
    add_account: (args) => ({ ...savedAmo, ...(args.draft as object) }),
    test_connection: () => ({ ok: true, message: 'Connected to the amoCRM account "Shop".', expires_at: null }),
  });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  await user.selectOptions(screen.getByTestId("account-kind"), "amocrm");
  return { b, user };
}

describe("an amoCRM account", () => {
  it("says what is unverified, asks for the address and the long-lived token; the token goes only as a secret, the rules as settings", async () => {
    const { b, user } = await newAmoForm();
    expect(screen.getByRole("heading")).toHaveTextContent("Connect amoCRM");
    expect(screen.getByTestId("amocrm-unverified")).toHaveTextContent("Ordertray keeps its key in square brackets at the end of each deal's name");
    // Not polled: no interval, no API address of its own.
    expect(screen.queryByTestId("account-interval")).toBeNull();
    expect(screen.queryByTestId("account-base-url")).toBeNull();
    expect(screen.getByTestId("account-token")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-transfer-success")).toHaveDisplayValue("Transferred (default)");

    await user.type(screen.getByTestId("account-name"), "Our deals");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("amoCRM address is required.");
    await user.type(screen.getByTestId("account-store-url"), "http://shop.amocrm.ru");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("The address must start with https://");
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), " https://shop.amocrm.ru/ ");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Long-lived token is required.");
    await user.type(screen.getByTestId("account-token"), "amo-token-123");
    await waitFor(() => expect(screen.getByTestId("account-transfer-send-on")).toHaveTextContent("Shipped"));
    await user.selectOptions(screen.getByTestId("account-transfer-send-on"), "4");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Our deals",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: {
          kind: "amocrm",
          url: "https://shop.amocrm.ru",
          transfer: { success_status: null, failure_status: null, send_on_status: 4 },
          token_env: null,
        },
      },
      secrets: { token: "amo-token-123" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("amo-token-123");
  });

  it("an address on this computer may be plain http (a test stand)", async () => {
    const { b, user } = await newAmoForm();
    await user.type(screen.getByTestId("account-name"), "Our deals");
    await user.type(screen.getByTestId("account-store-url"), "http://127.0.0.1:8080");
    await user.type(screen.getByTestId("account-token"), "amo-token-123");
    await user.click(screen.getByTestId("account-test"));
    expect(await screen.findByTestId("account-test-result")).toHaveTextContent('✓ Connected to the amoCRM account "Shop".');
    expect(b.callsTo("test_connection").map((c) => c.args)).toEqual([
      {
        draft: expect.objectContaining({ settings: expect.objectContaining({ kind: "amocrm", url: "http://127.0.0.1:8080" }) }),
        secrets: { token: "amo-token-123" },
        id: null,
      },
    ]);
  });

  it("a saved account keeps its token when the field is left empty", async () => {
    const b = serveRecorded(fresh, { update_account: (args) => ({ ...savedAmo, ...(args.draft as object) }) });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedAmo} onDone={onDone} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-token")).toHaveAttribute("placeholder", "Stored in the keychain; leave empty to keep it");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args.secrets)).toEqual([{}]);
  });
});
