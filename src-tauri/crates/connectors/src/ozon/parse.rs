//! One posting → one `ExternalOrder`. Tolerant of unknown fields and nulls; a posting that cannot
//! be understood becomes a `QuarantinedOrder` with the reason, never an error for the whole page.

use chrono::{DateTime, Utc};
use ordertray_core::{
    Address, CancelReasonOption, CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder,
};

use crate::ConnectorError;
use rust_decimal::Decimal;
use serde_json::Value;

/// Takes the posting by value: it becomes the order's raw payload without a copy.
pub fn parse_posting(raw: Value) -> Result<ExternalOrder, QuarantinedOrder> {
    let number = raw
        .get("posting_number")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string);
    match order_fields(&raw) {
        Ok(order) => Ok(ExternalOrder { raw, ..order }),
        Err(reason) => Err(QuarantinedOrder {
            external_id: number,
            reason,
            raw,
        }),
    }
}

/// The order without its raw payload (left `Null`), or why the posting cannot be one.
fn order_fields(raw: &Value) -> Result<ExternalOrder, String> {
    let number = raw
        .get("posting_number")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or("posting_number is missing")?;
    let products = raw
        .get("products")
        .and_then(Value::as_array)
        .filter(|p| !p.is_empty())
        .ok_or("the posting has no products")?;

    let mut lines: Vec<ExternalLine> = Vec::with_capacity(products.len());
    for p in products {
        let line = parse_product(p)?;
        // The same product twice is one line with the quantities added.
        match lines.iter_mut().find(|l| l.sku == line.sku) {
            Some(existing) => existing.quantity = existing.quantity.saturating_add(line.quantity),
            None => lines.push(line),
        }
    }
    if let Some(problem) = lines.iter().find_map(|l| {
        ordertray_core::line_amounts_problem(l.quantity, l.price).map(|p| format!("product {}: {p}", l.sku))
    }) {
        return Err(problem);
    }
    let status = text(raw.get("status")).unwrap_or_else(|| "unknown".into());
    let created_at = ["in_process_at", "shipment_date"]
        .iter()
        .find_map(|k| {
            raw.get(*k)
                .and_then(Value::as_str)
                .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now);
    let available_actions = raw
        .get("available_actions")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    Ok(ExternalOrder {
        external_id: number.to_string(),
        number: number.to_string(),
        status,
        created_at,
        customer: customer(raw),
        region: text(raw.pointer("/analytics_data/region"))
            .or_else(|| text(raw.pointer("/customer/address/region"))),
        lines,
        available_actions,
        raw: Value::Null,
        read_only: false,
        partial: false,
        ship_by: time(raw.get("shipment_date")),
        delivery_note: None,
    })
}

/// An RFC 3339 time (Ozon's are UTC, with or without fractions); None when absent or unreadable.
fn time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    v.and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn decimal(v: Option<&Value>) -> Option<Decimal> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.to_string().parse().ok(),
        _ => None,
    }
}

fn parse_product(p: &Value) -> Result<ExternalLine, String> {
    let sku = text(p.get("sku")).ok_or("a product has no sku")?;
    let quantity = match p.get("quantity") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|q| *q > 0)
    .ok_or_else(|| format!("product {sku} has no positive quantity"))?;
    // v4: {"amount": "1530", "currency": "RUB"}; v3: "1530.00" with `currency_code` beside it.
    let (price, currency) = match p.get("price") {
        Some(obj @ Value::Object(_)) => (decimal(obj.get("amount")), text(obj.get("currency"))),
        other => (decimal(other), text(p.get("currency_code"))),
    };
    let price = price.ok_or_else(|| format!("the price of product {sku} is not a number"))?;
    Ok(ExternalLine {
        external_id: sku.clone(),
        offer_id: text(p.get("offer_id")).unwrap_or_default(),
        name: text(p.get("name")).unwrap_or_else(|| format!("Ozon product {sku}")),
        sku,
        quantity,
        price,
        currency: currency.unwrap_or_else(|| "RUB".into()),
        product: None,
    })
}

fn customer(raw: &Value) -> Option<CustomerInfo> {
    let c = raw.get("customer").filter(|c| c.is_object());
    let a = raw.get("addressee").filter(|a| a.is_object());
    let addr = c.and_then(|c| c.get("address")).filter(|a| a.is_object());
    let address = addr.and_then(|addr| {
        text(addr.get("address_tail")).map(|tail| match text(addr.get("city")) {
            Some(city) if !tail.contains(&city) => format!("{city}, {tail}"),
            _ => tail,
        })
    });
    let info = CustomerInfo {
        first_name: None,
        last_name: None,
        name: c
            .and_then(|c| text(c.get("name")))
            .or_else(|| a.and_then(|a| text(a.get("name")))),
        phone: c
            .and_then(|c| text(c.get("phone")))
            .or_else(|| a.and_then(|a| text(a.get("phone")))),
        email: c.and_then(|c| text(c.get("customer_email"))),
        address,
        address_parts: addr.map(address_parts),
    };
    (!info.is_empty()).then_some(info)
}

/// Ozon sends country, region, city and postal code as fields and the rest as one tail ("ул.
/// Тверская, 7, кв. 12"): the tail is split where that is unambiguous, else kept as the street
/// line. A pickup point comes as `pvz_code` (0 when none) or the provider's own code.
fn address_parts(addr: &Value) -> Address {
    let field = |k: &str| text(addr.get(k)).unwrap_or_default();
    let tail = field("address_tail");
    let split = ordertray_core::address::split_one_line(&tail)
        .filter(|t| t.city.is_empty() && t.region.is_empty() && t.postal_code.is_empty());
    let (street, house, flat) = match split {
        Some(t) if !t.street.is_empty() => (t.street, t.house, t.flat),
        _ => (tail.clone(), String::new(), String::new()),
    };
    let pvz = text(addr.get("pvz_code"))
        .filter(|c| c != "0")
        .unwrap_or_else(|| field("provider_pvz_code"));
    let (street, house, flat, point_address) = if pvz.is_empty() {
        (street, house, flat, String::new())
    } else {
        (String::new(), String::new(), String::new(), tail)
    };
    Address {
        country: field("country"),
        region: field("region"),
        city: field("city"),
        street,
        house,
        flat,
        postal_code: field("zip_code"),
        pickup_point_id: pvz,
        pickup_point_address: point_address,
        text: String::new(),
    }
    .with_text()
}

/// The reasons a seller may choose now: `type_id` "seller" and available for cancellation.
pub(crate) fn seller_cancel_reasons(answer: &Value) -> Result<Vec<CancelReasonOption>, ConnectorError> {
    let list = answer
        .get("result")
        .and_then(Value::as_array)
        .ok_or_else(|| ConnectorError::Malformed("cancel reasons: no result list".into()))?;
    Ok(list
        .iter()
        .filter(|r| r.get("type_id").and_then(Value::as_str) == Some("seller"))
        .filter(|r| r.get("is_available_for_cancellation").and_then(Value::as_bool) != Some(false))
        .filter_map(|r| {
            Some(CancelReasonOption {
                id: r.get("id")?.as_i64()?,
                title: r
                    .get("title")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn posting(products: Value) -> Value {
        json!({"posting_number": "0570-0029-1", "status": "awaiting_packaging", "in_process_at": "2026-11-20T10:00:00.123456Z",
               "products": products, "customer": null, "addressee": null, "unknown_future_field": {"x": [1, 2]}})
    }

    #[test]
    fn shipment_date_is_the_ship_by_deadline() {
        let products =
            json!([{"sku": 111, "offer_id": "A-1", "name": "Фильтр", "quantity": 1, "price": "10"}]);
        let mut p = posting(products);
        for (raw, want) in [
            (json!("2026-11-22T10:00:00Z"), Some("2026-11-22T10:00:00+00:00")),
            (
                json!("2026-11-22T10:00:00.5+03:00"),
                Some("2026-11-22T07:00:00.500+00:00"),
            ),
            (json!(null), None),
            (json!(""), None),
            (json!("tomorrow"), None),
        ] {
            p["shipment_date"] = raw.clone();
            let o = parse_posting(p.clone()).unwrap();
            assert_eq!(o.ship_by.map(|t| t.to_rfc3339()).as_deref(), want, "{raw}");
        }
        p.as_object_mut().unwrap().remove("shipment_date");
        assert_eq!(parse_posting(p.clone()).unwrap().ship_by, None);
    }

    #[test]
    fn v4_price_objects_and_v3_strings_both_parse() {
        let o = parse_posting(posting(json!([
            {"sku": 111, "offer_id": "A-1", "name": "Фильтр", "quantity": 2, "price": {"amount": "1530.50", "currency": "RUB"}},
            {"sku": "222", "offer_id": null, "name": null, "quantity": "1", "price": "99.90", "currency_code": "KZT"}
        ])))
        .unwrap();
        assert_eq!(o.external_id, "0570-0029-1");
        assert_eq!(o.created_at.to_rfc3339(), "2026-11-20T10:00:00.123456+00:00");
        assert_eq!(o.lines.len(), 2);
        assert_eq!((o.lines[0].sku.as_str(), o.lines[0].quantity), ("111", 2));
        assert_eq!(o.lines[0].price, "1530.50".parse::<Decimal>().unwrap());
        assert_eq!(
            (o.lines[1].currency.as_str(), o.lines[1].offer_id.as_str()),
            ("KZT", "")
        );
        assert_eq!(o.lines[1].price, "99.90".parse::<Decimal>().unwrap());
        assert!(o.customer.is_none());
    }

    #[test]
    fn only_reasons_the_seller_may_use_now() {
        let answer = serde_json::json!({"result": [
            {"id": 352, "title": "Out of stock", "type_id": "seller", "is_available_for_cancellation": true},
            {"id": 401, "title": "Arbitration", "type_id": "seller", "is_available_for_cancellation": false},
            {"id": 665, "title": "Not picked up", "type_id": "buyer", "is_available_for_cancellation": true},
            {"id": "bad", "type_id": "seller"},
            {"id": 402, "type_id": "seller", "extra": null}
        ]});
        let got = seller_cancel_reasons(&answer).unwrap();
        let ids: Vec<i64> = got.iter().map(|r| r.id).collect();
        assert_eq!(ids, [352, 402]);
        assert_eq!(got[0].title, "Out of stock");
        assert!(seller_cancel_reasons(&serde_json::json!({"oops": 1})).is_err());
    }

    #[test]
    fn duplicate_skus_merge() {
        let o = parse_posting(posting(json!([
            {"sku": 1, "quantity": 1, "price": {"amount": "10", "currency": "RUB"}},
            {"sku": 1, "quantity": 2, "price": {"amount": "10", "currency": "RUB"}}
        ])))
        .unwrap();
        assert_eq!(o.lines.len(), 1);
        assert_eq!(o.lines[0].quantity, 3);
    }

    #[test]
    fn broken_postings_are_quarantined_with_a_reason() {
        let cases = [
            (json!({"products": []}), "posting_number"),
            (posting(json!([])), "no products"),
            (
                posting(json!([{"sku": 1, "quantity": 1, "price": {"amount": "abc"}}])),
                "not a number",
            ),
            (
                posting(json!([{"sku": 1, "quantity": 0, "price": "1"}])),
                "quantity",
            ),
            (posting(json!([{"quantity": 1, "price": "1"}])), "no sku"),
            // Numbers that parse but would overflow every total computed from them later.
            (
                posting(json!([{"sku": 1, "quantity": i64::MAX, "price": "1"}])),
                "quantity 9223372036854775807 is outside",
            ),
            (
                posting(json!([{"sku": 1, "quantity": 1, "price": "79228162514264337593543950335"}])),
                "price 79228162514264337593543950335 is outside",
            ),
            (
                posting(json!([
                    {"sku": 1, "quantity": i64::MAX, "price": "1"},
                    {"sku": 1, "quantity": i64::MAX, "price": "1"}
                ])),
                "quantity",
            ),
        ];
        for (raw, why) in cases {
            let q = parse_posting(raw.clone()).unwrap_err();
            assert!(q.reason.contains(why), "{} ≠ {why}", q.reason);
            assert_eq!(q.raw, raw);
        }
    }

    #[test]
    fn realfbs_customer_is_kept() {
        let mut p = posting(json!([{"sku": 1, "quantity": 1, "price": "1"}]));
        p["customer"] = json!({"name": "Иван Петров", "phone": "", "address": {"city": "Москва", "address_tail": "ул. Ленина, 1"}});
        let c = parse_posting(p.clone()).unwrap().customer.unwrap();
        assert_eq!(c.name.as_deref(), Some("Иван Петров"));
        assert_eq!(c.phone, None, "Ozon sends empty phones");
        assert_eq!(c.address.as_deref(), Some("Москва, ул. Ленина, 1"));
        let a = c.address_fields();
        assert_eq!(
            (a.city.as_str(), a.street.as_str(), a.house.as_str()),
            ("Москва", "ул. Ленина", "1")
        );
    }

    #[test]
    fn a_realfbs_address_comes_field_by_field_and_a_pickup_point_by_its_code() {
        let mut p = posting(json!([{"sku": 1, "quantity": 1, "price": "1"}]));
        p["customer"] = json!({"name": "Анна", "address": {"country": "Россия", "region": "Татарстан",
            "city": "Казань", "zip_code": "420111", "address_tail": "ул. Баумана, д. 5, кв. 3",
            "pvz_code": 0, "provider_pvz_code": ""}});
        let a = parse_posting(p.clone())
            .unwrap()
            .customer
            .unwrap()
            .address_fields();
        assert_eq!(
            [
                &a.country,
                &a.region,
                &a.city,
                &a.postal_code,
                &a.street,
                &a.house,
                &a.flat
            ],
            ["Россия", "Татарстан", "Казань", "420111", "ул. Баумана", "5", "3"]
        );
        assert_eq!(
            a.text,
            "420111, Россия, Татарстан, Казань, ул. Баумана, д. 5, кв. 3"
        );
        // A tail that cannot be split stays the street line; nothing of it is lost.
        p["customer"]["address"]["address_tail"] = json!("Баумана 5 кв 3");
        let a = parse_posting(p.clone())
            .unwrap()
            .customer
            .unwrap()
            .address_fields();
        assert_eq!((a.street.as_str(), a.house.as_str()), ("Баумана 5 кв 3", ""));
        p["customer"]["address"]["pvz_code"] = json!(77123);
        p["customer"]["address"]["address_tail"] = json!("ТЦ Кольцо, ПВЗ Ozon");
        let a = parse_posting(p.clone())
            .unwrap()
            .customer
            .unwrap()
            .address_fields();
        assert_eq!(a.pickup_point_id, "77123");
        assert_eq!(a.pickup_point_address, "ТЦ Кольцо, ПВЗ Ozon");
        assert!(a.street.is_empty());
    }
}
