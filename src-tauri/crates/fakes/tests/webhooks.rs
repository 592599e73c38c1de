//! The WooCommerce and Shopify fakes send webhooks as the stores do, over real HTTP to a receiver
//! on loopback: pings, signed deliveries, failures that disable a WooCommerce webhook, Shopify's
//! redelivery with the same id.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Utc};
use ordertray_fakes::shopify::{self, shopify_hmac, FakeShopify, FakeShopifyConfig, FakeShopifyHandle};
use ordertray_fakes::woocommerce::{
    self, woocommerce_signature, FakeWooCommerce, FakeWooCommerceConfig, FakeWooCommerceHandle, WooDelivery,
    API, CALLS_PATH,
};
use serde_json::{json, Value};

const KEY: &str = "ck_test";
const SECRET: &str = "cs_test";
const HOOK_SECRET: &str = "wc-hook-secret";
const CLIENT_ID: &str = "app-client-id";
const CLIENT_SECRET: &str = "shpss_app-secret";

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A webhook receiver: keeps every request and answers the status it is set to.
#[derive(Clone)]
struct Inbox {
    seen: Arc<Mutex<Vec<Received>>>,
    answer: Arc<AtomicU16>,
}

impl Inbox {
    fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    fn answer(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }
}

/// A receiver on 127.0.0.1, and its address.
async fn receiver(status: u16) -> (String, Inbox) {
    let inbox = Inbox {
        seen: Arc::default(),
        answer: Arc::new(AtomicU16::new(status)),
    };
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, inbox)
}

async fn receive(State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes) -> StatusCode {
    inbox.seen.lock().unwrap().push(Received {
        headers,
        body: body.to_vec(),
    });
    StatusCode::from_u16(inbox.answer.load(Ordering::SeqCst)).unwrap()
}

/// Polls `check` every 10 ms until it gives something, for at most 5 s.
async fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(Instant::now() < deadline, "still waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The first `n` WooCommerce deliveries, once made.
async fn woo_deliveries(fake: &FakeWooCommerceHandle, n: usize) -> Vec<WooDelivery> {
    until(&format!("{n} deliveries"), || {
        let made = fake.deliveries();
        (made.len() >= n).then_some(made)
    })
    .await
}

async fn woo_fake() -> FakeWooCommerceHandle {
    FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap()
}

fn woo_order(id: i64) -> Value {
    let buyer = woocommerce::Buyer::new("Иван", "Петров", "ivan@example.com", "+7 900 000-00-01");
    woocommerce::order(id, Utc::now(), buyer, &[(500, "SKU-1", "Товар", 1, "199.00")])
}

/// A request to the REST API with the consumer key.
fn woo_api(fake: &FakeWooCommerceHandle, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, format!("{}{API}{path}", fake.base_url()))
        .basic_auth(KEY, Some(SECRET))
}

async fn woo_json(request: reqwest::RequestBuilder) -> (u16, HeaderMap, Value) {
    let r = request.send().await.unwrap();
    let (status, headers) = (r.status().as_u16(), r.headers().clone());
    (status, headers, r.json().await.unwrap())
}

fn ids(listed: &Value) -> Vec<i64> {
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect()
}

/// What each of `webhook`'s deliveries carried, in the order received (the ping left out).
fn delivered_to(inbox: &Inbox, webhook: i64) -> Vec<Received> {
    inbox
        .seen()
        .into_iter()
        .filter(|r| r.header("x-wc-webhook-id") == Some(&webhook.to_string()))
        .collect()
}

#[tokio::test]
async fn woocommerce_pings_a_new_webhook_then_delivers_signed_orders() {
    let fake = woo_fake().await;
    let (url, inbox) = receiver(200).await;
    let new =
        json!({"name": "Ordertray", "topic": "order.created", "delivery_url": url, "secret": HOOK_SECRET});
    let (status, _, made) = woo_json(woo_api(&fake, reqwest::Method::POST, "/webhooks").json(&new)).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_i64().unwrap();
    for (field, value) in [
        ("name", json!("Ordertray")),
        ("status", json!("active")),
        ("topic", json!("order.created")),
        ("resource", json!("order")),
        ("event", json!("created")),
        ("hooks", json!([])),
        ("delivery_url", json!(url)),
    ] {
        assert_eq!(made[field], value, "{field}");
    }
    for field in [
        "date_created",
        "date_created_gmt",
        "date_modified",
        "date_modified_gmt",
    ] {
        assert!(made[field].is_string(), "{field}");
    }
    assert!(made.get("secret").is_none(), "the secret is never answered");

    let ping = woo_deliveries(&fake, 1).await;
    assert_eq!(
        ping,
        [WooDelivery {
            webhook_id: id,
            topic: "ping".into(),
            delivery_id: 0,
            status: Some(200)
        }]
    );
    let pinged = &inbox.seen()[0];
    assert_eq!(pinged.body, format!("webhook_id={id}").into_bytes());
    assert_eq!(
        pinged.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert!(pinged.header("x-wc-webhook-signature").is_none());

    fake.add_orders([woo_order(727)]);
    let made = woo_deliveries(&fake, 2).await;
    let delivery = &made[1];
    assert_eq!(
        (delivery.webhook_id, delivery.topic.as_str(), delivery.status),
        (id, "order.created", Some(200))
    );
    let got = &inbox.seen()[1];
    let expected = [
        ("content-type", "application/json".to_string()),
        ("x-wc-webhook-source", format!("{}/", fake.base_url())),
        ("x-wc-webhook-topic", "order.created".into()),
        ("x-wc-webhook-resource", "order".into()),
        ("x-wc-webhook-event", "created".into()),
        ("x-wc-webhook-id", id.to_string()),
        ("x-wc-webhook-delivery-id", delivery.delivery_id.to_string()),
        (
            "x-wc-webhook-signature",
            woocommerce_signature(HOOK_SECRET, &got.body),
        ),
    ];
    for (name, value) in expected {
        assert_eq!(got.header(name), Some(value.as_str()), "{name}");
    }
    assert_ne!(
        got.header("x-wc-webhook-signature"),
        Some(woocommerce_signature("another secret", &got.body).as_str())
    );
    let answered = woo_api(&fake, reqwest::Method::GET, "/orders/727")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(got.body, answered, "the order exactly as GET answers it");
}

#[tokio::test]
async fn woocommerce_delivers_changed_orders_to_order_updated_webhooks_in_order() {
    let fake = woo_fake().await;
    let (url, inbox) = receiver(200).await;
    fake.add_orders([woo_order(727)]);
    let created = fake.add_webhook("order.created", &url, HOOK_SECRET);
    let updated = fake.add_webhook("order.updated", &url, "updates-secret");
    woo_deliveries(&fake, 2).await;

    fake.edit_order(727, |o| o["status"] = json!("completed"));
    let put = woo_api(&fake, reqwest::Method::PUT, "/orders/727").json(&json!({"status": "on-hold"}));
    assert_eq!(put.send().await.unwrap().status(), 200);
    // Replacing a known order is an update too.
    let mut replaced = woo_order(727);
    replaced["status"] = json!("cancelled");
    fake.add_orders([replaced]);
    let made = woo_deliveries(&fake, 5).await;

    let updates: Vec<&WooDelivery> = made.iter().filter(|d| d.topic == "order.updated").collect();
    assert_eq!(updates.len(), 3);
    assert!(updates.iter().all(|d| d.webhook_id == updated));
    assert!(updates.windows(2).all(|w| w[0].delivery_id < w[1].delivery_id));
    let got = delivered_to(&inbox, updated);
    let statuses: Vec<Value> = got.iter().map(|r| r.json()["status"].clone()).collect();
    assert_eq!(statuses, ["completed", "on-hold", "cancelled"]);
    for r in &got {
        assert_eq!(r.header("x-wc-webhook-topic"), Some("order.updated"));
        assert_eq!(r.header("x-wc-webhook-event"), Some("updated"));
        assert_eq!(
            r.header("x-wc-webhook-signature"),
            Some(woocommerce_signature("updates-secret", &r.body).as_str())
        );
    }
    assert!(
        delivered_to(&inbox, created).is_empty(),
        "nothing new was created"
    );
}

#[tokio::test]
async fn woocommerce_disables_a_webhook_after_five_failures_until_it_is_made_active() {
    let fake = woo_fake().await;
    let (url, inbox) = receiver(500).await;
    let id = fake.add_webhook("order.created", &url, HOOK_SECRET);
    fake.add_orders((1..=5).map(woo_order));
    let made = woo_deliveries(&fake, 6).await;
    assert_eq!(made[0].topic, "ping", "a failed ping counts for nothing");
    assert!(made.iter().all(|d| d.status == Some(500)));

    let (status, headers, disabled) =
        woo_json(woo_api(&fake, reqwest::Method::GET, "/webhooks").query(&[("status", "disabled")])).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&disabled), [id]);
    assert_eq!(disabled[0]["status"], "disabled");
    assert_eq!(headers["x-wp-total"], "1");
    let (_, _, active) =
        woo_json(woo_api(&fake, reqwest::Method::GET, "/webhooks").query(&[("status", "active")])).await;
    assert_eq!(active, json!([]));

    // Not delivered: the webhook is disabled.
    fake.add_orders([woo_order(6)]);
    let (status, _, again) = woo_json(
        woo_api(&fake, reqwest::Method::PUT, &format!("/webhooks/{id}")).json(&json!({"status": "active"})),
    )
    .await;
    assert_eq!((status, again["status"].as_str()), (200, Some("active")));
    fake.add_orders([woo_order(7)]);
    woo_deliveries(&fake, 7).await;
    // One queue a webhook: had order 6 been sent, it would have come before order 7.
    let sent: Vec<i64> = delivered_to(&inbox, id)
        .iter()
        .map(|r| r.json()["id"].as_i64().unwrap())
        .collect();
    assert_eq!(sent, [1, 2, 3, 4, 5, 7]);
    assert_eq!(
        fake.webhooks()[0]["status"],
        "active",
        "the count started again: one failure, not six"
    );
}

#[tokio::test]
async fn woocommerce_a_delivered_answer_clears_the_failures() {
    let fake = woo_fake().await;
    let (url, inbox) = receiver(503).await;
    let id = fake.add_webhook("order.created", &url, HOOK_SECRET);
    fake.add_orders((1..=4).map(woo_order));
    woo_deliveries(&fake, 5).await;
    inbox.answer(200);
    fake.add_orders([woo_order(5)]);
    woo_deliveries(&fake, 6).await;
    inbox.answer(503);
    fake.add_orders((6..=9).map(woo_order));
    woo_deliveries(&fake, 10).await;
    assert_eq!(
        fake.webhooks()[0]["status"],
        "active",
        "four failures since the success"
    );
    fake.add_orders([woo_order(10)]);
    woo_deliveries(&fake, 11).await;
    assert_eq!(fake.webhooks()[0]["status"], "disabled");

    // Set back by the handle, the webhook starts counting afresh too.
    assert!(fake.set_webhook_status(id, "active"));
    assert!(!fake.set_webhook_status(id, "sleeping"));
    assert!(!fake.set_webhook_status(id + 1, "active"));
    fake.add_orders([woo_order(11)]);
    woo_deliveries(&fake, 12).await;
    assert_eq!(fake.webhooks()[0]["status"], "active");
}

#[tokio::test]
async fn woocommerce_counts_an_unreachable_address_as_a_failure() {
    let closed = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}/hook", listener.local_addr().unwrap())
    };
    let fake = woo_fake().await;
    let id = fake.add_webhook("order.created", &closed, HOOK_SECRET);
    fake.add_orders((1..=5).map(woo_order));
    let made = woo_deliveries(&fake, 6).await;
    assert!(made.iter().all(|d| d.webhook_id == id && d.status.is_none()));
    assert_eq!(fake.webhooks()[0]["status"], "disabled");
}

#[tokio::test]
async fn woocommerce_webhook_routes_answer_as_woocommerce_does() {
    use reqwest::Method;
    let fake = woo_fake().await;
    let anonymous = reqwest::get(format!("{}{API}/webhooks", fake.base_url()))
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    let refusals = [
        (
            json!({"delivery_url": "https://example.com/hook"}),
            "rest_missing_callback_param",
        ),
        (
            json!({"topic": "order.exploded", "delivery_url": "https://example.com/hook"}),
            "woocommerce_rest_shop_webhook_invalid_topic",
        ),
        (
            json!({"topic": "order.created", "delivery_url": "ftp://example.com/hook"}),
            "woocommerce_rest_shop_webhook_invalid_delivery_url",
        ),
        (
            json!({"topic": "order.created", "delivery_url": "https://example.com/hook", "status": "on"}),
            "rest_invalid_param",
        ),
    ];
    for (body, code) in refusals {
        let (status, _, answer) = woo_json(woo_api(&fake, Method::POST, "/webhooks").json(&body)).await;
        assert_eq!((status, answer["code"].as_str()), (400, Some(code)), "{body}");
        assert_eq!(answer["data"]["status"], 400);
    }

    // Paused: made without a ping, so nothing leaves the machine.
    let mut made = vec![];
    for topic in ["order.created", "order.updated", "product.deleted"] {
        let body = json!({"topic": topic, "delivery_url": "https://example.com/hook", "status": "paused",
                          "secret": "never-shown"});
        let (status, _, w) = woo_json(woo_api(&fake, Method::POST, "/webhooks").json(&body)).await;
        assert_eq!(status, 201);
        assert!(w["name"].as_str().unwrap().starts_with("Webhook created on "));
        made.push(w["id"].as_i64().unwrap());
    }
    let (_, headers, first) =
        woo_json(woo_api(&fake, Method::GET, "/webhooks").query(&[("per_page", "2")])).await;
    assert_eq!(ids(&first), [made[2], made[1]], "newest first");
    assert_eq!(
        (&headers["x-wp-total"], &headers["x-wp-totalpages"]),
        (&"3".parse().unwrap(), &"2".parse().unwrap())
    );
    let (_, _, second) =
        woo_json(woo_api(&fake, Method::GET, "/webhooks").query(&[("per_page", "2"), ("page", "2")])).await;
    assert_eq!(ids(&second), [made[0]]);
    let (status, _, _) = woo_json(woo_api(&fake, Method::GET, "/webhooks").query(&[("status", "on")])).await;
    assert_eq!(status, 400);

    let path = format!("/webhooks/{}", made[2]);
    let (_, _, one) = woo_json(woo_api(&fake, Method::GET, &path)).await;
    assert_eq!(
        (one["resource"].as_str(), one["event"].as_str()),
        (Some("product"), Some("deleted"))
    );
    let change = json!({"name": "Renamed", "delivery_url": "https://example.com/other"});
    let (status, _, changed) = woo_json(woo_api(&fake, Method::PUT, &path).json(&change)).await;
    assert_eq!(status, 200);
    assert_eq!(changed["name"], "Renamed");
    assert_eq!(changed["delivery_url"], "https://example.com/other");
    assert_eq!(changed["topic"], "product.deleted", "what is not given stays");

    let (status, _, refused) = woo_json(woo_api(&fake, Method::DELETE, &path)).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (501, Some("woocommerce_rest_trash_not_supported"))
    );
    let (status, _, deleted) =
        woo_json(woo_api(&fake, Method::DELETE, &path).query(&[("force", "true")])).await;
    assert_eq!((status, deleted["id"].as_i64()), (200, Some(made[2])));
    let (status, _, gone) = woo_json(woo_api(&fake, Method::GET, &path)).await;
    assert_eq!(
        (status, gone["code"].as_str()),
        (400, Some("woocommerce_rest_shop_webhook_invalid_id"))
    );
    assert_eq!(fake.webhooks().len(), 2);

    let calls: Value = reqwest::get(format!("{}{CALLS_PATH}", fake.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = calls.to_string();
    assert!(!text.contains("never-shown"), "{text}");
    assert!(text.contains("\"secret\":\"***\""));
}

#[tokio::test]
async fn woocommerce_webhooks_can_be_made_and_followed_through_the_admin_api() {
    let fake = woo_fake().await;
    let (url, inbox) = receiver(200).await;
    let client = reqwest::Client::new();
    let admin = |path: &str| format!("{}{path}", fake.base_url());
    let r = client
        .post(admin(woocommerce::WEBHOOKS_ADMIN_PATH))
        .json(&json!({"topic": "order.created", "delivery_url": url, "secret": HOOK_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let bad = client
        .post(admin(woocommerce::WEBHOOKS_ADMIN_PATH))
        .json(&json!({"topic": "nothing", "delivery_url": url, "secret": HOOK_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let r = client
        .post(admin(woocommerce::ORDERS_ADMIN_PATH))
        .json(&json!([woo_order(900)]))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    woo_deliveries(&fake, 2).await;
    let listed: Vec<WooDelivery> = client
        .get(admin(woocommerce::WEBHOOK_DELIVERIES_PATH))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, fake.deliveries());
    assert_eq!(listed[1].webhook_id, id);
    assert_eq!(listed[1].topic, "order.created");
    let got = &delivered_to(&inbox, id)[0];
    assert_eq!(got.json()["id"], 900);
    assert_eq!(
        got.header("x-wc-webhook-signature"),
        Some(woocommerce_signature(HOOK_SECRET, &got.body).as_str())
    );
}

async fn shopify_fake(edit: impl FnOnce(&mut FakeShopifyConfig)) -> FakeShopifyHandle {
    let mut config = FakeShopifyConfig::new(CLIENT_ID, CLIENT_SECRET);
    edit(&mut config);
    FakeShopify::start(config).await.unwrap()
}

fn shopify_order(id: i64) -> Value {
    let created = DateTime::parse_from_rfc3339("2026-03-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    shopify::order(
        id,
        created,
        shopify::Buyer::new(0),
        &[(7, "TS-M", "T-shirt - M", 2, "10.00")],
    )
}

async fn shopify_deliveries(fake: &FakeShopifyHandle, n: usize) -> Vec<shopify::ShopifyDelivery> {
    until(&format!("{n} deliveries"), || {
        let made = fake.deliveries();
        (made.len() >= n).then_some(made)
    })
    .await
}

#[tokio::test]
async fn shopify_posts_signed_rest_shaped_orders_and_redelivers_with_the_same_id() {
    let fake = shopify_fake(|_| {}).await;
    let (url, inbox) = receiver(200).await;
    fake.add_webhook("orders/create", &url);
    fake.add_webhook("orders/updated", &url);
    assert_eq!(fake.webhooks().len(), 2);

    fake.add_orders([shopify_order(1001)]);
    let made = shopify_deliveries(&fake, 1).await;
    assert_eq!(
        (made[0].topic.as_str(), made[0].status),
        ("orders/create", Some(200))
    );
    let created = &inbox.seen()[0];
    let expected = [
        ("content-type", "application/json".to_string()),
        ("x-shopify-topic", "orders/create".into()),
        (
            "x-shopify-hmac-sha256",
            shopify_hmac(CLIENT_SECRET, &created.body),
        ),
        ("x-shopify-shop-domain", "127.0.0.1".into()),
        ("x-shopify-webhook-id", made[0].webhook_id.clone()),
        ("x-shopify-api-version", shopify::DEFAULT_API_VERSION.into()),
    ];
    for (name, value) in expected {
        assert_eq!(created.header(name), Some(value.as_str()), "{name}");
    }
    assert_eq!(made[0].webhook_id.len(), 36, "UUID-like");
    assert!(created.header("x-shopify-event-id").is_some());
    let triggered = created.header("x-shopify-triggered-at").unwrap();
    assert!(DateTime::parse_from_rfc3339(triggered).is_ok(), "{triggered}");
    let body = created.json();
    for (field, value) in [
        ("id", json!(1001)),
        ("admin_graphql_api_id", json!("gid://shopify/Order/1001")),
        ("name", json!("#1001")),
        ("created_at", json!("2026-03-01T10:00:00+00:00")),
        ("updated_at", json!("2026-03-01T10:00:00+00:00")),
        ("currency", json!("USD")),
        ("total_price", json!("25.00")),
        ("financial_status", json!("paid")),
        ("fulfillment_status", Value::Null),
    ] {
        assert_eq!(body[field], value, "{field}");
    }
    assert_eq!(body["line_items"][0]["sku"], "TS-M");
    assert_eq!(body["line_items"][0]["product_id"], 7);

    assert!(fake.edit_order(1001, |o| o["displayFulfillmentStatus"] = json!("FULFILLED")));
    let made = shopify_deliveries(&fake, 2).await;
    assert_eq!(made[1].topic, "orders/updated");
    assert_ne!(made[1].webhook_id, made[0].webhook_id);
    let updated = &inbox.seen()[1];
    assert_eq!(updated.json()["fulfillment_status"], "fulfilled");
    assert_eq!(
        updated.header("x-shopify-hmac-sha256"),
        Some(shopify_hmac(CLIENT_SECRET, &updated.body).as_str())
    );

    assert!(fake.redeliver(&made[0].webhook_id));
    assert!(!fake.redeliver("no-such-delivery"));
    let made = shopify_deliveries(&fake, 3).await;
    assert_eq!(made[2], made[0], "the same delivery again");
    let again = &inbox.seen()[2];
    assert_eq!(again.body, created.body);
    for name in [
        "x-shopify-webhook-id",
        "x-shopify-event-id",
        "x-shopify-hmac-sha256",
        "x-shopify-topic",
    ] {
        assert_eq!(again.header(name), created.header(name), "{name}");
    }
}

#[tokio::test]
async fn shopify_webhooks_can_be_made_and_redelivered_through_the_admin_api() {
    let fake = shopify_fake(|c| c.shop_handle = Some("my-shop".into())).await;
    let (url, inbox) = receiver(200).await;
    let client = reqwest::Client::new();
    let admin = |path: &str| format!("{}{path}", fake.base_url());
    let r = client
        .post(admin(shopify::WEBHOOKS_ADMIN_PATH))
        .json(&json!({"topic": "orders/create", "address": url}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let made: Value = r.json().await.unwrap();
    assert_eq!(
        (made["topic"].as_str(), made["address"].as_str()),
        (Some("orders/create"), Some(url.as_str()))
    );
    let bad = client
        .post(admin(shopify::WEBHOOKS_ADMIN_PATH))
        .json(&json!({"topic": "orders/create", "address": "not a url"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let listed: Value = client
        .get(admin(shopify::WEBHOOKS_ADMIN_PATH))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([made]));

    let r = client
        .post(admin(shopify::ORDERS_ADMIN_PATH))
        .json(&json!([shopify_order(42)]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    shopify_deliveries(&fake, 1).await;
    let listed: Vec<shopify::ShopifyDelivery> = client
        .get(admin(shopify::WEBHOOK_DELIVERIES_PATH))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, fake.deliveries());
    assert_eq!(
        inbox.seen()[0].header("x-shopify-shop-domain"),
        Some("my-shop.myshopify.com")
    );

    let redeliver = |id: &str| {
        client
            .post(admin(shopify::WEBHOOK_REDELIVER_PATH))
            .json(&json!({"webhook_id": id}))
            .send()
    };
    assert_eq!(redeliver(&listed[0].webhook_id).await.unwrap().status(), 204);
    assert_eq!(redeliver("unknown").await.unwrap().status(), 404);
    let made = shopify_deliveries(&fake, 2).await;
    assert_eq!(made[1].webhook_id, listed[0].webhook_id);
    let seen = inbox.seen();
    assert_eq!(seen[1].body, seen[0].body);
}
