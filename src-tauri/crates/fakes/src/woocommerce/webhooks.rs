//! WooCommerce's webhooks, as the REST API v3 keeps them (`/webhooks`, woocommerce-rest-api-docs
//! wp-api-v3/_webhooks.md) and as `WC_Webhook` sends them.
//!
//! - A webhook made active is pinged first: `POST delivery_url` with the form body
//!   `webhook_id=<id>`, unsigned; its answer counts for nothing.
//! - A delivery is `POST delivery_url` with the resource as `GET` answers it and the
//!   `X-WC-Webhook-*` headers, the body signed with the webhook's secret
//!   ([`woocommerce_signature`]). Only `active` webhooks are delivered to.
//! - An answer from 200 to 302 is a success and clears the failures; anything else, or no answer,
//!   is a failure, and [`MAX_FAILURES`] in a row disable the webhook. Making it active again
//!   starts the count afresh.
//! - The secret is never answered; the calls log masks it.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{gate, gmt, page_of, paging, wc_error, FakeWooCommerceHandle, Shared, API, SITE_OFFSET_HOURS};
use crate::webhooks::{hmac_sha256_base64, send, Outgoing};

pub const WEBHOOKS_ADMIN_PATH: &str = "/__fake/webhooks";
pub const WEBHOOK_DELIVERIES_PATH: &str = "/__fake/webhook-deliveries";
/// Failures in a row that disable a webhook: WooCommerce's documented default (the
/// `woocommerce_max_webhook_delivery_failures` filter).
pub const MAX_FAILURES: u32 = 5;
pub(super) const ORDER_CREATED: &str = "order.created";
pub(super) const ORDER_UPDATED: &str = "order.updated";
const STATUSES: &[&str] = &["active", "paused", "disabled"];
/// What `wc_is_webhook_valid_topic` takes besides `action.<hook>`.
const RESOURCES: &[&str] = &["coupon", "customer", "order", "product"];
const EVENTS: &[&str] = &["created", "updated", "deleted", "restored"];
const USER_AGENT: &str = "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)";
const MASK: &str = "***";

/// One POST the store made to a webhook's address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WooDelivery {
    pub webhook_id: i64,
    /// `order.created`, …; `ping` for the ping a new webhook gets.
    pub topic: String,
    /// As sent in `X-WC-Webhook-Delivery-ID`; 0 for a ping, which carries none.
    pub delivery_id: i64,
    /// The receiver's HTTP status; None when there was no answer.
    pub status: Option<u16>,
}

struct Webhook {
    id: i64,
    name: String,
    status: String,
    topic: String,
    delivery_url: String,
    secret: String,
    failures: u32,
    created: DateTime<Utc>,
    modified: DateTime<Utc>,
}

#[derive(Default)]
pub(super) struct Hooks {
    list: Vec<Webhook>,
    last_id: i64,
    last_delivery: i64,
    deliveries: Vec<WooDelivery>,
}

impl Hooks {
    fn get_mut(&mut self, id: i64) -> Option<&mut Webhook> {
        self.list.iter_mut().find(|w| w.id == id)
    }
}

impl Shared {
    fn hooks(&self) -> std::sync::MutexGuard<'_, Hooks> {
        self.webhooks.lock().expect("webhooks poisoned")
    }
}

/// base64 of the HMAC-SHA256 of the raw body keyed with the webhook's secret:
/// `X-WC-Webhook-Signature`.
pub fn woocommerce_signature(secret: &str, body: &[u8]) -> String {
    hmac_sha256_base64(secret, body)
}

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            &format!("{API}/webhooks"),
            get(list_webhooks).post(create_webhook),
        )
        .route(
            &format!("{API}/webhooks/{{id}}"),
            // WordPress's EDITABLE is POST, PUT and PATCH alike.
            get(get_webhook)
                .put(update_webhook)
                .patch(update_webhook)
                .post(update_webhook)
                .delete(delete_webhook),
        )
        .route(WEBHOOKS_ADMIN_PATH, post(admin_add_webhook))
        .route(WEBHOOK_DELIVERIES_PATH, get(admin_deliveries))
}

impl FakeWooCommerceHandle {
    /// Makes an active webhook (which is pinged) and tells its id.
    ///
    /// # Panics
    /// On a topic WooCommerce does not take or an address that is not http(s).
    pub fn add_webhook(&self, topic: &str, delivery_url: &str, secret: &str) -> i64 {
        let params = json!({"topic": topic, "delivery_url": delivery_url, "secret": secret});
        let made = create(&self.shared, params.as_object().expect("an object"))
            .unwrap_or_else(|_| panic!("WooCommerce refuses a webhook on {topic} to {delivery_url}"));
        made["id"].as_i64().expect("an id")
    }

    /// Every webhook as `GET /webhooks/{id}` answers it, oldest first.
    pub fn webhooks(&self) -> Vec<Value> {
        self.shared.hooks().list.iter().map(webhook_json).collect()
    }

    /// Sets a webhook's status (`active`, `paused`, `disabled`); `active` clears its failures.
    /// False when there is no such webhook or status.
    pub fn set_webhook_status(&self, id: i64, status: &str) -> bool {
        let now = self.shared.now();
        let mut hooks = self.shared.hooks();
        match hooks.get_mut(id) {
            Some(w) if STATUSES.contains(&status) => {
                set_status(w, status, now);
                true
            }
            _ => false,
        }
    }

    /// Every ping and delivery made so far, each once answered (or given up on).
    pub fn deliveries(&self) -> Vec<WooDelivery> {
        self.shared.hooks().deliveries.clone()
    }
}

/// Delivers `order` (as `GET /orders/{id}` answers it) to every active webhook on `topic`.
pub(super) fn order_event(shared: &Arc<Shared>, topic: &'static str, order: &Value) {
    let due: Vec<WooDelivery> = {
        let mut hooks = shared.hooks();
        let Hooks {
            list, last_delivery, ..
        } = &mut *hooks;
        list.iter()
            .filter(|w| w.status == "active" && w.topic == topic)
            .map(|w| {
                *last_delivery += 1;
                WooDelivery {
                    webhook_id: w.id,
                    topic: topic.into(),
                    delivery_id: *last_delivery,
                    status: None,
                }
            })
            .collect()
    };
    if due.is_empty() {
        return;
    }
    // The same bytes GET answers: a receiver may compare them, and the signature covers them.
    let body = serde_json::to_vec(order).expect("an order is JSON");
    for delivery in due {
        let job = deliver(shared.clone(), delivery.clone(), body.clone());
        shared.courier.queue(delivery.webhook_id, job);
    }
}

/// Sends one delivery when its turn in the webhook's queue comes, unless the webhook stopped
/// being active meanwhile (failures before it in the queue may have disabled it).
async fn deliver(shared: Arc<Shared>, delivery: WooDelivery, body: Vec<u8>) {
    let Some((url, secret)) = active_target(&shared, delivery.webhook_id) else {
        return;
    };
    let (resource, event) = split_topic(&delivery.topic);
    let source = shared.home_url.get().cloned().unwrap_or_default();
    let headers = vec![
        ("Content-Type", "application/json".to_string()),
        ("User-Agent", USER_AGENT.to_string()),
        ("X-WC-Webhook-Source", source),
        ("X-WC-Webhook-Topic", delivery.topic.clone()),
        ("X-WC-Webhook-Resource", resource.to_string()),
        ("X-WC-Webhook-Event", event.to_string()),
        ("X-WC-Webhook-Signature", woocommerce_signature(&secret, &body)),
        ("X-WC-Webhook-ID", delivery.webhook_id.to_string()),
        ("X-WC-Webhook-Delivery-ID", delivery.delivery_id.to_string()),
    ];
    let status = send(&shared.courier.client(), Outgoing { url, headers, body }).await;
    record(&shared, WooDelivery { status, ..delivery });
}

fn active_target(shared: &Shared, id: i64) -> Option<(String, String)> {
    let mut hooks = shared.hooks();
    let w = hooks.get_mut(id).filter(|w| w.status == "active")?;
    Some((w.delivery_url.clone(), w.secret.clone()))
}

/// Logs a delivery and counts it for or against its webhook, as `WC_Webhook::deliver` does.
fn record(shared: &Shared, delivery: WooDelivery) {
    let now = shared.now();
    let mut hooks = shared.hooks();
    if let Some(w) = hooks.get_mut(delivery.webhook_id) {
        // WooCommerce's own test: 200 <= code < 303 (a 301 or 302 is taken as delivered).
        if delivery.status.is_some_and(|s| (200..303).contains(&s)) {
            w.failures = 0;
        } else {
            w.failures += 1;
            if w.failures >= MAX_FAILURES {
                w.status = "disabled".into();
                w.modified = now;
            }
        }
    }
    hooks.deliveries.push(delivery);
}

/// The ping a webhook made active gets, in its queue before any delivery.
fn ping(shared: &Arc<Shared>, id: i64, url: String) {
    let headers = vec![
        ("Content-Type", "application/x-www-form-urlencoded".to_string()),
        ("User-Agent", USER_AGENT.to_string()),
    ];
    let body = format!("webhook_id={id}").into_bytes();
    let client = shared.courier.client();
    let log = shared.clone();
    shared.courier.queue(id, async move {
        let status = send(&client, Outgoing { url, headers, body }).await;
        log.hooks().deliveries.push(WooDelivery {
            webhook_id: id,
            topic: "ping".into(),
            delivery_id: 0,
            status,
        });
    });
}

fn set_status(w: &mut Webhook, status: &str, now: DateTime<Utc>) {
    if status == "active" {
        w.failures = 0;
    }
    w.status = status.into();
    w.modified = now;
}

/// `order.created` → (`order`, `created`); `action.woocommerce_x` → (`action`, `woocommerce_x`).
fn split_topic(topic: &str) -> (&str, &str) {
    topic.split_once('.').unwrap_or((topic, ""))
}

fn valid_topic(topic: &str) -> bool {
    match split_topic(topic) {
        ("action", hook) => !hook.is_empty(),
        (resource, event) => RESOURCES.contains(&resource) && EVENTS.contains(&event),
    }
}

fn valid_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

fn webhook_json(w: &Webhook) -> Value {
    let (resource, event) = split_topic(&w.topic);
    let local = |t: DateTime<Utc>| gmt(t + Duration::hours(SITE_OFFSET_HOURS));
    json!({
        "id": w.id, "name": w.name, "status": w.status, "topic": w.topic,
        "resource": resource, "event": event, "hooks": [], "delivery_url": w.delivery_url,
        "date_created": local(w.created), "date_created_gmt": gmt(w.created),
        "date_modified": local(w.modified), "date_modified_gmt": gmt(w.modified),
    })
}

/// The request's parameters: a JSON object, or a form as WordPress also reads.
fn params(raw: &[u8]) -> Option<Map<String, Value>> {
    if raw.trim_ascii().is_empty() {
        return Some(Map::new());
    }
    if let Ok(doc) = serde_json::from_slice::<Value>(raw) {
        return doc.as_object().cloned();
    }
    let form: Map<String, Value> = form_urlencoded::parse(raw)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    (!form.is_empty()).then_some(form)
}

/// For the calls log: the secret never reaches it.
fn masked(params: &Map<String, Value>) -> Value {
    let mut shown = params.clone();
    if let Some(secret) = shown.get_mut("secret") {
        *secret = json!(MASK);
    }
    Value::Object(shown)
}

fn text<'a>(params: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    params.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn invalid_id(status: StatusCode, message: &str) -> Response {
    wc_error(status, "woocommerce_rest_shop_webhook_invalid_id", message)
}

fn invalid_json() -> Response {
    wc_error(
        StatusCode::BAD_REQUEST,
        "rest_invalid_json",
        "Invalid JSON body passed.",
    )
}

fn invalid_param(name: &str) -> Response {
    wc_error(
        StatusCode::BAD_REQUEST,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {name}"),
    )
}

fn invalid_topic() -> Response {
    wc_error(
        StatusCode::BAD_REQUEST,
        "woocommerce_rest_shop_webhook_invalid_topic",
        "Webhook topic is required and must be valid.",
    )
}

fn invalid_url() -> Response {
    wc_error(
        StatusCode::BAD_REQUEST,
        "woocommerce_rest_shop_webhook_invalid_delivery_url",
        "Webhook delivery URL must be a valid URL starting with http:// or https://.",
    )
}

/// Checks a new webhook's parameters as WordPress (required ones) and WooCommerce do.
fn checked_new(params: &Map<String, Value>) -> Result<(), Response> {
    let missing: Vec<&str> = ["topic", "delivery_url"]
        .into_iter()
        .filter(|k| !params.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        return Err((
            StatusCode::BAD_REQUEST,
            Json(json!({
                "code": "rest_missing_callback_param",
                "message": format!("Missing parameter(s): {}", missing.join(", ")),
                "data": {"status": 400, "params": missing},
            })),
        )
            .into_response());
    }
    if !text(params, "topic").is_some_and(|t| valid_topic(&t.to_lowercase())) {
        return Err(invalid_topic());
    }
    if !text(params, "delivery_url").is_some_and(valid_url) {
        return Err(invalid_url());
    }
    match params.get("status").map(Value::as_str) {
        None | Some(Some("active" | "paused" | "disabled")) => Ok(()),
        _ => Err(invalid_param("status")),
    }
}

/// Makes a webhook from checked-or-refused parameters; an active one is pinged.
fn create(shared: &Arc<Shared>, params: &Map<String, Value>) -> Result<Value, Response> {
    checked_new(params)?;
    let now = shared.now();
    let (made, ping_url) = {
        let mut hooks = shared.hooks();
        hooks.last_id += 1;
        let w = new_webhook(hooks.last_id, params, now);
        let ping_url = (w.status == "active").then(|| w.delivery_url.clone());
        let made = webhook_json(&w);
        hooks.list.push(w);
        (made, ping_url)
    };
    if let Some(url) = ping_url {
        let id = made["id"].as_i64().unwrap_or_default();
        ping(shared, id, url);
    }
    Ok(made)
}

/// A webhook from checked parameters, with WooCommerce's defaults for what is not given.
fn new_webhook(id: i64, params: &Map<String, Value>, now: DateTime<Utc>) -> Webhook {
    let local = now + Duration::hours(SITE_OFFSET_HOURS);
    let name = text(params, "name").map_or_else(
        || format!("Webhook created on {}", local.format("%b %d, %Y @ %I:%M %p")),
        str::to_string,
    );
    // WooCommerce makes a secret up (`wp_generate_password(50)`) when none is given.
    let secret = text(params, "secret").map_or_else(
        || std::iter::repeat_with(fastrand::alphanumeric).take(50).collect(),
        str::to_string,
    );
    Webhook {
        id,
        name,
        status: text(params, "status").unwrap_or("active").into(),
        topic: text(params, "topic").unwrap_or_default().to_lowercase(),
        delivery_url: text(params, "delivery_url").unwrap_or_default().into(),
        secret,
        failures: 0,
        created: now,
        modified: now,
    }
}

/// Applies a partial update as `update_item` does: only what is given and not empty.
fn update(shared: &Shared, id: i64, params: &Map<String, Value>) -> Result<Value, Response> {
    let topic = text(params, "topic").map(str::to_lowercase);
    if topic.as_deref().is_some_and(|t| !valid_topic(t)) {
        return Err(invalid_topic());
    }
    let url = text(params, "delivery_url");
    if url.is_some_and(|u| !valid_url(u)) {
        return Err(invalid_url());
    }
    let status = text(params, "status");
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(invalid_param("status"));
    }
    let now = shared.now();
    let mut hooks = shared.hooks();
    let Some(w) = hooks.get_mut(id) else {
        return Err(invalid_id(StatusCode::BAD_REQUEST, "ID is invalid."));
    };
    if let Some(topic) = topic {
        w.topic = topic;
    }
    if let Some(url) = url {
        w.delivery_url = url.into();
    }
    if let Some(secret) = text(params, "secret") {
        w.secret = secret.into();
    }
    if let Some(name) = text(params, "name") {
        w.name = name.into();
    }
    if let Some(status) = status {
        set_status(w, status, now);
    }
    w.modified = now;
    Ok(webhook_json(w))
}

type S = State<Arc<Shared>>;
type Q = Query<Vec<(String, String)>>;

async fn list_webhooks(State(shared): S, headers: HeaderMap, Query(query): Q) -> Response {
    if let Err(r) = gate(&shared, ("GET", "/webhooks".into()), &headers, &query, None) {
        return r;
    }
    let paging = match paging(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let status = query
        .iter()
        .find(|(k, _)| k == "status")
        .map_or("all", |(_, v)| v.as_str());
    if status != "all" && !STATUSES.contains(&status) {
        return invalid_param("status");
    }
    let listed: Vec<Value> = shared
        .hooks()
        .list
        .iter()
        // Newest first: `orderby=date`, `order=desc` by default.
        .rev()
        .filter(|w| status == "all" || w.status == status)
        .map(webhook_json)
        .collect();
    page_of(&listed.iter().collect::<Vec<_>>(), paging)
}

async fn create_webhook(State(shared): S, headers: HeaderMap, Query(query): Q, raw: Bytes) -> Response {
    let params = params(&raw);
    let logged = params.as_ref().map(masked);
    if let Err(r) = gate(&shared, ("POST", "/webhooks".into()), &headers, &query, logged) {
        return r;
    }
    let Some(params) = params else {
        return invalid_json();
    };
    match create(&shared, &params) {
        Ok(made) => (StatusCode::CREATED, Json(made)).into_response(),
        Err(r) => r,
    }
}

async fn get_webhook(State(shared): S, Path(id): Path<i64>, headers: HeaderMap, Query(query): Q) -> Response {
    let path = format!("/webhooks/{id}");
    if let Err(r) = gate(&shared, ("GET", path), &headers, &query, None) {
        return r;
    }
    let hooks = shared.hooks();
    match hooks.list.iter().find(|w| w.id == id) {
        Some(w) => Json(webhook_json(w)).into_response(),
        None => invalid_id(StatusCode::BAD_REQUEST, "ID is invalid."),
    }
}

async fn update_webhook(
    State(shared): S,
    Path(id): Path<i64>,
    method: Method,
    headers: HeaderMap,
    Query(query): Q,
    raw: Bytes,
) -> Response {
    let params = params(&raw);
    let logged = params.as_ref().map(masked);
    let path = format!("/webhooks/{id}");
    if let Err(r) = gate(&shared, (method.as_str(), path), &headers, &query, logged) {
        return r;
    }
    let Some(params) = params else {
        return invalid_json();
    };
    match update(&shared, id, &params) {
        Ok(updated) => Json(updated).into_response(),
        Err(r) => r,
    }
}

async fn delete_webhook(
    State(shared): S,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Query(query): Q,
) -> Response {
    let path = format!("/webhooks/{id}");
    if let Err(r) = gate(&shared, ("DELETE", path), &headers, &query, None) {
        return r;
    }
    let force = query
        .iter()
        .any(|(k, v)| k == "force" && matches!(v.as_str(), "true" | "1"));
    if !force {
        return wc_error(
            StatusCode::NOT_IMPLEMENTED,
            "woocommerce_rest_trash_not_supported",
            "Webhooks do not support trashing.",
        );
    }
    let removed = {
        let mut hooks = shared.hooks();
        let at = hooks.list.iter().position(|w| w.id == id);
        at.map(|i| hooks.list.remove(i))
    };
    let Some(w) = removed else {
        return invalid_id(StatusCode::NOT_FOUND, "Invalid ID.");
    };
    shared.courier.close(id);
    Json(webhook_json(&w)).into_response()
}

#[derive(Deserialize)]
struct NewWebhook {
    topic: String,
    delivery_url: String,
    secret: String,
}

async fn admin_add_webhook(State(shared): S, Json(new): Json<NewWebhook>) -> Response {
    let params = json!({"topic": new.topic, "delivery_url": new.delivery_url, "secret": new.secret});
    match create(&shared, params.as_object().expect("an object")) {
        Ok(made) => (StatusCode::CREATED, Json(made)).into_response(),
        Err(r) => r,
    }
}

async fn admin_deliveries(State(shared): S) -> Json<Vec<WooDelivery>> {
    Json(shared.hooks().deliveries.clone())
}
