//! A Bitrix24 portal's settings: the portal's address and the incoming webhook's user, and what a
//! transfer does to the order's status. The webhook's token (the secret part of its URL
//! `https://{portal}/rest/{user_id}/{token}/`) lives in the keychain.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, TransferRules, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// A Bitrix24 portal reached through an incoming webhook (Developer resources → Other →
/// Incoming webhook, with the CRM scope).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Bitrix24Settings {
    /// The portal's address (`https://shop.bitrix24.ru`), without the webhook's path.
    pub portal_url: String,
    /// The id of the user the webhook acts as (the number after `/rest/`).
    pub user_id: String,
    #[serde(default)]
    pub transfer: TransferRules,
    /// CLI only: the webhook token is read at run time from this environment variable.
    #[serde(default)]
    pub webhook_token_env: Option<String>,
}

impl Bitrix24Settings {
    pub fn new(portal_url: impl Into<String>, user_id: impl Into<String>) -> Self {
        Self {
            portal_url: portal_url.into(),
            user_id: user_id.into(),
            ..Default::default()
        }
    }
}

impl IntegrationSettings for Bitrix24Settings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.portal_url = s.portal_url.trim().trim_end_matches('/').to_string();
        s.user_id = s.user_id.trim().to_string();
        if s.portal_url.is_empty() {
            return Err(AppError::refused(ErrorWords::required(
                "portal_url",
                "Portal address",
            )));
        }
        // A whole webhook URL pasted here would keep its token in the database: refused, the
        // token belongs in the keychain.
        if !secure_enough(&s.portal_url) || s.portal_url.contains("/rest/") {
            return Err(AppError::refused(ErrorWords::bad_format(
                "portal_url",
                "Portal address",
                &s.portal_url,
                ValueFormat::SecureWebAddress,
            )));
        }
        if s.user_id.is_empty() {
            return Err(AppError::refused(ErrorWords::required(
                "user_id",
                "Webhook user id",
            )));
        }
        if !s.user_id.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "user_id",
                "Webhook user id",
                &s.user_id,
                ValueFormat::MarketplaceId,
            )));
        }
        clean_env(&mut s.webhook_token_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::WEBHOOK_TOKEN => self.webhook_token_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.webhook_token_env.is_some()
    }

    fn service_address(&self) -> Option<&str> {
        Some(&self.portal_url)
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
    fn settings_are_tidied_and_a_webhook_url_or_plain_http_refused() {
        let mut s = Bitrix24Settings::new(" https://shop.bitrix24.ru/ ", " 1 ");
        s.webhook_token_env = Some(" ".into());
        s.validate().unwrap();
        assert_eq!(
            (s.portal_url.as_str(), s.user_id.as_str()),
            ("https://shop.bitrix24.ru", "1")
        );
        assert_eq!(s.webhook_token_env, None);
        for (url, user) in [
            ("http://shop.bitrix24.ru", "1"),
            ("https://shop.bitrix24.ru/rest/1/abcdef0123456789", "1"),
            ("", "1"),
            ("https://shop.bitrix24.ru", ""),
            ("https://shop.bitrix24.ru", "1/abc"),
        ] {
            assert!(
                Bitrix24Settings::new(url, user).validate().is_err(),
                "{url} {user}"
            );
        }
        Bitrix24Settings::new("http://127.0.0.1:9000", "1")
            .validate()
            .expect("loopback may be plain http (a fake)");
    }
}
