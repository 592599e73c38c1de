//! Thin adapters: parse, call the engine, hand back its typed `{code, message}` error.

use std::path::PathBuf;

use ordertray_core::cabinet::PageCursor;
use ordertray_core::notify_text::Lang;
use ordertray_core::pricelist::{
    ImportOptions, ImportPreview, ImportSummary, ListSettings, OfferBinding, OfferMatch, OfferView,
    PriceListView,
};
use ordertray_core::rules::{RuleOutcome, RuleSet};
use ordertray_core::statuses::{ShopStatus, StatusChangeReport};
use ordertray_core::templates::{PushSettings, PushTemplates};
use ordertray_core::{
    Account, AccountDraft, AccountLog, AccountView, AppError, AppInfo, AppSettings, CancelReasonOption,
    CategoryView, ConnectionReport, CustomerPage, InboxPage, InboxQuery, OrderDetail, OutboxState,
    OutboxView, ProductOrder, ProductQuery, ProductView, ShopOrderView, SyncReport, TriageAction,
    TriageReport,
};
use ordertray_engine::{paths, Engine, SecretInput};
use tauri::{AppHandle, State};

type Res<T> = Result<T, AppError>;

#[tauri::command]
pub async fn app_info(engine: State<'_, Engine>) -> Res<AppInfo> {
    engine.app_info().await
}

#[tauri::command]
pub async fn set_language(app: AppHandle, engine: State<'_, Engine>, lang: Lang) -> Res<()> {
    engine.set_lang(lang);
    crate::tray::relabel(&app, lang, engine.sync_pause().await.is_some());
    crate::tray::show_unread(&app, lang, engine.app_info().await?.unread);
    Ok(())
}

#[tauri::command]
pub async fn list_accounts(engine: State<'_, Engine>) -> Res<Vec<AccountView>> {
    engine.list_accounts().await
}

#[tauri::command]
pub async fn add_account(
    engine: State<'_, Engine>,
    draft: AccountDraft,
    secrets: SecretInput,
    app: AppHandle,
) -> Res<Account> {
    let account = engine.add_account(draft, secrets).await?;
    // Orders now arrive all day: from the first account on, Ordertray starts with the computer
    // (unless the manager already said otherwise).
    let settings = engine.update_settings(AppSettings::after_first_account).await?;
    crate::desktop::apply_autostart(&app, &settings);
    Ok(account)
}

#[tauri::command]
pub async fn update_account(
    engine: State<'_, Engine>,
    id: i64,
    draft: AccountDraft,
    secrets: SecretInput,
) -> Res<Account> {
    engine.update_account(id, draft, secrets).await
}

#[tauri::command]
pub async fn set_account_active(engine: State<'_, Engine>, id: i64, active: bool) -> Res<()> {
    engine.set_account_active(id, active).await
}

#[tauri::command]
pub async fn delete_account(engine: State<'_, Engine>, id: i64) -> Res<()> {
    engine.delete_account(id).await
}

#[tauri::command]
pub async fn test_connection(
    engine: State<'_, Engine>,
    draft: AccountDraft,
    secrets: SecretInput,
    id: Option<i64>,
) -> Res<ConnectionReport> {
    engine.test_connection(draft, secrets, id).await
}

#[tauri::command]
pub async fn cancel_reasons(
    engine: State<'_, Engine>,
    draft: AccountDraft,
    secrets: SecretInput,
    id: Option<i64>,
) -> Res<Vec<CancelReasonOption>> {
    engine.cancel_reasons(draft, secrets, id).await
}

#[tauri::command]
pub async fn sync_now(engine: State<'_, Engine>, id: i64) -> Res<SyncReport> {
    engine.sync_account(id).await
}

#[tauri::command]
pub async fn inbox(engine: State<'_, Engine>, query: InboxQuery) -> Res<InboxPage> {
    engine.inbox_page(&query).await
}

#[tauri::command]
pub async fn order_detail(engine: State<'_, Engine>, id: i64) -> Res<OrderDetail> {
    engine.order_detail(id).await
}

#[tauri::command]
pub async fn triage(engine: State<'_, Engine>, lines: Vec<i64>, action: TriageAction) -> Res<TriageReport> {
    engine.triage(&lines, action).await
}

/// Takes back the last decision while its marketplace calls still wait; returns the lines undone.
#[tauri::command]
pub async fn undo_triage(engine: State<'_, Engine>, lines: Vec<i64>) -> Res<Vec<i64>> {
    engine.undo_triage(&lines).await
}

/// The account's sync log (Accounts → the account → Log): recent runs and skipped orders.
#[tauri::command]
pub async fn account_log(engine: State<'_, Engine>, id: i64) -> Res<AccountLog> {
    engine.account_log(id, 100).await
}

#[tauri::command]
pub async fn retry_outbox(engine: State<'_, Engine>, id: i64) -> Res<()> {
    engine.retry_outbox(id).await
}

/// The account's updates that still need attention (waiting, sending or failed), oldest first.
#[tauri::command]
pub async fn account_outbox(engine: State<'_, Engine>, id: i64) -> Res<Vec<OutboxView>> {
    let rows = engine.outbox_list(Some(id)).await?;
    Ok(rows
        .into_iter()
        .filter(|r| r.state != OutboxState::Done)
        .collect())
}

#[tauri::command]
pub async fn get_settings(engine: State<'_, Engine>) -> Res<AppSettings> {
    engine.settings().await
}

#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    engine: State<'_, Engine>,
    close: State<'_, crate::desktop::CloseBehaviour>,
    settings: AppSettings,
) -> Res<AppSettings> {
    let saved = engine.save_settings(settings).await?;
    crate::desktop::apply_autostart(&app, &saved);
    close.set_to_tray(&saved);
    Ok(saved)
}

/// The last lines of the log, redacted, for the Diagnostics section.
#[tauri::command]
pub async fn recent_logs(engine: State<'_, Engine>) -> Res<Vec<String>> {
    engine.recent_log_lines(&paths::log_dir(), 200).await
}

/// Writes the diagnostic bundle into the Downloads folder (else the log folder); returns its path.
#[tauri::command]
pub async fn save_diagnostics(engine: State<'_, Engine>) -> Res<String> {
    let dir = dirs::download_dir().unwrap_or_else(paths::log_dir);
    let name = format!(
        "ordertray-diagnostics-{}.zip",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    );
    let report = engine
        .write_diagnostics(&paths::log_dir(), &dir.join(name))
        .await?;
    Ok(report.path.display().to_string())
}

/// Shows the diagnostic bundle this run saved in the system's file manager (no other file).
#[tauri::command]
pub fn show_diagnostics_in_folder(app: AppHandle, engine: State<'_, Engine>, path: PathBuf) -> Res<()> {
    crate::cabinet_commands::show_in_folder(&app, &engine, path)
}

/// Pauses polling for `minutes`, or until resumed when absent.
#[tauri::command]
pub async fn pause_sync(engine: State<'_, Engine>, minutes: Option<u32>) -> Res<AppSettings> {
    engine
        .pause_sync(minutes.map(|m| chrono::Duration::minutes(m.into())))
        .await
}

#[tauri::command]
pub async fn resume_sync(engine: State<'_, Engine>) -> Res<AppSettings> {
    engine.resume_sync().await
}

#[tauri::command]
pub async fn start_demo(engine: State<'_, Engine>) -> Res<Account> {
    engine.start_demo().await
}

#[tauri::command]
pub async fn remove_demo(engine: State<'_, Engine>) -> Res<()> {
    engine.remove_demo().await
}

#[tauri::command]
pub async fn preview_price_list(
    engine: State<'_, Engine>,
    path: String,
    options: ImportOptions,
) -> Res<ImportPreview> {
    engine
        .preview_price_list(std::path::Path::new(&path), &options)
        .await
}

/// Imports a file into the named list (progress arrives as `import_progress` engine events).
#[tauri::command]
pub async fn import_price_list(
    engine: State<'_, Engine>,
    path: String,
    name: String,
    settings: Option<ListSettings>,
) -> Res<ImportSummary> {
    engine
        .import_price_list(std::path::Path::new(&path), &name, settings)
        .await
}

#[tauri::command]
pub async fn price_lists(engine: State<'_, Engine>) -> Res<Vec<PriceListView>> {
    engine.price_lists().await
}

#[tauri::command]
pub async fn delete_price_list(engine: State<'_, Engine>, id: i64) -> Res<()> {
    engine.delete_price_list(id).await
}

#[tauri::command]
pub async fn search_offers(
    engine: State<'_, Engine>,
    text: String,
    limit: Option<u32>,
) -> Res<Vec<OfferView>> {
    engine.search_offers(&text, limit.unwrap_or(50)).await
}

#[tauri::command]
pub async fn line_offers(engine: State<'_, Engine>, line_id: i64) -> Res<Vec<OfferMatch>> {
    engine.line_offers(line_id).await
}

#[tauri::command]
pub async fn accept_with_offer(
    engine: State<'_, Engine>,
    line_id: i64,
    binding: OfferBinding,
) -> Res<TriageReport> {
    engine.accept_with_offer(line_id, &binding).await
}

#[tauri::command]
pub async fn rule_set(engine: State<'_, Engine>, account_id: i64) -> Res<RuleSet> {
    engine.rule_set(account_id).await
}

#[tauri::command]
pub async fn save_rule_set(engine: State<'_, Engine>, set: RuleSet) -> Res<RuleSet> {
    engine.save_rule_set(&set).await
}

#[tauri::command]
pub async fn dry_run_rules(engine: State<'_, Engine>, account_id: Option<i64>) -> Res<Vec<RuleOutcome>> {
    engine.dry_run_rules(account_id).await
}

#[tauri::command]
pub async fn apply_rules(engine: State<'_, Engine>, account_id: i64) -> Res<Vec<RuleOutcome>> {
    engine.apply_rules(account_id).await
}

#[tauri::command]
pub async fn shop_orders(
    engine: State<'_, Engine>,
    customer_id: Option<i64>,
    limit: Option<u32>,
) -> Res<Vec<ShopOrderView>> {
    engine.shop_orders(customer_id, limit.unwrap_or(1_000)).await
}

/// The customers, most recent buyer first, or those a search finds (newest first), a keyset page
/// at a time (`after`: the page before's `next`).
#[tauri::command]
pub async fn customers(
    engine: State<'_, Engine>,
    search: Option<String>,
    limit: Option<u32>,
    after: Option<PageCursor>,
) -> Res<CustomerPage> {
    engine
        .customers_page(
            search.as_deref().unwrap_or_default(),
            after.as_ref(),
            limit.unwrap_or(1_000),
        )
        .await
}

/// The catalog's products, narrowed by words and a category.
#[tauri::command]
pub async fn products(engine: State<'_, Engine>, query: ProductQuery) -> Res<Vec<ProductView>> {
    engine.products(&query).await
}

#[tauri::command]
pub async fn product_categories(engine: State<'_, Engine>) -> Res<Vec<CategoryView>> {
    engine.product_categories().await
}

/// The orders a product is in, newest first.
#[tauri::command]
pub async fn product_orders(engine: State<'_, Engine>, product_id: i64) -> Res<Vec<ProductOrder>> {
    engine.product_orders(product_id).await
}

#[tauri::command]
pub async fn shop_statuses(engine: State<'_, Engine>) -> Res<Vec<ShopStatus>> {
    engine.shop_statuses().await
}

#[tauri::command]
pub async fn save_shop_statuses(
    engine: State<'_, Engine>,
    statuses: Vec<ShopStatus>,
) -> Res<Vec<ShopStatus>> {
    engine.save_shop_statuses(&statuses).await
}

#[tauri::command]
pub async fn push_settings(engine: State<'_, Engine>, account_id: i64) -> Res<PushSettings> {
    engine.push_settings(account_id).await
}

/// Loads the account's status list from its marketplace again (where it lists its own) and returns the
/// settings as they read with it.
#[tauri::command]
pub async fn load_marketplace_statuses(engine: State<'_, Engine>, account_id: i64) -> Res<PushSettings> {
    engine.refresh_marketplace_statuses(account_id).await?;
    engine.push_settings(account_id).await
}

#[tauri::command]
pub async fn save_push_settings(
    engine: State<'_, Engine>,
    account_id: i64,
    templates: PushTemplates,
) -> Res<PushSettings> {
    engine.save_push_settings(account_id, &templates).await
}

#[tauri::command]
pub async fn preview_template(
    engine: State<'_, Engine>,
    line_id: i64,
    status_id: i64,
    template: String,
) -> Res<String> {
    engine.preview_template(line_id, status_id, &template).await
}

#[tauri::command]
pub async fn set_line_status(
    engine: State<'_, Engine>,
    lines: Vec<i64>,
    status_id: i64,
) -> Res<StatusChangeReport> {
    engine.set_line_status(&lines, status_id).await
}
