//! Long-running tasks (account pollers, the outbox worker, the alerts loop) run supervised: a task
//! that panics or returns an error is logged, reported (to the manager, through the engine), and
//! restarted after a backoff. Before, they were bare `tokio::spawn`s: one panic (an absurd
//! `Retry-After`) silently ended delivery for the rest of the run, with a row left in flight.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ordertray_core::{AccountId, EngineEvent};
use tokio::task::JoinHandle;
use tokio_util::task::TaskTracker;

use crate::backoff::backoff;
use crate::Engine;

/// First restart after a failure; doubles up to the cap while the task keeps failing.
const RESTART_BASE: Duration = Duration::from_secs(1);
const RESTART_CAP: Duration = Duration::from_secs(5 * 60);
/// A task that ran this long before failing starts its backoff afresh.
const HEALTHY_RUN: Duration = Duration::from_secs(10 * 60);

/// Why a supervised task stopped, for the log and the manager.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFailure {
    pub task: String,
    pub error: String,
    /// Restarts so far, this one included.
    pub restarts: u32,
}

/// Told of every failure before the task is restarted.
pub type Report = Arc<dyn Fn(TaskFailure) + Send + Sync>;

/// Runs `make()` until it returns `Ok` (the task is done, e.g. a poller whose account was
/// disabled) or the returned handle is aborted; a panic or an `Err` restarts it after a backoff.
/// Each run is tracked by `tasks`, so that [`stop`] can wait until it is gone.
pub fn supervise<F, Fut>(
    task: impl Into<String>,
    make: F,
    report: Report,
    tasks: TaskTracker,
) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let task = task.into();
    tokio::spawn(async move {
        let mut failures = 0u32;
        loop {
            let started = tokio::time::Instant::now();
            // Aborting the supervisor drops this guard, which aborts the running task too.
            let mut run = AbortOnDrop(tokio::spawn(tasks.track_future(make())));
            let error = match (&mut run.0).await {
                Ok(Ok(())) => return,
                Ok(Err(e)) => e,
                Err(e) if e.is_panic() => format!("panicked: {}", panic_text(e.into_panic())),
                Err(_) => return,
            };
            if started.elapsed() >= HEALTHY_RUN {
                failures = 0;
            }
            failures = failures.saturating_add(1);
            tracing::error!(task = %task, error = %error, restarts = failures, "background task failed; restarting");
            report(TaskFailure {
                task: task.clone(),
                error,
                restarts: failures,
            });
            tokio::time::sleep(backoff(failures - 1, RESTART_BASE, RESTART_CAP, None)).await;
        }
    })
}

/// Stops the supervisors and returns once the runs they started are gone too, not only told to
/// go (an abort takes effect when the task next yields): a poll still between its last steps
/// after this could hold popups nobody shows any more (`serve` shows the held ones next).
pub async fn stop(supervisors: Vec<JoinHandle<()>>, tasks: &TaskTracker) {
    for s in &supervisors {
        s.abort();
    }
    for s in supervisors {
        let _ = s.await;
    }
    tasks.close();
    // Bounded all the same: a run no supervisor here started (none is known) must not keep the
    // app from closing.
    if tokio::time::timeout(STOP_WAIT, tasks.wait()).await.is_err() {
        tracing::warn!(
            running = tasks.len(),
            "supervised tasks still running after the stop"
        );
    }
    tasks.reopen();
}

/// How long [`stop`] waits for the stopped runs to be gone.
const STOP_WAIT: Duration = Duration::from_secs(10);

impl Engine {
    /// Keeps an account's poller for `shutdown` to stop, or stops it at once when the engine has
    /// stopped (a start racing the stop would otherwise poll on, unseen by it).
    pub(crate) fn keep_poller(&self, account: AccountId, poller: crate::scheduler::Poller) {
        let mut pollers = self.0.pollers.lock().expect("pollers poisoned");
        if self.0.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            poller.task.abort();
        } else {
            pollers.insert(account, poller);
        }
    }

    /// [`Engine::keep_poller`] for the engine's own background tasks.
    pub(crate) fn keep_background(&self, supervisors: impl IntoIterator<Item = JoinHandle<()>>) {
        let mut background = self.0.background.lock().expect("background poisoned");
        for task in supervisors {
            if self.0.stopped.load(std::sync::atomic::Ordering::SeqCst) {
                task.abort();
            } else {
                background.push(task);
            }
        }
    }

    /// Spawns `make()` supervised; failures go to the log, the account's (or the app's) timeline
    /// and the UI (`EngineEvent::TaskRestarted`).
    pub(crate) fn spawn_supervised<F, Fut>(
        &self,
        task: &str,
        account_id: Option<AccountId>,
        make: F,
    ) -> JoinHandle<()>
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let engine = self.clone();
        let report: Report = Arc::new(move |failure| {
            let engine = engine.clone();
            tokio::spawn(async move { engine.report_task_failure(account_id, failure).await });
        });
        supervise(task, make, report, self.0.tasks.clone())
    }

    async fn report_task_failure(&self, account_id: Option<AccountId>, f: TaskFailure) {
        let event = ordertray_core::timeline::TimelineEvent::TaskRestarted {
            task: f.task.to_string(),
            error: f.error.clone(),
        };
        if let Err(e) = self.0.store.event(account_id, None, None, "engine", &event).await {
            tracing::warn!(error = %e, "could not record a task failure");
        }
        self.emit(EngineEvent::TaskRestarted {
            task: f.task,
            account_id,
            error: f.error,
            restarts: f.restarts,
        });
    }
}

struct AbortOnDrop(JoinHandle<Result<(), String>>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    use super::*;

    fn recorder() -> (Report, Arc<Mutex<Vec<TaskFailure>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        (Arc::new(move |f| s.lock().unwrap().push(f)), seen)
    }

    /// A task that runs until it is dropped, holding `alive`: its channel closes only then.
    async fn runs_until_dropped(alive: tokio::sync::mpsc::UnboundedSender<()>) -> Result<(), String> {
        let _alive = alive;
        std::future::pending().await
    }

    // Paused tokio time: the restart backoff passes at once, no wall-clock sleeps.
    #[tokio::test(start_paused = true)]
    async fn a_panicking_task_is_reported_and_restarted_until_it_finishes() {
        let runs = Arc::new(AtomicU32::new(0));
        let (report, seen) = recorder();
        let r = runs.clone();
        let handle = supervise(
            "outbox worker",
            move || {
                let run = r.fetch_add(1, Ordering::SeqCst);
                async move {
                    match run {
                        0 => panic!("Retry-After overflowed"),
                        1 => Err("database is locked".to_string()),
                        _ => Ok(()),
                    }
                }
            },
            report,
            TaskTracker::new(),
        );
        tokio::time::timeout(Duration::from_secs(3600), handle)
            .await
            .expect("the supervisor ends once the task finishes")
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3, "restarted after each failure");
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].task, "outbox worker");
        assert_eq!(seen[0].error, "panicked: Retry-After overflowed");
        assert_eq!(
            (seen[1].error.as_str(), seen[1].restarts),
            ("database is locked", 2)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn aborting_the_supervisor_stops_the_task() {
        let (report, seen) = recorder();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let handle = supervise(
            "poller",
            move || runs_until_dropped(tx.clone()),
            report,
            TaskTracker::new(),
        );
        tokio::task::yield_now().await;
        handle.abort();
        let closed = tokio::time::timeout(Duration::from_secs(60), rx.recv()).await;
        assert_eq!(closed, Ok(None), "the task went with its supervisor");
        assert!(seen.lock().unwrap().is_empty());
    }

    /// `stop` returns with the tasks gone, not about to go: nothing of theirs runs after it.
    #[tokio::test(start_paused = true)]
    async fn stopping_returns_once_the_tasks_are_gone() {
        let tasks = TaskTracker::new();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let supervisors: Vec<JoinHandle<()>> = (0..3)
            .map(|_| {
                let tx = tx.clone();
                supervise(
                    "poller",
                    move || runs_until_dropped(tx.clone()),
                    recorder().0,
                    tasks.clone(),
                )
            })
            .collect();
        drop(tx);
        tokio::task::yield_now().await;
        assert_eq!(tasks.len(), 3, "each supervisor runs its task");
        stop(supervisors, &tasks).await;
        assert_eq!(
            rx.try_recv(),
            Err(tokio::sync::mpsc::error::TryRecvError::Disconnected),
            "every task dropped by the time stop returns"
        );
        assert!(tasks.is_empty() && !tasks.is_closed());
    }
}
