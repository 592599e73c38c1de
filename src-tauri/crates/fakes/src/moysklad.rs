//! Fake MoySklad account: the JSON API 1.2 routes an order transfer uses, as MoySklad documents
//! them (dev.moysklad.ru/doc/api/remap/1.2, the vendor's api-remap-1.2-doc repository).
//!
//! - Every request must accept gzip (`Accept-Encoding: gzip`); one that does not is answered
//!   415 with no body, before anything else. Answers are gzip-compressed (`Content-Encoding`).
//! - The token in `Authorization: Bearer …`; missing or wrong is 401 with error 1056.
//! - Errors are `{"errors": [{"error", "code", "parameter"?, "moreInfo"}]}`.
//! - `GET/POST /entity/counterparty`, `/entity/product`, `/entity/service`: lists filtered by
//!   `filter=field=value;…` (one field's values are alternatives, different fields must all
//!   match, `\;` is a literal `;`), `limit`, `offset`; a create takes one object or an array (the
//!   answer is then an array). `GET /entity/organization`, `GET /context/employee`.
//! - `POST /entity/customerorder` {`organization`, `agent` (both required, as meta), `positions`
//!   [{`quantity`, `price` in kopecks, `assortment` meta}], `name`, `externalCode`, `syncId`,
//!   `description`, `shipmentAddressFull`}: 200 with the order. A `syncId` already used answers
//!   the entity made with it (a resend never makes a second); it must be a UUID (error 2016).
//! - `GET/PUT/DELETE /entity/customerorder/{id}`, `GET /entity/customerorder/{id}/positions`;
//!   an unknown id is 404 with error 1021. A PUT's `positions` replace the order's positions; its
//!   `syncId` cannot change (error 1047). `expand=agent,state,positions,positions.assortment`.
//! - Refusals of content are 412 (error 3000 for a required field, 3002 for a negative one, 3015
//!   for a bad e-mail, 1021 for a reference to nothing); see `moysklad/validation.rs`.
//! - Limits: 45 requests per 3 s per token (a bucket; past it 429, error 1049, with
//!   `X-Lognex-Retry-After` in milliseconds) and 5 requests in flight per token (past it 429,
//!   error 1073, and no limit headers).
//!
//! Admin (not MoySklad's): `GET /__fake/orders`, `/__fake/counterparties`, `/__fake/products`,
//! `/__fake/services`, `/__fake/calls` (never the token), `/__fake/stats`;
//! `POST /__fake/orders/{id}/state` `{"state": name}` (a manager moves the order),
//! `POST /__fake/faults` (one rule or a list), `POST /__fake/rate_limit`
//! (`{requests, window_millis}` or null), `POST /__fake/clock` `{"advance_millis": N}` (the
//! manual clock only).

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Fault;
use crate::server::Served;

mod admin;
mod entities;
mod validation;

pub use entities::Kind;

pub const API: &str = "/api/remap/1.2";
pub const CUSTOMER_ORDERS_PATH: &str = "/api/remap/1.2/entity/customerorder";
pub const COUNTERPARTIES_PATH: &str = "/api/remap/1.2/entity/counterparty";
pub const PRODUCTS_PATH: &str = "/api/remap/1.2/entity/product";
pub const SERVICES_PATH: &str = "/api/remap/1.2/entity/service";
pub const ORGANIZATIONS_PATH: &str = "/api/remap/1.2/entity/organization";
pub const EMPLOYEE_PATH: &str = "/api/remap/1.2/context/employee";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const COUNTERPARTIES_ADMIN_PATH: &str = "/__fake/counterparties";
pub const PRODUCTS_ADMIN_PATH: &str = "/__fake/products";
pub const SERVICES_ADMIN_PATH: &str = "/__fake/services";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const STATS_PATH: &str = "/__fake/stats";
pub const RATE_LIMIT_ADMIN_PATH: &str = "/__fake/rate_limit";
pub const CLOCK_ADMIN_PATH: &str = "/__fake/clock";
/// The limit's header: how long until a request is let through again, in milliseconds.
pub const RETRY_AFTER_HEADER: &str = "X-Lognex-Retry-After";
pub const AUTH_FAILED: &str =
    "Ошибка аутентификации: Неправильный пароль или имя пользователя или ключ авторизации";
pub const TOO_MANY_REQUESTS: &str = "Превышено ограничение на количество запросов в единицу времени";
pub const TOO_MANY_PARALLEL: &str = "Превышено ограничение на одновременное количество запросов";
/// In the calls log instead of the token.
const MASK: &str = "***";

/// How many requests a token may make in a window (MoySklad counts 45 per 3 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateLimit {
    pub requests: u32,
    pub window_millis: u64,
}

impl RateLimit {
    /// MoySklad's documented limit for a token of a published solution.
    pub const MOYSKLAD: Self = Self {
        requests: 45,
        window_millis: 3000,
    };

    /// As a bucket: the whole window's requests at once, refilled evenly over the window.
    fn per_second(self) -> f64 {
        f64::from(self.requests) * 1000.0 / self.window_millis.max(1) as f64
    }
}

#[derive(Debug, Clone)]
pub struct FakeMoySkladConfig {
    pub token: String,
    /// 0 = any free port.
    pub port: u16,
    /// None: no limit on requests per window.
    pub rate_limit: Option<RateLimit>,
    /// Requests a token may have in flight at once (MoySklad: 5); None: no limit.
    pub parallel: Option<usize>,
    /// The limiter's clock stands still until advanced ([`FakeMoySkladHandle::advance_clock`],
    /// `POST /__fake/clock`): a test's burst then meets an exact bucket.
    pub manual_clock: bool,
    /// The name of the account's one legal entity (`entity/organization`).
    pub organization: String,
}

impl FakeMoySkladConfig {
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            port: 0,
            rate_limit: Some(RateLimit::MOYSKLAD),
            parallel: Some(5),
            manual_clock: false,
            organization: "ООО \"Ромашка\"".into(),
        }
    }
}

/// One API request as the fake saw it; the token is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoySkladCall {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    /// The JSON body, any text holding the token masked.
    pub body: Option<Value>,
    /// Whether the request accepted gzip.
    pub gzip: bool,
    /// The status answered, or that would have been for a lost answer.
    pub http_status: u16,
    /// The request was carried out but its answer never reached the client.
    pub lost: bool,
}

/// What the account has done, past the encoding, limit and token checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoySkladStats {
    pub orders_created: u64,
    pub orders_updated: u64,
    pub orders_deleted: u64,
    /// Counterparties, products and services created.
    pub entities_created: u64,
    pub reads: u64,
    /// Answered 429 with error 1049 (the window's limit).
    pub rate_limited: u64,
    /// Answered 429 with error 1073 (too many in flight).
    pub parallel_limited: u64,
    /// Answered 415: the request did not accept gzip.
    pub not_gzip: u64,
}

/// One way to misbehave, for the next request (or the next to one path).
pub type MoySkladFault = crate::faults::TargetFault;

#[derive(Debug, Clone)]
struct QueuedFault {
    fault: MoySkladFault,
    path: Option<String>,
    /// Only a request of this HTTP method (a create, not the look-up before it on one path).
    method: Option<String>,
}

struct Shared {
    config: FakeMoySkladConfig,
    /// The fake's own address, for the `href`s of its answers (known once it listens).
    base: OnceLock<String>,
    state: Mutex<SkladState>,
}

struct SkladState {
    store: entities::Store,
    calls: Vec<MoySkladCall>,
    faults: VecDeque<QueuedFault>,
    rate_limit: Option<RateLimit>,
    buckets: crate::limit::Buckets,
    clock: crate::limit::Clock,
    in_flight: HashMap<String, usize>,
    stats: MoySkladStats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, SkladState> {
        self.state.lock().expect("MoySklad state poisoned")
    }

    fn base(&self) -> &str {
        self.base.get().map_or("", String::as_str)
    }
}

pub struct FakeMoySklad;

impl FakeMoySklad {
    pub async fn start(config: FakeMoySkladConfig) -> std::io::Result<FakeMoySkladHandle> {
        let port = config.port;
        let state = SkladState {
            store: entities::Store::new(&config.organization),
            calls: vec![],
            faults: VecDeque::new(),
            rate_limit: config.rate_limit,
            buckets: crate::limit::Buckets::default(),
            clock: crate::limit::Clock::new(config.manual_clock),
            in_flight: HashMap::new(),
            stats: MoySkladStats::default(),
        };
        let shared = Arc::new(Shared {
            config,
            base: OnceLock::new(),
            state: Mutex::new(state),
        });
        // `any`, not the method: a client's wrong method is a call to see in the log.
        let app = Router::new()
            .route("/api/remap/1.2/entity/{kind}", any(api_collection))
            .route("/api/remap/1.2/entity/{kind}/{id}", any(api_entity))
            .route("/api/remap/1.2/entity/{kind}/{id}/positions", any(api_positions))
            .route(EMPLOYEE_PATH, any(api_employee))
            .merge(admin::routes())
            .fallback(api_unknown)
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake MoySklad").await?;
        let _ = shared.base.set(server.base_url());
        Ok(FakeMoySkladHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeMoySkladHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeMoySkladHandle {
    /// The fake's address; the API is under [`API`] (`https://api.moysklad.ru/api/remap/1.2`
    /// for the real one).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Where a client's `url` setting points: the fake's API root.
    pub fn api_url(&self) -> String {
        format!("{}{API}", self.server.base_url())
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Every customer order, oldest first, as `GET …/{id}?expand=positions,state` returns it.
    pub fn orders(&self) -> Vec<Value> {
        self.shared
            .lock()
            .store
            .all(Kind::CustomerOrder, self.shared.base())
    }

    /// The customer order with this id.
    pub fn order(&self, id: &str) -> Option<Value> {
        self.orders().into_iter().find(|o| o["id"] == id)
    }

    pub fn counterparties(&self) -> Vec<Value> {
        self.shared
            .lock()
            .store
            .all(Kind::Counterparty, self.shared.base())
    }

    pub fn products(&self) -> Vec<Value> {
        self.shared.lock().store.all(Kind::Product, self.shared.base())
    }

    pub fn services(&self) -> Vec<Value> {
        self.shared.lock().store.all(Kind::Service, self.shared.base())
    }

    /// Adds an entity (a counterparty, product or service) as if made in MoySklad; answers it as
    /// stored.
    pub fn add(&self, kind: Kind, fields: Value) -> Value {
        let mut s = self.shared.lock();
        let (made, _) = s.store.create(kind, fields).expect("a valid entity");
        entities::absolute(made, self.shared.base())
    }

    /// Moves an order to the state named so, as a manager in MoySklad would; false when there is
    /// no such order (a state of a new name is added to the account's list).
    pub fn set_state(&self, order_id: &str, state: &str) -> bool {
        self.shared.lock().store.set_state(order_id, state)
    }

    /// Every API request received, in order.
    pub fn calls(&self) -> Vec<MoySkladCall> {
        self.shared.lock().calls.clone()
    }

    /// The next API request misbehaves this way.
    pub fn push_fault(&self, fault: impl Into<MoySkladFault>) {
        let fault = fault.into();
        self.shared.lock().faults.push_back(QueuedFault {
            fault,
            path: None,
            method: None,
        });
    }

    /// The next request to `path` (e.g. [`CUSTOMER_ORDERS_PATH`]) misbehaves this way.
    pub fn push_fault_on(&self, path: &str, fault: impl Into<MoySkladFault>) {
        let fault = fault.into();
        self.shared.lock().faults.push_back(QueuedFault {
            fault,
            path: Some(path.to_string()),
            method: None,
        });
    }

    /// The next `method` request to `path` (e.g. `POST` [`CUSTOMER_ORDERS_PATH`]) misbehaves
    /// this way.
    pub fn push_fault_for(&self, method: &str, path: &str, fault: impl Into<MoySkladFault>) {
        let fault = fault.into();
        self.shared.lock().faults.push_back(QueuedFault {
            fault,
            path: Some(path.to_string()),
            method: Some(method.to_ascii_uppercase()),
        });
    }

    pub fn stats(&self) -> MoySkladStats {
        self.shared.lock().stats
    }

    /// The limit from now on (None: none), every token's bucket full.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        set_rate_limit(&self.shared, limit);
    }

    /// Moves the manual clock on (the buckets refill by that much); false on the real clock.
    pub fn advance_clock(&self, by: Duration) -> bool {
        self.shared.lock().clock.advance(by)
    }
}

fn set_rate_limit(shared: &Shared, limit: Option<RateLimit>) {
    let mut s = shared.lock();
    s.rate_limit = limit;
    s.buckets.clear();
}

type S = State<Arc<Shared>>;

/// What a request asks, once routed.
enum Op {
    Collection(String),
    Entity(String, String),
    Positions(String, String),
    Employee,
    Unknown,
}

/// A request as the checks and the log need it.
struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Bytes,
    token: Option<String>,
    gzip: bool,
}

impl ApiRequest {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<St: Send + Sync> axum::extract::FromRequest<St> for ApiRequest {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &St) -> Result<Self, Self::Rejection> {
        let (method, uri, headers) = (req.method().clone(), req.uri().clone(), req.headers().clone());
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(ApiRequest {
            method,
            path: uri.path().to_string(),
            query: query_pairs(&uri),
            body,
            token: bearer(&headers),
            gzip: accepts_gzip(&headers),
        })
    }
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("authorization")?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

/// `Accept-Encoding` naming gzip (with a non-zero weight); MoySklad serves no other encoding.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all("accept-encoding")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let named = parts.next().is_some_and(|c| c.eq_ignore_ascii_case("gzip"));
            let refused = parts.any(|p| p.replace(' ', "") == "q=0");
            named && !refused
        })
}

async fn api_collection(State(shared): S, Path(kind): Path<String>, request: ApiRequest) -> Response {
    serve(shared, request, Op::Collection(kind)).await
}

async fn api_entity(
    State(shared): S,
    Path((kind, id)): Path<(String, String)>,
    request: ApiRequest,
) -> Response {
    serve(shared, request, Op::Entity(kind, id)).await
}

async fn api_positions(
    State(shared): S,
    Path((kind, id)): Path<(String, String)>,
    request: ApiRequest,
) -> Response {
    serve(shared, request, Op::Positions(kind, id)).await
}

async fn api_employee(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::Employee).await
}

async fn api_unknown(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::Unknown).await
}

/// One API request from end to end: the encoding, a queued fault, the limits, the token, then
/// the method itself; logged in every case.
async fn serve(shared: Arc<Shared>, request: ApiRequest, op: Op) -> Response {
    if !request.gzip {
        // MoySklad's own words: 415 with no body, whatever else the request holds.
        shared.lock().stats.not_gzip += 1;
        let response = StatusCode::UNSUPPORTED_MEDIA_TYPE.into_response();
        return logged(&shared, &request, response, false);
    }
    let fault = take_fault(&shared, &request.method, &request.path);
    if let Some(response) = fault.as_ref().and_then(|f| fault_response(&shared, f)) {
        return logged(&shared, &request, response, false);
    }
    let key = request.token.clone().unwrap_or_default();
    if let Err(refused) = admit(&shared, &key) {
        return logged(&shared, &request, refused, false);
    }
    let _flight = match InFlight::enter(&shared, &key) {
        Ok(flight) => flight,
        Err(refused) => return logged(&shared, &request, refused, false),
    };
    if let Some(MoySkladFault::Common(Fault::Slow { millis })) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let response = if request.token.as_deref() != Some(shared.config.token.as_str()) {
        errors_response(
            StatusCode::UNAUTHORIZED,
            &[validation::error(1056, AUTH_FAILED, None)],
        )
    } else {
        answer(execute(&shared, &request, &op))
    };
    match fault {
        Some(MoySkladFault::LostAnswer { after }) => lose(&shared, &request, response, after).await,
        _ => logged(&shared, &request, response, false),
    }
}

/// The queued fault due for this request, if any.
fn take_fault(shared: &Shared, method: &Method, path: &str) -> Option<MoySkladFault> {
    let mut s = shared.lock();
    let at = s.faults.iter().position(|f| {
        f.path.as_deref().is_none_or(|p| p == path)
            && f.method.as_deref().is_none_or(|m| m == method.as_str())
    })?;
    s.faults.remove(at).map(|f| f.fault)
}

/// What a fault answers instead of the account, if it answers at all (a slow or lost one does
/// not).
fn fault_response(shared: &Shared, fault: &MoySkladFault) -> Option<Response> {
    let MoySkladFault::Common(fault) = fault else {
        return None;
    };
    Some(match fault {
        Fault::RateLimited { retry_after_secs } => {
            shared.lock().stats.rate_limited += 1;
            rate_limited(retry_after_secs.map(|s| s.saturating_mul(1000)))
        }
        Fault::ServerError(code) => server_error(*code),
        Fault::TruncatedJson => gzipped(
            StatusCode::OK,
            "application/json;charset=utf-8",
            b"{\"meta\":{\"href\":\"https://api.moysklad.ru/api/remap/1.2/entity/customer",
        ),
        Fault::NotJson => gzipped(
            StatusCode::OK,
            "text/html;charset=utf-8",
            "<!DOCTYPE html><html><body><h1>МойСклад: технические работы</h1></body></html>".as_bytes(),
        ),
        _ => return None,
    })
}

/// 429 with error 1049: the window's limit, with the wait in milliseconds when there is one.
fn rate_limited(retry_after_millis: Option<u64>) -> Response {
    let mut response = errors_response(
        StatusCode::TOO_MANY_REQUESTS,
        &[validation::error(1049, TOO_MANY_REQUESTS, None)],
    );
    if let Some(ms) = retry_after_millis {
        if let Ok(value) = ms.to_string().parse() {
            response.headers_mut().insert(RETRY_AFTER_HEADER, value);
        }
    }
    response
}

/// 502–504 come from the edge's nginx as HTML; other statuses from the application as JSON.
fn server_error(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match status.as_u16() {
        502..=504 => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
                 <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
                 </body>\r\n</html>\r\n",
                code = status.as_u16()
            );
            (status, [("content-type", "text/html")], page).into_response()
        }
        _ => errors_response(
            status,
            &[validation::error(1000, "Внутренняя ошибка сервера", None)],
        ),
    }
}

/// Takes the request's unit from its token's bucket, or refuses it as MoySklad does (1049).
fn admit(shared: &Shared, key: &str) -> Result<(), Response> {
    let mut s = shared.lock();
    let Some(limit) = s.rate_limit else {
        return Ok(());
    };
    let now = s.clock.now();
    let burst = f64::from(limit.requests);
    match s.buckets.take(key, limit.per_second(), burst, now) {
        Ok(()) => Ok(()),
        Err(wait) => {
            s.stats.rate_limited += 1;
            // Rounded up: a client waiting exactly this long finds a request's unit there.
            let millis = u64::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(u64::MAX);
            Err(rate_limited(Some(millis)))
        }
    }
}

/// A request counted in flight for its token until it is answered.
struct InFlight<'a> {
    shared: &'a Shared,
    key: String,
}

impl<'a> InFlight<'a> {
    /// Counts the request in, or refuses it (1073, no headers) past the parallel limit.
    fn enter(shared: &'a Shared, key: &str) -> Result<Self, Response> {
        let mut s = shared.lock();
        let now = s.in_flight.get(key).copied().unwrap_or(0);
        if shared.config.parallel.is_some_and(|most| now >= most) {
            s.stats.parallel_limited += 1;
            return Err(errors_response(
                StatusCode::TOO_MANY_REQUESTS,
                &[validation::error(1073, TOO_MANY_PARALLEL, None)],
            ));
        }
        s.in_flight.insert(key.to_string(), now + 1);
        Ok(Self {
            shared,
            key: key.to_string(),
        })
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut s = self.shared.lock();
        if let Some(n) = s.in_flight.get_mut(&self.key) {
            *n = n.saturating_sub(1);
        }
    }
}

/// An answer: its status and body (none: an empty body, as a delete's).
type Answer = (StatusCode, Option<Value>);

fn execute(shared: &Shared, request: &ApiRequest, op: &Op) -> Answer {
    let base = shared.base();
    let mut s = shared.lock();
    let s = &mut *s;
    let outcome = match op {
        Op::Collection(kind) => entities::collection(s, request, kind),
        Op::Entity(kind, id) => entities::entity(s, request, kind, id),
        Op::Positions(kind, id) => entities::positions(s, request, kind, id),
        Op::Employee => entities::employee(request),
        Op::Unknown => Err(validation::refusal(
            StatusCode::NOT_FOUND,
            1002,
            &format!("Неопознанный путь: {}", request.path),
            None,
        )),
    };
    match outcome {
        Ok((status, body)) => (status, body.map(|b| entities::absolute(b, base))),
        Err(refused) => refused,
    }
}

fn answer((status, body): Answer) -> Response {
    match body {
        Some(body) => gzipped(
            status,
            "application/json;charset=utf-8",
            body.to_string().as_bytes(),
        ),
        None => status.into_response(),
    }
}

/// MoySklad's error body.
fn errors_response(status: StatusCode, errors: &[Value]) -> Response {
    answer((status, Some(json!({ "errors": errors }))))
}

/// A body compressed as MoySklad sends it.
fn gzipped(status: StatusCode, content_type: &'static str, body: &[u8]) -> Response {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let compressed = encoder
        .write_all(body)
        .and_then(|()| encoder.finish())
        .expect("gzip into memory");
    (
        status,
        [("content-type", content_type), ("content-encoding", "gzip")],
        compressed,
    )
        .into_response()
}

/// A request carried out whose answer the client never gets: the connection closes before the
/// status line, or the answer comes after `after`.
async fn lose(
    shared: &Shared,
    request: &ApiRequest,
    response: Response,
    after: Option<Duration>,
) -> Response {
    let response = logged(shared, request, response, true);
    match after {
        Some(delay) => {
            tokio::time::sleep(delay).await;
            response
        }
        None => crate::server::dropped_answer(),
    }
}

/// Logs the request with the status of its answer, and passes the answer on.
fn logged(shared: &Shared, request: &ApiRequest, response: Response, lost: bool) -> Response {
    let token = shared.config.token.as_str();
    let hide = |text: &str| {
        if token.is_empty() {
            text.to_string()
        } else {
            text.replace(token, MASK)
        }
    };
    let body = serde_json::from_slice::<Value>(&request.body)
        .ok()
        .and_then(|v| serde_json::from_str(&hide(&v.to_string())).ok());
    let call = MoySkladCall {
        method: request.method.to_string(),
        path: request.path.clone(),
        query: request.query.iter().map(|(k, v)| (k.clone(), hide(v))).collect(),
        body,
        gzip: request.gzip,
        http_status: response.status().as_u16(),
        lost,
    };
    shared.lock().calls.push(call);
    response
}
