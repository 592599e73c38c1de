//! The All-orders cabinet's commands: thin adapters over the engine, plus opening an exported file.

use std::path::PathBuf;

use ordertray_core::cabinet::{
    CabinetCharts, CabinetStats, DraftProblem, EditPreview, OrderFilter, OrderPage, OrderPageQuery,
    OrderType, ShopOrderDraft, ShopOrderFull,
};
use ordertray_core::delivery::DeliveryQuote;
use ordertray_core::export::{ExportOptions, ExportSummary};
use ordertray_core::preorder::PreorderLinkView;
use ordertray_core::statuses::StatusChangeReport;
use ordertray_core::{AppError, ErrorCode, ErrorWords, ValueFormat};
use ordertray_engine::Engine;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

type Res<T> = Result<T, AppError>;

#[tauri::command]
pub async fn cabinet_page(engine: State<'_, Engine>, query: OrderPageQuery) -> Res<OrderPage> {
    engine.cabinet_page(&query).await
}

#[tauri::command]
pub async fn cabinet_stats(engine: State<'_, Engine>, filter: OrderFilter) -> Res<CabinetStats> {
    engine.cabinet_stats(&filter).await
}

#[tauri::command]
pub async fn cabinet_charts(engine: State<'_, Engine>, filter: OrderFilter) -> Res<CabinetCharts> {
    engine.cabinet_charts(&filter).await
}

#[tauri::command]
pub async fn shop_order_full(engine: State<'_, Engine>, id: i64) -> Res<ShopOrderFull> {
    engine.shop_order_full(id).await
}

#[tauri::command]
pub fn new_order_draft(engine: State<'_, Engine>) -> ShopOrderDraft {
    engine.new_order_draft()
}

#[tauri::command]
pub async fn validate_order(engine: State<'_, Engine>, draft: ShopOrderDraft) -> Res<Vec<DraftProblem>> {
    engine.validate_order(&draft).await
}

/// A new buyer link for a pre-order (the one it had stops working), for the copy button only.
#[tauri::command]
pub async fn preorder_link(engine: State<'_, Engine>, id: i64) -> Res<PreorderLinkView> {
    engine.preorder_link(id).await
}

#[tauri::command]
pub async fn create_shop_order(engine: State<'_, Engine>, draft: ShopOrderDraft) -> Res<ShopOrderFull> {
    engine.create_shop_order(draft).await
}

#[tauri::command]
pub async fn preview_order_edit(
    engine: State<'_, Engine>,
    id: i64,
    draft: ShopOrderDraft,
) -> Res<EditPreview> {
    engine.preview_order_edit(id, &draft).await
}

#[tauri::command]
pub async fn update_shop_order(
    engine: State<'_, Engine>,
    id: i64,
    draft: ShopOrderDraft,
    confirmed: bool,
) -> Res<ShopOrderFull> {
    engine.update_shop_order(id, draft, confirmed).await
}

#[tauri::command]
pub async fn delivery_quotes(engine: State<'_, Engine>, weight_g: i64) -> Res<Vec<DeliveryQuote>> {
    engine.delivery_quotes(weight_g).await
}

/// The shop order screen's tracking number, sent to the marketplace the order came from.
#[tauri::command]
pub async fn send_tracking_number(
    engine: State<'_, Engine>,
    id: i64,
    tracking: String,
) -> Res<ShopOrderFull> {
    engine.send_tracking_number(id, &tracking).await
}

#[tauri::command]
pub async fn set_shop_order_status(
    engine: State<'_, Engine>,
    ids: Vec<i64>,
    status_id: i64,
) -> Res<StatusChangeReport> {
    engine.set_shop_order_status(&ids, status_id).await
}

#[tauri::command]
pub async fn set_order_type(engine: State<'_, Engine>, ids: Vec<i64>, order_type: OrderType) -> Res<()> {
    engine.set_order_type(&ids, order_type).await
}

#[tauri::command]
pub async fn delete_shop_orders(engine: State<'_, Engine>, ids: Vec<i64>, remove_links: bool) -> Res<()> {
    engine.delete_shop_orders(&ids, remove_links).await
}

#[tauri::command]
pub async fn purge_shop_orders(engine: State<'_, Engine>, ids: Vec<i64>) -> Res<u64> {
    engine.purge_shop_orders(&ids).await
}

#[tauri::command]
pub async fn export_csv(
    engine: State<'_, Engine>,
    path: PathBuf,
    options: ExportOptions,
    overwrite: Option<bool>,
) -> Res<ExportSummary> {
    // A typed relative path would land wherever the app happened to start.
    if !path.is_absolute() {
        return Err(AppError::refused(ErrorWords::bad_format(
            "path",
            "The file",
            &path.display().to_string(),
            ValueFormat::FullPath,
        )));
    }
    // A typed path may name a file the manager still needs; the system's save dialog asks itself.
    if !overwrite.unwrap_or(false) && path.exists() {
        return Err(AppError::said(
            ErrorCode::NeedsConfirmation,
            ErrorWords::FileExists {
                path: path.display().to_string(),
            },
        ));
    }
    engine.export_csv(&path, &options).await
}

#[tauri::command]
pub fn cancel_export(engine: State<'_, Engine>) {
    engine.cancel_export();
}

/// Opens a file this run exported in the program the system associates with it.
#[tauri::command]
pub fn open_export(app: AppHandle, engine: State<'_, Engine>, path: PathBuf) -> Res<()> {
    let path = exported(&engine, path)?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|e| {
            AppError::said(
                ErrorCode::Internal,
                ErrorWords::CannotOpen {
                    path: path.display().to_string(),
                    detail: e.to_string(),
                },
            )
        })
}

/// Shows a file this run exported in the system's file manager.
#[tauri::command]
pub fn show_export_in_folder(app: AppHandle, engine: State<'_, Engine>, path: PathBuf) -> Res<()> {
    show_in_folder(&app, &engine, path)
}

/// Shows a file this run wrote (an export or a diagnostic bundle) in the system's file manager.
pub(crate) fn show_in_folder(app: &AppHandle, engine: &Engine, path: PathBuf) -> Res<()> {
    let path = exported(engine, path)?;
    app.opener().reveal_item_in_dir(&path).map_err(|e| {
        AppError::said(
            ErrorCode::Internal,
            ErrorWords::CannotShow {
                path: path.display().to_string(),
                detail: e.to_string(),
            },
        )
    })
}

/// Only files the app itself wrote are opened: the window cannot make it run anything else.
fn exported(engine: &Engine, path: PathBuf) -> Res<PathBuf> {
    if engine.was_exported(&path) {
        Ok(path)
    } else {
        Err(AppError::refused(ErrorWords::NotExported {
            path: path.display().to_string(),
        }))
    }
}
