//! Gettzap in the registry: orders pushed to the intake (token auth), decided by a status per
//! line with a comment, statuses from the list kept in the account's settings.

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, Credentials};

use super::GETTZAP_INTAKE_TOKEN;

use crate::registry::{IntegrationSpec, SecretField};
use crate::{IntegrationClient, PushSource};

pub const SPEC: IntegrationSpec = IntegrationSpec {
    kind: "gettzap",
    name: "Gettzap",
    secret_fields: &[
        SecretField::given("password", "password"),
        SecretField::given("api_key", "API key"),
        // Ours: Gettzap sends it with every order it pushes to us.
        SecretField {
            name: GETTZAP_INTAKE_TOKEN,
            label: "intake token",
            generated: true,
            on_demand: false,
        },
    ],
    polled: false,
    status_dictionary: true,
    dictionary_per_line: true,
    push_capabilities,
    connect,
    push_source: Some(push_source),
    transfer: None,
};

fn connect(account: &Account, credentials: Credentials, http: reqwest::Client) -> Box<dyn IntegrationClient> {
    Box::new(super::GettzapConnector::new(account, credentials, http))
}

fn push_source(account: &Account) -> Box<dyn PushSource> {
    Box::new(super::push::GettzapPush::new(account))
}

/// The statuses themselves are the list kept in the account's settings, loaded like ZZAP's.
fn push_capabilities() -> PushCapabilities {
    PushCapabilities {
        comments: true,
        ..Default::default()
    }
}
