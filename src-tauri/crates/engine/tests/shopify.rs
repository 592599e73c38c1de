//! A Shopify shop in the engine against the fake: its orders arrive accepted as shop orders on
//! customers with their address, a shop that hides who bought gives one "Unspecified" customer,
//! and nothing is ever sent back (not even a rejection).

mod common;

use std::collections::HashMap;

use chrono::Utc;
use common::{fresh_engine, inbox, within};
use ordertray_connectors::shopify::{ShopifySettings, CLIENT_SECRET};
use ordertray_core::cabinet::OrderPageQuery;
use ordertray_core::customer::UNSPECIFIED_CUSTOMER;
use ordertray_core::{AccountDraft, AccountSettings, TriageAction};
use ordertray_engine::Engine;
use ordertray_fakes::shopify::{order, Buyer, FakeShopify, FakeShopifyConfig, FakeShopifyHandle};

const CLIENT_ID: &str = "engine-client-id";
const SECRET: &str = "shpss_engine_secret_9";

async fn shop_account(engine: &Engine, fake: &FakeShopifyHandle, accept_on_arrival: bool) -> i64 {
    let settings = ShopifySettings {
        accept_on_arrival,
        ..ShopifySettings::new(fake.base_url(), CLIENT_ID)
    };
    let draft = AccountDraft {
        name: "Shopify shop".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(settings),
    };
    let secrets = HashMap::from([(CLIENT_SECRET.to_string(), SECRET.to_string())]);
    engine.add_account(draft, secrets).await.unwrap().id
}

async fn sell_in_dollars(engine: &Engine) {
    let mut settings = engine.settings().await.unwrap();
    settings.shop_currency = "USD".into();
    engine.save_settings(settings).await.unwrap();
}

fn seed(fake: &FakeShopifyHandle) {
    let now = Utc::now();
    let hours = |h: i64| now - chrono::Duration::hours(h);
    let shirt = (7, "TS-M", "T-shirt - M", 2, "10.00");
    fake.add_orders([
        order(1001, hours(30), Buyer::new(1), &[shirt]),
        order(
            1002,
            hours(20),
            Buyer::new(1),
            &[shirt, (8, "CAP", "Cap", 1, "7.50")],
        ),
    ]);
}

#[tokio::test(flavor = "multi_thread")]
async fn shop_orders_arrive_accepted_with_the_customers_address() {
    let fake = FakeShopify::start(FakeShopifyConfig::new(CLIENT_ID, SECRET))
        .await
        .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_dollars(&engine).await;
    let account = shop_account(&engine, &fake, true).await;

    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(report.orders_new, 2, "{report:?}");
    assert!(inbox(&engine).await.is_empty(), "accepted on arrival");
    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    let mut numbers: Vec<&str> = page.rows.iter().map(|r| r.number.as_str()).collect();
    numbers.sort();
    assert_eq!(numbers, ["1001", "1002"]);
    let customers = engine.customers(10).await.unwrap();
    assert_eq!(customers.len(), 1, "one buyer: {customers:?}");
    let c = serde_json::to_value(&customers[0]).unwrap();
    assert!(
        c["customer"]["address"]
            .as_str()
            .is_some_and(|a| a.contains("Austin")),
        "the shipping address is the customer's: {c}"
    );
    let full = engine.shop_order_full(page.rows[0].id).await.unwrap();
    assert_eq!(full.source.as_deref(), Some("Shopify"));
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_buyers_share_one_unspecified_customer_and_a_rejection_sends_nothing() {
    let fake = FakeShopify::start(FakeShopifyConfig {
        protected_customer_data: false,
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    })
    .await
    .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_dollars(&engine).await;
    let account = shop_account(&engine, &fake, false).await;
    engine.sync_account(account).await.unwrap();

    let lines = inbox(&engine).await;
    assert_eq!(lines.len(), 3, "without accept on arrival the lines wait");
    let of = |n: &str| -> Vec<i64> {
        lines
            .iter()
            .filter(|l| l.order_external_id == n)
            .map(|l| l.line.id)
            .collect()
    };
    engine.triage(&of("1001"), TriageAction::Accept).await.unwrap();
    engine.triage(&of("1002"), TriageAction::Accept).await.unwrap();
    let customers = engine.customers(10).await.unwrap();
    assert_eq!(customers.len(), 1, "{customers:?}");
    assert_eq!(
        serde_json::to_value(&customers[0]).unwrap()["customer"]["name"],
        UNSPECIFIED_CUSTOMER
    );

    // A rejection stays in the shop: Shopify is told nothing.
    fake.add_orders([order(
        1003,
        Utc::now(),
        Buyer::new(3),
        &[(9, "MUG", "Mug", 1, "4.00")],
    )]);
    engine.sync_account(account).await.unwrap();
    let ids: Vec<i64> = inbox(&engine).await.iter().map(|l| l.line.id).collect();
    let r = engine.triage(&ids, TriageAction::Reject).await.unwrap();
    assert!(r.outbox_rows.is_empty(), "{r:?}");
    assert!(engine.outbox_list(None).await.unwrap().is_empty());
}

/// Every item of every order arrives, however many an order has and across pages: a query asking
/// for 100 items of 50 orders a page cost more than the 1,000 points Shopify runs at all (it
/// refused every page); a page now reads ten items an order and an order's other items after.
#[tokio::test(flavor = "multi_thread")]
async fn an_order_of_many_items_arrives_whole_and_every_page_within_the_cost_limit() {
    let fake = FakeShopify::start(FakeShopifyConfig::new(CLIENT_ID, SECRET))
        .await
        .unwrap();
    let now = Utc::now();
    let skus: Vec<String> = (1..=25).map(|k| format!("SKU-{k}")).collect();
    let items: Vec<(i64, &str, &str, i64, &str)> = skus
        .iter()
        .enumerate()
        .map(|(k, sku)| (k as i64 + 1, sku.as_str(), sku.as_str(), 1, "3.00"))
        .collect();
    let mut orders = vec![order(
        2000,
        now - chrono::Duration::hours(40),
        Buyer::new(2),
        &items,
    )];
    orders.extend((1..=20).map(|n| {
        order(
            2000 + n,
            now - chrono::Duration::hours(30 - n),
            Buyer::new(3),
            &[(7, "TS-M", "T-shirt - M", 1, "10.00")],
        )
    }));
    fake.add_orders(orders);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_dollars(&engine).await;
    let account = shop_account(&engine, &fake, false).await;

    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(report.orders_new, 21, "{report:?}");
    assert!(report.pages >= 2, "{report:?}");
    let lines = engine
        .inbox(&ordertray_core::InboxQuery {
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    let big: Vec<&str> = lines
        .iter()
        .filter(|l| l.order_number == "2000")
        .map(|l| l.line.sku.as_str())
        .collect();
    assert_eq!(big.len(), 25, "{big:?}");
    assert_eq!(lines.len(), 45);
    assert!(
        fake.calls().iter().all(|c| c.answer == "200"),
        "no query refused or throttled: {:?}",
        fake.calls().iter().map(|c| &c.answer).collect::<Vec<_>>()
    );
}

/// A store whose items answer never moves past its cursor sets that order aside instead of
/// reading (and growing the order) for ever; the orders beside it arrive, and the account's later
/// runs are not held back by it.
#[tokio::test]
async fn an_items_answer_that_repeats_its_cursor_sets_its_order_aside_and_the_rest_arrive() {
    let fake = FakeShopify::start(FakeShopifyConfig {
        item_cursor_stuck: true,
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    })
    .await
    .unwrap();
    let skus: Vec<String> = (1..=25).map(|k| format!("SKU-{k}")).collect();
    let items: Vec<(i64, &str, &str, i64, &str)> = skus
        .iter()
        .enumerate()
        .map(|(k, sku)| (k as i64 + 1, sku.as_str(), sku.as_str(), 1, "3.00"))
        .collect();
    let now = Utc::now();
    fake.add_orders([
        order(3000, now - chrono::Duration::hours(5), Buyer::new(2), &items),
        order(
            3001,
            now - chrono::Duration::hours(4),
            Buyer::new(3),
            &[(7, "TS-M", "T-shirt - M", 1, "10.00")],
        ),
    ]);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_dollars(&engine).await;
    let account = shop_account(&engine, &fake, false).await;

    let report = within("the sync", engine.sync_account(account)).await.unwrap();
    assert_eq!((report.orders_new, report.quarantined), (1, 1), "{report:?}");
    assert_eq!(engine.store().quarantined_count(account).await.unwrap(), 1);
    let lines = inbox(&engine).await;
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].order_number, "3001");
}
