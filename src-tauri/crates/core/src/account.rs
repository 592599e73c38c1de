use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AppError, ErrorWords, Thing};

pub type AccountId = i64;

/// The id of an account's integration ("store_x1"), as stored in `accounts.kind` and used in intake
/// addresses. Which ids exist is the integrations registry's business
/// (`ordertray_connectors::registry`): nothing here knows a vendor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountKind(#[ts(type = "import(\"./IntegrationKind\").IntegrationKind")] String);

impl AccountKind {
    /// An id as the registry declares it.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// An id read from outside (a stored row, a filter): lower-case letters, digits and `_`.
    pub fn parse(s: &str) -> Result<Self, AppError> {
        let ok = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(AppError::refused(ErrorWords::Unknown {
                field: "marketplace kind".into(),
                value: s.into(),
            }))
        }
    }
}

impl PartialEq<&str> for AccountKind {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl std::fmt::Display for AccountKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One integration's own settings: the rules that need no I/O (cleaning what was typed,
/// where CLI secrets come from, what the settings mean for the shop's rules). Each integration
/// implements it for its settings type in its own folder; everything that talks to the vendor
/// lives in the integration's connector (see `ordertray_connectors::registry`).
pub trait IntegrationSettings {
    /// Trims and checks what a person typed; the error names the field in plain words.
    fn validate(&mut self) -> Result<(), AppError>;
    /// The environment variable a secret field is read from (CLI accounts), if one is named.
    fn secret_env(&self, field: &str) -> Option<&str>;
    /// Whether any secret comes from the environment rather than the keychain.
    fn reads_secrets_from_env(&self) -> bool;
    /// What the settings mean for decisions, ingest and shop orders.
    fn policy(&self) -> crate::AccountPolicy;
    /// Syncs run at fixed times from this time of day ("HH:MM", local); None: every interval.
    fn sync_start_time(&self) -> Option<&str> {
        None
    }
    /// The address the account's keys are sent to when it lives in the settings (a store's own
    /// site) rather than in the account's base URL: a new one asks for the keys again.
    fn service_address(&self) -> Option<&str> {
        None
    }
}

/// Reads stored settings as their integration's own type. The registry installs the one codec at
/// start (`ordertray_connectors::registry::install`): the store needs an account's policy deep
/// inside its transactions, and the set of integrations is fixed for a build, so one process-wide
/// codec serves every database and engine.
pub trait SettingsCodec: Send + Sync {
    /// The settings as their integration's type (defaults filled in); an unknown kind is refused.
    fn read(&self, settings: &AccountSettings) -> Result<Box<dyn IntegrationSettings>, AppError>;
    /// The settings checked and cleaned by their integration, as they are saved.
    fn validated(&self, settings: &AccountSettings) -> Result<AccountSettings, AppError>;
}

static CODEC: OnceLock<&'static dyn SettingsCodec> = OnceLock::new();

/// Installs the integrations' settings codec; later calls keep the first.
pub fn install_settings_codec(codec: &'static dyn SettingsCodec) {
    let _ = CODEC.set(codec);
}

/// The installed codec; a build that forgot to install one gets an error to report, not a crash.
fn codec() -> Result<&'static dyn SettingsCodec, AppError> {
    CODEC.get().copied().ok_or_else(|| {
        AppError::new(
            crate::ErrorCode::Internal,
            "no integrations installed: call ordertray_connectors::registry::install() first",
        )
    })
}

/// An account's integration settings: a JSON object whose `kind` names the integration and whose
/// other fields are the integration's own (typed in its folder, see [`SettingsCodec`]). Stored and
/// sent to the UI as that object; the UI types it from the registry's `IntegrationSettings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountSettings(
    #[ts(type = "import(\"./IntegrationSettings\").IntegrationSettings")]
    serde_json::Map<String, serde_json::Value>,
);

impl AccountSettings {
    /// An integration's settings as JSON (`kind` is set from `kind`).
    pub fn from_json(kind: &AccountKind, mut fields: serde_json::Map<String, serde_json::Value>) -> Self {
        fields.insert(
            "kind".into(),
            serde_json::Value::String(kind.as_str().to_string()),
        );
        Self(fields)
    }

    pub fn as_json(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.0
    }

    /// The integration they belong to (empty when the JSON names none).
    pub fn kind(&self) -> AccountKind {
        AccountKind(
            self.0
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .to_string(),
        )
    }

    /// The settings as an integration's own type (fields missing from old rows take defaults).
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, AppError> {
        serde_json::from_value(serde_json::Value::Object(self.0.clone())).map_err(|e| {
            AppError::new(
                crate::ErrorCode::Internal,
                format!("the {} account settings cannot be read: {e}", self.kind()),
            )
        })
    }

    /// The environment variable a secret field is read from (CLI accounts), if one is named.
    pub fn secret_env(&self, field: &str) -> Option<String> {
        codec()
            .ok()?
            .read(self)
            .ok()?
            .secret_env(field)
            .map(str::to_string)
    }

    /// Whether any secret comes from the environment rather than the keychain.
    pub fn reads_secrets_from_env(&self) -> bool {
        codec()
            .and_then(|c| c.read(self))
            .is_ok_and(|s| s.reads_secrets_from_env())
    }

    /// Trims and checks the integration's own fields.
    pub fn validate(&mut self) -> Result<(), AppError> {
        *self = codec()?.validated(self)?;
        Ok(())
    }

    /// What these settings mean for decisions, ingest and shop orders.
    pub fn policy(&self) -> Result<crate::AccountPolicy, AppError> {
        Ok(codec()?.read(self)?.policy())
    }

    /// Where the keys go when the settings name it (see [`IntegrationSettings::service_address`]).
    pub fn service_address(&self) -> Option<String> {
        let settings = codec().ok()?.read(self).ok()?;
        settings.service_address().map(str::to_string)
    }

    /// A time of day the account's syncs are anchored at, when it has one.
    pub fn sync_start_time(&self) -> Option<chrono::NaiveTime> {
        let settings = codec().ok()?.read(self).ok()?;
        settings
            .sync_start_time()
            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
    }
}

/// The next sync of a schedule anchored at a time of day: `start`, then every `interval` until
/// midnight, again from `start` the next day ("from 09:00 every 7 hours": 09:00, 16:00, 23:00),
/// strictly after `now`. Local times; nothing runs between midnight and `start`.
pub fn next_scheduled_sync(
    now: chrono::NaiveDateTime,
    start: chrono::NaiveTime,
    interval_secs: u32,
) -> chrono::NaiveDateTime {
    let step = chrono::Duration::seconds(i64::from(interval_secs.max(MIN_INTERVAL_SECS)));
    let today = now.date();
    let mut next = today.and_time(start);
    while next <= now && next.date() == today {
        next += step;
    }
    if next.date() == today {
        next
    } else {
        (today + chrono::Duration::days(1)).and_time(start)
    }
}

fn yes() -> bool {
    true
}

pub const DEFAULT_INTERVAL_SECS: u32 = 60;
pub const MIN_INTERVAL_SECS: u32 = 10;

/// A connected marketplace account. Credentials are referenced through the keychain, never held here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: String,
    pub region: String,
    pub active: bool,
    pub interval_secs: u32,
    /// "Advanced": another API address (a proxy or a fake marketplace); None means the vendor's.
    pub base_url: Option<String>,
    /// Created by "Try demo": points at the in-process simulated marketplace.
    pub demo: bool,
    pub settings: AccountSettings,
    pub created_at: DateTime<Utc>,
}

/// What the manager fills in to add or edit an account (secrets travel separately).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountDraft {
    pub name: String,
    #[serde(default)]
    pub region: String,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default = "default_interval")]
    pub interval_secs: u32,
    #[serde(default)]
    pub base_url: Option<String>,
    pub settings: AccountSettings,
}

fn default_interval() -> u32 {
    DEFAULT_INTERVAL_SECS
}

impl AccountDraft {
    /// Trims and checks what a person typed; the error names the field in plain words.
    pub fn validated(mut self) -> Result<Self, AppError> {
        self.name = self.name.trim().to_string();
        self.region = self.region.trim().to_string();
        if self.name.is_empty() {
            return Err(AppError::refused(ErrorWords::NameEmpty {
                thing: Thing::Account,
            }));
        }
        if self.interval_secs < MIN_INTERVAL_SECS {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "interval_secs",
                "Poll interval",
                Some(MIN_INTERVAL_SECS.into()),
                None,
                Some("seconds"),
            )));
        }
        self.base_url = match self.base_url.map(|u| u.trim().trim_end_matches('/').to_string()) {
            Some(u) if u.is_empty() => None,
            Some(u) => match crate::net_policy::base_url_problem(&u) {
                Some(problem) => return Err(AppError::refused(problem)),
                None => Some(u),
            },
            other => other,
        };
        self.settings.validate()?;
        Ok(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncOutcome {
    Ok,
    Error,
}

/// What the manager sees about an account's sync: when it last ran, how it went, when it runs next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AccountHealth {
    pub last_poll_at: Option<DateTime<Utc>>,
    pub last_outcome: Option<SyncOutcome>,
    /// In English; `last_error_words` is the same error for the UI to word.
    pub last_error: Option<String>,
    pub last_error_words: Option<crate::ErrorWords>,
    pub next_poll_at: Option<DateTime<Utc>>,
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the marketplace asked us to wait (its `Retry-After`, capped at 15 minutes);
    /// the UI says "waiting until HH:MM (server asked)" while it lies ahead.
    pub server_wait_until: Option<DateTime<Utc>>,
    pub outbox_pending: i64,
    pub outbox_failed: i64,
    /// Something to know while the sync works (a store's webhooks paused): shown beside the
    /// health, not as a failure.
    pub notice: Option<crate::ErrorWords>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_plain_ids_and_settings_keep_their_kind() {
        assert_eq!(AccountKind::parse("store_x1").unwrap().as_str(), "store_x1");
        for bad in ["", "Store", "a b", "a/b"] {
            assert!(AccountKind::parse(bad).is_err(), "{bad:?}");
        }
        let s: AccountSettings = serde_json::from_str(r#"{"kind":"x","a":1}"#).unwrap();
        assert_eq!(s.kind(), AccountKind::new("x"));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"a":1,"kind":"x"}"#);
        let t = AccountSettings::from_json(&AccountKind::new("y"), s.as_json().clone());
        assert_eq!(t.kind().as_str(), "y");
        let none: AccountSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(none.kind().as_str(), "");
    }

    #[test]
    fn schedules_anchored_at_a_time_of_day() {
        use chrono::{NaiveDate, NaiveTime};
        let at = |h, m| {
            NaiveDate::from_ymd_opt(2026, 3, 10)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
        };
        let start = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let hour = 3600;
        assert_eq!(next_scheduled_sync(at(10, 30), start, hour), at(11, 0));
        assert_eq!(
            next_scheduled_sync(at(9, 0), start, hour),
            at(10, 0),
            "strictly after now"
        );
        assert_eq!(
            next_scheduled_sync(at(8, 59), start, 86_400),
            at(9, 0),
            "daily: today's start"
        );
        assert_eq!(
            next_scheduled_sync(at(9, 1), start, 86_400),
            at(9, 0) + chrono::Duration::days(1)
        );
        // Every 7 hours from 09:00: 16:00, 23:00, then tomorrow's 09:00 (not 06:00).
        assert_eq!(next_scheduled_sync(at(16, 30), start, 7 * hour), at(23, 0));
        assert_eq!(
            next_scheduled_sync(at(23, 30), start, 7 * hour),
            at(9, 0) + chrono::Duration::days(1)
        );
        // Nothing runs between midnight and the start time.
        assert_eq!(next_scheduled_sync(at(0, 30), start, 7 * hour), at(9, 0));
        assert_eq!(next_scheduled_sync(at(0, 10), start, 20 * 60), at(9, 0));
        assert_eq!(next_scheduled_sync(at(9, 10), start, 20 * 60), at(9, 20));
    }
}

/// A credential value. Debug and Display never show it, so it cannot leak through logs or errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// The credentials of one account, by field name (see the integration's secret fields in `ordertray_connectors::registry`).
#[derive(Clone, Debug, Default)]
pub struct Credentials(pub std::collections::BTreeMap<String, Secret>);

impl Credentials {
    pub fn get(&self, field: &str) -> Option<&Secret> {
        self.0.get(field)
    }
    pub fn with(mut self, field: &str, value: impl Into<String>) -> Self {
        self.0.insert(field.to_string(), Secret::new(value));
        self
    }
    /// Every value in clear: only for redacting them out of text that leaves the app.
    pub fn exposed_values(&self) -> impl Iterator<Item = &str> {
        self.0.values().map(Secret::expose)
    }
}

#[cfg(test)]
mod secret_tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = Credentials::default().with("api_key", "super-secret-key");
        let shown = format!("{c:?} {}", c.get("api_key").unwrap());
        assert!(!shown.contains("super-secret-key"), "{shown}");
        assert_eq!(c.get("api_key").unwrap().expose(), "super-secret-key");
    }
}
