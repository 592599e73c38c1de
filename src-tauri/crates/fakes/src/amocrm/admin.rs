//! The admin routes (not amoCRM's), for end-to-end tests and demos: what the account holds, what
//! it was asked, and how it misbehaves next.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::{
    set_rate_limit, AmoCrmCall, AmoCrmFault, AmoCrmStats, QueuedFault, RateLimit, Shared, CALLS_PATH,
};
use crate::faults::Fault;

type S = State<Arc<Shared>>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/__fake/leads", get(admin_leads))
        .route("/__fake/leads/{id}/status", post(admin_status))
        .route("/__fake/contacts", get(admin_contacts))
        .route("/__fake/elements", get(admin_elements))
        .route(CALLS_PATH, get(admin_calls))
        .route("/__fake/stats", get(admin_stats))
        .route("/__fake/faults", post(admin_faults))
        .route("/__fake/rate_limit", post(admin_rate_limit))
        .route("/__fake/clock", post(admin_clock))
}

async fn admin_leads(State(shared): S) -> Json<Vec<Value>> {
    let s = shared.lock();
    Json(s.store.leads().map(|l| s.store.present_lead(l, true)).collect())
}

async fn admin_contacts(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().store.contacts().to_vec())
}

async fn admin_elements(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().store.elements().to_vec())
}

#[derive(Deserialize)]
struct StatusMove {
    status_id: i64,
}

async fn admin_status(State(shared): S, Path(id): Path<i64>, Json(to): Json<StatusMove>) -> StatusCode {
    if shared.lock().store.set_status(id, to.status_id) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<AmoCrmCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_stats(State(shared): S) -> Json<AmoCrmStats> {
    Json(shared.lock().stats)
}

/// `{"type": "server_error", "status": 502}`, `{"type": "slow", "millis": 500}`,
/// `{"type": "lost_answer", "after_millis": 3000}` (none: the connection closes),
/// `{"type": "rate_limited", "retry_after_secs": 2}`, `{"type": "not_json"}`,
/// `{"type": "truncated_json"}`; each with an optional `path` and `method`; one or a list.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum FaultSpec {
    ServerError { status: u16 },
    Slow { millis: u64 },
    LostAnswer { after_millis: Option<u64> },
    RateLimited { retry_after_secs: Option<u64> },
    NotJson,
    TruncatedJson,
}

#[derive(Deserialize)]
struct FaultRequest {
    #[serde(flatten)]
    spec: FaultSpec,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    method: Option<String>,
}

impl From<FaultRequest> for QueuedFault {
    fn from(r: FaultRequest) -> Self {
        let fault = match r.spec {
            FaultSpec::ServerError { status } => Fault::ServerError(status).into(),
            FaultSpec::Slow { millis } => Fault::Slow { millis }.into(),
            FaultSpec::RateLimited { retry_after_secs } => Fault::RateLimited { retry_after_secs }.into(),
            FaultSpec::NotJson => Fault::NotJson.into(),
            FaultSpec::TruncatedJson => Fault::TruncatedJson.into(),
            FaultSpec::LostAnswer { after_millis } => AmoCrmFault::LostAnswer {
                after: after_millis.map(Duration::from_millis),
            },
        };
        QueuedFault {
            fault,
            path: r.path,
            method: r.method.map(|m| m.to_ascii_uppercase()),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FaultRequests {
    One(FaultRequest),
    Many(Vec<FaultRequest>),
}

async fn admin_faults(State(shared): S, Json(requests): Json<FaultRequests>) -> StatusCode {
    let requests = match requests {
        FaultRequests::One(r) => vec![r],
        FaultRequests::Many(rs) => rs,
    };
    shared
        .lock()
        .faults
        .extend(requests.into_iter().map(QueuedFault::from));
    StatusCode::NO_CONTENT
}

async fn admin_rate_limit(State(shared): S, Json(limit): Json<Option<RateLimit>>) -> StatusCode {
    set_rate_limit(&shared, limit);
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
