//! Ordertray's SQLite store. One file, WAL, a busy timeout, a small pool and embedded migrations
//! (with a backup copy of the file before any migration runs on existing data). SQLite-only parts
//! stay behind this crate's functions so the engine never writes SQL.

mod accounts;
mod error;
mod events;
mod ingest;
mod outbox;
mod personal;
mod pricelists;
mod queries;
mod rules;
mod settings;
mod shop_orders;
mod statuses;
mod time;
mod triage;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;

pub use error::StoreError;
pub use ingest::{NewOrderRef, PageOutcome};
pub use outbox::OutboxRow;
pub use pricelists::ListImport;
pub use statuses::StatusChange;
pub use time::{format_ts, parse_ts};
pub use triage::TriageExtras;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many pre-migration backups are kept next to the database.
const BACKUPS_KEPT: usize = 3;

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(StoreError::from)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            path: path.to_path_buf(),
        };
        store.backup_before_migrations().await?;
        MIGRATOR
            .run(&store.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A consistent copy (`VACUUM INTO`) of a database that has data and pending migrations.
    async fn backup_before_migrations(&self) -> Result<()> {
        let has_table: bool = sqlx::query_scalar(
            "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_one(&self.pool)
        .await?;
        if !has_table {
            return Ok(());
        }
        let applied: Vec<i64> = sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = 1")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect();
        let pending = MIGRATOR.iter().any(|m| !applied.contains(&m.version));
        if !pending {
            return Ok(());
        }
        let latest = applied.iter().max().copied().unwrap_or(0);
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let backup = self.path.with_extension(format!("v{latest}-{stamp}.backup.db"));
        sqlx::query("VACUUM INTO ?")
            .bind(backup.to_string_lossy().to_string())
            .execute(&self.pool)
            .await?;
        tracing::info!(backup = %backup.display(), "database backed up before migration");
        prune_backups(&self.path);
        Ok(())
    }
}

fn prune_backups(db: &Path) {
    let (Some(dir), Some(stem)) = (db.parent(), db.file_stem().and_then(|s| s.to_str())) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut backups: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(stem) && n.ends_with(".backup.db"))
        })
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(BACKUPS_KEPT);
    for old in backups.into_iter().take(excess) {
        let _ = std::fs::remove_file(old);
    }
}
