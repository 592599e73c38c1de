//! Store webhooks through the app's intake, against the fake stores sending them the way the
//! platforms do: a signed delivery brings the account's next poll forward (the hour-long interval
//! would not), a forged or unsigned one is refused and changes nothing, Shopify's repeated
//! delivery is taken once, and WooCommerce pausing a webhook after failed deliveries shows on the
//! account's health.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use common::open;
use ordertray_connectors::shopify::{ShopifySettings, CLIENT_SECRET};
use ordertray_connectors::woocommerce::{WooCommerceSettings, CONSUMER_KEY, CONSUMER_SECRET};
use ordertray_core::cabinet::OrderPageQuery;
use ordertray_core::intake::IntakeSettings;
use ordertray_core::{AccountDraft, AccountSettings, ErrorWords};
use ordertray_engine::{Engine, RecordingNotifier};
use ordertray_fakes::{shopify, woocommerce};

const DEADLINE: Duration = Duration::from_secs(20);
const KEY: &str = "ck_webhook_key";
const SECRET: &str = "cs_webhook_secret";
const SHOPIFY_SECRET: &str = "shpss_webhook_client_secret";

/// Polls every hour: within a test only a webhook can bring a second run.
fn hourly(settings: AccountSettings, name: &str) -> AccountDraft {
    AccountDraft {
        name: name.into(),
        region: String::new(),
        active: true,
        interval_secs: 3600,
        base_url: None,
        settings,
    }
}

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(
        &dir.path().join("ordertray.db"),
        Default::default(),
        RecordingNotifier::default(),
    )
    .await;
    (dir, engine)
}

async fn serve_intake(engine: &Engine) {
    let settings = IntakeSettings {
        enabled: true,
        port: 0,
        ..Default::default()
    };
    engine.start_intake(&settings).await.unwrap();
}

/// Waits until `check` holds, looking every 20 ms.
async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let waited = tokio::time::timeout(DEADLINE, async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "gave up waiting: {what}");
}

async fn order_numbers(engine: &Engine) -> Vec<String> {
    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    let mut numbers: Vec<_> = page.rows.into_iter().map(|r| r.number).collect();
    numbers.sort();
    numbers
}

async fn runs(engine: &Engine, account: i64) -> usize {
    engine.store().account_log(account, 100).await.unwrap().runs.len()
}

async fn outcomes(engine: &Engine, account: i64) -> Vec<String> {
    let mut logged = engine.store().intake_requests(Some(account), 100).await.unwrap();
    logged.reverse();
    logged.into_iter().map(|r| r.outcome).collect()
}

fn buyer() -> woocommerce::Buyer {
    woocommerce::Buyer::new("Анна", "Смирнова", "anna@example.com", "+7 916 000-11-22")
}

async fn woo_account(engine: &Engine, fake: &woocommerce::FakeWooCommerceHandle) -> i64 {
    let settings = AccountSettings::from(WooCommerceSettings::new(fake.base_url()));
    let secrets = HashMap::from([
        (CONSUMER_KEY.to_string(), KEY.to_string()),
        (CONSUMER_SECRET.to_string(), SECRET.to_string()),
    ]);
    engine
        .add_account(hourly(settings, "Web store"), secrets)
        .await
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_woocommerce_webhook_brings_the_poll_forward_and_a_forged_one_changes_nothing() {
    let fake = woocommerce::FakeWooCommerce::start(woocommerce::FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    let (_dir, engine) = engine().await;
    let account = woo_account(&engine, &fake).await;
    serve_intake(&engine).await;
    engine.start_background().await.unwrap();
    until("the first poll", || async { runs(&engine, account).await == 1 }).await;

    let url = engine.intake_url(account).await.unwrap();
    assert!(
        !url.contains("token"),
        "a webhook address carries no secret: {url}"
    );
    let secret = engine.webhook_secret(account).await.unwrap();
    assert_eq!(
        engine.webhook_secret(account).await.unwrap(),
        secret,
        "the same secret until replaced"
    );
    let hook = fake.add_webhook("order.created", &url, &secret);
    until("the ping answered", || async {
        fake.deliveries()
            .iter()
            .any(|d| d.webhook_id == hook && d.topic == "ping" && d.status == Some(200))
    })
    .await;
    assert!(
        outcomes(&engine, account).await.is_empty(),
        "a ping proves nothing and is not kept"
    );

    // A forged delivery (another secret), an unsigned one: refused, nothing kept, no run.
    let body = serde_json::to_vec(&woocommerce::order(
        990,
        Utc::now(),
        buyer(),
        &[(7, "OC 90", "Фильтр", 1, "1.00")],
    ))
    .unwrap();
    let http = reqwest::Client::new();
    for signature in [Some(woocommerce::woocommerce_signature("guessed", &body)), None] {
        let mut r = http
            .post(&url)
            .header("content-type", "application/json")
            .header("x-wc-webhook-topic", "order.created")
            .header("x-wc-webhook-delivery-id", "1");
        if let Some(s) = &signature {
            r = r.header("x-wc-webhook-signature", s);
        }
        let answer = r.body(body.clone()).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 401, "{signature:?}");
    }
    assert!(outcomes(&engine, account).await.is_empty());
    assert_eq!(runs(&engine, account).await, 1);

    // The store sells: its signed delivery is taken and the order is read at once.
    fake.add_orders([woocommerce::order(
        501,
        Utc::now(),
        buyer(),
        &[(7, "OC 90", "Фильтр", 2, "350.00")],
    )]);
    until("the order read after the webhook", || async {
        order_numbers(&engine).await == ["501"]
    })
    .await;
    assert_eq!(outcomes(&engine, account).await, ["webhook"]);
    let delivered = fake.deliveries();
    assert!(
        delivered
            .iter()
            .any(|d| d.topic == "order.created" && d.status == Some(200)),
        "{delivered:?}"
    );

    // A new secret: the store's webhook (still on the old one) is refused from now on.
    engine.rotate_intake_token(account).await.unwrap();
    assert_ne!(engine.webhook_secret(account).await.unwrap(), secret);
    fake.add_orders([woocommerce::order(
        502,
        Utc::now(),
        buyer(),
        &[(7, "OC 90", "Фильтр", 1, "350.00")],
    )]);
    until("the old secret's delivery refused", || async {
        fake.deliveries()
            .iter()
            .any(|d| d.topic == "order.created" && d.status == Some(401))
    })
    .await;
    assert_eq!(outcomes(&engine, account).await, ["webhook"]);
    engine.stop_intake().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn woocommerce_pausing_a_webhook_after_failed_deliveries_shows_on_the_account() {
    let fake = woocommerce::FakeWooCommerce::start(woocommerce::FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    let (_dir, engine) = engine().await;
    let account = woo_account(&engine, &fake).await;
    // The intake is not running here: every delivery fails. Another system's webhook fails too.
    let ours = format!("http://127.0.0.1:9/intake/woocommerce/{account}");
    let hook = fake.add_webhook("order.created", &ours, "s");
    fake.add_webhook("order.created", "http://127.0.0.1:9/elsewhere", "s");
    for n in 0..5 {
        fake.add_orders([woocommerce::order(
            600 + n,
            Utc::now(),
            buyer(),
            &[(7, "OC 90", "Фильтр", 1, "1.00")],
        )]);
    }
    until("WooCommerce disabling both webhooks", || async {
        fake.webhooks()
            .iter()
            .filter(|w| w["status"] == "disabled")
            .count()
            == 2
    })
    .await;

    engine.sync_account(account).await.unwrap();
    let health = engine.store().health(account).await.unwrap();
    assert_eq!(health.last_error, None, "a paused webhook is not a failing sync");
    match health.notice {
        Some(ErrorWords::WebhooksDisabled { marketplace, names }) => {
            assert_eq!(marketplace, "WooCommerce");
            let ours = fake.webhooks().into_iter().find(|w| w["id"] == hook).unwrap();
            assert_eq!(
                names,
                ours["name"].as_str().unwrap(),
                "only the webhook to this account's address"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        order_numbers(&engine).await.len(),
        5,
        "the orders still come by polling"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shopify_delivery_sent_twice_is_taken_once() {
    let fake = shopify::FakeShopify::start(shopify::FakeShopifyConfig::new("client-id", SHOPIFY_SECRET))
        .await
        .unwrap();
    let (_dir, engine) = engine().await;
    let mut app_settings = engine.settings().await.unwrap();
    app_settings.shop_currency = "USD".into();
    engine.save_settings(app_settings).await.unwrap();
    let settings = AccountSettings::from(ShopifySettings::new(fake.base_url(), "client-id"));
    let secrets = HashMap::from([(CLIENT_SECRET.to_string(), SHOPIFY_SECRET.to_string())]);
    let account = engine
        .add_account(hourly(settings, "Shopify shop"), secrets)
        .await
        .unwrap()
        .id;
    serve_intake(&engine).await;
    engine.start_background().await.unwrap();
    until("the first poll", || async { runs(&engine, account).await == 1 }).await;

    let url = engine.intake_url(account).await.unwrap();
    fake.add_webhook("orders/create", &url);
    fake.add_orders([shopify::order(
        7001,
        Utc::now(),
        shopify::Buyer::new(1),
        &[(7, "MUG", "Mug", 1, "12.00")],
    )]);
    until("the order read after the webhook", || async {
        order_numbers(&engine).await.len() == 1
    })
    .await;
    until("the delivery answered", || async {
        fake.deliveries().iter().any(|d| d.status == Some(200))
    })
    .await;
    let first = fake
        .deliveries()
        .into_iter()
        .find(|d| d.status == Some(200))
        .unwrap();

    // A run is logged when it starts, so the first poll may still have been running and read the
    // order itself; the delivery's wake always brings one more poll: count from after it.
    until("the woken poll logged", || async {
        runs(&engine, account).await == 2
    })
    .await;
    let runs_before = runs(&engine, account).await;
    fake.redeliver(&first.webhook_id);
    until("the repeated delivery answered", || async {
        fake.deliveries()
            .iter()
            .filter(|d| d.webhook_id == first.webhook_id)
            .count()
            == 2
            && fake.deliveries().iter().all(|d| d.status.is_some())
    })
    .await;
    assert_eq!(outcomes(&engine, account).await, ["webhook", "duplicate"]);
    assert_eq!(
        runs(&engine, account).await,
        runs_before,
        "a repeated delivery brings no poll"
    );
    engine.stop_intake().await;
}
