//! Cartum in the registry: polled, one status per order set by its id, from Cartum's default
//! statuses and the shop's own (loaded with `orders/get_available_statuses`).

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use super::PASSWORD;
use crate::registry::{IntegrationSpec, SecretField};
use crate::IntegrationClient;

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "cartum",
    name: "Cartum",
    secret_fields: &[SecretField::given(PASSWORD, "password")],
    polled: true,
    status_dictionary: true,
    dictionary_per_line: false,
    push_capabilities,
    connect,
    push_source: None,
    transfer: None,
};

/// Cartum's default statuses (a shop may rename them and add its own: the loaded list wins).
pub const STATUSES: &[(&str, &str)] = &[
    ("1", "New"),
    ("2", "Processing"),
    ("3", "Delivered"),
    ("4", "Not delivered"),
    ("6", "Delivering"),
];

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::CartumConnector::new(account, credentials, http))
}

/// A whole order takes any status; a line none (Cartum keeps one status per order).
fn push_capabilities() -> PushCapabilities {
    PushCapabilities {
        order_statuses: STATUSES.iter().map(|(code, _)| code.to_string()).collect(),
        labels: STATUSES
            .iter()
            .map(|(code, name)| (code.to_string(), name.to_string()))
            .collect(),
        ..Default::default()
    }
}
