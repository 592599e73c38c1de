// An in-memory stand-in for the Rust commands, for component tests only (the real engine is tested
// in Rust and end to end). It records every call so tests assert what the UI asked for.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { AccountDraft } from "../bindings/AccountDraft";
import type { AccountView } from "../bindings/AccountView";
import type { AppInfo } from "../bindings/AppInfo";
import type { AppSettings } from "../bindings/AppSettings";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { LineState } from "../bindings/LineState";
import type { OrderDetail } from "../bindings/OrderDetail";
import type { OutboxView } from "../bindings/OutboxView";
import type { TriageAction } from "../bindings/TriageAction";

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
      },
      created_at: "2026-11-23T08:00:00Z",
    },
    health: {
      last_poll_at: "2026-11-23T08:00:00Z",
      last_outcome: "ok",
      last_error: null,
      next_poll_at: null,
      failing_since: null,
      outbox_pending: 0,
      outbox_failed: 0,
      ...over,
    },
    credentials_ok: true,
  };
}

export function inboxLine(id: number, orderNumber: string, name = `Product ${id}`): InboxLine {
  return {
    line: {
      id,
      external_id: String(1000 + id),
      sku: String(1000 + id),
      offer_id: `ART-${id}`,
      name,
      quantity: 1,
      price: "1530.00",
      currency: "RUB",
      state: "new",
      bound_offer: null,
      decided_by_rule: null,
    },
    order_id: Number(orderNumber.replace(/\D/g, "").slice(0, 6)) || 1,
    order_external_id: orderNumber,
    order_number: orderNumber,
    order_status: "awaiting_packaging",
    order_created_at: "2026-11-23T08:00:00Z",
    order_region: "Москва",
    account_id: 1,
    account: "Shop A",
    marketplace_cancelled: false,
    demo: false,
  };
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
  outbox: OutboxView[] = [];
  settings: AppSettings = {
    autostart: false,
    autostart_decided: false,
    close_to_tray: true,
    tray_hint_shown: false,
    sync_paused_until: null,
    sync_paused: false,
    move_customer_region: false,
  };
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

  private handle(cmd: string, args: Record<string, unknown>): unknown {
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
      case "add_account": {
        // As the shell does: the first account turns start at login on, unless already decided.
        if (!this.settings.autostart_decided) this.settings = { ...this.settings, autostart: true, autostart_decided: true };
        const draft = args.draft as { name: string };
        const view = accountView(this.accounts.length + 1, draft.name, { last_poll_at: null, last_outcome: null });
        this.accounts.push(view);
        return view.account;
      }
      case "update_account": {
        const view = this.accounts.find((a) => a.account.id === args.id);
        if (!view) throw { code: "not_found", message: `account ${String(args.id)} not found` };
        const draft = args.draft as AccountDraft;
        view.account = { ...view.account, ...draft };
        return view.account;
      }
      case "set_account_active": {
        const view = this.accounts.find((a) => a.account.id === args.id);
        if (view) view.account.active = args.active as boolean;
        return null;
      }
      case "cancel_reasons":
        return [
          { id: 352, title: "Товар закончился у продавца" },
          { id: 499, title: "Новая причина Ozon" },
        ];
      case "test_connection":
        return { ok: true, message: "Connected to Ozon.", expires_at: null };
      case "inbox": {
        const q = args.query as InboxQuery;
        return this.lines.filter(
          (l) => l.line.state === q.state && (q.account_id == null || l.account_id === q.account_id),
        );
      }
      case "triage": {
        const ids = args.lines as number[];
        const next: Record<TriageAction, LineState> = {
          accept: "accepted",
          reject: "rejected",
          delete: "deleted",
          restore: "new",
        };
        for (const l of this.lines) if (ids.includes(l.line.id)) l.line.state = next[args.action as TriageAction];
        return { changed: ids, outbox_rows: [] };
      }
      case "order_detail": {
        const id = args.id as number;
        const lines = this.lines.filter((l) => l.order_id === id);
        const first = lines[0];
        if (!first) throw { code: "not_found", message: `order ${id} not found` };
        const detail: OrderDetail = {
          order: {
            id,
            account_id: first.account_id,
            account: first.account,
            external_id: first.order_external_id,
            number: first.order_number,
            status: first.order_status,
            created_at: first.order_created_at,
            updated_at: first.order_created_at,
            customer_name: null,
            region: first.order_region,
            changed_by_marketplace: null,
            demo: false,
            lines: lines.map((l) => l.line),
          },
          customer: null,
          available_actions: [],
          events: [],
          outbox: [],
        };
        return detail;
      }
      case "get_settings":
        return this.settings;
      case "save_settings":
        this.settings = { ...(args.settings as AppSettings), autostart_decided: true };
        return this.settings;
      case "pause_sync":
        this.settings = {
          ...this.settings,
          sync_paused: args.minutes == null,
          sync_paused_until:
            args.minutes == null ? null : new Date(Date.now() + (args.minutes as number) * 60_000).toISOString(),
        };
        return this.settings;
      case "resume_sync":
        this.settings = { ...this.settings, sync_paused: false, sync_paused_until: null };
        return this.settings;
      case "recent_logs":
        return ["INFO sync ok", "WARN <b>not html</b>"];
      case "save_diagnostics":
        return "/home/manager/Downloads/ordertray-diagnostics.zip";
      case "account_outbox":
        return this.outbox.filter((o) => o.account_id === args.id && o.state !== "done");
      case "retry_outbox": {
        const row = this.outbox.find((o) => o.id === args.id);
        if (!row) throw { code: "not_found", message: `outbox row ${String(args.id)} not found` };
        row.state = "pending";
        row.attempts = 0;
        row.last_error = null;
        return null;
      }
      case "start_demo": {
        const view = accountView(this.accounts.length + 1, "Demo — Ozon");
        view.account.demo = true;
        this.accounts.push(view);
        this.info.demo_running = true;
        return view.account;
      }
      default:
        throw { code: "internal", message: `the test backend does not know ${cmd}` };
    }
  }
}
