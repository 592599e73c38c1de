//! A WooCommerce store's account settings: the store's address, how far back the first sync
//! reads, whether its orders are accepted on arrival, and how its products are recognised.

use ordertray_core::{AppError, ErrorWords, IntegrationSettings, ProductKey, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// WooCommerce's status for a fulfilled order.
const COMPLETED: &str = "completed";

/// Days of orders the first sync reads unless the account says otherwise.
pub const WOOCOMMERCE_BACKFILL_DAYS: u32 = 60;
const MAX_BACKFILL_DAYS: u32 = 3_650;

fn backfill_days() -> u32 {
    WOOCOMMERCE_BACKFILL_DAYS
}
fn yes() -> bool {
    true
}

/// A WooCommerce store read through its REST API v3. The consumer key and secret (WooCommerce →
/// Settings → Advanced → REST API, read/write) live in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WooCommerceSettings {
    /// The store's address (`https://shop.example`); plain http:// only on this computer.
    pub url: String,
    /// Days of orders the first sync reads (orders in a final status are left out).
    #[serde(default = "backfill_days")]
    pub backfill_days: u32,
    /// New orders become shop orders at once: the store already sold them.
    #[serde(default = "yes")]
    pub accept_on_arrival: bool,
    #[serde(default)]
    pub identify_products_by: ProductKey,
    /// Send the key as query parameters: for hosts that strip the Authorization header (found
    /// out by the connector on its own too, when the store refuses the header).
    #[serde(default)]
    pub key_in_query: bool,
    /// CLI only: the consumer key is read at run time from this environment variable.
    #[serde(default)]
    pub consumer_key_env: Option<String>,
    /// CLI only: the consumer secret is read at run time from this environment variable.
    #[serde(default)]
    pub consumer_secret_env: Option<String>,
}

impl WooCommerceSettings {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            backfill_days: WOOCOMMERCE_BACKFILL_DAYS,
            accept_on_arrival: true,
            identify_products_by: ProductKey::Sku,
            key_in_query: false,
            consumer_key_env: None,
            consumer_secret_env: None,
        }
    }
}

impl IntegrationSettings for WooCommerceSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        if s.url.is_empty() {
            return Err(AppError::refused(ErrorWords::required("url", "Store address")));
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "Store address",
                &s.url,
                ValueFormat::SecureWebAddress,
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
        clean_env(&mut s.consumer_key_env);
        clean_env(&mut s.consumer_secret_env);
        Ok(())
    }

    fn secret_env(&self, field: &str) -> Option<&str> {
        match field {
            super::CONSUMER_KEY => self.consumer_key_env.as_deref(),
            super::CONSUMER_SECRET => self.consumer_secret_env.as_deref(),
            _ => None,
        }
    }

    fn reads_secrets_from_env(&self) -> bool {
        self.consumer_key_env.is_some() || self.consumer_secret_env.is_some()
    }

    fn service_address(&self) -> Option<&str> {
        Some(&self.url)
    }

    /// One status per order, set by name; an accepted order sends nothing (the store already sold
    /// it), a rejected one is cancelled.
    fn policy(&self) -> ordertray_core::AccountPolicy {
        ordertray_core::AccountPolicy {
            decides_by_line_status: false,
            ship_on_accept: false,
            ingest: ordertray_core::IngestPolicy {
                decided_elsewhere: None,
                accept_on_arrival: self.accept_on_arrival,
                shop_currency_only: true,
                catalog: Some(self.identify_products_by),
            },
            shop_order: Some(ordertray_core::ShopOrderPolicy {
                source_label: "WooCommerce".into(),
                number_to_recipient: false,
                date_placed: true,
                fixed_customer_id: None,
                default_delivery_method: String::new(),
                default_payment_method: None,
                paid_on_delivered: false,
                extra: vec![("payment_method".into(), "$.payment_method_title".into())],
                tracking_back: None,
            }),
            // "completed" tells the buyer the goods left: only once the items are written off.
            needs_write_off: Some(COMPLETED.into()),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_trimmed_and_checked() {
        let mut s = WooCommerceSettings::new(" https://shop.example/ ");
        s.validate().unwrap();
        assert_eq!(s.url, "https://shop.example");
        let e = WooCommerceSettings::new("http://shop.example")
            .validate()
            .unwrap_err();
        assert!(
            matches!(
                e.words.as_deref(),
                Some(ErrorWords::BadFormat {
                    format: ValueFormat::SecureWebAddress,
                    ..
                })
            ),
            "{e:?}"
        );
        let mut long = WooCommerceSettings::new("https://shop.example");
        long.backfill_days = 0;
        assert!(long.validate().is_err());
        let policy = WooCommerceSettings::new("https://a.b").policy();
        assert!(policy.ingest.accept_on_arrival && !policy.ship_on_accept && !policy.decides_by_line_status);
    }
}
