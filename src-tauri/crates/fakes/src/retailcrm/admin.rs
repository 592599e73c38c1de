//! The admin routes (not RetailCRM's), for end-to-end tests and demos: what the account holds,
//! what it was asked, and how it misbehaves next.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::{
    set_rate_limit, set_status, QueuedFault, RateLimit, RetailCrmCall, RetailCrmStats, Shared,
    ValidationRules, CALLS_PATH, CLOCK_ADMIN_PATH, FAULTS_ADMIN_PATH, ORDERS_ADMIN_PATH, PRODUCTS_ADMIN_PATH,
    RATE_LIMIT_ADMIN_PATH, STATS_PATH, VALIDATION_ADMIN_PATH,
};
use crate::admin::{clock_moved, ClockMove, FaultRequest, FaultRequests};

type S = State<Arc<Shared>>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(ORDERS_ADMIN_PATH, get(admin_orders))
        .route("/__fake/orders/{id}/status", post(admin_status))
        .route(PRODUCTS_ADMIN_PATH, get(admin_products))
        .route(CALLS_PATH, get(admin_calls))
        .route(FAULTS_ADMIN_PATH, post(admin_faults))
        .route(STATS_PATH, get(admin_stats))
        .route(VALIDATION_ADMIN_PATH, post(admin_validation))
        .route(RATE_LIMIT_ADMIN_PATH, post(admin_rate_limit))
        .route(CLOCK_ADMIN_PATH, post(admin_clock))
}

async fn admin_orders(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().orders.clone())
}

async fn admin_products(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().products.clone())
}

#[derive(Deserialize)]
struct StatusMove {
    status: String,
    /// The status's group, for a status the account did not have.
    #[serde(default)]
    group: Option<String>,
}

async fn admin_status(State(shared): S, Path(id): Path<String>, Json(to): Json<StatusMove>) -> StatusCode {
    if set_status(&shared, &id, &to.status, to.group) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<RetailCrmCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_stats(State(shared): S) -> Json<RetailCrmStats> {
    Json(shared.lock().stats)
}

impl From<FaultRequest> for QueuedFault {
    fn from(r: FaultRequest) -> Self {
        QueuedFault {
            fault: r.spec.into_fault(),
            path: r.path,
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

async fn admin_validation(State(shared): S, Json(rules): Json<ValidationRules>) -> StatusCode {
    shared.lock().rules = rules;
    StatusCode::NO_CONTENT
}

async fn admin_rate_limit(State(shared): S, Json(limit): Json<Option<RateLimit>>) -> StatusCode {
    set_rate_limit(&shared, limit);
    StatusCode::NO_CONTENT
}

async fn admin_clock(State(shared): S, Json(by): Json<ClockMove>) -> Response {
    clock_moved(shared.lock().clock.advance(by.by()))
}
