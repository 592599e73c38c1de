//! What an integration's account settings mean for the shop's own rules: how decisions go out,
//! which arriving orders are already decided, and how a shop order is shaped. Each integration's
//! settings hand one [`AccountPolicy`] over (see [`crate::AccountSettings::policy`]), so the store
//! keeps generic SQL and never asks which marketplace an account belongs to.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cabinet::PaymentMethod;
use crate::CancelReason;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AccountPolicy {
    /// Decisions are told as a status per line with a comment (the account's "accepted" /
    /// "refusal" settings) rather than as ship and cancel calls.
    pub decides_by_line_status: bool,
    /// Sent with cancel calls (integrations decided by ship and cancel calls).
    pub cancel_reason: CancelReason,
    /// Send the ship call once every line of an order is accepted.
    pub ship_on_accept: bool,
    pub ingest: IngestPolicy,
    /// How shop orders made from this account's orders are shaped; None: as made by hand.
    pub shop_order: Option<ShopOrderPolicy>,
    /// A platform status sent only once the order's items are written off (a store's
    /// "completed"); before, the push is not sent and the order's timeline says why.
    pub needs_write_off: Option<String>,
    /// The platform takes no word of the shop's decisions (a store that keeps its own status): accepting
    /// and rejecting its orders change them in the shop only.
    pub decisions_stay_local: bool,
    /// The account is a transfer target (a CRM, a delivery service): what its transfers do.
    pub transfer: Option<TransferRules>,
}

/// A transfer target's rules, set in its account's settings: the statuses an order gets when
/// it went through or was refused, and the status that sends an order on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct TransferRules {
    /// The shop status an order gets once it went through; None: "Transferred".
    pub success_status: Option<i64>,
    /// The shop status an order gets when the target refused it; None: "Problematic".
    pub failure_status: Option<i64>,
    /// An order reaching this shop status is sent on its own; None: only by hand.
    pub send_on_status: Option<i64>,
}

/// Which arriving orders the shop does not triage.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngestPolicy {
    /// A new order arriving in one of these marketplace statuses was already decided in the
    /// seller's own cabinet: with `import`, it is stored and accepted on arrival (no calls back);
    /// without, it is not imported. Orders the marketplace fulfils itself (`read_only`) are never
    /// affected.
    pub decided_elsewhere: Option<DecidedElsewhere>,
    /// Every new order is accepted as it arrives (a shop's own web store already sold it): it still
    /// pops up and shows in the inbox's history, but needs no decision and sends no call back.
    pub accept_on_arrival: bool,
    /// Orders must be in the shop's currency (Settings → shop currency): a run that meets another
    /// stops before storing anything and the account says why (prices would be wrong otherwise).
    pub shop_currency_only: bool,
    /// Items make and find catalog products by this key (store platforms); None: no catalog.
    pub catalog: Option<crate::ProductKey>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DecidedElsewhere {
    /// The statuses an order reaches only once the seller has decided it (assembled, handed over,
    /// delivered…).
    pub statuses: Vec<String>,
    pub import: bool,
}

impl DecidedElsewhere {
    pub fn covers(&self, status: &str) -> bool {
        self.statuses.iter().any(|s| s == status)
    }
}

/// The account's options for the shop orders its orders become.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopOrderPolicy {
    /// Written as the shop order's source.
    pub source_label: String,
    /// The shop order gets its own number and the marketplace's goes in the recipient's name
    /// (for shops that look orders up by name); false: the marketplace's number is the order's.
    pub number_to_recipient: bool,
    /// The shop order is dated when the buyer placed it; false: when it was first loaded.
    pub date_placed: bool,
    /// Every order goes on this customer; None matches or creates one as usual.
    pub fixed_customer_id: Option<i64>,
    /// Empty: none.
    pub default_delivery_method: String,
    pub default_payment_method: Option<PaymentMethod>,
    /// Set the paid flag when the order reaches the shop status mapped to "delivered".
    pub paid_on_delivered: bool,
    /// Facts of the raw order kept on the shop order without a column of their own: the key in
    /// `shop_orders.extra` and the JSON path in the order's raw payload.
    pub extra: Vec<(String, String)>,
    /// Whether a tracking number entered on the shop order goes back to the marketplace.
    pub tracking_back: Option<TrackingBack>,
}

/// A tracking number goes back when the raw order has `value` at the JSON `path` (the seller
/// delivers it) and the order is not one the marketplace fulfils itself.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingBack {
    pub path: String,
    pub value: String,
    /// Why an order the marketplace fulfils takes none (`{number}`: the order's number).
    pub read_only_refusal: String,
    /// Why an order delivered otherwise takes none (`{number}`: the order's number).
    pub other_delivery_refusal: String,
}
