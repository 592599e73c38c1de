//! A Gettzap account in the engine: orders pushed to the intake over real HTTP (auth, malformed
//! bodies, repeated and changed pushes, buyer cancels), and decisions and shop statuses sent back
//! to the fake Gettzap per position with the account's texts, including the order-level rule.

mod common;

use std::collections::HashMap;

use common::{fresh_engine, inbox};
use ordertray_connectors::gettzap::{GettzapSettings, GETTZAP_INTAKE_TOKEN};
use ordertray_core::intake::IntakeSettings;
use ordertray_core::templates::{PushLevel, PushTemplates, StatusPush};
use ordertray_core::{AccountDraft, AccountSettings, TriageAction};
use ordertray_engine::Engine;
use ordertray_fakes::gettzap::{sample_order, FakeGettzap, FakeGettzapConfig, FakeGettzapHandle};
use serde_json::{json, Value};

const LOGIN: &str = "gz-engine";
const PASSWORD: &str = "gz-engine-password";
const KEY: &str = "gz-engine-office-token";

async fn gettzap_account(engine: &Engine, fake: &FakeGettzapHandle) -> i64 {
    let draft = AccountDraft {
        name: "Gettzap".into(),
        region: "Москва".into(),
        active: true,
        interval_secs: 60,
        base_url: Some(fake.base_url()),
        settings: AccountSettings::from(GettzapSettings::new(LOGIN)),
    };
    let secrets = HashMap::from([
        ("password".to_string(), PASSWORD.to_string()),
        ("api_key".to_string(), KEY.to_string()),
    ]);
    engine.add_account(draft, secrets).await.unwrap().id
}

async fn start_intake(engine: &Engine) {
    engine
        .start_intake(&IntakeSettings {
            enabled: true,
            port: 0,
            ..Default::default()
        })
        .await
        .unwrap();
}

async fn post(url: &str, content_type: &str, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Rows of one order go out one after another: drain until nothing more is delivered.
async fn drain_all(engine: &Engine) {
    for _ in 0..20 {
        if engine.drain_outbox_once().await.unwrap().delivered == 0 {
            return;
        }
    }
}

fn without_token(url: &str) -> String {
    url.split('?').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn pushed_orders_are_stored_once_and_refused_without_the_token() {
    let fake = FakeGettzap::start(FakeGettzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let (_dir, _db, secrets, engine) = fresh_engine().await;
    let account = gettzap_account(&engine, &fake).await;
    start_intake(&engine).await;
    let url = engine.intake_url(account).await.unwrap();
    let token = url.split("token=").nth(1).unwrap().to_string();
    assert_eq!(token.len(), 48, "a generated token: {url}");
    use ordertray_engine::SecretStore;
    assert_eq!(
        secrets
            .get(&ordertray_engine::entry_name(
                engine.database_id(),
                account,
                GETTZAP_INTAKE_TOKEN
            ))
            .unwrap()
            .unwrap()
            .expose(),
        token,
        "the token lives in the secret store"
    );
    let shown = engine.intake_address(account).await.unwrap();
    assert!(!shown.masked_url.contains(&token) && shown.serving && shown.format_unverified);

    // Without the token, or with a wrong one: 401, nothing stored, only counted (no row).
    let order = sample_order("5001", 2);
    let (s, _) = post(&without_token(&url), "application/json", order.to_string()).await;
    assert_eq!(s, 401);
    let wrong = url.replace(&token, &"0".repeat(48));
    let (s, body) = post(&wrong, "application/json", order.to_string()).await;
    assert_eq!(s, 401);
    assert!(body["error"].as_str().unwrap().contains("token"));
    assert!(engine.orders(Some(account), None).await.unwrap().is_empty());

    // Nothing to pull: a sync reads nothing and leaves the health to the pushes.
    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(report.pages, 0);
    assert_eq!(engine.store().health(account).await.unwrap().last_poll_at, None);

    // With it: stored; the same push again changes nothing; a header works as well as the query.
    let (s, body) = post(&url, "application/json", order.to_string()).await;
    assert_eq!((s, body["new"].as_u64()), (200, Some(1)), "{body}");
    // The account's health says when orders last came, and that they were read.
    let health = engine.store().health(account).await.unwrap();
    assert!(health.last_poll_at.is_some(), "{health:?}");
    assert_eq!(health.last_error, None);
    let r = reqwest::Client::new()
        .post(without_token(&url))
        .bearer_auth(&token)
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["new"].as_u64(), body["changed"].as_u64()),
        (Some(0), Some(0))
    );
    let orders = engine.orders(Some(account), None).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].lines.len(), 2);
    assert_eq!(orders[0].number, "GZ-5001");
    assert_eq!(orders[0].customer_name.as_deref(), Some("Иван Петров"));

    // A push with changes updates the order (like a sync upsert).
    let mut changed = order.clone();
    changed["positions"][1]["quantity"] = json!(5);
    let (s, body) = post(&url, "application/json", changed.to_string()).await;
    assert_eq!((s, body["changed"].as_u64()), (200, Some(1)), "{body}");
    let orders = engine.orders(Some(account), None).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].lines.iter().map(|l| l.quantity).max(), Some(5));

    // A push holding only the changed position updates that one: the other is not taken as
    // removed by the marketplace, and the buyer it leaves out is kept.
    let mut second = changed["positions"][1].clone();
    second["quantity"] = json!(6);
    let partial = json!({"order_id": "5001", "positions": [second]});
    let (s, body) = post(&url, "application/json", partial.to_string()).await;
    assert_eq!((s, body["changed"].as_u64()), (200, Some(1)), "{body}");
    let orders = engine.orders(Some(account), None).await.unwrap();
    assert_eq!(orders[0].lines.len(), 2, "{:?}", orders[0].lines);
    assert_eq!(orders[0].lines.iter().map(|l| l.quantity).max(), Some(6));
    assert_eq!(orders[0].customer_name.as_deref(), Some("Иван Петров"));
    assert_eq!(orders[0].number, "GZ-5001", "the number it leaves out is kept");

    // A form-encoded push is read too.
    let form = "order_id=5002&positions[0][position_id]=p1&positions[0][article]=W712&positions[0][qty]=1&positions[0][price]=410";
    let (s, body) = post(&url, "application/x-www-form-urlencoded", form).await;
    assert_eq!((s, body["new"].as_u64()), (200, Some(1)), "{body}");

    // Malformed bodies: 400 with the reason, set aside in quarantine, the raw body kept.
    let (s, body) = post(&url, "application/json", "{\"order_id\": 7,").await;
    assert_eq!(s, 400);
    assert!(
        body["error"].as_str().unwrap().contains("not valid JSON"),
        "{body}"
    );
    let (s, body) = post(&url, "application/json", json!({"order_id": 8}).to_string()).await;
    assert_eq!(s, 400);
    assert!(
        body["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("no positions"),
        "{body}"
    );
    assert_eq!(engine.store().quarantined_count(account).await.unwrap(), 2);
    // ... and the account's health shows the problem where the manager looks.
    let health = engine.store().health(account).await.unwrap();
    assert!(
        health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("could not be read")),
        "{health:?}"
    );
    assert!(health.failing_since.is_some());
    assert_eq!(engine.orders(Some(account), None).await.unwrap().len(), 2);

    let log = engine.store().intake_requests(Some(account), 50).await.unwrap();
    let outcomes: Vec<&str> = log.iter().rev().map(|r| r.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "stored",
            "stored",
            "stored",
            "stored",
            "stored",
            "malformed",
            "partial"
        ]
    );
    assert_eq!(engine.intake_status().refused, 2);
    for r in &log {
        assert!(!r.message.contains(&token), "{r:?}");
        let body = engine.store().intake_request_body(r.id).await.unwrap();
        assert_eq!(body.unwrap().len() as i64, r.body_bytes);
    }

    // A new token: the old address stops working.
    engine.rotate_intake_token(account).await.unwrap();
    let (s, _) = post(&url, "application/json", order.to_string()).await;
    assert_eq!(s, 401);
    let (s, _) = post(
        &engine.intake_url(account).await.unwrap(),
        "application/json",
        order.to_string(),
    )
    .await;
    assert_eq!(s, 200);
    engine.stop_intake().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn decisions_and_statuses_go_back_per_position_and_the_buyer_can_cancel() {
    let fake = FakeGettzap::start(FakeGettzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = gettzap_account(&engine, &fake).await;
    let list = engine.refresh_marketplace_statuses(account).await.unwrap();
    assert!(list.iter().any(|s| s.code == "accepted"));
    let statuses = engine.shop_statuses().await.unwrap();
    let status_id = |code: &str| {
        statuses
            .iter()
            .find(|s| s.code.as_deref() == Some(code))
            .unwrap_or_else(|| panic!("no shop status {code}"))
            .id
    };
    let (shipped, refused_by_buyer) = (status_id("shipped"), status_id("ordered"));
    let templates = PushTemplates {
        accepted_status: "accepted".into(),
        accepted_notice: "Принят: {name}".into(),
        refusal_status: "refused".into(),
        refusal_text: "Безусловный отказ: {name}".into(),
        buyer_cancel_status_id: Some(refused_by_buyer),
        pushes: vec![StatusPush {
            status_id: shipped,
            level: PushLevel::Order,
            marketplace_status: "shipped".into(),
            comment: "Заказ {order} отправлен".into(),
        }],
        ..Default::default()
    };
    let saved = engine.save_push_settings(account, &templates).await.unwrap();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);

    start_intake(&engine).await;
    let url = engine.intake_url(account).await.unwrap();
    let order = sample_order("6001", 3);
    assert_eq!(post(&url, "application/json", order.to_string()).await.0, 200);
    let lines = inbox(&engine).await;
    assert_eq!(lines.len(), 3);
    let by_pos = |p: &str| lines.iter().find(|l| l.line.external_id == p).unwrap().clone();
    let (a, b, c) = (by_pos("6001-1"), by_pos("6001-2"), by_pos("6001-3"));

    engine
        .triage(&[a.line.id, b.line.id], TriageAction::Accept)
        .await
        .unwrap();
    engine.triage(&[c.line.id], TriageAction::Reject).await.unwrap();
    drain_all(&engine).await;
    let calls = fake.accepted_calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    let call = |p: &str| calls.iter().find(|c| c.position_id == p).unwrap();
    assert_eq!(call("6001-1").status, "accepted");
    assert_eq!(call("6001-1").comment, format!("Принят: {}", a.line.name));
    assert_eq!(call("6001-3").status, "refused");
    assert_eq!(
        call("6001-3").comment,
        format!("Безусловный отказ: {}", c.line.name)
    );
    assert!(calls.iter().all(|c| c.order_id == "6001"));

    // Order level: sent once all lines still in the order reach the status (the refused one does
    // not hold it back), on each of them.
    let r = engine.set_line_status(&[a.line.id], shipped).await.unwrap();
    assert!(
        r.outbox_rows.is_empty(),
        "only one of two accepted lines: {:?}",
        r.not_sent
    );
    let r = engine.set_line_status(&[b.line.id], shipped).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 2, "{:?}", r.not_sent);
    drain_all(&engine).await;
    let shipped_calls: Vec<_> = fake
        .accepted_calls()
        .into_iter()
        .filter(|c| c.status == "shipped")
        .collect();
    assert_eq!(shipped_calls.len(), 2);
    assert!(
        shipped_calls
            .iter()
            .all(|c| c.comment == "Заказ GZ-6001 отправлен"),
        "{shipped_calls:?}"
    );

    // The buyer cancels on Gettzap: the order is marked, accepted lines take the chosen status,
    // nothing is sent back.
    // Gettzap may send only the new status: that cancel is applied to the stored order.
    let before = fake.calls().len();
    let cancelled = json!({"order_id": "6001", "status": "Отменён"});
    let (s, body) = post(&url, "application/json", cancelled.to_string()).await;
    assert_eq!(s, 200, "{body}");
    let detail = engine.order_detail(a.order_id).await.unwrap();
    assert!(
        detail
            .events
            .iter()
            .any(|e| e.message.contains("Cancelled by the buyer")),
        "{:?}",
        detail.events
    );
    let orders = engine.orders(Some(account), None).await.unwrap();
    assert_eq!(orders[0].status, "cancelled");
    assert!(orders[0].changed_by_marketplace.is_some());
    assert_eq!(orders[0].customer_name.as_deref(), Some("Иван Петров"));
    let line_a = orders[0].lines.iter().find(|l| l.id == a.line.id).unwrap();
    assert_eq!(line_a.shop_status_id, Some(refused_by_buyer));
    drain_all(&engine).await;
    assert_eq!(fake.calls().len(), before);
    // A status for an order never received has nothing to move: set aside with the reason.
    let quarantined = engine.store().quarantined_count(account).await.unwrap();
    let unknown = json!({"order_id": "6999", "status": "Отменён"});
    post(&url, "application/json", unknown.to_string()).await;
    assert_eq!(
        engine.store().quarantined_count(account).await.unwrap(),
        quarantined + 1
    );
    assert_eq!(engine.orders(Some(account), None).await.unwrap().len(), 1);
    engine.stop_intake().await;
}
