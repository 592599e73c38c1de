//! A pre-order completed by its buyer through the link the shop sent: what the buyer's page asks
//! for, and the order it makes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::address::Address;
use crate::cabinet::{DraftProblem, PaymentMethod, Recipient, ShopOrderDraft};
use crate::delivery::DeliveryMethod;

/// A new buyer link: shown once (only its digest is kept), so copying it again makes a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PreorderLinkView {
    pub url: String,
    pub expires_at: DateTime<Utc>,
}

/// The buyer page's form, as posted (every field a string; unknown fields are ignored, missing
/// ones are empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BuyerForm {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub country: String,
    pub region: String,
    pub city: String,
    pub street: String,
    pub house: String,
    pub flat: String,
    pub postal_code: String,
    pub pickup_point_id: String,
    pub payment_method: String,
}

/// Longest a field of the page may be: a name or a street fits, a pasted novel does not.
const MAX_FIELD: usize = 200;

/// The fields the page shows, in its order (names as posted).
pub const BUYER_FIELDS: [&str; 11] = [
    "name",
    "phone",
    "email",
    "postal_code",
    "country",
    "region",
    "city",
    "street",
    "house",
    "flat",
    "pickup_point_id",
];

impl BuyerForm {
    /// The pre-order completed with what the buyer typed, or each field's problem (the order's own
    /// rules and its delivery method's: a name, a phone or an e-mail, somewhere to deliver, the
    /// postal code the post needs, a payment the method takes).
    pub fn complete(
        &self,
        preorder: &ShopOrderDraft,
        methods: &[DeliveryMethod],
    ) -> Result<ShopOrderDraft, Vec<DraftProblem>> {
        let mut problems = vec![];
        for (field, value) in self.values() {
            if value.chars().count() > MAX_FIELD {
                problems.push(DraftProblem::new(
                    &page_field_to_draft(field),
                    "too_long",
                    format!("At most {MAX_FIELD} characters"),
                ));
            }
        }
        let payment = PaymentMethod::parse(self.payment_method.trim());
        if payment.is_none() {
            problems.push(DraftProblem::new(
                "payment_method",
                "required",
                "Choose how you will pay".into(),
            ));
        }
        let on_delivery = matches!(
            payment,
            Some(PaymentMethod::CashOnDelivery | PaymentMethod::CardOnDelivery)
        );
        let draft = ShopOrderDraft {
            preorder: false,
            recipient: Recipient {
                name: self.name.trim().into(),
                phone: self.phone.trim().into(),
                email: self.email.trim().into(),
            },
            address: Address {
                country: self.country.clone(),
                region: self.region.clone(),
                city: self.city.clone(),
                street: self.street.clone(),
                house: self.house.clone(),
                flat: self.flat.clone(),
                postal_code: self.postal_code.clone(),
                pickup_point_id: self.pickup_point_id.clone(),
                pickup_point_address: String::new(),
                text: String::new(),
            },
            payment_method: payment,
            cod: on_delivery,
            cod_amount_typed: None,
            paid: false,
            ..preorder.clone()
        }
        .normalized()
        .following_method(methods);
        problems.extend(draft.problems_with(methods));
        if problems.is_empty() {
            Ok(draft)
        } else {
            Err(problems)
        }
    }

    fn values(&self) -> [(&'static str, &str); 12] {
        [
            ("name", &self.name),
            ("phone", &self.phone),
            ("email", &self.email),
            ("postal_code", &self.postal_code),
            ("country", &self.country),
            ("region", &self.region),
            ("city", &self.city),
            ("street", &self.street),
            ("house", &self.house),
            ("flat", &self.flat),
            ("pickup_point_id", &self.pickup_point_id),
            ("payment_method", &self.payment_method),
        ]
    }

    /// What the buyer typed in a field of the page (to fill the form again after a problem).
    pub fn value(&self, page_field: &str) -> &str {
        self.values()
            .into_iter()
            .find(|(f, _)| *f == page_field)
            .map_or("", |(_, v)| v)
    }
}

/// The draft's name of a page field ("city" → "address.city").
fn page_field_to_draft(field: &str) -> String {
    match field {
        "name" | "phone" | "email" => format!("recipient.{field}"),
        "payment_method" => field.into(),
        other => format!("address.{other}"),
    }
}

/// The page field a draft problem belongs to ("recipient.phone" → "phone"); problems of fields
/// the buyer cannot change (items, sizes) belong to none and are shown above the form.
pub fn draft_field_to_page(field: &str) -> Option<&'static str> {
    let short = field
        .strip_prefix("recipient.")
        .or_else(|| field.strip_prefix("address."))
        .unwrap_or(field);
    BUYER_FIELDS
        .into_iter()
        .chain(["payment_method"])
        .find(|f| *f == short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cabinet::OrderItem;
    use rust_decimal::Decimal;

    fn preorder(method: &str) -> ShopOrderDraft {
        ShopOrderDraft {
            preorder: true,
            delivery_method: method.into(),
            items: vec![OrderItem {
                id: None,
                line_id: None,
                offer_id: None,
                article: "A1".into(),
                brand: String::new(),
                name: "Фильтр".into(),
                quantity: 2,
                price: Decimal::from(1000),
                weight_g: 500,
                length_cm: 0,
                width_cm: 0,
                height_cm: 0,
            }],
            ..ShopOrderDraft::empty()
        }
    }

    fn buyer() -> BuyerForm {
        BuyerForm {
            name: " Мария Попова ".into(),
            phone: "+79001234567".into(),
            city: "Казань".into(),
            street: "ул. Баумана".into(),
            house: "1".into(),
            payment_method: "cash_on_delivery".into(),
            ..BuyerForm::default()
        }
    }

    #[test]
    fn a_buyers_answers_complete_the_pre_order_with_its_items() {
        let methods = DeliveryMethod::defaults();
        let d = buyer().complete(&preorder("courier"), &methods).unwrap();
        assert!(!d.preorder);
        assert_eq!(d.recipient.name, "Мария Попова");
        assert_eq!(d.address.text, "Казань, ул. Баумана, д. 1");
        assert_eq!(d.items.len(), 1, "the shop's items, untouched");
        assert!(d.cod, "paying on delivery is cash on delivery");
        assert_eq!(d.cod_amount(), Decimal::from(2000));
    }

    #[test]
    fn each_problem_is_named_by_the_page_field_it_belongs_to() {
        let methods = DeliveryMethod::defaults();
        let missing = BuyerForm::default()
            .complete(&preorder("post"), &methods)
            .unwrap_err();
        let fields: Vec<Option<&str>> = missing.iter().map(|p| draft_field_to_page(&p.field)).collect();
        for want in ["payment_method", "name", "phone", "city", "postal_code"] {
            assert!(fields.contains(&Some(want)), "{want} in {fields:?}");
        }
        let card_by_post = BuyerForm {
            payment_method: "card_on_delivery".into(),
            postal_code: "420111".into(),
            ..buyer()
        }
        .complete(&preorder("post"), &methods)
        .unwrap_err();
        assert_eq!(card_by_post[0].code, "no_card_on_delivery");
        let long = BuyerForm {
            street: "ы".repeat(201),
            ..buyer()
        }
        .complete(&preorder("courier"), &methods)
        .unwrap_err();
        assert_eq!(draft_field_to_page(&long[0].field), Some("street"));
    }
}
