//! The admin routes (not MoySklad's), for end-to-end tests and demos: what the account holds,
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
    set_rate_limit, Kind, MoySkladCall, MoySkladStats, QueuedFault, RateLimit, Shared, CALLS_PATH,
    CLOCK_ADMIN_PATH, COUNTERPARTIES_ADMIN_PATH, FAULTS_ADMIN_PATH, ORDERS_ADMIN_PATH, PRODUCTS_ADMIN_PATH,
    RATE_LIMIT_ADMIN_PATH, SERVICES_ADMIN_PATH, STATS_PATH,
};
use crate::admin::{clock_moved, ClockMove, FaultRequest, FaultRequests};

type S = State<Arc<Shared>>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(ORDERS_ADMIN_PATH, get(admin_orders))
        .route("/__fake/orders/{id}/state", post(admin_state))
        .route(COUNTERPARTIES_ADMIN_PATH, get(admin_counterparties))
        .route(PRODUCTS_ADMIN_PATH, get(admin_products))
        .route(SERVICES_ADMIN_PATH, get(admin_services))
        .route(CALLS_PATH, get(admin_calls))
        .route(FAULTS_ADMIN_PATH, post(admin_faults))
        .route(STATS_PATH, get(admin_stats))
        .route(RATE_LIMIT_ADMIN_PATH, post(admin_rate_limit))
        .route(CLOCK_ADMIN_PATH, post(admin_clock))
}

fn listed(shared: &Shared, kind: Kind) -> Json<Vec<Value>> {
    Json(shared.lock().store.all(kind, shared.base()))
}

async fn admin_orders(State(shared): S) -> Json<Vec<Value>> {
    listed(&shared, Kind::CustomerOrder)
}

async fn admin_counterparties(State(shared): S) -> Json<Vec<Value>> {
    listed(&shared, Kind::Counterparty)
}

async fn admin_products(State(shared): S) -> Json<Vec<Value>> {
    listed(&shared, Kind::Product)
}

async fn admin_services(State(shared): S) -> Json<Vec<Value>> {
    listed(&shared, Kind::Service)
}

#[derive(Deserialize)]
struct StateMove {
    /// The state's name (a new name adds the state to the account's list).
    state: String,
}

async fn admin_state(State(shared): S, Path(id): Path<String>, Json(to): Json<StateMove>) -> StatusCode {
    if shared.lock().store.set_state(&id, &to.state) {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<MoySkladCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_stats(State(shared): S) -> Json<MoySkladStats> {
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
