//! The Shiptor client against the fake Shiptor (JSON-RPC over loopback): a package is made under
//! our key with the fields as sent, read back with its status, tracking number and history once
//! the carrier moves it, edited in place, never made twice (a re-send, a lost answer), removed
//! when the order is deleted; Shiptor's refusals come in its words, a wrong key is an auth failure
//! that never shows the key, the edge's HTML 429 is a wait, and an order without a Shiptor
//! shipping method is refused before any call.

use std::time::Duration;

use ordertray_connectors::shiptor::ShiptorClient;
use ordertray_connectors::transfer::{DeliveryInfo, OrderTransfer, TransferError, TransferOrder};
use ordertray_connectors::ConnectorError;
use ordertray_core::cabinet::{OrderItem, Recipient, ShopOrderDraft};
use ordertray_core::Secret;
use ordertray_fakes::faults::Fault;
use ordertray_fakes::shiptor::{
    tracking_number, FakeShiptor, FakeShiptorConfig, FakeShiptorHandle, RateLimit, ShiptorFault,
};
use serde_json::json;

const KEY: &str = "shiptor-contract-key-0123456789012345678901234";

async fn fake() -> FakeShiptorHandle {
    FakeShiptor::start(FakeShiptorConfig::new(KEY)).await.unwrap()
}

fn client(fake: &FakeShiptorHandle, key: &str) -> ShiptorClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    ShiptorClient::new(http, &fake.base_url(), Some(Secret::new(key)))
}

fn order(key: &str) -> TransferOrder {
    let mut draft = ShopOrderDraft::empty();
    draft.number = "1042".into();
    draft.recipient = Recipient {
        name: "Анна Смирнова".into(),
        phone: "+79160001122".into(),
        email: "anna@example.com".into(),
    };
    draft.address.city = "Казань".into();
    draft.address.street = "ул. Баумана".into();
    draft.address.house = "1".into();
    draft.address.postal_code = "420111".into();
    draft.items = vec![OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: "FLT-77".into(),
        brand: String::new(),
        name: "Фильтр".into(),
        quantity: 2,
        price: "350".parse().unwrap(),
        weight_g: 600,
        length_cm: 30,
        width_cm: 20,
        height_cm: 5,
    }];
    draft.weight_g = 1200;
    (draft.length_cm, draft.width_cm, draft.height_cm) = (30, 20, 10);
    draft.declared_value = "1000".parse().unwrap();
    draft.delivery_cost = "300".parse().unwrap();
    draft.cod = true;
    TransferOrder {
        order_id: 1042,
        key: key.into(),
        order: draft,
        delivery: DeliveryInfo {
            code: Some("11".into()),
            tariff_name: "Shiptor courier".into(),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn a_package_is_made_as_sent_and_read_back_with_tracking_and_history() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    let made = shiptor.create(&order("ot-1-1042")).await.unwrap();
    let stored = fake.package("ot-1-1042").expect("the package is at Shiptor");
    let id = stored["id"].as_i64().unwrap();
    assert_eq!(made.remote_id, id.to_string());
    assert_eq!(
        made.link,
        Some(format!("{}/account/package/view/{id}", fake.base_url()))
    );
    assert_eq!(stored["weight"], json!(1.2));
    assert_eq!(
        (stored["length"].clone(), stored["height"].clone()),
        (json!(30), json!(10))
    );
    assert_eq!(stored["cod"], json!(1000.0));
    assert_eq!(stored["declared_cost"], json!(1000.0));
    assert_eq!(stored["departure"]["shipping_method"], 11);
    let address = &stored["departure"]["address"];
    assert_eq!(address["receiver"], "Анна Смирнова");
    assert_eq!(address["phone"], "+79160001122");
    assert_eq!(address["settlement"], "Казань");
    assert_eq!(address["house"], "1");
    assert_eq!(
        stored["products"],
        json!([{"shopArticle": "FLT-77", "count": 2, "price": 350.0}])
    );

    let fresh = shiptor.read_back(&made.remote_id).await.unwrap();
    assert_eq!(fresh.status, "new");
    assert_eq!(fresh.tracking_number, None);

    // The carrier moves it on: status, tracking number and the operations come back.
    assert!(fake.set_status(id, "packed"));
    assert!(fake.set_status(id, "sent"));
    let state = shiptor.read_back(&made.remote_id).await.unwrap();
    assert_eq!(state.status, "sent");
    assert_eq!(state.tracking_number, Some(tracking_number(id)));
    let events: Vec<&str> = state.history.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(events, ["New", "Packed", "Sent"]);
    assert!(state.history.iter().all(|e| e.at.is_some()));
}

#[tokio::test]
async fn a_resend_edits_the_same_package_until_it_is_handed_over() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    let made = shiptor.create(&order("ot-1-7")).await.unwrap();
    // The outbox sends the create again: found, not made twice.
    assert_eq!(
        shiptor.create(&order("ot-1-7")).await.unwrap(),
        made.clone().found()
    );

    let mut edited = order("ot-1-7");
    edited.order.items[0].quantity = 3;
    assert_eq!(shiptor.update(&made.remote_id, &edited).await.unwrap(), made);
    assert_eq!(fake.packages().len(), 1);
    assert_eq!(fake.calls_to("addPackage").len(), 1);
    assert_eq!(fake.package("ot-1-7").unwrap()["products"][0]["count"], 3);

    // Handed over: Shiptor refuses the edit in its words, and that is not retried.
    let id: i64 = made.remote_id.parse().unwrap();
    assert!(fake.set_status(id, "packed"));
    let Err(TransferError::Connector(e)) = shiptor.update(&made.remote_id, &order("ot-1-7")).await else {
        panic!("an edit after handover is refused");
    };
    assert!(!e.is_retryable(), "{e:?}");
    assert!(e.to_string().contains("can not be edited"), "{e}");
    assert_eq!(fake.package("ot-1-7").unwrap()["products"][0]["count"], 3);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_by_our_key_not_made_twice() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    fake.push_fault_on("addPackage", ShiptorFault::LostAnswer { after: None });
    let made = shiptor.create(&order("ot-1-8")).await.unwrap();
    assert_eq!(made.remote_id, fake.package("ot-1-8").unwrap()["id"].to_string());
    // A crash before the outbox noted the answer: sent once more, still one package.
    assert_eq!(
        shiptor.create(&order("ot-1-8")).await.unwrap(),
        made.clone().found()
    );
    assert_eq!(fake.packages().len(), 1, "{:?}", fake.packages());
    let adds = fake.calls_to("addPackage");
    assert_eq!(adds.len(), 1, "the lost add was the only one");
    assert!(adds[0].lost);
}

#[tokio::test]
async fn a_refused_package_comes_in_shiptors_words_and_is_not_retried() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    let mut bad = order("ot-1-9");
    bad.order.weight_g = 0;
    bad.order.recipient.phone = String::new();
    let Err(TransferError::Connector(e)) = shiptor.create(&bad).await else {
        panic!("a package without weight or phone is refused");
    };
    assert!(!e.is_retryable(), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("Invalid params"), "{text}");
    assert!(
        text.contains("weight: This value should be greater than 0."),
        "{text}"
    );
    assert!(text.contains("departure.address.phone"), "{text}");
    assert!(fake.packages().is_empty());
}

#[tokio::test]
async fn a_wrong_key_is_an_auth_failure_that_never_shows_the_key() {
    let fake = fake().await;
    let wrong_key = "not-the-shiptor-key-0123456789";
    let wrong = client(&fake, wrong_key);
    let Err(TransferError::Connector(ConnectorError::Auth(words))) = wrong.create(&order("ot-1-10")).await
    else {
        panic!("a wrong key is an auth failure");
    };
    assert!(!words.contains(KEY) && !words.contains(wrong_key), "{words}");
    assert!(fake.packages().is_empty());

    let report = wrong.test_connection().await.unwrap();
    assert!(
        !report.ok && !report.message.contains(wrong_key),
        "{}",
        report.message
    );
    let report = client(&fake, KEY).test_connection().await.unwrap();
    assert!(report.ok, "{}", report.message);
}

#[tokio::test]
async fn the_edges_html_429_is_a_wait() {
    // Two requests a second on the fake's own clock: a create (a look-up and an add) takes both.
    let fake = FakeShiptor::start(FakeShiptorConfig {
        rate_limit: Some(RateLimit {
            per_second: 2.0,
            burst: 2.0,
        }),
        manual_clock: true,
        ..FakeShiptorConfig::new(KEY)
    })
    .await
    .unwrap();
    let shiptor = client(&fake, KEY);
    shiptor.create(&order("ot-1-11")).await.unwrap();
    let Err(TransferError::Connector(e)) = shiptor.create(&order("ot-1-12")).await else {
        panic!("the limit's answer is an error to wait on");
    };
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(fake.stats().rate_limited, 1);
    assert!(fake.advance_clock(Duration::from_secs(1)));
    shiptor.create(&order("ot-1-12")).await.unwrap();
    assert_eq!(fake.packages().len(), 2);

    // An edge that says how long: that wait.
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(7),
    });
    let Err(TransferError::Connector(e)) = shiptor.read_back("1").await else {
        panic!("a 429 is a wait");
    };
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)), "{e:?}");
}

#[tokio::test]
async fn a_deleted_order_removes_the_package_and_it_reads_back_gone() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    let made = shiptor.create(&order("ot-1-13")).await.unwrap();
    shiptor.delete(&made.remote_id).await.unwrap();
    assert_eq!(fake.package("ot-1-13").unwrap()["status"], "removed");
    assert!(matches!(
        shiptor.read_back(&made.remote_id).await,
        Err(TransferError::Gone)
    ));
    assert!(matches!(
        shiptor.update(&made.remote_id, &order("ot-1-13")).await,
        Err(TransferError::Gone)
    ));
    // Deleting again, or a package Shiptor never had: done.
    shiptor.delete(&made.remote_id).await.unwrap();
    shiptor.delete("1").await.unwrap();
    // Sent again later: a new package under the same key, the removed one left alone.
    let again = shiptor.create(&order("ot-1-13")).await.unwrap();
    assert_ne!(again.remote_id, made.remote_id);
    assert_eq!(fake.packages().len(), 2);
}

#[tokio::test]
async fn a_package_already_sent_is_not_removed_and_says_why() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    let made = shiptor.create(&order("ot-1-14")).await.unwrap();
    assert!(fake.set_status(made.remote_id.parse().unwrap(), "sent"));
    let Err(TransferError::Connector(e)) = shiptor.delete(&made.remote_id).await else {
        panic!("a parcel on its way is not removed");
    };
    assert!(e.to_string().contains("can not be removed"), "{e}");
    assert_eq!(fake.package("ot-1-14").unwrap()["status"], "sent");
}

#[tokio::test]
async fn an_order_without_a_shiptor_shipping_method_is_refused_before_any_call() {
    let fake = fake().await;
    let shiptor = client(&fake, KEY);
    let mut unset = order("ot-1-15");
    unset.delivery.code = None;
    let Err(TransferError::Connector(e)) = shiptor.create(&unset).await else {
        panic!("no shipping method, no package");
    };
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("Shiptor courier"), "{e}");
    let mut worded = order("ot-1-15");
    worded.delivery.code = Some("courier".into());
    assert!(shiptor.create(&worded).await.is_err());
    assert!(shiptor.update("5200001", &worded).await.is_err());
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}
