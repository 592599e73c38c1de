//! The database's commands: its facts and backups, "Back up now", restoring a backup, and the
//! choices when it could not be opened at start (then no engine is managed, only [`Startup`], as
//! while it opens).
//! The checks and file work are the engine's (`ordertray_engine::database`); after a restore or a
//! new database the app restarts, so that everything opens the new file from the start.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ordertray_core::database::{BackupInfo, DatabaseInfo, DatabaseProblem, RestoreReport};
use ordertray_core::{AppError, ErrorCode, ErrorWords};
use ordertray_engine::{database, Engine};
use tauri::{AppHandle, Manager, State};
use tokio::sync::watch;

type Res<T> = Result<T, AppError>;

/// Long enough for the window to show what happened before it closes.
const RESTART_AFTER: Duration = Duration::from_millis(1500);

/// How the start goes: always managed, from the window's first paint. The database opens after it
/// (an upgrade of a large one takes seconds); then the engine is managed too, or a problem says
/// why not.
pub struct Startup {
    db_path: PathBuf,
    phase: watch::Sender<Phase>,
    /// Set by the first restore or new database: the app is about to restart.
    restarting: AtomicBool,
}

#[derive(Clone)]
enum Phase {
    Opening,
    Opened,
    Failed(DatabaseProblem),
}

impl Startup {
    pub fn new(db_path: PathBuf) -> Self {
        Self {
            db_path,
            phase: watch::Sender::new(Phase::Opening),
            restarting: AtomicBool::new(false),
        }
    }

    /// The engine is managed.
    pub fn opened(&self) {
        self.phase.send_replace(Phase::Opened);
    }

    pub fn failed(&self, problem: DatabaseProblem) {
        self.phase.send_replace(Phase::Failed(problem));
    }

    /// Whether the database is still being opened.
    pub fn opening(&self) -> bool {
        matches!(*self.phase.borrow(), Phase::Opening)
    }

    /// Why the database could not be opened, once opening is over; None when it opened.
    async fn outcome(&self) -> Option<DatabaseProblem> {
        let mut phase = self.phase.subscribe();
        // An error only if the sender were dropped, and `self` holds it.
        let Ok(phase) = phase.wait_for(|p| !matches!(p, Phase::Opening)).await else {
            return None;
        };
        match &*phase {
            Phase::Failed(problem) => Some(problem.clone()),
            _ => None,
        }
    }

    /// One file change per run: a second click while the first restarts the app is refused.
    fn begin_change(&self) -> Res<()> {
        if self.restarting.swap(true, Ordering::SeqCst) {
            return Err(AppError::said(ErrorCode::Conflict, ErrorWords::Restarting {}));
        }
        Ok(())
    }
}

/// Why the database could not be opened at start, with the backups beside it; None when it opened.
/// Answers once opening is over, so the window waits on it.
#[tauri::command]
pub async fn database_problem(startup: State<'_, Startup>) -> Res<Option<DatabaseProblem>> {
    // Listed now, not at start: a backup copied in since then shows too.
    Ok(startup.outcome().await.map(|mut p| {
        p.backups = database::backups(&startup.db_path);
        p
    }))
}

#[tauri::command]
pub async fn database_info(engine: State<'_, Engine>) -> Res<DatabaseInfo> {
    engine.database_info().await
}

#[tauri::command]
pub async fn backup_database(engine: State<'_, Engine>) -> Res<BackupInfo> {
    engine.backup_now().await
}

/// Replaces the database with the backup at `path` and restarts the app. Works with the engine
/// running (Settings) and without it (the database could not be opened).
#[tauri::command]
pub async fn restore_database(
    app: AppHandle,
    startup: State<'_, Startup>,
    path: String,
) -> Res<RestoreReport> {
    // Not while the database opens: the engine may be about to hold it.
    startup.outcome().await;
    startup.begin_change()?;
    let backup = Path::new(&path);
    let result = match app.try_state::<Engine>() {
        Some(engine) => {
            let result = engine.restore_backup(backup).await;
            if !engine.is_closed() {
                // Refused before anything changed: the engine runs on, the manager may try again.
                startup.restarting.store(false, Ordering::SeqCst);
                return result;
            }
            result
        }
        None => {
            let result = database::restore_closed(&startup.db_path, backup).await;
            if result.is_err() {
                startup.restarting.store(false, Ordering::SeqCst);
                return result;
            }
            result
        }
    };
    // The database is closed (or replaced): only a new start opens it again.
    restart_soon(app);
    result
}

/// Moves the unreadable database aside (never deleting it) and restarts on a new, empty one.
/// Only while the database could not be opened.
#[tauri::command]
pub async fn start_new_database(app: AppHandle, startup: State<'_, Startup>) -> Res<Option<String>> {
    if app.try_state::<Engine>().is_some() || startup.outcome().await.is_none() {
        return Err(AppError::refused(ErrorWords::DatabaseWorks {}));
    }
    startup.begin_change()?;
    match database::start_new(&startup.db_path).await {
        Ok(moved) => {
            restart_soon(app);
            Ok(moved)
        }
        Err(e) => {
            startup.restarting.store(false, Ordering::SeqCst);
            Err(e)
        }
    }
}

/// "Quit" on the database screen (there is no tray then).
#[tauri::command]
pub fn quit_app(app: AppHandle) {
    app.exit(0);
}

/// Set for the restarted process (it inherits the environment), so that a start at login with
/// `--minimized` still shows the window the manager was just using.
const RESTARTED_ENV: &str = "ORDERTRAY_RESTARTED";

pub fn restarted() -> bool {
    std::env::var_os(RESTARTED_ENV).is_some()
}

fn restart_soon(app: AppHandle) {
    std::thread::spawn(move || {
        std::thread::sleep(RESTART_AFTER);
        tracing::info!("restarting on the restored or new database");
        std::env::set_var(RESTARTED_ENV, "1");
        app.restart();
    });
}
