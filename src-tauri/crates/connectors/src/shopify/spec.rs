//! Shopify in the registry: polled, and told nothing (its orders' status is the shop's own).

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use super::CLIENT_SECRET;
use crate::registry::{IntegrationSpec, SecretField};
use crate::{IntegrationClient, PushSource};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "shopify",
    name: "Shopify",
    secret_fields: &[SecretField::given(CLIENT_SECRET, "client secret")],
    polled: true,
    status_dictionary: false,
    dictionary_per_line: false,
    push_capabilities,
    connect,
    push_source: Some(push_source),
    transfer: None,
};

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::ShopifyConnector::new(account, credentials, http))
}

fn push_source(account: &Account) -> Box<dyn PushSource> {
    Box::new(super::push::ShopifyPush::new(account))
}

/// No status goes to Shopify.
fn push_capabilities() -> PushCapabilities {
    PushCapabilities::default()
}
