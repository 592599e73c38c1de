use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AppError, ErrorWords, Thing, ValueFormat};

pub type AccountId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AccountKind {
    Ozon,
    Zzap,
    Gettzap,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Ozon => "ozon",
            AccountKind::Zzap => "zzap",
            AccountKind::Gettzap => "gettzap",
        }
    }
    pub fn parse(s: &str) -> Result<Self, AppError> {
        match s {
            "ozon" => Ok(AccountKind::Ozon),
            "zzap" => Ok(AccountKind::Zzap),
            "gettzap" => Ok(AccountKind::Gettzap),
            other => Err(AppError::refused(ErrorWords::Unknown {
                field: "marketplace kind".into(),
                value: other.into(),
            })),
        }
    }
}

/// One integration's own settings: the rules that need no I/O (cleaning what was typed,
/// where CLI secrets come from, what the settings mean for the shop's rules). Everything that
/// talks to the vendor lives in the integration's connector (see `ordertray_connectors::registry`).
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
}

/// Ozon's seller reason 352: "product is out of stock at the seller".
pub const OZON_DEFAULT_CANCEL_REASON: i64 = 352;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OzonSettings {
    pub client_id: String,
    /// Cancel reason sent with product-cancel and posting-cancel calls.
    #[serde(default = "default_cancel_reason")]
    pub cancel_reason_id: i64,
    /// Required by Ozon for reason 402 ("other"); sent with every cancel when not empty.
    #[serde(default)]
    pub cancel_reason_message: String,
    /// Send the ship (package) call once every line of a posting is accepted.
    #[serde(default = "yes")]
    pub ship_on_accept: bool,
    /// CLI only: the Api-Key is read at run time from this environment variable and never stored.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// Set the order's paid flag when it reaches the shop status mapped to Ozon "delivered".
    #[serde(default)]
    pub paid_on_delivered: bool,
    /// Also import postings already in `awaiting_deliver` (assembled in the seller cabinet): they
    /// arrive accepted, with no ship call. Off: such postings are not imported.
    #[serde(default)]
    pub import_awaiting_deliver: bool,
    /// Also import FBO postings (Ozon stores and ships them): read-only orders for All orders and
    /// the charts, never in the inbox, never triaged, no calls back to Ozon, no popups.
    #[serde(default)]
    pub import_fbo: bool,
    /// Written on every order made from this account's postings; empty writes "Ozon".
    #[serde(default)]
    pub source_label: String,
    /// Every order goes on this customer; None matches or creates one from the posting as usual.
    #[serde(default)]
    pub fixed_customer_id: Option<i64>,
    /// Where the posting number goes on the shop order.
    #[serde(default)]
    pub posting_number_to: PostingNumberField,
    /// Which date the shop order gets.
    #[serde(default)]
    pub order_date: OrderDateSource,
    /// Delivery method written on imported orders (empty: none).
    #[serde(default)]
    pub default_delivery_method: String,
    /// Payment method written on imported orders (None: prepaid, as Ozon's buyers pay Ozon).
    #[serde(default)]
    pub default_payment_method: Option<crate::cabinet::PaymentMethod>,
    /// Sync at fixed times from this time of day ("HH:MM", local), every interval after it;
    /// None polls every interval from the app's start.
    #[serde(default)]
    pub sync_start_time: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PostingNumberField {
    /// The shop order's number is the posting number.
    #[default]
    OrderNumber,
    /// The shop order gets its own number (its creation time); the posting number goes in the
    /// recipient's name (for shops that look orders up by name).
    BuyerName,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OrderDateSource {
    /// When the posting was first loaded from Ozon.
    #[default]
    Loaded,
    /// When the buyer placed it on Ozon (`in_process_at`).
    PlacedOnOzon,
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

/// ZZAP answers more than one request per 3 seconds with 429 (and a captcha when it goes on).
pub const ZZAP_MIN_INTERVAL_MS: u32 = 3_000;

fn zzap_interval() -> u32 {
    ZZAP_MIN_INTERVAL_MS
}

fn default_cancel_reason() -> i64 {
    OZON_DEFAULT_CANCEL_REASON
}
fn yes() -> bool {
    true
}

impl OzonSettings {
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            cancel_reason_id: OZON_DEFAULT_CANCEL_REASON,
            cancel_reason_message: String::new(),
            ship_on_accept: true,
            api_key_env: None,
            paid_on_delivered: false,
            import_awaiting_deliver: false,
            import_fbo: false,
            source_label: String::new(),
            fixed_customer_id: None,
            posting_number_to: PostingNumberField::OrderNumber,
            order_date: OrderDateSource::Loaded,
            default_delivery_method: String::new(),
            default_payment_method: None,
            sync_start_time: None,
        }
    }
}

impl IntegrationSettings for OzonSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.client_id = s.client_id.trim().to_string();
        if s.client_id.is_empty() || !s.client_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "client_id",
                "Client-Id",
                &s.client_id,
                ValueFormat::Numbers,
            )));
        }
        if s.cancel_reason_id <= 0 {
            return Err(AppError::refused(ErrorWords::bad_format(
                "cancel_reason_id",
                "Cancel reason",
                &s.cancel_reason_id.to_string(),
                ValueFormat::MarketplaceId,
            )));
        }
        s.source_label = s.source_label.trim().to_string();
        s.default_delivery_method = s.default_delivery_method.trim().to_string();
        s.sync_start_time = s
            .sync_start_time
            .take()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        if let Some(t) = &s.sync_start_time {
            if chrono::NaiveTime::parse_from_str(t, "%H:%M").is_err() {
                return Err(AppError::refused(ErrorWords::bad_format(
                    "sync_start_time",
                    "Sync start time",
                    t,
                    ValueFormat::Time24h,
                )));
            }
        }
        clean_env(&mut s.api_key_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            "api_key" => self.api_key_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.api_key_env.is_some()
    }

    fn policy(&self) -> crate::AccountPolicy {
        let source_label = if self.source_label.is_empty() {
            "Ozon".to_string()
        } else {
            self.source_label.clone()
        };
        let path = |key: &str, path: &str| (key.to_string(), path.to_string());
        crate::AccountPolicy {
            decides_by_line_status: false,
            cancel_reason: crate::CancelReason {
                id: self.cancel_reason_id,
                message: self.cancel_reason_message.clone(),
            },
            ship_on_accept: self.ship_on_accept,
            ingest: crate::IngestPolicy {
                // Assembled in the seller cabinet: Ozon no longer offers the ship call.
                decided_elsewhere: Some(crate::DecidedElsewhere {
                    status: OZON_AWAITING_DELIVER.to_string(),
                    import: self.import_awaiting_deliver,
                }),
            },
            shop_order: Some(crate::ShopOrderPolicy {
                source_label,
                number_to_recipient: self.posting_number_to == PostingNumberField::BuyerName,
                date_placed: self.order_date == OrderDateSource::PlacedOnOzon,
                fixed_customer_id: self.fixed_customer_id,
                default_delivery_method: self.default_delivery_method.clone(),
                default_payment_method: self.default_payment_method,
                paid_on_delivered: self.paid_on_delivered,
                // Barcodes and cargo places (packages) of the posting as last read.
                extra: vec![
                    path("barcodes", "$.barcodes"),
                    path("cargo_places", "$.multi_box_qty"),
                    path("tpl_integration_type", "$.tpl_integration_type"),
                ],
                // realFBS postings the seller delivers take the tracking number back.
                tracking_back: Some(crate::TrackingBack {
                    path: "$.tpl_integration_type".into(),
                    value: "non_integrated".into(),
                    read_only_refusal: "Posting {number} is FBO: Ozon stores and delivers it, and \
                        takes no tracking number from the seller"
                        .into(),
                    other_delivery_refusal: "Posting {number} is delivered by Ozon's own \
                        logistics: Ozon takes tracking numbers only for postings the seller \
                        delivers (realFBS)"
                        .into(),
                }),
            }),
        }
    }

    fn sync_start_time(&self) -> Option<&str> {
        self.sync_start_time.as_deref()
    }
}

/// Ozon's status for a posting assembled and waiting to be handed over.
pub const OZON_AWAITING_DELIVER: &str = "awaiting_deliver";

/// A ZZAP seller account: the login is the account's e-mail; the password and the API key (issued
/// by ZZAP on request) live in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ZzapSettings {
    pub login: String,
    /// Only orders in these ZZAP status codes are read (`codes_track`); empty reads every order.
    #[serde(default)]
    pub import_codes: Vec<String>,
    /// ZZAP codes that mean the buyer (or ZZAP) cancelled the order: such a line is handled as a
    /// marketplace cancel (the account's buyer-cancel status, no accept).
    #[serde(default)]
    pub buyer_cancel_codes: Vec<String>,
    /// Advanced: the pause kept between two calls; ZZAP allows one request per 3 seconds.
    #[serde(default = "zzap_interval")]
    pub min_request_interval_ms: u32,
    /// CLI only: the password is read at run time from this environment variable, never stored.
    #[serde(default)]
    pub password_env: Option<String>,
    /// CLI only: the API key is read at run time from this environment variable, never stored.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

impl ZzapSettings {
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            import_codes: vec![],
            buyer_cancel_codes: vec![],
            min_request_interval_ms: ZZAP_MIN_INTERVAL_MS,
            password_env: None,
            api_key_env: None,
        }
    }
}

impl IntegrationSettings for ZzapSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.login = s.login.trim().to_string();
        if s.login.is_empty() {
            return Err(AppError::refused(ErrorWords::required(
                "login",
                "Login (the account's e-mail)",
            )));
        }
        for codes in [&mut s.import_codes, &mut s.buyer_cancel_codes] {
            *codes = codes
                .iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect();
            if let Some(bad) = codes.iter().find(|c| !c.chars().all(|ch| ch.is_ascii_digit())) {
                return Err(AppError::refused(ErrorWords::bad_format(
                    "status_codes",
                    "Status codes",
                    bad,
                    ValueFormat::Numbers,
                )));
            }
        }
        if s.min_request_interval_ms > 60_000 {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "min_request_interval_ms",
                "The pause between calls",
                None,
                Some(60),
                Some("seconds"),
            )));
        }
        clean_env(&mut s.password_env);
        clean_env(&mut s.api_key_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            "api_key" => self.api_key_env.as_deref(),
            "password" => self.password_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.api_key_env.is_some() || self.password_env.is_some()
    }

    /// Told per line with a status and a text (see the store's decision planner).
    fn policy(&self) -> crate::AccountPolicy {
        crate::AccountPolicy {
            decides_by_line_status: true,
            ..Default::default()
        }
    }
}

/// The keychain field of the token Gettzap must send with each pushed order (generated by us).
pub const GETTZAP_INTAKE_TOKEN: &str = "intake_token";

/// Gettzap status values the shop starts with. Gettzap's list is not public: these are our
/// assumption (format unverified) and the manager edits them to match the Gettzap cabinet.
pub const GETTZAP_DEFAULT_STATUSES: &[&str] = &["accepted", "in_work", "shipped", "issued", "refused"];
/// Pushed order statuses read as "the buyer cancelled" unless the account lists its own.
pub const GETTZAP_DEFAULT_CANCEL_STATUSES: &[&str] = &[
    "cancelled",
    "canceled",
    "cancel",
    "отменен",
    "отменён",
    "отказ покупателя",
];

fn gettzap_statuses() -> Vec<String> {
    GETTZAP_DEFAULT_STATUSES.iter().map(|s| s.to_string()).collect()
}
fn gettzap_cancel_statuses() -> Vec<String> {
    GETTZAP_DEFAULT_CANCEL_STATUSES
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// A Gettzap shop: orders arrive by push at an intake address the shop pastes into Gettzap
/// (Company profile → Integrations); the login, password and API key (the office token) are used
/// to send statuses back and live in the keychain, as does the intake token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GettzapSettings {
    pub login: String,
    /// Gettzap status values the shop can set (the account's status dictionary): Gettzap does not
    /// publish its list, so the manager keeps it as the Gettzap cabinet shows it.
    #[serde(default = "gettzap_statuses")]
    pub statuses: Vec<String>,
    /// Statuses of a pushed order meaning the buyer cancelled (compared case-insensitively).
    #[serde(default = "gettzap_cancel_statuses")]
    pub cancel_statuses: Vec<String>,
    /// CLI only: the password is read at run time from this environment variable, never stored.
    #[serde(default)]
    pub password_env: Option<String>,
    /// CLI only: the API key is read at run time from this environment variable, never stored.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// CLI only: the intake token is read at run time from this environment variable.
    #[serde(default)]
    pub intake_token_env: Option<String>,
}

impl GettzapSettings {
    pub fn new(login: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            statuses: gettzap_statuses(),
            cancel_statuses: gettzap_cancel_statuses(),
            password_env: None,
            api_key_env: None,
            intake_token_env: None,
        }
    }

    /// Whether a pushed order's status means the buyer cancelled.
    pub fn is_cancel_status(&self, status: &str) -> bool {
        let status = status.trim().to_lowercase();
        !status.is_empty()
            && self
                .cancel_statuses
                .iter()
                .any(|c| c.trim().to_lowercase() == status)
    }
}

impl IntegrationSettings for GettzapSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.login = s.login.trim().to_string();
        if s.login.is_empty() {
            return Err(AppError::refused(ErrorWords::required("login", "Login")));
        }
        for list in [&mut s.statuses, &mut s.cancel_statuses] {
            let mut clean: Vec<String> = vec![];
            for v in list.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
                if !clean.iter().any(|c| c == v) {
                    clean.push(v.to_string());
                }
            }
            *list = clean;
        }
        if let Some(bad) = s.statuses.iter().find(|v| v.chars().count() > 100) {
            return Err(AppError::refused(ErrorWords::TooLong {
                field: "statuses".into(),
                label: format!("Status «{}…»", bad.chars().take(20).collect::<String>()),
                max: 100,
            }));
        }
        clean_env(&mut s.password_env);
        clean_env(&mut s.api_key_env);
        clean_env(&mut s.intake_token_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            "api_key" => self.api_key_env.as_deref(),
            "password" => self.password_env.as_deref(),
            GETTZAP_INTAKE_TOKEN => self.intake_token_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.api_key_env.is_some() || self.password_env.is_some() || self.intake_token_env.is_some()
    }

    /// Told per line with a status and a text (see the store's decision planner).
    fn policy(&self) -> crate::AccountPolicy {
        crate::AccountPolicy {
            decides_by_line_status: true,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum AccountSettings {
    Ozon(OzonSettings),
    Zzap(ZzapSettings),
    Gettzap(GettzapSettings),
}

/// Calls the same method on whichever integration's settings these are.
macro_rules! each_settings {
    ($settings:expr, $s:ident => $call:expr) => {
        match $settings {
            AccountSettings::Ozon($s) => $call,
            AccountSettings::Zzap($s) => $call,
            AccountSettings::Gettzap($s) => $call,
        }
    };
}

impl AccountSettings {
    pub fn kind(&self) -> AccountKind {
        match self {
            AccountSettings::Ozon(_) => AccountKind::Ozon,
            AccountSettings::Zzap(_) => AccountKind::Zzap,
            AccountSettings::Gettzap(_) => AccountKind::Gettzap,
        }
    }

    /// The environment variable a secret field is read from (CLI accounts), if one is named.
    pub fn secret_env(&self, field: &str) -> Option<&str> {
        each_settings!(self, s => s.secret_env(field))
    }

    /// Whether any secret comes from the environment rather than the keychain.
    pub fn reads_secrets_from_env(&self) -> bool {
        each_settings!(self, s => s.reads_secrets_from_env())
    }

    /// Trims and checks the integration's own fields.
    pub fn validate(&mut self) -> Result<(), AppError> {
        each_settings!(self, s => s.validate())
    }

    /// What these settings mean for decisions, ingest and shop orders.
    pub fn policy(&self) -> crate::AccountPolicy {
        each_settings!(self, s => s.policy())
    }

    /// A time of day the account's syncs are anchored at, when it has one.
    pub fn sync_start_time(&self) -> Option<chrono::NaiveTime> {
        each_settings!(self, s => s.sync_start_time())
            .and_then(|t| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok())
    }
}

/// An empty or blank variable name means "not from the environment".
fn clean_env(var: &mut Option<String>) {
    if var.as_deref().is_some_and(|v| v.trim().is_empty()) {
        *var = None;
    }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> AccountDraft {
        AccountDraft {
            name: " Shop A ".into(),
            region: String::new(),
            active: true,
            interval_secs: 60,
            base_url: Some("http://127.0.0.1:9/".into()),
            settings: AccountSettings::Ozon(OzonSettings::new(" 12345 ")),
        }
    }

    #[test]
    fn draft_is_trimmed_and_base_url_normalised() {
        let d = draft().validated().unwrap();
        assert_eq!(d.name, "Shop A");
        assert_eq!(d.base_url.as_deref(), Some("http://127.0.0.1:9"));
        let AccountSettings::Ozon(s) = d.settings else {
            panic!()
        };
        assert_eq!(s.client_id, "12345");
    }

    #[test]
    fn draft_rejects_bad_fields_with_plain_messages() {
        let mut d = draft();
        d.settings = AccountSettings::Ozon(OzonSettings::new("abc"));
        assert!(d.validated().unwrap_err().message.contains("Client-Id"));
        let mut d = draft();
        d.interval_secs = 1;
        assert!(d.validated().unwrap_err().message.contains("interval"));
        let mut d = draft();
        d.base_url = Some("ftp://x".into());
        assert!(d.validated().unwrap_err().message.contains("Base URL"));
        let mut d = draft();
        d.base_url = Some("http://api.zzap.pro".into());
        assert!(d.validated().unwrap_err().message.contains("https://"));
        let mut d = draft();
        d.name = "  ".into();
        assert!(d.validated().is_err());
        let mut s = OzonSettings::new("1");
        s.sync_start_time = Some("25:00".into());
        let d = AccountDraft {
            settings: AccountSettings::Ozon(s),
            ..draft()
        };
        assert!(d.validated().unwrap_err().message.contains("HH:MM"));
        let mut s = OzonSettings::new("1");
        s.sync_start_time = Some(" ".into());
        s.source_label = " Ozon FBS ".into();
        let d = AccountDraft {
            settings: AccountSettings::Ozon(s),
            ..draft()
        }
        .validated()
        .unwrap();
        let AccountSettings::Ozon(s) = d.settings else {
            panic!()
        };
        assert_eq!((s.sync_start_time, s.source_label.as_str()), (None, "Ozon FBS"));
    }

    #[test]
    fn zzap_settings_are_checked_and_secrets_can_come_from_the_environment() {
        let mut z = ZzapSettings::new(" shop@example.ru ");
        z.import_codes = vec![" 1 ".into(), "".into(), "2".into()];
        z.password_env = Some("  ".into());
        z.api_key_env = Some("ZZAP_KEY".into());
        let d = AccountDraft {
            settings: AccountSettings::Zzap(z),
            ..draft()
        }
        .validated()
        .unwrap();
        let AccountSettings::Zzap(z) = &d.settings else {
            panic!()
        };
        assert_eq!(z.login, "shop@example.ru");
        assert_eq!(z.import_codes, ["1", "2"]);
        assert_eq!(z.password_env, None, "a blank variable name means the keychain");
        assert_eq!(d.settings.secret_env("api_key"), Some("ZZAP_KEY"));
        assert_eq!(d.settings.secret_env("password"), None);
        assert!(d.settings.reads_secrets_from_env());

        let mut bad = ZzapSettings::new("x@example.ru");
        bad.buyer_cancel_codes = vec!["отказ".into()];
        let e = AccountDraft {
            settings: AccountSettings::Zzap(bad),
            ..draft()
        }
        .validated()
        .unwrap_err();
        assert!(e.message.contains("«отказ»"), "{}", e.message);
        assert!(
            matches!(e.words.as_deref(), Some(ErrorWords::BadFormat { field, value, .. }) if field == "status_codes" && value == "отказ"),
            "{:?}",
            e.words
        );
        let e = AccountDraft {
            settings: AccountSettings::Zzap(ZzapSettings::new(" ")),
            ..draft()
        }
        .validated()
        .unwrap_err();
        assert!(e.message.contains("Login"), "{}", e.message);
        let z: AccountSettings = serde_json::from_str(r#"{"kind":"zzap","login":"a@b"}"#).unwrap();
        let AccountSettings::Zzap(z) = z else { panic!() };
        assert_eq!(z.min_request_interval_ms, ZZAP_MIN_INTERVAL_MS);
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

    #[test]
    fn gettzap_settings_are_cleaned_and_read_cancels_case_insensitively() {
        let mut g = GettzapSettings::new(" shop ");
        g.statuses = vec![" accepted ".into(), "".into(), "accepted".into(), "Выдан".into()];
        g.intake_token_env = Some(" ".into());
        g.api_key_env = Some("GZ_KEY".into());
        let d = AccountDraft {
            settings: AccountSettings::Gettzap(g),
            ..draft()
        }
        .validated()
        .unwrap();
        let AccountSettings::Gettzap(g) = &d.settings else {
            panic!()
        };
        assert_eq!(g.login, "shop");
        assert_eq!(g.statuses, ["accepted", "Выдан"]);
        assert_eq!(g.intake_token_env, None);
        assert_eq!(d.settings.secret_env("api_key"), Some("GZ_KEY"));
        assert!(g.is_cancel_status(" Отменён "));
        assert!(!g.is_cancel_status("new"));
        assert!(!g.is_cancel_status(""));
        assert_eq!(AccountKind::parse("gettzap").unwrap(), AccountKind::Gettzap);
        let e = AccountDraft {
            settings: AccountSettings::Gettzap(GettzapSettings::new("  ")),
            ..draft()
        }
        .validated()
        .unwrap_err();
        assert!(
            matches!(e.words.as_deref(), Some(ErrorWords::Required { field, .. }) if field == "login"),
            "{:?}",
            e.words
        );
        let g: AccountSettings = serde_json::from_str(r#"{"kind":"gettzap","login":"a"}"#).unwrap();
        let AccountSettings::Gettzap(g) = g else { panic!() };
        assert_eq!(g.statuses.len(), GETTZAP_DEFAULT_STATUSES.len());
    }

    #[test]
    fn each_integrations_settings_hand_the_store_its_policy() {
        let mut o = OzonSettings::new("1");
        o.import_awaiting_deliver = true;
        o.posting_number_to = PostingNumberField::BuyerName;
        o.fixed_customer_id = Some(7);
        let p = AccountSettings::Ozon(o.clone()).policy();
        assert!(!p.decides_by_line_status && p.ship_on_accept);
        assert_eq!(p.cancel_reason.id, OZON_DEFAULT_CANCEL_REASON);
        let decided = p.ingest.decided_elsewhere.unwrap();
        assert_eq!(
            (decided.status.as_str(), decided.import),
            (OZON_AWAITING_DELIVER, true)
        );
        let shop = p.shop_order.unwrap();
        assert_eq!(
            shop.source_label, "Ozon",
            "an empty label writes the marketplace's name"
        );
        assert!(shop.number_to_recipient && !shop.date_placed);
        assert_eq!(shop.fixed_customer_id, Some(7));
        assert!(shop.extra.iter().any(|(k, _)| k == "cargo_places"));
        assert!(shop.tracking_back.is_some());
        o.import_awaiting_deliver = false;
        o.source_label = "Ozon FBS".into();
        let p = AccountSettings::Ozon(o).policy();
        assert!(!p.ingest.decided_elsewhere.unwrap().import);
        assert_eq!(p.shop_order.unwrap().source_label, "Ozon FBS");

        for settings in [
            AccountSettings::Zzap(ZzapSettings::new("a@b")),
            AccountSettings::Gettzap(GettzapSettings::new("a")),
        ] {
            let p = settings.policy();
            assert!(p.decides_by_line_status && !p.ship_on_accept);
            assert!(p.ingest.decided_elsewhere.is_none() && p.shop_order.is_none());
        }
    }

    #[test]
    fn settings_default_missing_fields() {
        let s: AccountSettings = serde_json::from_str(r#"{"kind":"ozon","client_id":"1"}"#).unwrap();
        let AccountSettings::Ozon(s) = s else { panic!() };
        assert!(s.ship_on_accept);
        assert_eq!(s.cancel_reason_id, OZON_DEFAULT_CANCEL_REASON);
        assert_eq!(
            s,
            OzonSettings::new("1"),
            "an account saved before the options reads as new"
        );
        assert_eq!(s.posting_number_to, PostingNumberField::OrderNumber);
        assert_eq!(s.order_date, OrderDateSource::Loaded);
        assert!(!s.import_awaiting_deliver && !s.paid_on_delivered);
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
