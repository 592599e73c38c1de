//! A shop order as amoCRM's documents: the deal (named with our number and key, the budget the
//! order's total), its contact (name, phone, e-mail as the EMAIL / PHONE fields) and the catalog
//! products (SKU = our article, name, price) linked with their quantities.
//!
//! amoCRM keeps no external id, so the key goes into the deal's name (`Заказ 1042 [ot-1-1042]`):
//! the one field its `query` search is sure to read, shown to the manager as well.

use ordertray_core::cabinet::{OrderItem, Recipient, ShopOrderDraft};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};

/// The tag every deal we make carries, so a manager can filter them.
pub const TAG: &str = "Ordertray";

/// The deal's name: our number, then our key in brackets (what a look-up matches on).
pub fn deal_name(order: &ShopOrderDraft, key: &str) -> String {
    let number = order.number.trim();
    if number.is_empty() {
        format!("Заказ [{key}]")
    } else {
        format!("Заказ {number} [{key}]")
    }
}

/// Whether a deal's name carries our key (the search finds any deal with the text anywhere).
pub fn carries_key(name: &str, key: &str) -> bool {
    name.trim_end().ends_with(&format!("[{key}]"))
}

/// The budget: amoCRM's `price` is a whole number, so the total in whole units (half up).
pub fn budget(order: &ShopOrderDraft) -> i64 {
    order
        .total()
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(i64::MAX)
}

/// A price as a catalog's PRICE field takes it: a number, to the kopeck.
fn price(d: Decimal) -> Value {
    d.round_dp(2)
        .to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::from(0), Value::Number)
}

/// The last ten digits of a phone: amoCRM's search does not normalise numbers, and `+7 916…` and
/// `8 916…` share only these. None: too few digits to tell a number by.
pub fn phone_tail(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 10).then(|| digits[digits.len() - 10..].to_string())
}

/// The values of an entity's field with this code (EMAIL, PHONE, SKU).
pub fn field_values<'a>(entity: &'a Value, code: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    entity["custom_fields_values"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |f| f["field_code"] == code)
        .flat_map(|f| f["values"].as_array().into_iter().flatten())
        .filter_map(|v| v["value"].as_str())
}

/// Whether a found contact is the recipient: the same e-mail (any case), else the same phone.
pub fn same_contact(contact: &Value, email: &str, phone: &str) -> bool {
    let email = email.trim();
    if !email.is_empty() {
        return field_values(contact, "EMAIL").any(|e| e.trim().eq_ignore_ascii_case(email));
    }
    let Some(tail) = phone_tail(phone) else {
        return false;
    };
    field_values(contact, "PHONE").any(|p| phone_tail(p).as_deref() == Some(tail.as_str()))
}

fn multitext(code: &str, value: &str) -> Value {
    json!({"field_code": code, "values": [{"value": value.trim(), "enum_code": "WORK"}]})
}

/// A new contact: the recipient's name, phone and e-mail (only those given).
pub fn new_contact(r: &Recipient) -> Value {
    let mut fields = vec![];
    if !r.phone.trim().is_empty() {
        fields.push(multitext("PHONE", &r.phone));
    }
    if !r.email.trim().is_empty() {
        fields.push(multitext("EMAIL", &r.email));
    }
    let name = if r.name.trim().is_empty() {
        "Покупатель"
    } else {
        r.name.trim()
    };
    json!({"name": name, "custom_fields_values": fields})
}

/// The deal for `POST /api/v4/leads/complex`, with its contact: `{"id"}` of a found one, or a
/// new one.
pub fn complex_lead(order: &ShopOrderDraft, key: &str, contact: Value) -> Value {
    json!({
        "name": deal_name(order, key),
        "price": budget(order),
        "request_id": key,
        "_embedded": {"contacts": [contact], "tags": [{"name": TAG}]},
    })
}

/// A re-send's edit of the deal: its name and budget (the status is the manager's).
pub fn lead_edit(order: &ShopOrderDraft, key: &str) -> Value {
    json!({"name": deal_name(order, key), "price": budget(order)})
}

/// The SKU an item's product has in the catalog: our article, else (an item typed without one)
/// its name, so that the same item finds the same product next time.
pub fn sku(item: &OrderItem) -> String {
    let sku = if item.article.trim().is_empty() {
        &item.name
    } else {
        &item.article
    };
    sku.trim().to_string()
}

/// The order's products: each SKU once, with the quantities of its lines added up, in order.
pub fn wanted_products(order: &ShopOrderDraft) -> Vec<(String, i64)> {
    let mut wanted: Vec<(String, i64)> = vec![];
    for item in &order.items {
        let sku = sku(item);
        match wanted.iter_mut().find(|(s, _)| *s == sku) {
            Some((_, q)) => *q += item.quantity,
            None => wanted.push((sku, item.quantity)),
        }
    }
    wanted
}

/// A product to add to the catalog: the item's name, SKU and price.
pub fn element_document(item: &OrderItem) -> Value {
    let name = if item.name.trim().is_empty() {
        sku(item)
    } else {
        item.name.trim().to_string()
    };
    json!({
        "name": name,
        "custom_fields_values": [
            multitext("SKU", &sku(item)),
            {"field_code": "PRICE", "values": [{"value": price(item.price)}]},
        ],
    })
}

/// A catalog element linked to a deal with a quantity (`POST /api/v4/leads/{id}/link`).
pub fn product_link(element: i64, catalog: i64, quantity: i64) -> Value {
    json!({"to_entity_id": element, "to_entity_type": "catalog_elements",
           "metadata": {"quantity": quantity, "catalog_id": catalog}})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(article: &str, name: &str, quantity: i64, price: &str) -> OrderItem {
        OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: article.into(),
            brand: String::new(),
            name: name.into(),
            quantity,
            price: price.parse().unwrap(),
            weight_g: 0,
            length_cm: 0,
            width_cm: 0,
            height_cm: 0,
        }
    }

    fn order() -> ShopOrderDraft {
        let mut o = ShopOrderDraft::empty();
        o.number = " 1042 ".into();
        o.recipient = Recipient {
            name: "Анна Смирнова".into(),
            phone: "+7 (916) 000-11-22".into(),
            email: "anna@example.com".into(),
        };
        o.items = vec![
            item("FLT-77", "Фильтр", 2, "350.25"),
            item("", "Фильтр воздушный", 1, "120.50"),
            item("FLT-77", "Фильтр", 1, "350.25"),
        ];
        o.delivery_cost = "300".parse().unwrap();
        o
    }

    #[test]
    fn the_deal_is_named_with_our_number_and_key_and_its_budget_is_whole() {
        let o = order();
        let deal = complex_lead(&o, "ot-1-1042", json!({"id": 5}));
        assert_eq!(
            deal,
            json!({"name": "Заказ 1042 [ot-1-1042]", "price": 1471, "request_id": "ot-1-1042",
                   "_embedded": {"contacts": [{"id": 5}], "tags": [{"name": "Ordertray"}]}})
        );
        assert_eq!(o.total().to_string(), "1471.25");
        assert_eq!(
            lead_edit(&o, "k"),
            json!({"name": "Заказ 1042 [k]", "price": 1471})
        );
        assert!(carries_key("Заказ 1042 [ot-1-1042]", "ot-1-1042"));
        assert!(!carries_key("Заказ 1042 [ot-1-10420]", "ot-1-1042"));
        assert!(!carries_key("ot-1-1042", "ot-1-1042"));
        let mut unnumbered = o.clone();
        unnumbered.number.clear();
        assert_eq!(deal_name(&unnumbered, "k"), "Заказ [k]");
    }

    #[test]
    fn a_new_contact_carries_phone_and_email_and_a_found_one_is_compared() {
        let c = new_contact(&order().recipient);
        assert_eq!(
            c,
            json!({"name": "Анна Смирнова", "custom_fields_values": [
                {"field_code": "PHONE", "values": [{"value": "+7 (916) 000-11-22", "enum_code": "WORK"}]},
                {"field_code": "EMAIL", "values": [{"value": "anna@example.com", "enum_code": "WORK"}]}]})
        );
        let found = json!({"custom_fields_values": [
            {"field_code": "PHONE", "values": [{"value": "89160001122"}]},
            {"field_code": "EMAIL", "values": [{"value": "Anna@Example.com"}]}]});
        assert!(same_contact(&found, "anna@example.com", ""));
        assert!(
            !same_contact(&found, "boris@example.com", "+79160001122"),
            "the e-mail decides"
        );
        assert!(
            same_contact(&found, "", "+7 916 000-11-22"),
            "by the last ten digits"
        );
        assert!(!same_contact(&found, "", "1122"));
        assert_eq!(phone_tail("8 (916) 000-11-22").as_deref(), Some("9160001122"));
        assert_eq!(phone_tail("12-34"), None);
    }

    #[test]
    fn products_go_once_per_sku_with_their_quantities_added_up() {
        let o = order();
        assert_eq!(
            wanted_products(&o),
            [("FLT-77".to_string(), 3), ("Фильтр воздушный".to_string(), 1)]
        );
        assert_eq!(
            element_document(&o.items[0]),
            json!({"name": "Фильтр", "custom_fields_values": [
                {"field_code": "SKU", "values": [{"value": "FLT-77", "enum_code": "WORK"}]},
                {"field_code": "PRICE", "values": [{"value": 350.25}]}]})
        );
        assert_eq!(
            product_link(7, 4521, 3),
            json!({"to_entity_id": 7, "to_entity_type": "catalog_elements",
                   "metadata": {"quantity": 3, "catalog_id": 4521}})
        );
    }
}
