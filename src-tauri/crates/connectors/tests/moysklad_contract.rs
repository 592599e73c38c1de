//! The MoySklad client against the fake MoySklad (JSON API 1.2 over loopback): an order is made
//! with its counterparty, products and delivery service and linked, re-sending edits the same
//! order, a create whose answer was lost is found by its key instead of made twice, refusals come
//! in MoySklad's words, a wrong token is an auth failure that never shows the token, the limit's
//! 429 is a wait of the milliseconds MoySklad says, a request without gzip is refused, and a
//! deleted order reads back as gone.

use std::time::Duration;

use ordertray_connectors::moysklad::{sync_id, MoySkladClient};
use ordertray_connectors::transfer::{DeliveryInfo, OrderTransfer, TransferError, TransferOrder};
use ordertray_connectors::ConnectorError;
use ordertray_core::cabinet::{OrderItem, Recipient, ShopOrderDraft};
use ordertray_core::Secret;
use ordertray_fakes::faults::Fault;
use ordertray_fakes::moysklad::{
    FakeMoySklad, FakeMoySkladConfig, FakeMoySkladHandle, Kind, MoySkladFault, RateLimit,
    COUNTERPARTIES_PATH, CUSTOMER_ORDERS_PATH, ORGANIZATIONS_PATH,
};
use serde_json::json;

const TOKEN: &str = "moysklad-contract-token-0123456789";

async fn fake() -> FakeMoySkladHandle {
    FakeMoySklad::start(FakeMoySkladConfig {
        rate_limit: None,
        ..FakeMoySkladConfig::new(TOKEN)
    })
    .await
    .unwrap()
}

fn client(fake: &FakeMoySkladHandle, token: &str) -> MoySkladClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    MoySkladClient::new(http, &fake.api_url(), Some(Secret::new(token)), None)
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
    draft.address.street = "ул. Баумана".into();
    draft.address.house = "1".into();
    draft.items = vec![OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: "FLT-77".into(),
        brand: String::new(),
        name: "Фильтр".into(),
        quantity: 2,
        price: "350".parse().unwrap(),
        weight_g: 400,
        length_cm: 0,
        width_cm: 0,
        height_cm: 0,
    }];
    draft.weight_g = 800;
    draft.delivery_cost = "300".parse().unwrap();
    draft.cod = true;
    TransferOrder {
        order_id: 1042,
        key: key.into(),
        order: draft,
        delivery: DeliveryInfo {
            code: Some("courier".into()),
            tariff_name: "Курьер".into(),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn an_order_is_made_with_its_counterparty_products_and_delivery_and_edited_by_resending() {
    let fake = fake().await;
    let known = fake.add(
        Kind::Counterparty,
        json!({"name": "Анна С.", "email": "anna@example.com"}),
    );
    let sklad = client(&fake, TOKEN);
    let made = sklad
        .create(&order_keyed("anna@example.com", "ot-1-1042"))
        .await
        .unwrap();
    assert_eq!(
        made.link.as_deref(),
        Some(
            format!(
                "https://online.moysklad.ru/app/#customerorder/edit?id={}",
                made.remote_id
            )
            .as_str()
        )
    );
    let stored = fake.order(&made.remote_id).expect("the order is at MoySklad");
    assert_eq!(stored["name"], "1042");
    assert_eq!(stored["externalCode"], "ot-1-1042");
    assert_eq!(stored["syncId"], sync_id("ot-1-1042"));
    assert_eq!(
        stored["agent"]["meta"]["href"], known["meta"]["href"],
        "found by e-mail"
    );
    assert_eq!(fake.counterparties().len(), 1, "none made");
    let products = fake.products();
    assert_eq!(products.len(), 1, "the missing product was made");
    assert_eq!(products[0]["code"], "FLT-77");
    assert_eq!(products[0]["article"], "FLT-77");
    let services = fake.services();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0]["code"], "courier");
    let rows = stored["positions"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["quantity"].clone(), rows[0]["price"].clone()),
        (json!(2), json!(35000))
    );
    assert_eq!(rows[1]["assortment"]["meta"]["type"], "service");
    assert_eq!(rows[1]["price"], 30000, "the delivery's cost in kopecks");
    assert_eq!(stored["sum"], 100_000.0);
    let comment = stored["description"].as_str().unwrap();
    assert!(
        comment.contains("1042") && comment.contains("0.8 кг"),
        "{comment}"
    );

    // Re-sent after an edit: the same order changes, nothing is made twice.
    let mut edited = order_keyed("anna@example.com", "ot-1-1042");
    edited.order.items[0].quantity = 3;
    let again = sklad.update(&made.remote_id, &edited).await.unwrap();
    assert_eq!(again, made);
    let again = sklad.create(&edited).await.unwrap();
    assert_eq!(
        again,
        made.clone().found(),
        "a repeated create finds the order by its key"
    );
    assert_eq!(fake.orders().len(), 1);
    assert_eq!(fake.products().len(), 1);
    assert_eq!(fake.services().len(), 1);
    let stored = fake.order(&made.remote_id).unwrap();
    assert_eq!(stored["positions"]["rows"][0]["quantity"], 3);
    assert_eq!(fake.stats().orders_updated, 1);

    // A buyer MoySklad does not know is made, with the recipient's contacts and city.
    sklad
        .create(&order_keyed("boris@example.com", "ot-1-1043"))
        .await
        .unwrap();
    let boris = fake
        .counterparties()
        .into_iter()
        .find(|c| c["email"] == "boris@example.com")
        .expect("made");
    assert_eq!(boris["phone"], "+79160001122");
    assert_eq!(boris["actualAddressFull"]["city"], "Казань");
    assert_eq!(fake.products().len(), 1, "the product is found now");
    assert_eq!(fake.orders().len(), 2);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_by_its_key_not_made_twice() {
    let fake = fake().await;
    let sklad = client(&fake, TOKEN);
    fake.push_fault_for(
        "POST",
        CUSTOMER_ORDERS_PATH,
        MoySkladFault::LostAnswer { after: None },
    );
    let made = sklad
        .create(&order_keyed("anna@example.com", "ot-1-7"))
        .await
        .unwrap();
    assert_eq!(fake.orders().len(), 1);
    assert_eq!(fake.orders()[0]["id"], made.remote_id.as_str());
    // The outbox sends it again (a crash before it noted the answer): still one order.
    let again = sklad
        .create(&order_keyed("anna@example.com", "ot-1-7"))
        .await
        .unwrap();
    assert_eq!(again, made.clone().found());
    assert_eq!(fake.orders().len(), 1, "{:?}", fake.orders());
    let posts: Vec<bool> = fake
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path == CUSTOMER_ORDERS_PATH)
        .map(|c| c.lost)
        .collect();
    assert_eq!(posts, [true], "one create, lost; the rest were look-ups");
}

#[tokio::test]
async fn refusals_come_in_moysklads_words_and_a_wrong_token_never_shows() {
    let fake = fake().await;
    let sklad = client(&fake, TOKEN);
    let Err(TransferError::Connector(e)) = sklad.create(&order_keyed("not-an-address", "ot-1-8")).await
    else {
        panic!("a bad e-mail is refused");
    };
    assert!(!e.is_retryable(), "{e:?}");
    assert!(matches!(e, ConnectorError::Rejected { status: 412, .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("некорректный адрес E-mail: 'not-an-address'"),
        "{text}"
    );
    assert!(fake.orders().is_empty() && fake.counterparties().is_empty());

    let wrong = client(&fake, "not-the-token-at-all");
    let Err(TransferError::Connector(ConnectorError::Auth(words))) =
        wrong.create(&order_keyed("a@b.ru", "ot-1-9")).await
    else {
        panic!("a wrong token is an auth failure");
    };
    assert!(words.contains("Ошибка аутентификации"), "{words}");
    assert!(
        !words.contains(TOKEN) && !words.contains("not-the-token-at-all"),
        "{words}"
    );
    let logged = serde_json::to_string(&fake.calls()).unwrap();
    assert!(!logged.contains(TOKEN) && !logged.contains("not-the-token-at-all"));
}

#[tokio::test]
async fn over_the_limit_429_is_a_wait_of_the_milliseconds_moysklad_says() {
    // Two requests per 3 s on the fake's own clock: a unit comes back every 1.5 s.
    let fake = FakeMoySklad::start(FakeMoySkladConfig {
        rate_limit: Some(RateLimit {
            requests: 2,
            window_millis: 3000,
        }),
        manual_clock: true,
        ..FakeMoySkladConfig::new(TOKEN)
    })
    .await
    .unwrap();
    let sklad = client(&fake, TOKEN);
    for _ in 0..2 {
        assert!(matches!(
            sklad.read_back("nothing").await,
            Err(TransferError::Gone)
        ));
    }
    let Err(TransferError::Connector(e)) = sklad.read_back("nothing").await else {
        panic!("the third request in the window is over the limit");
    };
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_millis(1500)));
    assert!(e.to_string().contains("Превышено ограничение"), "{e}");
    assert_eq!(fake.stats().rate_limited, 1);
    assert!(fake.advance_clock(Duration::from_millis(1500)));
    assert!(matches!(
        sklad.read_back("nothing").await,
        Err(TransferError::Gone)
    ));

    // A 429 that names no wait is waited out for MoySklad's window.
    fake.set_rate_limit(None);
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: None,
    });
    let Err(TransferError::Connector(e)) = sklad.read_back("nothing").await else {
        panic!("limited");
    };
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn a_request_that_does_not_accept_gzip_gets_a_bare_415() {
    let fake = fake().await;
    let plain = reqwest::Client::builder().no_gzip().build().unwrap();
    let url = format!("{}{ORGANIZATIONS_PATH}", fake.base_url());
    let refused = plain.get(&url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(refused.status(), 415);
    assert!(refused.bytes().await.unwrap().is_empty(), "no body");
    assert_eq!(fake.stats().not_gzip, 1);

    // Accepting gzip, the answer comes compressed.
    let answered = plain
        .get(&url)
        .bearer_auth(TOKEN)
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    assert_eq!(answered.headers()["content-encoding"], "gzip");
    let bytes = answered.bytes().await.unwrap();
    assert_eq!(&bytes[..2], [0x1f, 0x8b], "gzip's magic");
    let calls = fake.calls();
    assert_eq!(calls.iter().map(|c| c.gzip).collect::<Vec<_>>(), [false, true]);
}

#[tokio::test]
async fn a_deleted_order_reads_back_as_gone_and_its_state_is_read_before() {
    let fake = fake().await;
    let sklad = client(&fake, TOKEN);
    let made = sklad
        .create(&order_keyed("anna@example.com", "ot-1-20"))
        .await
        .unwrap();
    assert_eq!(sklad.read_back(&made.remote_id).await.unwrap().status, "Новый");
    assert!(fake.set_state(&made.remote_id, "Собран"));
    assert_eq!(sklad.read_back(&made.remote_id).await.unwrap().status, "Собран");
    sklad.delete(&made.remote_id).await.unwrap();
    assert!(fake.orders().is_empty());
    assert!(matches!(
        sklad.read_back(&made.remote_id).await,
        Err(TransferError::Gone)
    ));
    sklad.delete(&made.remote_id).await.expect("already gone is done");
    assert!(matches!(
        sklad
            .update(&made.remote_id, &order_keyed("anna@example.com", "ot-1-20"))
            .await,
        Err(TransferError::Gone)
    ));
}

#[tokio::test]
async fn the_connection_check_tells_a_wrong_token_and_a_legal_entity_the_account_lacks() {
    let fake = fake().await;
    let ok = client(&fake, TOKEN).test_connection().await.unwrap();
    assert!(ok.ok, "{}", ok.message);
    let wrong = client(&fake, "nope-nope").test_connection().await.unwrap();
    assert!(
        !wrong.ok && !wrong.message.contains("nope-nope"),
        "{}",
        wrong.message
    );
    let other = MoySkladClient::new(
        reqwest::Client::new(),
        &fake.api_url(),
        Some(Secret::new(TOKEN)),
        Some("ИП Другой".into()),
    );
    let other = other.test_connection().await.unwrap();
    assert!(
        !other.ok && other.message.contains("Ромашка"),
        "{}",
        other.message
    );
    assert!(fake.calls().iter().all(|c| c.path != COUNTERPARTIES_PATH));
}
