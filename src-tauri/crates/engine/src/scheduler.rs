//! One poll task per active account: sync, then sleep for the interval (with jitter) or, after a
//! failure, for an exponential backoff that honours the marketplace's Retry-After.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ordertray_core::{Account, AccountId, EngineEvent, ErrorCode, SyncPause};
use ordertray_store::StoreError;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::backoff::{backoff, jitter};
use crate::{Engine, Result};

/// First retry after a failed sync; doubles up to the larger of the interval and this cap.
const FAILURE_BASE: Duration = Duration::from_secs(15);
const FAILURE_CAP: Duration = Duration::from_secs(15 * 60);
/// First retry after the account could not be read for its poll; doubles up to [`FAILURE_CAP`].
const READ_RETRY_BASE: Duration = Duration::from_secs(1);
/// While paused until resumed, how often a poller looks again (resuming restarts pollers at once).
const PAUSE_RECHECK: Duration = Duration::from_secs(60);

pub(crate) struct Poller {
    pub task: JoinHandle<()>,
    /// Ends the wait before the next poll (a webhook said an order changed). A permit is kept
    /// while a poll runs, so any number of wakes during one poll make one more poll, not many.
    pub wake: Arc<Notify>,
}

impl Engine {
    /// Starts a poller for every active account and the outbox worker (demo marketplace first,
    /// when a demo account exists). Call once, inside a tokio runtime.
    pub async fn start_background(&self) -> Result<()> {
        if self.0.running.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        self.restore_demo().await?;
        for account in self.0.store.accounts().await? {
            if account.active {
                self.spawn_poller(&account);
            }
        }
        self.read_keys_soon();
        let engine = self.clone();
        let worker = self.spawn_supervised("outbox", None, move || engine.clone().outbox_loop());
        let engine = self.clone();
        // Coalesced popups go out when their window has passed; ship-by deadlines are checked.
        let alerts = self.spawn_supervised("alerts", None, move || engine.clone().alerts_loop());
        let engine = self.clone();
        let read_back = self.spawn_supervised("transfers", None, move || engine.clone().read_back_loop());
        self.keep_background([worker, alerts, read_back]);
        self.start_retention();
        Ok(())
    }

    /// Restarts the account's poller with its new settings (or stops it when disabled), once no
    /// scheduled run of the account is under way: a run cut off between pages would leave the
    /// orders its stored pages brought without the rules' decisions and the popup (those come at
    /// its end), and its log entry unfinished. A run in progress ends with the settings it
    /// started with. (A manager's "sync now" runs outside the poller: a restart never cuts it.)
    pub(crate) fn reschedule(&self, account: &Account) {
        if !self.0.running.load(Ordering::SeqCst) {
            return;
        }
        let engine = self.clone();
        let account = account.clone();
        let lock = self.scheduled_run_lock(account.id);
        tokio::spawn(async move {
            // Taken in turn (the lock is fair), so two quick changes end with the last one's poller.
            let _idle = lock.lock().await;
            engine.stop_poller(account.id);
            if account.active && engine.0.running.load(Ordering::SeqCst) {
                engine.spawn_poller(&account);
            }
        });
    }

    pub(crate) fn stop_poller(&self, id: AccountId) {
        if let Some(p) = self.0.pollers.lock().expect("pollers poisoned").remove(&id) {
            p.task.abort();
        }
    }

    fn spawn_poller(&self, account: &Account) {
        // A marketplace that pushes its orders has nothing to pull: its health comes from the intake.
        if !ordertray_connectors::registry::spec(&account.kind).polled {
            return;
        }
        let engine = self.clone();
        let id = account.id;
        let wake = Arc::new(Notify::new());
        let woken = wake.clone();
        let task = self.spawn_supervised("poller", Some(id), move || {
            engine.clone().poll_loop(id, woken.clone())
        });
        self.keep_poller(id, Poller { task, wake });
    }

    /// Whether this process polls the account (not under `serve --intake-only`, nor when disabled).
    pub(crate) fn polls_here(&self, id: AccountId) -> bool {
        self.0.pollers.lock().expect("pollers poisoned").contains_key(&id)
    }

    /// Brings the account's next poll forward (a webhook said one of its orders changed); nothing
    /// when no poller of it runs here.
    pub(crate) fn poll_soon(&self, id: AccountId) {
        if let Some(poller) = self.0.pollers.lock().expect("pollers poisoned").get(&id) {
            poller.wake.notify_one();
        }
    }

    async fn alerts_loop(self) -> std::result::Result<(), String> {
        let mut since_ship_by = 0u32;
        loop {
            tokio::time::sleep(Duration::from_secs(5)).await;
            self.flush_alerts().await;
            // Ship-by deadlines are minutes apart: every 15 s is soon enough.
            since_ship_by += 1;
            if since_ship_by >= 3 {
                since_ship_by = 0;
                if let Err(e) = self.check_ship_by().await {
                    tracing::warn!(error = %e, "ship-by check failed");
                }
            }
        }
    }

    /// Returns when the account is gone or disabled (the supervisor then stops too).
    async fn poll_loop(self, id: AccountId, wake: Arc<Notify>) -> std::result::Result<(), String> {
        // A short random start spreads many accounts' first polls.
        let mut delay = Duration::from_millis(fastrand::u64(200..2_000));
        let mut failures = 0u32;
        loop {
            self.plan_next_poll(id, delay).await;
            // A wake never cuts short a wait after a failure: the marketplace's Retry-After and
            // the backoff stand.
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = wake.notified(), if failures == 0 => {}
            }
            if let Some(pause) = self.sync_pause().await {
                delay = match pause {
                    SyncPause::Until(at) => (at - Utc::now())
                        .to_std()
                        .unwrap_or_default()
                        .max(Duration::from_secs(1)),
                    SyncPause::UntilResumed => PAUSE_RECHECK,
                };
                continue;
            }
            let account = match self.0.store.account(id).await {
                Ok(a) if a.active => a,
                Ok(_) => return Ok(()),
                Err(StoreError::App(e)) if e.code == ErrorCode::NotFound => return Ok(()),
                Err(e) => {
                    // A read that failed (the disk, a busy database) is no reason to stop polling
                    // the account for good: it is tried again, soon at first (a busy database is
                    // free again within seconds), then less and less often.
                    tracing::warn!(account = id, error = %e, "could not read the account to poll it");
                    delay = backoff(failures, READ_RETRY_BASE, FAILURE_CAP, None);
                    failures = failures.saturating_add(1);
                    continue;
                }
            };
            let interval = Duration::from_secs(account.interval_secs.into());
            let outcome = self.sync_account_inner(id, crate::sync::Trigger::Schedule).await;
            let asked = outcome.as_ref().err().and_then(|f| f.retry_after);
            self.note_server_wait(id, asked).await;
            delay = match outcome {
                Ok(_) => {
                    failures = 0;
                    match scheduled_start(&account) {
                        Some(start) => until_next_slot(start, account.interval_secs),
                        None => jitter(interval, 0.1),
                    }
                }
                Err(f) => {
                    let d = backoff(failures, FAILURE_BASE, FAILURE_CAP.max(interval), f.retry_after);
                    failures = failures.saturating_add(1);
                    d
                }
            };
        }
    }

    /// Records until when the marketplace asked the account to wait (already capped at
    /// `MAX_SERVER_DELAY`), or that it no longer does, for the account's health.
    pub(crate) async fn note_server_wait(&self, id: AccountId, asked: Option<Duration>) {
        let until = asked.map(|d| crate::backoff::after(Utc::now(), d));
        if let Err(e) = self.0.store.set_server_wait(id, until).await {
            tracing::warn!(account = id, error = %e, "could not record the marketplace's wait");
        }
    }

    async fn plan_next_poll(&self, id: AccountId, delay: Duration) {
        let at = crate::backoff::after(Utc::now(), delay);
        if let Err(e) = self.0.store.set_next_poll(id, Some(at)).await {
            tracing::warn!(account = id, error = %e, "could not record the next poll time");
        }
        self.emit(EngineEvent::AccountHealth { account_id: id });
    }
}

/// An account synced at fixed times of day (an integration's "from a start time" option).
fn scheduled_start(account: &Account) -> Option<chrono::NaiveTime> {
    account.settings.sync_start_time()
}

fn until_next_slot(start: chrono::NaiveTime, interval_secs: u32) -> Duration {
    until_slot_from(chrono::Local::now(), start, interval_secs)
}

/// The wait from `now` to the next slot, counted in real time: the slots are wall-clock times of
/// the zone, so across a daylight-saving change the wait is an hour shorter or longer than the
/// clock faces differ (a slot the clocks skip runs at the hour they skip to).
fn until_slot_from<Z: chrono::TimeZone>(
    now: chrono::DateTime<Z>,
    start: chrono::NaiveTime,
    interval_secs: u32,
) -> Duration {
    let next = ordertray_core::next_scheduled_sync(now.naive_local(), start, interval_secs);
    let zone = now.timezone();
    let at = match zone.from_local_datetime(&next) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t,
        chrono::LocalResult::None => zone
            .from_local_datetime(&(next + chrono::Duration::hours(1)))
            .earliest()
            .unwrap_or_else(|| now.clone()),
    };
    (at - now)
        .to_std()
        .unwrap_or_default()
        .max(Duration::from_secs(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::Warsaw;
    use ordertray_core::AccountDraft;

    #[test]
    fn the_wait_for_a_slot_counts_the_hour_daylight_saving_takes_or_gives() {
        let nine = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let hours = |h: u64| Duration::from_secs(h * 3600);
        // 2026-03-29 Warsaw's clocks go from 02:00 to 03:00: 22:00 to 09:00 is ten hours.
        let spring = Warsaw.with_ymd_and_hms(2026, 3, 28, 22, 0, 0).unwrap();
        assert_eq!(until_slot_from(spring, nine, 86_400), hours(10));
        // 2026-10-25 they go back from 03:00 to 02:00: twelve hours.
        let autumn = Warsaw.with_ymd_and_hms(2026, 10, 24, 22, 0, 0).unwrap();
        assert_eq!(until_slot_from(autumn, nine, 86_400), hours(12));
        // A slot the clocks skip (02:30) runs at the hour they skip to (03:30).
        let half_past_two = chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let night = Warsaw.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(
            until_slot_from(night, half_past_two, 86_400),
            Duration::from_secs(5_400)
        );
        // An ordinary day: the clock faces' difference.
        let june = Warsaw.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).unwrap();
        assert_eq!(until_slot_from(june, nine, 86_400), hours(1));
    }

    /// A start after the stop (what a start racing it comes to) keeps nothing running: its
    /// supervisors stop at once instead of polling on where no stop would see them (the stop
    /// waits for the runs it knows of).
    #[tokio::test]
    async fn an_engine_that_stopped_starts_no_poller() {
        let dir = tempfile::tempdir().unwrap();
        let engine = crate::test_engine(dir.path()).await;
        let draft = AccountDraft {
            active: true,
            interval_secs: 3600,
            ..crate::demo::test_draft("1")
        };
        let key = crate::demo::test_secrets("k");
        let account = engine.add_account(draft, key).await.unwrap().id;
        engine.start_background().await.unwrap();
        assert!(engine.polls_here(account));
        engine.shutdown().await;
        assert!(!engine.polls_here(account));

        engine.start_background().await.unwrap();
        assert!(!engine.polls_here(account), "no poller kept after the stop");
        assert!(
            engine.0.background.lock().unwrap().is_empty(),
            "no background task kept"
        );
        engine.shutdown().await;
    }
}
