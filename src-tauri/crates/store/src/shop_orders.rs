//! All orders (the shop's orders made from accepted lines) and the customers they belong to.

use std::str::FromStr;

use ordertray_core::cabinet::PageCursor;
use ordertray_core::{CustomerPage, CustomerSummary, CustomerView, ShopOrderView};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::time::{parse_opt, parse_ts};
use crate::{Result, Store, StoreError};

const SHOP_ORDER_SELECT: &str = "SELECT s.id, s.number, s.created_at, a.name AS account, s.source_order_id,
        s.customer_id, c.name AS customer_name,
        (SELECT COUNT(*) FROM lines l WHERE l.shop_order_id = s.id AND l.removed_by_marketplace = 0) AS line_count,
        (SELECT group_concat(l.price || '*' || l.quantity || '*' || l.currency, ' ') FROM lines l
            WHERE l.shop_order_id = s.id AND l.removed_by_marketplace = 0) AS amounts
    FROM shop_orders s LEFT JOIN accounts a ON a.id = s.account_id LEFT JOIN customers c ON c.id = s.customer_id";

impl Store {
    /// The newest shop orders first; `customer` narrows to one customer's orders.
    pub async fn shop_orders(&self, customer: Option<i64>, limit: u32) -> Result<Vec<ShopOrderView>> {
        sqlx::query(&format!(
            "{SHOP_ORDER_SELECT} WHERE (?1 IS NULL OR s.customer_id = ?1)
             ORDER BY s.created_at DESC, s.id DESC LIMIT ?2"
        ))
        .bind(customer)
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(shop_order_from)
        .collect()
    }

    /// The first `limit` customers, most recent buyer first (the CLI's list, tests).
    pub async fn customers(&self, limit: u32) -> Result<Vec<CustomerSummary>> {
        Ok(self.customers_page(None, limit).await?.rows)
    }

    /// Customers with how many orders each has, most recent buyer first, a keyset page after
    /// `after`. Each part of the list after the cursor is a range of the index
    /// `customers_last_order` (see [`CustomerRange`]), read in turn until the page is full.
    pub async fn customers_page(&self, after: Option<&PageCursor>, limit: u32) -> Result<CustomerPage> {
        let limit = limit.clamp(1, 10_000) as usize;
        let mut rows = Vec::new();
        // One row more than the page tells whether another page follows.
        for range in CustomerRange::after(after) {
            let left = limit + 1 - rows.len();
            let mut q = QueryBuilder::new("");
            push_customers(&mut q, &range, left as u32);
            rows.extend(q.build().fetch_all(&self.pool).await?);
            if rows.len() > limit {
                break;
            }
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = rows.last().filter(|_| more).map(|r| PageCursor {
            key: r.get::<Option<String>, _>("last_order_at").unwrap_or_default(),
            id: r.get("id"),
        });
        Ok(CustomerPage {
            rows: rows.iter().map(customer_from).collect::<Result<_>>()?,
            next,
            checked: 0,
            stopped: false,
        })
    }
}

/// A part of the customers' list, in its order: those who bought at the cursor's time after its
/// customer, those who bought before, then those without an order (all theirs deleted), newest
/// first. A row-value comparison would read the cursor's time as the index's bound and go through
/// every customer of that time before the cursor; a `NULL` has no place in one at all.
#[derive(Debug)]
enum CustomerRange<'a> {
    /// From the top, or after `id` among those of `at`.
    Dated { at: Option<(&'a str, i64)> },
    /// Those whose latest order is before `at`.
    Before { at: &'a str },
    /// Those without an order, after `id` when given.
    Undated { id: Option<i64> },
}

impl<'a> CustomerRange<'a> {
    fn after(cursor: Option<&'a PageCursor>) -> Vec<CustomerRange<'a>> {
        match cursor {
            None => vec![Self::Dated { at: None }, Self::Undated { id: None }],
            Some(c) if c.key.is_empty() => vec![Self::Undated { id: Some(c.id) }],
            Some(c) => vec![
                Self::Dated {
                    at: Some((&c.key, c.id)),
                },
                Self::Before { at: &c.key },
                Self::Undated { id: None },
            ],
        }
    }
}

/// What [`customer_from`] reads of a customer `c`. The counts are kept by triggers (migration
/// 0029).
pub(crate) const CUSTOMER_COLUMNS: &str =
    "c.id, c.name, c.first_name, c.last_name, c.phone, c.email, c.address, c.region,
     c.order_count AS orders, c.last_order_at";

/// One range's customers, at most `limit`.
fn push_customers<'a>(q: &mut QueryBuilder<'a, Sqlite>, range: &CustomerRange<'a>, limit: u32) {
    q.push(format!("SELECT {CUSTOMER_COLUMNS} FROM customers c WHERE "));
    match *range {
        CustomerRange::Dated { at: None } => {
            q.push("c.last_order_at IS NOT NULL ORDER BY c.last_order_at DESC, c.id DESC");
        }
        CustomerRange::Dated { at: Some((at, id)) } => {
            q.push("c.last_order_at = ")
                .push_bind(at)
                .push(" AND c.id < ")
                .push_bind(id)
                .push(" ORDER BY c.id DESC");
        }
        CustomerRange::Before { at } => {
            q.push("c.last_order_at < ")
                .push_bind(at)
                .push(" ORDER BY c.last_order_at DESC, c.id DESC");
        }
        CustomerRange::Undated { id } => {
            q.push("c.last_order_at IS NULL");
            if let Some(id) = id {
                q.push(" AND c.id < ").push_bind(id);
            }
            q.push(" ORDER BY c.id DESC");
        }
    }
    q.push(" LIMIT ").push_bind(limit);
}

pub(crate) fn customer_from(r: &SqliteRow) -> Result<CustomerSummary> {
    Ok(CustomerSummary {
        customer: CustomerView {
            id: r.get("id"),
            name: r.get("name"),
            first_name: r.get("first_name"),
            last_name: r.get("last_name"),
            phone: r.get("phone"),
            email: r.get("email"),
            address: r.get("address"),
            region: r.get("region"),
        },
        orders: r.get("orders"),
        last_order_at: parse_opt(r.get("last_order_at"))?,
    })
}

fn shop_order_from(r: &SqliteRow) -> Result<ShopOrderView> {
    let mut total = Decimal::ZERO;
    let mut currency = String::new();
    for amount in r
        .get::<Option<&str>, _>("amounts")
        .unwrap_or_default()
        .split_whitespace()
    {
        let mut parts = amount.split('*');
        let (Some(price), Some(qty), Some(cur)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let price =
            Decimal::from_str(price).map_err(|e| StoreError::Corrupt(format!("price '{price}': {e}")))?;
        let qty: i64 = qty
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("quantity '{qty}'")))?;
        total = total.saturating_add(ordertray_core::line_total(price, qty));
        currency = cur.to_string();
    }
    Ok(ShopOrderView {
        id: r.get("id"),
        number: r.get("number"),
        created_at: parse_ts(r.get("created_at"))?,
        account: r.get("account"),
        source_order_id: r.get("source_order_id"),
        customer_id: r.get("customer_id"),
        customer_name: r.get("customer_name"),
        lines: r.get("line_count"),
        total,
        currency,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;
    use crate::format_ts;

    /// Customers straight into the table: `last` is the latest order's minute, or none.
    async fn customers_with(store: &Store, last: &[Option<i64>]) -> Vec<i64> {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut ids = Vec::new();
        for (i, minute) in last.iter().enumerate() {
            let at = minute.map(|m| format_ts(start + Duration::minutes(m)));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO customers (name, created_at, last_order_at, order_count)
                 VALUES (?, '2026-01-01T00:00:00Z', ?, ?) RETURNING id",
            )
            .bind(format!("customer {i}"))
            .bind(at)
            .bind(i64::from(minute.is_some()))
            .fetch_one(store.pool())
            .await
            .unwrap();
            ids.push(id);
        }
        ids
    }

    #[tokio::test]
    async fn customers_come_in_keyset_pages_latest_buyer_first_and_those_without_an_order_last() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db")).await.unwrap();
        // Shared minutes (ties broken by id), customers without an order among the others by id.
        let last = [
            Some(5),
            None,
            Some(9),
            Some(5),
            Some(1),
            None,
            Some(9),
            Some(5),
            None,
            Some(30),
            Some(2),
            None,
            Some(5),
        ];
        let ids = customers_with(&store, &last).await;
        let mut expected: Vec<(Option<i64>, i64)> = last.iter().copied().zip(ids).collect();
        expected.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => y.cmp(&x).then(b.1.cmp(&a.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.1.cmp(&a.1),
        });
        let expected: Vec<i64> = expected.into_iter().map(|(_, id)| id).collect();
        for limit in [1, 2, 3, 4, 5, 9, 13, 100] {
            let mut read = Vec::new();
            let mut after = None;
            let mut pages = 0;
            loop {
                let page = store.customers_page(after.as_ref(), limit).await.unwrap();
                pages += 1;
                assert!(page.rows.len() <= limit as usize, "page of {limit}");
                read.extend(page.rows.iter().map(|r| r.customer.id));
                match page.next {
                    Some(next) => {
                        assert_eq!(page.rows.len(), limit as usize, "only a full page has a next one");
                        after = Some(next);
                    }
                    None => break,
                }
                assert!(
                    read.len() <= expected.len(),
                    "pages of {limit} go on past the end: {read:?}"
                );
            }
            assert_eq!(read, expected, "pages of {limit}");
            // A page that ends the list says so: no empty page is asked for after it.
            assert_eq!(pages, expected.len().div_ceil(limit as usize), "pages of {limit}");
        }
        let first = store.customers_page(None, 3).await.unwrap();
        assert_eq!(first.rows[0].orders, 1);
        assert!(first.rows[0].last_order_at.is_some());
        store.close().await;
    }

    #[tokio::test]
    async fn a_customers_page_reads_a_range_of_the_latest_order_index_and_sorts_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        let dated = PageCursor {
            key: "2026-01-01T00:00:00Z".into(),
            id: 7,
        };
        let undated = PageCursor {
            key: String::new(),
            id: 7,
        };
        let mut ranges = CustomerRange::after(None);
        ranges.extend(CustomerRange::after(Some(&dated)));
        ranges.extend(CustomerRange::after(Some(&undated)));
        let expected = [
            "(last_order_at>?)",
            "(last_order_at=?)",
            "(last_order_at=? AND id<?)",
            "(last_order_at<?)",
            "(last_order_at=?)",
            "(last_order_at=? AND id<?)",
        ];
        assert_eq!(ranges.len(), expected.len());
        for (range, seek) in ranges.iter().zip(expected) {
            let mut q = QueryBuilder::new("EXPLAIN QUERY PLAN ");
            push_customers(&mut q, range, 100);
            let p = crate::query_plan(q.build(), store.pool()).await.join("\n");
            assert!(
                p.contains("SEARCH c USING INDEX customers_last_order"),
                "{range:?}: {p}"
            );
            assert!(p.contains(seek), "{range:?}: {seek}: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{range:?}: {p}");
        }
        store.close().await;
    }
}
