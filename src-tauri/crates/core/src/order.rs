use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::{AppError, ErrorCode, ErrorWords};

/// Triage state of one order line: `new → accepted | rejected | deleted`, and `deleted → new` (restore).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LineState {
    New,
    Accepted,
    Rejected,
    Deleted,
}

impl LineState {
    pub fn as_str(self) -> &'static str {
        match self {
            LineState::New => "new",
            LineState::Accepted => "accepted",
            LineState::Rejected => "rejected",
            LineState::Deleted => "deleted",
        }
    }
    pub fn parse(s: &str) -> Result<Self, AppError> {
        Ok(match s {
            "new" => LineState::New,
            "accepted" => LineState::Accepted,
            "rejected" => LineState::Rejected,
            "deleted" => LineState::Deleted,
            other => {
                return Err(AppError::refused(ErrorWords::Unknown {
                    field: "line state".into(),
                    value: other.into(),
                }))
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TriageAction {
    Accept,
    Reject,
    Delete,
    Restore,
}

impl TriageAction {
    pub fn as_str(self) -> &'static str {
        match self {
            TriageAction::Accept => "accept",
            TriageAction::Reject => "reject",
            TriageAction::Delete => "delete",
            TriageAction::Restore => "restore",
        }
    }

    pub fn target(self) -> LineState {
        match self {
            TriageAction::Accept => LineState::Accepted,
            TriageAction::Reject => LineState::Rejected,
            TriageAction::Delete => LineState::Deleted,
            TriageAction::Restore => LineState::New,
        }
    }

    /// Checks the state machine: accept/reject/delete only from `new`, restore only from `deleted`.
    pub fn check_from(self, line_id: i64, from: LineState) -> Result<LineState, AppError> {
        let allowed = match self {
            TriageAction::Accept | TriageAction::Reject | TriageAction::Delete => from == LineState::New,
            TriageAction::Restore => from == LineState::Deleted,
        };
        if allowed {
            Ok(self.target())
        } else {
            Err(AppError::said(
                ErrorCode::InvalidTransition,
                ErrorWords::LineWrongState {
                    line: line_id,
                    state: from,
                    action: self,
                },
            ))
        }
    }

    pub fn past_participle(self) -> &'static str {
        match self {
            TriageAction::Accept => "accepted",
            TriageAction::Reject => "rejected",
            TriageAction::Delete => "deleted",
            TriageAction::Restore => "restored",
        }
    }
}

/// Buyer details as the marketplace gives them (some never send phones).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerInfo {
    pub name: Option<String>,
    /// The name in its parts, from platforms that send them so (`name` holds both).
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// The address field by field, from marketplaces that send it so; otherwise the
    /// one-line `address` is split where that is unambiguous (see [`CustomerInfo::address_fields`]).
    #[serde(default)]
    pub address_parts: Option<crate::Address>,
}

impl CustomerInfo {
    pub fn is_empty(&self) -> bool {
        [&self.name, &self.phone, &self.email, &self.address]
            .iter()
            .all(|f| f.as_deref().is_none_or(|s| s.trim().is_empty()))
            && self.address_parts.as_ref().is_none_or(crate::Address::is_empty)
    }

    /// The address as the order and the customer keep it.
    pub fn address_fields(&self) -> crate::Address {
        match &self.address_parts {
            Some(parts) if !parts.is_empty() => parts.clone().with_text(),
            _ => crate::Address::from_text(self.address.as_deref().unwrap_or_default()),
        }
    }
}

/// One order line as the marketplace describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalLine {
    /// Unique within the order (the integration says which of its ids it is).
    pub external_id: String,
    pub sku: String,
    pub offer_id: String,
    pub name: String,
    pub quantity: i64,
    pub price: Decimal,
    pub currency: String,
    /// The item's product as a store platform describes it (for the catalog); None elsewhere.
    #[serde(default)]
    pub product: Option<crate::ProductFacts>,
}

/// The most parts one marketplace line may order. Far above any real order, far below where a
/// total (quantity × price, summed over lines) could overflow `Decimal`: a marketplace number
/// beyond it is a fault (or an attack), and the order is quarantined instead of stored.
pub const MAX_LINE_QUANTITY: i64 = 1_000_000;

/// The highest unit price a marketplace line may carry (one billion in the order's currency);
/// with [`MAX_LINE_QUANTITY`] every total stays exact and far from `Decimal`'s limit.
pub fn max_unit_price() -> Decimal {
    Decimal::from(1_000_000_000_i64)
}

/// Why a marketplace line's quantity or price cannot be taken, if it cannot: the one bound every
/// connector applies when parsing, so no stored line can make a total overflow later.
pub fn line_amounts_problem(quantity: i64, price: Decimal) -> Option<String> {
    if !(1..=MAX_LINE_QUANTITY).contains(&quantity) {
        return Some(format!("quantity {quantity} is outside 1..{MAX_LINE_QUANTITY}"));
    }
    if (price.is_sign_negative() && !price.is_zero()) || price > max_unit_price() {
        return Some(format!("price {price} is outside 0..{}", max_unit_price()));
    }
    None
}

/// Price × quantity that never panics: a value stored before the bounds above existed saturates
/// at `Decimal::MAX` instead of taking every listing down with it.
pub fn line_total(price: Decimal, quantity: i64) -> Decimal {
    price.saturating_mul(Decimal::from(quantity))
}

/// One order as the marketplace describes it, parsed by a connector, with its raw payload for audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalOrder {
    /// Unique within the account (a posting or order number).
    pub external_id: String,
    pub number: String,
    /// The marketplace's own status, kept as it came (unknown ones included).
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub customer: Option<CustomerInfo>,
    /// Where the order is delivered (the region the marketplace reports), for region rules and customers.
    pub region: Option<String>,
    pub lines: Vec<ExternalLine>,
    /// Actions the marketplace says it accepts now (as the marketplace lists them).
    pub available_actions: Vec<String>,
    pub raw: serde_json::Value,
    /// Fulfilled by the marketplace itself (fulfilment by the marketplace): kept for All orders and the charts, never
    /// triaged, never answered with a marketplace call, never announced.
    #[serde(default)]
    pub read_only: bool,
    /// The marketplace sent only what changed (a partial push): a stored line missing from
    /// `lines` is unchanged, not removed, and no `lines` at all only moves the status. Buyer
    /// fields it leaves out keep their stored values.
    #[serde(default)]
    pub partial: bool,
    /// When the marketplace expects the order to be shipped (its ship-by deadline); None when
    /// the marketplace sets no deadline (or a partial push leaves it unchanged).
    #[serde(default)]
    pub ship_by: Option<DateTime<Utc>>,
    /// How the platform will deliver it (carrier, cost, address) in one line, when it says: kept
    /// on the order's timeline, a new line each time it changes.
    #[serde(default)]
    pub delivery_note: Option<String>,
}

/// Marketplace statuses meaning the buyer or the marketplace cancelled the order.
pub const CANCELLED_STATUSES: &[&str] = &["cancelled", "not_accepted"];

impl ExternalOrder {
    /// Detects a change between polls; serde_json's map keeps keys sorted, so this is stable.
    pub fn content_hash(&self) -> String {
        hash_json(&self.raw)
    }

    pub fn is_cancelled(&self) -> bool {
        is_cancelled_status(&self.status)
    }
}

/// SHA-256 of a JSON value's text; serde_json's map keeps keys sorted, so equal values hash equally.
pub fn hash_json(value: &serde_json::Value) -> String {
    sha256_hex(value.to_string().as_bytes())
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn is_cancelled_status(status: &str) -> bool {
    CANCELLED_STATUSES.contains(&status)
}

/// An order the connector could not parse or map: kept with its reason, never blocking the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantinedOrder {
    pub external_id: Option<String>,
    pub reason: String,
    pub raw: serde_json::Value,
}

/// An order the platform has but the shop does not import, by the import rules: logged on the
/// account with its number and reason, never stored as an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SkippedOrder {
    pub external_id: String,
    /// The number the platform shows.
    pub number: String,
    pub reason: SkipReason,
}

/// Why an order is not imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SkipReason {
    NoItems,
    NoCustomer,
    /// A customer with neither an e-mail nor a phone.
    NoContact,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_machine_allows_only_documented_transitions() {
        use LineState::*;
        use TriageAction::*;
        let cases = [
            (Accept, New, true),
            (Reject, New, true),
            (Delete, New, true),
            (Restore, Deleted, true),
            (Accept, Rejected, false),
            (Accept, Accepted, false),
            (Reject, Accepted, false),
            (Delete, Accepted, false),
            (Restore, New, false),
            (Restore, Rejected, false),
            (Accept, Deleted, false),
        ];
        for (action, from, ok) in cases {
            let r = action.check_from(7, from);
            assert_eq!(r.is_ok(), ok, "{action:?} from {from:?}");
            if let Err(e) = r {
                assert_eq!(e.code, ErrorCode::InvalidTransition);
                assert!(e.message.contains("Line 7"), "{}", e.message);
            }
        }
    }

    #[test]
    fn state_round_trips_through_text() {
        for s in [
            LineState::New,
            LineState::Accepted,
            LineState::Rejected,
            LineState::Deleted,
        ] {
            assert_eq!(LineState::parse(s.as_str()).unwrap(), s);
        }
        assert!(LineState::parse("shipped").is_err());
    }

    #[test]
    fn content_hash_changes_with_payload_only() {
        let mut o = ExternalOrder {
            external_id: "1-1".into(),
            number: "1-1".into(),
            status: "awaiting_packaging".into(),
            created_at: Utc::now(),
            customer: None,
            region: None,
            lines: vec![],
            available_actions: vec![],
            raw: serde_json::json!({"b": 1, "a": {"y": 2, "x": 1}}),
            read_only: false,
            partial: false,
            ship_by: None,
            delivery_note: None,
        };
        let h1 = o.content_hash();
        o.raw = serde_json::json!({"a": {"x": 1, "y": 2}, "b": 1});
        assert_eq!(h1, o.content_hash(), "key order must not matter");
        o.raw = serde_json::json!({"a": {"x": 1, "y": 2}, "b": 2});
        assert_ne!(h1, o.content_hash());
    }

    #[test]
    fn line_amounts_are_bounded_and_totals_never_panic() {
        let huge_price = Decimal::from_i128_with_scale((1i128 << 96) - 1, 0);
        assert_eq!(line_amounts_problem(2, Decimal::new(15305, 1)), None);
        assert_eq!(line_amounts_problem(MAX_LINE_QUANTITY, max_unit_price()), None);
        assert!(line_amounts_problem(i64::MAX, Decimal::ONE)
            .unwrap()
            .contains("quantity"));
        assert!(line_amounts_problem(0, Decimal::ONE)
            .unwrap()
            .contains("quantity"));
        assert!(line_amounts_problem(1, huge_price).unwrap().contains("price"));
        assert!(line_amounts_problem(1, Decimal::NEGATIVE_ONE)
            .unwrap()
            .contains("price"));
        assert_eq!(line_total(huge_price, i64::MAX), Decimal::MAX);
        assert_eq!(line_total(Decimal::new(15, 1), 4), Decimal::from(6));
    }

    #[test]
    fn cancelled_statuses() {
        assert!(is_cancelled_status("cancelled"));
        assert!(!is_cancelled_status("awaiting_packaging"));
    }
}
