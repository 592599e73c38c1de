//! A Cartum (Horoshop) shop's account settings: the shop's address and admin login, its time
//! zone (Cartum writes and filters dates in the shop's local time), how far back the first sync
//! reads and how many days each later run re-reads, and how its products are recognised.

use chrono_tz::Tz;
use ordertray_core::{AppError, ErrorWords, IntegrationSettings, ProductKey, ValueFormat};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::http_policy::secure_enough;
use crate::registry::clean_env;

/// Days of orders the first sync reads unless the account says otherwise.
pub const CARTUM_BACKFILL_DAYS: u32 = 60;
/// Days of orders each later run re-reads: Cartum cannot list what changed, so a change to an
/// older order is seen only while the order is this young.
pub const CARTUM_WINDOW_DAYS: u32 = 14;
/// Most Cartum shops sell in Ukraine.
pub const CARTUM_TIMEZONE: &str = "Europe/Kyiv";
const MAX_DAYS: u32 = 3_650;

fn backfill_days() -> u32 {
    CARTUM_BACKFILL_DAYS
}
fn window_days() -> u32 {
    CARTUM_WINDOW_DAYS
}
fn timezone() -> String {
    CARTUM_TIMEZONE.into()
}
fn yes() -> bool {
    true
}

/// A Cartum shop read through its API (`https://<shop>/api/`), logged in as an admin-panel user
/// whose password lives in the keychain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CartumSettings {
    /// The shop's address (`https://shop.example`); plain http:// only on this computer.
    pub url: String,
    /// The admin-panel user the API logs in as.
    pub login: String,
    /// The shop's time zone (an IANA name): Cartum's dates are local to it.
    #[serde(default = "timezone")]
    pub timezone: String,
    /// Days of orders the first sync reads (delivered orders are left out).
    #[serde(default = "backfill_days")]
    pub backfill_days: u32,
    /// Days of orders each later run reads again to see their changes.
    #[serde(default = "window_days")]
    pub window_days: u32,
    /// New orders become shop orders at once: the shop already sold them.
    #[serde(default = "yes")]
    pub accept_on_arrival: bool,
    #[serde(default)]
    pub identify_products_by: ProductKey,
    /// CLI only: the password is read at run time from this environment variable.
    #[serde(default)]
    pub password_env: Option<String>,
}

impl CartumSettings {
    pub fn new(url: impl Into<String>, login: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            login: login.into(),
            timezone: timezone(),
            backfill_days: CARTUM_BACKFILL_DAYS,
            window_days: CARTUM_WINDOW_DAYS,
            accept_on_arrival: true,
            identify_products_by: ProductKey::Sku,
            password_env: None,
        }
    }

    /// The shop's zone; settings are validated on saving, so a bad name reads as the default.
    pub fn zone(&self) -> Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Europe::Kyiv)
    }
}

impl IntegrationSettings for CartumSettings {
    fn validate(&mut self) -> Result<(), AppError> {
        let s = self;
        s.url = s.url.trim().trim_end_matches('/').to_string();
        s.login = s.login.trim().to_string();
        s.timezone = s.timezone.trim().to_string();
        if s.url.is_empty() {
            return Err(AppError::refused(ErrorWords::required("url", "Shop address")));
        }
        if !secure_enough(&s.url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "url",
                "Shop address",
                &s.url,
                ValueFormat::SecureWebAddress,
            )));
        }
        if s.login.is_empty() {
            return Err(AppError::refused(ErrorWords::required("login", "Login")));
        }
        if s.timezone.parse::<Tz>().is_err() {
            return Err(AppError::refused(ErrorWords::bad_format(
                "timezone",
                "Shop time zone",
                &s.timezone,
                ValueFormat::TimeZone,
            )));
        }
        for (field, label, days) in [
            ("backfill_days", "Days the first sync reads", s.backfill_days),
            ("window_days", "Days each sync reads again", s.window_days),
        ] {
            if !(1..=MAX_DAYS).contains(&days) {
                return Err(AppError::refused(ErrorWords::out_of_range(
                    field,
                    label,
                    Some(1),
                    Some(MAX_DAYS.into()),
                    Some("days"),
                )));
            }
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

    /// One status per order, both ways: the account's mapping sends shop statuses to Cartum and
    /// moves shop orders when the shop's manager changes a status in Cartum.
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
                source_label: "Cartum".into(),
                number_to_recipient: false,
                date_placed: true,
                fixed_customer_id: None,
                default_delivery_method: String::new(),
                default_payment_method: None,
                paid_on_delivered: false,
                extra: vec![("payment_method".into(), "$.payment_type.title".into())],
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
        let mut s = CartumSettings::new(" https://shop.example/ ", " manager ");
        s.validate().unwrap();
        assert_eq!(
            (s.url.as_str(), s.login.as_str()),
            ("https://shop.example", "manager")
        );
        assert_eq!(s.zone(), chrono_tz::Europe::Kyiv);

        let refused = |s: &mut CartumSettings| s.validate().unwrap_err().words.map(|w| *w);
        let mut plain = CartumSettings::new("http://shop.example", "m");
        assert!(matches!(
            refused(&mut plain),
            Some(ErrorWords::BadFormat {
                format: ValueFormat::SecureWebAddress,
                ..
            })
        ));
        let mut nobody = CartumSettings::new("https://shop.example", " ");
        assert!(matches!(refused(&mut nobody), Some(ErrorWords::Required { .. })));
        let mut nowhere = CartumSettings {
            timezone: "Europe/Atlantis".into(),
            ..CartumSettings::new("https://shop.example", "m")
        };
        assert!(matches!(
            refused(&mut nowhere),
            Some(ErrorWords::BadFormat {
                format: ValueFormat::TimeZone,
                ..
            })
        ));
        let mut none = CartumSettings {
            window_days: 0,
            ..CartumSettings::new("https://shop.example", "m")
        };
        assert!(matches!(refused(&mut none), Some(ErrorWords::OutOfRange { .. })));
    }
}
