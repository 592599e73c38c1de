//! Records the real engine's answers for the UI's component tests (ui/src/test/fixtures/*.json):
//! the UI is tested against what the engine really says, not against a second engine written in
//! TypeScript. Like the ts-rs bindings, `cargo test` rewrites the files and CI checks that doing so
//! changes nothing, so a change in an answer's shape or content shows up in review and in the UI
//! tests that read it.
//!
//! Each scenario is a real SQLite database in a temporary directory, with the fake Ozon over HTTP
//! where orders are needed. Values that differ from run to run (times, the temporary directory,
//! the fake's port) are replaced by fixed ones, so that the files only change when the engine does.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use ordertray_core::delivery::{DeliveryKind, DeliveryMethod};
use ordertray_core::statuses::{ShopStatus, StatusGroup};
use ordertray_core::templates::PushTemplates;
use ordertray_core::{AppError, InboxQuery, TriageAction};
use serde::Serialize;
use serde_json::{json, Value};

/// Every time in a fixture reads as this instant (a Monday, in the UI's fixed test clock's day).
const FIXED_TIME: &str = "2026-03-02T09:30:00Z";

/// The common world, with the fake's generated postings sharing one ship-by: a scenario that runs
/// across a full hour would otherwise order its inbox differently (Ozon's ship-by is a cut-off on
/// the hour) and record another order.
async fn world() -> World {
    let w = common::world().await;
    w.fake.set_ship_by_from(chrono::Utc::now());
    w
}
const FIXED_DIR: &str = "/home/manager/.local/share/ordertray";
const FIXED_BASE_URL: &str = "http://127.0.0.1:8787";

/// The answers one scenario gave: per command, the arguments as the UI sends them (camelCase)
/// and what came back, an error as `{ "error": {code, message} }`. `step` counts the writes made
/// before: a read answers for the state after that many writes, and a write is the step-th one
/// (ui/src/test/recorded.ts serves them in that order).
struct Recording {
    name: &'static str,
    answers: Vec<Value>,
    writes: usize,
    /// Run-specific text to replace before writing: (what, by what).
    replace: Vec<(String, &'static str)>,
    /// Times the scenario set itself (and the UI sends back), kept as they are: from, to.
    pinned: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
}

impl Recording {
    fn new(name: &'static str, dir: &Path) -> Self {
        Self {
            name,
            answers: Vec::new(),
            writes: 0,
            replace: vec![(dir.display().to_string(), FIXED_DIR)],
            pinned: None,
        }
    }

    fn answer<T: Serialize>(&mut self, cmd: &str, args: Value, result: Result<T, AppError>) {
        self.push(cmd, args, result, false);
    }

    /// A command that changes the state: the reads recorded after it answer for the new state.
    fn write<T: Serialize>(&mut self, cmd: &str, args: Value, result: Result<T, AppError>) {
        self.push(cmd, args, result, true);
        self.writes += 1;
    }

    /// The engine changed the state by itself (a sync, a pushed order): the UI test moves on with
    /// `advance()` where it tells the window what the engine announced.
    fn engine_changed(&mut self, what: &str) {
        self.answers
            .push(json!({ "cmd": "@engine", "args": { "what": what }, "step": self.writes, "write": true }));
        self.writes += 1;
    }

    fn push<T: Serialize>(&mut self, cmd: &str, args: Value, result: Result<T, AppError>, write: bool) {
        let mut answer = json!({ "cmd": cmd, "args": args, "step": self.writes, "write": write });
        match result {
            Ok(value) => answer["ok"] = json!(value),
            Err(error) => answer["error"] = json!(error),
        }
        self.answers.push(answer);
    }

    fn save(self) {
        let mut text = serde_json::to_string_pretty(&json!({ "answers": self.answers })).unwrap();
        for (what, by) in &self.replace {
            text = text.replace(what.as_str(), by);
        }
        let mut value: Value = serde_json::from_str(&text).unwrap();
        fix_times(&mut value, self.pinned);
        let text = serde_json::to_string_pretty(&value).unwrap() + "\n";
        let path = fixtures_dir().join(format!("{}.json", self.name));
        // Rewritten only when different, like ts-rs: an unchanged file keeps its timestamp.
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../ui/src/test/fixtures")
}

/// Any RFC 3339 time becomes [`FIXED_TIME`] (dates alone are left: they come from the data), but
/// for the times in the `pinned` span, which the scenario set itself.
fn fix_times(
    value: &mut Value,
    pinned: Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)>,
) {
    match value {
        Value::String(s) => {
            if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                let kept = pinned.is_some_and(|(from, to)| t >= from && t <= to);
                if !kept {
                    *s = FIXED_TIME.into();
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| fix_times(v, pinned)),
        Value::Object(fields) => fields.values_mut().for_each(|v| fix_times(v, pinned)),
        _ => {}
    }
}

/// A new database, nothing set up yet: what the first start shows.
#[tokio::test]
async fn fresh_database() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let mut r = Recording::new("fresh", dir.path());
    r.answer("app_info", json!({}), engine.app_info().await);
    r.answer("list_accounts", json!({}), engine.list_accounts().await);
    r.answer("get_settings", json!({}), engine.settings().await);
    r.answer("shop_statuses", json!({}), engine.shop_statuses().await);
    r.answer(
        "inbox",
        json!({}),
        engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer(
        "customers",
        json!({ "search": null, "limit": 200, "after": null }),
        engine.customers_page("", None, 200).await,
    );
    r.answer(
        "shop_orders",
        json!({ "customerId": null, "limit": null }),
        engine.shop_orders(None, 1_000).await,
    );
    r.answer("price_lists", json!({}), engine.price_lists().await);
    r.answer("intake_settings", json!({}), engine.intake_settings().await);
    r.answer(
        "intake_status",
        json!({}),
        Ok::<_, AppError>(engine.intake_status()),
    );
    r.save();
}

/// An Ozon account with three new postings; two accepted and delivered to Ozon, which makes them
/// shop orders.
#[tokio::test]
async fn ozon_orders_accepted() {
    let w = world().await;
    let mut r = Recording::new("ozon_orders", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let postings = w.fake.generate_postings(3, 2);
    w.engine.sync_account(w.account).await.unwrap();

    r.answer("app_info", json!({}), w.engine.app_info().await);
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.answer("shop_statuses", json!({}), w.engine.shop_statuses().await);
    let new_lines = inbox(&w.engine).await;
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    let first_order = new_lines[0].order_id;
    r.answer(
        "order_detail",
        json!({ "id": first_order }),
        w.engine.order_detail(first_order).await,
    );

    for posting in &postings[..2] {
        let lines: Vec<i64> = lines_of(&new_lines, posting).iter().map(|l| l.line.id).collect();
        w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    }
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().delivered, 2);

    let customers = w.engine.customers_page("", None, 200).await.unwrap();
    r.answer(
        "customers",
        json!({ "search": null, "limit": 200, "after": null }),
        Ok::<_, AppError>(customers.clone()),
    );
    let orders = w.engine.shop_orders(None, 1_000).await.unwrap();
    r.answer(
        "shop_orders",
        json!({ "customerId": null, "limit": null }),
        Ok::<_, AppError>(orders.clone()),
    );
    for customer in &customers.rows {
        let theirs = w.engine.shop_orders(Some(customer.customer.id), 1_000).await;
        r.answer(
            "shop_orders",
            json!({ "customerId": customer.customer.id, "limit": null }),
            theirs,
        );
    }
    for order in &orders {
        r.answer(
            "shop_order_full",
            json!({ "id": order.id }),
            w.engine.shop_order_full(order.id).await,
        );
    }
    r.save();
}

/// An Ozon account with a posting of two products and one of one product: the inbox before and
/// after the manager accepts its first two lines.
#[tokio::test]
async fn ozon_inbox_triage() {
    let w = world().await;
    let mut r = Recording::new("ozon_inbox", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();

    r.answer("app_info", json!({}), w.engine.app_info().await);
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.answer("shop_statuses", json!({}), w.engine.shop_statuses().await);
    let lines = inbox(&w.engine).await;
    assert_eq!(lines.len(), 3);
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );

    let first_two: Vec<i64> = lines[..2].iter().map(|l| l.line.id).collect();
    let accepted = w.engine.triage(&first_two, TriageAction::Accept).await;
    r.write(
        "triage",
        json!({ "lines": first_two, "action": "accept" }),
        accepted,
    );
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer("app_info", json!({}), w.engine.app_info().await);
    r.save();
}

/// The same inbox; the manager rejects the second line, then deletes the third.
#[tokio::test]
async fn ozon_inbox_reject_then_delete() {
    let w = world().await;
    let mut r = Recording::new("ozon_inbox_reject", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    record_start(&mut r, &w.engine).await;
    let lines: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();

    for (line, action, word) in [
        (lines[1], TriageAction::Reject, "reject"),
        (lines[2], TriageAction::Delete, "delete"),
    ] {
        let report = w.engine.triage(&[line], action).await;
        r.write("triage", json!({ "lines": [line], "action": word }), report);
        r.answer(
            "inbox",
            json!({}),
            w.engine.inbox_page(&InboxQuery::default()).await,
        );
        r.answer("app_info", json!({}), w.engine.app_info().await);
    }
    r.save();
}

/// The same inbox, but its first line was accepted elsewhere (the CLI, a second window) after the
/// window last read it: accepting it again is refused with the engine's own error.
#[tokio::test]
async fn ozon_inbox_stale_accept() {
    let w = world().await;
    let mut r = Recording::new("ozon_inbox_stale", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let before = inbox(&w.engine).await;
    record_start(&mut r, &w.engine).await;
    let first = before[0].line.id;
    w.engine.triage(&[first], TriageAction::Accept).await.unwrap();

    let again = w.engine.triage(&[first], TriageAction::Accept).await;
    assert!(
        again.is_err(),
        "a decided line cannot be accepted twice: {again:?}"
    );
    r.write("triage", json!({ "lines": [first], "action": "accept" }), again);
    // The window reads the inbox again after a failure: the line has gone from it.
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.save();
}

/// What every screen reads first: the accounts, the counts, settings, statuses and the inbox.
async fn record_start(r: &mut Recording, engine: &ordertray_engine::Engine) {
    r.answer("app_info", json!({}), engine.app_info().await);
    r.answer("list_accounts", json!({}), engine.list_accounts().await);
    r.answer("get_settings", json!({}), engine.settings().await);
    r.answer("shop_statuses", json!({}), engine.shop_statuses().await);
    r.answer(
        "inbox",
        json!({}),
        engine.inbox_page(&InboxQuery::default()).await,
    );
}

/// An Ozon account's status updates: the settings as they start, then two saves the status-update
/// editor makes, each answered with the problems the engine finds for Ozon (a status Ozon cannot
/// be set to, comments it cannot carry).
#[tokio::test]
async fn ozon_push_settings() {
    let w = world().await;
    let mut r = Recording::new("ozon_pushes", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let account = json!({ "accountId": w.account });
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    r.answer("shop_statuses", json!({}), w.engine.shop_statuses().await);
    r.answer(
        "push_settings",
        account.clone(),
        w.engine.push_settings(w.account).await,
    );

    let last_status = w.engine.shop_statuses().await.unwrap().last().unwrap().id;
    let texts: PushTemplates = serde_json::from_value(json!({
        "accepted_status": "awaiting_deliver",
        "accepted_notice": "Принят {order}",
        "refusal_status": "cancel",
        "refusal_text": "",
        "buyer_cancel_status_id": null,
        "incoming": [],
        "pushes": [],
    }))
    .unwrap();
    let saved = w.engine.save_push_settings(w.account, &texts).await;
    r.write(
        "save_push_settings",
        json!({ "accountId": w.account, "templates": texts }),
        saved,
    );
    let per_status: PushTemplates = serde_json::from_value(json!({
        "accepted_status": "",
        "accepted_notice": "",
        "refusal_status": "",
        "refusal_text": "",
        "buyer_cancel_status_id": null,
        "incoming": [],
        "pushes": [{ "status_id": last_status, "level": "order", "marketplace_status": "awaiting_deliver", "comment": "" }],
    }))
    .unwrap();
    let saved = w.engine.save_push_settings(w.account, &per_status).await;
    r.write(
        "save_push_settings",
        json!({ "accountId": w.account, "templates": per_status }),
        saved,
    );
    r.save();
}

/// Settings → statuses with an accepted line in "Accepted": the three saves the editor sends that
/// the engine refuses (no status left in "new"; a status without a name; removing the status a
/// line is in), each as the UI sends it (the list in workflow order, `position` its index).
#[tokio::test]
async fn shop_status_refusals() {
    let w = world().await;
    let mut r = Recording::new("status_refusals", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    record_start(&mut r, &w.engine).await;
    let built_in = w.engine.shop_statuses().await.unwrap();
    let as_sent = |list: Vec<ShopStatus>| -> Vec<ShopStatus> {
        list.into_iter()
            .enumerate()
            .map(|(position, s)| ShopStatus {
                position: position as i64,
                ..s
            })
            .collect()
    };

    let mut no_new = built_in.clone();
    no_new[0].group = StatusGroup::InWork;
    let mut unnamed = built_in.clone();
    unnamed.push(ShopStatus {
        id: 0,
        code: None,
        name: String::new(),
        group: StatusGroup::InWork,
        position: 0,
        writes_off: false,
    });
    // "Confirmed" made a "new" status ("Pre-order" does not count: it is for pre-orders only).
    let mut line_status_gone = built_in.clone();
    assert_eq!(line_status_gone[2].code.as_deref(), Some("confirmed"));
    line_status_gone[2].group = StatusGroup::New;
    line_status_gone.remove(0);
    for list in [no_new, unnamed, line_status_gone] {
        let list = as_sent(list);
        let refused = w.engine.save_shop_statuses(&list).await;
        assert!(refused.is_err(), "the engine refuses {list:?}");
        r.write("save_shop_statuses", json!({ "statuses": list }), refused);
    }
    r.answer("shop_statuses", json!({}), w.engine.shop_statuses().await);
    r.save();
}

/// An Ozon account with one posting of two products in the inbox; then a sync brings a new
/// posting of one product.
#[tokio::test]
async fn ozon_inbox_new_posting() {
    let w = world().await;
    let mut r = Recording::new("ozon_inbox_live", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.engine.sync_account(w.account).await.unwrap();
    record_start(&mut r, &w.engine).await;

    w.fake.generate_postings(1, 1);
    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(report.lines_new, 1);
    r.engine_changed("sync");
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer("app_info", json!({}), w.engine.app_info().await);
    r.save();
}

/// The same inbox; the manager rejects the last line, then opens the first line's order.
#[tokio::test]
async fn ozon_inbox_reject_and_open() {
    let w = world().await;
    let mut r = Recording::new("ozon_inbox_open", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    record_start(&mut r, &w.engine).await;
    let lines = inbox(&w.engine).await;

    let last = lines[2].line.id;
    let rejected = w.engine.triage(&[last], TriageAction::Reject).await;
    r.write("triage", json!({ "lines": [last], "action": "reject" }), rejected);
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer("app_info", json!({}), w.engine.app_info().await);
    let order = lines[0].order_id;
    r.answer(
        "order_detail",
        json!({ "id": order }),
        w.engine.order_detail(order).await,
    );
    r.save();
}

/// Settings → statuses: the manager renames "ordered", removes "in stock" and adds "Paid" right
/// after "Accepted"; the save as the editor sends it and the list the engine answers with.
#[tokio::test]
async fn shop_statuses_edit() {
    let w = world().await;
    let mut r = Recording::new("statuses_edit", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &w.engine).await;
    let mut list = w.engine.shop_statuses().await.unwrap();
    let at =
        |list: &[ShopStatus], code: &str| list.iter().position(|s| s.code.as_deref() == Some(code)).unwrap();
    let ordered = at(&list, "ordered");
    list[ordered].name = "Ordered at Emex".into();
    list.remove(at(&list, "in_stock"));
    list.insert(
        1,
        ShopStatus {
            id: 0,
            code: None,
            name: "Paid".into(),
            group: StatusGroup::New,
            position: 0,
            writes_off: false,
        },
    );
    let list: Vec<ShopStatus> = list
        .into_iter()
        .enumerate()
        .map(|(position, s)| ShopStatus {
            position: position as i64,
            ..s
        })
        .collect();
    let saved = w.engine.save_shop_statuses(&list).await;
    assert!(saved.is_ok(), "{saved:?}");
    r.write("save_shop_statuses", json!({ "statuses": list }), saved);
    r.answer("shop_statuses", json!({}), w.engine.shop_statuses().await);
    r.save();
}

/// A shop that named its "shipped" status itself ("Передан в СДЭК").
#[tokio::test]
async fn shop_statuses_renamed() {
    let w = world().await;
    let mut r = Recording::new("statuses_renamed", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let mut list = w.engine.shop_statuses().await.unwrap();
    let shipped = list
        .iter_mut()
        .find(|s| s.code.as_deref() == Some("shipped"))
        .unwrap();
    shipped.name = "Передан в СДЭК".into();
    w.engine.save_shop_statuses(&list).await.unwrap();
    record_start(&mut r, &w.engine).await;
    r.save();
}

/// A new database; the manager connects a ZZAP account (login, password, API key, status codes)
/// as the account form sends it.
#[tokio::test]
async fn zzap_account_added() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let mut r = Recording::new("zzap_account", dir.path());
    record_start(&mut r, &engine).await;
    let draft = json!({
        "name": "ZZAP shop",
        "region": "",
        "active": true,
        "interval_secs": 60,
        "base_url": null,
        "settings": {
            "kind": "zzap",
            "login": "shop@example.ru",
            "import_codes": ["1", "2", "3"],
            "buyer_cancel_codes": ["6"],
            "min_request_interval_ms": 3000,
            "password_env": null,
            "api_key_env": null,
        },
    });
    let secrets = json!({ "password": "pa55-word", "api_key": "zz-key-1" });
    let added = engine
        .add_account(
            serde_json::from_value(draft.clone()).unwrap(),
            serde_json::from_value(secrets.clone()).unwrap(),
        )
        .await;
    assert!(added.is_ok(), "{added:?}");
    // As the add_account command does after the engine's part.
    engine
        .update_settings(ordertray_core::AppSettings::after_first_account)
        .await
        .unwrap();
    r.write(
        "add_account",
        json!({ "draft": draft, "secrets": secrets }),
        added,
    );
    r.answer("list_accounts", json!({}), engine.list_accounts().await);
    r.answer("app_info", json!({}), engine.app_info().await);
    r.answer("get_settings", json!({}), engine.settings().await);
    r.save();
}

/// The inbox the undo tests start from: a posting of two products and one of one, decisions held
/// for the undo window as the app holds them. The lines in the order the inbox lists them.
async fn undo_world(name: &'static str) -> (World, Recording, Vec<i64>) {
    let w = world().await;
    w.engine.set_undo_window(std::time::Duration::from_secs(6));
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let lines: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    assert_eq!(lines.len(), 3);
    (w, r, lines)
}

/// The inbox screen's first page of a view, as it asks for it (`INBOX_PAGE` in ui/src/queries.ts).
fn first_page() -> InboxQuery {
    InboxQuery {
        limit: Some(200),
        ..InboxQuery::default()
    }
}

/// The inbox's views (the others before the new lines: a read recorded with no arguments fits any
/// query), the counts, and each order as the preview shows it.
async fn record_inbox(r: &mut Recording, w: &World) {
    use ordertray_core::LineState;
    let views = [LineState::Accepted, LineState::Rejected, LineState::Deleted]
        .map(|state| InboxQuery {
            state,
            ..first_page()
        })
        .into_iter()
        .chain([InboxQuery {
            processed: true,
            ..first_page()
        }]);
    for query in views {
        r.answer(
            "inbox",
            json!({ "query": query }),
            w.engine.inbox_page(&query).await,
        );
    }
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer("app_info", json!({}), w.engine.app_info().await);
    for order in w.engine.orders(None, None).await.unwrap() {
        r.answer(
            "order_detail",
            json!({ "id": order.id }),
            w.engine.order_detail(order.id).await,
        );
    }
}

async fn undo_start(r: &mut Recording, w: &World) {
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.answer("shop_statuses", json!({}), w.engine.shop_statuses().await);
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    record_inbox(r, w).await;
}

/// The manager accepts the first two lines, then undoes that decision.
#[tokio::test]
async fn undo_accept() {
    let (w, mut r, lines) = undo_world("undo_accept").await;
    undo_start(&mut r, &w).await;
    let two = &lines[..2];
    let accepted = w.engine.triage(two, TriageAction::Accept).await;
    // The window undoes the lines the engine reports changed.
    let changed = accepted.as_ref().unwrap().changed.clone();
    r.write("triage", json!({ "lines": two, "action": "accept" }), accepted);
    record_inbox(&mut r, &w).await;
    let undone = w.engine.undo_triage(&changed).await;
    assert!(undone.is_ok(), "{undone:?}");
    r.write("undo_triage", json!({ "lines": changed }), undone);
    record_inbox(&mut r, &w).await;
    r.save();
}

/// The manager rejects the third line and deletes the second; then undoes the deletion, then
/// the rejection.
#[tokio::test]
async fn undo_twice() {
    let (w, mut r, lines) = undo_world("undo_twice").await;
    undo_start(&mut r, &w).await;
    for (line, action, word) in [
        (lines[2], TriageAction::Reject, "reject"),
        (lines[1], TriageAction::Delete, "delete"),
    ] {
        let report = w.engine.triage(&[line], action).await;
        r.write("triage", json!({ "lines": [line], "action": word }), report);
        record_inbox(&mut r, &w).await;
    }
    for line in [lines[1], lines[2]] {
        let undone = w.engine.undo_triage(&[line]).await;
        assert!(undone.is_ok(), "{undone:?}");
        r.write("undo_triage", json!({ "lines": [line] }), undone);
        record_inbox(&mut r, &w).await;
    }
    r.save();
}

/// The manager accepts the first line (a posting of its own, so accepting it ships the posting);
/// the call goes out once the undo window is over, and undo is then refused.
#[tokio::test]
async fn undo_after_sent() {
    let (w, mut r, lines) = undo_world("undo_sent").await;
    undo_start(&mut r, &w).await;
    let first = [lines[0]];
    let accepted = w.engine.triage(&first, TriageAction::Accept).await;
    r.write("triage", json!({ "lines": first, "action": "accept" }), accepted);
    record_inbox(&mut r, &w).await;
    let later = chrono::Utc::now() + chrono::Duration::seconds(61);
    assert_eq!(w.engine.drain_outbox_at(later).await.unwrap().delivered, 1);
    r.engine_changed("outbox");
    record_inbox(&mut r, &w).await;
    let refused = w.engine.undo_triage(&first).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write("undo_triage", json!({ "lines": first }), refused);
    record_inbox(&mut r, &w).await;
    r.save();
}

/// A price list with one offer for the first line's article; the manager accepts the line with
/// it, then undoes that.
#[tokio::test]
async fn undo_accept_with_offer() {
    let (w, mut r, lines) = undo_world("undo_offer").await;
    let first = inbox(&w.engine).await[0].clone();
    let csv = w.db.parent().unwrap().join("supplier-a.csv");
    std::fs::write(
        &csv,
        format!(
            "Brand;Article;Name;Price\nBOSCH;{};Offer;1200.00\n",
            first.line.offer_id
        ),
    )
    .unwrap();
    let settings: ordertray_core::pricelist::ListSettings = serde_json::from_value(json!({
        "mapping": { "brand": 0, "article": 1, "name": 2, "price": 3, "stock": null, "delivery_days": null, "supplier": null },
        "options": { "delimiter": ";", "encoding": "utf-8", "header": true },
    }))
    .unwrap();
    w.engine
        .import_price_list(&csv, "Supplier A", Some(settings))
        .await
        .unwrap();
    undo_start(&mut r, &w).await;
    let offers = w.engine.line_offers(lines[0]).await;
    let offer = offers.as_ref().unwrap()[0].offer.id;
    r.answer("line_offers", json!({ "lineId": lines[0] }), offers);
    let binding = json!({ "offer_id": offer, "quantity": null, "price": null });
    let accepted = w
        .engine
        .accept_with_offer(lines[0], &serde_json::from_value(binding.clone()).unwrap())
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
    r.write(
        "accept_with_offer",
        json!({ "lineId": lines[0], "binding": binding }),
        accepted,
    );
    record_inbox(&mut r, &w).await;
    let undone = w.engine.undo_triage(&lines[..1]).await;
    assert!(undone.is_ok(), "{undone:?}");
    r.write("undo_triage", json!({ "lines": &lines[..1] }), undone);
    record_inbox(&mut r, &w).await;
    r.save();
}

/// The first line was deleted; the manager restores it from the Deleted view.
#[tokio::test]
async fn undo_restore_deleted() {
    let (w, mut r, lines) = undo_world("undo_restore").await;
    w.engine.triage(&lines[..1], TriageAction::Delete).await.unwrap();
    undo_start(&mut r, &w).await;
    let restored = w.engine.triage(&lines[..1], TriageAction::Restore).await;
    assert!(restored.is_ok(), "{restored:?}");
    r.write(
        "triage",
        json!({ "lines": &lines[..1], "action": "restore" }),
        restored,
    );
    record_inbox(&mut r, &w).await;
    r.save();
}

/// Two Ozon postings of one product each, both at 1530.00 × 1: "Brake pad" (article ART-1, SKU
/// 1001, the newer, listed first) and "Oil filter" (OF-2, SKU 1002). Supplier A offers BOSCH
/// ART-1; Supplier B "art 1" (the same article spelt otherwise), Febi 1001 (the SKU) and Mann
/// W-712 (nothing of the inbox's). The lines in inbox order, and each offer's id by brand.
async fn offers_world(name: &'static str) -> (World, Recording, Vec<i64>, Vec<(String, i64)>) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let now = chrono::Utc::now();
    for (seq, at, name, article, sku) in [
        (
            902,
            now - chrono::Duration::minutes(1),
            "Oil filter",
            "OF-2",
            1002,
        ),
        (901, now, "Brake pad", "ART-1", 1001),
    ] {
        let mut posting = ordertray_fakes::ozon::sample_posting(seq, 1, at);
        let product = &mut posting["products"][0];
        product["name"] = json!(name);
        product["offer_id"] = json!(article);
        product["sku"] = json!(sku);
        product["quantity"] = json!(1);
        product["price"]["amount"] = json!("1530.00");
        // One ship-by for both, so the inbox lists them newest first whatever the hour.
        posting["shipment_date"] = json!((now + chrono::Duration::days(2)).to_rfc3339());
        w.fake.add_posting(posting);
    }
    w.engine.sync_account(w.account).await.unwrap();
    let lines: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    assert_eq!(lines.len(), 2);
    import_list(&w, "Supplier A", "BOSCH;ART-1;Brake pad;1200.00;5;5\n").await;
    import_list(
        &w,
        "Supplier B",
        "Mann;art 1;Brake pad;1300.00;5;1\nFebi;1001;Brake pad;1100.00;5;\nMann;W-712;Oil filter;300.00;5;3\n",
    )
    .await;
    let mut offers = Vec::new();
    for brand in ["bosch", "mann", "febi"] {
        for o in w.engine.search_offers(brand, 100).await.unwrap() {
            offers.push((format!("{} {}", o.brand, o.article), o.id));
        }
    }
    (w, r, lines, offers)
}

/// Imports (or re-imports) a list of "brand;article;name;price;stock;days" rows.
async fn import_list(w: &World, name: &str, rows: &str) {
    let csv = w.db.parent().unwrap().join(format!("{name}.csv"));
    std::fs::write(&csv, format!("Brand;Article;Name;Price;Stock;Days\n{rows}")).unwrap();
    let settings: ordertray_core::pricelist::ListSettings = serde_json::from_value(json!({
        "mapping": { "brand": 0, "article": 1, "name": 2, "price": 3, "stock": 4, "delivery_days": 5, "supplier": null },
        "options": { "delimiter": ";", "encoding": "utf-8", "header": true },
    }))
    .unwrap();
    w.engine
        .import_price_list(&csv, name, Some(settings))
        .await
        .unwrap();
}

fn offer_id(offers: &[(String, i64)], what: &str) -> i64 {
    offers
        .iter()
        .find(|(name, _)| name == what)
        .unwrap_or_else(|| panic!("no offer {what} in {offers:?}"))
        .1
}

/// What the inbox and the offer panel read: each line's offers, the search as typed.
async fn offers_start(r: &mut Recording, w: &World, lines: &[i64]) {
    undo_start(r, w).await;
    for line in lines {
        r.answer(
            "line_offers",
            json!({ "lineId": line }),
            w.engine.line_offers(*line).await,
        );
    }
    for text in ["w-", "w-7", "w-71", "w-712"] {
        r.answer(
            "search_offers",
            json!({ "text": text, "limit": 50 }),
            w.engine.search_offers(text, 50).await,
        );
    }
}

/// The manager accepts "Brake pad" with Supplier A's BOSCH offer, 2 of them at 1150.5.
#[tokio::test]
async fn offers_accept() {
    let (w, mut r, lines, offers) = offers_world("offers").await;
    offers_start(&mut r, &w, &lines).await;
    let binding = json!({ "offer_id": offer_id(&offers, "BOSCH ART-1"), "quantity": 2, "price": "1150.5" });
    let accepted = w
        .engine
        .accept_with_offer(lines[0], &serde_json::from_value(binding.clone()).unwrap())
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
    r.write(
        "accept_with_offer",
        json!({ "lineId": lines[0], "binding": binding }),
        accepted,
    );
    record_inbox(&mut r, &w).await;
    r.save();
}

/// "Oil filter" has no offer of its own; the manager finds Mann W-712 by search and accepts it.
#[tokio::test]
async fn offers_by_search() {
    let (w, mut r, lines, offers) = offers_world("offers_search").await;
    offers_start(&mut r, &w, &lines).await;
    let binding = json!({ "offer_id": offer_id(&offers, "Mann W-712"), "quantity": null, "price": null });
    let accepted = w
        .engine
        .accept_with_offer(lines[1], &serde_json::from_value(binding.clone()).unwrap())
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
    r.write(
        "accept_with_offer",
        json!({ "lineId": lines[1], "binding": binding }),
        accepted,
    );
    record_inbox(&mut r, &w).await;
    r.save();
}

/// The panel listed "Brake pad"'s offers, then Supplier B was imported again: accepting with the
/// cheapest offer as listed is refused.
#[tokio::test]
async fn offers_gone() {
    let (w, mut r, lines, offers) = offers_world("offers_gone").await;
    offers_start(&mut r, &w, &lines).await;
    import_list(&w, "Supplier B", "Febi;1001;Brake pad;1100.00;5;\n").await;
    let binding = json!({ "offer_id": offer_id(&offers, "Febi 1001"), "quantity": null, "price": null });
    let refused = w
        .engine
        .accept_with_offer(lines[0], &serde_json::from_value(binding.clone()).unwrap())
        .await;
    assert!(refused.is_err(), "{refused:?}");
    r.write(
        "accept_with_offer",
        json!({ "lineId": lines[0], "binding": binding }),
        refused,
    );
    record_inbox(&mut r, &w).await;
    r.save();
}

/// Two Ozon accounts, "Shop A" and "Shop B" (the same fake Ozon). Shop A has a posting of "Brake
/// pad" (ART-1) and "Disc" (ART-2), and an older one of "Arm" (ART-3), all at 1530.00 × 1 and to
/// Москва. Supplier A (the first list) offers BOSCH ART-1 at 1200 in 2 days; Supplier B has an
/// offer for none of them. Shop B's rules: "B only", which leaves lines alone.
async fn rules_world(name: &'static str, rules: Value) -> (World, Recording) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let mut shop_b = draft(&w.fake.base_url());
    shop_b.name = "Shop B".into();
    let secret = std::collections::HashMap::from([("api_key".to_string(), API_KEY.to_string())]);
    let b = w.engine.add_account(shop_b, secret).await.unwrap().id;
    import_list(&w, "Supplier A", "BOSCH;ART-1;Brake pad;1200.00;5;2\n").await;
    import_list(&w, "Supplier B", "Mann;W-712;Oil filter;300.00;5;3\n").await;
    let set = |account: i64, enabled: bool, rules: Value| -> ordertray_core::rules::RuleSet {
        serde_json::from_value(json!({ "account_id": account, "enabled": enabled, "rules": rules })).unwrap()
    };
    let leave = json!([{ "id": 0, "name": "B only", "enabled": true, "conditions": [], "action": { "type": "leave" } }]);
    w.engine.save_rule_set(&set(b, true, leave)).await.unwrap();
    // Shop A's rules are off: the sync leaves the lines for the manager.
    w.engine
        .save_rule_set(&set(w.account, false, rules))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    for (seq, at, products) in [
        (911, now, vec![("Brake pad", "ART-1"), ("Disc", "ART-2")]),
        (912, now - chrono::Duration::minutes(1), vec![("Arm", "ART-3")]),
    ] {
        let mut posting = ordertray_fakes::ozon::sample_posting(seq, products.len(), at);
        posting["analytics_data"]["region"] = json!("Москва");
        for (i, (name, article)) in products.into_iter().enumerate() {
            let product = &mut posting["products"][i];
            product["name"] = json!(name);
            product["offer_id"] = json!(article);
            product["quantity"] = json!(1);
            product["price"]["amount"] = json!("1530.00");
        }
        w.fake.add_posting(posting);
    }
    w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(inbox(&w.engine).await.len(), 3);
    (w, r)
}

/// What the rules screen reads: the accounts' rule sets and Shop A's cancel reasons.
async fn rules_start(r: &mut Recording, w: &World) {
    undo_start(r, w).await;
    for account in w.engine.list_accounts().await.unwrap() {
        let id = account.account.id;
        r.answer(
            "rule_set",
            json!({ "accountId": id }),
            w.engine.rule_set(id).await,
        );
    }
    // The window sends the stored account as a draft, with no secrets.
    let a = w.engine.account(w.account).await.unwrap();
    let draft = ordertray_core::AccountDraft {
        name: a.name,
        region: a.region,
        active: a.active,
        interval_secs: a.interval_secs,
        base_url: a.base_url,
        settings: a.settings,
    };
    let reasons = w
        .engine
        .cancel_reasons(draft, Default::default(), Some(w.account))
        .await;
    r.answer("cancel_reasons", json!({ "id": w.account }), reasons);
}

/// Shop A has no rules yet; the manager saves two, as the rules editor sends them.
#[tokio::test]
async fn rules_edit() {
    let (w, mut r) = rules_world("rules_edit", json!([])).await;
    rules_start(&mut r, &w).await;
    let list = w.engine.price_lists().await.unwrap();
    let supplier_a = list.iter().find(|l| l.name == "Supplier A").unwrap().id;
    let set = json!({
        "account_id": w.account,
        "enabled": true,
        "rules": [
            { "id": 0, "name": "Rule 2", "enabled": true, "conditions": [], "action": { "type": "reject", "reason_id": 400, "message": "Нет в наличии" } },
            {
                "id": 0,
                "name": "Cheap Bosch",
                "enabled": true,
                "conditions": [
                    { "type": "offer_in_lists", "list_ids": [supplier_a] },
                    { "type": "min_margin", "percent": "15.5" },
                    { "type": "brand_in", "brands": ["Bosch", "Mann"] },
                ],
                "action": { "type": "accept", "by": "delivery" },
            },
        ],
    });
    let saved = w
        .engine
        .save_rule_set(&serde_json::from_value(set.clone()).unwrap())
        .await;
    assert!(saved.is_ok(), "{saved:?}");
    r.write("save_rule_set", json!({ "set": set }), saved);
    r.answer(
        "rule_set",
        json!({ "accountId": w.account }),
        w.engine.rule_set(w.account).await,
    );
    r.save();
}

/// Shop A's rules (off): cheap Bosch offers are accepted, a rule that is off, and the rest to
/// Москва rejected.
fn shop_a_rules() -> Value {
    json!([
        {
            "id": 0,
            "name": "Cheap Bosch",
            "enabled": true,
            "conditions": [{ "type": "brand_in", "brands": ["bosch"] }, { "type": "min_margin", "percent": "15" }],
            "action": { "type": "accept", "by": "price" },
        },
        { "id": 0, "name": "Off for now", "enabled": false, "conditions": [], "action": { "type": "leave" } },
        {
            "id": 0,
            "name": "Reject the rest",
            "enabled": true,
            "conditions": [{ "type": "region_in", "regions": ["москва"] }],
            "action": { "type": "reject", "reason_id": null, "message": null },
        },
    ])
}

/// The manager runs Shop A's rules dry, then applies them.
#[tokio::test]
async fn rules_apply() {
    let (w, mut r) = rules_world("rules_apply", shop_a_rules()).await;
    rules_start(&mut r, &w).await;
    let account = json!({ "accountId": w.account });
    r.answer(
        "dry_run_rules",
        account.clone(),
        w.engine.dry_run_rules(Some(w.account)).await,
    );
    let applied = w.engine.apply_rules(w.account).await;
    assert_eq!(applied.as_ref().map(|a| a.len()).unwrap_or(0), 3, "{applied:?}");
    r.write("apply_rules", account, applied);
    record_inbox(&mut r, &w).await;
    r.save();
}

/// Shop A's rules were applied: the Processed view lists what they decided.
#[tokio::test]
async fn rules_processed() {
    let (w, mut r) = rules_world("rules_processed", shop_a_rules()).await;
    w.engine.apply_rules(w.account).await.unwrap();
    undo_start(&mut r, &w).await;
    r.save();
}

/// Settings → data retention, on a database that moves a customer's region: the manager keeps
/// sync runs 14 days and intake requests 365; then a period the engine refuses (5 days).
#[tokio::test]
async fn retention_settings() {
    let w = world().await;
    let mut r = Recording::new("retention", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.engine
        .update_settings(|s| ordertray_core::AppSettings {
            move_customer_region: true,
            ..s
        })
        .await
        .unwrap();
    record_start(&mut r, &w.engine).await;
    let mut settings = w.engine.settings().await.unwrap();
    settings.retention.sync_runs_days = 14;
    settings.retention.intake_requests_days = 365;
    let saved = w.engine.save_settings(settings.clone()).await;
    assert!(saved.is_ok(), "{saved:?}");
    r.write("save_settings", json!({ "settings": settings }), saved);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    settings.retention.sync_runs_days = 5;
    let refused = w.engine.save_settings(settings.clone()).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write("save_settings", json!({ "settings": settings }), refused);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.save();
}

/// Settings → Delivery: the manager adds "CDEK courier" (a fixed 500.00, up to 3 days, orders of
/// the "through" type, known to Shiptor as "cdek-courier"); the engine gives it its id. A second
/// method named like the built-in courier is then refused, and the saved ones stay.
#[tokio::test]
async fn delivery_settings() {
    let w = world().await;
    let mut r = Recording::new("delivery", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &w.engine).await;
    let mut settings = w.engine.settings().await.unwrap();
    let mut cdek = DeliveryMethod {
        carrier: "CDEK".into(),
        base: rust_decimal::Decimal::from(500),
        term_days: Some(3),
        order_type: Some(ordertray_core::cabinet::OrderType::Through),
        ..DeliveryMethod::new("", "CDEK courier", DeliveryKind::Courier)
    };
    cdek.codes.insert("shiptor".into(), "cdek-courier".into());
    settings.delivery_methods.push(cdek);
    let saved = w.engine.save_settings(settings.clone()).await;
    assert_eq!(
        saved
            .as_ref()
            .ok()
            .and_then(|s| s.delivery_methods.last())
            .map(|m| m.id.as_str()),
        Some("cdek_courier"),
        "{saved:?}"
    );
    r.write("save_settings", json!({ "settings": settings }), saved);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    let mut settings = w.engine.settings().await.unwrap();
    settings
        .delivery_methods
        .push(DeliveryMethod::new("", "курьер", DeliveryKind::Courier));
    let refused = w.engine.save_settings(settings.clone()).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write("save_settings", json!({ "settings": settings }), refused);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.save();
}

/// Three realFBS postings with named buyers (Ozon gives them only where the seller delivers):
/// two of Иван Петров, the newest of Anna Nowak. All accepted and delivered to Ozon, which makes
/// them shop orders of those customers.
#[tokio::test]
async fn customers_with_orders() {
    let w = world().await;
    let mut r = Recording::new("customers", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let now = chrono::Utc::now();
    for (seq, minutes, name, phone) in [
        (921, 3, "Иван Петров", "+79001234567"),
        (922, 2, "Иван Петров", "+79001234567"),
        (923, 1, "Anna Nowak", "+48601234567"),
    ] {
        let mut posting =
            ordertray_fakes::ozon::realfbs_posting(seq, 1, now - chrono::Duration::minutes(minutes));
        posting["customer"]["name"] = json!(name);
        posting["customer"]["phone"] = json!(phone);
        posting["analytics_data"]["region"] = json!("Москва");
        w.fake.add_posting(posting);
    }
    w.engine.sync_account(w.account).await.unwrap();
    // Accepted newest posting first, whatever order the inbox shows them in (postings a minute
    // apart may share a ship-by time): the customers' ids, and so the recording, stay the same
    // (Anna Nowak's first; the list shows Иван Петров, the later id, first).
    let mut lines: Vec<(String, i64)> = inbox(&w.engine)
        .await
        .iter()
        .map(|l| (l.order_external_id.clone(), l.line.id))
        .collect();
    lines.sort_by(|a, b| b.cmp(a));
    assert_eq!(lines.len(), 3);
    for (_, line) in lines {
        w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    }
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().delivered, 3);
    record_start(&mut r, &w.engine).await;

    let customers = w.engine.customers_page("", None, 200).await.unwrap();
    assert_eq!(customers.rows.len(), 2, "{customers:?}");
    r.answer(
        "customers",
        json!({ "search": null, "limit": 200, "after": null }),
        Ok::<_, AppError>(customers.clone()),
    );
    // The screen's search, by a fragment of the phone typed with a separator.
    let found = w.engine.customers_page("601 234", None, 200).await.unwrap();
    assert_eq!(found.rows.len(), 1, "{found:?}");
    assert_eq!(found.rows[0].customer.name.as_deref(), Some("Anna Nowak"));
    r.answer(
        "customers",
        json!({ "search": "601 234", "limit": 200, "after": null }),
        Ok::<_, AppError>(found),
    );
    let orders = w.engine.shop_orders(None, 1_000).await.unwrap();
    assert_eq!(orders.len(), 3);
    for customer in &customers.rows {
        let theirs = w.engine.shop_orders(Some(customer.customer.id), 1_000).await;
        r.answer(
            "shop_orders",
            json!({ "customerId": customer.customer.id, "limit": null }),
            theirs,
        );
    }
    r.answer(
        "shop_orders",
        json!({ "customerId": null, "limit": null }),
        Ok::<_, AppError>(orders.clone()),
    );
    for order in &orders {
        r.answer(
            "shop_order_full",
            json!({ "id": order.id }),
            w.engine.shop_order_full(order.id).await,
        );
    }
    r.save();
}

/// A Gettzap account ("Gettzap shop", statuses "accepted" and "refused", buyer cancels as
/// "cancelled"), as `add_account` stores it.
async fn add_gettzap(engine: &ordertray_engine::Engine) -> i64 {
    let draft: ordertray_core::AccountDraft = serde_json::from_value(json!({
        "name": "Gettzap shop",
        "region": "Москва",
        "active": true,
        "interval_secs": 60,
        "base_url": null,
        "settings": {
            "kind": "gettzap",
            "login": "gz-shop",
            "statuses": ["accepted", "refused"],
            "cancel_statuses": ["cancelled"],
            "password_env": null,
            "api_key_env": null,
            "intake_token_env": null,
        },
    }))
    .unwrap();
    let secrets = std::collections::HashMap::from([
        ("password".to_string(), "pass-123".to_string()),
        ("api_key".to_string(), "office-token-9".to_string()),
    ]);
    engine.add_account(draft, secrets).await.unwrap().id
}

/// A new Gettzap account that has received nothing (the intake is not running): its delivery
/// address, then the manager makes a new token. The tokens read as fixed ones.
#[tokio::test]
async fn gettzap_account_new() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let mut r = Recording::new("gettzap_new", dir.path());
    let account = add_gettzap(&engine).await;
    record_start(&mut r, &engine).await;
    let args = json!({ "accountId": account });
    let token = |url: &str| url.split("token=").nth(1).unwrap().to_string();
    let url = engine.intake_url(account).await.unwrap();
    r.replace
        .push((token(&url), "f00dfeedcafe0123456789abcdef0123456789abcdef0123"));
    r.answer(
        "intake_address",
        args.clone(),
        engine.intake_address(account).await,
    );
    r.answer("intake_url", args.clone(), Ok::<_, AppError>(url));
    let rotated = engine.rotate_intake_token(account).await;
    assert!(rotated.is_ok(), "{rotated:?}");
    r.write("rotate_intake_token", args.clone(), rotated);
    let url = engine.intake_url(account).await.unwrap();
    r.replace
        .push((token(&url), "beefbeefcafe0123456789abcdef0123456789abcdef0123"));
    r.answer(
        "intake_address",
        args.clone(),
        engine.intake_address(account).await,
    );
    r.answer("intake_url", args, Ok::<_, AppError>(url));
    r.save();
}

/// An Ozon account that synced, and a Gettzap account that has received an order.
#[tokio::test(flavor = "multi_thread")]
async fn gettzap_account_received() {
    let w = world().await;
    let mut r = Recording::new("gettzap_received", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.engine.sync_account(w.account).await.unwrap();
    let account = add_gettzap(&w.engine).await;
    w.engine
        .start_intake(&ordertray_core::intake::IntakeSettings {
            enabled: true,
            port: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let url = w.engine.intake_url(account).await.unwrap();
    let order = ordertray_fakes::gettzap::sample_order("5001", 1);
    let sent = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .body(order.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 200);
    record_start(&mut r, &w.engine).await;
    r.save();
}

/// A port on this computer that nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("0.0.0.0:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Settings → order intake, with an Ozon account (so the app opens on its screens): the intake
/// is off; the manager turns it on on all addresses on a port another program holds (refused,
/// the settings kept), then on a free one with a public address (stored without its trailing
/// slash), then turns it off. The ports read as 9100 (taken) and 9101.
#[tokio::test(flavor = "multi_thread")]
async fn intake_settings_saved() {
    let w = world().await;
    let mut r = Recording::new("intake", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &w.engine).await;
    r.answer("intake_settings", json!({}), w.engine.intake_settings().await);
    r.answer(
        "intake_status",
        json!({}),
        Ok::<_, AppError>(w.engine.intake_status()),
    );

    let taken = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let free = free_port();
    r.replace.push((free.to_string(), "9101"));
    r.replace.push((taken_port.to_string(), "9100"));
    let settings = |port: u16, enabled: bool, public_url: &str| -> ordertray_core::intake::IntakeSettings {
        serde_json::from_value(
            json!({ "enabled": enabled, "bind": "0.0.0.0", "port": port, "public_url": public_url }),
        )
        .unwrap()
    };
    for (port, enabled, url) in [
        (taken_port, true, "https://tunnel.example/"),
        (free, true, "https://tunnel.example/"),
        (free, false, "https://tunnel.example"),
    ] {
        let sent = settings(port, enabled, url);
        let saved = w.engine.save_intake_settings(sent.clone()).await;
        assert_eq!(saved.is_ok(), port == free, "{saved:?}");
        r.write("save_intake_settings", json!({ "settings": sent }), saved);
        r.answer("intake_settings", json!({}), w.engine.intake_settings().await);
        r.answer(
            "intake_status",
            json!({}),
            Ok::<_, AppError>(w.engine.intake_status()),
        );
    }
    drop(taken);
    r.save();
}

/// Settings → order intake, off: a public address that is not a web address is refused.
#[tokio::test]
async fn intake_settings_refused() {
    let w = world().await;
    let mut r = Recording::new("intake_refused", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &w.engine).await;
    r.answer("intake_settings", json!({}), w.engine.intake_settings().await);
    r.answer(
        "intake_status",
        json!({}),
        Ok::<_, AppError>(w.engine.intake_status()),
    );
    let sent: ordertray_core::intake::IntakeSettings = serde_json::from_value(
        json!({ "enabled": false, "bind": "127.0.0.1", "port": 8787, "public_url": "tunnel.example" }),
    )
    .unwrap();
    let refused = w.engine.save_intake_settings(sent.clone()).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write("save_intake_settings", json!({ "settings": sent }), refused);
    r.answer("intake_settings", json!({}), w.engine.intake_settings().await);
    r.answer(
        "intake_status",
        json!({}),
        Ok::<_, AppError>(w.engine.intake_status()),
    );
    r.save();
}

/// The intake listens on 127.0.0.1 (the port reads as 8787) and has refused requests: two without
/// a valid token, one more from the same address held back, one over the connection limit (while
/// slow clients held every connection). Then
/// the manager turns it off.
#[tokio::test(flavor = "multi_thread")]
async fn intake_refusals_counted() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let w = world().await;
    let mut r = Recording::new("intake_counted", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let limits = ordertray_engine::intake::IntakeLimits {
        refusal_burst: 2,
        refusal_refill: std::time::Duration::from_secs(3600),
        ..Default::default()
    };
    let max_connections = limits.max_connections;
    w.engine.set_intake_limits(limits);
    let port = free_port();
    r.replace.push((port.to_string(), "8787"));
    let on: ordertray_core::intake::IntakeSettings = serde_json::from_value(
        json!({ "enabled": true, "bind": "127.0.0.1", "port": port, "public_url": "" }),
    )
    .unwrap();
    w.engine.save_intake_settings(on.clone()).await.unwrap();
    let addr = format!("127.0.0.1:{port}");
    let bad = b"POST /intake/gettzap/1 HTTP/1.1\r\nHost: x\r\nX-Intake-Token: wrong\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
    let ask = |addr: String| async move {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(bad).await.unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()
    };
    for expected in ["401", "401", "429"] {
        let status = ask(addr.clone()).await;
        assert!(status.contains(expected), "{status}");
    }
    // Slow clients hold every connection the intake serves at once; one more is turned away.
    let mut held = Vec::new();
    for _ in 0..max_connections {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        s.write_all(b"POST /intake/gettzap/1 HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    let status = ask(addr.clone()).await;
    assert!(status.contains("503"), "{status}");
    drop(held);
    let counted = w.engine.intake_status();
    assert_eq!(
        (counted.refused, counted.rate_limited, counted.turned_away),
        (2, 1, 1),
        "{counted:?}"
    );

    record_start(&mut r, &w.engine).await;
    r.answer("intake_settings", json!({}), w.engine.intake_settings().await);
    r.answer(
        "intake_status",
        json!({}),
        Ok::<_, AppError>(w.engine.intake_status()),
    );
    let off = ordertray_core::intake::IntakeSettings { enabled: false, ..on };
    let saved = w.engine.save_intake_settings(off.clone()).await;
    assert!(saved.is_ok(), "{saved:?}");
    r.write("save_intake_settings", json!({ "settings": off }), saved);
    r.answer("intake_settings", json!({}), w.engine.intake_settings().await);
    r.answer(
        "intake_status",
        json!({}),
        Ok::<_, AppError>(w.engine.intake_status()),
    );
    r.save();
}

/// The time stamp in a backup's (or a moved-aside file's) name: `….<kind>-<stamp>[_n].….`.
fn stamp_in(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap();
    name.rsplit('-').next().unwrap()[..15].to_string()
}

/// The database's and its backups' sizes vary with SQLite's use of pages: they read as fixed
/// ones (the database 5 MiB, a backup made by "Back up now" 4 MiB, one from before an update
/// 1.5 kB).
fn fixed_sizes(mut info: ordertray_core::database::DatabaseInfo) -> ordertray_core::database::DatabaseInfo {
    info.bytes = 5 * 1024 * 1024;
    for b in &mut info.backups {
        b.bytes = fixed_backup_size(b.kind);
    }
    info
}

fn fixed_backup_size(kind: ordertray_core::database::BackupKind) -> u64 {
    match kind {
        ordertray_core::database::BackupKind::PreMigration => 1536,
        _ => 4 * 1024 * 1024,
    }
}

/// Settings → database, with an Ozon account: a backup the manager made (named as made on 22
/// November, 18:00) and one from before an update (20 November, 08:00).
async fn database_world(name: &'static str) -> (World, Recording) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let dir = w.db.parent().unwrap().to_path_buf();
    for named in [
        "ordertray.v3-20261120T080000.backup.db",
        "ordertray.manual-20261122T180000.backup.db",
    ] {
        let made = w.engine.backup_now().await.unwrap();
        std::fs::rename(&made.path, dir.join(named)).unwrap();
    }
    record_start(&mut r, &w.engine).await;
    r.answer(
        "database_info",
        json!({}),
        w.engine.database_info().await.map(fixed_sizes),
    );
    (w, r)
}

/// "Back up now" makes a backup (named as made on 23 November, 09:00).
#[tokio::test]
async fn database_backup_now() {
    let (w, mut r) = database_world("database_backup").await;
    let made = w.engine.backup_now().await.map(|mut b| {
        b.bytes = fixed_backup_size(b.kind);
        b
    });
    r.replace
        .push((stamp_in(&made.as_ref().unwrap().path), "20261123T090000"));
    r.write("backup_database", json!({}), made);
    r.answer(
        "database_info",
        json!({}),
        w.engine.database_info().await.map(fixed_sizes),
    );
    r.save();
}

/// The manager restores the backup from before the update; the database it replaced is kept as
/// a backup (named as made on 23 November, 09:00).
#[tokio::test]
async fn database_restore() {
    let (w, mut r) = database_world("database_restore").await;
    let backup =
        w.db.parent()
            .unwrap()
            .join("ordertray.v3-20261120T080000.backup.db");
    let report = w.engine.restore_backup(&backup).await;
    assert!(report.is_ok(), "{report:?}");
    let previous = report.as_ref().unwrap().previous.clone().unwrap();
    r.replace.push((stamp_in(&previous), "20261123T090000"));
    r.write(
        "restore_database",
        json!({ "path": backup.display().to_string() }),
        report,
    );
    r.save();
}

/// No backup yet; the manager chooses a file that is no database (`old.db` beside it) to
/// restore: refused, nothing changed.
#[tokio::test]
async fn database_restore_refused() {
    let w = world().await;
    let mut r = Recording::new("database_refused", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &w.engine).await;
    r.answer(
        "database_info",
        json!({}),
        w.engine.database_info().await.map(fixed_sizes),
    );
    let chosen = w.db.parent().unwrap().join("old.db");
    std::fs::write(&chosen, "these are notes, not a database").unwrap();
    let refused = w.engine.restore_backup(&chosen).await;
    assert!(refused.is_err(), "{refused:?}");
    assert!(!w.engine.is_closed());
    r.write(
        "restore_database",
        json!({ "path": chosen.display().to_string() }),
        refused,
    );
    r.answer(
        "database_info",
        json!({}),
        w.engine.database_info().await.map(fixed_sizes),
    );
    r.save();
}

/// Opening the database at `db` as the app does at start; its error when it cannot.
async fn open_fails(db: &Path) -> AppError {
    let secrets = std::sync::Arc::new(ordertray_engine::MemorySecretStore::default());
    let opened = ordertray_engine::Engine::open(common::options(db, secrets)).await;
    match opened {
        Ok(_) => panic!("{} opened", db.display()),
        Err(e) => e,
    }
}

/// A database file that is not a database, with a backup the manager made (22 November, 18:00;
/// a real database, or with `good_backup` false a damaged file) and the copy an earlier restore
/// kept (1 November, 10:00): what the shell answers `database_problem` with at start, as
/// `database::diagnose` finds it (the shell lists the backups again when asked).
async fn damaged_world(name: &'static str, good_backup: bool) -> (tempfile::TempDir, PathBuf, Recording) {
    let (dir, db, _secrets, engine) = fresh_engine().await;
    let made = engine.backup_now().await.unwrap();
    engine.close().await;
    drop(engine);
    let manual = dir.path().join("ordertray.manual-20261122T180000.backup.db");
    let kept = dir
        .path()
        .join("ordertray.before-restore-20261101T100000.backup.db");
    std::fs::copy(&made.path, &kept).unwrap();
    if good_backup {
        std::fs::rename(&made.path, &manual).unwrap();
    } else {
        std::fs::remove_file(&made.path).unwrap();
        std::fs::write(&manual, vec![7u8; 8192]).unwrap();
    }
    for sidecar in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{sidecar}", db.display()));
    }
    std::fs::write(&db, "this file was overwritten by another program").unwrap();
    let error = open_fails(&db).await;
    let mut problem = ordertray_engine::database::diagnose(&db, &error).await;
    for b in &mut problem.backups {
        b.bytes = fixed_backup_size(b.kind);
    }
    let mut r = Recording::new(name, dir.path());
    r.answer("database_problem", json!({}), Ok::<_, AppError>(Some(problem)));
    (dir, db, r)
}

/// The damaged database; the manager restores the backup they made: the unreadable file is moved
/// aside (named as on 23 November, 09:00).
#[tokio::test]
async fn database_damaged_restore() {
    let (dir, db, mut r) = damaged_world("database_damaged", true).await;
    let backup = dir.path().join("ordertray.manual-20261122T180000.backup.db");
    let report = ordertray_engine::database::restore_closed(&db, &backup).await;
    assert!(report.is_ok(), "{report:?}");
    let previous = report.as_ref().unwrap().previous.clone().unwrap();
    r.replace.push((stamp_in(&previous), "20261123T090000"));
    r.write(
        "restore_database",
        json!({ "path": backup.display().to_string() }),
        report,
    );
    r.save();
}

/// The damaged database; the manager starts with a new one: the damaged file is moved aside.
#[tokio::test]
async fn database_damaged_start_new() {
    let (_dir, db, mut r) = damaged_world("database_start_new", true).await;
    let moved = ordertray_engine::database::start_new(&db).await;
    assert!(matches!(moved, Ok(Some(_))), "{moved:?}");
    r.replace.push((
        stamp_in(moved.as_ref().unwrap().as_ref().unwrap()),
        "20261123T090000",
    ));
    r.write("start_new_database", json!({}), moved);
    r.save();
}

/// The damaged database, and the backup the manager made is damaged too: restoring it is refused.
#[tokio::test]
async fn database_damaged_backup_refused() {
    let (dir, db, mut r) = damaged_world("database_damaged_backup", false).await;
    let backup = dir.path().join("ordertray.manual-20261122T180000.backup.db");
    let refused = ordertray_engine::database::restore_closed(&db, &backup).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write(
        "restore_database",
        json!({ "path": backup.display().to_string() }),
        refused,
    );
    r.save();
}

/// The database was written by a newer Ordertray (the manager went back to an older version): it
/// is called so, and starting with a new empty one is refused.
#[tokio::test]
async fn database_too_new() {
    let (dir, db, _secrets, engine) = fresh_engine().await;
    engine.close().await;
    common::from_a_newer_version(&db).await;
    let error = open_fails(&db).await;
    let problem = ordertray_engine::database::diagnose(&db, &error).await;
    assert_eq!(
        problem.kind,
        ordertray_core::database::DatabaseProblemKind::TooNew,
        "{problem:?}"
    );
    let mut r = Recording::new("database_too_new", dir.path());
    r.answer("database_problem", json!({}), Ok::<_, AppError>(Some(problem)));
    let refused = ordertray_engine::database::start_new(&db).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write("start_new_database", json!({}), refused);
    r.save();
}

/// The database's path is a folder (another program's, or a mistake): it cannot be opened at all,
/// and there is no backup beside it.
#[tokio::test]
async fn database_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    std::fs::create_dir(&db).unwrap();
    let error = open_fails(&db).await;
    let problem = ordertray_engine::database::diagnose(&db, &error).await;
    assert_eq!(
        problem.kind,
        ordertray_core::database::DatabaseProblemKind::Unavailable,
        "{problem:?}"
    );
    let mut r = Recording::new("database_unavailable", dir.path());
    r.answer("database_problem", json!({}), Ok::<_, AppError>(Some(problem)));
    r.save();
}

/// A supplier's price list: titles the engine recognises, and three rows it refuses (no article,
/// a price that is not a number, a negative price).
const SUPPLIER_CSV: &str = "Brand;Article;Name;Price;Stock;Days\nBOSCH;0986;Brake pad;1200,50;4;2\nMann;W 712;Oil filter;350;10;1\nFebi;;No article;100;1;1\nNGK;BKR6E;Spark plug;call us;5;3\nLemforder;3011;Arm;-5;1;1\n";

/// An Ozon account and a folder of supplier files (it reads as `/data`).
async fn pricelists_world(name: &'static str) -> (World, Recording, PathBuf) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    let data = w.db.parent().unwrap().join("data");
    std::fs::create_dir(&data).unwrap();
    r.replace.insert(0, (data.display().to_string(), "/data"));
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    (w, r, data)
}

/// The engine's events since `rx` was made, recorded as `@events` (the UI test emits them).
fn record_events(r: &mut Recording, rx: &mut tokio::sync::broadcast::Receiver<ordertray_core::EngineEvent>) {
    let mut events = vec![];
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    r.answer("@events", json!({}), Ok::<_, AppError>(events));
}

fn import_options(
    delimiter: Option<&str>,
    encoding: Option<&str>,
    header: Option<bool>,
) -> ordertray_core::pricelist::ImportOptions {
    serde_json::from_value(json!({ "delimiter": delimiter, "encoding": encoding, "header": header })).unwrap()
}

/// Price lists, none yet: the manager previews `supplier.csv` (as found, then read with commas,
/// then with semicolons again), imports it as "Supplier A" with the delivery-days column left out
/// and the name column as the supplier, and searches "bosch". The previews of a file with no
/// titles the engine knows, one with HTML in it and one that does not exist are recorded too.
#[tokio::test]
async fn pricelists_import() {
    let (w, mut r, data) = pricelists_world("pricelists_import").await;
    std::fs::write(data.join("supplier.csv"), SUPPLIER_CSV).unwrap();
    std::fs::write(data.join("raw.csv"), "x;y;z\nA-1;Pad;100\nA-2;Disc;250\n").unwrap();
    std::fs::write(
        data.join("evil.csv"),
        "Article;Price;Name\nA1;10;<img src=x onerror=\"alert(1)\">\n",
    )
    .unwrap();
    record_start(&mut r, &w.engine).await;
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    let supplier = data.join("supplier.csv");
    for options in [
        import_options(None, None, None),
        import_options(Some(","), Some("utf-8"), Some(true)),
        import_options(Some(";"), Some("utf-8"), Some(true)),
    ] {
        r.answer(
            "preview_price_list",
            json!({ "path": supplier.display().to_string(), "options": options }),
            w.engine.preview_price_list(&supplier, &options).await,
        );
    }
    for other in ["raw.csv", "evil.csv", "missing.csv"] {
        let path = data.join(other);
        let options = import_options(None, None, None);
        r.answer(
            "preview_price_list",
            json!({ "path": path.display().to_string(), "options": options }),
            w.engine.preview_price_list(&path, &options).await,
        );
    }
    let settings: ordertray_core::pricelist::ListSettings = serde_json::from_value(json!({
        "mapping": { "brand": 0, "article": 1, "name": null, "price": 3, "stock": 4, "delivery_days": null, "supplier": 2 },
        "options": { "delimiter": ";", "encoding": "utf-8", "header": true },
    }))
    .unwrap();
    let mut events = w.engine.subscribe();
    let imported = w
        .engine
        .import_price_list(&supplier, "Supplier A", Some(settings.clone()))
        .await;
    assert!(imported.is_ok(), "{imported:?}");
    r.write(
        "import_price_list",
        json!({ "path": supplier.display().to_string(), "name": "Supplier A", "settings": settings }),
        imported,
    );
    record_events(&mut r, &mut events);
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    r.answer(
        "search_offers",
        json!({ "text": "bosch", "limit": 100 }),
        w.engine.search_offers("bosch", 100).await,
    );
    r.save();
}

/// Price lists, none yet: `raw.csv` has no titles; the manager says which columns hold the
/// article and the price, and imports it under its file's name.
#[tokio::test]
async fn pricelists_import_raw() {
    let (w, mut r, data) = pricelists_world("pricelists_raw").await;
    let raw = data.join("raw.csv");
    std::fs::write(&raw, "x;y;z\nA-1;Pad;100\nA-2;Disc;250\n").unwrap();
    record_start(&mut r, &w.engine).await;
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    let options = import_options(None, None, None);
    let preview = w.engine.preview_price_list(&raw, &options).await.unwrap();
    r.answer(
        "preview_price_list",
        json!({ "path": raw.display().to_string(), "options": options }),
        Ok::<_, AppError>(preview.clone()),
    );
    let settings = ordertray_core::pricelist::ListSettings {
        mapping: serde_json::from_value(json!({ "brand": null, "article": 0, "name": null, "price": 2, "stock": null, "delivery_days": null, "supplier": null })).unwrap(),
        options: preview.options,
    };
    let mut events = w.engine.subscribe();
    let imported = w
        .engine
        .import_price_list(&raw, "raw", Some(settings.clone()))
        .await;
    assert!(imported.is_ok(), "{imported:?}");
    r.write(
        "import_price_list",
        json!({ "path": raw.display().to_string(), "name": "raw", "settings": settings }),
        imported,
    );
    record_events(&mut r, &mut events);
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    r.save();
}

/// "Supplier A" was imported with one offer; the manager imports `new.csv` into it with the
/// columns it remembers.
#[tokio::test]
async fn pricelists_reimport() {
    let (w, mut r, data) = pricelists_world("pricelists_reimport").await;
    import_list(&w, "Supplier A", "BOSCH;0986;Pad;1000.00;5;2\n").await;
    let new = data.join("new.csv");
    std::fs::write(
        &new,
        "Brand;Article;Name;Price;Stock;Days\nBOSCH;0986;Pad;1100;3;2\nMann;W1;Filter;300;1;1\n",
    )
    .unwrap();
    record_start(&mut r, &w.engine).await;
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    let mut events = w.engine.subscribe();
    let imported = w.engine.import_price_list(&new, "Supplier A", None).await;
    assert!(imported.is_ok(), "{imported:?}");
    r.write(
        "import_price_list",
        json!({ "path": new.display().to_string(), "name": "Supplier A", "settings": null }),
        imported,
    );
    record_events(&mut r, &mut events);
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    r.save();
}

/// "Supplier A" with one offer; the manager deletes the list.
#[tokio::test]
async fn pricelists_delete() {
    let (w, mut r, _data) = pricelists_world("pricelists_delete").await;
    import_list(&w, "Supplier A", "BOSCH;0986;Pad;1000.00;5;2\n").await;
    record_start(&mut r, &w.engine).await;
    let lists = w.engine.price_lists().await.unwrap();
    r.answer("price_lists", json!({}), Ok::<_, AppError>(lists.clone()));
    let id = lists[0].id;
    r.write(
        "delete_price_list",
        json!({ "id": id }),
        w.engine.delete_price_list(id).await,
    );
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    let left = w.engine.search_offers("0986", 100).await.unwrap();
    assert!(left.is_empty(), "{left:?}");
    r.save();
}

/// Shop A (Ozon) with two accepted lines: "Brake pad" of an older posting and "Oil filter" of a
/// newer one; Shop B (the same fake Ozon, never synced) has none.
async fn pushes_world() -> (World, i64, Vec<ordertray_core::InboxLine>) {
    let w = world().await;
    let mut shop_b = draft(&w.fake.base_url());
    shop_b.name = "Shop B".into();
    let secret = std::collections::HashMap::from([("api_key".to_string(), API_KEY.to_string())]);
    let b = w.engine.add_account(shop_b, secret).await.unwrap().id;
    let now = chrono::Utc::now();
    for (seq, at, name) in [
        (931, now - chrono::Duration::days(1), "Brake pad"),
        (932, now, "Oil filter"),
    ] {
        let mut posting = ordertray_fakes::ozon::sample_posting(seq, 1, at);
        posting["products"][0]["name"] = json!(name);
        posting["products"][0]["quantity"] = json!(1);
        w.fake.add_posting(posting);
    }
    w.engine.sync_account(w.account).await.unwrap();
    for line in inbox(&w.engine).await {
        w.engine
            .triage(&[line.line.id], TriageAction::Accept)
            .await
            .unwrap();
    }
    let accepted = w
        .engine
        .inbox(&InboxQuery {
            account_id: Some(w.account),
            state: ordertray_core::LineState::Accepted,
            limit: Some(20),
            sort: ordertray_core::InboxSort::Newest,
            ..InboxQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(accepted.len(), 2);
    (w, b, accepted)
}

/// What the accounts screen and an account's status updates read: each account's push settings
/// and accepted lines (before the start's inbox, which fits any query).
async fn pushes_start(r: &mut Recording, w: &World) {
    for account in w.engine.list_accounts().await.unwrap() {
        let id = account.account.id;
        r.answer(
            "push_settings",
            json!({ "accountId": id }),
            w.engine.push_settings(id).await,
        );
        let query = InboxQuery {
            account_id: Some(id),
            state: ordertray_core::LineState::Accepted,
            limit: Some(20),
            sort: ordertray_core::InboxSort::Newest,
            ..InboxQuery::default()
        };
        r.answer(
            "inbox",
            json!({ "query": query }),
            w.engine.inbox_page(&query).await,
        );
    }
    record_start(r, &w.engine).await;
}

fn templates(value: Value) -> PushTemplates {
    serde_json::from_value(value).unwrap()
}

/// Status updates of Shop A: previews of comments with its lines; a save the engine refuses (an
/// unknown variable, fixture `pushes_refused`), then the save of what acceptance, refusal and two
/// statuses send (`pushes`); then, as another window left them (`pushes_saved`): acceptance as
/// a status Ozon does not have, a refusal text, and a push for a status since removed.
#[tokio::test]
async fn push_settings_edit() {
    let (w, _b, accepted) = pushes_world().await;
    let (newer, older) = (accepted[0].line.id, accepted[1].line.id);
    assert_eq!(accepted[0].line.name, "Oil filter");

    let mut refused = Recording::new("pushes_refused", w.db.parent().unwrap());
    refused.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    pushes_start(&mut refused, &w).await;
    let unknown = templates(json!({
        "accepted_status": "", "accepted_notice": "Спасибо, {buyer}!", "refusal_status": "", "refusal_text": "",
        "buyer_cancel_status_id": null, "incoming": [], "pushes": [],
    }));
    let answer = w.engine.save_push_settings(w.account, &unknown).await;
    assert!(answer.is_err(), "{answer:?}");
    refused.write(
        "save_push_settings",
        json!({ "accountId": w.account, "templates": unknown }),
        answer,
    );
    refused.answer(
        "push_settings",
        json!({ "accountId": w.account }),
        w.engine.push_settings(w.account).await,
    );
    refused.save();

    let mut r = Recording::new("pushes", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    for (line, status, template) in [
        (newer, 2, "Заказ {order}: {name} × {qty}, статус «{status}»"),
        (
            newer,
            2,
            "Заказ {order}: {name} × {qty}, статус «{status}», трек {tracking}",
        ),
        (older, 1, "{order} принят"),
    ] {
        r.answer(
            "preview_template",
            json!({ "lineId": line, "statusId": status, "template": template }),
            w.engine.preview_template(line, status, template).await,
        );
    }
    pushes_start(&mut r, &w).await;
    let edited = templates(json!({
        "accepted_status": "ship", "accepted_notice": "", "refusal_status": "cancel", "refusal_text": "",
        "buyer_cancel_status_id": 6,
        "pushes": [
            { "status_id": 4, "level": "order", "marketplace_status": "ship", "comment": "" },
            { "status_id": 5, "level": "order", "marketplace_status": "awaiting_deliver", "comment": "Заказ {order} доставлен" },
        ],
        "incoming": [],
    }));
    let saved = w.engine.save_push_settings(w.account, &edited).await;
    assert!(saved.is_ok(), "{saved:?}");
    r.write(
        "save_push_settings",
        json!({ "accountId": w.account, "templates": edited }),
        saved,
    );
    r.answer(
        "push_settings",
        json!({ "accountId": w.account }),
        w.engine.push_settings(w.account).await,
    );
    r.save();

    // A status of the shop's own that a push was set for, then removed from the list.
    let mut list = w.engine.shop_statuses().await.unwrap();
    list.push(ShopStatus {
        id: 0,
        code: None,
        name: "Gone".into(),
        group: StatusGroup::InWork,
        position: list.len() as i64,
        writes_off: false,
    });
    let with_gone = w.engine.save_shop_statuses(&list).await.unwrap();
    let gone = with_gone.iter().find(|s| s.name == "Gone").unwrap().id;
    let left = templates(json!({
        "accepted_status": "awaiting_deliver", "accepted_notice": "", "refusal_status": "", "refusal_text": "Нет в наличии",
        "buyer_cancel_status_id": null, "incoming": [],
        "pushes": [{ "status_id": gone, "level": "line", "marketplace_status": "ship", "comment": "" }],
    }));
    w.engine.save_push_settings(w.account, &left).await.unwrap();
    let without: Vec<ShopStatus> = with_gone.into_iter().filter(|s| s.id != gone).collect();
    w.engine.save_shop_statuses(&without).await.unwrap();
    let mut r = Recording::new("pushes_saved", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    pushes_start(&mut r, &w).await;
    r.save();
}

/// A ZZAP account whose status list is not loaded yet; the manager loads it from the fake ZZAP.
#[tokio::test]
async fn push_settings_zzap() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let fake = ordertray_fakes::zzap::FakeZzap::start(ordertray_fakes::zzap::FakeZzapConfig::new(
        "shop@example.ru",
        "zz-password",
        "zz-key",
    ))
    .await
    .unwrap();
    let mut r = Recording::new("pushes_zzap", dir.path());
    r.replace.push((fake.base_url(), FIXED_BASE_URL));
    let draft: ordertray_core::AccountDraft = serde_json::from_value(json!({
        "name": "ZZAP shop", "region": "", "active": true, "interval_secs": 60, "base_url": fake.base_url(),
        "settings": {
            "kind": "zzap", "login": "shop@example.ru", "import_codes": [], "buyer_cancel_codes": ["6"],
            "min_request_interval_ms": 0, "password_env": null, "api_key_env": null,
        },
    }))
    .unwrap();
    let secrets = std::collections::HashMap::from([
        ("password".to_string(), "zz-password".to_string()),
        ("api_key".to_string(), "zz-key".to_string()),
    ]);
    // Saving the account loads ZZAP's status list in the background; that load fails here (and
    // the test waits for it), so the first answer is the list not loaded yet, whichever comes first.
    fake.push_fault_on("GetCodesTrack", ordertray_fakes::ozon::Fault::NotJson);
    let account = engine.add_account(draft, secrets).await.unwrap().id;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while fake.calls_to("GetCodesTrack").is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the background status load never ran"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let args = json!({ "accountId": account });
    r.answer("push_settings", args.clone(), engine.push_settings(account).await);
    record_start(&mut r, &engine).await;
    let loaded = engine.refresh_marketplace_statuses(account).await;
    assert!(loaded.as_ref().is_ok_and(|l| !l.is_empty()), "{loaded:?}");
    // As the load_marketplace_statuses command answers: the settings with the list loaded.
    r.write(
        "load_marketplace_statuses",
        args.clone(),
        engine.push_settings(account).await,
    );
    r.answer("push_settings", args, engine.push_settings(account).await);
    r.save();
}

/// Rows the window asks for in All orders' first page, and in each page after it.
const FIRST_PAGE: u32 = 200;
const NEXT_PAGES: u32 = 500;

/// The cabinet's first page as the window asks for it: the "new" group, newest first.
fn cabinet_query(groups: Value) -> ordertray_core::cabinet::OrderPageQuery {
    serde_json::from_value(json!({
        "filter": cabinet_filter(groups),
        "sort": { "column": "created", "desc": true },
        "after": null,
        "limit": FIRST_PAGE,
    }))
    .unwrap()
}

fn cabinet_filter(groups: Value) -> ordertray_core::cabinet::OrderFilter {
    serde_json::from_value(json!({
        "status_ids": [], "groups": groups, "payment": [], "paid": null, "types": [], "account_ids": [],
        "kinds": [], "manual": false, "from": null, "to": null, "search": "",
    }))
    .unwrap()
}

/// What All orders and a shop order's screen read: the first page (recorded for any query), the
/// counts, each shop order in full and each marketplace order, then the start.
async fn record_cabinet(r: &mut Recording, w: &World) {
    let query = cabinet_query(json!(["new"]));
    r.answer("cabinet_page", json!({}), w.engine.cabinet_page(&query).await);
    let counted = cabinet_filter(json!([]));
    r.answer("cabinet_stats", json!({}), w.engine.cabinet_stats(&counted).await);
    for order in w.engine.shop_orders(None, 1_000).await.unwrap() {
        r.answer(
            "shop_order_full",
            json!({ "id": order.id }),
            w.engine.shop_order_full(order.id).await,
        );
    }
    for order in w.engine.orders(None, None).await.unwrap() {
        r.answer(
            "order_detail",
            json!({ "id": order.id }),
            w.engine.order_detail(order.id).await,
        );
    }
    record_start(r, &w.engine).await;
}

/// An Ozon posting of "Brake pad", "Disc" and "Arm": the first two accepted, "Arm" rejected; and a
/// newer one of "Oil filter", accepted. Both delivered to Ozon, which made them shop orders. The
/// lines of the first posting, then the second's, in the posting's order.
async fn line_status_world(name: &'static str) -> (World, Recording, Vec<i64>) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let now = chrono::Utc::now();
    for (seq, at, names) in [
        (
            941,
            now - chrono::Duration::hours(1),
            vec!["Brake pad", "Disc", "Arm"],
        ),
        (942, now, vec!["Oil filter"]),
    ] {
        let mut posting = ordertray_fakes::ozon::sample_posting(seq, names.len(), at);
        for (i, name) in names.into_iter().enumerate() {
            posting["products"][i]["name"] = json!(name);
            posting["products"][i]["quantity"] = json!(1);
        }
        w.fake.add_posting(posting);
    }
    w.engine.sync_account(w.account).await.unwrap();
    let mut lines = vec![];
    for name in ["Brake pad", "Disc", "Arm", "Oil filter"] {
        let line = inbox(&w.engine)
            .await
            .into_iter()
            .find(|l| l.line.name == name)
            .unwrap();
        lines.push(line.line.id);
    }
    w.engine
        .triage(&[lines[0], lines[1]], TriageAction::Accept)
        .await
        .unwrap();
    w.engine.triage(&[lines[2]], TriageAction::Reject).await.unwrap();
    w.engine.triage(&[lines[3]], TriageAction::Accept).await.unwrap();
    w.engine.drain_outbox_once().await.unwrap();
    assert_eq!(w.engine.shop_orders(None, 1_000).await.unwrap().len(), 2);
    (w, r, lines)
}

/// The manager moves "Brake pad" to "ordered".
#[tokio::test]
async fn line_status_one() {
    let (w, mut r, lines) = line_status_world("line_status").await;
    record_cabinet(&mut r, &w).await;
    let moved = w.engine.set_line_status(&[lines[0]], 2).await;
    assert!(moved.is_ok(), "{moved:?}");
    r.write(
        "set_line_status",
        json!({ "lines": [lines[0]], "statusId": 2 }),
        moved,
    );
    record_cabinet(&mut r, &w).await;
    r.save();
}

/// The manager moves "Disc" to "shipped", then both accepted lines to "delivered".
#[tokio::test]
async fn line_status_bulk() {
    let (w, mut r, lines) = line_status_world("line_status_bulk").await;
    record_cabinet(&mut r, &w).await;
    for (moved, status) in [(vec![lines[1]], 4), (vec![lines[0], lines[1]], 5)] {
        let report = w.engine.set_line_status(&moved, status).await;
        assert!(report.is_ok(), "{report:?}");
        r.write(
            "set_line_status",
            json!({ "lines": moved, "statusId": status }),
            report,
        );
        record_cabinet(&mut r, &w).await;
    }
    r.save();
}

/// Shop A sends, for "ordered": a comment per line that needs the tracking number, "ship" per
/// line, and "ship" for the whole posting. The manager moves "Oil filter" (its posting's only
/// line) to "ordered".
#[tokio::test]
async fn line_status_not_sent() {
    let (w, mut r, lines) = line_status_world("line_status_not_sent").await;
    let pushes = templates(json!({
        "accepted_status": "", "accepted_notice": "", "refusal_status": "", "refusal_text": "",
        "buyer_cancel_status_id": null, "incoming": [],
        "pushes": [
            { "status_id": 2, "level": "line", "marketplace_status": "", "comment": "Заказан, трек {tracking}" },
            { "status_id": 2, "level": "line", "marketplace_status": "ship", "comment": "" },
            { "status_id": 2, "level": "order", "marketplace_status": "ship", "comment": "" },
        ],
    }));
    w.engine.save_push_settings(w.account, &pushes).await.unwrap();
    record_cabinet(&mut r, &w).await;
    let report = w.engine.set_line_status(&[lines[3]], 2).await;
    assert!(report.is_ok(), "{report:?}");
    r.write(
        "set_line_status",
        json!({ "lines": [lines[3]], "statusId": 2 }),
        report,
    );
    record_cabinet(&mut r, &w).await;
    r.save();
}

/// While the window shows the order, "in stock" is removed elsewhere (another window); moving
/// "Brake pad" to it is refused, and the line stays where it was.
#[tokio::test]
async fn line_status_refused() {
    let (w, mut r, lines) = line_status_world("line_status_refused").await;
    record_cabinet(&mut r, &w).await;
    let list: Vec<ShopStatus> = w
        .engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.id != 3)
        .collect();
    w.engine.save_shop_statuses(&list).await.unwrap();
    let refused = w.engine.set_line_status(&[lines[0]], 3).await;
    assert!(refused.is_err(), "{refused:?}");
    r.write(
        "set_line_status",
        json!({ "lines": [lines[0]], "statusId": 3 }),
        refused,
    );
    record_cabinet(&mut r, &w).await;
    r.save();
}

/// The inbox of the App tests: Shop A (Ozon) with a posting of two products and one of one.
async fn inbox_world(name: &'static str) -> (World, Recording) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    (w, r)
}

/// Saves the settings as the Settings screen sends them (the whole settings, one change made).
async fn save_changed(r: &mut Recording, w: &World, change: impl FnOnce(&mut ordertray_core::AppSettings)) {
    let mut settings = w.engine.settings().await.unwrap();
    change(&mut settings);
    let saved = w.engine.save_settings(settings.clone()).await;
    assert!(saved.is_ok(), "{saved:?}");
    r.write("save_settings", json!({ "settings": settings }), saved);
    r.answer("get_settings", json!({}), w.engine.settings().await);
}

/// Settings: the manager turns start at login on, then closing to the tray off; the last lines of
/// the log (one with HTML in it) and the diagnostic bundle saved into Downloads.
#[tokio::test]
async fn settings_switched() {
    let (w, mut r) = inbox_world("settings_switched").await;
    let dir = w.db.parent().unwrap().to_path_buf();
    let (logs, downloads) = (dir.join("logs"), dir.join("Downloads"));
    std::fs::create_dir(&logs).unwrap();
    std::fs::create_dir(&downloads).unwrap();
    r.replace
        .insert(0, (downloads.display().to_string(), "/home/manager/Downloads"));
    std::fs::write(logs.join("ordertray.log"), "INFO sync ok\nWARN <b>not html</b>\n").unwrap();
    r.answer(
        "recent_logs",
        json!({}),
        w.engine.recent_log_lines(&logs, 200).await,
    );
    record_start(&mut r, &w.engine).await;
    save_changed(&mut r, &w, |s| s.autostart = true).await;
    save_changed(&mut r, &w, |s| s.close_to_tray = false).await;
    let bundle = w
        .engine
        .write_diagnostics(&logs, &downloads.join("ordertray-diagnostics.zip"))
        .await
        .map(|report| report.path.display().to_string());
    assert!(bundle.is_ok(), "{bundle:?}");
    r.write("save_diagnostics", json!({}), bundle);
    r.save();
}

/// Settings: the manager turns on moving the customer to the order's region.
#[tokio::test]
async fn settings_customer_region() {
    let (w, mut r) = inbox_world("settings_region").await;
    record_start(&mut r, &w.engine).await;
    save_changed(&mut r, &w, |s| s.move_customer_region = true).await;
    r.save();
}

/// Settings → notifications: no sound for new orders, a popup for rule rejections, quiet hours
/// (22:00–08:00), and 30 minutes of failing sync before an alert, each saved as chosen.
#[tokio::test]
async fn settings_alerts() {
    let (w, mut r) = inbox_world("settings_alerts").await;
    record_start(&mut r, &w.engine).await;
    save_changed(&mut r, &w, |s| s.alerts.new_order.sound = false).await;
    save_changed(&mut r, &w, |s| s.alerts.rule_rejected.popup = true).await;
    save_changed(&mut r, &w, |s| {
        s.alerts.quiet_hours = serde_json::from_value(json!({ "from": "22:00", "to": "08:00" })).unwrap()
    })
    .await;
    save_changed(&mut r, &w, |s| s.alerts.sync_failing_minutes = 30).await;
    r.save();
}

/// Settings: the manager pauses sync for an hour, then until resumed, then resumes; and, in
/// `sync_paused_tray`, a pause made from the tray (the engine says so).
#[tokio::test]
async fn sync_paused() {
    let (w, mut r) = inbox_world("sync_paused").await;
    record_start(&mut r, &w.engine).await;
    for minutes in [Some(60), None] {
        let paused = w
            .engine
            .pause_sync(minutes.map(|m: i64| chrono::Duration::minutes(m)))
            .await;
        assert!(paused.is_ok(), "{paused:?}");
        r.write("pause_sync", json!({ "minutes": minutes }), paused);
        r.answer("get_settings", json!({}), w.engine.settings().await);
    }
    let resumed = w.engine.resume_sync().await;
    assert!(resumed.is_ok(), "{resumed:?}");
    r.write("resume_sync", json!({}), resumed);
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.save();

    let (w, mut r) = inbox_world("sync_paused_tray").await;
    record_start(&mut r, &w.engine).await;
    w.engine.pause_sync(None).await.unwrap();
    r.engine_changed("sync_pause");
    r.answer("get_settings", json!({}), w.engine.settings().await);
    r.save();
}

/// A posting whose product is named with HTML in it.
#[tokio::test]
async fn inbox_html_name() {
    let w = world().await;
    let mut r = Recording::new("inbox_html", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let mut posting = ordertray_fakes::ozon::sample_posting(951, 1, chrono::Utc::now());
    posting["products"][0]["name"] = json!("<img src=x onerror=\"alert(1)\">Brake pad");
    w.fake.add_posting(posting);
    w.engine.sync_account(w.account).await.unwrap();
    record_start(&mut r, &w.engine).await;
    r.save();
}

/// The inbox during a backfill: ten syncs in a row, each bringing one newer posting of one
/// product (the engine announces each; the inbox and the counts after each are recorded).
#[tokio::test]
async fn inbox_backfill() {
    let (w, mut r) = inbox_world("inbox_backfill").await;
    record_start(&mut r, &w.engine).await;
    for _ in 0..10 {
        w.fake.generate_postings(1, 1);
        let report = w.engine.sync_account(w.account).await.unwrap();
        assert_eq!(report.lines_new, 1);
        r.engine_changed("sync");
        r.answer(
            "inbox",
            json!({}),
            w.engine.inbox_page(&InboxQuery::default()).await,
        );
        r.answer("app_info", json!({}), w.engine.app_info().await);
    }
    r.save();
}

/// The inbox while the manager works in it: a sync brings two newer postings of one product; then
/// the oldest line (the last listed) is accepted elsewhere (the CLI, a second window).
#[tokio::test]
async fn inbox_refresh() {
    let (w, mut r) = inbox_world("inbox_refresh").await;
    record_start(&mut r, &w.engine).await;
    let before = inbox(&w.engine).await;
    w.fake.generate_postings(1, 1);
    w.fake.generate_postings(1, 1);
    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(report.lines_new, 2);
    r.engine_changed("sync");
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer("app_info", json!({}), w.engine.app_info().await);
    let last = before.last().unwrap().line.id;
    w.engine.triage(&[last], TriageAction::Accept).await.unwrap();
    r.engine_changed("triage");
    r.answer(
        "inbox",
        json!({}),
        w.engine.inbox_page(&InboxQuery::default()).await,
    );
    r.answer("app_info", json!({}), w.engine.app_info().await);
    r.save();
}

/// A keychain that cannot keep secrets (no Secret Service on the session bus, or locked).
struct LockedKeychain;

impl ordertray_engine::SecretStore for LockedKeychain {
    fn get(&self, _entry: &str) -> Result<Option<ordertray_core::Secret>, AppError> {
        Ok(None)
    }
    fn set(&self, _entry: &str, _value: &ordertray_core::Secret) -> Result<(), AppError> {
        Err(AppError::new(
            ordertray_core::ErrorCode::Keychain,
            "The keychain is locked",
        ))
    }
    fn delete(&self, _entry: &str) -> Result<(), AppError> {
        Ok(())
    }
    fn check(&self) -> Result<(), AppError> {
        Err(AppError::new(
            ordertray_core::ErrorCode::Keychain,
            "no Secret Service on the session bus",
        ))
    }
}

/// A new database whose keychain cannot keep secrets: the start says so, and connecting an Ozon
/// account (Client-Id 836, key "k") is refused.
#[tokio::test]
async fn first_start_locked_keychain() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let engine = ordertray_engine::Engine::open(ordertray_engine::EngineOptions {
        db_path: db.clone(),
        secrets: std::sync::Arc::new(LockedKeychain),
        notifier: std::sync::Arc::new(ordertray_engine::RecordingNotifier::default()),
        lang: ordertray_core::notify_text::Lang::En,
        actor: "manager".into(),
        http: ordertray_connectors::HttpSettings {
            timeout: std::time::Duration::from_secs(5),
        },
        notifications_ok: true,
        probe_secrets: true,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    })
    .await
    .unwrap();
    let mut r = Recording::new("keychain_locked", dir.path());
    record_start(&mut r, &engine).await;
    let draft = ozon_draft_as_sent("Shop A", "836", None);
    let secrets = json!({ "api_key": "k" });
    let refused = engine
        .add_account(
            serde_json::from_value(draft.clone()).unwrap(),
            serde_json::from_value(secrets.clone()).unwrap(),
        )
        .await;
    assert!(refused.is_err(), "{refused:?}");
    r.write(
        "add_account",
        json!({ "draft": draft, "secrets": secrets }),
        refused,
    );
    r.answer("list_accounts", json!({}), engine.list_accounts().await);
    r.save();
}

/// An Ozon account's draft as the account form sends it.
fn ozon_draft_as_sent(name: &str, client_id: &str, base_url: Option<&str>) -> Value {
    json!({
        "name": name,
        "region": "",
        "active": true,
        "interval_secs": 60,
        "base_url": base_url,
        "settings": serde_json::to_value(ordertray_core::AccountSettings::from(ordertray_connectors::ozon::OzonSettings::new(client_id))).unwrap(),
    })
}

/// A new database; the manager connects Shop A to (the fake) Ozon: tests the key, picks the
/// second of the cancel reasons Ozon lists, and saves.
#[tokio::test]
async fn first_account() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let fake = ordertray_fakes::ozon::FakeOzon::start(ordertray_fakes::ozon::FakeOzonConfig::new(
        CLIENT_ID, API_KEY,
    ))
    .await
    .unwrap();
    // Half a year after the fixed time, whatever the day the fixtures are recorded.
    fake.set_key_expires_at(
        FIXED_TIME.parse::<chrono::DateTime<chrono::Utc>>().unwrap() + chrono::Duration::days(180),
    );
    let mut r = Recording::new("first_account", dir.path());
    r.replace.push((fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &engine).await;
    let mut draft = ozon_draft_as_sent("Shop A", CLIENT_ID, Some(&fake.base_url()));
    let secrets = json!({ "api_key": API_KEY });
    let typed = |d: &Value| -> ordertray_core::AccountDraft { serde_json::from_value(d.clone()).unwrap() };
    let as_sent = |d: &Value| json!({ "draft": d, "secrets": secrets, "id": null });
    let tested = engine
        .test_connection(
            typed(&draft),
            serde_json::from_value(secrets.clone()).unwrap(),
            None,
        )
        .await;
    assert!(tested.as_ref().is_ok_and(|t| t.ok), "{tested:?}");
    r.answer("test_connection", as_sent(&draft), tested);
    let reasons = engine
        .cancel_reasons(
            typed(&draft),
            serde_json::from_value(secrets.clone()).unwrap(),
            None,
        )
        .await;
    let chosen = reasons.as_ref().unwrap()[1].id;
    r.answer("cancel_reasons", as_sent(&draft), reasons);
    draft["settings"]["cancel_reason_id"] = json!(chosen);
    let added = engine
        .add_account(typed(&draft), serde_json::from_value(secrets.clone()).unwrap())
        .await;
    assert!(added.is_ok(), "{added:?}");
    // As the add_account command does after the engine's part.
    engine
        .update_settings(ordertray_core::AppSettings::after_first_account)
        .await
        .unwrap();
    r.write(
        "add_account",
        json!({ "draft": draft, "secrets": secrets }),
        added,
    );
    r.answer("list_accounts", json!({}), engine.list_accounts().await);
    r.answer("app_info", json!({}), engine.app_info().await);
    r.answer("get_settings", json!({}), engine.settings().await);
    r.save();
}

/// A new database; the manager tries the demo (only where the engine is built with its demo, as
/// the shell builds it: `cargo test --workspace`, or `--features demo`).
#[cfg(feature = "demo")]
#[tokio::test]
async fn first_start_demo() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let mut r = Recording::new("demo", dir.path());
    record_start(&mut r, &engine).await;
    let started = engine.start_demo().await;
    assert!(started.is_ok(), "{started:?}");
    let base_url = started.as_ref().unwrap().base_url.clone().unwrap();
    r.replace.push((base_url, FIXED_BASE_URL));
    r.write("start_demo", json!({}), started);
    r.answer("list_accounts", json!({}), engine.list_accounts().await);
    r.answer("app_info", json!({}), engine.app_info().await);
    engine.remove_demo().await.unwrap();
    r.save();
}

/// Accounts: the manager renames Shop A to Shop B, polls it every 120 s and stops shipping on
/// accept, without typing its key again; then disables it.
#[tokio::test]
async fn account_edited() {
    let w = world().await;
    let mut r = Recording::new("account_edit", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    record_start(&mut r, &w.engine).await;
    let stored = w.engine.account(w.account).await.unwrap();
    let mut draft = json!({
        "name": "Shop B",
        "region": stored.region,
        "active": stored.active,
        "interval_secs": 120,
        "base_url": stored.base_url,
        "settings": stored.settings,
    });
    draft["settings"]["ship_on_accept"] = json!(false);
    let updated = w
        .engine
        .update_account(
            w.account,
            serde_json::from_value(draft.clone()).unwrap(),
            Default::default(),
        )
        .await;
    assert!(updated.is_ok(), "{updated:?}");
    r.write(
        "update_account",
        json!({ "id": w.account, "draft": draft, "secrets": {} }),
        updated,
    );
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    let disabled = w.engine.set_account_active(w.account, false).await;
    r.write(
        "set_account_active",
        json!({ "id": w.account, "active": false }),
        disabled,
    );
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    r.save();
}

/// The account's updates that still need attention, as the account_outbox command lists them
/// (those not done).
async fn record_account_outbox(r: &mut Recording, w: &World) {
    let rows = w.engine.outbox_list(Some(w.account)).await.map(|rows| {
        rows.into_iter()
            .filter(|row| row.state != ordertray_core::OutboxState::Done)
            .collect::<Vec<_>>()
    });
    r.answer("account_outbox", json!({ "id": w.account }), rows);
}

/// Shop A accepted a posting, but Ozon answered every attempt to ship it with 500 until the call
/// failed; its last sync failed the same way. The manager sends the call again.
#[tokio::test]
async fn account_outbox_failed() {
    let w = world().await;
    let mut r = Recording::new("account_outbox", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    let failed_yet = || async {
        w.engine
            .outbox_list(Some(w.account))
            .await
            .unwrap()
            .iter()
            .any(|row| row.state == ordertray_core::OutboxState::Failed)
    };
    let mut at = chrono::Utc::now();
    for _ in 0..20 {
        if failed_yet().await {
            break;
        }
        w.fake
            .push_fault(ordertray_fakes::faults::Fault::ServerError(500));
        at += chrono::Duration::days(1);
        w.engine.drain_outbox_at(at).await.unwrap();
    }
    w.fake
        .push_fault(ordertray_fakes::faults::Fault::ServerError(500));
    assert!(w.engine.sync_account(w.account).await.is_err());
    let rows = w.engine.outbox_list(Some(w.account)).await.unwrap();
    let failed = rows
        .iter()
        .find(|row| row.state == ordertray_core::OutboxState::Failed)
        .unwrap_or_else(|| panic!("{rows:?}"))
        .id;
    record_start(&mut r, &w.engine).await;
    record_account_outbox(&mut r, &w).await;
    let retried = w.engine.retry_outbox(failed).await;
    assert!(retried.is_ok(), "{retried:?}");
    r.write("retry_outbox", json!({ "id": failed }), retried);
    record_account_outbox(&mut r, &w).await;
    r.answer("list_accounts", json!({}), w.engine.list_accounts().await);
    r.save();
}

/// Shop A's call to ship an accepted posting was answered "too many requests, come back in 10
/// minutes"; Shop B synced.
#[tokio::test]
async fn account_server_wait() {
    let w = world().await;
    let mut r = Recording::new("account_wait", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let mut shop_b = draft(&w.fake.base_url());
    shop_b.name = "Shop B".into();
    let secret = std::collections::HashMap::from([("api_key".to_string(), API_KEY.to_string())]);
    let b = w.engine.add_account(shop_b, secret).await.unwrap().id;
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    w.engine.sync_account(b).await.unwrap();
    let line = inbox(&w.engine)
        .await
        .into_iter()
        .find(|l| l.account_id == w.account)
        .unwrap()
        .line
        .id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    w.fake.push_fault(ordertray_fakes::faults::Fault::RateLimited {
        retry_after_secs: Some(600),
    });
    w.engine.drain_outbox_once().await.unwrap();
    let accounts = w.engine.list_accounts().await.unwrap();
    assert!(accounts[0].health.server_wait_until.is_some(), "{accounts:?}");
    assert!(accounts[1].health.server_wait_until.is_none(), "{accounts:?}");
    record_start(&mut r, &w.engine).await;
    r.save();
}

/// Shop orders of every kind, newest last: from an Ozon posting the seller ships (accepted;
/// its product named with HTML), made by hand ("SO-2", sent by courier), made by hand and
/// transferred to RetailCRM ("SO-6"; transfers are another program's, so it is written as one
/// leaves it), from a realFBS posting (the seller delivers), from a posting Ozon delivers, and
/// from an FBO posting (read-only). The shop orders' ids by those names.
async fn shop_orders_world(
    name: &'static str,
) -> (World, Recording, std::collections::HashMap<&'static str, i64>) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let mut ids = std::collections::HashMap::new();
    let now = chrono::Utc::now();
    let mut ozon = ordertray_fakes::ozon::sample_posting(961, 1, now - chrono::Duration::hours(3));
    ozon["products"][0]["name"] = json!("<b>Brake</b> pad");
    w.fake.add_posting(ozon);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    w.engine.drain_outbox_once().await.unwrap();
    ids.insert("ozon", w.engine.shop_orders(None, 1_000).await.unwrap()[0].id);

    for number in ["SO-2", "SO-6"] {
        let draft: ordertray_core::cabinet::ShopOrderDraft = serde_json::from_value(json!({
            "number": number, "preorder": false,
            "recipient": { "name": format!("Recipient {number}"), "phone": "+79001234567", "email": "" }, "address": { "city": "Москва", "street": "ул. Тверская", "house": "1", "postal_code": "101000" },
            "items": [{ "id": 0, "line_id": null, "offer_id": null, "article": "0986452041", "brand": "BOSCH", "name": "Oil filter",
                        "quantity": 2, "price": "1000.00", "weight_g": 500, "length_cm": 10, "width_cm": 10, "height_cm": 8 }],
            "auto_dimensions": true, "weight_g": 0, "length_cm": 0, "width_cm": 0, "height_cm": 0,
            "declared_value": "2350.00", "cod": false, "payment_method": "prepaid", "paid": true,
            "delivery_method": "courier", "delivery_cost": "350.00", "order_type": "standard", "currency": "RUB",
            "tracking_number": "",
        }))
        .unwrap();
        let made = w.engine.create_shop_order(draft).await.unwrap();
        ids.insert(number, made.id);
    }
    let store = ordertray_store::Store::open(&w.db).await.unwrap();
    sqlx::query("UPDATE shop_orders SET transferred_to = 'RetailCRM', status_id = 9 WHERE id = ?1")
        .bind(ids["SO-6"])
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;

    let realfbs = ordertray_fakes::ozon::realfbs_posting(962, 1, now - chrono::Duration::hours(2));
    for (key, label, posting) in [
        ("realfbs", "<i>Ozon realFBS</i>", realfbs),
        (
            "ozon_delivers",
            "Ozon",
            ordertray_fakes::ozon::sample_posting(963, 1, now - chrono::Duration::hours(1)),
        ),
    ] {
        set_ozon(&w, |o| o.source_label = label.into()).await;
        w.fake.add_posting(posting);
        w.engine.sync_account(w.account).await.unwrap();
        let line = inbox(&w.engine).await[0].line.id;
        w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
        w.engine.drain_outbox_once().await.unwrap();
        let newest = w.engine.shop_orders(None, 1_000).await.unwrap();
        let id = newest.iter().map(|o| o.id).max().unwrap();
        ids.insert(key, id);
    }
    // FBO postings come in once the account imports them, as read-only orders.
    w.fake
        .add_fbo_posting(ordertray_fakes::ozon::fbo_posting(964, 1, now));
    set_ozon(&w, |o| {
        o.import_fbo = true;
        o.source_label = "Ozon FBO".into();
    })
    .await;
    w.engine.sync_account(w.account).await.unwrap();
    let fbo = w.engine.shop_orders(None, 1_000).await.unwrap();
    let id = fbo.iter().map(|o| o.id).max().unwrap();
    assert!(w.engine.shop_order_full(id).await.unwrap().read_only);
    ids.insert("fbo", id);
    (w, r, ids)
}

/// Changes Shop A's Ozon options as the account form saves them (its key kept).
async fn set_ozon(w: &World, change: impl FnOnce(&mut ordertray_connectors::ozon::OzonSettings)) {
    let a = w.engine.account(w.account).await.unwrap();
    let mut ozon: ordertray_connectors::ozon::OzonSettings = a.settings.parse().unwrap();
    change(&mut ozon);
    let settings = ozon.into();
    let draft = ordertray_core::AccountDraft {
        name: a.name,
        region: a.region,
        active: a.active,
        interval_secs: a.interval_secs,
        base_url: a.base_url,
        settings,
    };
    w.engine
        .update_account(w.account, draft, Default::default())
        .await
        .unwrap();
}

/// What All orders (every order, for any query) and the shop orders' screens read.
async fn record_shop_orders(r: &mut Recording, w: &World) {
    let query = cabinet_query(json!([]));
    r.answer("cabinet_page", json!({}), w.engine.cabinet_page(&query).await);
    r.answer(
        "cabinet_stats",
        json!({}),
        w.engine.cabinet_stats(&cabinet_filter(json!([]))).await,
    );
    for row in w.engine.cabinet_page(&query).await.unwrap().rows {
        r.answer(
            "shop_order_full",
            json!({ "id": row.id }),
            w.engine.shop_order_full(row.id).await,
        );
    }
    for order in w.engine.orders(None, None).await.unwrap() {
        r.answer(
            "order_detail",
            json!({ "id": order.id }),
            w.engine.order_detail(order.id).await,
        );
    }
    record_start(r, &w.engine).await;
}

/// The shop orders, read only.
#[tokio::test]
async fn shop_orders_shown() {
    let (w, mut r, _ids) = shop_orders_world("shop_orders_all").await;
    record_shop_orders(&mut r, &w).await;
    r.save();
}

/// The manager moves SO-2 to "ordered".
#[tokio::test]
async fn shop_order_status_set() {
    let (w, mut r, ids) = shop_orders_world("shop_order_status").await;
    record_shop_orders(&mut r, &w).await;
    let set = w.engine.set_shop_order_status(&[ids["SO-2"]], 2).await;
    assert!(set.is_ok(), "{set:?}");
    r.write(
        "set_shop_order_status",
        json!({ "ids": [ids["SO-2"]], "statusId": 2 }),
        set,
    );
    record_shop_orders(&mut r, &w).await;
    r.save();
}

/// The manager deletes SO-6, transferred to RetailCRM, keeping the link.
#[tokio::test]
async fn shop_order_transferred_deleted() {
    let (w, mut r, ids) = shop_orders_world("shop_order_transferred").await;
    record_shop_orders(&mut r, &w).await;
    let deleted = w.engine.delete_shop_orders(&[ids["SO-6"]], false).await;
    assert!(deleted.is_ok(), "{deleted:?}");
    r.write(
        "delete_shop_orders",
        json!({ "ids": [ids["SO-6"]], "removeLinks": false }),
        deleted,
    );
    record_shop_orders(&mut r, &w).await;
    r.save();
}

/// The manager deletes SO-2, restores it to "accepted", deletes it again and then for good.
#[tokio::test]
async fn shop_order_deleted_restored_purged() {
    let (w, mut r, ids) = shop_orders_world("shop_order_deleted").await;
    let so2 = ids["SO-2"];
    record_shop_orders(&mut r, &w).await;
    let deleted = w.engine.delete_shop_orders(&[so2], false).await;
    r.write(
        "delete_shop_orders",
        json!({ "ids": [so2], "removeLinks": false }),
        deleted,
    );
    record_shop_orders(&mut r, &w).await;
    let restored = w.engine.set_shop_order_status(&[so2], 1).await;
    assert!(restored.is_ok(), "{restored:?}");
    r.write(
        "set_shop_order_status",
        json!({ "ids": [so2], "statusId": 1 }),
        restored,
    );
    record_shop_orders(&mut r, &w).await;
    let deleted = w.engine.delete_shop_orders(&[so2], false).await;
    r.write(
        "delete_shop_orders",
        json!({ "ids": [so2], "removeLinks": false }),
        deleted,
    );
    record_shop_orders(&mut r, &w).await;
    let purged = w.engine.purge_shop_orders(&[so2]).await;
    assert_eq!(purged.as_ref().ok(), Some(&1), "{purged:?}");
    r.write("purge_shop_orders", json!({ "ids": [so2] }), purged);
    record_shop_orders(&mut r, &w).await;
    r.save();
}

/// The realFBS order: the manager sends no tracking number (refused), then RA123456789RU.
#[tokio::test]
async fn shop_order_tracking_sent() {
    let (w, mut r, ids) = shop_orders_world("shop_order_tracking").await;
    let id = ids["realfbs"];
    record_shop_orders(&mut r, &w).await;
    for tracking in ["", " RA123456789RU "] {
        let sent = w.engine.send_tracking_number(id, tracking).await;
        assert_eq!(sent.is_ok(), !tracking.is_empty(), "{sent:?}");
        r.write(
            "send_tracking_number",
            json!({ "id": id, "tracking": tracking }),
            sent,
        );
        record_shop_orders(&mut r, &w).await;
    }
    r.save();
}

/// The order of a posting Ozon delivers: its tracking number is refused.
#[tokio::test]
async fn shop_order_tracking_refused() {
    let (w, mut r, ids) = shop_orders_world("shop_order_tracking_refused").await;
    let id = ids["ozon_delivers"];
    record_shop_orders(&mut r, &w).await;
    let refused = w.engine.send_tracking_number(id, "TRACK-1").await;
    assert!(refused.is_err(), "{refused:?}");
    r.write(
        "send_tracking_number",
        json!({ "id": id, "tracking": "TRACK-1" }),
        refused,
    );
    record_shop_orders(&mut r, &w).await;
    r.save();
}

/// Issue 19, points 2 and 3: a posting due in 8 hours (put in process 40 hours ago) and a newer one
/// due in 46 hours; a price list has an offer for the older posting's line. The inbox in both
/// orders (ship-by first, the default, and newest first), then the manager accepts the line with
/// its inline offer (`a`). Times read as one fixed instant in the file: the UI test sets its clock.
#[tokio::test]
async fn inbox_offers_and_ship_by() {
    use ordertray_core::{InboxSort, LineState};
    use ordertray_fakes::ozon::sample_posting;
    let w = world().await;
    let mut r = Recording::new("inbox_ship_by", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let now = chrono::Utc::now();
    w.fake
        .add_posting(sample_posting(801, 1, now - chrono::Duration::hours(2)));
    w.fake
        .add_posting(sample_posting(802, 1, now - chrono::Duration::hours(40)));
    w.engine.sync_account(w.account).await.unwrap();
    let urgent = inbox(&w.engine).await[0].clone();
    assert!(
        urgent.order_number.starts_with("57000802"),
        "{}",
        urgent.order_number
    );
    let csv = w.db.parent().unwrap().join("supplier-a.csv");
    std::fs::write(
        &csv,
        format!(
            "Brand;Article;Name;Price;Stock;Days\nBOSCH;{};Offer;1200.00;4;2\n",
            urgent.line.offer_id
        ),
    )
    .unwrap();
    let settings: ordertray_core::pricelist::ListSettings = serde_json::from_value(json!({
        "mapping": { "brand": 0, "article": 1, "name": 2, "price": 3, "stock": 4, "delivery_days": 5, "supplier": null },
        "options": { "delimiter": ";", "encoding": "utf-8", "header": true },
    }))
    .unwrap();
    w.engine
        .import_price_list(&csv, "Supplier A", Some(settings))
        .await
        .unwrap();
    // Before the reads recorded with no arguments, which fit any query.
    for state in [LineState::New, LineState::Accepted] {
        let newest = InboxQuery {
            state,
            sort: InboxSort::Newest,
            ..first_page()
        };
        r.answer(
            "inbox",
            json!({ "query": newest }),
            w.engine.inbox_page(&newest).await,
        );
    }
    undo_start(&mut r, &w).await;
    // Both lines' candidates, for the detail pane: the urgent line's offer, and none for the other.
    for line in inbox(&w.engine).await {
        r.answer(
            "line_offers",
            json!({ "lineId": line.line.id }),
            w.engine.line_offers(line.line.id).await,
        );
    }
    let best = inbox(&w.engine).await[0]
        .best_offer
        .clone()
        .expect("an offer for the urgent line");
    let binding = json!({ "offer_id": best.offer.id, "quantity": null, "price": null });
    let accepted = w
        .engine
        .accept_with_offer(urgent.line.id, &serde_json::from_value(binding.clone()).unwrap())
        .await;
    assert!(accepted.is_ok(), "{accepted:?}");
    r.write(
        "accept_with_offer",
        json!({ "lineId": urgent.line.id, "binding": binding }),
        accepted,
    );
    record_inbox(&mut r, &w).await;
    r.save();
}

/// A hand-made order as the order form sends it: one item of 1000.00 × 2 by courier for 350.00,
/// paid in advance; `over` changes fields of the draft.
fn hand_made_draft(number: &str, over: Value) -> ordertray_core::cabinet::ShopOrderDraft {
    let mut draft = json!({
        "number": number, "preorder": false,
        "recipient": { "name": format!("Recipient {number}"), "phone": "+79001234567", "email": "" }, "address": { "city": "Москва", "street": "ул. Тверская", "house": "1", "postal_code": "101000" },
        "items": [{ "id": 0, "line_id": null, "offer_id": null, "article": "0986452041", "brand": "BOSCH", "name": "Oil filter",
                    "quantity": 2, "price": "1000.00", "weight_g": 500, "length_cm": 10, "width_cm": 10, "height_cm": 8 }],
        "auto_dimensions": true, "weight_g": 0, "length_cm": 0, "width_cm": 0, "height_cm": 0,
        "declared_value": "2350.00", "cod": false, "payment_method": "prepaid", "paid": true,
        "delivery_method": "courier", "delivery_cost": "350.00", "order_type": "standard", "currency": "RUB",
        "tracking_number": "",
    });
    for (key, value) in over.as_object().expect("fields of the draft") {
        draft[key] = value.clone();
    }
    serde_json::from_value(draft).unwrap()
}

/// The export dialog's options as the window sends them: its defaults, `over` changing some.
fn export_options(over: Value) -> Value {
    let mut options = json!({
        "filter": { "order_type": null, "status_id": null, "period": "all", "payment": null, "paid": null },
        "delimiter": "comma",
        "encoding": "utf-8",
        "columns": ordertray_core::export::default_columns(),
        "lang": "en",
    });
    for (key, value) in over.as_object().expect("fields of the options") {
        options[key] = value.clone();
    }
    options
}

/// Six hand-made orders, SO-1 … SO-6; SO-4 shipped, a "through" order whose recipient's name has
/// three characters CP1251 has no letter for. Files are exported into a folder that reads as
/// /home/manager (the path the save dialog of the UI tests returns).
async fn export_world(name: &'static str) -> (World, Recording, PathBuf) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    let exports = w.db.parent().unwrap().join("exports");
    std::fs::create_dir(&exports).unwrap();
    r.replace
        .insert(0, (exports.display().to_string(), "/home/manager"));
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    for n in 1..=6 {
        let number = format!("SO-{n}");
        let over = if n == 4 {
            json!({ "order_type": "through", "recipient": { "name": "Anna ✓✓✓", "phone": "+79001234567", "email": "" },
                    "address": { "city": "Москва", "street": "ул. Тверская", "house": "1", "postal_code": "101000" } })
        } else {
            json!({})
        };
        let made = w
            .engine
            .create_shop_order(hand_made_draft(&number, over))
            .await
            .unwrap();
        if n == 4 {
            w.engine.set_shop_order_status(&[made.id], 4).await.unwrap();
        }
    }
    record_cabinet(&mut r, &w).await;
    (w, r, exports)
}

/// What the window gets for an export: the shell's refusal of an existing file it was not told to
/// replace (src-tauri/src/cabinet_commands.rs `export_csv` checks before the engine), else the
/// engine's answer. Recorded as a write: it changes what is on disk.
async fn record_export(r: &mut Recording, w: &World, path: &Path, options: Value, overwrite: bool) {
    let exported = if !overwrite && path.exists() {
        Err(AppError::said(
            ordertray_core::ErrorCode::NeedsConfirmation,
            ordertray_core::ErrorWords::FileExists {
                path: path.display().to_string(),
            },
        ))
    } else {
        w.engine
            .export_csv(path, &serde_json::from_value(options.clone()).unwrap())
            .await
    };
    r.write(
        "export_csv",
        json!({ "path": path, "options": options, "overwrite": overwrite }),
        exported,
    );
}

/// The manager picks Shipped, three months, "through" orders paid in advance, semicolons in CP1251
/// and other columns, and exports to the file the save dialog chose.
#[tokio::test]
async fn export_chosen_options() {
    let (w, mut r, exports) = export_world("export_options").await;
    let columns = json!([
        "number",
        "created_at",
        "status",
        "marketplace",
        "recipient_name",
        "recipient_phone",
        "address",
        "payment_method",
        "paid",
        "total",
        "item_quantity",
        "item_article",
    ]);
    let options = export_options(json!({
        "filter": { "order_type": "through", "status_id": 4, "period": "3months", "payment": "prepaid", "paid": true },
        "delimiter": "semicolon", "encoding": "cp1251", "columns": columns,
    }));
    record_export(&mut r, &w, &exports.join("orders.csv"), options, true).await;
    r.save();
}

/// An export with the dialog's defaults while the window speaks Polish.
#[tokio::test]
async fn export_in_polish() {
    let (w, mut r, exports) = export_world("export_lang").await;
    let options = export_options(json!({ "lang": "pl" }));
    record_export(&mut r, &w, &exports.join("orders.csv"), options, true).await;
    r.save();
}

/// The manager saves tab-separated options with the item's name as the preset "Accounting",
/// exports with it, then deletes it.
#[tokio::test]
async fn export_preset() {
    let (w, mut r, exports) = export_world("export_preset").await;
    let mut columns = ordertray_core::export::default_columns();
    columns.push(ordertray_core::export::ExportColumn::ItemName);
    let options = export_options(json!({ "delimiter": "tab", "columns": columns }));
    let preset = json!([{ "name": "Accounting", "options": options }]);
    save_changed(&mut r, &w, |s| {
        s.export_presets = serde_json::from_value(preset).unwrap()
    })
    .await;
    record_export(&mut r, &w, &exports.join("orders.csv"), options, true).await;
    save_changed(&mut r, &w, |s| s.export_presets.clear()).await;
    r.save();
}

/// An export the manager cancels. A cancel lands between batches, so the cancelled export is
/// recorded on another database of 10,000 orders (ten batches): its first batch's progress, then
/// the refusal; the window around it is the six orders' export world. Ten, not two: the cancel is
/// set when this test's task next runs, and the scheduler may let the export read and write a few
/// more batches first (with two, a fast export sometimes finished before it).
#[tokio::test]
async fn export_cancelled() {
    let (_w, mut r, _exports) = export_world("export_cancelled").await;
    let (dir, db, secrets, engine) = fresh_engine().await;
    drop(engine);
    seed::seed_shop_orders(&db, 10_000, 1).await;
    let engine = open(&db, secrets, Default::default()).await;
    let mut events = engine.subscribe();
    let path = dir.path().join("orders.csv");
    let options = export_options(json!({}));
    let task = {
        let (engine, path) = (engine.clone(), path.clone());
        let options = serde_json::from_value(options.clone()).unwrap();
        tokio::spawn(async move { engine.export_csv(&path, &options).await })
    };
    let progress = loop {
        let event = events.recv().await.unwrap();
        if matches!(event, ordertray_core::EngineEvent::ExportProgress { .. }) {
            engine.cancel_export();
            break event;
        }
    };
    let cancelled = task.await.unwrap();
    assert!(cancelled.is_err(), "{cancelled:?}");
    assert!(!path.exists(), "a cancelled export leaves no file");
    r.answer("@events", json!({}), Ok::<_, AppError>(vec![progress]));
    let path = Path::new("/home/manager/orders.csv");
    r.write(
        "export_csv",
        json!({ "path": path, "options": options, "overwrite": true }),
        cancelled,
    );
    r.save();
}

/// An export into a folder that is not there: the engine's failure, as the window shows it.
#[tokio::test]
async fn export_failed() {
    let (w, mut r, exports) = export_world("export_failed").await;
    let options = export_options(json!({}));
    record_export(&mut r, &w, &exports.join("missing/orders.csv"), options, true).await;
    r.save();
}

/// A typed path is written without the file chooser; then the chosen orders.csv, typed in by
/// Choose….
#[tokio::test]
async fn export_typed_path() {
    let (w, mut r, exports) = export_world("export_typed_path").await;
    let options = export_options(json!({}));
    record_export(&mut r, &w, &exports.join("Заказы.csv"), options.clone(), false).await;
    record_export(&mut r, &w, &exports.join("orders.csv"), options, false).await;
    r.save();
}

/// A typed path exported twice: the second time the file is there and the window is asked before
/// replacing it; then it is replaced.
#[tokio::test]
async fn export_replace() {
    let (w, mut r, exports) = export_world("export_replace").await;
    let options = export_options(json!({}));
    let path = exports.join("orders.csv");
    record_export(&mut r, &w, &path, options.clone(), false).await;
    record_export(&mut r, &w, &path, options.clone(), false).await;
    record_export(&mut r, &w, &path, options, true).await;
    r.save();
}

/// The days the cabinet's orders were made: the order with id n on 2025-11-(10 + n), 08:00 UTC.
/// Kept as they are in the recording, like the date filter the window sends for that month.
const CABINET_MONTH: (&str, &str) = ("2025-11-01T00:00:00Z", "2025-12-01T00:00:00Z");

/// A page query as the window sends it: the default view's ("new" group, newest first, the first
/// page of up to `FIRST_PAGE`), `filter` and `over` changing fields.
fn page_query(filter: Value, over: Value) -> Value {
    let mut query = json!({
        "filter": cabinet_filter(json!(["new"])),
        "sort": { "column": "created", "desc": true },
        "after": null,
        "limit": FIRST_PAGE,
    });
    for (key, value) in filter.as_object().expect("fields of the filter") {
        query["filter"][key] = value.clone();
    }
    for (key, value) in over.as_object().expect("fields of the query") {
        query[key] = value.clone();
    }
    query
}

/// The views the cabinet's tests open: by status, group, the combined filters over November,
/// a search, and the sorts.
fn cabinet_views() -> Vec<Value> {
    let (from, to) = ("2025-11-01T00:00:00.000Z", "2025-12-01T00:00:00.000Z");
    vec![
        page_query(json!({}), json!({})),
        page_query(json!({ "groups": [], "status_ids": [4] }), json!({})),
        page_query(json!({ "groups": ["removed"] }), json!({})),
        page_query(json!({ "groups": [] }), json!({})),
        page_query(
            json!({ "groups": [], "payment": ["cash_on_delivery"], "paid": false, "types": ["through"],
                    "manual": true, "from": from, "to": to }),
            json!({}),
        ),
        page_query(json!({ "search": "recipient 2" }), json!({})),
        page_query(
            json!({}),
            json!({ "sort": { "column": "number", "desc": false } }),
        ),
        page_query(json!({}), json!({ "sort": { "column": "number", "desc": true } })),
        page_query(
            json!({}),
            json!({ "sort": { "column": "created", "desc": false } }),
        ),
    ]
}

/// One view as the window reads it: the page for `query` and the counts for its filter without
/// the status (the counts are the same under any status).
async fn record_view(r: &mut Recording, w: &World, query: Value) {
    let page = w
        .engine
        .cabinet_page(&serde_json::from_value(query.clone()).unwrap())
        .await;
    r.answer("cabinet_page", json!({ "query": query }), page);
    let mut counted = query["filter"].clone();
    counted["status_ids"] = json!([]);
    counted["groups"] = json!([]);
    let stats = w
        .engine
        .cabinet_stats(&serde_json::from_value(counted.clone()).unwrap())
        .await;
    r.answer("cabinet_stats", json!({ "filter": counted }), stats);
}

/// Every view of [`cabinet_views`], then what the cabinet and a shop order's screen read (the
/// reads recorded with no arguments fit any query, so they come after).
async fn record_cabinet_views(r: &mut Recording, w: &World) {
    for query in cabinet_views() {
        record_view(r, w, query).await;
    }
    record_cabinet(r, w).await;
}

/// Sets when the shop orders were made (see [`CABINET_MONTH`]): newer ids are newer orders.
async fn pin_created_days(w: &World) {
    let store = ordertray_store::Store::open(&w.db).await.unwrap();
    sqlx::query(
        "UPDATE shop_orders SET created_at = strftime('%Y-%m-%dT08:00:00.000000Z', '2025-11-10', '+' || id || ' days')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
}

/// Six shop orders, ids 1–6: 1 from an Ozon posting, the others made by hand as "SO-n" for
/// "Recipient n". 1, 2 and 6 are Accepted (6 transferred to RetailCRM), 3 Ordered (cash on
/// delivery, unpaid, a "through" order), 4 Shipped, 5 Deleted.
async fn cabinet_world(name: &'static str) -> (World, Recording) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    let month = CABINET_MONTH;
    r.pinned = Some((month.0.parse().unwrap(), month.1.parse().unwrap()));
    let posting =
        ordertray_fakes::ozon::sample_posting(57, 1, chrono::Utc::now() - chrono::Duration::hours(3));
    w.fake.add_posting(posting);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    w.engine.drain_outbox_once().await.unwrap();
    assert_eq!(w.engine.shop_orders(None, 1_000).await.unwrap()[0].id, 1);
    for n in 2..=6 {
        let mut over = json!({ "recipient": { "name": format!("Recipient {n}"), "phone": "+79001234567", "email": "" },
                                "address": { "city": "Москва", "street": "ул. Тверская", "house": "1", "postal_code": "101000" } });
        if n == 3 {
            over["payment_method"] = json!("cash_on_delivery");
            over["cod"] = json!(true);
            over["paid"] = json!(false);
            over["order_type"] = json!("through");
        }
        let made = w
            .engine
            .create_shop_order(hand_made_draft(&format!("SO-{n}"), over))
            .await
            .unwrap();
        assert_eq!(made.id, n);
    }
    w.engine.set_shop_order_status(&[3], 2).await.unwrap();
    w.engine.set_shop_order_status(&[4], 4).await.unwrap();
    w.engine.delete_shop_orders(&[5], false).await.unwrap();
    let store = ordertray_store::Store::open(&w.db).await.unwrap();
    sqlx::query("UPDATE shop_orders SET transferred_to = 'RetailCRM' WHERE id = 6")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    pin_created_days(&w).await;
    (w, r)
}

/// The cabinet's views of the six orders; then an order made elsewhere (SO-17, the newest), which
/// the engine announces.
#[tokio::test]
async fn cabinet_views_and_refresh() {
    let (w, mut r) = cabinet_world("cabinet").await;
    record_cabinet_views(&mut r, &w).await;
    let made = w
        .engine
        .create_shop_order(hand_made_draft("SO-17", json!({})))
        .await
        .unwrap();
    pin_created_days(&w).await;
    r.engine_changed(&format!("shop order {} made", made.id));
    record_cabinet_views(&mut r, &w).await;
    r.save();
}

/// All orders in keyset pages, recorded two rows a page (the window asks for `FIRST_PAGE`, then
/// `NEXT_PAGES`): each page answers the cursor of the page before.
#[tokio::test]
async fn cabinet_keyset_pages() {
    let (w, mut r) = cabinet_world("cabinet_pages").await;
    let mut query = page_query(json!({ "groups": [] }), json!({}));
    loop {
        let mut two = query.clone();
        two["limit"] = json!(2);
        let page = w
            .engine
            .cabinet_page(&serde_json::from_value(two).unwrap())
            .await
            .unwrap();
        r.answer(
            "cabinet_page",
            json!({ "query": query }),
            Ok::<_, AppError>(page.clone()),
        );
        let Some(next) = page.next else { break };
        query["after"] = json!(next);
        query["limit"] = json!(NEXT_PAGES);
    }
    record_cabinet(&mut r, &w).await;
    r.save();
}

/// The manager moves orders 6 and 1 to Shipped.
#[tokio::test]
async fn cabinet_bulk_status() {
    let (w, mut r) = cabinet_world("cabinet_status").await;
    record_cabinet_views(&mut r, &w).await;
    let set = w.engine.set_shop_order_status(&[6, 1], 4).await;
    assert!(set.is_ok(), "{set:?}");
    r.write(
        "set_shop_order_status",
        json!({ "ids": [6, 1], "statusId": 4 }),
        set,
    );
    // Both orders moved, the hand-made one too (the report lists only the Ozon order's line).
    for id in [6, 1] {
        assert_eq!(w.engine.shop_order_full(id).await.unwrap().status_id, Some(4));
    }
    record_cabinet_views(&mut r, &w).await;
    r.save();
}

/// The manager makes the three new orders export orders.
#[tokio::test]
async fn cabinet_bulk_type() {
    let (w, mut r) = cabinet_world("cabinet_type").await;
    record_cabinet_views(&mut r, &w).await;
    let kind = ordertray_core::cabinet::OrderType::Export;
    let set = w.engine.set_order_type(&[6, 2, 1], kind).await;
    r.write(
        "set_order_type",
        json!({ "ids": [6, 2, 1], "orderType": kind }),
        set,
    );
    for id in [6, 2, 1] {
        assert_eq!(w.engine.shop_order_full(id).await.unwrap().draft.order_type, kind);
    }
    record_cabinet_views(&mut r, &w).await;
    r.save();
}

/// The manager deletes 6 (transferred: its link removed too) and 2, then 1.
#[tokio::test]
async fn cabinet_bulk_delete() {
    let (w, mut r) = cabinet_world("cabinet_delete").await;
    record_cabinet_views(&mut r, &w).await;
    for (ids, remove_links) in [(vec![6, 2], true), (vec![1], false)] {
        let deleted = w.engine.delete_shop_orders(&ids, remove_links).await;
        r.write(
            "delete_shop_orders",
            json!({ "ids": ids, "removeLinks": remove_links }),
            deleted,
        );
        for &id in &ids {
            let order = w.engine.shop_order_full(id).await.unwrap();
            assert_eq!(order.status_id, Some(8), "order {id} is Deleted");
            assert_eq!(order.transferred_to, None, "order {id}'s link is removed");
        }
        record_cabinet_views(&mut r, &w).await;
    }
    r.save();
}

/// The manager deletes the deleted order 5 for good.
#[tokio::test]
async fn cabinet_purge() {
    let (w, mut r) = cabinet_world("cabinet_purge").await;
    record_cabinet_views(&mut r, &w).await;
    let purged = w.engine.purge_shop_orders(&[5]).await;
    r.write("purge_shop_orders", json!({ "ids": [5] }), purged);
    record_cabinet_views(&mut r, &w).await;
    r.save();
}

/// A month for the charts: on 2025-11-01 two Ozon postings arrive (two products accepted, one
/// rejected, each decided 2 h 5 min 30 s after it arrived; the accepted ones make a RUB order), on
/// 11-03 two orders are made by hand, one in RUB and one in EUR; nothing on 11-02. Also a
/// period with nothing in it (October).
#[tokio::test]
async fn cabinet_charts_of_a_month() {
    let w = world().await;
    let mut r = Recording::new("cabinet_charts", w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    r.pinned = Some((
        "2025-10-01T00:00:00Z".parse().unwrap(),
        CABINET_MONTH.1.parse().unwrap(),
    ));
    let accepted = w.fake.generate_postings(1, 2);
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = inbox(&w.engine).await;
    let (take, refuse): (Vec<_>, Vec<_>) = lines.iter().partition(|l| l.order_external_id == accepted[0]);
    let ids = |ls: &[&ordertray_core::InboxLine]| ls.iter().map(|l| l.line.id).collect::<Vec<_>>();
    w.engine.triage(&ids(&take), TriageAction::Accept).await.unwrap();
    w.engine
        .triage(&ids(&refuse), TriageAction::Reject)
        .await
        .unwrap();
    w.engine.drain_outbox_once().await.unwrap();
    for (number, currency) in [("SO-RUB", "RUB"), ("SO-EUR", "EUR")] {
        let draft = hand_made_draft(number, json!({ "currency": currency }));
        w.engine.create_shop_order(draft).await.unwrap();
    }
    let store = ordertray_store::Store::open(&w.db).await.unwrap();
    for pin in [
        "UPDATE orders SET first_seen_at = '2025-11-01T08:00:00.000000Z'",
        "UPDATE lines SET state_changed_at = '2025-11-01T10:05:30.000000Z' WHERE state IN ('accepted', 'rejected')",
        "UPDATE shop_orders SET created_at = '2025-11-01T10:05:00.000000Z' WHERE source_order_id IS NOT NULL",
        "UPDATE shop_orders SET created_at = '2025-11-03T09:00:00.000000Z' WHERE source_order_id IS NULL",
    ] {
        sqlx::query(pin).execute(store.pool()).await.unwrap();
    }
    store.close().await;
    for (from, to) in [
        ("2025-11-01T00:00:00.000Z", "2025-11-30T23:59:59.999Z"),
        ("2025-10-01T00:00:00.000Z", "2025-10-31T23:59:59.999Z"),
    ] {
        let mut filter = json!(cabinet_filter(json!(["new"])));
        filter["from"] = json!(from);
        filter["to"] = json!(to);
        let charts = w
            .engine
            .cabinet_charts(&serde_json::from_value(filter.clone()).unwrap())
            .await;
        r.answer("cabinet_charts", json!({ "filter": filter }), charts);
    }
    r.save();
}

/// The number a new order's draft gets from the clock, as the recordings show it.
const FIXED_ORDER_NUMBER: &str = "20260302-093000";

/// The order form's world: Shop A (Ozon), Supplier A's price list with one BOSCH oil filter, and
/// SO-2 made by hand (one filter of 1000.00 × 2, 500 g each, by courier for 350.00). Records what
/// the form and the screens around it read: the start, the cabinet, a new draft, the search for
/// "bosch" and the courier's quotes for the weights the tests reach.
async fn order_form_world(name: &'static str) -> (World, Recording) {
    let w = world().await;
    let mut r = Recording::new(name, w.db.parent().unwrap());
    r.replace.push((w.fake.base_url(), FIXED_BASE_URL));
    import_list(&w, "Supplier A", "BOSCH;0986452041;Oil filter;1000.00;5;2").await;
    let draft = hand_made_draft("SO-2", json!({}));
    w.engine.create_shop_order(draft).await.unwrap();
    let fresh = w.engine.new_order_draft();
    r.replace.push((fresh.number.clone(), FIXED_ORDER_NUMBER));
    r.answer("new_order_draft", json!({}), Ok::<_, AppError>(fresh));
    r.answer(
        "search_offers",
        json!({ "text": "bosch" }),
        w.engine.search_offers("bosch", 50).await,
    );
    for weight in [0, 1000, 1500, 1800] {
        let quotes = w.engine.delivery_quotes(weight).await;
        r.answer("delivery_quotes", json!({ "weightG": weight }), quotes);
    }
    r.answer("price_lists", json!({}), w.engine.price_lists().await);
    record_cabinet(&mut r, &w).await;
    (w, r)
}

/// What the order form sent in the UI tests (OrderForm.test.tsx), command and arguments: the
/// drafts as the manager left them at each step, copied from those tests' calls. A draft the
/// form sends that is not here gets no answer in the UI test, which then fails where it waits
/// for one: a changed form or test step adds its drafts here.
fn form_sent(cmd: &str) -> Vec<Value> {
    let sent: Vec<Value> = serde_json::from_str(include_str!("order_form_sent.json")).unwrap();
    sent.into_iter()
        .filter(|c| c["cmd"] == cmd)
        .map(|c| c["args"].clone())
        .collect()
}

fn draft_of(args: &Value) -> ordertray_core::cabinet::ShopOrderDraft {
    serde_json::from_value(args["draft"].clone()).unwrap()
}

/// The engine's problems with each draft the form sent (a read: the same draft, the same answer).
async fn record_validations(r: &mut Recording, w: &World) {
    for args in form_sent("validate_order") {
        r.answer(
            "validate_order",
            args.clone(),
            w.engine.validate_order(&draft_of(&args)).await,
        );
    }
}

/// The new order the form sent whose draft `pick` chooses, created; then the order's screen.
async fn record_create(r: &mut Recording, w: &World, pick: impl Fn(&Value) -> bool) {
    let Some(args) = form_sent("create_shop_order")
        .into_iter()
        .find(|a| pick(&a["draft"]))
    else {
        return;
    };
    let made = w.engine.create_shop_order(draft_of(&args)).await;
    let id = made.as_ref().map(|m| m.id).ok();
    r.write("create_shop_order", args, made);
    if let Some(id) = id {
        r.answer(
            "shop_order_full",
            json!({ "id": id }),
            w.engine.shop_order_full(id).await,
        );
    }
    record_cabinet(r, w).await;
}

/// The edits of SO-2 the form sent whose draft `pick` chooses: the previews, then the updates
/// (each a write), then SO-2 and the cabinet as they are after.
async fn record_edit(r: &mut Recording, w: &World, pick: impl Fn(&Value) -> bool) {
    for args in form_sent("preview_order_edit")
        .into_iter()
        .filter(|a| pick(&a["draft"]))
    {
        let id = args["id"].as_i64().unwrap();
        let preview = w.engine.preview_order_edit(id, &draft_of(&args)).await;
        r.answer("preview_order_edit", args, preview);
    }
    // Saved at once when nothing is to confirm, confirmed when the preview asked: one save.
    for args in form_sent("update_shop_order")
        .into_iter()
        .filter(|a| pick(&a["draft"]))
        .take(1)
    {
        let id = args["id"].as_i64().unwrap();
        let confirmed = args["confirmed"].as_bool().unwrap();
        let saved = w.engine.update_shop_order(id, draft_of(&args), confirmed).await;
        r.write("update_shop_order", args, saved);
        r.answer(
            "shop_order_full",
            json!({ "id": id }),
            w.engine.shop_order_full(id).await,
        );
        record_cabinet(r, w).await;
    }
}

fn quantity_3(draft: &Value) -> bool {
    draft["items"][0]["quantity"] == 3
}

fn renamed(draft: &Value) -> bool {
    draft["recipient"]["name"] == "Anna Nowak"
}

/// A new order: the form's problems at each step, the quotes, and SHOP-77 created.
#[tokio::test]
async fn order_form_new() {
    let (w, mut r) = order_form_world("order_form").await;
    record_validations(&mut r, &w).await;
    record_create(&mut r, &w, |d| d["number"] == "SHOP-77").await;
    r.save();
}

/// A pre-order of a free item typed by hand.
#[tokio::test]
async fn order_form_preorder() {
    let (w, mut r) = order_form_world("order_preorder").await;
    record_validations(&mut r, &w).await;
    record_create(&mut r, &w, |d| d["preorder"] == true).await;
    r.save();
}

/// SO-2 edited to three filters: the courier costs more, so the engine asks first.
#[tokio::test]
async fn order_form_edit() {
    let (w, mut r) = order_form_world("order_edit").await;
    record_validations(&mut r, &w).await;
    record_edit(&mut r, &w, quantity_3).await;
    r.save();
}

/// SO-2's recipient renamed: the delivery stays, nothing to confirm.
#[tokio::test]
async fn order_form_edit_same() {
    let (w, mut r) = order_form_world("order_edit_same").await;
    record_validations(&mut r, &w).await;
    record_edit(&mut r, &w, renamed).await;
    r.save();
}

/// SO-2's recipient renamed, but before the save its delivery cost is changed elsewhere: the
/// engine asks after all, and the confirmed save goes through.
#[tokio::test]
async fn order_form_edit_race() {
    let (w, mut r) = order_form_world("order_edit_race").await;
    record_validations(&mut r, &w).await;
    for args in form_sent("preview_order_edit")
        .into_iter()
        .filter(|a| renamed(&a["draft"]))
    {
        let id = args["id"].as_i64().unwrap();
        let preview = w.engine.preview_order_edit(id, &draft_of(&args)).await;
        r.answer("preview_order_edit", args, preview);
    }
    let store = ordertray_store::Store::open(&w.db).await.unwrap();
    sqlx::query("UPDATE shop_orders SET delivery_cost = '400' WHERE number = 'SO-2'")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    r.engine_changed("SO-2's delivery cost changed elsewhere");
    let updates = form_sent("update_shop_order");
    for confirmed in [false, true] {
        let Some(args) = updates
            .iter()
            .find(|a| renamed(&a["draft"]) && a["confirmed"] == confirmed)
        else {
            continue;
        };
        let id = args["id"].as_i64().unwrap();
        let saved = w.engine.update_shop_order(id, draft_of(args), confirmed).await;
        r.write("update_shop_order", args.clone(), saved);
    }
    record_cabinet(&mut r, &w).await;
    r.save();
}
