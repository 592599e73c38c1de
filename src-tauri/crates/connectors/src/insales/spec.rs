//! InSales in the registry: a transfer target only (nothing is polled from it, no decisions go to
//! it). InSales writes the items off its stock, so it counts as shipping the order, and deleting
//! an order here deletes it there.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials, Secret};

use super::PASSWORD;
use crate::registry::{settings_of, IntegrationSpec, SecretField, TransferSpec};
use crate::{IntegrationClient, OrderTransfer};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "insales",
    name: "InSales",
    secret_fields: &[SecretField::given(PASSWORD, "API password")],
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

struct InSalesAccount(super::InSalesClient);

#[async_trait::async_trait]
impl IntegrationClient for InSalesAccount {
    async fn test_connection(&self) -> Result<ordertray_core::ConnectionReport, crate::ConnectorError> {
        self.0.test_connection().await
    }

    fn order_transfer(&self) -> Option<&dyn OrderTransfer> {
        Some(&self.0)
    }
}

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    let settings: super::InSalesSettings = settings_of(account);
    let password = credentials.get(PASSWORD).map(|k| Secret::new(k.expose()));
    Box::new(InSalesAccount(super::InSalesClient::new(
        http,
        &settings.url,
        &settings.api_id,
        password,
    )))
}
