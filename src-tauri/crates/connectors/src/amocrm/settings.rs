//! An amoCRM account's settings: the account's address and what a transfer does to the order's
//! status.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, TransferRules, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// An amoCRM account (API v4). The long-lived token (amoCRM → Settings → Integrations → a private
/// integration → Keys and access) lives in the keychain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AmoCrmSettings {
    /// The account's address (`https://{subdomain}.amocrm.ru`).
    pub url: String,
    #[serde(default)]
    pub transfer: TransferRules,
    /// CLI only: the token is read at run time from this environment variable.
    #[serde(default)]
    pub token_env: Option<String>,
}

impl AmoCrmSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Default::default()
        }
    }
}

impl IntegrationSettings for AmoCrmSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        if s.url.is_empty() {
            return Err(AppError::refused(ErrorWords::required("url", "amoCRM address")));
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "amoCRM address",
                &s.url,
                ValueFormat::SecureWebAddress,
            )));
        }
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
    fn settings_are_tidied_and_an_insecure_or_missing_address_refused() {
        let mut s = AmoCrmSettings {
            url: " https://shop.amocrm.ru/ ".into(),
            token_env: Some(" ".into()),
            ..Default::default()
        };
        s.validate().unwrap();
        assert_eq!(s.url, "https://shop.amocrm.ru");
        assert_eq!(s.token_env, None);
        assert!(AmoCrmSettings::new("http://shop.amocrm.ru").validate().is_err());
        assert!(AmoCrmSettings::new(" ").validate().is_err());
        let mut local = AmoCrmSettings::new("http://127.0.0.1:8080");
        local.validate().expect("loopback may be plain http (a fake)");
        let read: AmoCrmSettings = serde_json::from_str(r#"{"url":"https://a.amocrm.ru"}"#).unwrap();
        assert_eq!(read.transfer, TransferRules::default());
    }
}
