//! Backups, restores and damaged files, on real SQLite files in temporary folders.

use std::path::{Path, PathBuf};

use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::database::BackupKind;
use ordertray_core::{AccountDraft, AccountSettings, ErrorCode};
use ordertray_store::{check_database, list_backups, move_aside, StagedRestore, Store, StoreError};

fn draft(name: &str) -> AccountDraft {
    AccountDraft {
        name: name.into(),
        region: "Moscow".into(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(OzonSettings::new("123")),
    }
}

async fn names(store: &Store) -> Vec<String> {
    let mut names: Vec<String> = store
        .accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    names.sort();
    names
}

/// A closed database at `<dir>/ordertray.db` holding accounts with these names.
async fn database(dir: &Path, accounts: &[&str]) -> PathBuf {
    let db = dir.join("ordertray.db");
    let store = Store::open(&db).await.unwrap();
    for name in accounts {
        store.insert_account(&draft(name), false).await.unwrap();
    }
    store.close_and_wait().await;
    assert!(!sidecar(&db, "-wal").exists(), "everything is in the file itself");
    db
}

fn sidecar(db: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", db.display()))
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn random_bytes(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

fn code(e: StoreError) -> ErrorCode {
    ordertray_core::AppError::from(e).code
}

#[tokio::test]
async fn backup_now_makes_a_copy_that_opens_with_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let store = Store::open(&db).await.unwrap();
    store.insert_account(&draft("Shop A"), false).await.unwrap();
    store.insert_account(&draft("Shop B"), false).await.unwrap();

    let backup = store.backup_now().await.unwrap();
    assert_eq!(backup.kind, BackupKind::Manual);
    assert!(
        backup.file_name.starts_with("ordertray.manual-"),
        "{}",
        backup.file_name
    );
    assert!(backup.file_name.ends_with(".backup.db"));
    assert!(backup.bytes > 0);
    assert!((chrono::Utc::now() - backup.created_at).num_seconds() < 60);
    assert_eq!(list_backups(&db), std::slice::from_ref(&backup));
    // Written while the database is open: later changes are not in it.
    store.insert_account(&draft("Shop C"), false).await.unwrap();

    let copy = Store::open(Path::new(&backup.path)).await.unwrap();
    assert_eq!(names(&copy).await, ["Shop A", "Shop B"]);
    copy.close().await;
    store.close().await;
    assert!(!files(dir.path()).iter().any(|f| f.ends_with(".partial")));
}

#[tokio::test]
async fn manual_backups_keep_the_last_ten_and_leave_other_kinds_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let store = Store::open(&db).await.unwrap();
    let first = store.backup_now().await.unwrap();
    for v in [1, 2, 3] {
        std::fs::copy(
            &first.path,
            dir.path()
                .join(format!("ordertray.v{v}-2026010{v}T000000.backup.db")),
        )
        .unwrap();
    }
    let mut made = vec![first];
    for _ in 0..11 {
        made.push(store.backup_now().await.unwrap());
    }
    let listed = list_backups(&db);
    let manual: Vec<&str> = listed
        .iter()
        .filter(|b| b.kind == BackupKind::Manual)
        .map(|b| b.file_name.as_str())
        .collect();
    let newest: Vec<&str> = made.iter().rev().take(10).map(|b| b.file_name.as_str()).collect();
    assert_eq!(manual, newest, "the ten newest, newest first");
    assert_eq!(
        listed
            .iter()
            .filter(|b| b.kind == BackupKind::PreMigration)
            .count(),
        3
    );
    store.close().await;
}

#[tokio::test]
async fn restore_brings_back_the_backup_and_keeps_the_replaced_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &["Shop A"]).await;
    let store = Store::open(&db).await.unwrap();
    let backup = store.backup_now().await.unwrap();
    store.insert_account(&draft("Shop B"), false).await.unwrap();

    // Checked while the database is still in use; it changes nothing yet.
    let staged = StagedRestore::prepare(&db, Path::new(&backup.path))
        .await
        .unwrap();
    assert_eq!(names(&store).await, ["Shop A", "Shop B"]);
    store.close_and_wait().await;
    let report = staged.apply().await.unwrap();

    assert_eq!(report.restored_from, backup.path);
    assert!(!report.previous_moved_aside);
    let previous = report.previous.expect("the replaced database is kept");
    let kept = list_backups(&db);
    assert!(kept
        .iter()
        .any(|b| b.path == previous && b.kind == BackupKind::BeforeRestore));
    assert!(
        kept.iter().any(|b| b.path == backup.path),
        "the backup itself stays"
    );
    assert!(!dir.path().join("ordertray.db.restoring").exists());

    let restored = Store::open(&db).await.unwrap();
    assert_eq!(names(&restored).await, ["Shop A"]);
    restored.close().await;
    // Undo: the replaced database is whole in its backup.
    let replaced = Store::open(Path::new(&previous)).await.unwrap();
    assert_eq!(names(&replaced).await, ["Shop A", "Shop B"]);
    replaced.close().await;
}

#[tokio::test]
async fn a_damaged_or_foreign_backup_is_refused_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &["Shop A"]).await;
    let before = files(dir.path());

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, random_bytes(64 * 1024)).unwrap();
    let err = StagedRestore::prepare(&db, &garbage).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Damaged(m) if m.contains("garbage.db")),
        "{err}"
    );

    let foreign = dir.path().join("other.sqlite");
    let other = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", foreign.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE notes (text TEXT)")
        .execute(&other)
        .await
        .unwrap();
    other.close().await;
    let err = StagedRestore::prepare(&db, &foreign).await.unwrap_err();
    assert!(err.to_string().contains("not an Ordertray database"), "{err}");

    let err = StagedRestore::prepare(&db, &db).await.unwrap_err();
    assert_eq!(code(err), ErrorCode::InvalidInput);
    let err = StagedRestore::prepare(&db, &dir.path().join("missing.db"))
        .await
        .unwrap_err();
    assert_eq!(code(err), ErrorCode::NotFound);

    let mut after = files(dir.path());
    after.retain(|f| f != "garbage.db" && f != "other.sqlite");
    assert_eq!(after, before, "no staged copy or backup left behind");
    let store = Store::open(&db).await.unwrap();
    assert_eq!(names(&store).await, ["Shop A"]);
    store.close().await;
}

#[tokio::test]
async fn a_file_of_random_bytes_is_reported_as_damaged_and_can_be_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let garbage = random_bytes(256 * 1024);
    std::fs::write(&db, &garbage).unwrap();

    let err = Store::open(&db).await.unwrap_err();
    assert!(matches!(err, StoreError::Damaged(_)), "{err}");
    assert!(err.to_string().contains("damaged"), "{err}");
    assert!(matches!(check_database(&db).await, Err(StoreError::Damaged(_))));

    let aside = move_aside(&db).unwrap();
    let name = aside.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("ordertray.corrupt-") && name.ends_with(".db"),
        "{name}"
    );
    assert_eq!(std::fs::read(&aside).unwrap(), garbage, "moved, not changed");
    assert!(!db.exists());
    assert!(
        list_backups(&db).is_empty(),
        "a damaged file is not offered as a backup"
    );

    // A new, empty database in its place.
    let store = Store::open(&db).await.unwrap();
    assert!(store.accounts().await.unwrap().is_empty());
    store.close().await;
    check_database(&db).await.unwrap();
}

#[tokio::test]
async fn sqlite_garbage_after_its_header_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    // SQLite's magic, then noise: passes the header check, fails in SQLite.
    let mut bytes = random_bytes(64 * 1024);
    bytes[..16].copy_from_slice(b"SQLite format 3\0");
    std::fs::write(&db, &bytes).unwrap();
    let err = Store::open(&db).await.unwrap_err();
    assert!(matches!(err, StoreError::Damaged(_)), "{err}");
}

#[tokio::test]
async fn a_truncated_database_is_reported_as_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let many: Vec<String> = (0..400)
        .map(|i| format!("Shop {i:03} with a long name to fill pages"))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let db = database(dir.path(), &refs).await;
    let len = std::fs::metadata(&db).unwrap().len();
    assert!(len > 8 * 4096, "a database of several pages ({len} bytes)");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len / 2)
        .unwrap();

    let err = Store::open(&db).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Damaged(m) if m.contains("cut short")),
        "{err}"
    );
    let checked = check_database(&db).await;
    assert!(matches!(checked, Err(StoreError::Damaged(_))), "{checked:?}");
}

#[tokio::test]
async fn a_damaged_page_inside_the_file_is_found_by_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let many: Vec<String> = (0..400)
        .map(|i| format!("Shop {i:03} with a long name to fill pages"))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let db = database(dir.path(), &refs).await;
    let mut bytes = std::fs::read(&db).unwrap();
    let len = bytes.len();
    // Overwrite the pages in the middle, leaving the header as it was.
    let noise = random_bytes(len / 2);
    bytes[len / 4..len / 4 + noise.len()].copy_from_slice(&noise);
    std::fs::write(&db, &bytes).unwrap();
    assert!(matches!(check_database(&db).await, Err(StoreError::Damaged(_))));
}

#[tokio::test]
async fn restoring_over_a_damaged_database_moves_it_aside_instead_of_deleting_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &["Shop A"]).await;
    let store = Store::open(&db).await.unwrap();
    let backup = store.backup_now().await.unwrap();
    store.close_and_wait().await;
    let garbage = random_bytes(128 * 1024);
    std::fs::write(&db, &garbage).unwrap();

    let staged = StagedRestore::prepare(&db, Path::new(&backup.path))
        .await
        .unwrap();
    let report = staged.apply().await.unwrap();
    assert!(report.previous_moved_aside);
    let aside = report.previous.unwrap();
    assert!(aside.contains("ordertray.corrupt-"), "{aside}");
    assert_eq!(std::fs::read(&aside).unwrap(), garbage);

    let restored = Store::open(&db).await.unwrap();
    assert_eq!(names(&restored).await, ["Shop A"]);
    restored.close().await;
}

#[tokio::test]
async fn restoring_removes_the_old_write_ahead_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path(), &["Shop A"]).await;
    let store = Store::open(&db).await.unwrap();
    let backup = store.backup_now().await.unwrap();
    store.close_and_wait().await;
    // A log left by a crash would be replayed onto the restored file.
    std::fs::write(dir.path().join("ordertray.db-wal"), random_bytes(4096)).unwrap();
    std::fs::write(dir.path().join("ordertray.db-shm"), random_bytes(4096)).unwrap();

    StagedRestore::prepare(&db, Path::new(&backup.path))
        .await
        .unwrap()
        .apply()
        .await
        .unwrap();
    assert!(!dir.path().join("ordertray.db-shm").exists());
    let restored = Store::open(&db).await.unwrap();
    assert_eq!(names(&restored).await, ["Shop A"]);
    restored.close().await;
    check_database(&db).await.unwrap();
}
