//! WooCommerce in the registry: polled, one status per order set by name, from the built-in
//! statuses and the store's own (custom statuses, loaded with the list).

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use super::{CONSUMER_KEY, CONSUMER_SECRET};
use crate::registry::{IntegrationSpec, SecretField};
use crate::{IntegrationClient, PushSource};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "woocommerce",
    name: "WooCommerce",
    secret_fields: &[
        SecretField::given(CONSUMER_KEY, "consumer key"),
        SecretField::given(CONSUMER_SECRET, "consumer secret"),
        // Ours: pasted into the store's webhooks, which sign each delivery with it; made when the
        // manager first copies it.
        SecretField {
            name: super::push::WEBHOOK_SECRET,
            label: "webhook secret",
            generated: true,
            on_demand: true,
        },
    ],
    polled: true,
    status_dictionary: true,
    dictionary_per_line: false,
    push_capabilities,
    connect,
    push_source: Some(push_source),
    transfer: None,
};

/// WooCommerce's built-in order statuses, with the names its admin shows.
pub const STATUSES: &[(&str, &str)] = &[
    ("pending", "Pending payment"),
    ("processing", "Processing"),
    ("on-hold", "On hold"),
    ("completed", "Completed"),
    ("cancelled", "Cancelled"),
    ("refunded", "Refunded"),
    ("failed", "Failed"),
];

fn push_source(_: &Account) -> Box<dyn PushSource> {
    Box::new(super::push::WooCommercePush)
}

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::WooCommerceConnector::new(account, credentials, http))
}

/// A whole order takes any of the statuses; a line none (WooCommerce has no per-item status).
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
