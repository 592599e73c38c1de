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
    /// `after`. Customers whose orders are all gone come last, newest first: a `NULL` has no place
    /// in a row-value comparison, so they are a second range of the same index, read once the
    /// first is through.
    pub async fn customers_page(&self, after: Option<&PageCursor>, limit: u32) -> Result<CustomerPage> {
        let limit = limit.clamp(1, 10_000);
        let mut rows = Vec::new();
        let in_dated = after.is_none_or(|c| !c.key.is_empty());
        if in_dated {
            let mut q = QueryBuilder::new("");
            push_customers(&mut q, after, true, limit);
            rows = q.build().fetch_all(&self.pool).await?;
        }
        let left = limit - rows.len() as u32;
        if left > 0 {
            let mut q = QueryBuilder::new("");
            push_customers(&mut q, after.filter(|_| !in_dated), false, left);
            rows.extend(q.build().fetch_all(&self.pool).await?);
        }
        let next = (rows.len() == limit as usize)
            .then(|| rows.last())
            .flatten()
            .map(|r| PageCursor {
                key: r.get::<Option<String>, _>("last_order_at").unwrap_or_default(),
                id: r.get("id"),
            });
        Ok(CustomerPage {
            rows: rows.iter().map(customer_from).collect::<Result<_>>()?,
            next,
        })
    }
}

/// One of the customers' two ranges after `after`: those with a latest order (`dated`), then
/// those without. The counts are kept by triggers (migration 0029); the order and the ranges are
/// the index's (last_order_at DESC, id DESC).
fn push_customers<'a>(
    q: &mut QueryBuilder<'a, Sqlite>,
    after: Option<&'a PageCursor>,
    dated: bool,
    limit: u32,
) {
    q.push(
        "SELECT c.id, c.name, c.first_name, c.last_name, c.phone, c.email, c.address, c.region,
            c.order_count AS orders, c.last_order_at
         FROM customers c",
    );
    if dated {
        q.push(" WHERE c.last_order_at IS NOT NULL");
        if let Some(c) = after {
            q.push(" AND (c.last_order_at, c.id) < (")
                .push_bind(&c.key)
                .push(", ")
                .push_bind(c.id)
                .push(")");
        }
        q.push(" ORDER BY c.last_order_at DESC, c.id DESC");
    } else {
        q.push(" WHERE c.last_order_at IS NULL");
        if let Some(c) = after {
            q.push(" AND c.id < ").push_bind(c.id);
        }
        q.push(" ORDER BY c.id DESC");
    }
    q.push(" LIMIT ").push_bind(limit);
}

fn customer_from(r: &SqliteRow) -> Result<CustomerSummary> {
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
            loop {
                let page = store.customers_page(after.as_ref(), limit).await.unwrap();
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
        for (after, with_order) in [
            (None, true),
            (Some(&dated), true),
            (None, false),
            (Some(&undated), false),
        ] {
            let mut q = QueryBuilder::new("EXPLAIN QUERY PLAN ");
            push_customers(&mut q, after, with_order, 100);
            let p = crate::query_plan(q.build(), store.pool()).await.join("\n");
            let range = match (after.is_some(), with_order) {
                (false, true) => "(last_order_at>?)",
                (true, true) => "(last_order_at>? AND last_order_at<?)",
                (false, false) => "(last_order_at=?)",
                (true, false) => "(last_order_at=? AND id<?)",
            };
            assert!(p.contains("SEARCH c USING INDEX customers_last_order"), "{p}");
            assert!(p.contains(range), "{range}: {p}");
            assert!(!p.contains("TEMP B-TREE"), "{p}");
        }
        store.close().await;
    }
}
