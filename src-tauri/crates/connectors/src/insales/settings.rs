//! An InSales shop's settings: its address, the API application's identifier, and what a
//! transfer does to the order's status.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, TransferRules, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// An InSales shop. The API application (Settings → Applications → Developers) gives an
/// identifier, kept here, and a password, kept in the keychain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct InSalesSettings {
    /// The shop's address (`https://{shop}.myinsales.ru`).
    pub url: String,
    /// The API application's identifier (the basic auth user name; not a secret).
    pub api_id: String,
    #[serde(default)]
    pub transfer: TransferRules,
    /// CLI only: the API password is read at run time from this environment variable.
    #[serde(default)]
    pub password_env: Option<String>,
}

impl InSalesSettings {
    pub fn new(url: impl Into<String>, api_id: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            api_id: api_id.into(),
            ..Default::default()
        }
    }
}

impl IntegrationSettings for InSalesSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        s.api_id = s.api_id.trim().to_string();
        if s.url.is_empty() {
            return Err(AppError::refused(ErrorWords::required("url", "shop address")));
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "shop address",
                &s.url,
                ValueFormat::SecureWebAddress,
            )));
        }
        if s.api_id.is_empty() {
            return Err(AppError::refused(ErrorWords::required(
                "api_id",
                "API application identifier",
            )));
        }
        clean_env(&mut s.password_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::PASSWORD => self.password_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.password_env.is_some()
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
    fn settings_are_tidied_and_an_insecure_address_or_no_identifier_refused() {
        let mut s = InSalesSettings {
            password_env: Some(" ".into()),
            ..InSalesSettings::new(" https://shop.myinsales.ru/ ", " app-1 ")
        };
        s.validate().unwrap();
        assert_eq!(s.url, "https://shop.myinsales.ru");
        assert_eq!(s.api_id, "app-1");
        assert_eq!(s.password_env, None);
        assert!(InSalesSettings::new("http://shop.myinsales.ru", "a")
            .validate()
            .is_err());
        assert!(InSalesSettings::new("https://shop.myinsales.ru", " ")
            .validate()
            .is_err());
    }
}
