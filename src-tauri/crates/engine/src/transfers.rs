//! Sending shop orders to other systems (CRMs, delivery services): a target is an account of an
//! integration that can take orders ([`ordertray_connectors::OrderTransfer`]). A sending is an
//! outbox row addressed to the target's account, so it survives restarts, keeps its order among
//! the order's other sendings, and is retried on transient failures; the target's refusal ends it
//! at once, with the target's words on the order and the order in the "problematic" status (or
//! the one the target's settings name).

use std::time::Duration;

use chrono::{DateTime, Utc};
use ordertray_connectors::registry::{self, TransferSpec};
use ordertray_connectors::{
    ConnectorError, DeliveryInfo, OrderTransfer, TransferError, TransferOrder, TransferredOrder,
};
use ordertray_core::cabinet::{
    OrderTransferView, PaymentMethod, RemoteHistoryEntry, ShopOrderFull, TransferConcern,
    TransferRefreshReport, TransferRequestReport, TransferState, TransferTargetView, TransferWarning,
    TransferWarningText,
};
use ordertray_core::statuses::{PROBLEMATIC, TRANSFERRED};
use ordertray_core::{
    Account, AccountId, AppError, EngineEvent, ErrorCode, ErrorWords, Thing, TransferRules,
};
use ordertray_store::{OutboxRow, TRANSFER_DELETE};

use crate::outbox::{passes_by_itself, Delivery};
use crate::{Engine, Result};

/// How long a sending waits out a target's "too many requests" before the outbox takes it back:
/// a limit is a wait, never a failure, and a wait this long means the target is overloaded.
const RATE_LIMIT_PATIENCE: Duration = Duration::from_secs(120);
/// Sent transfers are read back at most this often by the schedule.
pub(crate) const READ_BACK_EVERY: chrono::Duration = chrono::Duration::minutes(30);
const READ_BACK_BATCH: u32 = 200;
/// Orders a target's rule queues at once.
const RULE_BATCH: u32 = 500;
/// Who the timeline says queued an order a rule sent.
const RULE_ACTOR: &str = "rule";
/// How often the schedule looks for transfers due to be read back.
const READ_BACK_PASS: Duration = Duration::from_secs(5 * 60);

/// A target account with what its integration does.
struct Target {
    account: Account,
    spec: TransferSpec,
    rules: TransferRules,
}

impl Engine {
    /// Every account orders can be sent to.
    pub async fn transfer_targets(&self) -> Result<Vec<TransferTargetView>> {
        let mut targets = Vec::new();
        for account in self.0.store.accounts().await? {
            let spec = registry::spec(&account.kind);
            if let Some(transfer) = spec.transfer {
                let rules = account.settings.policy()?.transfer.unwrap_or_default();
                targets.push(TransferTargetView {
                    account_id: account.id,
                    name: account.name.clone(),
                    kind: account.kind.clone(),
                    kind_name: spec.name.to_string(),
                    active: account.active,
                    deletes: transfer.deletes,
                    ships: transfer.ships,
                    rules,
                });
            }
        }
        Ok(targets)
    }

    async fn target(&self, account_id: AccountId) -> Result<Target> {
        let account = self.0.store.account(account_id).await?;
        let Some(spec) = registry::spec(&account.kind).transfer else {
            return Err(AppError::refused(ErrorWords::NotATransferTarget {
                name: account.name.clone(),
            }));
        };
        let rules = account.settings.policy()?.transfer.unwrap_or_default();
        Ok(Target { account, spec, rules })
    }

    /// Queues sending orders to a target. Unless `confirmed`, orders the manager should look at
    /// first (two targets would ship it; paid online but unpaid, to a target that ships) hold the
    /// whole request back and are listed; nothing is queued then.
    pub async fn send_to_target(
        &self,
        account_id: AccountId,
        order_ids: &[i64],
        confirmed: bool,
    ) -> Result<TransferRequestReport> {
        if order_ids.is_empty() {
            return Err(AppError::refused(ErrorWords::NothingSelected {
                thing: Thing::Order,
            }));
        }
        let target = self.target(account_id).await?;
        self.0.store.shop_order_facts(order_ids).await?;
        if !confirmed {
            let to_confirm = self.transfer_concerns(&target, order_ids).await?;
            if !to_confirm.is_empty() {
                return Ok(TransferRequestReport {
                    queued: vec![],
                    to_confirm,
                });
            }
        }
        let queued = self
            .0
            .store
            .queue_transfers((account_id, &target.account.name), order_ids, &self.0.actor)
            .await?;
        self.0.outbox_wake.notify_one();
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.emit(EngineEvent::Outbox { account_id });
        Ok(TransferRequestReport {
            queued,
            to_confirm: vec![],
        })
    }

    /// What the manager should confirm before these orders go to a target that ships them.
    async fn transfer_concerns(&self, target: &Target, order_ids: &[i64]) -> Result<Vec<TransferWarning>> {
        if !target.spec.ships {
            return Ok(vec![]);
        }
        let targets = self.transfer_targets().await?;
        let ships = |id: AccountId| targets.iter().any(|t| t.account_id == id && t.ships);
        let mut concerns = Vec::new();
        for &order_id in order_ids {
            let order = self.0.store.shop_order_without_timeline(order_id).await?;
            let number = order.draft.number.clone();
            // A refused edit leaves the record there (problematic, with its id): it still ships.
            let other = order.transfers.iter().find(|t| {
                t.account_id != target.account.id
                    && ships(t.account_id)
                    && (t.state != TransferState::Problematic || t.remote_id.is_some())
            });
            if let Some(other) = other {
                concerns.push(TransferWarning {
                    order_id,
                    number: number.clone(),
                    reason: TransferConcern::ShipsTwice {
                        other: other.target.clone(),
                    },
                });
            }
            if unpaid_online(&order) {
                concerns.push(TransferWarning {
                    order_id,
                    number,
                    reason: TransferConcern::NotPaid {},
                });
            }
        }
        Ok(concerns)
    }

    /// The targets' rules: orders that reached a target's "send on" status since its rule last
    /// looked go to it. Looked at before each outbox pass, so every way an order changes status
    /// (by hand, by its marketplace lines, by an automatic rule) is covered; an order is taken
    /// only once the undo window of the decision that moved it has passed.
    pub(crate) async fn send_by_rules(&self, now: DateTime<Utc>) -> Result<()> {
        let until = now - self.undo_hold().unwrap_or_default();
        for target in self.transfer_targets().await? {
            let Some(status) = target.rules.send_on_status.filter(|_| target.active) else {
                continue;
            };
            let key = rule_mark_key(target.account_id, status);
            let Some(after) = self.rule_mark(&key).await? else {
                // A rule this process never saw set: from now on.
                self.set_rule_mark(&key, until).await?;
                continue;
            };
            let due = self
                .0
                .store
                .orders_changed_into(status, (after, until), RULE_BATCH)
                .await?;
            let Some(&(_, last)) = due.last() else {
                continue;
            };
            let ids: Vec<i64> = due.iter().map(|(id, _)| *id).collect();
            self.0
                .store
                .queue_transfers((target.account_id, &target.name), &ids, RULE_ACTOR)
                .await?;
            // A full batch may have more changed at the same instant as its last: look again from
            // just before it (those already queued are not queued twice).
            let mark = if due.len() == RULE_BATCH as usize {
                last - chrono::Duration::microseconds(1)
            } else {
                until
            };
            self.set_rule_mark(&key, mark).await?;
            self.emit(EngineEvent::OrdersChanged { account_id: None });
        }
        Ok(())
    }

    /// A target's rule starts from now when it is set or changed: orders already in the status
    /// are not sent by it.
    pub(crate) async fn note_transfer_rule(&self, account: &Account) -> Result<()> {
        let rules = account.settings.policy()?.transfer;
        if let Some(status) = rules.and_then(|r| r.send_on_status) {
            let key = rule_mark_key(account.id, status);
            if self.rule_mark(&key).await?.is_none() {
                let now = Utc::now() - self.undo_hold().unwrap_or_default();
                self.set_rule_mark(&key, now).await?;
            }
        }
        Ok(())
    }

    async fn rule_mark(&self, key: &str) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .0
            .store
            .setting(key)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok()))
    }

    async fn set_rule_mark(&self, key: &str, at: DateTime<Utc>) -> Result<()> {
        let value = serde_json::to_string(&at).map_err(|e| internal(&e.to_string()))?;
        Ok(self.0.store.set_setting(key, &value).await?)
    }

    /// Forgets an order's link to a target's record; the record stays there.
    pub async fn unlink_transfer(&self, order_id: i64, account_id: AccountId) -> Result<bool> {
        let target = self.target(account_id).await?;
        let unlinked = self
            .0
            .store
            .transfer_unlink((order_id, account_id), &target.account.name, false, &self.0.actor)
            .await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(unlinked)
    }

    /// Deleted orders' records at the targets that delete (a delivery service's package, a
    /// warehouse's order): each queued to be deleted there. Returns how many were queued.
    pub async fn delete_at_targets(&self, order_ids: &[i64]) -> Result<u32> {
        let mut queued = 0;
        for transfer in self.0.store.transfers(order_ids, None).await? {
            let Some(remote_id) = transfer.transfer.remote_id.as_deref() else {
                continue;
            };
            let target = self.target(transfer.transfer.account_id).await?;
            if !target.spec.deletes {
                continue;
            }
            let row = self
                .0
                .store
                .queue_transfer_delete(
                    (target.account.id, &target.account.name),
                    transfer.order_id,
                    remote_id,
                )
                .await?;
            queued += u32::from(row.is_some());
        }
        self.0.outbox_wake.notify_one();
        Ok(queued)
    }

    /// Transfers of the given orders (every order when empty), to one target or all.
    pub async fn transfer_status(
        &self,
        order_ids: &[i64],
        account_id: Option<AccountId>,
    ) -> Result<Vec<OrderTransferView>> {
        Ok(self.0.store.transfers(order_ids, account_id).await?)
    }

    /// Reads back what the targets made of the orders' records (every transferred order when
    /// `order_ids` is empty), through each target's own pace.
    pub async fn refresh_transfers(
        &self,
        order_ids: &[i64],
        account_id: Option<AccountId>,
    ) -> Result<TransferRefreshReport> {
        let transfers = self.0.store.transfers(order_ids, account_id).await?;
        self.read_back(transfers).await
    }

    /// The schedule's read-back: transfers not read in [`READ_BACK_EVERY`], oldest first.
    pub(crate) async fn refresh_due_transfers(&self, now: DateTime<Utc>) -> Result<TransferRefreshReport> {
        let due = self
            .0
            .store
            .transfers_to_read(now - READ_BACK_EVERY, READ_BACK_BATCH)
            .await?;
        self.read_back(due).await
    }

    /// Reads back sent transfers on a schedule, until aborted.
    pub(crate) async fn read_back_loop(self) -> std::result::Result<(), String> {
        loop {
            match self.refresh_due_transfers(Utc::now()).await {
                Ok(r) if !r.failed.is_empty() => {
                    tracing::warn!(failed = r.failed.len(), read = r.read, "transfer read-back")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "transfer read-back"),
            }
            tokio::time::sleep(READ_BACK_PASS).await;
        }
    }

    async fn read_back(&self, transfers: Vec<OrderTransferView>) -> Result<TransferRefreshReport> {
        let mut report = TransferRefreshReport::default();
        for t in transfers {
            // A record whose last edit was refused (problematic) is still there, and still moves.
            let (Some(remote_id), TransferState::Transferred | TransferState::Problematic) =
                (t.transfer.remote_id.as_deref(), t.transfer.state)
            else {
                continue;
            };
            let target = self.target(t.transfer.account_id).await?;
            let fail = |error: AppError| TransferWarningText {
                order_id: t.order_id,
                number: t.number.clone(),
                target: target.account.name.clone(),
                error,
            };
            let client = match self.session(&target.account).await {
                Ok(c) => c,
                Err(e) => {
                    report.failed.push(fail(e));
                    continue;
                }
            };
            let Some(transfer) = client.order_transfer() else {
                continue;
            };
            let read = waiting_out_limits(|| transfer.read_back(remote_id)).await;
            let key = (t.order_id, target.account.id);
            match read {
                Ok(state) => {
                    let history: Vec<RemoteHistoryEntry> = state
                        .history
                        .iter()
                        .map(|e| RemoteHistoryEntry {
                            at: e.at,
                            text: e.text.clone(),
                        })
                        .collect();
                    self.0
                        .store
                        .transfer_read_back(
                            key,
                            &target.account.name,
                            (&state.status, state.tracking_number.as_deref(), &history),
                        )
                        .await?;
                    report.read += 1;
                }
                Err(TransferError::Gone) => {
                    let words = ErrorWords::TransferRefused {
                        target: target.account.name.clone(),
                        detail: TransferError::Gone.to_string(),
                    };
                    self.0
                        .store
                        .transfer_read_back(key, &target.account.name, (&words.english(), None, &[]))
                        .await?;
                    report.gone += 1;
                }
                Err(TransferError::Connector(e)) => {
                    report.failed.push(fail(refusal(&target.account.name, &e)));
                }
            }
        }
        if report.read + report.gone > 0 {
            self.emit(EngineEvent::OrdersChanged { account_id: None });
        }
        Ok(report)
    }

    /// Delivers one transfer row: the order as it is now goes to the target (an update when the
    /// target has it already), or its record there is deleted. The outcome is recorded here; the
    /// outbox only learns whether to retry.
    pub(crate) async fn deliver_transfer(&self, row: &OutboxRow, account_id: AccountId) -> Delivery {
        let Some(order_id) = row.subject.shop_order() else {
            return Delivery::Failed(internal("a transfer row about no shop order"));
        };
        let target = match self.target(account_id).await {
            Ok(t) => t,
            Err(e) => return Delivery::unless_passing(e),
        };
        let client = match self.session(&target.account).await {
            Ok(c) => c,
            Err(e) if passes_by_itself(&e) => return Delivery::unless_passing(e),
            Err(e) => return self.transfer_refused(order_id, &target, e).await,
        };
        let Some(transfer) = client.order_transfer() else {
            return Delivery::Failed(internal("the target takes no orders"));
        };
        if row.kind == TRANSFER_DELETE {
            return self.deliver_delete(row, order_id, &target, transfer).await;
        }
        let outcome = self.send_order(order_id, &target, transfer).await;
        match outcome {
            Ok(sent) => match self.transfer_succeeded(order_id, &target, &sent).await {
                Ok(()) => Delivery::Done(false),
                Err(e) => Delivery::Retry {
                    error: e,
                    retry_after: None,
                },
            },
            Err(Sending::Refused(e)) => self.transfer_refused(order_id, &target, e).await,
            Err(Sending::Unready(error)) => Delivery::Retry {
                error,
                retry_after: None,
            },
            Err(Sending::Transient(e)) => Delivery::Retry {
                retry_after: e.retry_after(),
                error: refusal(&target.account.name, &e),
            },
        }
    }

    async fn send_order(
        &self,
        order_id: i64,
        target: &Target,
        transfer: &dyn OrderTransfer,
    ) -> std::result::Result<TransferredOrder, Sending> {
        let order = self
            .0
            .store
            .shop_order_without_timeline(order_id)
            .await
            .map_err(|e| Sending::unready(e.into()))?;
        let order = self
            .transfer_order(order, &target.account)
            .await
            .map_err(Sending::unready)?;
        let linked = self
            .0
            .store
            .transfer_of(order_id, target.account.id)
            .await
            .map_err(|e| Sending::unready(e.into()))?
            .and_then(|t| t.remote_id);
        let create = || async {
            match waiting_out_limits(|| transfer.create(&order)).await {
                // An earlier try's record holds what that try sent: the order as it is now goes on
                // it. Refused (a parcel the carrier has taken), the record stays linked as it is.
                Ok(made) if made.found => {
                    match waiting_out_limits(|| transfer.update(&made.remote_id, &order)).await {
                        Err(TransferError::Connector(e)) if is_refusal(&e) => {
                            tracing::warn!(remote_id = %made.remote_id, error = %e, "the found record kept as it was");
                            Ok(made)
                        }
                        other => other,
                    }
                }
                other => other,
            }
        };
        let result = match &linked {
            Some(remote_id) => match waiting_out_limits(|| transfer.update(remote_id, &order)).await {
                // Deleted there since: made again under the same key.
                Err(TransferError::Gone) => create().await,
                other => other,
            },
            None => create().await,
        };
        result.map_err(|e| match e {
            TransferError::Gone => Sending::Refused(AppError::refused(ErrorWords::TransferRefused {
                target: target.account.name.clone(),
                detail: TransferError::Gone.to_string(),
            })),
            TransferError::Connector(e) if is_refusal(&e) => {
                Sending::Refused(refusal(&target.account.name, &e))
            }
            TransferError::Connector(e) => Sending::Transient(e),
        })
    }

    /// The shop order as targets take it: our key, and its delivery method's code for the target.
    async fn transfer_order(&self, order: ShopOrderFull, target: &Account) -> Result<TransferOrder> {
        let prefix = self.0.store.transfer_key_prefix().await?;
        let methods = self.settings().await?.delivery_methods;
        let method = order.draft.method(&methods);
        let delivery = DeliveryInfo {
            code: method.and_then(|m| m.codes.get(target.kind.as_str()).cloned()),
            tariff_name: method.map(|m| m.name.clone()).unwrap_or_default(),
            tariff_id: order.draft.delivery_method.clone(),
            carrier: method.map(|m| m.carrier.clone()).unwrap_or_default(),
        };
        Ok(TransferOrder {
            order_id: order.id,
            key: format!("{prefix}-{}", order.id),
            order: order.draft,
            delivery,
        })
    }

    async fn transfer_succeeded(
        &self,
        order_id: i64,
        target: &Target,
        sent: &TransferredOrder,
    ) -> Result<()> {
        let statuses = self.0.store.shop_statuses().await?;
        let status = pick_status(&statuses, target.rules.success_status, TRANSFERRED)?;
        self.0
            .store
            .transfer_sent(
                (order_id, target.account.id),
                (&target.account.name, &sent.remote_id, sent.link.as_deref()),
                status,
            )
            .await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(())
    }

    /// The target refused the order: recorded on it, and the row is done (a re-send makes a new one).
    async fn transfer_refused(&self, order_id: i64, target: &Target, error: AppError) -> Delivery {
        match self.record_refusal(order_id, target, &error).await {
            Ok(()) => Delivery::Done(false),
            Err(e) => Delivery::Retry {
                error: e,
                retry_after: None,
            },
        }
    }

    async fn record_refusal(&self, order_id: i64, target: &Target, error: &AppError) -> Result<()> {
        let statuses = self.0.store.shop_statuses().await?;
        let status = pick_status(&statuses, target.rules.failure_status, PROBLEMATIC)?;
        self.0
            .store
            .transfer_failed((order_id, target.account.id), &target.account.name, error, status)
            .await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        Ok(())
    }

    /// A sending whose attempts ran out on transient failures: the order says so like a refusal.
    pub(crate) async fn transfer_gave_up(&self, row: &OutboxRow, error: &AppError) {
        let (Some(order_id), Some(account_id)) = (row.subject.shop_order(), row.account_id()) else {
            return;
        };
        if row.kind == TRANSFER_DELETE {
            return;
        }
        let recorded = match self.target(account_id).await {
            Ok(target) => self.record_refusal(order_id, &target, error).await,
            Err(e) => Err(e),
        };
        if let Err(e) = recorded {
            tracing::warn!(row = row.id, error = %e, "could not record a transfer that gave up");
        }
    }

    async fn deliver_delete(
        &self,
        row: &OutboxRow,
        order_id: i64,
        target: &Target,
        transfer: &dyn OrderTransfer,
    ) -> Delivery {
        let Some(remote_id) = row.payload["remote_id"].as_str() else {
            return Delivery::Failed(internal("a deletion without the record's id"));
        };
        match waiting_out_limits(|| transfer.delete(remote_id)).await {
            Ok(()) | Err(TransferError::Gone) => {
                let unlinked = self
                    .0
                    .store
                    .transfer_unlink(
                        (order_id, target.account.id),
                        &target.account.name,
                        true,
                        "outbox",
                    )
                    .await;
                match unlinked {
                    Ok(_) => {
                        self.emit(EngineEvent::OrdersChanged { account_id: None });
                        Delivery::Done(false)
                    }
                    Err(e) => Delivery::Retry {
                        error: e.into(),
                        retry_after: None,
                    },
                }
            }
            Err(TransferError::Connector(e)) if is_refusal(&e) => {
                Delivery::Failed(refusal(&target.account.name, &e))
            }
            Err(TransferError::Connector(e)) => Delivery::Retry {
                retry_after: e.retry_after(),
                error: refusal(&target.account.name, &e),
            },
        }
    }
}

/// How a sending ended short of the target having the order.
enum Sending {
    /// The target said no (or the order cannot be sent as it is): final until it is fixed.
    Refused(AppError),
    /// The network, the target's server: the outbox tries again.
    Transient(ConnectorError),
    /// Our side could not read the order for a passing cause (database busy, disk full): the
    /// outbox tries again, the order is not marked refused.
    Unready(AppError),
}

impl Sending {
    /// The order could not be read or shaped for the target.
    fn unready(error: AppError) -> Self {
        if passes_by_itself(&error) {
            Sending::Unready(error)
        } else {
            Sending::Refused(error)
        }
    }
}

/// A definite answer from the target about the order or our access: trying again changes nothing.
fn is_refusal(e: &ConnectorError) -> bool {
    matches!(e, ConnectorError::Auth(_) | ConnectorError::Rejected { .. })
}

/// The target's words, named.
fn refusal(target: &str, e: &ConnectorError) -> AppError {
    let code = match e {
        ConnectorError::Auth(_) => ErrorCode::Auth,
        ConnectorError::RateLimited { .. } => ErrorCode::RateLimited,
        ConnectorError::Network(_) => ErrorCode::Network,
        _ => ErrorCode::Marketplace,
    };
    // A refusal is the target's own words; the other kinds say what kind of trouble it was.
    let detail = match e {
        ConnectorError::Rejected { message, .. } => message.clone(),
        other => other.to_string(),
    };
    AppError::said(
        code,
        ErrorWords::TransferRefused {
            target: target.to_string(),
            detail,
        },
    )
}

/// Runs a call again while the target answers "too many requests", waiting as long as it asks
/// (a limit is a wait, not a failure), for up to [`RATE_LIMIT_PATIENCE`] in all.
async fn waiting_out_limits<T, F, Fut>(mut call: F) -> std::result::Result<T, TransferError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, TransferError>>,
{
    let mut waited = Duration::ZERO;
    loop {
        match call().await {
            Err(TransferError::Connector(ConnectorError::RateLimited { retry_after, message })) => {
                let wait = retry_after.unwrap_or(Duration::from_secs(1));
                if waited + wait > RATE_LIMIT_PATIENCE {
                    return Err(ConnectorError::RateLimited { retry_after, message }.into());
                }
                tokio::time::sleep(wait).await;
                waited += wait;
            }
            other => return other,
        }
    }
}

/// Paid online (a card on the site, a transfer) but not paid: a delivery service would hand it
/// over without collecting.
fn unpaid_online(order: &ShopOrderFull) -> bool {
    let d = &order.draft;
    let online = matches!(
        d.payment_method,
        Some(PaymentMethod::CardOnline | PaymentMethod::Prepaid)
    );
    online && !d.paid && !d.cod
}

/// The status an outcome moves the order to: the target's chosen one, else the built-in.
fn pick_status<'a>(
    statuses: &'a [ordertray_core::statuses::ShopStatus],
    chosen: Option<i64>,
    builtin: &str,
) -> Result<ordertray_store::StatusTo<'a>> {
    let status = chosen
        .and_then(|id| statuses.iter().find(|s| s.id == id))
        .or_else(|| statuses.iter().find(|s| s.code.as_deref() == Some(builtin)))
        .ok_or_else(|| AppError::missing(Thing::BuiltInStatus, format!("«{builtin}»")))?;
    Ok((status.id, status.name.as_str(), status.code.as_deref()))
}

/// Where a target's rule keeps how far it has looked (per status: a changed rule starts afresh).
fn rule_mark_key(account_id: AccountId, status_id: i64) -> String {
    format!("transfer_rule_mark:{account_id}:{status_id}")
}

fn internal(message: &str) -> AppError {
    AppError::new(ErrorCode::Internal, message.to_string())
}
