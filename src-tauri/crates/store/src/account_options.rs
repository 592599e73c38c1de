//! An account's own options and what they change when orders become shop orders: the paid flag
//! on delivery, the source label, number and date, customer, default delivery and payment, and the
//! marketplace extras kept on the shop order. The options come as the integration's
//! [`AccountPolicy`] and the account's push settings: nothing here asks which marketplace it is.
//! A base layer: it uses no store module above `events`.

use ordertray_core::templates::PushTemplates;
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{AccountPolicy, AccountSettings, CancelReason, ShopOrderPolicy};
use sqlx::{Row, SqliteConnection};

use crate::Result;

/// What the account's integration settings mean for decisions, ingest and shop orders (handed over
/// by the integration: see `AccountSettings::policy`).
pub(crate) async fn account_policy(conn: &mut SqliteConnection, account_id: i64) -> Result<AccountPolicy> {
    let settings: String = sqlx::query_scalar("SELECT settings FROM accounts WHERE id = ?")
        .bind(account_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(serde_json::from_str::<AccountSettings>(&settings)?.policy()?)
}

pub(crate) async fn templates_of(conn: &mut SqliteConnection, account_id: i64) -> Result<PushTemplates> {
    let doc: Option<String> = sqlx::query_scalar("SELECT doc FROM push_templates WHERE account_id = ?")
        .bind(account_id)
        .fetch_optional(conn)
        .await?;
    Ok(doc
        .map(|d| serde_json::from_str(&d))
        .transpose()?
        .unwrap_or_default())
}

/// The account's shop order options, when its integration has any.
pub(crate) async fn shop_order_policy(
    conn: &mut SqliteConnection,
    account_id: i64,
) -> Result<Option<ShopOrderPolicy>> {
    Ok(account_policy(conn, account_id).await?.shop_order)
}

/// A shop order made from a marketplace order, as the account's options want it when it is first
/// made: number or recipient name, date, source, customer, delivery and payment.
pub(crate) async fn shape_new_shop_order(
    conn: &mut SqliteConnection,
    shop_order_id: i64,
    order_id: i64,
    s: &ShopOrderPolicy,
) -> Result<()> {
    let o = sqlx::query("SELECT number, created_at, first_seen_at FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    let posting: String = o.get("number");
    let created_at: String = o.get(if s.date_placed {
        "created_at"
    } else {
        "first_seen_at"
    });
    let (number, recipient) = if s.number_to_recipient {
        // The shop's own number, as for an order made by hand: its date-time.
        let t = crate::time::parse_ts(&created_at)?;
        (
            format!("{}-{}", t.format("%Y%m%d-%H%M%S"), shop_order_id),
            Some(posting),
        )
    } else {
        (posting, None)
    };
    let source = &s.source_label;
    sqlx::query(
        "UPDATE shop_orders SET number = ?, created_at = ?, source = ?,
            recipient_name = COALESCE(?, recipient_name),
            customer_id = COALESCE((SELECT id FROM customers WHERE id = ?), customer_id),
            delivery_method = CASE WHEN ? != '' THEN ? ELSE delivery_method END,
            payment_method = COALESCE(?, payment_method)
         WHERE id = ?",
    )
    .bind(&number)
    .bind(&created_at)
    .bind(source)
    .bind(&recipient)
    .bind(s.fixed_customer_id)
    .bind(&s.default_delivery_method)
    .bind(&s.default_delivery_method)
    .bind(s.default_payment_method.map(|p| p.as_str()))
    .bind(shop_order_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marketplace facts without a column of their own, from the order as last read (the policy's
/// `extra`: e.g. barcodes and cargo places). Integrations that name none keep none.
pub(crate) async fn refresh_extra(
    conn: &mut SqliteConnection,
    shop_order_id: i64,
    order_id: i64,
) -> Result<()> {
    let account_id: i64 = sqlx::query_scalar("SELECT account_id FROM orders WHERE id = ?")
        .bind(order_id)
        .fetch_one(&mut *conn)
        .await?;
    let extra = shop_order_policy(conn, account_id)
        .await?
        .map(|p| p.extra)
        .unwrap_or_default();
    if extra.is_empty() {
        sqlx::query("UPDATE shop_orders SET extra = NULL WHERE id = ?")
            .bind(shop_order_id)
            .execute(conn)
            .await?;
        return Ok(());
    }
    // SQLite: JSON functions (`json_object`, `->`, `json()`).
    // `raw -> path` is the value as JSON text whatever its type; `json()` embeds it as JSON.
    let mut q: sqlx::QueryBuilder<sqlx::Sqlite> =
        sqlx::QueryBuilder::new("UPDATE shop_orders SET extra = (SELECT json_object(");
    let mut fields = q.separated(", ");
    for (key, path) in &extra {
        fields.push_bind(key.as_str());
        fields.push("json(o.raw -> ");
        fields.push_bind_unseparated(path.as_str());
        fields.push_unseparated(")");
    }
    q.push(") FROM orders o WHERE o.id = ")
        .push_bind(order_id)
        .push(") WHERE id = ")
        .push_bind(shop_order_id);
    q.build().execute(conn).await?;
    Ok(())
}

/// "Set the paid flag when the order reaches the status mapped to the marketplace's delivered"
/// (and it is not cash on delivery, which the cabinet keeps unpaid).
pub(crate) async fn mark_paid_on_delivery(
    conn: &mut SqliteConnection,
    shop_order_id: i64,
    account_id: Option<i64>,
) -> Result<()> {
    let Some(account_id) = account_id else {
        return Ok(());
    };
    if !shop_order_policy(conn, account_id)
        .await?
        .is_some_and(|s| s.paid_on_delivered)
    {
        return Ok(());
    }
    let Some(delivered) = templates_of(conn, account_id).await?.delivered_status() else {
        return Ok(());
    };
    let paid = sqlx::query(
        "UPDATE shop_orders SET paid = 1 WHERE id = ? AND status_id = ? AND paid = 0 AND cod = 0",
    )
    .bind(shop_order_id)
    .bind(delivered)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if paid > 0 {
        crate::events::shop_order_event(conn, shop_order_id, "sync", &TimelineEvent::Paid {}).await?;
    }
    Ok(())
}

impl crate::Store {
    /// The lines still in the inbox of these orders.
    pub async fn new_lines_of_orders(&self, order_ids: &[i64]) -> Result<Vec<i64>> {
        let mut q: sqlx::QueryBuilder<sqlx::Sqlite> =
            sqlx::QueryBuilder::new("SELECT id FROM lines WHERE state = 'new' AND order_id IN (");
        let mut sep = q.separated(", ");
        for id in order_ids {
            sep.push_bind(*id);
        }
        q.push(") ORDER BY id");
        Ok(q.build_query_scalar().fetch_all(&self.pool).await?)
    }
}

/// The account's default reason for rejections.
pub(crate) async fn account_cancel_reason(
    conn: &mut SqliteConnection,
    account_id: i64,
) -> Result<(CancelReason, bool)> {
    // Integrations told per line with a status and a text have neither (see
    // `pushes::plan_decision_pushes`).
    let policy = account_policy(conn, account_id).await?;
    Ok((policy.cancel_reason, policy.ship_on_accept))
}
