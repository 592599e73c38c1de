//! Fake InSales shop: the admin API routes an order transfer uses, as InSales' own clients speak
//! them (the vendor's `insales_api` gem and `insales_php_api`, the `node-insales` API blueprint)
//! and its help pages describe the limit. Where those are silent this fake's choice is marked
//! "a guess".
//!
//! - `https://{shop}.myinsales.ru/admin/…json`, HTTP basic auth with the API application's
//!   identifier and password; anything else is 401 `HTTP Basic: Access denied.` (Rails' answer).
//! - `GET /admin/account.json`; `GET /admin/products.json` (`page`, `per_page` up to 250,
//!   `updated_since`): products with their `variants` [{`id`, `sku`, `quantity`, `price`}]. The
//!   API has no documented look-up of a variant by SKU, so a client reads the catalogue (then only
//!   what changed since) and keeps its own SKU → variant map.
//! - `GET /admin/delivery_variants.json`, `GET /admin/payment_gateways.json`.
//! - `POST /admin/orders.json` {`order` {`order_lines_attributes` [{`variant_id`, `quantity`,
//!   `sale_price`?}], `client` {`name`, `phone`, `email`}, `shipping_address_attributes`
//!   {`name`, `phone`, `country`, `city`, `address`, `zip`}, `delivery_variant_id`,
//!   `delivery_price`, `payment_gateway_id`?, `comment`}}: the order (`id`, `number`, `key`,
//!   `fulfillment_status: "new"`, `financial_status: "pending"`, `order_lines`, `total_price`, …).
//!   The items are written off the variants' stock (`quantity`).
//! - `GET/PUT/DELETE /admin/orders/{id}.json`; a PUT's `order_lines_attributes` work as Rails'
//!   nested attributes: a line with `id` is changed (or removed with `_destroy`), one without is
//!   added; stock follows. A delete gives the stock back (a guess). Unknown id: 404.
//! - `GET /admin/orders.json` (`updated_since`, `page`, `per_page` up to 250): oldest change
//!   first. InSales lets no field of ours be searched; a client finds its order by this list.
//! - Refusals are 422 `{"errors": {field: [message, …]}}` (Rails' `respond_with`; the wording is
//!   a guess): a variant that does not exist, no client name or phone, a delivery variant or
//!   payment gateway the shop does not have, no lines.
//! - Limit: 500 requests per 5 minutes counted from the first of a series; every answer carries
//!   `API-Usage-Limit: used/500`; past it, 503 with `Retry-After` (seconds to the window's end).
//!
//! Admin (not InSales'): `GET /__fake/orders`, `GET/POST /__fake/products` (the stock shows in
//! the variants' `quantity`), `POST /__fake/orders/{id}/status` {`fulfillment_status`?,
//! `financial_status`?}, `GET /__fake/calls` (never the password), `POST /__fake/faults`,
//! `GET /__fake/stats`, `POST /__fake/usage_limit` (`{requests, window_secs}` or null),
//! `POST /__fake/clock` `{"advance_millis": N}` (the manual clock only).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Fault;
use crate::server::Served;

mod admin;
mod store;

pub const ACCOUNT_PATH: &str = "/admin/account.json";
pub const ORDERS_PATH: &str = "/admin/orders.json";
pub const PRODUCTS_PATH: &str = "/admin/products.json";
pub const DELIVERY_VARIANTS_PATH: &str = "/admin/delivery_variants.json";
pub const PAYMENT_GATEWAYS_PATH: &str = "/admin/payment_gateways.json";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const PRODUCTS_ADMIN_PATH: &str = "/__fake/products";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const STATS_PATH: &str = "/__fake/stats";
pub const USAGE_LIMIT_ADMIN_PATH: &str = "/__fake/usage_limit";
pub const CLOCK_ADMIN_PATH: &str = "/__fake/clock";
/// Every answer's count of the requests made in the current window: `used/limit`.
pub const USAGE_HEADER: &str = "API-Usage-Limit";
pub const ACCESS_DENIED: &str = "HTTP Basic: Access denied.\n";
/// In the calls log instead of the password.
const MASK: &str = "***";

/// How many requests the shop's API takes in a window counted from the first request of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageLimit {
    pub requests: u32,
    pub window_secs: u64,
}

impl UsageLimit {
    /// InSales' own: 500 requests per 5 minutes.
    pub const INSALES: Self = Self {
        requests: 500,
        window_secs: 300,
    };
}

#[derive(Debug, Clone)]
pub struct FakeInSalesConfig {
    /// The API application's identifier (the basic auth user name).
    pub api_id: String,
    pub password: String,
    /// 0 = any free port.
    pub port: u16,
    /// None: no limit (the header still counts).
    pub usage_limit: Option<UsageLimit>,
    /// The limit's clock stands still until advanced ([`FakeInSalesHandle::advance_clock`]).
    pub manual_clock: bool,
}

impl FakeInSalesConfig {
    pub fn new(api_id: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            api_id: api_id.into(),
            password: password.into(),
            port: 0,
            usage_limit: Some(UsageLimit::INSALES),
            manual_clock: false,
        }
    }
}

/// One request as the fake saw it; the password is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InSalesCall {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub http_status: u16,
    /// The request was carried out but its answer never reached the client.
    pub lost: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InSalesStats {
    pub creates: u64,
    pub updates: u64,
    pub deletes: u64,
    pub refused: u64,
    pub rate_limited: u64,
}

/// One way to misbehave, for the next request (or the next one with a method and path).
pub type InSalesFault = crate::faults::TargetFault;

#[derive(Debug, Clone)]
struct QueuedFault {
    fault: InSalesFault,
    /// An HTTP method (upper case); None: any.
    method: Option<String>,
    /// A path; None: any.
    path: Option<String>,
}

struct Shared {
    config: FakeInSalesConfig,
    state: Mutex<ShopState>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, ShopState> {
        self.state.lock().expect("InSales state poisoned")
    }
}

/// The requests counted in the current window: when it began and how many.
#[derive(Debug, Default)]
struct Window {
    started: Option<Duration>,
    used: u32,
}

struct ShopState {
    store: store::Store,
    calls: Vec<InSalesCall>,
    faults: VecDeque<QueuedFault>,
    limit: Option<UsageLimit>,
    window: Window,
    clock: crate::limit::Clock,
    stats: InSalesStats,
}

pub struct FakeInSales;

impl FakeInSales {
    pub async fn start(config: FakeInSalesConfig) -> std::io::Result<FakeInSalesHandle> {
        let port = config.port;
        let state = ShopState {
            store: store::Store::seeded(),
            calls: vec![],
            faults: VecDeque::new(),
            limit: config.usage_limit,
            window: Window::default(),
            clock: crate::limit::Clock::new(config.manual_clock),
            stats: InSalesStats::default(),
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        // One handler for the API: its paths end in `{id}.json`, which a route cannot match.
        let app = Router::new()
            .merge(admin::routes())
            .fallback(api)
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake InSales").await?;
        Ok(FakeInSalesHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeInSalesHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeInSalesHandle {
    /// The shop's address (`https://{shop}.myinsales.ru` for a real one).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Adds a product: `{"title", "variants": [{"sku", "quantity", "price"}]}`; the product as
    /// the API lists it (ids given).
    pub fn add_product(&self, product: Value) -> Value {
        self.shared.lock().store.add_product(product)
    }

    /// Every product with its variants' stock now.
    pub fn products(&self) -> Vec<Value> {
        self.shared.lock().store.products.clone()
    }

    /// The variant with this SKU, as it is now.
    pub fn variant(&self, sku: &str) -> Option<Value> {
        self.shared.lock().store.variant_by_sku(sku)
    }

    /// Every order not deleted, oldest first.
    pub fn orders(&self) -> Vec<Value> {
        self.shared.lock().store.orders.clone()
    }

    pub fn order(&self, id: i64) -> Option<Value> {
        let s = self.shared.lock();
        s.store.order_at(id).map(|at| s.store.orders[at].clone())
    }

    /// Moves an order on, as the shop's manager would; false when there is no such order.
    pub fn set_status(&self, id: i64, fulfillment: Option<&str>, financial: Option<&str>) -> bool {
        self.shared.lock().store.set_status(id, fulfillment, financial)
    }

    /// Every request received, in order.
    pub fn calls(&self) -> Vec<InSalesCall> {
        self.shared.lock().calls.clone()
    }

    /// The requests with this method to this path, in order.
    pub fn calls_to(&self, method: &str, path: &str) -> Vec<InSalesCall> {
        let s = self.shared.lock();
        s.calls
            .iter()
            .filter(|c| c.method == method && c.path == path)
            .cloned()
            .collect()
    }

    /// The next request misbehaves this way.
    pub fn push_fault(&self, fault: impl Into<InSalesFault>) {
        self.queue(fault.into(), None, None);
    }

    /// The next request with this method to this path (e.g. `POST /admin/orders.json`, the
    /// create and not the look-up before it) misbehaves this way.
    pub fn push_fault_for(&self, method: &str, path: &str, fault: impl Into<InSalesFault>) {
        self.queue(
            fault.into(),
            Some(method.to_ascii_uppercase()),
            Some(path.to_string()),
        );
    }

    fn queue(&self, fault: InSalesFault, method: Option<String>, path: Option<String>) {
        self.shared
            .lock()
            .faults
            .push_back(QueuedFault { fault, method, path });
    }

    pub fn stats(&self) -> InSalesStats {
        self.shared.lock().stats
    }

    /// The limit from now on (None: none), counting from a fresh window.
    pub fn set_usage_limit(&self, limit: Option<UsageLimit>) {
        set_usage_limit(&self.shared, limit);
    }

    /// Moves the manual clock on; false on the real clock.
    pub fn advance_clock(&self, by: Duration) -> bool {
        self.shared.lock().clock.advance(by)
    }
}

fn set_usage_limit(shared: &Shared, limit: Option<UsageLimit>) {
    let mut s = shared.lock();
    s.limit = limit;
    s.window = Window::default();
}

type S = State<Arc<Shared>>;

/// A request as the checks, the handlers and the log need it.
struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Bytes,
    /// The basic auth user name and password, when given.
    credentials: Option<(String, String)>,
}

impl ApiRequest {
    fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
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
            credentials: basic_credentials(&headers),
        })
    }
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?.trim();
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// One API request from end to end: a queued fault, the limit, the credentials, then the route;
/// logged in every case.
async fn api(State(shared): S, request: ApiRequest) -> Response {
    let fault = take_fault(&shared, &request);
    if let Some(response) = fault.as_ref().and_then(fault_response) {
        if matches!(fault, Some(InSalesFault::Common(Fault::RateLimited { .. }))) {
            shared.lock().stats.rate_limited += 1;
        }
        return logged(&shared, &request, response, false);
    }
    if let Some(InSalesFault::Common(Fault::Slow { millis })) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let response = match count(&shared) {
        Err(refused) => refused,
        Ok(usage) => {
            let mut response = if authorized(&shared.config, &request) {
                store::route(&shared, &request)
            } else {
                access_denied()
            };
            if let Ok(v) = HeaderValue::from_str(&usage) {
                response.headers_mut().insert(USAGE_HEADER, v);
            }
            response
        }
    };
    match fault {
        Some(InSalesFault::LostAnswer { after }) => lose(&shared, &request, response, after).await,
        _ => logged(&shared, &request, response, false),
    }
}

fn authorized(config: &FakeInSalesConfig, request: &ApiRequest) -> bool {
    request
        .credentials
        .as_ref()
        .is_some_and(|(user, password)| *user == config.api_id && *password == config.password)
}

fn access_denied() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [
            ("www-authenticate", "Basic realm=\"Application\""),
            ("content-type", "text/html; charset=utf-8"),
        ],
        ACCESS_DENIED,
    )
        .into_response()
}

/// Counts the request in the current window: its `used/limit`, or the 503 past the limit
/// (`Retry-After`: the seconds left of the window, rounded up).
fn count(shared: &Shared) -> Result<String, Response> {
    let mut s = shared.lock();
    let now = s.clock.now();
    let limit = s.limit.unwrap_or(UsageLimit::INSALES);
    let window = Duration::from_secs(limit.window_secs);
    let started = match s.window.started {
        Some(t) if now < t + window => t,
        _ => {
            s.window = Window {
                started: Some(now),
                used: 0,
            };
            now
        }
    };
    let usage = |used: u32| format!("{used}/{}", limit.requests);
    if s.limit.is_some() && s.window.used >= limit.requests {
        s.stats.rate_limited += 1;
        let left = (started + window).saturating_sub(now);
        let secs = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        return Err(over_limit(Some(secs), &usage(s.window.used)));
    }
    s.window.used += 1;
    Ok(usage(s.window.used))
}

/// Past the limit: 503, the seconds to wait when known (the body is a guess).
fn over_limit(retry_after_secs: Option<u64>, usage: &str) -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "text/plain; charset=utf-8")],
        "API request limit exceeded",
    )
        .into_response();
    let headers = response.headers_mut();
    if let Some(secs) = retry_after_secs {
        headers.insert("retry-after", HeaderValue::from(secs));
    }
    if let Ok(v) = HeaderValue::from_str(usage) {
        headers.insert(USAGE_HEADER, v);
    }
    response
}

/// The queued fault due for this request, if any.
fn take_fault(shared: &Shared, request: &ApiRequest) -> Option<InSalesFault> {
    let mut s = shared.lock();
    let method = request.method.as_str();
    let at = s.faults.iter().position(|f| {
        f.method.as_deref().is_none_or(|m| m == method) && f.path.as_deref().is_none_or(|p| p == request.path)
    })?;
    s.faults.remove(at).map(|f| f.fault)
}

/// What a fault answers instead of InSales, if it answers at all (a slow or lost one does not).
fn fault_response(fault: &InSalesFault) -> Option<Response> {
    let InSalesFault::Common(fault) = fault else {
        return None;
    };
    Some(match fault {
        Fault::RateLimited { retry_after_secs } => over_limit(*retry_after_secs, "500/500"),
        Fault::ServerError(code) => server_error(*code),
        Fault::TruncatedJson => (
            StatusCode::OK,
            [("content-type", "application/json; charset=utf-8")],
            "{\"id\":5200001,\"number\":10",
        )
            .into_response(),
        Fault::NotJson => (
            StatusCode::OK,
            [("content-type", "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><body><h1>Технические работы</h1></body></html>",
        )
            .into_response(),
        _ => return None,
    })
}

fn server_error(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    let page = format!(
        "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1>\
         </center><hr><center>nginx</center></body></html>",
        code = status.as_u16()
    );
    (status, [("content-type", "text/html")], page).into_response()
}

/// A JSON answer.
fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

/// A refusal as Rails answers one: 422, each problem under its field.
fn refused(errors: Vec<(String, String)>) -> Response {
    let mut by_field = serde_json::Map::new();
    for (field, message) in errors {
        let list = by_field.entry(field).or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut() {
            list.push(json!(message));
        }
    }
    answer(StatusCode::UNPROCESSABLE_ENTITY, json!({ "errors": by_field }))
}

fn not_found() -> Response {
    answer(
        StatusCode::NOT_FOUND,
        json!({"status": "404", "error": "Not Found"}),
    )
}

/// A request carried out whose answer the client never gets.
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

/// Logs the request with the status of its answer (any text holding the password masked).
fn logged(shared: &Shared, request: &ApiRequest, response: Response, lost: bool) -> Response {
    let password = shared.config.password.as_str();
    let hide = |text: &str| {
        if password.is_empty() {
            text.to_string()
        } else {
            text.replace(password, MASK)
        }
    };
    let body = request
        .json()
        .and_then(|v| serde_json::from_str(&hide(&v.to_string())).ok());
    let call = InSalesCall {
        method: request.method.to_string(),
        path: request.path.clone(),
        query: request.query.iter().map(|(k, v)| (k.clone(), hide(v))).collect(),
        body,
        http_status: response.status().as_u16(),
        lost,
    };
    shared.lock().calls.push(call);
    response
}
