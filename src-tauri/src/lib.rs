//! The desktop shell: opens the engine, exposes its operations as commands, forwards its events
//! to the window, and shows the unread count in the title. Business logic lives in the engine.

mod cabinet_commands;
mod commands;
mod database_commands;
mod desktop;
mod intake_commands;
pub mod rendering;
mod transfer_commands;
mod tray;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ordertray_core::database::{DatabaseProblem, DatabaseProblemKind};
use ordertray_core::notify_text::Lang;
use ordertray_core::{AppSettings, EngineEvent};
use ordertray_engine::notifier::{desktop_notifications_available, OnClick};
use ordertray_engine::paths::resolve_db_path;
use ordertray_engine::{DesktopNotifier, Engine, EngineOptions, KeychainStore};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};

#[derive(Clone, Serialize)]
struct OpenOrder {
    order_id: i64,
}

pub fn run() {
    // First: it sets the environment, sound only while no other thread runs.
    let without_compositing = rendering::choose_compositing();
    // Kept until the app exits: dropping it would stop writing the log file.
    let _log_guard = init_logging();
    if let Some(why) = without_compositing {
        tracing::info!(why, "the webview paints without compositing");
    }
    tauri::Builder::default()
        // First, so that a second start hands over before it opens anything: the running window
        // comes forward and the new process exits.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tracing::info!("second start: focusing the running window");
            show_main_window(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        // The native file chooser for price lists (the UI also takes a typed path).
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec![desktop::MINIMIZED_FLAG]),
        ))
        .manage(desktop::CloseBehaviour::default())
        .manage(tray::RecentOrders::default())
        .on_window_event(desktop::on_window_event)
        .setup(|app| {
            let db_path = resolve_db_path(db_flag());
            app.manage(database_commands::Startup::new(db_path.clone()));
            // A start at login goes to the tray: hidden before its first paint (shown again when
            // there is no tray, or the database cannot be opened).
            let minimized = has_flag(desktop::MINIMIZED_FLAG) && !database_commands::restarted();
            if minimized {
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.hide();
                }
            }
            // The window paints while the database opens: an upgrade of a large one takes seconds,
            // and the window says so meanwhile (the UI waits on `database_problem`).
            tauri::async_runtime::spawn(start(app.handle().clone(), db_path, minimized));
            Ok(())
        })
        // Every `#[tauri::command]` in src/, listed by build.rs: a new command needs no other line.
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/handlers.rs")))
        .run(tauri::generate_context!())
        .expect("Ordertray failed to start");
}

/// Opens the engine, then starts what needs it: the tray, events to the window, the background
/// sync and intake.
async fn start(app: AppHandle, db_path: PathBuf, minimized: bool) {
    let startup = app.state::<database_commands::Startup>();
    let _settled = SettledOnPanic {
        app: &app,
        db_path: &db_path,
    };
    let (engine, settings) = match open_engine(app.clone(), &db_path).await {
        Ok(opened) => opened,
        Err(problem) => {
            // Never a crash: the window explains, and offers a backup, a new database or
            // quitting (the commands in database_commands).
            let (db, error) = (db_path.display(), &problem.message);
            tracing::error!(%db, %error, "database cannot be opened");
            startup.failed(problem);
            show_main_window(&app);
            return;
        }
    };
    app.manage(engine.clone());
    let paused = settings.sync_pause(chrono::Utc::now()).is_some();
    // On the main thread: a tray made elsewhere does not get its clicks on Linux (tauri#11462).
    let (made, tray_ok) = tokio::sync::oneshot::channel();
    let tray_app = app.clone();
    let lang = engine.lang();
    let tray_ok = match app.run_on_main_thread(move || {
        let _ = made.send(tray::create(&tray_app, lang, paused));
    }) {
        Ok(()) => tray_ok.await.unwrap_or(false),
        Err(_) => false,
    };
    app.state::<desktop::CloseBehaviour>().set(&settings, tray_ok);
    desktop::apply_autostart(&app, &settings);
    if minimized && !tray_ok {
        show_main_window(&app);
    }
    forward_events(app.clone(), &engine);
    // The demo's account before the window asks for the accounts.
    if has_flag("--demo") {
        start_demo_if_no_account(&engine).await;
    }
    startup.opened();
    if let Err(e) = engine.start_background().await {
        tracing::error!(error = %e, "background sync did not start");
    }
    if let Err(e) = engine.start_intake_if_enabled().await {
        tracing::error!(error = %e.message, "the order intake did not start");
    }
}

/// A panic while the database opens (a spawned task's panic is only printed) must not leave the
/// window waiting on "Opening the database…" for good: it then says the database is unavailable.
struct SettledOnPanic<'a> {
    app: &'a AppHandle,
    db_path: &'a Path,
}

impl Drop for SettledOnPanic<'_> {
    fn drop(&mut self) {
        let startup = self.app.state::<database_commands::Startup>();
        if std::thread::panicking() && startup.opening() {
            startup.failed(DatabaseProblem {
                path: self.db_path.display().to_string(),
                kind: DatabaseProblemKind::Unavailable,
                message: "Ordertray failed while opening the database (see its log)".into(),
                backups: vec![],
            });
            show_main_window(self.app);
        }
    }
}

/// Logs to stderr and to a daily file in the app's log directory (the last 7 kept), which the
/// Diagnostics page shows and the diagnostic bundle carries.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter =
        || tracing_subscriber::EnvFilter::try_from_env("ORDERTRAY_LOG").unwrap_or_else(|_| "info".into());
    let dir = ordertray_engine::paths::log_dir();
    // Owner-only directory: the log files inside name orders and accounts.
    let appender = ordertray_engine::paths::create_log_dir(&dir).ok().and_then(|_| {
        tracing_appender::rolling::RollingFileAppender::builder()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("ordertray")
            .filename_suffix("log")
            .max_log_files(7)
            .build(&dir)
            .ok()
    });
    let Some(appender) = appender else {
        tracing_subscriber::fmt().with_env_filter(filter()).init();
        tracing::warn!(dir = %dir.display(), "no log file: the log directory is not writable");
        return None;
    };
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::registry()
        .with(filter())
        .with(tracing_subscriber::fmt::layer())
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer),
        )
        .init();
    Some(guard)
}

fn has_flag(flag: &str) -> bool {
    std::env::args().skip(1).any(|a| a == flag)
}

/// `--demo` (what `scripts/run.sh` passes): with no real account yet, open on the simulated
/// marketplace instead of an empty window. A shop with an account of its own is left as it is.
async fn start_demo_if_no_account(engine: &Engine) {
    match engine.list_accounts().await {
        Ok(accounts) if accounts.iter().all(|a| a.account.demo) => {
            if let Err(e) = engine.start_demo().await {
                tracing::error!(error = %e, "demo did not start");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "accounts unreadable; demo not started"),
    }
}

/// `--db PATH` on the command line, else `$ORDERTRAY_DB`, else the OS app-data directory.
fn db_flag() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--db" {
            return args.next().map(PathBuf::from);
        }
        if let Some(v) = a.strip_prefix("--db=") {
            return Some(PathBuf::from(v));
        }
    }
    None
}

/// How long a triage decision can be undone (its marketplace calls wait this long).
const UNDO_WINDOW: std::time::Duration = std::time::Duration::from_secs(6);

/// The engine and its settings, or why the database could not be opened (the settings are the
/// first thing read, so a database whose tables cannot be read counts as not opened too).
async fn open_engine(app: AppHandle, db_path: &Path) -> Result<(Engine, AppSettings), DatabaseProblem> {
    let on_click: OnClick = Arc::new(move |order_id| open_order(&app, order_id));
    let lang = Lang::from_locale(&std::env::var("LANG").unwrap_or_default());
    let opened = Engine::open(EngineOptions {
        db_path: db_path.to_path_buf(),
        secrets: Arc::new(KeychainStore),
        notifier: Arc::new(DesktopNotifier::new("Ordertray", Some(on_click))),
        lang,
        actor: "manager".into(),
        http: Default::default(),
        notifications_ok: desktop_notifications_available(),
        probe_secrets: true,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    })
    .await;
    let engine = match opened {
        Ok(engine) => engine,
        Err(e) => return Err(ordertray_engine::database::diagnose(db_path, &e).await),
    };
    let settings = match engine.settings().await {
        Ok(settings) => settings,
        Err(e) => {
            engine.close().await;
            return Err(ordertray_engine::database::diagnose(db_path, &e).await);
        }
    };
    // Gmail-style: the manager's decisions wait a moment before reaching the marketplace.
    engine.set_undo_window(UNDO_WINDOW);
    Ok((engine, settings))
}

pub(crate) fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// A click on a popup: bring the window forward on that order.
pub(crate) fn open_order(app: &AppHandle, order_id: i64) {
    show_main_window(app);
    let _ = app.emit("open-order", OpenOrder { order_id });
}

fn forward_events(app: AppHandle, engine: &Engine) {
    let mut events = engine.subscribe();
    let engine = engine.clone();
    tauri::async_runtime::spawn(async move {
        if let Ok(info) = engine.app_info().await {
            show_unread(&app, &engine, info.unread);
        }
        loop {
            match events.recv().await {
                Ok(event) => {
                    match &event {
                        EngineEvent::UnreadCount { count } => show_unread(&app, &engine, *count),
                        EngineEvent::SyncPause { paused } => tray::relabel(&app, engine.lang(), *paused),
                        EngineEvent::NewLines {
                            first_order_id: Some(id),
                            ..
                        } => {
                            if let Ok(detail) = engine.order_detail(*id).await {
                                tray::remember_order(
                                    &app,
                                    &engine,
                                    *id,
                                    &detail.order.number,
                                    &detail.order.account,
                                );
                            }
                        }
                        _ => {}
                    }
                    let _ = app.emit("engine", &event);
                }
                // A slow window missed some events: a generic refresh covers them.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let _ = app.emit("engine", EngineEvent::OrdersChanged { account_id: None });
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

fn show_unread(app: &AppHandle, engine: &Engine, unread: i64) {
    set_title(app, unread);
    tray::show_unread(app, engine.lang(), unread);
}

fn set_title(app: &AppHandle, unread: i64) {
    if let Some(window) = app.get_webview_window("main") {
        let title = if unread > 0 {
            format!("Ordertray ({unread})")
        } else {
            "Ordertray".to_string()
        };
        let _ = window.set_title(&title);
    }
}

#[cfg(test)]
mod tests {
    /// A command missing from the capability would be refused at run time with a vague IPC error;
    /// the window gets the set build.rs writes from the commands themselves, and no other command.
    #[test]
    fn the_main_window_may_call_every_command_and_nothing_else() {
        let capability: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).expect("capabilities/main.json");
        let granted: Vec<&str> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .filter_map(|p| p.as_str())
            .filter(|p| !p.starts_with("core:"))
            .collect();
        // Of the plugins' commands only the file chooser's "open" (price lists) and "save" (CSV
        // export) are granted; opening an exported file goes through the app's own command.
        assert_eq!(
            granted,
            ["dialog:allow-open", "dialog:allow-save", "app-commands"]
        );
        let set = include_str!(concat!(env!("OUT_DIR"), "/app-permissions/app-commands.toml"));
        let handlers = include_str!(concat!(env!("OUT_DIR"), "/handlers.rs"));
        let allowed = set.matches("\"allow-").count();
        let handled = handlers.lines().filter(|l| l.trim_end().ends_with(',')).count();
        assert_eq!(allowed, handled);
        assert!(set.contains("\"allow-order-detail\""), "{set}");
    }

    /// The UI's typed calls come from the same functions (like the ts-rs bindings, `cargo test`
    /// writes them; CI checks that doing so changes nothing).
    #[test]
    fn the_ui_calls_are_generated_from_the_commands() {
        let generated = include_str!(concat!(env!("OUT_DIR"), "/ipc.generated.ts"));
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc.generated.ts");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(generated) {
            std::fs::write(&path, generated).expect("ui/src/ipc.generated.ts writable");
        }
        assert!(
            generated.contains("orderDetail: (id: number) => call<OrderDetail>(\"order_detail\", { id }),")
        );
    }
}
