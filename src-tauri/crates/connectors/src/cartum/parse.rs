//! Cartum orders (`orders/get`) as the shop's orders: the import rules (an order without items,
//! buyer or a way to reach the buyer is skipped with its reason), shop-local dates read in the
//! shop's zone, and anything unreadable set aside with what could be read.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use ordertray_core::{
    line_amounts_problem, Address, CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder, SkipReason,
    SkippedOrder,
};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::Parsed;

/// Cartum's own "delivered": nothing more happens to such an order, so a backfill leaves it out.
pub const DELIVERED: &str = "3";
/// The form of Cartum's dates, in the shop's local time.
const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A shop-local date as UTC. A time the clocks skipped (spring forward) is read an hour on; one
/// they passed twice (autumn), as its first passing.
pub fn parse_local(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text.trim(), DATE_FORMAT).ok()?;
    zone.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            zone.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
}

/// A moment as the shop's local date, the form `orders/get` filters by.
pub fn format_local(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format(DATE_FORMAT).to_string()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).map_or("", str::trim)
}

/// An id or status Cartum writes as a number, a string, or an object with an `id`.
pub(crate) fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => o.get("id").and_then(id_of),
        _ => None,
    }
}

/// Money as a number (99.5) or a string ("99.50").
fn money(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    }
}

/// A whole quantity, however it is written (2, 2.0, "2").
fn quantity(v: &Value) -> Option<i64> {
    let q = money(v)?;
    if !q.fract().is_zero() {
        return None;
    }
    q.to_i64()
}

fn buyer(raw: &Value) -> Option<CustomerInfo> {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let name = text(raw, "delivery_name");
    let (phone, email) = (text(raw, "delivery_phone"), text(raw, "delivery_email"));
    if name.is_empty() && phone.is_empty() && email.is_empty() {
        return None;
    }
    let (city, street) = (text(raw, "delivery_city"), text(raw, "delivery_address"));
    let line = [city, street]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    // Cartum sends the name whole: the first word is the first name, the rest the last.
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
        address_parts: (!city.is_empty() || !street.is_empty()).then(|| Address {
            city: city.to_string(),
            street: street.to_string(),
            ..Default::default()
        }),
    })
}

/// The delivery method with its cost and where to: "Нова Пошта 60 UAH; Київ, вул. Хрещатик, 1".
fn delivery_note(raw: &Value, currency: &str, address: Option<&str>) -> Option<String> {
    let method = raw
        .get("delivery_type")
        .map(|d| match d {
            Value::Object(_) => text(d, "title").to_string(),
            Value::String(s) => s.trim().to_string(),
            _ => String::new(),
        })
        .unwrap_or_default();
    let cost = raw
        .get("delivery_price")
        .and_then(money)
        .filter(|c| !c.is_zero())
        .map(|c| format!("{} {currency}", c.normalize()).trim().to_string());
    let what = [Some(method), cost]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let parts: Vec<String> = [Some(what), address.map(str::to_string)]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// An item of the order. Cartum's items have no id of their own: the article is the item's
/// identity within the order (a repeated article is told apart by its place among the repeats).
fn line(item: &Value, seen: &mut Vec<String>, currency: &str) -> Result<ExternalLine, String> {
    let article = text(item, "article");
    let title = text(item, "title");
    let identity = if article.is_empty() { title } else { article };
    if identity.is_empty() {
        return Err("an item with neither an article nor a title".into());
    }
    let repeats = seen.iter().filter(|s| *s == identity).count();
    seen.push(identity.to_string());
    let external_id = match repeats {
        0 => identity.to_string(),
        n => format!("{identity}#{}", n + 1),
    };
    let quantity = item
        .get("quantity")
        .and_then(quantity)
        .ok_or_else(|| format!("item {identity}: no whole quantity"))?;
    let price = match item.get("price").and_then(money) {
        Some(p) => p,
        None => item
            .get("total_price")
            .and_then(money)
            .filter(|_| quantity > 0)
            .map(|t| t / Decimal::from(quantity))
            .ok_or_else(|| format!("item {identity}: no price"))?,
    }
    .round_dp(2);
    if let Some(problem) = line_amounts_problem(quantity, price) {
        return Err(format!("item {identity}: {problem}"));
    }
    Ok(ExternalLine {
        external_id,
        // The article is both the seller's SKU and Cartum's product identity.
        sku: article.to_string(),
        offer_id: article.to_string(),
        name: if title.is_empty() { article } else { title }.to_string(),
        quantity,
        price,
        currency: currency.to_string(),
        product: None,
    })
}

/// One order of an `orders/get` answer; `zone` is the shop's.
pub fn parse_order(raw: &Value, zone: Tz) -> Parsed {
    let unreadable = |reason: String| {
        Parsed::Unreadable(QuarantinedOrder {
            external_id: raw.get("order_id").and_then(id_of),
            reason,
            raw: raw.clone(),
        })
    };
    if !raw.is_object() {
        return unreadable("an order that is not a JSON object".into());
    }
    let Some(id) = raw.get("order_id").and_then(id_of) else {
        return unreadable("an order without an order_id".into());
    };
    let Some(created_at) = parse_local(text(raw, "stat_created"), zone) else {
        return unreadable(format!("order {id}: no readable stat_created"));
    };
    let Some(status) = raw.get("stat_status").and_then(id_of) else {
        return unreadable(format!("order {id}: no stat_status"));
    };
    let currency = text(raw, "currency").to_uppercase();
    let items = match raw.get("products") {
        Some(Value::Array(items)) => items.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return unreadable(format!("order {id}: products is not a list")),
    };
    let skip = |reason| {
        Parsed::Skipped(SkippedOrder {
            external_id: id.clone(),
            number: id.clone(),
            reason,
        })
    };
    if items.is_empty() {
        return skip(SkipReason::NoItems);
    }
    let Some(buyer) = buyer(raw) else {
        return skip(SkipReason::NoCustomer);
    };
    if buyer.phone.is_none() && buyer.email.is_none() {
        return skip(SkipReason::NoContact);
    }
    let mut seen = Vec::new();
    let lines = match items
        .iter()
        .map(|i| line(i, &mut seen, &currency))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(lines) => lines,
        Err(problem) => return unreadable(format!("order {id}: {problem}")),
    };
    let delivery_note = delivery_note(raw, &currency, buyer.address.as_deref());
    Parsed::Order(Box::new(ExternalOrder {
        number: id.clone(),
        external_id: id,
        status,
        created_at,
        customer: Some(buyer),
        region: None,
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
    use chrono_tz::Europe::Kyiv;
    use serde_json::json;

    fn order(overrides: Value) -> Value {
        let mut o = json!({
            "order_id": 1001, "stat_status": 1, "stat_created": "2026-07-01 14:05:00", "currency": "uah",
            "total_sum": 1530, "delivery_name": "Ірина Коваль", "delivery_email": "iryna@example.com",
            "delivery_phone": "+380501234567", "delivery_city": "Київ", "delivery_address": "вул. Хрещатик, 1",
            "delivery_type": {"id": 2, "title": "Нова Пошта"}, "delivery_price": 60,
            "payment_type": {"id": 1, "title": "Накладений платіж"}, "payed": 0,
            "products": [
                {"article": "A-1", "title": "Фільтр", "quantity": 2, "price": 735, "total_price": 1470, "type": "product"}
            ]
        });
        for (k, v) in overrides.as_object().unwrap() {
            o[k] = v.clone();
        }
        o
    }

    #[test]
    fn an_order_reads_in_the_shops_time_with_its_buyer_items_and_delivery() {
        let Parsed::Order(o) = parse_order(&order(json!({})), Kyiv) else {
            panic!()
        };
        // Kyiv is UTC+3 in July.
        assert_eq!(o.created_at.to_rfc3339(), "2026-07-01T11:05:00+00:00");
        assert_eq!(
            (o.external_id.as_str(), o.number.as_str(), o.status.as_str()),
            ("1001", "1001", "1")
        );
        let b = o.customer.as_ref().unwrap();
        assert_eq!(b.first_name.as_deref(), Some("Ірина"));
        assert_eq!(b.last_name.as_deref(), Some("Коваль"));
        assert_eq!(b.address.as_deref(), Some("Київ, вул. Хрещатик, 1"));
        assert_eq!(o.lines[0].external_id, "A-1");
        assert_eq!(o.lines[0].price, Decimal::from(735));
        assert_eq!(o.lines[0].currency, "UAH");
        assert_eq!(
            o.delivery_note.as_deref(),
            Some("Нова Пошта 60 UAH; Київ, вул. Хрещатик, 1")
        );
        // In winter the same wall time is UTC+2.
        let Parsed::Order(w) = parse_order(&order(json!({"stat_created": "2026-12-01 14:05:00"})), Kyiv)
        else {
            panic!()
        };
        assert_eq!(w.created_at.to_rfc3339(), "2026-12-01T12:05:00+00:00");
        assert_eq!(format_local(w.created_at, Kyiv), "2026-12-01 14:05:00");
    }

    #[test]
    fn items_without_ids_keep_one_identity_each() {
        let raw = order(json!({"products": [
            {"article": "A-1", "title": "x", "quantity": "1", "total_price": 99.5},
            {"article": "A-1", "title": "x gift", "quantity": 1.0, "price": 0},
            {"article": "", "title": "Custom engraving", "quantity": 1, "price": "10,50"}
        ]}));
        let Parsed::Order(o) = parse_order(&raw, Kyiv) else {
            panic!()
        };
        let ids: Vec<&str> = o.lines.iter().map(|l| l.external_id.as_str()).collect();
        assert_eq!(ids, ["A-1", "A-1#2", "Custom engraving"]);
        assert_eq!(o.lines[0].price, "99.5".parse::<Decimal>().unwrap());
        assert_eq!(o.lines[2].price, "10.5".parse::<Decimal>().unwrap());
    }

    #[test]
    fn the_import_rules_skip_with_a_reason_and_the_unreadable_is_set_aside() {
        let skipped = |o: Value| match parse_order(&o, Kyiv) {
            Parsed::Skipped(s) => s.reason,
            other => panic!("{other:?}"),
        };
        assert_eq!(skipped(order(json!({"products": []}))), SkipReason::NoItems);
        assert_eq!(
            skipped(order(
                json!({"delivery_name": "", "delivery_phone": "", "delivery_email": ""})
            )),
            SkipReason::NoCustomer
        );
        assert_eq!(
            skipped(order(json!({"delivery_phone": "", "delivery_email": ""}))),
            SkipReason::NoContact
        );
        for (bad, why) in [
            (json!({"stat_created": "01.07.2026"}), "stat_created"),
            (
                json!({"products": [{"article": "A", "quantity": 1.5, "price": 1}]}),
                "whole quantity",
            ),
            (json!({"products": [{"article": "A", "quantity": 1}]}), "no price"),
            (json!({"products": "A-1"}), "not a list"),
        ] {
            let Parsed::Unreadable(q) = parse_order(&order(bad), Kyiv) else {
                panic!("{why}")
            };
            assert!(q.reason.contains(why), "{}", q.reason);
            assert_eq!(q.external_id.as_deref(), Some("1001"));
        }
    }

    #[test]
    fn statuses_read_as_numbers_strings_or_objects() {
        for status in [json!(6), json!("6"), json!({"id": 6, "title": "Доставляється"})] {
            let Parsed::Order(o) = parse_order(&order(json!({ "stat_status": status })), Kyiv) else {
                panic!()
            };
            assert_eq!(o.status, "6");
        }
    }
}
