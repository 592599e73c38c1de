//! The admin routes (not amoCRM's), for end-to-end tests and demos: what the account holds, what
//! it was asked, and how it misbehaves next.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::{set_rate_limit, AmoCrmCall, AmoCrmStats, QueuedFault, RateLimit, Shared, CALLS_PATH};
use crate::admin::{clock_moved, ClockMove, FaultRequest, FaultRequests};

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

impl From<FaultRequest> for QueuedFault {
    fn from(r: FaultRequest) -> Self {
        QueuedFault {
            fault: r.spec.into_fault(),
            path: r.path,
            method: r.method.map(|m| m.to_ascii_uppercase()),
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
