//! The outbox: every outbound effect as a row, leased by one worker before the call. Several
//! processes may share the database (the app and a CLI command): a row in flight belongs to its
//! lease's owner until the lease expires, and only then may another process take it over (counting
//! the interrupted attempt, so that the worker asks the marketplace whether it already happened).

use chrono::{DateTime, Utc};
use ordertray_core::timeline::{EffectWords, TimelineEvent};
use ordertray_core::Thing;
use ordertray_core::{AccountId, AppError, Destination, Effect, OutboxState, OutboxView, Subject};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::events::{insert_event, NewEvent};
use crate::time::{format_ts, parse_opt, parse_ts};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub destination: Destination,
    pub subject: Subject,
    /// The payload's kind, as its integration names it ("ship", "cancel_lines", …).
    pub kind: String,
    /// The integration's own JSON: the destination's sink reads it, the outbox never does.
    pub payload: serde_json::Value,
    /// The payload in words, written when it was queued (the timeline and the outbox list).
    pub description: String,
    /// Attempts made before this one; more than zero means an earlier call's outcome is unknown
    /// or failed, so the worker checks the destination before calling again.
    pub attempts: i64,
    /// Who holds the row while it is in flight (None for a row not claimed).
    pub lease_owner: Option<String>,
}

impl OutboxRow {
    /// The marketplace account the row goes to, if it goes to one.
    pub fn account_id(&self) -> Option<AccountId> {
        self.destination.account()
    }

    /// The marketplace order the row is about, if it is about one.
    pub fn order_id(&self) -> Option<i64> {
        self.subject.external_order()
    }

    /// The call as the timeline's arguments: a marketplace effect's values, else the description.
    pub fn effect_words(&self) -> EffectWords {
        words_of(self.payload.clone(), &self.description)
    }
}

/// A row to queue: addressed, described, and keyed so that one decision queues it once.
#[derive(Debug, Clone)]
pub struct NewOutboxRow {
    pub destination: Destination,
    pub subject: Subject,
    pub kind: String,
    pub payload: serde_json::Value,
    pub description: String,
    pub idempotency_key: String,
}

/// A claim on a row: the owner (one per engine instance) and until when it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Lease<'a> {
    pub owner: &'a str,
    pub until: DateTime<Utc>,
}

const ROW_COLUMNS: &str = "id, destination_kind, destination_id, subject_kind, subject_id, kind, payload,
    description, attempts, lease_owner";
/// Ends the lease as the answer is recorded (binds: updated_at).
const RELEASE: &str = "lease_owner = NULL, lease_until = NULL, updated_at = ?";
/// Only the lease's holder records an answer (binds: id, owner): a row taken over after its lease
/// expired belongs to the new owner.
const OWNED: &str = "WHERE id = ? AND state = 'in_flight' AND lease_owner IS ?";

fn addressing(r: &SqliteRow) -> Result<(Destination, Subject)> {
    let destination = Destination::from_parts(r.get("destination_kind"), r.get("destination_id"))
        .ok_or_else(|| StoreError::Corrupt("unknown outbox destination".into()))?;
    let subject = Subject::from_parts(r.get("subject_kind"), r.get("subject_id"))
        .ok_or_else(|| StoreError::Corrupt("unknown outbox subject".into()))?;
    Ok((destination, subject))
}

/// Rows queued before descriptions were stored are marketplace effects: describe them now.
/// A payload's call as plain values; one this version cannot read keeps its description.
fn words_of(payload: serde_json::Value, description: &str) -> EffectWords {
    serde_json::from_value::<Effect>(payload)
        .map(|e| EffectWords::from(&e))
        .unwrap_or_else(|_| EffectWords::other(description))
}

fn description_of(r: &SqliteRow) -> String {
    r.get::<Option<String>, _>("description").unwrap_or_else(|| {
        serde_json::from_str::<Effect>(r.get("payload"))
            .map(|e| e.describe())
            .unwrap_or_else(|_| r.get("kind"))
    })
}

fn row_from(r: &SqliteRow) -> Result<OutboxRow> {
    let (destination, subject) = addressing(r)?;
    Ok(OutboxRow {
        id: r.get("id"),
        destination,
        subject,
        kind: r.get("kind"),
        payload: serde_json::from_str(r.get("payload"))?,
        description: description_of(r),
        attempts: r.get("attempts"),
        lease_owner: r.get("lease_owner"),
    })
}

/// Queues a row unless its idempotency key is already there; returns its id when queued.
pub(crate) async fn insert_outbox(
    conn: &mut SqliteConnection,
    row: &NewOutboxRow,
    (now, send_at): (&str, &str),
) -> Result<Option<i64>> {
    let (destination_kind, destination_id) = row.destination.parts();
    let (subject_kind, subject_id) = row.subject.parts();
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (destination_kind, destination_id, subject_kind, subject_id, account_id, order_id,
            shop_order_id, kind, payload, description, idempotency_key, state, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(destination_kind)
    .bind(destination_id)
    .bind(subject_kind)
    .bind(subject_id)
    .bind(row.destination.account())
    .bind(row.subject.external_order())
    .bind(row.subject.shop_order())
    .bind(&row.kind)
    .bind(serde_json::to_string(&row.payload)?)
    .bind(&row.description)
    .bind(&row.idempotency_key)
    .bind(send_at)
    .bind(now)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?)
}

fn view_from(r: &SqliteRow) -> Result<OutboxView> {
    let (destination, subject) = addressing(r)?;
    let description = description_of(r);
    Ok(OutboxView {
        id: r.get("id"),
        account_id: destination.account(),
        order_id: subject.external_order(),
        shop_order_id: subject.shop_order(),
        kind: r.get("kind"),
        effect: words_of(
            serde_json::from_str(r.get("payload")).unwrap_or_default(),
            &description,
        ),
        description,
        state: OutboxState::parse(r.get("state")).unwrap_or(OutboxState::Failed),
        attempts: r.get("attempts"),
        last_error: r.get("last_error"),
        last_error_words: crate::error::words_from(r.get("last_error_words")),
        next_attempt_at: parse_opt(Some(r.get("next_attempt_at")))?,
        created_at: parse_ts(r.get("created_at"))?,
        updated_at: parse_ts(r.get("updated_at"))?,
    })
}

/// A row `o` is sent only once no earlier row of its subject to its destination waits, is in
/// flight or failed: a marketplace sees an order's calls in the order they were made.
const NOT_BEHIND_ANOTHER: &str = "NOT EXISTS (SELECT 1 FROM outbox e
    WHERE e.subject_kind = o.subject_kind AND e.subject_id = o.subject_id
      AND e.destination_kind = o.destination_kind AND e.destination_id = o.destination_id
      AND e.id < o.id AND e.state IN ('pending', 'in_flight', 'failed'))";

impl Store {
    /// Queues a row on its own (a change that has its own transaction queues through
    /// `insert_outbox` instead); returns its id, or None when its key was already queued.
    pub async fn outbox_enqueue(&self, row: &NewOutboxRow, send_at: DateTime<Utc>) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let id = insert_outbox(&mut tx, row, (&format_ts(Utc::now()), &format_ts(send_at))).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Rows due by `now`, oldest first: pending rows whose time has come, and rows in flight whose
    /// lease has expired (their process died or lost track of them). A row waits while an earlier
    /// row of the same subject to the same destination is unfinished or failed, so the marketplace
    /// sees product cancels before the ship call, never after (a CRM's sending of the same order
    /// does not wait for the marketplace).
    ///
    /// At most `per_destination` rows go to one destination: a bulk transfer of a thousand orders
    /// to a CRM that takes ten a second must not hold a marketplace's ship call behind it.
    pub async fn outbox_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        per_destination: u32,
    ) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {ROW_COLUMNS} FROM (
               SELECT o.*, ROW_NUMBER() OVER (PARTITION BY o.destination_kind, o.destination_id ORDER BY o.id) AS nth
               FROM outbox o
               WHERE ((state = 'pending' AND next_attempt_at <= ?1) OR (state = 'in_flight' AND lease_until <= ?1))
                 AND {NOT_BEHIND_ANOTHER})
             WHERE nth <= ?3 ORDER BY id LIMIT ?2"
        ))
        .bind(format_ts(now))
        .bind(limit)
        .bind(per_destination)
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

    /// Records a delivery (`already_done`: a retry's look found it done on the marketplace);
    /// false (and nothing written) when the lease was lost meanwhile.
    pub async fn outbox_done(&self, row: &OutboxRow, already_done: bool) -> Result<bool> {
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
        // A transfer's outcome is on its order's timeline already (written by its record).
        if row.subject.shop_order().is_some() {
            tx.commit().await?;
            return Ok(true);
        }
        let effect = row.effect_words();
        let event = if already_done {
            TimelineEvent::OutboxAlreadyDone { effect }
        } else {
            TimelineEvent::OutboxDone { effect }
        };
        insert_event(
            &mut tx,
            NewEvent {
                account_id: row.account_id(),
                order_id: row.order_id(),
                line_id: None,
                actor: "outbox",
                event: &event,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Puts the row back to pending until `at`; false when the lease was lost meanwhile.
    pub async fn outbox_retry_at(
        &self,
        row: &OutboxRow,
        at: DateTime<Utc>,
        error: &AppError,
    ) -> Result<bool> {
        Ok(sqlx::query(&format!(
            "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
                last_error_words = ?, {RELEASE} {OWNED}"
        ))
        .bind(format_ts(at))
        .bind(&error.message)
        .bind(crate::error::words_json(Some(error)))
        .bind(format_ts(Utc::now()))
        .bind(row.id)
        .bind(&row.lease_owner)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Parks the row as failed; false (and nothing written) when the lease was lost meanwhile.
    pub async fn outbox_fail(&self, row: &OutboxRow, error: &AppError) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let owned = sqlx::query(&format!(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, last_error_words = ?,
                {RELEASE} {OWNED}"
        ))
        .bind(&error.message)
        .bind(crate::error::words_json(Some(error)))
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
        if row.subject.shop_order().is_some() {
            tx.commit().await?;
            return Ok(true);
        }
        let event = TimelineEvent::OutboxFailed {
            error: error.message.clone(),
            error_words: error.words.as_deref().cloned(),
            effect: row.effect_words(),
        };
        insert_event(
            &mut tx,
            NewEvent {
                account_id: row.account_id(),
                order_id: row.order_id(),
                line_id: None,
                actor: "outbox",
                event: &event,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The manager's Retry: a failed row goes back to pending with a fresh round of attempts, but
    /// one stays on record: the parked row's call may have reached the destination before its
    /// answer was lost, so the worker looks before calling again.
    pub async fn outbox_requeue(&self, id: i64, actor: &str) -> Result<OutboxRow> {
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        let row = sqlx::query(&format!(
            "UPDATE outbox SET state = 'pending', attempts = 1, next_attempt_at = ?, updated_at = ?
             WHERE id = ? AND state = 'failed' RETURNING {ROW_COLUMNS}"
        ))
        .bind(&now)
        .bind(&now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::missing(Thing::OutboxRow, id))?;
        let row = row_from(&row)?;
        let event = TimelineEvent::OutboxRetry {
            effect: row.effect_words(),
        };
        insert_event(
            &mut tx,
            NewEvent {
                account_id: row.account_id(),
                order_id: row.order_id(),
                line_id: None,
                actor,
                event: &event,
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
        let next: Option<String> = sqlx::query_scalar(&format!(
            "SELECT MIN(CASE state WHEN 'pending' THEN next_attempt_at ELSE lease_until END)
             FROM outbox o WHERE state IN ('pending', 'in_flight') AND {NOT_BEHIND_ANOTHER}"
        ))
        .fetch_one(&self.pool)
        .await?;
        parse_opt(next)
    }
}

/// Writes one marketplace call to the outbox (once per idempotency key) with its audit event.
pub(crate) async fn queue_effect(
    conn: &mut SqliteConnection,
    account_id: i64,
    order_id: i64,
    effect: &Effect,
    actor: &str,
    (now, send_at): (&str, &str),
) -> Result<Option<i64>> {
    // The last gate for every marketplace call: nothing is ever sent about a read-only order (one
    // the marketplace fulfils itself).
    let read_only: bool = sqlx::query_scalar("SELECT read_only FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?
        .unwrap_or(false);
    let effect_words = EffectWords::from(effect);
    let (id, event) = if read_only {
        (None, TimelineEvent::PushReadOnly { effect: effect_words })
    } else {
        let row = NewOutboxRow {
            destination: Destination::Account(account_id),
            subject: Subject::ExternalOrder(order_id),
            kind: effect.kind().to_string(),
            payload: serde_json::to_value(effect)?,
            description: effect.describe(),
            // `now` is the decision's time, stamped on the lines it changed: their state version.
            idempotency_key: effect.idempotency_key(account_id, now),
        };
        match insert_outbox(conn, &row, (now, send_at)).await? {
            // Queued by this decision before: its timeline says so already.
            None => return Ok(None),
            Some(id) => (Some(id), TimelineEvent::OutboxQueued { effect: effect_words }),
        }
    };
    insert_event(
        conn,
        NewEvent {
            account_id: Some(account_id),
            order_id: Some(order_id),
            line_id: None,
            actor,
            event: &event,
        },
    )
    .await?;
    Ok(id)
}
