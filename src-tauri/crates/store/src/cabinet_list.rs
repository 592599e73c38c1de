//! Reading the cabinet: filtered keyset pages, counts per status and the charts, all over the
//! shop's whole history.

use std::str::FromStr;

use chrono::Utc;
use ordertray_core::cabinet::{
    median, CabinetCharts, CabinetRow, CabinetStats, DayAmount, DayCount, OrderFilter, OrderPage,
    OrderPageQuery, OrderType, PageCursor, PaymentMethod, SortColumn, StatusCount, STATS_SEARCH_CAP,
};
use ordertray_core::ErrorWords;
use ordertray_core::{AccountKind, AppError};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::text_search::trigram_phrase;
use crate::time::{format_ts, parse_ts};
use crate::{Result, Store};

const ROW_COLUMNS: &str = "s.id, s.number, s.created_at, s.status_id, s.order_type, s.payment_method, s.paid,
    s.cod, s.recipient_name, s.recipient_phone, a.name AS account, a.kind AS account_kind, s.total_minor,
    s.currency, s.preorder, s.transferred_to,
    (SELECT COUNT(*) FROM shop_order_items i WHERE i.shop_order_id = s.id) AS items";

impl Store {
    /// One page of the cabinet's table in the chosen order, after the cursor of the page before.
    pub async fn cabinet_page(&self, query: &OrderPageQuery) -> Result<OrderPage> {
        let query = &OrderPageQuery {
            filter: self.resolve_groups(&query.filter).await?,
            ..query.clone()
        };
        let limit = if query.limit == 0 {
            100
        } else {
            query.limit.min(1000)
        };
        let numeric = sort_expr(query.sort.column).1;
        let mut q = QueryBuilder::new("");
        push_page(&mut q, query, limit)?;
        let rows = q.build().fetch_all(&self.pool).await?;
        let more = rows.len() > limit as usize;
        let mut page = OrderPage {
            rows: Vec::with_capacity(rows.len().min(limit as usize)),
            next: None,
        };
        for r in rows.iter().take(limit as usize) {
            page.rows.push(cabinet_row(r)?);
        }
        if more {
            let last = &rows[limit as usize - 1];
            let key = if numeric {
                last.get::<i64, _>("sort_key").to_string()
            } else {
                last.get::<String, _>("sort_key")
            };
            page.next = Some(PageCursor {
                key,
                id: last.get("id"),
            });
        }
        Ok(page)
    }

    /// The filter with its status groups turned into the statuses they hold, joined to the
    /// statuses chosen one by one (either chosen: the order is in).
    async fn resolve_groups(&self, f: &OrderFilter) -> Result<OrderFilter> {
        if f.groups.is_empty() {
            return Ok(f.clone());
        }
        let mut ids = f.status_ids.clone();
        for s in self.shop_statuses().await? {
            if f.groups.contains(&s.group) && !ids.contains(&s.id) {
                ids.push(s.id);
            }
        }
        Ok(OrderFilter {
            status_ids: ids,
            groups: vec![],
            ..f.clone()
        })
    }

    /// Orders per status under every filter but the status one. Without a search or a period
    /// the counts come from `shop_order_counts` (kept by triggers, migration 0027): a few hundred
    /// rows whatever the number of orders. A period counts its orders; a search counts its newest
    /// [`STATS_SEARCH_CAP`] matches at most and says so (`capped_at`).
    pub async fn cabinet_stats(&self, filter: &OrderFilter) -> Result<CabinetStats> {
        if !filter.search.trim().is_empty() {
            return self.search_stats(filter).await;
        }
        let mut q: QueryBuilder<Sqlite> = if filter.from.is_some() || filter.to.is_some() {
            let mut q = QueryBuilder::new("");
            push_period_stats(&mut q, filter);
            q
        } else {
            let mut q = QueryBuilder::new(
                "SELECT NULLIF(c.status_id, 0) AS status_id, SUM(c.n) AS n FROM shop_order_counts c",
            );
            push_count_conditions(&mut q, filter);
            q.push(" GROUP BY c.status_id HAVING SUM(c.n) > 0 ORDER BY c.status_id");
            q
        };
        let by_status: Vec<StatusCount> = q
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| StatusCount {
                status_id: r.get("status_id"),
                count: r.get("n"),
            })
            .collect();
        let total = by_status.iter().map(|s| s.count).sum();
        Ok(CabinetStats {
            by_status,
            total,
            capped_at: None,
        })
    }

    /// The statistics bar under a search: the newest matches, at most [`STATS_SEARCH_CAP`] of
    /// them (one more is read to know whether there are more).
    async fn search_stats(&self, filter: &OrderFilter) -> Result<CabinetStats> {
        let cap = STATS_SEARCH_CAP;
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT status_id, COUNT(*) AS n, MIN(id) AS low FROM (");
        // SQLite: FTS5 trigram search, matches read newest first straight from the index (as
        // the page does), stopping after the cap.
        if let Some(phrase) = trigram_phrase(&filter.search) {
            q.push(
                "SELECT s.status_id, f.rowid AS id FROM shop_orders_text f CROSS JOIN shop_orders s
                 WHERE s.id = f.rowid AND shop_orders_text MATCH ",
            )
            .push_bind(phrase);
            push_conditions(&mut q, filter, false, false, true);
            q.push(" ORDER BY f.rowid DESC");
        } else {
            q.push("SELECT s.status_id, s.id FROM shop_orders s");
            push_filter(&mut q, filter, false, true);
            q.push(" ORDER BY s.id DESC");
        }
        q.push(" LIMIT ")
            .push_bind(cap + 1)
            .push(") GROUP BY status_id ORDER BY status_id");
        let mut rows: Vec<(StatusCount, i64)> = q
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                (
                    StatusCount {
                        status_id: r.get("status_id"),
                        count: r.get("n"),
                    },
                    r.get("low"),
                )
            })
            .collect();
        let mut total: i64 = rows.iter().map(|(s, _)| s.count).sum();
        let mut capped_at = None;
        if total > cap {
            // The oldest match read is the one past the cap: counted out again.
            if let Some(k) = (0..rows.len()).min_by_key(|&k| rows[k].1) {
                rows[k].0.count -= 1;
                if rows[k].0.count == 0 {
                    rows.remove(k);
                }
            }
            total = cap;
            capped_at = Some(cap);
        }
        Ok(CabinetStats {
            by_status: rows.into_iter().map(|(s, _)| s).collect(),
            total,
            capped_at,
        })
    }

    /// How many orders the filter lets through.
    pub async fn cabinet_count(&self, filter: &OrderFilter) -> Result<i64> {
        let filter = &self.resolve_groups(filter).await?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new("SELECT COUNT(*) FROM shop_orders s");
        push_filter(&mut q, filter, true, true);
        Ok(q.build_query_scalar().fetch_one(&self.pool).await?)
    }

    /// Arrivals per day and marketplace, decisions, time to decide and revenue over the filter's
    /// period.
    pub async fn cabinet_charts(&self, filter: &OrderFilter) -> Result<CabinetCharts> {
        let from = filter.from.map(format_ts).unwrap_or_default();
        let to = filter
            .to
            .map(format_ts)
            .unwrap_or_else(|| format_ts(Utc::now() + chrono::Duration::days(36_500)));
        let arrivals = sqlx::query(
            "SELECT substr(o.first_seen_at, 1, 10) AS day, a.kind AS source, COUNT(*) AS n
             FROM orders o JOIN accounts a ON a.id = o.account_id
             WHERE o.first_seen_at >= ?1 AND o.first_seen_at < ?2 GROUP BY day, source
             UNION ALL
             SELECT substr(created_at, 1, 10) AS day, 'manual' AS source, COUNT(*) AS n FROM shop_orders
             WHERE source_order_id IS NULL AND created_at >= ?1 AND created_at < ?2 GROUP BY day
             ORDER BY day, source",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| DayCount {
            day: r.get("day"),
            source: r.get("source"),
            count: r.get("n"),
        })
        .collect();
        let mut charts = CabinetCharts {
            arrivals,
            ..Default::default()
        };
        for r in sqlx::query(
            "SELECT state, COUNT(*) AS n FROM lines WHERE state IN ('accepted', 'rejected')
             AND state_changed_at >= ?1 AND state_changed_at < ?2 GROUP BY state",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?
        {
            match r.get::<&str, _>("state") {
                "accepted" => charts.accepted = r.get("n"),
                _ => charts.rejected = r.get("n"),
            }
        }
        let waits: Vec<i64> = sqlx::query_scalar(
            "SELECT CAST((julianday(l.state_changed_at) - julianday(o.first_seen_at)) * 86400 AS INTEGER)
             FROM lines l JOIN orders o ON o.id = l.order_id
             WHERE l.state IN ('accepted', 'rejected') AND l.state_changed_at >= ?1 AND l.state_changed_at < ?2",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?;
        charts.median_decision_secs = median(waits.into_iter().map(|w| w.max(0)).collect());
        charts.revenue = sqlx::query(
            "SELECT substr(s.created_at, 1, 10) AS day, s.currency, SUM(s.total_minor) AS minor
             FROM shop_orders s LEFT JOIN shop_statuses st ON st.id = s.status_id
             WHERE s.created_at >= ?1 AND s.created_at < ?2 AND COALESCE(st.grp, '') NOT IN ('refused', 'removed')
             GROUP BY day, s.currency ORDER BY day, s.currency",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| DayAmount {
            day: r.get("day"),
            amount: Decimal::new(r.get("minor"), 2),
            currency: r.get("currency"),
        })
        .collect();
        Ok(charts)
    }
}

/// The page's query: `limit + 1` rows in the page's order after its cursor.
fn push_page(q: &mut QueryBuilder<Sqlite>, query: &OrderPageQuery, limit: u32) -> Result<()> {
    if per_status(query) {
        push_page_query_per_status(q, query, limit)
    } else {
        push_page_query(q, query, limit)
    }
}

/// Statuses up to which a page over several of them is read status by status.
const STATUS_ARMS: usize = 16;

/// Whether the page is read status by status: by creation (id) order, without a trigram search,
/// over a few statuses. SQLite reads several statuses' index ranges one after the other, so it has
/// to gather and sort every order they hold (the "new" group has two statuses: 263 ms for a page
/// at a million orders); one limited read per status, merged, stops at the page's end in each.
fn per_status(query: &OrderPageQuery) -> bool {
    query.sort.column == SortColumn::Created
        && trigram_phrase(&query.filter.search).is_none()
        && (2..=STATUS_ARMS).contains(&query.filter.status_ids.len())
}

/// [`push_page_query`] once per status, each its own page, merged in the page's order.
fn push_page_query_per_status(
    q: &mut QueryBuilder<Sqlite>,
    query: &OrderPageQuery,
    limit: u32,
) -> Result<()> {
    q.push("SELECT * FROM (");
    for (i, status) in query.filter.status_ids.iter().enumerate() {
        if i > 0 {
            q.push(" UNION ALL ");
        }
        let one = OrderPageQuery {
            filter: OrderFilter {
                status_ids: vec![*status],
                ..query.filter.clone()
            },
            ..query.clone()
        };
        q.push("SELECT * FROM (");
        push_page_query(q, &one, limit)?;
        q.push(")");
    }
    let dir = if query.sort.desc { "DESC" } else { "ASC" };
    q.push(format!(") ORDER BY sort_key {dir} LIMIT "));
    q.push_bind(i64::from(limit) + 1);
    Ok(())
}

/// The page's query, its groups already resolved to statuses: `limit + 1` rows, the last one only
/// saying that another page follows.
fn push_page_query(q: &mut QueryBuilder<Sqlite>, query: &OrderPageQuery, limit: u32) -> Result<()> {
    let (expr, numeric) = sort_expr(query.sort.column);
    // SQLite: FTS5 trigram search (`shop_orders_text MATCH`).
    let search = trigram_phrase(&query.filter.search);
    // Newest first with a search: the trigram index yields matches in id order and stops at
    // the page's end, instead of listing every match of a common fragment first.
    let from_index = search.is_some() && query.sort.column == SortColumn::Created;
    if from_index {
        q.push(format!(
            "SELECT {ROW_COLUMNS}, s.id AS sort_key FROM shop_orders_text f CROSS JOIN shop_orders s
             LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id = f.rowid AND shop_orders_text MATCH "
        ));
        q.push_bind(search.unwrap_or_default());
        push_conditions(q, &query.filter, true, false, true);
    } else {
        q.push(format!(
            "SELECT {ROW_COLUMNS}, {expr} AS sort_key FROM shop_orders s LEFT JOIN accounts a ON a.id = s.account_id"
        ));
        push_filter(q, &query.filter, true, query.sort.column == SortColumn::Created);
    }
    let key_expr = if from_index { "f.rowid" } else { expr };
    let (cmp, dir) = if query.sort.desc {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(after) = &query.after {
        if numeric {
            let key: i64 = after.key.parse().map_err(|_| {
                AppError::refused(ErrorWords::Unknown {
                    field: "page cursor".into(),
                    value: after.key.clone(),
                })
            })?;
            if from_index || query.sort.column == SortColumn::Created {
                // The key is the id itself.
                q.push(format!(" AND {key_expr} {cmp} ")).push_bind(key);
            } else {
                q.push(format!(" AND ({expr}, s.id) {cmp} (")).push_bind(key);
                q.push(", ").push_bind(after.id).push(")");
            }
        } else {
            q.push(format!(" AND ({expr}, s.id) {cmp} ("))
                .push_bind(after.key.clone())
                .push(", ")
                .push_bind(after.id)
                .push(")");
        }
    }
    if query.sort.column == SortColumn::Created {
        q.push(format!(" ORDER BY {key_expr} {dir} LIMIT "));
    } else {
        q.push(format!(" ORDER BY {expr} {dir}, s.id {dir} LIMIT "));
    }
    q.push_bind(i64::from(limit) + 1);
    Ok(())
}

/// The sort column's SQL and whether its cursor key is a number. Orders are numbered as they are
/// made, so creation order is id order: one key, the primary one.
fn sort_expr(column: SortColumn) -> (&'static str, bool) {
    match column {
        SortColumn::Created => ("s.id", true),
        SortColumn::Number => ("s.number", false),
        SortColumn::Recipient => ("s.recipient_name", false),
        SortColumn::Total => ("s.total_minor", true),
    }
}

/// `WHERE …` for the filter; `with_status` false leaves out the status and group conditions.
/// `by_id`: the query reads the orders in id order, or counts them (no other sort column).
pub(crate) fn push_filter(q: &mut QueryBuilder<Sqlite>, f: &OrderFilter, with_status: bool, by_id: bool) {
    q.push(" WHERE 1 = 1");
    push_conditions(q, f, with_status, true, by_id);
}

/// `AND …` for each of the filter's conditions.
fn push_conditions(
    q: &mut QueryBuilder<Sqlite>,
    f: &OrderFilter,
    with_status: bool,
    with_search: bool,
    by_id: bool,
) {
    if with_status && !f.groups.is_empty() {
        // Groups are resolved to their statuses before the query (see `resolve_groups`).
        q.push(" AND s.status_id IN (SELECT id FROM shop_statuses WHERE grp IN (");
        push_list(q, f.groups.iter().map(|g| g.as_str()));
        q.push("))");
    } else if with_status && !f.status_ids.is_empty() {
        // One list, one column: a single status reads its index in id order, so the newest come
        // first without sorting.
        q.push(" AND s.status_id IN (");
        push_list(q, f.status_ids.iter().copied());
        q.push(")");
    }
    if !f.payment.is_empty() {
        q.push(" AND s.payment_method IN (");
        push_list(q, f.payment.iter().map(|p| PaymentMethod::as_str(*p)));
        q.push(")");
    }
    if let Some(paid) = f.paid {
        q.push(" AND s.paid = ").push_bind(paid);
    }
    if let ([only], true) = (f.types.as_slice(), by_id) {
        // One type read in id order: its index (order_type, id) yields that type's orders newest
        // first without sorting and with the period's id bound, however few of them there are.
        q.push(" AND s.order_type = ").push_bind(only.as_str());
    } else if !f.types.is_empty() {
        // With more types or another sort column SQLite would read every match through that
        // index and then sort them all; `+` keeps it on the id or sort column's order.
        q.push(" AND +s.order_type IN (");
        push_list(q, f.types.iter().map(|t| OrderType::as_str(*t)));
        q.push(")");
    }
    if !f.account_ids.is_empty() || !f.kinds.is_empty() || f.manual {
        // `+` keeps SQLite from answering this OR from three indexes and then sorting every
        // hand-made order: the newest-first scan with a check per row stops at the page's end.
        q.push(" AND (+s.account_id IN (");
        push_list(q, f.account_ids.iter().copied());
        q.push(") OR +s.account_id IN (SELECT id FROM accounts WHERE kind IN (");
        push_list(q, f.kinds.iter().map(|k| k.as_str().to_string()));
        q.push("))");
        if f.manual {
            q.push(" OR +s.source_order_id IS NULL");
        }
        q.push(")");
    }
    // The id bounds say the same as the times (taken from the time index) and bound the scan
    // of the newest-first order, which follows ids. `MIN(+id)` reads the period's entries of the
    // time index: a bare `MIN(id)` walks the table up from the oldest order until the first one
    // in the period (most of the table for a recent period). The newest before `to` is found by
    // walking down from the newest order.
    if let Some(from) = f.from {
        q.push(" AND s.created_at >= ").push_bind(format_ts(from));
        q.push(" AND s.id >= (SELECT COALESCE(MIN(+id), 0) FROM shop_orders WHERE created_at >= ")
            .push_bind(format_ts(from))
            .push(")");
    }
    if let Some(to) = f.to {
        q.push(" AND s.created_at < ").push_bind(format_ts(to));
        q.push(" AND s.id <= (SELECT COALESCE(MAX(id), 0) FROM shop_orders WHERE created_at < ")
            .push_bind(format_ts(to))
            .push(")");
    }
    if !with_search {
        return;
    }
    let search = f.search.trim();
    // SQLite: FTS5 trigram search.
    if let Some(phrase) = trigram_phrase(search) {
        q.push(" AND s.id IN (SELECT rowid FROM shop_orders_text WHERE shop_orders_text MATCH ")
            .push_bind(phrase)
            .push(")");
    } else if !search.is_empty() {
        // Too short for the trigram index: the number's start or the name's inside (ASCII
        // case-insensitively) by scanning, which the page limit keeps short.
        let like = search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push(" AND (s.number LIKE ")
            .push_bind(format!("{like}%"))
            .push(" ESCAPE '\\' OR s.recipient_name LIKE ")
            .push_bind(format!("%{like}%"))
            .push(" ESCAPE '\\')");
    }
}

/// Orders per status in a period: the period's id range (see [`push_conditions`]), grouped
/// apart. `GROUP BY s.status_id` let SQLite walk the whole status index in its order, a million
/// entries for any period (64 ms for the last 30 days); `+` keeps it on the id range.
fn push_period_stats(q: &mut QueryBuilder<Sqlite>, filter: &OrderFilter) {
    q.push("SELECT s.status_id, COUNT(*) AS n FROM shop_orders s");
    push_filter(q, filter, false, true);
    q.push(" GROUP BY +s.status_id ORDER BY s.status_id");
}

/// `WHERE …` over `shop_order_counts c` for the filter's conditions other than status, search and
/// period (which the counts do not keep), as [`push_conditions`] says them over the orders.
fn push_count_conditions(q: &mut QueryBuilder<Sqlite>, f: &OrderFilter) {
    q.push(" WHERE 1 = 1");
    if !f.payment.is_empty() {
        q.push(" AND c.payment_method IN (");
        push_list(q, f.payment.iter().map(|p| PaymentMethod::as_str(*p)));
        q.push(")");
    }
    if let Some(paid) = f.paid {
        q.push(" AND c.paid = ").push_bind(paid);
    }
    if !f.types.is_empty() {
        q.push(" AND c.order_type IN (");
        push_list(q, f.types.iter().map(|t| OrderType::as_str(*t)));
        q.push(")");
    }
    if !f.account_ids.is_empty() || !f.kinds.is_empty() || f.manual {
        q.push(" AND (c.account_id IN (");
        push_list(q, f.account_ids.iter().copied());
        q.push(") OR c.account_id IN (SELECT id FROM accounts WHERE kind IN (");
        push_list(q, f.kinds.iter().map(|k| k.as_str().to_string()));
        q.push("))");
        if f.manual {
            q.push(" OR c.manual = 1");
        }
        q.push(")");
    }
}

/// Binds each value; an empty list becomes NULL, which `IN (NULL)` never matches.
fn push_list<'a, T>(q: &mut QueryBuilder<'a, Sqlite>, values: impl Iterator<Item = T>)
where
    T: 'a + Send + sqlx::Encode<'a, Sqlite> + sqlx::Type<Sqlite>,
{
    let mut any = false;
    {
        let mut sep = q.separated(", ");
        for v in values {
            sep.push_bind(v);
            any = true;
        }
    }
    if !any {
        q.push("NULL");
    }
}

fn cabinet_row(r: &SqliteRow) -> Result<CabinetRow> {
    Ok(CabinetRow {
        id: r.get("id"),
        number: r.get("number"),
        created_at: parse_ts(r.get("created_at"))?,
        status_id: r.get("status_id"),
        order_type: OrderType::parse(r.get("order_type")).unwrap_or_default(),
        payment_method: r
            .get::<Option<&str>, _>("payment_method")
            .and_then(PaymentMethod::parse),
        paid: r.get("paid"),
        cod: r.get("cod"),
        recipient_name: r.get("recipient_name"),
        recipient_phone: r.get("recipient_phone"),
        account: r.get("account"),
        account_kind: r
            .get::<Option<&str>, _>("account_kind")
            .map(AccountKind::parse)
            .transpose()?,
        total: Decimal::new(r.get("total_minor"), 2),
        currency: r.get("currency"),
        items: r.get("items"),
        preorder: r.get("preorder"),
        transferred_to: r.get("transferred_to"),
    })
}

/// Minor units (kopecks) of an amount, rounded half away from zero; saturating, never panicking.
pub(crate) fn to_minor(d: Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    let saturated = if d.is_sign_negative() { i64::MIN } else { i64::MAX };
    d.checked_mul(Decimal::from(100))
        .and_then(|m| m.round().to_i64())
        .unwrap_or(saturated)
}

pub(crate) fn parse_decimal(s: &str) -> Result<Decimal> {
    Decimal::from_str(s).map_err(|e| crate::StoreError::Corrupt(format!("amount '{s}': {e}")))
}

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use ordertray_core::cabinet::OrderSort;

    use super::*;

    /// SQLite's plan for the page (the app keeps no statistics, so an empty database plans alike).
    async fn plan(store: &Store, filter: OrderFilter, column: SortColumn) -> String {
        let query = OrderPageQuery {
            filter,
            sort: OrderSort { column, desc: true },
            after: None,
            limit: 100,
        };
        let mut q = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        push_page(&mut q, &query, 100).unwrap();
        crate::query_plan(q.build(), store.pool()).await.join("\n")
    }

    #[tokio::test]
    async fn the_statistics_bar_for_a_period_reads_the_periods_ids_not_the_status_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let month = OrderFilter {
            from: Some(Utc::now() - Duration::days(30)),
            payment: vec![PaymentMethod::Prepaid],
            ..Default::default()
        };
        let mut q = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        push_period_stats(&mut q, &month);
        let p = crate::query_plan(q.build(), store.pool()).await.join("\n");
        assert!(p.contains("SEARCH s USING INTEGER PRIMARY KEY (rowid>?)"), "{p}");
        assert!(!p.contains("shop_orders_status"), "{p}");
        store.close().await;
    }

    #[tokio::test]
    async fn a_type_and_a_period_read_the_type_index_and_the_time_index_not_the_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let month = OrderFilter {
            types: vec![OrderType::Export],
            from: Some(Utc::now() - Duration::days(30)),
            manual: true,
            ..Default::default()
        };
        let p = plan(&store, month.clone(), SortColumn::Created).await;
        assert!(
            p.contains("USING INDEX shop_orders_type (order_type=? AND id>?)"),
            "{p}"
        );
        // The period's lowest id comes from the time index, not from a walk up the table.
        assert!(
            p.contains("USING COVERING INDEX shop_orders_created (created_at>?)"),
            "{p}"
        );
        assert!(!p.contains("TEMP B-TREE"), "{p}");

        // More types, or another sort column: no sorting of every match through the type index.
        let two = OrderFilter {
            types: vec![OrderType::Export, OrderType::Through],
            ..month.clone()
        };
        for (filter, column) in [
            (two.clone(), SortColumn::Created),
            (month.clone(), SortColumn::Total),
            (two, SortColumn::Number),
        ] {
            let p = plan(&store, filter, column).await;
            assert!(!p.contains("shop_orders_type"), "{column:?}: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{column:?}: {p}");
        }
        store.close().await;
    }
    #[tokio::test]
    async fn a_page_over_several_statuses_reads_each_statuss_index_in_id_order_not_all_their_orders() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let two = OrderFilter {
            status_ids: vec![1, 2],
            payment: vec![PaymentMethod::Prepaid],
            ..Default::default()
        };
        let p = plan(&store, two, SortColumn::Created).await;
        assert_eq!(
            p.matches("USING INDEX shop_orders_status (status_id=?)").count(),
            2,
            "{p}"
        );
        // Each status's read stops at the page's end: what is sorted are the two pages (each
        // sorted for the merge), not every order of either status.
        let lines: Vec<&str> = p.lines().collect();
        for (i, _) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains("TEMP B-TREE"))
        {
            assert!(i > 0 && lines[i - 1].starts_with("SCAN (subquery"), "{p}");
        }
        store.close().await;
    }
}
