//! The database file itself as the manager sees it: where it is, its backups, and what went wrong
//! when it cannot be opened.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Why a backup was made; each kind is kept (and pruned) on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BackupKind {
    /// Made automatically before a new version changed the database's layout.
    PreMigration,
    /// "Back up now".
    Manual,
    /// The database a restore replaced, so that the restore can be undone.
    BeforeRestore,
}

/// One backup file beside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BackupInfo {
    pub path: String,
    pub file_name: String,
    pub bytes: u64,
    pub created_at: DateTime<Utc>,
    pub kind: BackupKind,
}

/// The live database: its file, its size on disk (with the write-ahead log) and its backups,
/// newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DatabaseInfo {
    pub path: String,
    pub bytes: u64,
    pub backups: Vec<BackupInfo>,
}

/// Whether the file itself is broken, was written by a newer Ordertray (nothing is wrong with it:
/// that version opens it), or opening it failed for another reason (permissions, a full disk).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DatabaseProblemKind {
    Damaged,
    TooNew,
    Unavailable,
}

/// Why Ordertray started without its database, and the backups it could restore from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DatabaseProblem {
    pub path: String,
    pub kind: DatabaseProblemKind,
    /// The error in words (file names and SQLite's message; never a secret).
    pub message: String,
    pub backups: Vec<BackupInfo>,
}

/// What a restore did: the backup now in use, and where the database it replaced was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RestoreReport {
    pub restored_from: String,
    /// A backup of the replaced database (kind "before restore"), or the replaced file itself
    /// moved aside when it could not be read; none when there was no database.
    pub previous: Option<String>,
    /// True when `previous` is the unreadable file moved aside rather than a backup.
    pub previous_moved_aside: bool,
}
