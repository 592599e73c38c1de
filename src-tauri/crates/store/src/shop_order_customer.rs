//! Orders made in the cabinet (the form, the CLI, a buyer's page) go on a customer as accepted
//! marketplace orders do: the one with the same phone or e-mail, or a new one.

use chrono::Utc;
use ordertray_core::customer::{normalize_email, normalize_phone};
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
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM customers WHERE (phone IS NOT NULL AND phone = ?) OR (email IS NOT NULL AND email = ?)
         ORDER BY id LIMIT 1",
    )
    .bind(&phone)
    .bind(&email)
    .fetch_optional(&mut *conn)
    .await?;
    let customer = match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE customers SET name = COALESCE(name, ?), phone = COALESCE(phone, ?), email = COALESCE(email, ?),
                    address_parts = IIF(address IS NULL, ?, address_parts), address = COALESCE(address, ?) WHERE id = ?",
            )
            .bind(&name)
            .bind(&phone)
            .bind(&email)
            .bind(&parts)
            .bind(&line)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO customers (name, phone, email, address, address_parts, region, created_at)
                 VALUES (?, ?, ?, ?, ?, '', ?) RETURNING id",
            )
            .bind(&name)
            .bind(&phone)
            .bind(&email)
            .bind(&line)
            .bind(&parts)
            .bind(format_ts(Utc::now()))
            .fetch_one(&mut *conn)
            .await?
        }
    };
    sqlx::query("UPDATE shop_orders SET customer_id = ? WHERE id = ?")
        .bind(customer)
        .bind(shop_order_id)
        .execute(conn)
        .await?;
    Ok(())
}
