//! Sending orders to other systems (CRMs, delivery services): thin adapters over the engine.

use ordertray_core::cabinet::{
    OrderTransferView, TransferRefreshReport, TransferRequestReport, TransferTargetView,
};
use ordertray_core::AppError;
use ordertray_engine::Engine;
use tauri::State;

type Res<T> = Result<T, AppError>;

#[tauri::command]
pub async fn transfer_targets(engine: State<'_, Engine>) -> Res<Vec<TransferTargetView>> {
    engine.transfer_targets().await
}

/// Queues the orders to go to the target; unless `confirmed`, orders to look at first come back
/// in `to_confirm` and nothing is queued.
#[tauri::command]
pub async fn send_to_target(
    engine: State<'_, Engine>,
    account_id: i64,
    ids: Vec<i64>,
    confirmed: bool,
) -> Res<TransferRequestReport> {
    engine.send_to_target(account_id, &ids, confirmed).await
}

/// "Get": reads back what the targets made of the orders (every sent one when `ids` is empty).
#[tauri::command]
pub async fn refresh_transfers(
    engine: State<'_, Engine>,
    ids: Vec<i64>,
    account_id: Option<i64>,
) -> Res<TransferRefreshReport> {
    engine.refresh_transfers(&ids, account_id).await
}

#[tauri::command]
pub async fn unlink_transfer(engine: State<'_, Engine>, order_id: i64, account_id: i64) -> Res<bool> {
    engine.unlink_transfer(order_id, account_id).await
}

/// After the manager confirmed: the deleted orders' records go at the targets that delete.
#[tauri::command]
pub async fn delete_at_targets(engine: State<'_, Engine>, ids: Vec<i64>) -> Res<u32> {
    engine.delete_at_targets(&ids).await
}

/// Where the orders were sent and how it went (a bulk sending's progress and summary).
#[tauri::command]
pub async fn transfer_status(
    engine: State<'_, Engine>,
    ids: Vec<i64>,
    account_id: Option<i64>,
) -> Res<Vec<OrderTransferView>> {
    engine.transfer_status(&ids, account_id).await
}
