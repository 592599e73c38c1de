//! WooCommerce REST v3 orders as the shop's orders: the import rules (an order without items,
//! customer or a way to reach the customer is skipped with its reason), and anything unreadable
//! set aside with what could be read.

use chrono::{DateTime, NaiveDateTime, Utc};
use ordertray_core::{
    line_amounts_problem, Address, CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder, SkipReason,
    SkippedOrder,
};

pub use crate::Parsed;
use rust_decimal::Decimal;
use serde_json::Value;

/// Statuses after which the store does nothing more with an order: a backfill leaves them out.
pub const FINAL_STATUSES: &[&str] = &["completed", "cancelled", "refunded", "failed", "trash"];

/// `*_gmt` values carry no zone: they are UTC. Values with a zone are read as given.
pub fn parse_gmt(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// The form WooCommerce's `*_after` filters take (no zone; `dates_are_gmt=true` says UTC).
pub fn format_gmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// When the order was placed. Without `date_created_gmt` the site-local `date_created` is moved by
/// the site's offset from UTC as the modification pair tells it (the offset at the modification:
/// an hour off when daylight saving changed in between); with neither pair whole it is read as
/// UTC (hours off, rather than the order set aside).
fn created_at(raw: &Value) -> Option<DateTime<Utc>> {
    if let Some(t) = parse_gmt(text(raw, "date_created_gmt")) {
        return Some(t);
    }
    let local = parse_gmt(text(raw, "date_created"))?;
    let offset = parse_gmt(text(raw, "date_modified"))
        .zip(parse_gmt(text(raw, "date_modified_gmt")))
        .map(|(local, gmt)| local - gmt)
        .unwrap_or_default();
    Some(local - offset)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).map_or("", str::trim)
}

/// An id WooCommerce writes as a number (or, from some plugins, a string).
fn id_of(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// Money as WooCommerce writes it: a string ("6.00") or a number (3).
fn money(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

/// Item names come HTML-escaped ("Ship Your Idea &ndash; Color: Black"): shown as text, they
/// must read as the store shows them.
pub fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest[1..]
            .find(';')
            .filter(|end| *end <= 10)
            .map(|end| &rest[1..=end]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            "ndash" => Some('–'),
            "mdash" => Some('—'),
            "laquo" => Some('«'),
            "raquo" => Some('»'),
            "hellip" => Some('…'),
            "times" => Some('×'),
            _ => {
                let n = e.strip_prefix('#')?;
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => n.parse().ok()?,
                };
                char::from_u32(code).filter(|c| !c.is_control())
            }
        });
        match (entity, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The buyer: billing data first, shipping data where billing has none (newer stores keep a
/// shipping phone). None when neither names anyone nor gives a way to reach them.
fn customer(order: &Value) -> Option<CustomerInfo> {
    let (billing, shipping) = (&order["billing"], &order["shipping"]);
    let pick = |key: &str| {
        let b = text(billing, key);
        let s = text(shipping, key);
        if b.is_empty() { s } else { b }.to_string()
    };
    let (first, last) = (pick("first_name"), pick("last_name"));
    let name = [first.clone(), last.clone()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() { pick("company") } else { name };
    let (phone, email) = (pick("phone"), pick("email"));
    if name.is_empty() && phone.is_empty() && email.is_empty() {
        return None;
    }
    // Delivered to the shipping address when there is one.
    let place = if text(shipping, "address_1").is_empty() && text(shipping, "city").is_empty() {
        billing
    } else {
        shipping
    };
    let street = [text(place, "address_1"), text(place, "address_2")]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let parts = Address {
        country: text(place, "country").to_string(),
        region: text(place, "state").to_string(),
        city: text(place, "city").to_string(),
        street,
        postal_code: text(place, "postcode").to_string(),
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
    let nonempty = |s: String| (!s.is_empty()).then_some(s);
    Some(CustomerInfo {
        name: nonempty(name),
        first_name: nonempty(first),
        last_name: nonempty(last),
        phone: nonempty(phone),
        email: nonempty(email),
        address: nonempty(line),
        address_parts: (!parts.city.is_empty() || !parts.street.is_empty()).then_some(parts),
    })
}

/// The shipping methods with their cost, and where to: "Курьер 300.00 RUB; 420000, RU, Казань, …".
fn delivery_note(order: &Value, currency: &str, address: Option<&str>) -> Option<String> {
    let methods: Vec<String> = order
        .get("shipping_lines")
        .and_then(Value::as_array)
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| {
                    let title = unescape_html(text(l, "method_title"));
                    let cost = l.get("total").and_then(money).filter(|c| !c.is_zero());
                    match (title.is_empty(), cost) {
                        (true, None) => None,
                        (_, None) => Some(title),
                        (true, Some(c)) => Some(format!("{c} {currency}")),
                        (false, Some(c)) => Some(format!("{title} {c} {currency}")),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let parts: Vec<String> = [methods.join(", ")]
        .into_iter()
        .chain(address.map(str::to_string))
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn line(item: &Value, currency: &str) -> Result<ExternalLine, String> {
    let id = id_of(item, "id").ok_or("an item without an id")?;
    let quantity = item
        .get("quantity")
        .and_then(Value::as_i64)
        .ok_or_else(|| format!("item {id}: no whole quantity"))?;
    let total = item.get("total").and_then(money);
    let price = match item.get("price").and_then(money) {
        Some(p) => p,
        None => total
            .filter(|_| quantity > 0)
            .map(|t| t / Decimal::from(quantity))
            .ok_or_else(|| format!("item {id}: no price"))?,
    }
    .round_dp(2);
    if let Some(problem) = line_amounts_problem(quantity, price) {
        return Err(format!("item {id}: {problem}"));
    }
    let product = id_of(item, "product_id").filter(|p| p != "0");
    let variation = id_of(item, "variation_id").filter(|v| v != "0");
    // The platform's product id (a variation as "product/variation"): what "identify products by
    // id" compares; the store's own SKU is the seller's article.
    let platform_id = match (product, variation) {
        (Some(p), Some(v)) => format!("{p}/{v}"),
        (Some(p), None) => p,
        (None, Some(v)) => v,
        (None, None) => String::new(),
    };
    Ok(ExternalLine {
        external_id: id,
        sku: platform_id,
        offer_id: text(item, "sku").to_string(),
        name: unescape_html(text(item, "name")),
        quantity,
        price,
        currency: currency.to_string(),
        product: None,
    })
}

/// One order of a `GET /orders` answer.
pub fn parse_order(raw: &Value) -> Parsed {
    let unreadable = |reason: String| {
        Parsed::Unreadable(QuarantinedOrder {
            external_id: id_of(raw, "id"),
            reason,
            raw: raw.clone(),
        })
    };
    if !raw.is_object() {
        return unreadable("an order that is not a JSON object".into());
    }
    let Some(id) = id_of(raw, "id") else {
        return unreadable("an order without an id".into());
    };
    let number = Some(text(raw, "number"))
        .filter(|n| !n.is_empty())
        .map_or_else(|| id.clone(), str::to_string);
    let Some(created_at) = created_at(raw) else {
        return unreadable(format!("order {number}: no readable creation date"));
    };
    let status = text(raw, "status");
    if status.is_empty() {
        return unreadable(format!("order {number}: no status"));
    }
    let currency = text(raw, "currency").to_uppercase();
    let items = match raw.get("line_items") {
        Some(Value::Array(items)) => items.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return unreadable(format!("order {number}: line_items is not a list")),
    };
    let skip = |reason| {
        Parsed::Skipped(SkippedOrder {
            external_id: id.clone(),
            number: number.clone(),
            reason,
        })
    };
    if items.is_empty() {
        return skip(SkipReason::NoItems);
    }
    let Some(buyer) = customer(raw) else {
        return skip(SkipReason::NoCustomer);
    };
    if buyer.phone.is_none() && buyer.email.is_none() {
        return skip(SkipReason::NoContact);
    }
    let lines = match items
        .iter()
        .map(|i| line(i, &currency))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(lines) => lines,
        Err(problem) => return unreadable(format!("order {number}: {problem}")),
    };
    let region = buyer
        .address_parts
        .as_ref()
        .map(|a| a.region.clone())
        .filter(|r| !r.is_empty());
    let delivery_note = delivery_note(raw, &currency, buyer.address.as_deref());
    Parsed::Order(Box::new(ExternalOrder {
        external_id: id,
        number,
        status: status.to_string(),
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

    fn order(overrides: Value) -> Value {
        let mut o = json!({
            "id": 727, "number": "727", "status": "processing", "currency": "RUB",
            "date_created_gmt": "2026-11-30T19:28:02",
            "billing": {"first_name": "Анна", "last_name": "Смирнова", "email": "anna@example.com",
                        "phone": "+7 916 000-11-22", "address_1": "ул. Ленина, 1", "city": "Казань",
                        "state": "Татарстан", "postcode": "420000", "country": "RU"},
            "shipping": {"first_name": "", "last_name": "", "address_1": "", "city": ""},
            "line_items": [{"id": 315, "name": "Фильтр &laquo;Mann&raquo;", "product_id": 93,
                            "variation_id": 0, "quantity": 2, "sku": "W 712", "price": 350, "total": "700.00"}]
        });
        for (k, v) in overrides.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    }

    #[test]
    fn an_order_reads_with_its_buyer_items_and_utc_date() {
        let Parsed::Order(o) = parse_order(&order(json!({}))) else {
            panic!("not an order")
        };
        assert_eq!((o.external_id.as_str(), o.number.as_str()), ("727", "727"));
        assert_eq!(o.created_at.to_rfc3339(), "2026-11-30T19:28:02+00:00");
        let c = o.customer.as_ref().unwrap();
        assert_eq!(c.name.as_deref(), Some("Анна Смирнова"));
        assert_eq!(c.phone.as_deref(), Some("+7 916 000-11-22"));
        assert_eq!(c.address_parts.as_ref().unwrap().city, "Казань");
        assert_eq!(o.region.as_deref(), Some("Татарстан"));
        let l = &o.lines[0];
        assert_eq!((l.sku.as_str(), l.offer_id.as_str()), ("93", "W 712"));
        assert_eq!(l.name, "Фильтр «Mann»");
        assert_eq!(
            (l.quantity, l.price.to_string(), l.currency.as_str()),
            (2, "350".into(), "RUB")
        );
    }

    #[test]
    fn delivery_is_told_as_the_method_its_cost_and_the_address() {
        let with = order(json!({"shipping_lines": [{"method_title": "Курьер", "total": "300.00"}]}));
        let Parsed::Order(o) = parse_order(&with) else {
            panic!()
        };
        assert_eq!(
            o.delivery_note.as_deref(),
            Some("Курьер 300.00 RUB; 420000, RU, Татарстан, Казань, ул. Ленина, 1")
        );
        let free = order(json!({"shipping_lines": [{"method_title": "Самовывоз", "total": "0.00"}]}));
        let Parsed::Order(o) = parse_order(&free) else {
            panic!()
        };
        assert!(o.delivery_note.unwrap().starts_with("Самовывоз; 420000"));
        let nowhere = order(json!({"billing": {"first_name": "A", "email": "a@b.c"}, "shipping": {}}));
        let Parsed::Order(o) = parse_order(&nowhere) else {
            panic!()
        };
        assert_eq!(o.delivery_note, None);
    }

    #[test]
    fn the_import_rules_skip_orders_without_items_customer_or_contact() {
        let reason = |o: Value| match parse_order(&o) {
            Parsed::Skipped(s) => Some(s.reason),
            _ => None,
        };
        assert_eq!(
            reason(order(json!({"line_items": []}))),
            Some(SkipReason::NoItems)
        );
        assert_eq!(
            reason(order(json!({"billing": {}, "shipping": {}}))),
            Some(SkipReason::NoCustomer)
        );
        assert_eq!(
            reason(order(json!({"billing": {"first_name": "Ivan"}, "shipping": {}}))),
            Some(SkipReason::NoContact)
        );
        // The phone may come from the shipping data alone.
        let shipping_phone =
            order(json!({"billing": {"first_name": "Ivan"}, "shipping": {"phone": "+49 30 1234"}}));
        let Parsed::Order(o) = parse_order(&shipping_phone) else {
            panic!("a shipping phone is a contact")
        };
        assert_eq!(o.customer.unwrap().phone.as_deref(), Some("+49 30 1234"));
    }

    #[test]
    fn an_unreadable_order_is_set_aside_with_its_reason() {
        let reason = |o: Value| match parse_order(&o) {
            Parsed::Unreadable(q) => q.reason,
            other => panic!("{other:?}"),
        };
        assert!(reason(json!("x")).contains("not a JSON object"));
        assert!(reason(order(json!({"id": null}))).contains("without an id"));
        assert!(reason(order(
            json!({"date_created_gmt": "yesterday", "date_created": null})
        ))
        .contains("creation date"));
        let bad_qty = order(json!({"line_items": [{"id": 1, "quantity": 0, "price": 1}]}));
        assert!(reason(bad_qty).contains("quantity 0"));
    }

    #[test]
    fn a_site_local_creation_time_is_moved_by_the_sites_offset() {
        let created = |o: Value| match parse_order(&o) {
            Parsed::Order(o) => o.created_at.to_rfc3339(),
            other => panic!("{other:?}"),
        };
        let moscow = json!({
            "date_created_gmt": null, "date_created": "2026-11-30T22:28:02",
            "date_modified": "2026-12-01T10:00:00", "date_modified_gmt": "2026-12-01T07:00:00",
        });
        assert_eq!(created(order(moscow.clone())), "2026-11-30T19:28:02+00:00");
        let mut unknown = moscow;
        unknown["date_modified_gmt"] = Value::Null;
        assert_eq!(created(order(unknown)), "2026-11-30T22:28:02+00:00");
    }

    #[test]
    fn html_entities_in_names_are_decoded_and_stray_ampersands_kept() {
        assert_eq!(unescape_html("A &ndash; B &amp; C"), "A – B & C");
        assert_eq!(unescape_html("&#8220;Q&#x201D; &copy2 & x"), "“Q” &copy2 & x");
        assert_eq!(unescape_html("&#0; &unknown;"), "&#0; &unknown;");
        assert_eq!(unescape_html("plain"), "plain");
    }

    #[test]
    fn gmt_dates_without_a_zone_are_utc() {
        assert_eq!(
            parse_gmt("2017-03-22T19:28:02").unwrap().to_rfc3339(),
            "2017-03-22T19:28:02+00:00"
        );
        assert_eq!(
            parse_gmt("2017-03-22T19:28:02+03:00").unwrap().to_rfc3339(),
            "2017-03-22T16:28:02+00:00"
        );
        assert!(parse_gmt("").is_none());
        let t = parse_gmt("2026-01-02T03:04:05").unwrap();
        assert_eq!(format_gmt(t), "2026-01-02T03:04:05");
    }
}
