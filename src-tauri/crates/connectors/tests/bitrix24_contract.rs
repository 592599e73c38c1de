//! The Bitrix24 client against the fake portal (REST through an incoming webhook, over
//! loopback): a deal is made with its contact (found by e-mail or phone, else made) and product
//! rows; re-sending edits the same deal; a create whose answer was lost is found by ORIGIN_ID,
//! never made twice; refusals come in Bitrix24's words; a wrong token is an auth failure shown
//! nowhere; 503 QUERY_LIMIT_EXCEEDED and 429 OPERATION_TIME_LIMIT (JSON or HTML) are waits; a
//! deleted deal reads back as gone.

use std::time::Duration;

use ordertray_connectors::bitrix24::Bitrix24Client;
use ordertray_connectors::transfer::{DeliveryInfo, OrderTransfer, TransferError, TransferOrder};
use ordertray_connectors::ConnectorError;
use ordertray_core::cabinet::{OrderItem, Recipient, ShopOrderDraft};
use ordertray_core::Secret;
use ordertray_fakes::bitrix24::{
    Bitrix24Fault, FakeBitrix24, FakeBitrix24Config, FakeBitrix24Handle, RateLimit, NEW_STAGE,
};
use serde_json::json;

const TOKEN: &str = "b24webhooktoken0123456789";

async fn fake() -> FakeBitrix24Handle {
    FakeBitrix24::start(FakeBitrix24Config {
        rate_limit: None,
        ..FakeBitrix24Config::new("1", TOKEN)
    })
    .await
    .unwrap()
}

fn client(fake: &FakeBitrix24Handle, token: &str) -> Bitrix24Client {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    Bitrix24Client::new(http, &fake.base_url(), "1", Some(Secret::new(token)))
}

fn order(email: &str, phone: &str, key: &str) -> TransferOrder {
    let mut draft = ShopOrderDraft::empty();
    draft.number = "1042".into();
    draft.recipient = Recipient {
        name: "Анна Смирнова".into(),
        phone: phone.into(),
        email: email.into(),
    };
    draft.items = vec![OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: "FLT-77".into(),
        brand: String::new(),
        name: "Фильтр".into(),
        quantity: 2,
        price: "350.5".parse().unwrap(),
        weight_g: 0,
        length_cm: 0,
        width_cm: 0,
        height_cm: 0,
    }];
    draft.delivery_cost = "300".parse().unwrap();
    TransferOrder {
        order_id: 1042,
        key: key.into(),
        order: draft,
        delivery: DeliveryInfo::default(),
    }
}

#[tokio::test]
async fn a_deal_is_made_with_its_contact_and_rows_and_edited_by_resending() {
    let fake = fake().await;
    let anna = fake.add_contact("Анна С.", "", "+7 (916) 000-11-22");
    let b24 = client(&fake, TOKEN);
    let made = b24
        .create(&order("anna@example.com", "89160001122", "ot-1-1042"))
        .await
        .unwrap();
    let id: i64 = made.remote_id.parse().unwrap();
    assert_eq!(
        made.link.as_deref(),
        Some(format!("{}/crm/deal/details/{id}/", fake.base_url()).as_str())
    );
    let deal = fake.deal(id).expect("the deal is on the portal");
    assert_eq!(deal["TITLE"], "Заказ 1042");
    assert_eq!(deal["ORIGINATOR_ID"], "ordertray");
    assert_eq!(deal["ORIGIN_ID"], "ot-1-1042");
    assert_eq!(deal["CURRENCY_ID"], "RUB");
    assert_eq!(
        deal["CONTACT_ID"],
        anna.to_string(),
        "found by phone, the e-mail unknown"
    );
    assert_eq!(deal["OPPORTUNITY"], "1001.00", "the rows add up to the total");
    let rows = deal["PRODUCT_ROWS"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| (
                r["productName"].clone(),
                r["price"].clone(),
                r["quantity"].clone()
            ))
            .collect::<Vec<_>>(),
        [
            (json!("FLT-77 Фильтр"), json!(350.5), json!(2.0)),
            (json!("Доставка"), json!(300.0), json!(1.0)),
        ]
    );
    assert_eq!(fake.contacts().len(), 1, "none made");

    // Re-sent after an edit: the same deal changes, its rows replaced.
    let mut edited = order("anna@example.com", "89160001122", "ot-1-1042");
    edited.order.items[0].quantity = 3;
    assert_eq!(b24.update(&made.remote_id, &edited).await.unwrap(), made);
    assert_eq!(
        b24.create(&edited).await.unwrap(),
        made.clone().found(),
        "found by its key"
    );
    assert_eq!(fake.deals().len(), 1);
    let deal = fake.deal(id).unwrap();
    assert_eq!(deal["PRODUCT_ROWS"].as_array().unwrap().len(), 2);
    assert_eq!(deal["PRODUCT_ROWS"][0]["quantity"], 3.0);
    assert_eq!(deal["OPPORTUNITY"], "1351.50");

    // A buyer the portal does not know is made, with the phone and e-mail.
    b24.create(&order("boris@example.com", "", "ot-1-1043"))
        .await
        .unwrap();
    let contacts = fake.contacts();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1]["NAME"], "Анна Смирнова");
    assert_eq!(contacts[1]["EMAIL"][0]["VALUE"], "boris@example.com");
    assert_eq!(fake.stats().deals_created, 2);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_by_its_key_not_made_twice() {
    let fake = fake().await;
    let b24 = client(&fake, TOKEN);
    fake.push_fault_for("crm.deal.add", Bitrix24Fault::LostAnswer { after: None });
    let made = b24
        .create(&order("anna@example.com", "", "ot-1-7"))
        .await
        .unwrap();
    assert_eq!(fake.deals().len(), 1);
    let deal = fake.deal(made.remote_id.parse().unwrap()).unwrap();
    assert_eq!(
        deal["PRODUCT_ROWS"].as_array().unwrap().len(),
        2,
        "rows set after all"
    );
    let again = b24
        .create(&order("anna@example.com", "", "ot-1-7"))
        .await
        .unwrap();
    assert_eq!(again, made.clone().found());
    assert_eq!(fake.deals().len(), 1);
    let adds: Vec<bool> = fake
        .calls()
        .iter()
        .filter(|c| c.method == "crm.deal.add")
        .map(|c| c.lost)
        .collect();
    assert_eq!(adds, [true], "one create, lost; the rest were look-ups");
}

#[tokio::test]
async fn refusals_come_in_bitrix24s_words_and_a_wrong_token_never_shows() {
    let fake = fake().await;
    let b24 = client(&fake, TOKEN);
    let Err(TransferError::Connector(e)) = b24.create(&order("not-an-address", "", "ot-1-8")).await else {
        panic!("a bad e-mail is refused");
    };
    assert!(!e.is_retryable(), "{e:?}");
    assert!(matches!(e, ConnectorError::Rejected { status: 400, .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("Неверный формат e-mail: \"not-an-address\""),
        "{e}"
    );
    assert!(fake.deals().is_empty() && fake.contacts().is_empty());

    let wrong = client(&fake, "not-the-token-at-all");
    let Err(TransferError::Connector(ConnectorError::Auth(words))) =
        wrong.create(&order("a@b.ru", "", "ot-1-9")).await
    else {
        panic!("a wrong token is an auth failure");
    };
    assert_eq!(words, "INVALID_CREDENTIALS: Invalid request credentials");
    let logged = serde_json::to_string(&fake.calls()).unwrap();
    assert!(
        !logged.contains(TOKEN) && !logged.contains("not-the-token-at-all"),
        "{logged}"
    );
    assert!(fake.calls()[0].path.starts_with("/rest/1/***/"));
}

#[tokio::test]
async fn both_limit_answers_are_waits_json_or_html() {
    // Two requests at once, then one a second, on the fake's own clock.
    let fake = FakeBitrix24::start(FakeBitrix24Config {
        rate_limit: Some(RateLimit {
            per_second: 1.0,
            burst: 2.0,
        }),
        manual_clock: true,
        ..FakeBitrix24Config::new("1", TOKEN)
    })
    .await
    .unwrap();
    let b24 = client(&fake, TOKEN);
    for _ in 0..2 {
        assert!(matches!(b24.read_back("404").await, Err(TransferError::Gone)));
    }
    let Err(TransferError::Connector(e)) = b24.read_back("404").await else {
        panic!("the third request is over the limit");
    };
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(1)));
    assert!(
        e.to_string().contains("QUERY_LIMIT_EXCEEDED: Too many requests"),
        "{e}"
    );
    assert!(fake.advance_clock(Duration::from_secs(1)));
    assert!(matches!(b24.read_back("404").await, Err(TransferError::Gone)));

    fake.set_rate_limit(None);
    for (fault, wait) in [
        (Bitrix24Fault::QueryLimit { html: true }, 1),
        (Bitrix24Fault::OperationTimeLimit { html: false }, 60),
        (Bitrix24Fault::OperationTimeLimit { html: true }, 60),
    ] {
        fake.push_fault(fault.clone());
        let Err(TransferError::Connector(e)) = b24.read_back("404").await else {
            panic!("{fault:?} is a limit");
        };
        assert!(
            matches!(e, ConnectorError::RateLimited { .. }),
            "{fault:?}: {e:?}"
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(wait)), "{fault:?}");
    }
    assert_eq!(fake.stats().time_limited, 2);
}

#[tokio::test]
async fn the_stage_is_read_back_and_a_deleted_deal_is_gone() {
    let fake = fake().await;
    let b24 = client(&fake, TOKEN);
    let made = b24
        .create(&order("anna@example.com", "", "ot-1-20"))
        .await
        .unwrap();
    assert_eq!(b24.read_back(&made.remote_id).await.unwrap().status, NEW_STAGE);
    assert!(fake.set_stage(made.remote_id.parse().unwrap(), "PREPARATION"));
    assert_eq!(
        b24.read_back(&made.remote_id).await.unwrap().status,
        "PREPARATION"
    );
    b24.delete(&made.remote_id).await.unwrap();
    assert!(fake.deals().is_empty());
    assert!(matches!(
        b24.read_back(&made.remote_id).await,
        Err(TransferError::Gone)
    ));
    b24.delete(&made.remote_id).await.expect("already gone is done");
    assert!(matches!(
        b24.update(&made.remote_id, &order("anna@example.com", "", "ot-1-20"))
            .await,
        Err(TransferError::Gone)
    ));
}

#[tokio::test]
async fn the_connection_check_tells_a_wrong_token() {
    let fake = fake().await;
    let ok = client(&fake, TOKEN).test_connection().await.unwrap();
    assert!(ok.ok, "{}", ok.message);
    let wrong = client(&fake, "nope-nope").test_connection().await.unwrap();
    assert!(
        !wrong.ok && !wrong.message.contains("nope-nope"),
        "{}",
        wrong.message
    );
}
