//! Fake Shopify store: the Admin GraphQL API and the client-credentials grant, as Shopify
//! documents them.
//!
//! - `POST /admin/oauth/access_token` with `grant_type=client_credentials`, `client_id` and
//!   `client_secret` (form-urlencoded or JSON) gives `{access_token: "shpat_…", scope,
//!   expires_in}`; a wrong client is `400 {"error": "invalid_client", …}`, another grant type
//!   `400 {"error": "unsupported_grant_type"}`. A token lasts `token_ttl` from its issue; an old
//!   custom app's fixed admin token (`legacy_token`) never ends.
//! - `POST /admin/api/{version}/graphql.json` with `X-Shopify-Access-Token` and
//!   `{query, variables}`. Another version than the store's is `404 {"errors": "Not Found"}`, a
//!   token missing, unknown or expired `401 {"errors": "[API] Invalid API key or access token …"}`,
//!   a body that is not a JSON query `400 {"errors": {"query": "Required parameter missing or
//!   invalid"}}`. GraphQL errors are HTTP 200 with a top-level `errors` list.
//!
//! The fake does not parse GraphQL: a query holding `orders(` lists orders (`first` 1..=250,
//! `after`, `query` from `variables`; sort key UPDATED_AT, ascending, ties by id) and returns every
//! stored field whatever the selection; one holding `shop {` tells the shop's name and currency.
//! The search syntax it reads is `updated_at` / `created_at` with `>`, `>=`, `<`, `<=` and an
//! RFC 3339 time (or a date: UTC midnight, the fake shop's zone being UTC), terms joined by `AND`
//! or spaces; other terms are ignored, as Shopify ignores what it cannot read.
//!
//! What Shopify enforces and a client must live with:
//! - Orders created more than 60 days ago are never listed without the `read_all_orders` scope.
//! - Without protected customer data access, `customer`, `email`, `phone` and `shippingAddress`
//!   are null.
//! - Cost throttling, a leaky bucket of points: every answer's `extensions.cost` tells the
//!   requested and actual cost and the bucket's level; a query asking more than the bucket holds
//!   is refused (`THROTTLED`, HTTP 200) and costs nothing.
//! - A query whose requested cost passes 1,000 points is never run, whatever the bucket holds
//!   (`MAX_COST_EXCEEDED`, HTTP 200). The requested cost counts what the query could return: an
//!   object 1 point, a connection 2 plus its `first` times its node (an order node here: the
//!   order, its total's set and money, customer and address, `shippingLines(first: M)` of 3 and
//!   `lineItems(first: K)` of 5 with its pageInfo, as read from the query's text).
//! - An order's `lineItems` holds its first K items and a pageInfo; `order(id:)` with
//!   `lineItems(first: K, after:)` reads the rest.
//!
//! Admin (not Shopify's): `GET /__fake/calls` lists every API request (never a secret or a
//! token), `POST /__fake/orders` adds or replaces orders, `POST /__fake/faults` queues faults,
//! `POST /__fake/expire_tokens` ends every issued token, `POST /__fake/set_available`
//! `{"points": 5.0}` sets the bucket's level.
//!
//! Webhooks as Shopify sends them (`shopify/webhooks.rs`): a subscription made with
//! [`FakeShopifyHandle::add_webhook`] or `POST /__fake/webhooks` `{topic, address}` is posted a
//! REST-shaped order, signed with the client secret, when an order is added (`orders/create`) or
//! edited (`orders/updated`); `GET /__fake/webhook-deliveries` lists what was sent and
//! `POST /__fake/webhook-redeliver` `{webhook_id}` sends one again, as Shopify sometimes does.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::faults::{Fault, FaultRule};
use crate::server::Served;
use crate::webhooks::Courier;

mod webhooks;

pub use webhooks::{
    shopify_hmac, ShopifyDelivery, WEBHOOKS_ADMIN_PATH, WEBHOOK_DELIVERIES_PATH, WEBHOOK_REDELIVER_PATH,
};

pub const TOKEN_PATH: &str = "/admin/oauth/access_token";
/// The GraphQL endpoint's route; [`graphql_path`] gives one version's path.
pub const GRAPHQL_ROUTE: &str = "/admin/api/{version}/graphql.json";
pub const TOKEN_HEADER: &str = "X-Shopify-Access-Token";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const EXPIRE_TOKENS_PATH: &str = "/__fake/expire_tokens";
pub const SET_AVAILABLE_PATH: &str = "/__fake/set_available";
pub const DEFAULT_API_VERSION: &str = "2025-10";
/// What every order's shipping line costs in [`order`].
pub const SHIPPING_PRICE: &str = "5.00";
/// Shopify's page size limit for a connection.
pub const MAX_FIRST: i64 = 250;
/// How Shopify writes a time in GraphQL.
pub const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
/// Without `read_all_orders`, older orders are out of reach.
const RECENT_DAYS: i64 = 60;
/// In the calls log instead of a secret.
const MASK: &str = "***";
/// Keys whose values never reach the calls log, however deep.
const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "access_token",
    "token",
    "refresh_token",
    "password",
];
const INVALID_TOKEN: &str = "[API] Invalid API key or access token (unrecognized login or wrong password)";
const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication \
     included, or unsupported authentication method.";
const RATE_LIMITED: &str =
    "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.";
const RATE_LIMITS_DOC: &str = "https://shopify.dev/api/usage/rate-limits";

#[derive(Debug, Clone)]
pub struct FakeShopifyConfig {
    pub client_id: String,
    pub client_secret: String,
    /// An old custom app's admin token (`shpat_…`), valid until the app is uninstalled.
    pub legacy_token: Option<String>,
    /// The one version the store answers (`2025-10`).
    pub api_version: String,
    /// 0 = any free port.
    pub port: u16,
    /// How long a client-credentials token lasts from its issue; also its `expires_in`.
    pub token_ttl: Duration,
    /// The app's granted scopes, comma-separated, as the token grant reports them.
    pub scopes: String,
    /// The bucket's size in points.
    pub maximum_available: f64,
    /// Points the bucket regains per second.
    pub restore_rate: f64,
    /// False plays an app (or a plan) without access to protected customer data.
    pub protected_customer_data: bool,
    /// The shop's currency, as the `shop` query tells it.
    pub currency: String,
    pub shop_name: String,
    /// Each orders query answers this much later (a slow store: long backfills to watch).
    pub page_delay: Duration,
    /// The shop's handle: webhooks come from `{handle}.myshopify.com`. None: from the host of
    /// the fake's own address.
    pub shop_handle: Option<String>,
    /// A broken store: an order's items read after a cursor answer that same cursor again, with
    /// more to come, for ever.
    pub item_cursor_stuck: bool,
}

impl FakeShopifyConfig {
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            legacy_token: None,
            api_version: DEFAULT_API_VERSION.into(),
            port: 0,
            token_ttl: Duration::from_secs(86_399),
            scopes: "read_orders,write_orders".into(),
            // The standard plan's bucket: 1000 points, 50 restored a second.
            maximum_available: 1000.0,
            restore_rate: 50.0,
            protected_customer_data: true,
            currency: "USD".into(),
            shop_name: "Fake Shopify".into(),
            page_delay: Duration::ZERO,
            shop_handle: None,
            item_cursor_stuck: false,
        }
    }

    fn has_scope(&self, scope: &str) -> bool {
        self.scopes.split(',').any(|s| s.trim() == scope)
    }
}

/// One API request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopifyCall {
    pub method: String,
    pub path: String,
    /// The request's JSON (a form body as an object of strings) with `client_secret` and every
    /// token masked; null when unreadable (the raw text may hold a secret). The access-token
    /// header is never kept.
    pub body: Value,
    /// `200` for an answer with data; for a GraphQL error (HTTP 200) its `extensions.code`
    /// (`THROTTLED`, `BAD_REQUEST`, `undefinedField`; `ERROR` when it has none); else the HTTP
    /// status (`400`, `401`, `404`, `429`, `502`; `200` for a cut or HTML answer).
    pub answer: String,
}

/// An order as kept: its node as the API returns it, and the times it is sorted and filtered by.
#[derive(Debug, Clone)]
struct StoredOrder {
    id: i64,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    node: Value,
}

/// The cost leaky bucket, filled up lazily when read.
struct Bucket {
    available: f64,
    at: Instant,
}

struct Shared {
    config: FakeShopifyConfig,
    state: Mutex<StoreState>,
    courier: Courier,
    /// `X-Shopify-Shop-Domain`, known once the server listens.
    shop_domain: OnceLock<String>,
}

struct StoreState {
    orders: BTreeMap<i64, StoredOrder>,
    /// Token → when it was issued.
    tokens: HashMap<String, Instant>,
    tokens_issued: usize,
    bucket: Bucket,
    throttled: usize,
    calls: Vec<ShopifyCall>,
    faults: VecDeque<FaultRule>,
    hooks: webhooks::Hooks,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, StoreState> {
        self.state.lock().expect("store poisoned")
    }
}

impl StoreState {
    /// The bucket's level now: what it held, plus what it regained since, up to its size (a
    /// level forced above the size stays until spent).
    fn available(&mut self, c: &FakeShopifyConfig) -> f64 {
        let now = Instant::now();
        let b = &mut self.bucket;
        if b.available < c.maximum_available {
            let regained = now.duration_since(b.at).as_secs_f64() * c.restore_rate;
            b.available = (b.available + regained).min(c.maximum_available);
        }
        b.at = now;
        b.available
    }
}

/// The GraphQL endpoint's path for `version`.
pub fn graphql_path(version: &str) -> String {
    GRAPHQL_ROUTE.replace("{version}", version)
}

pub struct FakeShopify;

impl FakeShopify {
    pub async fn start(config: FakeShopifyConfig) -> std::io::Result<FakeShopifyHandle> {
        let port = config.port;
        let state = StoreState {
            orders: BTreeMap::new(),
            tokens: HashMap::new(),
            tokens_issued: 0,
            bucket: Bucket {
                available: config.maximum_available,
                at: Instant::now(),
            },
            throttled: 0,
            calls: vec![],
            faults: VecDeque::new(),
            hooks: webhooks::Hooks::default(),
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
            courier: Courier::new(),
            shop_domain: OnceLock::new(),
        });
        // `any`, not `post`: a client's wrong method is a call to see in the log.
        let app = Router::new()
            .route(TOKEN_PATH, any(api_token))
            .route(GRAPHQL_ROUTE, any(api_graphql))
            .route(CALLS_PATH, get(admin_calls))
            .route(ORDERS_ADMIN_PATH, post(admin_add_orders))
            .route(FAULTS_ADMIN_PATH, post(admin_faults))
            .route(EXPIRE_TOKENS_PATH, post(admin_expire_tokens))
            .route(SET_AVAILABLE_PATH, post(admin_set_available))
            .merge(webhooks::routes())
            .fallback(api_unknown)
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake Shopify").await?;
        let _ = shared
            .shop_domain
            .set(webhooks::shop_domain(&shared.config, &server.base_url()));
        Ok(FakeShopifyHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeShopifyHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeShopifyHandle {
    /// The store's address (`https://{shop}.myshopify.com` for a real one).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The GraphQL endpoint's path for the store's API version.
    pub fn graphql_path(&self) -> String {
        graphql_path(&self.shared.config.api_version)
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Adds orders (GraphQL `Order` nodes, as [`order`] makes them), replacing those with the
    /// same id. The id comes from `legacyResourceId` or the `id` gid, and the other is filled in;
    /// `updatedAt` defaults to `createdAt`.
    ///
    /// # Panics
    /// On an order without an id or a readable `createdAt`: the store could not have made it.
    pub fn add_orders(&self, orders: impl IntoIterator<Item = Value>) {
        if let Err(message) = add_orders(&self.shared, orders.into_iter().collect()) {
            panic!("{message}");
        }
    }

    pub fn order(&self, id: i64) -> Option<Value> {
        self.shared.lock().orders.get(&id).map(|o| o.node.clone())
    }

    pub fn remove_order(&self, id: i64) -> bool {
        self.shared.lock().orders.remove(&id).is_some()
    }

    /// Changes an order as the store's staff would; its `updatedAt` moves to now, and the
    /// `orders/updated` webhooks are posted it. False when there is no such order.
    ///
    /// # Panics
    /// When the edit leaves the order without an id or a readable `createdAt`.
    pub fn edit_order(&self, id: i64, edit: impl FnOnce(&mut Value)) -> bool {
        // The edit runs outside the lock: a panicking closure must not poison the store.
        let Some(mut node) = self.order(id) else {
            return false;
        };
        edit(&mut node);
        if node.is_object() {
            node["updatedAt"] = json!(Utc::now().format(TIME_FORMAT).to_string());
        }
        let stored = stored(node).unwrap_or_else(|message| panic!("{message}"));
        {
            let mut s = self.shared.lock();
            s.orders.remove(&id);
            s.orders.insert(stored.id, stored.clone());
        }
        webhooks::order_event(&self.shared, webhooks::ORDERS_UPDATED, &stored);
        true
    }

    /// Every client-credentials token issued so far stops working (the legacy token does not).
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// How many client-credentials grants succeeded.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens_issued
    }

    /// Forces the cost bucket's level (it restores from there).
    pub fn set_available(&self, points: f64) {
        set_available(&self.shared, points);
    }

    /// The cost bucket's level now.
    pub fn available(&self) -> f64 {
        let c = &self.shared.config;
        self.shared.lock().available(c)
    }

    /// How many queries were refused as THROTTLED.
    pub fn throttled_count(&self) -> usize {
        self.shared.lock().throttled
    }

    /// Every API request received, in order.
    pub fn calls(&self) -> Vec<ShopifyCall> {
        self.shared.lock().calls.clone()
    }

    /// The next API request misbehaves this way.
    pub fn push_fault(&self, fault: Fault) {
        self.shared
            .lock()
            .faults
            .push_back(FaultRule { fault, path: None });
    }

    /// The next request to `path` ([`TOKEN_PATH`], or a [`graphql_path`]) misbehaves this way.
    pub fn push_fault_on(&self, path: &str, fault: Fault) {
        self.shared.lock().faults.push_back(FaultRule {
            fault,
            path: Some(path.to_string()),
        });
    }
}

fn set_available(shared: &Shared, points: f64) {
    let mut s = shared.lock();
    s.bucket = Bucket {
        available: points,
        at: Instant::now(),
    };
}

/// Adds or replaces orders; a new one is posted to the `orders/create` webhooks, a replaced one
/// to the `orders/updated` ones.
fn add_orders(shared: &Arc<Shared>, orders: Vec<Value>) -> Result<(), String> {
    let stored = orders.into_iter().map(stored).collect::<Result<Vec<_>, _>>()?;
    let known: Vec<bool> = {
        let mut s = shared.lock();
        stored
            .iter()
            .map(|o| s.orders.insert(o.id, o.clone()).is_some())
            .collect()
    };
    for (order, known) in stored.iter().zip(known) {
        let topic = if known {
            webhooks::ORDERS_UPDATED
        } else {
            webhooks::ORDERS_CREATE
        };
        webhooks::order_event(shared, topic, order);
    }
    Ok(())
}

/// The order's numeric id: `legacyResourceId` (a string in GraphQL, a number accepted), else the
/// end of its gid.
fn order_id(node: &Value) -> Option<i64> {
    let legacy = &node["legacyResourceId"];
    legacy
        .as_i64()
        .or_else(|| legacy.as_str().and_then(|s| s.parse().ok()))
        .or_else(|| {
            node["id"]
                .as_str()
                .and_then(|gid| gid.strip_prefix("gid://shopify/Order/"))
                .and_then(|n| n.parse().ok())
        })
}

fn stored(mut node: Value) -> Result<StoredOrder, String> {
    let Some(id) = node.is_object().then(|| order_id(&node)).flatten() else {
        return Err(format!(
            "an order without legacyResourceId or an Order gid: {node}"
        ));
    };
    let Some(created) = node["createdAt"].as_str().and_then(parse_time) else {
        return Err(format!("order {id} without an RFC 3339 createdAt"));
    };
    let updated = match &node["updatedAt"] {
        Value::Null => {
            node["updatedAt"] = node["createdAt"].clone();
            created
        }
        v => v
            .as_str()
            .and_then(parse_time)
            .ok_or_else(|| format!("order {id} with an unreadable updatedAt: {v}"))?,
    };
    node["id"] = json!(format!("gid://shopify/Order/{id}"));
    node["legacyResourceId"] = json!(id.to_string());
    Ok(StoredOrder {
        id,
        created,
        updated,
        node,
    })
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

type S = State<Arc<Shared>>;

async fn api_token(State(shared): S, method: Method, raw: Bytes) -> Response {
    let params = token_params(&raw);
    let (fault, response) = fault_for(&shared, TOKEN_PATH);
    if let Some(r) = response {
        return log_fault(&shared, &method, TOKEN_PATH, params.map(Value::Object), r);
    }
    slow(fault.as_ref()).await;
    let (status, body) = grant(&shared, &method, params.as_ref());
    answer(
        &shared,
        &method,
        TOKEN_PATH,
        params.map(Value::Object),
        status,
        body,
    )
}

async fn api_graphql(
    State(shared): S,
    Path(version): Path<String>,
    method: Method,
    headers: HeaderMap,
    raw: Bytes,
) -> Response {
    let path = graphql_path(&version);
    let doc: Option<Value> = serde_json::from_slice(&raw).ok();
    let (fault, response) = fault_for(&shared, &path);
    if let Some(r) = response {
        return log_fault(&shared, &method, &path, doc, r);
    }
    slow(fault.as_ref()).await;
    if !shared.config.page_delay.is_zero() && operation(doc.as_ref()) == Some(Operation::Orders) {
        tokio::time::sleep(shared.config.page_delay).await;
    }
    // Only the header carries the token: it never reaches the log.
    let token = headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok());
    let (status, body) = graphql(&shared, &method, &version, token, doc.as_ref());
    answer(&shared, &method, &path, doc, status, body)
}

/// Any other path: Shopify's JSON 404, logged so that a client's wrong path shows.
async fn api_unknown(State(shared): S, method: Method, uri: Uri, raw: Bytes) -> Response {
    let doc: Option<Value> = serde_json::from_slice(&raw).ok();
    answer(
        &shared,
        &method,
        uri.path(),
        doc,
        StatusCode::NOT_FOUND,
        not_found(),
    )
}

/// The queued fault due for `path`, if any, and the answer it makes instead of the store's (a
/// slow fault makes none).
fn fault_for(shared: &Shared, path: &str) -> (Option<Fault>, Option<Response>) {
    let fault = {
        let mut s = shared.lock();
        let at = s
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == path));
        at.and_then(|i| s.faults.remove(i)).map(|f| f.fault)
    };
    let response = fault.as_ref().and_then(|f| fault_response(f, path));
    (fault, response)
}

async fn slow(fault: Option<&Fault>) {
    if let Some(Fault::Slow { millis }) = fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
}

/// What a fault answers instead of the store, if it answers at all (a slow one does not; the
/// other fakes' own faults are ignored here).
fn fault_response(fault: &Fault, path: &str) -> Option<Response> {
    Some(match fault {
        Fault::RateLimited { retry_after_secs } => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({"errors": RATE_LIMITED})),
            )
                .into_response();
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert("retry-after", HeaderValue::from(*secs));
            }
            r
        }
        Fault::ServerError(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let reason = status.canonical_reason().unwrap_or("Error");
            match status.as_u16() {
                // The edge's nginx answers these before Shopify's app is reached: HTML.
                502..=504 => {
                    let page = format!(
                        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
                         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
                         </body>\r\n</html>\r\n",
                        code = status.as_u16()
                    );
                    (status, [("content-type", "text/html")], page).into_response()
                }
                _ => (status, Json(json!({"errors": reason}))).into_response(),
            }
        }
        Fault::TruncatedJson => {
            let cut = if path == TOKEN_PATH {
                "{\"access_token\":\"shpat_0f3a"
            } else {
                "{\"data\":{\"orders\":{\"edges\":[{\"cursor\":\"32303236\",\"node\":{\"id\":\"gid://shopify/Or"
            };
            (StatusCode::OK, [("content-type", "application/json")], cut).into_response()
        }
        Fault::NotJson => (
            StatusCode::OK,
            [("content-type", "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><head><title>Shop unavailable</title></head>\
             <body><h1>There was a problem loading this website</h1>\
             <p>Please try again in a few minutes.</p></body></html>",
        )
            .into_response(),
        _ => return None,
    })
}

/// Logs a request a fault answered, by the fault's HTTP status.
fn log_fault(shared: &Shared, method: &Method, path: &str, doc: Option<Value>, r: Response) -> Response {
    let label = r.status().as_u16().to_string();
    log(shared, method, path, doc, label);
    r
}

/// Logs the request and sends the store's answer.
fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    doc: Option<Value>,
    status: StatusCode,
    body: Value,
) -> Response {
    let label = if status != StatusCode::OK {
        status.as_u16().to_string()
    } else if body["errors"].is_array() {
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or("ERROR")
            .to_string()
    } else {
        "200".to_string()
    };
    log(shared, method, path, doc, label);
    (status, Json(body)).into_response()
}

fn log(shared: &Shared, method: &Method, path: &str, doc: Option<Value>, answer: String) {
    let mut s = shared.lock();
    let c = &shared.config;
    // Secrets by value too: a client may put one where no key names it.
    let mut secrets: Vec<String> = s.tokens.keys().cloned().collect();
    secrets.push(c.client_secret.clone());
    secrets.extend(c.legacy_token.clone());
    secrets.retain(|x| !x.is_empty());
    let body = doc.map(|d| masked(d, &secrets)).unwrap_or(Value::Null);
    s.calls.push(ShopifyCall {
        method: method.to_string(),
        path: path.to_string(),
        body,
        answer,
    });
}

/// The request with every secret-named key's value and every known secret hidden, however deep.
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

fn grant(shared: &Shared, method: &Method, params: Option<&Map<String, Value>>) -> (StatusCode, Value) {
    if method != Method::POST {
        return (StatusCode::NOT_FOUND, not_found());
    }
    let param = |key: &str| params.and_then(|p| p.get(key)).and_then(Value::as_str);
    // The grant type is read first: a client asking for another grant learns that, whoever it is.
    if param("grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type"}),
        );
    }
    let c = &shared.config;
    if param("client_id") != Some(c.client_id.as_str())
        || param("client_secret") != Some(c.client_secret.as_str())
    {
        return (
            StatusCode::BAD_REQUEST,
            json!({"error": "invalid_client", "error_description": INVALID_CLIENT}),
        );
    }
    let token = format!("shpat_{:032x}", fastrand::u128(..));
    let ttl = c.token_ttl;
    let mut s = shared.lock();
    // Old tokens go when their time is up, so a long demo run does not pile them up.
    s.tokens.retain(|_, issued| issued.elapsed() < ttl);
    s.tokens.insert(token.clone(), Instant::now());
    s.tokens_issued += 1;
    (
        StatusCode::OK,
        json!({"access_token": token, "scope": c.scopes, "expires_in": ttl.as_secs()}),
    )
}

fn authorised(shared: &Shared, token: Option<&str>) -> bool {
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return false;
    };
    let c = &shared.config;
    if c.legacy_token.as_deref() == Some(token) {
        return true;
    }
    shared
        .lock()
        .tokens
        .get(token)
        .is_some_and(|issued| issued.elapsed() < c.token_ttl)
}

fn not_found() -> Value {
    json!({"errors": "Not Found"})
}

/// A GraphQL error: HTTP 200, no data.
fn gql_error(message: &str, extensions: Value) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({"errors": [{"message": message, "extensions": extensions}]}),
    )
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Operation {
    Orders,
    OrderItems,
    Shop,
}

/// Which of the known queries the body asks, by what its text holds.
fn operation(doc: Option<&Value>) -> Option<Operation> {
    let query = doc?.get("query")?.as_str()?;
    if query.contains("orders(") {
        Some(Operation::Orders)
    } else if query.contains("order(id:") {
        Some(Operation::OrderItems)
    } else if query.contains("shop {") || query.contains("shop{") {
        Some(Operation::Shop)
    } else {
        None
    }
}

fn graphql(
    shared: &Shared,
    method: &Method,
    version: &str,
    token: Option<&str>,
    doc: Option<&Value>,
) -> (StatusCode, Value) {
    let c = &shared.config;
    if method != Method::POST || version != c.api_version {
        return (StatusCode::NOT_FOUND, not_found());
    }
    if !authorised(shared, token) {
        return (StatusCode::UNAUTHORIZED, json!({"errors": INVALID_TOKEN}));
    }
    let Some(doc) = doc.filter(|d| d["query"].is_string()) else {
        return (
            StatusCode::BAD_REQUEST,
            json!({"errors": {"query": "Required parameter missing or invalid"}}),
        );
    };
    let empty = json!({});
    let variables = match &doc["variables"] {
        Value::Null => &empty,
        v => v,
    };
    let query = doc["query"].as_str().unwrap_or_default();
    match operation(Some(doc)) {
        Some(Operation::Orders) => orders(shared, query, variables),
        Some(Operation::OrderItems) => order_items(shared, query, variables),
        Some(Operation::Shop) => shop(shared),
        None => gql_error(
            "Field doesn't exist on type 'QueryRoot'",
            json!({"code": "undefinedField"}),
        ),
    }
}

/// `extensions.cost` as Shopify reports it: costs and the bucket's level as numbers, the level
/// rounded down.
fn cost(c: &FakeShopifyConfig, requested: i64, actual: Option<i64>, available: f64) -> Value {
    json!({"cost": {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": c.maximum_available,
            "currentlyAvailable": available.floor() as i64,
            "restoreRate": c.restore_rate,
        },
    }})
}

/// Takes `requested` points from the bucket, or refuses the query as THROTTLED and takes none.
fn charge(shared: &Shared, s: &mut StoreState, requested: i64) -> Result<(), (StatusCode, Value)> {
    let c = &shared.config;
    let available = s.available(c);
    if requested as f64 <= available {
        return Ok(());
    }
    s.throttled += 1;
    Err((
        StatusCode::OK,
        json!({
            "errors": [{"message": "Throttled",
                        "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}],
            "extensions": cost(c, requested, None, available),
        }),
    ))
}

fn shop(shared: &Shared) -> (StatusCode, Value) {
    let c = &shared.config;
    let mut s = shared.lock();
    if let Err(refusal) = charge(shared, &mut s, 1) {
        return refusal;
    }
    s.bucket.available -= 1.0;
    let available = s.bucket.available;
    (
        StatusCode::OK,
        json!({
            "data": {"shop": {"name": c.shop_name, "currencyCode": c.currency}},
            "extensions": cost(c, 1, Some(1), available),
        }),
    )
}

/// What a GraphQL variable of type String refuses.
fn coercion_error(name: &str, value: &Value) -> (StatusCode, Value) {
    gql_error(
        &format!("Variable ${name} of type String was provided invalid value"),
        json!({"value": value, "problems": [{"path": [], "explanation": format!("Could not coerce value {value} to String")}]}),
    )
}

/// Shopify runs no query whose requested cost passes this.
const MAX_QUERY_COST: i64 = 1_000;
/// An item node: the item, its price set and money, its product and variant.
const ITEM_COST: i64 = 5;

/// The `first` a connection named `name` asks for in the query's text (`name(first: 10`), if any.
fn first_of(query: &str, name: &str) -> Option<i64> {
    let at = query.find(&format!("{name}(first:"))? + name.len() + "(first:".len();
    let digits: String = query[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What one order node of an orders query costs: the order, what of its objects the query's text
/// selects, and its connections at `count(name, first)` nodes each (`first` for Shopify's
/// estimate, what the answer holds for the cost once run).
fn node_cost(query: &str, count: impl Fn(&str, i64) -> i64) -> i64 {
    let has = |field: &str| i64::from(query.contains(&format!("{field} {{")));
    let objects = 1 + 2 * has("totalPriceSet") + has("customer") + has("shippingAddress");
    let shipping = first_of(query, "shippingLines").map_or(0, |m| 2 + count("shippingLines", m) * 3);
    let items = first_of(query, "lineItems").map_or(0, |k| 2 + count("lineItems", k) * ITEM_COST + 1);
    objects + shipping + items
}

/// Shopify's refusal of a query that asks too much to run at all.
fn too_costly(requested: i64) -> (StatusCode, Value) {
    gql_error(
        &format!(
            "Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n\
             See https://shopify.dev/docs/api/usage/rate-limits for more information on how the\n\
             cost of a query is calculated."
        ),
        json!({"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST}),
    )
}

/// An order's items from position `start`, at most `first`, as a connection with its pageInfo.
fn items_page(node: &Value, start: usize, first: usize) -> Value {
    let all = node["lineItems"]["edges"].as_array().cloned().unwrap_or_default();
    let end = all.len().min(start + first);
    let edges: Vec<Value> = all[start.min(end)..end]
        .iter()
        .enumerate()
        .map(|(k, e)| {
            let mut e = e.clone();
            e["cursor"] = json!(format!("item-{}", start + k + 1));
            e
        })
        .collect();
    json!({
        "edges": edges,
        "pageInfo": {"hasNextPage": end < all.len(), "endCursor": (end > start).then(|| format!("item-{end}"))},
    })
}

/// `order(id:) { lineItems(first:, after:) }`: the rest of one order's items.
fn order_items(shared: &Shared, query: &str, variables: &Value) -> (StatusCode, Value) {
    let c = &shared.config;
    let first = first_of(query, "lineItems").unwrap_or(0);
    if !(1..=MAX_FIRST).contains(&first) {
        return gql_error(
            "The first argument must be between 1 and 250",
            json!({"code": "BAD_REQUEST"}),
        );
    }
    let requested = 1 + 2 + first * ITEM_COST + 1;
    if requested > MAX_QUERY_COST {
        return too_costly(requested);
    }
    let start = match &variables["after"] {
        Value::Null => 0,
        Value::String(cursor) => match cursor.strip_prefix("item-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => {
                return gql_error(
                    "Invalid cursor for current pagination",
                    json!({"code": "BAD_REQUEST"}),
                )
            }
        },
        other => return coercion_error("after", other),
    };
    let mut guard = shared.lock();
    let s = &mut *guard;
    if let Err(refusal) = charge(shared, s, requested) {
        return refusal;
    }
    let id = variables["id"].as_str().unwrap_or_default();
    let order = s.orders.values().find(|o| o.node["id"] == id);
    let (data, actual) = match order {
        Some(o) => {
            let mut items = items_page(&o.node, start, first as usize);
            if c.item_cursor_stuck && start > 0 {
                items["pageInfo"] = json!({"hasNextPage": true, "endCursor": format!("item-{start}")});
            }
            let returned = items["edges"].as_array().map_or(0, Vec::len) as i64;
            (
                json!({"order": {"lineItems": items}}),
                1 + 2 + returned * ITEM_COST + 1,
            )
        }
        None => (json!({"order": null}), 1),
    };
    s.bucket.available -= actual as f64;
    let available = s.bucket.available;
    (
        StatusCode::OK,
        json!({"data": data, "extensions": cost(c, requested, Some(actual), available)}),
    )
}

fn orders(shared: &Shared, query: &str, variables: &Value) -> (StatusCode, Value) {
    let c = &shared.config;
    let Some(first) = variables["first"]
        .as_i64()
        .filter(|n| (1..=MAX_FIRST).contains(n))
    else {
        return gql_error(
            "The first argument must be between 1 and 250",
            json!({"code": "BAD_REQUEST"}),
        );
    };
    let after = match &variables["after"] {
        Value::Null => None,
        Value::String(cursor) => match decode_cursor(cursor) {
            Some(position) => Some(position),
            None => {
                return gql_error(
                    "Invalid cursor for current pagination",
                    json!({"code": "BAD_REQUEST"}),
                )
            }
        },
        other => return coercion_error("after", other),
    };
    let filters = match &variables["query"] {
        Value::Null => vec![],
        Value::String(q) => search_filters(q),
        other => return coercion_error("query", other),
    };
    // Shopify's estimate before running the query: what every order asked for could cost, plus
    // 2 for the connection and 1 for its pageInfo.
    let items_per_order = first_of(query, "lineItems").unwrap_or(0) as usize;
    let requested = 2 + first * node_cost(query, |_, first| first) + 1;
    if requested > MAX_QUERY_COST {
        return too_costly(requested);
    }
    let mut guard = shared.lock();
    let s = &mut *guard;
    if let Err(refusal) = charge(shared, s, requested) {
        return refusal;
    }
    let now = Utc::now();
    let oldest = (!c.has_scope("read_all_orders")).then(|| now - chrono::Duration::days(RECENT_DAYS));
    let mut listed: Vec<&StoredOrder> = s
        .orders
        .values()
        .filter(|o| oldest.is_none_or(|oldest| o.created >= oldest))
        .filter(|o| filters.iter().all(|f| f.admits(o)))
        .collect();
    listed.sort_by_key(|o| (o.updated, o.id));
    let start = after.map_or(0, |(updated, id)| {
        listed.partition_point(|o| (o.updated, o.id) <= (updated, id))
    });
    let page = &listed[start..listed.len().min(start + first as usize)];
    let has_next_page = start + page.len() < listed.len();
    let edges: Vec<Value> = page
        .iter()
        .map(|o| {
            let mut node = o.node.clone();
            if !c.protected_customer_data {
                for field in ["customer", "email", "phone", "shippingAddress"] {
                    node[field] = Value::Null;
                }
            }
            if items_per_order > 0 {
                node["lineItems"] = items_page(&o.node, 0, items_per_order);
            }
            json!({"cursor": cursor(o), "node": node})
        })
        .collect();
    let end_cursor = page.last().map(|o| cursor(o));
    // What the query cost once run: what the orders actually returned hold (Shopify refunds the
    // rest of the estimate).
    let actual = 2
        + edges
            .iter()
            .map(|e| {
                node_cost(query, |field, _| {
                    e["node"][field]["edges"].as_array().map_or(0, Vec::len) as i64
                })
            })
            .sum::<i64>()
        + 1;
    s.bucket.available -= actual as f64;
    let available = s.bucket.available;
    (
        StatusCode::OK,
        json!({
            "data": {"orders": {
                "edges": edges,
                "pageInfo": {"hasNextPage": has_next_page, "endCursor": end_cursor},
            }},
            "extensions": cost(c, requested, Some(actual), available),
        }),
    )
}

/// Opaque to a client: hex of `<updatedAt>|<id>`, the position a page continues strictly after.
fn cursor(o: &StoredOrder) -> String {
    let plain = format!(
        "{}|{}",
        o.updated.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        o.id
    );
    plain.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(cursor: &str) -> Option<(DateTime<Utc>, i64)> {
    let pairs = cursor.as_bytes().chunks_exact(2);
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
    let (updated, id) = plain.split_once('|')?;
    Some((parse_time(updated)?, id.parse().ok()?))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Cmp {
    After,
    AtOrAfter,
    Before,
    AtOrBefore,
}

/// One search term the fake reads: a time comparison on `created_at` or `updated_at`.
#[derive(Debug, Clone, PartialEq)]
struct TimeFilter {
    field: Field,
    cmp: Cmp,
    at: DateTime<Utc>,
}

impl TimeFilter {
    fn admits(&self, o: &StoredOrder) -> bool {
        let t = match self.field {
            Field::CreatedAt => o.created,
            Field::UpdatedAt => o.updated,
        };
        match self.cmp {
            Cmp::After => t > self.at,
            Cmp::AtOrAfter => t >= self.at,
            Cmp::Before => t < self.at,
            Cmp::AtOrBefore => t <= self.at,
        }
    }
}

/// The time filters in a search query; terms are ANDed (by `AND` or a space), others ignored.
fn search_filters(query: &str) -> Vec<TimeFilter> {
    search_terms(query)
        .iter()
        .filter_map(|term| time_filter(term))
        .collect()
}

/// The query split at spaces outside quotes, without the `AND`s.
fn search_terms(query: &str) -> Vec<String> {
    let mut terms = vec![];
    let mut term = String::new();
    let mut quote: Option<char> = None;
    for ch in query.chars() {
        match (quote, ch) {
            (None, '\'' | '"') => {
                quote = Some(ch);
                term.push(ch);
            }
            (Some(q), _) if ch == q => {
                quote = None;
                term.push(ch);
            }
            (None, _) if ch.is_whitespace() => terms.push(std::mem::take(&mut term)),
            _ => term.push(ch),
        }
    }
    terms.push(term);
    terms.retain(|t| !t.is_empty() && t != "AND");
    terms
}

fn time_filter(term: &str) -> Option<TimeFilter> {
    let (name, rest) = term.split_once(':')?;
    let field = match name {
        "created_at" => Field::CreatedAt,
        "updated_at" => Field::UpdatedAt,
        _ => return None,
    };
    let (cmp, value) = [
        (">=", Cmp::AtOrAfter),
        ("<=", Cmp::AtOrBefore),
        (">", Cmp::After),
        ("<", Cmp::Before),
    ]
    .into_iter()
    .find_map(|(op, cmp)| rest.strip_prefix(op).map(|v| (cmp, v)))?;
    let value = value.trim_matches(|c| c == '\'' || c == '"');
    let at = parse_time(value).or_else(|| {
        NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    })?;
    Some(TimeFilter { field, cmp, at })
}

async fn admin_calls(State(shared): S) -> Json<Vec<ShopifyCall>> {
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
    shared.lock().tokens.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Level {
    points: f64,
}

async fn admin_set_available(State(shared): S, Json(level): Json<Level>) -> StatusCode {
    set_available(&shared, level.points);
    StatusCode::NO_CONTENT
}

/// An amount in cents from Shopify's decimal string (or a builder's `"10"`).
fn cents(amount: &str) -> Option<i64> {
    let x: f64 = amount.trim().parse().ok()?;
    x.is_finite().then(|| (x * 100.0).round() as i64)
}

/// Money as Shopify writes it: a string with two decimals.
fn amount(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// A `MoneyBag` in the shop's currency.
fn money_set(cents: i64, currency: &str) -> Value {
    json!({"shopMoney": {"amount": amount(cents), "currencyCode": currency}})
}

/// A buyer of [`order`]; an empty e-mail or phone is null in the order, as Shopify leaves it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buyer {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub address1: String,
    pub city: String,
    /// The province's (state's) name; its code comes from the builder's table of US states.
    pub province: String,
    pub country: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub zip: String,
}

/// (city, state, state code, zip) of [`Buyer::new`].
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Springfield", "Illinois", "IL", "62701"),
    ("Austin", "Texas", "TX", "73301"),
    ("Portland", "Oregon", "OR", "97201"),
    ("Denver", "Colorado", "CO", "80202"),
    ("Columbus", "Ohio", "OH", "43004"),
    ("Madison", "Wisconsin", "WI", "53703"),
];

impl Buyer {
    /// Buyer number `n`, the same every time: names and places come round again, phones and
    /// e-mails are each buyer's own. Buyer 0 is Jane Doe of 1 Main St, Springfield, Illinois.
    pub fn new(n: usize) -> Self {
        const FIRST: &[&str] = &[
            "Jane", "John", "Emily", "Michael", "Sarah", "David", "Laura", "James", "Olivia", "Robert",
        ];
        const LAST: &[&str] = &[
            "Doe", "Smith", "Johnson", "Brown", "Miller", "Davis", "Wilson", "Taylor",
        ];
        const STREETS: &[&str] = &["Main St", "Oak Ave", "Maple Dr", "Cedar Ln"];
        let (first, last) = (FIRST[n % FIRST.len()], LAST[(n / 3) % LAST.len()]);
        let (city, province, _, zip) = PLACES[n % PLACES.len()];
        Self {
            first_name: first.into(),
            last_name: last.into(),
            email: format!("{}.{}{n}@example.com", first.to_lowercase(), last.to_lowercase()),
            // 555-01xx and the like: numbers no one answers.
            phone: format!("+1202555{:04}", n % 10_000),
            address1: format!("{} {}", 1 + n % 120, STREETS[n % STREETS.len()]),
            city: city.into(),
            province: province.into(),
            country: "United States".into(),
            country_code: "US".into(),
            zip: zip.into(),
        }
    }
}

fn or_null(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        json!(s)
    }
}

/// An order as the orders query returns it: paid, unfulfilled, in USD, shipped "Standard" for
/// 5.00, created (and last updated) at `created`; `items` as (product id, SKU, name, quantity,
/// unit price like `"10.00"`), its total the items' plus shipping.
///
/// # Panics
/// On a unit price that is not a decimal number.
pub fn order(id: i64, created: DateTime<Utc>, buyer: Buyer, items: &[(i64, &str, &str, i64, &str)]) -> Value {
    const CURRENCY: &str = "USD";
    let mut total = cents(SHIPPING_PRICE).unwrap_or_default();
    let lines: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(k, (product, sku, name, quantity, price))| {
            let unit = cents(price).unwrap_or_else(|| panic!("unit price {price:?} is not a number"));
            total += unit * quantity;
            json!({"node": {
                "id": format!("gid://shopify/LineItem/{}", id * 100 + k as i64 + 1),
                "sku": sku, "name": name, "quantity": quantity,
                "originalUnitPriceSet": money_set(unit, CURRENCY),
                "product": {"id": format!("gid://shopify/Product/{product}")},
                "variant": {"id": format!("gid://shopify/ProductVariant/{}", product * 10)},
            }})
        })
        .collect();
    let province_code = PLACES
        .iter()
        .find(|(_, province, _, _)| *province == buyer.province)
        .map_or(Value::Null, |(_, _, code, _)| json!(code));
    let at = created.format(TIME_FORMAT).to_string();
    json!({
        "id": format!("gid://shopify/Order/{id}"), "legacyResourceId": id.to_string(),
        "name": format!("#{id}"), "createdAt": at, "updatedAt": at,
        "cancelledAt": null, "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED",
        "currencyCode": CURRENCY,
        "totalPriceSet": money_set(total, CURRENCY),
        "email": or_null(&buyer.email), "phone": or_null(&buyer.phone),
        "customer": {"firstName": buyer.first_name, "lastName": buyer.last_name,
                     "email": or_null(&buyer.email), "phone": or_null(&buyer.phone)},
        "shippingAddress": {"firstName": buyer.first_name, "lastName": buyer.last_name,
                            "address1": buyer.address1, "address2": "", "city": buyer.city,
                            "province": buyer.province, "provinceCode": province_code,
                            "country": buyer.country, "countryCodeV2": buyer.country_code,
                            "zip": buyer.zip, "phone": or_null(&buyer.phone)},
        "shippingLines": {"edges": [{"node": {"title": "Standard",
                          "originalPriceSet": money_set(cents(SHIPPING_PRICE).unwrap_or_default(), CURRENCY)}}]},
        "lineItems": {"edges": lines},
    })
}

/// `n` orders, ids 1..=n, one every 3 minutes up to `until` (id 1 the oldest), for backfills,
/// demos and benchmarks: every 10th fulfilled, every 15th cancelled two minutes after it was
/// placed (refunded; `cancelledAt` and `updatedAt` then), one to three lines from a list of 8
/// products so products repeat, and every 7th by buyer 1 so a customer returns.
pub fn generated(n: usize, until: DateTime<Utc>) -> Vec<Value> {
    const CATALOG: &[(i64, &str, &str, &str)] = &[
        (1, "MUG-W", "Mug - White", "12.50"),
        (2, "CAP-B", "Cap - Black", "18.00"),
        (3, "SOCK-3", "Socks (3 pairs)", "9.99"),
        (4, "TOTE", "Tote bag", "15.00"),
        (5, "HD-L", "Hoodie - L", "45.00"),
        (6, "STK-10", "Sticker pack", "4.25"),
        (7, "TS-M", "T-shirt - M", "10.00"),
        (8, "BTL-750", "Water bottle 750 ml", "22.00"),
    ];
    (1..=n)
        .map(|i| {
            let id = i as i64;
            let created = until - chrono::Duration::minutes(3 * (n - i) as i64);
            let buyer = Buyer::new(if i % 7 == 0 { 1 } else { i });
            // A step of 3 through 8 products: an order's lines are never the same product twice.
            let items: Vec<(i64, &str, &str, i64, &str)> = (0..1 + i % 3)
                .map(|k| {
                    let (product, sku, name, price) = CATALOG[(i + 3 * k) % CATALOG.len()];
                    (product, sku, name, 1 + ((i + k) % 2) as i64, price)
                })
                .collect();
            let mut o = order(id, created, buyer, &items);
            if i % 10 == 0 {
                o["displayFulfillmentStatus"] = json!("FULFILLED");
            }
            if i % 15 == 0 {
                // Never after `until`: the last order may be one cancelled "now".
                let cancelled = (created + chrono::Duration::minutes(2))
                    .min(until)
                    .format(TIME_FORMAT)
                    .to_string();
                o["cancelledAt"] = json!(cancelled);
                o["updatedAt"] = json!(cancelled);
                o["displayFinancialStatus"] = json!("REFUNDED");
            }
            o
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_ID: &str = "app-client-id";
    const SECRET: &str = "shpss_app-secret-value";
    const LEGACY: &str = "shpat_legacy00000000000000000000000";
    const ORDERS_QUERY: &str = "query Orders($first: Int!, $after: String, $query: String) { \
        orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) { \
        edges { cursor node { id updatedAt } } pageInfo { hasNextPage endCursor } } }";

    async fn start(edit: impl FnOnce(&mut FakeShopifyConfig)) -> FakeShopifyHandle {
        let mut config = FakeShopifyConfig::new(CLIENT_ID, SECRET);
        edit(&mut config);
        FakeShopify::start(config).await.unwrap()
    }

    async fn post_raw(
        fake: &FakeShopifyHandle,
        path: &str,
        content_type: &str,
        body: String,
    ) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}{path}", fake.base_url()))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    async fn grant_form(fake: &FakeShopifyHandle, secret: &str) -> reqwest::Response {
        let form = format!("grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={secret}");
        post_raw(fake, TOKEN_PATH, "application/x-www-form-urlencoded", form).await
    }

    async fn token(fake: &FakeShopifyHandle) -> String {
        let r = grant_form(fake, SECRET).await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        answer["access_token"].as_str().unwrap().to_string()
    }

    async fn gql_at(fake: &FakeShopifyHandle, path: &str, token: &str, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}{path}", fake.base_url()))
            .header(TOKEN_HEADER, token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn gql(fake: &FakeShopifyHandle, token: &str, body: Value) -> Value {
        let r = gql_at(fake, &fake.graphql_path(), token, body).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn orders_page(fake: &FakeShopifyHandle, token: &str, variables: Value) -> Value {
        gql(
            fake,
            token,
            json!({"query": ORDERS_QUERY, "variables": variables}),
        )
        .await
    }

    fn ids(answer: &Value) -> Vec<i64> {
        answer["data"]["orders"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["legacyResourceId"].as_str().unwrap().parse().unwrap())
            .collect()
    }

    fn ago(minutes: i64) -> DateTime<Utc> {
        // Whole seconds, as Shopify's times are.
        let now = Utc::now().format(TIME_FORMAT).to_string();
        parse_time(&now).unwrap() - chrono::Duration::minutes(minutes)
    }

    fn line() -> [(i64, &'static str, &'static str, i64, &'static str); 1] {
        [(7, "TS-M", "T-shirt - M", 2, "10.00")]
    }

    fn stamp(t: DateTime<Utc>) -> String {
        t.format(TIME_FORMAT).to_string()
    }

    #[tokio::test]
    async fn shopify_client_credentials_grant_a_token_by_form_or_json() {
        let fake = start(|c| c.scopes = "read_orders,read_all_orders".into()).await;
        let r = grant_form(&fake, SECRET).await;
        assert_eq!(r.status(), 200);
        let answer: Value = r.json().await.unwrap();
        let token = answer["access_token"].as_str().unwrap();
        assert!(token.starts_with("shpat_"));
        assert_eq!(token.len(), 6 + 32);
        assert!(token[6..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(answer["scope"], "read_orders,read_all_orders");
        assert_eq!(answer["expires_in"], 86_399);

        let json_grant =
            json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET});
        let r = post_raw(&fake, TOKEN_PATH, "application/json", json_grant.to_string()).await;
        assert_eq!(r.status(), 200);
        let other: Value = r.json().await.unwrap();
        assert_ne!(other["access_token"], answer["access_token"]);

        let wrong = grant_form(&fake, "not-the-secret").await;
        assert_eq!(wrong.status(), 400);
        assert_eq!(
            wrong.json::<Value>().await.unwrap(),
            json!({"error": "invalid_client", "error_description": INVALID_CLIENT})
        );
        let unknown_client =
            json!({"grant_type": "client_credentials", "client_id": "other", "client_secret": SECRET});
        let r = post_raw(&fake, TOKEN_PATH, "application/json", unknown_client.to_string()).await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_client");
        let code_grant =
            format!("grant_type=authorization_code&client_id={CLIENT_ID}&client_secret={SECRET}&code=x");
        let r = post_raw(&fake, TOKEN_PATH, "application/x-www-form-urlencoded", code_grant).await;
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({"error": "unsupported_grant_type"})
        );
        let garbage = post_raw(&fake, TOKEN_PATH, "application/json", "{not json".into()).await;
        assert_eq!(garbage.status(), 400);
        assert_eq!(fake.tokens_issued(), 2);

        let shop = gql(&fake, token, json!({"query": "{ shop { name currencyCode } }"})).await;
        assert_eq!(
            shop["data"],
            json!({"shop": {"name": "Fake Shopify", "currencyCode": "USD"}})
        );
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_tokens_expire_and_the_legacy_token_does_not() {
        let fake = start(|c| {
            c.token_ttl = Duration::from_millis(300);
            c.legacy_token = Some(LEGACY.into());
        })
        .await;
        let shop = json!({"query": "query { shop { name } }"});
        let refused = json!({"errors": INVALID_TOKEN});
        let token = token(&fake).await;
        assert_eq!(
            gql(&fake, &token, shop.clone()).await["data"]["shop"]["name"],
            "Fake Shopify"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        let expired = gql_at(&fake, &fake.graphql_path(), &token, shop.clone()).await;
        assert_eq!(expired.status(), 401);
        assert_eq!(expired.json::<Value>().await.unwrap(), refused);

        for bad in ["", "shpat_unknown"] {
            let r = gql_at(&fake, &fake.graphql_path(), bad, shop.clone()).await;
            assert_eq!(r.status(), 401, "{bad:?}");
        }
        let no_header = reqwest::Client::new()
            .post(format!("{}{}", fake.base_url(), fake.graphql_path()))
            .json(&shop)
            .send()
            .await
            .unwrap();
        assert_eq!(no_header.status(), 401);

        let fresh = self::token(&fake).await;
        fake.expire_tokens();
        assert_eq!(
            gql_at(&fake, &fake.graphql_path(), &fresh, shop.clone())
                .await
                .status(),
            401
        );
        let third = self::token(&fake).await;
        let r = reqwest::Client::new()
            .post(format!("{}{EXPIRE_TOKENS_PATH}", fake.base_url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        assert_eq!(
            gql_at(&fake, &fake.graphql_path(), &third, shop.clone())
                .await
                .status(),
            401
        );

        assert_eq!(
            gql(&fake, LEGACY, shop).await["data"]["shop"]["name"],
            "Fake Shopify"
        );
        assert_eq!(fake.tokens_issued(), 3);
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_answers_only_its_api_version_and_known_queries() {
        let fake = start(|_| {}).await;
        let token = token(&fake).await;
        assert_eq!(fake.graphql_path(), "/admin/api/2025-10/graphql.json");
        let shop = json!({"query": "{ shop{ name } }"});
        let old = gql_at(&fake, &graphql_path("2023-01"), &token, shop.clone()).await;
        assert_eq!(old.status(), 404);
        assert_eq!(old.json::<Value>().await.unwrap(), json!({"errors": "Not Found"}));
        let rest = gql_at(&fake, "/admin/api/2025-10/orders.json", &token, shop.clone()).await;
        assert_eq!(rest.status(), 404);

        let not_json = reqwest::Client::new()
            .post(format!("{}{}", fake.base_url(), fake.graphql_path()))
            .header(TOKEN_HEADER, &token)
            .body("{ shop { name } }")
            .send()
            .await
            .unwrap();
        assert_eq!(not_json.status(), 400);
        assert_eq!(
            not_json.json::<Value>().await.unwrap(),
            json!({"errors": {"query": "Required parameter missing or invalid"}})
        );
        let products = gql(
            &fake,
            &token,
            json!({"query": "{ products(first: 5) { edges { node { id } } } }"}),
        )
        .await;
        assert_eq!(
            products,
            json!({"errors": [{"message": "Field doesn't exist on type 'QueryRoot'",
                               "extensions": {"code": "undefinedField"}}]})
        );
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_orders_page_by_cursor_in_updated_order() {
        let fake = start(|_| {}).await;
        let mut orders = generated(250, ago(1));
        // Stored out of order: the listing sorts by updatedAt, not by arrival.
        orders.reverse();
        fake.add_orders(orders);
        // Order 3 changes: it moves to the end of the list.
        assert!(fake.edit_order(3, |o| o["displayFulfillmentStatus"] = json!("FULFILLED")));
        let token = token(&fake).await;
        let mut seen: Vec<(String, i64)> = vec![];
        let mut after = Value::Null;
        let mut pages = 0;
        loop {
            let page = orders_page(&fake, &token, json!({"first": 100, "after": after})).await;
            pages += 1;
            let edges = page["data"]["orders"]["edges"].as_array().unwrap();
            for e in edges {
                seen.push((
                    e["node"]["updatedAt"].as_str().unwrap().to_string(),
                    e["node"]["legacyResourceId"].as_str().unwrap().parse().unwrap(),
                ));
            }
            let info = &page["data"]["orders"]["pageInfo"];
            assert_eq!(info["endCursor"], edges.last().unwrap()["cursor"]);
            after = info["endCursor"].clone();
            if !info["hasNextPage"].as_bool().unwrap() {
                assert_eq!(edges.len(), 50);
                break;
            }
            assert_eq!(edges.len(), 100);
        }
        assert_eq!(pages, 3);
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ascending updatedAt, then id");
        let mut unique: Vec<i64> = seen.iter().map(|(_, id)| *id).collect();
        unique.sort();
        unique.dedup();
        assert_eq!(unique, (1..=250).collect::<Vec<i64>>(), "every order once");
        assert_eq!(seen.last().unwrap().1, 3);

        // Past the last order: nothing, and no cursor to go on from.
        let past = orders_page(&fake, &token, json!({"first": 10, "after": after})).await;
        assert_eq!(
            past["data"]["orders"],
            json!({"edges": [], "pageInfo": {"hasNextPage": false, "endCursor": null}})
        );
        let bad_cursor = orders_page(&fake, &token, json!({"first": 10, "after": "zz"})).await;
        assert_eq!(bad_cursor["errors"][0]["extensions"]["code"], "BAD_REQUEST");
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_orders_filter_by_updated_and_created_times() {
        let fake = start(|_| {}).await;
        let b = || Buyer::new(0);
        // One clock reading: terms and orders must agree to the second.
        let now = ago(0);
        let ago = |minutes: i64| now - chrono::Duration::minutes(minutes);
        fake.add_orders([
            order(1, ago(50), b(), &line()),
            order(2, ago(40), b(), &line()),
            order(3, ago(30), b(), &line()),
            order(4, ago(20), b(), &line()),
        ]);
        let mut one = order(1, ago(50), b(), &line());
        one["updatedAt"] = json!(stamp(ago(10)));
        fake.add_orders([one]);
        let token = token(&fake).await;
        let q = |query: String| json!({"first": 50, "query": query});

        let updated = orders_page(&fake, &token, q(format!("updated_at:>'{}'", stamp(ago(30))))).await;
        assert_eq!(ids(&updated), [4, 1], "strictly after, by updatedAt");
        let at_or_after = orders_page(&fake, &token, q(format!("updated_at:>='{}'", stamp(ago(30))))).await;
        assert_eq!(ids(&at_or_after), [3, 4, 1]);
        let created = orders_page(&fake, &token, q(format!("created_at:>={}", stamp(ago(40))))).await;
        assert_eq!(ids(&created), [2, 3, 4], "quotes are optional");
        let created_after =
            orders_page(&fake, &token, q(format!("created_at:>\"{}\"", stamp(ago(40))))).await;
        assert_eq!(ids(&created_after), [3, 4]);
        let both = orders_page(
            &fake,
            &token,
            q(format!(
                "created_at:>='{}' AND updated_at:>'{}' AND status:open AND financial_status:paid",
                stamp(ago(45)),
                stamp(ago(25))
            )),
        )
        .await;
        assert_eq!(ids(&both), [4], "ANDed; unknown terms ignored");
        let unread = orders_page(&fake, &token, q("updated_at:>'yesterday'".into())).await;
        assert_eq!(ids(&unread).len(), 4, "a term it cannot read is ignored");
        let none = orders_page(&fake, &token, q(format!("updated_at:>'{}'", stamp(ago(-5))))).await;
        assert_eq!(ids(&none), Vec::<i64>::new());
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_orders_refuse_a_page_size_over_250() {
        let fake = start(|_| {}).await;
        let token = token(&fake).await;
        let refused = json!({"errors": [{"message": "The first argument must be between 1 and 250",
                                         "extensions": {"code": "BAD_REQUEST"}}]});
        for bad in [
            json!({"first": 251}),
            json!({"first": 0}),
            json!({}),
            json!({"first": "10"}),
        ] {
            assert_eq!(orders_page(&fake, &token, bad.clone()).await, refused, "{bad}");
        }
        let wrong_query = orders_page(&fake, &token, json!({"first": 1, "query": 5})).await;
        assert!(wrong_query["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("$query"));
        let most = orders_page(&fake, &token, json!({"first": 250})).await;
        assert_eq!(most["data"]["orders"]["edges"], json!([]));
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(
            answers,
            [
                "200",
                "BAD_REQUEST",
                "BAD_REQUEST",
                "BAD_REQUEST",
                "BAD_REQUEST",
                "ERROR",
                "200"
            ]
        );
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_lists_old_orders_only_with_read_all_orders() {
        let orders = || {
            let day = 24 * 60;
            [
                order(1, ago(61 * day), Buyer::new(1), &line()),
                order(2, ago(59 * day), Buyer::new(2), &line()),
                order(3, ago(5), Buyer::new(3), &line()),
            ]
        };
        let recent = start(|_| {}).await;
        recent.add_orders(orders());
        let token = token(&recent).await;
        let listed = orders_page(&recent, &token, json!({"first": 10})).await;
        assert_eq!(ids(&listed), [2, 3]);
        recent.shutdown();

        let all = start(|c| c.scopes = "read_orders,read_all_orders".into()).await;
        all.add_orders(orders());
        let token = self::token(&all).await;
        let listed = orders_page(&all, &token, json!({"first": 10})).await;
        assert_eq!(ids(&listed), [1, 2, 3]);
        all.shutdown();
    }

    #[tokio::test]
    async fn shopify_hides_protected_customer_data_without_access() {
        let hidden = start(|c| c.protected_customer_data = false).await;
        let shown = start(|_| {}).await;
        let o = order(1, ago(5), Buyer::new(0), &line());
        hidden.add_orders([o.clone()]);
        shown.add_orders([o.clone()]);
        let token = token(&shown).await;
        let full = orders_page(&shown, &token, json!({"first": 1})).await;
        assert_eq!(
            full["data"]["orders"]["edges"][0]["node"], o,
            "orders come back as stored"
        );
        let token = self::token(&hidden).await;
        let node = orders_page(&hidden, &token, json!({"first": 1})).await["data"]["orders"]["edges"][0]
            ["node"]
            .clone();
        for field in ["customer", "email", "phone", "shippingAddress"] {
            assert_eq!(node[field], Value::Null, "{field}");
        }
        assert_eq!(node["lineItems"], o["lineItems"]);
        assert_eq!(node["totalPriceSet"], o["totalPriceSet"]);
        hidden.shutdown();
        shown.shutdown();
    }

    #[tokio::test]
    async fn shopify_charges_query_cost_and_throttles_an_empty_bucket() {
        // No restoring: the bucket's level is exact.
        let fake = start(|c| c.restore_rate = 0.0).await;
        fake.add_orders(generated(30, ago(1)));
        let token = token(&fake).await;
        let page = orders_page(&fake, &token, json!({"first": 10})).await;
        assert_eq!(
            page["extensions"],
            json!({"cost": {"requestedQueryCost": 13, "actualQueryCost": 13,
                   "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 987, "restoreRate": 0.0}}})
        );
        let short = orders_page(
            &fake,
            &token,
            json!({"first": 50, "query": "created_at:>'2000-01-01'"}),
        )
        .await;
        assert_eq!(ids(&short).len(), 30);
        assert_eq!(short["extensions"]["cost"]["requestedQueryCost"], 53);
        assert_eq!(short["extensions"]["cost"]["actualQueryCost"], 33);
        assert_eq!(
            short["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
            987 - 33
        );
        let shop = gql(&fake, &token, json!({"query": "{ shop { name } }"})).await;
        assert_eq!(shop["extensions"]["cost"]["actualQueryCost"], 1);
        assert_eq!(
            shop["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
            953
        );

        fake.set_available(5.0);
        let throttled = orders_page(&fake, &token, json!({"first": 10})).await;
        assert_eq!(
            throttled,
            json!({"errors": [{"message": "Throttled",
                               "extensions": {"code": "THROTTLED", "documentation": RATE_LIMITS_DOC}}],
                   "extensions": {"cost": {"requestedQueryCost": 13, "actualQueryCost": null,
                   "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 5, "restoreRate": 0.0}}}})
        );
        assert_eq!(fake.available(), 5.0, "a throttled query costs nothing");
        assert_eq!(fake.throttled_count(), 1);
        // A query that fits still runs.
        let small = orders_page(&fake, &token, json!({"first": 1})).await;
        assert_eq!(ids(&small).len(), 1);
        assert_eq!(
            small["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
            1
        );

        let r = reqwest::Client::new()
            .post(format!("{}{SET_AVAILABLE_PATH}", fake.base_url()))
            .json(&json!({"points": 1000.0}))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let again = orders_page(&fake, &token, json!({"first": 10})).await;
        assert_eq!(ids(&again).len(), 10);
        assert_eq!(fake.throttled_count(), 1);
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["200", "200", "200", "200", "THROTTLED", "200", "200"]);
        fake.shutdown();
    }

    /// A query that could cost more than 1,000 points is never run; an order's items come a
    /// page at a time, the rest through `order(id:)`.
    #[tokio::test]
    async fn shopify_refuses_a_query_over_the_single_query_limit_and_pages_an_orders_items() {
        let fake = start(|_| {}).await;
        let mut big = generated(1, ago(1)).remove(0);
        let item = big["lineItems"]["edges"][0].clone();
        big["lineItems"]["edges"] = json!(vec![item; 25]);
        fake.add_orders(vec![big]);
        let token = token(&fake).await;
        let items_query = |first: u32| {
            format!(
                "query Orders($first: Int!, $after: String) {{ orders(first: $first, after: $after) {{ \
                 edges {{ node {{ id lineItems(first: {first}) {{ edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }} }} \
                 pageInfo {{ hasNextPage endCursor }} }} }}"
            )
        };
        // 2 + 50 × (1 + 2 + 100 × 5 + 1) + 1: refused before it runs, nothing charged.
        let refused = gql(
            &fake,
            &token,
            json!({"query": items_query(100), "variables": {"first": 50}}),
        )
        .await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "MAX_COST_EXCEEDED");
        assert_eq!(refused["errors"][0]["extensions"]["cost"], 25_203);
        assert!(refused.get("data").is_none());

        let page = gql(
            &fake,
            &token,
            json!({"query": items_query(10), "variables": {"first": 5}}),
        )
        .await;
        let items = &page["data"]["orders"]["edges"][0]["node"]["lineItems"];
        assert_eq!(items["edges"].as_array().unwrap().len(), 10);
        assert_eq!(items["pageInfo"]["hasNextPage"], true);
        let rest_query = "query OrderItems($id: ID!, $after: String) { order(id: $id) { \
            lineItems(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }";
        let id = page["data"]["orders"]["edges"][0]["node"]["id"].clone();
        let rest = gql(
            &fake,
            &token,
            json!({"query": rest_query, "variables": {"id": id, "after": items["pageInfo"]["endCursor"]}}),
        )
        .await;
        let rest = &rest["data"]["order"]["lineItems"];
        assert_eq!(rest["edges"].as_array().unwrap().len(), 15);
        assert_eq!(rest["pageInfo"]["hasNextPage"], false);
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_bucket_restores_with_time() {
        let fake = start(|c| c.restore_rate = 1000.0).await;
        fake.add_orders(generated(5, ago(1)));
        let token = token(&fake).await;
        fake.set_available(0.0);
        let throttled = orders_page(&fake, &token, json!({"first": 100})).await;
        assert_eq!(throttled["errors"][0]["extensions"]["code"], "THROTTLED");
        assert!(throttled.get("data").is_none());
        // 1000 points a second: 50 ms fill 50, enough for 10 orders (13).
        tokio::time::sleep(Duration::from_millis(50)).await;
        let page = orders_page(&fake, &token, json!({"first": 10})).await;
        assert_eq!(ids(&page).len(), 5);
        assert_eq!(page["extensions"]["cost"]["actualQueryCost"], 8);
        assert_eq!(fake.throttled_count(), 1);
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_calls_log_never_holds_a_secret_or_token() {
        let fake = start(|c| c.legacy_token = Some(LEGACY.into())).await;
        let token = token(&fake).await;
        orders_page(&fake, &token, json!({"first": 5, "query": null})).await;
        // A token where it does not belong is hidden too.
        orders_page(
            &fake,
            LEGACY,
            json!({"first": 5, "query": format!("tag:{token}")}),
        )
        .await;
        grant_form(&fake, "wrong-secret").await;
        let json_grant =
            json!({"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": SECRET});
        post_raw(&fake, TOKEN_PATH, "application/json", json_grant.to_string()).await;
        let listed: Value = reqwest::get(format!("{}{CALLS_PATH}", fake.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = listed.to_string();
        for secret in [SECRET, "wrong-secret", token.as_str(), LEGACY, "shpat_"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            listed[0],
            json!({"method": "POST", "path": TOKEN_PATH,
                   "body": {"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "***"},
                   "answer": "200"})
        );
        assert_eq!(
            listed[1],
            json!({"method": "POST", "path": "/admin/api/2025-10/graphql.json",
                   "body": {"query": ORDERS_QUERY, "variables": {"first": 5, "query": null}}, "answer": "200"})
        );
        assert_eq!(listed[2]["body"]["variables"]["query"], "***");
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["200", "200", "200", "400", "200"]);
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_faults_answer_once_then_the_store_does() {
        let fake = start(|_| {}).await;
        let token = token(&fake).await;
        let shop = json!({"query": "{ shop { name } }"});
        fake.push_fault(Fault::RateLimited {
            retry_after_secs: Some(2),
        });
        let limited = gql_at(&fake, &fake.graphql_path(), &token, shop.clone()).await;
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["retry-after"], "2");
        assert_eq!(
            limited.json::<Value>().await.unwrap(),
            json!({"errors": RATE_LIMITED})
        );
        assert!(gql(&fake, &token, shop.clone()).await["data"]["shop"].is_object());

        // Serde cannot read `ServerError(u16)` in an internally tagged list: the handle queues it.
        fake.push_fault_on(&fake.graphql_path(), Fault::ServerError(502));
        fake.push_fault_on(TOKEN_PATH, Fault::ServerError(500));
        let r = post_raw(
            &fake,
            FAULTS_ADMIN_PATH,
            "application/json",
            json!([{"type": "not_json"}]).to_string(),
        )
        .await;
        assert!(r.status().is_success());
        let bad_gateway = gql_at(&fake, &fake.graphql_path(), &token, shop.clone()).await;
        assert_eq!(bad_gateway.status(), 502);
        assert!(bad_gateway
            .text()
            .await
            .unwrap()
            .contains("<center>nginx</center>"));
        let internal = grant_form(&fake, SECRET).await;
        assert_eq!(internal.status(), 500);
        assert_eq!(
            internal.json::<Value>().await.unwrap(),
            json!({"errors": "Internal Server Error"})
        );
        let html = gql_at(&fake, &fake.graphql_path(), &token, shop.clone()).await;
        assert_eq!(html.status(), 200);
        assert!(html.text().await.unwrap().starts_with("<!DOCTYPE html>"));
        fake.push_fault(Fault::TruncatedJson);
        let cut = gql_at(&fake, &fake.graphql_path(), &token, shop.clone()).await;
        assert!(cut.json::<Value>().await.is_err());
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["200", "429", "200", "502", "500", "200", "200"]);
        fake.shutdown();
    }

    #[tokio::test]
    async fn shopify_admin_adds_orders_by_gid_or_legacy_id() {
        let fake = start(|_| {}).await;
        let by_gid = json!({"id": "gid://shopify/Order/42", "createdAt": stamp(ago(3)), "name": "#42"});
        let r = post_raw(
            &fake,
            ORDERS_ADMIN_PATH,
            "application/json",
            json!([by_gid]).to_string(),
        )
        .await;
        assert_eq!(r.status(), 204);
        let stored = fake.order(42).unwrap();
        assert_eq!(stored["legacyResourceId"], "42");
        assert_eq!(stored["updatedAt"], stored["createdAt"]);
        let bad = post_raw(
            &fake,
            ORDERS_ADMIN_PATH,
            "application/json",
            json!([{"name": "#1"}]).to_string(),
        )
        .await;
        assert_eq!(bad.status(), 400);
        fake.add_orders([json!({"legacyResourceId": 42, "createdAt": stamp(ago(3)), "name": "#42b"})]);
        assert_eq!(fake.order(42).unwrap()["name"], "#42b");
        assert_eq!(fake.order(42).unwrap()["id"], "gid://shopify/Order/42");
        assert!(!fake.edit_order(7, |_| {}));
        assert!(fake.remove_order(42));
        assert!(fake.order(42).is_none());
        fake.shutdown();
    }

    #[test]
    fn shopify_orders_are_built_with_their_totals() {
        let created = parse_time("2026-12-01T10:00:00Z").unwrap();
        let o = order(
            1001,
            created,
            Buyer::new(0),
            &[
                (7, "TS-M", "T-shirt - M", 2, "10.00"),
                (2, "CAP-B", "Cap - Black", 1, "18.5"),
            ],
        );
        assert_eq!(o["id"], "gid://shopify/Order/1001");
        assert_eq!(o["name"], "#1001");
        assert_eq!(o["createdAt"], "2026-12-01T10:00:00Z");
        assert_eq!(o["updatedAt"], o["createdAt"]);
        assert_eq!(
            o["totalPriceSet"],
            json!({"shopMoney": {"amount": "43.50", "currencyCode": "USD"}})
        );
        let first = &o["lineItems"]["edges"][0]["node"];
        assert_eq!(first["id"], "gid://shopify/LineItem/100101");
        assert_eq!(first["variant"]["id"], "gid://shopify/ProductVariant/70");
        assert_eq!(
            o["lineItems"]["edges"][1]["node"]["originalUnitPriceSet"]["shopMoney"]["amount"],
            "18.50"
        );
        assert_eq!(o["shippingAddress"]["provinceCode"], "IL");
        assert_eq!(o["customer"]["firstName"], "Jane");
        assert_eq!(
            o["shippingLines"]["edges"][0]["node"]["originalPriceSet"]["shopMoney"]["amount"],
            "5.00"
        );
        let mut nobody = Buyer::new(3);
        nobody.email.clear();
        assert_eq!(order(1, created, nobody, &line())["email"], Value::Null);
    }

    #[test]
    fn shopify_generated_orders_repeat_products_and_a_buyer() {
        let until = parse_time("2026-07-01T09:00:00Z").unwrap();
        let orders = generated(30, until);
        assert_eq!(orders.len(), 30);
        assert_eq!(orders[29]["createdAt"], "2026-07-01T09:00:00Z");
        assert_eq!(orders[28]["createdAt"], "2026-07-01T08:57:00Z");
        assert_eq!(orders[0]["legacyResourceId"], "1");
        assert_eq!(orders[9]["displayFulfillmentStatus"], "FULFILLED");
        assert_eq!(orders[8]["displayFulfillmentStatus"], "UNFULFILLED");
        assert_eq!(orders[14]["cancelledAt"], "2026-07-01T08:17:00Z");
        assert_eq!(orders[14]["updatedAt"], orders[14]["cancelledAt"]);
        assert_eq!(
            orders[29]["cancelledAt"], "2026-07-01T09:00:00Z",
            "never after until"
        );
        assert_eq!(orders[13]["cancelledAt"], Value::Null);
        assert_eq!(orders[6]["customer"], orders[0]["customer"]);
        assert_eq!(orders, generated(30, until));
        for o in &orders {
            let lines = o["lineItems"]["edges"].as_array().unwrap();
            assert!((1..=3).contains(&lines.len()));
        }
    }

    #[test]
    fn shopify_search_terms_keep_quoted_values_whole() {
        assert_eq!(
            search_terms("created_at:>='2026-12-01T10:00:00Z' AND  status:\"any thing\""),
            ["created_at:>='2026-12-01T10:00:00Z'", "status:\"any thing\""]
        );
        let f = time_filter("updated_at:<=2026-12-01").unwrap();
        assert_eq!((f.field, f.cmp), (Field::UpdatedAt, Cmp::AtOrBefore));
        assert_eq!(f.at, parse_time("2026-12-01T00:00:00Z").unwrap());
        assert!(time_filter("updated_at:2026-12-01").is_none());
        assert!(time_filter("processed_at:>2026-12-01").is_none());
    }
}
