import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

/* No engine scenario records a Bitrix24 account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. */
const savedPortal: Account = {
  id: 24,
  kind: "bitrix24",
  name: "Our portal",
  region: "",
  active: true,
  interval_secs: 60,
  base_url: null,
  demo: false,
  settings: {
    kind: "bitrix24",
    portal_url: "https://shop.bitrix24.ru",
    user_id: "1",
    transfer: { success_status: null, failure_status: null, send_on_status: null },
    webhook_token_env: null,
  },
  created_at: "2026-12-01T09:30:00Z",
};

async function newPortalForm() {
  const b = serveRecorded(fresh, { add_account: (args) => ({ ...savedPortal, ...(args.draft as object) }) });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  await user.selectOptions(screen.getByTestId("account-kind"), "bitrix24");
  return { b, user };
}

describe("a Bitrix24 account", () => {
  it("says where the webhook is made and what is unverified, asks for its parts; the token goes only as a secret", async () => {
    const { b, user } = await newPortalForm();
    expect(screen.getByRole("heading")).toHaveTextContent("Connect Bitrix24");
    expect(screen.getByTestId("bitrix24-webhook-steps")).toHaveTextContent(
      "Bitrix24 → Developer resources → Other → Incoming webhook: give it the CRM (crm) scope",
    );
    expect(screen.getByTestId("bitrix24-unverified")).toHaveTextContent("Deleting an order here can delete its deal in Bitrix24.");
    expect(screen.queryByTestId("account-interval")).toBeNull();
    expect(screen.getByTestId("account-webhook-token")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-transfer-rules")).toBeInTheDocument();

    await user.type(screen.getByTestId("account-name"), "Our portal");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Portal address is required.");
    await user.type(screen.getByTestId("account-store-url"), "http://shop.bitrix24.ru");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("The address must start with https://");
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://shop.bitrix24.ru/");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Webhook user id is required.");
    await user.type(screen.getByTestId("account-user-id"), "1/abc");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Webhook user id is a number: the one after /rest/");
    await user.clear(screen.getByTestId("account-user-id"));
    await user.type(screen.getByTestId("account-user-id"), " 1 ");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Webhook token is required.");
    await user.type(screen.getByTestId("account-webhook-token"), "abcdef0123456789");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Our portal",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: savedPortal.settings,
      },
      secrets: { webhook_token: "abcdef0123456789" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("abcdef0123456789");
  });

  it("refuses a whole webhook URL pasted as the portal address: its token never lands in the settings", async () => {
    const { b, user } = await newPortalForm();
    await user.type(screen.getByTestId("account-name"), "Our portal");
    await user.type(screen.getByTestId("account-store-url"), "https://shop.bitrix24.ru/rest/1/abcdef0123456789/");
    await user.type(screen.getByTestId("account-user-id"), "1");
    await user.type(screen.getByTestId("account-webhook-token"), "abcdef0123456789");
    await user.click(screen.getByTestId("account-save"));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This is the whole webhook URL");
    expect(alert).toHaveTextContent("Paste only the portal address here (e.g. https://shop.bitrix24.ru)");
    expect(alert).toHaveTextContent("the part after it into Webhook token");
    // Neither saved nor tested with it.
    await user.click(screen.getByTestId("account-test"));
    expect(await screen.findByRole("alert")).toHaveTextContent("This is the whole webhook URL");
    expect(b.callsTo("add_account")).toEqual([]);
    expect(b.callsTo("test_connection")).toEqual([]);

    // Only the portal's address: saved, the token as a secret.
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://shop.bitrix24.ru");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    expect(JSON.stringify(b.callsTo("add_account")[0]?.args.draft)).not.toContain("abcdef0123456789");
  });

  it("a saved portal keeps its token when the field is left empty", async () => {
    const b = serveRecorded(fresh, { update_account: (args) => ({ ...savedPortal, ...(args.draft as object) }) });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedPortal} onDone={onDone} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-webhook-token")).toHaveAttribute("placeholder", "Stored in the keychain; leave empty to keep it");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args.secrets)).toEqual([{}]);
  });
});
