//! Keeps the growing tables bounded: the store's retention pass (see
//! `ordertray_store::retention` for what is pruned and what never is) runs shortly after start
//! and then every few hours, with the periods the manager chose in the settings.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ordertray_store::retention::Pruned;

use crate::{Engine, Result};

/// Between two passes: the tables grow by the minute, a few hours' rows are nothing.
const EVERY: Duration = Duration::from_secs(6 * 3600);
/// After start, so the first pass never competes with the start-up sync.
const FIRST_AFTER: Duration = Duration::from_secs(120);

impl Engine {
    /// One retention pass as of `now` with the periods in the settings (read at each pass, so a
    /// change applies from the next one).
    pub async fn prune_old_rows(&self, now: DateTime<Utc>) -> Result<Pruned> {
        let pruned = self.0.store.prune(&self.settings().await?.retention, now).await?;
        if pruned.total() > 0 {
            tracing::info!(?pruned, "old bookkeeping rows pruned");
        }
        Ok(pruned)
    }

    /// Runs the retention pass in the background (shortly after now, then every few hours),
    /// once per engine: part of [`Engine::start_background`], and what `ordertray-cli serve
    /// --intake-only` runs beside the intake so that its requests do not pile up.
    pub fn start_retention(&self) {
        if self
            .0
            .retention_running
            .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let engine = self.clone();
        let retention = self.spawn_supervised("retention", None, move || {
            let engine = engine.clone();
            async move {
                engine.retention_loop().await;
                Ok(())
            }
        });
        self.keep_background([retention]);
    }

    async fn retention_loop(&self) {
        tokio::time::sleep(FIRST_AFTER).await;
        loop {
            if let Err(e) = self.prune_old_rows(Utc::now()).await {
                tracing::warn!(error = %e, "retention pass failed; tried again later");
            }
            tokio::time::sleep(EVERY).await;
        }
    }
}
