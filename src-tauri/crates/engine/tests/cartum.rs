//! A Cartum shop in the engine against the fake: its orders arrive accepted as shop orders on
//! matched customers with their products in the catalog, skipped orders land in the account's
//! log, and statuses go both ways through the account's mapping (a shop status sent as a Cartum
//! status; a status the shop's manager sets in Cartum moving the shop order, sending nothing).

mod common;

use std::collections::HashMap;

use chrono::Utc;
use chrono_tz::Europe::Kyiv;
use common::{fresh_engine, inbox, notifications, open};
use ordertray_connectors::cartum::{CartumSettings, PASSWORD};
use ordertray_core::cabinet::OrderPageQuery;
use ordertray_core::templates::{IncomingStatus, PushLevel, PushTemplates, StatusPush};
use ordertray_core::{AccountDraft, AccountSettings, ProductQuery, SkipReason};
use ordertray_engine::{Engine, RecordingNotifier};
use ordertray_fakes::cartum::{order, Buyer, FakeCartum, FakeCartumConfig, FakeCartumHandle};
use serde_json::json;

const LOGIN: &str = "api-manager";
const SECRET: &str = "cartum-engine-pass-3";

async fn shop_account(engine: &Engine, fake: &FakeCartumHandle) -> i64 {
    let draft = AccountDraft {
        name: "Cartum shop".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(CartumSettings::new(fake.base_url(), LOGIN)),
    };
    let secrets = HashMap::from([(PASSWORD.to_string(), SECRET.to_string())]);
    engine.add_account(draft, secrets).await.unwrap().id
}

async fn sell_in(engine: &Engine, currency: &str) {
    let mut settings = engine.settings().await.unwrap();
    settings.shop_currency = currency.into();
    engine.save_settings(settings).await.unwrap();
}

fn seed(fake: &FakeCartumHandle) {
    let at = |hours: i64| {
        (Utc::now() - chrono::Duration::hours(hours))
            .with_timezone(&Kyiv)
            .naive_local()
    };
    let iryna = Buyer::new(1);
    let mut by_phone = order(
        2,
        at(20),
        iryna.clone(),
        &[("A-1", "Фільтр масляний", 1, 735.0), ("B-7", "Свічка", 4, 120.5)],
    );
    // The same buyer without her e-mail: found by phone.
    by_phone["delivery_email"] = json!("");
    let mut unreachable = order(3, at(10), Buyer::new(2), &[("A-1", "Фільтр масляний", 1, 735.0)]);
    unreachable["delivery_phone"] = json!("");
    unreachable["delivery_email"] = json!("");
    let mut delivered = order(4, at(30), Buyer::new(4), &[("A-1", "Фільтр масляний", 1, 735.0)]);
    delivered["stat_status"] = json!(3);
    fake.add_orders([
        order(1, at(40), iryna, &[("A-1", "Фільтр масляний", 2, 735.0)]),
        by_phone,
        unreachable,
        delivered,
    ]);
}

fn status_id(statuses: &[ordertray_core::statuses::ShopStatus], code: &str) -> i64 {
    statuses
        .iter()
        .find(|s| s.code.as_deref() == Some(code))
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread")]
async fn shop_orders_arrive_accepted_and_statuses_go_both_ways() {
    let fake = FakeCartum::start(FakeCartumConfig::new(LOGIN, SECRET))
        .await
        .unwrap();
    seed(&fake);
    fake.add_status(7, "Передано перевізнику");
    let dir = tempfile::tempdir().unwrap();
    let notes = RecordingNotifier::default();
    let engine = open(
        &dir.path().join("ordertray.db"),
        Default::default(),
        notes.clone(),
    )
    .await;
    sell_in(&engine, "UAH").await;
    let account = shop_account(&engine, &fake).await;

    let report = engine.sync_account(account).await.unwrap();
    assert_eq!((report.orders_new, report.skipped), (2, 1), "{report:?}");
    assert!(inbox(&engine).await.is_empty(), "accepted on arrival");
    assert_eq!(notifications(&notes).await.len(), 1);
    let log = engine.store().account_log(account, 10).await.unwrap();
    assert_eq!(
        (log.skipped[0].number.as_str(), log.skipped[0].reason),
        ("3", SkipReason::NoContact)
    );

    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    let row = |n: &str| page.rows.iter().find(|r| r.number == n).unwrap().id;
    let (one, two) = (
        engine.shop_order_full(row("1")).await.unwrap(),
        engine.shop_order_full(row("2")).await.unwrap(),
    );
    assert_eq!(page.rows.len(), 2, "the delivered order is left out");
    assert_eq!(one.source.as_deref(), Some("Cartum"));
    assert!(
        one.customer_id.is_some() && one.customer_id == two.customer_id,
        "one buyer"
    );
    let total = |n: &str| {
        page.rows
            .iter()
            .find(|r| r.number == n)
            .unwrap()
            .total
            .to_string()
    };
    assert_eq!(
        total("2"),
        "1217.00",
        "items 735 + 4 × 120.50 (delivery is in the note)"
    );
    let products = engine.products(&ProductQuery::default()).await.unwrap();
    let mut skus: Vec<&str> = products.iter().map(|p| p.sku.as_str()).collect();
    skus.sort();
    assert_eq!(skus, ["A-1", "B-7"], "a product per article, reused");
    assert!(one
        .timeline
        .iter()
        .any(|e| e.kind == "delivery_details" && e.message.contains("Нова Пошта")));

    // The account maps statuses both ways.
    let loaded = engine.refresh_marketplace_statuses(account).await.unwrap();
    assert!(loaded.iter().any(|s| s.code == "7"), "{loaded:?}");
    let statuses = engine.shop_statuses().await.unwrap();
    let (shipped, delivered) = (status_id(&statuses, "shipped"), status_id(&statuses, "delivered"));
    let templates = PushTemplates {
        pushes: vec![StatusPush {
            status_id: shipped,
            level: PushLevel::Order,
            marketplace_status: "7".into(),
            comment: String::new(),
        }],
        incoming: vec![IncomingStatus {
            marketplace_status: "3".into(),
            status_id: delivered,
        }],
        ..Default::default()
    };
    let saved = engine.save_push_settings(account, &templates).await.unwrap();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);

    let r = engine.set_shop_order_status(&[one.id], shipped).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "{:?}", r.not_sent);
    engine.drain_outbox_once().await.unwrap();
    assert_eq!(fake.order(1).unwrap()["stat_status"], json!(7));

    // The shop's manager marks order 2 delivered in Cartum: the next run moves the shop order.
    fake.set_status(2, 3);
    engine.sync_account(account).await.unwrap();
    let two = engine.shop_order_full(two.id).await.unwrap();
    assert_eq!(two.status_id, Some(delivered));
    assert!(
        two.timeline.iter().any(|e| e.kind == "marketplace_status"),
        "{:?}",
        two.timeline
    );
    engine.drain_outbox_once().await.unwrap();
    let updates = fake
        .calls()
        .into_iter()
        .filter(|c| c.path.contains("orders/update"))
        .count();
    assert_eq!(updates, 1, "a change made in Cartum is not sent back to it");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shop_in_another_currency_imports_nothing_and_says_why() {
    let fake = FakeCartum::start(FakeCartumConfig::new(LOGIN, SECRET))
        .await
        .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = shop_account(&engine, &fake).await;
    let e = engine.sync_account(account).await.unwrap_err();
    assert!(
        matches!(e.words.as_deref(), Some(ordertray_core::ErrorWords::CurrencyMismatch { currency, shop_currency, .. })
            if currency == "UAH" && shop_currency == "RUB"),
        "{e:?}"
    );
    assert!(engine.shop_orders(None, 10).await.unwrap().is_empty());
    sell_in(&engine, "UAH").await;
    assert_eq!(engine.sync_account(account).await.unwrap().orders_new, 2);
}
