//! Fake Shiptor (a delivery aggregator): the JSON-RPC 2.0 shipping endpoint an order transfer
//! uses, as Shiptor's PHP SDK (shiptoreps/shiptor-russia-php-api-client, last changed 2021) speaks
//! it. No current official documentation was found and whether Shiptor still operates is
//! unverified: where the SDK is silent, this fake's choice is marked "a guess".
//!
//! - `POST /shipping/v1` with `{"jsonrpc": "2.0", "id", "method", "params"}` and the key in the
//!   `x-authorization-token` header. Every answer, refusals included, is HTTP 200 with `result` or
//!   `error` {`code`, `message`, `data`?} (the SDK reads `error.message` whatever the status).
//! - `addPackage` (`length`, `width`, `height`, `weight` in kg, `cod`, `declared_cost`,
//!   `external_id`, `departure` {`shipping_method`, `delivery_point`, `address` {`country`,
//!   `receiver` or `name` + `surname`, `email`, `phone`, `postal_code`, `administrative_area`,
//!   `settlement`, `street`, `house`, `apartment`, `address_line_1`, `kladr_id`}}, `products[]`
//!   {`shopArticle`, `count`, `price`}): the package (`id`, `status: "new"`, `history`, …). An
//!   `external_id` a live (not removed) package has is refused (a guess).
//! - `getPackage` {`id`} or {`external_id`} (the newest package under it, removed or not);
//!   `getPackages` {`page`, `per_page`}: a plain list, newest first.
//! - `editPackage` {`id`, the `addPackage` fields}: replaces them while the parcel has not been
//!   handed over (`new`, `checking-declaration`, `declaration-checked`, `waiting-pickup`,
//!   `waiting-send`); later it is refused (a guess).
//! - `removePackage` {`id`} or {`external_id`}: the package goes to status `removed` (still
//!   readable, as Shiptor lists `removed` among its statuses), under the same condition; removing a
//!   removed package answers it again.
//! - Error codes (guesses beside JSON-RPC's own -32700/-32600/-32601/-32602): [`AUTH_ERROR`] for a
//!   missing or wrong key, [`NOT_FOUND`], [`NOT_ALLOWED`] (edit or remove after handover),
//!   [`DUPLICATE`]; a refused package is [`INVALID_PARAMS`] with `data` keyed by field
//!   (see `shiptor/validation.rs`).
//! - Shiptor's limit is not documented (the SDK paces itself at 3 requests a second): none unless
//!   configured; past one, HTTP 429 with the edge's HTML page.
//!
//! Admin (not Shiptor's): `GET /__fake/packages`, `POST /__fake/packages/{id}/status` `{status}`
//! (the carrier moves the parcel), `GET /__fake/calls` (never the key), `POST /__fake/faults` (one
//! rule or a list, each with an optional JSON-RPC `method`), `GET /__fake/stats`,
//! `POST /__fake/rate_limit` (`{per_second, burst}` or null), `POST /__fake/clock`
//! `{"advance_millis": N}` (the manual clock only).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::faults::Fault;
use crate::server::Served;

mod admin;
mod packages;
mod validation;

pub use crate::limit::RateLimit;
pub use packages::tracking_number;

pub const SHIPPING_PATH: &str = "/shipping/v1";
pub const API_KEY_HEADER: &str = "x-authorization-token";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const PACKAGES_ADMIN_PATH: &str = "/__fake/packages";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const STATS_PATH: &str = "/__fake/stats";
pub const RATE_LIMIT_ADMIN_PATH: &str = "/__fake/rate_limit";
pub const CLOCK_ADMIN_PATH: &str = "/__fake/clock";

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const AUTH_ERROR: i64 = -32001;
pub const NOT_FOUND: i64 = -32004;
pub const NOT_ALLOWED: i64 = -32005;
pub const DUPLICATE: i64 = -32009;

pub const INVALID_TOKEN: &str = "Invalid token";
pub const MISSING_TOKEN: &str = "Token is missing";
pub const PACKAGE_NOT_FOUND: &str = "Package not found";
/// What the edge answers past the limit: HTML, not the API's JSON.
pub const RATE_LIMITED_PAGE: &str =
    "<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1></body></html>";
/// In the calls log instead of the key.
const MASK: &str = "***";

#[derive(Debug, Clone)]
pub struct FakeShiptorConfig {
    pub api_key: String,
    /// 0 = any free port.
    pub port: u16,
    /// The shipping method ids the shop may use (`departure.shipping_method`).
    pub shipping_methods: Vec<i64>,
    /// None: no limit (Shiptor documents none).
    pub rate_limit: Option<RateLimit>,
    /// The limiter's clock stands still until advanced ([`FakeShiptorHandle::advance_clock`]).
    pub manual_clock: bool,
}

impl FakeShiptorConfig {
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            port: 0,
            shipping_methods: vec![1, 2, 11, 24],
            rate_limit: None,
            manual_clock: false,
        }
    }
}

/// One request as the fake saw it; the key is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiptorCall {
    pub path: String,
    /// The JSON-RPC method, when the body named one.
    pub method: Option<String>,
    /// The JSON-RPC params (any value holding the key masked).
    pub params: Value,
    pub http_status: u16,
    /// The JSON-RPC error's code, for a refusal.
    pub error_code: Option<i64>,
    /// The request was carried out but its answer never reached the client.
    pub lost: bool,
}

/// What the account has done (after the key check): packages added, edited, removed, reads
/// answered, and requests refused by the limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiptorStats {
    pub creates: u64,
    pub edits: u64,
    pub removes: u64,
    pub reads: u64,
    pub rate_limited: u64,
}

/// One way to misbehave, for the next request (or the next one calling a JSON-RPC method).
pub type ShiptorFault = crate::faults::TargetFault;

#[derive(Debug, Clone)]
struct QueuedFault {
    fault: ShiptorFault,
    /// A JSON-RPC method name; None: any request.
    method: Option<String>,
}

struct Shared {
    config: FakeShiptorConfig,
    state: Mutex<ShiptorState>,
}

struct ShiptorState {
    packages: Vec<Value>,
    next_id: i64,
    calls: Vec<ShiptorCall>,
    faults: VecDeque<QueuedFault>,
    rate_limit: Option<RateLimit>,
    buckets: crate::limit::Buckets,
    clock: crate::limit::Clock,
    stats: ShiptorStats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ShiptorState> {
        self.state.lock().expect("Shiptor state poisoned")
    }
}

impl ShiptorState {
    fn by_id(&self, id: i64) -> Option<usize> {
        self.packages.iter().position(|p| p["id"].as_i64() == Some(id))
    }

    /// The newest package under `external_id` (a removed one is replaced by a later add).
    fn by_external_id(&self, external_id: &str) -> Option<usize> {
        self.packages
            .iter()
            .rposition(|p| p["external_id"].as_str() == Some(external_id))
    }
}

pub struct FakeShiptor;

impl FakeShiptor {
    pub async fn start(config: FakeShiptorConfig) -> std::io::Result<FakeShiptorHandle> {
        let port = config.port;
        let state = ShiptorState {
            packages: vec![],
            // Far from 1, so that a client mixing up our key and Shiptor's id is caught.
            next_id: 5_200_001,
            calls: vec![],
            faults: VecDeque::new(),
            rate_limit: config.rate_limit,
            buckets: crate::limit::Buckets::default(),
            clock: crate::limit::Clock::new(config.manual_clock),
            stats: ShiptorStats::default(),
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        // `any`, not POST: a client's wrong HTTP method is a call to see in the log.
        let app = Router::new()
            .route(SHIPPING_PATH, any(api_shipping))
            .merge(admin::routes())
            .fallback(api_unknown)
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake Shiptor").await?;
        Ok(FakeShiptorHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeShiptorHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeShiptorHandle {
    /// The API's root (`https://api.shiptor.ru` for the real one; the endpoint is
    /// [`SHIPPING_PATH`] under it).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Every package, removed ones too, oldest first, as `getPackage` returns them.
    pub fn packages(&self) -> Vec<Value> {
        self.shared.lock().packages.clone()
    }

    /// The newest package under our key.
    pub fn package(&self, external_id: &str) -> Option<Value> {
        let s = self.shared.lock();
        s.by_external_id(external_id).map(|at| s.packages[at].clone())
    }

    /// Moves a package to `status`, as the carrier would; false when there is no such package or
    /// status.
    pub fn set_status(&self, id: i64, status: &str) -> bool {
        set_status(&self.shared, id, status)
    }

    /// Every request received, in order.
    pub fn calls(&self) -> Vec<ShiptorCall> {
        self.shared.lock().calls.clone()
    }

    /// The requests that called `method`, in order.
    pub fn calls_to(&self, method: &str) -> Vec<ShiptorCall> {
        let s = self.shared.lock();
        s.calls
            .iter()
            .filter(|c| c.method.as_deref() == Some(method))
            .cloned()
            .collect()
    }

    /// The next request misbehaves this way.
    pub fn push_fault(&self, fault: impl Into<ShiptorFault>) {
        let fault = fault.into();
        self.shared
            .lock()
            .faults
            .push_back(QueuedFault { fault, method: None });
    }

    /// The next request calling `method` (e.g. `addPackage`) misbehaves this way.
    pub fn push_fault_on(&self, method: &str, fault: impl Into<ShiptorFault>) {
        let fault = fault.into();
        self.shared.lock().faults.push_back(QueuedFault {
            fault,
            method: Some(method.to_string()),
        });
    }

    pub fn stats(&self) -> ShiptorStats {
        self.shared.lock().stats
    }

    /// The limit from now on (None: none), every key's bucket full.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        set_rate_limit(&self.shared, limit);
    }

    /// Moves the manual clock on (the buckets refill by that much); false on the real clock.
    pub fn advance_clock(&self, by: Duration) -> bool {
        self.shared.lock().clock.advance(by)
    }
}

fn set_status(shared: &Shared, id: i64, status: &str) -> bool {
    if !packages::known_status(status) {
        return false;
    }
    let mut s = shared.lock();
    let Some(at) = s.by_id(id) else {
        return false;
    };
    packages::moved(&mut s.packages[at], status, Utc::now());
    true
}

fn set_rate_limit(shared: &Shared, limit: Option<RateLimit>) {
    let mut s = shared.lock();
    s.rate_limit = limit;
    s.buckets.clear();
}

type S = State<Arc<Shared>>;

/// A JSON-RPC error object.
#[derive(Debug, Clone)]
struct RpcError {
    code: i64,
    message: String,
    data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
}

type Outcome = Result<Value, RpcError>;

/// One request as read: the JSON-RPC envelope (when the body is one) and the key.
struct RpcRequest {
    http_method: Method,
    path: String,
    /// The body as JSON, when it is.
    body: Option<Value>,
    key: Option<String>,
}

impl RpcRequest {
    fn read(http_method: Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Self {
        Self {
            http_method,
            path: uri.path().to_string(),
            body: serde_json::from_slice(body).ok(),
            key: headers
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }

    fn id(&self) -> Value {
        self.body
            .as_ref()
            .and_then(|b| b.get("id"))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn method(&self) -> Option<&str> {
        self.body.as_ref()?.get("method")?.as_str()
    }

    fn params(&self) -> Value {
        self.body
            .as_ref()
            .and_then(|b| b.get("params"))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// JSON-RPC's own checks: JSON, version 2.0, a method named, params an object when given.
    fn envelope_error(&self) -> Option<RpcError> {
        let Some(body) = &self.body else {
            return Some(RpcError::new(PARSE_ERROR, "Parse error"));
        };
        let valid = body["jsonrpc"] == "2.0"
            && self.method().is_some()
            && matches!(body.get("params"), None | Some(Value::Object(_)));
        (!valid).then(|| RpcError::new(INVALID_REQUEST, "Invalid Request"))
    }
}

/// Every route reads its request the same way: method, path, key header, body.
impl<St: Send + Sync> axum::extract::FromRequest<St> for RpcRequest {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &St) -> Result<Self, Self::Rejection> {
        let (method, uri, headers) = (req.method().clone(), req.uri().clone(), req.headers().clone());
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(RpcRequest::read(method, &uri, &headers, &body))
    }
}

/// An answer to send, with the error code it carries (for the log).
struct Reply {
    response: Response,
    error_code: Option<i64>,
}

impl Reply {
    fn raw(response: Response) -> Self {
        Self {
            response,
            error_code: None,
        }
    }

    /// JSON-RPC's envelope, always HTTP 200.
    fn rpc(id: Value, outcome: Outcome) -> Self {
        let (body, error_code) = match outcome {
            Ok(result) => (json!({"jsonrpc": "2.0", "id": id, "result": result}), None),
            Err(e) => {
                let mut error = json!({"code": e.code, "message": e.message});
                if let Some(data) = e.data {
                    error["data"] = data;
                }
                (json!({"jsonrpc": "2.0", "id": id, "error": error}), Some(e.code))
            }
        };
        Self {
            response: (StatusCode::OK, Json(body)).into_response(),
            error_code,
        }
    }
}

async fn api_shipping(State(shared): S, request: RpcRequest) -> Response {
    serve(shared, request).await
}

/// Any other path: the edge's 404 page, logged so that a client's wrong path shows.
async fn api_unknown(State(shared): S, request: RpcRequest) -> Response {
    let page = (
        StatusCode::NOT_FOUND,
        [("content-type", "text/html")],
        "<html><body><h1>404 Not Found</h1></body></html>",
    );
    logged(&shared, &request, Reply::raw(page.into_response()), false)
}

/// One request from end to end: a queued fault, the limit, the key, the envelope, then the method;
/// logged in every case.
async fn serve(shared: Arc<Shared>, request: RpcRequest) -> Response {
    let fault = take_fault(&shared, request.method());
    if let Some(response) = fault.as_ref().and_then(|f| fault_response(&shared, f)) {
        return logged(&shared, &request, Reply::raw(response), false);
    }
    if let Some(ShiptorFault::Common(Fault::Slow { millis })) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let reply = match gate(&shared, &request) {
        Err(refused) => refused,
        Ok(method) => Reply::rpc(request.id(), execute(&shared, &method, request.params())),
    };
    match fault {
        Some(ShiptorFault::LostAnswer { after }) => lose(&shared, &request, reply, after).await,
        _ => logged(&shared, &request, reply, false),
    }
}

/// The queued fault due for a request calling `method`, if any.
fn take_fault(shared: &Shared, method: Option<&str>) -> Option<ShiptorFault> {
    let mut s = shared.lock();
    let at = s
        .faults
        .iter()
        .position(|f| f.method.is_none() || f.method.as_deref() == method)?;
    s.faults.remove(at).map(|f| f.fault)
}

/// What a fault answers instead of Shiptor, if it answers at all (a slow or lost one does not).
fn fault_response(shared: &Shared, fault: &ShiptorFault) -> Option<Response> {
    let ShiptorFault::Common(fault) = fault else {
        return None;
    };
    Some(match fault {
        Fault::RateLimited { retry_after_secs } => {
            shared.lock().stats.rate_limited += 1;
            rate_limited(*retry_after_secs)
        }
        Fault::ServerError(code) => server_error(*code),
        Fault::TruncatedJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"id\":5200001,\"sta",
        )
            .into_response(),
        Fault::NotJson => (
            StatusCode::OK,
            [("content-type", "text/html; charset=UTF-8")],
            "<!DOCTYPE html><html><head><title>Shiptor</title></head>\
             <body><h1>Технические работы</h1></body></html>",
        )
            .into_response(),
        _ => return None,
    })
}

/// Past the limit: the edge's page, `Retry-After` only when the fault gives one.
fn rate_limited(retry_after_secs: Option<u64>) -> Response {
    let mut response = (
        StatusCode::TOO_MANY_REQUESTS,
        [("content-type", "text/html")],
        RATE_LIMITED_PAGE,
    )
        .into_response();
    if let Some(secs) = retry_after_secs {
        if let Ok(v) = secs.to_string().parse() {
            response.headers_mut().insert("retry-after", v);
        }
    }
    response
}

/// A server error comes from the edge's nginx as HTML, whatever the status.
fn server_error(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
         <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
         </body>\r\n</html>\r\n",
        code = status.as_u16()
    );
    (status, [("content-type", "text/html")], page).into_response()
}

/// The checks before the method: the limit (the edge's, so first), the HTTP method, the key
/// (before the envelope: a stranger learns nothing), then JSON-RPC's own. Ok: the method named.
fn gate(shared: &Shared, request: &RpcRequest) -> Result<String, Reply> {
    admit(shared, request.key.as_deref().unwrap_or_default())?;
    if request.http_method != Method::POST {
        let refused = (
            StatusCode::METHOD_NOT_ALLOWED,
            [("allow", "POST")],
            "Method Not Allowed",
        );
        return Err(Reply::raw(refused.into_response()));
    }
    let key_refusal = match request.key.as_deref() {
        None | Some("") => Some(MISSING_TOKEN),
        Some(k) if k != shared.config.api_key => Some(INVALID_TOKEN),
        Some(_) => None,
    };
    if let Some(message) = key_refusal {
        return Err(Reply::rpc(request.id(), Err(RpcError::new(AUTH_ERROR, message))));
    }
    if let Some(e) = request.envelope_error() {
        return Err(Reply::rpc(request.id(), Err(e)));
    }
    Ok(request.method().unwrap_or_default().to_string())
}

/// Takes the request's token from its key's bucket, or refuses it as the edge does.
fn admit(shared: &Shared, key: &str) -> Result<(), Reply> {
    let mut s = shared.lock();
    let Some(limit) = s.rate_limit else {
        return Ok(());
    };
    let now = s.clock.now();
    if s.buckets.take(key, limit.per_second, limit.burst, now).is_ok() {
        return Ok(());
    }
    s.stats.rate_limited += 1;
    Err(Reply::raw(rate_limited(None)))
}

fn execute(shared: &Shared, method: &str, params: Value) -> Outcome {
    let params = match params {
        Value::Object(p) => p,
        _ => Map::new(),
    };
    match method {
        "addPackage" => add_package(shared, params),
        "getPackage" => get_package(shared, &params),
        "getPackages" => Ok(get_packages(shared, &params)),
        "editPackage" => edit_package(shared, params),
        "removePackage" => remove_package(shared, &params),
        _ => Err(RpcError::new(METHOD_NOT_FOUND, "Method not found")),
    }
}

/// A refused package: JSON-RPC's "Invalid params", each problem under its field in `data`.
fn refuse_invalid(package: &Map<String, Value>, methods: &[i64]) -> Result<(), RpcError> {
    let problems = validation::problems(package, methods);
    if problems.is_empty() {
        return Ok(());
    }
    let data = problems
        .into_iter()
        .map(|(field, message)| (field, json!(message)))
        .collect();
    Err(RpcError {
        data: Some(Value::Object(data)),
        ..RpcError::new(INVALID_PARAMS, "Invalid params")
    })
}

fn add_package(shared: &Shared, params: Map<String, Value>) -> Outcome {
    refuse_invalid(&params, &shared.config.shipping_methods)?;
    let mut s = shared.lock();
    if let Some(ext) = params.get("external_id").and_then(Value::as_str) {
        let live = s
            .by_external_id(ext)
            .is_some_and(|at| !packages::is_removed(&s.packages[at]));
        if live {
            return Err(RpcError::new(
                DUPLICATE,
                format!("Package with external_id \"{ext}\" already exists"),
            ));
        }
    }
    let id = s.next_id;
    s.next_id += 1;
    let package = packages::created(params, id, Utc::now());
    s.packages.push(package.clone());
    s.stats.creates += 1;
    Ok(package)
}

/// The package `params` name by `id`, else by `external_id`.
fn named(s: &ShiptorState, params: &Map<String, Value>) -> Result<usize, RpcError> {
    let found = match (params.get("id"), params.get("external_id")) {
        (Some(id), _) => id
            .as_i64()
            .or_else(|| id.as_str()?.parse().ok())
            .and_then(|id| s.by_id(id)),
        (None, Some(Value::String(ext))) => s.by_external_id(ext),
        _ => {
            let data = json!({"id": "Give id or external_id."});
            return Err(RpcError {
                data: Some(data),
                ..RpcError::new(INVALID_PARAMS, "Invalid params")
            });
        }
    };
    found.ok_or_else(|| RpcError::new(NOT_FOUND, PACKAGE_NOT_FOUND))
}

fn get_package(shared: &Shared, params: &Map<String, Value>) -> Outcome {
    let mut s = shared.lock();
    s.stats.reads += 1;
    let at = named(&s, params)?;
    Ok(s.packages[at].clone())
}

/// Newest first, `per_page` (1–100, 10 by default) to a `page` (from 1).
fn get_packages(shared: &Shared, params: &Map<String, Value>) -> Value {
    let number = |name: &str, default: usize| {
        params
            .get(name)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n >= 1)
            .unwrap_or(default)
    };
    let per_page = number("per_page", 10).min(100);
    let page = number("page", 1);
    let mut s = shared.lock();
    s.stats.reads += 1;
    let listed: Vec<Value> = s
        .packages
        .iter()
        .rev()
        .skip((page - 1) * per_page)
        .take(per_page)
        .cloned()
        .collect();
    Value::Array(listed)
}

fn not_allowed(what: &str, package: &Value) -> RpcError {
    let status = package["status"].as_str().unwrap_or_default();
    RpcError::new(
        NOT_ALLOWED,
        format!("Package can not be {what} in status \"{status}\""),
    )
}

fn edit_package(shared: &Shared, params: Map<String, Value>) -> Outcome {
    let mut s = shared.lock();
    let at = named(&s, &params)?;
    if !packages::editable(&s.packages[at]) {
        return Err(not_allowed("edited", &s.packages[at]));
    }
    let package = packages::edited(&s.packages[at], params);
    let Value::Object(fields) = &package else {
        unreachable!("a stored package is an object")
    };
    refuse_invalid(fields, &shared.config.shipping_methods)?;
    s.packages[at] = package.clone();
    s.stats.edits += 1;
    Ok(package)
}

fn remove_package(shared: &Shared, params: &Map<String, Value>) -> Outcome {
    let mut s = shared.lock();
    let at = named(&s, params)?;
    let package = &mut s.packages[at];
    if packages::is_removed(package) {
        return Ok(package.clone());
    }
    if !packages::editable(package) {
        return Err(not_allowed("removed", package));
    }
    packages::moved(package, packages::REMOVED, Utc::now());
    let package = package.clone();
    s.stats.removes += 1;
    Ok(package)
}

/// A request carried out whose answer the client never gets: the connection closes before the
/// status line, or the answer comes after `after`.
async fn lose(shared: &Shared, request: &RpcRequest, reply: Reply, after: Option<Duration>) -> Response {
    let response = logged(shared, request, reply, true);
    match after {
        Some(delay) => {
            tokio::time::sleep(delay).await;
            response
        }
        None => dropped(),
    }
}

/// A body that fails before its first byte: hyper then closes the connection without sending
/// the status line it had only buffered.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("the fake Shiptor lost this answer"))
    });
    Body::from_stream(failing).into_response()
}

/// Logs the request with what it was answered, and passes the answer on.
fn logged(shared: &Shared, request: &RpcRequest, reply: Reply, lost: bool) -> Response {
    let call = ShiptorCall {
        path: request.path.clone(),
        method: request.method().map(str::to_string),
        params: masked(request.params(), &shared.config.api_key),
        http_status: reply.response.status().as_u16(),
        error_code: reply.error_code,
        lost,
    };
    shared.lock().calls.push(call);
    reply.response
}

/// The params with any string holding the account's key hidden (the key itself travels in a
/// header, which is never logged).
fn masked(value: Value, key: &str) -> Value {
    match value {
        Value::String(s) if !key.is_empty() && s.contains(key) => json!(MASK),
        Value::Array(list) => Value::Array(list.into_iter().map(|v| masked(v, key)).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, masked(v, key))).collect()),
        other => other,
    }
}
