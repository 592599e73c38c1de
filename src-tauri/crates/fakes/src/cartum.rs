//! Fake Cartum (Horoshop) shop: the API under `/api/` as Horoshop documents it. Every call is a
//! `POST` with a JSON body and every answer HTTP 200 with `{"status", "response"}`, the status
//! one of `OK`, `EMPTY` (nothing found), `WARNING` (part of a batch failed), `ERROR` (a bad
//! request: `response.message`) or `UNAUTHORIZED` (bad login, or a token unknown or expired).
//!
//! - `POST /api/auth/` `{login, password}` gives a token, good for a while from its
//!   issue (10 minutes unless the config says otherwise).
//! - `POST /api/orders/get/` `{token, from?, to?, ids?, offset?, limit?}`: orders by `order_id`
//!   ascending, `from` / `to` (`YYYY-MM-DD HH:mm:ss`, inclusive) on `stat_created`, `limit` at
//!   most 500 (100 by default); `EMPTY` when none.
//! - `POST /api/orders/get_available_statuses/` `{token}`: the shop's statuses (id, title).
//! - `POST /api/orders/update/` `{token, orders: [{order_id, status?, tracking_code?, paid?}]}`:
//!   one log entry per order in request order; `payed` is the older spelling of `paid`. Some shop
//!   versions leave `order_id` out of the log, so a client must match entries by position.
//!
//! Cartum keeps and filters dates in the shop's local time, with no zone in them: the fake
//! compares wall-clock strings as the shop's database does (so the repeated hour of an autumn
//! clock change is one range), and its zone only matters when making orders from UTC times.
//!
//! Admin (not Cartum's): `GET /__fake/calls` lists every API request (never a password or a
//! token), `POST /__fake/orders` adds or replaces orders, `POST /__fake/statuses` adds statuses,
//! `POST /__fake/faults` queues faults and `POST /__fake/expire_tokens` ends every token.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::{Fault, FaultRule};
use crate::server::Served;

pub const AUTH_PATH: &str = "/api/auth/";
pub const ORDERS_GET_PATH: &str = "/api/orders/get/";
pub const STATUSES_PATH: &str = "/api/orders/get_available_statuses/";
pub const ORDERS_UPDATE_PATH: &str = "/api/orders/update/";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const STATUSES_ADMIN_PATH: &str = "/__fake/statuses";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const EXPIRE_TOKENS_PATH: &str = "/__fake/expire_tokens";
/// How Cartum writes a time, in the shop's zone.
pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";
/// What every order's delivery costs in [`order`].
pub const DELIVERY_PRICE: f64 = 60.0;
const MAX_LIMIT: i64 = 500;
const DEFAULT_LIMIT: i64 = 100;
/// Horoshop's own statuses; 5 is missing in the shops we know of, so here too.
const BUILT_IN_STATUSES: &[(i64, &str)] = &[
    (1, "Новий"),
    (2, "В обробці"),
    (3, "Доставлений"),
    (4, "Не доставлений"),
    (6, "Доставляється"),
];
/// In the calls log instead of a secret.
const MASK: &str = "***";

#[derive(Debug, Clone)]
pub struct FakeCartumConfig {
    pub login: String,
    pub password: String,
    /// 0 = any free port.
    pub port: u16,
    /// The shop's zone: its dates are wall-clock times there.
    pub timezone: Tz,
    /// How long a token lasts from its issue.
    pub token_ttl: Duration,
    /// Each orders/get answers this much later (a slow shop: long backfills to watch).
    pub page_delay: Duration,
    /// Plays the shop versions whose update log carries no `order_id`.
    pub log_without_ids: bool,
}

impl FakeCartumConfig {
    pub fn new(login: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            password: password.into(),
            port: 0,
            timezone: chrono_tz::Europe::Kyiv,
            token_ttl: Duration::from_secs(600),
            page_delay: Duration::ZERO,
            log_without_ids: false,
        }
    }
}

/// One API request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartumCall {
    pub method: String,
    pub path: String,
    /// The request's JSON with every `token` and `password` value masked; null when not JSON
    /// (the raw text may hold a secret).
    pub body: Value,
    /// The answer's `status` (`OK`, `EMPTY`, ...), or for a fault its HTTP status (`429`, `502`;
    /// `200` for a cut or HTML answer).
    pub answer: String,
}

struct Shared {
    config: FakeCartumConfig,
    state: Mutex<ShopState>,
}

#[derive(Default)]
struct ShopState {
    orders: BTreeMap<i64, Value>,
    statuses: Vec<(i64, String)>,
    /// Token → when it was issued.
    tokens: HashMap<String, Instant>,
    tokens_issued: usize,
    calls: Vec<CartumCall>,
    faults: VecDeque<FaultRule>,
    /// Orders an update through the API changed.
    updated: BTreeSet<i64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ShopState> {
        self.state.lock().expect("shop poisoned")
    }
}

pub struct FakeCartum;

impl FakeCartum {
    pub async fn start(config: FakeCartumConfig) -> std::io::Result<FakeCartumHandle> {
        let port = config.port;
        let state = ShopState {
            statuses: BUILT_IN_STATUSES
                .iter()
                .map(|(id, title)| (*id, title.to_string()))
                .collect(),
            ..Default::default()
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        // `any`, not `post`: a client's wrong method is a call to see in the log, answered the way
        // the shop answers a request it cannot read.
        let app = Router::new()
            .route(AUTH_PATH, any(api_auth))
            .route(ORDERS_GET_PATH, any(api_orders_get))
            .route(STATUSES_PATH, any(api_statuses))
            .route(ORDERS_UPDATE_PATH, any(api_orders_update))
            .route(CALLS_PATH, get(admin_calls))
            .route(ORDERS_ADMIN_PATH, post(admin_add_orders))
            .route(STATUSES_ADMIN_PATH, post(admin_add_statuses))
            .route(FAULTS_ADMIN_PATH, post(admin_faults))
            .route(EXPIRE_TOKENS_PATH, post(admin_expire_tokens))
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake Cartum").await?;
        Ok(FakeCartumHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeCartumHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeCartumHandle {
    /// The shop's address (the API is under `/api/`).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    pub fn timezone(&self) -> Tz {
        self.shared.config.timezone
    }

    /// Adds orders, replacing those with the same `order_id`.
    ///
    /// # Panics
    /// On an order without an integer `order_id`: the shop could not have stored it.
    pub fn add_orders(&self, orders: impl IntoIterator<Item = Value>) {
        let orders: Vec<Value> = orders.into_iter().collect();
        if let Err(message) = add_orders(&self.shared, orders) {
            panic!("{message}");
        }
    }

    pub fn order(&self, id: i64) -> Option<Value> {
        self.shared.lock().orders.get(&id).cloned()
    }

    pub fn remove_order(&self, id: i64) -> bool {
        self.shared.lock().orders.remove(&id).is_some()
    }

    /// The shop's manager moves an order in the admin panel (any id: the panel is not checked).
    pub fn set_status(&self, id: i64, status_id: i64) -> bool {
        let mut s = self.shared.lock();
        let Some(o) = s.orders.get_mut(&id) else {
            return false;
        };
        o["stat_status"] = json!(status_id);
        true
    }

    /// The manager changes how many of `article` an order has; the line's and the order's totals
    /// follow.
    pub fn set_quantity(&self, id: i64, article: &str, quantity: i64) -> bool {
        let mut s = self.shared.lock();
        let Some(o) = s.orders.get_mut(&id) else {
            return false;
        };
        let Some(line) = o["products"]
            .as_array_mut()
            .and_then(|lines| lines.iter_mut().find(|l| l["article"] == article))
        else {
            return false;
        };
        let price = line["price"].as_f64().unwrap_or_default();
        line["quantity"] = json!(quantity);
        line["total_price"] = money(price * quantity as f64);
        retotal(o);
        true
    }

    /// A status the shop's owner made, listed and settable like Horoshop's own; an existing id is
    /// renamed.
    pub fn add_status(&self, id: i64, title: &str) {
        add_status(&mut self.shared.lock(), id, title);
    }

    /// Every token issued so far stops working, as if its time were up.
    pub fn expire_tokens(&self) {
        self.shared.lock().tokens.clear();
    }

    /// How many logins succeeded.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens_issued
    }

    /// Orders changed through orders/update, by id.
    pub fn updated_orders(&self) -> Vec<i64> {
        self.shared.lock().updated.iter().copied().collect()
    }

    /// Every API request received, in order.
    pub fn calls(&self) -> Vec<CartumCall> {
        self.shared.lock().calls.clone()
    }

    /// The next API request misbehaves this way.
    pub fn push_fault(&self, fault: Fault) {
        self.shared
            .lock()
            .faults
            .push_back(FaultRule { fault, path: None });
    }

    /// The next request to `path` (e.g. [`ORDERS_GET_PATH`]) misbehaves this way.
    pub fn push_fault_on(&self, path: &str, fault: Fault) {
        self.shared.lock().faults.push_back(FaultRule {
            fault,
            path: Some(path.to_string()),
        });
    }
}

fn add_orders(shared: &Shared, orders: Vec<Value>) -> Result<(), String> {
    let keyed = orders
        .into_iter()
        .map(|o| match o["order_id"].as_i64() {
            Some(id) => Ok((id, o)),
            None => Err(format!("an order without an integer order_id: {o}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    shared.lock().orders.extend(keyed);
    Ok(())
}

fn add_status(s: &mut ShopState, id: i64, title: &str) {
    match s.statuses.iter_mut().find(|(known, _)| *known == id) {
        Some(status) => status.1 = title.to_string(),
        None => s.statuses.push((id, title.to_string())),
    }
}

type S = State<Arc<Shared>>;

async fn api_auth(State(shared): S, method: Method, body: Bytes) -> Response {
    serve(&shared, &method, AUTH_PATH, &body, auth).await
}

async fn api_orders_get(State(shared): S, method: Method, body: Bytes) -> Response {
    serve(&shared, &method, ORDERS_GET_PATH, &body, orders_get).await
}

async fn api_statuses(State(shared): S, method: Method, body: Bytes) -> Response {
    serve(&shared, &method, STATUSES_PATH, &body, statuses).await
}

async fn api_orders_update(State(shared): S, method: Method, body: Bytes) -> Response {
    serve(&shared, &method, ORDERS_UPDATE_PATH, &body, orders_update).await
}

/// Answers a queued fault, or the envelope `answer` makes of the request's JSON object, and logs
/// the call either way.
async fn serve(
    shared: &Shared,
    method: &Method,
    path: &'static str,
    raw: &[u8],
    answer: fn(&Shared, &Value) -> Value,
) -> Response {
    let doc: Option<Value> = serde_json::from_slice(raw).ok();
    let fault = {
        let mut s = shared.lock();
        let at = s
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == path));
        at.and_then(|i| s.faults.remove(i)).map(|f| f.fault)
    };
    let (response, answered) = match fault_response(fault.as_ref()) {
        Some(r) => {
            let code = r.status().as_u16().to_string();
            (r, code)
        }
        None => {
            if let Some(Fault::Slow { millis }) = fault {
                tokio::time::sleep(Duration::from_millis(millis)).await;
            }
            if path == ORDERS_GET_PATH && !shared.config.page_delay.is_zero() {
                tokio::time::sleep(shared.config.page_delay).await;
            }
            let envelope = match &doc {
                // The shop reads its parameters from the body: a GET has none it can read.
                _ if method != Method::POST => error("Request method must be POST"),
                Some(d) if d.is_object() => answer(shared, d),
                _ => error("Request body must be a JSON object"),
            };
            let status = envelope["status"].as_str().unwrap_or_default().to_string();
            (Json(envelope).into_response(), status)
        }
    };
    shared.lock().calls.push(CartumCall {
        method: method.to_string(),
        path: path.into(),
        body: doc.map(masked).unwrap_or(Value::Null),
        answer: answered,
    });
    response
}

/// What a fault answers instead of the shop, if it answers at all (a slow one does not).
fn fault_response(fault: Option<&Fault>) -> Option<Response> {
    Some(match fault? {
        Fault::RateLimited { retry_after_secs } => {
            let mut r = (StatusCode::TOO_MANY_REQUESTS, Json(error("Too many requests"))).into_response();
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert("retry-after", HeaderValue::from(*secs));
            }
            r
        }
        // What the shop's nginx says when PHP behind it fails: HTML, not the API's envelope.
        Fault::ServerError(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let page = format!(
                "<html><body>{} {}</body></html>",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Error")
            );
            (status, [("content-type", "text/html")], page).into_response()
        }
        Fault::TruncatedJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"status\":\"OK\",\"response\":{\"orders\":[{\"order_id\":1,\"stat_sta",
        )
            .into_response(),
        Fault::NotJson => (
            StatusCode::OK,
            [("content-type", "text/html; charset=utf-8")],
            "<html><head><title>Технічні роботи</title></head>\
             <body><h1>Сайт на технічному обслуговуванні</h1></body></html>",
        )
            .into_response(),
        _ => return None,
    })
}

/// The request with every `token` and `password` value hidden, however deep.
fn masked(mut doc: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if key == "token" || key == "password" {
                        *value = json!(MASK);
                    } else {
                        walk(value);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut doc);
    doc
}

fn envelope(status: &str, response: Value) -> Value {
    json!({"status": status, "response": response})
}

fn error(message: &str) -> Value {
    envelope("ERROR", json!({"message": message}))
}

fn auth(shared: &Shared, doc: &Value) -> Value {
    let (Some(login), Some(password)) = (doc["login"].as_str(), doc["password"].as_str()) else {
        return error("Login and password are required");
    };
    let c = &shared.config;
    if login != c.login || password != c.password {
        return envelope("UNAUTHORIZED", json!({"message": "Invalid login or password"}));
    }
    let token = format!("{:032x}", fastrand::u128(..));
    let mut s = shared.lock();
    let ttl = c.token_ttl;
    // Old tokens go when their time is up, so a long demo run does not pile them up.
    s.tokens.retain(|_, issued| issued.elapsed() < ttl);
    s.tokens.insert(token.clone(), Instant::now());
    s.tokens_issued += 1;
    envelope("OK", json!({"token": token}))
}

/// Refuses the request unless its token was issued and its time is not up.
fn authorised(shared: &Shared, doc: &Value) -> Result<(), Value> {
    let ttl = shared.config.token_ttl;
    let s = shared.lock();
    let valid = doc["token"]
        .as_str()
        .and_then(|t| s.tokens.get(t))
        .is_some_and(|issued| issued.elapsed() < ttl);
    if valid {
        Ok(())
    } else {
        Err(envelope(
            "UNAUTHORIZED",
            json!({"message": "Token is invalid or expired"}),
        ))
    }
}

/// A parameter the shop's PHP reads with `isset`: absent and null are the same.
fn param<'a>(doc: &'a Value, key: &str) -> Option<&'a Value> {
    doc.get(key).filter(|v| !v.is_null())
}

fn date_param(doc: &Value, key: &str) -> Result<Option<NaiveDateTime>, Value> {
    let Some(v) = param(doc, key) else {
        return Ok(None);
    };
    v.as_str().and_then(parse_local).map(Some).ok_or_else(|| {
        error(&format!(
            "Parameter {key} must be a date in format YYYY-MM-DD HH:mm:ss"
        ))
    })
}

fn int_param(
    doc: &Value,
    key: &str,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, Value> {
    let Some(v) = param(doc, key) else {
        return Ok(default);
    };
    v.as_i64().filter(|n| range.contains(n)).ok_or_else(|| {
        error(&format!(
            "Parameter {key} must be an integer from {} to {}",
            range.start(),
            range.end()
        ))
    })
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), TIME_FORMAT).ok()
}

fn orders_get(shared: &Shared, doc: &Value) -> Value {
    if let Err(refusal) = authorised(shared, doc) {
        return refusal;
    }
    let window = date_param(doc, "from").and_then(|from| Ok((from, date_param(doc, "to")?)));
    let paging = int_param(doc, "offset", 0, 0..=i64::MAX)
        .and_then(|offset| Ok((offset, int_param(doc, "limit", DEFAULT_LIMIT, 1..=MAX_LIMIT)?)));
    let ids: Result<Option<Vec<i64>>, Value> = match param(doc, "ids") {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(Value::as_i64)
            .collect::<Option<Vec<i64>>>()
            .map(Some)
            .ok_or_else(|| error("Parameter ids must be a list of order ids")),
        Some(_) => Err(error("Parameter ids must be a list of order ids")),
    };
    let ((from, to), (offset, limit), ids) = match (window, paging, ids) {
        (Ok(w), Ok(p), Ok(i)) => (w, p, i),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return e,
    };
    let s = shared.lock();
    let listed: Vec<Value> = s
        .orders
        .iter()
        // PHP's `empty()` takes an empty list for no filter at all.
        .filter(|(id, _)| ids.as_ref().is_none_or(|ids| ids.is_empty() || ids.contains(id)))
        .filter(|(_, o)| {
            if from.is_none() && to.is_none() {
                return true;
            }
            let Some(created) = o["stat_created"].as_str().and_then(parse_local) else {
                return false;
            };
            from.is_none_or(|f| created >= f) && to.is_none_or(|t| created <= t)
        })
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|(_, o)| o.clone())
        .collect();
    if listed.is_empty() {
        envelope("EMPTY", json!({"message": "No orders found"}))
    } else {
        envelope("OK", json!({"orders": listed}))
    }
}

fn statuses(shared: &Shared, doc: &Value) -> Value {
    if let Err(refusal) = authorised(shared, doc) {
        return refusal;
    }
    let s = shared.lock();
    let listed: Vec<Value> = s
        .statuses
        .iter()
        .map(|(id, title)| json!({"id": id, "title": title}))
        .collect();
    envelope("OK", json!({"statuses": listed}))
}

/// A change to one order, checked before anything of it applies.
struct Change {
    status: Option<i64>,
    tracking_code: Option<String>,
    paid: Option<bool>,
}

/// What `entry` asks of the order with this id, or why it cannot be done.
fn change(s: &ShopState, id: i64, entry: &Value) -> Result<Change, Vec<String>> {
    if !s.orders.contains_key(&id) {
        return Err(vec!["Order not found".into()]);
    }
    let mut problems = vec![];
    let status = param(entry, "status").and_then(|v| {
        let known = v
            .as_i64()
            .filter(|st| s.statuses.iter().any(|(known, _)| known == st));
        if known.is_none() {
            problems.push(format!("Status {v} does not exist"));
        }
        known
    });
    let tracking_code = param(entry, "tracking_code").and_then(|v| {
        if v.as_str().is_none() {
            problems.push("Tracking code must be a string".into());
        }
        v.as_str().map(str::to_string)
    });
    // `paid` is the current spelling; when both come, it wins.
    let paid = ["paid", "payed"]
        .into_iter()
        .find_map(|key| param(entry, key).map(|v| (key, v)))
        .and_then(|(key, v)| {
            let flag = match v {
                Value::Bool(b) => Some(*b),
                _ => match v.as_i64() {
                    Some(0) => Some(false),
                    Some(1) => Some(true),
                    _ => None,
                },
            };
            if flag.is_none() {
                problems.push(format!("Field {key} must be 0 or 1"));
            }
            flag
        });
    if problems.is_empty() {
        Ok(Change {
            status,
            tracking_code,
            paid,
        })
    } else {
        Err(problems)
    }
}

fn orders_update(shared: &Shared, doc: &Value) -> Value {
    if let Err(refusal) = authorised(shared, doc) {
        return refusal;
    }
    let Some(entries) = param(doc, "orders")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
    else {
        return error("Parameter orders must be a non-empty list");
    };
    let with_ids = !shared.config.log_without_ids;
    let mut s = shared.lock();
    let mut updated = 0;
    let log: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let id = entry["order_id"].as_i64();
            let outcome = match id {
                None => Err(vec!["Order id is required".to_string()]),
                Some(id) => change(&s, id, entry).map(|c| (id, c)),
            };
            let mut line = match outcome {
                Ok((id, c)) => {
                    if let Some(o) = s.orders.get_mut(&id) {
                        if let Some(status) = c.status {
                            o["stat_status"] = json!(status);
                        }
                        if let Some(code) = c.tracking_code {
                            o["tracking_code"] = json!(code);
                        }
                        if let Some(paid) = c.paid {
                            o["payed"] = json!(i64::from(paid));
                        }
                    }
                    s.updated.insert(id);
                    updated += 1;
                    json!({"status": "OK", "message": "Order updated"})
                }
                Err(messages) => json!({"status": "ERROR", "messages": messages}),
            };
            if let (true, Some(id)) = (with_ids, id) {
                line["order_id"] = json!(id);
            }
            line
        })
        .collect();
    match updated {
        // A client that reads only `message` on ERROR still learns why.
        0 => envelope("ERROR", json!({"message": "No orders were updated", "log": log})),
        n if n == log.len() => envelope("OK", json!({"log": log})),
        _ => envelope("WARNING", json!({"log": log})),
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<CartumCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_add_orders(State(shared): S, Json(orders): Json<Vec<Value>>) -> Response {
    match add_orders(&shared, orders) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => (StatusCode::BAD_REQUEST, message).into_response(),
    }
}

#[derive(Deserialize)]
struct NewStatus {
    id: i64,
    title: String,
}

async fn admin_add_statuses(State(shared): S, Json(statuses): Json<Vec<NewStatus>>) -> StatusCode {
    let mut s = shared.lock();
    for st in statuses {
        add_status(&mut s, st.id, &st.title);
    }
    StatusCode::NO_CONTENT
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

/// Money as the shop's PHP writes it: whole sums as integers, others with at most two decimals.
fn money(x: f64) -> Value {
    let cents = (x * 100.0).round();
    if cents % 100.0 == 0.0 && cents.abs() < 1e15 {
        json!((cents / 100.0) as i64)
    } else {
        json!(cents / 100.0)
    }
}

/// The order's `total_sum` again from its lines and delivery.
fn retotal(o: &mut Value) {
    let lines: f64 = o["products"]
        .as_array()
        .map(|lines| lines.iter().filter_map(|l| l["total_price"].as_f64()).sum())
        .unwrap_or_default();
    let delivery = o["delivery_price"].as_f64().unwrap_or_default();
    o["total_sum"] = money(lines + delivery);
}

/// A buyer of [`order`]; empty strings leave a field empty.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buyer {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub city: String,
    pub address: String,
}

impl Buyer {
    /// Buyer number `n`, the same every time: names and cities come round again, phones and
    /// e-mails are each buyer's own.
    pub fn new(n: usize) -> Self {
        const FIRST: &[&str] = &[
            "Ірина",
            "Олександр",
            "Марія",
            "Андрій",
            "Оксана",
            "Дмитро",
            "Наталія",
            "Сергій",
            "Тетяна",
            "Василь",
        ];
        const LAST: &[&str] = &[
            "Коваль",
            "Шевченко",
            "Бондаренко",
            "Ткаченко",
            "Кравченко",
            "Мельник",
            "Олійник",
            "Лисенко",
        ];
        const CITIES: &[&str] = &["Київ", "Львів", "Одеса", "Харків", "Дніпро", "Вінниця"];
        const STREETS: &[&str] = &["вул. Хрещатик", "вул. Шевченка", "просп. Миру", "вул. Соборна"];
        Self {
            name: format!("{} {}", FIRST[n % FIRST.len()], LAST[(n / 3) % LAST.len()]),
            phone: format!("+38050{:07}", n % 10_000_000),
            email: format!("buyer{n}@example.com"),
            city: CITIES[n % CITIES.len()].into(),
            address: format!("{}, {}", STREETS[n % STREETS.len()], 1 + n % 120),
        }
    }
}

/// An order as orders/get returns it: new, unpaid, by Nova Poshta with cash on delivery, created
/// at `created_local` (the shop's time), `items` as (article, title, quantity, unit price).
pub fn order(id: i64, created_local: NaiveDateTime, buyer: Buyer, items: &[(&str, &str, i64, f64)]) -> Value {
    let products: Vec<Value> = items
        .iter()
        .map(|(article, title, quantity, price)| {
            json!({"article": article, "title": title, "quantity": quantity, "price": money(*price),
                   "total_price": money(price * *quantity as f64), "type": "product"})
        })
        .collect();
    let mut o = json!({
        "order_id": id, "stat_status": 1, "stat_created": created_local.format(TIME_FORMAT).to_string(),
        "currency": "UAH", "total_sum": 0,
        "delivery_name": buyer.name, "delivery_email": buyer.email, "delivery_phone": buyer.phone,
        "delivery_city": buyer.city, "delivery_address": buyer.address,
        "delivery_type": {"id": 2, "title": "Нова Пошта"}, "delivery_price": money(DELIVERY_PRICE),
        "payment_type": {"id": 1, "title": "Накладений платіж"}, "payed": 0, "tracking_code": "",
        "comment": "", "products": products
    });
    retotal(&mut o);
    o
}

/// `n` orders, ids 1..=n, one every 3 minutes up to `until` (written in `tz`), for backfills,
/// demos and benchmarks: every 10th delivered (paid, with a waybill), one to three lines from a
/// short list of articles so products repeat, and every 7th by buyer 1 so a customer returns.
pub fn generated(n: usize, until: DateTime<Utc>, tz: Tz) -> Vec<Value> {
    const CATALOG: &[(&str, &str, f64)] = &[
        ("A-1", "Фільтр масляний", 735.0),
        ("A-2", "Фільтр повітряний", 420.5),
        ("B-7", "Колодки гальмівні передні", 1_290.0),
        ("C-3", "Свічка запалювання", 189.9),
        ("D-12", "Щітка склоочисника", 350.0),
        ("E-5", "Ремінь ГРМ", 2_140.0),
        ("F-8", "Лампа H7", 99.5),
        ("G-4", "Антифриз 5 л", 615.0),
    ];
    (1..=n)
        .map(|i| {
            let id = i as i64;
            let created = until - chrono::Duration::minutes(3 * (n - i) as i64);
            let buyer = Buyer::new(if i % 7 == 0 { 1 } else { i });
            // A step of 3 through 8 articles: an order's lines are never the same article twice.
            let items: Vec<(&str, &str, i64, f64)> = (0..1 + i % 3)
                .map(|k| {
                    let (article, title, price) = CATALOG[(i + 3 * k) % CATALOG.len()];
                    (article, title, 1 + ((i + k) % 2) as i64, price)
                })
                .collect();
            let mut o = order(id, created.with_timezone(&tz).naive_local(), buyer, &items);
            if i % 10 == 0 {
                o["stat_status"] = json!(3);
                o["payed"] = json!(1);
                o["tracking_code"] = json!(format!("2045{id:010}"));
            }
            o
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    const LOGIN: &str = "manager";
    const PASSWORD: &str = "s3cret-pw";

    async fn start(edit: impl FnOnce(&mut FakeCartumConfig)) -> FakeCartumHandle {
        let mut config = FakeCartumConfig::new(LOGIN, PASSWORD);
        edit(&mut config);
        FakeCartum::start(config).await.unwrap()
    }

    async fn post(fake: &FakeCartumHandle, path: &str, body: Value) -> reqwest::Response {
        reqwest::Client::new()
            .post(format!("{}{path}", fake.base_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn call(fake: &FakeCartumHandle, path: &str, body: Value) -> Value {
        let r = post(fake, path, body).await;
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    async fn login(fake: &FakeCartumHandle) -> String {
        let a = call(fake, AUTH_PATH, json!({"login": LOGIN, "password": PASSWORD})).await;
        assert_eq!(a["status"], "OK", "{a}");
        a["response"]["token"].as_str().unwrap().to_string()
    }

    fn at(day: u32, h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    fn line() -> [(&'static str, &'static str, i64, f64); 1] {
        [("A-1", "Фільтр масляний", 2, 735.0)]
    }

    fn ids(answer: &Value) -> Vec<i64> {
        answer["response"]["orders"]
            .as_array()
            .map(|os| os.iter().map(|o| o["order_id"].as_i64().unwrap()).collect())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn cartum_auth_gives_a_token_only_for_the_right_password() {
        let fake = start(|_| {}).await;
        let token = login(&fake).await;
        assert_eq!(token.len(), 32);
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        let wrong = call(&fake, AUTH_PATH, json!({"login": LOGIN, "password": "nope"})).await;
        assert_eq!(
            wrong,
            json!({"status": "UNAUTHORIZED", "response": {"message": "Invalid login or password"}})
        );
        let missing = call(&fake, AUTH_PATH, json!({"login": LOGIN})).await;
        assert_eq!(missing["status"], "ERROR");
        assert!(missing["response"]["message"].is_string());
        let not_json = reqwest::Client::new()
            .post(format!("{}{AUTH_PATH}", fake.base_url()))
            .body("login=manager")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(not_json["status"], "ERROR");
        assert_eq!(fake.tokens_issued(), 1);
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_orders_window_is_inclusive_shop_local_time() {
        let fake = start(|_| {}).await;
        let b = || Buyer::new(2);
        fake.add_orders([
            order(1, at(1, 0, 0, 0) - chrono::Duration::seconds(1), b(), &line()),
            order(2, at(1, 0, 0, 0), b(), &line()),
            order(3, at(1, 23, 30, 0), b(), &line()),
            order(4, at(2, 0, 0, 0), b(), &line()),
        ]);
        let token = login(&fake).await;
        let day = json!({"token": token, "from": "2026-12-01 00:00:00", "to": "2026-12-01 23:59:59"});
        let answer = call(&fake, ORDERS_GET_PATH, day).await;
        assert_eq!(answer["status"], "OK");
        assert_eq!(ids(&answer), [2, 3]);
        assert_eq!(
            answer["response"]["orders"][1],
            fake.order(3).unwrap(),
            "orders come back as stored"
        );
        let only_from = call(
            &fake,
            ORDERS_GET_PATH,
            json!({"token": token, "from": "2026-12-01 23:30:00"}),
        )
        .await;
        assert_eq!(ids(&only_from), [3, 4]);
        let by_id = call(&fake, ORDERS_GET_PATH, json!({"token": token, "ids": [4, 1, 99]})).await;
        assert_eq!(ids(&by_id), [1, 4]);

        // A shop in Kyiv (UTC+2 in winter): 21:30 UTC is 23:30 there, still the 1st.
        let kyiv = generated(
            1,
            Utc.with_ymd_and_hms(2026, 12, 1, 21, 30, 0).unwrap(),
            chrono_tz::Europe::Kyiv,
        );
        assert_eq!(kyiv[0]["stat_created"], "2026-12-01 23:30:00");
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_orders_page_by_offset_and_limit() {
        let fake = start(|_| {}).await;
        let mut orders = generated(250, Utc::now(), chrono_tz::Europe::Kyiv);
        // Stored out of order: the listing sorts by id, not by arrival.
        orders.reverse();
        fake.add_orders(orders);
        let token = login(&fake).await;
        let mut seen = vec![];
        for (offset, want) in [(0, 100), (100, 100), (200, 50)] {
            let page = call(
                &fake,
                ORDERS_GET_PATH,
                json!({"token": token, "offset": offset, "limit": 100}),
            )
            .await;
            assert_eq!(page["status"], "OK");
            assert_eq!(ids(&page).len(), want);
            seen.extend(ids(&page));
        }
        assert_eq!(seen, (1..=250).collect::<Vec<i64>>());
        let past = call(&fake, ORDERS_GET_PATH, json!({"token": token, "offset": 250})).await;
        assert_eq!(
            past,
            json!({"status": "EMPTY", "response": {"message": "No orders found"}})
        );
        let default = call(&fake, ORDERS_GET_PATH, json!({"token": token})).await;
        assert_eq!(ids(&default).len(), 100);
        let most = call(&fake, ORDERS_GET_PATH, json!({"token": token, "limit": 500})).await;
        assert_eq!(ids(&most).len(), 250);
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_orders_refuse_bad_parameters_and_say_empty() {
        let fake = start(|_| {}).await;
        fake.add_orders([order(1, at(1, 10, 0, 0), Buyer::new(1), &line())]);
        let token = login(&fake).await;
        let nothing = call(
            &fake,
            ORDERS_GET_PATH,
            json!({"token": token, "from": "2027-01-01 00:00:00"}),
        )
        .await;
        assert_eq!(nothing["status"], "EMPTY");
        for bad in [
            json!({"token": token, "from": "2026-12-01T00:00:00"}),
            json!({"token": token, "to": "01.12.2026 00:00:00"}),
            json!({"token": token, "from": 20261201}),
            json!({"token": token, "limit": 501}),
            json!({"token": token, "limit": 0}),
            json!({"token": token, "offset": -1}),
            json!({"token": token, "ids": "1,2"}),
        ] {
            let answer = call(&fake, ORDERS_GET_PATH, bad.clone()).await;
            assert_eq!(answer["status"], "ERROR", "{bad}");
            assert!(answer["response"]["message"].is_string());
        }
        let as_get = reqwest::get(format!("{}{ORDERS_GET_PATH}", fake.base_url()))
            .await
            .unwrap();
        assert_eq!(as_get.status(), 200);
        assert_eq!(as_get.json::<Value>().await.unwrap()["status"], "ERROR");
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_tokens_expire_and_a_new_login_works() {
        let fake = start(|c| c.token_ttl = Duration::from_millis(300)).await;
        fake.add_orders([order(1, at(1, 10, 0, 0), Buyer::new(1), &line())]);
        let token = login(&fake).await;
        let refused =
            json!({"status": "UNAUTHORIZED", "response": {"message": "Token is invalid or expired"}});
        assert_eq!(
            call(&fake, ORDERS_GET_PATH, json!({"token": token})).await["status"],
            "OK"
        );
        fake.expire_tokens();
        assert_eq!(
            call(&fake, ORDERS_GET_PATH, json!({"token": token})).await,
            refused
        );
        assert_eq!(call(&fake, STATUSES_PATH, json!({"token": token})).await, refused);
        assert_eq!(call(&fake, ORDERS_GET_PATH, json!({})).await, refused);

        let fresh = login(&fake).await;
        assert_ne!(fresh, token);
        assert_eq!(
            call(&fake, ORDERS_GET_PATH, json!({"token": fresh})).await["status"],
            "OK"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(
            call(&fake, ORDERS_GET_PATH, json!({"token": fresh})).await,
            refused
        );

        let third = login(&fake).await;
        let r = reqwest::Client::new()
            .post(format!("{}{EXPIRE_TOKENS_PATH}", fake.base_url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        assert_eq!(
            call(&fake, ORDERS_GET_PATH, json!({"token": third})).await,
            refused
        );
        assert_eq!(fake.tokens_issued(), 3);
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_statuses_list_the_shops_own_and_custom_ones() {
        let fake = start(|_| {}).await;
        fake.add_status(7, "Повернення");
        let r = post(
            &fake,
            STATUSES_ADMIN_PATH,
            json!([{"id": 8, "title": "Очікує оплату"}]),
        )
        .await;
        assert!(r.status().is_success());
        let token = login(&fake).await;
        let answer = call(&fake, STATUSES_PATH, json!({"token": token})).await;
        assert_eq!(
            answer,
            json!({"status": "OK", "response": {"statuses": [
                {"id": 1, "title": "Новий"}, {"id": 2, "title": "В обробці"},
                {"id": 3, "title": "Доставлений"}, {"id": 4, "title": "Не доставлений"},
                {"id": 6, "title": "Доставляється"}, {"id": 7, "title": "Повернення"},
                {"id": 8, "title": "Очікує оплату"}]}})
        );
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_update_logs_each_order_in_request_order() {
        let fake = start(|_| {}).await;
        fake.add_status(7, "Повернення");
        fake.add_orders([
            order(1, at(1, 10, 0, 0), Buyer::new(1), &line()),
            order(2, at(1, 11, 0, 0), Buyer::new(2), &line()),
        ]);
        let token = login(&fake).await;
        let answer = call(
            &fake,
            ORDERS_UPDATE_PATH,
            json!({"token": token, "orders": [
                {"order_id": 404, "status": 2},
                {"order_id": 1, "status": 7, "tracking_code": "20450000000001", "payed": 1},
            ]}),
        )
        .await;
        assert_eq!(
            answer,
            json!({"status": "WARNING", "response": {"log": [
                {"order_id": 404, "status": "ERROR", "messages": ["Order not found"]},
                {"order_id": 1, "status": "OK", "message": "Order updated"},
            ]}})
        );
        let one = fake.order(1).unwrap();
        assert_eq!(
            (&one["stat_status"], &one["tracking_code"], &one["payed"]),
            (&json!(7), &json!("20450000000001"), &json!(1))
        );
        assert_eq!(fake.updated_orders(), [1]);

        let unknown = call(
            &fake,
            ORDERS_UPDATE_PATH,
            json!({"token": token, "orders": [{"order_id": 2, "status": 99, "paid": true}]}),
        )
        .await;
        assert_eq!(unknown["status"], "ERROR");
        assert_eq!(
            unknown["response"]["log"],
            json!([{"order_id": 2, "status": "ERROR", "messages": ["Status 99 does not exist"]}])
        );
        assert_eq!(
            fake.order(2).unwrap()["payed"],
            0,
            "a refused order is left alone"
        );

        let good = call(
            &fake,
            ORDERS_UPDATE_PATH,
            json!({"token": token, "orders": [{"order_id": 2, "status": 3, "paid": true}]}),
        )
        .await;
        assert_eq!(good["status"], "OK");
        assert_eq!(fake.order(2).unwrap()["payed"], 1);
        assert_eq!(fake.order(2).unwrap()["stat_status"], 3);

        let empty = call(&fake, ORDERS_UPDATE_PATH, json!({"token": token, "orders": []})).await;
        assert_eq!(empty["status"], "ERROR");
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_update_log_can_leave_ids_out() {
        let fake = start(|c| c.log_without_ids = true).await;
        fake.add_orders([order(1, at(1, 10, 0, 0), Buyer::new(1), &line())]);
        let token = login(&fake).await;
        let answer = call(
            &fake,
            ORDERS_UPDATE_PATH,
            json!({"token": token, "orders": [{"order_id": 1, "status": 2}, {"order_id": 5, "status": 2}]}),
        )
        .await;
        assert_eq!(
            answer,
            json!({"status": "WARNING", "response": {"log": [
                {"status": "OK", "message": "Order updated"},
                {"status": "ERROR", "messages": ["Order not found"]},
            ]}})
        );
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_calls_log_never_holds_a_secret() {
        let fake = start(|_| {}).await;
        fake.add_orders([order(1, at(1, 10, 0, 0), Buyer::new(1), &line())]);
        let token = login(&fake).await;
        call(&fake, ORDERS_GET_PATH, json!({"token": token, "limit": 5})).await;
        call(
            &fake,
            ORDERS_UPDATE_PATH,
            json!({"token": token, "orders": [{"order_id": 1, "paid": 1}]}),
        )
        .await;
        call(&fake, AUTH_PATH, json!({"login": LOGIN, "password": "wrong-pw"})).await;
        let listed: Value = reqwest::get(format!("{}{CALLS_PATH}", fake.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = listed.to_string();
        for secret in [PASSWORD, "wrong-pw", token.as_str()] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            listed[1],
            json!({"method": "POST", "path": ORDERS_GET_PATH,
                   "body": {"token": "***", "limit": 5}, "answer": "OK"})
        );
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["OK", "OK", "OK", "UNAUTHORIZED"]);
        assert_eq!(fake.calls()[0].body, json!({"login": LOGIN, "password": "***"}));
        fake.shutdown();
    }

    #[tokio::test]
    async fn cartum_faults_answer_once_then_the_shop_does() {
        let fake = start(|_| {}).await;
        let token = login(&fake).await;
        fake.push_fault(Fault::RateLimited {
            retry_after_secs: Some(7),
        });
        let limited = post(&fake, ORDERS_GET_PATH, json!({"token": token})).await;
        assert_eq!(limited.status(), 429);
        assert_eq!(limited.headers()["retry-after"], "7");
        assert_eq!(
            limited.json::<Value>().await.unwrap(),
            json!({"status": "ERROR", "response": {"message": "Too many requests"}})
        );
        assert_eq!(
            call(&fake, ORDERS_GET_PATH, json!({"token": token})).await["status"],
            "EMPTY"
        );

        // Serde cannot read `ServerError(u16)` in an internally tagged list: the handle queues it.
        fake.push_fault_on(ORDERS_UPDATE_PATH, Fault::ServerError(502));
        let r = post(&fake, FAULTS_ADMIN_PATH, json!([{"type": "not_json"}])).await;
        assert!(r.status().is_success());
        let html = post(&fake, STATUSES_PATH, json!({"token": token})).await;
        assert_eq!(html.status(), 200);
        assert!(html.text().await.unwrap().starts_with("<html>"));
        let bad_gateway = post(&fake, ORDERS_UPDATE_PATH, json!({"token": token, "orders": []})).await;
        assert_eq!(bad_gateway.status(), 502);
        assert_eq!(
            bad_gateway.text().await.unwrap(),
            "<html><body>502 Bad Gateway</body></html>"
        );
        let answers: Vec<String> = fake.calls().into_iter().map(|c| c.answer).collect();
        assert_eq!(answers, ["OK", "429", "EMPTY", "200", "502"]);
        fake.shutdown();
    }

    #[test]
    fn cartum_orders_are_built_with_their_totals() {
        let o = order(
            1001,
            at(1, 14, 5, 0),
            Buyer::new(0),
            &[("A-1", "Фільтр масляний", 2, 735.0), ("F-8", "Лампа H7", 1, 99.5)],
        );
        assert_eq!(o["stat_created"], "2026-12-01 14:05:00");
        assert_eq!(o["products"][0]["total_price"], json!(1470));
        assert_eq!(o["products"][1]["price"], json!(99.5));
        assert_eq!(o["total_sum"], json!(1629.5));
        assert_eq!(o["delivery_price"], json!(60));
    }

    #[tokio::test]
    async fn cartum_quantity_changes_move_the_totals() {
        let fake = start(|_| {}).await;
        fake.add_orders([order(1, at(1, 10, 0, 0), Buyer::new(1), &line())]);
        assert!(fake.set_quantity(1, "A-1", 3));
        let o = fake.order(1).unwrap();
        assert_eq!(o["products"][0]["quantity"], 3);
        assert_eq!(o["products"][0]["total_price"], json!(2205));
        assert_eq!(o["total_sum"], json!(2265));
        assert!(!fake.set_quantity(1, "NOPE", 1));
        assert!(fake.set_status(1, 4));
        assert_eq!(fake.order(1).unwrap()["stat_status"], 4);
        assert!(fake.remove_order(1));
        assert!(fake.order(1).is_none());
        fake.shutdown();
    }

    #[test]
    fn cartum_generated_orders_repeat_products_and_a_buyer() {
        let until = Utc.with_ymd_and_hms(2026, 7, 1, 9, 0, 0).unwrap();
        let orders = generated(30, until, chrono_tz::Europe::Kyiv);
        assert_eq!(orders.len(), 30);
        // Summer in Kyiv is UTC+3.
        assert_eq!(orders[29]["stat_created"], "2026-07-01 12:00:00");
        assert_eq!(orders[28]["stat_created"], "2026-07-01 11:57:00");
        assert_eq!(orders[9]["stat_status"], 3);
        assert_eq!(orders[8]["stat_status"], 1);
        assert_eq!(orders[6]["delivery_phone"], orders[0]["delivery_phone"]);
        assert_eq!(orders, generated(30, until, chrono_tz::Europe::Kyiv));
        for o in &orders {
            let lines = o["products"].as_array().unwrap();
            assert!((1..=3).contains(&lines.len()));
        }
    }
}
