import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import type { IntakeAddress } from "../../bindings/IntakeAddress";
import { AccountForm } from "../../screens/AccountForm";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";
import { shopAddress } from "./AccountFields";

/*
 * No engine scenario records a Shopify account yet: saving is the engine's (tested in Rust), the
 * form's part is what it sends. The saved shop below is typed with the bindings as the engine
 * lists one.
 */
const savedShop: Account = {
  id: 9,
  kind: "shopify",
  name: "Snowboards",
  region: "",
  active: true,
  interval_secs: 300,
  base_url: null,
  demo: false,
  settings: {
    kind: "shopify",
    shop: "snowboards",
    client_id: "0a1b2c3d",
    admin_token: false,
    api_version: "2025-10",
    backfill_days: 60,
    read_all_orders: false,
    accept_on_arrival: true,
    identify_products_by: "sku",
    client_secret_env: null,
  },
  created_at: "2026-03-02T09:30:00Z",
};

const savedAs = (args: Record<string, unknown>) => ({ ...savedShop, ...(args.draft as object) });

/** The saved shop's webhook address as the engine answers it: Shopify signs with the client secret. */
const WEBHOOK_URL = "https://orders.example/intake/shopify/9";
const webhookAddress: IntakeAddress = {
  account_id: savedShop.id,
  masked_url: WEBHOOK_URL,
  serving: true,
  format_unverified: false,
  signed: true,
  secret_to_copy: false,
};

async function newShopForm() {
  const b = serveRecorded(fresh, { add_account: savedAs });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  await user.selectOptions(screen.getByTestId("account-kind"), "shopify");
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

describe("a Shopify shop", () => {
  it("is connected with its shop, client ID and secret; the secret goes only as a secret, the options as settings", async () => {
    const { b, user } = await newShopForm();
    expect(screen.getByRole("heading")).toHaveTextContent("Connect a Shopify shop");
    // Defaults as core's: 2025-10, 60 days without read_all_orders, accepted on arrival, by SKU.
    expect(screen.getByTestId("account-admin-token")).not.toBeChecked();
    expect(screen.getByTestId("account-api-version")).toHaveValue("2025-10");
    expect(screen.getByTestId("account-backfill-days")).toHaveValue(60);
    expect(screen.getByTestId("account-read-all-orders")).not.toBeChecked();
    expect(screen.getByTestId("account-accept-on-arrival")).toBeChecked();
    expect(screen.getByTestId("account-identify-by")).toHaveValue("sku");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("placeholder", "");
    expect(screen.getByText("Client secret")).toBeInTheDocument();
    expect(screen.queryByTestId("account-base-url")).toBeNull();
    expect(screen.queryByTestId("account-backfill-clamped")).toBeNull();

    await user.type(screen.getByTestId("account-name"), "Snowboards");
    await refusedWith(user, "Shop is required.");
    await user.type(screen.getByTestId("account-store-url"), " snowboards.myshopify.com/ ");
    await refusedWith(user, "Client ID is required.");
    await user.type(screen.getByTestId("account-client-id"), " 0a1b2c3d ");
    await refusedWith(user, "Client secret is required.");
    await user.type(screen.getByTestId("account-client-secret"), "shpss_s3cret");
    await retype(user, "account-api-version", "latest");
    await refusedWith(user, "API version must be a dated version such as 2025-10.");
    await retype(user, "account-api-version", "2026-01");
    await retype(user, "account-backfill-days", "0");
    await refusedWith(user, "Days the first sync reads: a whole number from 1 to 3650.");
    await retype(user, "account-backfill-days", "365");
    await user.click(screen.getByTestId("account-read-all-orders"));
    await user.click(screen.getByTestId("account-accept-on-arrival"));
    await user.selectOptions(screen.getByTestId("account-identify-by"), "name");
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Snowboards",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: {
          kind: "shopify",
          shop: "snowboards.myshopify.com",
          client_id: "0a1b2c3d",
          admin_token: false,
          api_version: "2026-01",
          backfill_days: 365,
          read_all_orders: true,
          accept_on_arrival: false,
          identify_products_by: "name",
          client_secret_env: null,
        },
      },
      secrets: { client_secret: "shpss_s3cret" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("shpss_s3cret");
  });

  it("refuses a plain-http shop address in words and sends nothing", async () => {
    const { b, user } = await newShopForm();
    await user.type(screen.getByTestId("account-name"), "Snowboards");
    await user.type(screen.getByTestId("account-store-url"), "http://snowboards.example");
    await user.type(screen.getByTestId("account-client-id"), "0a1b2c3d");
    await user.type(screen.getByTestId("account-client-secret"), "shpss_s3cret");
    await refusedWith(
      user,
      "The shop address must start with https:// (over http:// the client secret would travel as plain text)",
    );
    await user.click(screen.getByTestId("account-test"));
    expect(b.callsTo("add_account")).toEqual([]);
    expect(b.callsTo("test_connection")).toEqual([]);
  });

  it("an old custom app connects with its admin token: no client ID, the token sent as the secret", async () => {
    const { b, user } = await newShopForm();
    await user.type(screen.getByTestId("account-name"), "Snowboards");
    await user.type(screen.getByTestId("account-store-url"), "snowboards");
    await user.click(screen.getByTestId("account-admin-token"));
    expect(screen.queryByTestId("account-client-id")).toBeNull();
    expect(screen.queryByText("Client secret")).toBeNull();
    expect(screen.getByText("Admin API access token")).toBeInTheDocument();
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("placeholder", "shpat_…");
    await refusedWith(user, "Admin API access token is required.");
    await user.type(screen.getByTestId("account-client-secret"), "shpat_t0ken");
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: expect.objectContaining({
        base_url: null,
        settings: expect.objectContaining({ kind: "shopify", shop: "snowboards", client_id: "", admin_token: true }),
      }),
      secrets: { client_secret: "shpat_t0ken" },
    });
    expect(JSON.stringify(add?.args.draft)).not.toContain("shpat_t0ken");
  });

  it("says the first sync reads only 60 days while the app lacks read_all_orders", async () => {
    const { user } = await newShopForm();
    const clamped = () => screen.queryByTestId("account-backfill-clamped");
    expect(clamped()).toBeNull();
    await retype(user, "account-backfill-days", "90");
    expect(clamped()).toHaveTextContent(
      "Shopify shows this app only the last 60 days of orders: the first sync reads 60 days. Grant the app read_all_orders to read further.",
    );
    await user.click(screen.getByTestId("account-read-all-orders"));
    expect(clamped()).toBeNull();
    await user.click(screen.getByTestId("account-read-all-orders"));
    expect(clamped()).not.toBeNull();
    await retype(user, "account-backfill-days", "60");
    expect(clamped()).toBeNull();
  });

  it("a saved shop keeps its secret when it is left empty; a new shop asks for it again", async () => {
    const b = serveRecorded(fresh, {
      update_account: (args) => ({ ...savedShop, ...(args.draft as object) }),
      intake_address: () => webhookAddress,
    });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedShop} onDone={onDone} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-store-url")).toHaveValue("snowboards");
    expect(screen.getByTestId("account-client-id")).toHaveValue("0a1b2c3d");
    expect(screen.getByTestId("account-client-secret")).toHaveValue("");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute(
      "placeholder",
      "Stored in the keychain; leave empty to keep it",
    );

    // The secret would go to another shop: the stored one is not offered to it.
    await retype(user, "account-store-url", "other-shop");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute("placeholder", "");
    await refusedWith(user, "Client secret is required.");
    expect(b.callsTo("update_account")).toEqual([]);

    // Back to the stored shop (a trailing slash is the same address): saved without a secret.
    await retype(user, "account-store-url", "snowboards/");
    expect(screen.getByTestId("account-client-secret")).toHaveAttribute(
      "placeholder",
      "Stored in the keychain; leave empty to keep it",
    );
    await retype(user, "account-backfill-days", "30");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args)).toEqual([
      {
        id: savedShop.id,
        draft: expect.objectContaining({
          base_url: null,
          settings: { ...savedShop.settings, backfill_days: 30 },
        }),
        secrets: {},
      },
    ]);
  });
});

describe("a Shopify shop's webhooks", () => {
  function savedShopForm(shop: Account = savedShop) {
    const b = serveRecorded(fresh, { intake_address: () => webhookAddress, intake_url: () => WEBHOOK_URL });
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={shop} onDone={vi.fn()} onCancel={vi.fn()} />);
    return { b, user };
  }

  it("shows the URL to subscribe, signed with the app's client secret: no secret of Ordertray's to copy", async () => {
    const { b, user } = savedShopForm();
    await waitFor(() => expect(screen.getByTestId("webhook-url")).toHaveTextContent(WEBHOOK_URL));
    const webhooks = screen.getByTestId("store-webhooks");
    expect(webhooks).toHaveTextContent("Webhooks (optional)");
    expect(webhooks).toHaveTextContent("orders/create and orders/updated");
    expect(webhooks).toHaveTextContent("Shopify signs them with the app's client secret (the one in this form)");
    expect(webhooks).toHaveTextContent("a delivery sent twice is taken once");
    expect(screen.queryByTestId("webhook-copy-secret")).toBeNull();
    expect(screen.queryByTestId("webhook-new-secret")).toBeNull();

    await user.click(screen.getByTestId("webhook-copy-url"));
    expect(await screen.findByTestId("webhook-copy-url")).toHaveTextContent("✓ Copied");
    expect(await navigator.clipboard.readText()).toBe(WEBHOOK_URL);
    expect(b.callsTo("webhook_secret")).toEqual([]);
  });

  it("a shop on an admin token is told webhooks need the client ID and secret, with nothing to copy", async () => {
    const { settings } = savedShop;
    if (settings.kind !== "shopify") throw new Error("not a Shopify account");
    const { b, user } = savedShopForm({ ...savedShop, settings: { ...settings, admin_token: true } });
    expect(screen.getByTestId("webhooks-unavailable")).toHaveTextContent("Webhooks need the app's client ID and client secret");
    expect(screen.queryByTestId("webhook-url")).toBeNull();
    expect(screen.queryByTestId("webhook-copy-url")).toBeNull();
    expect(b.callsTo("intake_address")).toEqual([]);

    // Switching to the client credentials brings the address.
    await user.click(screen.getByTestId("account-admin-token"));
    expect(screen.queryByTestId("webhooks-unavailable")).toBeNull();
    await waitFor(() => expect(screen.getByTestId("webhook-url")).toHaveTextContent(WEBHOOK_URL));
  });
});

describe("the shop's address, as the engine makes it", () => {
  it.each([
    ["my-shop", "https://my-shop.myshopify.com"],
    [" my-shop ", "https://my-shop.myshopify.com"],
    ["my-shop.myshopify.com", "https://my-shop.myshopify.com"],
    ["my-shop.myshopify.com/", "https://my-shop.myshopify.com"],
    ["shop.example", "https://shop.example"],
    ["https://my-shop.myshopify.com/", "https://my-shop.myshopify.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://my-shop.example", "http://my-shop.example"],
    ["", ""],
    [" / ", ""],
  ])("%j: %j", (typed, address) => {
    expect(shopAddress(typed)).toBe(address);
  });
});
