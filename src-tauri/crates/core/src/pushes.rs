//! Which marketplace calls an account's push settings ask for when lines are decided or move to a
//! shop status, and the comment texts they carry. Pure: the store reads the facts and queues the
//! planned effects in the same transaction as the change (ship and cancel calls of a decision are
//! planned by [`crate::effect::plan_effects`]).

use std::collections::BTreeMap;

use crate::notify_text::Lang;
use crate::pricelist::BoundOffer;
use crate::statuses::{status_name, status_on_accept, ShopStatus, StatusGroup};
use crate::templates::{render, PushCapabilities, PushLevel, PushTemplates};
use crate::timeline::{NoticeKind, PushLevelWord, TimelineEvent};
use crate::{CancelReason, Effect, EffectItem, TriageAction, DELIVERY_STAGES};

/// What a push and its comment template know about one line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PushLine {
    /// The marketplace's id of the line's order.
    pub external_order: String,
    /// The line's own id at the marketplace.
    pub external_line: String,
    pub order_number: String,
    pub sku: String,
    /// The seller's article as the marketplace knows it.
    pub offer_id: String,
    pub name: String,
    pub quantity: i64,
    pub price: String,
    /// The offer the line is bound to, as stored (JSON of a [`BoundOffer`]).
    pub bound_offer: Option<String>,
    /// The tracking number entered on the shop order ("" until then).
    pub tracking: String,
}

/// The values a comment template gets for one line in `status`.
pub fn template_values(
    l: &PushLine,
    status: &ShopStatus,
    lang: Lang,
) -> Result<BTreeMap<String, String>, serde_json::Error> {
    let offer: Option<BoundOffer> = l.bound_offer.as_deref().map(serde_json::from_str).transpose()?;
    let mut v = BTreeMap::new();
    v.insert("order".into(), l.order_number.clone());
    v.insert("line".into(), l.sku.clone());
    v.insert("name".into(), l.name.clone());
    v.insert("qty".into(), l.quantity.to_string());
    v.insert("price".into(), l.price.clone());
    v.insert("status".into(), status_name(status, lang));
    // A line rejected (or not yet bound) has no offer; its article is still the one the buyer
    // ordered, which is what a refusal text names.
    match offer {
        Some(o) => {
            v.insert("brand".into(), o.brand);
            v.insert("article".into(), o.article);
        }
        None if !l.offer_id.trim().is_empty() => {
            v.insert("article".into(), l.offer_id.clone());
        }
        None => {}
    }
    // Empty until entered on the order: a template that uses it reports the missing value
    // instead of sending a gap. Reasons arrive with the cabinet issue.
    v.insert("tracking".into(), l.tracking.clone());
    Ok(v)
}

/// The account's setting for telling a decision per line: its marketplace status and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionNotice {
    pub action: TriageAction,
    pub status: String,
    pub text: String,
    pub kind: NoticeKind,
}

/// What a decision tells a marketplace told per line, if the account set anything for it.
pub fn decision_notice(templates: &PushTemplates, action: TriageAction) -> Option<DecisionNotice> {
    let (status, text, kind) = match action {
        TriageAction::Accept => (
            &templates.accepted_status,
            &templates.accepted_notice,
            NoticeKind::AcceptedNotice,
        ),
        TriageAction::Reject => (
            &templates.refusal_status,
            &templates.refusal_text,
            NoticeKind::RefusalText,
        ),
        TriageAction::Delete | TriageAction::Restore => return None,
    };
    if status.is_empty() && text.trim().is_empty() {
        return None;
    }
    Some(DecisionNotice {
        action,
        status: status.clone(),
        text: text.clone(),
        kind,
    })
}

/// The status calls of a decision (one per decided line of one order), or why none is sent: a
/// text without a status, or a text that cannot be written, sends nothing at all.
pub fn plan_decision_pushes(
    notice: &DecisionNotice,
    lines: &[PushLine],
    statuses: &[ShopStatus],
    lang: Lang,
    decided_at: &str,
) -> Result<Result<Vec<Effect>, TimelineEvent>, serde_json::Error> {
    let Some(first) = lines.first() else {
        return Ok(Ok(vec![]));
    };
    if notice.status.is_empty() {
        return Ok(Err(TimelineEvent::NoticeNeedsStatus {
            order: first.order_number.clone(),
            notice: notice.kind,
        }));
    }
    let mut comments = vec![];
    if !notice.text.trim().is_empty() {
        let status = match notice.action {
            TriageAction::Accept => status_on_accept(statuses),
            _ => statuses.iter().find(|s| s.group == StatusGroup::Refused),
        };
        for l in lines {
            let written = match status {
                Some(s) => render(&notice.text, &template_values(l, s, lang)?).map_err(|e| e.to_string()),
                None => Err("there is no shop status to word it with".to_string()),
            };
            match written {
                Ok(c) => comments.push(c),
                Err(e) => {
                    return Ok(Err(TimelineEvent::NoticeFailed {
                        order: first.order_number.clone(),
                        notice: notice.kind,
                        error: e,
                    }))
                }
            }
        }
    }
    Ok(Ok(lines
        .iter()
        .enumerate()
        .map(|(i, l)| Effect::SetLineStatus {
            order_external_id: l.external_order.clone(),
            line_external_id: l.external_line.clone(),
            status: notice.status.clone(),
            comment: comments.get(i).cloned().unwrap_or_default(),
            decided_at: decided_at.to_string(),
        })
        .collect()))
}

/// What lines of one order moving to a shop status mean for that order's marketplace.
#[derive(Debug, Clone)]
pub struct StatusMove<'a> {
    pub templates: &'a PushTemplates,
    pub status: &'a ShopStatus,
    pub caps: &'a PushCapabilities,
    /// The account tells its marketplace decisions and statuses per line.
    pub by_line: bool,
    /// Sent with cancel calls.
    pub cancel_reason: &'a CancelReason,
    /// The order as a whole reached the status with this move.
    pub reached: bool,
    /// The order's lines that moved (at least one).
    pub moved: &'a [PushLine],
    /// The order's lines it goes on with (accepted, on the marketplace, not refused or removed);
    /// read when it `reached` the status.
    pub active: &'a [PushLine],
    pub lang: Lang,
    pub decided_at: &'a str,
    /// The platform status that waits for the items' write-off (see `AccountPolicy`), and
    /// whether the order's items are written off.
    pub needs_write_off: Option<&'a str>,
    pub written_off: bool,
}

/// The calls the account's pushes for a status send, in order, and the reasons for those not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusPushes {
    pub effects: Vec<Effect>,
    pub not_sent: Vec<TimelineEvent>,
}

/// The pushes configured for the status: line-level ones for the moved lines, order-level ones
/// when the order as a whole reached it.
pub fn plan_status_pushes(m: &StatusMove) -> Result<StatusPushes, serde_json::Error> {
    let mut out = StatusPushes::default();
    let Some(first) = m.moved.first() else {
        return Ok(out);
    };
    let order_number = || first.order_number.clone();
    for push in m.templates.pushes.iter().filter(|p| p.status_id == m.status.id) {
        let targets: &[PushLine] = match push.level {
            PushLevel::Line => m.moved,
            // A marketplace told per line hears an order-level status on each of its lines.
            PushLevel::Order if m.reached && m.by_line => m.active,
            PushLevel::Order if m.reached => std::slice::from_ref(first),
            PushLevel::Order => continue,
        };
        // A comment is written for each target before anything is queued: a template that
        // cannot be filled sends nothing at all.
        let mut comments = vec![];
        if !push.comment.trim().is_empty() {
            let mut failed = None;
            for t in targets {
                match render(&push.comment, &template_values(t, m.status, m.lang)?) {
                    Ok(text) => comments.push(text),
                    Err(e) => failed = Some(e),
                }
            }
            if let Some(e) = failed {
                out.not_sent.push(TimelineEvent::PushCommentFailed {
                    order: order_number(),
                    error: e.to_string(),
                });
                continue;
            }
            if !m.caps.comments {
                out.not_sent.push(TimelineEvent::PushNoComments {
                    order: order_number(),
                });
            }
        }
        if push.marketplace_status.is_empty() {
            if m.by_line && !comments.is_empty() {
                out.not_sent.push(TimelineEvent::PushCommentNeedsStatus {
                    order: order_number(),
                    status: m.status.name.clone(),
                    status_code: m.status.code.clone(),
                });
            }
            continue;
        }
        if m.needs_write_off == Some(push.marketplace_status.as_str()) && !m.written_off {
            out.not_sent.push(TimelineEvent::PushWaitsForWriteOff {
                order: order_number(),
                status: push.marketplace_status.clone(),
            });
            continue;
        }
        let effects = if m.by_line {
            line_status_effects(
                m.caps,
                push.level,
                &push.marketplace_status,
                targets,
                &comments,
                m.decided_at,
            )
        } else {
            order_effect(m, &push.marketplace_status, push.level).map(|e| vec![e])
        };
        let Some(effects) = effects else {
            out.not_sent.push(TimelineEvent::PushUnsupported {
                order: order_number(),
                status: push.marketplace_status.clone(),
                level: if push.level == PushLevel::Line {
                    PushLevelWord::Line
                } else {
                    PushLevelWord::Order
                },
            });
            continue;
        };
        out.effects.extend(effects);
    }
    Ok(out)
}

fn allows(caps: &PushCapabilities, level: PushLevel, marketplace_status: &str) -> bool {
    let allowed = match level {
        PushLevel::Line => &caps.line_statuses,
        PushLevel::Order => &caps.order_statuses,
    };
    allowed.iter().any(|s| s == marketplace_status)
}

/// The call a marketplace status means for a marketplace told by ship, cancel and delivery calls,
/// when it can take it at that level.
fn order_effect(m: &StatusMove, marketplace_status: &str, level: PushLevel) -> Option<Effect> {
    if !allows(m.caps, level, marketplace_status) {
        return None;
    }
    let order = m.moved.first()?.external_order.clone();
    let item = |l: &PushLine| EffectItem {
        sku: l.sku.clone(),
        quantity: l.quantity,
    };
    match (marketplace_status, level) {
        ("cancel", PushLevel::Line) => Some(Effect::CancelLines {
            order_external_id: order,
            reason: m.cancel_reason.clone(),
            items: m.moved.iter().map(item).collect(),
        }),
        ("cancel", PushLevel::Order) => Some(Effect::CancelOrder {
            order_external_id: order,
            reason: m.cancel_reason.clone(),
        }),
        (stage, PushLevel::Order) if DELIVERY_STAGES.contains(&stage) => Some(Effect::DeliveryStatus {
            order_external_id: order,
            status: stage.to_string(),
        }),
        ("ship", PushLevel::Order) => Some(Effect::Ship {
            order_external_id: order,
            items: m.active.iter().map(item).collect(),
        }),
        // Any other status the platform lists for whole orders is set by name.
        (status, PushLevel::Order) => Some(Effect::SetOrderStatus {
            order_external_id: order,
            status: status.to_string(),
        }),
        _ => None,
    }
}

/// One status call per line, for a marketplace told per line; `None` when it has no such status.
fn line_status_effects(
    caps: &PushCapabilities,
    level: PushLevel,
    status: &str,
    targets: &[PushLine],
    comments: &[String],
    decided_at: &str,
) -> Option<Vec<Effect>> {
    if !allows(caps, level, status) {
        return None;
    }
    Some(
        targets
            .iter()
            .enumerate()
            .map(|(i, t)| Effect::SetLineStatus {
                order_external_id: t.external_order.clone(),
                line_external_id: t.external_line.clone(),
                status: status.to_string(),
                comment: comments.get(i).cloned().unwrap_or_default(),
                decided_at: decided_at.to_string(),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::StatusPush;

    fn status(id: i64, name: &str, group: StatusGroup) -> ShopStatus {
        ShopStatus {
            id,
            code: None,
            name: name.into(),
            group,
            position: id,
            writes_off: false,
        }
    }

    fn line(n: i64) -> PushLine {
        PushLine {
            external_order: "EXT-1".into(),
            external_line: format!("L{n}"),
            order_number: "N-1".into(),
            sku: format!("SKU{n}"),
            offer_id: format!("ART{n}"),
            name: format!("Part {n}"),
            quantity: n,
            price: "10.50".into(),
            bound_offer: None,
            tracking: String::new(),
        }
    }

    fn caps(line: &[&str], order: &[&str], comments: bool) -> PushCapabilities {
        PushCapabilities {
            line_statuses: line.iter().map(|s| s.to_string()).collect(),
            order_statuses: order.iter().map(|s| s.to_string()).collect(),
            comments,
            ..Default::default()
        }
    }

    fn push(status_id: i64, level: PushLevel, marketplace_status: &str, comment: &str) -> StatusPush {
        StatusPush {
            status_id,
            level,
            marketplace_status: marketplace_status.into(),
            comment: comment.into(),
        }
    }

    #[test]
    fn a_line_without_an_offer_names_the_article_the_buyer_ordered() {
        let shipped = status(4, "Shipped", StatusGroup::Done);
        let v = template_values(&line(1), &shipped, Lang::En).unwrap();
        assert_eq!(v["article"], "ART1");
        assert!(!v.contains_key("brand"));
        assert_eq!(v["status"], "Shipped");
        assert_eq!(v["qty"], "1");
        assert_eq!(v["tracking"], "");

        let mut bound = line(1);
        bound.bound_offer = Some(
            r#"{"offer_id":1,"list_id":2,"list":"L","brand":"Acme","article":"X-1","name":"n",
               "price":"5","quantity":1,"delivery_days":null,"supplier":null}"#
                .into(),
        );
        let v = template_values(&bound, &shipped, Lang::En).unwrap();
        assert_eq!((v["brand"].as_str(), v["article"].as_str()), ("Acme", "X-1"));

        bound.bound_offer = Some("not json".into());
        assert!(template_values(&bound, &shipped, Lang::En).is_err());
    }

    #[test]
    fn a_decision_notice_is_what_the_account_set_for_accept_or_reject() {
        let t = PushTemplates {
            accepted_status: "ok".into(),
            refusal_text: "no {line}".into(),
            ..Default::default()
        };
        let accept = decision_notice(&t, TriageAction::Accept).unwrap();
        assert_eq!(
            (accept.status.as_str(), accept.kind),
            ("ok", NoticeKind::AcceptedNotice)
        );
        let reject = decision_notice(&t, TriageAction::Reject).unwrap();
        assert_eq!(
            (reject.text.as_str(), reject.kind),
            ("no {line}", NoticeKind::RefusalText)
        );
        assert_eq!(decision_notice(&t, TriageAction::Delete), None);
        assert_eq!(
            decision_notice(&PushTemplates::default(), TriageAction::Accept),
            None
        );
    }

    #[test]
    fn a_decision_sends_a_status_per_line_with_its_text_or_nothing() {
        let statuses = [
            status(1, "New", StatusGroup::New),
            status(6, "Refused", StatusGroup::Refused),
        ];
        let notice = DecisionNotice {
            action: TriageAction::Reject,
            status: "refused".into(),
            text: "{line} is {status}".into(),
            kind: NoticeKind::RefusalText,
        };
        let lines = [line(1), line(2)];
        let effects = plan_decision_pushes(&notice, &lines, &statuses, Lang::En, "T")
            .unwrap()
            .unwrap();
        assert_eq!(
            effects,
            vec![
                Effect::SetLineStatus {
                    order_external_id: "EXT-1".into(),
                    line_external_id: "L1".into(),
                    status: "refused".into(),
                    comment: "SKU1 is Refused".into(),
                    decided_at: "T".into(),
                },
                Effect::SetLineStatus {
                    order_external_id: "EXT-1".into(),
                    line_external_id: "L2".into(),
                    status: "refused".into(),
                    comment: "SKU2 is Refused".into(),
                    decided_at: "T".into(),
                },
            ]
        );
        assert_eq!(
            plan_decision_pushes(&notice, &[], &statuses, Lang::En, "T").unwrap(),
            Ok(vec![])
        );

        // A text the lines cannot fill, or with no shop status to word it, sends nothing.
        let missing = DecisionNotice {
            text: "sent {tracking}".into(),
            ..notice.clone()
        };
        let problem = plan_decision_pushes(&missing, &lines, &statuses, Lang::En, "T")
            .unwrap()
            .unwrap_err();
        assert!(matches!(
            problem,
            TimelineEvent::NoticeFailed {
                notice: NoticeKind::RefusalText,
                ..
            }
        ));
        let problem = plan_decision_pushes(&notice, &lines, &statuses[..1], Lang::En, "T")
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(&problem, TimelineEvent::NoticeFailed { error, .. } if error.contains("no shop status")),
            "{problem:?}"
        );

        // A text without a status is not sent either.
        let no_status = DecisionNotice {
            status: String::new(),
            ..notice.clone()
        };
        let problem = plan_decision_pushes(&no_status, &lines, &statuses, Lang::En, "T")
            .unwrap()
            .unwrap_err();
        assert!(matches!(problem, TimelineEvent::NoticeNeedsStatus { .. }));

        // A status without a text goes out with an empty comment.
        let bare = DecisionNotice {
            text: String::new(),
            ..notice
        };
        let effects = plan_decision_pushes(&bare, &lines, &[], Lang::En, "T")
            .unwrap()
            .unwrap();
        assert!(matches!(&effects[0], Effect::SetLineStatus { comment, .. } if comment.is_empty()));
    }

    fn moved<'a>(
        templates: &'a PushTemplates,
        status: &'a ShopStatus,
        caps: &'a PushCapabilities,
        lines: &'a [PushLine],
        active: &'a [PushLine],
        reason: &'a CancelReason,
    ) -> StatusMove<'a> {
        StatusMove {
            templates,
            status,
            caps,
            by_line: false,
            cancel_reason: reason,
            reached: true,
            moved: lines,
            active,
            lang: Lang::En,
            decided_at: "T",
            needs_write_off: None,
            written_off: false,
        }
    }

    #[test]
    fn an_order_level_push_is_sent_once_the_order_reaches_the_status() {
        let shipped = status(4, "Shipped", StatusGroup::Done);
        let t = PushTemplates {
            pushes: vec![
                push(4, PushLevel::Order, "ship", ""),
                push(4, PushLevel::Order, "delivered", ""),
                push(5, PushLevel::Order, "cancel", ""),
            ],
            ..Default::default()
        };
        let c = caps(&[], &["ship", "delivered"], false);
        let reason = CancelReason::default();
        let (lines, active) = ([line(1)], [line(1), line(2)]);
        let planned = plan_status_pushes(&moved(&t, &shipped, &c, &lines, &active, &reason)).unwrap();
        assert_eq!(
            planned.effects,
            vec![
                Effect::Ship {
                    order_external_id: "EXT-1".into(),
                    items: vec![
                        EffectItem {
                            sku: "SKU1".into(),
                            quantity: 1
                        },
                        EffectItem {
                            sku: "SKU2".into(),
                            quantity: 2
                        },
                    ],
                },
                Effect::DeliveryStatus {
                    order_external_id: "EXT-1".into(),
                    status: "delivered".into(),
                },
            ]
        );
        assert!(planned.not_sent.is_empty());

        let mut not_reached = moved(&t, &shipped, &c, &lines, &active, &reason);
        not_reached.reached = false;
        assert_eq!(plan_status_pushes(&not_reached).unwrap(), StatusPushes::default());
    }

    #[test]
    fn a_store_platform_status_is_set_on_the_whole_order_by_its_name() {
        let done = status(4, "Done", StatusGroup::Done);
        let t = PushTemplates {
            pushes: vec![
                push(4, PushLevel::Order, "completed", ""),
                push(4, PushLevel::Line, "completed", ""),
                push(4, PushLevel::Order, "refunded", ""),
            ],
            ..Default::default()
        };
        let c = caps(&[], &["processing", "completed"], false);
        let reason = CancelReason::default();
        let (lines, active) = ([line(1)], [line(1), line(2)]);
        let planned = plan_status_pushes(&moved(&t, &done, &c, &lines, &active, &reason)).unwrap();
        assert_eq!(
            planned.effects,
            vec![Effect::SetOrderStatus {
                order_external_id: "EXT-1".into(),
                status: "completed".into(),
            }]
        );
        // Not a line status of the platform, and not one of its statuses at all.
        assert_eq!(planned.not_sent.len(), 2, "{:?}", planned.not_sent);
        let key = planned.effects[0].idempotency_key(7, "t1");
        assert_eq!(key, "7:set_order_status:EXT-1:completed@t1");
    }

    #[test]
    fn a_line_level_cancel_names_the_moved_lines_with_the_accounts_reason() {
        let refused = status(6, "Refused", StatusGroup::Refused);
        let t = PushTemplates {
            pushes: vec![push(6, PushLevel::Line, "cancel", "")],
            ..Default::default()
        };
        let c = caps(&["cancel"], &[], false);
        let reason = CancelReason {
            id: 7,
            message: "out of stock".into(),
        };
        let lines = [line(2)];
        let planned = plan_status_pushes(&moved(&t, &refused, &c, &lines, &[], &reason)).unwrap();
        assert_eq!(
            planned.effects,
            vec![Effect::CancelLines {
                order_external_id: "EXT-1".into(),
                reason,
                items: vec![EffectItem {
                    sku: "SKU2".into(),
                    quantity: 2
                }],
            }]
        );
    }

    #[test]
    fn a_push_the_marketplace_cannot_take_or_word_is_not_sent_and_says_why() {
        let shipped = status(4, "Shipped", StatusGroup::Done);
        let reason = CancelReason::default();
        let lines = [line(1)];
        let t = PushTemplates {
            pushes: vec![
                push(4, PushLevel::Line, "teleport", ""),
                push(4, PushLevel::Line, "sent", "{line} sent with {tracking}"),
                push(4, PushLevel::Line, "", "{line} shipped"),
            ],
            ..Default::default()
        };
        let c = caps(&["sent"], &[], false);
        let mut m = moved(&t, &shipped, &c, &lines, &[], &reason);
        m.by_line = true;
        let planned = plan_status_pushes(&m).unwrap();
        assert!(planned.effects.is_empty());
        let kinds: Vec<_> = planned.not_sent.iter().map(TimelineEvent::kind).collect();
        assert_eq!(
            kinds,
            [
                TimelineEvent::PushUnsupported {
                    order: String::new(),
                    status: String::new(),
                    level: PushLevelWord::Line
                }
                .kind(),
                TimelineEvent::PushCommentFailed {
                    order: String::new(),
                    error: String::new()
                }
                .kind(),
                TimelineEvent::PushNoComments { order: String::new() }.kind(),
                TimelineEvent::PushCommentNeedsStatus {
                    order: String::new(),
                    status: String::new(),
                    status_code: None
                }
                .kind(),
            ]
        );
    }

    #[test]
    fn a_marketplace_told_per_line_hears_an_order_level_status_on_each_active_line() {
        let shipped = status(4, "Shipped", StatusGroup::Done);
        let reason = CancelReason::default();
        let (lines, active) = ([line(1)], [line(1), line(3)]);
        let t = PushTemplates {
            pushes: vec![push(4, PushLevel::Order, "sent", "{line}: {status}")],
            ..Default::default()
        };
        let c = caps(&[], &["sent"], true);
        let mut m = moved(&t, &shipped, &c, &lines, &active, &reason);
        m.by_line = true;
        let planned = plan_status_pushes(&m).unwrap();
        let comments: Vec<(&str, &str)> = planned
            .effects
            .iter()
            .map(|e| match e {
                Effect::SetLineStatus {
                    line_external_id,
                    comment,
                    ..
                } => (line_external_id.as_str(), comment.as_str()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(comments, [("L1", "SKU1: Shipped"), ("L3", "SKU3: Shipped")]);
        assert!(planned.not_sent.is_empty());
    }
}
