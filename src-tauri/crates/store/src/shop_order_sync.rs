//! The shop order made from a marketplace order, kept in step with that order's lines inside the
//! caller's transaction (a decision, a sync page, a status change).

use std::collections::BTreeSet;

use chrono::Utc;
use ordertray_core::timeline::TimelineEvent;
use sqlx::SqliteConnection;

use crate::events::{insert_event, shop_order_event, NewEvent};
use crate::time::format_ts;
use crate::Result;

/// Accepted lines of one external order make one shop order ("All orders").
pub(crate) async fn place_on_shop_order(
    conn: &mut SqliteConnection,
    order_id: i64,
    customer_id: Option<i64>,
    lines: &BTreeSet<i64>,
    now: &str,
) -> Result<(i64, bool)> {
    let existed: Option<i64> = sqlx::query_scalar("SELECT id FROM shop_orders WHERE source_order_id = ?")
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?;
    let shop_order_id: i64 = sqlx::query_scalar(
        "INSERT INTO shop_orders (number, source_order_id, account_id, customer_id, created_at)
         SELECT number, id, account_id, ?, ? FROM orders WHERE id = ?
         ON CONFLICT (source_order_id) DO UPDATE SET customer_id = COALESCE(shop_orders.customer_id, excluded.customer_id)
         RETURNING id",
    )
    .bind(customer_id)
    .bind(now)
    .bind(order_id)
    .fetch_one(&mut *conn)
    .await?;
    // `lines` may hold a whole page's lines (a bulk accept): one statement per order, through the
    // order's own lines, never one per line of the page (which made a page's accept quadratic).
    let ids = serde_json::Value::from(lines.iter().copied().collect::<Vec<i64>>()).to_string();
    sqlx::query(
        "UPDATE lines SET shop_order_id = ?1
         WHERE order_id = ?2 AND id IN (SELECT value FROM json_each(?3))",
    )
    .bind(shop_order_id)
    .bind(order_id)
    .bind(ids)
    .execute(&mut *conn)
    .await?;
    Ok((shop_order_id, existed.is_none()))
}

/// Brings the shop order made from a marketplace order in step with its lines: an item per
/// accepted line the marketplace still has (a line it took out leaves the items and the total,
/// and comes back with them if it returns), the recipient when still empty, the total, and the
/// order's status when its lines agree on one (an order the manager deleted stays deleted).
pub(crate) async fn refresh_from_lines(conn: &mut SqliteConnection, order_id: i64) -> Result<()> {
    let Some(id): Option<i64> = sqlx::query_scalar("SELECT id FROM shop_orders WHERE source_order_id = ?")
        .bind(order_id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(());
    };
    sqlx::query(
        "DELETE FROM shop_order_items WHERE shop_order_id = ?1 AND line_id IS NOT NULL
           AND line_id NOT IN (SELECT id FROM lines WHERE shop_order_id = ?1 AND removed_by_marketplace = 0)",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    // SQLite: `INSERT OR IGNORE` and `json_extract` on the bound offer.
    sqlx::query(
        "INSERT OR IGNORE INTO shop_order_items (shop_order_id, position, line_id, article, brand, name, quantity, price)
         SELECT ?1, l.id, l.id,
            COALESCE(json_extract(l.bound_offer, '$.article'), l.offer_id),
            COALESCE(json_extract(l.bound_offer, '$.brand'), ''), l.name, l.quantity, l.price
         FROM lines l WHERE l.shop_order_id = ?1 AND l.removed_by_marketplace = 0",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE shop_orders SET
            recipient_name = CASE WHEN recipient_name = '' THEN COALESCE(o.buyer_name, '') ELSE recipient_name END,
            recipient_phone = CASE WHEN recipient_phone = '' THEN COALESCE(o.buyer_phone, '') ELSE recipient_phone END,
            recipient_email = CASE WHEN recipient_email = '' THEN COALESCE(o.buyer_email, '') ELSE recipient_email END,
            -- The address arrives once, field by field where the marketplace (or the split of its
            -- line) gave fields; an address the manager has set is never replaced.
            address = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.text'), o.buyer_address, '') ELSE address END,
            country = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.country'), country) ELSE country END,
            region = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.region'), region) ELSE region END,
            city = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.city'), city) ELSE city END,
            street = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.street'), street) ELSE street END,
            house = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.house'), house) ELSE house END,
            flat = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.flat'), flat) ELSE flat END,
            postal_code = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.postal_code'), postal_code) ELSE postal_code END,
            pickup_point_id = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.pickup_point_id'), pickup_point_id) ELSE pickup_point_id END,
            pickup_point_address = CASE WHEN address = '' THEN COALESCE(json_extract(o.parts, '$.pickup_point_address'), pickup_point_address) ELSE pickup_point_address END,
            payment_method = COALESCE(payment_method, 'prepaid'),
            currency = COALESCE((SELECT currency FROM lines WHERE shop_order_id = ?1 LIMIT 1), currency),
            -- TOTAL and the outer CAST: an overflowing integer SUM is an SQL error, and a REAL
            -- would not decode as the INTEGER the list reads; CAST saturates at the i64 range.
            total_minor = CAST(COALESCE((SELECT TOTAL(CAST(ROUND(CAST(price AS REAL) * 100) AS INTEGER) * quantity)
                FROM shop_order_items WHERE shop_order_id = ?1), 0)
                + CAST(ROUND(CAST(delivery_cost AS REAL) * 100) AS INTEGER) AS INTEGER)
         FROM (SELECT buyer_name, buyer_phone, buyer_email, buyer_address, buyer_address_parts AS parts
               FROM orders WHERE id = ?2) AS o
         WHERE shop_orders.id = ?1",
    )
    .bind(id)
    .bind(order_id)
    .execute(&mut *conn)
    .await?;
    crate::account_options::refresh_extra(conn, id, order_id).await?;
    let all = crate::shop_statuses::statuses(conn).await?;
    if let Some(status) = crate::shop_statuses::order_state(conn, order_id, &all).await? {
        // A change of status is a change of the order: targets' rules look for it by that time.
        sqlx::query(
            "UPDATE shop_orders SET status_id = ?1, updated_at = ?3 WHERE id = ?2 AND status_id IS NOT ?1
               AND (status_id IS NULL OR status_id NOT IN (SELECT id FROM shop_statuses WHERE code = 'deleted'))",
        )
        .bind(status)
        .bind(id)
        .bind(format_ts(Utc::now()))
        .execute(&mut *conn)
        .await?;
        let account_id: Option<i64> = sqlx::query_scalar("SELECT account_id FROM shop_orders WHERE id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        crate::account_options::mark_paid_on_delivery(conn, id, account_id).await?;
    }
    note_write_off(conn, id).await
}

/// Marks the shop order's items written off when its status writes them off and they were not
/// yet, with a timeline entry; an order stays written off whatever status follows.
pub(crate) async fn note_write_off(conn: &mut SqliteConnection, shop_order_id: i64) -> Result<()> {
    let marked = sqlx::query(
        "UPDATE shop_orders SET written_off_at = ? WHERE id = ? AND written_off_at IS NULL
           AND status_id IN (SELECT id FROM shop_statuses WHERE writes_off = 1)",
    )
    .bind(format_ts(Utc::now()))
    .bind(shop_order_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if marked > 0 {
        shop_order_event(conn, shop_order_id, "engine", &TimelineEvent::ItemsWrittenOff {}).await?;
    }
    Ok(())
}

/// A quantity the platform changed on a line reaches the item made from it while the shop order's
/// items are not written off; the order's timeline tells which it was.
pub(crate) async fn apply_quantity_change(
    conn: &mut SqliteConnection,
    (account_id, order_id, line_id): (i64, i64, i64),
    (name, from, to): (&str, i64, i64),
) -> Result<()> {
    let written_off: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM shop_order_items i JOIN shop_orders s ON s.id = i.shop_order_id
           WHERE i.line_id = ? AND s.written_off_at IS NOT NULL)",
    )
    .bind(line_id)
    .fetch_one(&mut *conn)
    .await?;
    if !written_off {
        sqlx::query("UPDATE shop_order_items SET quantity = ? WHERE line_id = ?")
            .bind(to)
            .bind(line_id)
            .execute(&mut *conn)
            .await?;
    }
    let event = TimelineEvent::QuantityChanged {
        line: name.to_string(),
        from,
        to,
        applied: !written_off,
    };
    insert_event(
        conn,
        NewEvent {
            account_id: Some(account_id),
            order_id: Some(order_id),
            line_id: Some(line_id),
            actor: "sync",
            event: &event,
        },
    )
    .await
}
