//! The one list of integrations. Core, store, engine and the shell never branch on a vendor: they
//! look an account's integration up here and ask its spec (or the client it builds) what it can
//! do. Adding an integration = its folders + one line in [`INTEGRATIONS`] (see
//! docs/integrations.md).

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{Account, AccountKind, Credentials};

use crate::{IntegrationClient, PushSource};

/// Every integration, in the order the account form offers them.
static INTEGRATIONS: &[IntegrationSpec] = &[crate::ozon::SPEC, crate::zzap::SPEC, crate::gettzap::SPEC];

/// What the app knows about an integration before any account of it exists.
pub struct IntegrationSpec {
    /// The id stored on accounts (`accounts.kind`) and used in intake addresses.
    pub kind: AccountKind,
    /// How the integration is named to the manager.
    pub name: &'static str,
    /// The credentials kept in the OS keychain (never in the database), in the form's order.
    pub secret_fields: &'static [SecretField],
    /// Whether the engine polls the account (its client has an [`crate::OrderSource`]).
    pub polled: bool,
    /// Whether the marketplace keeps its own status list per account (loaded through
    /// [`crate::EffectSink::status_dictionary`]) instead of the fixed [`Self::push_capabilities`].
    pub status_dictionary: bool,
    /// What a shop status change can be told as, when the list is fixed.
    pub push_capabilities: fn() -> PushCapabilities,
    /// The account's client: built once per account and kept by the engine (a session).
    pub connect: fn(&Account, Credentials, reqwest::Client) -> Box<dyn IntegrationClient>,
    /// For integrations that call us with their orders: checks and reads one request. Built from
    /// the account alone, so a request is verified before any other credential is read.
    pub push_source: Option<BuildPushSource>,
}

/// Builds an account's push source from the account alone.
pub type BuildPushSource = fn(&Account) -> Box<dyn PushSource>;

/// One credential of an integration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretField {
    /// The keychain field name (`<account>/<field>`), also the form's and the CLI's key.
    pub name: &'static str,
    /// How the field is named in messages ("API key").
    pub label: &'static str,
    /// Ours, not the vendor's: generated when the account is added (an intake token the vendor
    /// sends back to us), and not needed to talk to the vendor.
    pub generated: bool,
}

impl SecretField {
    pub const fn given(name: &'static str, label: &'static str) -> Self {
        Self {
            name,
            label,
            generated: false,
        }
    }
}

impl IntegrationSpec {
    /// Whether orders arrive by the integration calling the intake.
    pub fn receives_pushes(&self) -> bool {
        self.push_source.is_some()
    }

    /// The secret fields' keychain names.
    pub fn secret_names(&self) -> impl Iterator<Item = &'static str> {
        self.secret_fields.iter().map(|f| f.name)
    }

    /// How a secret field is named in messages; an unknown one by its own name.
    pub fn secret_label<'a>(&self, field: &'a str) -> &'a str {
        self.secret_fields
            .iter()
            .find(|f| f.name == field)
            .map_or(field, |f| f.label)
    }
}

/// Every registered integration.
pub fn all() -> &'static [IntegrationSpec] {
    INTEGRATIONS
}

/// The spec of an account's integration.
pub fn spec(kind: AccountKind) -> &'static IntegrationSpec {
    INTEGRATIONS
        .iter()
        .find(|s| s.kind == kind)
        .expect("every account kind has a registered integration (see the registry's test)")
}

/// The integration an intake path or a stored id names, if it is registered.
pub fn by_id(id: &str) -> Option<&'static IntegrationSpec> {
    INTEGRATIONS.iter().find(|s| s.kind.as_str() == id)
}

/// A fresh client for an account (the engine keeps one per account; tests and the account form
/// build their own).
pub fn connect(
    account: &Account,
    credentials: Credentials,
    http: reqwest::Client,
) -> Box<dyn IntegrationClient> {
    (spec(account.kind).connect)(account, credentials, http)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_kind_is_registered_once() {
        for id in ["ozon", "zzap", "gettzap"] {
            let kind = AccountKind::parse(id).unwrap();
            assert_eq!(INTEGRATIONS.iter().filter(|s| s.kind == kind).count(), 1, "{id}");
            assert_eq!(by_id(id).unwrap().kind, kind);
        }
        assert!(by_id("nowhere").is_none());
    }

    #[test]
    fn specs_say_what_each_integration_needs_and_can_do() {
        let ozon = spec(AccountKind::Ozon);
        assert_eq!(ozon.name, "Ozon");
        assert_eq!(ozon.secret_names().collect::<Vec<_>>(), ["api_key"]);
        assert!(ozon.polled && !ozon.receives_pushes() && !ozon.status_dictionary);
        let caps = (ozon.push_capabilities)();
        assert_eq!(caps.line_statuses, ["cancel"]);
        assert!(caps.order_statuses.iter().any(|s| s == "ship") && !caps.comments);

        let zzap = spec(AccountKind::Zzap);
        assert_eq!(zzap.secret_names().collect::<Vec<_>>(), ["password", "api_key"]);
        assert!(zzap.polled && !zzap.receives_pushes() && zzap.status_dictionary);
        assert!((zzap.push_capabilities)().comments);

        let gettzap = spec(AccountKind::Gettzap);
        assert_eq!(
            gettzap.secret_names().collect::<Vec<_>>(),
            ["password", "api_key", ordertray_core::GETTZAP_INTAKE_TOKEN]
        );
        assert!(!gettzap.polled && gettzap.receives_pushes() && gettzap.status_dictionary);
        let generated: Vec<_> = gettzap.secret_fields.iter().filter(|f| f.generated).collect();
        assert_eq!(generated.len(), 1);
        assert_eq!(gettzap.secret_label(generated[0].name), "intake token");
        assert_eq!(gettzap.secret_label("api_key"), "API key");
    }
}
