//! An Amazon seller account's settings: the region (its API host) and marketplace, the Login with
//! Amazon app's client id (its secret and the seller's refresh token live in the keychain), how
//! far back the first sync reads, and how products are recognised.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, ProductKey, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// Days of orders the first sync reads unless the account says otherwise.
pub const AMAZON_BACKFILL_DAYS: u32 = 60;
/// Login with Amazon's token endpoint (the same for every region).
pub const LWA_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
const MAX_BACKFILL_DAYS: u32 = 3_650;

fn backfill_days() -> u32 {
    AMAZON_BACKFILL_DAYS
}
fn yes() -> bool {
    true
}

/// The Selling Partner API's regions, each with its own host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "AmazonRegion")]
pub enum Region {
    /// Europe, the Middle East, India.
    #[default]
    Eu,
    /// North and South America.
    Na,
    /// Japan, Australia, Singapore.
    Fe,
}

impl Region {
    pub fn host(self) -> &'static str {
        match self {
            Region::Eu => "https://sellingpartnerapi-eu.amazon.com",
            Region::Na => "https://sellingpartnerapi-na.amazon.com",
            Region::Fe => "https://sellingpartnerapi-fe.amazon.com",
        }
    }
}

/// An Amazon seller account read through the Selling Partner API (Orders 2026-01-01).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AmazonSettings {
    #[serde(default)]
    pub region: Region,
    /// The marketplace the orders are read from (`A1PA6795UKMFR9` is Germany).
    pub marketplace_id: String,
    /// The Login with Amazon app's client id; its secret and the refresh token are in the keychain.
    pub client_id: String,
    /// Days of orders the first sync reads (shipped and cancelled seller orders left out).
    #[serde(default = "backfill_days")]
    pub backfill_days: u32,
    /// New orders become shop orders at once: Amazon already sold them.
    #[serde(default = "yes")]
    pub accept_on_arrival: bool,
    #[serde(default)]
    pub identify_products_by: ProductKey,
    /// Another token endpoint (a proxy, or a test's fake).
    #[serde(default)]
    pub token_url: Option<String>,
    /// CLI only: the client secret is read at run time from this environment variable.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    /// CLI only: the refresh token is read at run time from this environment variable.
    #[serde(default)]
    pub refresh_token_env: Option<String>,
}

impl AmazonSettings {
    pub fn new(region: Region, marketplace_id: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            region,
            marketplace_id: marketplace_id.into(),
            client_id: client_id.into(),
            backfill_days: AMAZON_BACKFILL_DAYS,
            accept_on_arrival: true,
            identify_products_by: ProductKey::Sku,
            token_url: None,
            client_secret_env: None,
            refresh_token_env: None,
        }
    }

    pub fn token_endpoint(&self) -> &str {
        self.token_url.as_deref().unwrap_or(LWA_TOKEN_URL)
    }
}

impl IntegrationSettings for AmazonSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.marketplace_id = s.marketplace_id.trim().to_string();
        s.client_id = s.client_id.trim().to_string();
        if s.marketplace_id.is_empty() {
            return Err(AppError::refused(ErrorWords::required(
                "marketplace_id",
                "Marketplace ID",
            )));
        }
        if !s.marketplace_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "marketplace_id",
                "Marketplace ID",
                &s.marketplace_id,
                ValueFormat::MarketplaceId,
            )));
        }
        if s.client_id.is_empty() {
            return Err(AppError::refused(ErrorWords::required("client_id", "Client ID")));
        }
        if let Some(url) = &mut s.token_url {
            *url = url.trim().to_string();
        }
        s.token_url = s.token_url.take().filter(|u| !u.is_empty());
        if let Some(url) = &s.token_url {
            if !secure_enough(url) {
                return Err(AppError::refused(ErrorWords::bad_format(
                    "token_url",
                    "Token address",
                    url,
                    ValueFormat::SecureWebAddress,
                )));
            }
        }
        if !(1..=MAX_BACKFILL_DAYS).contains(&s.backfill_days) {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "backfill_days",
                "Days the first sync reads",
                Some(1),
                Some(MAX_BACKFILL_DAYS.into()),
                Some("days"),
            )));
        }
        clean_env(&mut s.client_secret_env);
        clean_env(&mut s.refresh_token_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::CLIENT_SECRET => self.client_secret_env.as_deref(),
            super::REFRESH_TOKEN => self.refresh_token_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.client_secret_env.is_some() || self.refresh_token_env.is_some()
    }

    /// Where the keys go besides the API address (compared on its own): a typed token address,
    /// else the region (Amazon's own hosts).
    fn service_address(&self) -> Option<&str> {
        Some(self.token_url.as_deref().unwrap_or(self.region.host()))
    }

    /// Accepting sends nothing (Amazon sold the order); a rejection asks Amazon to cancel, which
    /// its Orders API does not take: the outbox says so and the manager cancels in Seller Central.
    fn policy(&self) -> ordertray_core::AccountPolicy {
        ordertray_core::AccountPolicy {
            ingest: ordertray_core::IngestPolicy {
                decided_elsewhere: None,
                accept_on_arrival: self.accept_on_arrival,
                shop_currency_only: true,
                catalog: Some(self.identify_products_by),
            },
            shop_order: Some(ordertray_core::ShopOrderPolicy {
                source_label: "Amazon".into(),
                number_to_recipient: false,
                date_placed: true,
                fixed_customer_id: None,
                default_delivery_method: String::new(),
                default_payment_method: None,
                paid_on_delivered: false,
                extra: vec![(
                    "service_level".into(),
                    "$.fulfillment.fulfillmentServiceLevel".into(),
                )],
                tracking_back: None,
            }),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_trimmed_and_checked() {
        let mut s = AmazonSettings::new(Region::Eu, " A1PA6795UKMFR9 ", " amzn1.application-oa2-client.1 ");
        s.validate().unwrap();
        assert_eq!(s.marketplace_id, "A1PA6795UKMFR9");
        assert_eq!(s.token_endpoint(), LWA_TOKEN_URL);
        assert_eq!(Region::Na.host(), "https://sellingpartnerapi-na.amazon.com");
        let refused = |mut s: AmazonSettings| s.validate().unwrap_err();
        assert!(refused(AmazonSettings::new(Region::Eu, "", "id"))
            .to_string()
            .contains("Marketplace ID"));
        assert!(refused(AmazonSettings::new(Region::Eu, "A1 PA", "id"))
            .to_string()
            .contains("Marketplace ID"));
        assert!(refused(AmazonSettings::new(Region::Eu, "A1", " "))
            .to_string()
            .contains("Client ID"));
        let plain = AmazonSettings {
            token_url: Some("http://tokens.example".into()),
            ..AmazonSettings::new(Region::Eu, "A1", "id")
        };
        assert!(refused(plain).to_string().contains("Token address"));
    }
}
