//! Realistic postings in the v4 shape (products carry `price: {amount, currency}`).

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

const PRODUCTS: &[&str] = &[
    "Фильтр масляный MANN-FILTER W 914/2",
    "Колодки тормозные передние Brembo P 85 020",
    "Свеча зажигания NGK BKR6E",
    "Щётка стеклоочистителя Bosch Aerotwin 600 мм",
    "Ремень ГРМ Gates 5521XS",
    "Амортизатор задний KYB 343283",
    "Лампа H7 Philips Vision 12V 55W",
    "Антифриз Sintec G12 красный, 5 л",
    "Масло моторное Shell Helix HX8 5W-40, 4 л",
    "Датчик кислорода Bosch 0 258 006 537",
];

const REGIONS: &[(&str, &str)] = &[
    ("Москва", "Москва"),
    ("Санкт-Петербург", "Санкт-Петербург"),
    ("Татарстан", "Казань"),
    ("Свердловская область", "Екатеринбург"),
];

/// Unfulfilled statuses: the posting still needs the seller.
pub const UNFULFILLED: &[&str] = &[
    "awaiting_registration",
    "acceptance_in_progress",
    "awaiting_approve",
    "awaiting_packaging",
    "awaiting_deliver",
];

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What Ozon lets the seller do in each status.
pub fn available_actions(status: &str) -> Value {
    match status {
        "awaiting_packaging" => json!(["ship", "cancel", "product_cancel", "arbitration"]),
        "awaiting_deliver" => json!(["cancel", "set_track_number", "non_int_delivering"]),
        "delivering" => json!(["non_int_last_mile", "non_int_delivered", "set_track_number"]),
        "driver_pickup" => json!(["non_int_delivered"]),
        _ => json!([]),
    }
}

/// A realFBS posting (the seller delivers): `non_integrated`, with the buyer's name and address.
pub fn realfbs_posting(seq: u64, products: usize, in_process_at: DateTime<Utc>) -> Value {
    let mut p = sample_posting(seq, products, in_process_at);
    p["tpl_integration_type"] = json!("non_integrated");
    p["delivery_method"]["name"] = json!("Доставка продавцом, Москва");
    p["delivery_method"]["tpl_provider"] = json!("Собственная доставка");
    p["customer"] = json!({
        "customer_id": 90_000_000 + seq,
        "name": "Анна Смирнова",
        "phone": "",
        "customer_email": "",
        "address": {"city": "Москва", "address_tail": "ул. Тверская, 7, кв. 12", "region": "Москва",
                    "zip_code": "125009", "country": "Россия", "comment": "", "latitude": 55.76, "longitude": 37.61,
                    "provider_pvz_code": "", "pvz_code": 0}
    });
    p
}

/// An FBO posting as `/v3/posting/fbo/list` shows it: Ozon's warehouse, no buyer, no actions for
/// the seller, created_at beside in_process_at, v2-style extra blocks.
pub fn fbo_posting(seq: u64, products: usize, in_process_at: DateTime<Utc>) -> Value {
    let mut p = sample_posting(seq, products, in_process_at);
    let number = format!("{:08}-{:04}-1", 91_000_000 + seq, (seq * 53) % 10_000);
    p["posting_number"] = json!(number);
    p["order_number"] = json!(number.trim_end_matches("-1"));
    p["order_id"] = json!(40_000_000_000u64 + seq);
    p["status"] = json!("awaiting_deliver");
    p["created_at"] = json!(ts(in_process_at));
    p["cancel_reason_id"] = json!(0);
    p["available_actions"] = json!([]);
    p["additional_data"] = json!([]);
    p["analytics_data"]["warehouse_name"] = json!("ХОРУГВИНО_РФЦ");
    p["analytics_data"]["delivery_type"] = json!("Courier");
    for key in [
        "shipment_date",
        "delivering_date",
        "tracking_number",
        "tpl_integration_type",
        "delivery_method",
        "customer",
        "addressee",
        "barcodes",
        "requirements",
        "is_multibox",
        "multi_box_qty",
    ] {
        p.as_object_mut().expect("a posting is an object").remove(key);
    }
    p
}

/// Ozon's ship-by times are cut-offs on the hour: postings put in process within one hour share
/// theirs (so the inbox's most-urgent-first order keeps them newest first among themselves).
fn cutoff(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp().div_euclid(3600) * 3600, 0).unwrap_or(t)
}

/// The ship-by Ozon gives a posting put in process at `in_process_at`.
pub(crate) fn ship_by(in_process_at: DateTime<Utc>) -> String {
    ts(cutoff(in_process_at + Duration::days(2)))
}

/// A deterministic posting: the same `seq` always gives the same numbers, products and prices.
pub fn sample_posting(seq: u64, products: usize, in_process_at: DateTime<Utc>) -> Value {
    let order_number = format!("{:08}-{:04}", 57_000_000 + seq, (seq * 37) % 10_000);
    let posting_number = format!("{order_number}-1");
    let items: Vec<Value> = (0..products.max(1))
        .map(|i| {
            let k = (seq as usize * 3 + i) % PRODUCTS.len();
            let rub = 350 + ((seq * 131 + i as u64 * 977) % 9_000);
            json!({
                "sku": 1_000_000_000u64 + seq * 10 + i as u64,
                "offer_id": format!("ART-{:05}-{}", seq, i + 1),
                "name": PRODUCTS[k],
                "quantity": 1 + (seq as usize + i) % 3,
                "price": {"amount": format!("{rub}.00"), "currency": "RUB"},
                "mandatory_mark": [],
                "is_marketplace_buyout": false,
                "imei": []
            })
        })
        .collect();
    json!({
        "posting_number": posting_number,
        "order_id": 30_000_000_000u64 + seq,
        "order_number": order_number,
        "status": "awaiting_packaging",
        "substatus": "posting_created",
        "in_process_at": ts(in_process_at),
        "shipment_date": ship_by(in_process_at),
        "delivering_date": null,
        "tracking_number": "",
        "tpl_integration_type": "ozon",
        "delivery_method": {
            "id": 21_321_684_811_000u64,
            "name": "Ozon Логистика самостоятельно, Москва",
            "warehouse_id": 21_321_684_811_000u64,
            "warehouse": "Склад на Ленина",
            "tpl_provider_id": 24,
            "tpl_provider": "Ozon Логистика"
        },
        "cancellation": null,
        "customer": null,
        "addressee": null,
        "products": items,
        "barcodes": null,
        "analytics_data": {
            "region": REGIONS[seq as usize % REGIONS.len()].0,
            "city": REGIONS[seq as usize % REGIONS.len()].1,
            "delivery_type": "PVZ",
            "is_premium": false,
            "payment_type_group_name": "Карты оплаты",
            "warehouse_id": 21_321_684_811_000u64,
            "warehouse": "Склад на Ленина",
            "tpl_provider_id": 24,
            "tpl_provider": "Ozon Логистика",
            "delivery_date_begin": ts(in_process_at + Duration::days(3)),
            "delivery_date_end": ts(in_process_at + Duration::days(4)),
            "is_legal": false
        },
        "financial_data": null,
        "legal_info": null,
        "available_actions": available_actions("awaiting_packaging"),
        "parent_posting_number": "",
        "is_express": false,
        "is_multibox": false,
        "multi_box_qty": 1,
        "requirements": {"products_requiring_gtd": [], "products_requiring_country": []}
    })
}
