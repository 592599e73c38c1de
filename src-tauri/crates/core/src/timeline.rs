//! What goes on an order's timeline or an account's event log: a code (`kind`) with plain
//! arguments, never a sentence. The UI words each event in the manager's language
//! (`ui/src/i18n/events.ts`); [`TimelineEvent::english`] is the one English wording, stored as the
//! event's `message` for the CLI, the logs and rows written before events had arguments.
//!
//! Arguments are plain values (names, numbers, SKUs, marketplace statuses). Where an argument is
//! itself a word (a triage action, a line state, a built-in shop status) it is passed as its code
//! and worded by whoever shows it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cabinet::OrderType;
use crate::effect::{Effect, EffectItem};
use crate::notify_text::Lang;
use crate::order::LineState;
use crate::statuses::status_words;

/// An event's arguments as stored in `events.data` and sent to the UI.
pub type EventArgs = BTreeMap<String, serde_json::Value>;

/// Why an order arrived already decided (an FBO posting, cancelled, assembled in the cabinet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ArrivalNote {
    ReadOnly,
    Cancelled,
    Assembled,
    /// Sold by the shop's own web store: accepted on arrival (the account's option).
    AcceptedOnArrival,
}

/// Which text a decision's marketplace notice is: the one sent on accept or on reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NoticeKind {
    AcceptedNotice,
    RefusalText,
}

/// Whether a status push was for single lines or a whole order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PushLevelWord {
    Line,
    Order,
}

/// A marketplace call as plain values, for the timeline (flattened into the event's arguments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct EffectWords {
    /// The call: "ship", "cancel_lines", "cancel_order", "set_line_status", "delivery_status",
    /// "set_order_status", "set_tracking"; "other" for a payload this version cannot read (see `description`).
    pub effect: String,
    /// The marketplace's order (posting) number.
    pub order: String,
    /// The products as "SKU×quantity, …" (ship, cancel_lines).
    pub items: Option<String>,
    /// The marketplace's cancel reason id (cancel_lines, cancel_order).
    pub reason: Option<i64>,
    /// The marketplace's line id (set_line_status).
    pub line: Option<String>,
    /// The marketplace status (set_line_status, set_order_status), or the delivery stage code (delivery_status:
    /// "delivering", "last_mile", "delivered").
    pub status: Option<String>,
    /// The comment sent with a line status, when any.
    pub comment: Option<String>,
    /// The tracking number (set_tracking).
    pub tracking: Option<String>,
    /// The row's stored description, only for "other".
    pub description: Option<String>,
}

impl EffectWords {
    fn of(effect: &str, order: &str) -> Self {
        EffectWords {
            effect: effect.to_string(),
            order: order.to_string(),
            items: None,
            reason: None,
            line: None,
            status: None,
            comment: None,
            tracking: None,
            description: None,
        }
    }

    /// An outbox payload that is no marketplace call this version knows: its stored description.
    pub fn other(description: &str) -> Self {
        EffectWords {
            description: Some(description.to_string()),
            ..EffectWords::of("other", "")
        }
    }

    /// The call in English (the outbox list and the timeline's `message`).
    pub fn english(&self) -> String {
        let order = &self.order;
        let items = self.items.as_deref().unwrap_or_default();
        let reason = self.reason.map(|r| r.to_string()).unwrap_or_default();
        let status = self.status.as_deref().unwrap_or_default();
        match self.effect.as_str() {
            "ship" => format!("Ship {order}: {items}"),
            "cancel_lines" => format!("Cancel products of {order} (reason {reason}): {items}"),
            "cancel_order" => format!("Cancel {order} (reason {reason})"),
            "set_line_status" => {
                let line = self.line.as_deref().unwrap_or_default();
                let mut text = format!("Set {order} / {line} to status {status}");
                if let Some(comment) = self.comment.as_deref().filter(|c| !c.is_empty()) {
                    text.push_str(&format!(" with the comment «{comment}»"));
                }
                text
            }
            "delivery_status" => format!("Tell {order} is {}", status.replace('_', " ")),
            "set_tracking" => format!(
                "Set the tracking number of {order} to {}",
                self.tracking.as_deref().unwrap_or_default()
            ),
            _ => self.description.clone().unwrap_or_default(),
        }
    }
}

impl From<&Effect> for EffectWords {
    fn from(effect: &Effect) -> Self {
        let items = |items: &[EffectItem]| {
            Some(
                items
                    .iter()
                    .map(|i| format!("{}×{}", i.sku, i.quantity))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        };
        match effect {
            Effect::Ship {
                order_external_id,
                items: it,
            } => EffectWords {
                items: items(it),
                ..EffectWords::of("ship", order_external_id)
            },
            Effect::CancelLines {
                order_external_id,
                reason,
                items: it,
            } => EffectWords {
                items: items(it),
                reason: Some(reason.id),
                ..EffectWords::of("cancel_lines", order_external_id)
            },
            Effect::CancelOrder {
                order_external_id,
                reason,
            } => EffectWords {
                reason: Some(reason.id),
                ..EffectWords::of("cancel_order", order_external_id)
            },
            Effect::SetLineStatus {
                order_external_id,
                line_external_id,
                status,
                comment,
                ..
            } => EffectWords {
                line: Some(line_external_id.clone()),
                status: Some(status.clone()),
                comment: (!comment.is_empty()).then(|| comment.clone()),
                ..EffectWords::of("set_line_status", order_external_id)
            },
            Effect::DeliveryStatus {
                order_external_id,
                status,
            } => EffectWords {
                status: Some(status.clone()),
                ..EffectWords::of("delivery_status", order_external_id)
            },
            Effect::SetOrderStatus {
                order_external_id,
                status,
            } => EffectWords {
                status: Some(status.clone()),
                ..EffectWords::of("set_order_status", order_external_id)
            },
            Effect::SetTracking {
                order_external_id,
                tracking_number,
            } => EffectWords {
                tracking: Some(tracking_number.clone()),
                ..EffectWords::of("set_tracking", order_external_id)
            },
        }
    }
}

/// One event: its `kind` is the variant's snake_case name, its arguments the variant's fields.
/// A shop status is passed as its name (`status`, empty for a built-in status not renamed) and
/// code (`status_code`, a built-in status's key or null).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum TimelineEvent {
    // ---- sync (ingest) ----
    /// A marketplace order arrived.
    Arrived {
        order: String,
        marketplace: String,
        lines: u32,
        /// The marketplace's own status code.
        status: String,
        note: Option<ArrivalNote>,
    },
    /// The marketplace changed the order's status (its own codes).
    StatusChanged {
        marketplace: String,
        from: String,
        to: String,
    },
    CargoPlaces {
        marketplace: String,
        from: i64,
        to: i64,
    },
    /// How the platform will deliver the order (carrier, cost, address), as it last said: a
    /// change adds a new one.
    DeliveryDetails {
        marketplace: String,
        text: String,
    },
    LineAdded {
        name: String,
        sku: String,
    },
    /// `line` is the marketplace's line id.
    LineRemoved {
        line: String,
    },
    /// An order that could not be read (`reason` is the parser's own text).
    Quarantined {
        external_id: Option<String>,
        reason: String,
    },
    /// The buyer cancelled: accepted lines moved to a shop status.
    BuyerCancelled {
        moved: u64,
        status: String,
        status_code: Option<String>,
    },
    /// The marketplace set a status mapped to a shop status: accepted lines moved to it.
    MarketplaceStatus {
        marketplace: String,
        marketplace_status: String,
        moved: u64,
        status: String,
        status_code: Option<String>,
    },
    /// The order reached the status mapped to the marketplace's "delivered" and was marked paid.
    Paid {},

    // ---- triage ----
    Accept {
        line: String,
        rule: Option<String>,
        offer_brand: Option<String>,
        offer_article: Option<String>,
        offer_list: Option<String>,
        /// A decimal, as text.
        offer_price: Option<String>,
        offer_quantity: Option<i64>,
    },
    Reject {
        line: String,
        rule: Option<String>,
    },
    /// Hidden locally, nothing sent.
    Delete {
        line: String,
        rule: Option<String>,
    },
    Restore {
        line: String,
        rule: Option<String>,
    },
    /// A decision undone: the line is back in the inbox from `from`.
    Undo {
        line: String,
        from: LineState,
    },
    CustomerRegion {
        from: String,
        to: String,
    },

    // ---- marketplace calls ----
    OutboxQueued {
        #[serde(flatten)]
        #[ts(flatten)]
        effect: EffectWords,
    },
    /// Not queued: the order is read-only (FBO).
    PushReadOnly {
        #[serde(flatten)]
        #[ts(flatten)]
        effect: EffectWords,
    },
    OutboxDone {
        #[serde(flatten)]
        #[ts(flatten)]
        effect: EffectWords,
    },
    /// Delivered on a retry whose look at the marketplace found it done already.
    OutboxAlreadyDone {
        #[serde(flatten)]
        #[ts(flatten)]
        effect: EffectWords,
    },
    /// `error` in English; `error_words` the same for the UI to word (absent in older rows).
    OutboxFailed {
        error: String,
        #[serde(default)]
        error_words: Option<crate::ErrorWords>,
        #[serde(flatten)]
        #[ts(flatten)]
        effect: EffectWords,
    },
    OutboxRetry {
        #[serde(flatten)]
        #[ts(flatten)]
        effect: EffectWords,
    },

    // ---- shop statuses and their pushes ----
    /// A line moved to a shop status.
    LineStatus {
        line: String,
        status: String,
        status_code: Option<String>,
    },
    /// A status push's comment template could not be filled (`error` says why).
    PushCommentFailed {
        order: String,
        error: String,
    },
    /// The marketplace takes no comments: the text was not sent.
    PushNoComments {
        order: String,
    },
    /// The platform's status waits until the order's items are written off (a store's
    /// "completed" would tell the buyer the goods left): not sent.
    PushWaitsForWriteOff {
        order: String,
        status: String,
    },
    /// The order reached a status that writes its items off: quantity changes on the platform no
    /// longer apply to it.
    ItemsWrittenOff {},
    /// The platform changed an item's quantity; `applied`: the order took it (its items were not
    /// written off yet).
    QuantityChanged {
        line: String,
        from: i64,
        to: i64,
        applied: bool,
    },
    /// The marketplace takes a comment only with a status: none chosen for this shop status.
    PushCommentNeedsStatus {
        order: String,
        status: String,
        status_code: Option<String>,
    },
    /// The marketplace cannot be set to this (marketplace) status at this level.
    PushUnsupported {
        order: String,
        status: String,
        level: PushLevelWord,
    },
    /// A decision's notice has a text but no status, and the marketplace takes text only with one.
    NoticeNeedsStatus {
        order: String,
        notice: NoticeKind,
    },
    /// A decision's notice (and its status) could not be written (`error` says why).
    NoticeFailed {
        order: String,
        notice: NoticeKind,
        error: String,
    },
    /// The marketplace has no such status: the notice's status was not sent.
    NoticeStatusUnsupported {
        marketplace: String,
        status: String,
        notice: NoticeKind,
    },
    /// A decision's notice text could not be written (`error` says why).
    NoticeTextFailed {
        notice: NoticeKind,
        error: String,
    },
    /// The marketplace takes no comments: the notice was not sent.
    NoticeNoComments {
        marketplace: String,
        notice: NoticeKind,
    },

    // ---- shop orders (the cabinet) ----
    /// An order (or a pre-order) made by hand.
    OrderCreated {
        number: String,
        preorder: bool,
    },
    /// The buyer completed the pre-order through its link: it is a new order now.
    PreorderCompleted {},
    /// An edit saved; each field says what changed (absent / false: unchanged).
    OrderEdited {
        number_from: Option<String>,
        number_to: Option<String>,
        preorder_completed: bool,
        /// The new tracking number (empty: removed).
        tracking: Option<String>,
        recipient: bool,
        items: bool,
        weight_from: Option<i64>,
        weight_to: Option<i64>,
        /// The delivery method's name and cost ("Courier 350.00").
        delivery_from: Option<String>,
        delivery_to: Option<String>,
        payment: bool,
        order_type: Option<OrderType>,
    },
    /// An edit saved that changed nothing.
    OrderUnchanged {},
    OrderStatus {
        status: String,
        status_code: Option<String>,
    },
    OrderTypeSet {
        order_type: OrderType,
    },
    /// Deleted (restorable by choosing another status).
    OrderDeleted {},
    /// Deleted, and the link to where it was transferred removed.
    OrderDeletedUnlinked {},
    TrackingSet {
        tracking: String,
    },
    TrackingRemoved {},

    // ---- transfers (to CRMs, delivery services) ----
    /// Queued to go to a target (by hand or by the target's rule).
    TransferQueued {
        target: String,
    },
    /// The target has it: made there, or its record there updated.
    TransferSent {
        target: String,
        remote_id: String,
    },
    /// The target refused it (or it could not be sent): the target's words.
    TransferFailed {
        target: String,
        error: String,
        #[serde(default)]
        error_words: Option<crate::ErrorWords>,
    },
    /// The target's status of its record changed (read back).
    TransferRemoteStatus {
        target: String,
        status: String,
    },
    /// The link to the target's record removed here; the record stays there.
    TransferUnlinked {
        target: String,
    },
    /// Its record at the target deleted (or cancelled) there.
    TransferDeleted {
        target: String,
    },

    // ---- accounts and the engine ----
    AccountAdded {
        name: String,
    },
    AccountEdited {},
    AccountEnabled {},
    AccountDisabled {},
    /// A background task failed and was restarted (`error` is its own text).
    TaskRestarted {
        task: String,
        error: String,
    },
}

fn notice_words(n: NoticeKind) -> &'static str {
    match n {
        NoticeKind::AcceptedNotice => "accepted notice",
        NoticeKind::RefusalText => "refusal text",
    }
}

fn status_en(name: &str, code: Option<&str>) -> String {
    status_words(name, code, Lang::En)
}

impl TimelineEvent {
    /// The stored code: the variant's snake_case name.
    pub fn kind(&self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut map)) => match map.remove("kind") {
                Some(serde_json::Value::String(kind)) => kind,
                _ => String::new(),
            },
            _ => String::new(),
        }
    }

    /// The arguments: every field but the kind.
    pub fn args(&self) -> EventArgs {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map.into_iter().filter(|(k, _)| k != "kind").collect(),
            _ => EventArgs::new(),
        }
    }

    /// The event read back from its stored kind and arguments; None for an unknown kind or
    /// arguments that do not fit it (rows written before events had arguments).
    pub fn from_stored(kind: &str, args: &EventArgs) -> Option<Self> {
        let mut map: serde_json::Map<String, serde_json::Value> =
            args.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        map.insert("kind".into(), kind.into());
        serde_json::from_value(serde_json::Value::Object(map)).ok()
    }

    /// The event in English: the one wording of each kind in this language.
    pub fn english(&self) -> String {
        use TimelineEvent as E;
        match self {
            E::Arrived {
                order,
                marketplace,
                lines,
                status,
                note,
            } => {
                let note = match note {
                    None => "",
                    Some(ArrivalNote::ReadOnly) => {
                        " (FBO, fulfilled by the marketplace: read-only, straight to All orders)"
                    }
                    Some(ArrivalNote::Cancelled) => " (already cancelled)",
                    Some(ArrivalNote::Assembled) => {
                        " (assembled in the seller cabinet: accepted on arrival)"
                    }
                    Some(ArrivalNote::AcceptedOnArrival) => {
                        " (sold by the shop's own web store: accepted on arrival)"
                    }
                };
                format!("Order {order} arrived from {marketplace} with {lines} line(s), status {status}{note}")
            }
            E::StatusChanged { marketplace, from, to } => {
                format!("{marketplace} status changed: {from} → {to}")
            }
            E::DeliveryDetails { marketplace, text } => format!("Delivery on {marketplace}: {text}"),
            E::CargoPlaces { marketplace, from, to } => {
                format!("Cargo places on {marketplace}: {from} → {to}")
            }
            E::LineAdded { name, sku } => format!("Line {name} ({sku}) added by the marketplace"),
            E::LineRemoved { line } => format!("Line {line} is no longer in the marketplace order"),
            E::Quarantined { external_id, reason } => format!(
                "An order{} could not be read and was set aside: {reason}",
                external_id
                    .as_deref()
                    .map(|id| format!(" ({id})"))
                    .unwrap_or_default()
            ),
            E::BuyerCancelled {
                moved,
                status,
                status_code,
            } => format!(
                "Cancelled by the buyer: {moved} accepted line(s) moved to «{}»",
                status_en(status, status_code.as_deref())
            ),
            E::MarketplaceStatus {
                marketplace,
                marketplace_status,
                moved,
                status,
                status_code,
            } => format!(
                "{marketplace} set «{marketplace_status}»: {moved} accepted line(s) moved to «{}»",
                status_en(status, status_code.as_deref())
            ),
            E::Paid {} => {
                "Marked paid: the order reached the status mapped to the marketplace's «delivered»".into()
            }
            E::Accept {
                line,
                rule,
                offer_brand,
                offer_article,
                offer_list,
                offer_price,
                offer_quantity,
            } => {
                let mut message = format!("Line «{line}» accepted");
                if let Some(rule) = rule {
                    message.push_str(&format!(" by rule «{rule}»"));
                }
                if let (Some(brand), Some(article), Some(list), Some(price), Some(quantity)) =
                    (offer_brand, offer_article, offer_list, offer_price, offer_quantity)
                {
                    message.push_str(&format!(
                        " with {brand} {article} from «{list}» at {price} × {quantity}"
                    ));
                }
                message
            }
            E::Reject { line, rule } | E::Delete { line, rule } | E::Restore { line, rule } => {
                let done = match self {
                    E::Reject { .. } => "rejected",
                    E::Delete { .. } => "deleted (hidden locally, nothing sent)",
                    _ => "restored to the inbox",
                };
                let mut message = format!("Line «{line}» {done}");
                if let Some(rule) = rule {
                    message.push_str(&format!(" by rule «{rule}»"));
                }
                message
            }
            E::Undo { line, from } => {
                format!("Line «{line}»: {} undone, back in the inbox", from.as_str())
            }
            E::CustomerRegion { from, to } => format!("Customer moved from region «{from}» to «{to}»"),
            E::OutboxQueued { effect } => format!("Queued for the marketplace: {}", effect.english()),
            E::PushReadOnly { effect } => format!(
                "Not sent to the marketplace: {} (an FBO posting is read-only)",
                effect.english()
            ),
            E::OutboxDone { effect } => format!("Delivered to the marketplace: {}", effect.english()),
            E::OutboxAlreadyDone { effect } => format!(
                "Already done on the marketplace (checked before retrying): {}",
                effect.english()
            ),
            E::OutboxFailed { error, effect, .. } => format!(
                "Could not deliver to the marketplace ({}): {error}",
                effect.english()
            ),
            E::OutboxRetry { effect } => format!("Retry requested: {}", effect.english()),
            E::LineStatus {
                line,
                status,
                status_code,
            } => format!("Line «{line}» → {}", status_en(status, status_code.as_deref())),
            E::PushCommentFailed { order, error } => format!("order {order}: comment not sent: {error}"),
            E::PushNoComments { order } => {
                format!("order {order}: the marketplace takes no comments; the text was not sent")
            }
            E::PushWaitsForWriteOff { order, status } => {
                format!("order {order}: «{status}» is sent once the items are written off; not sent")
            }
            E::ItemsWrittenOff {} => {
                "Items written off: quantity changes on the platform no longer apply".to_string()
            }
            E::QuantityChanged {
                line,
                from,
                to,
                applied: true,
            } => format!("Quantity of «{line}» changed on the platform: {from} → {to}"),
            E::QuantityChanged { line, from, to, .. } => format!(
                "Quantity of «{line}» changed on the platform ({from} → {to}), not applied: the items are written off"
            ),
            E::PushCommentNeedsStatus {
                order,
                status,
                status_code,
            } => format!(
                "order {order}: the marketplace takes a comment only with a status; choose one for «{}»",
                status_en(status, status_code.as_deref())
            ),
            E::PushUnsupported { order, status, level } => format!(
                "order {order}: the marketplace cannot be set to «{status}» for {}",
                match level {
                    PushLevelWord::Line => "single lines",
                    PushLevelWord::Order => "a whole order",
                }
            ),
            E::NoticeNeedsStatus { order, notice } => format!(
                "order {order}: the {} was not sent: the marketplace takes a text only with a status; choose one in the account's status settings",
                notice_words(*notice)
            ),
            E::NoticeFailed { order, notice, error } => format!(
                "order {order}: the {} and its status were not sent: {error}",
                notice_words(*notice)
            ),
            E::NoticeStatusUnsupported {
                marketplace,
                status,
                notice,
            } => format!(
                "{marketplace} cannot be set to «{status}»; the {}'s status was not sent",
                notice_words(*notice)
            ),
            E::NoticeTextFailed { notice, error } => {
                format!("the {} was not sent: {error}", notice_words(*notice))
            }
            E::NoticeNoComments { marketplace, notice } => format!(
                "{marketplace} takes no comments; the {} was not sent",
                notice_words(*notice)
            ),
            E::PreorderCompleted {} => "the buyer completed the pre-order through its link".into(),
            E::OrderCreated { number, preorder } => format!(
                "{} {number} created by hand",
                if *preorder { "pre-order" } else { "order" }
            ),
            E::OrderEdited {
                number_from,
                number_to,
                preorder_completed,
                tracking,
                recipient,
                items,
                weight_from,
                weight_to,
                delivery_from,
                delivery_to,
                payment,
                order_type,
            } => {
                let mut parts = vec![];
                if let (Some(from), Some(to)) = (number_from, number_to) {
                    parts.push(format!("number {from} → {to}"));
                }
                if *preorder_completed {
                    parts.push("pre-order completed".to_string());
                }
                if let Some(tracking) = tracking {
                    parts.push(format!("tracking number «{tracking}»"));
                }
                if *recipient {
                    parts.push("recipient".into());
                }
                if *items {
                    parts.push("items".into());
                }
                if let (Some(from), Some(to)) = (weight_from, weight_to) {
                    parts.push(format!("weight {from} g → {to} g"));
                }
                if let (Some(from), Some(to)) = (delivery_from, delivery_to) {
                    parts.push(format!("delivery {from} → {to}"));
                }
                if *payment {
                    parts.push("payment".into());
                }
                if let Some(t) = order_type {
                    parts.push(format!("type → {}", t.as_str()));
                }
                format!("Order edited: {}", parts.join(", "))
            }
            E::OrderUnchanged {} => "Order saved without changes".into(),
            E::OrderStatus { status, status_code } => {
                format!("Order status → {}", status_en(status, status_code.as_deref()))
            }
            E::OrderTypeSet { order_type } => format!("Order type → {}", order_type.as_str()),
            E::OrderDeleted {} => "Order deleted (restorable by choosing another status)".into(),
            E::OrderDeletedUnlinked {} => {
                "Order deleted (restorable); the link to where it was transferred removed".into()
            }
            E::TrackingSet { tracking } => format!("Tracking number «{tracking}»"),
            E::TrackingRemoved {} => "Tracking number removed".into(),
            E::TransferQueued { target } => format!("Queued to be sent to {target}"),
            E::TransferSent { target, remote_id } => format!("Sent to {target} (there: {remote_id})"),
            E::TransferFailed { target, error, .. } => format!("Not sent to {target}: {error}"),
            E::TransferRemoteStatus { target, status } => format!("{target}: status «{status}»"),
            E::TransferUnlinked { target } => {
                format!("Link to {target} removed (the record stays there)")
            }
            E::TransferDeleted { target } => format!("Deleted at {target}"),
            E::AccountAdded { name } => format!("Account «{name}» added"),
            E::AccountEdited {} => "Account settings changed".into(),
            E::AccountEnabled {} => "Account enabled".into(),
            E::AccountDisabled {} => "Account disabled".into(),
            E::TaskRestarted { task, error } => {
                format!("Background task «{task}» failed ({error}) and was restarted")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effect::CancelReason;

    #[test]
    fn kind_and_args_round_trip_and_word_the_same() {
        let e = TimelineEvent::Accept {
            line: "Filter".into(),
            rule: Some("Cheap".into()),
            offer_brand: Some("MANN".into()),
            offer_article: Some("W 712".into()),
            offer_list: Some("Main".into()),
            offer_price: Some("12.50".into()),
            offer_quantity: Some(2),
        };
        assert_eq!(e.kind(), "accept");
        let args = e.args();
        assert_eq!(args["line"], "Filter");
        assert_eq!(args["offer_quantity"], 2);
        assert!(!args.contains_key("kind"));
        let back = TimelineEvent::from_stored("accept", &args).unwrap();
        assert_eq!(back, e);
        assert_eq!(
            back.english(),
            "Line «Filter» accepted by rule «Cheap» with MANN W 712 from «Main» at 12.50 × 2"
        );
        assert!(TimelineEvent::from_stored("no_such_kind", &args).is_none());
        assert!(TimelineEvent::from_stored("accept", &EventArgs::new()).is_none());
    }

    #[test]
    fn effects_flatten_into_the_arguments() {
        let effect = Effect::CancelLines {
            order_external_id: "0570-1".into(),
            reason: CancelReason {
                id: 352,
                message: "out of stock".into(),
            },
            items: vec![EffectItem {
                sku: "111".into(),
                quantity: 2,
            }],
        };
        let e = TimelineEvent::OutboxQueued {
            effect: EffectWords::from(&effect),
        };
        assert_eq!(e.kind(), "outbox_queued");
        let args = e.args();
        assert_eq!(args["effect"], "cancel_lines");
        assert_eq!(args["order"], "0570-1");
        assert_eq!(args["items"], "111×2");
        assert_eq!(args["reason"], 352);
        assert_eq!(
            e.english(),
            "Queued for the marketplace: Cancel products of 0570-1 (reason 352): 111×2"
        );
        assert_eq!(TimelineEvent::from_stored("outbox_queued", &args).unwrap(), e);
        assert_eq!(effect.describe(), "Cancel products of 0570-1 (reason 352): 111×2");
    }

    #[test]
    fn built_in_statuses_are_passed_as_codes() {
        let e = TimelineEvent::LineStatus {
            line: "Filter".into(),
            status: String::new(),
            status_code: Some("shipped".into()),
        };
        assert_eq!(e.english(), "Line «Filter» → Shipped");
        assert_eq!(e.args()["status_code"], "shipped");
    }
}
