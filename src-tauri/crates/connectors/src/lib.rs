//! One module per marketplace behind the [`Connector`] trait. Connectors speak HTTP and parse; they
//! never touch the database: the engine decides what to store and when.

pub mod error;
pub mod gettzap;
mod http;
pub mod http_policy;
pub mod ozon;
pub mod zzap;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordertray_core::templates::{MarketplaceStatus, PushCapabilities};
use ordertray_core::{
    Account, AccountKind, CancelReasonOption, ConnectionReport, Credentials, Effect, ExternalOrder,
    QuarantinedOrder,
};

pub use error::ConnectorError;

/// One page of a sync run.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub orders: Vec<ExternalOrder>,
    /// Orders that could not be parsed or mapped; they never stop the orders after them.
    pub quarantined: Vec<QuarantinedOrder>,
    /// Opaque state to persist with this page and pass to the next call.
    pub next_cursor: String,
    /// True when this page ends the run; `next_cursor` is then the idle state for the next run.
    pub done: bool,
}

#[async_trait]
pub trait Connector: Send + Sync {
    /// Checks the credentials with a cheap call; `Ok` with `ok: false` for a clear "wrong key".
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError>;

    /// Fetches the page after `cursor` ("" = never synced). `now` makes runs reproducible in tests.
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError>;

    /// Performs one outbound effect.
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError>;

    /// Whether the marketplace already shows the effect as done (used before retrying a call whose
    /// answer was lost, so a crash or timeout never causes a double effect). `Ok(false)` when unknown.
    async fn already_applied(&self, effect: &Effect) -> Result<bool, ConnectorError>;

    /// The reasons the seller may give when rejecting, as the marketplace lists them today.
    async fn cancel_reasons(&self) -> Result<Vec<CancelReasonOption>, ConnectorError>;

    /// The marketplace's own list of statuses (ZZAP's `GetCodesTrack`); empty for marketplaces
    /// whose statuses the connector knows (see [`push_capabilities`]).
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

/// The connector for an account.
pub fn connector_for(
    account: &Account,
    credentials: Credentials,
    http: reqwest::Client,
) -> Box<dyn Connector> {
    match account.kind {
        AccountKind::Ozon => Box::new(ozon::OzonConnector::new(account, credentials, http)),
        AccountKind::Zzap => Box::new(zzap::ZzapConnector::new(account, credentials, http)),
        AccountKind::Gettzap => Box::new(gettzap::GettzapConnector::new(account, credentials, http)),
    }
}

/// What each marketplace can be told when a shop status changes (settings flag the rest).
pub fn push_capabilities(kind: AccountKind) -> PushCapabilities {
    match kind {
        // Ozon cancels single products or a whole posting, and ships whole postings; it keeps no
        // seller comments.
        // realFBS postings (the seller delivers) also take the delivery stages.
        AccountKind::Ozon => PushCapabilities {
            line_statuses: vec!["cancel".into()],
            order_statuses: ["ship", "cancel"]
                .into_iter()
                .chain(ordertray_core::DELIVERY_STAGES)
                .map(String::from)
                .collect(),
            comments: false,
            ..Default::default()
        },
        // ZZAP's statuses are its own dictionary, loaded per account (see the engine); Gettzap's
        // are the list kept in the account's settings, loaded the same way.
        AccountKind::Zzap | AccountKind::Gettzap => PushCapabilities {
            comments: true,
            ..Default::default()
        },
    }
}
