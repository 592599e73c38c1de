//! The database file for the manager: its size and backups, "Back up now", restoring a backup,
//! and what to do when the database cannot be opened at start — then there is no engine, so those
//! functions take the database's path.

use std::path::Path;

use ordertray_core::database::{
    BackupInfo, DatabaseInfo, DatabaseProblem, DatabaseProblemKind, RestoreReport,
};
use ordertray_core::{AppError, ErrorWords};
use ordertray_store::{StagedRestore, StoreError};

use crate::{Engine, Result};

impl Engine {
    /// Where the database is, its size, and its backups (newest first).
    pub async fn database_info(&self) -> Result<DatabaseInfo> {
        let path = self.0.store.path();
        Ok(DatabaseInfo {
            path: path.display().to_string(),
            bytes: ordertray_store::database_bytes(path),
            backups: ordertray_store::list_backups(path),
        })
    }

    /// A consistent copy of the database beside it, made while everything keeps running.
    pub async fn backup_now(&self) -> Result<BackupInfo> {
        Ok(self.0.store.backup_now().await?)
    }

    /// Replaces the database with `backup`.
    ///
    /// The backup is copied and checked first, while everything runs: a damaged or foreign file
    /// is refused and changes nothing. Then background work stops, the database closes, the
    /// database being replaced is kept (see [`RestoreReport::previous`]) and the checked copy
    /// takes its place. From the moment the database closes this engine is finished — also when
    /// a later step fails — and [`Engine::is_closed`] says so: the caller opens a new engine (the
    /// app restarts).
    pub async fn restore_backup(&self, backup: &Path) -> Result<RestoreReport> {
        let staged = StagedRestore::prepare(self.0.store.path(), backup).await?;
        // Refused while another process has the database open, before anything closes: it would
        // go on writing to the replaced file.
        let _sole = self.0.store.sole_use()?;
        self.close().await;
        Ok(staged.apply().await?)
    }

    /// True once the database is closed (after [`Engine::restore_backup`] or [`Engine::close`]).
    pub fn is_closed(&self) -> bool {
        self.0.store.pool().is_closed()
    }

    /// Stops background work and closes the database, waiting until no connection has the file
    /// open: an engine that opened but cannot read its database lets go of it this way before the
    /// file is restored or moved aside.
    pub async fn close(&self) {
        self.shutdown().await;
        self.0.store.close_and_wait().await;
    }
}

/// The backups beside the database at `db`, newest first (no engine needed).
pub fn backups(db: &Path) -> Vec<BackupInfo> {
    ordertray_store::list_backups(db)
}

/// Why the database at `db` could not be opened, from the error opening it gave: `Damaged` when
/// the file itself fails SQLite's checks, `TooNew` when a newer Ordertray wrote it, else
/// `Unavailable` with that error.
pub async fn diagnose(db: &Path, error: &AppError) -> DatabaseProblem {
    let (kind, message) = match ordertray_store::check_database(db).await {
        Err(damaged @ StoreError::Damaged(_)) => (DatabaseProblemKind::Damaged, damaged.to_string()),
        _ if ordertray_store::made_by_newer_version(db).await => {
            (DatabaseProblemKind::TooNew, error.message.clone())
        }
        _ => (DatabaseProblemKind::Unavailable, error.message.clone()),
    };
    DatabaseProblem {
        path: db.display().to_string(),
        kind,
        message,
        backups: backups(db),
    }
}

/// Restores `backup` over the database at `db` when no engine has it open (the database could
/// not be opened). The same checks and order as [`Engine::restore_backup`]; an unreadable
/// database is moved aside rather than copied.
pub async fn restore_closed(db: &Path, backup: &Path) -> Result<RestoreReport> {
    let staged = StagedRestore::prepare(db, backup).await?;
    let _sole = ordertray_store::sole_use(db)?;
    Ok(staged.apply().await?)
}

/// "Start with a new empty database": the file at `db` (with its log files) is moved aside as
/// `<name>.corrupt-<time>.db`, never deleted, so that the next start makes a new database.
/// Returns where it went; None when there was no file. Refused for a database a newer Ordertray
/// wrote: nothing is wrong with it, and the manager's data is in it.
pub async fn start_new(db: &Path) -> Result<Option<String>> {
    if !db.exists() {
        return Ok(None);
    }
    if ordertray_store::made_by_newer_version(db).await {
        return Err(AppError::refused(ErrorWords::DatabaseTooNew {}));
    }
    let _sole = ordertray_store::sole_use(db)?;
    let moved = ordertray_store::move_aside(db)?;
    Ok(Some(moved.display().to_string()))
}
