//! The Amazon connector against the fake Selling Partner API over loopback HTTP: Login with
//! Amazon tokens (taken again when refused), `searchOrders` pages of 100 with the buyer and
//! recipient included (one call per page, never per order), the backfill without finished seller
//! orders, Amazon-fulfilled orders read-only, quota answers that wait, and no cancellation sent.

mod store_platforms;

use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::amazon::{AmazonSettings, Region, SyncState, CLIENT_SECRET, REFRESH_TOKEN};
use ordertray_connectors::{ConnectorError, IntegrationClient};
use ordertray_core::{AccountSettings, Credentials, Effect};
use ordertray_fakes::amazon::{generated, FakeAmazon, FakeAmazonConfig, FakeAmazonHandle};
use serde_json::Value;
use store_platforms::{connector_for, run};

const CLIENT_ID: &str = "amzn1.application-oa2-client.contract";
const SECRET: &str = "amzn1.oa2-cs.v1.contract-secret";
const REFRESH: &str = "Atzr|contract-refresh-token";

async fn fake() -> FakeAmazonHandle {
    FakeAmazon::start(FakeAmazonConfig::new(CLIENT_ID, SECRET, REFRESH))
        .await
        .unwrap()
}

fn connector_with(fake: &FakeAmazonHandle, refresh: &str) -> Box<dyn IntegrationClient> {
    let settings = AmazonSettings {
        token_url: Some(format!("{}/auth/o2/token", fake.base_url())),
        ..AmazonSettings::new(Region::Eu, "A1PA6795UKMFR9", CLIENT_ID)
    };
    let credentials = Credentials::default()
        .with(CLIENT_SECRET, SECRET)
        .with(REFRESH_TOKEN, refresh);
    connector_for(
        AccountSettings::from(settings),
        Some(fake.base_url()),
        credentials,
    )
}

fn connector(fake: &FakeAmazonHandle) -> Box<dyn IntegrationClient> {
    connector_with(fake, REFRESH)
}

fn searches(fake: &FakeAmazonHandle) -> Vec<Vec<(String, String)>> {
    fake.calls()
        .into_iter()
        .filter(|c| c.path == "/orders/2026-01-01/orders")
        .map(|c| c.query)
        .collect()
}

fn finished_seller_order(raw: &Value) -> bool {
    let f = |k: &str| {
        raw.pointer(&format!("/fulfillment/{k}"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    f("fulfilledBy") == "MERCHANT"
        && matches!(f("fulfillmentStatus"), "SHIPPED" | "CANCELLED" | "UNFULFILLABLE")
}

#[tokio::test]
async fn the_backfill_reads_pages_of_100_with_buyers_included_and_keeps_fba_read_only() {
    let fake = fake().await;
    fake.set_bucket(20.0);
    let now = Utc::now();
    let orders = generated(250, now);
    let expected = orders.iter().filter(|o| !finished_seller_order(o)).count();
    fake.add_orders(orders);
    let c = connector(&fake);

    let (pages, cursor) = run(c.as_ref(), "", now).await;
    assert_eq!(pages.len(), 3);
    let read: Vec<&ordertray_core::ExternalOrder> = pages.iter().flat_map(|p| &p.orders).collect();
    assert_eq!(read.len(), expected);
    let mut ids: Vec<&str> = read.iter().map(|o| o.external_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected, "no order twice");
    assert!(
        read.iter().any(|o| o.read_only),
        "Amazon-fulfilled orders are kept, read-only"
    );
    assert!(read
        .iter()
        .filter(|o| !o.read_only)
        .all(|o| !["shipped", "cancelled", "unfulfillable"].contains(&o.status.as_str())));
    assert!(
        read.iter().any(|o| o.customer.is_none()),
        "pending orders come without a buyer"
    );
    assert!(read
        .iter()
        .filter(|o| o.status == "unshipped")
        .all(|o| o.customer.is_some() && o.ship_by.is_some()));
    let calls = searches(&fake);
    assert_eq!(calls.len(), 3, "one call per page of 100, never one per order");
    let first = &calls[0];
    let param = |k: &str| first.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(
        param("includedData"),
        Some("BUYER,RECIPIENT,FULFILLMENT,PROCEEDS")
    );
    assert_eq!(param("maxResultsPerPage"), Some("100"));
    assert!(param("createdAfter").is_some() && param("lastUpdatedAfter").is_none());
    assert_eq!(SyncState::parse(&cursor).watermark, Some(now));

    // A later run searches by update: a changed order comes again.
    let changed = read
        .iter()
        .find(|o| o.status == "unshipped")
        .unwrap()
        .external_id
        .clone();
    fake.edit_order(&changed, |o| {
        o["fulfillment"]["fulfillmentStatus"] = "PARTIALLY_SHIPPED".into()
    });
    let later = now + chrono::Duration::minutes(30);
    let (pages, _) = run(c.as_ref(), &cursor, later).await;
    let again = pages
        .iter()
        .flat_map(|p| &p.orders)
        .find(|o| o.external_id == changed)
        .unwrap();
    assert_eq!(again.status, "partially_shipped");
    let last = searches(&fake).pop().unwrap();
    assert!(last.iter().any(|(k, _)| k == "lastUpdatedAfter"));
}

#[tokio::test]
async fn a_refused_token_is_replaced_and_a_wrong_refresh_token_is_said() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(150, now));
    let c = connector(&fake);
    let source = c.order_source().unwrap();
    let first = source.fetch_page("", now).await.unwrap();
    assert!(!first.done);
    fake.expire_tokens();
    let second = source.fetch_page(&first.next_cursor, now).await.unwrap();
    assert!(second.done);
    assert_eq!(fake.tokens_issued(), 2);

    let wrong = connector_with(&fake, "Atzr|not-it");
    let report = wrong.test_connection().await.unwrap();
    assert!(
        !report.ok && report.message.contains("refresh token"),
        "{report:?}"
    );
    let e = wrong
        .order_source()
        .unwrap()
        .fetch_page("", now)
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Auth(_)), "{e:?}");
    assert!(!e.to_string().contains("not-it") && !e.to_string().contains(SECRET));
    let log = format!("{:?}", fake.calls());
    assert!(!log.contains(SECRET) && !log.contains(REFRESH) && !log.contains("not-it"));
    assert!(connector(&fake).test_connection().await.unwrap().ok);
}

#[tokio::test]
async fn a_spent_quota_waits_the_stated_rate_and_a_cancellation_is_refused() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(5, now));
    fake.set_bucket(0.0);
    let c = connector(&fake);
    let e = c.order_source().unwrap().fetch_page("", now).await.unwrap_err();
    let ConnectorError::RateLimited { retry_after, .. } = &e else {
        panic!("{e:?}")
    };
    // 0.0056 calls a second: about three minutes.
    assert!(retry_after.unwrap() >= Duration::from_secs(170), "{e:?}");
    assert_eq!(fake.quota_exceeded_count(), 1, "never called again at once");

    let cancel = Effect::CancelOrder {
        order_external_id: "302-0000001-0000001".into(),
        reason: Default::default(),
    };
    let e = c.effect_sink().unwrap().push(&cancel).await.unwrap_err();
    assert!(
        !e.is_retryable() && e.to_string().contains("Seller Central"),
        "{e}"
    );
}
