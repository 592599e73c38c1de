//! Ordertray's SQLite store. One file, WAL, a busy timeout, a small pool and embedded migrations
//! (with a backup copy of the file before any migration runs on existing data). SQLite-only parts
//! stay behind this crate's functions so the engine never writes SQL.

// The modules form layers, each using only those below it (tests/module_layers.rs keeps it so):
// a helper that a decision, a sync page and a status change all need inside their transaction
// lives below all three, so none of them reaches into another and a change to one operation
// cannot loop back through the helpers it calls. Pure rules (which line state may follow which,
// which marketplace calls a decision or a status queues, the comment texts) are in
// `ordertray_core`; these modules read the facts, call them and write the result.
//
// - base: `time`, `error`, `events` (audit rows), `outbox` (queued marketplace calls with their
//   events), `account_options` (the account's policy and push settings), `shop_statuses`.
// - shared steps inside a write: `shop_order_sync` (the shop order made from a marketplace order,
//   kept in step with its lines), `pushes` (the facts pushes work from, a decision's status calls).
// - operations: `triage`, `statuses` (status changes), `ingest`, `cabinet_orders`, and the readers
//   and settings modules beside them.
//
// SQLite-specific SQL is marked `// SQLite:` where it is written, for a second backend to follow.
mod account_options;
mod accounts;
mod addresses;
mod arrivals;
mod backup;
mod cabinet_export;
mod cabinet_list;
mod cabinet_orders;
mod catalog;
mod checkpoints;
mod customer_search;
mod error;
mod events;
mod index_merges;
mod ingest;
mod intake;
mod marketplace_statuses;
mod offer_matches;
mod outbox;
mod personal;
mod preorder_links;
mod presence;
mod pricelists;
pub mod private_fs;
mod pushes;
mod queries;
pub mod retention;
mod rules;
mod settings;
mod ship_by;
mod shop_order_customer;
mod shop_order_sync;
mod shop_orders;
mod shop_statuses;
mod skipped_orders;
mod statuses;
mod text_search;
mod time;
mod transfers;
mod triage;
mod upgrades;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use ordertray_core::database::{BackupInfo, BackupKind};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Row;

pub use arrivals::{Arrival, Arriving};
pub use backup::{
    check_database, check_header, database_bytes, list_backups, made_by_newer_version, move_aside,
    StagedRestore,
};
pub use cabinet_export::{ExportBatchJson, ExportEntry};
pub use cabinet_orders::ShopOrderFacts;
pub use error::StoreError;
pub use ingest::{NewOrderRef, PageOutcome, Payloads};
pub use intake::NewIntakeRequest;
pub use offer_matches::LineLookup;
pub use outbox::{Lease, NewOutboxRow, OutboxRow};
pub use preorder_links::PreorderLink;
pub use presence::{sole_use, SoleUse};
pub use pricelists::ListImport;
pub use ship_by::{ShipByDue, ShipByStage};
pub use statuses::StatusChange;
pub use time::{format_ts, parse_ts};
pub use transfers::{StatusTo, TRANSFER_DELETE, TRANSFER_SEND};
pub use triage::TriageExtras;

/// SQLite's plan for an `EXPLAIN QUERY PLAN` query, one step a line: what the plan tests read.
#[cfg(test)]
pub(crate) async fn query_plan<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    pool: &SqlitePool,
) -> Vec<String> {
    use sqlx::Row;
    query
        .fetch_all(pool)
        .await
        .expect("the plan")
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect()
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    /// This process's writers take turns in the order they ask (see [`WriteTx`]).
    write_turn: Arc<tokio::sync::Mutex<()>>,
    checkpoints: Arc<checkpoints::Checkpoints>,
    index_merges: Arc<index_merges::IndexMerges>,
    /// This store's share of the database, which replacing it needs whole (see `presence`).
    presence: presence::Presence,
}

/// A write transaction holding this process's turn to write, so writers get SQLite's write lock in
/// the order they asked for it. SQLite's own wait is a sleep-and-retry loop (the busy timeout)
/// that a writer committing page after page wins almost every time: during a backfill the next
/// page is ready the moment the previous one commits, and a manager's accept would wait for the
/// whole backfill or fail with "database is locked". With turns it waits for one page at most.
/// Writers in other processes (the CLI beside the app) still meet only the busy timeout.
pub struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    // Dropped after the transaction (fields drop in order): the turn passes on once it is over.
    _turn: tokio::sync::OwnedMutexGuard<()>,
    checkpoints: Arc<checkpoints::Checkpoints>,
    /// None for the merges' own steps, which must not ask for more merges.
    index_merges: Option<Arc<index_merges::IndexMerges>>,
    pool: SqlitePool,
}

impl WriteTx {
    async fn begin(
        pool: &SqlitePool,
        turn: Arc<tokio::sync::Mutex<()>>,
        checkpoints: &Arc<checkpoints::Checkpoints>,
        index_merges: Option<&Arc<index_merges::IndexMerges>>,
    ) -> Result<Self> {
        let turn = turn.lock_owned().await;
        Ok(Self {
            tx: pool.begin_with("BEGIN IMMEDIATE").await?,
            _turn: turn,
            checkpoints: checkpoints.clone(),
            index_merges: index_merges.cloned(),
            pool: pool.clone(),
        })
    }

    pub async fn commit(self) -> Result<()> {
        let Self {
            tx,
            _turn,
            checkpoints,
            index_merges,
            pool,
        } = self;
        tx.commit().await?;
        let turn = tokio::sync::OwnedMutexGuard::mutex(&_turn).clone();
        drop(_turn);
        checkpoints.after_commit(&pool);
        if let Some(merges) = index_merges {
            merges.after_commit(&pool, turn, &checkpoints);
        }
        Ok(())
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        // A file of garbage or one cut off midway is reported as damaged before SQLite touches it.
        backup::check_header(path)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_fs::create_private_dir_all(dir)
                .map_err(|e| StoreError::Io(format!("{}: {e}", dir.display())))?;
        }
        // Owner-only before SQLite writes a byte: SQLite gives the WAL and shared-memory files the
        // database file's mode, and an existing database from before this rule is fixed here.
        let io = |p: &Path, e: std::io::Error| StoreError::Io(format!("{}: {e}", p.display()));
        if !path.exists() {
            private_fs::create_private_file(path).map_err(|e| io(path, e))?;
        }
        for file in [
            path.to_path_buf(),
            backup::sidecar(path, "-wal"),
            backup::sidecar(path, "-shm"),
        ] {
            private_fs::restrict_to_owner(&file).map_err(|e| io(&file, e))?;
        }
        let presence = presence::Presence::share(path).await;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(StoreError::from)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            .pragma("wal_autocheckpoint", checkpoints::BACKSTOP_PAGES.to_string())
            .pragma("journal_size_limit", checkpoints::LOG_SIZE_LIMIT.to_string());
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let store = Self {
            pool,
            path: path.to_path_buf(),
            write_turn: Arc::default(),
            checkpoints: checkpoints::Checkpoints::new(backup::sidecar(path, "-wal")),
            index_merges: Arc::default(),
            presence,
        };
        store.backup_before_migrations().await?;
        MIGRATOR
            .run(&store.pool)
            .await
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        store.run_pending_upgrades().await?;
        // An index left in pieces (by a process that ended before its merges did, or by writes
        // from outside this store) is merged once the start's own writes pause.
        store
            .index_merges
            .after_commit(&store.pool, store.write_turn.clone(), &store.checkpoints);
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This database's own random id (made by its first start, kept by backups and copies): the
    /// namespace of its keychain entries.
    pub async fn database_id(&self) -> Result<String> {
        Ok(
            sqlx::query_scalar("SELECT id FROM database_identity WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Sole use of the database for replacing it (a restore): refused while another store, in
    /// this process or another, has it open; this one's share is then kept.
    pub fn sole_use(&self) -> Result<SoleUse> {
        self.presence.sole_use(&self.path)
    }

    /// Starts a transaction that writes. `BEGIN IMMEDIATE` takes the write lock at once, so a
    /// second writer waits out the busy timeout; a plain `BEGIN` that reads first and writes later
    /// fails with "database is locked" the moment another connection has written meanwhile, which
    /// no busy timeout can cure (SQLite cannot upgrade a stale read snapshot).
    pub(crate) async fn begin_write(&self) -> Result<WriteTx> {
        WriteTx::begin(
            &self.pool,
            self.write_turn.clone(),
            &self.checkpoints,
            Some(&self.index_merges),
        )
        .await
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.presence.release();
    }

    /// Closes the pool and waits until no connection has the file open any more, with the
    /// write-ahead log folded into the file: what a restore needs before it replaces the file.
    pub async fn close_and_wait(&self) {
        // sqlx's `close` can miss a connection handed back while it waits for the last one: that
        // one lands among the idle connections and stays open. Closing again closes what is idle
        // by then, until the file is free (or, after about 10 s, giving up with a warning).
        for _ in 0..50 {
            self.pool.close().await;
            if backup::unused(&self.path, Duration::from_millis(200)).await {
                self.presence.release();
                return;
            }
        }
        self.presence.release();
        tracing::warn!(db = %self.path.display(), "the database is still open somewhere after closing");
    }

    /// A consistent copy (`VACUUM INTO`) of a database that has data and pending migrations.
    async fn backup_before_migrations(&self) -> Result<()> {
        // SQLite: the `sqlite_master` catalogue.
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
        let mut conn = self.pool.acquire().await?;
        backup::write_backup(&mut conn, &self.path, BackupKind::PreMigration, latest).await?;
        Ok(())
    }

    /// "Back up now": a consistent copy of the live database beside it (see [`backup`] for the
    /// names and how many are kept).
    pub async fn backup_now(&self) -> Result<BackupInfo> {
        let mut conn = self.pool.acquire().await?;
        let path = backup::write_backup(&mut conn, &self.path, BackupKind::Manual, 0).await?;
        backup::info_of(&self.path, &path)
    }
}
