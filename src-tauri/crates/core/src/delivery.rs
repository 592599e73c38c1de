//! Delivery methods the shop offers (Settings → Delivery): what each costs, how long it takes,
//! and what it asks of an order — a postal code, no card payment on delivery, an order type.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cabinet::{DraftProblem, OrderType, PaymentMethod, ShopOrderDraft};
use crate::{AppError, ErrorWords, Thing};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DeliveryKind {
    #[default]
    Courier,
    PickupPoint,
    Post,
}

/// The systems an order can be transferred to, by the id a method's `codes` are keyed by, with
/// the name the shop knows them by.
pub const TRANSFER_TARGETS: [(&str, &str); 6] = [
    ("retailcrm", "RetailCRM"),
    ("moysklad", "MoySklad"),
    ("amocrm", "amoCRM"),
    ("insales", "InSales"),
    ("bitrix24", "Bitrix24"),
    ("shiptor", "Shiptor"),
];

/// The longest delivery term a method may state: a quarter of a year covers sea freight.
pub const MAX_TERM_DAYS: u32 = 90;
/// Names and codes are shown in one line of a select and sent to other systems as they are.
const MAX_TEXT: usize = 100;

/// A delivery method with its tariff: cost = base + per kg started (a fixed price has no per-kg
/// part).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DeliveryMethod {
    /// What orders store to name their method; never changes once orders use it.
    pub id: String,
    pub name: String,
    pub kind: DeliveryKind,
    /// Who carries it (CDEK, Russian Post, the shop's own courier); may be empty.
    pub carrier: String,
    #[ts(type = "string")]
    pub base: Decimal,
    #[ts(type = "string")]
    pub per_kg: Decimal,
    /// Days to the buyer at most; None when the method does not say.
    pub term_days: Option<u32>,
    /// Russian Post does not deliver without one.
    pub postal_code_required: bool,
    /// Whether the buyer may pay by card when the parcel is handed over.
    pub card_on_delivery: bool,
    /// The order type an order with this method gets (a method through the shop's warehouse makes
    /// it "standard"); None leaves the type to the manager.
    pub order_type: Option<OrderType>,
    /// Per transfer target (see [`TRANSFER_TARGETS`]), the code that system knows the method by.
    pub codes: BTreeMap<String, String>,
}

/// A method as stored by any version: the fields added later are optional, and the built-in
/// methods of a database made before them get their rules from [`DeliveryMethod::defaults`].
#[derive(Deserialize)]
struct StoredMethod {
    id: String,
    name: String,
    base: Decimal,
    per_kg: Decimal,
    kind: Option<DeliveryKind>,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    term_days: Option<u32>,
    postal_code_required: Option<bool>,
    card_on_delivery: Option<bool>,
    #[serde(default)]
    order_type: Option<OrderType>,
    #[serde(default)]
    codes: BTreeMap<String, String>,
}

impl<'de> Deserialize<'de> for DeliveryMethod {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        StoredMethod::deserialize(d).map(Into::into)
    }
}

impl From<StoredMethod> for DeliveryMethod {
    fn from(s: StoredMethod) -> Self {
        let builtin = DeliveryMethod::defaults().into_iter().find(|m| m.id == s.id);
        let kind = s.kind.or(builtin.as_ref().map(|m| m.kind)).unwrap_or_default();
        let rules = builtin.unwrap_or_else(|| DeliveryMethod::new("", "", kind));
        DeliveryMethod {
            id: s.id,
            name: s.name,
            kind,
            carrier: s.carrier,
            base: s.base,
            per_kg: s.per_kg,
            term_days: s.term_days,
            postal_code_required: s.postal_code_required.unwrap_or(rules.postal_code_required),
            card_on_delivery: s.card_on_delivery.unwrap_or(rules.card_on_delivery),
            order_type: s.order_type,
            codes: s.codes,
        }
    }
}

/// What a method costs an order of a given weight: shown beside each method in the order form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DeliveryQuote {
    pub method_id: String,
    #[ts(type = "string")]
    pub cost: Decimal,
}

impl DeliveryMethod {
    /// A free method of a kind, with the rules that kind usually has (the post asks for a postal
    /// code and takes no card on delivery).
    pub fn new(id: &str, name: &str, kind: DeliveryKind) -> Self {
        let post = kind == DeliveryKind::Post;
        DeliveryMethod {
            id: id.into(),
            name: name.into(),
            kind,
            carrier: String::new(),
            base: Decimal::ZERO,
            per_kg: Decimal::ZERO,
            term_days: None,
            postal_code_required: post,
            card_on_delivery: !post,
            order_type: None,
            codes: BTreeMap::new(),
        }
    }

    pub fn cost(&self, weight_g: i64) -> Decimal {
        let kg = weight_g.max(0).saturating_add(999) / 1000;
        self.base
            .saturating_add(self.per_kg.saturating_mul(Decimal::from(kg)))
    }

    /// What a new database offers until the shop sets its own.
    pub fn defaults() -> Vec<DeliveryMethod> {
        let m = |id: &str, name: &str, kind, carrier: &str, base: i64, per_kg: i64, term| DeliveryMethod {
            carrier: carrier.into(),
            base: Decimal::from(base),
            per_kg: Decimal::from(per_kg),
            term_days: term,
            ..DeliveryMethod::new(id, name, kind)
        };
        vec![
            m("courier", "Курьер", DeliveryKind::Courier, "", 350, 50, Some(2)),
            m(
                "pickup_point",
                "Пункт выдачи",
                DeliveryKind::PickupPoint,
                "",
                200,
                30,
                Some(4),
            ),
            m(
                "post",
                "Почта России",
                DeliveryKind::Post,
                "Почта России",
                250,
                60,
                Some(10),
            ),
            DeliveryMethod {
                order_type: Some(OrderType::Standard),
                term_days: Some(0),
                ..DeliveryMethod::new("self_pickup", "Самовывоз", DeliveryKind::PickupPoint)
            },
        ]
    }

    /// What the method asks of an order that is not a pre-order: each problem by its field.
    pub fn problems(&self, draft: &ShopOrderDraft) -> Vec<DraftProblem> {
        let mut out = vec![];
        let mut add =
            |field: &str, code: &str, message: String| out.push(DraftProblem::new(field, code, message));
        if self.postal_code_required && !draft.preorder && draft.address.postal_code.trim().is_empty() {
            add(
                "address.postal_code",
                "postal_code_required",
                format!("«{}» needs the recipient's postal code", self.name),
            );
        }
        if !self.card_on_delivery && draft.payment_method == Some(PaymentMethod::CardOnDelivery) {
            add(
                "payment_method",
                "no_card_on_delivery",
                format!("«{}» takes no card payment on delivery", self.name),
            );
        }
        out
    }
}

/// A new method's id from its name: lower-case Latin letters, digits and `_`, unique among
/// `taken` (orders keep the id, so it never follows a later rename).
pub fn method_id(name: &str, taken: &[DeliveryMethod]) -> String {
    let mut base: String = name
        .trim()
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    base = base.trim_matches('_').to_string();
    if base.is_empty() {
        base = "method".into();
    }
    base.truncate(40);
    let free = |id: &str| !taken.iter().any(|m| m.id == id);
    if free(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|id| free(id))
        .expect("some suffix is free")
}

/// Gives each method saved without an id (a new one) its id from its name.
pub fn assign_ids(methods: &mut [DeliveryMethod]) {
    for i in 0..methods.len() {
        if methods[i].id.trim().is_empty() && !methods[i].name.trim().is_empty() {
            methods[i].id = method_id(&methods[i].name, methods);
        }
    }
}

/// What the manager may save: named, unique, priced at zero or more, with a term and codes that
/// fit. The first problem found, by the field the form shows it at.
pub fn validate_methods(methods: &[DeliveryMethod]) -> Result<(), AppError> {
    for (i, m) in methods.iter().enumerate() {
        let field = |f: &str| format!("delivery_methods.{i}.{f}");
        let name = m.name.trim();
        if m.id.trim().is_empty() || name.is_empty() {
            return Err(AppError::refused(ErrorWords::NameEmpty {
                thing: Thing::DeliveryMethod,
            }));
        }
        let earlier = &methods[..i];
        if earlier.iter().any(|o| o.id == m.id)
            || earlier
                .iter()
                .any(|o| o.name.trim().to_lowercase() == name.to_lowercase())
        {
            return Err(AppError::refused(ErrorWords::NameTaken {
                thing: Thing::DeliveryMethod,
                name: name.into(),
            }));
        }
        for (f, label, text) in [
            ("name", "The method's name", &m.name),
            ("carrier", "The carrier", &m.carrier),
        ] {
            if text.chars().count() > MAX_TEXT {
                return Err(too_long(&field(f), label));
            }
        }
        for (f, label, amount) in [
            ("base", "The base price", m.base),
            ("per_kg", "The price per kg", m.per_kg),
        ] {
            if amount < Decimal::ZERO {
                return Err(AppError::refused(ErrorWords::out_of_range(
                    &field(f),
                    label,
                    Some(0),
                    None,
                    None,
                )));
            }
        }
        if m.term_days.is_some_and(|d| d > MAX_TERM_DAYS) {
            return Err(AppError::refused(ErrorWords::out_of_range(
                &field("term_days"),
                "The delivery term",
                Some(0),
                Some(MAX_TERM_DAYS.into()),
                Some("days"),
            )));
        }
        for (target, code) in &m.codes {
            if !TRANSFER_TARGETS.iter().any(|(id, _)| id == target) {
                return Err(AppError::refused(ErrorWords::Unknown {
                    field: field("codes"),
                    value: target.clone(),
                }));
            }
            if code.chars().count() > MAX_TEXT {
                return Err(too_long(&field("codes"), "A code in another system"));
            }
        }
    }
    Ok(())
}

fn too_long(field: &str, label: &str) -> AppError {
    AppError::refused(ErrorWords::TooLong {
        field: field.into(),
        label: label.into(),
        max: MAX_TEXT as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cabinet::{OrderItem, Recipient};
    use crate::Address;

    fn order(payment: Option<PaymentMethod>, postal_code: &str) -> ShopOrderDraft {
        ShopOrderDraft {
            recipient: Recipient {
                name: "Иван".into(),
                phone: "+79001234567".into(),
                ..Recipient::default()
            },
            address: Address {
                text: "Москва, Тверская 1".into(),
                postal_code: postal_code.into(),
                ..Address::default()
            },
            items: vec![OrderItem {
                id: None,
                line_id: None,
                offer_id: None,
                article: "A1".into(),
                brand: String::new(),
                name: "Фильтр".into(),
                quantity: 1,
                price: Decimal::from(100),
                weight_g: 500,
                length_cm: 0,
                width_cm: 0,
                height_cm: 0,
            }],
            payment_method: payment,
            ..ShopOrderDraft::empty()
        }
    }

    fn post() -> DeliveryMethod {
        DeliveryMethod::defaults()
            .into_iter()
            .find(|m| m.id == "post")
            .unwrap()
    }

    #[test]
    fn the_post_needs_a_postal_code_and_takes_no_card_on_delivery() {
        let fields = |d: &ShopOrderDraft| {
            post()
                .problems(d)
                .into_iter()
                .map(|p| p.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            fields(&order(Some(PaymentMethod::CardOnDelivery), " ")),
            ["address.postal_code", "payment_method"]
        );
        assert!(fields(&order(Some(PaymentMethod::CashOnDelivery), "101000")).is_empty());
        let courier = &DeliveryMethod::defaults()[0];
        assert!(courier
            .problems(&order(Some(PaymentMethod::CardOnDelivery), ""))
            .is_empty());
        let preorder = ShopOrderDraft {
            preorder: true,
            ..order(None, "")
        };
        assert!(
            fields(&preorder).is_empty(),
            "a pre-order's buyer gives the address later"
        );
    }

    #[test]
    fn a_fixed_price_ignores_weight_and_a_tariff_counts_each_started_kilogram() {
        let fixed = DeliveryMethod {
            base: Decimal::from(500),
            ..DeliveryMethod::new("cdek", "СДЭК", DeliveryKind::Courier)
        };
        assert_eq!(fixed.cost(0), Decimal::from(500));
        assert_eq!(fixed.cost(25_000), Decimal::from(500));
        let tariff = DeliveryMethod {
            base: Decimal::from(100),
            per_kg: Decimal::from(10),
            ..DeliveryMethod::new("c", "c", DeliveryKind::Courier)
        };
        assert_eq!(tariff.cost(0), Decimal::from(100));
        assert_eq!(tariff.cost(1), Decimal::from(110));
        assert_eq!(tariff.cost(1000), Decimal::from(110));
        assert_eq!(tariff.cost(1001), Decimal::from(120));
    }

    #[test]
    fn methods_stored_before_their_rules_existed_get_the_built_in_rules() {
        let old = serde_json::json!([
            {"id": "post", "name": "Почта России", "base": "250", "per_kg": "60"},
            {"id": "own", "name": "Своя доставка", "base": "100", "per_kg": "0"},
        ]);
        let read: Vec<DeliveryMethod> = serde_json::from_value(old).unwrap();
        assert_eq!(read[0].kind, DeliveryKind::Post);
        assert!(read[0].postal_code_required && !read[0].card_on_delivery);
        assert_eq!(
            (
                read[1].kind,
                read[1].postal_code_required,
                read[1].card_on_delivery
            ),
            (DeliveryKind::Courier, false, true)
        );
        assert_eq!(read[1].base, Decimal::from(100));
        let again: Vec<DeliveryMethod> =
            serde_json::from_value(serde_json::to_value(&read).unwrap()).unwrap();
        assert_eq!(again, read, "a method survives its own round trip");
    }

    #[test]
    fn new_methods_get_their_ids_on_saving_and_old_ones_keep_theirs() {
        let mut methods = DeliveryMethod::defaults();
        methods[0].name = "Courier renamed".into();
        methods.push(DeliveryMethod::new("", "Courier", DeliveryKind::Courier));
        methods.push(DeliveryMethod::new("", "Courier", DeliveryKind::Courier));
        assign_ids(&mut methods);
        let ids: Vec<&str> = methods.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "courier",
                "pickup_point",
                "post",
                "self_pickup",
                "courier_2",
                "courier_3"
            ]
        );
    }

    #[test]
    fn ids_come_from_names_and_never_collide() {
        let taken = DeliveryMethod::defaults();
        assert_eq!(method_id("CDEK Express", &taken), "cdek_express");
        assert_eq!(method_id("Courier", &taken), "courier_2");
        assert_eq!(method_id("СДЭК", &taken), "method");
        let mut more = taken.clone();
        more.push(DeliveryMethod::new("method", "x", DeliveryKind::Courier));
        assert_eq!(method_id("Почта", &more), "method_2");
    }

    #[test]
    fn saving_refuses_unnamed_repeated_negative_or_too_long_methods() {
        let ok = DeliveryMethod::defaults();
        assert!(validate_methods(&ok).is_ok());
        let with = |change: &dyn Fn(&mut Vec<DeliveryMethod>)| {
            let mut m = ok.clone();
            change(&mut m);
            *validate_methods(&m).unwrap_err().words.unwrap()
        };
        assert!(matches!(
            with(&|m| m[1].name = " ".into()),
            ErrorWords::NameEmpty { .. }
        ));
        assert!(matches!(
            with(&|m| m[1].name = "курьер ".into()),
            ErrorWords::NameTaken { .. }
        ));
        assert!(matches!(
            with(&|m| m[2].id = "courier".into()),
            ErrorWords::NameTaken { .. }
        ));
        assert!(
            matches!(with(&|m| m[0].per_kg = Decimal::from(-1)), ErrorWords::OutOfRange { ref field, .. } if field == "delivery_methods.0.per_kg")
        );
        assert!(matches!(
            with(&|m| m[0].term_days = Some(91)),
            ErrorWords::OutOfRange { .. }
        ));
        assert!(matches!(
            with(&|m| {
                m[0].codes.insert("nowhere".into(), "x".into());
            }),
            ErrorWords::Unknown { .. }
        ));
        assert!(matches!(
            with(&|m| m[0].carrier = "x".repeat(101)),
            ErrorWords::TooLong { .. }
        ));
    }
}
