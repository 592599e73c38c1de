//! Which processes have the database open. Each open store holds a shared lock on a file beside
//! the database (`<name>.db.lock`); replacing the database (a restore, a new empty one) takes it
//! exclusively first. A second process (the command line beside the app) then makes the
//! replacement refuse, before anything closes or changes, instead of swapping the file from under
//! a process that goes on writing to the old one.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ordertray_core::{AppError, ErrorWords};

use crate::{private_fs, Result};

/// Opening waits as long as a replacement elsewhere lasts; after this long it says so in the log.
const SAY_WAITING_AFTER: Duration = Duration::from_secs(10);

fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open_lock_file(db: &Path) -> std::io::Result<File> {
    let path = lock_path(db);
    if !path.exists() {
        private_fs::create_private_file(&path)?;
    }
    File::options().read(true).write(true).open(&path)
}

/// A store's share of the database: held while the store is open.
#[derive(Debug, Clone)]
pub(crate) struct Presence(Option<Arc<File>>);

impl Presence {
    /// Takes a share, waiting for a replacement under way elsewhere to end (it holds the lock
    /// alone only while it copies and swaps the file). A file system without locks leaves the
    /// store unseen by other processes (as before locks), not unopened.
    pub(crate) async fn share(db: &Path) -> Self {
        let file = match open_lock_file(db) {
            Ok(file) => file,
            Err(e) => {
                tracing::warn!(db = %db.display(), error = %e, "no lock file beside the database");
                return Self(None);
            }
        };
        let started = std::time::Instant::now();
        let mut told = false;
        loop {
            match file.try_lock_shared() {
                Ok(()) => return Self(Some(Arc::new(file))),
                Err(TryLockError::WouldBlock) => {
                    if !told && started.elapsed() >= SAY_WAITING_AFTER {
                        tracing::warn!(db = %db.display(), "waiting for the database being replaced elsewhere");
                        told = true;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => {
                    tracing::warn!(db = %db.display(), error = %e, "the database's lock not taken");
                    return Self(None);
                }
            }
        }
    }

    /// Sole use instead of this store's share: refused while another store (in this process or
    /// another) has the database open, and then the share is kept as it was.
    pub(crate) fn sole_use(&self, db: &Path) -> Result<SoleUse> {
        self.release();
        let sole = sole_use(db);
        if let (Err(_), Some(file)) = (&sole, &self.0) {
            if let Err(e) = file.try_lock_shared() {
                tracing::warn!(error = %e, "the database's shared lock not taken back");
            }
        }
        sole
    }

    /// The store is closed: it no longer has the database open.
    pub(crate) fn release(&self) {
        if let Some(file) = &self.0 {
            let _ = file.unlock();
        }
    }
}

/// Sole use of the database for replacing it: no store opens it while this lives (the lock ends
/// as its file closes).
#[derive(Debug)]
pub struct SoleUse {
    _lock: Option<File>,
}

/// Sole use of the database at `db` (a lock of its own, whatever this process holds): refused
/// while a store, in this process or another, has it open.
pub fn sole_use(db: &Path) -> Result<SoleUse> {
    let file = match open_lock_file(db) {
        Ok(file) => file,
        Err(e) => {
            tracing::warn!(db = %db.display(), error = %e, "no lock file beside the database");
            return Ok(SoleUse { _lock: None });
        }
    };
    match file.try_lock() {
        Ok(()) => Ok(SoleUse { _lock: Some(file) }),
        Err(e) => refused_when_in_use(e),
    }
}

/// Refused when another store holds a share; a file system without locks cannot tell, and the
/// replacement goes ahead as it did before locks.
fn refused_when_in_use(e: TryLockError) -> Result<SoleUse> {
    match e {
        TryLockError::WouldBlock => Err(AppError::refused(ErrorWords::DatabaseInUse {}).into()),
        TryLockError::Error(e) => {
            tracing::warn!(error = %e, "the database's lock cannot be taken; replacing it anyway");
            Ok(SoleUse { _lock: None })
        }
    }
}
