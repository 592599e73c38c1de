//! A WooCommerce store in the engine against the fake store: the backfill accepts its orders on
//! arrival as shop orders on matched customers, skipped orders land in the account's log, the
//! popup still comes, and shop statuses go back as the store's own statuses.

mod common;

use std::collections::HashMap;

use chrono::Utc;
use common::{fresh_engine, inbox, notifications, open, woocommerce_account};
use ordertray_connectors::woocommerce::{WooCommerceSettings, CONSUMER_KEY, CONSUMER_SECRET};
use ordertray_core::cabinet::OrderPageQuery;
use ordertray_core::templates::{PushLevel, PushTemplates, StatusPush};
use ordertray_core::{AccountDraft, AccountSettings, LineState, SkipReason};
use ordertray_engine::{Engine, RecordingNotifier};
use ordertray_fakes::woocommerce::{
    order, Buyer, FakeWooCommerce, FakeWooCommerceConfig, FakeWooCommerceHandle,
};
use serde_json::json;

const KEY: &str = "ck_engine_key_1";
const SECRET: &str = "cs_engine_secret_2";

async fn store_account(engine: &Engine, fake: &FakeWooCommerceHandle, accept_on_arrival: bool) -> i64 {
    let settings = WooCommerceSettings {
        accept_on_arrival,
        ..WooCommerceSettings::new(fake.base_url())
    };
    woocommerce_account(engine, settings, (KEY, SECRET)).await
}

fn seed(fake: &FakeWooCommerceHandle) {
    let now = Utc::now();
    let ann = || Buyer::new("Анна", "Смирнова", "anna@example.com", "+7 916 000-11-22");
    fake.add_orders([
        order(
            101,
            now - chrono::Duration::days(2),
            ann(),
            &[(7, "OC 90", "Фильтр", 2, "350.00")],
        ),
        // The same buyer again, by phone only: one customer.
        order(
            102,
            now - chrono::Duration::days(1),
            Buyer {
                email: String::new(),
                ..ann()
            },
            &[
                (7, "OC 90", "Фильтр", 1, "350.00"),
                (8, "W 712", "Фильтр воздушный", 3, "120.50"),
            ],
        ),
        order(
            103,
            now - chrono::Duration::hours(5),
            Buyer::new("Никто", "", "", ""),
            &[(7, "OC 90", "Фильтр", 1, "350.00")],
        ),
    ]);
    let mut done = order(
        104,
        now - chrono::Duration::days(3),
        ann(),
        &[(7, "OC 90", "Фильтр", 1, "350.00")],
    );
    done["status"] = json!("completed");
    fake.add_orders([done]);
}

#[tokio::test(flavor = "multi_thread")]
async fn store_orders_become_shop_orders_on_arrival_and_statuses_go_back() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    seed(&fake);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let notes = RecordingNotifier::default();
    let engine = open(&db, Default::default(), notes.clone()).await;
    let account = store_account(&engine, &fake, true).await;

    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(
        (report.orders_new, report.skipped, report.quarantined),
        (2, 1, 0),
        "{report:?}"
    );
    assert!(
        inbox(&engine).await.is_empty(),
        "accepted on arrival: nothing to triage"
    );
    let popups = notifications(&notes).await;
    assert_eq!(popups.len(), 1, "one popup for the burst: {popups:?}");

    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    let mut numbers: Vec<_> = page.rows.iter().map(|r| r.number.clone()).collect();
    numbers.sort();
    assert_eq!(numbers, ["101", "102"]);
    let second = page.rows.iter().find(|r| r.number == "102").unwrap();
    assert_eq!((second.items, second.total.to_string().as_str()), (2, "711.50"));
    let full = engine.shop_order_full(second.id).await.unwrap();
    let first = engine
        .shop_order_full(page.rows.iter().find(|r| r.number == "101").unwrap().id)
        .await
        .unwrap();
    assert!(full.customer_id.is_some());
    assert_eq!(
        full.customer_id, first.customer_id,
        "the phone finds the same customer"
    );
    assert_eq!(full.source.as_deref(), Some("WooCommerce"));
    assert_eq!(engine.customers(10).await.unwrap().len(), 1);

    let log = engine.store().account_log(account, 10).await.unwrap();
    assert_eq!(log.runs.len(), 1);
    assert_eq!((log.runs[0].orders_new, log.runs[0].skipped), (2, 1));
    assert_eq!(log.skipped.len(), 1);
    assert_eq!(
        (log.skipped[0].number.as_str(), log.skipped[0].reason),
        ("103", SkipReason::NoContact)
    );

    // How the store delivers it is on the timeline; a change adds a new entry.
    let deliveries = |full: &ordertray_core::cabinet::ShopOrderFull| -> Vec<String> {
        full.timeline
            .iter()
            .filter(|e| e.kind == "delivery_details")
            .map(|e| e.message.clone())
            .collect()
    };
    assert_eq!(
        deliveries(&first),
        ["Delivery on WooCommerce: Курьер; RU, Москва, ул. Тверская, 1"]
    );
    fake.edit_order(101, |o| o["shipping_lines"][0]["total"] = json!("350.00"));
    engine.sync_account(account).await.unwrap();
    let first = engine.shop_order_full(first.id).await.unwrap();
    assert_eq!(deliveries(&first).len(), 2, "{:?}", deliveries(&first));
    assert!(
        deliveries(&first)[1].contains("Курьер 350.00 RUB"),
        "{:?}",
        deliveries(&first)
    );

    // The skipped order gets a phone in the store: it arrives, and leaves the log.
    fake.edit_order(103, |o| o["billing"]["phone"] = json!("+7 900 111-22-33"));
    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(report.orders_new, 1, "{report:?}");
    assert!(engine
        .store()
        .account_log(account, 10)
        .await
        .unwrap()
        .skipped
        .is_empty());

    // A shop status mapped to the store's "completed" goes back by PUT.
    let done = engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some("shipped"))
        .unwrap()
        .id;
    let templates = PushTemplates {
        pushes: vec![StatusPush {
            status_id: done,
            level: PushLevel::Order,
            marketplace_status: "completed".into(),
            comment: String::new(),
        }],
        ..Default::default()
    };
    let saved = engine.save_push_settings(account, &templates).await.unwrap();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    let r = engine.set_shop_order_status(&[second.id], done).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "{:?}", r.not_sent);
    engine.drain_outbox_once().await.unwrap();
    assert_eq!(fake.order(102).unwrap()["status"], "completed");
    let puts: Vec<_> = fake.calls().into_iter().filter(|c| c.method == "PUT").collect();
    assert_eq!(
        puts.len(),
        1,
        "accepting on arrival sent nothing; the status one call"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_accept_on_arrival_store_orders_wait_in_the_inbox_and_a_refusal_cancels() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = store_account(&engine, &fake, false).await;
    engine.sync_account(account).await.unwrap();
    let lines = inbox(&engine).await;
    assert_eq!(lines.len(), 3, "orders 101 (one line) and 102 (two lines)");
    assert!(lines.iter().all(|l| l.line.state == LineState::New));
    let of_101: Vec<i64> = lines
        .iter()
        .filter(|l| l.order_external_id == "101")
        .map(|l| l.line.id)
        .collect();
    engine
        .triage(&of_101, ordertray_core::TriageAction::Reject)
        .await
        .unwrap();
    engine.drain_outbox_once().await.unwrap();
    assert_eq!(fake.order(101).unwrap()["status"], "cancelled");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_in_another_currency_imports_nothing_and_says_why() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    seed(&fake);
    fake.edit_order(102, |o| o["currency"] = json!("EUR"));
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = store_account(&engine, &fake, true).await;
    let e = engine.sync_account(account).await.unwrap_err();
    assert!(
        matches!(e.words.as_deref(), Some(ordertray_core::ErrorWords::CurrencyMismatch { currency, shop_currency, .. })
            if currency == "EUR" && shop_currency == "RUB"),
        "{e:?}"
    );
    let health = engine.list_accounts().await.unwrap().remove(0).health;
    assert!(health.last_error.unwrap().contains("EUR"));
    assert!(engine
        .cabinet_page(&OrderPageQuery::default())
        .await
        .unwrap()
        .rows
        .is_empty());
    assert!(inbox(&engine).await.is_empty(), "nothing is imported");

    // Once the shop sells in the store's currency, everything arrives.
    fake.edit_order(101, |o| o["currency"] = json!("EUR"));
    let mut settings = engine.settings().await.unwrap();
    settings.shop_currency = " eur ".into();
    assert_eq!(engine.save_settings(settings).await.unwrap().shop_currency, "EUR");
    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(report.orders_new, 2);
    let mut bad = engine.settings().await.unwrap();
    bad.shop_currency = "euro".into();
    assert!(engine.save_settings(bad).await.is_err());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_store_address_asks_for_the_keys_again() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = store_account(&engine, &fake, true).await;
    let current = engine.list_accounts().await.unwrap().remove(0).account;
    let draft = |url: &str| AccountDraft {
        name: current.name.clone(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(WooCommerceSettings::new(url)),
    };
    // The same address (typed with a slash) keeps the stored keys.
    let same = format!("{}/", fake.base_url());
    engine
        .update_account(account, draft(&same), HashMap::new())
        .await
        .unwrap();
    let e = engine
        .update_account(account, draft("https://other-store.example"), HashMap::new())
        .await
        .unwrap_err();
    assert_eq!(e.code, ordertray_core::ErrorCode::SecretsRequired, "{e:?}");
    let keys = HashMap::from([
        (CONSUMER_KEY.to_string(), "ck_other".to_string()),
        (CONSUMER_SECRET.to_string(), "cs_other".to_string()),
    ]);
    engine
        .update_account(account, draft("https://other-store.example"), keys)
        .await
        .unwrap();
}

/// A host whose proxy drops the paging headers still has every order read: a full page means
/// another (the first page's 100 orders were all, and the watermark passed the rest).
#[tokio::test(flavor = "multi_thread")]
async fn a_store_without_paging_headers_is_read_to_its_last_page() {
    let until = Utc::now();
    let mut reports = vec![];
    for strips_paging_headers in [false, true] {
        let fake = FakeWooCommerce::start(FakeWooCommerceConfig {
            strips_paging_headers,
            ..FakeWooCommerceConfig::new(KEY, SECRET)
        })
        .await
        .unwrap();
        fake.add_orders(ordertray_fakes::woocommerce::generated(250, until));
        let (_dir, _db, _secrets, engine) = fresh_engine().await;
        let account = store_account(&engine, &fake, true).await;
        let report = engine.sync_account(account).await.unwrap();
        let stored = engine.shop_orders(None, 10_000).await.unwrap().len();
        reports.push((report.pages, report.orders_seen, stored));
    }
    assert_eq!(reports[0].0, 3, "{reports:?}");
    assert_eq!(reports[1], reports[0], "the same orders read without the headers");
}

/// A pause stops a scheduled run before its next page, and `pause_sync` returns only once no
/// page is in flight: nothing reaches the shop after it until the resume.
#[tokio::test(flavor = "multi_thread")]
async fn a_pause_stops_a_running_poll_before_its_next_page() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig {
        list_delay: std::time::Duration::from_millis(400),
        ..FakeWooCommerceConfig::new(KEY, SECRET)
    })
    .await
    .unwrap();
    fake.add_orders(ordertray_fakes::woocommerce::generated(250, Utc::now()));
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    store_account(&engine, &fake, true).await;
    let pages_asked = || {
        fake.calls()
            .iter()
            .filter(|c| c.path == "/orders" && c.query.iter().any(|(k, _)| k == "after"))
            .count()
    };
    engine.start_background().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while pages_asked() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the poller never asked for a page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    engine.pause_sync(None).await.unwrap();
    let asked = pages_asked();
    let shop_orders = || async { engine.shop_orders(None, 10_000).await.unwrap().len() };
    let stored = shop_orders().await;
    // Nothing moves while paused (the run would ask for a page every 400 ms).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(pages_asked(), asked, "a page was asked for after the pause");
    assert!(asked < 3, "the run stopped before its end: {asked} of 3 pages");
    assert_eq!(shop_orders().await, stored, "orders were stored after the pause");

    engine.resume_sync().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while shop_orders().await < 250 {
        assert!(
            std::time::Instant::now() < deadline,
            "the resumed run never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    engine.shutdown().await;
}

/// A plugin's status (a custom one) comes with the store's status list, can be chosen for a shop
/// status, and goes back by PUT like the built-in ones; the list is for whole orders only.
#[tokio::test(flavor = "multi_thread")]
async fn a_custom_status_of_the_store_is_loaded_and_sent() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    fake.add_custom_status("awaiting-shipment", "Ждёт отгрузки");
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = store_account(&engine, &fake, true).await;
    engine.sync_account(account).await.unwrap();

    let list = engine.refresh_marketplace_statuses(account).await.unwrap();
    let custom = list.iter().find(|s| s.code == "awaiting-shipment").unwrap();
    assert_eq!(custom.name, "Ждёт отгрузки");
    assert!(list.iter().any(|s| s.code == "completed"));
    assert!(!list
        .iter()
        .any(|s| s.code == "trash" || s.code == "checkout-draft"));
    let caps = engine.push_settings(account).await.unwrap().capabilities;
    assert!(caps.order_statuses.iter().any(|s| s == "awaiting-shipment"));
    assert!(
        caps.line_statuses.is_empty(),
        "WooCommerce has no per-item status"
    );
    assert!(!caps.comments, "nor comments");

    let in_stock = engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some("in_stock"))
        .unwrap()
        .id;
    let templates = PushTemplates {
        pushes: vec![StatusPush {
            status_id: in_stock,
            level: PushLevel::Order,
            marketplace_status: "awaiting-shipment".into(),
            comment: String::new(),
        }],
        ..Default::default()
    };
    let saved = engine.save_push_settings(account, &templates).await.unwrap();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);
    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    let order_101 = page.rows.iter().find(|r| r.number == "101").unwrap().id;
    let r = engine
        .set_shop_order_status(&[order_101], in_stock)
        .await
        .unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "{:?}", r.not_sent);
    engine.drain_outbox_once().await.unwrap();
    assert_eq!(fake.order(101).unwrap()["status"], "awaiting-shipment");
}
