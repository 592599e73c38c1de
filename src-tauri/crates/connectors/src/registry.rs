//! The one list of integrations. Core, store, engine and the shell never branch on a vendor: they
//! look an account's integration up here and ask its spec (or the client it builds) what it can
//! do. Adding an integration = its folders + one line in [`integrations!`] below (see
//! docs/integrations.md).

use ordertray_core::templates::PushCapabilities;
use ordertray_core::{
    Account, AccountKind, AccountSettings, AppError, Credentials, ErrorWords, IntegrationSettings,
    SettingsCodec,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{IntegrationClient, PushSource};

/// Declares every integration once: its spec, its settings type and its id (the variant's name in
/// snake case, which must equal the spec's `kind`; the registry's test checks it).
macro_rules! integrations {
    ($($variant:ident => $module:ident :: $settings:ident),+ $(,)?) => {
        /// Every integration, in the order the account form offers them.
        static INTEGRATIONS: &[IntegrationSpec] = &[$(crate::$module::SPEC),+];

        /// Every integration's settings as one tagged type: how stored settings are read, and the
        /// UI's `IntegrationSettings` type.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        #[ts(export, rename = "IntegrationSettings")]
        pub enum KnownSettings {
            $($variant(crate::$module::$settings)),+
        }

        /// Every integration's id, for the UI's `IntegrationKind` type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export, rename = "IntegrationKind")]
        pub enum KnownKind {
            $($variant),+
        }

        #[cfg(test)]
        const KNOWN_KINDS: &[KnownKind] = &[$(KnownKind::$variant),+];

        impl KnownSettings {
            fn as_dyn(&self) -> &dyn IntegrationSettings {
                match self {
                    $(KnownSettings::$variant(s) => s),+
                }
            }
            fn as_dyn_mut(&mut self) -> &mut dyn IntegrationSettings {
                match self {
                    $(KnownSettings::$variant(s) => s),+
                }
            }
        }

        $(
            impl From<crate::$module::$settings> for AccountSettings {
                fn from(settings: crate::$module::$settings) -> Self {
                    install();
                    KnownSettings::$variant(settings).into()
                }
            }
        )+
    };
}

integrations! {
    Ozon => ozon::OzonSettings,
    Zzap => zzap::ZzapSettings,
    Gettzap => gettzap::GettzapSettings,
    Woocommerce => woocommerce::WooCommerceSettings,
    Cartum => cartum::CartumSettings,
    Shopify => shopify::ShopifySettings,
    Amazon => amazon::AmazonSettings,
    Retailcrm => retailcrm::RetailCrmSettings,
    Moysklad => moysklad::MoySkladSettings,
    Shiptor => shiptor::ShiptorSettings,
    Amocrm => amocrm::AmoCrmSettings,
    Bitrix24 => bitrix24::Bitrix24Settings,
    Insales => insales::InSalesSettings,
}

impl From<KnownSettings> for AccountSettings {
    fn from(settings: KnownSettings) -> Self {
        match serde_json::to_value(settings) {
            Ok(serde_json::Value::Object(fields)) => {
                let kind = AccountKind::new(
                    fields
                        .get("kind")
                        .and_then(|k| k.as_str())
                        .unwrap_or_default()
                        .to_string(),
                );
                AccountSettings::from_json(&kind, fields)
            }
            other => unreachable!("settings serialize as a tagged object, not {other:?}"),
        }
    }
}

impl KnownSettings {
    /// Stored settings as their integration's type; an unregistered kind is refused.
    pub fn read(settings: &AccountSettings) -> Result<Self, AppError> {
        let kind = settings.kind();
        if by_id(kind.as_str()).is_none() {
            return Err(AppError::refused(ErrorWords::Unknown {
                field: "marketplace kind".into(),
                value: kind.as_str().into(),
            }));
        }
        settings.parse()
    }
}

/// Reads settings through [`KnownSettings`].
struct Codec;

impl SettingsCodec for Codec {
    fn read(&self, settings: &AccountSettings) -> Result<Box<dyn IntegrationSettings>, AppError> {
        Ok(Box::new(KnownSettings::read(settings)?))
    }

    fn validated(&self, settings: &AccountSettings) -> Result<AccountSettings, AppError> {
        let mut known = KnownSettings::read(settings)?;
        known.as_dyn_mut().validate()?;
        Ok(known.into())
    }
}

impl IntegrationSettings for KnownSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        self.as_dyn_mut().validate()
    }
    fn secret_env(&self, field: &str) -> Option<&str> {
        self.as_dyn().secret_env(field)
    }
    fn reads_secrets_from_env(&self) -> bool {
        self.as_dyn().reads_secrets_from_env()
    }
    fn policy(&self) -> ordertray_core::AccountPolicy {
        self.as_dyn().policy()
    }
    fn sync_start_time(&self) -> Option<&str> {
        self.as_dyn().sync_start_time()
    }
    fn service_address(&self) -> Option<&str> {
        self.as_dyn().service_address()
    }
}

/// Lets core read every integration's settings (see [`SettingsCodec`]). The engine calls it at
/// start; turning typed settings into [`AccountSettings`] calls it too, so tests need not.
pub fn install() {
    static CODEC: Codec = Codec;
    ordertray_core::install_settings_codec(&CODEC);
}

/// An account's settings as its integration's type. Settings are checked when an account is
/// saved and when it is read from the database, so a connector built for the account gets them.
pub(crate) fn settings_of<T: serde::de::DeserializeOwned>(account: &Account) -> T {
    account.settings.parse().unwrap_or_else(|e| {
        panic!(
            "the {} account's settings were checked when read: {e}",
            account.kind
        )
    })
}

/// An empty or blank variable name means "not from the environment".
pub(crate) fn clean_env(var: &mut Option<String>) {
    if var.as_deref().is_some_and(|v| v.trim().is_empty()) {
        *var = None;
    }
}

/// What the app knows about an integration before any account of it exists.
pub struct IntegrationSpec {
    /// The id stored on accounts (`accounts.kind`) and used in intake addresses.
    pub kind: &'static str,
    /// How the integration is named to the manager.
    pub name: &'static str,
    /// The credentials kept in the OS keychain (never in the database), in the form's order.
    pub secret_fields: &'static [SecretField],
    /// Whether the engine polls the account (its client has an [`crate::OrderSource`]).
    pub polled: bool,
    /// Whether the marketplace keeps its own status list per account (loaded through
    /// [`crate::EffectSink::status_dictionary`]) instead of the fixed [`Self::push_capabilities`].
    pub status_dictionary: bool,
    /// Whether the loaded list's statuses are told per line (ZZAP, Gettzap) or only for whole
    /// orders (WooCommerce).
    pub dictionary_per_line: bool,
    /// What a shop status change can be told as, when the list is fixed (or not loaded yet).
    pub push_capabilities: fn() -> PushCapabilities,
    /// The account's client: built once per account and kept by the engine (a session).
    pub connect: fn(&Account, Credentials, reqwest::Client) -> Box<dyn IntegrationClient>,
    /// For integrations that call us with their orders: checks and reads one request. Built from
    /// the account alone, so a request is verified before any other credential is read.
    pub push_source: Option<BuildPushSource>,
    /// For transfer targets (their client has an [`crate::OrderTransfer`]): what the target does
    /// with the orders it is sent.
    pub transfer: Option<TransferSpec>,
}

/// What a transfer target does with the orders it is sent, known before any account of it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferSpec {
    /// Deleting an order here deletes (or cancels) it there; false: the record stays there.
    pub deletes: bool,
    /// The target ships the order (a delivery service, a warehouse): sending one order to two
    /// such targets asks first.
    pub ships: bool,
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
    /// Generated the first time the manager asks for it rather than when the account is added:
    /// an optional feature's secret (a store's webhook secret), so an account whose keys come from
    /// the environment never needs the keychain for it.
    pub on_demand: bool,
}

impl SecretField {
    pub const fn given(name: &'static str, label: &'static str) -> Self {
        Self {
            name,
            label,
            generated: false,
            on_demand: false,
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

/// The spec of an account's integration (accounts are checked against the registry when read).
pub fn spec(kind: &AccountKind) -> &'static IntegrationSpec {
    by_id(kind.as_str()).expect("every account kind has a registered integration (see the registry's test)")
}

/// The integration an intake path or a stored id names, if it is registered.
pub fn by_id(id: &str) -> Option<&'static IntegrationSpec> {
    INTEGRATIONS.iter().find(|s| s.kind == id)
}

/// A fresh client for an account (the engine keeps one per account; tests and the account form
/// build their own).
pub fn connect(
    account: &Account,
    credentials: Credentials,
    http: reqwest::Client,
) -> Box<dyn IntegrationClient> {
    (spec(&account.kind).connect)(account, credentials, http)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_kind_is_registered_once() {
        assert_eq!(KNOWN_KINDS.len(), INTEGRATIONS.len());
        for (known, spec) in KNOWN_KINDS.iter().zip(INTEGRATIONS) {
            let id = serde_json::to_value(known).unwrap();
            assert_eq!(
                id.as_str(),
                Some(spec.kind),
                "the settings' tag is the spec's id, in order"
            );
            assert!(
                AccountKind::parse(spec.kind).is_ok(),
                "{} is a valid id",
                spec.kind
            );
            assert_eq!(
                INTEGRATIONS.iter().filter(|s| s.kind == spec.kind).count(),
                1,
                "{}",
                spec.kind
            );
        }
        assert!(by_id("nowhere").is_none());
    }

    #[test]
    fn settings_round_trip_through_the_codec_and_unknown_kinds_are_refused() {
        install();
        let settings = AccountSettings::from(crate::zzap::ZzapSettings::new(" a@b "));
        assert_eq!(settings.kind().as_str(), "zzap");
        let mut checked = settings.clone();
        checked.validate().unwrap();
        assert_eq!(checked.as_json()["login"], "a@b");
        assert_eq!(checked.kind().as_str(), "zzap");
        let stranger: AccountSettings = serde_json::from_str(r#"{"kind":"nowhere","login":"x"}"#).unwrap();
        let e = stranger.policy().unwrap_err();
        assert!(
            matches!(e.words.as_deref(), Some(ErrorWords::Unknown { value, .. }) if value == "nowhere"),
            "{e:?}"
        );
        assert!(stranger.clone().validate().is_err());
        assert_eq!(stranger.secret_env("api_key"), None);
    }

    #[test]
    fn specs_say_what_each_integration_needs_and_can_do() {
        let ozon = spec(&AccountKind::new("ozon"));
        assert_eq!(ozon.name, "Ozon");
        assert_eq!(ozon.secret_names().collect::<Vec<_>>(), ["api_key"]);
        assert!(ozon.polled && !ozon.receives_pushes() && !ozon.status_dictionary);
        let caps = (ozon.push_capabilities)();
        assert_eq!(caps.line_statuses, ["cancel"]);
        assert!(caps.order_statuses.iter().any(|s| s == "ship") && !caps.comments);

        let zzap = spec(&AccountKind::new("zzap"));
        assert_eq!(zzap.secret_names().collect::<Vec<_>>(), ["password", "api_key"]);
        assert!(zzap.polled && !zzap.receives_pushes() && zzap.status_dictionary);
        assert!((zzap.push_capabilities)().comments);

        let gettzap = spec(&AccountKind::new("gettzap"));
        assert_eq!(
            gettzap.secret_names().collect::<Vec<_>>(),
            ["password", "api_key", crate::gettzap::GETTZAP_INTAKE_TOKEN]
        );
        assert!(!gettzap.polled && gettzap.receives_pushes() && gettzap.status_dictionary);
        let generated: Vec<_> = gettzap.secret_fields.iter().filter(|f| f.generated).collect();
        assert_eq!(generated.len(), 1);
        assert_eq!(gettzap.secret_label(generated[0].name), "intake token");
        assert_eq!(gettzap.secret_label("api_key"), "API key");
    }
}
