//! The intake serves `/intake/<integration>/<account>` for every integration with a push source:
//! the address must name the account's own integration, and an integration that does not push
//! has no address at all (its address is refused like a wrong token).

mod common;

use std::collections::HashMap;

use common::fresh_engine;
use ordertray_connectors::gettzap::GettzapSettings;
use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::intake::IntakeSettings;
use ordertray_core::{AccountDraft, AccountSettings};
use ordertray_fakes::gettzap::sample_order;

fn draft(settings: AccountSettings) -> AccountDraft {
    AccountDraft {
        name: settings.kind().as_str().into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some("http://127.0.0.1:9".into()),
        settings,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_push_is_taken_only_under_the_accounts_own_integration() {
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let secrets = |pairs: &[(&str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>()
    };
    let gettzap = engine
        .add_account(
            draft(AccountSettings::from(GettzapSettings::new("gz"))),
            secrets(&[("password", "p"), ("api_key", "k")]),
        )
        .await
        .unwrap();
    let ozon = engine
        .add_account(
            draft(AccountSettings::from(OzonSettings::new("1"))),
            secrets(&[("api_key", "k")]),
        )
        .await
        .unwrap();
    let addr = engine
        .start_intake(&IntakeSettings {
            enabled: true,
            port: 0,
            ..Default::default()
        })
        .await
        .unwrap();
    let url = engine.intake_url(gettzap.id).await.unwrap();
    let token = url.split("token=").nth(1).unwrap().to_string();
    assert!(url.contains(&format!("/intake/gettzap/{}?", gettzap.id)), "{url}");

    let post = |path: String| {
        let body = sample_order("7001", 1).to_string();
        let token = token.clone();
        async move {
            reqwest::Client::new()
                .post(format!("http://{addr}{path}?token={token}"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    // Another integration's name in the address, or one that does not push, or none known: the
    // same 401 as a wrong token (nothing tells which accounts exist).
    assert_eq!(post(format!("/intake/ozon/{}", gettzap.id)).await, 401);
    assert_eq!(post(format!("/intake/ozon/{}", ozon.id)).await, 401);
    assert_eq!(post(format!("/intake/nowhere/{}", gettzap.id)).await, 401);
    let e = engine.intake_url(ozon.id).await.unwrap_err();
    assert!(e.message.contains("does not push orders"), "{}", e.message);
    assert!(
        engine.orders(Some(gettzap.id), None).await.unwrap().is_empty(),
        "nothing stored from a wrong address"
    );

    // The account's own address stores the order.
    assert_eq!(post(format!("/intake/gettzap/{}", gettzap.id)).await, 200);
    assert_eq!(engine.orders(Some(gettzap.id), None).await.unwrap().len(), 1);
    engine.shutdown().await;
}
