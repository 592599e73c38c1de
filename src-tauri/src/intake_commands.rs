//! The order intake (integrations that push orders call it): one-line adapters over the engine.

use ordertray_core::intake::{IntakeAddress, IntakeSettings, IntakeStatus};
use ordertray_core::AppError;
use ordertray_engine::Engine;
use tauri::State;

type Res<T> = Result<T, AppError>;

#[tauri::command]
pub async fn intake_settings(engine: State<'_, Engine>) -> Res<IntakeSettings> {
    engine.intake_settings().await
}

#[tauri::command]
pub async fn save_intake_settings(
    engine: State<'_, Engine>,
    settings: IntakeSettings,
) -> Res<IntakeSettings> {
    engine.save_intake_settings(settings).await
}

/// Whether the intake listens now (where), or why its last start failed.
#[tauri::command]
pub fn intake_status(engine: State<'_, Engine>) -> IntakeStatus {
    engine.intake_status()
}

/// The address with the token hidden, for display.
#[tauri::command]
pub async fn intake_address(engine: State<'_, Engine>, account_id: i64) -> Res<IntakeAddress> {
    engine.intake_address(account_id).await
}

/// The full address (token included) for the copy button only; the UI never renders it.
#[tauri::command]
pub async fn intake_url(engine: State<'_, Engine>, account_id: i64) -> Res<String> {
    engine.intake_url(account_id).await
}

/// A store's webhook secret (when Ordertray made it) for the copy button only; the UI never renders it.
#[tauri::command]
pub async fn webhook_secret(engine: State<'_, Engine>, account_id: i64) -> Res<String> {
    engine.webhook_secret(account_id).await
}

#[tauri::command]
pub async fn rotate_intake_token(engine: State<'_, Engine>, account_id: i64) -> Res<()> {
    engine.rotate_intake_token(account_id).await
}
