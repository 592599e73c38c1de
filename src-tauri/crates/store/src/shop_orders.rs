//! All orders (the shop's orders made from accepted lines) and the customers they belong to.

use std::str::FromStr;

use ordertray_core::{CustomerSummary, CustomerView, ShopOrderView};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

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

    /// Customers with how many orders each has, most recent buyer first.
    pub async fn customers(&self, limit: u32) -> Result<Vec<CustomerSummary>> {
        sqlx::query(
            // The counts are kept by triggers (migration 0029); the order is an index's.
            "SELECT c.id, c.name, c.first_name, c.last_name, c.phone, c.email, c.address, c.region, c.order_count AS orders,
                c.last_order_at
             FROM customers c ORDER BY c.last_order_at DESC, c.id DESC LIMIT ?",
        )
        .bind(limit.clamp(1, 10_000))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
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
        })
        .collect()
    }
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
