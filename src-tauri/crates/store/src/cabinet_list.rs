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

use crate::text_search::{contains_glob, trigram_phrase};
use crate::time::{format_ts, parse_ts};
use crate::{Result, Store};

const ROW_COLUMNS: &str = "s.id, s.number, s.created_at, s.status_id, s.order_type, s.payment_method, s.paid,
    s.cod, s.recipient_name, s.recipient_phone, a.name AS account, a.kind AS account_kind, s.total_minor,
    s.currency, s.preorder, s.transferred_to,
    (SELECT COUNT(*) FROM shop_order_items i WHERE i.shop_order_id = s.id) AS items";

impl Store {
    /// One page of the cabinet's table in the chosen order, after the cursor of the page before.
    /// A search of one or two characters goes through a bounded number of orders a read
    /// ([`walk_orders`]) and says how many, and where it stopped when that left its page short
    /// ([`OrderPage::stopped`]).
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
        let short = short_search(&query.filter);
        let until = if short {
            self.walk_bound(query, walk_orders(query.sort.column)).await?
        } else {
            None
        };
        let mut q = QueryBuilder::new("");
        push_page(
            &mut q,
            query,
            &PageRead {
                whole: true,
                take: i64::from(limit) + 1,
                skip: 0,
                until: until.as_ref(),
            },
        )?;
        let rows = q.build().fetch_all(&self.pool).await?;
        let more = rows.len() > limit as usize;
        let mut page = OrderPage {
            rows: Vec::with_capacity(rows.len().min(limit as usize)),
            next: None,
            orders_checked: None,
            stopped: false,
        };
        for r in rows.iter().take(limit as usize) {
            page.rows.push(cabinet_row(r)?);
        }
        if more {
            page.next = Some(cursor_of(&rows[limit as usize - 1], query.sort.column));
        } else if until.is_some() {
            // Every order up to the bound was checked: the next read starts after it.
            page.next = until;
            page.stopped = true;
        }
        if short {
            let checked = match (&page.next, page.stopped) {
                (Some(_), true) => walk_orders(query.sort.column),
                (last, _) => self.orders_through(query, last.as_ref()).await?,
            };
            page.orders_checked = Some(u32::try_from(checked).unwrap_or(u32::MAX));
        }
        Ok(page)
    }

    /// A whole page, however many reads a search of one or two characters takes to fill it (see
    /// [`Store::cabinet_page`]).
    pub async fn cabinet_rows(&self, query: &OrderPageQuery) -> Result<Vec<CabinetRow>> {
        let limit = if query.limit == 0 { 100 } else { query.limit };
        let mut query = OrderPageQuery {
            limit,
            ..query.clone()
        };
        let mut rows = Vec::new();
        loop {
            let page = self.cabinet_page(&query).await?;
            rows.extend(page.rows);
            let left = limit.saturating_sub(u32::try_from(rows.len()).unwrap_or(u32::MAX));
            match page.next {
                Some(next) if page.stopped && left > 0 => {
                    query.after = Some(next);
                    query.limit = left;
                }
                _ => return Ok(rows),
            }
        }
    }

    /// The last order one read of a search of one or two characters goes through: the `walk`th
    /// of the [`walked`] orders after the query's cursor. None when no more than `walk` are left.
    async fn walk_bound(&self, query: &OrderPageQuery, walk: i64) -> Result<Option<PageCursor>> {
        let every = walked(query);
        let mut q = QueryBuilder::new("");
        push_page(
            &mut q,
            &every,
            &PageRead {
                whole: false,
                take: 2,
                skip: walk - 1,
                until: None,
            },
        )?;
        let rows = q.build().fetch_all(&self.pool).await?;
        Ok(match rows.as_slice() {
            [bound, _] => Some(cursor_of(bound, query.sort.column)),
            _ => None,
        })
    }

    /// How many of the [`walked`] orders come after the query's cursor up to `last` (to the end
    /// without it): what a read that did not stop at its bound went through.
    async fn orders_through(&self, query: &OrderPageQuery, last: Option<&PageCursor>) -> Result<i64> {
        let every = walked(query);
        let mut q = QueryBuilder::new("SELECT COUNT(*) FROM (");
        push_page(
            &mut q,
            &every,
            &PageRead {
                whole: false,
                take: walk_orders(query.sort.column),
                skip: 0,
                until: last,
            },
        )?;
        q.push(")");
        Ok(q.build_query_scalar().fetch_one(&self.pool).await?)
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
    /// [`STATS_SEARCH_CAP`] matches at most and says so (`capped_at`), one of one or two characters
    /// among the newest orders only (`searched_newest`).
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
            searched_newest: None,
        })
    }

    /// The statistics bar under a search: the newest matches, at most [`STATS_SEARCH_CAP`] of
    /// them (one more is read to know whether there are more). A search of one or two characters
    /// counts among as many of the newest orders as a page's read goes through ([`walk_orders`]).
    async fn search_stats(&self, filter: &OrderFilter) -> Result<CabinetStats> {
        let cap = STATS_SEARCH_CAP;
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT status_id, COUNT(*) AS n, MIN(id) AS low FROM (");
        let mut until = None;
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
            let newest = OrderPageQuery {
                filter: filter.clone(),
                ..Default::default()
            };
            until = self.walk_bound(&newest, walk_orders(SortColumn::Created)).await?;
            q.push("SELECT s.status_id, s.id FROM shop_orders s");
            push_filter(&mut q, filter, false, true);
            if let Some(until) = &until {
                push_cursor_bound(&mut q, SortColumn::Created, false, ">=", until)?;
            }
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
        let mut searched_newest = None;
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
        } else if until.is_some() {
            searched_newest = Some(walk_orders(SortColumn::Created));
        }
        Ok(CabinetStats {
            by_status: rows.into_iter().map(|(s, _)| s).collect(),
            total,
            capped_at,
            searched_newest,
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

/// How many orders one read of a search of one or two characters goes through at most, for a
/// page or for the statistics bar: no index answers such a search, and a fragment in no order
/// read all of them (180 ms for a page at a million orders, and as much again for the bar). In
/// the table's order (creation) each order is read where it lies, 30,000 in 9 ms; in another
/// column's order each is looked up from that column's index, and 30,000 took 50 ms (8,000 read
/// 13–20 ms p95).
fn walk_orders(column: SortColumn) -> i64 {
    match (column, cfg!(test)) {
        (SortColumn::Created, false) => 30_000,
        (_, false) => 6_000,
        (SortColumn::Created, true) => 40,
        (_, true) => 30,
    }
}

/// The orders a search of one or two characters goes through in the query's order: every order,
/// whatever the filters, so that a read is bounded however few of them the filters let through;
/// in creation order only the period's, which is a range of ids there.
fn walked(query: &OrderPageQuery) -> OrderPageQuery {
    let period = query.sort.column == SortColumn::Created;
    OrderPageQuery {
        filter: OrderFilter {
            from: query.filter.from.filter(|_| period),
            to: query.filter.to.filter(|_| period),
            ..Default::default()
        },
        ..query.clone()
    }
}

/// Whether the filter searches for a fragment too short for the trigram index.
fn short_search(f: &OrderFilter) -> bool {
    !f.search.trim().is_empty() && trigram_phrase(&f.search).is_none()
}

/// What a read of a page's query takes: whole rows or only their ids (and `sort_key`), `take`
/// rows after skipping `skip`, none beyond `until` (inclusive).
struct PageRead<'a> {
    whole: bool,
    take: i64,
    skip: i64,
    until: Option<&'a PageCursor>,
}

/// The page's query: rows in the page's order after its cursor.
fn push_page(q: &mut QueryBuilder<Sqlite>, query: &OrderPageQuery, read: &PageRead) -> Result<()> {
    if per_status(query) {
        push_page_query_per_status(q, query, read)
    } else {
        push_page_query(q, query, read)
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
    read: &PageRead,
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
        let arm = PageRead {
            take: read.take + read.skip,
            skip: 0,
            ..*read
        };
        push_page_query(q, &one, &arm)?;
        q.push(")");
    }
    let dir = if query.sort.desc { "DESC" } else { "ASC" };
    q.push(format!(") ORDER BY sort_key {dir} LIMIT "));
    q.push_bind(read.take).push(" OFFSET ").push_bind(read.skip);
    Ok(())
}

/// The page's query, its groups already resolved to statuses.
fn push_page_query(q: &mut QueryBuilder<Sqlite>, query: &OrderPageQuery, read: &PageRead) -> Result<()> {
    let (expr, _) = sort_expr(query.sort.column);
    // Only ids: no join, so that SQLite can read them from the sort column's index alone.
    let (columns, accounts) = if read.whole {
        (ROW_COLUMNS, " LEFT JOIN accounts a ON a.id = s.account_id")
    } else {
        ("s.id", "")
    };
    // SQLite: FTS5 trigram search (`shop_orders_text MATCH`).
    let search = trigram_phrase(&query.filter.search);
    // Newest first with a search: the trigram index yields matches in id order and stops at
    // the page's end, instead of listing every match of a common fragment first.
    let from_index = search.is_some() && query.sort.column == SortColumn::Created;
    if from_index {
        q.push(format!(
            "SELECT {columns}, s.id AS sort_key FROM shop_orders_text f CROSS JOIN shop_orders s{accounts}
             WHERE s.id = f.rowid AND shop_orders_text MATCH "
        ));
        q.push_bind(search.unwrap_or_default());
        push_conditions(q, &query.filter, true, false, true);
    } else {
        q.push(format!(
            "SELECT {columns}, {expr} AS sort_key FROM shop_orders s{accounts}"
        ));
        push_filter(q, &query.filter, true, query.sort.column == SortColumn::Created);
    }
    let (beyond, up_to, dir) = if query.sort.desc {
        ("<", ">=", "DESC")
    } else {
        (">", "<=", "ASC")
    };
    if let Some(after) = &query.after {
        push_cursor_bound(q, query.sort.column, from_index, beyond, after)?;
    }
    if let Some(until) = read.until {
        push_cursor_bound(q, query.sort.column, from_index, up_to, until)?;
    }
    if query.sort.column == SortColumn::Created {
        let key_expr = if from_index { "f.rowid" } else { expr };
        q.push(format!(" ORDER BY {key_expr} {dir} LIMIT "));
    } else {
        q.push(format!(" ORDER BY {expr} {dir}, s.id {dir} LIMIT "));
    }
    q.push_bind(read.take).push(" OFFSET ").push_bind(read.skip);
    Ok(())
}

/// `AND` the rows on `cmp`'s side of `cursor` in the column's order: `<` or `>` beyond it, `>=`
/// or `<=` up to it and it.
fn push_cursor_bound(
    q: &mut QueryBuilder<Sqlite>,
    column: SortColumn,
    from_index: bool,
    cmp: &str,
    cursor: &PageCursor,
) -> Result<()> {
    let (expr, numeric) = sort_expr(column);
    if !numeric {
        q.push(format!(" AND ({expr}, s.id) {cmp} ("))
            .push_bind(cursor.key.clone())
            .push(", ")
            .push_bind(cursor.id)
            .push(")");
        return Ok(());
    }
    let key: i64 = cursor.key.parse().map_err(|_| {
        AppError::refused(ErrorWords::Unknown {
            field: "page cursor".into(),
            value: cursor.key.clone(),
        })
    })?;
    if column == SortColumn::Created {
        // The key is the id itself.
        let key_expr = if from_index { "f.rowid" } else { expr };
        q.push(format!(" AND {key_expr} {cmp} ")).push_bind(key);
    } else {
        q.push(format!(" AND ({expr}, s.id) {cmp} (")).push_bind(key);
        q.push(", ").push_bind(cursor.id).push(")");
    }
    Ok(())
}

/// Where a page after `row` (read by a page's query) starts.
fn cursor_of(row: &SqliteRow, column: SortColumn) -> PageCursor {
    let key = if sort_expr(column).1 {
        row.get::<i64, _>("sort_key").to_string()
    } else {
        row.get::<String, _>("sort_key")
    };
    PageCursor {
        key,
        id: row.get("id"),
    }
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
        // first without sorting. In another column's order a search of one or two characters
        // walks that column's index within its read's bound, checking each order's status (`+`),
        // rather than reading every order of the status and sorting them.
        let by_column = !by_id && with_search && short_search(f);
        q.push(if by_column {
            " AND +s.status_id IN ("
        } else {
            " AND s.status_id IN ("
        });
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
        // Too short for the trigram index, so no index answers it: the number's start or the
        // name's inside, in either case as the trigram index matches (LIKE folds ASCII letters
        // only). A page's read bounds how many orders it goes through (`walk_orders`).
        let glob = contains_glob(search);
        q.push(" AND (s.number GLOB ")
            .push_bind(glob["*".len()..].to_string())
            .push(" OR s.recipient_name GLOB ")
            .push_bind(glob)
            .push(")");
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
        let read = PageRead {
            whole: true,
            take: 101,
            skip: 0,
            until: None,
        };
        push_page(&mut q, &query, &read).unwrap();
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
        assert_sorts_only_merged_pages(&p);
        store.close().await;
    }

    /// Every sort in the plan `p` is the per-status pages' merge, each of at most a page.
    fn assert_sorts_only_merged_pages(p: &str) {
        let lines: Vec<&str> = p.lines().collect();
        for (i, _) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.contains("TEMP B-TREE"))
        {
            assert!(i > 0 && lines[i - 1].starts_with("SCAN (subquery"), "{p}");
        }
    }

    /// An order as the short-search test seeds it.
    struct Seeded {
        id: i64,
        number: String,
        name: String,
        status: i64,
        total: i64,
    }

    impl Seeded {
        /// The number's start or the name's inside, in either case.
        fn matches(&self, search: &str) -> bool {
            let search = search.to_lowercase();
            self.number.to_lowercase().starts_with(&search) || self.name.to_lowercase().contains(&search)
        }

        /// Where the order comes in the column's ascending order.
        fn key(&self, column: SortColumn) -> (String, i64, i64) {
            match column {
                SortColumn::Created => (String::new(), 0, self.id),
                SortColumn::Number => (self.number.clone(), 0, self.id),
                SortColumn::Recipient => (self.name.clone(), 0, self.id),
                SortColumn::Total => (String::new(), self.total, self.id),
            }
        }
    }

    #[tokio::test]
    async fn a_short_search_goes_through_a_bounded_number_of_orders_a_read_and_misses_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("walk.db")).await.unwrap();
        let statuses: Vec<i64> = sqlx::query_scalar("SELECT id FROM shop_statuses ORDER BY id LIMIT 3")
            .fetch_all(store.pool())
            .await
            .unwrap();
        let base = Utc::now();
        let made = |i: i64| base - Duration::minutes(300 - i);
        let mut seeded = Vec::new();
        for i in 0..300_i64 {
            // Names shared by several orders (the sort's ties), a few with "юл" in either case,
            // a few numbers starting with "ab" in either case.
            let name = match i % 23 {
                0 => "Юлия Белова".to_string(),
                7 => "ЮЛИАНА".to_string(),
                11 => "Сергей Июлев".to_string(),
                _ => format!("Покупатель {}", i % 17),
            };
            let number = match i % 31 {
                0 => format!("AB-{i:04}"),
                5 => format!("aB-{i:04}"),
                _ => format!("ZX-{:04}", (i * 7) % 300),
            };
            let status = statuses[(i % 3) as usize];
            let total = (i * 37) % 101;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO shop_orders (number, created_at, status_id, recipient_name, total_minor)
                 VALUES (?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(&number)
            .bind(format_ts(made(i)))
            .bind(status)
            .bind(&name)
            .bind(total)
            .fetch_one(store.pool())
            .await
            .unwrap();
            seeded.push(Seeded {
                id,
                number,
                name,
                status,
                total,
            });
        }
        // The period holds the oldest 151 orders.
        let to = made(150) + Duration::seconds(30);
        let filters = [
            OrderFilter::default(),
            OrderFilter {
                status_ids: vec![statuses[0]],
                ..Default::default()
            },
            OrderFilter {
                status_ids: vec![statuses[1], statuses[2]],
                ..Default::default()
            },
            OrderFilter {
                to: Some(to),
                ..Default::default()
            },
        ];
        for filter in filters {
            let lets_through = |i: usize, o: &Seeded| {
                (filter.status_ids.is_empty() || filter.status_ids.contains(&o.status))
                    && (filter.to.is_none() || i <= 150)
            };
            for column in [
                SortColumn::Created,
                SortColumn::Number,
                SortColumn::Recipient,
                SortColumn::Total,
            ] {
                let walk = walk_orders(column) as usize;
                for desc in [true, false] {
                    let in_order = |mut orders: Vec<&Seeded>| {
                        orders.sort_by_key(|o| o.key(column));
                        if desc {
                            orders.reverse();
                        }
                        orders.iter().map(|o| o.id).collect::<Vec<i64>>()
                    };
                    // What a read goes through: every order, the period's only in creation order.
                    let walked = in_order(
                        seeded
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| {
                                filter.to.is_none() || column != SortColumn::Created || *i <= 150
                            })
                            .map(|(_, o)| o)
                            .collect(),
                    );
                    for search in ["юл", "Ab", "ъъ", "ю"] {
                        let expected = in_order(
                            seeded
                                .iter()
                                .enumerate()
                                .filter(|(i, o)| lets_through(*i, o) && o.matches(search))
                                .map(|(_, o)| o)
                                .collect(),
                        );
                        for limit in [2, 3] {
                            let case = format!("{filter:?} {column:?} desc {desc} {search:?} limit {limit}");
                            let mut query = OrderPageQuery {
                                filter: OrderFilter {
                                    search: search.into(),
                                    ..filter.clone()
                                },
                                sort: OrderSort { column, desc },
                                after: None,
                                limit,
                            };
                            // The CLI's whole page reads on until it is full.
                            let whole: Vec<i64> = store
                                .cabinet_rows(&query)
                                .await
                                .unwrap()
                                .iter()
                                .map(|r| r.id)
                                .collect();
                            assert_eq!(whole, expected[..expected.len().min(limit as usize)], "{case}");
                            let (mut found, mut reads, mut checked, mut at) = (vec![], 0, 0, 0);
                            loop {
                                let page = store.cabinet_page(&query).await.unwrap();
                                reads += 1;
                                assert!(page.rows.len() <= limit as usize, "{case}");
                                found.extend(page.rows.iter().map(|r| r.id));
                                let went = page.orders_checked.expect("a short search counts") as usize;
                                assert!(went <= walk, "{case}: {went}");
                                checked += went;
                                if page.stopped {
                                    // Stopped at the walk-th order after the cursor, and one more is left.
                                    let next = page.next.as_ref().expect("a stopped read goes on");
                                    assert_eq!(Some(next.id), walked.get(at + walk - 1).copied(), "{case}");
                                    assert!(at + walk < walked.len(), "{case}");
                                    assert_eq!(went, walk, "{case}");
                                }
                                match page.next {
                                    Some(next) => {
                                        at = walked.iter().position(|id| *id == next.id).unwrap() + 1;
                                        query.after = Some(next);
                                    }
                                    None => break,
                                }
                            }
                            assert_eq!(found, expected, "{case}");
                            // Each order was gone through once, in as many reads as that takes
                            // for a fragment in none.
                            assert_eq!(checked, walked.len(), "{case}");
                            if expected.is_empty() {
                                assert_eq!(reads, walked.len().div_ceil(walk), "{case}");
                            }
                        }
                    }
                }
            }
        }

        // The bar counts among the newest orders a read goes through and says so; a period with
        // fewer orders is counted whole.
        let walk = walk_orders(SortColumn::Created) as usize;
        let count = |orders: &[Seeded], search: &str| {
            let mut by_status = std::collections::BTreeMap::new();
            for o in orders.iter().filter(|o| o.matches(search)) {
                *by_status.entry(o.status).or_insert(0) += 1;
            }
            by_status
        };
        let counted = |stats: &CabinetStats| -> std::collections::BTreeMap<i64, i64> {
            stats
                .by_status
                .iter()
                .map(|c| (c.status_id.unwrap(), c.count))
                .collect()
        };
        let stats = store
            .cabinet_stats(&OrderFilter {
                search: "юл".into(),
                ..Default::default()
            })
            .await
            .unwrap();
        let newest = count(&seeded[seeded.len() - walk..], "юл");
        assert!(!newest.is_empty());
        assert_eq!(counted(&stats), newest);
        assert_eq!(stats.total, newest.values().sum::<i64>());
        assert_eq!(stats.searched_newest, Some(walk as i64));

        let oldest = OrderFilter {
            search: "юл".into(),
            to: Some(made(walk as i64 / 2) - Duration::seconds(30)),
            ..Default::default()
        };
        let stats = store.cabinet_stats(&oldest).await.unwrap();
        let all = count(&seeded[..walk / 2], "юл");
        assert!(!all.is_empty());
        assert_eq!(counted(&stats), all);
        assert_eq!(stats.searched_newest, None);
        store.close().await;
    }

    #[tokio::test]
    async fn a_short_searchs_read_and_its_bound_walk_an_index_in_the_lists_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let bound = PageCursor {
            key: "7".into(),
            id: 7,
        };
        // Each read walks its sort column's index between the cursor and the bound (a status
        // by its own index in creation order, checked order by order in another column's), and
        // the bound comes from that index alone.
        for (column, status_ids, range, bound_from) in [
            (
                SortColumn::Created,
                vec![],
                "INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
                "INTEGER PRIMARY KEY (rowid<?)",
            ),
            (
                SortColumn::Created,
                vec![1, 2],
                "INDEX shop_orders_status (status_id=? AND rowid>? AND rowid<?)",
                "INTEGER PRIMARY KEY (rowid<?)",
            ),
            (
                SortColumn::Number,
                vec![],
                "INDEX shop_orders_number (number>? AND number<?)",
                "COVERING INDEX shop_orders_number (number<?)",
            ),
            (
                SortColumn::Recipient,
                vec![1],
                "INDEX shop_orders_recipient (recipient_name>? AND recipient_name<?)",
                "COVERING INDEX shop_orders_recipient (recipient_name<?)",
            ),
            (
                SortColumn::Total,
                vec![],
                "INDEX shop_orders_total (total_minor>? AND total_minor<?)",
                "COVERING INDEX shop_orders_total (total_minor<?)",
            ),
        ] {
            let query = OrderPageQuery {
                filter: OrderFilter {
                    status_ids,
                    search: "ab".into(),
                    ..Default::default()
                },
                sort: OrderSort { column, desc: true },
                after: Some(PageCursor {
                    key: "9".into(),
                    id: 9,
                }),
                limit: 100,
            };
            for (uses, query, read) in [
                (
                    range,
                    query.clone(),
                    PageRead {
                        whole: true,
                        take: 101,
                        skip: 0,
                        until: Some(&bound),
                    },
                ),
                (
                    bound_from,
                    walked(&query),
                    PageRead {
                        whole: false,
                        take: 2,
                        skip: 29_999,
                        until: None,
                    },
                ),
            ] {
                let mut q = QueryBuilder::new("EXPLAIN QUERY PLAN ");
                push_page(&mut q, &query, &read).unwrap();
                let p = crate::query_plan(q.build(), store.pool()).await.join("\n");
                let scans = p.matches("SEARCH s USING ").count();
                assert_eq!(p.matches(&format!("SEARCH s USING {uses}")).count(), scans, "{p}");
                assert_sorts_only_merged_pages(&p);
            }
        }
        store.close().await;
    }
}
