//! Where the database lives by default: the OS app-data directory of the app's identifier, the
//! same directory Tauri's `app_data_dir` gives the desktop shell. Development builds use their
//! own identifier so a developer's data never touches a real shop's database.

use std::path::PathBuf;

pub const APP_IDENTIFIER: &str = "app.ordertray";
pub const DEV_APP_IDENTIFIER: &str = "app.ordertray.dev";
pub const DB_ENV: &str = "ORDERTRAY_DB";
const DB_FILE: &str = "ordertray.db";

pub fn app_identifier() -> &'static str {
    if cfg!(debug_assertions) {
        DEV_APP_IDENTIFIER
    } else {
        APP_IDENTIFIER
    }
}

/// `explicit` (a `--db` flag), else `$ORDERTRAY_DB`, else `<data dir>/<identifier>/ordertray.db`.
pub fn resolve_db_path(explicit: Option<PathBuf>) -> PathBuf {
    explicit
        .or_else(|| {
            std::env::var_os(DB_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join(app_identifier())
                .join(DB_FILE)
        })
}

/// The app's log directory, as Tauri's `app_log_dir` places it: `~/Library/Logs/<identifier>` on
/// macOS, `<local data dir>/<identifier>/logs` elsewhere.
pub fn log_dir() -> PathBuf {
    if cfg!(target_os = "macos") {
        if let Some(home) = dirs::home_dir() {
            return home.join("Library/Logs").join(app_identifier());
        }
    }
    dirs::data_local_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(app_identifier())
        .join("logs")
}
