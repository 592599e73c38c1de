//! A RetailCRM account's settings: the CRM's address, the site (shop) its orders go to, and what
//! a transfer does to the order's status.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, TransferRules, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// A RetailCRM account (API v5). The API key (Settings → Integration → API access keys, with the
/// orders and store methods allowed) lives in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RetailCrmSettings {
    /// The CRM's address (`https://shop.retailcrm.ru`).
    pub url: String,
    /// The site (shop) code the orders belong to (Settings → Stores).
    pub site: String,
    #[serde(default)]
    pub transfer: TransferRules,
    /// CLI only: the API key is read at run time from this environment variable.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

impl RetailCrmSettings {
    pub fn new(url: impl Into<String>, site: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            site: site.into(),
            transfer: TransferRules::default(),
            api_key_env: None,
        }
    }
}

impl IntegrationSettings for RetailCrmSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        s.site = s.site.trim().to_string();
        if s.url.is_empty() {
            return Err(AppError::refused(ErrorWords::required("url", "CRM address")));
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "CRM address",
                &s.url,
                ValueFormat::SecureWebAddress,
            )));
        }
        if s.site.is_empty() {
            return Err(AppError::refused(ErrorWords::required("site", "Store code")));
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
