//! A shop order as Bitrix24's documents: the contact (name, phone, e-mail as multi-fields), the
//! deal (title with our number, amount and currency, our key as ORIGIN_ID under our
//! ORIGINATOR_ID) and its product rows (each item with its article, the delivery at its cost, so
//! that the rows add up to the order's total).

use ordertray_core::cabinet::{Recipient, ShopOrderDraft};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

/// Our ORIGINATOR_ID: the deals we made, told from other systems' ORIGIN_IDs.
pub const ORIGINATOR: &str = "ordertray";

fn number(d: Decimal) -> Value {
    d.round_dp(2)
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::from(0), Value::Number)
}

fn currency(order: &ShopOrderDraft) -> &str {
    match order.currency.trim() {
        "" => "RUB",
        c => c,
    }
}

/// A new contact: the recipient's name and the phone and e-mail given.
pub fn contact_fields(r: &Recipient) -> Value {
    let mut m = Map::new();
    let name = match r.name.trim() {
        "" => "Покупатель",
        n => n,
    };
    m.insert("NAME".into(), json!(name));
    if !r.phone.trim().is_empty() {
        m.insert(
            "PHONE".into(),
            json!([{"VALUE": r.phone.trim(), "VALUE_TYPE": "WORK"}]),
        );
    }
    if !r.email.trim().is_empty() {
        m.insert(
            "EMAIL".into(),
            json!([{"VALUE": r.email.trim(), "VALUE_TYPE": "WORK"}]),
        );
    }
    m.insert("OPENED".into(), json!("Y"));
    Value::Object(m)
}

/// The deal's fields; `contact` is set on create only (the manager may change it there).
pub fn deal_fields(order: &ShopOrderDraft, key: &str, contact: Option<i64>) -> Value {
    let mut fields = json!({
        "TITLE": format!("Заказ {}", order.number.trim()).trim().to_string(),
        "OPPORTUNITY": number(order.total()),
        "CURRENCY_ID": currency(order),
        "ORIGINATOR_ID": ORIGINATOR,
        "ORIGIN_ID": key,
    });
    if let Some(c) = contact {
        fields["CONTACT_ID"] = json!(c);
    }
    fields
}

/// The deal's product rows: each item (its article before the name), then the delivery.
pub fn product_rows(order: &ShopOrderDraft) -> Vec<Value> {
    let mut rows: Vec<Value> = order
        .items
        .iter()
        .map(|i| {
            let name = match (i.article.trim(), i.name.trim()) {
                ("", n) => n.to_string(),
                (a, "") => a.to_string(),
                (a, n) => format!("{a} {n}"),
            };
            json!({"productName": name, "price": number(i.price), "quantity": i.quantity})
        })
        .collect();
    if order.delivery_cost > Decimal::ZERO {
        rows.push(json!({"productName": "Доставка", "price": number(order.delivery_cost), "quantity": 1}));
    }
    rows
}

#[cfg(test)]
mod tests {
    use ordertray_core::cabinet::OrderItem;

    use super::*;

    fn order() -> ShopOrderDraft {
        let mut o = ShopOrderDraft::empty();
        o.number = "1042".into();
        o.recipient = Recipient {
            name: " Анна Смирнова ".into(),
            phone: "+79160001122".into(),
            email: String::new(),
        };
        o.items = vec![OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: "FLT-77".into(),
            brand: String::new(),
            name: "Фильтр".into(),
            quantity: 2,
            price: "350.5".parse().unwrap(),
            weight_g: 0,
            length_cm: 0,
            width_cm: 0,
            height_cm: 0,
        }];
        o.delivery_cost = "300".parse().unwrap();
        o
    }

    #[test]
    fn a_deal_carries_our_key_and_its_rows_add_up_to_the_total() {
        let o = order();
        assert_eq!(
            deal_fields(&o, "ot-1-1042", Some(7)),
            json!({"TITLE": "Заказ 1042", "OPPORTUNITY": 1001.0, "CURRENCY_ID": "RUB",
                   "ORIGINATOR_ID": "ordertray", "ORIGIN_ID": "ot-1-1042", "CONTACT_ID": 7})
        );
        assert!(deal_fields(&o, "k", None).get("CONTACT_ID").is_none());
        assert_eq!(
            product_rows(&o),
            [
                json!({"productName": "FLT-77 Фильтр", "price": 350.5, "quantity": 2}),
                json!({"productName": "Доставка", "price": 300.0, "quantity": 1}),
            ]
        );
        assert_eq!(
            contact_fields(&o.recipient),
            json!({"NAME": "Анна Смирнова", "PHONE": [{"VALUE": "+79160001122", "VALUE_TYPE": "WORK"}],
                   "OPENED": "Y"})
        );
    }
}
