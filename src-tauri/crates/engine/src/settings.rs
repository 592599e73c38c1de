//! App-wide preferences, kept in the database so that they follow the data file.

use ordertray_core::{AppError, AppSettings, EngineEvent, ErrorCode, SyncPause};

use crate::{Engine, Result};

const KEY: &str = "app";

impl Engine {
    pub async fn settings(&self) -> Result<AppSettings> {
        match self.0.store.setting(KEY).await? {
            // A damaged document must not keep the app from starting: defaults, and say so.
            Some(json) => Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "app settings unreadable; using defaults");
                AppSettings::default()
            })),
            None => Ok(AppSettings::default()),
        }
    }

    /// Saves what the manager chose on the Settings screen; returns what was stored. A value out
    /// of its range (a retention period) is refused with what is wrong, and nothing is saved.
    pub async fn save_settings(&self, chosen: AppSettings) -> Result<AppSettings> {
        let chosen = chosen.validated()?;
        let previous = self.settings().await?;
        let next = chosen.chosen_by_manager(&previous);
        self.store_settings(&next).await?;
        Ok(next)
    }

    /// Settings changed by the app itself (first account, notices shown).
    pub async fn update_settings(
        &self,
        change: impl FnOnce(AppSettings) -> AppSettings,
    ) -> Result<AppSettings> {
        let next = change(self.settings().await?);
        self.store_settings(&next).await?;
        Ok(next)
    }

    /// Pauses polling of every account for `duration`, or until [`Engine::resume_sync`] when None.
    /// "Sync now" and the delivery of triage decisions go on. Returns once no scheduled poll is
    /// between pages: what the marketplaces get after that waits for the resume (a manager who
    /// pauses to set rules up sees them decide the next orders).
    pub async fn pause_sync(&self, duration: Option<chrono::Duration>) -> Result<AppSettings> {
        let pause = match duration {
            Some(d) => SyncPause::Until(chrono::Utc::now() + d),
            None => SyncPause::UntilResumed,
        };
        let s = self.update_settings(|s| s.paused(Some(pause))).await?;
        for lock in self.scheduled_run_locks() {
            // A scheduled run sees the pause before its next page: this waits for at most one
            // page. A manager's "sync now" goes on through a pause and is not waited for.
            drop(lock.lock().await);
        }
        self.emit(EngineEvent::SyncPause { paused: true });
        Ok(s)
    }

    /// Ends a pause; every account polls again at once.
    pub async fn resume_sync(&self) -> Result<AppSettings> {
        let s = self.update_settings(|s| s.paused(None)).await?;
        for account in self.0.store.accounts().await? {
            self.reschedule(&account);
        }
        self.emit(EngineEvent::SyncPause { paused: false });
        Ok(s)
    }

    /// Whether polling is paused now, and until when.
    pub async fn sync_pause(&self) -> Option<SyncPause> {
        self.settings().await.ok()?.sync_pause(chrono::Utc::now())
    }

    async fn store_settings(&self, s: &AppSettings) -> Result<()> {
        let json = serde_json::to_string(s).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
        Ok(self.0.store.set_setting(KEY, &json).await?)
    }
}
