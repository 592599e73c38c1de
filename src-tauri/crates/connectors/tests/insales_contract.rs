//! The InSales client against the fake InSales shop (admin API over loopback): an order goes with
//! its lines as variants found by SKU (written off the stock), its delivery variant at our cost,
//! our number in the comment and the address; an unknown SKU is refused before any order call;
//! re-sending edits the same order; a create whose answer was lost is found by our key, one
//! create in all; refusals come in InSales' words; a wrong password is an auth failure that never
//! shows it; the limit's 503 is a wait of its Retry-After; a deleted order reads back as gone.

use std::time::Duration;

use ordertray_connectors::insales::{key_marker, InSalesClient};
use ordertray_connectors::transfer::{DeliveryInfo, OrderTransfer, TransferError, TransferOrder};
use ordertray_connectors::ConnectorError;
use ordertray_core::cabinet::{OrderItem, Recipient, ShopOrderDraft};
use ordertray_core::Secret;
use ordertray_fakes::insales::{
    FakeInSales, FakeInSalesConfig, FakeInSalesHandle, InSalesFault, UsageLimit, ORDERS_PATH,
};
use serde_json::json;

const API_ID: &str = "ordertray-app";
const PASSWORD: &str = "insales-contract-password-0123456789";

async fn fake_with(config: FakeInSalesConfig) -> FakeInSalesHandle {
    let fake = FakeInSales::start(config).await.unwrap();
    fake.add_product(
        json!({"title": "Фильтр", "variants": [{"sku": "FLT-77", "quantity": 5, "price": 400}]}),
    );
    fake
}

async fn fake() -> FakeInSalesHandle {
    fake_with(FakeInSalesConfig::new(API_ID, PASSWORD)).await
}

fn client(fake: &FakeInSalesHandle, password: &str) -> InSalesClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    InSalesClient::new(http, &fake.base_url(), API_ID, Some(Secret::new(password)))
}

fn item(article: &str, quantity: i64) -> OrderItem {
    OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: article.into(),
        brand: String::new(),
        name: "Фильтр".into(),
        quantity,
        price: "350".parse().unwrap(),
        weight_g: 400,
        length_cm: 0,
        width_cm: 0,
        height_cm: 0,
    }
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
    draft.items = vec![item("FLT-77", 2)];
    draft.delivery_cost = "300".parse().unwrap();
    draft.currency = "RUB".into();
    TransferOrder {
        order_id: 1042,
        key: key.into(),
        order: draft,
        delivery: DeliveryInfo {
            code: Some("101".into()),
            tariff_name: "Курьер".into(),
            ..Default::default()
        },
    }
}

fn stock(fake: &FakeInSalesHandle) -> i64 {
    fake.variant("FLT-77").unwrap()["quantity"].as_i64().unwrap()
}

#[tokio::test]
async fn an_order_goes_with_variants_by_sku_delivery_and_our_number_and_resending_edits_it() {
    let fake = fake().await;
    let variant = fake.variant("FLT-77").unwrap()["id"].clone();
    let shop = client(&fake, PASSWORD);
    let made = shop.create(&order("ot-1-1042")).await.unwrap();
    assert_eq!(
        made.link.as_deref(),
        Some(format!("{}/admin2/orders/{}", fake.base_url(), made.remote_id).as_str())
    );
    let there = fake.order(made.remote_id.parse().unwrap()).unwrap();
    assert_eq!(there["order_lines"][0]["variant_id"], variant);
    assert_eq!(there["order_lines"][0]["quantity"], 2);
    assert_eq!(
        there["order_lines"][0]["sale_price"], 350.0,
        "our price, not InSales' 400"
    );
    assert_eq!(there["delivery_variant_id"], 101);
    assert_eq!(there["delivery_price"], 300.0);
    let comment = there["comment"].as_str().unwrap();
    assert!(
        comment.contains("Заказ Ordertray № 1042") && comment.contains("Курьер, 300 RUB"),
        "{comment}"
    );
    assert!(comment.lines().any(|l| l == key_marker("ot-1-1042")), "{comment}");
    assert_eq!(there["shipping_address"]["city"], "Казань");
    assert_eq!(there["shipping_address"]["address"], "ул. Баумана, 1");
    assert_eq!(there["client"]["phone"], "+79160001122");
    assert_eq!(stock(&fake), 3, "InSales wrote the two off its stock");

    let mut edited = order("ot-1-1042");
    edited.order.items[0].quantity = 4;
    let again = shop.update(&made.remote_id, &edited).await.unwrap();
    assert_eq!(again.remote_id, made.remote_id);
    assert_eq!(fake.orders().len(), 1, "the same order, never a second");
    let there = fake.order(made.remote_id.parse().unwrap()).unwrap();
    assert_eq!(there["order_lines"].as_array().unwrap().len(), 1);
    assert_eq!(there["order_lines"][0]["quantity"], 4);
    assert_eq!(stock(&fake), 1);
    let stats = fake.stats();
    assert_eq!((stats.creates, stats.updates), (1, 1));

    assert_eq!(
        shop.read_back(&made.remote_id).await.unwrap().status,
        "Новый, не оплачен"
    );
    assert!(fake.set_status(made.remote_id.parse().unwrap(), Some("dispatched"), Some("paid")));
    assert_eq!(
        shop.read_back(&made.remote_id).await.unwrap().status,
        "Отгружен, оплачен"
    );
}

#[tokio::test]
async fn an_unknown_sku_is_refused_in_words_before_any_order_call() {
    let fake = fake().await;
    let shop = client(&fake, PASSWORD);
    let mut o = order("ot-1-7");
    o.order.items.push(item("NOPE-1", 1));
    let e = shop.create(&o).await.unwrap_err();
    let TransferError::Connector(e) = e else {
        panic!("{e:?}")
    };
    assert!(!e.is_retryable(), "{e}");
    assert!(
        e.to_string().contains("no product variant with the SKU NOPE-1"),
        "{e}"
    );
    assert!(
        fake.calls().iter().all(|c| c.path != ORDERS_PATH),
        "{:?}",
        fake.calls()
    );
    assert_eq!(stock(&fake), 5);

    let mut unset = order("ot-1-8");
    unset.delivery.code = None;
    let e = shop.create(&unset).await.unwrap_err().to_string();
    assert!(e.contains("no InSales delivery variant"), "{e}");
    assert!(fake.calls().iter().all(|c| c.path != ORDERS_PATH));
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_found_by_the_key_and_made_once() {
    let fake = fake().await;
    let shop = client(&fake, PASSWORD);
    fake.push_fault_for("POST", ORDERS_PATH, InSalesFault::LostAnswer { after: None });
    let made = shop.create(&order("ot-1-9")).await.unwrap();
    assert_eq!(fake.orders().len(), 1);
    assert_eq!(fake.orders()[0]["id"].to_string(), made.remote_id);
    // The outbox's retry of the same create finds it too.
    let again = shop.create(&order("ot-1-9")).await.unwrap();
    assert_eq!(again.remote_id, made.remote_id);
    assert_eq!(fake.calls_to("POST", ORDERS_PATH).len(), 1, "never two");
    assert_eq!(stock(&fake), 3);
    // Another order is not taken for it (the key is a whole line of the comment).
    let other = shop.create(&order("ot-1-90")).await.unwrap();
    assert_ne!(other.remote_id, made.remote_id);
}

#[tokio::test]
async fn a_refusal_comes_in_insales_words_and_is_not_retried() {
    let fake = fake().await;
    let shop = client(&fake, PASSWORD);
    let mut o = order("ot-1-11");
    o.order.recipient.phone = String::new();
    o.delivery.code = Some("999".into());
    let e = shop.create(&o).await.unwrap_err();
    let TransferError::Connector(ConnectorError::Rejected { status, message }) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*status, 422);
    assert!(
        message.contains("client.phone: не может быть пустым"),
        "{message}"
    );
    assert!(message.contains("Способ доставки 999 не найден"), "{message}");
    assert!(fake.orders().is_empty());
    assert_eq!(stock(&fake), 5);
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_failure_that_never_shows_it() {
    let fake = fake().await;
    let wrong = "wrong-password-0123456789";
    let shop = client(&fake, wrong);
    let report = shop.test_connection().await.unwrap();
    assert!(
        !report.ok && !report.message.contains(wrong),
        "{}",
        report.message
    );
    let e = shop.create(&order("ot-1-12")).await.unwrap_err();
    assert!(
        matches!(e, TransferError::Connector(ConnectorError::Auth(_))),
        "{e:?}"
    );
    assert!(!e.to_string().contains(wrong));
    let log = serde_json::to_string(&fake.calls()).unwrap();
    assert!(!log.contains(wrong) && !log.contains(PASSWORD));
    assert!(fake.calls().iter().all(|c| c.http_status == 401));

    let good = client(&fake, PASSWORD).test_connection().await.unwrap();
    assert!(
        good.ok && good.message.contains("Магазин для тестов"),
        "{}",
        good.message
    );
}

#[tokio::test]
async fn past_the_limit_a_503_is_a_wait_of_its_retry_after() {
    let fake = fake_with(FakeInSalesConfig {
        usage_limit: Some(UsageLimit {
            requests: 1,
            window_secs: 300,
        }),
        manual_clock: true,
        ..FakeInSalesConfig::new(API_ID, PASSWORD)
    })
    .await;
    let shop = client(&fake, PASSWORD);
    assert!(shop.test_connection().await.unwrap().ok);
    assert_eq!(shop.usage(), Some((1, 1)));
    let e = shop.create(&order("ot-1-13")).await.unwrap_err();
    let TransferError::Connector(e) = e else {
        panic!("{e:?}")
    };
    assert!(matches!(e, ConnectorError::RateLimited { .. }), "{e:?}");
    assert_eq!(e.retry_after(), Some(Duration::from_secs(300)));
    assert!(fake.advance_clock(Duration::from_secs(120)));
    let e = shop.test_connection().await.unwrap_err();
    assert_eq!(
        e.retry_after(),
        Some(Duration::from_secs(180)),
        "what is left of the window"
    );
    assert!(fake.advance_clock(Duration::from_secs(180)));
    assert!(shop.test_connection().await.unwrap().ok, "a new window");
}

#[tokio::test]
async fn a_deleted_order_reads_back_as_gone_and_its_stock_comes_back() {
    let fake = fake().await;
    let shop = client(&fake, PASSWORD);
    let made = shop.create(&order("ot-1-14")).await.unwrap();
    assert_eq!(stock(&fake), 3);
    shop.delete(&made.remote_id).await.unwrap();
    shop.delete(&made.remote_id).await.unwrap();
    assert!(matches!(
        shop.read_back(&made.remote_id).await,
        Err(TransferError::Gone)
    ));
    assert!(matches!(
        shop.update(&made.remote_id, &order("ot-1-14")).await,
        Err(TransferError::Gone)
    ));
    assert_eq!(stock(&fake), 5);
    assert_eq!(fake.stats().deletes, 1);
}
