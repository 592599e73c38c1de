//! The admin routes (not Shiptor's), for end-to-end tests and demos: the packages, the carrier
//! moving one on, what was asked, and how the fake misbehaves next.

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
    set_rate_limit, set_status, QueuedFault, RateLimit, Shared, ShiptorCall, ShiptorFault, ShiptorStats,
    CALLS_PATH, CLOCK_ADMIN_PATH, FAULTS_ADMIN_PATH, PACKAGES_ADMIN_PATH, RATE_LIMIT_ADMIN_PATH, STATS_PATH,
};
use crate::faults::Fault;

type S = State<Arc<Shared>>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(PACKAGES_ADMIN_PATH, get(admin_packages))
        .route("/__fake/packages/{id}/status", post(admin_status))
        .route(CALLS_PATH, get(admin_calls))
        .route(FAULTS_ADMIN_PATH, post(admin_faults))
        .route(STATS_PATH, get(admin_stats))
        .route(RATE_LIMIT_ADMIN_PATH, post(admin_rate_limit))
        .route(CLOCK_ADMIN_PATH, post(admin_clock))
}

async fn admin_packages(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().packages.clone())
}

#[derive(Deserialize)]
struct StatusMove {
    status: String,
}

/// 404 for no such package, 422 for a status Shiptor does not have.
async fn admin_status(State(shared): S, Path(id): Path<i64>, Json(to): Json<StatusMove>) -> StatusCode {
    if !super::packages::known_status(&to.status) {
        StatusCode::UNPROCESSABLE_ENTITY
    } else if set_status(&shared, id, &to.status) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<ShiptorCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_stats(State(shared): S) -> Json<ShiptorStats> {
    Json(shared.lock().stats)
}

/// A fault as the admin route takes it: `{"type": "server_error", "status": 503}`,
/// `{"type": "slow", "millis": 500}`, `{"type": "lost_answer", "after_millis": 3000}` (none: the
/// connection closes), `{"type": "rate_limited", "retry_after_secs": 2}` (optional),
/// `{"type": "not_json"}`, `{"type": "truncated_json"}`; each with an optional JSON-RPC `method`.
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
            FaultSpec::LostAnswer { after_millis } => ShiptorFault::LostAnswer {
                after: after_millis.map(Duration::from_millis),
            },
        };
        QueuedFault {
            fault,
            method: r.method,
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
