import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { ApiError, api, toApiError } from "./api";

describe("api", () => {
  it("turns the engine's {code, message} into an ApiError", async () => {
    mockIPC(() => {
      throw { code: "auth", message: "Ozon refused the Client-Id and Api-Key" };
    });
    const err = await api.listAccounts().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: "auth", message: "Ozon refused the Client-Id and Api-Key" });
  });

  it("turns anything else into an ipc ApiError with its text", () => {
    expect(toApiError("command not allowed")).toMatchObject({ code: "ipc", message: "command not allowed" });
    expect(toApiError(new Error("boom"))).toMatchObject({ code: "ipc", message: "boom" });
  });

  it("sends secrets only when given and by their keychain field name", async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return { ok: true, message: "ok", expires_at: null };
    });
    const draft = {
      name: "A",
      region: "",
      active: true,
      interval_secs: 60,
      base_url: null,
      settings: {
        kind: "ozon" as const,
        client_id: "1",
        cancel_reason_id: 352,
        cancel_reason_message: "",
        ship_on_accept: true,
        api_key_env: null,
        paid_on_delivered: false,
        import_awaiting_deliver: false,
        import_fbo: false,
        source_label: "",
        fixed_customer_id: null,
        posting_number_to: "order_number" as const,
        order_date: "loaded" as const,
        default_delivery_method: "",
        default_payment_method: null,
        sync_start_time: null,
      },
    };
    await api.testConnection(draft, {}, 3);
    await api.testConnection(draft, { api_key: "k" }, null);
    expect(seen).toEqual([
      ["test_connection", { draft, secrets: {}, id: 3 }],
      ["test_connection", { draft, secrets: { api_key: "k" }, id: null }],
    ]);
  });

  it("names the cabinet's commands and arguments as the shell expects", async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    const filter = {
      status_ids: [],
      groups: ["new" as const],
      payment: [],
      paid: null,
      types: [],
      account_ids: [],
      kinds: [],
      manual: false,
      from: null,
      to: null,
      search: "",
    };
    const query = { filter, sort: { column: "created" as const, desc: true }, after: { key: "k", id: 7 }, limit: 500 };
    const draft = {} as Parameters<typeof api.validateOrder>[0];
    const options = {} as Parameters<typeof api.exportCsv>[1];
    await api.cabinetPage(query);
    await api.cabinetStats(filter);
    await api.cabinetCharts(filter);
    await api.shopOrderFull(3);
    await api.newOrderDraft();
    await api.validateOrder(draft);
    await api.createShopOrder(draft);
    await api.previewOrderEdit(3, draft);
    await api.updateShopOrder(3, draft, true);
    await api.deliveryQuotes(1500);
    await api.setShopOrderStatus([1, 2], 4);
    await api.setOrderType([1], "through");
    await api.deleteShopOrders([1], true);
    await api.purgeShopOrders([1]);
    await api.exportCsv("/o.csv", options);
    await api.exportCsv("/o.csv", options, true);
    await api.cancelExport();
    await api.openExport("/o.csv");
    await api.showExportInFolder("/o.csv");
    expect(seen).toEqual([
      ["cabinet_page", { query }],
      ["cabinet_stats", { filter }],
      ["cabinet_charts", { filter }],
      ["shop_order_full", { id: 3 }],
      ["new_order_draft", {}],
      ["validate_order", { draft }],
      ["create_shop_order", { draft }],
      ["preview_order_edit", { id: 3, draft }],
      ["update_shop_order", { id: 3, draft, confirmed: true }],
      ["delivery_quotes", { weightG: 1500 }],
      ["set_shop_order_status", { ids: [1, 2], statusId: 4 }],
      ["set_order_type", { ids: [1], orderType: "through" }],
      ["delete_shop_orders", { ids: [1], removeLinks: true }],
      ["purge_shop_orders", { ids: [1] }],
      ["export_csv", { path: "/o.csv", options, overwrite: false }],
      ["export_csv", { path: "/o.csv", options, overwrite: true }],
      ["cancel_export", {}],
      ["open_export", { path: "/o.csv" }],
      ["show_export_in_folder", { path: "/o.csv" }],
    ]);
  });

  it("names the new commands' arguments as the shell expects (camelCase)", async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return null;
    });
    const binding = { offer_id: 7, quantity: 2, price: null };
    const templates = {
      accepted_status: "",
      accepted_notice: "",
      refusal_status: "cancel",
      refusal_text: "",
      buyer_cancel_status_id: null,
      pushes: [],
      incoming: [],
    };
    await api.lineOffers(5);
    await api.acceptWithOffer(5, binding);
    await api.ruleSet(1);
    await api.dryRunRules(null);
    await api.applyRules(1);
    await api.shopOrders(3, null);
    await api.customers("анна", 200, { key: "2026-01-01T00:00:00.000000Z", id: 7 });
    await api.importPriceList("/p.csv", "A", null);
    await api.previewPriceList("/p.csv", { delimiter: ";", encoding: null, header: null });
    await api.searchOffers("bosch", 20);
    await api.undoTriage([1, 2]);
    await api.shopStatuses();
    await api.saveShopStatuses([]);
    await api.setLineStatus([1], 4);
    await api.pushSettings(1);
    await api.savePushSettings(1, templates);
    await api.previewTemplate(5, 2, "{order}");
    expect(seen).toEqual([
      ["line_offers", { lineId: 5 }],
      ["accept_with_offer", { lineId: 5, binding }],
      ["rule_set", { accountId: 1 }],
      ["dry_run_rules", { accountId: null }],
      ["apply_rules", { accountId: 1 }],
      ["shop_orders", { customerId: 3, limit: null }],
      ["customers", { search: "анна", limit: 200, after: { key: "2026-01-01T00:00:00.000000Z", id: 7 } }],
      ["import_price_list", { path: "/p.csv", name: "A", settings: null }],
      ["preview_price_list", { path: "/p.csv", options: { delimiter: ";", encoding: null, header: null } }],
      ["search_offers", { text: "bosch", limit: 20 }],
      ["undo_triage", { lines: [1, 2] }],
      ["shop_statuses", {}],
      ["save_shop_statuses", { statuses: [] }],
      ["set_line_status", { lines: [1], statusId: 4 }],
      ["push_settings", { accountId: 1 }],
      ["save_push_settings", { accountId: 1, templates }],
      ["preview_template", { lineId: 5, statusId: 2, template: "{order}" }],
    ]);
  });
});
