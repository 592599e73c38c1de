//! How long the tables that grow with every poll, push and call keep their rows. What is pruned
//! is bookkeeping, never an order's history:
//! - delivered outbox rows (`done`): the call went out long ago; pending, in-flight and failed
//!   rows are never touched, whatever their age;
//! - finished sync runs and the skipped orders of the sync log (each account's health lives on
//!   the account row, not in these);
//! - intake requests (the raw bodies pushed to us, kept for audit);
//! - events tied to no order (account notices: quarantined payloads, sync failures), and events
//!   of shop orders that were purged. Events of an order are its timeline: they stay as long as
//!   the order does (deleting an order takes them with it).
//!
//! The periods are the manager's (Settings → Data retention, `RetentionSettings`), 90 days each
//! unless changed.

use chrono::{DateTime, Duration, Utc};
use ordertray_core::RetentionSettings;

use crate::time::format_ts;
use crate::{Result, Store};

/// How many rows one pass removed, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub outbox: u64,
    pub sync_runs: u64,
    pub intake_requests: u64,
    pub events: u64,
}

impl Pruned {
    pub fn total(&self) -> u64 {
        self.outbox + self.sync_runs + self.intake_requests + self.events
    }
}

impl Store {
    /// Removes what the periods no longer keep, as of `now`, in one transaction. Periods out of
    /// their allowed range (a hand-edited database) are moved into it: never less than a week.
    pub async fn prune(&self, periods: &RetentionSettings, now: DateTime<Utc>) -> Result<Pruned> {
        let retention = periods.clamped();
        let before = |days: u32| format_ts(now - Duration::days(days.into()));
        let mut tx = self.begin_write().await?;
        let outbox = sqlx::query("DELETE FROM outbox WHERE state = 'done' AND updated_at < ?")
            .bind(before(retention.done_outbox_days))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sync_runs = sqlx::query("DELETE FROM sync_runs WHERE finished_at IS NOT NULL AND finished_at < ?")
                .bind(before(retention.sync_runs_days))
                .execute(&mut *tx)
                .await?
                .rows_affected()
            // The sync log's skipped orders go with the runs that saw them.
                + sqlx::query("DELETE FROM skipped_orders WHERE at < ?")
                    .bind(before(retention.sync_runs_days))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
        let intake_requests = sqlx::query("DELETE FROM intake_requests WHERE received_at < ?")
            .bind(before(retention.intake_requests_days))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let events = sqlx::query(
            "DELETE FROM events WHERE order_id IS NULL AND at < ?1
               AND (shop_order_id IS NULL OR shop_order_id NOT IN (SELECT id FROM shop_orders))",
        )
        .bind(before(retention.account_events_days))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(Pruned {
            outbox,
            sync_runs,
            intake_requests,
            events,
        })
    }
}
