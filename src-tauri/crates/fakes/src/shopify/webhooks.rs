//! Shopify's webhooks as a subscriber receives them (shopify.dev, "About webhooks" and "Verify
//! webhooks"): `POST address` with a REST-shaped JSON body even for a GraphQL app, and the headers
//! `X-Shopify-Topic`, `X-Shopify-Hmac-Sha256` (base64 of the HMAC-SHA256 of the raw body keyed
//! with the app's client secret), `X-Shopify-Shop-Domain`, `X-Shopify-Webhook-Id`,
//! `X-Shopify-Event-Id`, `X-Shopify-Triggered-At` and `X-Shopify-API-Version`.
//!
//! Shopify sometimes delivers one event twice; [`FakeShopifyHandle::redeliver`] sends a delivery
//! again byte for byte, with the same ids, so that a receiver's deduplication can be tested.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{FakeShopifyConfig, FakeShopifyHandle, Shared, StoredOrder};
use crate::webhooks::{hmac_sha256_base64, send, uuid_like, Outgoing};

pub const WEBHOOKS_ADMIN_PATH: &str = "/__fake/webhooks";
pub const WEBHOOK_DELIVERIES_PATH: &str = "/__fake/webhook-deliveries";
pub const WEBHOOK_REDELIVER_PATH: &str = "/__fake/webhook-redeliver";
pub(super) const ORDERS_CREATE: &str = "orders/create";
pub(super) const ORDERS_UPDATED: &str = "orders/updated";

/// One POST the store made to a subscription's address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopifyDelivery {
    pub topic: String,
    /// As sent in `X-Shopify-Webhook-Id`; a redelivery repeats it.
    pub webhook_id: String,
    /// The receiver's HTTP status; None when there was no answer.
    pub status: Option<u16>,
}

struct Subscription {
    id: i64,
    topic: String,
    address: String,
    created: DateTime<Utc>,
}

/// One event for one subscription, kept to be sent again exactly.
#[derive(Clone)]
struct Event {
    subscription: i64,
    topic: String,
    webhook_id: String,
    /// The same for every subscription the event goes to.
    event_id: String,
    triggered_at: String,
    body: Vec<u8>,
}

#[derive(Default)]
pub(super) struct Hooks {
    subscriptions: Vec<Subscription>,
    last_id: i64,
    /// By webhook id.
    sent: HashMap<String, Event>,
    deliveries: Vec<ShopifyDelivery>,
}

/// `X-Shopify-Hmac-Sha256`: base64 of the HMAC-SHA256 of the raw body keyed with the app's
/// client secret.
pub fn shopify_hmac(secret: &str, body: &[u8]) -> String {
    hmac_sha256_base64(secret, body)
}

/// `{handle}.myshopify.com`, or the fake's own host (no port: a shop's domain has none).
pub(super) fn shop_domain(config: &FakeShopifyConfig, base_url: &str) -> String {
    if let Some(handle) = &config.shop_handle {
        return format!("{handle}.myshopify.com");
    }
    let authority = base_url.split("://").nth(1).unwrap_or(base_url);
    let authority = authority.split('/').next().unwrap_or(authority);
    authority
        .rsplit_once(':')
        .map_or(authority, |(host, _)| host)
        .to_string()
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(WEBHOOKS_ADMIN_PATH, get(admin_webhooks).post(admin_add_webhook))
        .route(WEBHOOK_DELIVERIES_PATH, get(admin_deliveries))
        .route(WEBHOOK_REDELIVER_PATH, post(admin_redeliver))
}

impl FakeShopifyHandle {
    /// Subscribes `address` to `topic` (`orders/create`, `orders/updated`; others are kept but
    /// never sent) and tells the subscription's id.
    ///
    /// # Panics
    /// On an address that is not http(s) or a topic not shaped `resource/event`.
    pub fn add_webhook(&self, topic: &str, address: &str) -> i64 {
        match subscribe(&self.shared, topic, address) {
            Ok(made) => made["id"].as_i64().expect("an id"),
            Err(errors) => panic!("Shopify refuses the webhook: {errors}"),
        }
    }

    /// Every subscription as Shopify's REST `webhooks.json` shows it, oldest first.
    pub fn webhooks(&self) -> Vec<Value> {
        let api_version = &self.shared.config.api_version;
        let s = self.shared.lock();
        s.hooks
            .subscriptions
            .iter()
            .map(|w| subscription_json(w, api_version))
            .collect()
    }

    /// Every delivery made so far, each once answered (or given up on).
    pub fn deliveries(&self) -> Vec<ShopifyDelivery> {
        self.shared.lock().hooks.deliveries.clone()
    }

    /// Sends the delivery with this `X-Shopify-Webhook-Id` again, identical (body, ids and time
    /// of the event), after what its subscription has queued. False when there was none.
    pub fn redeliver(&self, webhook_id: &str) -> bool {
        redeliver(&self.shared, webhook_id)
    }
}

fn subscribe(shared: &Shared, topic: &str, address: &str) -> Result<Value, Value> {
    let mut errors = serde_json::Map::new();
    if !topic
        .split_once('/')
        .is_some_and(|(r, e)| !r.is_empty() && !e.is_empty())
    {
        errors.insert("topic".into(), json!(["Invalid topic specified."]));
    }
    if !(address.starts_with("https://") || address.starts_with("http://")) {
        errors.insert("address".into(), json!(["is invalid"]));
    }
    if !errors.is_empty() {
        return Err(Value::Object(errors));
    }
    let mut s = shared.lock();
    s.hooks.last_id += 1;
    let w = Subscription {
        id: s.hooks.last_id,
        topic: topic.into(),
        address: address.into(),
        created: Utc::now(),
    };
    let made = subscription_json(&w, &shared.config.api_version);
    s.hooks.subscriptions.push(w);
    Ok(made)
}

fn subscription_json(w: &Subscription, api_version: &str) -> Value {
    let at = rest_time(w.created);
    json!({
        "id": w.id, "address": w.address, "topic": w.topic, "created_at": at, "updated_at": at,
        "format": "json", "fields": [], "metafield_namespaces": [], "api_version": api_version,
    })
}

/// Posts `order` to every subscription to `topic`: one event, one delivery (and webhook id)
/// each.
pub(super) fn order_event(shared: &Arc<Shared>, topic: &str, order: &StoredOrder) {
    let body = serde_json::to_vec(&rest_order(order)).expect("an order is JSON");
    let event_id = uuid_like();
    let triggered_at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let events: Vec<Event> = {
        let mut s = shared.lock();
        let events: Vec<Event> = s
            .hooks
            .subscriptions
            .iter()
            .filter(|w| w.topic == topic)
            .map(|w| Event {
                subscription: w.id,
                topic: topic.into(),
                webhook_id: uuid_like(),
                event_id: event_id.clone(),
                triggered_at: triggered_at.clone(),
                body: body.clone(),
            })
            .collect();
        for e in &events {
            s.hooks.sent.insert(e.webhook_id.clone(), e.clone());
        }
        events
    };
    for event in events {
        queue(shared, event);
    }
}

fn redeliver(shared: &Arc<Shared>, webhook_id: &str) -> bool {
    let Some(event) = shared.lock().hooks.sent.get(webhook_id).cloned() else {
        return false;
    };
    queue(shared, event);
    true
}

fn queue(shared: &Arc<Shared>, event: Event) {
    let job = deliver(shared.clone(), event.clone());
    shared.courier.queue(event.subscription, job);
}

/// Posts one delivery to its subscription's address as it is now.
async fn deliver(shared: Arc<Shared>, event: Event) {
    let address = {
        let s = shared.lock();
        let w = s.hooks.subscriptions.iter().find(|w| w.id == event.subscription);
        w.map(|w| w.address.clone())
    };
    let Some(url) = address else {
        return;
    };
    let c = &shared.config;
    let headers = vec![
        ("Content-Type", "application/json".to_string()),
        ("X-Shopify-Topic", event.topic.clone()),
        (
            "X-Shopify-Hmac-Sha256",
            shopify_hmac(&c.client_secret, &event.body),
        ),
        (
            "X-Shopify-Shop-Domain",
            shared.shop_domain.get().cloned().unwrap_or_default(),
        ),
        ("X-Shopify-Webhook-Id", event.webhook_id.clone()),
        ("X-Shopify-Event-Id", event.event_id.clone()),
        ("X-Shopify-Triggered-At", event.triggered_at.clone()),
        ("X-Shopify-API-Version", c.api_version.clone()),
    ];
    let outgoing = Outgoing {
        url,
        headers,
        body: event.body,
    };
    let status = send(&shared.courier.client(), outgoing).await;
    shared.lock().hooks.deliveries.push(ShopifyDelivery {
        topic: event.topic,
        webhook_id: event.webhook_id,
        status,
    });
}

/// The order as Shopify's REST API (and so a webhook) shows it, from its stored GraphQL node:
/// the fields a receiver commonly reads, with the node's values where it has them.
fn rest_order(order: &StoredOrder) -> Value {
    let n = &order.node;
    let id = order.id;
    let money = &n["totalPriceSet"]["shopMoney"];
    let currency = n["currencyCode"]
        .as_str()
        .or_else(|| money["currencyCode"].as_str());
    let line_items: Vec<Value> = n["lineItems"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| rest_line(&e["node"]))
        .collect();
    json!({
        "id": id,
        "admin_graphql_api_id": format!("gid://shopify/Order/{id}"),
        "name": n["name"].as_str().map_or_else(|| format!("#{id}"), str::to_string),
        "email": n["email"],
        "phone": n["phone"],
        "created_at": rest_time(order.created),
        "updated_at": rest_time(order.updated),
        "cancelled_at": n["cancelledAt"].as_str().and_then(super::parse_time).map(rest_time),
        "currency": currency,
        "total_price": money["amount"],
        "financial_status": n["displayFinancialStatus"].as_str().map(str::to_lowercase),
        "fulfillment_status": n["displayFulfillmentStatus"].as_str().and_then(fulfillment_status),
        "line_items": line_items,
    })
}

fn rest_line(node: &Value) -> Value {
    json!({
        "id": gid_number(&node["id"]),
        "admin_graphql_api_id": node["id"],
        "name": node["name"],
        "title": node["name"],
        "sku": node["sku"],
        "quantity": node["quantity"],
        "price": node["originalUnitPriceSet"]["shopMoney"]["amount"],
        "product_id": gid_number(&node["product"]["id"]),
        "variant_id": gid_number(&node["variant"]["id"]),
    })
}

/// `gid://shopify/Thing/123` → 123; null when there is none.
fn gid_number(gid: &Value) -> Value {
    gid.as_str()
        .and_then(|g| g.rsplit('/').next())
        .and_then(|n| n.parse::<i64>().ok())
        .map_or(Value::Null, Value::from)
}

/// REST's `fulfillment_status` for GraphQL's display status: null while nothing is shipped.
fn fulfillment_status(display: &str) -> Option<&'static str> {
    match display {
        "FULFILLED" => Some("fulfilled"),
        "PARTIALLY_FULFILLED" => Some("partial"),
        "RESTOCKED" => Some("restocked"),
        _ => None,
    }
}

/// REST writes times with the shop's offset (the fake shop's zone is UTC): `…T10:00:00+00:00`.
fn rest_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

type S = State<Arc<Shared>>;

#[derive(Deserialize)]
struct NewWebhook {
    topic: String,
    address: String,
}

async fn admin_add_webhook(State(shared): S, Json(new): Json<NewWebhook>) -> Response {
    match subscribe(&shared, &new.topic, &new.address) {
        Ok(made) => (StatusCode::CREATED, Json(made)).into_response(),
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"errors": errors}))).into_response(),
    }
}

async fn admin_webhooks(State(shared): S) -> Json<Vec<Value>> {
    let api_version = &shared.config.api_version;
    let s = shared.lock();
    let listed: Vec<Value> = s
        .hooks
        .subscriptions
        .iter()
        .map(|w| subscription_json(w, api_version))
        .collect();
    Json(listed)
}

async fn admin_deliveries(State(shared): S) -> Json<Vec<ShopifyDelivery>> {
    Json(shared.lock().hooks.deliveries.clone())
}

#[derive(Deserialize)]
struct Redelivery {
    webhook_id: String,
}

async fn admin_redeliver(State(shared): S, Json(r): Json<Redelivery>) -> StatusCode {
    if redeliver(&shared, &r.webhook_id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}
