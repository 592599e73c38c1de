//! Work a migration leaves to Rust (it needs the core's rules), done once right after migrating:
//! each is a row of `pending_upgrades`, removed in the transaction that does the work, so a crash
//! midway does it again on the next start.

use ordertray_core::Address;
use sqlx::{Row, SqliteConnection};

use crate::{Result, Store};

impl Store {
    pub(crate) async fn run_pending_upgrades(&self) -> Result<()> {
        let pending: Vec<String> = sqlx::query_scalar("SELECT name FROM pending_upgrades")
            .fetch_all(&self.pool)
            .await?;
        for name in pending {
            let mut tx = self.begin_write().await?;
            match name.as_str() {
                "split_addresses" => split_addresses(&mut tx).await?,
                other => tracing::warn!(upgrade = other, "unknown upgrade left pending"),
            }
            sqlx::query("DELETE FROM pending_upgrades WHERE name = ?")
                .bind(&name)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// One-line addresses stored before addresses had fields: split where that is unambiguous, kept
/// as they are otherwise.
async fn split_addresses(conn: &mut SqliteConnection) -> Result<()> {
    let orders = sqlx::query("SELECT id, address, postal_code FROM shop_orders WHERE address <> ''")
        .fetch_all(&mut *conn)
        .await?;
    for r in orders {
        let mut a = Address::from_text(r.get("address"));
        if a.has_parts() {
            // Orders had a postal code field beside the line.
            if a.postal_code.is_empty() {
                a.postal_code = r.get("postal_code");
            }
            crate::addresses::write_address(&mut *conn, r.get("id"), &a).await?;
        }
    }
    for (table, column, parts) in [
        ("orders", "buyer_address", "buyer_address_parts"),
        ("customers", "address", "address_parts"),
    ] {
        let rows = sqlx::query(&format!(
            "SELECT id, {column} AS line FROM {table} WHERE {column} <> '' AND {parts} IS NULL"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let a = Address::from_text(r.get("line"));
            if a.has_parts() {
                sqlx::query(&format!("UPDATE {table} SET {parts} = ? WHERE id = ?"))
                    .bind(serde_json::to_string(&a)?)
                    .bind(r.get::<i64, _>("id"))
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}
