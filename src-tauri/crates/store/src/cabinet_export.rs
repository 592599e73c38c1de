//! The orders a CSV export writes, read in batches by id so that memory stays flat at any size.

use ordertray_core::cabinet::{self, OrderFilter, OrderType, PaymentMethod};
use ordertray_core::export::{ExportColumn, ExportItem, ExportOrder};
use rust_decimal::Decimal;
use serde::Deserialize;
use sqlx::{QueryBuilder, Sqlite};

use crate::cabinet_list::{parse_decimal, push_filter};
use crate::time::parse_ts;
use crate::{Result, Store};

/// A batch as SQLite built it: one JSON array of orders, not yet parsed, and the last order's id
/// (`None` when the batch is empty, the export's end). Parsing is left to the caller so that an
/// export can parse and write one batch on another thread while SQLite builds the next.
pub struct ExportBatchJson {
    pub json: String,
    pub last_id: Option<i64>,
}

impl ExportBatchJson {
    /// The batch's orders, oldest first.
    pub fn parse(&self) -> Result<Vec<ExportEntry>> {
        let rows: Vec<BatchRow> = serde_json::from_str(&self.json)
            .map_err(|e| crate::StoreError::Corrupt(format!("export batch: {e}")))?;
        rows.into_iter().map(BatchRow::into_entry).collect()
    }
}

/// One order of an export batch: its id (the next batch's start), its status, its fields.
pub struct ExportEntry {
    pub id: i64,
    pub status_id: Option<i64>,
    pub order: ExportOrder,
}

impl Store {
    /// Up to `limit` orders the filter lets through with ids above `after_id`, oldest first, with
    /// the fields the `columns` show (the others empty) and their items when an item column is
    /// among them.
    pub async fn export_batch(
        &self,
        filter: &OrderFilter,
        after_id: i64,
        limit: u32,
        columns: &[ExportColumn],
    ) -> Result<Vec<ExportEntry>> {
        self.export_batch_json(filter, after_id, limit, columns)
            .await?
            .parse()
    }

    /// [`Store::export_batch`] before parsing: the batch's JSON and its last id.
    pub async fn export_batch_json(
        &self,
        filter: &OrderFilter,
        after_id: i64,
        limit: u32,
        columns: &[ExportColumn],
    ) -> Result<ExportBatchJson> {
        use ExportColumn as C;
        let shown = |wanted: &[ExportColumn]| columns.iter().any(|c| wanted.contains(c));
        // A field no chosen column shows is read as NULL: SQLite neither reads nor quotes it, and
        // the parser allocates nothing for it. The declared value follows the total, the delivery
        // cost and the cash on delivery when it is automatic.
        let declared: &[ExportColumn] = &[C::DeclaredValue];
        let fields: [(&str, &str, &[ExportColumn]); 22] = [
            ("s.number", "number", &[C::Number]),
            ("s.created_at", "created_at", &[C::CreatedAt]),
            ("s.status_id", "status_id", &[C::Status]),
            ("s.order_type", "order_type", &[C::OrderType]),
            ("a.kind", "kind", &[C::Marketplace]),
            ("a.name", "account", &[C::Account]),
            ("s.recipient_name", "recipient_name", &[C::RecipientName]),
            ("s.recipient_phone", "recipient_phone", &[C::RecipientPhone]),
            ("s.recipient_email", "recipient_email", &[C::RecipientEmail]),
            ("s.address", "address", &[C::Address]),
            ("s.postal_code", "postal_code", &[C::PostalCode]),
            ("s.payment_method", "payment_method", &[C::PaymentMethod]),
            ("s.paid", "paid", &[C::Paid]),
            ("s.cod", "cod", &[C::Cod, C::DeclaredValue]),
            ("CAST(s.declared_value AS TEXT)", "declared_value", declared),
            ("s.declared_value_auto", "declared_value_auto", declared),
            ("CAST(s.cod_amount AS TEXT)", "cod_amount", declared),
            ("s.delivery_method", "delivery_method", &[C::DeliveryMethod]),
            (
                "CAST(s.delivery_cost AS TEXT)",
                "delivery_cost",
                &[C::DeliveryCost, C::DeclaredValue],
            ),
            ("s.weight_g", "weight_g", &[C::WeightG]),
            ("s.total_minor", "total_minor", &[C::Total, C::DeclaredValue]),
            ("s.currency", "currency", &[C::Currency]),
        ];
        let (mut outer, mut inner) = (String::from("id"), String::from("s.id"));
        for (expr, name, wanted) in fields {
            outer.push_str(&format!(", {name}"));
            let expr = if shown(wanted) { expr } else { "NULL" };
            inner.push_str(&format!(", {expr} AS {name}"));
        }
        // SQLite: json_group_array with ORDER BY (3.44+).
        // The batch comes back as one JSON array built by SQLite: sqlx's driver hands every row
        // from its worker thread to the caller through a channel, and those per-row wake-ups cost
        // more than SQLite's reading (perf: futex and channel locks above sqlite3VdbeExec).
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT json_group_array(json_array({outer}, json(items)) ORDER BY id), MAX(id)
             FROM (SELECT {inner}, "
        ));
        if columns.iter().any(|c| c.is_item()) {
            let item =
                |expr: &'static str, wanted: ExportColumn| if shown(&[wanted]) { expr } else { "NULL" };
            q.push(format!(
                "(SELECT json_group_array(json_array({}, {}, {}, {}, {}) ORDER BY i.position, i.id)
                  FROM shop_order_items i WHERE i.shop_order_id = s.id) AS items",
                item("i.article", C::ItemArticle),
                item("i.brand", C::ItemBrand),
                item("i.name", C::ItemName),
                item("i.quantity", C::ItemQuantity),
                item("CAST(i.price AS TEXT)", C::ItemPrice),
            ));
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
        let (json, last_id): (String, Option<i64>) = q.build_query_as().fetch_one(&self.pool).await?;
        Ok(ExportBatchJson { json, last_id })
    }
}

/// One order as the batch's JSON array holds it, in the query's column order; a field no chosen
/// column shows is null.
#[derive(Deserialize)]
struct BatchRow(
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    // The items' array (`json(items)`: a value from a subquery is plain text to json_array, which
    // would nest it as a string); null when the export has no item columns.
    Option<Vec<BatchItem>>,
);

#[derive(Deserialize)]
struct BatchItem(
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn decimal_or_zero(text: Option<String>) -> Result<Decimal> {
    text.as_deref()
        .map(parse_decimal)
        .transpose()
        .map(Option::unwrap_or_default)
}

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
                    article: article.unwrap_or_default(),
                    brand: brand.unwrap_or_default(),
                    name: name.unwrap_or_default(),
                    quantity: quantity.unwrap_or_default(),
                    price: decimal_or_zero(price)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let total = Decimal::new(total_minor.unwrap_or_default(), 2);
        let delivery_cost = decimal_or_zero(delivery_cost)?;
        let cod = cod.is_some_and(|c| c != 0);
        let declared_value = if declared_value_auto.is_some_and(|a| a != 0) {
            let typed = cod_amount.as_deref().map(parse_decimal).transpose()?;
            let collected = cabinet::cod_amount(cod, typed, total);
            cabinet::followed_declared_value(total.saturating_sub(delivery_cost), collected)
        } else {
            decimal_or_zero(declared_value)?
        };
        Ok(ExportEntry {
            id,
            status_id,
            order: ExportOrder {
                number: number.unwrap_or_default(),
                created_at: created_at.as_deref().map(parse_ts).transpose()?,
                status: String::new(),
                order_type: order_type.as_deref().and_then(OrderType::parse),
                marketplace: kind.unwrap_or_default(),
                account: account.unwrap_or_default(),
                recipient_name: recipient_name.unwrap_or_default(),
                recipient_phone: recipient_phone.unwrap_or_default(),
                recipient_email: recipient_email.unwrap_or_default(),
                address: address.unwrap_or_default(),
                postal_code: postal_code.unwrap_or_default(),
                payment_method: payment_method.as_deref().and_then(PaymentMethod::parse),
                paid: paid.is_some_and(|p| p != 0),
                cod,
                declared_value,
                delivery_method: delivery_method.unwrap_or_default(),
                delivery_cost,
                weight_g: weight_g.unwrap_or_default(),
                total,
                currency: currency.unwrap_or_default(),
                items,
            },
        })
    }
}
