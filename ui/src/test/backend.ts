// An in-memory stand-in for the Rust commands, for component tests only (the real engine is tested
// in Rust and end to end). It records every call so tests assert what the UI asked for.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import type { MarketplaceStatus } from "../bindings/MarketplaceStatus";
import type { AccountDraft } from "../bindings/AccountDraft";
import type { AccountView } from "../bindings/AccountView";
import type { AppInfo } from "../bindings/AppInfo";
import type { AppSettings } from "../bindings/AppSettings";
import type { BackupInfo } from "../bindings/BackupInfo";
import type { BackupKind } from "../bindings/BackupKind";
import type { ColumnMapping } from "../bindings/ColumnMapping";
import type { Condition } from "../bindings/Condition";
import type { CustomerSummary } from "../bindings/CustomerSummary";
import type { DatabaseInfo } from "../bindings/DatabaseInfo";
import type { DatabaseProblem } from "../bindings/DatabaseProblem";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { ImportOptions } from "../bindings/ImportOptions";
import type { ImportPreview } from "../bindings/ImportPreview";
import type { ImportSummary } from "../bindings/ImportSummary";
import type { InboxLine } from "../bindings/InboxLine";
import type { InboxQuery } from "../bindings/InboxQuery";
import type { IntakeSettings } from "../bindings/IntakeSettings";
import type { IntakeStatus } from "../bindings/IntakeStatus";
import type { LineState } from "../bindings/LineState";
import type { ListSettings } from "../bindings/ListSettings";
import type { OfferBinding } from "../bindings/OfferBinding";
import type { OfferMatch } from "../bindings/OfferMatch";
import type { OfferView } from "../bindings/OfferView";
import type { OrderDetail } from "../bindings/OrderDetail";
import type { OutboxView } from "../bindings/OutboxView";
import type { PriceListView } from "../bindings/PriceListView";
import type { RejectCode } from "../bindings/RejectCode";
import type { RowReject } from "../bindings/RowReject";
import type { RuleDecision } from "../bindings/RuleDecision";
import type { RuleOutcome } from "../bindings/RuleOutcome";
import type { RuleSet } from "../bindings/RuleSet";
import type { PushTemplates } from "../bindings/PushTemplates";
import type { ShopOrderView } from "../bindings/ShopOrderView";
import type { ShopStatus } from "../bindings/ShopStatus";
import type { StatusChangeReport } from "../bindings/StatusChangeReport";
import type { StatusGroup } from "../bindings/StatusGroup";
import type { TriageAction } from "../bindings/TriageAction";
import {
  OZON_CAPABILITIES,
  checkTemplate,
  dictionaryCapabilities,
  emptyTemplates,
  orderStatus,
  pushProblems,
  renderTemplate,
  statusLabel,
  templateErrorText,
} from "./pushes";

export type Call = { cmd: string; args: Record<string, unknown> };

/** A ZZAP account (its status list is its own, loaded from ZZAP). */
export function zzapAccountView(id: number, name: string): AccountView {
  const view = accountView(id, name);
  view.account.kind = "zzap";
  view.account.settings = {
    kind: "zzap",
    login: "shop@example.ru",
    import_codes: [],
    buyer_cancel_codes: ["6"],
    min_request_interval_ms: 3000,
    password_env: null,
    api_key_env: null,
  };
  return view;
}

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
      shop_status_id: null,
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

export function shopOrder(id: number, number: string, over: Partial<ShopOrderView> = {}): ShopOrderView {
  return {
    id,
    number,
    created_at: "2026-11-23T08:00:00Z",
    account: "Shop A",
    source_order_id: null,
    customer_id: null,
    customer_name: null,
    lines: 1,
    total: "1530.00",
    currency: "RUB",
    ...over,
  };
}

export function customerSummary(id: number, name: string, over: Partial<CustomerSummary> = {}): CustomerSummary {
  return {
    customer: { id, name, phone: "+79001234567", email: null, address: null, region: "Москва" },
    orders: 1,
    last_order_at: "2026-11-23T08:00:00Z",
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

/** An accepted line, in the first status as accepting puts it. */
export function acceptedLine(id: number, orderNumber: string, name?: string): InboxLine {
  const l = inboxLine(id, orderNumber, name);
  l.line.state = "accepted";
  l.line.shop_status_id = 1;
  return l;
}

/** One stroke of the manager: the lines it decided, held for undo until their calls go out. */
type Decision = { lines: number[]; sent: boolean };

/** Articles and brands compare as the engine's keys do: case, spaces and dashes do not count. */
const articleKey = (s: string) => s.toLowerCase().replace(/[\s\-./]/g, "");
const PREVIEW_ROWS = 20;
const REJECTS_LISTED = 50;

function detectDelimiter(firstLine: string): string {
  const counts = [";", ",", "\t", "|"].map((d) => [d, firstLine.split(d).length - 1] as const);
  return counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
}

/** The engine's guess from column titles; null unless it finds both the article and the price. */
function guessMapping(header: string[]): ColumnMapping | null {
  const find = (...words: string[]) => {
    const i = header.findIndex((h) => words.some((w) => h.toLowerCase().includes(w)));
    return i < 0 ? null : i;
  };
  const article = find("article", "артикул");
  const price = find("price", "цена");
  if (article == null || price == null) return null;
  return {
    brand: find("brand", "бренд"),
    article,
    name: find("name", "наимен"),
    price,
    stock: find("stock", "остат"),
    delivery_days: find("days", "срок"),
    supplier: find("supplier", "постав"),
  };
}

/** A backup beside /tmp/ordertray.db, named as the engine names them. */
export function backupInfo(kind: BackupKind, stamp: string, bytes = 4 * 1024 * 1024): BackupInfo {
  const tag = kind === "manual" ? "manual" : kind === "before_restore" ? "before-restore" : "v3";
  const file_name = `ordertray.${tag}-${stamp}.backup.db`;
  const iso = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
  return { path: `/tmp/${file_name}`, file_name, bytes, created_at: iso, kind };
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
    alerts: {
      new_order: { popup: true, sound: true, in_app: true },
      buyer_cancelled: { popup: true, sound: true, in_app: true },
      push_failed: { popup: true, sound: false, in_app: true },
      sync_failing: { popup: true, sound: false, in_app: true },
      rule_rejected: { popup: false, sound: false, in_app: true },
      status_changed: { popup: false, sound: false, in_app: true },
      quiet_hours: null,
      sync_failing_minutes: 15,
      coalesce_seconds: 60,
    },
    delivery_methods: [
      { id: "courier", name: "Курьер", base: "350", per_kg: "50" },
      { id: "post", name: "Почта России", base: "250", per_kg: "60" },
    ],
    export_presets: [],
    retention: { done_outbox_days: 90, sync_runs_days: 90, intake_requests_days: 90, account_events_days: 90 },
  };
  /** Files the "disk" holds, by path: CSV text. */
  files = new Map<string, string>();
  /** What the native file chooser returns (null: the manager closed it). */
  chosenFile: string | null = null;
  priceLists: PriceListView[] = [];
  offers: OfferView[] = [];
  ruleSets = new Map<number, RuleSet>();
  shopOrders: ShopOrderView[] = [];
  customers: CustomerSummary[] = [];
  statuses: ShopStatus[] = defaultStatuses();
  /** Each account's status pushes; an account without any has the empty settings. */
  pushTemplates = new Map<number, PushTemplates>();
  /** ZZAP's status list as the marketplace has it, and as each account last loaded it. */
  remoteStatuses: MarketplaceStatus[] = [];
  loadedStatuses = new Map<number, MarketplaceStatus[]>();
  /** The manager's decisions whose marketplace calls are still held (see `sendHeldCalls`). */
  decisions: Decision[] = [];
  /** While set, an import stops after its first progress event until this settles. */
  importGate: Promise<void> | null = null;
  private nextId = 1000;
  /** Set to make the next call of that command fail with this AppError. */
  failures = new Map<string, { code: string; message: string }>();
  /** The database as Settings shows it; backups newest first, as the engine lists them. */
  database: DatabaseInfo = { path: "/tmp/ordertray.db", bytes: 5 * 1024 * 1024, backups: [] };
  /** Set when the database could not be opened at start: the app then shows only its screen. */
  databaseProblem: DatabaseProblem | null = null;
  /** The order intake as saved, and as it runs: saving starts or stops it like the engine does. */
  intake: IntakeSettings = { enabled: false, bind: "127.0.0.1", port: 8787, public_url: "" };
  intakeState: IntakeStatus = { listening: null, error: null, refused: 0, rate_limited: 0, turned_away: 0 };
  /** Ports "another program" holds: starting the intake on one fails as the engine's does. */
  takenPorts = new Set<number>();

  /** The engine's checks and its start/stop, in short. */
  private saveIntake(given: IntakeSettings): IntakeSettings {
    const settings = { ...given, bind: given.bind.trim(), public_url: given.public_url.trim().replace(/\/+$/, "") };
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(settings.bind)) {
      throw { code: "invalid_input", message: `The intake listens on an IP address (127.0.0.1 or 0.0.0.0); «${settings.bind}» is not one` };
    }
    if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65535) {
      throw { code: "invalid_input", message: "The intake port must be between 1 and 65535" };
    }
    if (settings.public_url && !/^https?:\/\//.test(settings.public_url)) {
      throw { code: "invalid_input", message: "The public address must start with http:// or https://" };
    }
    this.intake = settings;
    // What it refused is counted since the app started, across restarts of the intake.
    const { refused, rate_limited, turned_away } = this.intakeState;
    const counted = { refused, rate_limited, turned_away };
    this.intakeState = { listening: null, error: null, ...counted };
    if (!settings.enabled) return settings;
    const addr = `${settings.bind}:${settings.port}`;
    if (this.takenPorts.has(settings.port)) {
      const message = `The order intake cannot listen on ${addr}: port ${settings.port} is already taken by another program. Choose another port, or stop that program.`;
      this.intakeState = { listening: null, error: message, ...counted };
      throw { code: "internal", message };
    }
    this.intakeState = { listening: addr, error: null, ...counted };
    return settings;
  }

  install(): this {
    mockIPC((cmd, args) => this.handle(cmd, (args ?? {}) as Record<string, unknown>), { shouldMockEvents: true });
    return this;
  }

  /** The hold is over: every decision so far has gone to the marketplace and cannot be undone. */
  sendHeldCalls(): void {
    for (const d of this.decisions) d.sent = true;
  }

  callsTo(cmd: string): Call[] {
    return this.calls.filter((c) => c.cmd === cmd);
  }

  emit(event: EngineEvent): Promise<void> {
    return emit("engine", event);
  }

  /** Protected so that a test backend for one area (the cabinet's) can add its commands. */
  protected handle(cmd: string, args: Record<string, unknown>): unknown {
    if (cmd.startsWith("plugin:event")) return undefined;
    if (cmd === "plugin:dialog|open") {
      this.calls.push({ cmd, args });
      return this.chosenFile;
    }
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
        const found = this.lines.filter(
          (l) =>
            (q.processed ? l.line.decided_by_rule != null : l.line.state === q.state) &&
            (q.account_id == null || l.account_id === q.account_id),
        );
        // Newest orders first, as the engine lists them (stable: equal times keep their order).
        if (!q.processed) found.sort((a, b) => b.order_created_at.localeCompare(a.order_created_at));
        return found.slice(0, q.limit ?? undefined);
      }
      case "triage": {
        const ids = args.lines as number[];
        const next: Record<TriageAction, LineState> = {
          accept: "accepted",
          reject: "rejected",
          delete: "deleted",
          restore: "new",
        };
        const action = args.action as TriageAction;
        for (const l of this.lines) {
          if (!ids.includes(l.line.id)) continue;
          l.line.state = next[action];
          // Accepted lines start in the first status of the "new" group.
          l.line.shop_status_id = action === "accept" ? this.statusOnAccept() : null;
        }
        if (action !== "restore") this.decisions.push({ lines: [...ids], sent: false });
        return { changed: ids, outbox_rows: [] };
      }
      case "undo_triage":
        return this.undo(args.lines as number[]);
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
          outbox: this.outbox.filter((o) => o.order_id === id),
        };
        return detail;
      }
      case "get_settings":
        return this.settings;
      case "intake_settings":
        return this.intake;
      case "intake_status":
        return this.intakeState;
      case "save_intake_settings":
        return this.saveIntake(args.settings as IntakeSettings);
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
      case "show_diagnostics_in_folder":
        return null;
      case "database_problem":
        return structuredClone(this.databaseProblem);
      case "database_info":
        return structuredClone(this.database);
      case "backup_database": {
        const made = backupInfo("manual", "20261123T090000");
        this.database.backups.unshift(made);
        return made;
      }
      case "restore_database": {
        const path = args.path as string;
        const listed = (this.databaseProblem?.backups ?? this.database.backups).some((b) => b.path === path);
        if (!listed && !this.files.has(path)) throw { code: "not_found", message: `There is no backup file ${path}` };
        return this.databaseProblem
          ? { restored_from: path, previous: "/tmp/ordertray.corrupt-20261123T090000.db", previous_moved_aside: true }
          : {
              restored_from: path,
              previous: "/tmp/ordertray.before-restore-20261123T090000.backup.db",
              previous_moved_aside: false,
            };
      }
      case "start_new_database":
        if (!this.databaseProblem) throw { code: "invalid_input", message: "The database works; there is nothing to replace" };
        return "/tmp/ordertray.corrupt-20261123T090000.db";
      case "quit_app":
        return null;
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
      case "preview_price_list":
        return this.preview(args.path as string, args.options as ImportOptions);
      case "import_price_list":
        return this.importList(args.path as string, args.name as string, args.settings as ListSettings | null);
      case "price_lists":
        return this.priceLists;
      case "delete_price_list":
        this.priceLists = this.priceLists.filter((l) => l.id !== args.id);
        this.offers = this.offers.filter((o) => o.list_id !== args.id);
        return null;
      case "search_offers": {
        const text = (args.text as string).toLowerCase();
        return this.offers
          .filter((o) => [o.brand, o.article, o.name].some((f) => f.toLowerCase().includes(text)))
          .slice(0, (args.limit as number | null) ?? 50);
      }
      case "line_offers":
        return this.lineOffers(this.line(args.lineId as number));
      case "accept_with_offer":
        return this.acceptWithOffer(args.lineId as number, args.binding as OfferBinding);
      case "rule_set":
        return structuredClone(this.ruleSet(args.accountId as number));
      case "save_rule_set": {
        const set = structuredClone(args.set as RuleSet);
        this.ruleSet(set.account_id);
        if (set.rules.some((r) => r.name.trim() === "")) throw { code: "invalid_input", message: "Every rule needs a name" };
        for (const rule of set.rules) if (rule.id === 0) rule.id = this.nextId++;
        this.ruleSets.set(set.account_id, set);
        return structuredClone(set);
      }
      case "dry_run_rules":
        return this.newLines(args.accountId as number | null).map((l) => this.decide(l));
      case "apply_rules":
        return this.applyRules(args.accountId as number);
      case "shop_orders": {
        const customer = args.customerId as number | null;
        return this.shopOrders
          .filter((o) => customer == null || o.customer_id === customer)
          .slice(0, (args.limit as number | null) ?? 1000);
      }
      case "customers":
        return this.customers.slice(0, (args.limit as number | null) ?? 1000);
      case "shop_statuses":
        return structuredClone(this.statuses);
      case "save_shop_statuses":
        return this.saveStatuses(args.statuses as ShopStatus[]);
      case "set_line_status":
        return this.setLineStatus(args.lines as number[], args.statusId as number);
      case "push_settings":
        return this.pushSettings(args.accountId as number);
      case "load_marketplace_statuses": {
        const id = args.accountId as number;
        this.loadedStatuses.set(id, structuredClone(this.remoteStatuses));
        return this.pushSettings(id);
      }
      case "save_push_settings": {
        const templates = structuredClone(args.templates as PushTemplates);
        const texts = [templates.accepted_notice, templates.refusal_text, ...templates.pushes.map((p) => p.comment)];
        for (const text of texts) {
          const bad = checkTemplate(text);
          if (bad) throw { code: "invalid_input", message: `Template «${text}»: ${templateErrorText(bad)}` };
        }
        this.account(args.accountId as number);
        this.pushTemplates.set(args.accountId as number, templates);
        return this.pushSettings(args.accountId as number);
      }
      case "preview_template": {
        const filled = renderTemplate(
          args.template as string,
          this.templateValues(this.line(args.lineId as number), this.status(args.statusId as number)),
        );
        if (typeof filled !== "string") throw { code: "invalid_input", message: templateErrorText(filled) };
        return filled;
      }
      default:
        throw { code: "internal", message: `the test backend does not know ${cmd}` };
    }
  }

  private line(id: number): InboxLine {
    const line = this.lines.find((l) => l.line.id === id);
    if (!line) throw { code: "not_found", message: `Line ${id} not found` };
    return line;
  }

  private ruleSet(accountId: number): RuleSet {
    if (!this.accounts.some((a) => a.account.id === accountId)) {
      throw { code: "not_found", message: `Account ${accountId} not found` };
    }
    return this.ruleSets.get(accountId) ?? { account_id: accountId, enabled: false, rules: [] };
  }

  private fileRows(path: string, delimiter: string): string[][] {
    const text = this.files.get(path);
    if (text == null) throw { code: "invalid_input", message: `Cannot read ${path}: no such file` };
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => l.split(delimiter).map((c) => c.trim()));
  }

  /** What the engine detects when the options leave it open: delimiter from the first line, titles without digits. */
  private readOptions(path: string, options: ImportOptions): ImportOptions {
    const first = this.files.get(path)?.split("\n")[0] ?? "";
    const delimiter = options.delimiter ?? detectDelimiter(first);
    const firstRow = first.split(delimiter);
    return {
      delimiter,
      encoding: options.encoding ?? "utf-8",
      header: options.header ?? !firstRow.some((c) => /\d/.test(c)),
    };
  }

  private preview(path: string, options: ImportOptions): ImportPreview {
    const read = this.readOptions(path, options);
    const rows = this.fileRows(path, read.delimiter ?? ",");
    const header = read.header ? (rows.shift() ?? null) : null;
    return { header, rows: rows.slice(0, PREVIEW_ROWS), options: read, mapping: header ? guessMapping(header) : null };
  }

  private async importList(path: string, name: string, given: ListSettings | null): Promise<ImportSummary> {
    const listName = name.trim();
    if (listName === "") throw { code: "invalid_input", message: "A price list needs a name" };
    const existing = this.priceLists.find((l) => l.name === listName);
    const settings = given ?? existing?.settings;
    if (!settings) {
      throw { code: "invalid_input", message: `Price list «${listName}» is new: say which columns hold the article and the price` };
    }
    const options = this.readOptions(path, settings.options);
    const rows = this.fileRows(path, options.delimiter ?? ",");
    const firstDataRow = options.header ? 2 : 1;
    if (options.header) rows.shift();
    const list = existing ?? { ...priceListView(this.nextId++, listName), rows_read: 0, offers: 0 };
    const offers: OfferView[] = [];
    const rejects: RowReject[] = [];
    const counts = new Map<RejectCode, number>();
    const m = settings.mapping;
    const needed = Math.max(...Object.values(m).filter((c): c is number => c != null)) + 1;
    rows.forEach((cells, i) => {
      const reject = (code: RejectCode, value: string) => {
        counts.set(code, (counts.get(code) ?? 0) + 1);
        if (rejects.length < REJECTS_LISTED) rejects.push({ row: firstDataRow + i, code, value });
      };
      const cell = (c: number | null) => (c == null ? "" : (cells[c] ?? ""));
      if (cells.length < needed) return reject("too_few_columns", String(cells.length));
      if (cell(m.article) === "") return reject("missing_article", "");
      const price = Number(cell(m.price).replace(",", ".").replace(/\s/g, ""));
      if (cell(m.price) === "" || Number.isNaN(price)) return reject("bad_price", cell(m.price));
      if (price < 0) return reject("negative_price", cell(m.price));
      const stock = cell(m.stock) === "" ? null : Number(cell(m.stock));
      if (stock != null && !Number.isInteger(stock)) return reject("bad_stock", cell(m.stock));
      const days = cell(m.delivery_days) === "" ? null : Number(cell(m.delivery_days));
      if (days != null && !Number.isInteger(days)) return reject("bad_delivery_days", cell(m.delivery_days));
      offers.push(
        offerView(this.nextId++, list, {
          brand: cell(m.brand),
          article: cell(m.article),
          name: cell(m.name),
          price: price.toFixed(2),
          stock,
          delivery_days: days,
          supplier: m.supplier == null ? null : cell(m.supplier),
        }),
      );
    });
    const half = Math.floor(rows.length / 2);
    await this.emit({ type: "import_progress", list: listName, done: half, total: rows.length, rows: half });
    if (this.importGate) await this.importGate;
    // The list is replaced only once the whole file was read.
    this.offers = [...this.offers.filter((o) => o.list_id !== list.id), ...offers];
    const updated: PriceListView = {
      ...list,
      settings: { mapping: m, options },
      source: path.split("/").pop() ?? path,
      rows_read: rows.length,
      rows_rejected: rows.length - offers.length,
      offers: offers.length,
      imported_at: "2026-11-23T09:00:00Z",
    };
    this.priceLists = [...this.priceLists.filter((l) => l.id !== list.id), updated];
    await this.emit({ type: "import_progress", list: listName, done: rows.length, total: rows.length, rows: rows.length });
    return {
      list_id: list.id,
      list: listName,
      rows_read: rows.length,
      offers: offers.length,
      rejected: rows.length - offers.length,
      reject_counts: [...counts].map(([code, count]) => ({ code, count })),
      rejects,
    };
  }

  /** Offers whose article is the line's article or SKU, cheapest first, with the margin. */
  private lineOffers(line: InboxLine): OfferMatch[] {
    const matches: OfferMatch[] = [];
    for (const [how, key] of [
      ["offer_id", articleKey(line.line.offer_id)],
      ["sku", articleKey(line.line.sku)],
    ] as const) {
      for (const offer of this.offers) {
        if (articleKey(offer.article) === key && !matches.some((m) => m.offer.id === offer.id)) {
          const margin = ((Number(line.line.price) - Number(offer.price)) / Number(offer.price)) * 100;
          matches.push({ offer, margin_percent: Number(offer.price) === 0 ? null : margin.toFixed(1), matched_by: how });
        }
      }
    }
    return matches.sort((a, b) => Number(a.offer.price) - Number(b.offer.price) || a.offer.id - b.offer.id);
  }

  private acceptWithOffer(lineId: number, binding: OfferBinding) {
    const offer = this.offers.find((o) => o.id === binding.offer_id);
    if (!offer) throw { code: "not_found", message: "The offer is gone (its price list was re-imported); choose again" };
    const line = this.line(lineId);
    if (line.line.state !== "new") throw { code: "invalid_input", message: `Line ${lineId} is not waiting for a decision` };
    const quantity = binding.quantity ?? line.line.quantity;
    if (quantity <= 0) throw { code: "invalid_input", message: "The quantity must be at least 1" };
    if (binding.price != null && Number(binding.price) < 0) throw { code: "invalid_input", message: "The price cannot be negative" };
    line.line.state = "accepted";
    line.line.shop_status_id = this.statusOnAccept();
    line.line.bound_offer = { ...offer, offer_id: offer.id, price: binding.price ?? offer.price, quantity };
    this.decisions.push({ lines: [lineId], sent: false });
    return { changed: [lineId], outbox_rows: [] };
  }

  private account(id: number): AccountView {
    const view = this.accounts.find((a) => a.account.id === id);
    if (!view) throw { code: "not_found", message: `Account ${id} not found` };
    return view;
  }

  private status(id: number): ShopStatus {
    const status = this.statuses.find((s) => s.id === id);
    if (!status) throw { code: "not_found", message: `Status ${id} not found` };
    return status;
  }

  private statusOnAccept(): number | null {
    return this.statuses.find((s) => s.group === "new")?.id ?? null;
  }

  /** A decision is undone whole: every line of the order decided in the same stroke comes back. */
  private undo(requested: number[]): number[] {
    if (requested.length === 0) throw { code: "invalid_input", message: "No lines selected" };
    const ids = new Set(requested);
    for (const id of requested) {
      const order = this.line(id).order_id;
      const stroke = this.decisions.find((d) => d.lines.includes(id));
      for (const other of stroke?.lines ?? []) if (this.line(other).order_id === order) ids.add(other);
    }
    const lines = [...ids].map((id) => this.line(id));
    for (const l of lines) {
      if (l.line.state === "new") {
        throw { code: "invalid_transition", message: `Line «${l.line.name}» is already in the inbox` };
      }
      const stroke = this.decisions.find((d) => d.lines.includes(l.line.id));
      if (!stroke || stroke.sent) {
        throw {
          code: "invalid_transition",
          message: `Line «${l.line.name}» was already sent to the marketplace and cannot be undone`,
        };
      }
    }
    for (const l of lines) {
      l.line = { ...l.line, state: "new", decided_by_rule: null, bound_offer: null, shop_status_id: null };
      for (const d of this.decisions) d.lines = d.lines.filter((id) => id !== l.line.id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  private saveStatuses(list: ShopStatus[]): ShopStatus[] {
    if (!list.some((s) => s.group === "new")) {
      throw { code: "invalid_input", message: "Keep at least one status in the “new” group: accepted lines start there" };
    }
    if (list.some((s) => s.code == null && s.name.trim() === "")) {
      throw { code: "invalid_input", message: "Every status needs a name" };
    }
    for (const old of this.statuses.filter((o) => !list.some((s) => s.id === o.id))) {
      const used = this.lines.filter((l) => l.line.shop_status_id === old.id).length;
      if (used > 0) {
        throw {
          code: "invalid_transition",
          message: `${used} line(s) are in a status you removed; move them to another status first`,
        };
      }
    }
    this.statuses = list.map((s, position) => {
      const known = this.statuses.find((o) => o.id === s.id);
      return {
        id: known ? s.id : this.nextId++,
        code: known ? known.code : null,
        name: s.name.trim(),
        group: s.group,
        position,
      };
    });
    return structuredClone(this.statuses);
  }

  private pushSettings(accountId: number) {
    const account = this.account(accountId);
    const templates = structuredClone(this.pushTemplates.get(accountId) ?? emptyTemplates());
    const own = account.account.kind === "zzap";
    const capabilities = own ? dictionaryCapabilities(this.loadedStatuses.get(accountId) ?? []) : OZON_CAPABILITIES;
    return {
      account_id: accountId,
      templates,
      capabilities,
      problems: pushProblems(templates, capabilities),
      loads_statuses: own,
    };
  }

  /** What a comment template gets from a line (store::statuses::values); no tracking or reason yet. */
  private templateValues(l: InboxLine, status: ShopStatus): Record<string, string> {
    const values: Record<string, string> = {
      order: l.order_number,
      line: l.line.sku,
      name: l.line.name,
      qty: String(l.line.quantity),
      price: l.line.price,
      status: statusLabel(status),
    };
    if (l.line.bound_offer) {
      values.brand = l.line.bound_offer.brand;
      values.article = l.line.bound_offer.article;
    } else if (l.line.offer_id.trim() !== "") {
      values.article = l.line.offer_id;
    }
    return values;
  }

  /** The order's status as a whole, or null while lines differ or one is still in the inbox. */
  private orderState(orderId: number): number | null {
    const group = (g: StatusGroup) => this.statuses.find((s) => s.group === g)?.id ?? -1;
    const lines: [number, StatusGroup][] = [];
    for (const l of this.lines.filter((x) => x.order_id === orderId)) {
      if (l.line.state === "new") return null;
      if (l.line.state === "deleted") lines.push([group("removed"), "removed"]);
      else if (l.line.state === "rejected") lines.push([group("refused"), "refused"]);
      else {
        const id = l.line.shop_status_id;
        lines.push([id ?? -1, this.statuses.find((s) => s.id === id)?.group ?? "new"]);
      }
    }
    return orderStatus(lines);
  }

  /** Moves accepted lines to a status and queues what each account's pushes send for it. */
  private setLineStatus(lineIds: number[], statusId: number): StatusChangeReport {
    const ids = [...new Set(lineIds)];
    if (ids.length === 0) throw { code: "invalid_input", message: "No lines selected" };
    const status = this.status(statusId);
    const lines = ids.map((id) => this.line(id));
    const notAccepted = lines.find((l) => l.line.state !== "accepted");
    if (notAccepted) {
      throw {
        code: "invalid_transition",
        message: `Line ${notAccepted.line.id} is not accepted: only accepted lines move through the shop's statuses`,
      };
    }
    const orders = [...new Set(lines.map((l) => l.order_id))];
    const before = new Map(orders.map((o) => [o, this.orderState(o)]));
    for (const l of lines) l.line.shop_status_id = statusId;
    const report: StatusChangeReport = { changed: ids, outbox_rows: [], not_sent: [] };
    for (const order of orders) {
      const orderLines = lines.filter((l) => l.order_id === order);
      const first = orderLines[0];
      if (!first) continue;
      const templates = this.pushTemplates.get(first.account_id) ?? emptyTemplates();
      const caps = OZON_CAPABILITIES;
      const after = this.orderState(order);
      const reached = after === statusId && before.get(order) !== after;
      for (const push of templates.pushes.filter((p) => p.status_id === statusId)) {
        if (push.level === "order" && !reached) continue;
        const targets = push.level === "line" ? orderLines : [first];
        if (push.comment.trim() !== "") {
          const failed = targets
            .map((t) => renderTemplate(push.comment, this.templateValues(t, status)))
            .find((r) => typeof r !== "string");
          if (failed && typeof failed !== "string") {
            report.not_sent.push({ kind: "push_comment_failed", order: first.order_number, error: templateErrorText(failed) });
            continue;
          }
          if (!caps.comments) {
            report.not_sent.push({ kind: "push_no_comments", order: first.order_number });
          }
        }
        if (push.marketplace_status === "") continue;
        const allowed = push.level === "line" ? caps.line_statuses : caps.order_statuses;
        if (!allowed.includes(push.marketplace_status)) {
          report.not_sent.push({
            kind: "push_unsupported",
            order: first.order_number,
            status: push.marketplace_status,
            level: push.level,
          });
          continue;
        }
        const id = this.nextId++;
        this.outbox.push({
          id,
          account_id: first.account_id,
          order_id: order,
          shop_order_id: null,
          kind: push.marketplace_status,
          description: `${push.marketplace_status} ${first.order_number}`,
          effect: {
            effect: "other",
            order: "",
            items: null,
            reason: null,
            line: null,
            status: null,
            comment: null,
            tracking: null,
            description: `${push.marketplace_status} ${first.order_number}`,
          },
          state: "pending",
          attempts: 0,
          last_error: null,
          last_error_words: null,
          next_attempt_at: null,
          created_at: "2026-11-23T09:00:00Z",
          updated_at: "2026-11-23T09:00:00Z",
        });
        report.outbox_rows.push(id);
      }
    }
    return report;
  }

  private newLines(accountId: number | null): InboxLine[] {
    return this.lines.filter(
      (l) => l.line.state === "new" && !l.marketplace_cancelled && (accountId == null || l.account_id === accountId),
    );
  }

  /** The engine's evaluation: the first enabled rule whose conditions hold decides. */
  private decide(line: InboxLine): RuleOutcome {
    const set = this.ruleSets.get(line.account_id);
    const candidates = this.lineOffers(line).map((m) => m.offer);
    const offerPasses = (c: Condition, o: OfferView): boolean => {
      switch (c.type) {
        case "offer_in_lists":
          return c.list_ids.length === 0 || c.list_ids.includes(o.list_id);
        case "stock_covers_quantity":
          return o.stock != null && o.stock >= line.line.quantity;
        case "min_margin":
          return Number(line.line.price) >= Number(o.price) * (1 + Number(c.percent) / 100);
        case "max_delivery_days":
          return o.delivery_days != null && o.delivery_days <= c.days;
        case "brand_in":
          return c.brands.some((b) => articleKey(b) === articleKey(o.brand));
        case "brand_not_in":
          return !c.brands.some((b) => articleKey(b) === articleKey(o.brand));
        case "region_in":
          return true;
      }
    };
    let decision: RuleDecision = { type: "leave", rule_id: null, rule_name: null };
    let offer: OfferView | null = null;
    for (const rule of set?.rules.filter((r) => r.enabled) ?? []) {
      const region = (line.order_region ?? "").trim().toLowerCase();
      const linePasses = rule.conditions.every(
        (c) => c.type !== "region_in" || (region !== "" && c.regions.some((r) => r.trim().toLowerCase() === region)),
      );
      if (!linePasses) continue;
      const offerConditions = rule.conditions.filter((c) => c.type !== "region_in");
      const passing = candidates.filter((o) => offerConditions.every((c) => offerPasses(c, o)));
      if ((offerConditions.length > 0 || rule.action.type === "accept") && passing.length === 0) continue;
      const base = { rule_id: rule.id, rule_name: rule.name };
      if (rule.action.type === "accept") {
        const by = rule.action.by;
        const days = (o: OfferView) => o.delivery_days ?? Number.MAX_SAFE_INTEGER;
        const price = (o: OfferView) => Number(o.price);
        offer =
          [...passing].sort((a, b) =>
            by === "price" ? price(a) - price(b) || days(a) - days(b) : days(a) - days(b) || price(a) - price(b),
          )[0] ?? null;
        decision = { type: "accept", ...base, offer_id: offer?.id ?? 0 };
      } else if (rule.action.type === "reject") {
        decision = { type: "reject", ...base, reason_id: rule.action.reason_id, message: rule.action.message };
      } else {
        decision = { type: "leave", ...base };
      }
      break;
    }
    return {
      line_id: line.line.id,
      order_id: line.order_id,
      order_number: line.order_number,
      account_id: line.account_id,
      line_name: line.line.name,
      decision,
      offer,
      error: null,
    };
  }

  private applyRules(accountId: number): RuleOutcome[] {
    this.ruleSet(accountId);
    const done: RuleOutcome[] = [];
    for (const line of this.newLines(accountId)) {
      const outcome = this.decide(line);
      const d = outcome.decision;
      if (d.type === "leave") continue;
      line.line.decided_by_rule = d;
      if (d.type === "accept" && outcome.offer) {
        line.line.state = "accepted";
        line.line.bound_offer = {
          ...outcome.offer,
          offer_id: outcome.offer.id,
          quantity: line.line.quantity,
        };
      } else {
        line.line.state = "rejected";
      }
      done.push(outcome);
    }
    return done;
  }
}
