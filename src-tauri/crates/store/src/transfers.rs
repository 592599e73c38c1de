//! Where shop orders were sent (CRMs, delivery services): one row per order and target account,
//! moved by the outbox worker (pending → transferred or problematic), read back from the target,
//! unlinked by the manager. A sending is an outbox row addressed to the target's account, about
//! the shop order; its outcome sets the order's status in the same transaction as the row.

use chrono::{DateTime, Utc};
use ordertray_core::cabinet::{OrderTransferView, RemoteHistoryEntry, TransferState, TransferView};
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{AccountId, AccountKind, AppError, Destination, Subject};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::events::shop_order_event;
use crate::outbox::{insert_outbox, NewOutboxRow};
use crate::time::{format_ts, parse_ts};
use crate::{Result, Store, StoreError};

/// The outbox row kind of a sending and of a deletion at the target.
pub const TRANSFER_SEND: &str = "transfer_send";
pub const TRANSFER_DELETE: &str = "transfer_delete";
const KEY_PREFIX_SETTING: &str = "transfer_key_prefix";

/// A status an outcome moves the order to: (id, name, built-in code).
pub type StatusTo<'a> = (i64, &'a str, Option<&'a str>);

const VIEW_COLUMNS: &str = "t.shop_order_id, s.number, t.account_id, a.name AS target, a.kind, t.remote_id,
    t.link, t.state, t.last_error, t.last_error_words, t.remote_status, t.tracking_number,
    t.remote_history, t.updated_at";
const VIEW_FROM: &str = "FROM order_transfers t JOIN accounts a ON a.id = t.account_id
    JOIN shop_orders s ON s.id = t.shop_order_id";

fn view_from(r: &SqliteRow) -> Result<OrderTransferView> {
    let state: &str = r.get("state");
    let history: Option<String> = r.get("remote_history");
    Ok(OrderTransferView {
        order_id: r.get("shop_order_id"),
        number: r.get("number"),
        transfer: TransferView {
            account_id: r.get("account_id"),
            target: r.get("target"),
            kind: AccountKind::new(r.get::<String, _>("kind")),
            remote_id: r.get("remote_id"),
            link: r.get("link"),
            state: TransferState::parse(state)
                .ok_or_else(|| StoreError::Corrupt(format!("transfer state «{state}»")))?,
            last_error: r.get("last_error"),
            last_error_words: crate::error::words_from(r.get("last_error_words")),
            remote_status: r.get("remote_status"),
            tracking_number: r.get("tracking_number"),
            history: history
                .and_then(|h| serde_json::from_str(&h).ok())
                .unwrap_or_default(),
            updated_at: parse_ts(r.get("updated_at"))?,
        },
    })
}

/// A deleted order is not sent: its sendings not yet under way are dropped (those waiting out a
/// backoff or behind others, and failed ones, which would also hold back a deletion queued after
/// them), and a transfer that only waited for them is forgotten, or is back to what the target has.
pub(crate) async fn drop_unsent_sends(conn: &mut SqliteConnection, order_id: i64, now: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM outbox WHERE subject_kind = 'shop_order' AND subject_id = ? AND kind = ?
           AND state IN ('pending', 'failed')",
    )
    .bind(order_id)
    .bind(TRANSFER_SEND)
    .execute(&mut *conn)
    .await?;
    // A transfer still waiting keeps its row: its sending is under way.
    let under_way = "EXISTS (SELECT 1 FROM outbox WHERE subject_kind = 'shop_order' AND subject_id = order_transfers.shop_order_id
        AND destination_kind = 'account' AND destination_id = order_transfers.account_id AND kind = ?)";
    sqlx::query(&format!(
        "DELETE FROM order_transfers WHERE shop_order_id = ? AND state = 'pending' AND remote_id IS NULL
           AND NOT {under_way}"
    ))
    .bind(order_id)
    .bind(TRANSFER_SEND)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "UPDATE order_transfers SET state = IIF(last_error IS NULL, 'transferred', 'problematic'), updated_at = ?
         WHERE shop_order_id = ? AND state = 'pending' AND remote_id IS NOT NULL AND NOT {under_way}"
    ))
    .bind(now)
    .bind(order_id)
    .bind(TRANSFER_SEND)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The order's status after an outcome, with its event (the transfer's own event comes first).
/// A deleted order stays in Deleted (a sending under way when it was deleted still ends).
async fn move_to(
    conn: &mut SqliteConnection,
    order_id: i64,
    status: StatusTo<'_>,
    actor: &str,
) -> Result<()> {
    let (id, name, code) = status;
    let moved = sqlx::query(
        "UPDATE shop_orders SET status_id = ?, updated_at = ? WHERE id = ? AND status_id IS NOT ?
           AND status_id IS NOT (SELECT id FROM shop_statuses WHERE code = ?)",
    )
    .bind(id)
    .bind(format_ts(Utc::now()))
    .bind(order_id)
    .bind(id)
    .bind(ordertray_core::statuses::DELETED)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if moved > 0 {
        let event = TimelineEvent::OrderStatus {
            status: name.to_string(),
            status_code: code.map(str::to_string),
        };
        shop_order_event(conn, order_id, actor, &event).await?;
        crate::shop_order_sync::note_write_off(conn, order_id).await?;
    }
    Ok(())
}

impl Store {
    /// Our key's prefix for this database (made by the migration; made now if a restore lost it).
    pub async fn transfer_key_prefix(&self) -> Result<String> {
        if let Some(p) = self.setting(KEY_PREFIX_SETTING).await? {
            if let Ok(p) = serde_json::from_str::<String>(&p) {
                return Ok(p);
            }
        }
        let prefix: String = sqlx::query_scalar("SELECT 'ot' || lower(hex(randomblob(3)))")
            .fetch_one(&self.pool)
            .await?;
        self.set_setting(KEY_PREFIX_SETTING, &serde_json::to_string(&prefix)?)
            .await?;
        Ok(prefix)
    }

    /// Queues sending each order to the target: its transfer row goes (back) to pending, an earlier
    /// sending of it that failed is replaced by this one, and the order's timeline says so.
    /// Returns the orders queued (an order already waiting to go there is not queued twice).
    pub async fn queue_transfers(
        &self,
        target: (AccountId, &str),
        order_ids: &[i64],
        actor: &str,
    ) -> Result<Vec<i64>> {
        let (account_id, target_name) = target;
        let mut tx = self.begin_write().await?;
        let now = Utc::now();
        let stamp = format_ts(now);
        let mut queued = Vec::new();
        for &order_id in order_ids {
            let waiting: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE subject_kind = 'shop_order' AND subject_id = ?
                   AND destination_kind = 'account' AND destination_id = ? AND kind = ?
                   AND state IN ('pending', 'in_flight'))",
            )
            .bind(order_id)
            .bind(account_id)
            .bind(TRANSFER_SEND)
            .fetch_one(&mut *tx)
            .await?;
            if waiting {
                continue;
            }
            // A failed sending stays failed only until the next one: that one says how it went.
            sqlx::query(
                "DELETE FROM outbox WHERE subject_kind = 'shop_order' AND subject_id = ?
                   AND destination_kind = 'account' AND destination_id = ? AND state = 'failed'",
            )
            .bind(order_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            let number: String = sqlx::query_scalar("SELECT number FROM shop_orders WHERE id = ?")
                .bind(order_id)
                .fetch_one(&mut *tx)
                .await?;
            let row = NewOutboxRow {
                destination: Destination::Account(account_id),
                subject: Subject::ShopOrder(order_id),
                kind: TRANSFER_SEND.into(),
                payload: serde_json::json!({"op": "send"}),
                description: format!("Send order {number} to {target_name}"),
                idempotency_key: format!(
                    "{TRANSFER_SEND}:{account_id}:{order_id}:{}",
                    now.timestamp_micros()
                ),
            };
            insert_outbox(&mut tx, &row, (&stamp, &stamp)).await?;
            sqlx::query(
                "INSERT INTO order_transfers (shop_order_id, account_id, state, updated_at)
                 VALUES (?1, ?2, 'pending', ?3)
                 ON CONFLICT (shop_order_id, account_id) DO UPDATE SET state = 'pending', updated_at = ?3",
            )
            .bind(order_id)
            .bind(account_id)
            .bind(&stamp)
            .execute(&mut *tx)
            .await?;
            let event = TimelineEvent::TransferQueued {
                target: target_name.to_string(),
            };
            shop_order_event(&mut tx, order_id, actor, &event).await?;
            queued.push(order_id);
        }
        tx.commit().await?;
        Ok(queued)
    }

    /// Queues deleting the order's record at the target (the order was deleted here).
    pub async fn queue_transfer_delete(
        &self,
        target: (AccountId, &str),
        order_id: i64,
        remote_id: &str,
    ) -> Result<Option<i64>> {
        let (account_id, target_name) = target;
        let mut tx = self.begin_write().await?;
        let stamp = format_ts(Utc::now());
        let row = NewOutboxRow {
            destination: Destination::Account(account_id),
            subject: Subject::ShopOrder(order_id),
            kind: TRANSFER_DELETE.into(),
            payload: serde_json::json!({"op": "delete", "remote_id": remote_id}),
            description: format!("Delete {remote_id} at {target_name}"),
            idempotency_key: format!("{TRANSFER_DELETE}:{account_id}:{order_id}:{remote_id}"),
        };
        let id = insert_outbox(&mut tx, &row, (&stamp, &stamp)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The target has the order: its id and link there are kept, the order moves to `status`.
    pub async fn transfer_sent(
        &self,
        (order_id, account_id): (i64, AccountId),
        (target_name, remote_id, link): (&str, &str, Option<&str>),
        status: StatusTo<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let stamp = format_ts(Utc::now());
        sqlx::query(
            "INSERT INTO order_transfers (shop_order_id, account_id, remote_id, link, state, updated_at)
             VALUES (?1, ?2, ?3, ?4, 'transferred', ?5)
             ON CONFLICT (shop_order_id, account_id) DO UPDATE SET remote_id = ?3, link = COALESCE(?4, link),
                state = 'transferred', last_error = NULL, last_error_words = NULL, updated_at = ?5",
        )
        .bind(order_id)
        .bind(account_id)
        .bind(remote_id)
        .bind(link)
        .bind(&stamp)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE shop_orders SET transferred_to = ? WHERE id = ?")
            .bind(target_name)
            .bind(order_id)
            .execute(&mut *tx)
            .await?;
        let event = TimelineEvent::TransferSent {
            target: target_name.to_string(),
            remote_id: remote_id.to_string(),
        };
        shop_order_event(&mut tx, order_id, target_name, &event).await?;
        move_to(&mut tx, order_id, status, target_name).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The target refused the order (or could not be reached in the attempts given): its words go
    /// on the order, which moves to `status`.
    pub async fn transfer_failed(
        &self,
        (order_id, account_id): (i64, AccountId),
        target_name: &str,
        error: &AppError,
        status: StatusTo<'_>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let stamp = format_ts(Utc::now());
        sqlx::query(
            "INSERT INTO order_transfers (shop_order_id, account_id, state, last_error, last_error_words, updated_at)
             VALUES (?1, ?2, 'problematic', ?3, ?4, ?5)
             ON CONFLICT (shop_order_id, account_id) DO UPDATE SET state = 'problematic', last_error = ?3,
                last_error_words = ?4, updated_at = ?5",
        )
        .bind(order_id)
        .bind(account_id)
        .bind(&error.message)
        .bind(crate::error::words_json(Some(error)))
        .bind(&stamp)
        .execute(&mut *tx)
        .await?;
        let event = TimelineEvent::TransferFailed {
            target: target_name.to_string(),
            error: error.message.clone(),
            error_words: error.words.as_deref().cloned(),
        };
        shop_order_event(&mut tx, order_id, target_name, &event).await?;
        move_to(&mut tx, order_id, status, target_name).await?;
        tx.commit().await?;
        Ok(())
    }

    /// What the target made of the order, read back; the timeline notes a new status. False when
    /// the order is no longer linked to the target.
    pub async fn transfer_read_back(
        &self,
        (order_id, account_id): (i64, AccountId),
        target_name: &str,
        (status, tracking, history): (&str, Option<&str>, &[RemoteHistoryEntry]),
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let stamp = format_ts(Utc::now());
        let before: Option<Option<String>> = sqlx::query_scalar(
            "SELECT remote_status FROM order_transfers WHERE shop_order_id = ? AND account_id = ?",
        )
        .bind(order_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(before) = before else {
            return Ok(false);
        };
        sqlx::query(
            "UPDATE order_transfers SET remote_status = ?, tracking_number = COALESCE(?, tracking_number),
                remote_history = ?, read_at = ? WHERE shop_order_id = ? AND account_id = ?",
        )
        .bind(status)
        .bind(tracking)
        .bind(serde_json::to_string(history)?)
        .bind(&stamp)
        .bind(order_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        if before.as_deref() != Some(status) && !status.is_empty() {
            let event = TimelineEvent::TransferRemoteStatus {
                target: target_name.to_string(),
                status: status.to_string(),
            };
            shop_order_event(&mut tx, order_id, target_name, &event).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Forgets the link to the target's record (the record stays there); `deleted`: the record
    /// was deleted there. False when there was no link.
    pub async fn transfer_unlink(
        &self,
        (order_id, account_id): (i64, AccountId),
        target_name: &str,
        deleted: bool,
        actor: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM order_transfers WHERE shop_order_id = ? AND account_id = ?")
            .bind(order_id)
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        // Sendings not yet made are withdrawn with the link.
        sqlx::query(
            "DELETE FROM outbox WHERE subject_kind = 'shop_order' AND subject_id = ? AND destination_kind = 'account'
               AND destination_id = ? AND kind = ? AND state IN ('pending', 'failed')",
        )
        .bind(order_id)
        .bind(account_id)
        .bind(TRANSFER_SEND)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE shop_orders SET transferred_to = (SELECT a.name FROM order_transfers t JOIN accounts a ON a.id = t.account_id
                WHERE t.shop_order_id = ?1 AND t.state = 'transferred' ORDER BY t.updated_at DESC LIMIT 1) WHERE id = ?1",
        )
        .bind(order_id)
        .execute(&mut *tx)
        .await?;
        let target = target_name.to_string();
        let event = if deleted {
            TimelineEvent::TransferDeleted { target }
        } else {
            TimelineEvent::TransferUnlinked { target }
        };
        shop_order_event(&mut tx, order_id, actor, &event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The order's transfer to one target, if it has one.
    pub async fn transfer_of(&self, order_id: i64, account_id: AccountId) -> Result<Option<TransferView>> {
        let row = sqlx::query(&format!(
            "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE t.shop_order_id = ? AND t.account_id = ?"
        ))
        .bind(order_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref()
            .map(view_from)
            .transpose()
            .map(|t| t.map(|t| t.transfer))
    }

    /// Where the order was sent, in the order of the targets' first sending.
    pub async fn order_transfers(&self, order_id: i64) -> Result<Vec<TransferView>> {
        let rows = sqlx::query(&format!(
            "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE t.shop_order_id = ? ORDER BY t.id"
        ))
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| view_from(r).map(|t| t.transfer)).collect()
    }

    /// Transfers of the given orders (all when empty), to one target or every one, by order.
    pub async fn transfers(
        &self,
        order_ids: &[i64],
        account_id: Option<AccountId>,
    ) -> Result<Vec<OrderTransferView>> {
        let mut q = sqlx::QueryBuilder::new(format!("SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE 1 = 1"));
        if let Some(a) = account_id {
            q.push(" AND t.account_id = ").push_bind(a);
        }
        if !order_ids.is_empty() {
            q.push(" AND t.shop_order_id IN (");
            let mut list = q.separated(", ");
            for id in order_ids {
                list.push_bind(*id);
            }
            q.push(")");
        }
        q.push(" ORDER BY t.shop_order_id, t.id");
        let rows = q.build().fetch_all(&self.pool).await?;
        rows.iter().map(view_from).collect()
    }

    /// Transfers whose target's record may still change (sent, not yet read in `since`): what the
    /// scheduled read-back looks at, oldest read first.
    pub async fn transfers_to_read(
        &self,
        read_before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OrderTransferView>> {
        let rows = sqlx::query(&format!(
            "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE t.state IN ('transferred', 'problematic') AND t.remote_id IS NOT NULL
               AND (t.read_at IS NULL OR t.read_at < ?) ORDER BY t.read_at IS NOT NULL, t.read_at LIMIT ?"
        ))
        .bind(format_ts(read_before))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(view_from).collect()
    }

    /// Orders in `status_id` whose last change falls in (`after`, `until`]: those that reached it
    /// since a target's rule last looked (oldest first).
    pub async fn orders_changed_into(
        &self,
        status_id: i64,
        (after, until): (DateTime<Utc>, DateTime<Utc>),
        limit: u32,
    ) -> Result<Vec<(i64, DateTime<Utc>)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, updated_at FROM shop_orders WHERE status_id = ? AND updated_at > ? AND updated_at <= ?
             ORDER BY updated_at, id LIMIT ?",
        )
        .bind(status_id)
        .bind(format_ts(after))
        .bind(format_ts(until))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, at)| Ok((id, parse_ts(&at)?)))
            .collect()
    }
}
