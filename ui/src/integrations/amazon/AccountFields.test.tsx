import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

/*
 * No engine scenario records an Amazon account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. The saved account below is typed with the bindings as the engine
 * lists one; its marketplace (India) is not among the listed ones.
 */
const savedSeller: Account = {
  id: 11,
  kind: "amazon",
  name: "Amazon IN",
  region: "",
  active: true,
  interval_secs: 300,
  base_url: null,
  demo: false,
  settings: {
    kind: "amazon",
    region: "eu",
    marketplace_id: "A21TJRUUN4KGV",
    client_id: "amzn1.application-oa2-client.1",
    backfill_days: 60,
    accept_on_arrival: true,
    identify_products_by: "sku",
    token_url: null,
    client_secret_env: null,
    refresh_token_env: null,
  },
  created_at: "2026-03-02T09:30:00Z",
};

const KEPT = "Stored in the keychain; leave empty to keep it";

const savedAs = (args: Record<string, unknown>) => ({ ...savedSeller, ...(args.draft as object) });

async function newSellerForm() {
  const b = serveRecorded(fresh, { add_account: savedAs });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  await user.selectOptions(screen.getByTestId("account-kind"), "amazon");
  return { b, user };
}

async function retype(user: ReturnType<typeof userEvent.setup>, testId: string, text: string) {
  await user.clear(screen.getByTestId(testId));
  await user.type(screen.getByTestId(testId), text);
}

async function refusedWith(user: ReturnType<typeof userEvent.setup>, text: string) {
  await user.click(screen.getByTestId("account-save"));
  expect(await screen.findByRole("alert")).toHaveTextContent(text);
}

describe("an Amazon seller account", () => {
  it("is connected with its marketplace, client ID, secret and refresh token; the keys go only as secrets", async () => {
    const { b, user } = await newSellerForm();
    expect(screen.getByRole("heading")).toHaveTextContent("Connect an Amazon seller account");
    // Defaults as core's: Europe on Germany, 60 days, accepted on arrival, by SKU, Login with Amazon's tokens.
    expect(screen.getByTestId("account-amazon-region")).toHaveValue("eu");
    expect(screen.getByTestId("account-marketplace")).toHaveValue("A1PA6795UKMFR9");
    expect(screen.queryByTestId("account-marketplace-id")).toBeNull();
    expect(screen.getByTestId("account-backfill-days")).toHaveValue(60);
    expect(screen.getByTestId("account-accept-on-arrival")).toBeChecked();
    expect(screen.getByTestId("account-identify-by")).toHaveValue("sku");
    expect(screen.getByRole("option", { name: "ASIN (Amazon's product id)" })).toBeInTheDocument();
    expect(screen.getByTestId("account-token-url")).toHaveValue("");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-refresh-token")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-amazon-cancel-note")).toHaveTextContent(
      "Amazon's Orders API takes no cancellation: a rejected order must also be cancelled in Seller Central; the outbox shows it as not sent.",
    );

    await user.type(screen.getByTestId("account-name"), "Amazon DE");
    await user.selectOptions(screen.getByTestId("account-marketplace"), "other");
    expect(screen.getByTestId("account-marketplace")).toHaveValue("other");
    expect(screen.getByTestId("account-marketplace-id")).toHaveValue("");
    await refusedWith(user, "Marketplace ID is required.");
    await user.type(screen.getByTestId("account-marketplace-id"), "A1 PA");
    await refusedWith(user, "Marketplace ID: letters and digits only, such as A1PA6795UKMFR9.");
    // A listed id typed under "Other…" keeps the field where it is typed.
    await retype(user, "account-marketplace-id", " A1PA6795UKMFR9 ");
    expect(screen.getByTestId("account-marketplace")).toHaveValue("other");
    await refusedWith(user, "Client ID is required.");
    await user.type(screen.getByTestId("account-client-id"), " amzn1.application-oa2-client.1 ");
    await refusedWith(user, "Client secret is required.");
    await user.type(screen.getByTestId("account-client-secret"), "amzn1.oa2-cs.s3cret");
    await refusedWith(user, "Refresh token is required.");
    await user.type(screen.getByTestId("account-refresh-token"), "Atzr|r3fresh");
    await user.type(screen.getByTestId("account-token-url"), "http://tokens.example");
    await refusedWith(
      user,
      "The token address must start with https:// (over http:// the refresh token would travel as plain text)",
    );
    await user.clear(screen.getByTestId("account-token-url"));
    await retype(user, "account-backfill-days", "0");
    await refusedWith(user, "Days the first sync reads: a whole number from 1 to 3650.");
    await retype(user, "account-backfill-days", "30");
    await user.click(screen.getByTestId("account-accept-on-arrival"));
    await user.selectOptions(screen.getByTestId("account-identify-by"), "id");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Amazon DE",
        region: "",
        active: true,
        interval_secs: 60,
        // Nothing typed in Advanced: the engine goes to the region's host.
        base_url: null,
        settings: {
          kind: "amazon",
          region: "eu",
          marketplace_id: "A1PA6795UKMFR9",
          client_id: "amzn1.application-oa2-client.1",
          backfill_days: 30,
          accept_on_arrival: false,
          identify_products_by: "id",
          token_url: null,
          client_secret_env: null,
          refresh_token_env: null,
        },
      },
      secrets: { client_secret: "amzn1.oa2-cs.s3cret", refresh_token: "Atzr|r3fresh" },
    });
    const draft = JSON.stringify(add?.args.draft);
    expect(draft).not.toContain("s3cret");
    expect(draft).not.toContain("r3fresh");
  });

  it("a new region starts on its first marketplace, and its host is the API address suggested", async () => {
    const { b, user } = await newSellerForm();
    await user.click(screen.getByTestId("account-advanced"));
    expect(screen.getByTestId("account-base-url")).toHaveAttribute("placeholder", "https://sellingpartnerapi-eu.amazon.com");
    expect(screen.getByText("Leave empty for Amazon's own address; set it for a proxy or a test server.")).toBeInTheDocument();
    await user.selectOptions(screen.getByTestId("account-marketplace"), "other");
    await user.type(screen.getByTestId("account-marketplace-id"), "A21TJRUUN4KGV");

    await user.selectOptions(screen.getByTestId("account-amazon-region"), "na");
    expect(screen.getByTestId("account-marketplace")).toHaveValue("ATVPDKIKX0DER");
    expect(screen.queryByTestId("account-marketplace-id")).toBeNull();
    expect(screen.getByRole("option", { name: "Mexico (A1AM78C64UM0Y8)" })).toBeInTheDocument();
    expect(screen.queryByRole("option", { name: "Germany (A1PA6795UKMFR9)" })).toBeNull();
    expect(screen.getByTestId("account-base-url")).toHaveAttribute("placeholder", "https://sellingpartnerapi-na.amazon.com");

    await user.selectOptions(screen.getByTestId("account-amazon-region"), "fe");
    expect(screen.getByTestId("account-marketplace")).toHaveValue("A1VC38T7YXB528");
    await user.selectOptions(screen.getByTestId("account-marketplace"), "A39IBJ37TRP1C6");
    await user.type(screen.getByTestId("account-name"), "Amazon AU");
    await user.type(screen.getByTestId("account-client-id"), "amzn1.application-oa2-client.1");
    await user.type(screen.getByTestId("account-client-secret"), "amzn1.oa2-cs.s3cret");
    await user.type(screen.getByTestId("account-refresh-token"), "Atzr|r3fresh");
    await user.type(screen.getByTestId("account-base-url"), "https://sandbox.sellingpartnerapi-fe.amazon.com");
    await user.type(screen.getByTestId("account-token-url"), " https://tokens.example/o2/token ");
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args.draft).toEqual(
      expect.objectContaining({
        base_url: "https://sandbox.sellingpartnerapi-fe.amazon.com",
        settings: expect.objectContaining({
          region: "fe",
          marketplace_id: "A39IBJ37TRP1C6",
          token_url: "https://tokens.example/o2/token",
        }),
      }),
    );
  });

  it("a saved account keeps its keys when they are left empty; another region asks for them again", async () => {
    const b = serveRecorded(fresh, { update_account: (args) => ({ ...savedSeller, ...(args.draft as object) }) });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedSeller} onDone={onDone} onCancel={vi.fn()} />);
    // An unlisted marketplace shows as "Other…" with its id.
    expect(screen.getByTestId("account-marketplace")).toHaveValue("other");
    expect(screen.getByTestId("account-marketplace-id")).toHaveValue("A21TJRUUN4KGV");
    expect(screen.getByTestId("account-client-id")).toHaveValue("amzn1.application-oa2-client.1");
    for (const id of ["account-client-secret", "account-refresh-token"]) {
      expect(screen.getByTestId(id)).toHaveValue("");
      expect(screen.getByTestId(id)).toHaveAttribute("placeholder", KEPT);
    }

    // The engine sends the keys to the region's host: the stored ones are not offered to another.
    await user.selectOptions(screen.getByTestId("account-amazon-region"), "na");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("placeholder", "");
    await refusedWith(user, "Client secret is required.");
    expect(b.callsTo("update_account")).toEqual([]);

    await user.selectOptions(screen.getByTestId("account-amazon-region"), "eu");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("placeholder", KEPT);
    expect(screen.getByTestId("account-marketplace")).toHaveValue("A1PA6795UKMFR9");
    await user.selectOptions(screen.getByTestId("account-marketplace"), "other");
    await user.type(screen.getByTestId("account-marketplace-id"), "A21TJRUUN4KGV");
    await retype(user, "account-backfill-days", "90");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args)).toEqual([
      {
        id: savedSeller.id,
        draft: expect.objectContaining({
          base_url: null,
          settings: { ...savedSeller.settings, backfill_days: 90 },
        }),
        secrets: {},
      },
    ]);
  });
});
