import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../bindings/Account";
import { App } from "../App";
import { FakeBackend, accountView } from "../test/backend";
import { renderWithProviders } from "../test/render";
import { GETTZAP_CANCEL_STATUSES, GETTZAP_STATUSES } from "../integrations/gettzap/AccountFields";
import { AccountForm } from "./AccountForm";

const TOKEN = "f00dfeedcafe0123456789abcdef0123456789abcdef0123";
const MASKED = "http://127.0.0.1:8787/intake/gettzap/7?token=••••••••";

/** The test backend plus the intake commands. */
class IntakeBackend extends FakeBackend {
  serving = false;
  protected handle(cmd: string, args: Record<string, unknown>): unknown {
    switch (cmd) {
      case "intake_address":
        this.calls.push({ cmd, args });
        return { account_id: args.accountId, masked_url: MASKED, serving: this.serving, format_unverified: true };
      case "intake_url":
        this.calls.push({ cmd, args });
        return `http://127.0.0.1:8787/intake/gettzap/7?token=${TOKEN}`;
      case "rotate_intake_token":
        this.calls.push({ cmd, args });
        return null;
      default:
        return super.handle(cmd, args);
    }
  }
}

const gettzapAccount: Account = {
  id: 7,
  kind: "gettzap",
  name: "Gettzap shop",
  region: "Москва",
  active: true,
  interval_secs: 60,
  base_url: null,
  demo: false,
  settings: {
    kind: "gettzap",
    login: "gz-shop",
    statuses: ["accepted", "refused"],
    cancel_statuses: ["cancelled"],
    password_env: null,
    api_key_env: null,
    intake_token_env: null,
  },
  created_at: "2026-11-23T08:00:00Z",
};

describe("a Gettzap account", () => {
  it("is connected with login, password and office token, the secrets going only as secrets", async () => {
    const b = new IntakeBackend().install();
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
    const b = new IntakeBackend().install();
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={gettzapAccount} onDone={vi.fn()} onCancel={vi.fn()} />);
    await waitFor(() => expect(screen.getByTestId("intake-url")).toHaveTextContent(MASKED));
    expect(screen.getByTestId("intake-not-serving")).toHaveTextContent("ordertray-cli serve");
    expect(screen.getByTestId("format-unverified")).toBeInTheDocument();
    expect(screen.getByTestId("account-gettzap-statuses")).toHaveValue("accepted;refused");
    expect(screen.getByTestId("account-gettzap-cancel-statuses")).toHaveValue("cancelled");

    await user.click(screen.getByTestId("intake-copy"));
    expect(await screen.findByTestId("intake-copy")).toHaveTextContent("Copied");
    expect(await navigator.clipboard.readText()).toBe(`http://127.0.0.1:8787/intake/gettzap/7?token=${TOKEN}`);
    expect(b.callsTo("intake_url").map((c) => c.args)).toEqual([{ accountId: 7 }]);
    expect(document.body.textContent).not.toContain(TOKEN);

    await user.click(screen.getByTestId("intake-rotate"));
    await waitFor(() => expect(b.callsTo("rotate_intake_token")).toHaveLength(1));
    await waitFor(() => expect(b.callsTo("intake_address").length).toBeGreaterThan(1));
    expect(screen.getByTestId("intake-copy")).toHaveTextContent("Copy address");
  });

  it("in Accounts, a Gettzap account shows when orders last came, with nothing to sync by hand", async () => {
    const b = new FakeBackend();
    const ozon = accountView(1, "Ozon shop");
    const gettzap = accountView(7, "Gettzap shop", { last_poll_at: "2026-11-23T09:30:00Z", next_poll_at: null });
    gettzap.account = gettzapAccount;
    b.accounts = [ozon, gettzap];
    b.install();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const rows = await screen.findAllByTestId("account-row");
    const row = (id: number) => rows.find((r) => r.getAttribute("data-account-id") === String(id)) as HTMLElement;
    expect(row(7)).toHaveTextContent("sends its orders to this computer");
    expect(row(7)).toHaveTextContent("OK");
    expect(row(7)).toHaveTextContent("Last orders received:");
    expect(row(7)).not.toHaveTextContent("Last sync");
    expect(row(7).querySelector('[data-testid="account-sync-now"]')).toBeNull();
    expect(row(1)).toHaveTextContent("Last sync:");
    expect(row(1).querySelector('[data-testid="account-sync-now"]')).not.toBeNull();
  });

  it("a Gettzap account that has received nothing yet says so, not that it never synced", async () => {
    const b = new FakeBackend();
    const gettzap = accountView(7, "Gettzap shop", { last_poll_at: null, last_outcome: null, next_poll_at: null });
    gettzap.account = gettzapAccount;
    b.accounts = [gettzap];
    b.install();
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(await screen.findByTestId("nav-accounts"));
    const row = await screen.findByTestId("account-row");
    expect(row).toHaveTextContent("No orders received yet");
    expect(row).not.toHaveTextContent("Not synced yet");
  });
});
