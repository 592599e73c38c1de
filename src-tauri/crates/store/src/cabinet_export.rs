//! The orders a CSV export writes, read in batches by id so that memory stays flat at any size.

use std::collections::BTreeMap;

use ordertray_core::cabinet::{OrderFilter, OrderType, PaymentMethod};
use ordertray_core::export::{ExportItem, ExportOrder};
use rust_decimal::Decimal;
use sqlx::{QueryBuilder, Row, Sqlite};

use crate::cabinet_list::{parse_decimal, push_filter};
use crate::time::parse_ts;
use crate::{Result, Store};

/// One order of an export batch: its id (the next batch's start), its status, its fields.
pub struct ExportEntry {
    pub id: i64,
    pub status_id: Option<i64>,
    pub order: ExportOrder,
}

impl Store {
    /// Up to `limit` orders the filter lets through with ids above `after_id`, oldest first, with
    /// their items when `with_items`.
    pub async fn export_batch(
        &self,
        filter: &OrderFilter,
        after_id: i64,
        limit: u32,
        with_items: bool,
    ) -> Result<Vec<ExportEntry>> {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT s.id, s.number, s.created_at, s.status_id, s.order_type, a.kind AS kind, a.name AS account,
                s.recipient_name, s.recipient_phone, s.recipient_email, s.address, s.postal_code,
                s.payment_method, s.paid, s.cod, s.declared_value, s.delivery_method, s.delivery_cost,
                s.weight_g, s.total_minor, s.currency
             FROM shop_orders s LEFT JOIN accounts a ON a.id = s.account_id",
        );
        push_filter(&mut q, filter, true, true);
        q.push(" AND s.id > ")
            .push_bind(after_id)
            .push(" ORDER BY s.id LIMIT ")
            .push_bind(i64::from(limit.max(1)));
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for r in &rows {
            entries.push(ExportEntry {
                id: r.get("id"),
                status_id: r.get("status_id"),
                order: ExportOrder {
                    number: r.get("number"),
                    created_at: Some(parse_ts(r.get("created_at"))?),
                    status: String::new(),
                    order_type: OrderType::parse(r.get("order_type")),
                    marketplace: r.get::<Option<String>, _>("kind").unwrap_or_default(),
                    account: r.get::<Option<String>, _>("account").unwrap_or_default(),
                    recipient_name: r.get("recipient_name"),
                    recipient_phone: r.get("recipient_phone"),
                    recipient_email: r.get("recipient_email"),
                    address: r.get("address"),
                    postal_code: r.get("postal_code"),
                    payment_method: r
                        .get::<Option<&str>, _>("payment_method")
                        .and_then(PaymentMethod::parse),
                    paid: r.get("paid"),
                    cod: r.get("cod"),
                    declared_value: parse_decimal(r.get("declared_value"))?,
                    delivery_method: r.get("delivery_method"),
                    delivery_cost: parse_decimal(r.get("delivery_cost"))?,
                    weight_g: r.get("weight_g"),
                    total: Decimal::new(r.get("total_minor"), 2),
                    currency: r.get("currency"),
                    items: vec![],
                },
            });
        }
        if with_items && !entries.is_empty() {
            let (first, last) = (entries[0].id, entries[entries.len() - 1].id);
            let mut items: BTreeMap<i64, Vec<ExportItem>> = BTreeMap::new();
            for r in sqlx::query(
                "SELECT shop_order_id, article, brand, name, quantity, price FROM shop_order_items
                 WHERE shop_order_id BETWEEN ? AND ? ORDER BY shop_order_id, position, id",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&self.pool)
            .await?
            {
                items.entry(r.get("shop_order_id")).or_default().push(ExportItem {
                    article: r.get("article"),
                    brand: r.get("brand"),
                    name: r.get("name"),
                    quantity: r.get("quantity"),
                    price: parse_decimal(r.get("price"))?,
                });
            }
            for e in &mut entries {
                e.order.items = items.remove(&e.id).unwrap_or_default();
            }
        }
        Ok(entries)
    }
}
