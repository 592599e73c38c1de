//! Transfer targets (a CRM, a delivery service, another shop platform): a shop order is created
//! there, updated when it changes, read back to see what the target made of it, and deleted when
//! the shop withdraws it. Declared ahead of its first implementor (Shiptor, RetailCRM, MoySklad,
//! amoCRM, InSales, Bitrix24 are planned) so the outbox and the registry are shaped for it.

use async_trait::async_trait;
use serde_json::Value;

use crate::ConnectorError;

/// Where a shop order lives at the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferredOrder {
    /// The target's own id of the order (kept to update, read back or delete it).
    pub remote_id: String,
    /// A link the manager can open to see the order at the target, when it has one.
    pub link: Option<String>,
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

/// `order` is the integration's own serde payload of the shop order (built by its payload
/// mapping); the trait stays free of any one target's shape. Every call must be safe to repeat
/// with the same `idempotency_key`: the outbox may retry a call whose answer was lost.
#[async_trait]
pub trait OrderTransfer: Send + Sync {
    /// Creates the order at the target.
    async fn create(&self, order: &Value, idempotency_key: &str) -> Result<TransferredOrder, TransferError>;

    /// Replaces the target's copy with the shop order as it is now.
    async fn update(
        &self,
        remote_id: &str,
        order: &Value,
        idempotency_key: &str,
    ) -> Result<TransferredOrder, TransferError>;

    /// The target's copy as it is now (its status, its number), in the integration's payload.
    async fn read_back(&self, remote_id: &str) -> Result<Value, TransferError>;

    /// Removes the order at the target; already gone counts as done.
    async fn delete(&self, remote_id: &str) -> Result<(), TransferError>;
}
