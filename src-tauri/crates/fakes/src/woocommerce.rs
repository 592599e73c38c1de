//! Fake WooCommerce store: the REST API v3 order routes as documented
//! (woocommerce-rest-api-docs, wp-api-v3/_orders.md) — `GET /wp-json/wc/v3/orders` with
//! `per_page` (at most 100), `page`, `status` (`any` or a comma list), `after` / `before` /
//! `modified_after` (site-local unless `dates_are_gmt=true`), `orderby` date|id|modified, `order`
//! asc|desc, the `X-WP-Total` / `X-WP-TotalPages` headers; `GET` and `PUT /orders/{id}`; errors as
//! `{"code", "message", "data": {"status"}}`; the consumer key as basic auth or as
//! `consumer_key` / `consumer_secret` query parameters.
//!
//! It can play an old store (before 2022: `modified_after` and `dates_are_gmt` ignored), a host
//! that strips the Authorization header, and change its orders while a client pages through them.
//! The site's local time is UTC+3.
//!
//! Products too: `GET /products` (`include`, `per_page`, `page`), `GET /products/{id}` and
//! `GET /products/categories` (`per_page`, `page`; each with its `parent`), paged the same way.
//!
//! Webhooks as WooCommerce keeps and sends them: `GET`/`POST /webhooks`, `GET`/`PUT`/`DELETE
//! /webhooks/{id}`, a ping when one is made active, signed `order.created` / `order.updated`
//! deliveries, disabled after [`MAX_FAILURES`] failures in a row (`woocommerce/webhooks.rs`).
//!
//! Admin (not WooCommerce's): `GET /__fake/calls` lists every request (never the key),
//! `POST /__fake/orders` adds or replaces orders, `POST /__fake/products` products and
//! `POST /__fake/categories` categories (JSON lists); `POST /__fake/webhooks` makes a webhook,
//! `GET /__fake/webhook-deliveries` lists what was sent.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Fault;
use crate::gettzap::decode_base64;
use crate::server::Served;
use crate::webhooks::Courier;

mod webhooks;

pub use webhooks::{
    woocommerce_signature, WooDelivery, MAX_FAILURES, WEBHOOKS_ADMIN_PATH, WEBHOOK_DELIVERIES_PATH,
};

pub const API: &str = "/wp-json/wc/v3";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const PRODUCTS_ADMIN_PATH: &str = "/__fake/products";
pub const CATEGORIES_ADMIN_PATH: &str = "/__fake/categories";
/// The site's local time is this far ahead of UTC.
const SITE_OFFSET_HOURS: i64 = 3;

#[derive(Debug, Clone)]
pub struct FakeWooCommerceConfig {
    pub consumer_key: String,
    pub consumer_secret: String,
    /// 0 = any free port.
    pub port: u16,
    /// False plays a store from before 2022: `modified_after` and `dates_are_gmt` are ignored.
    pub honours_modified_after: bool,
    /// The host drops the Authorization header: only query-parameter keys get through.
    pub strips_authorization: bool,
    /// Each order list answers this much later (a slow host: long backfills to watch).
    pub list_delay: std::time::Duration,
    /// A proxy or cache in front of the host drops the `X-WP-Total` / `X-WP-TotalPages` headers.
    pub strips_paging_headers: bool,
}

impl FakeWooCommerceConfig {
    pub fn new(key: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            consumer_key: key.into(),
            consumer_secret: secret.into(),
            port: 0,
            honours_modified_after: true,
            strips_authorization: false,
            list_delay: std::time::Duration::ZERO,
            strips_paging_headers: false,
        }
    }
}

/// One request as the fake saw it; the key is never kept, only whether it matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WooCall {
    pub method: String,
    pub path: String,
    /// The query without the key.
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub http_status: u16,
}

/// A change the store makes when a page is asked for: a client paging through sees the list move.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// A new order placed.
    Insert(Value),
    /// An order moved to the trash (it leaves every `status=any` list).
    Trash(i64),
}

struct Shared {
    config: FakeWooCommerceConfig,
    orders: Mutex<Vec<Value>>,
    products: Mutex<Vec<Value>>,
    categories: Mutex<Vec<Value>>,
    /// A plugin's statuses (slug, name) beside the built-in ones.
    custom_statuses: Mutex<Vec<(String, String)>>,
    calls: Mutex<Vec<WooCall>>,
    faults: Mutex<VecDeque<Fault>>,
    /// (page number, change) applied when that page of a list is next asked for.
    mutations: Mutex<Vec<(u32, Mutation)>>,
    now: Mutex<Option<DateTime<Utc>>>,
    webhooks: Mutex<webhooks::Hooks>,
    courier: Courier,
    /// `home_url('/')`, known once the server listens: deliveries name their source by it.
    home_url: OnceLock<String>,
}

impl Shared {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().expect("clock poisoned").unwrap_or_else(Utc::now)
    }
}

pub struct FakeWooCommerce;

impl FakeWooCommerce {
    pub async fn start(config: FakeWooCommerceConfig) -> std::io::Result<FakeWooCommerceHandle> {
        let port = config.port;
        let shared = Arc::new(Shared {
            config,
            orders: Mutex::default(),
            products: Mutex::default(),
            categories: Mutex::default(),
            custom_statuses: Mutex::default(),
            calls: Mutex::default(),
            faults: Mutex::default(),
            mutations: Mutex::default(),
            now: Mutex::default(),
            webhooks: Mutex::default(),
            courier: Courier::new(),
            home_url: OnceLock::new(),
        });
        let app = Router::new()
            .route(&format!("{API}/orders"), get(list_orders))
            .route(&format!("{API}/orders/{{id}}"), get(get_order).put(put_order))
            .route(&format!("{API}/reports/orders/totals"), get(order_totals))
            .route(&format!("{API}/products"), get(list_products))
            .route(&format!("{API}/products/categories"), get(list_categories))
            .route(&format!("{API}/products/{{id}}"), get(get_product))
            .route(CALLS_PATH, get(list_calls))
            .route(ORDERS_ADMIN_PATH, axum::routing::post(admin_add_orders))
            .route(PRODUCTS_ADMIN_PATH, axum::routing::post(admin_add_products))
            .route(CATEGORIES_ADMIN_PATH, axum::routing::post(admin_add_categories))
            .merge(webhooks::routes())
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake WooCommerce").await?;
        let _ = shared.home_url.set(format!("{}/", server.base_url()));
        Ok(FakeWooCommerceHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeWooCommerceHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeWooCommerceHandle {
    /// The store's address (the REST API is under [`API`]).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Adds orders, replacing those with the same id.
    pub fn add_orders(&self, orders: impl IntoIterator<Item = Value>) {
        add_orders(&self.shared, orders);
    }

    /// Adds products (as `GET /products` returns them), replacing those with the same id.
    pub fn add_products(&self, products: impl IntoIterator<Item = Value>) {
        replace_by_id(&self.shared.products, products);
    }

    /// Adds product categories (`{id, name, slug, parent}`), replacing those with the same id.
    pub fn add_categories(&self, categories: impl IntoIterator<Item = Value>) {
        replace_by_id(&self.shared.categories, categories);
    }

    /// A status a plugin registers (`wc-<slug>` in WordPress), listed and settable like the built-in ones.
    pub fn add_custom_status(&self, slug: &str, name: &str) {
        self.shared
            .custom_statuses
            .lock()
            .expect("statuses poisoned")
            .push((slug.into(), name.into()));
    }

    pub fn order(&self, id: i64) -> Option<Value> {
        let orders = self.shared.orders.lock().expect("orders poisoned");
        orders.iter().find(|o| o["id"] == json!(id)).cloned()
    }

    /// Changes an order as the store's admin would (its modified time moves to now); the
    /// `order.updated` webhooks are delivered it.
    pub fn edit_order(&self, id: i64, edit: impl FnOnce(&mut Value)) {
        let now = self.shared.now();
        let edited = {
            let mut orders = self.shared.orders.lock().expect("orders poisoned");
            orders.iter_mut().find(|o| o["id"] == json!(id)).map(|o| {
                edit(o);
                stamp_modified(o, now);
                o.clone()
            })
        };
        if let Some(order) = edited {
            webhooks::order_event(&self.shared, webhooks::ORDER_UPDATED, &order);
        }
    }

    /// Every request received, in order.
    pub fn calls(&self) -> Vec<WooCall> {
        self.shared.calls.lock().expect("calls poisoned").clone()
    }

    /// The next request misbehaves this way.
    pub fn push_fault(&self, fault: Fault) {
        self.shared
            .faults
            .lock()
            .expect("faults poisoned")
            .push_back(fault);
    }

    /// When page `page` of an order list is next asked for, the store first changes this way.
    pub fn on_page(&self, page: u32, mutation: Mutation) {
        self.shared
            .mutations
            .lock()
            .expect("mutations poisoned")
            .push((page, mutation));
    }

    /// The store's clock (for modified times); None: the wall clock.
    pub fn set_now(&self, now: Option<DateTime<Utc>>) {
        *self.shared.now.lock().expect("clock poisoned") = now;
    }
}

/// Adds or replaces orders; a new one is delivered to the `order.created` webhooks, a replaced
/// one to the `order.updated` ones.
fn add_orders(shared: &Arc<Shared>, new: impl IntoIterator<Item = Value>) {
    let new: Vec<Value> = new.into_iter().collect();
    let known: std::collections::HashSet<String> = {
        let orders = shared.orders.lock().expect("orders poisoned");
        orders.iter().map(|o| o["id"].to_string()).collect()
    };
    replace_by_id(&shared.orders, new.clone());
    for order in &new {
        let topic = if known.contains(&order["id"].to_string()) {
            webhooks::ORDER_UPDATED
        } else {
            webhooks::ORDER_CREATED
        };
        webhooks::order_event(shared, topic, order);
    }
}

fn replace_by_id(list: &Mutex<Vec<Value>>, new: impl IntoIterator<Item = Value>) {
    let new: Vec<Value> = new.into_iter().collect();
    let ids: std::collections::HashSet<String> = new.iter().map(|o| o["id"].to_string()).collect();
    let mut list = list.lock().expect("list poisoned");
    list.retain(|x| !ids.contains(&x["id"].to_string()));
    list.extend(new);
}

fn stamp_modified(order: &mut Value, at: DateTime<Utc>) {
    order["date_modified_gmt"] = json!(gmt(at));
    order["date_modified"] = json!(gmt(at + Duration::hours(SITE_OFFSET_HOURS)));
}

fn gmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn parse_time(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()
}

fn wc_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "data": {"status": status.as_u16()}})),
    )
        .into_response()
}

/// The key as basic auth (unless the host strips it) or as query parameters.
fn authorised(shared: &Shared, headers: &HeaderMap, query: &[(String, String)]) -> bool {
    let c = &shared.config;
    let q = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if q("consumer_key") == Some(c.consumer_key.as_str())
        && q("consumer_secret") == Some(c.consumer_secret.as_str())
    {
        return true;
    }
    if c.strips_authorization {
        return false;
    }
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| decode_base64(b.trim()))
        .is_some_and(|d| d == format!("{}:{}", c.consumer_key, c.consumer_secret).into_bytes())
}

/// Records the call, and answers a queued fault or a refusal of the key instead when due.
fn gate(
    shared: &Shared,
    (method, path): (&str, String),
    headers: &HeaderMap,
    query: &[(String, String)],
    body: Option<Value>,
) -> Result<(), Response> {
    let fault = shared.faults.lock().expect("faults poisoned").pop_front();
    let refusal = match fault {
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut r = wc_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many requests",
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert("retry-after", HeaderValue::from(secs));
            }
            Some(r)
        }
        Some(Fault::ServerError(code)) => Some(wc_error(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "internal_server_error",
            "There has been a critical error on this website.",
        )),
        Some(Fault::TruncatedJson) => Some((StatusCode::OK, "[{\"id\": 1, \"numb").into_response()),
        Some(Fault::NotJson) => Some(
            (
                StatusCode::OK,
                [("content-type", "text/html")],
                "<html><body>Maintenance</body></html>",
            )
                .into_response(),
        ),
        _ => None,
    };
    let refusal = refusal.or_else(|| {
        (!authorised(shared, headers, query)).then(|| {
            wc_error(
                StatusCode::UNAUTHORIZED,
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
            )
        })
    });
    shared.calls.lock().expect("calls poisoned").push(WooCall {
        method: method.into(),
        path,
        query: query
            .iter()
            .filter(|(k, _)| k != "consumer_key" && k != "consumer_secret")
            .cloned()
            .collect(),
        body,
        http_status: refusal.as_ref().map_or(200, |r| r.status().as_u16()),
    });
    refusal.map_or(Ok(()), Err)
}

async fn list_orders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = gate(&shared, ("GET", "/orders".into()), &headers, &query, None) {
        return r;
    }
    if !shared.config.list_delay.is_zero() {
        tokio::time::sleep(shared.config.list_delay).await;
    }
    let q = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let (per_page, page) = match paging(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let modern = shared.config.honours_modified_after;
    let gmt_dates = modern && q("dates_are_gmt") == Some("true");
    let field = |base: &str| {
        if gmt_dates {
            format!("{base}_gmt")
        } else {
            base.to_string()
        }
    };
    let mut filters: Vec<(String, NaiveDateTime, bool)> = vec![];
    for (param, base, after) in [
        ("after", "date_created", true),
        ("before", "date_created", false),
        ("modified_after", "date_modified", true),
    ] {
        if param == "modified_after" && !modern {
            continue;
        }
        if let Some(v) = q(param) {
            let Some(t) = parse_time(v) else {
                return wc_error(
                    StatusCode::BAD_REQUEST,
                    "rest_invalid_param",
                    &format!("Invalid parameter(s): {param}"),
                );
            };
            filters.push((field(base), t, after));
        }
    }
    let statuses: Vec<&str> = q("status").unwrap_or("any").split(',').map(str::trim).collect();
    {
        let mut mutations = shared.mutations.lock().expect("mutations poisoned");
        let due: Vec<Mutation> = mutations
            .iter()
            .filter(|(p, _)| *p as usize == page)
            .map(|(_, m)| m.clone())
            .collect();
        mutations.retain(|(p, _)| *p as usize != page);
        drop(mutations);
        for m in due {
            match m {
                Mutation::Insert(o) => add_orders(&shared, [o]),
                Mutation::Trash(id) => {
                    let now = shared.now();
                    let mut orders = shared.orders.lock().expect("orders poisoned");
                    if let Some(o) = orders.iter_mut().find(|o| o["id"] == json!(id)) {
                        o["status"] = json!("trash");
                        stamp_modified(o, now);
                    }
                }
            }
        }
    }
    let orders = shared.orders.lock().expect("orders poisoned");
    let mut listed: Vec<&Value> = orders
        .iter()
        .filter(|o| {
            let status = o["status"].as_str().unwrap_or_default();
            if statuses.contains(&"any") {
                status != "trash"
            } else {
                statuses.contains(&status)
            }
        })
        .filter(|o| {
            filters.iter().all(|(key, t, after)| {
                let Some(v) = o[key.as_str()].as_str().and_then(parse_time) else {
                    return false;
                };
                if *after {
                    v > *t
                } else {
                    v < *t
                }
            })
        })
        .collect();
    let key = match q("orderby").unwrap_or("date") {
        "id" => "id",
        "modified" => "date_modified_gmt",
        _ => "date_created_gmt",
    };
    listed.sort_by_cached_key(|o| (o[key].to_string(), o["id"].as_i64().unwrap_or_default()));
    if q("order").unwrap_or("desc") != "asc" {
        listed.reverse();
    }
    let mut answer = page_of(&listed, (per_page, page));
    if shared.config.strips_paging_headers {
        answer.headers_mut().remove("x-wp-total");
        answer.headers_mut().remove("x-wp-totalpages");
    }
    answer
}

async fn get_order(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = gate(&shared, ("GET", format!("/orders/{id}")), &headers, &query, None) {
        return r;
    }
    let orders = shared.orders.lock().expect("orders poisoned");
    match orders.iter().find(|o| o["id"] == json!(id)) {
        Some(o) => Json(o.clone()).into_response(),
        None => wc_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_shop_order_invalid_id",
            "Invalid ID.",
        ),
    }
}

async fn put_order(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
    body: axum::body::Bytes,
) -> Response {
    let doc: Option<Value> = serde_json::from_slice(&body).ok();
    if let Err(r) = gate(
        &shared,
        ("PUT", format!("/orders/{id}")),
        &headers,
        &query,
        doc.clone(),
    ) {
        return r;
    }
    let Some(doc) = doc else {
        return wc_error(
            StatusCode::BAD_REQUEST,
            "rest_invalid_json",
            "Invalid JSON body passed.",
        );
    };
    let now = shared.now();
    let mut orders = shared.orders.lock().expect("orders poisoned");
    let Some(order) = orders.iter_mut().find(|o| o["id"] == json!(id)) else {
        return wc_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_shop_order_invalid_id",
            "Invalid ID.",
        );
    };
    if let Some(status) = doc.get("status") {
        let custom = shared.custom_statuses.lock().expect("statuses poisoned").clone();
        let known = |s: &str| {
            s == "trash"
                || BUILT_IN_STATUSES.iter().any(|(b, _)| *b == s)
                || custom.iter().any(|(c, _)| c == s)
        };
        if !status.as_str().is_some_and(known) {
            return wc_error(
                StatusCode::BAD_REQUEST,
                "rest_invalid_param",
                "Invalid parameter(s): status",
            );
        }
        order["status"] = status.clone();
    }
    stamp_modified(order, now);
    let order = order.clone();
    drop(orders);
    webhooks::order_event(&shared, webhooks::ORDER_UPDATED, &order);
    Json(order).into_response()
}

/// WooCommerce's own statuses with the names its admin shows (`wc_get_order_statuses`).
const BUILT_IN_STATUSES: &[(&str, &str)] = &[
    ("pending", "Pending payment"),
    ("processing", "Processing"),
    ("on-hold", "On hold"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
    ("refunded", "Refunded"),
    ("failed", "Failed"),
    ("checkout-draft", "Draft"),
];

/// `GET /reports/orders/totals`: every registered status (the built-in ones and a plugin's) with
/// how many orders are in it, the slug without WordPress's `wc-`.
async fn order_totals(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = gate(
        &shared,
        ("GET", "/reports/orders/totals".into()),
        &headers,
        &query,
        None,
    ) {
        return r;
    }
    let orders = shared.orders.lock().expect("orders poisoned");
    let count = |slug: &str| orders.iter().filter(|o| o["status"] == slug).count();
    let custom = shared.custom_statuses.lock().expect("statuses poisoned").clone();
    let listed: Vec<Value> = BUILT_IN_STATUSES
        .iter()
        .map(|(slug, name)| (slug.to_string(), name.to_string()))
        .chain(custom)
        .map(|(slug, name)| json!({"slug": slug, "name": name, "total": count(&slug)}))
        .collect();
    Json(listed).into_response()
}

/// `per_page` (1..=100, 10 by default) and `page` (from 1), or WooCommerce's refusal.
fn paging(query: &[(String, String)]) -> Result<(usize, usize), Response> {
    let q = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let per_page = match q("per_page").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        _ => {
            return Err(wc_error(
                StatusCode::BAD_REQUEST,
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
            ))
        }
    };
    let page = q("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1);
    Ok((per_page, page))
}

/// One page of `listed` with the `X-WP-Total` / `X-WP-TotalPages` headers.
fn page_of(listed: &[&Value], (per_page, page): (usize, usize)) -> Response {
    let total = listed.len();
    let pages = total.div_ceil(per_page);
    let items: Vec<&Value> = listed
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .copied()
        .collect();
    let mut response = Json(items).into_response();
    let h = response.headers_mut();
    h.insert("x-wp-total", HeaderValue::from(total));
    h.insert("x-wp-totalpages", HeaderValue::from(pages));
    response
}

async fn list_products(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = gate(&shared, ("GET", "/products".into()), &headers, &query, None) {
        return r;
    }
    let paging = match paging(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let include: Option<Vec<i64>> = query
        .iter()
        .find(|(k, _)| k == "include")
        .map(|(_, v)| v.split(',').filter_map(|id| id.trim().parse().ok()).collect());
    let products = shared.products.lock().expect("products poisoned");
    let mut listed: Vec<&Value> = products
        .iter()
        .filter(|p| {
            include
                .as_ref()
                .is_none_or(|ids| p["id"].as_i64().is_some_and(|id| ids.contains(&id)))
        })
        .collect();
    listed.sort_by_key(|p| std::cmp::Reverse(p["id"].as_i64()));
    page_of(&listed, paging)
}

async fn get_product(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = gate(
        &shared,
        ("GET", format!("/products/{id}")),
        &headers,
        &query,
        None,
    ) {
        return r;
    }
    let products = shared.products.lock().expect("products poisoned");
    match products.iter().find(|p| p["id"] == json!(id)) {
        Some(p) => Json(p.clone()).into_response(),
        None => wc_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_product_invalid_id",
            "Invalid ID.",
        ),
    }
}

async fn list_categories(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = gate(
        &shared,
        ("GET", "/products/categories".into()),
        &headers,
        &query,
        None,
    ) {
        return r;
    }
    let paging = match paging(&query) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let categories = shared.categories.lock().expect("categories poisoned");
    let mut listed: Vec<&Value> = categories.iter().collect();
    listed.sort_by_key(|c| c["name"].as_str().unwrap_or_default().to_string());
    page_of(&listed, paging)
}

async fn list_calls(State(shared): State<Arc<Shared>>) -> Json<Vec<WooCall>> {
    Json(shared.calls.lock().expect("calls poisoned").clone())
}

async fn admin_add_orders(State(shared): State<Arc<Shared>>, Json(orders): Json<Vec<Value>>) -> StatusCode {
    add_orders(&shared, orders);
    StatusCode::NO_CONTENT
}

async fn admin_add_products(
    State(shared): State<Arc<Shared>>,
    Json(products): Json<Vec<Value>>,
) -> StatusCode {
    replace_by_id(&shared.products, products);
    StatusCode::NO_CONTENT
}

async fn admin_add_categories(
    State(shared): State<Arc<Shared>>,
    Json(categories): Json<Vec<Value>>,
) -> StatusCode {
    replace_by_id(&shared.categories, categories);
    StatusCode::NO_CONTENT
}

/// A product as `GET /products` returns it, filed under `categories` (id, name).
pub fn product(id: i64, name: &str, sku: &str, description_html: &str, categories: &[(i64, &str)]) -> Value {
    let categories: Vec<Value> = categories
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "slug": format!("cat-{id}")}))
        .collect();
    json!({
        "id": id, "name": name, "slug": format!("product-{id}"), "type": "simple", "status": "publish",
        "description": description_html, "short_description": "", "sku": sku, "price": "199.00",
        "regular_price": "199.00", "sale_price": "", "stock_status": "instock", "categories": categories,
        "tags": [], "images": [], "attributes": [], "variations": [], "meta_data": []
    })
}

/// A product category as `GET /products/categories` returns it (`parent` 0 at the top).
pub fn category(id: i64, name: &str, parent: i64) -> Value {
    json!({"id": id, "name": name, "slug": format!("cat-{id}"), "parent": parent, "description": "",
           "display": "default", "image": null, "menu_order": 0, "count": 0})
}

/// The catalog behind [`generated`]'s twenty products: a two-level tree, each product filed
/// under a branch at two depths (the deeper one is theirs).
pub fn generated_catalog() -> (Vec<Value>, Vec<Value>) {
    let categories = vec![
        category(1, "Запчасти", 0),
        category(2, "Тормоза", 1),
        category(3, "Фильтры", 1),
    ];
    let products = (0..20)
        .map(|p| {
            let (leaf, leaf_name) = if p % 2 == 0 {
                (2, "Тормоза")
            } else {
                (3, "Фильтры")
            };
            product(
                500 + p,
                &format!("Товар {p}"),
                &format!("SKU-{p}"),
                &format!("<p>Описание товара <b>{p}</b></p>"),
                &[(1, "Запчасти"), (leaf, leaf_name)],
            )
        })
        .collect();
    (products, categories)
}

/// An order as the REST API returns it: `id`, created `created` (UTC), modified then too, with a
/// buyer and `items` as (product id, SKU, name, quantity, unit price).
pub fn order(id: i64, created: DateTime<Utc>, buyer: Buyer, items: &[(i64, &str, &str, i64, &str)]) -> Value {
    let line_items: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(i, (product, sku, name, qty, price))| {
            let unit: f64 = price.parse().unwrap_or(0.0);
            json!({
                "id": id * 100 + i as i64 + 1, "name": name, "product_id": product, "variation_id": 0,
                "quantity": qty, "tax_class": "", "subtotal": format!("{:.2}", unit * *qty as f64),
                "total": format!("{:.2}", unit * *qty as f64), "total_tax": "0.00", "taxes": [],
                "meta_data": [], "sku": sku, "price": unit,
            })
        })
        .collect();
    let total: f64 = items
        .iter()
        .map(|(_, _, _, q, p)| p.parse::<f64>().unwrap_or(0.0) * *q as f64)
        .sum();
    let local = created + Duration::hours(SITE_OFFSET_HOURS);
    let mut o = json!({
        "id": id, "parent_id": 0, "number": id.to_string(), "order_key": format!("wc_order_{id}"),
        "created_via": "checkout", "version": "9.4.0", "status": "processing", "currency": "RUB",
        "date_created": gmt(local), "date_created_gmt": gmt(created),
        "discount_total": "0.00", "shipping_total": "0.00", "total": format!("{total:.2}"), "total_tax": "0.00",
        "prices_include_tax": false, "customer_id": 0, "customer_note": "",
        "billing": {"first_name": buyer.first_name, "last_name": buyer.last_name, "company": "",
                    "address_1": buyer.street, "address_2": "", "city": buyer.city, "state": "", "postcode": "",
                    "country": "RU", "email": buyer.email, "phone": buyer.phone},
        "shipping": {"first_name": "", "last_name": "", "company": "", "address_1": "", "address_2": "",
                     "city": "", "state": "", "postcode": "", "country": "", "phone": ""},
        "payment_method": "cod", "payment_method_title": "Cash on delivery", "transaction_id": "",
        "meta_data": [], "line_items": line_items, "tax_lines": [],
        "shipping_lines": [{"id": id * 100 + 99, "method_title": "Курьер", "method_id": "flat_rate", "total": "0.00"}],
        "fee_lines": [], "coupon_lines": [], "refunds": []
    });
    stamp_modified(&mut o, created);
    o
}

/// A buyer of [`order`]; empty strings leave a field empty.
#[derive(Debug, Clone, Default)]
pub struct Buyer {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub city: String,
    pub street: String,
}

impl Buyer {
    pub fn new(first: &str, last: &str, email: &str, phone: &str) -> Self {
        Self {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: phone.into(),
            city: "Москва".into(),
            street: "ул. Тверская, 1".into(),
        }
    }
}

/// `n` orders one minute apart up to `until`, for backfills and benchmarks: ten buyers and twenty
/// products come round again, so products and customers repeat.
pub fn generated(n: usize, until: DateTime<Utc>) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let b = i % 10;
            let buyer = Buyer::new(
                &format!("Покупатель{b}"),
                "Тестов",
                &format!("buyer{b}@example.com"),
                &format!("+7 900 000-00-{b:02}"),
            );
            let p = (i % 20) as i64;
            let sku = format!("SKU-{p}");
            let name = format!("Товар {p}");
            order(
                10_000 + i as i64,
                until - Duration::minutes((n - i) as i64),
                buyer,
                &[(500 + p, &sku, &name, 1 + (i % 3) as i64, "199.00")],
            )
        })
        .collect()
}
