//! Ozon in the registry: polled, decided by ship and cancel calls, a fixed list of pushes.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use crate::registry::{IntegrationSpec, SecretField};
use crate::IntegrationClient;

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "ozon",
    name: "Ozon",
    secret_fields: &[SecretField::given("api_key", "API key")],
    polled: true,
    status_dictionary: false,
    dictionary_per_line: false,
    push_capabilities,
    connect,
    push_source: None,
    transfer: None,
};

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::OzonConnector::new(account, credentials, http))
}

/// Ozon cancels single products or a whole posting, and ships whole postings; it keeps no seller
/// comments. realFBS postings (the seller delivers) also take the delivery stages.
fn push_capabilities() -> PushCapabilities {
    PushCapabilities {
        line_statuses: vec!["cancel".into()],
        order_statuses: ["ship", "cancel"]
            .into_iter()
            .chain(ordertray_core::DELIVERY_STAGES)
            .map(String::from)
            .collect(),
        comments: false,
        ..Default::default()
    }
}
