//! A shop order as InSales' `POST/PUT /admin/orders.json` take it: lines by InSales variant (found
//! by our article = its SKU) at our prices, the client, the delivery address, the delivery variant
//! at our cost, and a customer comment with our number, the delivery and our key (the only place
//! InSales keeps a text of ours that its order list returns, so a lost create is found by it).

use std::collections::HashMap;

use ordertray_core::cabinet::{OrderItem, ShopOrderDraft};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::transfer::{DeliveryInfo, TransferOrder};
use crate::ConnectorError;

/// Our refusals before any call: the request itself could not be right.
const REFUSED: u16 = 400;

/// The line of the comment that carries our key: `[ordertray:{key}]`.
pub fn key_marker(key: &str) -> String {
    format!("[ordertray:{key}]")
}

/// Whether an order's comment carries our key (a line of its own, so `ot-1-10` is not found in
/// `ot-1-105`).
pub fn carries_key(comment: &str, key: &str) -> bool {
    let marker = key_marker(key);
    comment.lines().any(|l| l.trim() == marker)
}

/// Money as InSales' decimals take it, in a string (no float rounding on the way).
pub fn money(d: Decimal) -> String {
    d.round_dp(2).to_string()
}

/// The SKU an item is looked up by: our article.
pub fn sku(item: &OrderItem) -> String {
    item.article.trim().to_string()
}

/// The items whose article InSales has no variant for (or that have none), named for the
/// manager; empty when every item has its variant.
pub fn unknown_skus(items: &[OrderItem], variants: &HashMap<String, i64>) -> Vec<String> {
    let mut unknown: Vec<String> = items
        .iter()
        .filter(|i| !variants.contains_key(&sku(i)))
        .map(|i| {
            let s = sku(i);
            if s.is_empty() {
                format!("\"{}\" (no article)", i.name.trim())
            } else {
                s
            }
        })
        .collect();
    unknown.dedup();
    unknown
}

/// The refusal for items InSales has no variant of: nothing is sent, since InSales could only
/// make an order without them.
pub fn unknown_skus_refusal(unknown: &[String]) -> ConnectorError {
    ConnectorError::Rejected {
        status: REFUSED,
        message: format!(
            "InSales has no product variant with the SKU {}: add it to the InSales catalogue (or \
             correct the item's article) and send the order again",
            unknown.join(", ")
        ),
    }
}

/// The delivery variant the shop set for InSales on the order's delivery method (Settings →
/// Delivery → codes): InSales' id of it. Without one nothing is sent.
pub fn delivery_variant(order: &TransferOrder) -> Result<i64, ConnectorError> {
    let code = order.delivery.code.as_deref().map(str::trim).unwrap_or_default();
    let name = if order.delivery.tariff_name.trim().is_empty() {
        order.order.delivery_method.trim()
    } else {
        order.delivery.tariff_name.trim()
    };
    if code.is_empty() {
        return Err(ConnectorError::Rejected {
            status: REFUSED,
            message: format!(
                "The delivery method \"{name}\" has no InSales delivery variant: set its id in \
                 Settings → Delivery before sending the order to InSales"
            ),
        });
    }
    code.parse().map_err(|_| ConnectorError::Rejected {
        status: REFUSED,
        message: format!(
            "The InSales code \"{code}\" of the delivery method \"{name}\" is not a delivery variant \
             id: InSales knows its delivery variants by number (Settings → Delivery)"
        ),
    })
}

/// The lines of a new order: each item as its variant, quantity and our price. Call only once
/// [`unknown_skus`] is empty.
pub fn new_lines(items: &[OrderItem], variants: &HashMap<String, i64>) -> Vec<Value> {
    items
        .iter()
        .filter_map(|i| {
            let variant = variants.get(&sku(i))?;
            Some(json!({"variant_id": variant, "quantity": i.quantity, "sale_price": money(i.price)}))
        })
        .collect()
}

/// The lines of an edit: InSales keeps the order's lines unless told (Rails' nested attributes),
/// so each line already there is changed to the item of its variant, or removed when the order
/// no longer has it; items with no line yet are added.
pub fn replacing_lines(existing: &[Value], new: Vec<Value>) -> Vec<Value> {
    let mut unmatched: Vec<&Value> = existing.iter().collect();
    let mut lines = vec![];
    for mut line in new {
        let at = unmatched
            .iter()
            .position(|e| e["variant_id"].as_i64() == line["variant_id"].as_i64());
        if let Some(old) = at.map(|at| unmatched.remove(at)) {
            line["id"] = old["id"].clone();
            if let Some(m) = line.as_object_mut() {
                m.remove("variant_id");
            }
        }
        lines.push(line);
    }
    lines.extend(
        unmatched
            .into_iter()
            .map(|old| json!({"id": old["id"], "_destroy": true})),
    );
    lines
}

/// The customer comment: our number, the delivery and what it costs, what the courier collects,
/// and our key on a line of its own.
pub fn comment(order: &ShopOrderDraft, info: &DeliveryInfo, key: &str) -> String {
    let currency = if order.currency.trim().is_empty() {
        "RUB"
    } else {
        order.currency.trim()
    };
    let mut lines = vec![format!("Заказ Ordertray № {}", order.number.trim())];
    let method = [info.tariff_name.trim(), order.delivery_method.trim()]
        .into_iter()
        .find(|m| !m.is_empty())
        .unwrap_or("доставка");
    lines.push(format!(
        "Доставка: {method}, {} {currency}",
        money(order.delivery_cost)
    ));
    if order.cod {
        lines.push(format!(
            "Наложенный платёж: {} {currency}",
            money(order.cod_amount())
        ));
    }
    lines.push(key_marker(key));
    lines.join("\n")
}

fn put(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.trim().is_empty() {
        map.insert(key.to_string(), Value::from(value.trim()));
    }
}

/// The delivery address: the recipient, the city, the street line (or the pickup point, or the
/// address as typed when it has no parts).
fn shipping_address(order: &ShopOrderDraft) -> Value {
    let a = &order.address;
    let r = &order.recipient;
    let mut m = Map::new();
    put(&mut m, "name", &r.name);
    put(&mut m, "phone", &r.phone);
    put(
        &mut m,
        "country",
        if a.country.trim().is_empty() {
            "RU"
        } else {
            &a.country
        },
    );
    put(&mut m, "state", &a.region);
    put(&mut m, "city", &a.city);
    put(&mut m, "zip", &a.postal_code);
    let line = if a.has_pickup_point() {
        format!("{} {}", a.pickup_point_id.trim(), a.pickup_point_address.trim())
    } else {
        let parts: Vec<String> = [
            a.street.trim().to_string(),
            a.house.trim().to_string(),
            if a.flat.trim().is_empty() {
                String::new()
            } else {
                format!("кв. {}", a.flat.trim())
            },
        ]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
        if parts.is_empty() {
            a.text.clone()
        } else {
            parts.join(", ")
        }
    };
    put(&mut m, "address", &line);
    Value::Object(m)
}

/// The order InSales' create and edit take (`{"order": …}`), with its lines given.
pub fn order_document(order: &TransferOrder, delivery_variant: i64, lines: Vec<Value>) -> Value {
    let draft = &order.order;
    let r = &draft.recipient;
    let mut client = Map::new();
    put(&mut client, "name", &r.name);
    put(&mut client, "phone", &r.phone);
    put(&mut client, "email", &r.email);
    json!({"order": {
        "order_lines_attributes": lines,
        "client": client,
        "shipping_address_attributes": shipping_address(draft),
        "delivery_variant_id": delivery_variant,
        "delivery_price": money(draft.delivery_cost),
        "comment": comment(draft, &order.delivery, &order.key),
    }})
}

/// The order's state in words: how far it got (`fulfillment_status`), and whether it is paid.
pub fn status_words(order: &Value) -> String {
    let fulfillment = order["fulfillment_status"].as_str().unwrap_or_default();
    let said = match fulfillment {
        "new" => "Новый",
        "accepted" => "Принят",
        "approved" => "Согласован",
        "dispatched" => "Отгружен",
        "delivered" => "Доставлен",
        "returned" => "Возвращён",
        "declined" => "Отменён",
        other => other,
    };
    let paid = match order["financial_status"].as_str().unwrap_or_default() {
        "paid" => "оплачен",
        "pending" => "не оплачен",
        "" => return said.to_string(),
        other => other,
    };
    format!("{said}, {paid}")
}

#[cfg(test)]
mod tests {
    use ordertray_core::address::Address;
    use ordertray_core::cabinet::Recipient;

    use super::*;

    fn item(article: &str, quantity: i64, price: &str) -> OrderItem {
        OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: article.into(),
            brand: String::new(),
            name: "Фильтр".into(),
            quantity,
            price: price.parse().unwrap(),
            weight_g: 0,
            length_cm: 0,
            width_cm: 0,
            height_cm: 0,
        }
    }

    fn order() -> TransferOrder {
        let mut draft = ShopOrderDraft::empty();
        draft.number = "1042".into();
        draft.recipient = Recipient {
            name: "Анна Смирнова".into(),
            phone: "+79160001122".into(),
            email: "anna@example.com".into(),
        };
        draft.address = Address {
            city: "Казань".into(),
            street: "ул. Баумана".into(),
            house: "1".into(),
            flat: "12".into(),
            postal_code: "420111".into(),
            ..Default::default()
        };
        draft.items = vec![item("FLT-77", 2, "350")];
        draft.delivery_cost = "300".parse().unwrap();
        draft.currency = "RUB".into();
        TransferOrder {
            order_id: 1,
            key: "ot-1-1042".into(),
            order: draft,
            delivery: DeliveryInfo {
                code: Some(" 101 ".into()),
                tariff_name: "Курьер".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_shop_order_as_insales_takes_it() {
        let o = order();
        let variants = HashMap::from([("FLT-77".to_string(), 55)]);
        let lines = new_lines(&o.order.items, &variants);
        let doc = order_document(&o, delivery_variant(&o).unwrap(), lines);
        assert_eq!(
            doc,
            json!({"order": {
                "order_lines_attributes": [{"variant_id": 55, "quantity": 2, "sale_price": "350"}],
                "client": {"name": "Анна Смирнова", "phone": "+79160001122", "email": "anna@example.com"},
                "shipping_address_attributes": {"name": "Анна Смирнова", "phone": "+79160001122",
                    "country": "RU", "city": "Казань", "zip": "420111", "address": "ул. Баумана, 1, кв. 12"},
                "delivery_variant_id": 101,
                "delivery_price": "300",
                "comment": "Заказ Ordertray № 1042\nДоставка: Курьер, 300 RUB\n[ordertray:ot-1-1042]",
            }})
        );
        assert!(carries_key(
            doc["order"]["comment"].as_str().unwrap(),
            "ot-1-1042"
        ));
        assert!(!carries_key("[ordertray:ot-1-10420]", "ot-1-1042"));
    }

    #[test]
    fn items_without_a_variant_are_named_and_a_missing_delivery_variant_refused() {
        let mut o = order();
        o.order.items.push(item("NOPE-1", 1, "10"));
        o.order.items.push(item(" ", 1, "10"));
        let variants = HashMap::from([("FLT-77".to_string(), 55)]);
        let unknown = unknown_skus(&o.order.items, &variants);
        assert_eq!(unknown, ["NOPE-1", "\"Фильтр\" (no article)"]);
        let words = unknown_skus_refusal(&unknown).to_string();
        assert!(
            words.contains("NOPE-1") && !unknown_skus_refusal(&unknown).is_retryable(),
            "{words}"
        );

        o.delivery.code = None;
        let e = delivery_variant(&o).unwrap_err().to_string();
        assert!(e.contains("\"Курьер\" has no InSales delivery variant"), "{e}");
        o.delivery.code = Some("courier".into());
        assert!(delivery_variant(&o)
            .unwrap_err()
            .to_string()
            .contains("not a delivery variant id"));
    }

    #[test]
    fn an_edit_changes_the_lines_there_removes_the_rest_and_adds_the_new() {
        let existing = [
            json!({"id": 1, "variant_id": 55}),
            json!({"id": 2, "variant_id": 56}),
        ];
        let new = vec![
            json!({"variant_id": 55, "quantity": 3, "sale_price": "350"}),
            json!({"variant_id": 57, "quantity": 1, "sale_price": "10"}),
        ];
        assert_eq!(
            replacing_lines(&existing, new),
            [
                json!({"id": 1, "quantity": 3, "sale_price": "350"}),
                json!({"variant_id": 57, "quantity": 1, "sale_price": "10"}),
                json!({"id": 2, "_destroy": true}),
            ]
        );
    }

    #[test]
    fn the_status_is_read_in_words() {
        let o = json!({"fulfillment_status": "dispatched", "financial_status": "paid"});
        assert_eq!(status_words(&o), "Отгружен, оплачен");
        assert_eq!(status_words(&json!({"fulfillment_status": "new"})), "Новый");
        assert_eq!(
            status_words(&json!({"fulfillment_status": "custom", "financial_status": "pending"})),
            "custom, не оплачен"
        );
    }
}
