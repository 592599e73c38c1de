//! Shiptor in the registry: a transfer target only (nothing is polled from it). It makes a package
//! of each order sent, removes it when the order is deleted here, and ships it: a tracking number
//! and the package's history come back.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials, Secret};

use super::API_KEY;
use crate::registry::{settings_of, IntegrationSpec, SecretField, TransferSpec};
use crate::{IntegrationClient, OrderTransfer};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "shiptor",
    name: "Shiptor",
    secret_fields: &[SecretField::given(API_KEY, "API key")],
    polled: false,
    status_dictionary: false,
    dictionary_per_line: false,
    push_capabilities: PushCapabilities::default,
    connect,
    push_source: None,
    transfer: Some(TransferSpec {
        deletes: true,
        ships: true,
    }),
};

struct ShiptorAccount(super::ShiptorClient);

#[async_trait::async_trait]
impl IntegrationClient for ShiptorAccount {
    async fn test_connection(&self) -> Result<ordertray_core::ConnectionReport, crate::ConnectorError> {
        self.0.test_connection().await
    }

    fn order_transfer(&self) -> Option<&dyn OrderTransfer> {
        Some(&self.0)
    }
}

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    let settings: super::ShiptorSettings = settings_of(account);
    let key = credentials.get(API_KEY).map(|k| Secret::new(k.expose()));
    Box::new(ShiptorAccount(super::ShiptorClient::new(
        http,
        &settings.url,
        key,
    )))
}
