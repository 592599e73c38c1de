//! Reading what Gettzap pushes to the intake address. Gettzap does not publish the format (see
//! shared/api-notes/gettzap.md), so this is **tolerant by design and unverified**: JSON or
//! form-encoded bodies; one order, a list of orders, or `{"orders": [...]}` / `{"order": {...}}`;
//! field names looked up among the usual spellings; unknown fields kept in the raw payload. An
//! order that cannot be understood is quarantined with its reason, never guessed.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use ordertray_core::{CustomerInfo, ExternalLine, ExternalOrder, QuarantinedOrder};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::zzap::{parse_time, CANCELLED};

const ORDER_ID: &[&str] = &[
    "order_id",
    "orderId",
    "id",
    "order_number",
    "orderNumber",
    "number",
];
const ORDER_NUMBER: &[&str] = &[
    "number",
    "order_number",
    "orderNumber",
    "order_id",
    "orderId",
    "id",
];
const STATUS: &[&str] = &["status", "state", "order_status", "orderStatus"];
const CREATED: &[&str] = &[
    "created_at",
    "createdAt",
    "created",
    "date",
    "order_date",
    "orderDate",
];
const LINES: &[&str] = &[
    "items",
    "positions",
    "lines",
    "products",
    "parts",
    "goods",
    "details",
];
const LINE_ID: &[&str] = &["position_id", "positionId", "item_id", "itemId", "line_id", "id"];
const ARTICLE: &[&str] = &[
    "article",
    "partnumber",
    "part_number",
    "partNumber",
    "articul",
    "oem",
    "sku",
    "code",
];
const BRAND: &[&str] = &["brand", "manufacturer", "maker", "producer", "class_man"];
const NAME: &[&str] = &["name", "title", "description", "part_name", "class_cat"];
const QUANTITY: &[&str] = &["quantity", "qty", "qty_order", "count", "amount"];
const PRICE: &[&str] = &["price", "cost", "price_sale", "sale_price"];
const CURRENCY: &[&str] = &["currency", "currency_code"];
const CUSTOMER: &[&str] = &["customer", "buyer", "client"];
const REGION: &[&str] = &["region", "city"];

/// A request body as JSON. JSON bodies are read as they are; form bodies become an object of their
/// fields (`items[0][article]` nests, a field holding JSON text is read as that JSON). The error
/// says in plain words why the body cannot be read.
pub fn body_to_json(content_type: &str, body: &[u8]) -> Result<Value, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err("the request has no body".into());
    }
    let ct = content_type.to_ascii_lowercase();
    if ct.contains("json") {
        return serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON ({e})"));
    }
    if ct.contains("x-www-form-urlencoded") {
        return form_to_json(body);
    }
    if ct.contains("multipart") || ct.contains("xml") {
        return Err(format!(
            "bodies of type «{}» are not read: send JSON or a form (application/x-www-form-urlencoded)",
            content_type.split(';').next().unwrap_or_default().trim()
        ));
    }
    // No or another content type: JSON if it is JSON, else a form if it looks like one.
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    if body.contains(&b'=') && !body.iter().any(|b| *b == b'{' || *b == b'<') {
        return form_to_json(body);
    }
    Err("the body is neither JSON nor a form".into())
}

/// How deep a form field's key may nest (`items[0][article]` is 3). A real order needs 4 or 5;
/// the bound keeps a hostile `a[a][a]…` 200,000 levels deep from overflowing the stack (the
/// building, the rewriting into lists and the dropping of the tree all recurse).
pub const MAX_FORM_DEPTH: usize = 16;
/// How many fields a form may have: a large order has a few hundred.
pub const MAX_FORM_FIELDS: usize = 10_000;

fn form_to_json(body: &[u8]) -> Result<Value, String> {
    let mut root = Map::new();
    let mut any = false;
    for (n, (key, value)) in form_urlencoded::parse(body).enumerate() {
        if n >= MAX_FORM_FIELDS {
            return Err(format!("the form has more than {MAX_FORM_FIELDS} fields"));
        }
        any = true;
        let path = key_path(&key);
        if path.len() > MAX_FORM_DEPTH {
            let shown: String = key.chars().take(40).collect();
            return Err(format!(
                "the form field «{shown}…» nests deeper than {MAX_FORM_DEPTH} levels"
            ));
        }
        let trimmed = value.trim();
        let value = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            serde_json::from_str(trimmed).unwrap_or_else(|_| Value::String(value.to_string()))
        } else {
            Value::String(value.to_string())
        };
        insert_path(&mut root, &path, value);
    }
    if !any {
        return Err("the form has no fields".into());
    }
    let mut v = Value::Object(root);
    arrays_from_numbered(&mut v);
    // A form carrying the whole order as JSON in one field (`order=`, `data=`, `json=`).
    if let Value::Object(m) = &v {
        if m.len() == 1 {
            if let Some(inner @ (Value::Object(_) | Value::Array(_))) = m.values().next() {
                return Ok(inner.clone());
            }
        }
    }
    Ok(v)
}

/// `items[0][name]` → `["items", "0", "name"]`; `a.b` stays one key.
fn key_path(key: &str) -> Vec<String> {
    let mut parts = vec![];
    let (head, mut rest) = match key.find('[') {
        Some(i) => (&key[..i], &key[i..]),
        None => return vec![key.to_string()],
    };
    parts.push(head.to_string());
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(end) = inner.find(']') else {
            parts.push(inner.to_string());
            break;
        };
        parts.push(inner[..end].to_string());
        rest = &inner[end + 1..];
    }
    parts
}

fn insert_path(map: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    let key = if first.is_empty() {
        map.len().to_string()
    } else {
        first.clone()
    };
    if rest.is_empty() {
        match map.get_mut(&key) {
            // A repeated field becomes a list.
            Some(Value::Array(list)) => list.push(value),
            Some(old) => *old = Value::Array(vec![old.take(), value]),
            None => {
                map.insert(key, value);
            }
        }
        return;
    }
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    if let Value::Object(inner) = slot {
        insert_path(inner, rest, value);
    }
}

/// Objects whose keys are all numbers (`items[0]`, `items[1]`) become lists in that order.
fn arrays_from_numbered(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for child in m.values_mut() {
                arrays_from_numbered(child);
            }
            if !m.is_empty() && m.keys().all(|k| k.parse::<u32>().is_ok()) {
                let sorted: BTreeMap<u32, Value> = std::mem::take(m)
                    .into_iter()
                    .map(|(k, v)| (k.parse().expect("checked"), v))
                    .collect();
                *v = Value::Array(sorted.into_values().collect());
            }
        }
        Value::Array(list) => list.iter_mut().for_each(arrays_from_numbered),
        _ => {}
    }
}

/// What one push holds.
#[derive(Debug, Default)]
pub struct Pushed {
    pub orders: Vec<ExternalOrder>,
    pub quarantined: Vec<QuarantinedOrder>,
}

/// The orders of a pushed document; `is_cancel` says whether a status means the buyer cancelled.
/// An error means the document holds no order at all.
pub fn parse_push(
    doc: &Value,
    is_cancel: &dyn Fn(&str) -> bool,
    now: DateTime<Utc>,
) -> Result<Pushed, String> {
    let candidates: Vec<&Value> = match doc {
        Value::Array(list) => list.iter().collect(),
        Value::Object(m) => match m
            .get("orders")
            .or_else(|| m.get("data"))
            .or_else(|| m.get("order"))
        {
            Some(Value::Array(list)) => list.iter().collect(),
            Some(inner @ Value::Object(_)) => vec![inner],
            _ => vec![doc],
        },
        _ => return Err("the body is not an order (expected a JSON object or a list of them)".into()),
    };
    if candidates.is_empty() {
        return Err("the request holds no orders".into());
    }
    let mut out = Pushed::default();
    for raw in candidates {
        match parse_order(raw, is_cancel, now) {
            Ok(o) => out.orders.push(o),
            Err(q) => out.quarantined.push(q),
        }
    }
    Ok(out)
}

/// A field as text, whether sent as a string or a number.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first<'a>(obj: &'a Value, keys: &'static [&'static str]) -> Option<(&'static str, &'a Value)> {
    keys.iter()
        .find_map(|k| obj.get(*k).filter(|v| !v.is_null()).map(|v| (*k, v)))
}

fn first_text(obj: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(obj.get(*k)))
}

fn parse_order(
    raw: &Value,
    is_cancel: &dyn Fn(&str) -> bool,
    now: DateTime<Utc>,
) -> Result<ExternalOrder, QuarantinedOrder> {
    let id = first_text(raw, ORDER_ID);
    let quarantine = |reason: String| QuarantinedOrder {
        external_id: id.clone(),
        reason,
        raw: raw.clone(),
    };
    if !raw.is_object() {
        return Err(quarantine("an order is not a JSON object".into()));
    }
    let Some(id) = id.clone() else {
        return Err(quarantine(
            "the order has no id (looked for order_id, id, number)".into(),
        ));
    };
    let number = first_text(raw, ORDER_NUMBER).unwrap_or_else(|| id.clone());
    let marketplace_status = first_text(raw, STATUS).unwrap_or_else(|| "new".into());
    let status = if is_cancel(&marketplace_status) {
        CANCELLED.to_string()
    } else {
        marketplace_status
    };
    let created_at = first_text(raw, CREATED)
        .and_then(|t| parse_time(&t))
        .unwrap_or(now);

    let list: Vec<&Value> = match first(raw, LINES) {
        Some((_, Value::Array(items))) => items.iter().collect(),
        Some((key, Value::Object(m))) if !m.is_empty() => {
            if m.values().all(Value::is_object) {
                m.values().collect()
            } else {
                return Err(quarantine(format!("«{key}» is not a list of positions")));
            }
        }
        Some((key, _)) => return Err(quarantine(format!("«{key}» is not a list of positions"))),
        // One part per order (as ZZAP sends them): the order is its own position.
        None if first_text(raw, ARTICLE).is_some() => vec![raw],
        // Only a new status (`{order_id, status: cancelled}`): it moves the stored order.
        None if first_text(raw, STATUS).is_some() => vec![],
        None => {
            return Err(quarantine(
                "the order has no positions (looked for items, positions, lines, products)".into(),
            ))
        }
    };
    if list.is_empty() && first(raw, LINES).is_some() {
        return Err(quarantine("the order has no positions".into()));
    }
    let mut lines: Vec<ExternalLine> = vec![];
    for (i, item) in list.iter().enumerate() {
        let n = i + 1;
        if !item.is_object() {
            return Err(quarantine(format!("position {n} is not an object")));
        }
        let line_id = if std::ptr::eq(*item, raw) {
            id.clone()
        } else {
            first_text(item, LINE_ID).unwrap_or_else(|| n.to_string())
        };
        if lines.iter().any(|l| l.external_id == line_id) {
            return Err(quarantine(format!("position id «{line_id}» appears twice")));
        }
        let article = first_text(item, ARTICLE)
            .ok_or_else(|| quarantine(format!("position {n} has no article (partnumber)")))?;
        let brand = first_text(item, BRAND).unwrap_or_default();
        let part = first_text(item, NAME).unwrap_or_default();
        let quantity_text =
            first_text(item, QUANTITY).ok_or_else(|| quarantine(format!("position {n} has no quantity")))?;
        let quantity = Decimal::from_str(&quantity_text.replace(',', "."))
            .ok()
            .filter(|q| q.fract().is_zero() && *q >= Decimal::ONE)
            .and_then(|q| i64::try_from(q).ok())
            .ok_or_else(|| {
                quarantine(format!(
                    "position {n}: quantity «{quantity_text}» is not a whole number of parts"
                ))
            })?;
        let price = match first_text(item, PRICE) {
            None => Decimal::ZERO,
            Some(p) => Decimal::from_str(&p.replace(',', ".").replace(' ', ""))
                .ok()
                .filter(|p| !p.is_sign_negative())
                .ok_or_else(|| quarantine(format!("position {n}: price «{p}» is not an amount")))?,
        };
        if let Some(problem) = ordertray_core::line_amounts_problem(quantity, price) {
            return Err(quarantine(format!("position {n}: {problem}")));
        }
        let name = [part.as_str(), brand.as_str(), article.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(ExternalLine {
            external_id: line_id,
            sku: article.clone(),
            offer_id: article,
            name,
            quantity,
            price,
            currency: first_text(item, CURRENCY)
                .or_else(|| first_text(raw, CURRENCY))
                .unwrap_or_else(|| "RUB".into()),
            product: None,
        });
    }

    let who = first(raw, CUSTOMER).map(|(_, v)| v).filter(|v| v.is_object());
    let pick = |nested: &[&str], flat: &[&str]| {
        who.and_then(|c| first_text(c, nested))
            .or_else(|| first_text(raw, flat))
    };
    let customer = CustomerInfo {
        first_name: None,
        last_name: None,
        name: pick(
            &["name", "full_name", "fio"],
            &["customer_name", "buyer_name", "client_name"],
        ),
        phone: pick(
            &["phone", "tel"],
            &["phone", "customer_phone", "buyer_phone", "client_phone"],
        ),
        email: pick(
            &["email", "e-mail"],
            &["email", "customer_email", "buyer_email", "client_email"],
        ),
        address: pick(&["address"], &["address", "delivery_address", "customer_address"]),
        address_parts: None,
    };
    Ok(ExternalOrder {
        external_id: id,
        number,
        status,
        created_at,
        customer: (!customer.is_empty()).then_some(customer),
        region: first_text(raw, REGION),
        lines,
        available_actions: vec![],
        read_only: false,
        // A push carries what changed: a position it leaves out is not taken as removed.
        partial: true,
        // Gettzap's push format is unverified and names no ship-by deadline.
        ship_by: None,
        raw: raw.clone(),
        delivery_note: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn never(_: &str) -> bool {
        false
    }

    #[test]
    fn a_form_nests_bracketed_fields_and_lists() {
        let body = b"order_id=77&status=new&items[0][article]=OC90&items[0][qty]=2&items[1][article]=W712&items[1][qty]=1&customer[phone]=%2B79001234567";
        let v = body_to_json("application/x-www-form-urlencoded; charset=utf-8", body).unwrap();
        assert_eq!(v["items"][1]["article"], "W712");
        assert_eq!(v["customer"]["phone"], "+79001234567");
        let p = parse_push(&v, &never, Utc::now()).unwrap();
        assert_eq!(p.orders.len(), 1);
        let o = &p.orders[0];
        assert_eq!(o.external_id, "77");
        assert_eq!(o.lines.len(), 2);
        assert_eq!(o.lines[0].external_id, "1");
        assert_eq!(o.lines[0].quantity, 2);
        assert_eq!(
            o.customer.as_ref().unwrap().phone.as_deref(),
            Some("+79001234567")
        );
    }

    #[test]
    fn a_form_field_may_carry_the_order_as_json() {
        let body = format!(
            "data={}",
            form_urlencoded::byte_serialize(
                br#"{"id":5,"positions":[{"id":"p1","partnumber":"X1","quantity":"1","price":"10,50"}]}"#
            )
            .collect::<String>()
        );
        let v = body_to_json("", body.as_bytes()).unwrap();
        let p = parse_push(&v, &never, Utc::now()).unwrap();
        assert_eq!(p.orders[0].lines[0].external_id, "p1");
        assert_eq!(p.orders[0].lines[0].price.to_string(), "10.50");
    }

    #[test]
    fn a_form_nested_too_deep_or_too_wide_is_refused_with_the_reason() {
        // 200,000 levels overflowed the stack and aborted the whole app.
        let deep = format!("{}=1", "a".to_string() + &"[a]".repeat(200_000));
        let err = body_to_json("application/x-www-form-urlencoded", deep.as_bytes()).unwrap_err();
        assert!(err.contains("nests deeper than 16 levels"), "{err}");
        let wide: Vec<String> = (0..=MAX_FORM_FIELDS).map(|i| format!("f{i}=1")).collect();
        let err = body_to_json("application/x-www-form-urlencoded", wide.join("&").as_bytes()).unwrap_err();
        assert!(err.contains("more than 10000 fields"), "{err}");
        // The deepest a form may go still reads.
        let ok = format!("a{}=1", "[b]".repeat(MAX_FORM_DEPTH - 1));
        assert!(body_to_json("application/x-www-form-urlencoded", ok.as_bytes()).is_ok());
    }

    #[test]
    fn a_status_only_push_is_a_partial_order_without_positions() {
        let cancel = |s: &str| s == "Отменён";
        let p = parse_push(
            &json!({"order_id": "A1", "status": "Отменён"}),
            &cancel,
            Utc::now(),
        )
        .unwrap();
        assert!(p.quarantined.is_empty(), "{:?}", p.quarantined);
        let o = &p.orders[0];
        assert_eq!((o.external_id.as_str(), o.status.as_str()), ("A1", CANCELLED));
        assert!(o.lines.is_empty() && o.partial);
        // Without a status or positions there is nothing to apply.
        let p = parse_push(&json!({"order_id": "A1"}), &cancel, Utc::now()).unwrap();
        assert!(p.quarantined[0].reason.contains("no positions"));
    }

    #[test]
    fn shapes_of_json_and_what_is_quarantined() {
        let now = Utc::now();
        let good = json!({"order_id": "A1", "items": [{"article": "OC90", "brand": "Knecht", "quantity": 1, "price": 350}]});
        let no_id = json!({"items": [{"article": "OC90", "quantity": 1}]});
        let bad_qty = json!({"id": "A3", "items": [{"article": "OC90", "quantity": "две"}]});
        let dup = json!({"id": "A4", "items": [{"id": 1, "article": "A", "qty": 1}, {"id": 1, "article": "B", "qty": 1}]});
        let huge_qty = json!({"id": "A5", "items": [{"article": "A", "qty": "9223372036854775807"}]});
        let huge_price = json!({"id": "A6", "items": [{"article": "A", "qty": 1, "price": "79228162514264337593543950335"}]});
        let p = parse_push(
            &json!({"orders": [good.clone(), no_id, bad_qty, dup, huge_qty, huge_price]}),
            &never,
            now,
        )
        .unwrap();
        assert_eq!(p.orders.len(), 1);
        assert_eq!(p.orders[0].lines[0].name, "Knecht OC90");
        assert_eq!(p.orders[0].raw, good, "the order's own JSON is kept raw");
        let reasons: Vec<&str> = p.quarantined.iter().map(|q| q.reason.as_str()).collect();
        assert!(reasons[0].contains("no id"), "{reasons:?}");
        assert!(reasons[1].contains("«две»"), "{reasons:?}");
        assert!(reasons[2].contains("twice"), "{reasons:?}");
        assert!(
            reasons[3].contains("quantity 9223372036854775807 is outside"),
            "{reasons:?}"
        );
        assert!(
            reasons[4].contains("price 79228162514264337593543950335 is outside"),
            "{reasons:?}"
        );
        assert_eq!(p.quarantined[1].external_id.as_deref(), Some("A3"));

        // One part per order, ZZAP-like: the order is its own position.
        let single = parse_push(&json!([{"id": 9, "partnumber": "K1", "qty": 3}]), &never, now).unwrap();
        assert_eq!(single.orders[0].lines[0].external_id, "9");
        assert!(parse_push(&json!([]), &never, now).is_err());
        assert!(parse_push(&json!("text"), &never, now).is_err());
        let cancelled = parse_push(
            &json!({"order": {"id": 1, "status": "Отменён", "items": [{"article": "A", "qty": 1}]}}),
            &|s: &str| s.to_lowercase() == "отменён",
            now,
        )
        .unwrap();
        assert_eq!(cancelled.orders[0].status, CANCELLED);
    }

    #[test]
    fn bodies_that_cannot_be_read_say_why() {
        assert!(body_to_json("application/json", b"  ")
            .unwrap_err()
            .contains("no body"));
        assert!(body_to_json("application/json", b"{\"a\":")
            .unwrap_err()
            .contains("not valid JSON"));
        assert!(body_to_json("text/xml", b"<a/>")
            .unwrap_err()
            .contains("text/xml"));
        assert!(body_to_json("text/plain", b"hello")
            .unwrap_err()
            .contains("neither"));
    }
}
