//! The outbox worker: delivers queued marketplace calls with backoff, honours Retry-After, checks
//! whether an earlier attempt already took effect before calling again, and parks a row as failed
//! (visible, retryable) when its attempts run out or the marketplace refuses it outright.
//!
//! Several processes may drain one database (the app, a CLI command beside it): each row is leased
//! to one engine instance while in flight, and another takes it over only once the lease expired.

use std::time::Duration;

use chrono::{DateTime, Utc};
use ordertray_connectors::{ConnectorError, IntegrationClient};
use ordertray_core::{
    AccountId, AppError, Destination, DrainReport, Effect, EngineEvent, ErrorCode, ErrorWords,
};
use ordertray_store::{Lease, OutboxRow};

use crate::backoff::backoff;
use crate::{Engine, Result};

pub const MAX_ATTEMPTS: i64 = 8;
const RETRY_BASE: Duration = Duration::from_secs(10);
const RETRY_CAP: Duration = Duration::from_secs(10 * 60);
const IDLE_WAKE: Duration = Duration::from_secs(30);
const BATCH: u32 = 50;
/// A pass's rows for one destination, so that every destination with due rows gets some.
const PER_DESTINATION: u32 = 20;

pub(crate) enum Delivery {
    /// Delivered; true when a retry's look found it done on the marketplace already.
    Done(bool),
    Retry {
        error: AppError,
        retry_after: Option<Duration>,
    },
    Failed(AppError),
    /// Another process took the row over after our lease expired: it is theirs now.
    LeaseLost,
}

impl Delivery {
    /// A destination's client could not be had: tried again later when the cause passes by
    /// itself (the keychain not answering yet, the database busy, the disk full), else the row is
    /// parked as failed for the manager (the key missing, the account gone).
    pub(crate) fn unless_passing(error: AppError) -> Self {
        if passes_by_itself(&error) {
            Delivery::Retry {
                error,
                retry_after: None,
            }
        } else {
            Delivery::Failed(error)
        }
    }
}

/// A cause that goes away without the manager: the keychain not answering yet, the database
/// busy, the disk full, the network down.
pub(crate) fn passes_by_itself(error: &AppError) -> bool {
    matches!(
        error.code,
        ErrorCode::Keychain | ErrorCode::Storage | ErrorCode::Network
    )
}

/// How long a claim holds without renewal: renewed before each call, and several times one call's
/// HTTP timeout (a push may make more than one request), so a live call's row is never taken over.
pub(crate) fn lease_length(http_timeout: Duration) -> Duration {
    http_timeout
        .saturating_mul(4)
        .saturating_add(Duration::from_secs(60))
}

/// Runs `work` while `renew` extends its lease every third of the lease's length, so that work
/// longer than one lease is never taken for dead by another process (which would then do it a
/// second time). The renewals run beside the work, never instead of it: the work may hold the
/// write lock a renewal waits for. `renew` says whether the lease is still this process's; once it
/// is not, the work is dropped (None): what it would do is the new holder's now. A failed renewal
/// (the database busy) is tried again at the next turn, well within the lease.
pub(crate) async fn keeping_alive<T, R, F>(
    lease: Duration,
    mut renew: R,
    work: impl std::future::Future<Output = T>,
) -> Option<T>
where
    R: FnMut() -> F,
    F: std::future::Future<Output = ordertray_store::Result<bool>>,
{
    // Never a loop of writes, however short the lease (the fault suite's processes hold none).
    let every = (lease / 3).max(Duration::from_millis(100));
    let keep = async {
        loop {
            tokio::time::sleep(every).await;
            match renew().await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(error = %e, "could not renew a lease"),
            }
        }
    };
    tokio::select! {
        biased;
        out = work => Some(out),
        () = keep => None,
    }
}

/// A random id for this engine instance, so that two processes (or two engines in one) never
/// mistake each other's leases for their own.
pub(crate) fn new_owner_id() -> String {
    format!("{}-{:016x}", std::process::id(), fastrand::u64(..))
}

impl Engine {
    /// Delivers every row due now, once. Returns what happened.
    pub async fn drain_outbox_once(&self) -> Result<DrainReport> {
        self.drain_outbox_at(Utc::now()).await
    }

    /// Delivers every row due by `at` (a time past a retry's backoff sends it now; a time past a
    /// lease's expiry takes the row over from the process that held it).
    pub async fn drain_outbox_at(&self, at: DateTime<Utc>) -> Result<DrainReport> {
        if let Err(e) = self.send_by_rules(at.max(Utc::now())).await {
            tracing::warn!(error = %e, "transfer targets' rules");
        }
        // Rows the rules queued just now are due in this pass too.
        let due = self
            .0
            .store
            .outbox_due(at.max(Utc::now()), BATCH, PER_DESTINATION)
            .await?;
        let mut report = DrainReport {
            more: due.len() == BATCH as usize,
            ..Default::default()
        };
        // Each destination's rows in their order, the destinations side by side: a target's pace
        // (a CRM's ten requests a second) never holds another destination's calls.
        let mut groups: Vec<Vec<OutboxRow>> = Vec::new();
        for row in due {
            match groups.iter_mut().find(|g| g[0].destination == row.destination) {
                Some(group) => group.push(row),
                None => groups.push(vec![row]),
            }
        }
        report.more |= groups.iter().any(|g| g.len() == PER_DESTINATION as usize);
        let mut passes = tokio::task::JoinSet::new();
        for group in groups {
            let engine = self.clone();
            passes.spawn(async move { engine.drain_rows(group, at).await });
        }
        let done = join_passes(passes).await?;
        report.delivered += done.delivered;
        report.retry_scheduled += done.retry_scheduled;
        report.failed += done.failed;
        Ok(report)
    }

    /// Delivers one destination's due rows, one after another.
    async fn drain_rows(&self, due: Vec<OutboxRow>, at: DateTime<Utc>) -> Result<DrainReport> {
        let mut report = DrainReport::default();
        for due in due {
            let now = at.max(Utc::now());
            let lease = Lease {
                owner: &self.0.instance,
                until: self.lease_until(now),
            };
            let Some(row) = self.0.store.outbox_claim(due.id, &lease, now).await? else {
                continue;
            };
            let recorded = match self.keeping_lease(&row, at, self.deliver(&row, at)).await {
                Delivery::Done(already_done) => {
                    let recorded = self.0.store.outbox_done(&row, already_done).await?;
                    report.delivered += u32::from(recorded);
                    recorded
                }
                Delivery::Retry { error, retry_after } if row.attempts + 1 < MAX_ATTEMPTS => {
                    if let (Some(account), Some(_)) = (row.account_id(), retry_after) {
                        self.note_server_wait(account, retry_after).await;
                    }
                    let wait = backoff(row.attempts as u32, RETRY_BASE, RETRY_CAP, retry_after);
                    let at = crate::backoff::after(Utc::now(), wait);
                    let recorded = self.0.store.outbox_retry_at(&row, at, &error).await?;
                    report.retry_scheduled += u32::from(recorded);
                    recorded
                }
                Delivery::Retry { error, .. } | Delivery::Failed(error) => {
                    let recorded = self.0.store.outbox_fail(&row, &error).await?;
                    if recorded {
                        report.failed += 1;
                        if row.subject.shop_order().is_some() {
                            // The order itself shows it (problematic, with the target's words).
                            self.transfer_gave_up(&row, &error).await;
                        } else {
                            self.popup_push_failed(&row, &error).await;
                        }
                    }
                    recorded
                }
                Delivery::LeaseLost => false,
            };
            if !recorded {
                tracing::warn!(
                    row = row.id,
                    "outbox row taken over by another process after its lease expired"
                );
                continue;
            }
            self.emit_outbox_changed(&row);
        }
        Ok(report)
    }

    fn emit_outbox_changed(&self, row: &OutboxRow) {
        if let Some(account_id) = row.account_id() {
            self.emit(EngineEvent::Outbox { account_id });
            self.emit(EngineEvent::AccountHealth { account_id });
        }
    }

    /// The manager's Retry on a failed row.
    pub async fn retry_outbox(&self, id: i64) -> Result<()> {
        let row = self.0.store.outbox_requeue(id, &self.0.actor).await?;
        self.0.outbox_wake.notify_one();
        self.emit_outbox_changed(&row);
        Ok(())
    }

    /// This instance's lease on a row claimed or renewed at `now`.
    fn lease_until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        crate::backoff::after(now, self.outbox_lease())
    }

    /// This instance's lease on a sync run started or renewed at `now`: as long as an outbox
    /// row's, for the same reason (several calls' timeouts, so a live run is never taken for dead).
    pub(crate) fn run_lease(&self, now: DateTime<Utc>) -> Lease<'_> {
        Lease {
            owner: &self.0.instance,
            until: self.lease_until(now),
        }
    }

    /// Renews the lease before a call; false when the row is no longer ours.
    async fn renew(&self, row: &OutboxRow, at: DateTime<Utc>) -> bool {
        let until = self.lease_until(at.max(Utc::now()));
        match self.0.store.outbox_renew(row, until).await {
            Ok(owned) => owned,
            Err(e) => {
                tracing::warn!(row = row.id, error = %e, "could not renew an outbox lease");
                false
            }
        }
    }

    /// Runs a row's delivery with its lease kept alive (see [`keeping_alive`]): a delivery may
    /// outlast one lease (a transfer waiting out a target's limits call after call, several calls
    /// in a row). A row found taken over meanwhile is left to its new holder: the delivery stops
    /// there, before any further call.
    async fn keeping_lease(
        &self,
        row: &OutboxRow,
        at: DateTime<Utc>,
        delivery: impl std::future::Future<Output = Delivery>,
    ) -> Delivery {
        let renew = || async move {
            let until = self.lease_until(at.max(Utc::now()));
            self.0.store.outbox_renew(row, until).await
        };
        keeping_alive(self.outbox_lease(), renew, delivery)
            .await
            .unwrap_or(Delivery::LeaseLost)
    }

    /// The one place the worker obtains a destination's client: a marketplace account's session
    /// (kept per account, rebuilt when its settings or secrets change), with the integration's name.
    async fn marketplace_sink(
        &self,
        account_id: AccountId,
    ) -> Result<(std::sync::Arc<dyn IntegrationClient>, &'static str)> {
        let account = self.0.store.account(account_id).await?;
        let client = self.session(&account).await?;
        Ok((client, ordertray_connectors::registry::spec(&account.kind).name))
    }

    async fn deliver(&self, row: &OutboxRow, at: DateTime<Utc>) -> Delivery {
        let Destination::Account(account_id) = row.destination;
        // A shop order's rows are its sendings to other systems; a marketplace order's are `Effect`s.
        if row.subject.shop_order().is_some() {
            if !self.renew(row, at).await {
                return Delivery::LeaseLost;
            }
            return self.deliver_transfer(row, account_id).await;
        }
        let effect: Effect = match serde_json::from_value(row.payload.clone()) {
            Ok(e) => e,
            Err(e) => return Delivery::Failed(internal(format!("unreadable {} payload: {e}", row.kind))),
        };
        let (client, name) = match self.marketplace_sink(account_id).await {
            Ok(c) => c,
            Err(e) => return Delivery::unless_passing(e),
        };
        let Some(connector) = client.effect_sink() else {
            return Delivery::Failed(internal(format!("{name} takes no calls back")));
        };
        // An earlier attempt may have reached the marketplace before its answer was lost
        // (timeout, crash): look before calling again.
        if row.attempts > 0 {
            if !self.renew(row, at).await {
                return Delivery::LeaseLost;
            }
            match connector.already_applied(&effect).await {
                Ok(true) => return Delivery::Done(true),
                Ok(false) => {}
                // A definite answer (no such order, no access): the call itself will tell.
                Err(ConnectorError::Auth(_) | ConnectorError::Rejected { .. }) => {}
                // Calling again without knowing could make the marketplace do it twice (or refuse
                // a second ship, parking a delivered decision as failed): look again later.
                Err(e) => {
                    return Delivery::Retry {
                        retry_after: e.retry_after(),
                        error: AppError::said(
                            ErrorCode::Marketplace,
                            ErrorWords::AppliedCheckFailed {
                                detail: e.to_string(),
                            },
                        ),
                    }
                }
            }
        }
        if !self.renew(row, at).await {
            return Delivery::LeaseLost;
        }
        match connector.push(&effect).await {
            Ok(()) => Delivery::Done(false),
            Err(e @ (ConnectorError::Auth(_) | ConnectorError::Rejected { .. })) => {
                Delivery::Failed(e.to_app_error())
            }
            Err(e) => Delivery::Retry {
                retry_after: e.retry_after(),
                error: e.to_app_error(),
            },
        }
    }

    async fn popup_push_failed(&self, row: &OutboxRow, error: &AppError) {
        let account = match row.account_id() {
            Some(id) => self.0.store.account(id).await.ok(),
            None => None,
        };
        let effect = row.effect_words();
        let payload = crate::AlertPayload {
            number: if effect.order.is_empty() {
                row.description.clone()
            } else {
                effect.order.clone()
            },
            order_id: row.order_id(),
            detail: error.message.clone(),
            error: error.words.as_deref().cloned(),
            error_code: Some(error.code),
            effect: Some(effect),
            ..crate::AlertPayload::about(account.as_ref())
        };
        self.alert(ordertray_core::alerts::AlertKind::PushFailed, 1, payload)
            .await;
    }

    /// Runs until aborted; a failed pass is logged and the next one tries again.
    pub(crate) async fn outbox_loop(self) -> std::result::Result<(), String> {
        loop {
            match self.drain_outbox_once().await {
                // A full batch: the next one is due already (a bulk transfer at a target's pace).
                Ok(report) if report.more => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox worker"),
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

/// Waits for every destination's pass and adds up what they did; the first failure is returned
/// once all have ended. Returning at the first one would drop the set, which aborts the others,
/// one of them perhaps between a call the destination took and the record of its answer (that
/// row would then wait for its lease to expire and be sent again).
async fn join_passes(mut passes: tokio::task::JoinSet<Result<DrainReport>>) -> Result<DrainReport> {
    let mut report = DrainReport::default();
    let mut failure = None;
    while let Some(pass) = passes.join_next().await {
        match pass.map_err(|e| internal(format!("an outbox pass ended abnormally: {e}"))) {
            Ok(Ok(pass)) => {
                report.delivered += pass.delivered;
                report.retry_scheduled += pass.retry_scheduled;
                report.failed += pass.failed;
            }
            Ok(Err(e)) | Err(e) => {
                failure.get_or_insert(e);
            }
        }
    }
    failure.map_or(Ok(report), Err)
}

/// A row this version cannot deliver at all (no words: it never reaches a manager in normal use).
fn internal(message: String) -> AppError {
    AppError::new(ErrorCode::Internal, message)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::*;

    /// One destination's pass failing (its store write, say) leaves the others to finish their
    /// calls and records: none is cut off between a call and its answer's record.
    #[tokio::test]
    async fn a_failed_pass_lets_the_other_destinations_finish() {
        let (failed, fails) = tokio::sync::oneshot::channel::<()>();
        let finished = Arc::new(AtomicBool::new(false));
        let mut passes = tokio::task::JoinSet::new();
        passes.spawn(async move {
            failed.send(()).unwrap();
            Err(internal("the store could not record an answer".into()))
        });
        let other = finished.clone();
        passes.spawn(async move {
            // Its call was out when the first pass failed; its answer comes after.
            fails.await.unwrap();
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            other.store(true, Ordering::SeqCst);
            Ok(DrainReport {
                delivered: 1,
                ..Default::default()
            })
        });
        let outcome = join_passes(passes).await;
        assert!(outcome.is_err(), "the failure is still reported");
        assert!(
            finished.load(Ordering::SeqCst),
            "the other destination's pass ran to its end"
        );
    }
}
