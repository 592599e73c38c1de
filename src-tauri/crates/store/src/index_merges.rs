//! Merging the search indexes' small pieces beside the writers, not in their commits.
//!
//! Each commit that changes a line, a shop order or a customer writes a small segment into the
//! FTS5 index of its text (a decision moves the line's entry to its view, migration 0039). FTS5
//! merges segments during later writes ("automerge"): every 64 pages written, it merges some 64
//! pages for each level of the index, inside that writer's commit. At a million lines that put
//! 5-20 ms on a random one of the manager's single accepts (p95 13 → 17-22 ms, p99 17 → 32-38 ms,
//! measured on 300 accepts). Migrations 0040 and 0041 turn automerge off for these indexes; here a
//! commit through [`crate::WriteTx`] starts a task that, once the writers pause, merges in steps
//! of [`STEP_PAGES`], each its own short write in its turn, until no level holds enough segments
//! to merge (FTS5's `usermerge`, 4), so searches still read few segments. A writer that asks
//! meanwhile waits for one step at most.
//! FTS5's "crisis merge" (a level reaching 16 segments merges in the commit that made it) stays
//! as the backstop when the steps fall behind.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::checkpoints::Checkpoints;

/// The indexes whose writes come one row at a time (a manager's decisions, a sync's pages, the
/// customers accepts make). The price list's index is written in bulk by an import, where FTS5's
/// own merging is cheaper.
const INDEXES: [&str; 3] = ["lines_text", "shop_orders_text", "customers_text"];
/// Leaf pages a step may write per index. Measured merging a million lines' index written with no
/// merges (27 segments): steps of 64 pages took p95 / p99 12 / 38 ms of the write turn, of 16
/// pages 8 / 12 ms (a few take ~45 ms whatever the size), the whole merge 2.8 s against 3.2 s.
const STEP_PAGES: u32 = 16;
/// Merging waits for the writers to pause this long, so decisions made one after another do not
/// queue behind merge steps ...
const PAUSE: Duration = Duration::from_millis(30);
/// ... but no longer than this after it was asked for, so a sync writing page after page does not
/// leave all its segments to FTS5's crisis merges (inside its pages' commits). Starting after 8
/// commits instead changed nothing measurable for decisions during a backfill.
const LONGEST_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub(crate) struct IndexMerges {
    /// Commits that may have written index segments.
    commits: AtomicU64,
    running: AtomicBool,
}

impl IndexMerges {
    /// After a commit that may have written index segments: merges on a task of its own once the
    /// writers pause, one task at a time (a commit while it merges makes it go on afterwards).
    pub(crate) fn after_commit(
        self: &Arc<Self>,
        pool: &SqlitePool,
        turn: Arc<tokio::sync::Mutex<()>>,
        checkpoints: &Arc<Checkpoints>,
    ) {
        // SeqCst throughout: the committer writes `commits` then reads `running`, the task
        // writes `running` then reads `commits`; only a single total order keeps both from
        // missing the other (a request lost until the next commit).
        self.commits.fetch_add(1, Ordering::SeqCst);
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let (this, pool, checkpoints) = (self.clone(), pool.clone(), checkpoints.clone());
        tokio::spawn(async move {
            let _unwinding = ClearOnPanic(&this.running);
            loop {
                let merged = this.wait_for_a_pause().await;
                // The store closing or a full disk: the segments stay as they are (searches
                // read them all) until a later commit asks again.
                if let Err(e) = merge_until_done(&pool, &turn, &checkpoints).await {
                    tracing::debug!(error = %e, "search index merge failed");
                }
                this.running.store(false, Ordering::SeqCst);
                // A commit after the merging began (it saw the task running and left) may have
                // written segments the merging did not see.
                if this.commits.load(Ordering::SeqCst) == merged || this.running.swap(true, Ordering::SeqCst)
                {
                    break;
                }
            }
        });
    }

    /// Waits until no commit came for [`PAUSE`] or [`LONGEST_WAIT`] passed; the commits counted
    /// by then.
    async fn wait_for_a_pause(&self) -> u64 {
        let asked = tokio::time::Instant::now();
        loop {
            let seen = self.commits.load(Ordering::SeqCst);
            tokio::time::sleep(PAUSE).await;
            let now = self.commits.load(Ordering::SeqCst);
            if now == seen || asked.elapsed() >= LONGEST_WAIT {
                return now;
            }
        }
    }
}

/// A task that panics (or a runtime without timers) must not leave merging marked as running
/// for good: the next commit starts a new task.
struct ClearOnPanic<'a>(&'a AtomicBool);

impl Drop for ClearOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(false, Ordering::SeqCst);
        }
    }
}

async fn merge_until_done(
    pool: &SqlitePool,
    turn: &Arc<tokio::sync::Mutex<()>>,
    checkpoints: &Arc<Checkpoints>,
) -> crate::Result<()> {
    while step(pool, turn, checkpoints).await? {}
    Ok(())
}

/// One step of merging for each index, in one write; whether any index had work left.
async fn step(
    pool: &SqlitePool,
    turn: &Arc<tokio::sync::Mutex<()>>,
    checkpoints: &Arc<Checkpoints>,
) -> crate::Result<bool> {
    let mut tx = crate::WriteTx::begin(pool, turn.clone(), checkpoints, None).await?;
    let mut worked = false;
    for index in INDEXES {
        let before: i64 = sqlx::query_scalar("SELECT total_changes()")
            .fetch_one(&mut *tx)
            .await?;
        // SQLite: FTS5's 'merge' command. A positive count merges only a level holding at least
        // `usermerge` segments; a change count that grows by less than 2 means nothing was merged.
        sqlx::query(&format!(
            "INSERT INTO {index} ({index}, rank) VALUES ('merge', {STEP_PAGES})"
        ))
        .execute(&mut *tx)
        .await?;
        let after: i64 = sqlx::query_scalar("SELECT total_changes()")
            .fetch_one(&mut *tx)
            .await?;
        worked |= after - before >= 2;
    }
    tx.commit().await?;
    Ok(worked)
}

impl crate::Store {
    /// Merges the search indexes' segments now, step by step in the writers' turns: for a
    /// process about to end (the CLI's `sync --once`) and a benchmark that wrote a whole index at
    /// once, to measure the settled index.
    pub async fn merge_search_indexes(&self) -> crate::Result<()> {
        merge_until_done(&self.pool, &self.write_turn, &self.checkpoints).await
    }
}
