//! Shopify GraphQL orders as the shop's orders: the buyer from the customer or the order itself,
//! the shipping address (or "Unspecified" when the app may not see who bought), items with the
//! platform's product ids, and anything unreadable set aside with what could be read.

use chrono::{DateTime, Utc};
use ordertray_core::customer::UNSPECIFIED_CUSTOMER;
use ordertray_core::{
    line_amounts_problem, Address, CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder, SkipReason,
    SkippedOrder,
};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::Parsed;

/// An order Shopify is done with: the backfill leaves it out.
pub fn is_final(raw: &Value) -> bool {
    let status = |key: &str| raw.get(key).and_then(Value::as_str).unwrap_or_default();
    !raw.get("cancelledAt").is_none_or(Value::is_null)
        || status("displayFulfillmentStatus") == "FULFILLED"
        || matches!(status("displayFinancialStatus"), "REFUNDED" | "VOIDED")
}

/// The order's status as one word: cancelled, else its fulfilment status (lower case).
pub fn status_of(raw: &Value) -> String {
    if !raw.get("cancelledAt").is_none_or(Value::is_null) {
        return "cancelled".into();
    }
    raw.get("displayFulfillmentStatus")
        .and_then(Value::as_str)
        .map_or_else(|| "unfulfilled".into(), str::to_ascii_lowercase)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).map_or("", str::trim)
}

/// The number at the end of a global id (`gid://shopify/Order/1001` → `1001`).
pub fn legacy_id(gid: &str) -> &str {
    gid.rsplit('/').next().unwrap_or(gid)
}

fn money(v: Option<&Value>) -> Option<Decimal> {
    let amount = v?.pointer("/shopMoney/amount")?;
    match amount {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

fn nodes(connection: Option<&Value>) -> Vec<&Value> {
    connection
        .and_then(|c| c.get("edges"))
        .and_then(Value::as_array)
        .map(|edges| edges.iter().filter_map(|e| e.get("node")).collect())
        .unwrap_or_default()
}

/// The buyer: the customer's own fields, else the order's e-mail and phone and the shipping
/// name; "Unspecified" when the app may see none of it (protected customer data).
fn buyer(raw: &Value) -> CustomerInfo {
    let (customer, ship) = (&raw["customer"], &raw["shippingAddress"]);
    let pick = |keys: &[(&Value, &str)]| {
        keys.iter()
            .map(|(v, k)| text(v, k))
            .find(|s| !s.is_empty())
            .map(str::to_string)
    };
    let first = pick(&[(customer, "firstName"), (ship, "firstName")]);
    let last = pick(&[(customer, "lastName"), (ship, "lastName")]);
    let email = pick(&[(customer, "email"), (raw, "email")]);
    let phone = pick(&[(customer, "phone"), (raw, "phone"), (ship, "phone")]);
    let name = [first.as_deref(), last.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let street = [text(ship, "address1"), text(ship, "address2")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let parts = Address {
        country: text(ship, "country").to_string(),
        region: text(ship, "province").to_string(),
        city: text(ship, "city").to_string(),
        street,
        postal_code: text(ship, "zip").to_string(),
        ..Default::default()
    };
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
    let hidden = name.is_empty() && email.is_none() && phone.is_none();
    CustomerInfo {
        name: Some(if hidden {
            UNSPECIFIED_CUSTOMER.to_string()
        } else {
            name
        })
        .filter(|n| !n.is_empty()),
        first_name: first,
        last_name: last,
        phone,
        email,
        address: (!line.is_empty()).then_some(line),
        address_parts: (!parts.city.is_empty() || !parts.street.is_empty()).then_some(parts),
    }
}

/// The shipping methods with their cost, and where to: "Standard 5.00 USD; 62701, United States, …".
fn delivery_note(raw: &Value, currency: &str, address: Option<&str>) -> Option<String> {
    let methods: Vec<String> = nodes(raw.get("shippingLines"))
        .into_iter()
        .filter_map(|l| {
            let title = text(l, "title");
            let cost = money(l.get("originalPriceSet")).filter(|c| !c.is_zero());
            match (title.is_empty(), cost) {
                (true, None) => None,
                (_, None) => Some(title.to_string()),
                (true, Some(c)) => Some(format!("{c} {currency}")),
                (false, Some(c)) => Some(format!("{title} {c} {currency}")),
            }
        })
        .collect();
    let parts: Vec<String> = [methods.join(", ")]
        .into_iter()
        .chain(address.map(str::to_string))
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn line(item: &Value, currency: &str) -> Result<ExternalLine, String> {
    let id = legacy_id(text(item, "id")).to_string();
    if id.is_empty() {
        return Err("an item without an id".into());
    }
    let quantity = item
        .get("quantity")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("item {id}: no whole quantity"))?;
    let price = money(item.get("originalUnitPriceSet"))
        .ok_or_else(|| format!("item {id}: no price"))?
        .round_dp(2);
    if let Some(problem) = line_amounts_problem(quantity, price) {
        return Err(format!("item {id}: {problem}"));
    }
    let gid = |key: &str| {
        item.pointer(&format!("/{key}/id"))
            .and_then(Value::as_str)
            .map(legacy_id)
    };
    // The platform's product id (a variant as "product/variant"): what "identify products by id"
    // compares; the shop's SKU is the seller's article.
    let platform_id = match (gid("product"), gid("variant")) {
        (Some(p), Some(v)) => format!("{p}/{v}"),
        (Some(p), None) => p.to_string(),
        (None, Some(v)) => v.to_string(),
        (None, None) => String::new(),
    };
    Ok(ExternalLine {
        external_id: id,
        sku: platform_id,
        offer_id: text(item, "sku").to_string(),
        name: text(item, "name").to_string(),
        quantity,
        price,
        currency: currency.to_string(),
        product: None,
    })
}

fn time(raw: &Value, key: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text(raw, key))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An order node set aside whole, with why (its own id, as [`parse_order`] reads it).
pub fn unreadable_order(raw: &Value, reason: String) -> Parsed {
    Parsed::Unreadable(QuarantinedOrder {
        external_id: order_id(raw),
        reason,
        raw: raw.clone(),
    })
}

/// The order's numeric id (`legacyResourceId`, else the tail of its GraphQL id).
fn order_id(raw: &Value) -> Option<String> {
    raw.get("legacyResourceId")
        .and_then(|v| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
        })
        .or_else(|| {
            raw.get("id")
                .and_then(Value::as_str)
                .map(|g| legacy_id(g).to_string())
        })
        .filter(|id| !id.is_empty())
}

/// One order node of an `orders` answer.
pub fn parse_order(raw: &Value) -> Parsed {
    let id = order_id(raw);
    let unreadable = |reason: String| unreadable_order(raw, reason);
    let Some(id) = id.clone() else {
        return unreadable("an order without an id".into());
    };
    // Shopify shows "#1001"; the manager types 1001.
    let number = Some(text(raw, "name").trim_start_matches('#'))
        .filter(|n| !n.is_empty())
        .map_or_else(|| id.clone(), str::to_string);
    let Some(created_at) = time(raw, "createdAt") else {
        return unreadable(format!("order {number}: no readable createdAt"));
    };
    let currency = text(raw, "currencyCode").to_uppercase();
    let items = nodes(raw.get("lineItems"));
    if items.is_empty() {
        return Parsed::Skipped(SkippedOrder {
            external_id: id,
            number,
            reason: SkipReason::NoItems,
        });
    }
    let lines = match items
        .iter()
        .map(|i| line(i, &currency))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(lines) => lines,
        Err(problem) => return unreadable(format!("order {number}: {problem}")),
    };
    let buyer = buyer(raw);
    let region = buyer
        .address_parts
        .as_ref()
        .map(|a| a.region.clone())
        .filter(|r| !r.is_empty());
    let delivery_note = delivery_note(raw, &currency, buyer.address.as_deref());
    Parsed::Order(Box::new(ExternalOrder {
        external_id: id,
        number,
        status: status_of(raw),
        created_at,
        customer: Some(buyer),
        region,
        lines,
        available_actions: vec![],
        raw: raw.clone(),
        read_only: false,
        partial: false,
        ship_by: None,
        delivery_note,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order() -> Value {
        json!({
            "id": "gid://shopify/Order/1001", "legacyResourceId": "1001", "name": "#1001",
            "createdAt": "2026-12-01T10:00:00Z", "updatedAt": "2026-12-01T10:05:00Z", "cancelledAt": null,
            "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED", "currencyCode": "usd",
            "email": "jane@example.com", "phone": null,
            "customer": {"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com", "phone": "+12025550143"},
            "shippingAddress": {"firstName": "Jane", "lastName": "Doe", "address1": "1 Main St", "address2": "Apt 2",
                "city": "Springfield", "province": "Illinois", "country": "United States", "zip": "62701", "phone": null},
            "shippingLines": {"edges": [{"node": {"title": "Standard", "originalPriceSet": {"shopMoney": {"amount": "5.00"}}}}]},
            "lineItems": {"edges": [{"node": {"id": "gid://shopify/LineItem/11", "sku": "TS-M", "name": "T-shirt - M",
                "quantity": 2, "originalUnitPriceSet": {"shopMoney": {"amount": "10.00"}},
                "product": {"id": "gid://shopify/Product/7"}, "variant": {"id": "gid://shopify/ProductVariant/70"}}}]}
        })
    }

    #[test]
    fn an_order_reads_with_its_buyer_address_items_and_delivery() {
        let Parsed::Order(o) = parse_order(&order()) else {
            panic!()
        };
        assert_eq!(
            (o.external_id.as_str(), o.number.as_str(), o.status.as_str()),
            ("1001", "1001", "unfulfilled")
        );
        let b = o.customer.as_ref().unwrap();
        assert_eq!(b.name.as_deref(), Some("Jane Doe"));
        assert_eq!(b.phone.as_deref(), Some("+12025550143"));
        assert_eq!(
            b.address.as_deref(),
            Some("62701, United States, Illinois, Springfield, 1 Main St, Apt 2")
        );
        assert_eq!(o.region.as_deref(), Some("Illinois"));
        let l = &o.lines[0];
        assert_eq!(
            (l.external_id.as_str(), l.sku.as_str(), l.offer_id.as_str()),
            ("11", "7/70", "TS-M")
        );
        assert_eq!(
            (l.quantity, l.price, l.currency.as_str()),
            (2, Decimal::from(10), "USD")
        );
        assert!(o
            .delivery_note
            .as_deref()
            .unwrap()
            .starts_with("Standard 5.00 USD; 62701"));
    }

    #[test]
    fn hidden_customer_data_gives_the_unspecified_customer() {
        let mut raw = order();
        for key in ["customer", "email", "phone", "shippingAddress"] {
            raw[key] = Value::Null;
        }
        let Parsed::Order(o) = parse_order(&raw) else {
            panic!()
        };
        let b = o.customer.unwrap();
        assert_eq!(b.name.as_deref(), Some(UNSPECIFIED_CUSTOMER));
        assert!(b.phone.is_none() && b.email.is_none() && b.address.is_none());
    }

    #[test]
    fn final_orders_and_statuses_are_read() {
        let mut raw = order();
        assert!(!is_final(&raw));
        raw["displayFulfillmentStatus"] = json!("FULFILLED");
        assert!(is_final(&raw));
        assert_eq!(status_of(&raw), "fulfilled");
        raw["cancelledAt"] = json!("2026-12-02T00:00:00Z");
        assert_eq!(status_of(&raw), "cancelled");
        let mut refunded = order();
        refunded["displayFinancialStatus"] = json!("REFUNDED");
        assert!(is_final(&refunded));
    }

    #[test]
    fn an_unreadable_order_is_set_aside_and_an_empty_one_skipped() {
        let mut raw = order();
        raw["lineItems"]["edges"][0]["node"]["originalUnitPriceSet"] = Value::Null;
        let Parsed::Unreadable(q) = parse_order(&raw) else {
            panic!()
        };
        assert!(
            q.reason.contains("no price") && q.external_id.as_deref() == Some("1001"),
            "{}",
            q.reason
        );
        let mut empty = order();
        empty["lineItems"] = json!({"edges": []});
        assert!(matches!(parse_order(&empty), Parsed::Skipped(s) if s.reason == SkipReason::NoItems));
    }
}
