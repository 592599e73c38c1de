//! The ZZAP connector against the fake ZZAP over loopback HTTP: the ASMX wire format (form posts,
//! JSON inside XML, errors inside a 200), window paging, the request interval, and status calls.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::Utc;
use ordertray_connectors::zzap::ZzapSettings;
use ordertray_connectors::zzap::PAGE_ROWS;
use ordertray_connectors::{connect, http_client, ConnectorError, HttpSettings, IntegrationClient, Page};
use ordertray_core::{Account, AccountKind, AccountSettings, Credentials, Effect};
use ordertray_fakes::faults::Fault;
use ordertray_fakes::zzap::{sample_row, FakeZzap, FakeZzapConfig, FakeZzapHandle, BUYER_CANCEL_CODE};
use serde_json::json;

const LOGIN: &str = "shop@example.ru";
const PASSWORD: &str = "pa55-word-zz";
const KEY: &str = "zzap-contract-key";

async fn fake() -> FakeZzapHandle {
    FakeZzap::start(FakeZzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap()
}

fn connector_with(
    fake: &FakeZzapHandle,
    password: &str,
    settings: ZzapSettings,
) -> Box<dyn IntegrationClient> {
    let account = Account {
        id: 1,
        kind: AccountKind::new("zzap"),
        name: "Z".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(fake.base_url()),
        demo: false,
        settings: AccountSettings::from(settings),
        created_at: Utc::now(),
    };
    let http = http_client(&HttpSettings {
        timeout: Duration::from_secs(2),
    });
    let credentials = Credentials::default()
        .with("password", password)
        .with("api_key", KEY);
    connect(&account, credentials, http)
}

fn settings() -> ZzapSettings {
    ZzapSettings {
        min_request_interval_ms: 0,
        ..ZzapSettings::new(LOGIN)
    }
}

fn connector(fake: &FakeZzapHandle) -> Box<dyn IntegrationClient> {
    connector_with(fake, PASSWORD, settings())
}

async fn run(c: &dyn IntegrationClient, mut cursor: String) -> (Vec<Page>, String) {
    let mut pages = Vec::new();
    for _ in 0..200 {
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

fn codes(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p.orders.iter().map(|o| o.external_id.clone()))
        .collect()
}

#[tokio::test]
async fn wrong_credentials_are_a_clear_auth_failure_without_the_secret() {
    let fake = fake().await;
    let c = connector_with(&fake, "wrong-password-123", settings());
    let report = c.test_connection().await.unwrap();
    assert!(!report.ok);
    assert!(report.message.contains("ZZAP rejected"), "{}", report.message);
    let e = c
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Auth(_)), "{e:?}");
    assert!(!e.is_retryable());
    assert!(!format!("{e} {report:?}").contains("wrong-password-123"));
    // The fake saw the documented form post, without keeping the secrets.
    let call = &fake.calls_to("GetSellerOrdersV3")[0];
    assert_eq!(call.http_method, "POST");
    assert!(!call.credentials_ok);
    assert_eq!(call.params.get("login").map(String::as_str), Some(LOGIN));
    assert_eq!(call.params.get("call_data").map(String::as_str), Some(""));
    assert!(!call.params.contains_key("password"));

    let ok = connector(&fake).test_connection().await.unwrap();
    assert!(ok.ok, "{}", ok.message);
    assert!(ok.message.contains("6 order statuses"), "{}", ok.message);
}

#[tokio::test]
async fn a_full_window_is_split_until_every_row_is_read() {
    let fake = fake().await;
    let now = Utc::now();
    let n = PAGE_ROWS * 2 + 137;
    for i in 0..n as i64 {
        // Spread over ten days, several rows per second of last event in places.
        let at = now - chrono::Duration::seconds(i * 600 + i % 3);
        fake.add_row_at(sample_row(8_000_000 + i, at), at);
    }
    let c = connector(&fake);
    let (pages, cursor) = run(c.as_ref(), String::new()).await;
    let got = codes(&pages);
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), n, "every row, once or more");
    assert!(
        fake.calls_to("GetSellerOrdersV3")
            .iter()
            .all(|c| c.params["row_count"] == PAGE_ROWS.to_string()),
        "row_count stays within ZZAP's limit"
    );
    assert!(pages.iter().all(|p| p.quarantined.is_empty()));

    // The next run reads only what changed since, with the overlap.
    let calls_before = fake.calls_to("GetSellerOrdersV3").len();
    fake.add_row(sample_row(9_000_001, Utc::now()));
    let (pages, _) = run(c.as_ref(), cursor).await;
    let got = codes(&pages);
    assert!(got.contains(&"9000001".to_string()));
    assert!(
        got.len() < 40,
        "an incremental run reads the overlap, not the history: {}",
        got.len()
    );
    assert_eq!(fake.calls_to("GetSellerOrdersV3").len(), calls_before + 1);
}

#[tokio::test]
async fn import_codes_and_buyer_cancels_follow_the_settings() {
    let fake = fake().await;
    let [a, b] = fake.generate(2)[..] else { panic!() };
    fake.set_code(b, 4);
    let c = connector_with(
        &fake,
        PASSWORD,
        ZzapSettings {
            import_codes: vec!["1".into(), BUYER_CANCEL_CODE.to_string()],
            buyer_cancel_codes: vec![BUYER_CANCEL_CODE.to_string()],
            ..settings()
        },
    );
    let (pages, cursor) = run(c.as_ref(), String::new()).await;
    assert_eq!(codes(&pages), [a.to_string()]);
    assert_eq!(
        fake.calls_to("GetSellerOrdersV3")[0].params["codes_track"],
        format!("1;{BUYER_CANCEL_CODE}")
    );
    fake.set_code(a, BUYER_CANCEL_CODE);
    let (pages, _) = run(c.as_ref(), cursor).await;
    let order = &pages[0].orders[0];
    assert_eq!(order.external_id, a.to_string());
    assert!(order.is_cancelled(), "{}", order.status);
}

#[tokio::test]
async fn rate_limits_are_waited_for_not_failures() {
    let mut config = FakeZzapConfig::new(LOGIN, PASSWORD, KEY);
    config.min_interval = Duration::from_millis(300);
    let fake = FakeZzap::start(config).await.unwrap();
    fake.generate(1);

    // Without the pause, the second call is refused with 429: retryable, with a wait.
    let hasty = connector(&fake);
    hasty
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap();
    let e = hasty
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
    assert!(e.is_retryable() && e.retry_after().is_some());

    // With it, calls are spaced and all succeed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let patient = connector_with(
        &fake,
        PASSWORD,
        ZzapSettings {
            min_request_interval_ms: 320,
            ..settings()
        },
    );
    let started = Instant::now();
    for _ in 0..3 {
        patient
            .order_source()
            .unwrap()
            .fetch_page("", Utc::now())
            .await
            .unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(640),
        "{:?}",
        started.elapsed()
    );

    // ZZAP's own words for a limit, inside a 200, count as a rate limit too.
    fake.push_fault(Fault::EnvelopeError {
        message: "Превышен лимит запросов".into(),
    });
    let e = patient
        .order_source()
        .unwrap()
        .fetch_page("", Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
}

#[tokio::test]
async fn malformed_answers_are_errors_and_bad_rows_are_quarantined() {
    let fake = fake().await;
    let c = connector(&fake);
    for fault in [Fault::TruncatedJson, Fault::NotJson] {
        fake.push_fault(fault.clone());
        let e = c
            .order_source()
            .unwrap()
            .fetch_page("", Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, ConnectorError::Malformed(_)), "{fault:?}: {e:?}");
        assert!(e.is_retryable());
    }
    fake.push_fault(Fault::ServerError(503));
    assert!(matches!(
        c.order_source()
            .unwrap()
            .fetch_page("", Utc::now())
            .await
            .unwrap_err(),
        ConnectorError::Server { status: 503, .. }
    ));

    let [good] = fake.generate(1)[..] else { panic!() };
    let mut bad = sample_row(good + 1, Utc::now());
    bad["qty_order"] = json!("много");
    fake.add_row(bad);
    let (pages, _) = run(c.as_ref(), String::new()).await;
    assert_eq!(codes(&pages), [good.to_string()]);
    let q = &pages[0].quarantined[0];
    assert_eq!(q.external_id.as_deref(), Some((good + 1).to_string().as_str()));
    assert!(q.reason.contains("qty_order"), "{}", q.reason);
}

#[tokio::test]
async fn a_status_round_trip() {
    let fake = fake().await;
    let c = connector(&fake);
    let dictionary = c.effect_sink().unwrap().status_dictionary().await.unwrap();
    assert!(dictionary
        .iter()
        .any(|s| s.code == "2" && s.name == "Принят в работу"));
    let [code] = fake.generate(1)[..] else { panic!() };
    let decided_at = decision_time();
    let effect = |status: &str| Effect::SetLineStatus {
        order_external_id: code.to_string(),
        line_external_id: code.to_string(),
        status: status.into(),
        comment: "Заказ принят, отправим завтра".into(),
        decided_at: decided_at.clone(),
    };
    assert!(!c
        .effect_sink()
        .unwrap()
        .already_applied(&effect("2"))
        .await
        .unwrap());
    c.effect_sink().unwrap().push(&effect("2")).await.unwrap();
    let row = fake.row(code).unwrap();
    assert_eq!(row["code_track"], 2);
    assert_eq!(row["response"], "Заказ принят, отправим завтра");
    let call = &fake.calls_to("SetOrderStatusV3")[0];
    assert_eq!(call.params["code_order"], code.to_string());
    assert_eq!(call.params["code_track"], "2");
    assert!(c
        .effect_sink()
        .unwrap()
        .already_applied(&effect("2"))
        .await
        .unwrap());
    assert!(!c
        .effect_sink()
        .unwrap()
        .already_applied(&effect("3"))
        .await
        .unwrap());

    // A code ZZAP does not know is refused, not retried.
    let e = c.effect_sink().unwrap().push(&effect("99")).await.unwrap_err();
    assert!(matches!(e, ConnectorError::Rejected { status: 200, .. }), "{e:?}");
    assert!(!e.is_retryable());
    // ZZAP has no ship or cancel calls.
    let ship = Effect::Ship {
        order_external_id: code.to_string(),
        items: vec![],
    };
    assert!(matches!(
        c.effect_sink().unwrap().push(&ship).await.unwrap_err(),
        ConnectorError::Rejected { .. }
    ));
}

/// The time format the store writes `decided_at` in (RFC 3339, UTC).
fn decision_time() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
