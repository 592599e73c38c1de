//! A triage decision as one transaction: line states, audit events, the customer link, and the
//! outbox rows for every marketplace call the decision causes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Utc;
use ordertray_core::customer::{normalize_email, normalize_phone};
use ordertray_core::{
    is_cancelled_status, plan_effects, AccountSettings, AppError, CancelReason, ErrorCode, LineAfter,
    LineState, TriageAction, TriagePolicy, TriageReport,
};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::events::{insert_event, NewEvent};
use crate::time::format_ts;
use crate::{Result, Store};

struct Target {
    line_id: i64,
    order_id: i64,
    account_id: i64,
    name: String,
    from: LineState,
}

impl Store {
    /// Applies `action` to the lines, atomically: if any line cannot take it, nothing changes.
    pub async fn triage(&self, line_ids: &[i64], action: TriageAction, actor: &str) -> Result<TriageReport> {
        let ids: BTreeSet<i64> = line_ids.iter().copied().collect();
        if ids.is_empty() {
            return Err(AppError::invalid("No lines selected").into());
        }
        let mut tx = self.pool.begin().await?;
        let targets = load_targets(&mut tx, &ids).await?;
        let missing: Vec<String> = ids
            .iter()
            .filter(|id| !targets.iter().any(|t| t.line_id == **id))
            .map(i64::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(AppError::not_found(format!("Line(s) not found: {}", missing.join(", "))).into());
        }

        let mut cancelled_orders = BTreeMap::new();
        for t in &targets {
            action.check_from(t.line_id, t.from)?;
            let (number, status): (String, String) =
                sqlx::query_as("SELECT number, status FROM orders WHERE id = ?")
                    .bind(t.order_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let cancelled = is_cancelled_status(&status);
            if cancelled && action == TriageAction::Accept {
                return Err(AppError::new(
                    ErrorCode::InvalidTransition,
                    format!("Order {number} was cancelled on the marketplace: its lines can only be rejected or deleted"),
                )
                .into());
            }
            cancelled_orders.insert(t.order_id, cancelled);
        }

        let now = format_ts(Utc::now());
        let target_state = action.target();
        for t in &targets {
            sqlx::query("UPDATE lines SET state = ?, state_changed_at = ? WHERE id = ?")
                .bind(target_state.as_str())
                .bind(&now)
                .bind(t.line_id)
                .execute(&mut *tx)
                .await?;
            let message = format!("Line «{}» {}", t.name, past_tense(action));
            insert_event(
                &mut tx,
                NewEvent {
                    account_id: Some(t.account_id),
                    order_id: Some(t.order_id),
                    line_id: Some(t.line_id),
                    kind: action.as_str(),
                    actor,
                    message: &message,
                },
            )
            .await?;
        }

        let mut report = TriageReport {
            changed: ids.iter().copied().collect(),
            outbox_rows: vec![],
        };
        let changed: BTreeSet<i64> = ids;
        for (order_id, cancelled) in cancelled_orders {
            let account_id = targets
                .iter()
                .find(|t| t.order_id == order_id)
                .map(|t| t.account_id)
                .unwrap_or_default();
            if action == TriageAction::Accept {
                link_customer(&mut tx, order_id).await?;
            }
            let rows = plan_and_queue(
                &mut tx, account_id, order_id, cancelled, action, &changed, actor, &now,
            )
            .await?;
            report.outbox_rows.extend(rows);
        }
        tx.commit().await?;
        Ok(report)
    }
}

fn past_tense(action: TriageAction) -> &'static str {
    match action {
        TriageAction::Accept => "accepted",
        TriageAction::Reject => "rejected",
        TriageAction::Delete => "deleted (hidden locally, nothing sent)",
        TriageAction::Restore => "restored to the inbox",
    }
}

async fn load_targets(conn: &mut SqliteConnection, ids: &BTreeSet<i64>) -> Result<Vec<Target>> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
        "SELECT l.id, l.order_id, o.account_id, l.name, l.state FROM lines l JOIN orders o ON o.id = l.order_id
         WHERE l.id IN (",
    );
    let mut sep = q.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    q.push(") ORDER BY l.id");
    q.build()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Target {
                line_id: r.get("id"),
                order_id: r.get("order_id"),
                account_id: r.get("account_id"),
                name: r.get("name"),
                from: LineState::parse(r.get("state"))?,
            })
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn plan_and_queue(
    conn: &mut SqliteConnection,
    account_id: i64,
    order_id: i64,
    cancelled: bool,
    action: TriageAction,
    changed: &BTreeSet<i64>,
    actor: &str,
    now: &str,
) -> Result<Vec<i64>> {
    let settings: String = sqlx::query_scalar("SELECT settings FROM accounts WHERE id = ?")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?;
    let policy = match serde_json::from_str::<AccountSettings>(&settings)? {
        AccountSettings::Ozon(s) => TriagePolicy {
            ship_on_accept: s.ship_on_accept,
            cancel_reason: CancelReason {
                id: s.cancel_reason_id,
                message: s.cancel_reason_message,
            },
        },
    };
    let external_id: String = sqlx::query_scalar("SELECT external_id FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    // Lines the marketplace removed are not part of the order any more.
    let lines: Vec<LineAfter> = sqlx::query(
        "SELECT id, sku, quantity, state FROM lines WHERE order_id = ? AND removed_by_marketplace = 0 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let id: i64 = r.get("id");
        Ok(LineAfter {
            line_id: id,
            sku: r.get("sku"),
            quantity: r.get("quantity"),
            state: LineState::parse(r.get("state"))?,
            changed: changed.contains(&id),
        })
    })
    .collect::<Result<_>>()?;

    let mut rows = Vec::new();
    for effect in plan_effects(&external_id, cancelled, &lines, action, &policy) {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO outbox (account_id, order_id, kind, payload, idempotency_key, state, next_attempt_at,
                created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(account_id)
        .bind(order_id)
        .bind(effect.kind())
        .bind(serde_json::to_string(&effect)?)
        .bind(effect.idempotency_key(account_id))
        .bind(now)
        .bind(now)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(id) = id {
            let message = format!("Queued for the marketplace: {}", effect.describe());
            insert_event(
                conn,
                NewEvent {
                    account_id: Some(account_id),
                    order_id: Some(order_id),
                    line_id: None,
                    kind: "outbox_queued",
                    actor,
                    message: &message,
                },
            )
            .await?;
            rows.push(id);
        }
    }
    Ok(rows)
}

/// Puts an accepted order on the customer with the same phone or e-mail, or on a new one.
async fn link_customer(conn: &mut SqliteConnection, order_id: i64) -> Result<()> {
    let r = sqlx::query(
        "SELECT customer_id, buyer_name, buyer_phone, buyer_email, buyer_address FROM orders WHERE id = ?",
    )
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    if r.get::<Option<i64>, _>("customer_id").is_some() {
        return Ok(());
    }
    let name: Option<String> = r.get("buyer_name");
    let phone = r.get::<Option<&str>, _>("buyer_phone").and_then(normalize_phone);
    let email = r.get::<Option<&str>, _>("buyer_email").and_then(normalize_email);
    let address: Option<String> = r.get("buyer_address");
    if name.as_deref().is_none_or(|n| n.trim().is_empty()) && phone.is_none() && email.is_none() {
        return Ok(());
    }
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM customers WHERE (phone IS NOT NULL AND phone = ?) OR (email IS NOT NULL AND email = ?)
         ORDER BY id LIMIT 1",
    )
    .bind(&phone)
    .bind(&email)
    .fetch_optional(&mut *conn)
    .await?;
    let customer_id = match existing {
        Some(id) => id,
        None => {
            sqlx::query_scalar(
                "INSERT INTO customers (name, phone, email, address, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&name)
            .bind(&phone)
            .bind(&email)
            .bind(&address)
            .bind(format_ts(Utc::now()))
            .fetch_one(&mut *conn)
            .await?
        }
    };
    sqlx::query("UPDATE orders SET customer_id = ? WHERE id = ?")
        .bind(customer_id)
        .bind(order_id)
        .execute(conn)
        .await?;
    Ok(())
}
