//! Transfer targets (a CRM, a delivery service, another shop platform): a shop order is created
//! there, updated when it changes, read back to see what the target made of it, and deleted when
//! the shop withdraws it. Each target maps [`TransferOrder`] to its own document; the engine
//! decides when to call (through the outbox) and records what came back.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordertray_core::cabinet::ShopOrderDraft;

use crate::ConnectorError;

/// A shop order as every target takes it: the order as it is now, with what the shop's settings
/// say about its delivery method for this target.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferOrder {
    /// Our id of the shop order.
    pub order_id: i64,
    /// Our key for the order at the target (its external id there): unique per shop database, so
    /// orders of several shops sent to one CRM never collide, and the same for every re-send.
    pub key: String,
    pub order: ShopOrderDraft,
    pub delivery: DeliveryInfo,
}

/// The order's delivery method, as the shop's delivery settings describe it for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryInfo {
    /// The code the target knows the method by (Settings → Delivery → codes); None: not set.
    pub code: Option<String>,
    /// The method's (tariff's) name and our id of it.
    pub tariff_name: String,
    pub tariff_id: String,
    /// Who carries it (may be empty).
    pub carrier: String,
}

/// Where a shop order lives at the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferredOrder {
    /// The target's own id of the order (kept to update, read back or delete it).
    pub remote_id: String,
    /// A link the manager can open to see the order at the target, when it has one.
    pub link: Option<String>,
    /// A create found the record an earlier try made (its answer lost) instead of making one: the
    /// record holds what that try sent, and the order may have changed since, so it is updated.
    pub found: bool,
}

impl TransferredOrder {
    /// The record an earlier try made, found by our key.
    pub fn found(self) -> Self {
        Self { found: true, ..self }
    }
}

/// What the target made of an order, read back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteState {
    /// The target's status in its own words (or code, when it has no words for it).
    pub status: String,
    /// A delivery service's tracking number, once it has one.
    pub tracking_number: Option<String>,
    /// The target's history of the record (a delivery service's operations), oldest first.
    pub history: Vec<RemoteEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteEvent {
    pub at: Option<DateTime<Utc>>,
    pub text: String,
}

/// Why a transfer failed, beyond the transport: the target refused the order's content.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TransferError {
    #[error(transparent)]
    Connector(#[from] ConnectorError),
    /// The order is gone at the target (deleted there): a later update must create it again.
    #[error("the order is no longer at the target")]
    Gone,
}

/// One target's client. Every call must be safe to repeat: the outbox retries a call whose answer
/// was lost, so a create first finds an order made under the same key instead of making another.
#[async_trait]
pub trait OrderTransfer: Send + Sync {
    /// Creates the order at the target under `order.key`; an order already there under that key
    /// (an earlier try whose answer was lost) is found and returned instead.
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError>;

    /// Replaces the target's copy with the shop order as it is now.
    async fn update(&self, remote_id: &str, order: &TransferOrder)
        -> Result<TransferredOrder, TransferError>;

    /// The target's copy as it is now.
    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError>;

    /// Removes (or cancels) the order at the target; already gone counts as done. Targets with no
    /// such call refuse with their words (see [`crate::registry::TransferSpec::deletes`]).
    async fn delete(&self, remote_id: &str) -> Result<(), TransferError>;
}
