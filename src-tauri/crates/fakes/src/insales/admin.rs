//! The admin routes (not InSales'), for end-to-end tests and demos: what the shop holds, what it
//! was asked, and how it misbehaves next.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::{
    set_usage_limit, InSalesCall, InSalesStats, QueuedFault, Shared, UsageLimit, CALLS_PATH,
    CLOCK_ADMIN_PATH, FAULTS_ADMIN_PATH, ORDERS_ADMIN_PATH, PRODUCTS_ADMIN_PATH, STATS_PATH,
    USAGE_LIMIT_ADMIN_PATH,
};
use crate::admin::{clock_moved, ClockMove, FaultRequest, FaultRequests};

type S = State<Arc<Shared>>;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(ORDERS_ADMIN_PATH, get(admin_orders))
        .route("/__fake/orders/{id}/status", post(admin_status))
        .route(PRODUCTS_ADMIN_PATH, get(admin_products).post(admin_add_product))
        .route(CALLS_PATH, get(admin_calls))
        .route(FAULTS_ADMIN_PATH, post(admin_faults))
        .route(STATS_PATH, get(admin_stats))
        .route(USAGE_LIMIT_ADMIN_PATH, post(admin_usage_limit))
        .route(CLOCK_ADMIN_PATH, post(admin_clock))
}

async fn admin_orders(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().store.orders.clone())
}

async fn admin_products(State(shared): S) -> Json<Vec<Value>> {
    Json(shared.lock().store.products.clone())
}

/// `{"title", "variants": [{"sku", "quantity", "price"}]}`: the product with its ids.
async fn admin_add_product(State(shared): S, Json(product): Json<Value>) -> Json<Value> {
    Json(shared.lock().store.add_product(product))
}

#[derive(Deserialize)]
struct StatusMove {
    fulfillment_status: Option<String>,
    financial_status: Option<String>,
}

async fn admin_status(State(shared): S, Path(id): Path<i64>, Json(to): Json<StatusMove>) -> StatusCode {
    let moved = shared.lock().store.set_status(
        id,
        to.fulfillment_status.as_deref(),
        to.financial_status.as_deref(),
    );
    if moved {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn admin_calls(State(shared): S) -> Json<Vec<InSalesCall>> {
    Json(shared.lock().calls.clone())
}

async fn admin_stats(State(shared): S) -> Json<InSalesStats> {
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

async fn admin_usage_limit(State(shared): S, Json(limit): Json<Option<UsageLimit>>) -> StatusCode {
    set_usage_limit(&shared, limit);
    StatusCode::NO_CONTENT
}

async fn admin_clock(State(shared): S, Json(by): Json<ClockMove>) -> Response {
    clock_moved(shared.lock().clock.advance(by.by()))
}
