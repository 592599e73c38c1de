import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

/* No engine scenario records an InSales account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. */
const savedShop: Account = {
  id: 25,
  kind: "insales",
  name: "InSales shop",
  region: "",
  active: true,
  interval_secs: 60,
  base_url: null,
  demo: false,
  settings: {
    kind: "insales",
    url: "https://shop.myinsales.ru",
    api_id: "app-1",
    transfer: { success_status: null, failure_status: null, send_on_status: null },
    password_env: null,
  },
  created_at: "2026-12-01T09:30:00Z",
};

describe("an InSales account", () => {
  it("says what is unverified, asks for the shop address, the API identifier and password; the password goes only as a secret", async () => {
    const b = serveRecorded(fresh, { add_account: (args) => ({ ...savedShop, ...(args.draft as object) }) });
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
    await user.selectOptions(screen.getByTestId("account-kind"), "insales");
    expect(screen.getByRole("heading")).toHaveTextContent("Connect InSales");
    const note = screen.getByTestId("insales-unverified");
    expect(note).toHaveTextContent("Ordertray keeps its key in the order's comment");
    expect(note).toHaveTextContent("Items must exist in InSales with the same SKU (article)");
    expect(screen.queryByTestId("account-interval")).toBeNull();
    expect(screen.getByTestId("account-password")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-transfer-rules")).toBeInTheDocument();

    await user.type(screen.getByTestId("account-name"), "InSales shop");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Shop address is required.");
    await user.type(screen.getByTestId("account-store-url"), "http://shop.myinsales.ru");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("The address must start with https://");
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://shop.myinsales.ru/");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("API identifier is required.");
    await user.type(screen.getByTestId("account-api-id"), " app-1 ");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("API password is required.");
    await user.type(screen.getByTestId("account-password"), "insales-pass");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "InSales shop",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: savedShop.settings,
      },
      secrets: { password: "insales-pass" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("insales-pass");
  });

  it("a new shop address asks for the password again", async () => {
    serveRecorded(fresh, { update_account: (args) => ({ ...savedShop, ...(args.draft as object) }) });
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={savedShop} onDone={vi.fn()} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-password")).toHaveAttribute("placeholder", "Stored in the keychain; leave empty to keep it");
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://other.myinsales.ru");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("API password is required.");
  });
});
