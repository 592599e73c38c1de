//! New orders whose follow-up (the rules, accepting what was decided elsewhere, the popup) has not
//! run yet. Recorded in the transaction that stores them, settled once their run's follow-up is
//! done, and picked up by a later run when the run that stored them died: a committed order is
//! never left without its follow-up, and never gets it twice (settling is a claim).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use ordertray_core::AccountId;
use sqlx::{QueryBuilder, SqliteConnection};

use crate::time::format_ts;
use crate::{Result, Store};

/// A pushed order's follow-up runs right after it is stored; one still waiting this long after it
/// was stored was left by a failure (a sync run's orders wait for its lease instead).
const PUSH_FOLLOW_UP: Duration = Duration::minutes(2);

/// Who stores a page's new orders: the engine instance, and the sync run with the time its lease
/// now lasts until (None for a push).
#[derive(Debug, Clone, Copy)]
pub struct Arriving<'a> {
    pub owner: &'a str,
    pub run: Option<(i64, DateTime<Utc>)>,
}

/// A new order waiting for its follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    pub order_id: i64,
    pub number: String,
    pub lines: u32,
    /// Its lines are to be accepted (decided elsewhere, or the account's option).
    pub accept: bool,
    /// It is announced and the rules see it.
    pub announce: bool,
}

/// Rows per INSERT (7 values a row; SQLite allows 32,766 bound values a statement).
const ROWS_PER_INSERT: usize = 1_000;

/// Records a page's new orders as waiting for their follow-up (those to be announced, those to be
/// accepted: an order may be both), and renews the run's lease.
pub(crate) async fn record_arrivals(
    conn: &mut SqliteConnection,
    (account_id, source): (AccountId, &Arriving<'_>),
    (announced, accepted): (&[i64], &[i64]),
    now: &str,
) -> Result<()> {
    if let Some((run, until)) = source.run {
        sqlx::query("UPDATE sync_runs SET alive_until = ? WHERE id = ?")
            .bind(format_ts(until))
            .bind(run)
            .execute(&mut *conn)
            .await?;
    }
    let announced: HashSet<i64> = announced.iter().copied().collect();
    let accepted: HashSet<i64> = accepted.iter().copied().collect();
    let mut ids: Vec<i64> = announced.union(&accepted).copied().collect();
    ids.sort_unstable();
    for chunk in ids.chunks(ROWS_PER_INSERT) {
        let mut q = QueryBuilder::new(
            "INSERT OR IGNORE INTO order_arrivals (order_id, account_id, run_id, owner, arrived_at, accept, announce) ",
        );
        q.push_values(chunk, |mut b, id| {
            b.push_bind(*id)
                .push_bind(account_id)
                .push_bind(source.run.map(|(run, _)| run))
                .push_bind(source.owner)
                .push_bind(now)
                .push_bind(accepted.contains(id))
                .push_bind(announced.contains(id));
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}

type ArrivalRow = (i64, String, i64, bool, bool);

impl Store {
    /// Opens a sync run held by `lease.owner` until `lease.until` (renewed with each page, and
    /// beside them by [`Self::renew_sync_run`]).
    pub async fn start_sync_run(
        &self,
        id: AccountId,
        lease: &crate::Lease<'_>,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO sync_runs (account_id, started_at, owner, alive_until) VALUES (?, ?, ?, ?) RETURNING id",
        )
        .bind(id)
        .bind(format_ts(at))
        .bind(lease.owner)
        .bind(format_ts(lease.until))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Extends a run's lease beside its pages (a page that is long in coming, the run's
    /// follow-up). A run is never taken from its owner, only its orders once the lease ran out.
    pub async fn renew_sync_run(&self, run: i64, lease: &crate::Lease<'_>) -> Result<()> {
        sqlx::query("UPDATE sync_runs SET alive_until = ? WHERE id = ? AND owner = ?")
            .bind(format_ts(lease.until))
            .bind(run)
            .bind(lease.owner)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The account's new orders whose follow-up nobody will run: stored by a run whose lease ran
    /// out (its follow-up comes after the run is recorded finished, under the same lease), or by a
    /// push whose follow-up did not come in time (another process's push may still be followed
    /// up). `holds_runs`: the caller holds the account's run lock, so `owner`'s own runs are dead.
    pub async fn orphaned_arrivals(
        &self,
        account_id: AccountId,
        owner: &str,
        holds_runs: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<Arrival>> {
        let rows: Vec<ArrivalRow> = sqlx::query_as(
            "SELECT a.order_id, o.number,
                    (SELECT COUNT(*) FROM lines l WHERE l.order_id = a.order_id),
                    a.accept, a.announce
             FROM order_arrivals a
             JOIN orders o ON o.id = a.order_id
             LEFT JOIN sync_runs r ON r.id = a.run_id
             WHERE a.account_id = ?1
               AND CASE WHEN a.run_id IS NULL THEN a.arrived_at <= ?3
                        ELSE r.id IS NULL OR r.alive_until IS NULL OR r.alive_until <= ?4
                             OR (?5 AND r.owner = ?2) END
             ORDER BY a.order_id",
        )
        .bind(account_id)
        .bind(owner)
        .bind(format_ts(now - PUSH_FOLLOW_UP))
        .bind(format_ts(now))
        .bind(holds_runs)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(order_id, number, lines, accept, announce)| Arrival {
                order_id,
                number,
                lines: u32::try_from(lines).unwrap_or(u32::MAX),
                accept,
                announce,
            })
            .collect())
    }

    /// Marks these orders' follow-up done and returns those this call settled: an order another
    /// process settled first is not among them (and is not announced twice).
    pub async fn settle_arrivals(&self, order_ids: &[i64]) -> Result<HashSet<i64>> {
        if order_ids.is_empty() {
            return Ok(HashSet::new());
        }
        let ids = serde_json::Value::from(order_ids.to_vec()).to_string();
        let mut tx = self.begin_write().await?;
        let settled: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM order_arrivals WHERE order_id IN (SELECT value FROM json_each(?)) RETURNING order_id",
        )
        .bind(ids)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(settled.into_iter().collect())
    }
}
