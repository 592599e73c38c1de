//! Folding the write-ahead log into the database file beside the writers, not in their turn.
//!
//! SQLite's own checkpoint runs in the connection whose commit made the log pass 1,000 pages,
//! before that commit returns: a sync page that happens to be that commit holds this process's
//! turn to write while some 4 MB are copied and both files synced. Measured on a first sync of
//! 20,000 postings, those checkpoints were a fifth of the time the write lock was held
//! (BENCHMARKS.md, ingest). Here a commit after which [`CHECKPOINT_BYTES`] more wait in the log
//! starts a passive checkpoint on a task of its own, which copies what is committed while the next
//! writer goes on. SQLite's own checkpoint stays as the backstop at [`BACKSTOP_PAGES`], for writers
//! that do not go through [`crate::WriteTx`]; it is also what lets the log start over during a
//! long sync (a log starts over only once all of it is copied, which a copy running beside a
//! writer never quite reaches), so the log grows to about 40 MB there, most of it copied already
//! when the backstop runs.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use sqlx::SqlitePool;

/// How large the log may grow before a commit starts a checkpoint (SQLite's 1,000 pages of 4 KiB).
const CHECKPOINT_BYTES: u64 = 1_000 * 4_096;
/// SQLite's own checkpoint, in the committing connection (`wal_autocheckpoint`, in pages).
pub(crate) const BACKSTOP_PAGES: u32 = 10_000;
/// The log is cut back to what it holds when it starts over (`journal_size_limit`), so that its
/// size tells how much is waiting to be copied; otherwise it would keep its largest size.
pub(crate) const LOG_SIZE_LIMIT: u32 = 0;

#[derive(Debug)]
pub(crate) struct Checkpoints {
    log: PathBuf,
    running: AtomicBool,
    /// The log's size when the last checkpoint started: while writers go on the log cannot start
    /// over, so what waits to be copied is what was written since.
    copied_to: AtomicU64,
}

impl Checkpoints {
    pub(crate) fn new(log: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            log,
            running: AtomicBool::new(false),
            copied_to: AtomicU64::new(0),
        })
    }

    /// After a commit: when [`CHECKPOINT_BYTES`] more were written to the log since the last
    /// checkpoint began (or since it started over) and no checkpoint runs, one starts on a task
    /// of its own.
    pub(crate) fn after_commit(self: &Arc<Self>, pool: &SqlitePool) {
        let Ok(size) = std::fs::metadata(&self.log).map(|m| m.len()) else {
            return;
        };
        let copied = self.copied_to.load(Ordering::Acquire);
        let waiting = if size < copied { size } else { size - copied };
        if waiting < CHECKPOINT_BYTES || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        self.copied_to.store(size, Ordering::Release);
        let (this, pool) = (self.clone(), pool.clone());
        tokio::spawn(async move {
            // PASSIVE: copies what no reader still needs, never waits for a reader or a writer.
            // A failure (the store closing, a full disk) leaves the log to the next commit's
            // checkpoint or SQLite's own.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::debug!(error = %e, "background checkpoint failed");
            }
            this.running.store(false, Ordering::Release);
        });
    }
}
