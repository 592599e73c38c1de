//! A hand-made order as a JSON file (`ordertray-cli orders create --file`): the New-order form's
//! fields, each optional but the items, filled with the form's defaults.

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::address::Address;
use crate::cabinet::{DraftProblem, OrderItem, OrderType, PaymentMethod, Recipient, ShopOrderDraft};
use crate::delivery::DeliveryMethod;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DraftFile {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub preorder: bool,
    #[serde(default)]
    pub recipient: Recipient,
    #[serde(default)]
    pub address: FileAddress,
    pub items: Vec<FileItem>,
    /// The method's name, id, or the code a transfer target knows it by.
    pub delivery_method: Option<String>,
    /// `cash_on_delivery`, `card_on_delivery`, `card_online` or `prepaid`.
    pub payment_method: Option<String>,
    #[serde(default)]
    pub paid: bool,
    /// What the courier collects; left out: the order's total (with a payment on delivery).
    pub cod_amount: Option<Decimal>,
    /// Left out: follows the items, as in the form.
    pub declared_value: Option<Decimal>,
    /// `standard`, `through` or `export`.
    pub order_type: Option<String>,
}

/// The address as the file names its fields (`pickup_point_id` beside the street fields).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileAddress {
    pub country: String,
    pub region: String,
    pub city: String,
    pub street: String,
    pub house: String,
    pub flat: String,
    pub postal_code: String,
    pub pickup_point_id: String,
    pub pickup_point_address: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileItem {
    #[serde(default)]
    pub article: String,
    #[serde(default)]
    pub brand: String,
    #[serde(default)]
    pub name: String,
    #[serde(default = "one")]
    pub quantity: i64,
    pub price: Decimal,
    #[serde(default)]
    pub weight_g: i64,
    #[serde(default)]
    pub length_cm: i64,
    #[serde(default)]
    pub width_cm: i64,
    #[serde(default)]
    pub height_cm: i64,
}

fn one() -> i64 {
    1
}

impl DraftFile {
    /// The draft the form would have made from the same answers, or the fields it cannot read
    /// (an unknown method, payment or type). The delivery cost is the method's tariff at the
    /// items' weight; the engine's own checks run when it is saved.
    pub fn into_draft(self, methods: &[DeliveryMethod]) -> Result<ShopOrderDraft, Vec<DraftProblem>> {
        let mut problems = vec![];
        let method = match self.delivery_method.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(wanted) => {
                let found = methods.iter().find(|m| {
                    m.id == wanted
                        || m.name.trim().eq_ignore_ascii_case(wanted)
                        || m.codes.values().any(|c| c.trim() == wanted)
                });
                if found.is_none() {
                    let offered: Vec<&str> = methods.iter().map(|m| m.name.as_str()).collect();
                    problems.push(DraftProblem::new(
                        "delivery_method",
                        "unknown_method",
                        format!("No delivery method «{wanted}» (offered: {})", offered.join(", ")),
                    ));
                }
                found
            }
        };
        let payment = match self.payment_method.as_deref() {
            None => None,
            Some(p) => {
                let parsed = PaymentMethod::parse(p);
                if parsed.is_none() {
                    problems.push(DraftProblem::new(
                        "payment_method",
                        "unknown_value",
                        format!("No payment method «{p}» (cash_on_delivery, card_on_delivery, card_online, prepaid)"),
                    ));
                }
                parsed
            }
        };
        let order_type = match self.order_type.as_deref() {
            None => None,
            Some(t) => {
                let parsed = OrderType::parse(t);
                if parsed.is_none() {
                    problems.push(DraftProblem::new(
                        "order_type",
                        "unknown_value",
                        format!("No order type «{t}» (standard, through, export)"),
                    ));
                }
                parsed
            }
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        let cod = matches!(
            payment,
            Some(PaymentMethod::CashOnDelivery | PaymentMethod::CardOnDelivery)
        );
        let a = self.address;
        let mut draft = ShopOrderDraft {
            number: self.number,
            preorder: self.preorder,
            recipient: self.recipient,
            address: Address {
                country: a.country,
                region: a.region,
                city: a.city,
                street: a.street,
                house: a.house,
                flat: a.flat,
                postal_code: a.postal_code,
                pickup_point_id: a.pickup_point_id,
                pickup_point_address: a.pickup_point_address,
                text: String::new(),
            },
            items: self
                .items
                .into_iter()
                .map(|i| OrderItem {
                    id: None,
                    line_id: None,
                    offer_id: None,
                    article: i.article,
                    brand: i.brand,
                    name: i.name,
                    quantity: i.quantity,
                    price: i.price,
                    weight_g: i.weight_g,
                    length_cm: i.length_cm,
                    width_cm: i.width_cm,
                    height_cm: i.height_cm,
                })
                .collect(),
            declared_value: self.declared_value.unwrap_or_default(),
            declared_value_auto: self.declared_value.is_none(),
            cod,
            cod_amount_typed: self.cod_amount.filter(|_| cod),
            payment_method: payment,
            paid: self.paid,
            delivery_method: method.map(|m| m.id.clone()).unwrap_or_default(),
            order_type: order_type.unwrap_or_default(),
            ..ShopOrderDraft::empty()
        }
        .normalized();
        if let Some(m) = method {
            draft.delivery_cost = m.cost(draft.weight_g);
        }
        Ok(draft.followed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: serde_json::Value) -> Result<ShopOrderDraft, Vec<DraftProblem>> {
        let file: DraftFile = serde_json::from_value(json).unwrap();
        file.into_draft(&DeliveryMethod::defaults())
    }

    #[test]
    fn a_file_with_items_only_takes_the_forms_defaults() {
        let d = read(serde_json::json!({"items": [{"name": "Фильтр", "price": "1000", "quantity": 2, "weight_g": 700}]}))
            .unwrap();
        assert_eq!(d.number, "", "the engine numbers it by the time");
        assert!(d.declared_value_auto);
        assert_eq!(
            d.declared_value,
            Decimal::from(2000),
            "declared: the items' total"
        );
        assert_eq!((d.weight_g, d.cod, d.payment_method), (1400, false, None));
        assert_eq!(d.order_type, OrderType::Standard);
    }

    #[test]
    fn the_method_is_found_by_name_or_code_and_prices_the_delivery() {
        let mut methods = DeliveryMethod::defaults();
        methods[0].codes.insert("retailcrm".into(), "courier-msk".into());
        for wanted in ["Курьер", "courier", "courier-msk"] {
            let file: DraftFile = serde_json::from_value(serde_json::json!({
                "delivery_method": wanted, "payment_method": "cash_on_delivery",
                "items": [{"name": "Фильтр", "price": "1000", "weight_g": 1500}]}))
            .unwrap();
            let d = file.into_draft(&methods).unwrap();
            assert_eq!(d.delivery_method, "courier", "{wanted}");
            assert_eq!(d.delivery_cost, Decimal::from(450), "350 + 2 started kg × 50");
            assert!(d.cod);
            assert_eq!(
                d.cod_amount(),
                Decimal::from(1450),
                "cash on delivery: the whole total"
            );
        }
    }

    #[test]
    fn unknown_values_are_named_by_their_field() {
        let problems = read(
            serde_json::json!({"delivery_method": "Телепорт", "payment_method": "barter",
            "order_type": "express", "items": [{"name": "x", "price": "1"}]}),
        )
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["delivery_method", "payment_method", "order_type"]);
        assert!(problems[0].message.contains("Курьер"), "{}", problems[0].message);
        let typo = serde_json::from_value::<DraftFile>(serde_json::json!({"itmes": []}));
        assert!(typo.is_err(), "a misspelt field is refused, not ignored");
    }
}
