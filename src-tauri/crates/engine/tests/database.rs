//! The database's safety through the engine: back up now, restore (with and without a running
//! engine), and a damaged database at start. Real SQLite files in temporary folders.

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use common::{draft, fresh_engine, from_a_newer_version, open, options, API_KEY};
use ordertray_core::database::{BackupKind, DatabaseProblemKind};
use ordertray_core::ErrorCode;
use ordertray_engine::{database, Engine, MemorySecretStore, RecordingNotifier};

async fn add(engine: &Engine, name: &str) {
    let mut d = draft("http://127.0.0.1:9");
    d.name = name.into();
    let secrets = HashMap::from([("api_key".to_string(), API_KEY.to_string())]);
    engine.add_account(d, secrets).await.unwrap();
}

async fn names(engine: &Engine) -> Vec<String> {
    let mut names: Vec<String> = engine
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.account.name)
        .collect();
    names.sort();
    names
}

async fn reopen(db: &Path, secrets: Arc<MemorySecretStore>) -> Engine {
    open(db, secrets, RecordingNotifier::default()).await
}

fn noise(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(7919) % 251) as u8 ^ 0x5a)
        .collect()
}

#[tokio::test]
async fn back_up_now_is_listed_with_the_database_size() {
    let (_dir, db, _secrets, engine) = fresh_engine().await;
    add(&engine, "Shop A").await;
    let before = engine.database_info().await.unwrap();
    assert_eq!(before.path, db.display().to_string());
    assert!(before.bytes > 0);
    assert!(before.backups.is_empty());

    let backup = engine.backup_now().await.unwrap();
    assert_eq!(backup.kind, BackupKind::Manual);
    let after = engine.database_info().await.unwrap();
    assert_eq!(after.backups, [backup]);
    // The engine goes on as before.
    add(&engine, "Shop B").await;
    assert_eq!(names(&engine).await, ["Shop A", "Shop B"]);
    engine.shutdown().await;
}

#[tokio::test]
async fn restore_replaces_the_data_and_keeps_the_replaced_database_for_undo() {
    let (_dir, db, secrets, engine) = fresh_engine().await;
    add(&engine, "Shop A").await;
    let backup = engine.backup_now().await.unwrap();
    add(&engine, "Shop B").await;

    let report = engine.restore_backup(Path::new(&backup.path)).await.unwrap();
    assert!(engine.is_closed(), "the old engine is finished; the app restarts");
    assert_eq!(report.restored_from, backup.path);
    assert!(!report.previous_moved_aside);

    let engine = reopen(&db, secrets.clone()).await;
    assert_eq!(names(&engine).await, ["Shop A"]);
    let info = engine.database_info().await.unwrap();
    let previous = report.previous.unwrap();
    let undo = info
        .backups
        .iter()
        .find(|b| b.path == previous)
        .expect("the replaced database is listed");
    assert_eq!(undo.kind, BackupKind::BeforeRestore);

    // Undo the restore by restoring the copy it kept.
    engine.restore_backup(Path::new(&previous)).await.unwrap();
    let engine = reopen(&db, secrets).await;
    assert_eq!(names(&engine).await, ["Shop A", "Shop B"]);
    engine.shutdown().await;
}

/// A restore while another process has the database open (the command line beside the app) is
/// refused before anything closes: the file was replaced from under a process that went on
/// writing to the old one. Once that process has closed, the restore goes ahead.
#[tokio::test]
async fn a_restore_waits_for_every_other_process_to_close_the_database() {
    let (_dir, db, secrets, engine) = fresh_engine().await;
    add(&engine, "Shop A").await;
    let backup = engine.backup_now().await.unwrap();
    add(&engine, "Shop B").await;
    let other = ordertray_store::Store::open(&db).await.unwrap();

    let refused = engine.restore_backup(Path::new(&backup.path)).await.unwrap_err();
    assert_eq!(
        refused.words.as_deref(),
        Some(&ordertray_core::ErrorWords::DatabaseInUse {})
    );
    assert!(!engine.is_closed(), "the engine runs on");
    assert_eq!(names(&engine).await, ["Shop A", "Shop B"]);
    // Without an engine of its own (the database could not be opened), the same.
    let refused = database::restore_closed(&db, Path::new(&backup.path)).await;
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(other.accounts().await.unwrap().len(), 2);

    other.close().await;
    engine.restore_backup(Path::new(&backup.path)).await.unwrap();
    let engine = reopen(&db, secrets).await;
    assert_eq!(names(&engine).await, ["Shop A"]);
    engine.shutdown().await;
}

#[tokio::test]
async fn a_bad_backup_is_refused_and_the_engine_keeps_running() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    add(&engine, "Shop A").await;
    let bad = dir.path().join("ordertray.manual-20260101T000000.backup.db");
    std::fs::write(&bad, noise(64 * 1024)).unwrap();

    let err = engine.restore_backup(&bad).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(err.message.contains("damaged"), "{}", err.message);
    assert!(!engine.is_closed());
    assert_eq!(names(&engine).await, ["Shop A"]);
    let err = engine
        .restore_backup(&dir.path().join("nothing.db"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    assert!(!engine.is_closed());
    engine.shutdown().await;
}

#[tokio::test]
async fn a_damaged_database_is_explained_and_restored_without_an_engine() {
    let (_dir, db, secrets, engine) = fresh_engine().await;
    add(&engine, "Shop A").await;
    let backup = engine.backup_now().await.unwrap();
    engine.shutdown().await;
    engine.store().close_and_wait().await;
    std::fs::write(&db, noise(128 * 1024)).unwrap();

    let error = Engine::open(options(&db, secrets.clone()))
        .await
        .err()
        .expect("a damaged database does not open");
    let problem = database::diagnose(&db, &error).await;
    assert_eq!(problem.kind, DatabaseProblemKind::Damaged);
    assert!(problem.message.contains("damaged"), "{}", problem.message);
    assert_eq!(problem.path, db.display().to_string());
    assert_eq!(problem.backups, std::slice::from_ref(&backup));

    let report = database::restore_closed(&db, Path::new(&backup.path))
        .await
        .unwrap();
    assert!(
        report.previous_moved_aside,
        "the damaged file cannot be copied, so it is moved"
    );
    assert_eq!(
        std::fs::read(report.previous.unwrap()).unwrap(),
        noise(128 * 1024)
    );
    let engine = reopen(&db, secrets).await;
    assert_eq!(names(&engine).await, ["Shop A"]);
    engine.shutdown().await;
}

#[tokio::test]
async fn starting_new_moves_the_damaged_file_aside_and_opens_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    std::fs::write(&db, noise(32 * 1024)).unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    assert!(Engine::open(options(&db, secrets.clone())).await.is_err());

    let moved = database::start_new(&db).await.unwrap().expect("a file was moved");
    assert!(moved.contains("ordertray.corrupt-"), "{moved}");
    assert_eq!(std::fs::read(&moved).unwrap(), noise(32 * 1024));
    let engine = reopen(&db, secrets).await;
    assert!(engine.list_accounts().await.unwrap().is_empty());
    engine.shutdown().await;
    assert_eq!(
        database::start_new(&dir.path().join("none.db")).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_database_that_cannot_be_reached_is_not_called_damaged() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should be: SQLite cannot open it, yet nothing is damaged.
    let db = dir.path().join("ordertray.db");
    std::fs::create_dir(&db).unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let error = Engine::open(options(&db, secrets)).await.err().unwrap();
    let problem = database::diagnose(&db, &error).await;
    assert_eq!(problem.kind, DatabaseProblemKind::Unavailable);
    assert_eq!(problem.message, error.message);
}

/// A database a newer Ordertray wrote (the manager went back to an older version) is not damaged
/// and holds the shop's data: it is called too new, and "start with a new empty database" is
/// refused (it was offered, as if the file were broken).
#[tokio::test]
async fn a_database_from_a_newer_version_is_called_so_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let secrets = Arc::new(MemorySecretStore::default());
    let engine = reopen(&db, secrets.clone()).await;
    add(&engine, "Shop A").await;
    engine.close().await;
    from_a_newer_version(&db).await;

    let error = Engine::open(options(&db, secrets)).await.err().unwrap();
    let problem = database::diagnose(&db, &error).await;
    assert_eq!(problem.kind, DatabaseProblemKind::TooNew, "{problem:?}");
    let refused = database::start_new(&db).await.unwrap_err();
    assert_eq!(
        refused.words.as_deref(),
        Some(&ordertray_core::ErrorWords::DatabaseTooNew {})
    );
    assert!(db.exists(), "the database stays where it is");
}
