//! The outbox: every outbound effect as a row, leased by one worker before the call. Several
//! processes may share the database (the app and a CLI command): a row in flight belongs to its
//! lease's owner until the lease expires, and only then may another process take it over (counting
//! the interrupted attempt, so that the worker asks the marketplace whether it already happened).

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
    /// Who holds the row while it is in flight (None for a row not claimed).
    pub lease_owner: Option<String>,
}

/// A claim on a row: the owner (one per engine instance) and until when it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub until: DateTime<Utc>,
}

const ROW_COLUMNS: &str = "id, account_id, order_id, payload, attempts, lease_owner";
/// Ends the lease as the answer is recorded (binds: updated_at).
const RELEASE: &str = "lease_owner = NULL, lease_until = NULL, updated_at = ?";
/// Only the lease's holder records an answer (binds: id, owner): a row taken over after its lease
/// expired belongs to the new owner.
const OWNED: &str = "WHERE id = ? AND state = 'in_flight' AND lease_owner IS ?";

fn row_from(r: &SqliteRow) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.get("id"),
        account_id: r.get("account_id"),
        order_id: r.get("order_id"),
        effect: serde_json::from_str(r.get("payload"))?,
        attempts: r.get("attempts"),
        lease_owner: r.get("lease_owner"),
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
    /// Rows due by `now`, oldest first: pending rows whose time has come, and rows in flight whose
    /// lease has expired (their process died or lost track of them). A row waits while an earlier
    /// row of the same order is unfinished or failed, so Ozon sees product cancels before the ship
    /// call, never after.
    pub async fn outbox_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM outbox o
             WHERE ((state = 'pending' AND next_attempt_at <= ?1) OR (state = 'in_flight' AND lease_until <= ?1))
               AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.order_id = o.order_id AND e.id < o.id
                               AND e.state IN ('pending', 'in_flight', 'failed'))
             ORDER BY id LIMIT ?2"
        ))
        .bind(format_ts(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_from).collect()
    }

    /// Leases a due row to `lease.owner` (committed before the call); None if another process
    /// holds it. Taking over an expired lease counts the interrupted attempt, so the worker looks
    /// at the marketplace before calling again.
    pub async fn outbox_claim(
        &self,
        id: i64,
        lease: &Lease<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<OutboxRow>> {
        let row = sqlx::query(&format!(
            "UPDATE outbox SET state = 'in_flight', lease_owner = ?1, lease_until = ?2, updated_at = ?3,
                attempts = attempts + (state = 'in_flight'),
                last_error = CASE WHEN state = 'in_flight'
                             THEN COALESCE(last_error, 'interrupted before the answer was saved')
                             ELSE last_error END
             WHERE id = ?4 AND (state = 'pending' OR (state = 'in_flight' AND lease_until <= ?3))
             RETURNING {ROW_COLUMNS}"
        ))
        .bind(lease.owner)
        .bind(format_ts(lease.until))
        .bind(format_ts(now))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_from).transpose()
    }

    /// Extends the lease before another call; false when the row is no longer this owner's (it
    /// was taken over after the lease expired), and the caller must not call.
    pub async fn outbox_renew(&self, row: &OutboxRow, until: DateTime<Utc>) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE outbox SET lease_until = ? WHERE id = ? AND state = 'in_flight' AND lease_owner = ?",
        )
        .bind(format_ts(until))
        .bind(row.id)
        .bind(&row.lease_owner)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Records a delivery; false (and nothing written) when the lease was lost meanwhile.
    pub async fn outbox_done(&self, row: &OutboxRow, note: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let owned = sqlx::query(&format!(
            "UPDATE outbox SET state = 'done', attempts = attempts + 1, last_error = NULL, {RELEASE} {OWNED}"
        ))
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .bind(&row.lease_owner)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !owned {
            return Ok(false);
        }
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
        Ok(true)
    }

    /// Puts the row back to pending until `at`; false when the lease was lost meanwhile.
    pub async fn outbox_retry_at(&self, row: &OutboxRow, at: DateTime<Utc>, error: &str) -> Result<bool> {
        Ok(sqlx::query(&format!(
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                {RELEASE} {OWNED}"
        ))
        .bind(format_ts(at))
        .bind(error)
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .bind(&row.lease_owner)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Parks the row as failed; false (and nothing written) when the lease was lost meanwhile.
    pub async fn outbox_fail(&self, row: &OutboxRow, error: &str) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let owned = sqlx::query(&format!(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, {RELEASE} {OWNED}"
        ))
        .bind(error)
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .bind(&row.lease_owner)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !owned {
            return Ok(false);
        }
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
        Ok(true)
    }

    /// The manager's Retry: a failed row goes back to pending with a fresh set of attempts.
    pub async fn outbox_requeue(&self, id: i64, actor: &str) -> Result<OutboxRow> {
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        let row = sqlx::query(&format!(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
             WHERE id = ? AND state = 'failed' RETURNING {ROW_COLUMNS}"
        ))
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

    /// The earliest time a row becomes due (a pending row's time, or an in-flight row's lease
    /// expiry), for the worker's sleep.
    pub async fn outbox_next_due(&self) -> Result<Option<DateTime<Utc>>> {
        let next: Option<String> = sqlx::query_scalar(
            "SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END)
             FROM outbox WHERE state IN ('pending', 'in_flight')",
        )
        .fetch_one(&self.pool)
        .await?;
        parse_opt(next)
    }
}
