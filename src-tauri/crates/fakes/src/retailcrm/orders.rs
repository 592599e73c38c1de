//! Orders and catalog products as RetailCRM keeps and returns them.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// RetailCRM's "date/time" (`Y-m-d H:i:s`), in the account's zone.
pub(super) fn stamp(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Europe::Moscow)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The next internal id of each kind of record.
#[derive(Debug)]
pub(super) struct Ids {
    order: i64,
    item: i64,
    payment: i64,
    product: i64,
    offer: i64,
}

impl Default for Ids {
    fn default() -> Self {
        // Apart from one another, so that a client mixing up kinds of ids is caught.
        Self {
            order: 1,
            item: 10_001,
            payment: 20_001,
            product: 30_001,
            offer: 40_001,
        }
    }
}

fn take(counter: &mut i64) -> i64 {
    let id = *counter;
    *counter += 1;
    id
}

/// An identifier as RetailCRM keeps it: a string, though clients often send numbers.
pub(super) fn external_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A new order as RetailCRM stores it: everything the client sent, plus its ids, number
/// (`{id}A`), status (`new`), site, times, items tied to the catalog where it can, and totals.
pub(super) fn created(
    mut order: Map<String, Value>,
    ids: &mut Ids,
    site: &str,
    products: &[Value],
    now: DateTime<Utc>,
) -> Value {
    let id = take(&mut ids.order);
    let at = stamp(now);
    if let Some(ext) = order.get("externalId").and_then(external_id) {
        order.insert("externalId".into(), json!(ext));
    }
    order.insert("id".into(), json!(id));
    order.insert("slug".into(), json!(id));
    order.entry("number").or_insert_with(|| json!(format!("{id}A")));
    order.entry("status").or_insert_with(|| json!("new"));
    order.entry("createdAt").or_insert_with(|| json!(at));
    order.insert("statusUpdatedAt".into(), json!(at));
    order.insert("site".into(), json!(site));
    order.insert("fromApi".into(), json!(true));
    let mut order = Value::Object(order);
    link_lines(&mut order, ids, products, &at);
    order
}

/// An edit applied: each given top-level field replaces the stored one (a given `items` or
/// `payments` list replaces the whole list); ids, site and creation time stay.
pub(super) fn edited(
    stored: &Value,
    changes: Map<String, Value>,
    ids: &mut Ids,
    products: &[Value],
    now: DateTime<Utc>,
) -> Value {
    let mut order = stored.clone();
    let at = stamp(now);
    let status_moved = changes.get("status").is_some_and(|s| *s != stored["status"]);
    for (key, value) in changes {
        if !matches!(key.as_str(), "id" | "site" | "createdAt" | "externalId") {
            order[key] = value;
        }
    }
    if status_moved {
        order["statusUpdatedAt"] = json!(at);
    }
    link_lines(&mut order, ids, products, &at);
    order
}

/// Gives new items and payments their ids, ties items to catalog offers and works out the sums.
fn link_lines(order: &mut Value, ids: &mut Ids, products: &[Value], at: &str) {
    // `get_mut`, not indexing: indexing a missing key would add it as null.
    if let Some(items) = order.get_mut("items").and_then(Value::as_array_mut) {
        for item in items.iter_mut() {
            link_item(item, ids, products, at);
        }
    }
    if let Some(payments) = order.get_mut("payments").and_then(Value::as_array_mut) {
        for payment in payments.iter_mut().filter(|p| p.is_object() && p["id"].is_null()) {
            payment["id"] = json!(take(&mut ids.payment));
        }
    }
    totals(order);
}

fn link_item(item: &mut Value, ids: &mut Ids, products: &[Value], at: &str) {
    if !item.is_object() {
        return;
    }
    if item["id"].is_null() {
        item["id"] = json!(take(&mut ids.item));
        item["createdAt"] = json!(at);
    }
    if item["status"].is_null() {
        item["status"] = json!("new");
    }
    if item["offer"].is_object() {
        item["offer"] = catalog_offer(&item["offer"], products);
    }
}

/// The catalog offer an item names (by `externalId` or `id`), as an order returns it; one the
/// catalog lacks stays as the client named it with `"id": null`, a line with no product behind
/// it (its name is the item's `productName`).
fn catalog_offer(named: &Value, products: &[Value]) -> Value {
    let ext = external_id(&named["externalId"]);
    let by_id = named["id"].as_i64();
    let found = products.iter().find_map(|p| {
        p["offers"].as_array()?.iter().find(|o| {
            (ext.is_some() && external_id(&o["externalId"]) == ext)
                || (by_id.is_some() && o["id"].as_i64() == by_id)
        })
    });
    match found {
        Some(offer) => json!({
            "id": offer["id"], "externalId": offer["externalId"], "name": offer["name"],
            "displayName": offer["name"], "article": offer["article"],
        }),
        None => {
            let mut kept = named.clone();
            kept["id"] = Value::Null;
            kept
        }
    }
}

/// `summ` (the items at their prices) and `totalSumm` (with delivery), worked out by the CRM
/// whatever the client sent. Discounts are not modelled.
fn totals(order: &mut Value) {
    let number = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    let summ: f64 = order["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| number(&i["initialPrice"]).unwrap_or(0.0) * number(&i["quantity"]).unwrap_or(1.0))
                .sum()
        })
        .unwrap_or(0.0);
    let delivery = number(&order["delivery"]["cost"]).unwrap_or(0.0);
    order["summ"] = json!(money(summ));
    order["totalSumm"] = json!(money(summ + delivery));
}

/// To the kopeck, as RetailCRM rounds sums.
fn money(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A catalog product as `store/products` lists it: the client's fields, an id, and its offers
/// (one offer with the product's `externalId` and name when it named none).
pub(super) fn catalog_product(mut product: Map<String, Value>, ids: &mut Ids, now: DateTime<Utc>) -> Value {
    let id = take(&mut ids.product);
    product.insert("id".into(), json!(id));
    product.entry("type").or_insert_with(|| json!("product"));
    product.entry("active").or_insert_with(|| json!(true));
    product.insert("createdAt".into(), json!(stamp(now)));
    let named: Vec<Value> = product
        .get("offers")
        .and_then(Value::as_array)
        .map(|offers| offers.iter().filter(|o| o.is_object()).cloned().collect())
        .unwrap_or_default();
    let offers: Vec<Value> = if named.is_empty() {
        vec![
            json!({"externalId": product.get("externalId"), "name": product.get("name"),
                    "article": product.get("article")}),
        ]
    } else {
        named
    };
    let offers = offers
        .into_iter()
        .map(|mut o| {
            o["id"] = json!(take(&mut ids.offer));
            o
        })
        .collect::<Vec<_>>();
    product.insert("offers".into(), json!(offers));
    Value::Object(product)
}

/// An order's line in `orders/statuses`.
pub(super) fn status_line(order: &Value, group: String) -> Value {
    json!({"id": order["id"], "externalId": order["externalId"], "status": order["status"], "group": group})
}
