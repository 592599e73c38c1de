//! The Cartum connector against the fake shop over loopback HTTP: the token from `auth` taken
//! again when the shop stops taking it, `orders/get` windows in the shop's time paged by
//! offset/limit, the backfill without delivered orders (and later runs that do not bring them
//! back), `orders/update` read per order, and the shop's and its host's errors.

mod store_platforms;

use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Kyiv;
use ordertray_connectors::cartum::{CartumSettings, SyncState, PASSWORD};
use ordertray_connectors::{ConnectorError, IntegrationClient};
use ordertray_core::{AccountSettings, Credentials, Effect};
use ordertray_fakes::cartum::{generated, order, Buyer, FakeCartum, FakeCartumConfig, FakeCartumHandle};
use ordertray_fakes::faults::Fault;
use serde_json::{json, Value};
use store_platforms::{connector_for, ids, run};

const LOGIN: &str = "api-manager";
const PASSWORD_VALUE: &str = "cartum-contract-pass-7";

async fn fake_with(config: FakeCartumConfig) -> FakeCartumHandle {
    FakeCartum::start(config).await.unwrap()
}

async fn fake() -> FakeCartumHandle {
    fake_with(FakeCartumConfig::new(LOGIN, PASSWORD_VALUE)).await
}

fn connector_with(password: &str, settings: CartumSettings) -> Box<dyn IntegrationClient> {
    connector_for(
        AccountSettings::from(settings),
        None,
        Credentials::default().with(PASSWORD, password),
    )
}

fn connector(fake: &FakeCartumHandle) -> Box<dyn IntegrationClient> {
    connector_with(PASSWORD_VALUE, CartumSettings::new(fake.base_url(), LOGIN))
}

fn local(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    t.with_timezone(&Kyiv).naive_local()
}

fn status_of(fake: &FakeCartumHandle, id: i64) -> Value {
    fake.order(id).unwrap()["stat_status"].clone()
}

#[tokio::test]
async fn the_backfill_pages_through_the_window_without_delivered_orders_and_later_runs_keep_them_out() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(250, now, Kyiv));
    let c = connector(&fake);

    let (pages, cursor) = run(c.as_ref(), "", now).await;
    assert_eq!(pages.len(), 3, "250 orders, 100 a page");
    let read = ids(&pages);
    let mut unique = read.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), read.len(), "no order twice");
    assert_eq!(read.len(), 225, "every tenth is delivered and left out");
    assert!(pages.iter().flat_map(|p| &p.orders).all(|o| o.status != "3"));
    // Cartum gives no total: the estimate never claims the end before it.
    let progress: Vec<(u32, u32)> = pages.iter().map(|p| p.progress.unwrap()).collect();
    assert!(
        progress[..2].iter().all(|(done, total)| done < total),
        "{progress:?}"
    );
    assert_eq!(progress[2], (3, 3));
    let state = SyncState::parse(&cursor);
    assert_eq!(state.watermark, Some(now));
    assert_eq!(state.left_out.len(), 25);

    // The window is asked for in the shop's time.
    let asked = fake
        .calls()
        .into_iter()
        .find(|c| c.path.contains("orders/get"))
        .unwrap();
    assert_eq!(
        asked.body["from"],
        json!(ordertray_connectors::cartum::format_local(
            now - chrono::Duration::days(60),
            Kyiv
        ))
    );
    assert_eq!(asked.body["token"], "***", "the calls log never holds the token");

    // A later run reads its days again: the delivered ones stay out, a new order (even one
    // delivered by now) comes in, and what the shop changed is read again.
    let later = now + chrono::Duration::minutes(5);
    let mut fresh = order(
        9001,
        local(later - chrono::Duration::minutes(1)),
        Buyer::new(3),
        &[("A-9", "Новий товар", 1, 99.5)],
    );
    fresh["stat_status"] = json!(3);
    fake.add_orders([fresh]);
    fake.set_status(2, 6);
    let (pages, cursor) = run(c.as_ref(), &cursor, later).await;
    let read = ids(&pages);
    assert_eq!(read.len(), 226, "{} orders", read.len());
    assert!(read.contains(&"9001".to_string()));
    assert!(
        !read.contains(&"10".to_string()),
        "order 10 was delivered at the backfill"
    );
    let two = pages
        .iter()
        .flat_map(|p| &p.orders)
        .find(|o| o.external_id == "2")
        .unwrap();
    assert_eq!(two.status, "6");
    assert_eq!(SyncState::parse(&cursor).watermark, Some(later));
}

/// After a gap longer than the window (the app closed for weeks) the next run reaches back to
/// the last one: the orders placed meanwhile are read, not left before the window for good.
#[tokio::test]
async fn a_run_after_a_long_gap_reads_every_order_placed_since_the_last_one() {
    let fake = fake().await;
    let now = Utc::now();
    let c = connector(&fake);
    let (_, cursor) = run(c.as_ref(), "", now).await;
    let placed = now + chrono::Duration::days(2);
    fake.add_orders([order(
        9001,
        local(placed),
        Buyer::new(3),
        &[("A-9", "Новий товар", 1, 99.5)],
    )]);
    let window = i64::from(CartumSettings::new(fake.base_url(), LOGIN).window_days);
    let later = placed + chrono::Duration::days(window + 6);

    let (pages, cursor) = run(c.as_ref(), &cursor, later).await;
    assert!(ids(&pages).contains(&"9001".to_string()), "{:?}", ids(&pages));
    assert_eq!(SyncState::parse(&cursor).watermark, Some(later));
}

#[tokio::test]
async fn an_expired_token_is_replaced_mid_run_and_a_wrong_password_is_said() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(150, now, Kyiv));
    let c = connector(&fake);
    let source = c.order_source().unwrap();
    let first = source.fetch_page("", now).await.unwrap();
    assert!(!first.done);
    fake.expire_tokens();
    let second = source.fetch_page(&first.next_cursor, now).await.unwrap();
    assert!(second.done);
    assert_eq!(ids(&[first, second]).len(), 135);
    assert_eq!(
        fake.tokens_issued(),
        2,
        "one login, then one more after the expiry"
    );

    let wrong = connector_with("not-it", CartumSettings::new(fake.base_url(), LOGIN));
    let report = wrong.test_connection().await.unwrap();
    assert!(
        !report.ok && report.message.contains("login or password"),
        "{report:?}"
    );
    let e = wrong
        .order_source()
        .unwrap()
        .fetch_page("", now)
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Auth(_)), "{e:?}");
    assert!(!e.to_string().contains("not-it"));
    assert!(!format!("{:?}", fake.calls()).contains(PASSWORD_VALUE));
    assert!(connector(&fake).test_connection().await.unwrap().ok);
}

#[tokio::test]
async fn statuses_and_tracking_codes_go_back_and_the_shops_log_is_read() {
    let fake = fake_with(FakeCartumConfig {
        log_without_ids: true,
        ..FakeCartumConfig::new(LOGIN, PASSWORD_VALUE)
    })
    .await;
    let now = Utc::now();
    fake.add_orders([order(
        41,
        local(now),
        Buyer::new(1),
        &[("A-1", "Фільтр", 2, 735.0)],
    )]);
    fake.add_status(7, "Передано в службу доставки");
    let c = connector(&fake);
    let sink = c.effect_sink().unwrap();

    let listed = sink.status_dictionary().await.unwrap();
    let codes: Vec<&str> = listed.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["1", "2", "3", "4", "6", "7"]);
    assert_eq!(listed[5].name, "Передано в службу доставки");

    let set = Effect::SetOrderStatus {
        order_external_id: "41".into(),
        status: "7".into(),
    };
    assert!(!sink.already_applied(&set).await.unwrap());
    sink.push(&set).await.unwrap();
    assert_eq!(status_of(&fake, 41), json!(7));
    assert!(sink.already_applied(&set).await.unwrap());
    let track = Effect::SetTracking {
        order_external_id: "41".into(),
        tracking_number: "20450012345678".into(),
    };
    sink.push(&track).await.unwrap();
    assert_eq!(fake.order(41).unwrap()["tracking_code"], "20450012345678");

    // The shop's words come back, found by place when the log has no ids.
    let unknown = Effect::SetOrderStatus {
        order_external_id: "41".into(),
        status: "99".into(),
    };
    let e = sink.push(&unknown).await.unwrap_err();
    assert!(
        !e.is_retryable() && e.to_string().contains("Status 99 does not exist"),
        "{e}"
    );
    let gone = Effect::SetOrderStatus {
        order_external_id: "404".into(),
        status: "2".into(),
    };
    let e = sink.push(&gone).await.unwrap_err();
    assert!(e.to_string().contains("Order not found"), "{e}");
    assert_eq!(status_of(&fake, 41), json!(7), "a refused change changes nothing");
}

#[tokio::test]
async fn the_hosts_errors_are_told_apart_and_a_bad_order_is_set_aside() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(5, now, Kyiv));
    let mut bad = order(6, local(now), Buyer::new(2), &[("A-1", "Фільтр", 1, 10.0)]);
    bad["products"] = json!("A-1");
    fake.add_orders([bad]);
    let c = connector(&fake);
    let source = c.order_source().unwrap();

    fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(7),
    });
    let e = source.fetch_page("", now).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)), "{e:?}");
    fake.push_fault(Fault::ServerError(502));
    let e = source.fetch_page("", now).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Server { status: 502, .. }), "{e:?}");
    fake.push_fault(Fault::TruncatedJson);
    let e = source.fetch_page("", now).await.unwrap_err();
    assert!(
        matches!(e, ConnectorError::Malformed(_)) && e.is_retryable(),
        "{e:?}"
    );

    let page = source.fetch_page("", now).await.unwrap();
    assert!(page.done);
    assert_eq!(page.quarantined.len(), 1);
    assert_eq!(page.quarantined[0].external_id.as_deref(), Some("6"));
    assert!(page.quarantined[0].reason.contains("not a list"));
    assert_eq!(page.orders.len(), 5, "the rest of the page is read");
}
