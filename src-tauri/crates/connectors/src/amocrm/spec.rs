//! amoCRM in the registry: a transfer target only (nothing is polled from it, no decisions go to
//! it). It has no delete by API, so deleting an order here leaves the deal there.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials, Secret};

use super::TOKEN;
use crate::registry::{settings_of, IntegrationSpec, SecretField, TransferSpec};
use crate::{IntegrationClient, OrderTransfer};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "amocrm",
    name: "amoCRM",
    secret_fields: &[SecretField::given(TOKEN, "long-lived token")],
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

struct AmoCrmAccount(super::AmoCrmClient);

#[async_trait::async_trait]
impl IntegrationClient for AmoCrmAccount {
    async fn test_connection(&self) -> Result<ordertray_core::ConnectionReport, crate::ConnectorError> {
        self.0.test_connection().await
    }

    fn order_transfer(&self) -> Option<&dyn OrderTransfer> {
        Some(&self.0)
    }
}

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    let settings: super::AmoCrmSettings = settings_of(account);
    let token = credentials.get(TOKEN).map(|k| Secret::new(k.expose()));
    Box::new(AmoCrmAccount(super::AmoCrmClient::new(
        http,
        &settings.url,
        token,
    )))
}
