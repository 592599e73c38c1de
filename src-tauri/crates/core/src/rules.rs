//! Automatic processing: an account's ordered rules decide a new line the way the manager would.
//! The first enabled rule whose conditions hold decides; no rule leaves the line to the manager.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::pricelist::brand_key;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Rule {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    pub conditions: Vec<Condition>,
    pub action: RuleAction,
}

/// An account's rules and whether they run on new lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RuleSet {
    pub account_id: i64,
    pub enabled: bool,
    pub rules: Vec<Rule>,
}

/// What the rules would do (dry run) or did to one inbox line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RuleOutcome {
    pub line_id: i64,
    pub order_id: i64,
    pub order_number: String,
    pub account_id: i64,
    pub line_name: String,
    pub decision: RuleDecision,
    /// The offer an accept would bind.
    pub offer: Option<crate::pricelist::OfferView>,
    /// Why a decided line was not changed (e.g. the order was cancelled meanwhile).
    pub error: Option<String>,
}

/// A condition on the line's offers (it holds when at least one offer meets every offer condition
/// of the rule) or on the order (region).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Condition {
    /// An offer from one of these price lists (any list when empty).
    OfferInLists {
        list_ids: Vec<i64>,
    },
    /// The offer's stock covers the ordered quantity (unknown stock does not).
    StockCoversQuantity,
    /// Marketplace price ≥ offer price × (1 + percent / 100).
    MinMargin {
        #[ts(type = "string")]
        percent: Decimal,
    },
    /// The offer is delivered in at most this many days (unknown delivery time is not).
    MaxDeliveryDays {
        days: i64,
    },
    BrandIn {
        brands: Vec<String>,
    },
    BrandNotIn {
        brands: Vec<String>,
    },
    /// The order's delivery region is one of these (case-insensitive).
    RegionIn {
        regions: Vec<String>,
    },
}

impl Condition {
    fn is_about_offer(&self) -> bool {
        !matches!(self, Condition::RegionIn { .. })
    }

    fn offer_passes(&self, offer: &CandidateOffer, line: &LineFacts) -> bool {
        match self {
            Condition::OfferInLists { list_ids } => list_ids.is_empty() || list_ids.contains(&offer.list_id),
            Condition::StockCoversQuantity => offer.stock.is_some_and(|s| s >= line.quantity),
            Condition::MinMargin { percent } => {
                // Checked: an absurd price or percent fails the condition instead of panicking.
                (Decimal::ONE + *percent / Decimal::from(100))
                    .checked_mul(offer.price)
                    .is_some_and(|floor| line.unit_price >= floor)
            }
            Condition::MaxDeliveryDays { days } => offer.delivery_days.is_some_and(|d| d <= *days),
            Condition::BrandIn { brands } => brands.iter().any(|b| brand_key(b) == brand_key(&offer.brand)),
            Condition::BrandNotIn { brands } => {
                !brands.iter().any(|b| brand_key(b) == brand_key(&offer.brand))
            }
            Condition::RegionIn { .. } => true,
        }
    }

    fn line_passes(&self, line: &LineFacts) -> bool {
        match self {
            Condition::RegionIn { regions } => line.region.is_some_and(|r| {
                regions
                    .iter()
                    .any(|want| want.trim().to_lowercase() == r.trim().to_lowercase())
            }),
            _ => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum BestBy {
    Price,
    Delivery,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum RuleAction {
    /// Accept with the best offer that meets the rule's conditions.
    Accept { by: BestBy },
    /// Reject with this marketplace cancel reason (the account's default when empty).
    Reject {
        reason_id: Option<i64>,
        message: Option<String>,
    },
    /// Stop here and leave the line to the manager.
    Leave,
}

/// An offer that matches the line, as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateOffer {
    pub offer_id: i64,
    pub list_id: i64,
    pub brand: String,
    pub price: Decimal,
    pub stock: Option<i64>,
    pub delivery_days: Option<i64>,
}

/// What the rules know about a line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineFacts<'a> {
    pub quantity: i64,
    /// The marketplace's price for one unit.
    pub unit_price: Decimal,
    pub region: Option<&'a str>,
    pub offers: &'a [CandidateOffer],
}

/// What the rules decided for one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum RuleDecision {
    Accept {
        rule_id: i64,
        rule_name: String,
        offer_id: i64,
    },
    Reject {
        rule_id: i64,
        rule_name: String,
        reason_id: Option<i64>,
        message: Option<String>,
    },
    /// A rule said to leave it, or no rule matched (`rule_id` empty).
    Leave {
        rule_id: Option<i64>,
        rule_name: Option<String>,
    },
}

impl RuleDecision {
    pub fn rule_name(&self) -> Option<&str> {
        match self {
            RuleDecision::Accept { rule_name, .. } | RuleDecision::Reject { rule_name, .. } => {
                Some(rule_name)
            }
            RuleDecision::Leave { rule_name, .. } => rule_name.as_deref(),
        }
    }
}

/// Runs the rules in order over one line.
pub fn evaluate(rules: &[Rule], line: &LineFacts) -> RuleDecision {
    for rule in rules.iter().filter(|r| r.enabled) {
        if !rule.conditions.iter().all(|c| c.line_passes(line)) {
            continue;
        }
        let offer_conditions: Vec<&Condition> =
            rule.conditions.iter().filter(|c| c.is_about_offer()).collect();
        let passing: Vec<&CandidateOffer> = line
            .offers
            .iter()
            .filter(|o| offer_conditions.iter().all(|c| c.offer_passes(o, line)))
            .collect();
        // Offer conditions need an offer that meets them all; accepting always needs an offer.
        let needs_offer = !offer_conditions.is_empty() || matches!(rule.action, RuleAction::Accept { .. });
        if needs_offer && passing.is_empty() {
            continue;
        }
        return match &rule.action {
            RuleAction::Accept { by } => RuleDecision::Accept {
                rule_id: rule.id,
                rule_name: rule.name.clone(),
                offer_id: best_offer(&passing, *by).offer_id,
            },
            RuleAction::Reject { reason_id, message } => RuleDecision::Reject {
                rule_id: rule.id,
                rule_name: rule.name.clone(),
                reason_id: *reason_id,
                message: message.clone(),
            },
            RuleAction::Leave => RuleDecision::Leave {
                rule_id: Some(rule.id),
                rule_name: Some(rule.name.clone()),
            },
        };
    }
    RuleDecision::Leave {
        rule_id: None,
        rule_name: None,
    }
}

/// Cheapest (then fastest), or fastest (then cheapest); unknown delivery times count as slowest.
/// Ties go to the lower offer id so the choice is stable.
fn best_offer<'a>(offers: &[&'a CandidateOffer], by: BestBy) -> &'a CandidateOffer {
    let days = |o: &CandidateOffer| o.delivery_days.unwrap_or(i64::MAX);
    offers
        .iter()
        .copied()
        .min_by(|a, b| {
            let primary = match by {
                BestBy::Price => a.price.cmp(&b.price).then(days(a).cmp(&days(b))),
                BestBy::Delivery => days(a).cmp(&days(b)).then(a.price.cmp(&b.price)),
            };
            primary.then(a.offer_id.cmp(&b.offer_id))
        })
        .expect("best_offer is called with at least one offer")
}

/// Margin of the marketplace price over the offer price, in percent (None for a free offer).
/// None too when the figures are too large to divide (an absurd stored price never panics a list).
pub fn margin_percent(unit_price: Decimal, offer_price: Decimal) -> Option<Decimal> {
    unit_price
        .checked_sub(offer_price)?
        .checked_div(offer_price)?
        .checked_mul(Decimal::from(100))
        .map(|m| m.round_dp(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(
        id: i64,
        list: i64,
        brand: &str,
        price: i64,
        stock: Option<i64>,
        days: Option<i64>,
    ) -> CandidateOffer {
        CandidateOffer {
            offer_id: id,
            list_id: list,
            brand: brand.into(),
            price: Decimal::from(price),
            stock,
            delivery_days: days,
        }
    }

    fn rule(id: i64, conditions: Vec<Condition>, action: RuleAction) -> Rule {
        Rule {
            id,
            name: format!("rule {id}"),
            enabled: true,
            conditions,
            action,
        }
    }

    fn accept(by: BestBy) -> RuleAction {
        RuleAction::Accept { by }
    }

    fn reject() -> RuleAction {
        RuleAction::Reject {
            reason_id: Some(352),
            message: None,
        }
    }

    #[test]
    fn table_of_single_conditions() {
        let offers = [offer(1, 10, "Mann", 100, Some(5), Some(3))];
        let facts = |qty: i64, price: i64, region: Option<&'static str>| LineFacts {
            quantity: qty,
            unit_price: Decimal::from(price),
            region,
            offers: &[],
        };
        let cases: Vec<(Condition, i64, i64, Option<&str>, bool)> = vec![
            (Condition::OfferInLists { list_ids: vec![10] }, 1, 200, None, true),
            (
                Condition::OfferInLists { list_ids: vec![11] },
                1,
                200,
                None,
                false,
            ),
            (Condition::OfferInLists { list_ids: vec![] }, 1, 200, None, true),
            (Condition::StockCoversQuantity, 5, 200, None, true),
            (Condition::StockCoversQuantity, 6, 200, None, false),
            (
                Condition::MinMargin {
                    percent: Decimal::from(20),
                },
                1,
                120,
                None,
                true,
            ),
            (
                Condition::MinMargin {
                    percent: Decimal::from(20),
                },
                1,
                119,
                None,
                false,
            ),
            (Condition::MaxDeliveryDays { days: 3 }, 1, 200, None, true),
            (Condition::MaxDeliveryDays { days: 2 }, 1, 200, None, false),
            (
                Condition::BrandIn {
                    brands: vec!["MANN".into()],
                },
                1,
                200,
                None,
                true,
            ),
            (
                Condition::BrandIn {
                    brands: vec!["Bosch".into()],
                },
                1,
                200,
                None,
                false,
            ),
            (
                Condition::BrandNotIn {
                    brands: vec!["mann".into()],
                },
                1,
                200,
                None,
                false,
            ),
            (
                Condition::BrandNotIn {
                    brands: vec!["Bosch".into()],
                },
                1,
                200,
                None,
                true,
            ),
            (
                Condition::RegionIn {
                    regions: vec!["москва".into()],
                },
                1,
                200,
                Some("Москва"),
                true,
            ),
            (
                Condition::RegionIn {
                    regions: vec!["Москва".into()],
                },
                1,
                200,
                Some("Казань"),
                false,
            ),
            (
                Condition::RegionIn {
                    regions: vec!["Москва".into()],
                },
                1,
                200,
                None,
                false,
            ),
        ];
        for (condition, qty, price, region, want) in cases {
            let mut line = facts(qty, price, region);
            line.offers = &offers;
            let rules = [rule(1, vec![condition.clone()], accept(BestBy::Price))];
            let got = matches!(evaluate(&rules, &line), RuleDecision::Accept { .. });
            assert_eq!(
                got, want,
                "{condition:?} qty {qty} price {price} region {region:?}"
            );
        }
    }

    #[test]
    fn unknown_stock_and_delivery_never_satisfy() {
        let offers = [offer(1, 10, "Mann", 100, None, None)];
        let line = LineFacts {
            quantity: 1,
            unit_price: Decimal::from(500),
            region: None,
            offers: &offers,
        };
        for c in [
            Condition::StockCoversQuantity,
            Condition::MaxDeliveryDays { days: 99 },
        ] {
            let rules = [rule(1, vec![c], accept(BestBy::Price))];
            assert!(matches!(
                evaluate(&rules, &line),
                RuleDecision::Leave { rule_id: None, .. }
            ));
        }
    }

    #[test]
    fn all_conditions_must_hold_for_one_and_the_same_offer() {
        // Offer 1 is in stock but slow, offer 2 is fast but out of stock: no single offer passes.
        let offers = [
            offer(1, 10, "Mann", 100, Some(9), Some(10)),
            offer(2, 10, "Mann", 100, Some(0), Some(1)),
        ];
        let line = LineFacts {
            quantity: 1,
            unit_price: Decimal::from(500),
            region: None,
            offers: &offers,
        };
        let rules = [rule(
            1,
            vec![
                Condition::StockCoversQuantity,
                Condition::MaxDeliveryDays { days: 2 },
            ],
            accept(BestBy::Price),
        )];
        assert!(matches!(
            evaluate(&rules, &line),
            RuleDecision::Leave { rule_id: None, .. }
        ));
    }

    #[test]
    fn best_offer_by_price_or_by_delivery() {
        let offers = [
            offer(1, 10, "A", 300, Some(1), Some(1)),
            offer(2, 10, "B", 100, Some(1), Some(9)),
            offer(3, 10, "C", 100, Some(1), Some(5)),
            offer(4, 10, "D", 200, Some(1), None),
        ];
        let line = LineFacts {
            quantity: 1,
            unit_price: Decimal::from(1000),
            region: None,
            offers: &offers,
        };
        let by_price = evaluate(&[rule(1, vec![], accept(BestBy::Price))], &line);
        assert!(
            matches!(by_price, RuleDecision::Accept { offer_id: 3, .. }),
            "{by_price:?}"
        );
        let by_days = evaluate(&[rule(1, vec![], accept(BestBy::Delivery))], &line);
        assert!(
            matches!(by_days, RuleDecision::Accept { offer_id: 1, .. }),
            "{by_days:?}"
        );
    }

    #[test]
    fn rules_run_in_order_and_disabled_ones_are_skipped() {
        let offers = [offer(1, 10, "Mann", 100, Some(0), Some(2))];
        let line = LineFacts {
            quantity: 1,
            unit_price: Decimal::from(150),
            region: Some("Москва"),
            offers: &offers,
        };
        let mut in_stock = rule(1, vec![Condition::StockCoversQuantity], accept(BestBy::Price));
        let fallback_reject = rule(2, vec![], reject());
        let leave = rule(3, vec![], RuleAction::Leave);

        let decision = evaluate(&[in_stock.clone(), fallback_reject.clone()], &line);
        assert!(
            matches!(
                &decision,
                RuleDecision::Reject {
                    rule_id: 2,
                    reason_id: Some(352),
                    ..
                }
            ),
            "{decision:?}"
        );
        assert_eq!(decision.rule_name(), Some("rule 2"));

        let decision = evaluate(&[leave.clone(), fallback_reject.clone()], &line);
        assert_eq!(
            decision,
            RuleDecision::Leave {
                rule_id: Some(3),
                rule_name: Some("rule 3".into())
            }
        );

        in_stock.conditions.clear();
        let mut disabled = in_stock.clone();
        disabled.enabled = false;
        let decision = evaluate(&[disabled, fallback_reject], &line);
        assert!(matches!(decision, RuleDecision::Reject { rule_id: 2, .. }));
    }

    #[test]
    fn accept_without_any_offer_does_not_match() {
        let line = LineFacts {
            quantity: 1,
            unit_price: Decimal::from(150),
            region: None,
            offers: &[],
        };
        let decision = evaluate(
            &[rule(1, vec![], accept(BestBy::Price)), rule(2, vec![], reject())],
            &line,
        );
        assert!(matches!(decision, RuleDecision::Reject { rule_id: 2, .. }));
    }

    #[test]
    fn margin_is_relative_to_the_offer_price() {
        assert_eq!(
            margin_percent(Decimal::from(150), Decimal::from(100)),
            Some(Decimal::from(50))
        );
        assert_eq!(
            margin_percent(Decimal::from(90), Decimal::from(100)),
            Some(Decimal::from(-10))
        );
        assert_eq!(margin_percent(Decimal::from(90), Decimal::ZERO), None);
        assert_eq!(margin_percent(Decimal::MAX, Decimal::new(1, 4)), None);
        assert_eq!(margin_percent(Decimal::MAX, -Decimal::MAX), None);
    }
}
