//! Fake amoCRM account: the API v4 routes an order transfer uses, as amoCRM documents them
//! (amocrm.ru/developers/content/crm_platform/…: leads-api, contacts-api, catalogs-api,
//! entity-links-api, leads_pipelines, error-codes).
//!
//! - The token in `Authorization: Bearer …` (an OAuth access token or a long-lived one); missing
//!   or wrong is 401 `application/problem+json` `{"title": "Unauthorized", "type", "status",
//!   "detail": "Неверный логин или пароль"}`.
//! - `GET /api/v4/account`; `GET /api/v4/leads?query=…` (any filled field containing the text),
//!   `GET /api/v4/leads/{id}` (`with=catalog_elements,contacts`), `PATCH /api/v4/leads` (a list
//!   with ids) and `PATCH /api/v4/leads/{id}`; `POST /api/v4/leads/complex` (at most 50 deals,
//!   each with at most one contact, new or `{"id"}`): `[{id, contact_id, company_id, request_id,
//!   merged}]`. amoCRM keeps no external id and does not deduplicate what it is sent.
//! - `GET /api/v4/contacts?query=…`, `POST /api/v4/contacts`; e-mail and phone are
//!   `custom_fields_values` with `field_code` EMAIL / PHONE. The search is a plain substring
//!   search: `+7 916…` and `8916…` do not find each other.
//! - `GET /api/v4/catalogs` (one `products` catalog), `GET/POST
//!   /api/v4/catalogs/{id}/elements` (`query`; SKU and PRICE fields by `field_code`).
//! - `GET /api/v4/leads/{id}/links`, `POST …/link` (catalog elements with `metadata.quantity`
//!   and `catalog_id`; linking a linked element again sets its quantity), `POST …/unlink` (204).
//! - `GET /api/v4/leads/pipelines/{id}/statuses/{id}`.
//! - Searches (deals, contacts, catalog elements) come in pages: `limit` (50 unless asked, at
//!   most 250) of `page` (from 1), with `_links.next` while more follow.
//! - A search that finds nothing, and a deal that does not exist, answer 204 with no body.
//! - Refusals are 400 problem+json with `validation-errors` [{`request_id`, `errors` [{`code`,
//!   `path`, `detail`}]}] (see `amocrm/validation.rs`).
//! - Limit: 7 requests a second per token (a bucket); past it 429 with an HTML page (amoCRM's
//!   429 is often not JSON) and no `Retry-After`.
//!
//! Admin (not amoCRM's): `GET /__fake/leads`, `/__fake/contacts`, `/__fake/elements`,
//! `/__fake/calls` (never the token), `/__fake/stats`; `POST /__fake/leads/{id}/status`
//! `{"status_id": N}`, `POST /__fake/faults`, `POST /__fake/rate_limit` (a `RateLimit` or null),
//! `POST /__fake/clock` `{"advance_millis": N}` (the manual clock only).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Fault;
pub use crate::limit::RateLimit;
use crate::server::Served;

mod admin;
mod store;
mod validation;

pub const LEADS_PATH: &str = "/api/v4/leads";
pub const COMPLEX_PATH: &str = "/api/v4/leads/complex";
pub const CONTACTS_PATH: &str = "/api/v4/contacts";
pub const CATALOGS_PATH: &str = "/api/v4/catalogs";
pub const ACCOUNT_PATH: &str = "/api/v4/account";
pub const CALLS_PATH: &str = "/__fake/calls";
/// The account's products catalog.
pub const PRODUCTS_CATALOG_ID: i64 = 4521;
/// The account's one pipeline and the status a new deal gets.
pub const PIPELINE_ID: i64 = 3_383_152;
pub const FIRST_STATUS_ID: i64 = 33_929_752;
/// amoCRM's fixed ids of the closing statuses.
pub const WON_STATUS_ID: i64 = 142;
pub const LOST_STATUS_ID: i64 = 143;
pub const AUTH_FAILED: &str = "Неверный логин или пароль";
/// In the calls log instead of the token.
const MASK: &str = "***";

impl RateLimit {
    /// amoCRM's documented limit: 7 requests a second per integration.
    pub const AMOCRM: Self = Self {
        per_second: 7.0,
        burst: 7.0,
    };
}

#[derive(Debug, Clone)]
pub struct FakeAmoCrmConfig {
    pub token: String,
    /// 0 = any free port.
    pub port: u16,
    /// None: no limit.
    pub rate_limit: Option<RateLimit>,
    /// The limiter's clock stands still until advanced ([`FakeAmoCrmHandle::advance_clock`]).
    pub manual_clock: bool,
    pub subdomain: String,
}

impl FakeAmoCrmConfig {
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            port: 0,
            rate_limit: Some(RateLimit::AMOCRM),
            manual_clock: false,
            subdomain: "shop".into(),
        }
    }
}

/// One API request as the fake saw it; the token is never kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AmoCrmCall {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// The status answered, or that would have been for a lost answer.
    pub http_status: u16,
    /// The request was carried out but its answer never reached the client.
    pub lost: bool,
}

/// What the account has done, past the limit and token checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmoCrmStats {
    pub leads_created: u64,
    pub leads_updated: u64,
    pub contacts_created: u64,
    pub elements_created: u64,
    pub searches: u64,
    /// Answered 429.
    pub rate_limited: u64,
}

/// One way to misbehave, for the next request (or the next to one path and method).
pub type AmoCrmFault = crate::faults::TargetFault;

#[derive(Debug, Clone)]
struct QueuedFault {
    fault: AmoCrmFault,
    path: Option<String>,
    method: Option<String>,
}

struct Shared {
    config: FakeAmoCrmConfig,
    state: Mutex<AmoState>,
}

struct AmoState {
    store: store::Store,
    calls: Vec<AmoCrmCall>,
    faults: VecDeque<QueuedFault>,
    rate_limit: Option<RateLimit>,
    buckets: crate::limit::Buckets,
    clock: crate::limit::Clock,
    stats: AmoCrmStats,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, AmoState> {
        self.state.lock().expect("amoCRM state poisoned")
    }
}

pub struct FakeAmoCrm;

impl FakeAmoCrm {
    pub async fn start(config: FakeAmoCrmConfig) -> std::io::Result<FakeAmoCrmHandle> {
        let port = config.port;
        let state = AmoState {
            store: store::Store::default(),
            calls: vec![],
            faults: VecDeque::new(),
            rate_limit: config.rate_limit,
            buckets: crate::limit::Buckets::default(),
            clock: crate::limit::Clock::new(config.manual_clock),
            stats: AmoCrmStats::default(),
        };
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(state),
        });
        // One route for the API: the handler reads the path, so that a wrong method or path is
        // still a call to see in the log.
        let app = Router::new()
            .merge(admin::routes())
            .route("/api/v4/{*rest}", any(api))
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake amoCRM").await?;
        Ok(FakeAmoCrmHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeAmoCrmHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeAmoCrmHandle {
    /// Where a client's `url` setting points (`https://{subdomain}.amocrm.ru` for the real one).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Every deal, oldest first, with its catalog elements and contacts embedded.
    pub fn leads(&self) -> Vec<Value> {
        let s = self.shared.lock();
        s.store.leads().map(|l| s.store.present_lead(l, true)).collect()
    }

    pub fn lead(&self, id: i64) -> Option<Value> {
        self.leads().into_iter().find(|l| l["id"] == id)
    }

    pub fn contacts(&self) -> Vec<Value> {
        self.shared.lock().store.contacts().to_vec()
    }

    /// The products catalog's elements.
    pub fn elements(&self) -> Vec<Value> {
        self.shared.lock().store.elements().to_vec()
    }

    /// Adds a contact as if made in amoCRM (name, e-mail, phone); answers its id.
    pub fn add_contact(&self, name: &str, email: &str, phone: &str) -> i64 {
        self.shared.lock().store.add_contact(name, email, phone)
    }

    /// Adds a deal as if made in amoCRM (a name only); answers its id.
    pub fn add_lead(&self, name: &str) -> i64 {
        self.shared.lock().store.add_lead(name)
    }

    /// Adds a product to the catalog as if made in amoCRM; answers its id.
    pub fn add_product(&self, name: &str, sku: &str, price: i64) -> i64 {
        self.shared.lock().store.add_element(name, sku, price)
    }

    /// Moves a deal to a status of the pipeline, as a manager would; false: no such deal or
    /// status.
    pub fn set_status(&self, lead_id: i64, status_id: i64) -> bool {
        self.shared.lock().store.set_status(lead_id, status_id)
    }

    pub fn calls(&self) -> Vec<AmoCrmCall> {
        self.shared.lock().calls.clone()
    }

    pub fn stats(&self) -> AmoCrmStats {
        self.shared.lock().stats
    }

    /// The next API request misbehaves this way.
    pub fn push_fault(&self, fault: impl Into<AmoCrmFault>) {
        self.queue(fault.into(), None, None);
    }

    /// The next `method` request to `path` (e.g. `POST` [`COMPLEX_PATH`]) misbehaves this way.
    pub fn push_fault_for(&self, method: &str, path: &str, fault: impl Into<AmoCrmFault>) {
        self.queue(
            fault.into(),
            Some(path.to_string()),
            Some(method.to_ascii_uppercase()),
        );
    }

    fn queue(&self, fault: AmoCrmFault, path: Option<String>, method: Option<String>) {
        self.shared
            .lock()
            .faults
            .push_back(QueuedFault { fault, path, method });
    }

    /// The limit from now on (None: none), every bucket full.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        set_rate_limit(&self.shared, limit);
    }

    /// Moves the manual clock on; false on the real clock.
    pub fn advance_clock(&self, by: Duration) -> bool {
        self.shared.lock().clock.advance(by)
    }
}

fn set_rate_limit(shared: &Shared, limit: Option<RateLimit>) {
    let mut s = shared.lock();
    s.rate_limit = limit;
    s.buckets.clear();
}

/// A request as the handlers and the log need it.
struct ApiRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Bytes,
    token: Option<String>,
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
            path: uri.path().trim_end_matches('/').to_string(),
            query: query_pairs(&uri),
            body,
            token: bearer(&headers),
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

/// One API request from end to end: a queued fault, the limit, the token, then the method;
/// logged in every case.
async fn api(State(shared): State<Arc<Shared>>, request: ApiRequest) -> Response {
    let fault = take_fault(&shared, &request);
    if let Some(response) = fault.as_ref().and_then(|f| fault_response(&shared, f)) {
        return logged(&shared, &request, response, false);
    }
    if let Err(refused) = admit(&shared, request.token.as_deref().unwrap_or_default()) {
        return logged(&shared, &request, refused, false);
    }
    if let Some(AmoCrmFault::Common(Fault::Slow { millis })) = &fault {
        tokio::time::sleep(Duration::from_millis(*millis)).await;
    }
    let response = if request.token.as_deref() != Some(shared.config.token.as_str()) {
        problem(StatusCode::UNAUTHORIZED, AUTH_FAILED, None)
    } else {
        let answer = {
            let mut s = shared.lock();
            let s = &mut *s;
            store::route(&mut s.store, &mut s.stats, &shared.config.subdomain, &request)
        };
        answer.into_response()
    };
    match fault {
        Some(AmoCrmFault::LostAnswer { after }) => {
            let response = logged(&shared, &request, response, true);
            match after {
                Some(delay) => {
                    tokio::time::sleep(delay).await;
                    response
                }
                None => crate::server::dropped_answer(),
            }
        }
        _ => logged(&shared, &request, response, false),
    }
}

fn take_fault(shared: &Shared, request: &ApiRequest) -> Option<AmoCrmFault> {
    let mut s = shared.lock();
    let at = s.faults.iter().position(|f| {
        f.path.as_deref().is_none_or(|p| p == request.path)
            && f.method.as_deref().is_none_or(|m| m == request.method.as_str())
    })?;
    s.faults.remove(at).map(|f| f.fault)
}

fn fault_response(shared: &Shared, fault: &AmoCrmFault) -> Option<Response> {
    let AmoCrmFault::Common(fault) = fault else {
        return None;
    };
    Some(match fault {
        Fault::RateLimited { retry_after_secs } => {
            shared.lock().stats.rate_limited += 1;
            too_many(*retry_after_secs)
        }
        Fault::ServerError(code) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            html(
                status,
                &format!("<html><body><h1>{status}</h1><hr>nginx</body></html>"),
            )
        }
        Fault::TruncatedJson => (
            StatusCode::OK,
            [("content-type", "application/hal+json")],
            "{\"_page\":1,\"_embedded\":{\"leads\":[{\"id\":1",
        )
            .into_response(),
        Fault::NotJson => html(
            StatusCode::OK,
            "<!DOCTYPE html><html><body>amoCRM: технические работы</body></html>",
        ),
        _ => return None,
    })
}

fn html(status: StatusCode, page: &str) -> Response {
    (
        status,
        [("content-type", "text/html; charset=utf-8")],
        page.to_string(),
    )
        .into_response()
}

/// amoCRM's 429: an HTML page, not JSON, with a `Retry-After` only when one is given.
fn too_many(retry_after_secs: Option<u64>) -> Response {
    let mut response = html(
        StatusCode::TOO_MANY_REQUESTS,
        "<html><head><title>429 Too Many Requests</title></head><body><center>\
         <h1>429 Too Many Requests</h1></center><hr><center>nginx</center></body></html>",
    );
    if let Some(secs) = retry_after_secs {
        response
            .headers_mut()
            .insert("retry-after", secs.to_string().parse().expect("digits"));
    }
    response
}

/// Takes the request's token from its bucket, or refuses it with 429.
fn admit(shared: &Shared, key: &str) -> Result<(), Response> {
    let mut s = shared.lock();
    let Some(limit) = s.rate_limit else {
        return Ok(());
    };
    let now = s.clock.now();
    match s.buckets.take(key, limit.per_second, limit.burst, now) {
        Ok(()) => Ok(()),
        Err(_) => {
            s.stats.rate_limited += 1;
            Err(too_many(None))
        }
    }
}

/// An answer: its status and body (None: no body, as a 204).
pub(crate) struct Answer(StatusCode, Option<Value>);

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self.1 {
            None => self.0.into_response(),
            Some(body) => {
                let kind = if self.0.is_success() {
                    "application/hal+json"
                } else {
                    "application/problem+json"
                };
                (self.0, [("content-type", kind)], body.to_string()).into_response()
            }
        }
    }
}

/// amoCRM's error body (RFC 7807), with `validation-errors` when given.
fn problem(status: StatusCode, detail: &str, validation: Option<Value>) -> Response {
    problem_answer(status, detail, validation).into_response()
}

pub(crate) fn problem_answer(status: StatusCode, detail: &str, validation: Option<Value>) -> Answer {
    let mut body = json!({
        "title": status.canonical_reason().unwrap_or("Error"),
        "type": format!("https://httpstatus.es/{}", status.as_u16()),
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(v) = validation {
        body["validation-errors"] = v;
    }
    Answer(status, Some(body))
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
    let call = AmoCrmCall {
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
