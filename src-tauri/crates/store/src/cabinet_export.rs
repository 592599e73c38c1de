//! The orders a CSV export writes, read in batches by id so that memory stays flat at any size.

use ordertray_core::cabinet::{self, OrderFilter, OrderType, PaymentMethod};
use ordertray_core::export::{ExportItem, ExportOrder};
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::{QueryBuilder, Sqlite};

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
        // SQLite: json_group_array with ORDER BY (3.44+).
        // The batch comes back as one JSON array built by SQLite: sqlx's driver hands every row
        // from its worker thread to the caller through a channel, and those per-row wake-ups cost
        // more than SQLite's reading (perf: futex and channel locks above sqlite3VdbeExec).
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT json_group_array(json_array(
                id, number, created_at, status_id, order_type, kind, account,
                recipient_name, recipient_phone, recipient_email, address, postal_code,
                payment_method, paid, cod, declared_value, declared_value_auto, cod_amount,
                delivery_method, delivery_cost,
                weight_g, total_minor, currency, json(items)) ORDER BY id)
             FROM (SELECT s.id, s.number, s.created_at, s.status_id, s.order_type, a.kind AS kind,
                a.name AS account, s.recipient_name, s.recipient_phone, s.recipient_email, s.address,
                s.postal_code, s.payment_method, s.paid, s.cod, CAST(s.declared_value AS TEXT) AS declared_value,
                s.declared_value_auto, CAST(s.cod_amount AS TEXT) AS cod_amount,
                s.delivery_method, CAST(s.delivery_cost AS TEXT) AS delivery_cost, s.weight_g,
                s.total_minor, s.currency, ",
        );
        if with_items {
            q.push(
                "(SELECT json_group_array(json_array(i.article, i.brand, i.name, i.quantity,
                    CAST(i.price AS TEXT)) ORDER BY i.position, i.id)
                  FROM shop_order_items i WHERE i.shop_order_id = s.id) AS items",
            );
        } else {
            q.push("NULL AS items");
        }
        q.push(" FROM shop_orders s LEFT JOIN accounts a ON a.id = s.account_id");
        push_filter(&mut q, filter, true, true);
        q.push(" AND s.id > ")
            .push_bind(after_id)
            .push(" ORDER BY s.id LIMIT ")
            .push_bind(i64::from(limit.max(1)))
            .push(")");
        let json: String = q.build_query_scalar().fetch_one(&self.pool).await?;
        let rows: Vec<BatchRow> = serde_json::from_str(&json)
            .map_err(|e| crate::StoreError::Corrupt(format!("export batch: {e}")))?;
        rows.into_iter().map(BatchRow::into_entry).collect()
    }
}

/// One order as the batch's JSON array holds it, in the query's column order.
#[derive(Deserialize)]
struct BatchRow(
    i64,
    String,
    String,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    String,
    i64,
    Option<String>,
    String,
    String,
    i64,
    i64,
    String,
    // The items' array (`json(items)`: a value from a subquery is plain text to json_array, which
    // would nest it as a string); null when the export has no item columns.
    Option<Vec<BatchItem>>,
);

#[derive(Deserialize)]
struct BatchItem(String, String, String, i64, String);

impl BatchRow {
    fn into_entry(self) -> Result<ExportEntry> {
        let BatchRow(
            id,
            number,
            created_at,
            status_id,
            order_type,
            kind,
            account,
            recipient_name,
            recipient_phone,
            recipient_email,
            address,
            postal_code,
            payment_method,
            paid,
            cod,
            declared_value,
            declared_value_auto,
            cod_amount,
            delivery_method,
            delivery_cost,
            weight_g,
            total_minor,
            currency,
            items,
        ) = self;
        let items = items
            .unwrap_or_default()
            .into_iter()
            .map(|BatchItem(article, brand, name, quantity, price)| {
                Ok(ExportItem {
                    article,
                    brand,
                    name,
                    quantity,
                    price: parse_decimal(&price)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let total = Decimal::new(total_minor, 2);
        let delivery_cost = parse_decimal(&delivery_cost)?;
        let declared_value = if declared_value_auto != 0 {
            let typed = cod_amount.as_deref().map(parse_decimal).transpose()?;
            let collected = cabinet::cod_amount(cod != 0, typed, total);
            cabinet::followed_declared_value(total.saturating_sub(delivery_cost), collected)
        } else {
            parse_decimal(&declared_value)?
        };
        Ok(ExportEntry {
            id,
            status_id,
            order: ExportOrder {
                number,
                created_at: Some(parse_ts(&created_at)?),
                status: String::new(),
                order_type: OrderType::parse(&order_type),
                marketplace: kind.unwrap_or_default(),
                account: account.unwrap_or_default(),
                recipient_name,
                recipient_phone,
                recipient_email,
                address,
                postal_code,
                payment_method: payment_method.as_deref().and_then(PaymentMethod::parse),
                paid: paid != 0,
                cod: cod != 0,
                declared_value,
                delivery_method,
                delivery_cost,
                weight_g,
                total,
                currency,
                items,
            },
        })
    }
}
