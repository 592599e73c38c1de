//! The admin routes (not Shiptor's), for end-to-end tests and demos: the packages, the carrier
//! moving one on, what was asked, and how the fake misbehaves next.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::{
    set_rate_limit, set_status, QueuedFault, RateLimit, Shared, ShiptorCall, ShiptorStats, CALLS_PATH,
    CLOCK_ADMIN_PATH, FAULTS_ADMIN_PATH, PACKAGES_ADMIN_PATH, RATE_LIMIT_ADMIN_PATH, STATS_PATH,
};
use crate::admin::{clock_moved, ClockMove, FaultRequest, FaultRequests};

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

impl From<FaultRequest> for QueuedFault {
    fn from(r: FaultRequest) -> Self {
        QueuedFault {
            fault: r.spec.into_fault(),
            method: r.method,
        }
    }
}

async fn admin_faults(State(shared): S, Json(requests): Json<FaultRequests>) -> StatusCode {
    shared
        .lock()
        .faults
        .extend(requests.into_vec().into_iter().map(QueuedFault::from));
    StatusCode::NO_CONTENT
}

async fn admin_rate_limit(State(shared): S, Json(limit): Json<Option<RateLimit>>) -> StatusCode {
    set_rate_limit(&shared, limit);
    StatusCode::NO_CONTENT
}

async fn admin_clock(State(shared): S, Json(by): Json<ClockMove>) -> Response {
    clock_moved(shared.lock().clock.advance(by.by()))
}
