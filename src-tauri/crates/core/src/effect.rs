//! Which marketplace calls a triage decision causes. Pure: the engine stores the planned effects as
//! outbox rows in the same transaction as the decision, and a worker delivers them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{LineState, TriageAction};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EffectItem {
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CancelReason {
    pub id: i64,
    pub message: String,
}

/// One outbound call to a marketplace, described independently of its wire format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Effect {
    /// Every line accepted: assemble the order into one package with the accepted items.
    Ship {
        order_external_id: String,
        items: Vec<EffectItem>,
    },
    /// Some lines rejected: cancel those products only.
    CancelLines {
        order_external_id: String,
        reason: CancelReason,
        items: Vec<EffectItem>,
    },
    /// Every line rejected: cancel the whole order.
    CancelOrder {
        order_external_id: String,
        reason: CancelReason,
    },
    /// Set one line to a marketplace status with a comment for the buyer (marketplaces where each line
    /// is an order of its own). The comment is written when the decision is made, so what was
    /// sent is what the timeline shows.
    SetLineStatus {
        order_external_id: String,
        line_external_id: String,
        status: String,
        #[serde(default)]
        comment: String,
        /// When the decision was made: a line may go through the same status twice (X, Y, X)
        /// and each is a call of its own.
        decided_at: String,
    },
    /// realFBS (the seller delivers): the delivery reached a stage, one of
    /// [`DELIVERY_STAGES`] ("delivering", "last_mile", "delivered").
    DeliveryStatus {
        order_external_id: String,
        status: String,
    },
    /// Set the whole order to one of the platform's own statuses (store platforms keep one status
    /// per order, with no ship or cancel calls of their own).
    SetOrderStatus {
        order_external_id: String,
        status: String,
    },
    /// The tracking number the manager entered on the order.
    SetTracking {
        order_external_id: String,
        tracking_number: String,
    },
}

/// Where an outbox row goes: an account, of a marketplace or of a transfer target (a CRM, a
/// delivery service). The worker hands the row's payload to the account's client; the outbox
/// knows no payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    Account(i64),
}

/// What an outbox row is about: rows of one subject are delivered in the order they were queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    /// An order from a marketplace (its lines included).
    ExternalOrder(i64),
    ShopOrder(i64),
}

impl Destination {
    /// The stored form: (`destination_kind`, `destination_id`).
    pub fn parts(self) -> (&'static str, i64) {
        match self {
            Destination::Account(id) => ("account", id),
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "account" => Some(Destination::Account(id)),
            _ => None,
        }
    }

    pub fn account(self) -> Option<i64> {
        match self {
            Destination::Account(id) => Some(id),
        }
    }
}

impl Subject {
    /// The stored form: (`subject_kind`, `subject_id`).
    pub fn parts(self) -> (&'static str, i64) {
        match self {
            Subject::ExternalOrder(id) => ("external_order", id),
            Subject::ShopOrder(id) => ("shop_order", id),
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Option<Self> {
        match kind {
            "external_order" => Some(Subject::ExternalOrder(id)),
            "shop_order" => Some(Subject::ShopOrder(id)),
            _ => None,
        }
    }

    pub fn external_order(self) -> Option<i64> {
        match self {
            Subject::ExternalOrder(id) => Some(id),
            Subject::ShopOrder(_) => None,
        }
    }

    pub fn shop_order(self) -> Option<i64> {
        match self {
            Subject::ShopOrder(id) => Some(id),
            Subject::ExternalOrder(_) => None,
        }
    }
}

/// The seller-delivery stages a marketplace can be told about, in delivery order.
pub const DELIVERY_STAGES: [&str; 3] = ["delivering", "last_mile", "delivered"];

impl Effect {
    pub fn kind(&self) -> &'static str {
        match self {
            Effect::Ship { .. } => "ship",
            Effect::CancelLines { .. } => "cancel_lines",
            Effect::CancelOrder { .. } => "cancel_order",
            Effect::SetLineStatus { .. } => "set_line_status",
            Effect::DeliveryStatus { .. } => "delivery_status",
            Effect::SetOrderStatus { .. } => "set_order_status",
            Effect::SetTracking { .. } => "set_tracking",
        }
    }

    pub fn order_external_id(&self) -> &str {
        match self {
            Effect::Ship {
                order_external_id, ..
            }
            | Effect::CancelLines {
                order_external_id, ..
            }
            | Effect::CancelOrder {
                order_external_id, ..
            }
            | Effect::SetLineStatus {
                order_external_id, ..
            }
            | Effect::DeliveryStatus {
                order_external_id, ..
            }
            | Effect::SetOrderStatus {
                order_external_id, ..
            }
            | Effect::SetTracking {
                order_external_id, ..
            } => order_external_id,
        }
    }

    /// Stable key for one decision's effect: the same decision never yields two rows, while a
    /// later decision that happens to ask the same again (a second partial cancel of the same
    /// product, a delivery stage told again after the order went back) gets a row of its own.
    ///
    /// `decision` identifies the change that caused the effect: the time stamped on the lines it
    /// changed (their state version), shared by every call that one decision queues. A posting
    /// ships and cancels once (a marketplace may refuse a second): those keys leave the decision
    /// out. A tracking number is queued only when the manager changes it, and a number put back
    /// after another one was sent must go again: its key keeps the decision.
    pub fn idempotency_key(&self, account_id: i64, decision: &str) -> String {
        let mut key = format!("{account_id}:{}:{}", self.kind(), self.order_external_id());
        match self {
            Effect::CancelLines { items, .. } => {
                let mut skus: Vec<&str> = items.iter().map(|i| i.sku.as_str()).collect();
                skus.sort_unstable();
                key.push_str(&format!(":{}@{decision}", skus.join(",")));
            }
            Effect::SetLineStatus {
                line_external_id,
                status,
                decided_at,
                ..
            } => key.push_str(&format!(":{line_external_id}:{status}:{decided_at}")),
            Effect::DeliveryStatus { status, .. } | Effect::SetOrderStatus { status, .. } => {
                key.push_str(&format!(":{status}@{decision}"))
            }
            Effect::SetTracking { tracking_number, .. } => {
                key.push_str(&format!(":{tracking_number}@{decision}"))
            }
            Effect::Ship { .. } | Effect::CancelOrder { .. } => {}
        }
        key
    }

    /// A short human description for the outbox list (the timeline words the same
    /// [`EffectWords`](crate::timeline::EffectWords) in the manager's language).
    pub fn describe(&self) -> String {
        crate::timeline::EffectWords::from(self).english()
    }
}

/// A line of one order, as it stands after the triage action was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAfter {
    pub line_id: i64,
    pub sku: String,
    pub quantity: i64,
    pub state: LineState,
    /// Whether this action changed the line.
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriagePolicy {
    pub ship_on_accept: bool,
    pub cancel_reason: CancelReason,
}

/// Plans the marketplace calls for one action on one order.
///
/// - reject: cancel the rejected products, or the whole order when no line is left un-rejected;
/// - once no line is `new` or `deleted` and at least one is accepted, ship the accepted items
///   (when the account ships on accept) — after the cancels, so the marketplace sees a consistent order;
/// - delete / restore are local only;
/// - an order the marketplace already cancelled gets no calls at all.
pub fn plan_effects(
    order_external_id: &str,
    marketplace_cancelled: bool,
    lines: &[LineAfter],
    action: TriageAction,
    policy: &TriagePolicy,
) -> Vec<Effect> {
    if marketplace_cancelled || lines.is_empty() || !lines.iter().any(|l| l.changed) {
        return vec![];
    }
    let item = |l: &LineAfter| EffectItem {
        sku: l.sku.clone(),
        quantity: l.quantity,
    };
    let mut effects = Vec::new();
    match action {
        TriageAction::Delete | TriageAction::Restore => return effects,
        TriageAction::Reject => {
            if lines.iter().all(|l| l.state == LineState::Rejected) {
                effects.push(Effect::CancelOrder {
                    order_external_id: order_external_id.to_string(),
                    reason: policy.cancel_reason.clone(),
                });
                return effects;
            }
            effects.push(Effect::CancelLines {
                order_external_id: order_external_id.to_string(),
                reason: policy.cancel_reason.clone(),
                items: lines.iter().filter(|l| l.changed).map(item).collect(),
            });
        }
        TriageAction::Accept => {}
    }
    let all_decided = lines
        .iter()
        .all(|l| matches!(l.state, LineState::Accepted | LineState::Rejected));
    let accepted: Vec<EffectItem> = lines
        .iter()
        .filter(|l| l.state == LineState::Accepted)
        .map(item)
        .collect();
    if policy.ship_on_accept && all_decided && !accepted.is_empty() {
        effects.push(Effect::Ship {
            order_external_id: order_external_id.to_string(),
            items: accepted,
        });
    }
    effects
}

/// Whether the marketplace still takes a ship call for an order, from the actions it lists for
/// it: an order assembled in the seller's own cabinet no longer lists "ship". An order without a
/// list (an integration that sends none) may be shipped.
pub fn ship_allowed(available_actions: &[String]) -> bool {
    available_actions.is_empty() || available_actions.iter().any(|a| a == "ship")
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineState::*;

    #[test]
    fn a_ship_call_goes_only_where_the_marketplace_still_lists_it() {
        let list = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(ship_allowed(&[]));
        assert!(ship_allowed(&list(&["cancel", "ship"])));
        assert!(!ship_allowed(&list(&["cancel"])));
    }

    fn policy(ship: bool) -> TriagePolicy {
        TriagePolicy {
            ship_on_accept: ship,
            cancel_reason: CancelReason {
                id: 352,
                message: String::new(),
            },
        }
    }

    fn lines(spec: &[(LineState, bool)]) -> Vec<LineAfter> {
        spec.iter()
            .enumerate()
            .map(|(i, (state, changed))| LineAfter {
                line_id: i as i64 + 1,
                sku: format!("sku{}", i + 1),
                quantity: i as i64 + 1,
                state: *state,
                changed: *changed,
            })
            .collect()
    }

    fn kinds(effects: &[Effect]) -> Vec<&'static str> {
        effects.iter().map(Effect::kind).collect()
    }

    /// name, each line's state after the action and whether the action touched it, the action,
    /// "ship on accept", the expected effect kinds.
    type Case = (
        &'static str,
        Vec<(LineState, bool)>,
        TriageAction,
        bool,
        Vec<&'static str>,
    );

    #[test]
    fn table() {
        use TriageAction::*;
        let cases: Vec<Case> = vec![
            (
                "accept one of two",
                vec![(Accepted, true), (New, false)],
                Accept,
                true,
                vec![],
            ),
            (
                "accept last of two",
                vec![(Accepted, false), (Accepted, true)],
                Accept,
                true,
                vec!["ship"],
            ),
            (
                "accept all, ship off",
                vec![(Accepted, true), (Accepted, true)],
                Accept,
                false,
                vec![],
            ),
            (
                "reject one of two",
                vec![(Rejected, true), (New, false)],
                Reject,
                true,
                vec!["cancel_lines"],
            ),
            (
                "reject all at once",
                vec![(Rejected, true), (Rejected, true)],
                Reject,
                true,
                vec!["cancel_order"],
            ),
            (
                "reject the last one",
                vec![(Rejected, false), (Rejected, true)],
                Reject,
                true,
                vec!["cancel_order"],
            ),
            (
                "reject completes a mixed order",
                vec![(Accepted, false), (Rejected, true)],
                Reject,
                true,
                vec!["cancel_lines", "ship"],
            ),
            (
                "accept completes a mixed order",
                vec![(Rejected, false), (Accepted, true)],
                Accept,
                true,
                vec!["ship"],
            ),
            (
                "deleted line blocks ship",
                vec![(Deleted, false), (Accepted, true)],
                Accept,
                true,
                vec![],
            ),
            (
                "delete sends nothing",
                vec![(Deleted, true)],
                Delete,
                true,
                vec![],
            ),
            ("restore sends nothing", vec![(New, true)], Restore, true, vec![]),
            ("nothing changed", vec![(Accepted, false)], Accept, true, vec![]),
        ];
        for (name, spec, action, ship, want) in cases {
            let got = plan_effects("P-1", false, &lines(&spec), action, &policy(ship));
            assert_eq!(kinds(&got), want, "{name}");
        }
    }

    #[test]
    fn ship_carries_only_accepted_items_and_cancel_only_changed_ones() {
        let l = lines(&[(Accepted, false), (Rejected, true), (Accepted, false)]);
        let got = plan_effects("P-1", false, &l, TriageAction::Reject, &policy(true));
        let Effect::CancelLines { items, .. } = &got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(
            items,
            &vec![EffectItem {
                sku: "sku2".into(),
                quantity: 2
            }]
        );
        let Effect::Ship { items, .. } = &got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(
            items.iter().map(|i| i.sku.as_str()).collect::<Vec<_>>(),
            ["sku1", "sku3"]
        );
    }

    #[test]
    fn cancelled_by_marketplace_sends_nothing() {
        let l = lines(&[(Rejected, true)]);
        assert!(plan_effects("P-1", true, &l, TriageAction::Reject, &policy(true)).is_empty());
    }

    #[test]
    fn idempotency_keys_are_stable_and_distinct() {
        let a = Effect::CancelLines {
            order_external_id: "P".into(),
            reason: CancelReason {
                id: 1,
                message: String::new(),
            },
            items: vec![
                EffectItem {
                    sku: "b".into(),
                    quantity: 1,
                },
                EffectItem {
                    sku: "a".into(),
                    quantity: 1,
                },
            ],
        };
        assert_eq!(a.idempotency_key(3, "T1"), "3:cancel_lines:P:a,b@T1");
        let s = Effect::Ship {
            order_external_id: "P".into(),
            items: vec![],
        };
        assert_eq!(s.idempotency_key(3, "T1"), "3:ship:P");
        assert_eq!(
            s.idempotency_key(3, "T1"),
            s.idempotency_key(3, "T2"),
            "a posting ships once"
        );
        assert_ne!(s.idempotency_key(3, "T1"), s.idempotency_key(4, "T1"));
        let d = |status: &str| Effect::DeliveryStatus {
            order_external_id: "P".into(),
            status: status.into(),
        };
        assert_eq!(
            d("last_mile").idempotency_key(3, "T1"),
            "3:delivery_status:P:last_mile@T1"
        );
        assert_ne!(
            d("delivering").idempotency_key(3, "T1"),
            d("delivered").idempotency_key(3, "T1")
        );
        let t = |n: &str| Effect::SetTracking {
            order_external_id: "P".into(),
            tracking_number: n.into(),
        };
        assert_ne!(
            t("A1").idempotency_key(3, "T1"),
            t("A2").idempotency_key(3, "T1"),
            "a corrected number is sent again"
        );
        assert_ne!(
            t("A1").idempotency_key(3, "T1"),
            t("A1").idempotency_key(3, "T3"),
            "a number put back after another one is sent again"
        );
    }

    #[test]
    fn a_later_decision_asking_the_same_again_gets_its_own_key_a_replayed_one_does_not() {
        let cancel = Effect::CancelLines {
            order_external_id: "P".into(),
            reason: CancelReason {
                id: 1,
                message: String::new(),
            },
            items: vec![EffectItem {
                sku: "a".into(),
                quantity: 1,
            }],
        };
        let stage = Effect::DeliveryStatus {
            order_external_id: "P".into(),
            status: "delivering".into(),
        };
        for effect in [&cancel, &stage] {
            assert_eq!(
                effect.idempotency_key(3, "2026-01-02T03:04:05.000001Z"),
                effect.idempotency_key(3, "2026-01-02T03:04:05.000001Z"),
                "the same decision queues once: {effect:?}"
            );
            assert_ne!(
                effect.idempotency_key(3, "2026-01-02T03:04:05.000001Z"),
                effect.idempotency_key(3, "2026-01-02T04:00:00.000000Z"),
                "a later decision queues again: {effect:?}"
            );
        }
    }
}
