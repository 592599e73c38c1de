//! Amazon in the registry: polled; nothing it takes back (the Orders API has no status or cancel
//! call), so a cancel is refused in words the outbox shows.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use super::{CLIENT_SECRET, REFRESH_TOKEN};
use crate::registry::{IntegrationSpec, SecretField};
use crate::IntegrationClient;

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "amazon",
    name: "Amazon",
    secret_fields: &[
        SecretField::given(CLIENT_SECRET, "client secret"),
        SecretField::given(REFRESH_TOKEN, "refresh token"),
    ],
    polled: true,
    status_dictionary: false,
    dictionary_per_line: false,
    push_capabilities,
    connect,
    push_source: None,
    transfer: None,
};

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::AmazonConnector::new(account, credentials, http))
}

fn push_capabilities() -> PushCapabilities {
    PushCapabilities::default()
}
