//! Shop orders' addresses as rows: the fields, and `address` as their one line.

use ordertray_core::Address;
use sqlx::{Row, SqliteConnection};

use crate::Result;

pub(crate) fn address_from_row(r: &sqlx::sqlite::SqliteRow) -> Address {
    Address {
        country: r.get("country"),
        region: r.get("region"),
        city: r.get("city"),
        street: r.get("street"),
        house: r.get("house"),
        flat: r.get("flat"),
        postal_code: r.get("postal_code"),
        pickup_point_id: r.get("pickup_point_id"),
        pickup_point_address: r.get("pickup_point_address"),
        text: r.get("address"),
    }
}

/// The address field by field, and `address` as its one line.
pub(crate) async fn write_address(conn: &mut SqliteConnection, id: i64, a: &Address) -> Result<()> {
    let a = a.clone().with_text();
    sqlx::query(
        "UPDATE shop_orders SET country = ?, region = ?, city = ?, street = ?, house = ?, flat = ?,
            postal_code = ?, pickup_point_id = ?, pickup_point_address = ?, address = ? WHERE id = ?",
    )
    .bind(&a.country)
    .bind(&a.region)
    .bind(&a.city)
    .bind(&a.street)
    .bind(&a.house)
    .bind(&a.flat)
    .bind(&a.postal_code)
    .bind(&a.pickup_point_id)
    .bind(&a.pickup_point_address)
    .bind(&a.text)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
