//! One module per integration (marketplace, store platform or transfer target), each declaring an
//! [`registry::IntegrationSpec`] in the [`registry`] and implementing only the capabilities it
//! has: [`OrderSource`], [`PushSource`], [`EffectSink`], [`OrderTransfer`]. Integrations speak HTTP
//! and parse; they never touch the database: the engine decides what to store and when. How to
//! add one: docs/integrations.md.

pub mod amazon;
pub mod amocrm;
pub mod bitrix24;
pub mod cartum;
pub mod error;
pub mod gettzap;
mod http;
pub mod http_policy;
pub mod insales;
pub mod moysklad;
pub mod ozon;
pub mod pace;
pub mod push;
pub mod registry;
pub mod retailcrm;
pub mod session;
pub mod shiptor;
pub mod shopify;
pub mod transfer;
pub mod woocommerce;
pub mod zzap;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::{
    CancelReasonOption, ConnectionReport, Effect, ExternalOrder, QuarantinedOrder, SkippedOrder,
};

pub use error::ConnectorError;
pub use push::{InboundHead, InboundRequest, PushKey, PushRefusal, PushSource, PushUnreadable, Pushed};
pub use registry::{connect, spec, IntegrationSpec, SecretField};
pub use transfer::{
    DeliveryInfo, OrderTransfer, RemoteEvent, RemoteState, TransferError, TransferOrder, TransferredOrder,
};

/// How much of a run is done, in pages, on a platform that gives no total: the pages read, and
/// what the window's remaining time would take at the pace so far (judged by the time of the last
/// order read, the list being in time order).
pub(crate) fn estimated_progress(
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    pages: u32,
    last: Option<DateTime<Utc>>,
    done: bool,
) -> (u32, u32) {
    if done {
        return (pages, pages);
    }
    let span = (until - from).num_seconds().max(1);
    let covered = last.map_or(0, |t| (t - from).num_seconds().clamp(1, span));
    let estimate = if covered > 0 {
        (f64::from(pages) * span as f64 / covered as f64).ceil() as u32
    } else {
        pages + 1
    };
    (pages, estimate.max(pages + 1))
}

/// One order of a store platform's answer, as the shop takes it: stored, left out by the import
/// rules (with the reason logged on the account), or set aside unreadable.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    Order(Box<ordertray_core::ExternalOrder>),
    Skipped(ordertray_core::SkippedOrder),
    Unreadable(ordertray_core::QuarantinedOrder),
}

impl Page {
    /// Files each parsed order where it belongs on the page.
    pub fn take(&mut self, parsed: Parsed) {
        match parsed {
            Parsed::Order(order) => self.orders.push(*order),
            Parsed::Skipped(skipped) => self.skipped.push(skipped),
            Parsed::Unreadable(q) => self.quarantined.push(q),
        }
    }
}

/// One page of orders: a page of a sync run, or what one pushed request held.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub orders: Vec<ExternalOrder>,
    /// Orders that could not be parsed or mapped; they never stop the orders after them.
    pub quarantined: Vec<QuarantinedOrder>,
    /// Orders read and left out by the import rules (logged on the account, not stored).
    pub skipped: Vec<SkippedOrder>,
    /// How far a long run has come: pages read and pages in all, when the platform tells.
    pub progress: Option<(u32, u32)>,
    /// Opaque state to persist with this page and pass to the next call.
    pub next_cursor: String,
    /// True when this page ends the run; `next_cursor` is then the idle state for the next run.
    pub done: bool,
}

/// One account's built client of an integration: what it can do is asked capability by
/// capability, so an integration implements only what it has (a push-only marketplace has no
/// order source, a transfer target no effect sink). Built by the integration's
/// [`registry::IntegrationSpec::connect`]; the engine keeps one per account (a session).
#[async_trait]
pub trait IntegrationClient: Send + Sync {
    /// Checks the credentials with a cheap call; `Ok` with `ok: false` for a clear "wrong key".
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError>;

    /// Orders read by polling, page by page.
    fn order_source(&self) -> Option<&dyn OrderSource> {
        None
    }

    /// Decisions and shop statuses told back to the marketplace.
    fn effect_sink(&self) -> Option<&dyn EffectSink> {
        None
    }

    /// Shop orders handed to another system (a CRM, a delivery service).
    fn order_transfer(&self) -> Option<&dyn OrderTransfer> {
        None
    }
}

/// An integration whose orders are read by polling.
#[async_trait]
pub trait OrderSource: Send + Sync {
    /// Fetches the page after `cursor` ("" = never synced). `now` makes runs reproducible in tests.
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError>;

    /// Something the manager should know while the sync works (a store's webhooks paused after
    /// failed deliveries), asked after each successful run; None clears what was shown. A source
    /// that cannot tell (no rights to look) says None.
    async fn notice(&self, _now: DateTime<Utc>) -> Option<ordertray_core::ErrorWords> {
        None
    }
}

/// An integration the shop's decisions and statuses go back to (outbox rows are delivered here).
#[async_trait]
pub trait EffectSink: Send + Sync {
    /// Performs one outbound effect.
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError>;

    /// Whether the marketplace already shows the effect as done (used before retrying a call whose
    /// answer was lost, so a crash or timeout never causes a double effect). `Ok(false)` when
    /// unknown: integrations without a read-back call keep this default.
    async fn already_applied(&self, _effect: &Effect) -> Result<bool, ConnectorError> {
        Ok(false)
    }

    /// The reasons the seller may give when rejecting, as the marketplace lists them today;
    /// empty for integrations that take no reason.
    async fn cancel_reasons(&self) -> Result<Vec<CancelReasonOption>, ConnectorError> {
        Ok(vec![])
    }

    /// The marketplace's own list of statuses (ZZAP's `GetCodesTrack`); empty for integrations
    /// whose statuses are fixed (see [`registry::IntegrationSpec::push_capabilities`]).
    async fn status_dictionary(&self) -> Result<Vec<MarketplaceStatus>, ConnectorError> {
        Ok(vec![])
    }
}

/// Settings shared by every connector's HTTP client.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
        }
    }
}

/// One HTTP client for the whole app: rustls, a timeout, and an honest user agent.
pub fn http_client(settings: &HttpSettings) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("Ordertray/", env!("CARGO_PKG_VERSION")))
        .redirect(http_policy::redirect_policy())
        .build()
        .expect("the HTTP client builds with static settings")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_without_a_total_is_estimated_from_the_time_covered() {
        let now = Utc::now();
        let window = (now - chrono::Duration::days(60), now);
        // A page that reached day 15 of 60: about four pages in all.
        assert_eq!(
            estimated_progress(window, 1, Some(window.0 + chrono::Duration::days(15)), false),
            (1, 4)
        );
        // Never the end before it.
        assert_eq!(estimated_progress(window, 3, Some(now), false), (3, 4));
        assert_eq!(estimated_progress(window, 1, None, false), (1, 2));
        assert_eq!(estimated_progress(window, 3, None, true), (3, 3));
    }
}
