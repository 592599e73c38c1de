//! A MoySklad account's settings: the API's address, the legal entity the orders are made for,
//! and what a transfer does to the order's status.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, TransferRules, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// MoySklad's JSON API.
pub const DEFAULT_URL: &str = "https://api.moysklad.ru/api/remap/1.2";

fn default_url() -> String {
    DEFAULT_URL.to_string()
}

/// A MoySklad account (JSON API 1.2). The access token (Settings → Users → the user → Access
/// tokens, or a solution's token) lives in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MoySkladSettings {
    /// The API's address; MoySklad's own unless a test points it elsewhere.
    #[serde(default = "default_url")]
    pub url: String,
    /// The legal entity (its name or id) the orders are made for; None: the account's first.
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub transfer: TransferRules,
    /// CLI only: the access token is read at run time from this environment variable.
    #[serde(default)]
    pub token_env: Option<String>,
}

impl Default for MoySkladSettings {
    fn default() -> Self {
        Self {
            url: default_url(),
            organization: None,
            transfer: TransferRules::default(),
            token_env: None,
        }
    }
}

impl IntegrationSettings for MoySkladSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        if s.url.is_empty() {
            s.url = default_url();
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "MoySklad API address",
                &s.url,
                ValueFormat::SecureWebAddress,
            )));
        }
        s.organization = s
            .organization
            .take()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty());
        clean_env(&mut s.token_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::TOKEN => self.token_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.token_env.is_some()
    }

    fn service_address(&self) -> Option<&str> {
        Some(&self.url)
    }

    fn policy(&self) -> ordertray_core::AccountPolicy {
        ordertray_core::AccountPolicy {
            transfer: Some(self.transfer.clone()),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_tidied_and_an_insecure_address_refused() {
        let mut s = MoySkladSettings {
            url: " ".into(),
            organization: Some("  ".into()),
            token_env: Some(" ".into()),
            ..Default::default()
        };
        s.validate().unwrap();
        assert_eq!(s.url, DEFAULT_URL);
        assert_eq!(s.organization, None);
        assert_eq!(s.token_env, None);
        let mut plain = MoySkladSettings {
            url: "http://api.moysklad.ru/api/remap/1.2".into(),
            ..Default::default()
        };
        assert!(plain.validate().is_err());
        let read: MoySkladSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(read.url, DEFAULT_URL);
    }
}
