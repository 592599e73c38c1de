//! Customers' personal data, listed so that diagnostics can strip it from anything they export.

use crate::{Result, Store};

/// Shorter values ("1", "Ан") would also hit unrelated text; they identify nobody alone.
const MIN_LEN: i64 = 3;

impl Store {
    /// Every buyer name, phone, e-mail and address the database holds, longest first.
    pub async fn personal_data_values(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT v FROM (
                SELECT buyer_name AS v FROM orders UNION SELECT buyer_phone FROM orders
                UNION SELECT buyer_email FROM orders UNION SELECT buyer_address FROM orders
                UNION SELECT name FROM customers UNION SELECT phone FROM customers
                UNION SELECT email FROM customers UNION SELECT address FROM customers
                UNION SELECT first_name FROM customers UNION SELECT last_name FROM customers
                UNION SELECT buyer_first_name FROM orders UNION SELECT buyer_last_name FROM orders
                UNION SELECT recipient_name FROM shop_orders UNION SELECT recipient_phone FROM shop_orders
                UNION SELECT recipient_email FROM shop_orders UNION SELECT address FROM shop_orders
             ) WHERE v IS NOT NULL AND length(trim(v)) >= ? ORDER BY length(v) DESC",
        )
        .bind(MIN_LEN)
        .fetch_all(&self.pool)
        .await?)
    }
}
