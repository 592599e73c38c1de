//! ZZAP's account settings: the login, which status codes are read, and the pause between calls.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::registry::clean_env;

/// ZZAP answers more than one request per 3 seconds with 429 (and a captcha when it goes on).
pub const ZZAP_MIN_INTERVAL_MS: u32 = 3_000;

fn zzap_interval() -> u32 {
    ZZAP_MIN_INTERVAL_MS
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
    fn policy(&self) -> ordertray_core::AccountPolicy {
        ordertray_core::AccountPolicy {
            decides_by_line_status: true,
            ..Default::default()
        }
    }
}
