//! The order intake: an HTTP address marketplaces that push orders call with each order.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{AccountId, AppError, ErrorWords, ValueFormat};

/// The port the intake listens on unless the manager picks another.
pub const DEFAULT_INTAKE_PORT: u16 = 8787;

/// Whether the app serves the intake, and where (kept under its own settings key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct IntakeSettings {
    pub enabled: bool,
    /// The address to listen on: 127.0.0.1 (this computer, behind a tunnel or proxy) or 0.0.0.0.
    pub bind: String,
    pub port: u16,
    /// The address the marketplace reaches this computer at (a public host name or a tunnel), without a
    /// path; empty: `http://<bind>:<port>`.
    pub public_url: String,
    /// How long a pre-order's buyer link works, in days.
    pub preorder_link_days: u32,
}

/// The longest a pre-order's buyer link may work: a quarter of a year.
pub const MAX_PREORDER_LINK_DAYS: u32 = 90;

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            bind: "127.0.0.1".into(),
            port: DEFAULT_INTAKE_PORT,
            public_url: String::new(),
            preorder_link_days: 7,
        }
    }
}

impl IntakeSettings {
    pub fn validated(mut self) -> Result<Self, AppError> {
        self.bind = self.bind.trim().to_string();
        if self.bind.parse::<std::net::IpAddr>().is_err() {
            return Err(AppError::refused(ErrorWords::bad_format(
                "bind",
                "The intake's address",
                &self.bind,
                ValueFormat::IpAddress,
            )));
        }
        if self.port == 0 {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "port",
                "The intake port",
                Some(1),
                Some(65535),
                None,
            )));
        }
        if !(1..=MAX_PREORDER_LINK_DAYS).contains(&self.preorder_link_days) {
            return Err(AppError::refused(ErrorWords::out_of_range(
                "preorder_link_days",
                "How long a buyer link works",
                Some(1),
                Some(MAX_PREORDER_LINK_DAYS as i64),
                Some("days"),
            )));
        }
        self.public_url = self.public_url.trim().trim_end_matches('/').to_string();
        let web = |u: &str| u.starts_with("http://") || u.starts_with("https://");
        if !self.public_url.is_empty() && !web(&self.public_url) {
            return Err(AppError::refused(ErrorWords::bad_format(
                "public_url",
                "The public address",
                &self.public_url,
                ValueFormat::WebAddress,
            )));
        }
        Ok(self)
    }

    /// Where requests reach the intake, without a path.
    pub fn base_url(&self) -> String {
        if !self.public_url.is_empty() {
            return self.public_url.clone();
        }
        let host = if self.bind == "0.0.0.0" {
            "127.0.0.1"
        } else {
            &self.bind
        };
        format!("http://{host}:{}", self.port)
    }
}

/// Whether the intake server listens now: where, or why its last start failed (neither: it is off).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IntakeStatus {
    /// The address it listens on, e.g. `127.0.0.1:8787`.
    pub listening: Option<String>,
    /// The last start's error in plain words (e.g. the port is taken), while it does not listen.
    pub error: Option<String>,
    /// Requests refused since Ordertray started because they did not carry an account's token
    /// (unknown address, missing or wrong token): answered 401, never stored.
    pub refused: u64,
    /// Requests without a token refused since Ordertray started because their address sent too
    /// many of them: answered 429.
    pub rate_limited: u64,
    /// Connections turned away since Ordertray started because the intake already had as many
    /// open as it serves at once: answered 503.
    pub turned_away: u64,
}

/// The path of an account's intake, under its integration's id (the credential travels in the
/// query, a header or a signature).
pub fn intake_path(integration: &str, account: AccountId) -> String {
    format!("/intake/{integration}/{account}")
}

/// What the manager sees of an account's intake: the address with the token hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IntakeAddress {
    pub account_id: AccountId,
    /// The address with `token=…` masked, for display.
    pub masked_url: String,
    /// Whether this app (or `ordertray-cli serve`) is serving the intake now.
    pub serving: bool,
    /// Shown beside the address: the push format is not published by the marketplace.
    pub format_unverified: bool,
    /// The sender signs each request with a secret instead of sending a token: the address
    /// carries none.
    pub signed: bool,
    /// The signing secret is ours (made for the account) and can be copied to paste into the
    /// platform's webhook; otherwise it is one the manager already has (an app's client secret).
    pub secret_to_copy: bool,
}

/// One request that reached the intake (the audit list; the body is read separately).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct IntakeRequestView {
    pub id: i64,
    pub account_id: Option<AccountId>,
    pub received_at: DateTime<Utc>,
    pub remote: String,
    pub content_type: String,
    pub body_bytes: i64,
    pub http_status: u16,
    pub outcome: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_and_give_the_base_address() {
        let s = IntakeSettings {
            public_url: " https://shop.example/ ".into(),
            ..Default::default()
        }
        .validated()
        .unwrap();
        assert_eq!(s.base_url(), "https://shop.example");
        let s = IntakeSettings {
            bind: "0.0.0.0".into(),
            port: 9000,
            ..Default::default()
        };
        assert_eq!(s.base_url(), "http://127.0.0.1:9000");
        assert!(IntakeSettings {
            bind: "localhost".into(),
            ..Default::default()
        }
        .validated()
        .is_err());
        assert!(IntakeSettings {
            public_url: "shop.example".into(),
            ..Default::default()
        }
        .validated()
        .is_err());
        assert_eq!(intake_path("shop", 3), "/intake/shop/3");
        let saved_before: IntakeSettings = serde_json::from_str(r#"{"enabled": true}"#).unwrap();
        assert_eq!(saved_before.preorder_link_days, 7, "a week unless set");
        for days in [0, MAX_PREORDER_LINK_DAYS + 1] {
            let s = IntakeSettings {
                preorder_link_days: days,
                ..Default::default()
            };
            assert!(s.validated().is_err(), "{days}");
        }
    }
}
