//! A shop order as MoySklad's documents: the counterparty (name, phone, e-mail, city), a product
//! per item (code, article and external code = our article), the delivery as a service, and the
//! customer order (positions at prices in kopecks, the delivery address field by field, our
//! number as its name, weight and totals in its comment). References go as `{"meta": …}`, which
//! the client takes from MoySklad's own answers.

use ordertray_core::cabinet::{OrderItem, ShopOrderDraft};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::transfer::DeliveryInfo;

/// The code a delivery method gets when the shop's settings give it none and it has no id.
const DELIVERY_CODE: &str = "delivery";

/// MoySklad's `syncId` for one of our records: a UUID (MoySklad refuses anything else), the same
/// for every try, different for every `name`. Made like a name-based UUID, from SHA-256: version
/// 8 ("custom", RFC 9562), so nobody takes it for a random or SHA-1 one.
pub fn sync_id(name: &str) -> String {
    let digest = Sha256::digest(format!("ordertray/moysklad/{name}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Money as MoySklad's prices take it: whole kopecks (a half kopeck up, as a till rounds).
pub fn kopecks(d: Decimal) -> i64 {
    (d * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_string()
        .parse()
        .unwrap_or_default()
}

/// Only the fields that have something: an empty string would wipe MoySklad's value on edit.
fn put(map: &mut Map<String, Value>, key: &str, value: &str) {
    if !value.trim().is_empty() {
        map.insert(key.to_string(), Value::from(value.trim()));
    }
}

/// The code an item's product has at MoySklad: our article, else (an item typed without one) its
/// name, so that the same item finds the same product next time.
pub fn item_code(item: &OrderItem) -> String {
    let code = if item.article.trim().is_empty() {
        &item.name
    } else {
        &item.article
    };
    code.trim().to_string()
}

/// The delivery service's code: the one the shop's settings give MoySklad, else our method's
/// id; None when there is neither a method nor a cost to charge for it.
pub fn delivery_code(order: &ShopOrderDraft, info: &DeliveryInfo) -> Option<String> {
    let given = info
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .or_else(|| Some(info.tariff_id.trim()).filter(|c| !c.is_empty()));
    match given {
        Some(code) => Some(code.to_string()),
        None if order.delivery_cost > Decimal::ZERO => Some(DELIVERY_CODE.to_string()),
        None => None,
    }
}

/// A new counterparty: a private person with the recipient's name, phone, e-mail and city.
pub fn counterparty_document(order: &ShopOrderDraft, sync: &str) -> Value {
    let r = &order.recipient;
    let mut m = Map::new();
    let name = if r.name.trim().is_empty() {
        r.email.trim()
    } else {
        r.name.trim()
    };
    put(&mut m, "name", name);
    put(&mut m, "phone", &r.phone);
    put(&mut m, "email", &r.email);
    m.insert("companyType".into(), json!("individual"));
    if !order.address.city.trim().is_empty() {
        m.insert(
            "actualAddressFull".into(),
            json!({"city": order.address.city.trim()}),
        );
    }
    m.insert("syncId".into(), json!(sync));
    Value::Object(m)
}

/// A new product for an item MoySklad does not have: code, article and external code are our
/// article; weight per unit in kilograms.
pub fn product_document(item: &OrderItem) -> Value {
    let code = item_code(item);
    let mut m = Map::new();
    put(
        &mut m,
        "name",
        if item.name.trim().is_empty() {
            &code
        } else {
            &item.name
        },
    );
    put(&mut m, "code", &code);
    put(&mut m, "article", &item.article);
    put(&mut m, "externalCode", &code);
    if item.weight_g > 0 {
        m.insert("weight".into(), json!(item.weight_g as f64 / 1000.0));
    }
    m.insert("syncId".into(), json!(sync_id(&format!("product/{code}"))));
    Value::Object(m)
}

/// A new service for the delivery method, under its code.
pub fn service_document(info: &DeliveryInfo, code: &str) -> Value {
    let name = [info.tariff_name.trim(), code]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("Доставка");
    json!({
        "name": name,
        "code": code,
        "externalCode": code,
        "syncId": sync_id(&format!("service/{code}")),
    })
}

/// One position: a quantity of an assortment entity (product or service) at a price in kopecks.
pub fn position(assortment: &Value, quantity: i64, price: Decimal) -> Value {
    json!({
        "quantity": quantity,
        "price": kopecks(price),
        "assortment": {"meta": assortment},
    })
}

/// The order's comment: what MoySklad has no field for (our number, the weight, what the courier
/// collects) and the totals as the shop computed them, to compare with MoySklad's own sum.
pub fn description(order: &ShopOrderDraft, info: &DeliveryInfo) -> String {
    let mut lines = vec![format!("Заказ Ordertray № {}", order.number.trim())];
    if order.weight_g > 0 {
        lines.push(format!("Вес: {} кг", Decimal::new(order.weight_g, 3).normalize()));
    }
    if !info.tariff_name.trim().is_empty() {
        lines.push(format!("Доставка: {}", info.tariff_name.trim()));
    }
    let currency = if order.currency.trim().is_empty() {
        "RUB"
    } else {
        order.currency.trim()
    };
    lines.push(format!("Итого: {} {currency}", order.total().round_dp(2)));
    if order.cod {
        lines.push(format!(
            "Наложенный платёж: {} {currency}",
            order.cod_amount().round_dp(2)
        ));
    }
    lines.join("\n")
}

/// The delivery address field by field (MoySklad ignores the one-line address when both come).
fn address(order: &ShopOrderDraft) -> Option<Value> {
    let a = &order.address;
    let mut m = Map::new();
    put(&mut m, "postalCode", &a.postal_code);
    put(&mut m, "city", &a.city);
    put(&mut m, "street", &a.street);
    put(&mut m, "house", &a.house);
    put(&mut m, "apartment", &a.flat);
    let other = if a.has_pickup_point() {
        format!("{} {}", a.pickup_point_id.trim(), a.pickup_point_address.trim())
    } else if m.is_empty() {
        a.text.clone()
    } else {
        String::new()
    };
    put(&mut m, "addInfo", &other);
    (!m.is_empty()).then_some(Value::Object(m))
}

/// The customer order MoySklad's create and edit take (`externalCode` and `syncId` are the
/// client's to add on create).
pub fn order_document(
    order: &ShopOrderDraft,
    info: &DeliveryInfo,
    organization: &Value,
    agent: &Value,
    positions: Vec<Value>,
) -> Value {
    let mut m = Map::new();
    put(&mut m, "name", &order.number);
    m.insert("organization".into(), json!({"meta": organization}));
    m.insert("agent".into(), json!({"meta": agent}));
    m.insert("positions".into(), Value::Array(positions));
    m.insert("description".into(), json!(description(order, info)));
    if let Some(address) = address(order) {
        m.insert("shipmentAddressFull".into(), address);
    }
    Value::Object(m)
}

/// A value inside MoySklad's `filter` (`field=value;…`): a `;` of its own is written `\;`.
pub fn filter_value(v: &str) -> String {
    v.replace(';', "\\;")
}

#[cfg(test)]
mod tests {
    use ordertray_core::address::Address;
    use ordertray_core::cabinet::{OrderType, PaymentMethod, Recipient};

    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn item(article: &str, name: &str, quantity: i64, price: &str, weight_g: i64) -> OrderItem {
        OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: article.into(),
            brand: String::new(),
            name: name.into(),
            quantity,
            price: dec(price),
            weight_g,
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
                item("FLT-77", "Фильтр", 2, "350.00", 400),
                item("", "Фильтр воздушный", 1, "120.50", 0),
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
    fn sync_ids_are_uuids_stable_per_key_and_distinct_between_keys() {
        let a = sync_id("ot-1-1042");
        assert_eq!(a, sync_id("ot-1-1042"));
        assert_ne!(a, sync_id("ot-1-1043"));
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_eq!(&groups[2][..1], "8", "version 8");
        assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "RFC variant");
    }

    #[test]
    fn prices_go_in_kopecks() {
        assert_eq!(kopecks(dec("350")), 35_000);
        assert_eq!(kopecks(dec("120.50")), 12_050);
        assert_eq!(kopecks(dec("0.005")), 1, "rounded to the kopeck");
    }

    #[test]
    fn a_shop_order_as_moysklad_takes_it() {
        let info = DeliveryInfo {
            code: Some("courier".into()),
            tariff_name: "Курьер по городу".into(),
            tariff_id: "t-1".into(),
            carrier: String::new(),
        };
        let o = order();
        let org = json!({"href": "https://x/entity/organization/1", "type": "organization"});
        let agent = json!({"href": "https://x/entity/counterparty/2", "type": "counterparty"});
        let product = json!({"href": "https://x/entity/product/3", "type": "product"});
        let positions = vec![position(&product, 2, dec("350.00"))];
        let doc = order_document(&o, &info, &org, &agent, positions);
        assert_eq!(
            doc,
            json!({
                "name": "1042",
                "organization": {"meta": org},
                "agent": {"meta": agent},
                "positions": [{"quantity": 2, "price": 35000, "assortment": {"meta": product}}],
                "description": "Заказ Ordertray № 1042\nВес: 1.2 кг\nДоставка: Курьер по городу\n\
                                Итого: 1120.50 RUB\nНаложенный платёж: 1120.50 RUB",
                "shipmentAddressFull": {"postalCode": "420111", "city": "Казань",
                    "street": "ул. Баумана", "house": "1", "apartment": "12"},
            })
        );
        assert_eq!(delivery_code(&o, &info).as_deref(), Some("courier"));
    }

    #[test]
    fn products_services_and_counterparties_made_from_the_order() {
        let o = order();
        let p = product_document(&o.items[0]);
        assert_eq!(p["code"], "FLT-77");
        assert_eq!(p["article"], "FLT-77");
        assert_eq!(p["externalCode"], "FLT-77");
        assert_eq!(p["weight"], 0.4);
        assert_eq!(p["syncId"], sync_id("product/FLT-77"));
        let unnamed = product_document(&o.items[1]);
        assert_eq!(unnamed["code"], "Фильтр воздушный", "no article: the name");
        assert!(unnamed.get("article").is_none() && unnamed.get("weight").is_none());

        let c = counterparty_document(&o, "s");
        assert_eq!(
            c,
            json!({"name": "Анна Смирнова", "phone": "+79160001122", "email": "anna@example.com",
                   "companyType": "individual", "actualAddressFull": {"city": "Казань"}, "syncId": "s"})
        );

        let by_tariff = DeliveryInfo {
            tariff_id: "t-7".into(),
            ..Default::default()
        };
        assert_eq!(delivery_code(&o, &by_tariff).as_deref(), Some("t-7"));
        assert_eq!(
            delivery_code(&o, &DeliveryInfo::default()).as_deref(),
            Some("delivery")
        );
        let mut free = o.clone();
        free.delivery_cost = Decimal::ZERO;
        assert_eq!(delivery_code(&free, &DeliveryInfo::default()), None);
        assert_eq!(service_document(&by_tariff, "t-7")["name"], "t-7");
        assert_eq!(filter_value("a;b"), "a\\;b");
    }

    #[test]
    fn an_address_without_parts_goes_as_its_line_and_a_pickup_point_as_other() {
        let mut o = order();
        o.address = Address {
            text: "Казань, до востребования".into(),
            ..Default::default()
        };
        let doc = order_document(&o, &DeliveryInfo::default(), &json!({}), &json!({}), vec![]);
        assert_eq!(
            doc["shipmentAddressFull"],
            json!({"addInfo": "Казань, до востребования"})
        );
        o.address = Address::default();
        let doc = order_document(&o, &DeliveryInfo::default(), &json!({}), &json!({}), vec![]);
        assert!(doc.get("shipmentAddressFull").is_none());
    }
}
