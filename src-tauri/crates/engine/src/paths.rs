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

/// Creates the log directory owner-only (0700 on Unix; an existing one is made so too, it is the
/// app's own): the log files inside name orders and accounts.
pub fn create_log_dir(dir: &std::path::Path) -> std::io::Result<()> {
    ordertray_store::private_fs::create_private_dir_all(dir)?;
    ordertray_store::private_fs::restrict_to_owner(dir)
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn the_log_directory_is_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("logs");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        super::create_log_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }
}
