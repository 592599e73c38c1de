//! The outbox worker: delivers queued marketplace calls with backoff, honours Retry-After, checks
//! whether an earlier attempt already took effect before calling again, and parks a row as failed
//! (visible, retryable) when its attempts run out or the marketplace refuses it outright.

use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::ConnectorError;
use ordertray_core::{AppError, DrainReport, EngineEvent};
use ordertray_store::OutboxRow;

use crate::backoff::backoff;
use crate::{Engine, Result};

pub const MAX_ATTEMPTS: i64 = 8;
const RETRY_BASE: Duration = Duration::from_secs(10);
const RETRY_CAP: Duration = Duration::from_secs(10 * 60);
const IDLE_WAKE: Duration = Duration::from_secs(30);
const BATCH: u32 = 50;

enum Delivery {
    Done(&'static str),
    Retry {
        error: String,
        retry_after: Option<Duration>,
    },
    Failed(String),
}

impl Engine {
    /// Delivers every row due now, once. Returns what happened.
    pub async fn drain_outbox_once(&self) -> Result<DrainReport> {
        self.drain_outbox_at(Utc::now()).await
    }

    /// Delivers every row due by `at` (a time past a retry's backoff sends it now).
    pub async fn drain_outbox_at(&self, at: chrono::DateTime<Utc>) -> Result<DrainReport> {
        let mut report = DrainReport::default();
        for due in self.0.store.outbox_due(at, BATCH).await? {
            let Some(row) = self.0.store.outbox_claim(due.id).await? else {
                continue;
            };
            match self.deliver(&row).await {
                Delivery::Done(note) => {
                    self.0.store.outbox_done(&row, note).await?;
                    report.delivered += 1;
                }
                Delivery::Retry { error, retry_after } if row.attempts + 1 < MAX_ATTEMPTS => {
                    let wait = backoff(row.attempts as u32, RETRY_BASE, RETRY_CAP, retry_after);
                    let at = Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
                    self.0.store.outbox_retry_at(&row, at, &error).await?;
                    report.retry_scheduled += 1;
                }
                Delivery::Retry { error, .. } | Delivery::Failed(error) => {
                    self.0.store.outbox_fail(&row, &error).await?;
                    report.failed += 1;
                    self.popup_push_failed(&row, &error).await;
                }
            }
            self.emit(EngineEvent::Outbox {
                account_id: row.account_id,
            });
            self.emit(EngineEvent::AccountHealth {
                account_id: row.account_id,
            });
        }
        Ok(report)
    }

    /// The manager's Retry on a failed row.
    pub async fn retry_outbox(&self, id: i64) -> Result<()> {
        let row = self.0.store.outbox_requeue(id, &self.0.actor).await?;
        self.0.outbox_wake.notify_one();
        self.emit(EngineEvent::Outbox {
            account_id: row.account_id,
        });
        self.emit(EngineEvent::AccountHealth {
            account_id: row.account_id,
        });
        Ok(())
    }

    async fn deliver(&self, row: &OutboxRow) -> Delivery {
        let account = match self.0.store.account(row.account_id).await {
            Ok(a) => a,
            Err(e) => return Delivery::Failed(AppError::from(e).message),
        };
        let client = match self.session(&account).await {
            Ok(c) => c,
            Err(e) => return Delivery::Failed(e.message),
        };
        let Some(connector) = client.effect_sink() else {
            return Delivery::Failed(format!(
                "{} takes no calls back",
                ordertray_connectors::registry::spec(account.kind).name
            ));
        };
        // An earlier attempt may have reached the marketplace before its answer was lost
        // (timeout, crash): look before calling again.
        if row.attempts > 0 {
            if let Ok(true) = connector.already_applied(&row.effect).await {
                return Delivery::Done("Already done on the marketplace (checked before retrying)");
            }
        }
        match connector.push(&row.effect).await {
            Ok(()) => Delivery::Done("Delivered to the marketplace"),
            Err(e @ (ConnectorError::Auth(_) | ConnectorError::Rejected { .. })) => {
                Delivery::Failed(e.to_string())
            }
            Err(e) => Delivery::Retry {
                retry_after: e.retry_after(),
                error: e.to_string(),
            },
        }
    }

    async fn popup_push_failed(&self, row: &OutboxRow, error: &str) {
        let account = self.0.store.account(row.account_id).await.ok();
        let payload = crate::AlertPayload {
            number: row.effect.describe(),
            order_id: row.order_id,
            detail: error.to_string(),
            ..crate::AlertPayload::about(account.as_ref())
        };
        self.alert(ordertray_core::alerts::AlertKind::PushFailed, 1, payload)
            .await;
    }

    pub(crate) async fn outbox_loop(self) {
        loop {
            if let Err(e) = self.drain_outbox_once().await {
                tracing::error!(error = %e, "outbox worker");
            }
            let wait = match self.0.store.outbox_next_due().await {
                Ok(Some(at)) => (at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(Duration::from_secs(1), IDLE_WAKE),
                _ => IDLE_WAKE,
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.0.outbox_wake.notified() => {}
            }
        }
    }
}
