import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Account } from "../../bindings/Account";
import type { AppError } from "../../bindings/AppError";
import type { IntakeAddress } from "../../bindings/IntakeAddress";
import { AccountForm } from "../../screens/AccountForm";
import errorSamples from "../../test/fixtures/error_words.json";
import fresh from "../../test/fixtures/fresh.json";
import { serveRecorded } from "../../test/recorded";
import { renderWithProviders } from "../../test/render";

/*
 * No engine scenario records a WooCommerce account yet: saving is the engine's (tested in Rust,
 * engine/tests/woocommerce.rs), the form's part is what it sends. The saved store below is typed
 * with the bindings as the engine lists one.
 */
const savedStore: Account = {
  id: 7,
  kind: "woocommerce",
  name: "Web shop",
  region: "",
  active: true,
  interval_secs: 300,
  base_url: null,
  demo: false,
  settings: {
    kind: "woocommerce",
    url: "https://shop.example",
    backfill_days: 60,
    accept_on_arrival: true,
    identify_products_by: "sku",
    key_in_query: false,
    consumer_key_env: null,
    consumer_secret_env: null,
  },
  created_at: "2026-03-02T09:30:00Z",
};

const savedAs = (args: Record<string, unknown>) => ({ ...savedStore, ...(args.draft as object) });

/** The saved store's webhook address as the engine answers it: signed deliveries carry no token. */
const WEBHOOK_URL = "https://orders.example/intake/woocommerce/7";
const webhookAddress: IntakeAddress = {
  account_id: savedStore.id,
  masked_url: WEBHOOK_URL,
  serving: true,
  format_unverified: false,
  signed: true,
  secret_to_copy: true,
};
const WEBHOOK_SECRET = "wh-secret-3f9a1c7e5b2d";
/** The engine's refusal when the keychain holding the secret is shut, as it sends it. */
const keychainShut = (errorSamples as unknown as AppError[]).find((e) => e.words?.kind === "keychain_unavailable");

async function newStoreForm() {
  const b = serveRecorded(fresh, { add_account: savedAs });
  const user = userEvent.setup();
  renderWithProviders(<AccountForm account={null} onDone={vi.fn()} onCancel={vi.fn()} />);
  return { b, user };
}

describe("a WooCommerce store", () => {
  it("is connected with its address, consumer key and secret; the keys go only as secrets, the options as settings", async () => {
    const { b, user } = await newStoreForm();
    await user.selectOptions(screen.getByTestId("account-kind"), "woocommerce");
    expect(screen.getByRole("heading")).toHaveTextContent("Connect a WooCommerce store");
    // Defaults as core's: 60 days, accepted on arrival, products by SKU, the key in the header.
    expect(screen.getByTestId("account-backfill-days")).toHaveValue(60);
    expect(screen.getByTestId("account-accept-on-arrival")).toBeChecked();
    expect(screen.getByTestId("account-identify-by")).toHaveValue("sku");
    expect(screen.getByTestId("account-key-in-query")).not.toBeChecked();
    expect(screen.getByTestId("account-consumer-key")).toHaveAttribute("type", "password");
    expect(screen.getByTestId("account-consumer-secret")).toHaveAttribute("type", "password");

    await user.type(screen.getByTestId("account-name"), "Web shop");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Store address is required.");
    await user.type(screen.getByTestId("account-store-url"), "https://shop.example/");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Consumer key is required.");
    await user.type(screen.getByTestId("account-consumer-key"), "ck_live_1");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Consumer secret is required.");
    await user.type(screen.getByTestId("account-consumer-secret"), "cs_live_2");
    await user.clear(screen.getByTestId("account-backfill-days"));
    await user.type(screen.getByTestId("account-backfill-days"), "30");
    await user.click(screen.getByTestId("account-accept-on-arrival"));
    await user.selectOptions(screen.getByTestId("account-identify-by"), "name");
    await user.click(screen.getByTestId("account-key-in-query"));
    expect(b.callsTo("add_account")).toEqual([]);
    await user.click(screen.getByTestId("account-save"));

    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    const [add] = b.callsTo("add_account");
    expect(add?.args).toEqual({
      draft: {
        name: "Web shop",
        region: "",
        active: true,
        interval_secs: 60,
        base_url: null,
        settings: {
          kind: "woocommerce",
          url: "https://shop.example",
          backfill_days: 30,
          accept_on_arrival: false,
          identify_products_by: "name",
          key_in_query: true,
          consumer_key_env: null,
          consumer_secret_env: null,
        },
      },
      secrets: { consumer_key: "ck_live_1", consumer_secret: "cs_live_2" },
    });
    const draft = JSON.stringify(add?.args.draft);
    expect(draft).not.toContain("ck_live_1");
    expect(draft).not.toContain("cs_live_2");
  });

  it("refuses a plain-http address in words and sends nothing", async () => {
    const { b, user } = await newStoreForm();
    await user.selectOptions(screen.getByTestId("account-kind"), "woocommerce");
    await user.type(screen.getByTestId("account-name"), "Web shop");
    await user.type(screen.getByTestId("account-store-url"), "http://shop.example");
    await user.type(screen.getByTestId("account-consumer-key"), "ck_live_1");
    await user.type(screen.getByTestId("account-consumer-secret"), "cs_live_2");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The store address must start with https:// (over http:// the key would travel as plain text)",
    );
    await user.click(screen.getByTestId("account-test"));
    expect(b.callsTo("add_account")).toEqual([]);
    expect(b.callsTo("test_connection")).toEqual([]);
  });

  it("has no API address of its own: one typed for another marketplace is not sent", async () => {
    const { b, user } = await newStoreForm();
    await user.click(screen.getByTestId("account-advanced"));
    await user.type(screen.getByTestId("account-base-url"), "https://proxy.example");
    await user.selectOptions(screen.getByTestId("account-kind"), "woocommerce");
    expect(screen.queryByTestId("account-advanced")).toBeNull();
    expect(screen.queryByTestId("account-base-url")).toBeNull();
    await user.type(screen.getByTestId("account-name"), "Web shop");
    await user.type(screen.getByTestId("account-store-url"), "http://127.0.0.1:8080");
    await user.type(screen.getByTestId("account-consumer-key"), "ck_test");
    await user.type(screen.getByTestId("account-consumer-secret"), "cs_test");
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(b.callsTo("add_account")).toHaveLength(1));
    expect(b.callsTo("add_account")[0]?.args.draft).toMatchObject({
      base_url: null,
      settings: { kind: "woocommerce", url: "http://127.0.0.1:8080" },
    });
  });

  it("a saved store keeps its keys when they are left empty; a new store address asks for them again", async () => {
    const b = serveRecorded(fresh, {
      update_account: (args) => ({ ...savedStore, ...(args.draft as object) }),
      intake_address: () => webhookAddress,
    });
    const user = userEvent.setup();
    const onDone = vi.fn();
    renderWithProviders(<AccountForm account={savedStore} onDone={onDone} onCancel={vi.fn()} />);
    expect(screen.getByTestId("account-store-url")).toHaveValue("https://shop.example");
    expect(screen.getByTestId("account-consumer-key")).toHaveValue("");
    expect(screen.getByTestId("account-consumer-key")).toHaveAttribute("placeholder", "Stored in the keychain; leave empty to keep it");

    // The keys would go to another site: the stored ones are not offered to it.
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://other.example");
    expect(screen.getByTestId("account-consumer-key")).toHaveAttribute("placeholder", "");
    await user.click(screen.getByTestId("account-save"));
    expect(await screen.findByRole("alert")).toHaveTextContent("Consumer key is required.");
    expect(b.callsTo("update_account")).toEqual([]);

    // Back to the stored address (a trailing slash is the same address): saved without keys.
    await user.clear(screen.getByTestId("account-store-url"));
    await user.type(screen.getByTestId("account-store-url"), "https://shop.example/");
    await user.click(screen.getByTestId("account-key-in-query"));
    await user.click(screen.getByTestId("account-save"));
    await waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(b.callsTo("update_account").map((c) => c.args)).toEqual([
      {
        id: savedStore.id,
        draft: expect.objectContaining({
          base_url: null,
          settings: { ...savedStore.settings, key_in_query: true },
        }),
        secrets: {},
      },
    ]);
  });
});

describe("a WooCommerce store's webhooks", () => {
  function savedStoreForm(over: Parameters<typeof serveRecorded>[1] = {}) {
    const b = serveRecorded(fresh, {
      intake_address: () => webhookAddress,
      intake_url: () => WEBHOOK_URL,
      webhook_secret: () => WEBHOOK_SECRET,
      rotate_intake_token: () => null,
      ...over,
    });
    const user = userEvent.setup();
    renderWithProviders(<AccountForm account={savedStore} onDone={vi.fn()} onCancel={vi.fn()} />);
    return { b, user };
  }

  it("a new store is told the address comes once it is saved", async () => {
    const { b, user } = await newStoreForm();
    await user.selectOptions(screen.getByTestId("account-kind"), "woocommerce");
    const webhooks = screen.getByTestId("store-webhooks");
    expect(webhooks).toHaveTextContent("Webhooks (optional)");
    expect(webhooks).toHaveTextContent("once the account is saved");
    expect(screen.queryByTestId("webhook-url")).toBeNull();
    expect(screen.queryByTestId("webhook-copy-secret")).toBeNull();
    expect(b.callsTo("intake_address")).toEqual([]);
  });

  it("shows the delivery URL and how to add the webhooks, and copies the URL", async () => {
    const { b, user } = savedStoreForm();
    await waitFor(() => expect(screen.getByTestId("webhook-url")).toHaveTextContent(WEBHOOK_URL));
    expect(b.callsTo("intake_address").map((c) => c.args)).toEqual([{ accountId: savedStore.id }]);
    const webhooks = screen.getByTestId("store-webhooks");
    expect(webhooks).toHaveTextContent("Settings → Order intake");
    expect(webhooks).toHaveTextContent("WooCommerce → Settings → Advanced → Webhooks → Add webhook");
    expect(webhooks).toHaveTextContent("WP REST API Integration v3");
    expect(screen.queryByTestId("webhook-not-serving")).toBeNull();

    await user.click(screen.getByTestId("webhook-copy-url"));
    expect(await screen.findByTestId("webhook-copy-url")).toHaveTextContent("✓ Copied");
    expect(await navigator.clipboard.readText()).toBe(WEBHOOK_URL);
  });

  it("copies the secret into the clipboard only, never onto the screen", async () => {
    const { b, user } = savedStoreForm();
    await waitFor(() => expect(screen.getByTestId("webhook-url")).toHaveTextContent(WEBHOOK_URL));
    await user.click(screen.getByTestId("webhook-copy-secret"));
    expect(await screen.findByTestId("webhook-copy-secret")).toHaveTextContent("✓ Copied");
    expect(await navigator.clipboard.readText()).toBe(WEBHOOK_SECRET);
    expect(b.callsTo("webhook_secret").map((c) => c.args)).toEqual([{ accountId: savedStore.id }]);
    // The whole markup, attributes included (the lint keeps innerHTML out of the code, tests too).
    expect(new XMLSerializer().serializeToString(document.body)).not.toContain(WEBHOOK_SECRET);
    // Copying the URL afterwards marks that one: the clipboard no longer holds the secret.
    await user.click(screen.getByTestId("webhook-copy-url"));
    expect(await screen.findByTestId("webhook-copy-url")).toHaveTextContent("✓ Copied");
    expect(screen.getByTestId("webhook-copy-secret")).toHaveTextContent("Copy secret");
  });

  it("New secret replaces it and reads the address again; the old one is said to stop working", async () => {
    const { b, user } = savedStoreForm();
    await waitFor(() => expect(screen.getByTestId("webhook-url")).toHaveTextContent(WEBHOOK_URL));
    expect(screen.getByTestId("store-webhooks")).toHaveTextContent("webhooks signed with the old secret are no longer taken");
    await user.click(screen.getByTestId("webhook-copy-secret"));
    expect(await screen.findByTestId("webhook-copy-secret")).toHaveTextContent("✓ Copied");

    await user.click(screen.getByTestId("webhook-new-secret"));
    await waitFor(() => expect(b.callsTo("rotate_intake_token").map((c) => c.args)).toEqual([{ accountId: savedStore.id }]));
    await waitFor(() => expect(b.callsTo("intake_address").length).toBeGreaterThan(1));
    // What was copied is the old secret now.
    expect(screen.getByTestId("webhook-copy-secret")).toHaveTextContent("Copy secret");
  });

  it("says when the intake is off, and a refused call in words", async () => {
    const { user } = savedStoreForm({
      intake_address: () => ({ ...webhookAddress, serving: false }),
      webhook_secret: () => {
        throw keychainShut;
      },
    });
    expect(await screen.findByTestId("webhook-not-serving")).toHaveTextContent("Settings → Order intake");
    await user.click(screen.getByTestId("webhook-copy-secret"));
    expect(await screen.findByRole("alert")).toHaveTextContent("the OS keychain is unavailable");
    expect(screen.getByTestId("webhook-copy-secret")).toHaveTextContent("Copy secret");
  });
});
