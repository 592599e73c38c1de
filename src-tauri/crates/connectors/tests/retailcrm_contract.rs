//! The RetailCRM client against the fake RetailCRM (API v5 over loopback): an order is created
//! under our key and linked, a create whose answer was lost is found instead of made twice,
//! re-sending edits the same record, the CRM's refusals come in its own words, a wrong key is an
//! auth failure, and its rate limit (an HTML 503) is a wait, not a failure.

use std::time::Duration;

use ordertray_connectors::retailcrm::RetailCrmClient;
use ordertray_connectors::transfer::{DeliveryInfo, OrderTransfer, TransferError, TransferOrder};
use ordertray_connectors::ConnectorError;
use ordertray_core::cabinet::{OrderItem, Recipient, ShopOrderDraft};
use ordertray_core::Secret;
use ordertray_fakes::retailcrm::{
    FakeRetailCrm, FakeRetailCrmConfig, FakeRetailCrmHandle, RateLimit, RetailCrmFault,
};

const KEY: &str = "retailcrm-contract-key-0123456789";
const SITE: &str = "web-shop";

async fn fake() -> FakeRetailCrmHandle {
    FakeRetailCrm::start(FakeRetailCrmConfig {
        rate_limit: None,
        ..FakeRetailCrmConfig::new(KEY, SITE)
    })
    .await
    .unwrap()
}

fn client(fake: &FakeRetailCrmHandle, key: &str) -> RetailCrmClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    RetailCrmClient::new(http, &fake.base_url(), Some(Secret::new(key)), SITE)
}

fn order(email: &str) -> TransferOrder {
    order_keyed(email, "ot-1-1042")
}

fn order_keyed(email: &str, key: &str) -> TransferOrder {
    let mut draft = ShopOrderDraft::empty();
    draft.number = "1042".into();
    draft.recipient = Recipient {
        name: "Анна Смирнова".into(),
        phone: "+79160001122".into(),
        email: email.into(),
    };
    draft.address.city = "Казань".into();
    draft.address.text = "ул. Баумана, 1".into();
    draft.items = vec![OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: "FLT-77".into(),
        brand: String::new(),
        name: "Фильтр".into(),
        quantity: 2,
        price: "350".parse().unwrap(),
        weight_g: 0,
        length_cm: 0,
        width_cm: 0,
        height_cm: 0,
    }];
    draft.delivery_cost = "300".parse().unwrap();
    draft.cod = true;
    TransferOrder {
        order_id: 1042,
        key: key.into(),
        order: draft,
        delivery: DeliveryInfo {
            code: Some("courier".into()),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn an_order_is_created_under_our_key_linked_and_edited_by_it() {
    let fake = fake().await;
    let crm = client(&fake, KEY);
    let made = crm.create(&order("anna@example.com")).await.unwrap();
    assert_eq!(made.remote_id, "ot-1-1042");
    let stored = fake.order("ot-1-1042").expect("the order is at the CRM");
    assert_eq!(stored["firstName"], "Анна Смирнова");
    assert_eq!(stored["number"], "1042");
    let id = stored["id"].to_string();
    assert_eq!(made.link, Some(format!("{}/orders/{id}/edit", fake.base_url())));

    // Re-sent after an edit: the same record changes, no second one is made.
    let mut edited = order("anna@example.com");
    edited.order.items[0].quantity = 3;
    let again = crm.update("ot-1-1042", &edited).await.unwrap();
    assert_eq!(again, made);
    assert_eq!(fake.orders().len(), 1);
    assert_eq!(fake.order("ot-1-1042").unwrap()["items"][0]["quantity"], 3);

    // The CRM moved it on: reading back tells its status.
    assert!(fake.set_status("ot-1-1042", "assembling"));
    assert_eq!(crm.read_back("ot-1-1042").await.unwrap().status, "assembling");
    assert!(matches!(
        crm.read_back("ot-1-9999").await,
        Err(TransferError::Gone)
    ));
    assert!(matches!(
        crm.update("ot-1-9999", &edited).await,
        Err(TransferError::Gone)
    ));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_not_made_twice() {
    let fake = fake().await;
    let crm = client(&fake, KEY);
    fake.push_fault(RetailCrmFault::LostAnswer { after: None });
    let made = crm
        .create(&order_keyed("anna@example.com", "ot-1-7"))
        .await
        .unwrap();
    assert_eq!(made.remote_id, "ot-1-7");
    assert!(made.link.is_some());
    // The outbox sends it again (a crash before it noted the answer): still one order.
    crm.create(&order_keyed("anna@example.com", "ot-1-7"))
        .await
        .unwrap();
    assert_eq!(fake.orders().len(), 1, "{:?}", fake.orders());
    let creates: Vec<u16> = fake
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/orders/create"))
        .map(|c| c.http_status)
        .collect();
    assert_eq!(creates.len(), 2, "each try sent one create");
    assert_eq!(
        creates[1], 400,
        "the second was refused as a duplicate: {creates:?}"
    );
}

#[tokio::test]
async fn refusals_come_in_the_crms_words_and_are_not_retried() {
    let fake = fake().await;
    let crm = client(&fake, KEY);
    let Err(TransferError::Connector(e)) = crm.create(&order_keyed("not-an-address", "ot-1-8")).await else {
        panic!("a bad e-mail is refused");
    };
    assert!(!e.is_retryable(), "{e:?}");
    let text = e.to_string();
    assert!(text.contains("Order is not loaded"), "{text}");
    assert!(text.contains("email"), "{text}");
    assert!(fake.orders().is_empty());

    let wrong = client(&fake, "not-the-key");
    let Err(TransferError::Connector(ConnectorError::Auth(words))) =
        wrong.create(&order_keyed("a@b.ru", "ot-1-9")).await
    else {
        panic!("a wrong key is an auth failure");
    };
    assert!(!words.contains(KEY) && !words.contains("not-the-key"), "{words}");
}

#[tokio::test]
async fn over_the_limit_the_html_503_is_a_wait() {
    // One request a second on the fake's own clock, three at once: the first order's catalog
    // look-up, its product and the create take them all, so the next create in the same second
    // is over.
    let fake = FakeRetailCrm::start(FakeRetailCrmConfig {
        rate_limit: Some(RateLimit {
            per_second: 1.0,
            burst: 3.0,
        }),
        manual_clock: true,
        ..FakeRetailCrmConfig::new(KEY, SITE)
    })
    .await
    .unwrap();
    let crm = client(&fake, KEY);
    crm.create(&order_keyed("anna@example.com", "ot-1-10"))
        .await
        .unwrap();
    let Err(TransferError::Connector(e)) = crm.create(&order_keyed("anna@example.com", "ot-1-11")).await
    else {
        panic!("the limit's answer is an error to wait on");
    };
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(fake.stats().rate_limited, 1);
    // A second later it goes through, once.
    assert!(fake.advance_clock(Duration::from_secs(1)));
    crm.create(&order_keyed("anna@example.com", "ot-1-11"))
        .await
        .unwrap();
    assert_eq!(fake.orders().len(), 2);
}

#[tokio::test]
async fn the_connection_check_tells_a_wrong_key_and_a_store_the_key_may_not_use() {
    let fake = fake().await;
    let http = reqwest::Client::new();
    let ok = client(&fake, KEY).test_connection().await.unwrap();
    assert!(ok.ok, "{}", ok.message);
    let wrong = client(&fake, "nope").test_connection().await.unwrap();
    assert!(!wrong.ok && !wrong.message.contains("nope"), "{}", wrong.message);
    let other = RetailCrmClient::new(http, &fake.base_url(), Some(Secret::new(KEY)), "other-shop");
    let other = other.test_connection().await.unwrap();
    assert!(!other.ok && other.message.contains(SITE), "{}", other.message);
}

#[tokio::test]
async fn a_product_missing_in_the_crm_is_made_once_and_the_item_tied_to_it() {
    let fake = fake().await;
    fake.add_products([serde_json::json!({"externalId": "KNOWN-1", "name": "Свеча"})]);
    let crm = client(&fake, KEY);
    let mut first = order_keyed("anna@example.com", "ot-1-20");
    first.order.items.push(first.order.items[0].clone());
    first.order.items[1].article = "KNOWN-1".into();
    first.order.items[1].name = "Свеча".into();
    crm.create(&first).await.unwrap();
    let products = fake.products();
    assert_eq!(
        products.len(),
        2,
        "FLT-77 made beside the known one: {products:?}"
    );
    let made = products.iter().find(|p| p["externalId"] == "FLT-77").unwrap();
    assert_eq!(made["name"], "Фильтр");
    let stored = fake.order("ot-1-20").unwrap();
    assert!(
        stored["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["offer"]["id"].is_number()),
        "both items tied to catalog offers: {}",
        stored["items"]
    );

    // The next order with the same articles asks the catalog nothing.
    let looked = |fake: &FakeRetailCrmHandle| {
        fake.calls()
            .iter()
            .filter(|c| c.path.starts_with("/api/v5/store/products"))
            .count()
    };
    let before = looked(&fake);
    crm.create(&order_keyed("anna@example.com", "ot-1-21"))
        .await
        .unwrap();
    assert_eq!(looked(&fake), before);
    assert_eq!(fake.products().len(), 2);
}
