//! Bitrix24 in the registry: a transfer target only (nothing is polled from it, no decisions go
//! to it); deleting an order here deletes its deal there.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials, Secret};

use super::WEBHOOK_TOKEN;
use crate::registry::{settings_of, IntegrationSpec, SecretField, TransferSpec};
use crate::{IntegrationClient, OrderTransfer};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "bitrix24",
    name: "Bitrix24",
    secret_fields: &[SecretField::given(WEBHOOK_TOKEN, "webhook token")],
    polled: false,
    status_dictionary: false,
    dictionary_per_line: false,
    push_capabilities: PushCapabilities::default,
    connect,
    push_source: None,
    transfer: Some(TransferSpec {
        deletes: true,
        ships: false,
    }),
};

struct Bitrix24Account(super::Bitrix24Client);

#[async_trait::async_trait]
impl IntegrationClient for Bitrix24Account {
    async fn test_connection(&self) -> Result<ordertray_core::ConnectionReport, crate::ConnectorError> {
        self.0.test_connection().await
    }

    fn order_transfer(&self) -> Option<&dyn OrderTransfer> {
        Some(&self.0)
    }
}

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    let settings: super::Bitrix24Settings = settings_of(account);
    let token = credentials.get(WEBHOOK_TOKEN).map(|k| Secret::new(k.expose()));
    Box::new(Bitrix24Account(super::Bitrix24Client::new(
        http,
        &settings.portal_url,
        &settings.user_id,
        token,
    )))
}
