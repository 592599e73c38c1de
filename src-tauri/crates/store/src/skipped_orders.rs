//! The account's sync log: its runs, and the orders the import rules leave out (kept one row per
//! order, as last seen, until the order arrives after all).

use ordertray_core::{AccountId, AccountLog, SkipReason, SkippedEntry, SkippedOrder, SyncRunEntry};
use sqlx::SqliteConnection;

use crate::time::{parse_opt, parse_ts};
use crate::{Result, Store, StoreError};

/// Notes the orders a page left out (inside the page's transaction).
pub(crate) async fn record_skipped(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    skipped: &[SkippedOrder],
    now: &str,
) -> Result<()> {
    for s in skipped {
        sqlx::query(
            "INSERT INTO skipped_orders (account_id, external_id, number, reason, at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (account_id, external_id) DO UPDATE
             SET number = excluded.number, reason = excluded.reason, at = excluded.at",
        )
        .bind(account_id)
        .bind(&s.external_id)
        .bind(&s.number)
        .bind(reason_code(s.reason))
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Orders that arrived after all are no longer skipped.
pub(crate) async fn forget_skipped(
    conn: &mut SqliteConnection,
    account_id: AccountId,
    external_ids_json: &str,
) -> Result<()> {
    // SQLite: `json_each` expands the JSON list of external ids.
    sqlx::query(
        "DELETE FROM skipped_orders WHERE account_id = ? AND external_id IN (SELECT value FROM json_each(?))",
    )
    .bind(account_id)
    .bind(external_ids_json)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn reason_code(reason: SkipReason) -> String {
    serde_json::to_value(reason)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .expect("a skip reason is a plain string")
}

type RunRow = (
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
);

impl Store {
    /// The account's last `limit` runs and skipped orders, newest first.
    pub async fn account_log(&self, account_id: AccountId, limit: u32) -> Result<AccountLog> {
        let runs: Vec<RunRow> = sqlx::query_as(
            "SELECT started_at, finished_at, outcome, pages, orders_seen, orders_new, orders_changed,
                    quarantined, skipped, error
             FROM sync_runs WHERE account_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let runs = runs
            .into_iter()
            .map(|r| {
                Ok(SyncRunEntry {
                    started_at: parse_ts(&r.0)?,
                    finished_at: parse_opt(r.1)?,
                    outcome: r.2,
                    pages: count(r.3),
                    orders_seen: count(r.4),
                    orders_new: count(r.5),
                    orders_changed: count(r.6),
                    quarantined: count(r.7),
                    skipped: count(r.8),
                    error: r.9,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let skipped: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT at, external_id, number, reason FROM skipped_orders
             WHERE account_id = ? ORDER BY at DESC, external_id LIMIT ?",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let skipped = skipped
            .into_iter()
            .map(|(at, external_id, number, reason)| {
                Ok(SkippedEntry {
                    at: parse_ts(&at)?,
                    external_id,
                    number,
                    reason: serde_json::from_value(serde_json::Value::String(reason.clone()))
                        .map_err(|_| StoreError::Corrupt(format!("unknown skip reason '{reason}'")))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(AccountLog { runs, skipped })
    }
}
