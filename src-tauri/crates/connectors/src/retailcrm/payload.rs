//! A shop order as RetailCRM's order document (API v5 `order`): the recipient, the delivery (the
//! method by the code Settings → Delivery gives it for RetailCRM, its cost and the address field
//! by field), one payment (cash on delivery, or a bank card paid on the site), the items by our
//! article as the offer's external code, weight and dimensions. `externalId` is set by the client
//! (the transfer's key); `totalSumm` is RetailCRM's own sum of the items and delivery, never sent.

use ordertray_core::cabinet::{PaymentMethod, ShopOrderDraft};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::transfer::DeliveryInfo;

/// Money as RetailCRM takes it: a number in the order's currency.
fn amount(d: Decimal) -> Value {
    json!(d.normalize().to_string().parse::<f64>().unwrap_or_default())
}

/// Only the fields that have something: an empty string would overwrite the CRM's value on edit.
fn put(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.trim().is_empty() {
        map.insert(key.to_string(), Value::from(value.trim()));
    }
}

fn address(order: &ShopOrderDraft) -> Value {
    let a = &order.address;
    let mut m = Map::new();
    put(&mut m, "countryIso", &a.country);
    put(&mut m, "region", &a.region);
    put(&mut m, "city", &a.city);
    put(&mut m, "street", &a.street);
    put(&mut m, "building", &a.house);
    put(&mut m, "flat", &a.flat);
    put(&mut m, "index", &a.postal_code);
    put(&mut m, "text", &a.text);
    Value::Object(m)
}

fn delivery(order: &ShopOrderDraft, info: &DeliveryInfo) -> Value {
    let mut m = Map::new();
    if let Some(code) = &info.code {
        put(&mut m, "code", code);
    }
    m.insert("cost".into(), amount(order.delivery_cost));
    m.insert("address".into(), address(order));
    let mut data = Map::new();
    put(&mut data, "tariffName", &info.tariff_name);
    put(&mut data, "tariff", &info.tariff_id);
    put(&mut data, "pickuppointId", &order.address.pickup_point_id);
    if !data.is_empty() {
        m.insert("data".into(), Value::Object(data));
    }
    Value::Object(m)
}

/// Cash (or a card) on delivery is `cash`, collected when handed over; paid on the site is
/// `bank-card`, paid or not as the order says.
fn payments(order: &ShopOrderDraft) -> Value {
    let on_delivery = order.cod
        || matches!(
            order.payment_method,
            Some(PaymentMethod::CashOnDelivery | PaymentMethod::CardOnDelivery)
        );
    let (kind, sum, paid) = if on_delivery {
        ("cash", order.cod_amount(), false)
    } else {
        ("bank-card", order.total(), order.paid)
    };
    json!([{
        "type": kind,
        "amount": amount(sum),
        "status": if paid { "paid" } else { "not-paid" },
    }])
}

fn items(order: &ShopOrderDraft) -> Value {
    order
        .items
        .iter()
        .map(|i| {
            json!({
                "offer": {"externalId": i.article},
                "productName": i.name,
                "quantity": i.quantity,
                "initialPrice": amount(i.price),
            })
        })
        .collect()
}

/// The order document RetailCRM's create and edit take.
pub fn order_document(order: &ShopOrderDraft, info: &DeliveryInfo) -> Value {
    let mut m = Map::new();
    put(&mut m, "number", &order.number);
    // One name field on our side; RetailCRM shows first name first, so the whole name goes there
    // rather than a guess at which word is the surname.
    put(&mut m, "firstName", &order.recipient.name);
    put(&mut m, "phone", &order.recipient.phone);
    put(&mut m, "email", &order.recipient.email);
    m.insert("delivery".into(), delivery(order, info));
    m.insert("payments".into(), payments(order));
    m.insert("items".into(), items(order));
    for (key, value) in [
        ("weight", order.weight_g),
        ("length", order.length_cm),
        ("width", order.width_cm),
        ("height", order.height_cm),
    ] {
        if value > 0 {
            m.insert(key.into(), Value::from(value));
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use ordertray_core::address::Address;
    use ordertray_core::cabinet::{OrderItem, OrderType, Recipient};

    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn item(article: &str, name: &str, quantity: i64, price: &str) -> OrderItem {
        OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: article.into(),
            brand: String::new(),
            name: name.into(),
            quantity,
            price: dec(price),
            weight_g: 0,
            length_cm: 0,
            width_cm: 0,
            height_cm: 0,
        }
    }

    fn order() -> ShopOrderDraft {
        ShopOrderDraft {
            number: "1042".into(),
            preorder: false,
            recipient: Recipient {
                name: "Анна Смирнова".into(),
                phone: "+79160001122".into(),
                email: "anna@example.com".into(),
            },
            address: Address {
                country: "RU".into(),
                city: "Казань".into(),
                street: "ул. Баумана".into(),
                house: "1".into(),
                flat: "12".into(),
                postal_code: "420111".into(),
                text: "Казань, ул. Баумана, 1, кв. 12".into(),
                ..Default::default()
            },
            items: vec![
                item("FLT-77", "Фильтр", 2, "350.00"),
                item("W 712", "Фильтр воздушный", 1, "120.50"),
            ],
            auto_dimensions: false,
            weight_g: 1200,
            length_cm: 30,
            width_cm: 20,
            height_cm: 10,
            declared_value: dec("820.50"),
            declared_value_auto: true,
            cod: true,
            cod_amount_typed: None,
            payment_method: Some(PaymentMethod::CashOnDelivery),
            paid: false,
            delivery_method: "courier".into(),
            delivery_cost: dec("300"),
            order_type: OrderType::Standard,
            currency: "RUB".into(),
            tracking_number: String::new(),
        }
    }

    #[test]
    fn a_cash_on_delivery_order_as_retailcrm_takes_it() {
        let info = DeliveryInfo {
            code: Some("courier".into()),
            tariff_name: "Courier in town".into(),
            tariff_id: "courier".into(),
            carrier: String::new(),
        };
        let doc = order_document(&order(), &info);
        assert_eq!(
            doc,
            json!({
                "number": "1042",
                "firstName": "Анна Смирнова",
                "phone": "+79160001122",
                "email": "anna@example.com",
                "delivery": {
                    "code": "courier",
                    "cost": 300.0,
                    "address": {"countryIso": "RU", "city": "Казань", "street": "ул. Баумана",
                        "building": "1", "flat": "12", "index": "420111",
                        "text": "Казань, ул. Баумана, 1, кв. 12"},
                    "data": {"tariffName": "Courier in town", "tariff": "courier"},
                },
                "payments": [{"type": "cash", "amount": 1120.5, "status": "not-paid"}],
                "items": [
                    {"offer": {"externalId": "FLT-77"}, "productName": "Фильтр", "quantity": 2, "initialPrice": 350.0},
                    {"offer": {"externalId": "W 712"}, "productName": "Фильтр воздушный", "quantity": 1, "initialPrice": 120.5},
                ],
                "weight": 1200, "length": 30, "width": 20, "height": 10,
            })
        );
    }

    #[test]
    fn paid_on_the_site_is_a_bank_card_and_empty_fields_are_left_out() {
        let mut o = order();
        o.cod = false;
        o.payment_method = Some(PaymentMethod::CardOnline);
        o.paid = true;
        o.recipient.email = " ".into();
        o.address = Address::default();
        o.weight_g = 0;
        let doc = order_document(&o, &DeliveryInfo::default());
        assert_eq!(
            doc["payments"],
            json!([{"type": "bank-card", "amount": 1120.5, "status": "paid"}])
        );
        assert!(doc.get("email").is_none());
        assert!(doc.get("weight").is_none());
        assert_eq!(doc["delivery"], json!({"cost": 300.0, "address": {}}));
    }
}
