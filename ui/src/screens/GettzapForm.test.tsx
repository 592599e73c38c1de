import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../bindings/Account";
import { App } from "../App";
import type { AccountView } from "../bindings/AccountView";
import gettzapNew from "../test/fixtures/gettzap_new.json";
import gettzapReceived from "../test/fixtures/gettzap_received.json";
import { recorded, recordedFor, serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";
import { GETTZAP_CANCEL_STATUSES, GETTZAP_STATUSES } from "../integrations/gettzap/AccountFields";
import { AccountForm } from "./AccountForm";

/*
 * The engine's scenarios (ui_fixtures.rs, gettzap_account_*): a Gettzap account "Gettzap shop"
 * (statuses "accepted" and "refused", buyer cancels "cancelled") that has received nothing, the
 * intake not running; its token, read as a fixed one, then replaced by a new one. And an Ozon
 * account that synced beside a Gettzap account that has received an order.
 */
const [gettzapAccount] = recorded<AccountView[]>(gettzapNew, "list_accounts").map((v) => v.account) as [Account];
const ID = gettzapAccount.id;
const { masked_url: MASKED } = recordedFor<{ masked_url: string }>(gettzapNew, "intake_address", { accountId: ID });
const INTAKE_URL = recordedFor<string>(gettzapNew, "intake_url", { accountId: ID });
const TOKEN = INTAKE_URL.split("token=")[1] ?? "";

describe("a Gettzap account", () => {
  it("is connected with login, password and office token, the secrets going only as secrets", async () => {
    // Saving is the engine's (tested in Rust); the form's part is what it sends.
    const b = serveRecorded(gettzapNew, { add_account: (args) => ({ ...gettzapAccount, ...(args.draft as object) }) });
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
    await user.selectOptions(screen.getByTestId("account-kind"), "gettzap");
    expect(screen.getByRole("heading")).toHaveTextContent("Connect a Gettzap shop");
    expect(screen.getByTestId("format-unverified")).toHaveTextContent("Format unverified");
    expect(screen.getByTestId("gettzap-intake")).toHaveTextContent("once the account is saved");
    expect(screen.queryByTestId("account-cancel-reason")).toBeNull();
    expect(screen.getByTestId("account-gettzap-statuses")).toHaveValue(GETTZAP_STATUSES.join(";"));

    await user.type(screen.getByTestId("account-name"), "Gettzap shop");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Gettzap login");
    await user.type(screen.getByTestId("account-login"), "gz-shop");
    await user.type(screen.getByTestId("account-password"), "pass-123");
    await user.type(screen.getByTestId("account-api-key"), "office-token-9");
    await user.clear(screen.getByTestId("account-gettzap-statuses"));
    await user.type(screen.getByTestId("account-gettzap-statuses"), "Принят; Отказ ;");
    // The buyer-cancel statuses start from the usual words and can be changed.
    expect(screen.getByTestId("account-gettzap-cancel-statuses")).toHaveValue(GETTZAP_CANCEL_STATUSES.join(";"));
    await user.clear(screen.getByTestId("account-gettzap-cancel-statuses"));
    await user.type(screen.getByTestId("account-gettzap-cancel-statuses"), "Отказ покупателя; Снят ;");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toMatchObject({
      draft: {
        name: "Gettzap shop",
        settings: {
          kind: "gettzap",
          login: "gz-shop",
          statuses: ["Принят", "Отказ"],
          cancel_statuses: ["Отказ покупателя", "Снят"],
        },
      },
      secrets: { password: "pass-123", api_key: "office-token-9" },
    });
    const draft = JSON.stringify(add?.args.draft);
    expect(draft).not.toContain("pass-123");
    expect(draft).not.toContain("office-token-9");
  });

  it("shows the delivery address with its token hidden and copies the full one", async () => {
    expect(TOKEN).toHaveLength(48);
    expect(MASKED).not.toContain(TOKEN);
    const b = serveRecorded(gettzapNew);
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={gettzapAccount} onDone={vi.fn()} onCancel={vi.fn()} />);
    await waitFor(() => expect(screen.getByTestId("intake-url")).toHaveTextContent(MASKED));
    expect(screen.getByTestId("intake-not-serving")).toHaveTextContent("ordertray-cli serve");
    expect(screen.getByTestId("format-unverified")).toBeInTheDocument();
    expect(screen.getByTestId("account-gettzap-statuses")).toHaveValue("accepted;refused");
    expect(screen.getByTestId("account-gettzap-cancel-statuses")).toHaveValue("cancelled");

    await user.click(screen.getByTestId("intake-copy"));
    expect(await screen.findByTestId("intake-copy")).toHaveTextContent("Copied");
    expect(await navigator.clipboard.readText()).toBe(INTAKE_URL);
    expect(b.callsTo("intake_url").map((c) => c.args)).toEqual([{ accountId: ID }]);
    expect(document.body.textContent).not.toContain(TOKEN);

    await user.click(screen.getByTestId("intake-rotate"));
    await waitFor(() => expect(b.callsTo("rotate_intake_token")).toHaveLength(1));
    await waitFor(() => expect(b.callsTo("intake_address").length).toBeGreaterThan(1));
    expect(screen.getByTestId("intake-copy")).toHaveTextContent("Copy address");
  });

  it("in Accounts, a Gettzap account shows when orders last came, with nothing to sync by hand", async () => {
    const accounts = recorded<AccountView[]>(gettzapReceived, "list_accounts");
    const idOf = (kind: string) => accounts.find((v) => v.account.kind === kind)?.account.id;
    serveRecorded(gettzapReceived);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const rows = await screen.findAllByTestId("account-row");
    const row = (id: number) => rows.find((r) => r.getAttribute("data-account-id") === String(id)) as HTMLElement;
    const gettzap = row(idOf("gettzap") ?? -1);
    const ozon = row(idOf("ozon") ?? -1);
    expect(gettzap).toHaveTextContent("sends its orders to this computer");
    expect(gettzap).toHaveTextContent("OK");
    expect(gettzap).toHaveTextContent("Last orders received:");
    expect(gettzap).not.toHaveTextContent("Last sync");
    expect(gettzap.querySelector('[data-testid="account-sync-now"]')).toBeNull();
    expect(ozon).toHaveTextContent("Last sync:");
    expect(ozon.querySelector('[data-testid="account-sync-now"]')).not.toBeNull();
  });

  it("a Gettzap account that has received nothing yet says so, not that it never synced", async () => {
    serveRecorded(gettzapNew);
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const row = await screen.findByTestId("account-row");
    expect(row).toHaveTextContent("No orders received yet");
    expect(row).not.toHaveTextContent("Not synced yet");
  });
});
