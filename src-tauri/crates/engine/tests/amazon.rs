//! An Amazon seller account in the engine against the fake Selling Partner API: seller-fulfilled
//! orders arrive (accepted on arrival by default, or to the inbox), Amazon-fulfilled ones are
//! kept read-only, and a rejection's cancellation is flagged in the outbox as something Amazon's
//! Orders API does not take.

mod common;

use std::collections::HashMap;

use chrono::Utc;
use common::{fresh_engine, inbox};
use ordertray_connectors::amazon::{AmazonSettings, Region, CLIENT_SECRET, REFRESH_TOKEN};
use ordertray_core::cabinet::OrderPageQuery;
use ordertray_core::{AccountDraft, AccountSettings, TriageAction};
use ordertray_engine::Engine;
use ordertray_fakes::amazon::{order, Buyer, FakeAmazon, FakeAmazonConfig, FakeAmazonHandle};

const CLIENT_ID: &str = "amzn1.application-oa2-client.engine";
const SECRET: &str = "amzn1.oa2-cs.v1.engine-secret";
const REFRESH: &str = "Atzr|engine-refresh-token";

async fn seller_account(engine: &Engine, fake: &FakeAmazonHandle, accept_on_arrival: bool) -> i64 {
    let settings = AmazonSettings {
        accept_on_arrival,
        token_url: Some(format!("{}/auth/o2/token", fake.base_url())),
        ..AmazonSettings::new(Region::Eu, "A1PA6795UKMFR9", CLIENT_ID)
    };
    let draft = AccountDraft {
        name: "Amazon.de".into(),
        region: String::new(),
        active: true,
        interval_secs: 600,
        base_url: Some(fake.base_url()),
        settings: AccountSettings::from(settings),
    };
    let secrets = HashMap::from([
        (CLIENT_SECRET.to_string(), SECRET.to_string()),
        (REFRESH_TOKEN.to_string(), REFRESH.to_string()),
    ]);
    engine.add_account(draft, secrets).await.unwrap().id
}

async fn sell_in_euros(engine: &Engine) {
    let mut settings = engine.settings().await.unwrap();
    settings.shop_currency = "EUR".into();
    engine.save_settings(settings).await.unwrap();
}

fn seed(fake: &FakeAmazonHandle) {
    let now = Utc::now();
    let hours = |h: i64| now - chrono::Duration::hours(h);
    let echo = ("B08N5WRWNW", "ECHO-4", "Echo Dot", 2, "24.99");
    let mut fba = order("302-0000003-0000003", hours(10), Buyer::new(3), &[echo]);
    fba["fulfillment"]["fulfilledBy"] = "AMAZON".into();
    fake.add_orders([
        order("302-0000001-0000001", hours(30), Buyer::new(1), &[echo]),
        order(
            "302-0000002-0000002",
            hours(20),
            Buyer::new(2),
            &[("B07XJ8C8F5", "FIRE-4K", "Fire TV Stick", 1, "39.99")],
        ),
        fba,
    ]);
}

#[tokio::test(flavor = "multi_thread")]
async fn seller_orders_arrive_and_amazon_fulfilled_ones_are_read_only() {
    let fake = FakeAmazon::start(FakeAmazonConfig::new(CLIENT_ID, SECRET, REFRESH))
        .await
        .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_euros(&engine).await;
    let account = seller_account(&engine, &fake, true).await;

    let report = engine.sync_account(account).await.unwrap();
    // The FBA order is stored read-only: nothing new to announce.
    assert_eq!((report.orders_seen, report.orders_new), (3, 2), "{report:?}");
    assert!(inbox(&engine).await.is_empty());
    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    assert_eq!(page.rows.len(), 3);
    let fba = page
        .rows
        .iter()
        .find(|r| r.number == "302-0000003-0000003")
        .unwrap();
    let full = engine.shop_order_full(fba.id).await.unwrap();
    assert!(full.read_only, "Amazon ships it: nothing to do in the shop");
    assert_eq!(full.source.as_deref(), Some("Amazon"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejection_is_flagged_as_something_amazon_does_not_take() {
    let fake = FakeAmazon::start(FakeAmazonConfig::new(CLIENT_ID, SECRET, REFRESH))
        .await
        .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_euros(&engine).await;
    let account = seller_account(&engine, &fake, false).await;
    engine.sync_account(account).await.unwrap();
    let lines = inbox(&engine).await;
    assert_eq!(
        lines.len(),
        2,
        "the seller's two orders wait; the FBA one is read-only"
    );
    let first: Vec<i64> = lines
        .iter()
        .filter(|l| l.order_external_id == "302-0000001-0000001")
        .map(|l| l.line.id)
        .collect();
    let r = engine.triage(&first, TriageAction::Reject).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "the cancellation is queued: {r:?}");
    let calls_before = fake.calls().len();
    engine.drain_outbox_once().await.unwrap();
    let rows = engine.outbox_list(Some(account)).await.unwrap();
    let row = serde_json::to_value(&rows[0]).unwrap();
    assert_eq!(row["state"], "failed", "{row}");
    assert!(row.to_string().contains("Seller Central"), "{row}");
    assert_eq!(fake.calls().len(), calls_before, "nothing was sent to Amazon");
}

/// A run left with a page token older than a day (the app closed, a pause) starts its search over
/// with the same filter: Amazon refuses the token, and the account stayed failing on every run.
#[tokio::test(flavor = "multi_thread")]
async fn a_run_whose_page_token_expired_starts_its_search_over() {
    use ordertray_connectors::amazon::{Filter, Run, SyncState};
    let fake = FakeAmazon::start(FakeAmazonConfig::new(CLIENT_ID, SECRET, REFRESH))
        .await
        .unwrap();
    seed(&fake);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    sell_in_euros(&engine).await;
    let account = seller_account(&engine, &fake, false).await;
    let now = chrono::Utc::now();
    let stale = SyncState {
        watermark: None,
        run: Some(Run {
            started: now - chrono::Duration::days(2),
            filter: Filter::Created {
                after: now - chrono::Duration::days(30),
            },
            next: Some("a-token-from-two-days-ago".into()),
            pages: 1,
        }),
    };
    sqlx::query("INSERT INTO sync_cursors (account_id, cursor, updated_at) VALUES (?, ?, ?)")
        .bind(account)
        .bind(serde_json::to_string(&stale).unwrap())
        .bind("2026-12-03T00:00:00.000000Z")
        .execute(engine.store().pool())
        .await
        .unwrap();

    let report = engine.sync_account(account).await.unwrap();
    assert_eq!(report.orders_seen, 3, "{report:?}");
    let health = &engine.list_accounts().await.unwrap()[0].health;
    assert!(health.last_error.is_none(), "{health:?}");
}
