//! RetailCRM in the registry: a transfer target only (nothing is polled from it, no decisions go
//! to it); it keeps orders it was sent, so deleting one here leaves it there.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials, Secret};

use super::API_KEY;
use crate::registry::{settings_of, IntegrationSpec, SecretField, TransferSpec};
use crate::{IntegrationClient, OrderTransfer};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "retailcrm",
    name: "RetailCRM",
    secret_fields: &[SecretField::given(API_KEY, "API key")],
    polled: false,
    status_dictionary: false,
    dictionary_per_line: false,
    push_capabilities: PushCapabilities::default,
    connect,
    push_source: None,
    transfer: Some(TransferSpec {
        deletes: false,
        ships: false,
    }),
};

struct RetailCrmAccount(super::RetailCrmClient);

#[async_trait::async_trait]
impl IntegrationClient for RetailCrmAccount {
    async fn test_connection(&self) -> Result<ordertray_core::ConnectionReport, crate::ConnectorError> {
        self.0.test_connection().await
    }

    fn order_transfer(&self) -> Option<&dyn OrderTransfer> {
        Some(&self.0)
    }
}

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    let settings: super::RetailCrmSettings = settings_of(account);
    let key = credentials.get(API_KEY).map(|k| Secret::new(k.expose()));
    Box::new(RetailCrmAccount(super::RetailCrmClient::new(
        http,
        &settings.url,
        key,
        &settings.site,
    )))
}
