//! Orders 2026-01-01 orders as the shop's orders: items with ASIN and seller SKU, the buyer and
//! the delivery address (absent while Amazon withholds them, for pending orders), the ship-by
//! deadline, and Amazon-fulfilled orders kept read-only.

use chrono::{DateTime, Utc};
use ordertray_core::{
    line_amounts_problem, Address, CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder, SkipReason,
    SkippedOrder,
};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::Parsed;

/// Seller-fulfilled orders Amazon is done with: the backfill leaves them out.
pub const FINAL_STATUSES: &[&str] = &["shipped", "cancelled", "unfulfillable"];

fn text<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).map_or("", str::trim)
}

fn money(v: &Value, pointer: &str) -> Option<(Decimal, String)> {
    let m = v.pointer(pointer)?;
    let amount = match m.get("amount")? {
        Value::String(s) => s.trim().parse().ok()?,
        Value::Number(n) => n.to_string().parse().ok()?,
        _ => return None,
    };
    Some((amount, text(m, "/currencyCode").to_uppercase()))
}

fn time(v: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text(v, pointer))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The order's fulfilment status in lower case (`unshipped`), "unknown" when not asked for.
pub fn status_of(raw: &Value) -> String {
    Some(text(raw, "/fulfillment/fulfillmentStatus"))
        .filter(|s| !s.is_empty())
        .map_or_else(|| "unknown".into(), str::to_ascii_lowercase)
}

/// Amazon ships it from its own warehouses (FBA): kept for All orders, never triaged.
pub fn amazon_fulfilled(raw: &Value) -> bool {
    text(raw, "/fulfillment/fulfilledBy") == "AMAZON"
}

fn buyer(raw: &Value) -> Option<CustomerInfo> {
    let to = raw.pointer("/recipient/deliveryAddress").unwrap_or(&Value::Null);
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let name = Some(text(raw, "/buyer/buyerName"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| text(to, "/name"));
    let email = text(raw, "/buyer/buyerEmail");
    let phone = text(to, "/phone");
    let street = ["/addressLine1", "/addressLine2", "/addressLine3"]
        .iter()
        .map(|p| text(to, p))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let parts = Address {
        country: text(to, "/countryCode").to_string(),
        region: text(to, "/stateOrRegion").to_string(),
        city: text(to, "/city").to_string(),
        street,
        postal_code: text(to, "/postalCode").to_string(),
        ..Default::default()
    };
    if name.is_empty() && email.is_empty() && phone.is_empty() && parts.city.is_empty() {
        return None;
    }
    let line = [
        parts.postal_code.as_str(),
        parts.country.as_str(),
        parts.region.as_str(),
        parts.city.as_str(),
        parts.street.as_str(),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let (first, last) = match name.split_once(char::is_whitespace) {
        Some((f, l)) => (f.trim(), l.trim()),
        None => (name, ""),
    };
    Some(CustomerInfo {
        name: nonempty(name),
        first_name: nonempty(first),
        last_name: nonempty(last),
        phone: nonempty(phone),
        email: nonempty(email),
        address: nonempty(&line),
        address_parts: (!parts.city.is_empty() || !parts.street.is_empty()).then_some(parts),
    })
}

fn line(item: &Value) -> Result<ExternalLine, String> {
    let id = text(item, "/orderItemId").to_string();
    if id.is_empty() {
        return Err("an item without an orderItemId".into());
    }
    let quantity = item
        .get("quantityOrdered")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("item {id}: no whole quantity"))?;
    let (price, currency) =
        money(item, "/product/price/unitPrice").ok_or_else(|| format!("item {id}: no unit price"))?;
    let price = price.round_dp(2);
    if let Some(problem) = line_amounts_problem(quantity, price) {
        return Err(format!("item {id}: {problem}"));
    }
    let sku = text(item, "/product/sellerSku");
    let title = text(item, "/product/title");
    Ok(ExternalLine {
        external_id: id,
        // The ASIN is Amazon's product id ("identify products by id"); the seller's SKU the article.
        sku: text(item, "/product/asin").to_string(),
        offer_id: sku.to_string(),
        name: if title.is_empty() { sku } else { title }.to_string(),
        quantity,
        price,
        currency,
        product: None,
    })
}

/// One order of a `searchOrders` answer.
pub fn parse_order(raw: &Value) -> Parsed {
    let id = Some(text(raw, "/orderId"))
        .filter(|i| !i.is_empty())
        .map(str::to_string);
    let unreadable = |reason: String| {
        Parsed::Unreadable(QuarantinedOrder {
            external_id: id.clone(),
            reason,
            raw: raw.clone(),
        })
    };
    let Some(id) = id.clone() else {
        return unreadable("an order without an orderId".into());
    };
    let Some(created_at) = time(raw, "/createdTime") else {
        return unreadable(format!("order {id}: no readable createdTime"));
    };
    let items = match raw.get("orderItems") {
        Some(Value::Array(items)) => items.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return unreadable(format!("order {id}: orderItems is not a list")),
    };
    if items.is_empty() {
        return Parsed::Skipped(SkippedOrder {
            external_id: id.clone(),
            number: id,
            reason: SkipReason::NoItems,
        });
    }
    let lines = match items.iter().map(line).collect::<Result<Vec<_>, _>>() {
        Ok(lines) => lines,
        Err(problem) => return unreadable(format!("order {id}: {problem}")),
    };
    let customer = buyer(raw);
    let region = customer
        .as_ref()
        .and_then(|c| c.address_parts.as_ref())
        .map(|a| a.region.clone())
        .filter(|r| !r.is_empty());
    let level = text(raw, "/fulfillment/fulfillmentServiceLevel");
    let delivery_note = [
        (!level.is_empty()).then(|| format!("Amazon {}", level.to_ascii_lowercase())),
        customer.as_ref().and_then(|c| c.address.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    Parsed::Order(Box::new(ExternalOrder {
        number: id.clone(),
        external_id: id,
        status: status_of(raw),
        created_at,
        customer,
        region,
        lines,
        available_actions: vec![],
        raw: raw.clone(),
        read_only: amazon_fulfilled(raw),
        partial: false,
        ship_by: time(raw, "/fulfillment/shipByWindow/latestDateTime"),
        delivery_note: (!delivery_note.is_empty()).then(|| delivery_note.join("; ")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first order of the official model's example answer (shared/fixtures/amazon).
    fn example() -> Value {
        let model: Value = serde_json::from_str(include_str!(
            "../../../../../../shared/fixtures/amazon/orders_2026-01-01.json"
        ))
        .unwrap();
        model
            .pointer(
                "/paths/~1orders~12026-01-01~1orders/get/responses/200/examples/application~1json/orders/0",
            )
            .unwrap()
            .clone()
    }

    #[test]
    fn the_models_example_order_reads_whole() {
        let Parsed::Order(o) = parse_order(&example()) else {
            panic!()
        };
        assert_eq!(o.external_id, "123-4567890-1234567");
        assert_eq!(o.status, "shipped");
        assert!(!o.read_only, "seller-fulfilled");
        assert_eq!(o.ship_by.unwrap().to_rfc3339(), "2024-12-27T23:59:59+00:00");
        let b = o.customer.as_ref().unwrap();
        assert_eq!(b.name.as_deref(), Some("John Smith"));
        assert_eq!(b.email.as_deref(), Some("buyer-email@marketplace.amazon.com"));
        assert_eq!(b.phone.as_deref(), Some("555-123-4567"));
        assert!(b.address.as_deref().unwrap().contains("Seattle"));
        let l = &o.lines[0];
        assert_eq!(
            (l.sku.as_str(), l.offer_id.as_str()),
            ("B08N5WRWNW", "ECHO-DOT-4-CHARCOAL")
        );
        assert_eq!(
            (l.quantity, l.price.to_string().as_str(), l.currency.as_str()),
            (2, "49.99", "USD")
        );
    }

    #[test]
    fn a_pending_order_has_no_buyer_yet_and_amazon_fulfilled_ones_are_read_only() {
        let mut raw = example();
        raw.as_object_mut().unwrap().remove("buyer");
        raw.as_object_mut().unwrap().remove("recipient");
        raw["fulfillment"]["fulfillmentStatus"] = "PENDING".into();
        raw["fulfillment"]["fulfilledBy"] = "AMAZON".into();
        let Parsed::Order(o) = parse_order(&raw) else {
            panic!()
        };
        assert!(o.customer.is_none() && o.read_only && o.status == "pending");
        raw["orderItems"][0]["product"]["price"] = Value::Null;
        let Parsed::Unreadable(q) = parse_order(&raw) else {
            panic!()
        };
        assert!(q.reason.contains("no unit price"), "{}", q.reason);
    }
}
