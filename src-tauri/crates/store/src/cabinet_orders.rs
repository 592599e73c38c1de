//! Changing the shop's orders in the cabinet: made by hand, edited, moved between statuses, typed,
//! deleted and restored, purged; and kept in step with the marketplace lines they were made from.

use std::collections::BTreeSet;

use chrono::Utc;
use ordertray_core::cabinet::{
    OrderItem, OrderType, PaymentMethod, Recipient, ShopOrderDraft, ShopOrderFull,
};
use ordertray_core::statuses::{DELETED, PREORDER};

use crate::addresses::{address_from_row, write_address};
use crate::shop_order_customer::link_hand_made;
use crate::shop_statuses::first_new_status;
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::{AccountKind, AppError, ErrorCode};
use ordertray_core::{ErrorWords, Thing};
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};

use crate::cabinet_list::{parse_decimal, to_minor};
use crate::events::shop_order_event;
use crate::time::{format_ts, parse_ts};
use crate::{Result, Store};

/// A shop order's row as the cabinet changes it.
#[derive(Debug, Clone)]
pub struct ShopOrderFacts {
    pub id: i64,
    pub number: String,
    pub status_id: Option<i64>,
    pub source_order_id: Option<i64>,
    pub transferred_to: Option<String>,
}

impl Store {
    /// An order with its items and its whole timeline.
    pub async fn shop_order_full(&self, id: i64) -> Result<ShopOrderFull> {
        let mut order = self.shop_order_without_timeline(id).await?;
        order.timeline = sqlx::query(
            "SELECT id, at, kind, actor, message, line_id, data FROM events
             WHERE shop_order_id = ?1 OR (?2 IS NOT NULL AND order_id = ?2) ORDER BY at, id",
        )
        .bind(id)
        .bind(order.source_order_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(crate::queries::event_from)
        .collect::<Result<Vec<_>>>()?;
        Ok(order)
    }

    /// The order with this number (the latest, should a marketplace have reused one), else the
    /// order with this id.
    pub async fn shop_order_by_number_or_id(&self, key: &str) -> Result<Option<i64>> {
        let by_number: Option<i64> =
            sqlx::query_scalar("SELECT id FROM shop_orders WHERE number = ? ORDER BY id DESC LIMIT 1")
                .bind(key.trim())
                .fetch_optional(&self.pool)
                .await?;
        if by_number.is_some() {
            return Ok(by_number);
        }
        let Ok(id) = key.trim().parse::<i64>() else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar("SELECT id FROM shop_orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// An order with its items; the timeline left empty (edits compare drafts only).
    pub async fn shop_order_without_timeline(&self, id: i64) -> Result<ShopOrderFull> {
        let r = sqlx::query(
            "SELECT s.*, a.name AS account, a.kind AS account_kind,
                COALESCE((SELECT read_only FROM orders o WHERE o.id = s.source_order_id), 0) AS read_only
             FROM shop_orders s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| AppError::missing(Thing::Order, id))?;
        let items =
            sqlx::query("SELECT * FROM shop_order_items WHERE shop_order_id = ? ORDER BY position, id")
                .bind(id)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|i| {
                    Ok(OrderItem {
                        id: Some(i.get("id")),
                        line_id: i.get("line_id"),
                        offer_id: i.get("offer_id"),
                        article: i.get("article"),
                        brand: i.get("brand"),
                        name: i.get("name"),
                        quantity: i.get("quantity"),
                        price: parse_decimal(i.get("price"))?,
                        weight_g: i.get("weight_g"),
                        length_cm: i.get("length_cm"),
                        width_cm: i.get("width_cm"),
                        height_cm: i.get("height_cm"),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
        let source: Option<i64> = r.get("source_order_id");
        Ok(ShopOrderFull {
            id,
            created_at: parse_ts(r.get("created_at"))?,
            status_id: r.get("status_id"),
            account: r.get("account"),
            account_kind: r
                .get::<Option<&str>, _>("account_kind")
                .map(AccountKind::parse)
                .transpose()?,
            source_order_id: source,
            customer_id: r.get("customer_id"),
            transferred_to: r.get("transferred_to"),
            draft: ShopOrderDraft {
                number: r.get("number"),
                preorder: r.get("preorder"),
                recipient: Recipient {
                    name: r.get("recipient_name"),
                    phone: r.get("recipient_phone"),
                    email: r.get("recipient_email"),
                },
                address: address_from_row(&r),
                items,
                auto_dimensions: r.get("auto_dimensions"),
                weight_g: r.get("weight_g"),
                length_cm: r.get("length_cm"),
                width_cm: r.get("width_cm"),
                height_cm: r.get("height_cm"),
                declared_value: parse_decimal(r.get("declared_value"))?,
                declared_value_auto: r.get("declared_value_auto"),
                cod: r.get("cod"),
                cod_amount_typed: r
                    .get::<Option<&str>, _>("cod_amount")
                    .map(parse_decimal)
                    .transpose()?,
                payment_method: r
                    .get::<Option<&str>, _>("payment_method")
                    .and_then(PaymentMethod::parse),
                paid: r.get("paid"),
                delivery_method: r.get("delivery_method"),
                delivery_cost: parse_decimal(r.get("delivery_cost"))?,
                order_type: OrderType::parse(r.get("order_type")).unwrap_or_default(),
                currency: r.get("currency"),
                tracking_number: r.get("tracking_number"),
            }
            // A marketplace order's items change with its lines, not through write_draft.
            .followed(),
            source: r.get("source"),
            extra: r
                .get::<Option<&str>, _>("extra")
                .map(serde_json::from_str)
                .transpose()?
                .unwrap_or(serde_json::Value::Null),
            read_only: r.get("read_only"),
            timeline: vec![],
            transfers: self.order_transfers(id).await?,
        })
    }

    /// Saves an order made by hand (already checked and normalised), in the first "new" status;
    /// a pre-order in "Pre-order" (while the shop keeps that status).
    pub async fn create_shop_order(&self, draft: &ShopOrderDraft, actor: &str) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO shop_orders (number, created_at, updated_at, status_id)
             VALUES (?1, ?2, ?2, COALESCE(
                CASE WHEN ?3 THEN (SELECT id FROM shop_statuses WHERE code = '{PREORDER}') END,
                {first}))
             RETURNING id",
            first = first_new_status()
        ))
        .bind(&draft.number)
        .bind(&now)
        .bind(draft.preorder)
        .fetch_one(&mut *tx)
        .await?;
        write_draft(&mut tx, id, draft, &now).await?;
        link_hand_made(&mut tx, id).await?;
        let event = TimelineEvent::OrderCreated {
            number: draft.number.clone(),
            preorder: draft.preorder,
        };
        shop_order_event(&mut tx, id, actor, &event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces an order's fields and items; `event` says what changed, for the timeline.
    pub async fn update_shop_order(
        &self,
        id: i64,
        draft: &ShopOrderDraft,
        actor: &str,
        event: &TimelineEvent,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        save_edit(&mut tx, id, draft, actor, event).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn shop_order_facts(&self, ids: &[i64]) -> Result<Vec<ShopOrderFacts>> {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT id, number, status_id, source_order_id, transferred_to FROM shop_orders WHERE id IN (",
        );
        let mut sep = q.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        q.push(") ORDER BY id");
        let facts: Vec<ShopOrderFacts> = q
            .build()
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| ShopOrderFacts {
                id: r.get("id"),
                number: r.get("number"),
                status_id: r.get("status_id"),
                source_order_id: r.get("source_order_id"),
                transferred_to: r.get("transferred_to"),
            })
            .collect();
        let distinct: BTreeSet<i64> = ids.iter().copied().collect();
        if facts.len() != distinct.len() {
            return Err(AppError::said(
                ErrorCode::NotFound,
                ErrorWords::NoLongerExist { thing: Thing::Order },
            )
            .into());
        }
        Ok(facts)
    }

    /// The accepted lines of the orders made from marketplace orders (they carry status pushes).
    pub async fn accepted_lines_of(&self, shop_order_ids: &[i64]) -> Result<Vec<i64>> {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT id FROM lines WHERE state = 'accepted' AND shop_order_id IN (");
        let mut sep = q.separated(", ");
        for id in shop_order_ids {
            sep.push_bind(*id);
        }
        q.push(") ORDER BY id");
        Ok(q.build_query_scalar().fetch_all(&self.pool).await?)
    }

    /// Sets the status of orders that have no marketplace lines to carry it (made by hand, or
    /// Delete), with a timeline event each.
    pub async fn set_shop_order_status(
        &self,
        ids: &[i64],
        status_id: i64,
        (name, code): (&str, Option<&str>),
        actor: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        for id in ids {
            sqlx::query("UPDATE shop_orders SET status_id = ?, updated_at = ? WHERE id = ?")
                .bind(status_id)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let event = TimelineEvent::OrderStatus {
                status: name.to_string(),
                status_code: code.map(str::to_string),
            };
            shop_order_event(&mut tx, *id, actor, &event).await?;
            crate::shop_order_sync::note_write_off(&mut tx, *id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_order_type(&self, ids: &[i64], order_type: OrderType, actor: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        for id in ids {
            let changed = sqlx::query(
                "UPDATE shop_orders SET order_type = ?, updated_at = ? WHERE id = ? AND order_type != ?",
            )
            .bind(order_type.as_str())
            .bind(&now)
            .bind(id)
            .bind(order_type.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed > 0 {
                shop_order_event(&mut tx, *id, actor, &TimelineEvent::OrderTypeSet { order_type }).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves orders to Deleted; `remove_links` also forgets where they were transferred.
    pub async fn delete_shop_orders(&self, ids: &[i64], remove_links: bool, actor: &str) -> Result<()> {
        let deleted = self.builtin_status(DELETED).await?;
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        for id in ids {
            sqlx::query(
                "UPDATE shop_orders SET status_id = ?, updated_at = ?,
                    transferred_to = CASE WHEN ? THEN NULL ELSE transferred_to END WHERE id = ?",
            )
            .bind(deleted)
            .bind(&now)
            .bind(remove_links)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let event = if remove_links {
                TimelineEvent::OrderDeletedUnlinked {}
            } else {
                TimelineEvent::OrderDeleted {}
            };
            shop_order_event(&mut tx, *id, actor, &event).await?;
            crate::transfers::drop_unsent_sends(&mut tx, *id, &now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes orders for good: only those already in Deleted. Their marketplace orders and lines
    /// stay (the inbox's history); the lines just no longer belong to a shop order.
    pub async fn purge_shop_orders(&self, ids: &[i64]) -> Result<u64> {
        let deleted = self.builtin_status(DELETED).await?;
        let facts = self.shop_order_facts(ids).await?;
        if let Some(f) = facts.iter().find(|f| f.status_id != Some(deleted)) {
            return Err(AppError::said(
                ErrorCode::InvalidTransition,
                ErrorWords::OrderNotDeleted {
                    number: f.number.clone(),
                },
            )
            .into());
        }
        let mut tx = self.begin_write().await?;
        let mut removed = 0;
        for f in &facts {
            sqlx::query("DELETE FROM events WHERE shop_order_id = ? AND order_id IS NULL")
                .bind(f.id)
                .execute(&mut *tx)
                .await?;
            removed += sqlx::query("DELETE FROM shop_orders WHERE id = ?")
                .bind(f.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(removed)
    }

    /// The id of a built-in status ("deleted", "transferred").
    pub async fn builtin_status(&self, code: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM shop_statuses WHERE code = ?")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| AppError::missing(Thing::BuiltInStatus, format!("«{code}»")).into())
    }
}

/// An edit of an order as one step of a transaction: the draft written, a completed pre-order moved
/// to the first "new" status, the event kept, a new tracking number queued.
pub(crate) async fn save_edit(
    conn: &mut SqliteConnection,
    id: i64,
    draft: &ShopOrderDraft,
    actor: &str,
    event: &TimelineEvent,
) -> Result<()> {
    let now = format_ts(Utc::now());
    let tracking_before: Option<String> =
        sqlx::query_scalar("SELECT tracking_number FROM shop_orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let tracking_before = tracking_before.ok_or_else(|| AppError::missing(Thing::Order, id))?;
    sqlx::query("UPDATE shop_orders SET number = ? WHERE id = ?")
        .bind(&draft.number)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    write_draft(&mut *conn, id, draft, &now).await?;
    // A pre-order gets its customer once its buyer is known.
    link_hand_made(&mut *conn, id).await?;
    // A completed pre-order leaves "Pre-order" for the first "new" status.
    sqlx::query(&format!(
        "UPDATE shop_orders SET status_id = COALESCE({first}, status_id)
         WHERE id = ? AND preorder = 0 AND status_id = (SELECT id FROM shop_statuses WHERE code = '{PREORDER}')",
        first = first_new_status()
    ))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    shop_order_event(&mut *conn, id, actor, event).await?;
    let tracking = draft.tracking_number.trim();
    if tracking != tracking_before && !tracking.is_empty() {
        queue_tracking(&mut *conn, id, tracking, actor, &now).await?;
    }
    Ok(())
}

async fn write_draft(conn: &mut SqliteConnection, id: i64, d: &ShopOrderDraft, now: &str) -> Result<()> {
    sqlx::query(
        "UPDATE shop_orders SET preorder = ?, recipient_name = ?, recipient_phone = ?, recipient_email = ?,
            auto_dimensions = ?, weight_g = ?, length_cm = ?, width_cm = ?,
            height_cm = ?, declared_value = ?, cod = ?, payment_method = ?, paid = ?, delivery_method = ?,
            delivery_cost = ?, order_type = ?, currency = ?, total_minor = ?, updated_at = ?, tracking_number = ?,
            declared_value_auto = ?, cod_amount = ?
         WHERE id = ?",
    )
    .bind(d.preorder)
    .bind(d.recipient.name.trim())
    .bind(d.recipient.phone.trim())
    .bind(d.recipient.email.trim())
    .bind(d.auto_dimensions)
    .bind(d.weight_g)
    .bind(d.length_cm)
    .bind(d.width_cm)
    .bind(d.height_cm)
    .bind(d.declared_value.to_string())
    .bind(d.cod)
    .bind(d.payment_method.map(PaymentMethod::as_str))
    .bind(d.paid)
    .bind(&d.delivery_method)
    .bind(d.delivery_cost.to_string())
    .bind(d.order_type.as_str())
    .bind(&d.currency)
    .bind(to_minor(d.total()))
    .bind(now)
    .bind(d.tracking_number.trim())
    .bind(d.declared_value_auto)
    .bind(d.cod_amount_typed.map(|a| a.to_string()))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    write_address(&mut *conn, id, &d.address).await?;
    sqlx::query("DELETE FROM shop_order_items WHERE shop_order_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for (position, item) in d.items.iter().enumerate() {
        sqlx::query(
            "INSERT INTO shop_order_items (shop_order_id, position, line_id, offer_id, article, brand, name,
                quantity, price, weight_g, length_cm, width_cm, height_cm)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(item.line_id)
        .bind(item.offer_id)
        .bind(item.article.trim())
        .bind(item.brand.trim())
        .bind(item.name.trim())
        .bind(item.quantity)
        .bind(item.price.to_string())
        .bind(item.weight_g)
        .bind(item.length_cm)
        .bind(item.width_cm)
        .bind(item.height_cm)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// What decides whether a shop order's tracking number goes back to its marketplace.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackingTarget {
    /// The marketplace order it was made from; None for orders made by hand.
    pub external_id: Option<String>,
    /// The marketplace fulfils the order itself.
    pub read_only: bool,
    /// What the order's integration says about tracking numbers; None: it takes none.
    pub back: Option<ordertray_core::TrackingBack>,
    /// The order is one the seller delivers (the integration's condition holds).
    pub seller_delivers: bool,
    source: Option<(i64, i64)>,
}

impl TrackingTarget {
    /// Whether a tracking number entered now is sent.
    fn goes_back(&self) -> bool {
        self.back.is_some() && self.seller_delivers && !self.read_only
    }
}

async fn tracking_target_of(conn: &mut SqliteConnection, shop_order_id: i64) -> Result<TrackingTarget> {
    let r = sqlx::query(
        "SELECT s.id AS shop_order, o.id AS order_id, o.account_id, o.external_id, o.raw,
            COALESCE(o.read_only, 0) AS read_only
         FROM shop_orders s LEFT JOIN orders o ON o.id = s.source_order_id WHERE s.id = ?",
    )
    .bind(shop_order_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| AppError::missing(Thing::Order, shop_order_id))?;
    let (order_id, account_id): (Option<i64>, Option<i64>) = (r.get("order_id"), r.get("account_id"));
    let (Some(order_id), Some(account_id)) = (order_id, account_id) else {
        return Ok(TrackingTarget::default());
    };
    let back = crate::account_options::shop_order_policy(conn, account_id)
        .await?
        .and_then(|p| p.tracking_back);
    let seller_delivers = match &back {
        Some(b) => {
            // SQLite: `json_extract` on the raw order.
            let at: Option<String> =
                sqlx::query_scalar("SELECT json_extract(raw, ?) FROM orders WHERE id = ?")
                    .bind(&b.path)
                    .bind(order_id)
                    .fetch_one(&mut *conn)
                    .await?;
            at.as_deref() == Some(b.value.as_str())
        }
        None => false,
    };
    Ok(TrackingTarget {
        external_id: r.get("external_id"),
        read_only: r.get("read_only"),
        back,
        seller_delivers,
        source: Some((order_id, account_id)),
    })
}

impl Store {
    pub async fn tracking_target(&self, id: i64) -> Result<TrackingTarget> {
        let mut conn = self.pool.acquire().await?;
        tracking_target_of(&mut conn, id).await
    }

    /// Sets the order's tracking number alone (marketplace orders often lack what a full edit
    /// needs: some hide buyers' phones) and queues it for the marketplace as an edit does.
    pub async fn set_tracking_number(&self, id: i64, tracking: &str, actor: &str) -> Result<()> {
        let tracking = tracking.trim();
        let mut tx = self.begin_write().await?;
        let now = format_ts(Utc::now());
        let before: Option<String> =
            sqlx::query_scalar("SELECT tracking_number FROM shop_orders WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let before = before.ok_or_else(|| AppError::missing(Thing::Order, id))?;
        if before == tracking {
            return Ok(());
        }
        sqlx::query("UPDATE shop_orders SET tracking_number = ?, updated_at = ? WHERE id = ?")
            .bind(tracking)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let event = if tracking.is_empty() {
            TimelineEvent::TrackingRemoved {}
        } else {
            TimelineEvent::TrackingSet {
                tracking: tracking.to_string(),
            }
        };
        shop_order_event(&mut tx, id, actor, &event).await?;
        if !tracking.is_empty() {
            queue_tracking(&mut tx, id, tracking, actor, &now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// A tracking number entered on an order made from a marketplace order the seller delivers is
/// sent to the marketplace through the outbox, in the edit's transaction (when its integration
/// takes tracking numbers: see `TrackingBack`).
async fn queue_tracking(
    conn: &mut SqliteConnection,
    shop_order_id: i64,
    tracking: &str,
    actor: &str,
    now: &str,
) -> Result<()> {
    let target = tracking_target_of(conn, shop_order_id).await?;
    let (Some((order_id, account_id)), Some(external_id)) = (target.source, &target.external_id) else {
        return Ok(());
    };
    if !target.goes_back() {
        return Ok(());
    }
    let effect = ordertray_core::Effect::SetTracking {
        order_external_id: external_id.clone(),
        tracking_number: tracking.to_string(),
    };
    crate::outbox::queue_effect(conn, account_id, order_id, &effect, actor, (now, now)).await?;
    Ok(())
}
