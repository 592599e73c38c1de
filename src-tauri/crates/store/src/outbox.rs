//! The outbox: every outbound effect as a row, claimed by the worker before the call (so a crash
//! leaves it `in_flight`, and the retry first asks the marketplace whether it already happened).

use chrono::{DateTime, Utc};
use ordertray_core::{AccountId, AppError, Effect, OutboxState, OutboxView};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use crate::events::{insert_event, NewEvent};
use crate::time::{format_ts, parse_opt, parse_ts};
use crate::{Result, Store};

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub account_id: AccountId,
    pub order_id: Option<i64>,
    pub effect: Effect,
    /// Attempts made before this one; more than zero means an earlier call's outcome is unknown
    /// or failed, so the worker checks the marketplace before calling again.
    pub attempts: i64,
}

fn row_from(r: &SqliteRow) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get("id"),
        account_id: r.get("account_id"),
        order_id: r.get("order_id"),
        effect: serde_json::from_str(r.get("payload"))?,
        attempts: r.get("attempts"),
    })
}

fn view_from(r: &SqliteRow) -> Result<OutboxView> {
    let effect: Effect = serde_json::from_str(r.get("payload"))?;
    Ok(OutboxView {
        id: r.get("id"),
        account_id: r.get("account_id"),
        order_id: r.get("order_id"),
        kind: r.get("kind"),
        description: effect.describe(),
        state: OutboxState::parse(r.get("state")).unwrap_or(OutboxState::Failed),
        attempts: r.get("attempts"),
        last_error: r.get("last_error"),
        next_attempt_at: parse_opt(Some(r.get("next_attempt_at")))?,
        created_at: parse_ts(r.get("created_at"))?,
        updated_at: parse_ts(r.get("updated_at"))?,
    })
}

impl Store {
    /// Pending rows due by `now`, oldest first. A row waits while an earlier row of the same order
    /// is unfinished or failed, so Ozon sees product cancels before the ship call, never after.
    pub async fn outbox_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(
            "SELECT id, account_id, order_id, payload, attempts FROM outbox o
             WHERE state = 'pending' AND next_attempt_at <= ?
               AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_id = o.order_id AND e.id < o.id
                               AND e.state IN ('pending', 'in_flight', 'failed'))
             ORDER BY id LIMIT ?",
        )
        .bind(format_ts(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    /// Marks a pending row in flight (committed before the call); None if another worker took it.
    pub async fn outbox_claim(&self, id: i64) -> Result<Option<OutboxRow>> {
        let row = sqlx::query(
            "UPDATE outbox SET state = 'in_flight', updated_at = ? WHERE id = ? AND state = 'pending'
             RETURNING id, account_id, order_id, payload, attempts",
        )
        .bind(format_ts(Utc::now()))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_from).transpose()
    }

    pub async fn outbox_done(&self, row: &OutboxRow, note: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET state = 'done', attempts = attempts + 1, last_error = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
        let message = format!("{note}: {}", row.effect.describe());
        insert_event(
            &mut tx,
            NewEvent {
                account_id: Some(row.account_id),
                order_id: row.order_id,
                line_id: None,
                kind: "outbox_done",
                actor: "outbox",
                message: &message,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn outbox_retry_at(&self, row: &OutboxRow, at: DateTime<Utc>, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                updated_at = ? WHERE id = ?",
        )
        .bind(format_ts(at))
        .bind(error)
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn outbox_fail(&self, row: &OutboxRow, error: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?",
        )
        .bind(error)
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
        let message = format!(
            "Could not deliver to the marketplace ({}): {error}",
            row.effect.describe()
        );
        insert_event(
            &mut tx,
            NewEvent {
                account_id: Some(row.account_id),
                order_id: row.order_id,
                line_id: None,
                kind: "outbox_failed",
                actor: "outbox",
                message: &message,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The manager's Retry: a failed row goes back to pending with a fresh set of attempts.
    pub async fn outbox_requeue(&self, id: i64, actor: &str) -> Result<OutboxRow> {
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        let row = sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
             WHERE id = ? AND state = 'failed' RETURNING id, account_id, order_id, payload, attempts",
        )
        .bind(&now)
        .bind(&now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found(format!("No failed outbox row {id} to retry")))?;
        let row = row_from(&row)?;
        let message = format!("Retry requested: {}", row.effect.describe());
        insert_event(
            &mut tx,
            NewEvent {
                account_id: Some(row.account_id),
                order_id: row.order_id,
                line_id: None,
                kind: "outbox_retry",
                actor,
                message: &message,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// After a crash: rows left in flight go back to pending; their attempt counts as made, so the
    /// worker checks the marketplace before calling again.
    pub async fn outbox_recover_in_flight(&self) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1,
                last_error = COALESCE(last_error, 'interrupted before the answer was saved') WHERE state = 'in_flight'",
        )
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    pub async fn outbox_list(
        &self,
        account_id: Option<AccountId>,
        order_id: Option<i64>,
    ) -> Result<Vec<OutboxView>> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR order_id = ?2) ORDER BY id",
        )
        .bind(account_id)
        .bind(order_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(view_from).collect()
    }

    /// The earliest time a pending row becomes due, for the worker's sleep.
    pub async fn outbox_next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let next: Option<String> =
            sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        parse_opt(next)
    }
}
