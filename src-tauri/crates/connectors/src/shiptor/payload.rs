//! A shop order as Shiptor's package (`addPackage` / `editPackage` params, field names from its
//! PHP SDK): weight in kilograms and dimensions in centimetres, cash on delivery and declared
//! value, our key as `external_id`, the departure (the shipping method by the number the shop set
//! for Shiptor on its delivery method, a pickup point or the address field by field) and the items
//! by our article as `shopArticle`.
//!
//! Unverified (built against the fake only): the SDK marks `kladr_id` required, and a shop has no
//! KLADR codes, so the address goes as postal code, region and settlement instead; one name field
//! on our side goes as `receiver` (which, in the SDK, stands in for `name` + `surname`).

use ordertray_core::cabinet::ShopOrderDraft;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

/// Money and kilograms as Shiptor takes them: a number.
fn number(d: Decimal) -> Value {
    json!(d.normalize().to_string().parse::<f64>().unwrap_or_default())
}

/// Only the fields that have something: an empty string would read as "given" on an edit.
fn put(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.trim().is_empty() {
        map.insert(key.to_string(), Value::from(value.trim()));
    }
}

/// A pickup point's id is a number at Shiptor; one that is not goes as it is, for Shiptor to
/// refuse in its words.
fn delivery_point(id: &str) -> Value {
    let id = id.trim();
    id.parse::<i64>().map_or_else(|_| json!(id), |n| json!(n))
}

fn address(order: &ShopOrderDraft) -> Value {
    let (a, r) = (&order.address, &order.recipient);
    let mut m = Map::new();
    // Shiptor serves Russia, Kazakhstan and Belarus; an order without a country is Russian.
    let country = a.country.trim();
    m.insert(
        "country".into(),
        json!(if country.is_empty() { "RU" } else { country }),
    );
    put(&mut m, "receiver", &r.name);
    put(&mut m, "phone", &r.phone);
    put(&mut m, "email", &r.email);
    put(&mut m, "postal_code", &a.postal_code);
    put(&mut m, "administrative_area", &a.region);
    put(&mut m, "settlement", &a.city);
    put(&mut m, "street", &a.street);
    put(&mut m, "house", &a.house);
    put(&mut m, "apartment", &a.flat);
    // The one-line address stands in only when street and house are not both known (the SDK's
    // own rule): otherwise the parts say it better.
    if a.street.trim().is_empty() || a.house.trim().is_empty() {
        put(&mut m, "address_line_1", &a.text);
    }
    Value::Object(m)
}

fn departure(order: &ShopOrderDraft, shipping_method: i64) -> Value {
    let mut m = Map::new();
    m.insert("shipping_method".into(), json!(shipping_method));
    if !order.address.pickup_point_id.trim().is_empty() {
        m.insert(
            "delivery_point".into(),
            delivery_point(&order.address.pickup_point_id),
        );
    }
    m.insert("address".into(), address(order));
    Value::Object(m)
}

fn products(order: &ShopOrderDraft) -> Value {
    order
        .items
        .iter()
        .map(|i| json!({"shopArticle": i.article, "count": i.quantity, "price": number(i.price)}))
        .collect()
}

/// The package `addPackage` takes for `order` under our key (`editPackage` takes the same with
/// the package's `id`).
pub fn package_params(order: &ShopOrderDraft, shipping_method: i64, external_id: &str) -> Value {
    json!({
        "external_id": external_id,
        "weight": number(Decimal::new(order.weight_g, 3)),
        "length": order.length_cm,
        "width": order.width_cm,
        "height": order.height_cm,
        // What the courier collects (nothing unless cash on delivery) and what the parcel is
        // insured for.
        "cod": number(order.cod_amount()),
        "declared_cost": number(order.declared_value),
        "departure": departure(order, shipping_method),
        "products": products(order),
    })
}

#[cfg(test)]
mod tests {
    use ordertray_core::address::Address;
    use ordertray_core::cabinet::{OrderItem, PaymentMethod, Recipient};

    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn item(article: &str, quantity: i64, price: &str) -> OrderItem {
        OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: article.into(),
            brand: String::new(),
            name: "Фильтр".into(),
            quantity,
            price: dec(price),
            weight_g: 0,
            length_cm: 0,
            width_cm: 0,
            height_cm: 0,
        }
    }

    fn order() -> ShopOrderDraft {
        let mut o = ShopOrderDraft::empty();
        o.number = "1042".into();
        o.recipient = Recipient {
            name: "Анна Смирнова".into(),
            phone: "+79160001122".into(),
            email: "anna@example.com".into(),
        };
        o.address = Address {
            country: "RU".into(),
            region: "Татарстан".into(),
            city: "Казань".into(),
            street: "ул. Баумана".into(),
            house: "1".into(),
            flat: "12".into(),
            postal_code: "420111".into(),
            text: "Казань, ул. Баумана, 1, кв. 12".into(),
            ..Default::default()
        };
        o.items = vec![item("FLT-77", 2, "350.00"), item("W 712", 1, "120.50")];
        o.auto_dimensions = false;
        o.weight_g = 1250;
        (o.length_cm, o.width_cm, o.height_cm) = (30, 20, 10);
        o.declared_value = dec("820.50");
        o.cod = true;
        o.payment_method = Some(PaymentMethod::CashOnDelivery);
        o.delivery_cost = dec("300");
        o
    }

    #[test]
    fn a_cash_on_delivery_order_to_the_door_as_shiptor_takes_it() {
        assert_eq!(
            package_params(&order(), 11, "ot-1-1042"),
            json!({
                "external_id": "ot-1-1042",
                "weight": 1.25, "length": 30, "width": 20, "height": 10,
                "cod": 1120.5, "declared_cost": 820.5,
                "departure": {
                    "shipping_method": 11,
                    "address": {"country": "RU", "receiver": "Анна Смирнова", "phone": "+79160001122",
                        "email": "anna@example.com", "postal_code": "420111",
                        "administrative_area": "Татарстан", "settlement": "Казань",
                        "street": "ул. Баумана", "house": "1", "apartment": "12"},
                },
                "products": [
                    {"shopArticle": "FLT-77", "count": 2, "price": 350.0},
                    {"shopArticle": "W 712", "count": 1, "price": 120.5},
                ],
            })
        );
    }

    #[test]
    fn a_prepaid_order_to_a_pickup_point_collects_nothing() {
        let mut o = order();
        o.cod = false;
        o.payment_method = Some(PaymentMethod::CardOnline);
        o.paid = true;
        o.address = Address {
            city: "Казань".into(),
            pickup_point_id: " 5501 ".into(),
            text: "Казань, ПВЗ на Баумана".into(),
            ..Default::default()
        };
        o.recipient.email = " ".into();
        let p = package_params(&o, 24, "ot-1-7");
        assert_eq!(p["cod"], json!(0.0));
        assert_eq!(p["declared_cost"], json!(820.5));
        assert_eq!(p["departure"]["delivery_point"], json!(5501));
        assert_eq!(
            p["departure"]["address"],
            json!({"country": "RU", "receiver": "Анна Смирнова", "phone": "+79160001122",
                "settlement": "Казань", "address_line_1": "Казань, ПВЗ на Баумана"})
        );
        o.address.pickup_point_id = "KZN-12".into();
        let p = package_params(&o, 24, "ot-1-7");
        assert_eq!(p["departure"]["delivery_point"], json!("KZN-12"));
    }
}
