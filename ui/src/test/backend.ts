// What is left of the in-memory stand-in for the Rust commands, for the cabinet's component tests
// (CabinetScreen, ExportDialog, OrderForm, Charts) until they run on recorded engine answers like
// the others (test/recorded.ts): accounts, settings, statuses and offers as plain data, nothing
// the engine decides. It records every call so tests assert what the UI asked for.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { AccountView } from "../bindings/AccountView";
import type { AppInfo } from "../bindings/AppInfo";
import type { AppSettings } from "../bindings/AppSettings";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { InboxLine } from "../bindings/InboxLine";
import type { OfferView } from "../bindings/OfferView";
import type { PriceListView } from "../bindings/PriceListView";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusGroup } from "../bindings/StatusGroup";

export type Call = { cmd: string; args: Record<string, unknown> };

export function accountView(id: number, name: string, over: Partial<AccountView["health"]> = {}): AccountView {
  return {
    account: {
      id,
      kind: "ozon",
      name,
      region: "",
      active: true,
      interval_secs: 60,
      base_url: null,
      demo: false,
      settings: {
        kind: "ozon",
        client_id: "123",
        cancel_reason_id: 352,
        cancel_reason_message: "",
        ship_on_accept: true,
        api_key_env: null,
        paid_on_delivered: false,
        import_awaiting_deliver: false,
        import_fbo: false,
        source_label: "",
        fixed_customer_id: null,
        posting_number_to: "order_number",
        order_date: "loaded",
        default_delivery_method: "",
        default_payment_method: null,
        sync_start_time: null,
      },
      created_at: "2026-11-23T08:00:00Z",
    },
    health: {
      last_poll_at: "2026-11-23T08:00:00Z",
      last_outcome: "ok",
      last_error: null,
      last_error_words: null,
      next_poll_at: null,
      failing_since: null,
      server_wait_until: null,
      outbox_pending: 0,
      outbox_failed: 0,
      ...over,
    },
    credentials_ok: true,
  };
}

export function offerView(id: number, list: PriceListView, over: Partial<OfferView> = {}): OfferView {
  return {
    id,
    list_id: list.id,
    list: list.name,
    brand: "BOSCH",
    article: `ART-${id}`,
    name: `Offer ${id}`,
    price: "1000.00",
    stock: 5,
    delivery_days: 2,
    supplier: null,
    ...over,
  };
}

export function priceListView(id: number, name: string, over: Partial<PriceListView> = {}): PriceListView {
  return {
    id,
    name,
    settings: {
      mapping: { brand: 0, article: 1, name: 2, price: 3, stock: 4, delivery_days: 5, supplier: null },
      options: { delimiter: ";", encoding: "utf-8", header: true },
    },
    source: `${name}.csv`,
    rows_read: 0,
    rows_rejected: 0,
    offers: 0,
    imported_at: "2026-11-22T10:00:00Z",
    ...over,
  };
}

/** The statuses a new database starts with (core::statuses::DEFAULT_STATUSES), ids 1–7 in this order. */
export function defaultStatuses(): ShopStatus[] {
  const seeded: [string, StatusGroup][] = [
    ["accepted", "new"],
    ["ordered", "in_work"],
    ["in_stock", "in_work"],
    ["shipped", "done"],
    ["delivered", "done"],
    ["refused", "refused"],
    ["removed", "removed"],
  ];
  return seeded.map(([code, group], i) => ({ id: i + 1, code, name: "", group, position: i }));
}

export class FakeBackend {
  calls: Call[] = [];
  accounts: AccountView[] = [];
  lines: InboxLine[] = [];
  info: AppInfo = {
    version: "0.1.0",
    db_path: "/tmp/ordertray.db",
    keychain_ok: true,
    keychain_message: null,
    notifications_ok: true,
    unread: 0,
    demo_running: false,
  };
  settings: AppSettings = {
    autostart: false,
    autostart_decided: false,
    close_to_tray: true,
    tray_hint_shown: false,
    sync_paused_until: null,
    sync_paused: false,
    move_customer_region: false,
    alerts: {
      new_order: { popup: true, sound: true, in_app: true },
      buyer_cancelled: { popup: true, sound: true, in_app: true },
      push_failed: { popup: true, sound: false, in_app: true },
      sync_failing: { popup: true, sound: false, in_app: true },
      rule_rejected: { popup: false, sound: false, in_app: true },
      status_changed: { popup: false, sound: false, in_app: true },
      ship_by_near: { popup: true, sound: true, in_app: true },
      ship_by_overdue: { popup: true, sound: true, in_app: true },
      quiet_hours: null,
      sync_failing_minutes: 15,
      coalesce_seconds: 60,
      ship_by_near_minutes: 120,
    },
    delivery_methods: [
      { id: "courier", name: "Курьер", base: "350", per_kg: "50" },
      { id: "post", name: "Почта России", base: "250", per_kg: "60" },
    ],
    export_presets: [],
    retention: { done_outbox_days: 90, sync_runs_days: 90, intake_requests_days: 90, account_events_days: 90 },
  };
  priceLists: PriceListView[] = [];
  offers: OfferView[] = [];
  statuses: ShopStatus[] = defaultStatuses();
  /** Set to make the next call of that command fail with this AppError. */
  failures = new Map<string, { code: string; message: string }>();

  install(): this {
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
    return this;
  }

  callsTo(cmd: string): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  emit(event: EngineEvent): Promise<void> {
    return emit("engine", event);
  }

  /** Protected so that the cabinet's test backend can add its commands. */
  protected handle(cmd: string, args: Record<string, unknown>): unknown {
    if (cmd.startsWith("plugin:event")) return undefined;
    this.calls.push({ cmd, args });
    const failure = this.failures.get(cmd);
    if (failure) {
      this.failures.delete(cmd);
      throw failure;
    }
    switch (cmd) {
      case "app_info":
        return { ...this.info, unread: this.lines.filter((l) => l.line.state === "new").length };
      case "set_language":
        return null;
      case "list_accounts":
        return this.accounts;
      case "inbox":
        return this.lines.filter((l) => l.line.state === (args.query as { state: string }).state);
      case "get_settings":
        return this.settings;
      case "save_settings":
        this.settings = { ...(args.settings as AppSettings), autostart_decided: true };
        return this.settings;
      case "shop_statuses":
        return structuredClone(this.statuses);
      case "search_offers": {
        const text = (args.text as string).toLowerCase();
        return this.offers
          .filter((o) => [o.brand, o.article, o.name].some((f) => f.toLowerCase().includes(text)))
          .slice(0, (args.limit as number | null) ?? 50);
      }
      default:
        throw { code: "internal", message: `the test backend does not know ${cmd}` };
    }
  }
}
