//! A Shopify shop's account settings: the shop, the app's client id (its secret, or an old
//! custom app's admin token, lives in the keychain), the dated API version, how far back the
//! first sync reads (Shopify shows 60 days of orders to an app without `read_all_orders`), and
//! how its products are recognised.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, ProductKey, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// Each dated version is supported about a year; the account may name a newer one.
pub const SHOPIFY_API_VERSION: &str = "2025-10";
/// Days of orders the first sync reads unless the account says otherwise.
pub const SHOPIFY_BACKFILL_DAYS: u32 = 60;
/// What an app without `read_all_orders` may see.
pub const SHOPIFY_VISIBLE_DAYS: u32 = 60;
const MAX_BACKFILL_DAYS: u32 = 3_650;

fn api_version() -> String {
    SHOPIFY_API_VERSION.into()
}
fn backfill_days() -> u32 {
    SHOPIFY_BACKFILL_DAYS
}
fn yes() -> bool {
    true
}

/// A Shopify shop read through the Admin GraphQL API by the shop's own app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ShopifySettings {
    /// The shop: `my-shop`, `my-shop.myshopify.com` or its https:// address.
    pub shop: String,
    /// The app's client id (Dev Dashboard → the app → Settings); its secret is in the keychain.
    pub client_id: String,
    /// The keychain holds an old custom app's admin API access token instead of the client
    /// secret (such tokens keep working; new ones can no longer be made).
    #[serde(default)]
    pub admin_token: bool,
    /// The dated Admin API version (`2025-10`).
    #[serde(default = "api_version")]
    pub api_version: String,
    /// Days of orders the first sync reads (fulfilled, cancelled and refunded ones left out).
    #[serde(default = "backfill_days")]
    pub backfill_days: u32,
    /// The app has the `read_all_orders` scope: the first sync may read past 60 days.
    #[serde(default)]
    pub read_all_orders: bool,
    /// New orders become shop orders at once: the shop already sold them.
    #[serde(default = "yes")]
    pub accept_on_arrival: bool,
    #[serde(default)]
    pub identify_products_by: ProductKey,
    /// CLI only: the client secret (or admin token) is read at run time from this environment
    /// variable.
    #[serde(default)]
    pub client_secret_env: Option<String>,
}

impl ShopifySettings {
    pub fn new(shop: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            shop: shop.into(),
            client_id: client_id.into(),
            admin_token: false,
            api_version: api_version(),
            backfill_days: SHOPIFY_BACKFILL_DAYS,
            read_all_orders: false,
            accept_on_arrival: true,
            identify_products_by: ProductKey::Sku,
            client_secret_env: None,
        }
    }

    /// The shop's address: a bare handle or myshopify domain becomes its https:// address.
    pub fn address(&self) -> String {
        let shop = self.shop.trim().trim_end_matches('/');
        if shop.contains("://") {
            return shop.to_string();
        }
        if shop.contains('.') {
            format!("https://{shop}")
        } else {
            format!("https://{shop}.myshopify.com")
        }
    }

    /// The days the first sync reads: the setting, within what the app may see.
    pub fn backfill_reach(&self) -> u32 {
        if self.read_all_orders {
            self.backfill_days
        } else {
            self.backfill_days.min(SHOPIFY_VISIBLE_DAYS)
        }
    }
}

/// `2025-10`: a year and a month.
fn dated_version(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}

impl IntegrationSettings for ShopifySettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.shop = s.shop.trim().trim_end_matches('/').to_string();
        s.client_id = s.client_id.trim().to_string();
        s.api_version = s.api_version.trim().to_string();
        if s.shop.is_empty() {
            return Err(AppError::refused(ErrorWords::required("shop", "Shop")));
        }
        // Kept as its address: the same shop typed another way is the same shop (its keys stay).
        s.shop = s.address();
        if !secure_enough(&s.shop) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "shop",
                "Shop",
                &s.shop,
                ValueFormat::SecureWebAddress,
            )));
        }
        if s.client_id.is_empty() && !s.admin_token {
            return Err(AppError::refused(ErrorWords::required("client_id", "Client ID")));
        }
        if !dated_version(&s.api_version) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "api_version",
                "API version",
                &s.api_version,
                ValueFormat::ApiVersion,
            )));
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
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::CLIENT_SECRET => self.client_secret_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.client_secret_env.is_some()
    }

    fn service_address(&self) -> Option<&str> {
        Some(&self.shop)
    }

    /// Nothing goes back to Shopify: its orders are sold already and their status is the shop's.
    fn policy(&self) -> ordertray_core::AccountPolicy {
        ordertray_core::AccountPolicy {
            ingest: ordertray_core::IngestPolicy {
                decided_elsewhere: None,
                accept_on_arrival: self.accept_on_arrival,
                shop_currency_only: true,
                catalog: Some(self.identify_products_by),
            },
            shop_order: Some(ordertray_core::ShopOrderPolicy {
                source_label: "Shopify".into(),
                number_to_recipient: false,
                date_placed: true,
                fixed_customer_id: None,
                default_delivery_method: String::new(),
                default_payment_method: None,
                paid_on_delivered: false,
                extra: vec![("payment_status".into(), "$.displayFinancialStatus".into())],
                tracking_back: None,
            }),
            decisions_stay_local: true,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shop_is_named_any_way_and_checked() {
        for (typed, address) in [
            ("my-shop", "https://my-shop.myshopify.com"),
            ("my-shop.myshopify.com", "https://my-shop.myshopify.com"),
            ("https://my-shop.myshopify.com/", "https://my-shop.myshopify.com"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ] {
            let mut s = ShopifySettings::new(typed, "id");
            s.validate().unwrap();
            assert_eq!(
                (s.address(), s.shop.as_str()),
                (address.to_string(), address),
                "{typed}"
            );
        }
        let refused = |mut s: ShopifySettings| s.validate().unwrap_err().words.map(|w| *w);
        assert!(matches!(
            refused(ShopifySettings::new("http://my-shop.example", "id")),
            Some(ErrorWords::BadFormat {
                format: ValueFormat::SecureWebAddress,
                ..
            })
        ));
        assert!(matches!(
            refused(ShopifySettings::new("my-shop", " ")),
            Some(ErrorWords::Required { .. })
        ));
        // An old custom app's token needs no client id.
        let mut legacy = ShopifySettings {
            admin_token: true,
            ..ShopifySettings::new("my-shop", "")
        };
        legacy.validate().unwrap();
        assert!(matches!(
            refused(ShopifySettings {
                api_version: "latest".into(),
                ..ShopifySettings::new("my-shop", "id")
            }),
            Some(ErrorWords::BadFormat {
                format: ValueFormat::ApiVersion,
                ..
            })
        ));
    }

    #[test]
    fn the_backfill_stays_within_what_the_app_may_see() {
        let mut s = ShopifySettings::new("my-shop", "id");
        s.backfill_days = 90;
        assert_eq!(s.backfill_reach(), 60);
        s.read_all_orders = true;
        assert_eq!(s.backfill_reach(), 90);
    }
}
