//! Ship-by deadlines: kept from each sync, and taken once for the "ship-by near" and "overdue"
//! alerts of orders still waiting for a decision. The check starts from the lines waiting for a
//! decision (`lines_state`), so it costs the backlog, not the history.

use chrono::{DateTime, Duration, Utc};
use ordertray_core::{AccountId, CANCELLED_STATUSES};
use sqlx::{Row, SqliteConnection};

use crate::time::{format_ts, parse_ts};
use crate::{Result, Store};

/// Which alert an order is due for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShipByStage {
    Near,
    Overdue,
}

impl ShipByStage {
    fn as_str(self) -> &'static str {
        match self {
            ShipByStage::Near => "near",
            ShipByStage::Overdue => "overdue",
        }
    }
}

/// An order whose ship-by alert is due now (and is marked as taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipByDue {
    pub order_id: i64,
    pub account_id: AccountId,
    pub number: String,
    pub ship_by: DateTime<Utc>,
    pub stage: ShipByStage,
}

/// `o.status` is one of the cancelled statuses (SQL, for the inbox's order too).
pub(crate) fn cancelled_sql() -> String {
    let list: Vec<String> = CANCELLED_STATUSES.iter().map(|s| format!("'{s}'")).collect();
    format!("o.status IN ({})", list.join(", "))
}

/// Keeps a synced order's deadline; a changed deadline may alert again. A partial push that names
/// none leaves the stored one.
pub(crate) async fn keep_ship_by(
    conn: &mut SqliteConnection,
    order_id: i64,
    ship_by: Option<DateTime<Utc>>,
    partial: bool,
) -> Result<()> {
    if partial && ship_by.is_none() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE orders SET ship_by_alert = IIF(ship_by IS ?1, ship_by_alert, NULL), ship_by = ?1
         WHERE id = ?2 AND ship_by IS NOT ?1",
    )
    .bind(ship_by.map(format_ts))
    .bind(order_id)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Orders of active accounts with a line still waiting for a decision whose deadline is within
    /// `near` of `now` ("near") or past ("overdue"), each stage taken once: the same call again
    /// returns nothing until a deadline moves or another passes. An order first seen after its
    /// deadline gets only "overdue". Cancelled and read-only orders never alert.
    pub async fn take_ship_by_due(&self, now: DateTime<Utc>, near: Duration) -> Result<Vec<ShipByDue>> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT o.id, o.account_id, o.number, o.ship_by, o.ship_by_alert
             FROM lines l JOIN orders o ON o.id = l.order_id JOIN accounts a ON a.id = o.account_id
             WHERE l.state = 'new' AND l.removed_by_marketplace = 0 AND a.active = 1 AND o.read_only = 0
               AND o.ship_by IS NOT NULL AND o.ship_by <= ?1 AND o.ship_by_alert IS NOT 'overdue'
               AND NOT {}
             ORDER BY o.ship_by, o.id",
            cancelled_sql()
        ))
        .bind(format_ts(now + near))
        .fetch_all(&mut *tx)
        .await?;
        let mut due = vec![];
        for r in &rows {
            let ship_by = parse_ts(r.get("ship_by"))?;
            let stage = if ship_by <= now {
                ShipByStage::Overdue
            } else if r.get::<Option<&str>, _>("ship_by_alert").is_none() {
                ShipByStage::Near
            } else {
                continue;
            };
            let order_id: i64 = r.get("id");
            sqlx::query("UPDATE orders SET ship_by_alert = ? WHERE id = ?")
                .bind(stage.as_str())
                .bind(order_id)
                .execute(&mut *tx)
                .await?;
            due.push(ShipByDue {
                order_id,
                account_id: r.get("account_id"),
                number: r.get("number"),
                ship_by,
                stage,
            });
        }
        tx.commit().await?;
        Ok(due)
    }
}
