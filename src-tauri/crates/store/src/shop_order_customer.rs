//! Orders made in the cabinet (the form, the CLI, a buyer's page) go on a customer as accepted
//! marketplace orders do: the one with the same phone or e-mail, or a new one.

use chrono::Utc;
use ordertray_core::customer::{normalize_email, normalize_phone, UNSPECIFIED_CUSTOMER};
use sqlx::{Row, SqliteConnection};

use crate::addresses::address_from_row;
use crate::time::format_ts;
use crate::Result;

/// Links a hand-made order that has no customer yet; one with neither a valid phone nor an e-mail
/// has nothing to be matched by and stays without (a pre-order, until its buyer is known). What
/// the order tells that an existing customer lacks fills the gaps; nothing is overwritten.
pub(crate) async fn link_hand_made(conn: &mut SqliteConnection, shop_order_id: i64) -> Result<()> {
    let r = sqlx::query("SELECT * FROM shop_orders WHERE id = ?")
        .bind(shop_order_id)
        .fetch_one(&mut *conn)
        .await?;
    let linked = r.get::<Option<i64>, _>("customer_id").is_some();
    if linked || r.get::<Option<i64>, _>("source_order_id").is_some() {
        return Ok(());
    }
    let phone = normalize_phone(r.get("recipient_phone"));
    let email = normalize_email(r.get("recipient_email"));
    if phone.is_none() && email.is_none() {
        return Ok(());
    }
    let name: String = r.get("recipient_name");
    let name = Some(name.trim().to_string()).filter(|n| !n.is_empty());
    let address = address_from_row(&r);
    let (line, parts) = if address.is_empty() {
        (None, None)
    } else {
        let parts = address
            .has_parts()
            .then(|| serde_json::to_string(&address))
            .transpose()?;
        (Some(address.text.clone()), parts)
    };
    let buyer = Buyer {
        name,
        first_name: None,
        last_name: None,
        phone,
        email,
        address: line,
        address_parts: parts,
        region: String::new(),
    };
    let (customer, _) = find_or_add_customer(conn, &buyer).await?;
    sqlx::query("UPDATE shop_orders SET customer_id = ? WHERE id = ?")
        .bind(customer)
        .bind(shop_order_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A buyer as an order tells of them (phone and e-mail normalised), to find or make their customer.
pub(crate) struct Buyer {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// JSON of the address's fields, when it has fields.
    pub address_parts: Option<String>,
    /// A new customer's region.
    pub region: String,
}

/// The oldest customer with the phone `?1`, the e-mail `?2` or, when `?3`, the "Unspecified"
/// customer `?4`. Each term needs an index of its own: without one for the third, SQLite read
/// every customer at every accept.
const FIND_CUSTOMER_SQL: &str = "SELECT id, region FROM customers
    WHERE (phone IS NOT NULL AND phone = ?1) OR (email IS NOT NULL AND email = ?2)
       OR (?3 AND phone IS NULL AND email IS NULL AND name = ?4)
    ORDER BY id LIMIT 1";

/// The customer with the same phone or e-mail (a buyer the platform hid: the one "Unspecified"
/// customer), with what `b` tells that it lacks filled in (nothing is overwritten) and its region
/// as it was; else a new customer (no region to tell).
pub(crate) async fn find_or_add_customer(
    conn: &mut SqliteConnection,
    b: &Buyer,
) -> Result<(i64, Option<String>)> {
    let existing: Option<(i64, String)> = sqlx::query_as(FIND_CUSTOMER_SQL)
        .bind(&b.phone)
        .bind(&b.email)
        .bind(b.phone.is_none() && b.email.is_none() && b.name.as_deref() == Some(UNSPECIFIED_CUSTOMER))
        .bind(UNSPECIFIED_CUSTOMER)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some((id, region)) = existing {
        sqlx::query(
            "UPDATE customers SET name = COALESCE(name, ?), phone = COALESCE(phone, ?), email = COALESCE(email, ?),
                address_parts = IIF(address IS NULL, ?, address_parts), address = COALESCE(address, ?),
                first_name = COALESCE(first_name, ?), last_name = COALESCE(last_name, ?) WHERE id = ?",
        )
        .bind(&b.name)
        .bind(&b.phone)
        .bind(&b.email)
        .bind(&b.address_parts)
        .bind(&b.address)
        .bind(&b.first_name)
        .bind(&b.last_name)
        .bind(id)
        .execute(&mut *conn)
        .await?;
        return Ok((id, Some(region)));
    }
    let id = sqlx::query_scalar(
        "INSERT INTO customers (name, phone, email, address, address_parts, region, created_at, first_name, last_name)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&b.name)
    .bind(&b.phone)
    .bind(&b.email)
    .bind(&b.address)
    .bind(&b.address_parts)
    .bind(&b.region)
    .bind(format_ts(Utc::now()))
    .bind(&b.first_name)
    .bind(&b.last_name)
    .fetch_one(&mut *conn)
    .await?;
    Ok((id, None))
}

#[cfg(test)]
mod tests {
    use super::FIND_CUSTOMER_SQL;
    use crate::Store;

    /// Each way of finding a customer reads an index, whichever are asked for: an accept never
    /// reads every customer.
    #[tokio::test]
    async fn a_customer_is_found_through_indexes_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("plan.db")).await.unwrap();
        for (phone, email, unspecified) in [
            (None, None, false),
            (Some("+79001234567"), None, false),
            (None, Some("a@b.ru"), true),
            (Some("+79001234567"), Some("a@b.ru"), false),
        ] {
            let sql = format!("EXPLAIN QUERY PLAN {FIND_CUSTOMER_SQL}");
            let query = sqlx::query(&sql)
                .bind(phone)
                .bind(email)
                .bind(unspecified)
                .bind("Unspecified");
            let plan = crate::query_plan(query, store.pool()).await;
            let reads: Vec<&String> = plan.iter().filter(|d| d.contains(" customers")).collect();
            assert_eq!(reads.len(), 3, "{plan:#?}");
            assert!(
                reads
                    .iter()
                    .all(|d| d.starts_with("SEARCH customers USING INDEX")),
                "{plan:#?}"
            );
        }
        store.close().await;
    }
}
