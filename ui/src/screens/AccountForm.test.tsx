import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import zzapAccount from "../test/fixtures/zzap_account.json";
import { serveRecorded } from "../test/recorded";
import { renderWithProviders } from "../test/render";

async function openNewAccount() {
  // A new database; the account is added as the engine adds it. Testing the connection reaches
  // ZZAP itself, so the test answers it.
  const b = serveRecorded(zzapAccount, {
    test_connection: () => ({ ok: true, message: "Connected to ZZAP.", expires_at: null }),
  });
  const user = userEvent.setup();
  renderWithProviders(<App />);
  await screen.findByTestId("welcome");
  await user.click(screen.getByTestId("add-account"));
  await user.selectOptions(await screen.findByTestId("account-kind"), "zzap");
  return { b, user };
}

describe("connecting a ZZAP account", () => {
  it("asks for login, password and API key; the secrets go only as secrets, the codes as lists", async () => {
    const { b, user } = await openNewAccount();
    // Ozon's fields give way to ZZAP's.
    expect(screen.queryByTestId("account-client-id")).toBeNull();
    await user.type(screen.getByTestId("account-name"), "ZZAP shop");
    await user.type(screen.getByTestId("account-login"), "shop@example.ru");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Password is required.");
    expect(b.callsTo("add_account")).toEqual([]);

    await user.type(screen.getByTestId("account-password"), "pa55-word");
    await user.type(screen.getByTestId("account-api-key"), "zz-key-1");
    await user.type(screen.getByTestId("account-import-codes"), "1; 2, 3");
    await user.clear(screen.getByTestId("account-cancel-codes"));
    await user.type(screen.getByTestId("account-cancel-codes"), "6");
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toMatchObject({
      draft: {
        name: "ZZAP shop",
        settings: { kind: "zzap", login: "shop@example.ru", import_codes: ["1", "2", "3"], buyer_cancel_codes: ["6"] },
      },
      secrets: { password: "pa55-word", api_key: "zz-key-1" },
    });
    const draft = JSON.stringify(add?.args.draft);
    expect(draft).not.toContain("pa55-word");
    expect(draft).not.toContain("zz-key-1");
    expect(await screen.findByTestId("account-row")).toBeInTheDocument();
  });

  it("tests the connection with what was typed, before anything is saved", async () => {
    const { b, user } = await openNewAccount();
    await user.type(screen.getByTestId("account-name"), "ZZAP shop");
    await user.type(screen.getByTestId("account-login"), "shop@example.ru");
    await user.type(screen.getByTestId("account-password"), "pa55-word");
    await user.type(screen.getByTestId("account-api-key"), "zz-key-1");
    await user.click(screen.getByTestId("account-test"));
    const result = await screen.findByTestId("account-test-result");
    expect(result).toHaveTextContent("✓");
    const [test] = b.callsTo("test_connection");
    expect(test?.args).toMatchObject({
      draft: { settings: { kind: "zzap", login: "shop@example.ru" } },
      secrets: { password: "pa55-word", api_key: "zz-key-1" },
    });
    expect(b.callsTo("add_account")).toEqual([]);
    // A ZZAP account has no Ozon cancel reasons to load.
    expect(b.callsTo("cancel_reasons")).toEqual([]);
  });
});
