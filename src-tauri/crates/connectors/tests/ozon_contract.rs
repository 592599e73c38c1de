//! The Ozon connector against the fake Ozon over loopback HTTP: the documented wire format,
//! paging, errors and effects.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::ozon::OzonSettings;
use ordertray_connectors::{connect, http_client, ConnectorError, HttpSettings, IntegrationClient, Page};
use ordertray_core::{Account, AccountKind, AccountSettings, CancelReason, Credentials, Effect, EffectItem};
use ordertray_fakes::ozon::{sample_posting, FakeOzon, FakeOzonConfig, FakeOzonHandle, Fault};
use serde_json::json;

const KEY: &str = "contract-key";

async fn fake() -> FakeOzonHandle {
    FakeOzon::start(FakeOzonConfig::new("555", KEY)).await.unwrap()
}

fn connector(fake: &FakeOzonHandle, key: &str) -> Box<dyn IntegrationClient> {
    let account = Account {
        id: 1,
        kind: AccountKind::new("ozon"),
        name: "A".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(fake.base_url()),
        demo: false,
        settings: AccountSettings::from(OzonSettings::new("555")),
        created_at: Utc::now(),
    };
    let http = http_client(&HttpSettings {
        timeout: Duration::from_secs(2),
    });
    connect(&account, Credentials::default().with("api_key", key), http)
}

/// One whole run from `cursor`; returns its pages and the cursor it ends with.
async fn run(c: &dyn IntegrationClient, mut cursor: String) -> (Vec<Page>, String) {
    let mut pages = Vec::new();
    for _ in 0..100 {
        let page = c
            .order_source()
            .unwrap()
            .fetch_page(&cursor, Utc::now())
            .await
            .unwrap();
        cursor = page.next_cursor.clone();
        let done = page.done;
        pages.push(page);
        if done {
            return (pages, cursor);
        }
    }
    panic!("the run did not end");
}

fn numbers(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.orders.iter().map(|o| o.external_id.clone()))
        .collect()
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error_and_never_echo_the_key() {
    let fake = fake().await;
    let c = connector(&fake, "not-the-key");
    let err = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Auth(_)), "{err:?}");
    assert!(!err.is_retryable());
    assert!(!err.to_string().contains("not-the-key"));
    let report = c.test_connection().await.unwrap();
    assert!(
        !report.ok && report.message.contains("rejected"),
        "{}",
        report.message
    );
    let good = connector(&fake, KEY).test_connection().await.unwrap();
    assert!(good.ok && good.expires_at.is_some(), "{good:?}");
    // Every request carried both headers; the fake only records whether the key matched.
    let calls = fake.calls();
    assert!(calls.iter().all(|c| c.client_id.as_deref() == Some("555")));
    assert_eq!(calls.iter().filter(|c| c.api_key_ok).count(), 1);
}

#[tokio::test]
async fn rate_limits_server_errors_and_broken_bodies_are_retryable() {
    let fake = fake().await;
    let c = connector(&fake, KEY);
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(7),
    });
    let err = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(err.is_retryable());

    for (fault, want) in [
        (Fault::ServerError(502), "server"),
        (Fault::CircuitOpen, "server"),
        (Fault::TruncatedJson, "malformed"),
        (Fault::NotJson, "malformed"),
        (
            Fault::EnvelopeError {
                message: "upstream unavailable".into(),
            },
            "malformed",
        ),
    ] {
        fake.push_fault(fault.clone());
        let err = c
            .order_source()
            .unwrap()
            .fetch_page("", Utc::now())
            .await
            .unwrap_err();
        let got = match err {
            ConnectorError::Server { .. } => "server",
            ConnectorError::Malformed(_) => "malformed",
            ref other => panic!("{fault:?}: {other:?}"),
        };
        assert_eq!(got, want, "{fault:?}");
        assert!(err.is_retryable());
    }
    // A timeout is a network error, also retryable.
    fake.push_fault(Fault::Slow { millis: 3_000 });
    let err = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Network(_)), "{err:?}");
}

#[tokio::test]
async fn a_run_reads_every_page_of_both_phases_with_the_documented_requests() {
    let fake = fake().await;
    fake.generate_postings(250, 2);
    let c = connector(&fake, KEY);
    let (pages, _) = run(c.as_ref(), String::new()).await;
    let all = numbers(&pages);
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), 250);
    assert!(pages.iter().all(|p| p.quarantined.is_empty()));

    let unfulfilled = fake.calls_to("/v4/posting/fbs/unfulfilled/list");
    assert_eq!(unfulfilled.len(), 3, "250 postings in pages of 100");
    let first = &unfulfilled[0].body;
    assert_eq!(first["limit"], 100);
    assert_eq!(first["cursor"], "");
    assert!(first["with"].is_object(), "`with` is always an object");
    assert!(first["filter"]["cutoff_from"].is_string() && first["filter"]["cutoff_to"].is_string());
    assert_eq!(unfulfilled[1].body["cursor"], "c100");
    let changed = fake.calls_to("/v4/posting/fbs/list");
    assert!(!changed.is_empty());
    let f = &changed[0].body["filter"];
    assert!(
        f["since"].is_string() && f["to"].is_string() && f["last_changed_status_date"]["from"].is_string()
    );
}

#[tokio::test]
async fn a_posting_repeated_across_pages_and_changes_between_runs_are_seen() {
    let fake = fake().await;
    let posted = fake.generate_postings(150, 1);
    let c = connector(&fake, KEY);
    // Page 1, then the first posting changes status before page 2 is read.
    let p1 = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap();
    fake.set_status(&posted[0], "awaiting_deliver");
    let (rest, idle) = run(c.as_ref(), p1.next_cursor.clone()).await;
    let mut all = numbers(std::slice::from_ref(&p1));
    all.extend(numbers(&rest));
    let times: HashMap<&String, usize> = all.iter().fold(HashMap::new(), |mut m, n| {
        *m.entry(n).or_default() += 1;
        m
    });
    assert!(
        times[&posted[0]] >= 2,
        "the changed posting comes again in the changes phase"
    );
    assert_eq!(times.len(), 150);

    // Between runs the buyer cancels: the next run reports the new status.
    fake.set_status(&posted[1], "cancelled");
    let (pages, _) = run(c.as_ref(), idle).await;
    let order = pages
        .iter()
        .flat_map(|p| &p.orders)
        .find(|o| o.external_id == posted[1])
        .expect("seen again");
    assert_eq!(order.status, "cancelled");
    assert!(order.is_cancelled());
}

#[tokio::test]
async fn a_run_resumes_from_a_persisted_mid_run_cursor() {
    let fake = fake().await;
    fake.generate_postings(230, 1);
    let p1 = connector(&fake, KEY)
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap();
    assert!(!p1.done);
    // A new process (new connector) continues from the stored cursor, not from the start.
    let (rest, _) = run(connector(&fake, KEY).as_ref(), p1.next_cursor.clone()).await;
    let first_rest = &fake.calls_to("/v4/posting/fbs/unfulfilled/list")[1];
    assert_eq!(first_rest.body["cursor"], "c100");
    let mut all: HashSet<String> = numbers(&[p1]).into_iter().collect();
    all.extend(numbers(&rest));
    assert_eq!(all.len(), 230);
}

#[tokio::test]
async fn a_malformed_posting_is_quarantined_and_the_page_still_arrives() {
    let fake = fake().await;
    fake.generate_postings(2, 1);
    let mut bad = sample_posting(9_999, 1, Utc::now());
    bad["products"][0]["price"] = json!({"amount": "twelve", "currency": "RUB"});
    fake.add_posting(bad.clone());
    let c = connector(&fake, KEY);
    let page = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap();
    assert_eq!(page.orders.len(), 2);
    assert_eq!(page.quarantined.len(), 1);
    assert_eq!(
        page.quarantined[0].external_id.as_deref(),
        bad["posting_number"].as_str()
    );
    assert!(page.quarantined[0].reason.contains("not a number"));
    assert_eq!(page.quarantined[0].raw, bad);
}

#[tokio::test]
async fn effects_send_the_documented_bodies_and_become_visible() {
    let fake = fake().await;
    let n = fake.generate_postings(3, 2);
    let c = connector(&fake, KEY);
    let page = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap();
    let items = |i: usize| -> Vec<EffectItem> {
        let o = page.orders.iter().find(|o| o.external_id == n[i]).unwrap();
        o.lines
            .iter()
            .map(|l| EffectItem {
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect()
    };
    let reason = CancelReason {
        id: 352,
        message: String::new(),
    };

    let ship = Effect::Ship {
        order_external_id: n[0].clone(),
        items: items(0),
    };
    assert!(!c.effect_sink().unwrap().already_applied(&ship).await.unwrap());
    c.effect_sink().unwrap().push(&ship).await.unwrap();
    assert!(c.effect_sink().unwrap().already_applied(&ship).await.unwrap());
    let body = &fake.calls_to("/v4/posting/fbs/ship")[0].body;
    assert_eq!(body["posting_number"], n[0].as_str());
    assert_eq!(body["packages"][0]["products"].as_array().unwrap().len(), 2);
    assert!(
        body["packages"][0]["products"][0]["product_id"].is_u64(),
        "Ozon product ids are numbers"
    );
    // Shipping twice is refused by Ozon: a clear, non-retryable error.
    let again = c.effect_sink().unwrap().push(&ship).await.unwrap_err();
    assert!(matches!(again, ConnectorError::Rejected { .. }), "{again:?}");

    let one = vec![items(1)[0].clone()];
    let cancel_lines = Effect::CancelLines {
        order_external_id: n[1].clone(),
        reason: reason.clone(),
        items: one,
    };
    c.effect_sink().unwrap().push(&cancel_lines).await.unwrap();
    assert!(c
        .effect_sink()
        .unwrap()
        .already_applied(&cancel_lines)
        .await
        .unwrap());
    let body = &fake.calls_to("/v2/posting/fbs/product/cancel")[0].body;
    assert_eq!(body["cancel_reason_id"], 352);
    assert!(body["items"][0]["sku"].is_u64());

    let cancel = Effect::CancelOrder {
        order_external_id: n[2].clone(),
        reason,
    };
    assert!(!c.effect_sink().unwrap().already_applied(&cancel).await.unwrap());
    c.effect_sink().unwrap().push(&cancel).await.unwrap();
    assert!(c.effect_sink().unwrap().already_applied(&cancel).await.unwrap());
    assert_eq!(fake.posting(&n[2]).unwrap()["status"], "cancelled");
}

/// The fake's realistic posting (the shape of Ozon's full example): `shipment_date` is the order's
/// ship-by deadline, two days after it went into processing.
#[tokio::test]
async fn a_postings_shipment_date_becomes_its_ship_by() {
    let fake = fake().await;
    let start = Utc::now() - chrono::Duration::hours(3);
    let posting = sample_posting(900, 1, start);
    let shipment_date = posting["shipment_date"].as_str().unwrap().to_string();
    fake.add_posting(posting);
    let c = connector(&fake, KEY);
    let (pages, _) = run(c.as_ref(), String::new()).await;
    let order = pages
        .iter()
        .flat_map(|p| &p.orders)
        .find(|o| o.number.starts_with("57000900"))
        .expect("the posting");
    let want = chrono::DateTime::parse_from_rfc3339(&shipment_date)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(order.ship_by, Some(want));
    // Two days on, at the hour's cut-off.
    let ahead = want - start;
    assert!(
        ahead <= chrono::Duration::days(2) && ahead > chrono::Duration::days(2) - chrono::Duration::hours(1),
        "{ahead}"
    );
}
