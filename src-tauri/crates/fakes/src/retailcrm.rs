//! Fake RetailCRM account: the API v5 routes an order transfer uses, as RetailCRM documents and
//! its official clients (api-client-php, api-client-go) speak them.
//!
//! - The key in the `X-API-KEY` header or the `apiKey` parameter; missing or wrong is HTTP 403
//!   `{"success": false, "errorMsg": "Wrong \"apiKey\" value."}` (`"apiKey" is missing.`).
//! - Writes are `application/x-www-form-urlencoded`, structures as JSON text in one field
//!   (`order=…`, `products=…`), with `site` and `by` beside them; reads take query parameters,
//!   lists as `name[]=…` (or `name[0]=…`).
//! - `POST /api/v5/orders/create` (`site`, `order`): 201 `{"success", "id", "order"}`; an
//!   `externalId` the site already has is 400 `Order already exists.`; a refused order 400
//!   `{"errorMsg": "Order is not loaded", "errors": …}` (see `retailcrm/validation.rs`).
//! - `POST /api/v5/orders/{externalId}/edit` (`by=externalId|id`, `site`, `order`): 200
//!   `{"success", "id", "order"}`, or 404 `Not found`.
//! - `GET /api/v5/orders/{externalId}?by=…&site=…`: 200 `{"success", "order"}`, or 404.
//! - `GET /api/v5/orders/statuses?externalIds[]=…&ids[]=…`: `{"success", "orders": [{id,
//!   externalId, status, group}]}` for the orders found.
//! - `POST /api/v5/store/products/batch/create` (`products`): `{"success",
//!   "processedProductsCount", "addedProducts": [ids]}`; `GET /api/v5/store/products` with
//!   `filter[externalId]`, `filter[offerExternalId]`, `filter[ids][]`, `limit`, `page`.
//!   An order item whose `offer` is in the catalog is tied to it; one that is not stays a line
//!   with no product behind it (`"offer": {"externalId": …, "id": null}`).
//! - `GET /api/credentials` (outside `/v5`): `{"success", "credentials": [methods allowed],
//!   "siteAccess": "access_selective", "sitesAvailable": [site]}`, what a key may do.
//! - A `site` other than the account's is 403 `Access denied.`; an unknown method 404
//!   `API method not found`.
//! - The limit, 10 requests a second per key: past it, HTTP 503 with nginx's HTML page and no
//!   `Retry-After` (RetailCRM's clients take any 503 as "slow down").
//!
//! Admin (not RetailCRM's): `GET /__fake/orders`, `POST /__fake/orders/{externalId}/status`
//! `{status, group?}` (a manager moves the order), `GET /__fake/products`, `GET /__fake/calls`
//! (never the key), `POST /__fake/faults` (one rule or a list), `GET /__fake/stats`,
//! `POST /__fake/validation` (rules, partial), `POST /__fake/rate_limit` (`{per_second, burst}`
//! or null), `POST /__fake/clock` `{"advance_millis": N}` (the manual clock only).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
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
mod orders;
mod validation;

pub use crate::limit::RateLimit;
pub use validation::{ErrorsShape, Locale, ValidationRules};

pub const API: &str = "/api/v5";
pub const API_KEY_HEADER: &str = "X-API-KEY";
pub const ORDERS_CREATE_PATH: &str = "/api/v5/orders/create";
pub const ORDERS_STATUSES_PATH: &str = "/api/v5/orders/statuses";
pub const CREDENTIALS_PATH: &str = "/api/credentials";
pub const PRODUCTS_PATH: &str = "/api/v5/store/products";
pub const PRODUCTS_CREATE_PATH: &str = "/api/v5/store/products/batch/create";
pub const CALLS_PATH: &str = "/__fake/calls";
pub const ORDERS_ADMIN_PATH: &str = "/__fake/orders";
pub const PRODUCTS_ADMIN_PATH: &str = "/__fake/products";
pub const FAULTS_ADMIN_PATH: &str = "/__fake/faults";
pub const STATS_PATH: &str = "/__fake/stats";
pub const VALIDATION_ADMIN_PATH: &str = "/__fake/validation";
pub const RATE_LIMIT_ADMIN_PATH: &str = "/__fake/rate_limit";
pub const CLOCK_ADMIN_PATH: &str = "/__fake/clock";
/// What the edge answers past the limit: HTML, not the API's JSON.
pub const RATE_LIMITED_PAGE: &str = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>";
pub const WRONG_KEY: &str = "Wrong \"apiKey\" value.";
pub const MISSING_KEY: &str = "\"apiKey\" is missing.";
pub const ALREADY_EXISTS: &str = "Order already exists.";
pub const NOT_LOADED: &str = "Order is not loaded";
pub const NOT_FOUND: &str = "Not found";
pub const ACCESS_DENIED: &str = "Access denied.";
/// In the calls log instead of the key.
const MASK: &str = "***";

#[derive(Debug, Clone)]
pub struct FakeRetailCrmConfig {
    pub api_key: String,
    /// The account's one store (site) code.
    pub site: String,
    /// 0 = any free port.
    pub port: u16,
    /// None: no limit.
    pub rate_limit: Option<RateLimit>,
    /// The limiter's clock stands still until advanced ([`FakeRetailCrmHandle::advance_clock`],
    /// `POST /__fake/clock`): a test's burst then meets an exact bucket.
    pub manual_clock: bool,
    pub validation: ValidationRules,
}

impl FakeRetailCrmConfig {
    pub fn new(api_key: impl Into<String>, site: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            site: site.into(),
            port: 0,
            rate_limit: Some(RateLimit::RETAILCRM),
            manual_clock: false,
            validation: ValidationRules::default(),
        }
    }
}

/// One API request as the fake saw it; the key is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetailCrmCall {
    pub method: String,
    pub path: String,
    /// The query, `apiKey` masked.
    pub query: Vec<(String, String)>,
    /// A POST's form fields, `apiKey` masked (`order` and `products` stay JSON text).
    pub form: Vec<(String, String)>,
    /// The status answered, or that would have been for a lost answer.
    pub http_status: u16,
    /// The request was carried out but its answer never reached the client.
    pub lost: bool,
}

impl RetailCrmCall {
    /// A form field's JSON (`order`, `products`), when it reads as JSON.
    pub fn form_json(&self, name: &str) -> Option<Value> {
        let (_, text) = self.form.iter().find(|(k, _)| k == name)?;
        serde_json::from_str(text).ok()
    }
}

/// What the account has done: orders created and edited, reads answered (after the key and site
/// checks), requests refused by the limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetailCrmStats {
    pub creates: u64,
    pub edits: u64,
    pub reads: u64,
    pub rate_limited: u64,
}

/// One way to misbehave, for the next request (or the next to one path).
pub type RetailCrmFault = crate::faults::TargetFault;

#[derive(Debug, Clone)]
struct QueuedFault {
    fault: RetailCrmFault,
    path: Option<String>,
}

struct Shared {
    config: FakeRetailCrmConfig,
    state: Mutex<CrmState>,
}

struct CrmState {
    orders: Vec<Value>,
    products: Vec<Value>,
    ids: orders::Ids,
    calls: Vec<RetailCrmCall>,
    faults: VecDeque<QueuedFault>,
    rules: ValidationRules,
    rate_limit: Option<RateLimit>,
    buckets: crate::limit::Buckets,
    clock: crate::limit::Clock,
    stats: RetailCrmStats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, CrmState> {
        self.state.lock().expect("RetailCRM state poisoned")
    }
}

impl CrmState {
    fn order_index(&self, by: By, id: &str, site: &str) -> Option<usize> {
        self.orders.iter().position(|o| {
            o["site"] == site
                && match by {
                    By::ExternalId => orders::external_id(&o["externalId"]).as_deref() == Some(id),
                    By::Id => id.parse::<i64>().is_ok_and(|n| o["id"].as_i64() == Some(n)),
                }
        })
    }
}

impl RateLimit {
    /// RetailCRM's documented limit for an API key: 10 requests a second.
    pub const RETAILCRM: Self = Self {
        per_second: 10.0,
        burst: 10.0,
    };
}

pub struct FakeRetailCrm;

impl FakeRetailCrm {
    pub async fn start(config: FakeRetailCrmConfig) -> std::io::Result<FakeRetailCrmHandle> {
        let port = config.port;
        let state = CrmState {
            orders: vec![],
            products: vec![],
            ids: orders::Ids::default(),
            calls: vec![],
            faults: VecDeque::new(),
            rules: config.validation.clone(),
            rate_limit: config.rate_limit,
            buckets: crate::limit::Buckets::default(),
            clock: crate::limit::Clock::new(config.manual_clock),
            stats: RetailCrmStats::default(),
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        // `any`, not the method: a client's wrong method is a call to see in the log.
        let app = Router::new()
            .route(ORDERS_CREATE_PATH, any(api_create))
            .route(ORDERS_STATUSES_PATH, any(api_statuses))
            .route(CREDENTIALS_PATH, any(api_credentials))
            .route("/api/v5/orders/{id}", any(api_get))
            .route("/api/v5/orders/{id}/edit", any(api_edit))
            .route(PRODUCTS_CREATE_PATH, any(api_products_create))
            .route(PRODUCTS_PATH, any(api_products))
            .merge(admin::routes())
            .fallback(api_unknown)
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake RetailCRM").await?;
        Ok(FakeRetailCrmHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeRetailCrmHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeRetailCrmHandle {
    /// The account's address (`https://{account}.retailcrm.ru` for a real one; the API is under
    /// [`API`]).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Every stored order, oldest first, as the API returns them.
    pub fn orders(&self) -> Vec<Value> {
        self.shared.lock().orders.clone()
    }

    /// The site's order with this `externalId`.
    pub fn order(&self, external_id: &str) -> Option<Value> {
        let s = self.shared.lock();
        let at = s.order_index(By::ExternalId, external_id, &self.shared.config.site)?;
        Some(s.orders[at].clone())
    }

    /// Moves an order to `status`, as a manager in the CRM would; false when there is no such
    /// order.
    pub fn set_status(&self, external_id: &str, status: &str) -> bool {
        set_status(&self.shared, external_id, status, None)
    }

    /// The catalog's products, as `store/products` lists them.
    pub fn products(&self) -> Vec<Value> {
        self.shared.lock().products.clone()
    }

    /// Adds catalog products (each with `externalId`, `name`, optionally `offers`), as if made
    /// in the CRM; they get ids and offers as `batch/create` gives them.
    pub fn add_products(&self, products: impl IntoIterator<Item = Value>) {
        let mut s = self.shared.lock();
        let s = &mut *s;
        for p in products {
            if let Value::Object(p) = p {
                let product = orders::catalog_product(p, &mut s.ids, Utc::now());
                s.products.push(product);
            }
        }
    }

    /// Every API request received, in order.
    pub fn calls(&self) -> Vec<RetailCrmCall> {
        self.shared.lock().calls.clone()
    }

    /// The next API request misbehaves this way.
    pub fn push_fault(&self, fault: impl Into<RetailCrmFault>) {
        let fault = fault.into();
        self.shared
            .lock()
            .faults
            .push_back(QueuedFault { fault, path: None });
    }

    /// The next request to `path` (e.g. [`ORDERS_CREATE_PATH`]) misbehaves this way.
    pub fn push_fault_on(&self, path: &str, fault: impl Into<RetailCrmFault>) {
        let fault = fault.into();
        self.shared.lock().faults.push_back(QueuedFault {
            fault,
            path: Some(path.to_string()),
        });
    }

    pub fn stats(&self) -> RetailCrmStats {
        self.shared.lock().stats
    }

    /// What orders must satisfy from now on.
    pub fn set_validation(&self, rules: ValidationRules) {
        self.shared.lock().rules = rules;
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

fn set_status(shared: &Shared, external_id: &str, status: &str, group: Option<String>) -> bool {
    let mut s = shared.lock();
    if let Some(group) = group {
        s.rules.statuses.insert(status.to_string(), group);
    }
    let Some(at) = s.order_index(By::ExternalId, external_id, &shared.config.site) else {
        return false;
    };
    let changes = Map::from_iter([("status".to_string(), json!(status))]);
    let s = &mut *s;
    s.orders[at] = orders::edited(&s.orders[at], changes, &mut s.ids, &s.products, Utc::now());
    true
}

fn set_rate_limit(shared: &Shared, limit: Option<RateLimit>) {
    let mut s = shared.lock();
    s.rate_limit = limit;
    s.buckets.clear();
}

type S = State<Arc<Shared>>;

/// Which identifier a path's `{id}` is (`by`; RetailCRM's default is `externalId`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum By {
    ExternalId,
    Id,
}

/// The API method a route serves.
enum Op {
    Create,
    Edit(String),
    Get(String),
    Statuses,
    ProductsCreate,
    Products,
    Credentials,
}

impl Op {
    fn method(&self) -> Method {
        match self {
            Op::Create | Op::Edit(_) | Op::ProductsCreate => Method::POST,
            Op::Get(_) | Op::Statuses | Op::Products | Op::Credentials => Method::GET,
        }
    }
}

/// A request's parameters wherever they came: query, form body, key header.
struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    form: Vec<(String, String)>,
    key: Option<String>,
}

impl ApiRequest {
    fn read(method: Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Self {
        let query = uri.query().map(|q| pairs(q.as_bytes())).unwrap_or_default();
        let form = if method == Method::POST {
            pairs(body)
        } else {
            vec![]
        };
        let header_key = headers
            .get(API_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let key = header_key
            .or_else(|| find(&form, "apiKey").map(str::to_string))
            .or_else(|| find(&query, "apiKey").map(str::to_string));
        Self {
            method,
            path: uri.path().to_string(),
            query,
            form,
            key,
        }
    }

    /// A parameter from the form, else the query.
    fn param(&self, name: &str) -> Option<&str> {
        find(&self.form, name).or_else(|| find(&self.query, name))
    }

    /// Every value of a list parameter, sent as `name[]=…` or `name[0]=…`.
    fn list(&self, name: &str) -> Vec<&str> {
        let is_item = |k: &str| {
            k.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix('['))
                .is_some_and(|rest| rest.ends_with(']') && !rest[..rest.len() - 1].contains('['))
        };
        self.query
            .iter()
            .chain(&self.form)
            .filter(|(k, _)| is_item(k))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// A list parameter of internal ids; what does not read as one matches nothing.
    fn ids(&self, name: &str) -> Vec<i64> {
        self.list(name).iter().filter_map(|v| v.parse().ok()).collect()
    }

    fn by(&self) -> Result<By, (StatusCode, Value)> {
        match self.param("by") {
            None | Some("externalId") => Ok(By::ExternalId),
            Some("id") => Ok(By::Id),
            Some(_) => Err(refusal(
                StatusCode::BAD_REQUEST,
                "Errors in the input parameters",
                Some(json!({"by": "The value you selected is not a valid choice."})),
            )),
        }
    }

    /// A JSON object sent as text in one form field (`order`).
    fn json_object(&self, name: &str) -> Result<Map<String, Value>, (StatusCode, Value)> {
        let Some(text) = find(&self.form, name) else {
            return Err(refusal(
                StatusCode::BAD_REQUEST,
                &format!("Parameter '{name}' is missing"),
                None,
            ));
        };
        match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(refusal(
                StatusCode::BAD_REQUEST,
                "Errors in the input parameters",
                Some(Value::Object(Map::from_iter([(
                    name.to_string(),
                    json!("This value is not valid."),
                )]))),
            )),
        }
    }
}

fn pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).into_owned().collect()
}

fn find<'a>(list: &'a [(String, String)], name: &str) -> Option<&'a str> {
    list.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// RetailCRM's error body.
fn refusal(status: StatusCode, message: &str, errors: Option<Value>) -> (StatusCode, Value) {
    let mut body = json!({"success": false, "errorMsg": message});
    if let Some(errors) = errors {
        body["errors"] = errors;
    }
    (status, body)
}

fn json_response((status, body): (StatusCode, Value)) -> Response {
    (status, Json(body)).into_response()
}

/// Every API route reads its request the same way: method, query, form and headers.
impl<St: Send + Sync> axum::extract::FromRequest<St> for ApiRequest {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &St) -> Result<Self, Self::Rejection> {
        let (method, uri, headers) = (req.method().clone(), req.uri().clone(), req.headers().clone());
        let body = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(ApiRequest::read(method, &uri, &headers, &body))
    }
}

async fn api_create(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::Create).await
}

async fn api_edit(State(shared): S, Path(id): Path<String>, request: ApiRequest) -> Response {
    serve(shared, request, Op::Edit(id)).await
}

async fn api_get(State(shared): S, Path(id): Path<String>, request: ApiRequest) -> Response {
    serve(shared, request, Op::Get(id)).await
}

async fn api_statuses(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::Statuses).await
}

async fn api_products_create(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::ProductsCreate).await
}

async fn api_credentials(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::Credentials).await
}

async fn api_products(State(shared): S, request: ApiRequest) -> Response {
    serve(shared, request, Op::Products).await
}

/// Any other path: RetailCRM's answer to a method it does not have, logged so that a client's
/// wrong path shows.
async fn api_unknown(State(shared): S, request: ApiRequest) -> Response {
    let response = json_response(refusal(StatusCode::NOT_FOUND, "API method not found", None));
    logged(&shared, &request, response, false)
}

/// One API request from end to end: a queued fault, the limit, the key, the site, then the
/// method itself; logged in every case.
async fn serve(shared: Arc<Shared>, request: ApiRequest, op: Op) -> Response {
    let fault = take_fault(&shared, &request.path);
    if let Some(response) = fault.as_ref().and_then(|f| fault_response(&shared, f)) {
        return logged(&shared, &request, response, false);
    }
    if let Some(RetailCrmFault::Common(Fault::Slow { millis })) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let response = match gate(&shared, &request, &op) {
        Err(refused) => refused,
        Ok(()) => json_response(execute(&shared, &request, &op)),
    };
    match fault {
        Some(RetailCrmFault::LostAnswer { after }) => lose(&shared, &request, response, after).await,
        _ => logged(&shared, &request, response, false),
    }
}

/// The queued fault due for `path`, if any.
fn take_fault(shared: &Shared, path: &str) -> Option<RetailCrmFault> {
    let mut s = shared.lock();
    let at = s
        .faults
        .iter()
        .position(|f| f.path.as_deref().is_none_or(|p| p == path))?;
    s.faults.remove(at).map(|f| f.fault)
}

/// What a fault answers instead of the account, if it answers at all (a slow or lost one does
/// not).
fn fault_response(shared: &Shared, fault: &RetailCrmFault) -> Option<Response> {
    let RetailCrmFault::Common(fault) = fault else {
        return None;
    };
    Some(match fault {
        Fault::RateLimited { .. } => {
            shared.lock().stats.rate_limited += 1;
            rate_limited()
        }
        Fault::ServerError(code) => server_error(*code),
        Fault::TruncatedJson => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"success\":true,\"id\":7146,\"order\":{\"slug\":7146,\"num",
        )
            .into_response(),
        Fault::NotJson => (
            StatusCode::OK,
            [("content-type", "text/html; charset=UTF-8")],
            "<!DOCTYPE html><html><head><title>RetailCRM</title></head>\
             <body><h1>Ведутся технические работы</h1></body></html>",
        )
            .into_response(),
        _ => return None,
    })
}

/// Past the limit: the edge's page, and no `Retry-After`.
fn rate_limited() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("content-type", "text/html")],
        RATE_LIMITED_PAGE,
    )
        .into_response()
}

/// 502–504 come from the edge's nginx as HTML; other statuses from the application as JSON.
fn server_error(code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let reason = status.canonical_reason().unwrap_or("Error");
    match status.as_u16() {
        502..=504 => {
            let page = format!(
                "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n\
                 <center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n\
                 </body>\r\n</html>\r\n",
                code = status.as_u16()
            );
            (status, [("content-type", "text/html")], page).into_response()
        }
        _ => json_response(refusal(status, reason, None)),
    }
}

/// The checks before the method: the limit (the edge's, so first), the key, the HTTP method,
/// the site.
fn gate(shared: &Shared, request: &ApiRequest, op: &Op) -> Result<(), Response> {
    admit(shared, request.key.as_deref().unwrap_or_default())?;
    let key_refusal = match request.key.as_deref() {
        None | Some("") => Some(MISSING_KEY),
        Some(k) if k != shared.config.api_key => Some(WRONG_KEY),
        Some(_) => None,
    };
    if let Some(message) = key_refusal {
        return Err(json_response(refusal(StatusCode::FORBIDDEN, message, None)));
    }
    if request.method != op.method() {
        return Err(json_response(refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method Not Allowed",
            None,
        )));
    }
    match request.param("site") {
        Some(site) if site != shared.config.site => {
            Err(json_response(refusal(StatusCode::FORBIDDEN, ACCESS_DENIED, None)))
        }
        _ => Ok(()),
    }
}

/// Takes the request's token from its key's bucket, or refuses it as the edge does.
fn admit(shared: &Shared, key: &str) -> Result<(), Response> {
    let mut s = shared.lock();
    let Some(limit) = s.rate_limit else {
        return Ok(());
    };
    let now = s.clock.now();
    if s.buckets.take(key, limit.per_second, limit.burst, now).is_ok() {
        return Ok(());
    }
    s.stats.rate_limited += 1;
    Err(rate_limited())
}

fn execute(shared: &Shared, request: &ApiRequest, op: &Op) -> (StatusCode, Value) {
    let outcome = match op {
        Op::Create => create_order(shared, request),
        Op::Edit(id) => edit_order(shared, request, id),
        Op::Get(id) => get_order(shared, request, id),
        Op::Statuses => Ok(order_statuses(shared, request)),
        Op::ProductsCreate => create_products(shared, request),
        Op::Products => Ok(list_products(shared, request)),
        Op::Credentials => Ok((
            StatusCode::OK,
            json!({"success": true,
                "credentials": ["/api/orders", "/api/orders/create", "/api/orders/edit", "/api/store/products"],
                "siteAccess": "access_selective", "sitesAvailable": [shared.config.site]}),
        )),
    };
    outcome.unwrap_or_else(|refused| refused)
}

type Answer = Result<(StatusCode, Value), (StatusCode, Value)>;

fn create_order(shared: &Shared, request: &ApiRequest) -> Answer {
    let input = request.json_object("order")?;
    let site = shared.config.site.as_str();
    let mut s = shared.lock();
    let s = &mut *s;
    // A retried create is refused whatever else it holds: the order is already there.
    if let Some(ext) = input.get("externalId").and_then(orders::external_id) {
        if s.order_index(By::ExternalId, &ext, site).is_some() {
            return Err(refusal(StatusCode::BAD_REQUEST, ALREADY_EXISTS, None));
        }
    }
    let order = orders::created(input, &mut s.ids, site, &s.products, Utc::now());
    refuse_invalid(&s.rules, &order)?;
    s.orders.push(order.clone());
    s.stats.creates += 1;
    Ok((
        StatusCode::CREATED,
        json!({"success": true, "id": order["id"], "order": order}),
    ))
}

fn edit_order(shared: &Shared, request: &ApiRequest, id: &str) -> Answer {
    let by = request.by()?;
    let changes = request.json_object("order")?;
    let mut s = shared.lock();
    let s = &mut *s;
    let Some(at) = s.order_index(by, id, &shared.config.site) else {
        return Err(refusal(StatusCode::NOT_FOUND, NOT_FOUND, None));
    };
    let order = orders::edited(&s.orders[at], changes, &mut s.ids, &s.products, Utc::now());
    refuse_invalid(&s.rules, &order)?;
    s.orders[at] = order.clone();
    s.stats.edits += 1;
    Ok((
        StatusCode::OK,
        json!({"success": true, "id": order["id"], "order": order}),
    ))
}

/// RetailCRM's refusal of an order it will not store, if it will not.
fn refuse_invalid(rules: &ValidationRules, order: &Value) -> Result<(), (StatusCode, Value)> {
    let problems = validation::problems(rules, order);
    if problems.is_empty() {
        return Ok(());
    }
    let errors = validation::errors_value(rules.errors_shape, &problems);
    Err(refusal(StatusCode::BAD_REQUEST, NOT_LOADED, Some(errors)))
}

fn get_order(shared: &Shared, request: &ApiRequest, id: &str) -> Answer {
    let by = request.by()?;
    let mut s = shared.lock();
    s.stats.reads += 1;
    match s.order_index(by, id, &shared.config.site) {
        Some(at) => Ok((StatusCode::OK, json!({"success": true, "order": s.orders[at]}))),
        None => Err(refusal(StatusCode::NOT_FOUND, NOT_FOUND, None)),
    }
}

fn order_statuses(shared: &Shared, request: &ApiRequest) -> (StatusCode, Value) {
    let ids = request.ids("ids");
    let external_ids = request.list("externalIds");
    let mut s = shared.lock();
    s.stats.reads += 1;
    let found: Vec<Value> = s
        .orders
        .iter()
        .filter(|o| {
            o["id"].as_i64().is_some_and(|id| ids.contains(&id))
                || orders::external_id(&o["externalId"]).is_some_and(|e| external_ids.contains(&e.as_str()))
        })
        .map(|o| orders::status_line(o, s.rules.group(o["status"].as_str().unwrap_or_default())))
        .collect();
    (StatusCode::OK, json!({"success": true, "orders": found}))
}

fn create_products(shared: &Shared, request: &ApiRequest) -> Answer {
    let Some(text) = find(&request.form, "products") else {
        return Err(refusal(
            StatusCode::BAD_REQUEST,
            "Parameter 'products' is missing",
            None,
        ));
    };
    let Ok(Value::Array(list)) = serde_json::from_str::<Value>(text) else {
        return Err(refusal(
            StatusCode::BAD_REQUEST,
            "Errors in the input parameters",
            Some(json!({"products": "This value is not valid."})),
        ));
    };
    let mut s = shared.lock();
    let s = &mut *s;
    let mut added = vec![];
    for product in list {
        let Value::Object(product) = product else { continue };
        let product = orders::catalog_product(product, &mut s.ids, Utc::now());
        added.push(product["id"].clone());
        s.products.push(product);
    }
    Ok((
        StatusCode::OK,
        json!({"success": true, "processedProductsCount": added.len(), "addedProducts": added}),
    ))
}

/// `store/products`, filtered by `filter[externalId]`, `filter[offerExternalId]` and
/// `filter[ids][]`, paged by `limit` (20, 50 or 100; 20 by default) and `page`.
fn list_products(shared: &Shared, request: &ApiRequest) -> (StatusCode, Value) {
    let external_id = request.param("filter[externalId]");
    let offer_external_id = request.param("filter[offerExternalId]");
    let ids = request.ids("filter[ids]");
    let limit = request
        .param("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| matches!(l, 20 | 50 | 100))
        .unwrap_or(20usize);
    let page = request
        .param("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1usize);
    let mut s = shared.lock();
    s.stats.reads += 1;
    let matching: Vec<&Value> = s
        .products
        .iter()
        .filter(|p| external_id.is_none_or(|e| orders::external_id(&p["externalId"]).as_deref() == Some(e)))
        .filter(|p| offer_external_id.is_none_or(|e| has_offer(p, e)))
        .filter(|p| ids.is_empty() || p["id"].as_i64().is_some_and(|id| ids.contains(&id)))
        .collect();
    let total = matching.len();
    let listed: Vec<&Value> = matching
        .into_iter()
        .skip((page - 1) * limit)
        .take(limit)
        .collect();
    let pagination = json!({"limit": limit, "totalCount": total, "currentPage": page,
                            "totalPageCount": total.div_ceil(limit)});
    (
        StatusCode::OK,
        json!({"success": true, "pagination": pagination, "products": listed}),
    )
}

fn has_offer(product: &Value, external_id: &str) -> bool {
    product["offers"].as_array().is_some_and(|offers| {
        offers
            .iter()
            .any(|o| orders::external_id(&o["externalId"]).as_deref() == Some(external_id))
    })
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
    let call = RetailCrmCall {
        method: request.method.to_string(),
        path: request.path.clone(),
        query: masked(&request.query, &shared.config.api_key),
        form: masked(&request.form, &shared.config.api_key),
        http_status: response.status().as_u16(),
        lost,
    };
    shared.lock().calls.push(call);
    response
}

/// Parameters with `apiKey`, and any value holding the account's key, hidden.
fn masked(params: &[(String, String)], key: &str) -> Vec<(String, String)> {
    params
        .iter()
        .map(|(k, v)| {
            let secret = k == "apiKey" || (!key.is_empty() && v.contains(key));
            (k.clone(), if secret { MASK.to_string() } else { v.clone() })
        })
        .collect()
}
