//! Fake Amazon seller account: the Selling Partner API's Orders `2026-01-01` `searchOrders`
//! operation and the Login with Amazon (LWA) token grant every SP-API call needs, as Amazon's
//! model (`orders_2026-01-01.json`) and its docs describe them. One server answers both, so a
//! client's token URL is `<base_url>/auth/o2/token` and its SP-API endpoint `<base_url>`.
//!
//! - `POST /auth/o2/token`, a form (or JSON) with `grant_type=refresh_token`, `refresh_token`,
//!   `client_id` and `client_secret`, gives `{access_token: "Atza|…", token_type: "bearer",
//!   expires_in, refresh_token}` (the same refresh token back). A wrong client is
//!   `401 invalid_client`, a wrong refresh token `400 invalid_grant`, another grant type
//!   `400 unsupported_grant_type`, a missing parameter `400 invalid_request`. An access token
//!   lasts `token_ttl` from its issue, on the fake's own clock.
//! - `GET /orders/2026-01-01/orders` with the access token in `x-amz-access-token`; an answer is
//!   `{orders, pagination?: {nextToken}, lastUpdatedBefore}`, errors an `ErrorList`
//!   (`{"errors": [{code, message, details?}]}`): a token missing, unknown or expired is
//!   `403 Unauthorized`, a bad parameter `400 InvalidInput`, an empty rate bucket
//!   `429 QuotaExceeded`. Lists in the query are comma-separated (Swagger 2's default `csv`; a
//!   repeated key is read too). The parameters:
//!   - `marketplaceIds` (required here; must hold the seller's marketplace; at most 50);
//!   - exactly one of `createdAfter` / `lastUpdatedAfter` (ISO 8601, inclusive), each with its
//!     optional, inclusive `createdBefore` / `lastUpdatedBefore` and never the other pair;
//!   - `fulfillmentStatuses`, `fulfilledBy` (MERCHANT, AMAZON) filters;
//!   - `maxResultsPerPage` 1..=100 (100 by default) and `paginationToken` (a previous answer's
//!     `nextToken`, valid only with the same filters; `maxResultsPerPage` and `includedData` may
//!     change between pages);
//!   - `includedData`: datasets to return. Without BUYER an order has no `buyer`, without
//!     RECIPIENT no `recipient`, without PROCEEDS no `proceeds` (nor its items' `proceeds`),
//!     without FULFILLMENT no `fulfillment` (nor its items'); likewise PACKAGES, PAYMENT, TAX,
//!     FULFILLMENT_ORDERS, EXPENSE, PROMOTION and CANCELLATION for what they name. `orderItems`
//!     with each item's `product` are always there.
//!
//!   Orders come sorted by `lastUpdatedTime` (for `lastUpdatedAfter`) or `createdTime` (for
//!   `createdAfter`), ties by `orderId`; a page continues strictly after the order the token
//!   names, so an order updated while a client pages moves to the end of a `lastUpdatedAfter`
//!   search and is met again there, never skipped.
//!
//! The usage plan (the model's table: 0.0056 requests a second, burst 20) is a token bucket:
//! every searchOrders request that passes the token check takes one, and one without a token in
//! the bucket is refused. `x-amzn-RateLimit-Limit` tells the rate on 200, 400 and 429 answers,
//! as the model lists it. The LWA grant is not rate limited here.
//!
//! Pending orders (`PENDING`) carry no `buyer` or `recipient`: Amazon withholds them until the
//! payment clears. The builders here make them so; stored orders are returned as stored.
//!
//! Admin (not Amazon's): `GET /__fake/calls` lists every API request (never a secret or a
//! token), `POST /__fake/orders` adds or replaces orders, `POST /__fake/faults` queues faults,
//! `POST /__fake/expire_tokens` ends every access token, `POST /__fake/set_bucket`
//! `{"tokens": 5.0}` sets the rate bucket's level.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultRule};
use crate::server::Served;

/// Login with Amazon's token endpoint (`https://api.amazon.com/auth/o2/token` for real).
pub const TOKEN_PATH: &str = "/auth/o2/token";
pub const SEARCH_ORDERS_PATH: &str = "/orders/2026-01-01/orders";
pub const TOKEN_HEADER: &str = "x-amz-access-token";
/// Amazon spells it `x-amzn-RateLimit-Limit`; header names are case-insensitive.
pub const RATE_LIMIT_HEADER: &str = "x-amzn-ratelimit-limit";
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const EXPIRE_TOKENS_PATH: &str = "/__fake/expire_tokens";
pub const SET_BUCKET_PATH: &str = "/__fake/set_bucket";
/// Amazon.de.
pub const DEFAULT_MARKETPLACE_ID: &str = "A1PA6795UKMFR9";
pub const MAX_RESULTS_PER_PAGE: usize = 100;
pub const FULFILLMENT_STATUSES: &[&str] = &[
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "CANCELLED",
    "UNFULFILLABLE",
];
pub const FULFILLED_BY: &[&str] = &["MERCHANT", "AMAZON"];
pub const INCLUDED_DATA: &[&str] = &[
    "BUYER",
    "RECIPIENT",
    "PROCEEDS",
    "EXPENSE",
    "PROMOTION",
    "CANCELLATION",
    "FULFILLMENT",
    "PACKAGES",
    "TAX",
    "PAYMENT",
    "FULFILLMENT_ORDERS",
];
/// The order's own sections each dataset of `includedData` brings (model: `Order`).
const ORDER_SECTIONS: &[(&str, &str)] = &[
    ("BUYER", "buyer"),
    ("RECIPIENT", "recipient"),
    ("PROCEEDS", "proceeds"),
    ("FULFILLMENT", "fulfillment"),
    ("PACKAGES", "packages"),
    ("PAYMENT", "payment"),
    ("TAX", "tax"),
    ("FULFILLMENT_ORDERS", "fulfillmentOrders"),
];
/// An item's sections each dataset brings (model: `OrderItem`).
const ITEM_SECTIONS: &[(&str, &str)] = &[
    ("PROCEEDS", "proceeds"),
    ("EXPENSE", "expense"),
    ("PROMOTION", "promotion"),
    ("CANCELLATION", "cancellation"),
    ("FULFILLMENT", "fulfillment"),
    ("TAX", "tax"),
];
/// The model's `maxItems` for `marketplaceIds`.
const MAX_MARKETPLACES: usize = 50;
/// What [`order`] charges in.
const CURRENCY: &str = "EUR";
/// In the calls log instead of a secret.
const MASK: &str = "***";
/// Keys whose values never reach the calls log, in a query or a body.
const SECRET_KEYS: &[&str] = &["refresh_token", "client_secret", "access_token", TOKEN_HEADER];
const DENIED: &str = "Access to requested resource is denied.";
const TOKEN_EXPIRED: &str = "The access token you provided has expired.";
const TOKEN_INVALID: &str = "The access token you provided is invalid.";
const QUOTA_EXCEEDED: &str = "You exceeded your quota for the requested resource.";
const EXACTLY_ONE: &str = "Exactly one of createdAfter or lastUpdatedAfter must be specified.";
const INVALID_PAGINATION_TOKEN: &str = "Invalid paginationToken";
const INTERNAL_FAILURE: &str = "We encountered an internal error. Please try again.";
/// An access token this long past its end is forgotten (then "invalid", no longer "expired"),
/// so a long demo run does not pile them up.
const FORGET_AFTER: Duration = Duration::from_secs(86_400);

#[derive(Debug, Clone)]
pub struct FakeAmazonConfig {
    /// The LWA app's client id (`amzn1.application-oa2-client.…`).
    pub client_id: String,
    pub client_secret: String,
    /// The seller's authorisation of the app (`Atzr|…`), which never ends.
    pub refresh_token: String,
    /// The one marketplace the seller sells in; a search must name it.
    pub marketplace_id: String,
    /// 0 = any free port.
    pub port: u16,
    /// How long an access token lasts from its issue; also its `expires_in`.
    pub token_ttl: Duration,
    /// The rate bucket's size (requests).
    pub burst: f64,
    /// Requests the bucket regains per second.
    pub rate: f64,
    /// Each searchOrders answers this much later (a slow API: long backfills to watch).
    pub page_delay: Duration,
}

impl FakeAmazonConfig {
    pub fn new(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        refresh_token: impl Into<String>,
    ) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            refresh_token: refresh_token.into(),
            marketplace_id: DEFAULT_MARKETPLACE_ID.into(),
            port: 0,
            token_ttl: Duration::from_secs(3600),
            // searchOrders' default usage plan.
            burst: 20.0,
            rate: 0.0056,
            page_delay: Duration::ZERO,
        }
    }
}

/// One API request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmazonCall {
    pub method: String,
    pub path: String,
    /// The query's pairs in request order, decoded, each secret's value masked.
    pub query: Vec<(String, String)>,
    /// The body's form (an object of strings) or JSON with every secret masked; null when there
    /// is none or it is unreadable (the raw text may hold a secret). Headers, which carry the
    /// access token, are never kept.
    pub body: Value,
    /// The HTTP status (`200`, `400`, `401`, `403`, `429`, `503`; `200` for a cut or HTML answer).
    pub answer: String,
}

/// An order as kept: as the API returns it with every dataset, and the times it is sorted and
/// filtered by.
#[derive(Debug, Clone)]
struct StoredOrder {
    id: String,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    doc: Value,
}

struct IssuedToken {
    issued: Instant,
    /// The `expire_tokens` round it was issued in; an older one has expired.
    round: u64,
}

/// The usage plan's token bucket, filled up lazily when read.
struct Bucket {
    level: f64,
    at: Instant,
}

struct Shared {
    config: FakeAmazonConfig,
    state: Mutex<SellerState>,
}

struct SellerState {
    orders: BTreeMap<String, StoredOrder>,
    tokens: HashMap<String, IssuedToken>,
    round: u64,
    tokens_issued: usize,
    bucket: Bucket,
    quota_exceeded: usize,
    calls: Vec<AmazonCall>,
    faults: VecDeque<FaultRule>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, SellerState> {
        self.state.lock().expect("seller poisoned")
    }
}

impl SellerState {
    /// The bucket's level now: what it held plus what it regained since, up to its size (a level
    /// forced above the size stays until spent).
    fn bucket_level(&mut self, c: &FakeAmazonConfig) -> f64 {
        let now = Instant::now();
        let b = &mut self.bucket;
        if b.level < c.burst {
            let regained = now.duration_since(b.at).as_secs_f64() * c.rate;
            b.level = (b.level + regained).min(c.burst);
        }
        b.at = now;
        b.level
    }

    /// Takes one request's token from the bucket, if it holds one.
    fn take_from_bucket(&mut self, c: &FakeAmazonConfig) -> bool {
        if self.bucket_level(c) >= 1.0 {
            self.bucket.level -= 1.0;
            true
        } else {
            false
        }
    }
}

pub struct FakeAmazon;

impl FakeAmazon {
    pub async fn start(config: FakeAmazonConfig) -> std::io::Result<FakeAmazonHandle> {
        let port = config.port;
        let state = SellerState {
            orders: BTreeMap::new(),
            tokens: HashMap::new(),
            round: 0,
            tokens_issued: 0,
            bucket: Bucket {
                level: config.burst,
                at: Instant::now(),
            },
            quota_exceeded: 0,
            calls: vec![],
            faults: VecDeque::new(),
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        // `any`, not `get`/`post`: a client's wrong method is a call to see in the log.
        let app = Router::new()
            .route(TOKEN_PATH, any(api_token))
            .route(SEARCH_ORDERS_PATH, any(api_search_orders))
            .route(CALLS_PATH, get(admin_calls))
            .route(ORDERS_ADMIN_PATH, post(admin_add_orders))
            .route(FAULTS_ADMIN_PATH, post(admin_faults))
            .route(EXPIRE_TOKENS_PATH, post(admin_expire_tokens))
            .route(SET_BUCKET_PATH, post(admin_set_bucket))
            .fallback(api_unknown)
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake Amazon").await?;
        Ok(FakeAmazonHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeAmazonHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeAmazonHandle {
    /// The SP-API endpoint (`https://sellingpartnerapi-eu.amazon.com` for real) and the LWA
    /// host at once.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// `<base_url>/auth/o2/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url())
    }

    pub fn marketplace_id(&self) -> String {
        self.shared.config.marketplace_id.clone()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Adds orders (as [`order`] makes them), replacing those with the same `orderId`.
    /// `lastUpdatedTime` defaults to `createdTime`, `salesChannel` to the seller's marketplace,
    /// `orderItems` to none.
    ///
    /// # Panics
    /// On an order without a string `orderId` or a readable `createdTime`: Amazon could not have
    /// made it.
    pub fn add_orders(&self, orders: impl IntoIterator<Item = Value>) {
        if let Err(message) = add_orders(&self.shared, orders.into_iter().collect()) {
            panic!("{message}");
        }
    }

    /// The order as stored, every dataset in it.
    pub fn order(&self, id: &str) -> Option<Value> {
        self.shared.lock().orders.get(id).map(|o| o.doc.clone())
    }

    pub fn remove_order(&self, id: &str) -> bool {
        self.shared.lock().orders.remove(id).is_some()
    }

    /// Changes an order as Amazon or the seller would; its `lastUpdatedTime` moves to now (whole
    /// seconds). False when there is no such order.
    ///
    /// # Panics
    /// When the edit leaves the order without an `orderId` or a readable `createdTime`.
    pub fn edit_order(&self, id: &str, edit: impl FnOnce(&mut Value)) -> bool {
        // The edit runs outside the lock: a panicking closure must not poison the seller.
        let Some(mut doc) = self.order(id) else {
            return false;
        };
        edit(&mut doc);
        if doc.is_object() {
            doc["lastUpdatedTime"] = json!(stamp(Utc::now()));
        }
        let stored =
            stored(doc, &self.shared.config.marketplace_id).unwrap_or_else(|message| panic!("{message}"));
        let mut s = self.shared.lock();
        s.orders.remove(id);
        s.orders.insert(stored.id.clone(), stored);
        true
    }

    /// Every access token issued so far has expired (the refresh token still works).
    pub fn expire_tokens(&self) {
        expire_tokens(&self.shared);
    }

    /// How many LWA grants succeeded.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens_issued
    }

    /// Forces the rate bucket's level (it restores from there at `rate`).
    pub fn set_bucket(&self, tokens: f64) {
        set_bucket(&self.shared, tokens);
    }

    /// The rate bucket's level now.
    pub fn bucket(&self) -> f64 {
        let c = &self.shared.config;
        self.shared.lock().bucket_level(c)
    }

    /// How many searches the empty bucket refused (queued faults not counted).
    pub fn quota_exceeded_count(&self) -> usize {
        self.shared.lock().quota_exceeded
    }

    /// Every API request received, in order.
    pub fn calls(&self) -> Vec<AmazonCall> {
        self.shared.lock().calls.clone()
    }

    /// The next API request misbehaves this way.
    pub fn push_fault(&self, fault: Fault) {
        self.shared
            .lock()
            .faults
            .push_back(FaultRule { fault, path: None });
    }

    /// The next request to `path` ([`TOKEN_PATH`] or [`SEARCH_ORDERS_PATH`]) misbehaves this way.
    pub fn push_fault_on(&self, path: &str, fault: Fault) {
        self.shared.lock().faults.push_back(FaultRule {
            fault,
            path: Some(path.to_string()),
        });
    }
}

fn expire_tokens(shared: &Shared) {
    shared.lock().round += 1;
}

fn set_bucket(shared: &Shared, tokens: f64) {
    shared.lock().bucket = Bucket {
        level: tokens,
        at: Instant::now(),
    };
}

fn add_orders(shared: &Shared, orders: Vec<Value>) -> Result<(), String> {
    let marketplace = &shared.config.marketplace_id;
    let stored = orders
        .into_iter()
        .map(|o| stored(o, marketplace))
        .collect::<Result<Vec<_>, _>>()?;
    shared
        .lock()
        .orders
        .extend(stored.into_iter().map(|o| (o.id.clone(), o)));
    Ok(())
}

fn stored(mut doc: Value, marketplace: &str) -> Result<StoredOrder, String> {
    let Some(id) = doc["orderId"]
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_string)
    else {
        return Err(format!("an order without a string orderId: {doc}"));
    };
    let Some(created) = doc["createdTime"].as_str().and_then(parse_time) else {
        return Err(format!("order {id} without an ISO 8601 createdTime"));
    };
    let updated = match &doc["lastUpdatedTime"] {
        Value::Null => {
            doc["lastUpdatedTime"] = doc["createdTime"].clone();
            created
        }
        v => v
            .as_str()
            .and_then(parse_time)
            .ok_or_else(|| format!("order {id} with an unreadable lastUpdatedTime: {v}"))?,
    };
    // Both are required in the model's Order: a client may count on them.
    if doc["salesChannel"].is_null() {
        doc["salesChannel"] = json!({"channelName": "AMAZON", "marketplaceId": marketplace});
    }
    if doc["orderItems"].is_null() {
        doc["orderItems"] = json!([]);
    }
    Ok(StoredOrder {
        id,
        created,
        updated,
        doc,
    })
}

/// An ISO 8601 time: RFC 3339, or without a zone (taken as UTC), or a date (UTC midnight).
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

/// A time as Amazon writes one: UTC, whole seconds (`2026-12-01T10:00:00Z`).
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

type S = State<Arc<Shared>>;

async fn api_token(State(shared): S, method: Method, uri: Uri, raw: Bytes) -> Response {
    let query = query_pairs(uri.query());
    let params = token_params(&raw);
    let body = params.clone().map(Value::Object);
    let (fault, response) = fault_for(&shared, TOKEN_PATH);
    if let Some(r) = response {
        return logged(&shared, &method, TOKEN_PATH, &query, body, r);
    }
    slow(fault.as_ref()).await;
    let (status, answer) = grant(&shared, &method, params.as_ref());
    let r = reply(status, answer, None);
    logged(&shared, &method, TOKEN_PATH, &query, body, r)
}

async fn api_search_orders(
    State(shared): S,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let query = query_pairs(uri.query());
    let body = body_doc(&raw);
    let (fault, response) = fault_for(&shared, SEARCH_ORDERS_PATH);
    if let Some(r) = response {
        return logged(&shared, &method, SEARCH_ORDERS_PATH, &query, body, r);
    }
    slow(fault.as_ref()).await;
    if !shared.config.page_delay.is_zero() {
        tokio::time::sleep(shared.config.page_delay).await;
    }
    // Only the header carries the token: it never reaches the log.
    let token = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
    let r = search_orders(&shared, &method, token, &query);
    logged(&shared, &method, SEARCH_ORDERS_PATH, &query, body, r)
}

/// Any other path or method: an `ErrorList` 404, logged so that a client's wrong path shows.
async fn api_unknown(State(shared): S, method: Method, uri: Uri, raw: Bytes) -> Response {
    let query = query_pairs(uri.query());
    let r = reply(StatusCode::NOT_FOUND, not_found(), None);
    logged(&shared, &method, uri.path(), &query, body_doc(&raw), r)
}

fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A request body worth logging: JSON, else nothing.
fn body_doc(raw: &[u8]) -> Option<Value> {
    if raw.is_empty() {
        return None;
    }
    serde_json::from_slice(raw).ok()
}

/// The grant's parameters: a JSON object, or a form (which reads anything, so it comes second).
fn token_params(raw: &[u8]) -> Option<Map<String, Value>> {
    let text = std::str::from_utf8(raw).ok()?;
    if text.trim_start().starts_with('{') {
        return match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        };
    }
    Some(
        form_urlencoded::parse(raw)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

/// The queued fault due for `path`, if any, and the answer it makes instead of Amazon's (a slow
/// fault makes none).
fn fault_for(shared: &Shared, path: &str) -> (Option<Fault>, Option<Response>) {
    let fault = {
        let mut s = shared.lock();
        let at = s
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == path));
        at.and_then(|i| s.faults.remove(i)).map(|f| f.fault)
    };
    let response = fault
        .as_ref()
        .and_then(|f| fault_response(f, path, shared.config.rate));
    (fault, response)
}

async fn slow(fault: Option<&Fault>) {
    if let Some(Fault::Slow { millis }) = fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
}

/// What a fault answers instead of Amazon, if it answers at all (a slow one does not; the other
/// fakes' own faults are ignored here).
fn fault_response(fault: &Fault, path: &str, rate: f64) -> Option<Response> {
    let on_search = path == SEARCH_ORDERS_PATH;
    Some(match fault {
        Fault::RateLimited { retry_after_secs } => {
            let mut r = reply(
                StatusCode::TOO_MANY_REQUESTS,
                quota_exceeded(),
                on_search.then_some(rate),
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert("retry-after", HeaderValue::from(*secs));
            }
            r
        }
        Fault::ServerError(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = if status == StatusCode::SERVICE_UNAVAILABLE {
                "ServiceUnavailable"
            } else {
                "InternalFailure"
            };
            reply(status, errors(code, INTERNAL_FAILURE, None), None)
        }
        Fault::TruncatedJson => {
            let cut = if on_search {
                "{\"orders\":[{\"orderId\":\"302-0000001-0000001\",\"createdTime\":\"2026-12-0"
            } else {
                "{\"access_token\":\"Atza|0f3a"
            };
            (StatusCode::OK, [("content-type", "application/json")], cut).into_response()
        }
        Fault::NotJson => (
            StatusCode::OK,
            [("content-type", "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Amazon.com</title></head>\
             <body><h1>Sorry! Something went wrong!</h1>\
             <p>We're very sorry, but we're having trouble doing what you just asked us to do.</p>\
             </body></html>",
        )
            .into_response(),
        _ => return None,
    })
}

/// Amazon's answer with its request id, and the usage plan's rate when given.
fn reply(status: StatusCode, body: Value, rate: Option<f64>) -> Response {
    let mut r = (status, Json(body)).into_response();
    let headers = r.headers_mut();
    if let Ok(id) = HeaderValue::from_str(&request_id()) {
        headers.insert(REQUEST_ID_HEADER, id);
    }
    if let Some(rate) = rate.and_then(|rate| HeaderValue::from_str(&rate.to_string()).ok()) {
        headers.insert(RATE_LIMIT_HEADER, rate);
    }
    r
}

fn request_id() -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..),
        fastrand::u16(..),
        fastrand::u64(..1 << 48)
    )
}

/// Logs the request by the answer's HTTP status and sends the answer.
fn logged(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    body: Option<Value>,
    r: Response,
) -> Response {
    let answer = r.status().as_u16().to_string();
    let mut s = shared.lock();
    let c = &shared.config;
    // Secrets by value too: a client may put one where no key names it.
    let mut secrets: Vec<String> = s.tokens.keys().cloned().collect();
    secrets.push(c.client_secret.clone());
    secrets.push(c.refresh_token.clone());
    secrets.retain(|x| !x.is_empty());
    let hidden = |key: &str, value: &str| {
        SECRET_KEYS.contains(&key) || secrets.iter().any(|secret| value.contains(secret.as_str()))
    };
    let query = query
        .iter()
        .map(|(k, v)| {
            let v = if hidden(k, v) { MASK.to_string() } else { v.clone() };
            (k.clone(), v)
        })
        .collect();
    let body = body.map(|d| masked(d, &secrets)).unwrap_or(Value::Null);
    s.calls.push(AmazonCall {
        method: method.to_string(),
        path: path.to_string(),
        query,
        body,
        answer,
    });
    r
}

/// The document with every secret-named key's value and every known secret hidden, however deep.
fn masked(mut doc: Value, secrets: &[String]) -> Value {
    fn walk(v: &mut Value, secrets: &[String]) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if SECRET_KEYS.contains(&key.as_str()) {
                        *value = json!(MASK);
                    } else {
                        walk(value, secrets);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, secrets)),
            Value::String(s) if secrets.iter().any(|secret| s.contains(secret.as_str())) => {
                *v = json!(MASK);
            }
            _ => {}
        }
    }
    walk(&mut doc, secrets);
    doc
}

fn oauth_error(error: &str, description: &str) -> Value {
    json!({"error": error, "error_description": description})
}

fn grant(shared: &Shared, method: &Method, params: Option<&Map<String, Value>>) -> (StatusCode, Value) {
    let bad = |error: &str, description: &str| (StatusCode::BAD_REQUEST, oauth_error(error, description));
    if method != Method::POST {
        return bad("invalid_request", "The request method must be POST");
    }
    let param = |key: &str| {
        params
            .and_then(|p| p.get(key))
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    // The grant type is read first: a client asking for another grant learns that, whoever it is.
    match param("grant_type") {
        None => {
            return bad(
                "invalid_request",
                "The request is missing a required parameter : grant_type",
            )
        }
        Some("refresh_token") => {}
        Some(_) => {
            return bad(
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server",
            )
        }
    }
    let c = &shared.config;
    if param("client_id") != Some(c.client_id.as_str())
        || param("client_secret") != Some(c.client_secret.as_str())
    {
        return (
            StatusCode::UNAUTHORIZED,
            oauth_error("invalid_client", "Client authentication failed"),
        );
    }
    match param("refresh_token") {
        None => {
            return bad(
                "invalid_request",
                "The request is missing a required parameter : refresh_token",
            )
        }
        Some(given) if given != c.refresh_token => {
            return bad(
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token",
            )
        }
        Some(_) => {}
    }
    let token = format!("Atza|{:032x}", fastrand::u128(..));
    let ttl = c.token_ttl;
    let mut s = shared.lock();
    let forget = ttl.saturating_add(FORGET_AFTER);
    s.tokens.retain(|_, t| t.issued.elapsed() < forget);
    let round = s.round;
    s.tokens.insert(
        token.clone(),
        IssuedToken {
            issued: Instant::now(),
            round,
        },
    );
    s.tokens_issued += 1;
    (
        StatusCode::OK,
        json!({"access_token": token, "token_type": "bearer", "expires_in": ttl.as_secs(),
               "refresh_token": c.refresh_token}),
    )
}

/// Why a token does not open the API, if it does not.
fn refusal(shared: &Shared, token: Option<&str>) -> Option<&'static str> {
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return Some(TOKEN_INVALID);
    };
    let s = shared.lock();
    match s.tokens.get(token) {
        None => Some(TOKEN_INVALID),
        Some(t) if t.round != s.round || t.issued.elapsed() >= shared.config.token_ttl => Some(TOKEN_EXPIRED),
        Some(_) => None,
    }
}

fn errors(code: &str, message: &str, details: Option<&str>) -> Value {
    let mut error = json!({"code": code, "message": message});
    if let Some(details) = details {
        error["details"] = json!(details);
    }
    json!({"errors": [error]})
}

fn invalid_input(message: &str) -> Value {
    errors("InvalidInput", message, None)
}

fn quota_exceeded() -> Value {
    errors("QuotaExceeded", QUOTA_EXCEEDED, None)
}

fn not_found() -> Value {
    errors("NotFound", "Resource not found.", None)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SortField {
    Created,
    LastUpdated,
}

/// A searchOrders request's parameters, checked.
#[derive(Debug, Clone)]
struct Search {
    field: SortField,
    after: DateTime<Utc>,
    before: Option<DateTime<Utc>>,
    marketplaces: BTreeSet<String>,
    statuses: Option<BTreeSet<String>>,
    fulfilled_by: Option<BTreeSet<String>>,
    max_results: usize,
    pagination_token: Option<String>,
    included: BTreeSet<String>,
}

impl Search {
    /// What a pagination token is bound to: every filter, but not the page size or the datasets
    /// (which may change between pages). Lists as sets, times as instants: the same filter
    /// written otherwise is the same filter.
    fn filter_hash(&self) -> String {
        let list = |set: Option<&BTreeSet<String>>| {
            set.map(|s| s.iter().cloned().collect::<Vec<_>>().join(","))
                .unwrap_or_default()
        };
        let exact = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let text = format!(
            "{:?}|{}|{}|{}|{}|{}",
            self.field,
            exact(self.after),
            self.before.map(exact).unwrap_or_default(),
            list(Some(&self.marketplaces)),
            list(self.statuses.as_ref()),
            list(self.fulfilled_by.as_ref()),
        );
        format!("{:016x}", fnv1a(&text))
    }

    fn sort_time(&self, o: &StoredOrder) -> DateTime<Utc> {
        match self.field {
            SortField::Created => o.created,
            SortField::LastUpdated => o.updated,
        }
    }

    fn admits(&self, o: &StoredOrder) -> bool {
        let t = self.sort_time(o);
        let among = |set: Option<&BTreeSet<String>>, v: &Value| {
            set.is_none_or(|set| v.as_str().is_some_and(|v| set.contains(v)))
        };
        let fulfillment = &o.doc["fulfillment"];
        t >= self.after
            && self.before.is_none_or(|b| t <= b)
            && among(Some(&self.marketplaces), &o.doc["salesChannel"]["marketplaceId"])
            && among(self.statuses.as_ref(), &fulfillment["fulfillmentStatus"])
            && among(self.fulfilled_by.as_ref(), &fulfillment["fulfilledBy"])
    }
}

/// 64-bit FNV-1a: a hash that stays the same from one build to the next.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every value given for `key`, a repeated key's too.
fn values<'a>(query: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    query
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// A one-value parameter; an empty value is no value.
fn scalar<'a>(query: &'a [(String, String)], key: &str) -> Result<Option<&'a str>, String> {
    let given: Vec<&str> = values(query, key)
        .into_iter()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    match given.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        _ => Err(format!("{key} must be specified only once.")),
    }
}

/// A list parameter, comma-separated; `allowed` its enum when it has one. Empty is absent.
fn list(
    query: &[(String, String)],
    key: &str,
    allowed: Option<&[&str]>,
) -> Result<Option<BTreeSet<String>>, String> {
    let items: BTreeSet<String> = values(query, key)
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(bad) = allowed.and_then(|allowed| items.iter().find(|i| !allowed.contains(&i.as_str()))) {
        return Err(format!("Invalid {key} value: {bad}."));
    }
    Ok((!items.is_empty()).then_some(items))
}

fn time(query: &[(String, String)], key: &str) -> Result<Option<DateTime<Utc>>, String> {
    scalar(query, key)?
        .map(|v| parse_time(v).ok_or_else(|| format!("{key} must be a date-time in ISO 8601 format.")))
        .transpose()
}

fn parse_search(query: &[(String, String)], c: &FakeAmazonConfig) -> Result<Search, String> {
    let Some(marketplaces) = list(query, "marketplaceIds", None)? else {
        return Err("marketplaceIds is required.".into());
    };
    if marketplaces.len() > MAX_MARKETPLACES {
        return Err(format!(
            "marketplaceIds may hold at most {MAX_MARKETPLACES} marketplaces."
        ));
    }
    if !marketplaces.contains(&c.marketplace_id) {
        let asked = marketplaces.iter().cloned().collect::<Vec<_>>().join(",");
        return Err(format!(
            "Invalid marketplaceIds: the seller is not registered in {asked}."
        ));
    }
    let present = |key: &str| scalar(query, key).map(|v| v.is_some());
    let (field, after_key, before_key, other_before) =
        match (present("createdAfter")?, present("lastUpdatedAfter")?) {
            (true, false) => (
                SortField::Created,
                "createdAfter",
                "createdBefore",
                "lastUpdatedBefore",
            ),
            (false, true) => (
                SortField::LastUpdated,
                "lastUpdatedAfter",
                "lastUpdatedBefore",
                "createdBefore",
            ),
            _ => return Err(EXACTLY_ONE.into()),
        };
    if present(other_before)? {
        let other_after = match field {
            SortField::Created => "lastUpdatedAfter",
            SortField::LastUpdated => "createdAfter",
        };
        return Err(format!(
            "If {after_key} is provided, neither {other_after} nor {other_before} may be provided."
        ));
    }
    let Some(after) = time(query, after_key)? else {
        return Err(EXACTLY_ONE.into());
    };
    let before = time(query, before_key)?;
    if before.is_some_and(|b| b < after) {
        return Err(format!("{before_key} must be equal to or after {after_key}."));
    }
    let statuses = list(query, "fulfillmentStatuses", Some(FULFILLMENT_STATUSES))?;
    let fulfilled_by = list(query, "fulfilledBy", Some(FULFILLED_BY))?;
    let included = list(query, "includedData", Some(INCLUDED_DATA))?.unwrap_or_default();
    let max_results = match scalar(query, "maxResultsPerPage")? {
        None => MAX_RESULTS_PER_PAGE,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_RESULTS_PER_PAGE).contains(n))
            .ok_or_else(|| {
                format!("maxResultsPerPage must be an integer from 1 to {MAX_RESULTS_PER_PAGE}.")
            })?,
    };
    let pagination_token = scalar(query, "paginationToken")?.map(str::to_string);
    Ok(Search {
        field,
        after,
        before,
        marketplaces,
        statuses,
        fulfilled_by,
        max_results,
        pagination_token,
        included,
    })
}

/// Opaque to a client: hex of `<sort time>|<orderId>|<filter hash>`, the position a page
/// continues strictly after, bound to the search's filters.
fn pagination_token(search: &Search, o: &StoredOrder) -> String {
    let plain = format!(
        "{}|{}|{}",
        search.sort_time(o).to_rfc3339_opts(SecondsFormat::AutoSi, true),
        o.id,
        search.filter_hash()
    );
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

/// A token's position and filter hash, if it is one of ours.
fn decode_pagination_token(token: &str) -> Option<(DateTime<Utc>, String, String)> {
    let pairs = token.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    let plain = pairs
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()?;
    let plain = String::from_utf8(plain).ok()?;
    let mut parts = plain.splitn(3, '|');
    let (at, id, hash) = (parts.next()?, parts.next()?, parts.next()?);
    let at = DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc);
    (!id.is_empty() && hash.len() == 16).then(|| (at, id.to_string(), hash.to_string()))
}

/// The order with only the datasets asked for.
fn projected(doc: &Value, included: &BTreeSet<String>) -> Value {
    let mut o = doc.clone();
    let Some(map) = o.as_object_mut() else {
        return o;
    };
    for (dataset, key) in ORDER_SECTIONS {
        if !included.contains(*dataset) {
            map.remove(*key);
        }
    }
    if let Some(items) = map.get_mut("orderItems").and_then(Value::as_array_mut) {
        for item in items.iter_mut().filter_map(Value::as_object_mut) {
            for (dataset, key) in ITEM_SECTIONS {
                if !included.contains(*dataset) {
                    item.remove(*key);
                }
            }
        }
    }
    o
}

fn search_orders(
    shared: &Shared,
    method: &Method,
    token: Option<&str>,
    query: &[(String, String)],
) -> Response {
    let c = &shared.config;
    let rated = |status: StatusCode, body: Value| reply(status, body, Some(c.rate));
    if method != Method::GET {
        return reply(StatusCode::NOT_FOUND, not_found(), None);
    }
    if let Some(details) = refusal(shared, token) {
        return reply(
            StatusCode::FORBIDDEN,
            errors("Unauthorized", DENIED, Some(details)),
            None,
        );
    }
    {
        let mut s = shared.lock();
        if !s.take_from_bucket(c) {
            s.quota_exceeded += 1;
            return rated(StatusCode::TOO_MANY_REQUESTS, quota_exceeded());
        }
    }
    let search = match parse_search(query, c) {
        Ok(search) => search,
        Err(message) => return rated(StatusCode::BAD_REQUEST, invalid_input(&message)),
    };
    let position = match search.pagination_token.as_deref().map(decode_pagination_token) {
        None => None,
        Some(None) => return rated(StatusCode::BAD_REQUEST, invalid_input(INVALID_PAGINATION_TOKEN)),
        Some(Some((at, id, hash))) => {
            if hash != search.filter_hash() {
                return rated(
                    StatusCode::BAD_REQUEST,
                    invalid_input(
                        "The paginationToken must be sent with the same parameters as the request \
                         that returned it (other than maxResultsPerPage and includedData).",
                    ),
                );
            }
            Some((at, id))
        }
    };
    let now = Utc::now();
    let s = shared.lock();
    let mut listed: Vec<&StoredOrder> = s.orders.values().filter(|o| search.admits(o)).collect();
    listed.sort_by(|a, b| (search.sort_time(a), &a.id).cmp(&(search.sort_time(b), &b.id)));
    let start = position.map_or(0, |(at, id)| {
        listed.partition_point(|o| (search.sort_time(o), &o.id) <= (at, &id))
    });
    let end = listed.len().min(start + search.max_results);
    let page = &listed[start..end];
    let orders: Vec<Value> = page.iter().map(|o| projected(&o.doc, &search.included)).collect();
    // Up to when the answer is complete: now (whole seconds, so an inclusive lastUpdatedAfter
    // from it misses nothing), or the search's own end if that came first.
    let complete_until = match (search.field, search.before) {
        (SortField::LastUpdated, Some(before)) => before.min(now),
        _ => now,
    };
    let mut body = json!({"orders": orders, "lastUpdatedBefore": stamp(complete_until)});
    if let (true, Some(last)) = (end < listed.len(), page.last()) {
        body["pagination"] = json!({"nextToken": pagination_token(&search, last)});
    }
    rated(StatusCode::OK, body)
}

async fn admin_calls(State(shared): S) -> Json<Vec<AmazonCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_add_orders(State(shared): S, Json(orders): Json<Vec<Value>>) -> Response {
    match add_orders(&shared, orders) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}

/// One rule (as the other fakes take) or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum FaultRules {
    One(FaultRule),
    Many(Vec<FaultRule>),
}

async fn admin_faults(State(shared): S, Json(rules): Json<FaultRules>) -> StatusCode {
    let rules = match rules {
        FaultRules::One(rule) => vec![rule],
        FaultRules::Many(rules) => rules,
    };
    shared.lock().faults.extend(rules);
    StatusCode::NO_CONTENT
}

async fn admin_expire_tokens(State(shared): S) -> StatusCode {
    expire_tokens(&shared);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Level {
    tokens: f64,
}

async fn admin_set_bucket(State(shared): S, Json(level): Json<Level>) -> StatusCode {
    set_bucket(&shared, level.tokens);
    StatusCode::NO_CONTENT
}

/// An amount in cents from a decimal string like `"24.99"`.
fn cents(amount: &str) -> Option<i64> {
    let x: f64 = amount.trim().parse().ok()?;
    x.is_finite().then(|| (x * 100.0).round() as i64)
}

/// A `Money` in euros: the amount a decimal string with two places.
fn money(cents: i64) -> Value {
    let sign = if cents < 0 { "-" } else { "" };
    let amount = format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100);
    json!({"amount": amount, "currencyCode": CURRENCY})
}

/// A buyer of [`order`], and where the order goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buyer {
    pub name: String,
    /// Amazon's relay address, never the buyer's own.
    pub email: String,
    pub address1: String,
    pub city: String,
    /// `stateOrRegion`: the Bundesland's code.
    pub state: String,
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub phone: String,
}

/// (city, Bundesland, postal code, dialling code) of [`Buyer::new`].
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Berlin", "BE", "10115", "30"),
    ("Hamburg", "HH", "20095", "40"),
    ("München", "BY", "80331", "89"),
    ("Köln", "NW", "50667", "221"),
    ("Frankfurt am Main", "HE", "60311", "69"),
    ("Stuttgart", "BW", "70173", "711"),
];

impl Buyer {
    /// Buyer number `n`, the same every time: names and places come round again, e-mails and
    /// phones are each buyer's own. Buyer 0 is Anna Schmidt of Hauptstr. 1, 10115 Berlin.
    pub fn new(n: usize) -> Self {
        const FIRST: &[&str] = &[
            "Anna",
            "Lukas",
            "Marie",
            "Jonas",
            "Sophie",
            "Felix",
            "Laura",
            "Paul",
            "Lena",
            "Maximilian",
        ];
        const LAST: &[&str] = &[
            "Schmidt",
            "Müller",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
        ];
        const STREETS: &[&str] = &["Hauptstr.", "Bahnhofstr.", "Gartenweg", "Schulstr."];
        let (city, state, postal_code, area) = PLACES[n % PLACES.len()];
        // Amazon's relay addresses look random: a scramble of `n`, the same every time.
        let relay = fnv1a(&n.to_string()) % 36u64.pow(12);
        Self {
            name: format!("{} {}", FIRST[n % FIRST.len()], LAST[(n / 3) % LAST.len()]),
            email: format!("{}@marketplace.amazon.de", base36(relay, 12)),
            address1: format!("{} {}", STREETS[n % STREETS.len()], 1 + n % 120),
            city: city.into(),
            state: state.into(),
            postal_code: postal_code.into(),
            country_code: "DE".into(),
            phone: format!("+49 {area} {}", 1_234_567 + n % 8_000_000),
        }
    }
}

fn base36(mut x: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = DIGITS[(x % 36) as usize];
        x /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An order with every dataset, as searchOrders returns it with BUYER, RECIPIENT, PROCEEDS and
/// FULFILLMENT: on Amazon.de in euros, unshipped, fulfilled by the merchant at the standard
/// service level, to ship within two days of `created` (also its last update); `items` as
/// (ASIN, seller SKU, title, quantity, unit price like `"24.99"`), its grand total theirs. An
/// item's id is the order id's last 12 digits and the item's number.
///
/// # Panics
/// On a unit price that is not a decimal number.
pub fn order(
    id: &str,
    created: DateTime<Utc>,
    buyer: Buyer,
    items: &[(&str, &str, &str, i64, &str)],
) -> Value {
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    let tail = &digits[digits.len().saturating_sub(12)..];
    let mut total = 0;
    let lines: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(k, (asin, sku, title, quantity, price))| {
            let unit = cents(price).unwrap_or_else(|| panic!("unit price {price:?} is not a number"));
            total += unit * quantity;
            json!({
                "orderItemId": format!("{tail:0>12}{:02}", k + 1),
                "quantityOrdered": quantity,
                "product": {"asin": asin, "title": title, "sellerSku": sku,
                            "price": {"unitPrice": money(unit)}},
            })
        })
        .collect();
    let at = stamp(created);
    json!({
        "orderId": id, "createdTime": at, "lastUpdatedTime": at,
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": DEFAULT_MARKETPLACE_ID,
                         "marketplaceName": "Amazon.de"},
        "buyer": {"buyerName": buyer.name, "buyerEmail": buyer.email},
        "recipient": {"deliveryAddress": {
            "name": buyer.name, "addressLine1": buyer.address1, "addressLine2": "",
            "city": buyer.city, "stateOrRegion": buyer.state, "postalCode": buyer.postal_code,
            "countryCode": buyer.country_code, "phone": buyer.phone, "addressType": "RESIDENTIAL"}},
        "proceeds": {"grandTotal": money(total)},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT",
                        "fulfillmentServiceLevel": "STANDARD",
                        "shipByWindow": {"earliestDateTime": at,
                                         "latestDateTime": stamp(created + chrono::Duration::days(2))}},
        "orderItems": lines,
    })
}

/// The order in `status`; a pending one (`PENDING`, `PENDING_AVAILABILITY`) loses its buyer and
/// recipient, as Amazon withholds them until the payment clears.
pub fn with_status(mut order: Value, status: &str) -> Value {
    order["fulfillment"]["fulfillmentStatus"] = json!(status);
    if status.starts_with("PENDING") {
        if let Some(map) = order.as_object_mut() {
            map.remove("buyer");
            map.remove("recipient");
        }
    }
    order
}

/// `n` orders, ids `302-0000001-0000001` to `302-{n:07}-{n:07}`, one every 10 minutes up to
/// `until` (order 1 the oldest), for backfills, demos and benchmarks. Every 8th is fulfilled by
/// Amazon (AFN), every 15th pending (no buyer or recipient), else every 12th cancelled, else
/// every 10th and every AFN one shipped; shipped and cancelled ones were last updated 5 minutes
/// after they were placed (never after `until`). One to three items from 8 products, so products
/// repeat, and every 6th by buyer 1, so a customer returns.
pub fn generated(n: usize, until: DateTime<Utc>) -> Vec<Value> {
    const CATALOG: &[(&str, &str, &str, &str)] = &[
        ("B08N5WRWNW", "ECHO-4", "Echo Dot", "24.99"),
        ("B07PVCVBN7", "FTV-4K", "Fire TV Stick 4K", "39.99"),
        ("B09SWW583J", "KPW-11", "Kindle Paperwhite", "149.99"),
        ("B0B7RSV894", "BLINK-MINI", "Blink Mini Kamera", "34.99"),
        ("B0CHWRXH8B", "PD-65W", "USB-C Ladegerät 65 W", "29.99"),
        ("B07FQK1TS9", "HDMI-2M", "HDMI-Kabel 2 m", "8.49"),
        ("B08KTZ8249", "USBC-1M", "USB-C Kabel 1 m", "7.99"),
        ("B0BDJ8K3HR", "TASSE-W", "Kaffeetasse weiß", "12.50"),
    ];
    (1..=n)
        .map(|i| {
            let created = until - chrono::Duration::minutes(10 * (n - i) as i64);
            let buyer = Buyer::new(if i % 6 == 0 { 1 } else { i });
            // A step of 3 through 8 products: an order never holds the same product twice.
            let items: Vec<(&str, &str, &str, i64, &str)> = (0..1 + i % 3)
                .map(|k| {
                    let (asin, sku, title, price) = CATALOG[(i + 3 * k) % CATALOG.len()];
                    (asin, sku, title, 1 + ((i + k) % 2) as i64, price)
                })
                .collect();
            let mut o = order(&format!("302-{i:07}-{i:07}"), created, buyer, &items);
            let afn = i % 8 == 0;
            if afn {
                o["fulfillment"]["fulfilledBy"] = json!("AMAZON");
            }
            let status = if i % 15 == 0 {
                "PENDING"
            } else if i % 12 == 0 {
                "CANCELLED"
            } else if i % 10 == 0 || afn {
                "SHIPPED"
            } else {
                "UNSHIPPED"
            };
            if matches!(status, "SHIPPED" | "CANCELLED") {
                let updated = (created + chrono::Duration::minutes(5)).min(until);
                o["lastUpdatedTime"] = json!(stamp(updated));
            }
            with_status(o, status)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_ID: &str = "amzn1.application-oa2-client.fake0001";
    const SECRET: &str = "amzn1.oa2-cs.v1.fake-client-secret-value";
    const REFRESH: &str = "Atzr|fake-refresh-token-0001";

    async fn start(edit: impl FnOnce(&mut FakeAmazonConfig)) -> FakeAmazonHandle {
        let mut config = FakeAmazonConfig::new(CLIENT_ID, SECRET, REFRESH);
        // Room for a test's searches; the bucket's own tests set it.
        config.burst = 100.0;
        edit(&mut config);
        FakeAmazon::start(config).await.unwrap()
    }

    async fn grant_with(fake: &FakeAmazonHandle, pairs: &[(&str, &str)]) -> reqwest::Response {
        let form: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        reqwest::Client::new()
            .post(fake.token_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await
            .unwrap()
    }

    fn grant_form<'a>(client_id: &'a str, secret: &'a str, refresh: &'a str) -> [(&'a str, &'a str); 4] {
        [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", client_id),
            ("client_secret", secret),
        ]
    }

    async fn token(fake: &FakeAmazonHandle) -> String {
        let r = grant_with(fake, &grant_form(CLIENT_ID, SECRET, REFRESH)).await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        answer["access_token"].as_str().unwrap().to_string()
    }

    async fn search_raw(
        fake: &FakeAmazonHandle,
        token: Option<&str>,
        query: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut r = reqwest::Client::new()
            .get(format!("{}{SEARCH_ORDERS_PATH}", fake.base_url()))
            .query(query);
        if let Some(token) = token {
            r = r.header(TOKEN_HEADER, token);
        }
        r.send().await.unwrap()
    }

    async fn search(fake: &FakeAmazonHandle, token: &str, query: &[(&str, &str)]) -> Value {
        let r = search_raw(fake, Some(token), query).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn refused(fake: &FakeAmazonHandle, token: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let r = search_raw(fake, Some(token), query).await;
        (r.status().as_u16(), r.json().await.unwrap())
    }

    fn ids(answer: &Value) -> Vec<String> {
        answer["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["orderId"].as_str().unwrap().to_string())
            .collect()
    }

    fn at(text: &str) -> DateTime<Utc> {
        parse_time(text).unwrap()
    }

    fn line() -> [(&'static str, &'static str, &'static str, i64, &'static str); 1] {
        [("B08N5WRWNW", "ECHO-4", "Echo Dot", 2, "24.99")]
    }

    const DE: (&str, &str) = ("marketplaceIds", DEFAULT_MARKETPLACE_ID);

    #[tokio::test]
    async fn amazon_lwa_grants_a_token_for_the_right_client_and_refresh_token() {
        let fake = start(|_| {}).await;
        let r = grant_with(&fake, &grant_form(CLIENT_ID, SECRET, REFRESH)).await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        let token = answer["access_token"].as_str().unwrap();
        assert!(token.starts_with("Atza|"));
        assert_eq!(token.len(), 5 + 32);
        assert!(token[5..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            answer,
            json!({"access_token": token, "token_type": "bearer", "expires_in": 3600, "refresh_token": REFRESH})
        );

        let wrong_client = grant_with(&fake, &grant_form("other-client", SECRET, REFRESH)).await;
        assert_eq!(wrong_client.status(), 401);
        assert_eq!(
            wrong_client.json::<Value>().await.unwrap(),
            json!({"error": "invalid_client", "error_description": "Client authentication failed"})
        );
        let wrong_secret = grant_with(&fake, &grant_form(CLIENT_ID, "wrong-secret", REFRESH)).await;
        assert_eq!(wrong_secret.status(), 401);
        let wrong_refresh = grant_with(&fake, &grant_form(CLIENT_ID, SECRET, "Atzr|revoked")).await;
        assert_eq!(wrong_refresh.status(), 400);
        assert_eq!(
            wrong_refresh.json::<Value>().await.unwrap(),
            json!({"error": "invalid_grant",
                   "error_description": "The request has an invalid grant parameter : refresh_token"})
        );
        let other_grant = grant_with(
            &fake,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ],
        )
        .await;
        assert_eq!(other_grant.status(), 400);
        assert_eq!(
            other_grant.json::<Value>().await.unwrap()["error"],
            "unsupported_grant_type"
        );
        let no_refresh = grant_with(
            &fake,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ],
        )
        .await;
        assert_eq!(no_refresh.status(), 400);
        assert_eq!(
            no_refresh.json::<Value>().await.unwrap()["error"],
            "invalid_request"
        );
        // JSON works as well as a form.
        let json_grant = reqwest::Client::new()
            .post(fake.token_url())
            .json(&json!({"grant_type": "refresh_token", "refresh_token": REFRESH,
                          "client_id": CLIENT_ID, "client_secret": SECRET}))
            .send()
            .await
            .unwrap();
        assert_eq!(json_grant.status(), 200);
        assert_eq!(fake.tokens_issued(), 2);
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_expired_token_is_refused_then_a_new_grant_works() {
        let fake = start(|c| c.token_ttl = Duration::from_millis(300)).await;
        let q = [DE, ("createdAfter", "2026-01-01T00:00:00Z")];
        let denied = |details: &str| json!({"errors": [{"code": "Unauthorized", "message": DENIED, "details": details}]});
        let token = token(&fake).await;
        search(&fake, &token, &q).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        let expired = search_raw(&fake, Some(&token), &q).await;
        assert_eq!(expired.status(), 403);
        assert!(expired.headers().get(RATE_LIMIT_HEADER).is_none());
        assert_eq!(
            expired.json::<Value>().await.unwrap(),
            denied("The access token you provided has expired.")
        );
        assert_eq!(
            refused(&fake, "Atza|unknown", &q).await,
            (403, denied("The access token you provided is invalid."))
        );
        let missing = search_raw(&fake, None, &q).await;
        assert_eq!(missing.status(), 403);
        assert_eq!(missing.json::<Value>().await.unwrap(), denied(TOKEN_INVALID));

        let fresh = self::token(&fake).await;
        assert_ne!(fresh, token);
        search(&fake, &fresh, &q).await;
        fake.expire_tokens();
        assert_eq!(refused(&fake, &fresh, &q).await, (403, denied(TOKEN_EXPIRED)));
        let third = self::token(&fake).await;
        search(&fake, &third, &q).await;
        let r = reqwest::Client::new()
            .post(format!("{}{EXPIRE_TOKENS_PATH}", fake.base_url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        assert_eq!(refused(&fake, &third, &q).await.0, 403);
        assert_eq!(fake.tokens_issued(), 3);
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_search_by_created_after_pages_250_orders() {
        let fake = start(|_| {}).await;
        let until = at("2026-11-30T12:00:00Z");
        let mut orders = generated(250, until);
        // Stored out of order: the search sorts, not the arrival.
        orders.reverse();
        fake.add_orders(orders);
        let token = token(&fake).await;
        let since = "2026-11-01T00:00:00Z";
        let mut seen: Vec<(String, String)> = vec![];
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let mut q = vec![DE, ("createdAfter", since), ("maxResultsPerPage", "100")];
            if let Some(t) = &next {
                q.push(("paginationToken", t.as_str()));
            }
            let page = search(&fake, &token, &q).await;
            pages += 1;
            assert!(page["lastUpdatedBefore"].as_str().and_then(parse_time).is_some());
            for o in page["orders"].as_array().unwrap() {
                assert!(o.get("buyer").is_none(), "no BUYER asked");
                seen.push((
                    o["createdTime"].as_str().unwrap().to_string(),
                    o["orderId"].as_str().unwrap().to_string(),
                ));
            }
            match page.get("pagination") {
                Some(p) => {
                    assert_eq!(ids(&page).len(), 100);
                    next = Some(p["nextToken"].as_str().unwrap().to_string());
                }
                None => {
                    assert_eq!(ids(&page).len(), 50);
                    break;
                }
            }
        }
        assert_eq!(pages, 3);
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ascending createdTime, then orderId");
        assert_eq!(seen.len(), 250);
        assert_eq!(seen[0].1, "302-0000001-0000001");
        let unique: BTreeSet<&String> = seen.iter().map(|(_, id)| id).collect();
        assert_eq!(unique.len(), 250, "every order once");

        // The inclusive start: the oldest order's own time lists it.
        let from_first = search(
            &fake,
            &token,
            &[
                DE,
                ("createdAfter", "2026-11-28T18:30:00Z"),
                ("maxResultsPerPage", "2"),
            ],
        )
        .await;
        assert_eq!(ids(&from_first), ["302-0000001-0000001", "302-0000002-0000002"]);
        let window = search(
            &fake,
            &token,
            &[
                DE,
                ("createdAfter", "2026-11-30T11:40:00Z"),
                ("createdBefore", "2026-11-30T11:50:00Z"),
            ],
        )
        .await;
        assert_eq!(ids(&window), ["302-0000248-0000248", "302-0000249-0000249"]);
        assert!(window.get("pagination").is_none());
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_search_by_last_updated_after_sorts_by_update_and_an_edit_moves_to_the_end() {
        let fake = start(|_| {}).await;
        let b = || Buyer::new(0);
        let mut one = order("028-0000001-0000001", at("2026-11-01T10:00:00Z"), b(), &line());
        one["lastUpdatedTime"] = json!("2026-11-03T10:00:00Z");
        fake.add_orders([
            one,
            order("028-0000002-0000002", at("2026-11-02T10:00:00Z"), b(), &line()),
            order("028-0000003-0000003", at("2026-11-02T10:00:00Z"), b(), &line()),
            order("028-0000004-0000004", at("2026-10-30T10:00:00Z"), b(), &line()),
        ]);
        let token = token(&fake).await;
        let q = [DE, ("lastUpdatedAfter", "2026-11-02T10:00:00Z")];
        let asked = Utc::now() - chrono::Duration::seconds(1);
        let answer = search(&fake, &token, &q).await;
        assert_eq!(
            ids(&answer),
            [
                "028-0000002-0000002",
                "028-0000003-0000003",
                "028-0000001-0000001"
            ],
            "at or after, by lastUpdatedTime then orderId"
        );
        let lub = at(answer["lastUpdatedBefore"].as_str().unwrap());
        assert!(lub >= asked && lub <= Utc::now(), "now, whole seconds");
        let created = search(&fake, &token, &[DE, ("createdAfter", "2026-11-01T10:00:00Z")]).await;
        assert_eq!(
            ids(&created),
            [
                "028-0000001-0000001",
                "028-0000002-0000002",
                "028-0000003-0000003"
            ]
        );

        // Page 1 of 2, then order 2 ships: it moves past order 1 and page 2 meets it again.
        let first = search(&fake, &token, &[q[0], q[1], ("maxResultsPerPage", "2")]).await;
        assert_eq!(ids(&first), ["028-0000002-0000002", "028-0000003-0000003"]);
        assert!(fake.edit_order("028-0000002-0000002", |o| {
            o["fulfillment"]["fulfillmentStatus"] = json!("SHIPPED");
        }));
        let edited = fake.order("028-0000002-0000002").unwrap();
        assert_ne!(edited["lastUpdatedTime"], "2026-11-02T10:00:00Z");
        let token_2 = first["pagination"]["nextToken"].as_str().unwrap();
        let second = search(
            &fake,
            &token,
            &[
                q[0],
                q[1],
                ("paginationToken", token_2),
                ("includedData", "FULFILLMENT"),
            ],
        )
        .await;
        assert_eq!(ids(&second), ["028-0000001-0000001", "028-0000002-0000002"]);
        assert_eq!(second["orders"][1]["fulfillment"]["fulfillmentStatus"], "SHIPPED");
        let bounded = search(
            &fake,
            &token,
            &[
                DE,
                ("lastUpdatedAfter", "2026-11-02T10:00:00Z"),
                ("lastUpdatedBefore", "2026-11-03T10:00:00Z"),
            ],
        )
        .await;
        assert_eq!(ids(&bounded), ["028-0000003-0000003", "028-0000001-0000001"]);
        assert_eq!(bounded["lastUpdatedBefore"], "2026-11-03T10:00:00Z");
        assert!(!fake.edit_order("404-0000000-0000000", |_| {}));
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_search_refuses_bad_parameters() {
        let fake = start(|_| {}).await;
        let token = token(&fake).await;
        let exactly_one = json!({"errors": [{"code": "InvalidInput", "message": EXACTLY_ONE}]});
        let neither = search_raw(&fake, Some(&token), &[DE]).await;
        assert_eq!(neither.status(), 400);
        assert_eq!(neither.headers()[RATE_LIMIT_HEADER], "0.0056");
        assert_eq!(neither.json::<Value>().await.unwrap(), exactly_one);
        let both = [
            DE,
            ("createdAfter", "2026-11-01T00:00:00Z"),
            ("lastUpdatedAfter", "2026-11-01T00:00:00Z"),
        ];
        assert_eq!(refused(&fake, &token, &both).await, (400, exactly_one));
        let after = ("createdAfter", "2026-11-01T00:00:00Z");
        for bad in [
            vec![after],
            vec![("marketplaceIds", "A13V1IB3VIYZZH"), after],
            vec![DE, ("createdAfter", "yesterday")],
            vec![DE, after, ("lastUpdatedBefore", "2026-11-02T00:00:00Z")],
            vec![
                DE,
                ("lastUpdatedAfter", "2026-11-01T00:00:00Z"),
                ("createdBefore", "2026-11-02T00:00:00Z"),
            ],
            vec![DE, after, ("createdBefore", "2026-10-01T00:00:00Z")],
            vec![DE, after, ("maxResultsPerPage", "0")],
            vec![DE, after, ("maxResultsPerPage", "101")],
            vec![DE, after, ("maxResultsPerPage", "ten")],
            vec![DE, after, ("fulfillmentStatuses", "UNSHIPPED,shipped")],
            vec![DE, after, ("fulfilledBy", "SELLER")],
            vec![DE, after, ("includedData", "BUYER,EVERYTHING")],
            vec![DE, after, after],
            vec![DE, after, ("paginationToken", "not-a-token")],
        ] {
            let (status, body) = refused(&fake, &token, &bad).await;
            assert_eq!(status, 400, "{bad:?}");
            assert_eq!(body["errors"][0]["code"], "InvalidInput", "{bad:?}");
            assert!(body["errors"][0]["message"].is_string());
        }
        assert_eq!(
            refused(&fake, &token, &[DE, after, ("paginationToken", "zz")]).await,
            (
                400,
                json!({"errors": [{"code": "InvalidInput", "message": "Invalid paginationToken"}]})
            )
        );
        // Comma lists, a repeated key and another marketplace beside the seller's are all read.
        for good in [
            vec![("marketplaceIds", "A13V1IB3VIYZZH,A1PA6795UKMFR9"), after],
            vec![("marketplaceIds", "A13V1IB3VIYZZH"), DE, after],
            vec![
                DE,
                ("createdAfter", "2026-11-01"),
                ("fulfillmentStatuses", "UNSHIPPED,SHIPPED"),
            ],
            vec![
                DE,
                ("createdAfter", "2026-11-01T01:00:00+01:00"),
                ("maxResultsPerPage", "1"),
            ],
        ] {
            search(&fake, &token, &good).await;
        }
        let wrong_method = reqwest::Client::new()
            .post(format!("{}{SEARCH_ORDERS_PATH}", fake.base_url()))
            .header(TOKEN_HEADER, &token)
            .send()
            .await
            .unwrap();
        assert_eq!(wrong_method.status(), 404);
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_included_data_leaves_sections_out() {
        let fake = start(|_| {}).await;
        let mut full = order(
            "302-0000001-0000001",
            at("2026-11-01T10:00:00Z"),
            Buyer::new(0),
            &line(),
        );
        full["orderItems"][0]["proceeds"] =
            json!({"proceedsTotal": {"amount": "49.98", "currencyCode": "EUR"}});
        full["packages"] = json!([{"packageReferenceId": "1", "carrier": "DHL"}]);
        fake.add_orders([full.clone()]);
        let token = token(&fake).await;
        let q = |included: &'static str| {
            [
                DE,
                ("createdAfter", "2026-11-01T00:00:00Z"),
                ("includedData", included),
            ]
        };
        let bare = search(&fake, &token, &[DE, ("createdAfter", "2026-11-01T00:00:00Z")]).await;
        let o = &bare["orders"][0];
        for section in ["buyer", "recipient", "proceeds", "fulfillment", "packages"] {
            assert!(o.get(section).is_none(), "{section}");
        }
        assert!(o["orderItems"][0].get("proceeds").is_none());
        assert_eq!(
            o["orderItems"][0],
            json!({"orderItemId": "00001000000101", "quantityOrdered": 2,
                   "product": {"asin": "B08N5WRWNW", "title": "Echo Dot", "sellerSku": "ECHO-4",
                               "price": {"unitPrice": {"amount": "24.99", "currencyCode": "EUR"}}}})
        );
        assert_eq!(o["salesChannel"], full["salesChannel"]);
        assert_eq!(o["createdTime"], "2026-11-01T10:00:00Z");

        let some = search(&fake, &token, &q("BUYER,FULFILLMENT")).await;
        let o = &some["orders"][0];
        assert_eq!(o["buyer"], full["buyer"]);
        assert_eq!(o["fulfillment"], full["fulfillment"]);
        assert!(o.get("recipient").is_none());
        assert!(o.get("proceeds").is_none());

        let all = search(&fake, &token, &q("BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,PACKAGES")).await;
        assert_eq!(all["orders"][0], full, "every dataset: the order as stored");
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_pending_orders_carry_no_buyer_and_filters_pick_statuses() {
        let fake = start(|_| {}).await;
        fake.add_orders(generated(30, at("2026-11-30T12:00:00Z")));
        let token = token(&fake).await;
        let after = ("createdAfter", "2026-11-01T00:00:00Z");
        let all = search(
            &fake,
            &token,
            &[DE, after, ("includedData", "BUYER,RECIPIENT,FULFILLMENT")],
        )
        .await;
        for o in all["orders"].as_array().unwrap() {
            let pending = o["fulfillment"]["fulfillmentStatus"] == "PENDING";
            assert_eq!(o.get("buyer").is_none(), pending, "{o}");
            assert_eq!(o.get("recipient").is_none(), pending, "{o}");
        }
        let pending = search(&fake, &token, &[DE, after, ("fulfillmentStatuses", "PENDING")]).await;
        assert_eq!(ids(&pending), ["302-0000015-0000015", "302-0000030-0000030"]);
        let afn = search(&fake, &token, &[DE, after, ("fulfilledBy", "AMAZON")]).await;
        assert_eq!(
            ids(&afn),
            [
                "302-0000008-0000008",
                "302-0000016-0000016",
                "302-0000024-0000024"
            ]
        );
        let open = search(
            &fake,
            &token,
            &[
                DE,
                after,
                ("fulfillmentStatuses", "CANCELLED,PENDING"),
                ("fulfilledBy", "MERCHANT"),
            ],
        )
        .await;
        assert_eq!(
            ids(&open),
            [
                "302-0000012-0000012",
                "302-0000015-0000015",
                "302-0000030-0000030"
            ]
        );
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_pagination_token_needs_the_same_filters() {
        let fake = start(|_| {}).await;
        fake.add_orders(generated(5, at("2026-11-30T12:00:00Z")));
        let token = token(&fake).await;
        let after = ("createdAfter", "2026-11-01T00:00:00Z");
        let first = search(&fake, &token, &[DE, after, ("maxResultsPerPage", "2")]).await;
        let next = first["pagination"]["nextToken"].as_str().unwrap().to_string();
        let page_token = ("paginationToken", next.as_str());
        for other in [
            vec![DE, ("createdAfter", "2026-11-02T00:00:00Z"), page_token],
            vec![DE, ("lastUpdatedAfter", "2026-11-01T00:00:00Z"), page_token],
            vec![DE, after, ("fulfilledBy", "MERCHANT"), page_token],
            vec![
                ("marketplaceIds", "A1PA6795UKMFR9,A13V1IB3VIYZZH"),
                after,
                page_token,
            ],
        ] {
            let (status, body) = refused(&fake, &token, &other).await;
            assert_eq!(status, 400, "{other:?}");
            assert_eq!(body["errors"][0]["code"], "InvalidInput");
        }
        // The same filter written otherwise, another page size and datasets: the next page.
        let second = search(
            &fake,
            &token,
            &[
                DE,
                ("createdAfter", "2026-11-01T01:00:00+01:00"),
                page_token,
                ("maxResultsPerPage", "3"),
                ("includedData", "BUYER"),
            ],
        )
        .await;
        assert_eq!(
            ids(&second),
            [
                "302-0000003-0000003",
                "302-0000004-0000004",
                "302-0000005-0000005"
            ]
        );
        assert!(second.get("pagination").is_none());
        assert!(second["orders"][0]["buyer"].is_object());
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_rate_bucket_refuses_when_empty_and_restores() {
        let fake = start(|c| {
            c.burst = 3.0;
            c.rate = 0.0056;
        })
        .await;
        let token = token(&fake).await;
        let q = [DE, ("createdAfter", "2026-11-01T00:00:00Z")];
        for _ in 0..3 {
            let r = search_raw(&fake, Some(&token), &q).await;
            assert_eq!(r.status(), 200);
            assert_eq!(r.headers()["x-amzn-RateLimit-Limit"], "0.0056");
            assert!(r.headers().get(REQUEST_ID_HEADER).is_some());
        }
        let limited = search_raw(&fake, Some(&token), &q).await;
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["x-amzn-RateLimit-Limit"], "0.0056");
        assert_eq!(
            limited.json::<Value>().await.unwrap(),
            json!({"errors": [{"code": "QuotaExceeded",
                               "message": "You exceeded your quota for the requested resource."}]})
        );
        // The token grant does not use the bucket.
        self::token(&fake).await;
        fake.set_bucket(1.0);
        assert_eq!(search_raw(&fake, Some(&token), &q).await.status(), 200);
        assert_eq!(search_raw(&fake, Some(&token), &q).await.status(), 429);
        fake.set_bucket(0.0);
        assert_eq!(search_raw(&fake, Some(&token), &q).await.status(), 429);
        assert_eq!(fake.quota_exceeded_count(), 3);
        let r = reqwest::Client::new()
            .post(format!("{}{SET_BUCKET_PATH}", fake.base_url()))
            .json(&json!({"tokens": 2.0}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        assert_eq!(search_raw(&fake, Some(&token), &q).await.status(), 200);
        assert!((fake.bucket() - 1.0).abs() < 0.01);
        fake.shutdown();

        // 10 a second: 100 ms bring a request back (and the refused one comes sooner).
        let fast = start(|c| {
            c.burst = 1.0;
            c.rate = 10.0;
        })
        .await;
        let token = self::token(&fast).await;
        fast.set_bucket(0.0);
        assert_eq!(search_raw(&fast, Some(&token), &q).await.status(), 429);
        tokio::time::sleep(Duration::from_millis(120)).await;
        let r = search_raw(&fast, Some(&token), &q).await;
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()[RATE_LIMIT_HEADER], "10");
        fast.shutdown();
    }

    #[tokio::test]
    async fn amazon_calls_log_never_holds_a_secret_or_token() {
        let fake = start(|_| {}).await;
        let token = token(&fake).await;
        grant_with(
            &fake,
            &grant_form(CLIENT_ID, "wrong-secret", "Atzr|wrong-refresh"),
        )
        .await;
        search(&fake, &token, &[DE, ("createdAfter", "2026-11-01T00:00:00Z")]).await;
        // A token where it does not belong is hidden too.
        search_raw(
            &fake,
            Some(&token),
            &[
                DE,
                ("createdAfter", "2026-11-01T00:00:00Z"),
                ("paginationToken", token.as_str()),
            ],
        )
        .await;
        search_raw(&fake, None, &[("access_token", "Atza|in-the-query")]).await;
        let listed: Value = reqwest::get(format!("{}{CALLS_PATH}", fake.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = listed.to_string();
        for secret in [
            SECRET,
            REFRESH,
            "wrong-secret",
            "Atzr|wrong-refresh",
            token.as_str(),
            "Atza|",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            listed[0],
            json!({"method": "POST", "path": TOKEN_PATH, "query": [],
                   "body": {"grant_type": "refresh_token", "refresh_token": "***",
                            "client_id": CLIENT_ID, "client_secret": "***"},
                   "answer": "200"})
        );
        assert_eq!(
            listed[2],
            json!({"method": "GET", "path": SEARCH_ORDERS_PATH,
                   "query": [["marketplaceIds", DEFAULT_MARKETPLACE_ID], ["createdAfter", "2026-11-01T00:00:00Z"]],
                   "body": null, "answer": "200"})
        );
        assert_eq!(listed[3]["query"][2], json!(["paginationToken", "***"]));
        assert_eq!(listed[4]["query"], json!([["access_token", "***"]]));
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["200", "401", "200", "400", "403"]);
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_faults_answer_once_then_amazon_does() {
        let fake = start(|_| {}).await;
        let token = token(&fake).await;
        let q = [DE, ("createdAfter", "2026-11-01T00:00:00Z")];
        fake.push_fault_on(SEARCH_ORDERS_PATH, Fault::ServerError(503));
        let unavailable = search_raw(&fake, Some(&token), &q).await;
        assert_eq!(unavailable.status(), 503);
        assert_eq!(
            unavailable.json::<Value>().await.unwrap(),
            json!({"errors": [{"code": "ServiceUnavailable", "message": INTERNAL_FAILURE}]})
        );
        search(&fake, &token, &q).await;

        fake.push_fault(Fault::RateLimited {
            retry_after_secs: Some(2),
        });
        let limited = search_raw(&fake, Some(&token), &q).await;
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["retry-after"], "2");
        assert_eq!(limited.headers()[RATE_LIMIT_HEADER], "0.0056");
        assert_eq!(limited.json::<Value>().await.unwrap(), quota_exceeded());
        assert_eq!(fake.quota_exceeded_count(), 0, "a fault is not the bucket");

        // Serde cannot read `ServerError(u16)` in an internally tagged list: the handle queues it.
        fake.push_fault_on(TOKEN_PATH, Fault::ServerError(500));
        let r = reqwest::Client::new()
            .post(format!("{}{FAULTS_ADMIN_PATH}", fake.base_url()))
            .json(&json!([{"type": "not_json", "path": SEARCH_ORDERS_PATH}, {"type": "truncated_json"}]))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let internal = grant_with(&fake, &grant_form(CLIENT_ID, SECRET, REFRESH)).await;
        assert_eq!(internal.status(), 500);
        assert_eq!(
            internal.json::<Value>().await.unwrap(),
            json!({"errors": [{"code": "InternalFailure", "message": INTERNAL_FAILURE}]})
        );
        let html = search_raw(&fake, Some(&token), &q).await;
        assert_eq!(html.status(), 200);
        assert!(html.text().await.unwrap().starts_with("<!DOCTYPE html>"));
        let cut = search_raw(&fake, Some(&token), &q).await;
        assert!(cut.json::<Value>().await.is_err());
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["200", "503", "200", "429", "500", "200", "200"]);
        fake.shutdown();
    }

    #[tokio::test]
    async fn amazon_admin_adds_and_replaces_orders() {
        let fake = start(|_| {}).await;
        let minimal = json!({"orderId": "028-1111111-2222222", "createdTime": "2026-11-01T10:00:00Z"});
        let r = reqwest::Client::new()
            .post(format!("{}{ORDERS_ADMIN_PATH}", fake.base_url()))
            .json(&json!([minimal]))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let stored = fake.order("028-1111111-2222222").unwrap();
        assert_eq!(stored["lastUpdatedTime"], "2026-11-01T10:00:00Z");
        assert_eq!(stored["salesChannel"]["marketplaceId"], DEFAULT_MARKETPLACE_ID);
        assert_eq!(stored["orderItems"], json!([]));
        let bad = reqwest::Client::new()
            .post(format!("{}{ORDERS_ADMIN_PATH}", fake.base_url()))
            .json(&json!([{"orderId": 5, "createdTime": "2026-11-01T10:00:00Z"}]))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        fake.add_orders([json!({"orderId": "028-1111111-2222222", "createdTime": "2026-11-02T10:00:00Z"})]);
        assert_eq!(
            fake.order("028-1111111-2222222").unwrap()["createdTime"],
            "2026-11-02T10:00:00Z"
        );
        assert!(fake.remove_order("028-1111111-2222222"));
        assert!(fake.order("028-1111111-2222222").is_none());
        fake.shutdown();
    }

    #[test]
    fn amazon_orders_are_built_in_the_models_shape() {
        let o = order(
            "113-0000001-0000001",
            at("2026-12-01T10:00:00Z"),
            Buyer::new(0),
            &[
                ("B08N5WRWNW", "ECHO-4", "Echo Dot", 2, "24.99"),
                ("B07FQK1TS9", "HDMI-2M", "HDMI-Kabel 2 m", 1, "5.01"),
            ],
        );
        let email = Buyer::new(0).email;
        assert!(email.ends_with("@marketplace.amazon.de"));
        assert_eq!(
            o,
            json!({"orderId": "113-0000001-0000001", "createdTime": "2026-12-01T10:00:00Z",
                   "lastUpdatedTime": "2026-12-01T10:00:00Z",
                   "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1PA6795UKMFR9",
                                    "marketplaceName": "Amazon.de"},
                   "buyer": {"buyerName": "Anna Schmidt", "buyerEmail": email},
                   "recipient": {"deliveryAddress": {"name": "Anna Schmidt", "addressLine1": "Hauptstr. 1",
                                 "addressLine2": "", "city": "Berlin", "stateOrRegion": "BE",
                                 "postalCode": "10115", "countryCode": "DE", "phone": "+49 30 1234567",
                                 "addressType": "RESIDENTIAL"}},
                   "proceeds": {"grandTotal": {"amount": "54.99", "currencyCode": "EUR"}},
                   "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT",
                                   "fulfillmentServiceLevel": "STANDARD",
                                   "shipByWindow": {"earliestDateTime": "2026-12-01T10:00:00Z",
                                                    "latestDateTime": "2026-12-03T10:00:00Z"}},
                   "orderItems": [
                       {"orderItemId": "00001000000101", "quantityOrdered": 2,
                        "product": {"asin": "B08N5WRWNW", "title": "Echo Dot", "sellerSku": "ECHO-4",
                                    "price": {"unitPrice": {"amount": "24.99", "currencyCode": "EUR"}}}},
                       {"orderItemId": "00001000000102", "quantityOrdered": 1,
                        "product": {"asin": "B07FQK1TS9", "title": "HDMI-Kabel 2 m", "sellerSku": "HDMI-2M",
                                    "price": {"unitPrice": {"amount": "5.01", "currencyCode": "EUR"}}}}]})
        );
        let pending = with_status(o, "PENDING");
        assert!(pending.get("buyer").is_none() && pending.get("recipient").is_none());
        assert_eq!(pending["fulfillment"]["fulfillmentStatus"], "PENDING");
        assert_ne!(Buyer::new(1).email, email);
    }

    #[test]
    fn amazon_generated_orders_repeat_products_and_a_buyer() {
        let until = at("2026-07-01T09:00:00Z");
        let orders = generated(120, until);
        assert_eq!(orders.len(), 120);
        assert_eq!(orders[0]["orderId"], "302-0000001-0000001");
        assert_eq!(orders[119]["createdTime"], "2026-07-01T09:00:00Z");
        assert_eq!(orders[118]["createdTime"], "2026-07-01T08:50:00Z");
        let status = |i: usize| orders[i - 1]["fulfillment"]["fulfillmentStatus"].clone();
        let by = |i: usize| orders[i - 1]["fulfillment"]["fulfilledBy"].clone();
        assert_eq!(status(1), "UNSHIPPED");
        assert_eq!(by(1), "MERCHANT");
        assert_eq!(status(10), "SHIPPED");
        assert_eq!(orders[9]["lastUpdatedTime"], "2026-06-30T14:45:00Z");
        assert_eq!(status(12), "CANCELLED");
        assert_eq!((status(8), by(8)), (json!("SHIPPED"), json!("AMAZON")));
        assert_eq!((status(24), by(24)), (json!("CANCELLED"), json!("AMAZON")));
        assert_eq!((status(120), by(120)), (json!("PENDING"), json!("AMAZON")));
        let last_afn = generated(8, until);
        assert_eq!(
            last_afn[7]["lastUpdatedTime"], "2026-07-01T09:00:00Z",
            "never after until"
        );
        assert_eq!(status(15), "PENDING");
        assert!(orders[14].get("buyer").is_none() && orders[14].get("recipient").is_none());
        assert_eq!(orders[5]["buyer"], orders[0]["buyer"]);
        assert_eq!(orders[5]["recipient"], orders[0]["recipient"]);
        assert_ne!(orders[1]["buyer"], orders[0]["buyer"]);
        assert_eq!(orders, generated(120, until));
        for o in &orders {
            let items = o["orderItems"].as_array().unwrap();
            assert!((1..=3).contains(&items.len()));
            let total: i64 = items
                .iter()
                .map(|i| {
                    cents(i["product"]["price"]["unitPrice"]["amount"].as_str().unwrap()).unwrap()
                        * i["quantityOrdered"].as_i64().unwrap()
                })
                .sum();
            assert_eq!(o["proceeds"]["grandTotal"], money(total));
        }
    }

    #[test]
    fn amazon_pagination_tokens_round_trip_and_refuse_garbage() {
        let search = Search {
            field: SortField::Created,
            after: at("2026-11-01T00:00:00Z"),
            before: None,
            marketplaces: [DEFAULT_MARKETPLACE_ID.to_string()].into(),
            statuses: None,
            fulfilled_by: None,
            max_results: 100,
            pagination_token: None,
            included: BTreeSet::new(),
        };
        let o = stored(
            order(
                "302-0000001-0000001",
                at("2026-11-02T10:00:00Z"),
                Buyer::new(1),
                &line(),
            ),
            DEFAULT_MARKETPLACE_ID,
        )
        .unwrap();
        let token = pagination_token(&search, &o);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            decode_pagination_token(&token),
            Some((o.created, o.id.clone(), search.filter_hash()))
        );
        for bad in ["", "abc", "zz", "7c7c7c"] {
            assert_eq!(decode_pagination_token(bad), None, "{bad}");
        }
    }
}
