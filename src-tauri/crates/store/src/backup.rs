//! The database file's safety: consistent copies (`VACUUM INTO`) beside it, the list of them,
//! restoring one in place of the database, and telling a damaged file from a working one.
//!
//! Every backup lives next to the database and is named `<stem>.<tag>-<stamp>.backup.db`, the
//! convention the pre-migration copies always had (`ordertray.v3-20260101T120000.backup.db`):
//! `v<N>` before a migration from schema version N, `manual` for "Back up now", `before-restore`
//! for the database a restore replaced. Each kind is pruned on its own (see [`kept`]). A file that
//! cannot be read at all is never deleted: it is moved aside as `<stem>.corrupt-<stamp>.db`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use ordertray_core::database::{BackupInfo, BackupKind, RestoreReport};
use ordertray_core::AppError;
use ordertray_core::{ErrorWords, Thing};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteLockingMode};
use sqlx::{Connection, Row};

use crate::{Result, StoreError, MIGRATOR};

const SUFFIX: &str = ".backup.db";
/// UTC, to the second; a second backup within the same second gets `_1`, `_2`… after it.
const STAMP: &str = "%Y%m%dT%H%M%S";
const STAMP_LEN: usize = 15;
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How many backups of each kind stay. They are counted apart so that one kind never pushes out
/// another: a run of upgrades (each making a pre-migration copy) must not delete the copies the
/// manager made on purpose, and a burst of "Back up now" must not delete the only copy from
/// before a migration or a restore. Pre-migration copies only matter until the new version has
/// proved itself, and a restore is undone soon after or not at all, hence 3; the manager's own
/// copies are the ones restored from weeks later, hence more.
pub(crate) fn kept(kind: BackupKind) -> usize {
    match kind {
        BackupKind::PreMigration => 3,
        BackupKind::Manual => 10,
        BackupKind::BeforeRestore => 3,
    }
}

fn tag(kind: BackupKind, schema_version: i64) -> String {
    match kind {
        BackupKind::PreMigration => format!("v{schema_version}"),
        BackupKind::Manual => "manual".into(),
        BackupKind::BeforeRestore => "before-restore".into(),
    }
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io(format!("{}: {e}", path.display()))
}

fn dir_of(db: &Path) -> &Path {
    match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

fn stem_of(db: &Path) -> String {
    db.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ordertray".into())
}

/// `<dir>/<stem>.<middle>-<stamp><ext>`, with `_N` after the stamp when that second already has
/// one: N above any taken, so that names made later always sort later (even after pruning).
fn unique_path(db: &Path, middle: &str, ext: &str) -> PathBuf {
    let (dir, stem) = (dir_of(db), stem_of(db));
    let stamp = Utc::now().format(STAMP).to_string();
    let prefix = format!("{stem}.{middle}-{stamp}");
    let taken = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            let rest = name.strip_prefix(&prefix)?;
            match rest.strip_prefix('_') {
                Some(seq) => seq
                    .split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse::<u32>()
                    .ok(),
                None => Some(0),
            }
        })
        .max();
    let seq = match taken {
        None => String::new(),
        Some(n) => format!("_{}", n + 1),
    };
    dir.join(format!("{prefix}{seq}{ext}"))
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// `path` with `suffix` appended to its file name (`ordertray.db` → `ordertray.db-wal`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The files SQLite keeps beside a database while it is open or after a crash.
const SIDECARS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Reads a backup's kind and time from its name; None for any other file.
fn parse_name(stem: &str, name: &str) -> Option<(BackupKind, Option<DateTime<Utc>>, u32)> {
    let middle = name.strip_prefix(stem)?.strip_prefix('.')?.strip_suffix(SUFFIX)?;
    let (kind, rest) = if let Some(rest) = middle.strip_prefix("manual-") {
        (BackupKind::Manual, rest)
    } else if let Some(rest) = middle.strip_prefix("before-restore-") {
        (BackupKind::BeforeRestore, rest)
    } else {
        let (version, rest) = middle.strip_prefix('v')?.split_once('-')?;
        if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        (BackupKind::PreMigration, rest)
    };
    let time = rest
        .get(..STAMP_LEN)
        .and_then(|s| NaiveDateTime::parse_from_str(s, STAMP).ok())
        .map(|t| t.and_utc());
    let seq = rest
        .get(STAMP_LEN..)
        .and_then(|s| s.strip_prefix('_'))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Some((kind, time, seq))
}

/// The backups beside the database `db`, newest first. Works without opening the database.
pub fn list_backups(db: &Path) -> Vec<BackupInfo> {
    let stem = stem_of(db);
    let Ok(entries) = std::fs::read_dir(dir_of(db)) else {
        return vec![];
    };
    let mut found: Vec<(BackupInfo, u32)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            let (kind, time, seq) = parse_name(&stem, &name)?;
            let meta = entry.metadata().ok().filter(|m| m.is_file())?;
            let created_at = time
                .or_else(|| meta.modified().ok().map(DateTime::<Utc>::from))
                .unwrap_or_default();
            let info = BackupInfo {
                path: entry.path().display().to_string(),
                file_name: name,
                bytes: meta.len(),
                created_at,
                kind,
            };
            Some((info, seq))
        })
        .collect();
    found.sort_by(|(a, sa), (b, sb)| (b.created_at, sb, &b.file_name).cmp(&(a.created_at, sa, &a.file_name)));
    found.into_iter().map(|(info, _)| info).collect()
}

/// Deletes the oldest backups of `kind` beyond what [`kept`] promises; other kinds are untouched.
pub(crate) fn prune(db: &Path, kind: BackupKind) {
    let excess = list_backups(db)
        .into_iter()
        .filter(|b| b.kind == kind)
        .skip(kept(kind));
    for old in excess {
        if let Err(e) = std::fs::remove_file(&old.path) {
            tracing::warn!(backup = %old.path, error = %e, "old backup not removed");
        }
    }
}

/// A consistent copy of the database open on `conn`, under the next name of `kind`. The copy is
/// written to a `.partial` file first, so a failure (a full disk) never leaves half a backup
/// among the good ones. Older backups of the same kind beyond [`kept`] are removed.
pub(crate) async fn write_backup(
    conn: &mut SqliteConnection,
    db: &Path,
    kind: BackupKind,
    schema_version: i64,
) -> Result<PathBuf> {
    let target = unique_path(db, &tag(kind, schema_version), SUFFIX);
    let writing = partial(&target);
    // An empty owner-only file first: VACUUM INTO fills an empty file and keeps its mode, where a
    // file it creates itself would be readable by every user.
    crate::private_fs::create_private_file(&writing).map_err(|e| io(&writing, e))?;
    // SQLite: `VACUUM INTO` writes a consistent copy of the live database.
    let vacuum = sqlx::query("VACUUM INTO ?")
        .bind(writing.to_string_lossy().to_string())
        .execute(&mut *conn)
        .await;
    if let Err(e) = vacuum {
        let _ = std::fs::remove_file(&writing);
        return Err(e.into());
    }
    std::fs::rename(&writing, &target).map_err(|e| io(&target, e))?;
    tracing::info!(backup = %target.display(), ?kind, "database backed up");
    prune(db, kind);
    remove_stale_partials(db, std::time::SystemTime::now());
    Ok(target)
}

/// How long a `.partial` copy goes unwritten before it counts as left behind: `VACUUM INTO` writes
/// its file all along, so only a process that stopped mid-backup leaves one this old.
const STALE_PARTIAL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Removes the `.partial` copies that processes stopped mid-backup left beside the database (a
/// kill, or the window closed while an upgrade made its copy): each is as large as the database,
/// and no list shows them. One written to within [`STALE_PARTIAL`] of `now` may be another
/// process's backup under way (the command line beside the app), and stays.
fn remove_stale_partials(db: &Path, now: std::time::SystemTime) {
    let stem = stem_of(db);
    let Ok(entries) = std::fs::read_dir(dir_of(db)) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name();
        let Some(backup) = name.to_str().and_then(|n| n.strip_suffix(".partial")) else {
            continue;
        };
        if parse_name(&stem, backup).is_none() {
            continue;
        }
        let unwritten = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|written| now.duration_since(written).ok());
        if unwritten.is_some_and(|age| age >= STALE_PARTIAL) {
            let path = entry.path();
            match std::fs::remove_file(&path) {
                Ok(()) => tracing::info!(partial = %path.display(), "a backup left unfinished removed"),
                Err(e) => {
                    tracing::warn!(partial = %path.display(), error = %e, "a backup left unfinished not removed")
                }
            }
        }
    }
}

pub(crate) fn info_of(db: &Path, backup: &Path) -> Result<BackupInfo> {
    let name = backup.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    list_backups(db)
        .into_iter()
        .find(|b| b.file_name == name)
        .ok_or_else(|| StoreError::Io(format!("{}: the backup is missing", backup.display())))
}

/// The database's size on disk: the file and its write-ahead log.
pub fn database_bytes(db: &Path) -> u64 {
    [db.to_path_buf(), sidecar(db, "-wal")]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Cheap checks of a database file before SQLite opens it: that it is an SQLite file at all, and
/// that it is not shorter than its header says (a copy cut off midway, which SQLite would open
/// and only report when a missing page is read). A missing or empty file passes: SQLite makes a
/// new database of it.
pub fn check_header(db: &Path) -> Result<()> {
    let Ok(mut file) = std::fs::File::open(db) else {
        return Ok(());
    };
    let len = file.metadata().map_err(|e| io(db, e))?.len();
    if len == 0 {
        return Ok(());
    }
    let mut header = [0u8; 100];
    if len < header.len() as u64 {
        return Err(StoreError::Damaged(format!(
            "the file is only {len} bytes long, too short for a database"
        )));
    }
    file.read_exact(&mut header).map_err(|e| io(db, e))?;
    if &header[..16] != SQLITE_MAGIC {
        return Err(StoreError::Damaged(
            "the file is not an SQLite database (file is not a database)".into(),
        ));
    }
    let be32 = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536,
        n => u64::from(n),
    };
    let pages = u64::from(be32(28));
    // The page count is only valid when the change counter matches "version valid for"; a log or
    // journal beside the file may still hold pages the file lacks.
    let count_valid = pages > 0 && be32(24) == be32(92);
    let pending = ["-wal", "-journal"]
        .iter()
        .any(|s| std::fs::metadata(sidecar(db, s)).is_ok_and(|m| m.len() > 0));
    let expected = pages * page_size;
    if count_valid && !pending && len < expected {
        return Err(StoreError::Damaged(format!(
            "the file is cut short: {len} bytes of the {expected} its header records"
        )));
    }
    Ok(())
}

/// One connection to an existing database file (never creating one), in the journal mode it has.
async fn connect(db: &Path, journal: Option<SqliteJournalMode>) -> Result<SqliteConnection> {
    let mut options = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?
        .filename(db)
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_secs(10));
    if let Some(mode) = journal {
        options = options.journal_mode(mode);
    }
    Ok(SqliteConnection::connect_with(&options).await?)
}

/// Whether no other connection has the database open: a connection in exclusive locking mode
/// gets its lock only when it is the last one (SQLite's busy timeout, `wait`, lets others finish),
/// and closing last it folds the write-ahead log into the file and removes it. True as well when
/// the file cannot be opened at all (then nothing has it open either).
pub(crate) async fn unused(db: &Path, wait: std::time::Duration) -> bool {
    let Ok(options) = SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display())) else {
        return true;
    };
    let options = options
        .filename(db)
        .create_if_missing(false)
        .locking_mode(SqliteLockingMode::Exclusive)
        .busy_timeout(wait);
    let Ok(mut conn) = SqliteConnection::connect_with(&options).await else {
        return true;
    };
    let locked = sqlx::query("BEGIN EXCLUSIVE").execute(&mut conn).await.is_ok();
    if locked {
        let _ = sqlx::query("COMMIT").execute(&mut conn).await;
    }
    let _ = conn.close().await;
    locked
}

/// SQLite's own check of every page; `Damaged` with its first findings when it finds any.
async fn integrity(conn: &mut SqliteConnection, pragma: &str) -> Result<()> {
    let findings: Vec<String> = sqlx::query(pragma)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0).unwrap_or_default())
        .collect();
    if findings.len() == 1 && findings[0] == "ok" {
        return Ok(());
    }
    let shown: Vec<&str> = findings.iter().take(3).map(String::as_str).collect();
    Err(StoreError::Damaged(format!(
        "the integrity check failed: {}",
        shown.join("; ")
    )))
}

/// Whether the database at `db` can be opened and read: the header checks, then SQLite's quick
/// check of every page. `Damaged` says the file itself is broken; other errors say it could not
/// be reached (permissions, a missing folder). Used to explain a failed start, not on every start.
pub async fn check_database(db: &Path) -> Result<()> {
    check_header(db)?;
    let mut conn = connect(db, None).await?;
    // SQLite: integrity pragmas.
    let checked = integrity(&mut conn, "PRAGMA quick_check").await;
    let _ = conn.close().await;
    checked
}

/// Whether the database at `db` was brought up to date by a newer Ordertray (it has a migration
/// this version does not know): this version cannot open it, and nothing in it is damaged.
pub async fn made_by_newer_version(db: &Path) -> bool {
    let Ok(mut conn) = connect(db, None).await else {
        return false;
    };
    let newer = has_unknown_migrations(&mut conn).await.unwrap_or(false);
    let _ = conn.close().await;
    newer
}

async fn has_unknown_migrations(conn: &mut SqliteConnection) -> Result<bool> {
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
        .fetch_all(&mut *conn)
        .await?;
    Ok(versions.iter().any(|v| !MIGRATOR.iter().any(|m| m.version == *v)))
}

/// Moves an unreadable database (and what SQLite kept beside it) aside as
/// `<stem>.corrupt-<stamp>.db`, so that a new one can be made in its place. Nothing is deleted.
pub fn move_aside(db: &Path) -> Result<PathBuf> {
    let target = unique_path(db, "corrupt", ".db");
    std::fs::rename(db, &target).map_err(|e| io(db, e))?;
    for suffix in SIDECARS {
        let from = sidecar(db, suffix);
        if from.exists() {
            std::fs::rename(&from, sidecar(&target, suffix)).map_err(|e| io(&from, e))?;
        }
    }
    tracing::warn!(moved_to = %target.display(), "unreadable database moved aside");
    Ok(target)
}

/// A backup copied beside the database and checked, waiting to take the database's place.
///
/// The order keeps every step undoable: [`StagedRestore::prepare`] copies and checks while the
/// database is still in use (a bad backup changes nothing); [`StagedRestore::apply`], called once
/// the database is closed, first keeps the current database (a "before restore" backup, or the
/// file moved aside when it cannot be read), then removes its log files and renames the checked
/// copy over it. A staged copy that is never applied is deleted when dropped.
#[derive(Debug)]
pub struct StagedRestore {
    db: PathBuf,
    staged: PathBuf,
    source: PathBuf,
    applied: bool,
}

impl StagedRestore {
    pub async fn prepare(db: &Path, backup: &Path) -> Result<Self> {
        let name = backup.display().to_string();
        if !backup.is_file() {
            return Err(AppError::missing(Thing::Backup, name).into());
        }
        let same = match (std::fs::canonicalize(db), std::fs::canonicalize(backup)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(AppError::refused(ErrorWords::BackupIsDatabase {
                name: name.to_string(),
            })
            .into());
        }
        let staged = sidecar(db, ".restoring");
        for stale in std::iter::once(staged.clone()).chain(SIDECARS.iter().map(|s| sidecar(&staged, s))) {
            let _ = std::fs::remove_file(stale);
        }
        let this = Self {
            db: db.to_path_buf(),
            staged: staged.clone(),
            source: backup.to_path_buf(),
            applied: false,
        };
        std::fs::copy(backup, &staged).map_err(|e| io(backup, e))?;
        this.verify().await.map_err(|e| match e {
            StoreError::Damaged(why) => {
                StoreError::Damaged(format!("the backup {name} cannot be used: {why}"))
            }
            other => other,
        })?;
        Ok(this)
    }

    /// The copy opens, passes the full integrity check, and is an Ordertray database this version
    /// can open (no migration it does not know).
    async fn verify(&self) -> Result<()> {
        check_header(&self.staged)?;
        // Rollback journal while checking: nothing is left beside the copy, and Store::open puts
        // the restored database back in WAL mode.
        let mut conn = connect(&self.staged, Some(SqliteJournalMode::Delete)).await?;
        let checked = async {
            // SQLite: integrity pragma and the `sqlite_master` catalogue.
            integrity(&mut conn, "PRAGMA integrity_check").await?;
            let has_table: bool = sqlx::query_scalar(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            )
            .fetch_one(&mut conn)
            .await?;
            if !has_table {
                return Err(AppError::refused(ErrorWords::NotOrdertrayDatabase {
                    name: self.source.display().to_string(),
                })
                .into());
            }
            if has_unknown_migrations(&mut conn).await? {
                return Err(AppError::refused(ErrorWords::BackupTooNew {
                    name: self.source.display().to_string(),
                })
                .into());
            }
            Ok(())
        }
        .await;
        let _ = conn.close().await;
        checked
    }

    /// Puts the checked copy in place of the database, which must be closed by now.
    pub async fn apply(mut self) -> Result<RestoreReport> {
        let (previous, previous_moved_aside) = keep_current(&self.db).await?;
        for suffix in SIDECARS {
            let path = sidecar(&self.db, suffix);
            if path.exists() {
                std::fs::remove_file(&path).map_err(|e| io(&path, e))?;
            }
        }
        std::fs::rename(&self.staged, &self.db).map_err(|e| io(&self.db, e))?;
        self.applied = true;
        tracing::warn!(from = %self.source.display(), db = %self.db.display(), "database restored from a backup");
        Ok(RestoreReport {
            restored_from: self.source.display().to_string(),
            previous: previous.map(|p| p.display().to_string()),
            previous_moved_aside,
        })
    }
}

impl Drop for StagedRestore {
    fn drop(&mut self) {
        if !self.applied {
            let _ = std::fs::remove_file(&self.staged);
        }
    }
}

/// Keeps the database a restore is about to replace: a backup when it can be read (so the restore
/// can be undone from the list), else the file itself moved aside.
async fn keep_current(db: &Path) -> Result<(Option<PathBuf>, bool)> {
    if !db.exists() {
        return Ok((None, false));
    }
    let copied = async {
        check_header(db)?;
        let mut conn = connect(db, None).await?;
        let version: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&mut conn)
                .await
                .unwrap_or(0);
        let written = write_backup(&mut conn, db, BackupKind::BeforeRestore, version).await;
        let _ = conn.close().await;
        written
    }
    .await;
    match copied {
        Ok(backup) => Ok((Some(backup), false)),
        Err(e) => {
            tracing::warn!(error = %e, "the replaced database could not be copied; moving it aside");
            Ok((Some(move_aside(db)?), true))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_kind_time_and_order() {
        let (kind, time, seq) = parse_name("ordertray", "ordertray.v10-20260102T030405.backup.db").unwrap();
        assert_eq!(kind, BackupKind::PreMigration);
        assert_eq!(time.unwrap().to_rfc3339(), "2026-01-02T03:04:05+00:00");
        assert_eq!(seq, 0);
        let (kind, _, seq) =
            parse_name("ordertray", "ordertray.manual-20260102T030405_12.backup.db").unwrap();
        assert_eq!((kind, seq), (BackupKind::Manual, 12));
        let (kind, _, _) =
            parse_name("ordertray", "ordertray.before-restore-20260102T030405.backup.db").unwrap();
        assert_eq!(kind, BackupKind::BeforeRestore);
        for other in [
            "ordertray.db",
            "ordertray.corrupt-20260102T030405.db",
            "ordertray.manual-20260102T030405.backup.db.partial",
            "ordertray.vX-20260102T030405.backup.db",
            "other.manual-20260102T030405.backup.db",
            "ordertray2.manual-20260102T030405.backup.db",
        ] {
            assert!(parse_name("ordertray", other).is_none(), "{other}");
        }
    }

    #[tokio::test]
    async fn a_backup_removes_the_copies_left_unfinished_but_not_one_under_way() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ordertray.db");
        let store = crate::Store::open(&db).await.unwrap();
        let file = |name: &str| dir.path().join(name);
        let left = "ordertray.v38-20260101T000000.backup.db.partial";
        let under_way = "ordertray.manual-20260101T000000.backup.db.partial";
        let not_ours = "other.manual-20260101T000000.backup.db.partial";
        for name in [left, under_way, not_ours] {
            std::fs::write(file(name), b"half a copy").unwrap();
        }
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for name in [left, not_ours] {
            std::fs::File::options()
                .write(true)
                .open(file(name))
                .unwrap()
                .set_modified(hour_ago)
                .unwrap();
        }

        store.backup_now().await.unwrap();

        assert!(!file(left).exists());
        assert!(file(under_way).exists());
        assert!(file(not_ours).exists());
        assert_eq!(list_backups(&db).len(), 1);
        store.close().await;
    }

    #[test]
    fn pruning_keeps_the_newest_of_each_kind_and_never_touches_other_kinds() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ordertray.db");
        let touch = |name: &str| std::fs::write(dir.path().join(name), b"x").unwrap();
        // Schema v9 then v10 on later days: v10's name sorts first, its time is what counts.
        for (v, day) in [(8, 1), (9, 2), (10, 3), (11, 4)] {
            touch(&format!("ordertray.v{v}-202601{day:02}T000000.backup.db"));
        }
        for seq in 0..12 {
            let seq = if seq == 0 {
                String::new()
            } else {
                format!("_{seq}")
            };
            touch(&format!("ordertray.manual-20260105T000000{seq}.backup.db"));
        }
        touch("ordertray.corrupt-20250101T000000.db");
        touch("notes.txt");

        prune(&db, BackupKind::PreMigration);
        prune(&db, BackupKind::Manual);

        let left: Vec<String> = list_backups(&db).into_iter().map(|b| b.file_name).collect();
        let pre: Vec<&String> = left.iter().filter(|n| n.contains(".v")).collect();
        assert_eq!(
            pre,
            [
                "ordertray.v11-20260104T000000.backup.db",
                "ordertray.v10-20260103T000000.backup.db",
                "ordertray.v9-20260102T000000.backup.db"
            ]
        );
        let manual: Vec<&String> = left.iter().filter(|n| n.contains("manual")).collect();
        assert_eq!(manual.len(), 10);
        assert_eq!(manual[0], "ordertray.manual-20260105T000000_11.backup.db");
        assert_eq!(manual[9], "ordertray.manual-20260105T000000_2.backup.db");
        // Not backups: never pruned.
        assert!(dir.path().join("ordertray.corrupt-20250101T000000.db").exists());
        assert!(dir.path().join("notes.txt").exists());
    }

    #[test]
    fn header_checks_tell_garbage_and_cut_files_apart_from_new_ones() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        assert!(check_header(&db).is_ok(), "a missing file becomes a new database");
        std::fs::write(&db, b"").unwrap();
        assert!(check_header(&db).is_ok(), "an empty file is an empty database");
        std::fs::write(&db, [7u8; 4096]).unwrap();
        assert!(matches!(check_header(&db), Err(StoreError::Damaged(_))));
        std::fs::write(&db, b"short").unwrap();
        assert!(matches!(check_header(&db), Err(StoreError::Damaged(_))));
        // A header recording 10 pages of 4096 bytes, in a file of 2 pages.
        let mut bytes = vec![0u8; 8192];
        bytes[..16].copy_from_slice(SQLITE_MAGIC);
        bytes[16..18].copy_from_slice(&4096u16.to_be_bytes());
        bytes[24..28].copy_from_slice(&5u32.to_be_bytes());
        bytes[28..32].copy_from_slice(&10u32.to_be_bytes());
        bytes[92..96].copy_from_slice(&5u32.to_be_bytes());
        std::fs::write(&db, &bytes).unwrap();
        let Err(StoreError::Damaged(why)) = check_header(&db) else {
            panic!("a cut file passed")
        };
        assert!(why.contains("cut short"), "{why}");
        // The same file with a write-ahead log beside it may be whole: SQLite decides.
        std::fs::write(sidecar(&db, "-wal"), b"frames").unwrap();
        assert!(check_header(&db).is_ok());
    }
}
