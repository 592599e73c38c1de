use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::AppError;

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
            other => Err(AppError::invalid(format!("unknown marketplace kind '{other}'"))),
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            AccountKind::Ozon => "Ozon",
            AccountKind::Zzap => "ZZAP",
            AccountKind::Gettzap => "Gettzap",
        }
    }
    /// Names of the credential fields kept in the OS keychain (never in the database).
    pub fn secret_fields(self) -> &'static [&'static str] {
        match self {
            AccountKind::Ozon => &["api_key"],
            AccountKind::Zzap => &["password", "api_key"],
            // The intake token is ours: Gettzap sends it with every order it pushes to us.
            AccountKind::Gettzap => &["password", "api_key", GETTZAP_INTAKE_TOKEN],
        }
    }
    /// Whether a decision is told to the marketplace as a status per line with a comment (the
    /// account's "accepted" / "refusal" settings) rather than as Ozon's ship and cancel calls.
    pub fn decides_by_line_status(self) -> bool {
        match self {
            AccountKind::Ozon => false,
            AccountKind::Zzap | AccountKind::Gettzap => true,
        }
    }
    /// Whether the marketplace lists its own status codes (loaded per account, see
    /// [`crate::templates::MarketplaceStatus`]) instead of a fixed set known to the connector.
    pub fn has_status_dictionary(self) -> bool {
        matches!(self, AccountKind::Zzap | AccountKind::Gettzap)
    }
    /// Whether the marketplace delivers orders by calling us (an intake address) rather than
    /// being polled.
    pub fn receives_pushes(self) -> bool {
        matches!(self, AccountKind::Gettzap)
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum AccountSettings {
    Ozon(OzonSettings),
    Zzap(ZzapSettings),
    Gettzap(GettzapSettings),
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
        let var = match (self, field) {
            (AccountSettings::Ozon(s), "api_key") => &s.api_key_env,
            (AccountSettings::Zzap(s), "api_key") => &s.api_key_env,
            (AccountSettings::Zzap(s), "password") => &s.password_env,
            (AccountSettings::Gettzap(s), "api_key") => &s.api_key_env,
            (AccountSettings::Gettzap(s), "password") => &s.password_env,
            (AccountSettings::Gettzap(s), GETTZAP_INTAKE_TOKEN) => &s.intake_token_env,
            _ => return None,
        };
        var.as_deref()
    }

    /// Whether any secret comes from the environment rather than the keychain.
    pub fn reads_secrets_from_env(&self) -> bool {
        self.kind()
            .secret_fields()
            .iter()
            .any(|f| self.secret_env(f).is_some())
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
            return Err(AppError::invalid("Account name is empty"));
        }
        if self.interval_secs < MIN_INTERVAL_SECS {
            return Err(AppError::invalid(format!(
                "Poll interval must be at least {MIN_INTERVAL_SECS} seconds"
            )));
        }
        self.base_url = match self.base_url.map(|u| u.trim().trim_end_matches('/').to_string()) {
            Some(u) if u.is_empty() => None,
            Some(u) if crate::net_policy::base_url_problem(&u).is_some() => {
                let problem = crate::net_policy::base_url_problem(&u).unwrap_or_default();
                return Err(AppError::invalid(problem));
            }
            other => other,
        };
        match &mut self.settings {
            AccountSettings::Ozon(s) => {
                s.client_id = s.client_id.trim().to_string();
                if s.client_id.is_empty() || !s.client_id.chars().all(|c| c.is_ascii_digit()) {
                    return Err(AppError::invalid("Ozon Client-Id must be a number"));
                }
                if s.cancel_reason_id <= 0 {
                    return Err(AppError::invalid("Cancel reason must be an Ozon reason id"));
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
                        return Err(AppError::invalid(format!(
                            "Sync start time must be HH:MM (24-hour); '{t}' is not"
                        )));
                    }
                }
                clean_env(&mut s.api_key_env);
            }
            AccountSettings::Zzap(s) => {
                s.login = s.login.trim().to_string();
                if s.login.is_empty() {
                    return Err(AppError::invalid("ZZAP login (the account's e-mail) is empty"));
                }
                for codes in [&mut s.import_codes, &mut s.buyer_cancel_codes] {
                    *codes = codes
                        .iter()
                        .map(|c| c.trim().to_string())
                        .filter(|c| !c.is_empty())
                        .collect();
                    if let Some(bad) = codes.iter().find(|c| !c.chars().all(|ch| ch.is_ascii_digit())) {
                        return Err(AppError::invalid(format!(
                            "ZZAP status codes are numbers; '{bad}' is not"
                        )));
                    }
                }
                if s.min_request_interval_ms > 60_000 {
                    return Err(AppError::invalid(
                        "The pause between ZZAP calls is at most 60 seconds",
                    ));
                }
                clean_env(&mut s.password_env);
                clean_env(&mut s.api_key_env);
            }
            AccountSettings::Gettzap(s) => {
                s.login = s.login.trim().to_string();
                if s.login.is_empty() {
                    return Err(AppError::invalid("Gettzap login is empty"));
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
                    return Err(AppError::invalid(format!(
                        "A Gettzap status is at most 100 characters; «{}…» is longer",
                        bad.chars().take(20).collect::<String>()
                    )));
                }
                clean_env(&mut s.password_env);
                clean_env(&mut s.api_key_env);
                clean_env(&mut s.intake_token_env);
            }
        }
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
    pub last_error: Option<String>,
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
        assert_eq!(AccountKind::Zzap.secret_fields(), ["password", "api_key"]);

        let mut bad = ZzapSettings::new("x@example.ru");
        bad.buyer_cancel_codes = vec!["отказ".into()];
        let e = AccountDraft {
            settings: AccountSettings::Zzap(bad),
            ..draft()
        }
        .validated()
        .unwrap_err();
        assert!(e.message.contains("'отказ'"), "{}", e.message);
        let e = AccountDraft {
            settings: AccountSettings::Zzap(ZzapSettings::new(" ")),
            ..draft()
        }
        .validated()
        .unwrap_err();
        assert!(e.message.contains("login"), "{}", e.message);
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
        assert_eq!(
            AccountKind::Gettzap.secret_fields(),
            ["password", "api_key", GETTZAP_INTAKE_TOKEN]
        );
        assert!(AccountKind::Gettzap.receives_pushes() && !AccountKind::Zzap.receives_pushes());
        assert_eq!(AccountKind::parse("gettzap").unwrap(), AccountKind::Gettzap);
        let e = AccountDraft {
            settings: AccountSettings::Gettzap(GettzapSettings::new("  ")),
            ..draft()
        }
        .validated()
        .unwrap_err();
        assert!(e.message.contains("Gettzap login"), "{}", e.message);
        let g: AccountSettings = serde_json::from_str(r#"{"kind":"gettzap","login":"a"}"#).unwrap();
        let AccountSettings::Gettzap(g) = g else { panic!() };
        assert_eq!(g.statuses.len(), GETTZAP_DEFAULT_STATUSES.len());
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

/// The credentials of one account, by field name (see [`AccountKind::secret_fields`]).
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
