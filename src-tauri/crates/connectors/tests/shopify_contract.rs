//! The Shopify connector against the fake shop over loopback HTTP: the client-credentials token
//! (taken again when the shop stops taking it) or an old admin token, the orders search paged by
//! cursor, the backfill within the 60 days an app may see and without finished orders, cost
//! throttling that waits instead of hammering, hidden customer data, and the shop's errors.

mod store_platforms;

use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::shopify::{ShopifySettings, SyncState, CLIENT_SECRET, PER_PAGE};
use ordertray_connectors::{ConnectorError, IntegrationClient};
use ordertray_core::customer::UNSPECIFIED_CUSTOMER;
use ordertray_core::{AccountSettings, Credentials};
use ordertray_fakes::faults::Fault;
use ordertray_fakes::shopify::{generated, order, Buyer, FakeShopify, FakeShopifyConfig, FakeShopifyHandle};
use store_platforms::{connector_for, ids, run};

const CLIENT_ID: &str = "contract-client-id";
const SECRET: &str = "shpss_contract_secret_41";

async fn fake_with(config: FakeShopifyConfig) -> FakeShopifyHandle {
    FakeShopify::start(config).await.unwrap()
}

/// A shop whose cost bucket refills fast: these tests are about what is read, not the pace
/// (`a_throttled_query_waits…` is about the pace).
fn shop() -> FakeShopifyConfig {
    FakeShopifyConfig {
        restore_rate: 2_000.0,
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    }
}

async fn fake() -> FakeShopifyHandle {
    fake_with(shop()).await
}

fn connector_with(secret: &str, settings: ShopifySettings) -> Box<dyn IntegrationClient> {
    connector_for(
        AccountSettings::from(settings),
        None,
        Credentials::default().with(CLIENT_SECRET, secret),
    )
}

fn connector(fake: &FakeShopifyHandle) -> Box<dyn IntegrationClient> {
    connector_with(SECRET, ShopifySettings::new(fake.base_url(), CLIENT_ID))
}

fn searches(fake: &FakeShopifyHandle) -> Vec<String> {
    fake.calls()
        .into_iter()
        .filter(|c| c.path.ends_with("graphql.json"))
        .filter_map(|c| {
            c.body
                .pointer("/variables/query")
                .and_then(|q| q.as_str())
                .map(str::to_string)
        })
        .collect()
}

#[tokio::test]
async fn the_backfill_pages_by_cursor_without_finished_orders_and_later_runs_read_what_changed() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(250, now));
    let c = connector(&fake);

    let (pages, cursor) = run(c.as_ref(), "", now).await;
    assert_eq!(
        pages.len(),
        250usize.div_ceil(PER_PAGE as usize),
        "250 orders, {PER_PAGE} a page"
    );
    let read = ids(&pages);
    let mut unique = read.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), read.len(), "no order twice");
    // Every 10th fulfilled, every 15th cancelled (every 30th both).
    assert_eq!(read.len(), 250 - 25 - 16 + 8);
    let progress: Vec<(u32, u32)> = pages.iter().map(|p| p.progress.unwrap()).collect();
    let (last, before) = progress.split_last().unwrap();
    assert!(before.iter().all(|(done, total)| done < total), "{progress:?}");
    assert_eq!(last.0, last.1, "the last page ends the run: {progress:?}");
    assert_eq!(SyncState::parse(&cursor).watermark, Some(now));
    let first = &searches(&fake)[0];
    assert!(first.starts_with("created_at:>='"), "{first}");

    // A change to an old order is read by the next run, which searches by update time.
    fake.edit_order(3, |o| {
        o["displayFulfillmentStatus"] = "PARTIALLY_FULFILLED".into()
    });
    let later = now + chrono::Duration::minutes(30);
    let (pages, _) = run(c.as_ref(), &cursor, later).await;
    let three = pages
        .iter()
        .flat_map(|p| &p.orders)
        .find(|o| o.external_id == "3")
        .unwrap();
    assert_eq!(three.status, "partially_fulfilled");
    assert!(searches(&fake).last().unwrap().starts_with("updated_at:>'"));
}

#[tokio::test]
async fn the_backfill_stays_within_the_60_days_an_app_may_see() {
    let now = Utc::now();
    let old = order(
        1,
        now - chrono::Duration::days(70),
        Buyer::new(1),
        &[(7, "TS-M", "T-shirt - M", 1, "10.00")],
    );
    let recent = order(
        2,
        now - chrono::Duration::days(5),
        Buyer::new(2),
        &[(7, "TS-M", "T-shirt - M", 1, "10.00")],
    );
    let settings = |fake: &FakeShopifyHandle, all: bool| ShopifySettings {
        backfill_days: 90,
        read_all_orders: all,
        ..ShopifySettings::new(fake.base_url(), CLIENT_ID)
    };

    let limited = fake().await;
    limited.add_orders([old.clone(), recent.clone()]);
    let c = connector_with(SECRET, settings(&limited, false));
    assert_eq!(ids(&run(c.as_ref(), "", now).await.0), ["2"]);
    let asked = &searches(&limited)[0];
    let sixty = (now - chrono::Duration::days(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(asked, &format!("created_at:>='{sixty}'"));

    let all = fake_with(FakeShopifyConfig {
        scopes: "read_orders,read_all_orders".into(),
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    })
    .await;
    all.add_orders([old, recent]);
    let c = connector_with(SECRET, settings(&all, true));
    let mut read = ids(&run(c.as_ref(), "", now).await.0);
    read.sort();
    assert_eq!(read, ["1", "2"]);
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_wrong_credentials_are_said() {
    let fake = fake_with(FakeShopifyConfig {
        legacy_token: Some("shpat_legacy_token_77".into()),
        ..shop()
    })
    .await;
    let now = Utc::now();
    // One page and the next, the last.
    fake.add_orders(generated(PER_PAGE as usize + 5, now));
    let c = connector(&fake);
    let source = c.order_source().unwrap();
    let first = source.fetch_page("", now).await.unwrap();
    assert!(!first.done);
    fake.expire_tokens();
    let second = source.fetch_page(&first.next_cursor, now).await.unwrap();
    assert!(second.done);
    assert_eq!(
        fake.tokens_issued(),
        2,
        "one grant, then one more after the expiry"
    );

    let wrong = connector_with("not-the-secret", ShopifySettings::new(fake.base_url(), CLIENT_ID));
    let report = wrong.test_connection().await.unwrap();
    assert!(!report.ok && report.message.contains("credentials"), "{report:?}");
    let e = wrong
        .order_source()
        .unwrap()
        .fetch_page("", now)
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Auth(_)), "{e:?}");
    assert!(!e.to_string().contains("not-the-secret"));
    let log = format!("{:?}", fake.calls());
    assert!(!log.contains(SECRET) && !log.contains("not-the-secret"));

    // An old custom app's token works as it is.
    let legacy = connector_with(
        "shpat_legacy_token_77",
        ShopifySettings {
            admin_token: true,
            ..ShopifySettings::new(fake.base_url(), "")
        },
    );
    let report = legacy.test_connection().await.unwrap();
    assert!(report.ok && report.message.contains("USD"), "{report:?}");
}

#[tokio::test]
async fn a_throttled_query_waits_for_the_bucket_and_a_long_wait_is_left_to_the_sync() {
    // A bucket that refills fast: the connector waits and the page arrives.
    let fast = fake_with(FakeShopifyConfig {
        restore_rate: 2_000.0,
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    })
    .await;
    let now = Utc::now();
    fast.add_orders(generated(10, now));
    fast.set_available(5.0);
    let (pages, _) = run(connector(&fast).as_ref(), "", now).await;
    assert_eq!(fast.throttled_count(), 1, "one THROTTLED answer, then a wait");
    assert!(!ids(&pages).is_empty());

    // A bucket that refills slowly: one THROTTLED answer, then the wait goes to the sync.
    let slow = fake_with(FakeShopifyConfig {
        restore_rate: 1.0,
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    })
    .await;
    slow.add_orders(generated(10, now));
    slow.set_available(0.0);
    let e = connector(&slow)
        .order_source()
        .unwrap()
        .fetch_page("", now)
        .await
        .unwrap_err();
    let ConnectorError::RateLimited { retry_after, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(retry_after.unwrap() >= Duration::from_secs(30), "{e:?}");
    assert_eq!(slow.throttled_count(), 1, "never called again at once");
}

#[tokio::test]
async fn hidden_customers_are_unspecified_and_the_hosts_errors_are_told_apart() {
    let fake = fake_with(FakeShopifyConfig {
        protected_customer_data: false,
        ..FakeShopifyConfig::new(CLIENT_ID, SECRET)
    })
    .await;
    let now = Utc::now();
    fake.add_orders(generated(3, now));
    let c = connector(&fake);
    let source = c.order_source().unwrap();

    fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(4),
    });
    // The token grant goes first: the fault strikes it or the query, either says "wait".
    let e = source.fetch_page("", now).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(4)), "{e:?}");
    fake.push_fault_on("/admin/api/2025-10/graphql.json", Fault::ServerError(502));
    let e = source.fetch_page("", now).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Server { status: 502, .. }), "{e:?}");

    let page = source.fetch_page("", now).await.unwrap();
    assert!(page.done && page.orders.len() == 3);
    for o in &page.orders {
        let b = o.customer.as_ref().unwrap();
        assert_eq!(b.name.as_deref(), Some(UNSPECIFIED_CUSTOMER));
        assert!(b.phone.is_none() && b.email.is_none());
    }
}
