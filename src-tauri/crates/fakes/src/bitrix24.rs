//! Fake Bitrix24 portal: the REST methods an order transfer uses, called through an incoming
//! webhook as Bitrix24 documents them (apidocs.bitrix24.com, the vendor's b24restdocs repository).
//!
//! - `POST /rest/{user_id}/{token}/{method}.json` (the `.json` may be left out), parameters as a
//!   JSON body or a form (`fields[TITLE]=…`, PHP-style nesting), or in the query. The user id and
//!   token together are the credential: anything else is 401 `{"error": "INVALID_CREDENTIALS",
//!   "error_description": "Invalid request credentials"}`.
//! - Answers `{"result": …, "time": {…}}`; refusals `{"error", "error_description"}` (HTTP 400
//!   for a method's own, with `error` often empty, e.g. `"Not found"` for a deal that is not
//!   there); an unknown method is 404 `ERROR_METHOD_NOT_FOUND`.
//! - `crm.duplicate.findbycomm` {`entity_type`, `type` EMAIL|PHONE, `values`}: `{"CONTACT":
//!   [ids]}`, or `[]` when none (phones compared by their digits' last ten, as Bitrix24
//!   normalises them); `crm.contact.add` {`fields`}; `crm.deal.add`, `crm.deal.update` {`id`,
//!   `fields`}, `crm.deal.get`, `crm.deal.delete`, `crm.deal.list` {`filter`, `select`};
//!   `crm.item.productrow.set` {`ownerType`: "D", `ownerId`, `productRows`} (replaces the
//!   deal's rows; a deal's OPPORTUNITY then follows its rows); `profile`. See `bitrix24/methods.rs`.
//! - ORIGINATOR_ID / ORIGIN_ID are kept but not unique: a second `crm.deal.add` with the same pair
//!   makes a second deal, as Bitrix24 does.
//! - Limits, reversed from most APIs: over 2 requests a second (burst 50) per webhook the answer
//!   is HTTP 503 `QUERY_LIMIT_EXCEEDED`; a method's run time over its budget is HTTP 429
//!   `OPERATION_TIME_LIMIT` (a fault here). Either may come as an HTML page.
//!
//! Admin (not Bitrix24's): `GET /__fake/deals`, `/__fake/contacts`, `/__fake/calls` (the token
//! masked), `/__fake/stats`; `POST /__fake/deals/{id}/stage` `{"stage_id"}`,
//! `POST /__fake/rate_limit` (a `RateLimit` or null), `POST /__fake/clock` `{"advance_millis"}`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::faults::Fault;
pub use crate::limit::RateLimit;
use crate::server::Served;

mod methods;

pub use methods::NEW_STAGE;

pub const INVALID_CREDENTIALS: &str = "Invalid request credentials";
/// In the calls log instead of the token.
const MASK: &str = "***";

impl RateLimit {
    /// Bitrix24's documented intensity limit: 2 requests a second, 50 at once.
    pub const BITRIX24: Self = Self {
        per_second: 2.0,
        burst: 50.0,
    };
}

#[derive(Debug, Clone)]
pub struct FakeBitrix24Config {
    /// The webhook's user id and token (the path's two parts).
    pub user_id: String,
    pub token: String,
    pub port: u16,
    pub rate_limit: Option<RateLimit>,
    /// The limiter's clock stands still until advanced.
    pub manual_clock: bool,
}

impl FakeBitrix24Config {
    pub fn new(user_id: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            token: token.into(),
            port: 0,
            rate_limit: Some(RateLimit::BITRIX24),
            manual_clock: false,
        }
    }
}

/// One call as the fake saw it: the path with the token masked, the method and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bitrix24Call {
    pub path: String,
    pub method: String,
    pub params: Value,
    pub http_status: u16,
    pub lost: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bitrix24Stats {
    pub deals_created: u64,
    pub deals_updated: u64,
    pub deals_deleted: u64,
    pub contacts_created: u64,
    /// Answered 503 QUERY_LIMIT_EXCEEDED.
    pub query_limited: u64,
    /// Answered 429 OPERATION_TIME_LIMIT.
    pub time_limited: u64,
}

/// One way to misbehave, for the next call (or the next call of one method).
#[derive(Debug, Clone, PartialEq)]
pub enum Bitrix24Fault {
    /// `ServerError` (500 INTERNAL_SERVER_ERROR), `NotJson`, `Slow`; others are ignored.
    Common(Fault),
    /// 503 QUERY_LIMIT_EXCEEDED, as JSON or as an HTML page.
    QueryLimit { html: bool },
    /// 429 OPERATION_TIME_LIMIT, as JSON or as an HTML page.
    OperationTimeLimit { html: bool },
    /// Carried out, but the answer is lost (the connection closes, or the answer comes after
    /// `after`).
    LostAnswer { after: Option<Duration> },
}

impl From<Fault> for Bitrix24Fault {
    fn from(fault: Fault) -> Self {
        Self::Common(fault)
    }
}

struct Shared {
    config: FakeBitrix24Config,
    state: Mutex<PortalState>,
}

struct PortalState {
    store: methods::Store,
    calls: Vec<Bitrix24Call>,
    /// Each with the method it waits for (None: the next call).
    faults: VecDeque<(Option<String>, Bitrix24Fault)>,
    rate_limit: Option<RateLimit>,
    buckets: crate::limit::Buckets,
    clock: crate::limit::Clock,
    stats: Bitrix24Stats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, PortalState> {
        self.state.lock().expect("Bitrix24 state poisoned")
    }
}

pub struct FakeBitrix24;

impl FakeBitrix24 {
    pub async fn start(config: FakeBitrix24Config) -> std::io::Result<FakeBitrix24Handle> {
        let state = PortalState {
            store: methods::Store::default(),
            calls: vec![],
            faults: VecDeque::new(),
            rate_limit: config.rate_limit,
            buckets: crate::limit::Buckets::default(),
            clock: crate::limit::Clock::new(config.manual_clock),
            stats: Bitrix24Stats::default(),
        };
        let port = config.port;
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        let app = Router::new()
            .route("/rest/{user}/{token}/{method}", any(rest))
            .route("/__fake/deals", get(admin_deals))
            .route("/__fake/deals/{id}/stage", post(admin_stage))
            .route("/__fake/contacts", get(admin_contacts))
            .route("/__fake/calls", get(admin_calls))
            .route("/__fake/stats", get(admin_stats))
            .route("/__fake/rate_limit", post(admin_rate_limit))
            .route("/__fake/clock", post(admin_clock))
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake Bitrix24").await?;
        Ok(FakeBitrix24Handle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeBitrix24Handle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeBitrix24Handle {
    /// The portal's address (`https://{portal}.bitrix24.ru` for a real one).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Every deal, oldest first, as `crm.deal.get` returns it, with its `PRODUCT_ROWS`.
    pub fn deals(&self) -> Vec<Value> {
        self.shared.lock().store.deals_with_rows()
    }

    pub fn deal(&self, id: i64) -> Option<Value> {
        self.deals()
            .into_iter()
            .find(|d| d["ID"].as_str().and_then(|s| s.parse::<i64>().ok()) == Some(id))
    }

    pub fn contacts(&self) -> Vec<Value> {
        self.shared.lock().store.contacts().to_vec()
    }

    /// Adds a contact as if made in Bitrix24; answers its id.
    pub fn add_contact(&self, name: &str, email: &str, phone: &str) -> i64 {
        self.shared.lock().store.add_contact(name, email, phone)
    }

    /// Moves a deal to a stage, as a manager would; false: no such deal.
    pub fn set_stage(&self, deal_id: i64, stage: &str) -> bool {
        self.shared.lock().store.set_stage(deal_id, stage)
    }

    pub fn calls(&self) -> Vec<Bitrix24Call> {
        self.shared.lock().calls.clone()
    }

    pub fn stats(&self) -> Bitrix24Stats {
        self.shared.lock().stats
    }

    /// The next call misbehaves this way.
    pub fn push_fault(&self, fault: impl Into<Bitrix24Fault>) {
        self.shared.lock().faults.push_back((None, fault.into()));
    }

    /// The next call of `method` (e.g. `crm.deal.add`) misbehaves this way.
    pub fn push_fault_for(&self, method: &str, fault: impl Into<Bitrix24Fault>) {
        self.shared
            .lock()
            .faults
            .push_back((Some(method.to_string()), fault.into()));
    }

    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        let mut s = self.shared.lock();
        s.rate_limit = limit;
        s.buckets.clear();
    }

    /// Moves the manual clock on; false on the real clock.
    pub fn advance_clock(&self, by: Duration) -> bool {
        self.shared.lock().clock.advance(by)
    }
}

/// Parameters from a JSON body, a form body or the query (PHP-style `a[b][0]=v` nesting).
fn params_of(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Value {
    let json_body = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if json_body {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    let mut pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    if let Some(q) = uri.query() {
        pairs.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    let mut root = Map::new();
    for (key, value) in pairs {
        let mut parts: Vec<String> = vec![key.split('[').next().unwrap_or_default().to_string()];
        parts.extend(
            key.split('[')
                .skip(1)
                .map(|p| p.trim_end_matches(']').to_string()),
        );
        insert(&mut root, &parts, value);
    }
    lists(Value::Object(root))
}

fn insert(map: &mut Map<String, Value>, parts: &[String], value: String) {
    match parts {
        [] => {}
        [last] => {
            map.insert(last.clone(), Value::String(value));
        }
        [first, rest @ ..] => {
            let child = map
                .entry(first.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                insert(m, rest, value);
            }
        }
    }
}

/// Objects keyed 0, 1, … as the arrays a form meant.
fn lists(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            // The keys come sorted as text ("10" before "2"): numbered means exactly 0..n.
            let mut at: Vec<usize> = m.keys().filter_map(|k| k.parse().ok()).collect();
            at.sort_unstable();
            let numbered =
                !m.is_empty() && at.len() == m.len() && at.iter().enumerate().all(|(i, k)| i == *k);
            let mut items: Vec<(String, Value)> = m.into_iter().map(|(k, v)| (k, lists(v))).collect();
            if numbered {
                items.sort_by_key(|(k, _)| k.parse::<usize>().unwrap_or_default());
                Value::Array(items.into_iter().map(|(_, v)| v).collect())
            } else {
                Value::Object(items.into_iter().collect())
            }
        }
        other => other,
    }
}

async fn rest(
    State(shared): State<Arc<Shared>>,
    Path((user, token, method)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let method = method.trim_end_matches(".json").to_string();
    let params = params_of(&uri, &headers, &body);
    let call = Bitrix24Call {
        path: format!("/rest/{user}/{MASK}/{method}.json"),
        method: method.clone(),
        params: mask(&params, &shared.config.token),
        http_status: 0,
        lost: false,
    };
    let fault = {
        let mut s = shared.lock();
        let at = s
            .faults
            .iter()
            .position(|(m, _)| m.as_deref().is_none_or(|m| m == method));
        at.and_then(|at| s.faults.remove(at)).map(|(_, f)| f)
    };
    if let Some(response) = fault.as_ref().and_then(|f| fault_response(&shared, f)) {
        return logged(&shared, call, response, false);
    }
    if let Err(refused) = admit(&shared, &token) {
        return logged(&shared, call, refused, false);
    }
    if let Some(Bitrix24Fault::Common(Fault::Slow { millis })) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let response = if user != shared.config.user_id || token != shared.config.token {
        error(
            StatusCode::UNAUTHORIZED,
            "INVALID_CREDENTIALS",
            INVALID_CREDENTIALS,
        )
    } else {
        let outcome = {
            let mut s = shared.lock();
            let s = &mut *s;
            methods::call(&mut s.store, &mut s.stats, &method, &params)
        };
        match outcome {
            Ok(result) => (
                StatusCode::OK,
                Json(json!({"result": result, "time": {"start": 0, "finish": 0, "duration": 0.01}})),
            )
                .into_response(),
            Err((status, code, words)) => error(status, code, &words),
        }
    };
    match fault {
        Some(Bitrix24Fault::LostAnswer { after }) => {
            let response = logged(&shared, call, response, true);
            match after {
                Some(delay) => {
                    tokio::time::sleep(delay).await;
                    response
                }
                None => crate::server::dropped_answer(),
            }
        }
        _ => logged(&shared, call, response, false),
    }
}

/// Parameters with any text holding the token masked.
fn mask(params: &Value, token: &str) -> Value {
    if token.is_empty() {
        return params.clone();
    }
    serde_json::from_str(&params.to_string().replace(token, MASK)).unwrap_or(Value::Null)
}

fn error(status: StatusCode, code: &str, words: &str) -> Response {
    (status, Json(json!({"error": code, "error_description": words}))).into_response()
}

fn html(status: StatusCode) -> Response {
    let page = format!("<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>");
    (status, [("content-type", "text/html; charset=UTF-8")], page).into_response()
}

fn query_limit(html_page: bool) -> Response {
    if html_page {
        html(StatusCode::SERVICE_UNAVAILABLE)
    } else {
        error(
            StatusCode::SERVICE_UNAVAILABLE,
            "QUERY_LIMIT_EXCEEDED",
            "Too many requests",
        )
    }
}

fn fault_response(shared: &Shared, fault: &Bitrix24Fault) -> Option<Response> {
    Some(match fault {
        Bitrix24Fault::QueryLimit { html } => {
            shared.lock().stats.query_limited += 1;
            query_limit(*html)
        }
        Bitrix24Fault::OperationTimeLimit { html: true } => {
            shared.lock().stats.time_limited += 1;
            html(StatusCode::TOO_MANY_REQUESTS)
        }
        Bitrix24Fault::OperationTimeLimit { html: false } => {
            shared.lock().stats.time_limited += 1;
            error(
                StatusCode::TOO_MANY_REQUESTS,
                "OPERATION_TIME_LIMIT",
                "Method is blocked due to operation time limit.",
            )
        }
        Bitrix24Fault::Common(Fault::ServerError(code)) => error(
            StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "INTERNAL_SERVER_ERROR",
            "Internal server error",
        ),
        Bitrix24Fault::Common(Fault::NotJson) => html(StatusCode::OK),
        _ => return None,
    })
}

/// Takes the call's token from its webhook's bucket, or refuses it (503 QUERY_LIMIT_EXCEEDED).
fn admit(shared: &Shared, key: &str) -> Result<(), Response> {
    let mut s = shared.lock();
    let Some(limit) = s.rate_limit else {
        return Ok(());
    };
    let now = s.clock.now();
    match s.buckets.take(key, limit.per_second, limit.burst, now) {
        Ok(()) => Ok(()),
        Err(_) => {
            s.stats.query_limited += 1;
            Err(query_limit(false))
        }
    }
}

fn logged(shared: &Shared, mut call: Bitrix24Call, response: Response, lost: bool) -> Response {
    call.http_status = response.status().as_u16();
    call.lost = lost;
    shared.lock().calls.push(call);
    response
}

type S = State<Arc<Shared>>;

async fn admin_deals(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().store.deals_with_rows())
}

async fn admin_contacts(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().store.contacts().to_vec())
}

#[derive(Deserialize)]
struct StageMove {
    stage_id: String,
}

async fn admin_stage(State(shared): S, Path(id): Path<i64>, Json(to): Json<StageMove>) -> StatusCode {
    if shared.lock().store.set_stage(id, &to.stage_id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<Bitrix24Call>> {
    Json(shared.lock().calls.clone())
}

async fn admin_stats(State(shared): S) -> Json<Bitrix24Stats> {
    Json(shared.lock().stats)
}

async fn admin_rate_limit(State(shared): S, Json(limit): Json<Option<RateLimit>>) -> StatusCode {
    let mut s = shared.lock();
    s.rate_limit = limit;
    s.buckets.clear();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct ClockMove {
    advance_millis: u64,
}

async fn admin_clock(State(shared): S, Json(by): Json<ClockMove>) -> Response {
    if shared
        .lock()
        .clock
        .advance(Duration::from_millis(by.advance_millis))
    {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::CONFLICT, "the fake runs on the real clock").into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_reads_as_the_json_it_stands_for() {
        let body = Bytes::from_static(
            "fields[TITLE]=A&fields[PHONE][0][VALUE]=%2B7&fields[PHONE][0][VALUE_TYPE]=WORK&id=5".as_bytes(),
        );
        let params = params_of(&"/x".parse().unwrap(), &HeaderMap::new(), &body);
        assert_eq!(
            params,
            json!({"fields": {"TITLE": "A", "PHONE": [{"VALUE": "+7", "VALUE_TYPE": "WORK"}]}, "id": "5"})
        );
    }
}
