import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

const savedShiptor: Account = {
  id: 22,
  kind: "shiptor",
  name: "Shiptor parcels",
  region: "",
  active: true,
  interval_secs: 60,
  base_url: null,
  demo: false,
  settings: {
    kind: "shiptor",
    url: "https://api.shiptor.ru",
    transfer: { success_status: null, failure_status: null, send_on_status: null },
    api_key_env: null,
  },
  created_at: "2026-12-01T09:30:00Z",
};

describe("a Shiptor account", () => {
  it("says the connector is unverified, needs only the API key (Shiptor's own address by default) and sends it as a secret", async () => {
    const b = serveRecorded(fresh, { add_account: (args) => ({ ...savedShiptor, ...(args.draft as object) }) });
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
    await user.selectOptions(screen.getByTestId("account-kind"), "shiptor");
    expect(screen.getByRole("heading")).toHaveTextContent("Connect Shiptor");
    expect(screen.getByTestId("shiptor-unverified")).toHaveTextContent(
      "Shiptor's current API could not be checked against official documentation (the connector was built against Shiptor's SDK)",
    );
    expect(screen.getByTestId("account-store-url")).toHaveValue("https://api.shiptor.ru");
    expect(screen.queryByTestId("account-interval")).toBeNull();

    await user.type(screen.getByTestId("account-name"), "Shiptor parcels");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("API key is required.");
    // An emptied address is Shiptor's own, as the engine reads it.
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-api-key"), "shiptor-key");
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    expect(b.callsTo("add_account")[0]?.args).toEqual({
      draft: expect.objectContaining({ name: "Shiptor parcels", base_url: null, settings: savedShiptor.settings }),
      secrets: { api_key: "shiptor-key" },
    });
  });
});
