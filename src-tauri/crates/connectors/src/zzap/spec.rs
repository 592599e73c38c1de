//! ZZAP in the registry: polled, decided by a status per line with a comment, statuses from
//! ZZAP's own list (loaded per account).

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use crate::registry::{IntegrationSpec, SecretField};
use crate::IntegrationClient;

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "zzap",
    name: "ZZAP",
    secret_fields: &[
        SecretField::given("password", "password"),
        SecretField::given("api_key", "API key"),
    ],
    polled: true,
    status_dictionary: true,
    dictionary_per_line: true,
    push_capabilities,
    connect,
    push_source: None,
    transfer: None,
};

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::ZzapConnector::new(account, credentials, http))
}

/// The statuses themselves are ZZAP's dictionary, loaded per account (see the engine).
fn push_capabilities() -> PushCapabilities {
    PushCapabilities {
        comments: true,
        ..Default::default()
    }
}
