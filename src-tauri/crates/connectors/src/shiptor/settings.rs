//! A Shiptor account's settings: the API's address (Shiptor's own unless a test points elsewhere)
//! and what a transfer does to the order's status.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, TransferRules, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// Shiptor's API root; the shipping endpoint is `/shipping/v1` under it.
pub const DEFAULT_URL: &str = "https://api.shiptor.ru";

fn default_url() -> String {
    DEFAULT_URL.to_string()
}

/// A Shiptor account. The API key (Shiptor's cabinet → Settings → API) lives in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShiptorSettings {
    /// The API's root (`https://api.shiptor.ru`).
    #[serde(default = "default_url")]
    pub url: String,
    #[serde(default)]
    pub transfer: TransferRules,
    /// CLI only: the API key is read at run time from this environment variable.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

impl Default for ShiptorSettings {
    fn default() -> Self {
        Self {
            url: default_url(),
            transfer: TransferRules::default(),
            api_key_env: None,
        }
    }
}

impl IntegrationSettings for ShiptorSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        // Nobody has another Shiptor: an emptied field means Shiptor's own address.
        if s.url.is_empty() {
            s.url = default_url();
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "Shiptor API address",
                &s.url,
                ValueFormat::SecureWebAddress,
            )));
        }
        clean_env(&mut s.api_key_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::API_KEY => self.api_key_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.api_key_env.is_some()
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
    fn an_empty_address_is_shiptors_own_and_plain_http_is_refused() {
        let mut s = ShiptorSettings {
            url: "  ".into(),
            ..Default::default()
        };
        s.validate().unwrap();
        assert_eq!(s.url, DEFAULT_URL);
        let mut s = ShiptorSettings {
            url: "http://api.shiptor.ru/".into(),
            ..Default::default()
        };
        assert!(s.validate().is_err());
        let read: ShiptorSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(read.url, DEFAULT_URL);
    }
}
