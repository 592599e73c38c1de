//! The Gettzap connector against the fake Gettzap over loopback HTTP. Gettzap publishes no status
//! call: these tests pin the *assumed* call (see `gettzap::client`) — its shape, its credentials
//! and how each kind of answer is classified — so that replacing it later is a visible change.

use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::gettzap::GettzapSettings;
use ordertray_connectors::{connect, http_client, ConnectorError, HttpSettings, IntegrationClient};
use ordertray_core::{Account, AccountKind, AccountSettings, Credentials, Effect, EffectItem};
use ordertray_fakes::faults::Fault;
use ordertray_fakes::gettzap::{FakeGettzap, FakeGettzapConfig, FakeGettzapHandle};

const LOGIN: &str = "gz-shop";
const PASSWORD: &str = "gz-pass-contract";
const KEY: &str = "gz-office-token-contract";

async fn fake() -> FakeGettzapHandle {
    FakeGettzap::start(FakeGettzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap()
}

fn connector(base_url: Option<String>, password: &str) -> Box<dyn IntegrationClient> {
    let account = Account {
        id: 1,
        kind: AccountKind::new("gettzap"),
        name: "G".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url,
        demo: false,
        settings: AccountSettings::from(GettzapSettings {
            statuses: vec!["accepted".into(), "Отказ".into()],
            ..GettzapSettings::new(LOGIN)
        }),
        created_at: Utc::now(),
    };
    let http = http_client(&HttpSettings {
        timeout: Duration::from_secs(2),
    });
    let credentials = Credentials::default()
        .with("password", password)
        .with("api_key", KEY)
        .with("intake_token", "not-the-connectors");
    connect(&account, credentials, http)
}

fn status(order: &str, line: &str, status: &str, comment: &str) -> Effect {
    Effect::SetLineStatus {
        order_external_id: order.into(),
        line_external_id: line.into(),
        status: status.into(),
        comment: comment.into(),
        decided_at: Utc::now().to_rfc3339(),
    }
}

#[tokio::test]
async fn a_status_goes_out_with_its_comment_and_credentials() {
    let fake = fake().await;
    let c = connector(Some(fake.base_url()), PASSWORD);
    c.effect_sink()
        .unwrap()
        .push(&status("A1", "A1-2", "accepted", "Принят: Фильтр"))
        .await
        .unwrap();
    let calls = fake.accepted_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].order_id.as_str(), calls[0].position_id.as_str()),
        ("A1", "A1-2")
    );
    assert_eq!(calls[0].status, "accepted");
    assert_eq!(calls[0].comment, "Принят: Фильтр");
    assert!(calls[0].credentials_ok);

    // The dictionary is the account's own list; nothing is polled.
    let dict = c.effect_sink().unwrap().status_dictionary().await.unwrap();
    assert_eq!(
        dict.iter().map(|s| s.code.as_str()).collect::<Vec<_>>(),
        ["accepted", "Отказ"]
    );
    assert!(
        c.order_source().is_none(),
        "Gettzap pushes: there is nothing to poll"
    );
    let report = c.test_connection().await.unwrap();
    assert!(report.message.contains("unverified"), "{}", report.message);
}

#[tokio::test]
async fn each_kind_of_failure_is_classified_and_never_shows_a_secret() {
    let fake = fake().await;
    let bad = connector(Some(fake.base_url()), "wrong-password");
    let e = bad
        .effect_sink()
        .unwrap()
        .push(&status("A1", "1", "accepted", ""))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Auth(_)), "{e:?}");
    assert!(!e.is_retryable());

    let c = connector(Some(fake.base_url()), PASSWORD);
    fake.push_fault(Fault::ServerError(502));
    let e = c
        .effect_sink()
        .unwrap()
        .push(&status("A1", "1", "accepted", ""))
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Server { status: 502, .. }), "{e:?}");
    assert!(e.is_retryable());

    fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(7),
    });
    let e = c
        .effect_sink()
        .unwrap()
        .push(&status("A1", "1", "accepted", ""))
        .await
        .unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));

    fake.push_fault(Fault::EnvelopeError {
        message: "position is closed".into(),
    });
    let e = c
        .effect_sink()
        .unwrap()
        .push(&status("A1", "1", "accepted", ""))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Rejected { message, .. } if message.contains("position is closed")),
        "{e:?}"
    );

    // A 2xx that is empty or an HTML page confirms nothing: an error worth retrying.
    for (fault, why) in [
        (Fault::TruncatedJson, "empty body"),
        (Fault::NotJson, "other than JSON"),
    ] {
        fake.push_fault(fault);
        let e = c
            .effect_sink()
            .unwrap()
            .push(&status("A1", "1", "accepted", ""))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, ConnectorError::Malformed(m) if m.contains(why)),
            "{e:?}"
        );
        assert!(e.is_retryable());
    }

    // Only the per-line status exists for Gettzap; anything else is refused without a call.
    let before = fake.calls().len();
    let e = c
        .effect_sink()
        .unwrap()
        .push(&Effect::CancelLines {
            order_external_id: "A1".into(),
            items: vec![EffectItem {
                sku: "1".into(),
                quantity: 1,
            }],
            reason: ordertray_core::CancelReason {
                id: 1,
                message: String::new(),
            },
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ConnectorError::Rejected { .. }), "{e:?}");
    assert_eq!(fake.calls().len(), before);

    for call in fake.calls() {
        let text = format!("{call:?}");
        assert!(!text.contains(PASSWORD) && !text.contains(KEY), "{text}");
    }
}

#[tokio::test]
async fn without_an_address_nothing_is_sent_and_the_manager_is_told_why() {
    let e = connector(None, PASSWORD)
        .effect_sink()
        .unwrap()
        .push(&status("A1", "1", "accepted", ""))
        .await
        .unwrap_err();
    let ConnectorError::Rejected { message, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(message.contains("not known"), "{message}");
    assert!(!e.is_retryable());
}
