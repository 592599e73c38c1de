use ordertray_core::{AppError, ErrorCode, ErrorWords};

/// An error's words as stored beside its English text (JSON), when it has any.
pub(crate) fn words_json(error: Option<&AppError>) -> Option<String> {
    error
        .and_then(|e| e.words.as_ref())
        .and_then(|w| serde_json::to_string(w).ok())
}

/// Stored words read back; unreadable ones (written by another version) leave the English text.
pub(crate) fn words_from(json: Option<String>) -> Option<ErrorWords> {
    json.and_then(|j| serde_json::from_str(&j).ok())
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    App(AppError),
    #[error("the disk is full: Ordertray could not save the change (free some space and try again)")]
    DiskFull,
    #[error("the database is busy; try again")]
    Busy,
    #[error("database error: {0}")]
    Db(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("file error: {0}")]
    Io(String),
    /// The database file itself is broken (not a database, cut short, failing SQLite's checks).
    #[error("the database file is damaged: {0}")]
    Damaged(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            let code = db.code().as_deref().and_then(|c| c.parse::<i32>().ok());
            // SQLITE_IOERR_WRITE (778): the system refused the write. SQLite says SQLITE_FULL only
            // for ENOSPC; over a disk quota (EDQUOT) or a file-size limit (EFBIG: FAT32's 4 GiB, a
            // ulimit) the manager meets the same full disk, and "disk I/O error" tells them nothing.
            if code == Some(778) {
                return StoreError::DiskFull;
            }
            // SQLite primary result codes: 13 SQLITE_FULL, 5 SQLITE_BUSY, 6 SQLITE_LOCKED,
            // 11 SQLITE_CORRUPT, 26 SQLITE_NOTADB.
            match code.map(|c| c & 0xff) {
                Some(13) => return StoreError::DiskFull,
                Some(5) | Some(6) => return StoreError::Busy,
                Some(11) | Some(26) => return StoreError::Damaged(db.message().to_string()),
                _ => {}
            }
        }
        StoreError::Db(e.to_string())
    }
}

impl From<AppError> for StoreError {
    fn from(e: AppError) -> Self {
        StoreError::App(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let words = match e {
            StoreError::App(app) => return app,
            StoreError::DiskFull => ErrorWords::DiskFull {},
            StoreError::Busy => ErrorWords::DatabaseBusy {},
            StoreError::Db(detail) => ErrorWords::Database { detail },
            StoreError::Migration(detail) => ErrorWords::Migration { detail },
            StoreError::Corrupt(detail) => ErrorWords::StoredDataUnreadable { detail },
            StoreError::Io(detail) => ErrorWords::FileError { detail },
            StoreError::Damaged(detail) => ErrorWords::DatabaseDamaged { detail },
        };
        AppError::said(ErrorCode::Storage, words)
    }
}
