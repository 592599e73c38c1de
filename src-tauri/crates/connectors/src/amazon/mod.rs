//! Amazon seller accounts through the Selling Partner API, Orders 2026-01-01 (see
//! shared/api-notes/ecommerce.md and the model in shared/fixtures/amazon): `searchOrders` with
//! the buyer, recipient and fulfilment included, so a page of up to 100 orders is one call and
//! never one call per order (the operation allows about one call in three minutes once its burst
//! of 20 is spent).
//!
//! The first run (the backfill) searches by creation over the account's days, leaving out
//! seller-fulfilled orders that are shipped, cancelled or unfulfillable; later runs search by last
//! update since the previous run began, minus an overlap. Amazon-fulfilled orders are kept
//! read-only. A page token is replayed with the same filter it came with. Nothing goes back:
//! the Orders API takes no status, and no cancellation (the outbox says so; the manager cancels in
//! Seller Central). The cursor is [`SyncState`] as JSON.

mod client;
mod parse;
mod settings;
mod spec;

pub use parse::{amazon_fulfilled, parse_order, status_of, FINAL_STATUSES};
pub use settings::{AmazonSettings, Region, AMAZON_BACKFILL_DAYS, LWA_TOKEN_URL};
pub(crate) use spec::SPEC;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ordertray_core::{Account, ConnectionReport, Credentials, Effect};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{ConnectorError, EffectSink, IntegrationClient, OrderSource, Page, Parsed};
use client::{AmazonClient, Keys};

/// The keychain fields.
pub const CLIENT_SECRET: &str = "client_secret";
pub const REFRESH_TOKEN: &str = "refresh_token";
/// The most a page holds (Amazon's own limit): as few calls as possible.
pub const PER_PAGE: u32 = 100;
const SEARCH: &str = "/orders/2026-01-01/orders";
const INCLUDED: &str = "BUYER,RECIPIENT,FULFILLMENT,PROCEEDS";
/// Re-read before the previous run's start: an order changed while a run began is caught either way.
const OVERLAP: Duration = Duration::minutes(15);

/// What a run searches for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Filter {
    /// The first run: orders created since, finished seller orders left out.
    Created { after: DateTime<Utc> },
    /// Orders changed since.
    Updated { after: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub started: DateTime<Utc>,
    pub filter: Filter,
    /// Amazon's token for the next page (valid a day, with the same filter).
    #[serde(default)]
    pub next: Option<String>,
    #[serde(default)]
    pub pages: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// When the last finished run began.
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    #[serde(default)]
    pub run: Option<Run>,
}

impl SyncState {
    /// A cursor that cannot be read starts over (orders are upserted, so nothing doubles).
    pub fn parse(cursor: &str) -> Self {
        serde_json::from_str(cursor).unwrap_or_default()
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("sync state serialises")
    }
}

pub struct AmazonConnector {
    client: AmazonClient,
    marketplace: String,
    backfill: Duration,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl AmazonConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &AmazonSettings = &crate::registry::settings_of(account);
        let host = account
            .base_url
            .clone()
            .unwrap_or_else(|| settings.region.host().to_string());
        let keys = Keys {
            client_id: settings.client_id.clone(),
            client_secret: credentials.get(CLIENT_SECRET).cloned(),
            refresh_token: credentials.get(REFRESH_TOKEN).cloned(),
        };
        Self {
            client: AmazonClient::new(http, &host, settings.token_endpoint(), keys),
            marketplace: settings.marketplace_id.clone(),
            backfill: Duration::days(settings.backfill_days.into()),
        }
    }

    fn query(&self, filter: Filter, next: Option<&str>, per_page: u32) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("marketplaceIds", self.marketplace.clone()),
            ("maxResultsPerPage", per_page.to_string()),
            ("includedData", INCLUDED.into()),
        ];
        q.push(match filter {
            Filter::Created { after } => ("createdAfter", iso(after)),
            Filter::Updated { after } => ("lastUpdatedAfter", iso(after)),
        });
        if let Some(token) = next {
            q.push(("paginationToken", token.to_string()));
        }
        q
    }
}

#[async_trait]
impl IntegrationClient for AmazonConnector {
    /// One order of the last day: proves the keys, the role and the marketplace in one call.
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let filter = Filter::Updated {
            after: Utc::now() - Duration::days(1),
        };
        match self.client.get(SEARCH, &self.query(filter, None, 1)).await {
            Ok(_) => Ok(ConnectionReport {
                ok: true,
                message: format!("Connected to Amazon; marketplace {} answers.", self.marketplace),
                expires_at: None,
            }),
            Err(ConnectorError::Auth(m)) => Ok(ConnectionReport {
                ok: false,
                message: format!("Amazon refused the app's keys or the refresh token: {m}"),
                expires_at: None,
            }),
            Err(e) => Err(e),
        }
    }

    fn order_source(&self) -> Option<&dyn OrderSource> {
        Some(self)
    }

    fn effect_sink(&self) -> Option<&dyn EffectSink> {
        Some(self)
    }
}

#[async_trait]
impl OrderSource for AmazonConnector {
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        let mut state = SyncState::parse(cursor);
        let mut run = match state.run.take() {
            Some(run) => run,
            None => Run {
                started: now,
                filter: match state.watermark {
                    None => Filter::Created {
                        after: now - self.backfill,
                    },
                    Some(w) => Filter::Updated { after: w - OVERLAP },
                },
                next: None,
                pages: 0,
            },
        };
        let answer = match self
            .client
            .get(SEARCH, &self.query(run.filter, run.next.as_deref(), PER_PAGE))
            .await
        {
            // A page token lasts 24 h: a run left longer (the app closed, a pause) starts its
            // paging over with the same search; what it had read is upserted again, nothing doubles.
            Err(ConnectorError::Rejected { status: 400, message }) if run.next.is_some() => {
                tracing::info!(%message, "Amazon refused the run's page token; its search starts over");
                run.next = None;
                run.pages = 0;
                self.client
                    .get(SEARCH, &self.query(run.filter, None, PER_PAGE))
                    .await?
            }
            answer => answer?,
        };
        let Some(orders) = answer.get("orders").and_then(Value::as_array) else {
            return Err(ConnectorError::Malformed(format!(
                "{SEARCH}: the answer holds no list of orders"
            )));
        };
        let backfill = matches!(run.filter, Filter::Created { .. });
        let mut page = Page::default();
        let mut last = None;
        for raw in orders {
            let parsed = parse_order(raw);
            if let Parsed::Order(o) = &parsed {
                last = Some(match run.filter {
                    Filter::Created { .. } => o.created_at,
                    Filter::Updated { .. } => raw
                        .get("lastUpdatedTime")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map_or(o.created_at, |t| t.with_timezone(&Utc)),
                });
                if backfill && !o.read_only && FINAL_STATUSES.contains(&o.status.as_str()) {
                    continue;
                }
            }
            page.take(parsed);
        }
        run.pages += 1;
        let next = answer
            .pointer("/pagination/nextToken")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let since = match run.filter {
            Filter::Created { after } | Filter::Updated { after } => after,
        };
        page.progress = Some(crate::estimated_progress(
            (since, run.started),
            run.pages,
            last,
            next.is_none(),
        ));
        match next {
            Some(token) => {
                run.next = Some(token);
                state.run = Some(run);
            }
            None => {
                state.watermark = Some(run.started);
                page.done = true;
            }
        }
        page.next_cursor = state.to_json();
        Ok(page)
    }
}

#[async_trait]
impl EffectSink for AmazonConnector {
    /// The Orders API takes nothing back: said in words the outbox keeps on the order.
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError> {
        let what = match effect {
            Effect::CancelOrder { .. } | Effect::CancelLines { .. } => "cancellation",
            _ => "change like this",
        };
        Err(ConnectorError::Rejected {
            status: 422,
            message: format!(
                "Amazon's Orders API takes no {what} for order {}: do it in Seller Central",
                effect.order_external_id()
            ),
        })
    }

    async fn already_applied(&self, _effect: &Effect) -> Result<bool, ConnectorError> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancellation_is_refused_in_words() {
        let account = Account {
            id: 1,
            kind: ordertray_core::AccountKind::new("amazon"),
            name: "A".into(),
            region: String::new(),
            active: true,
            interval_secs: 60,
            base_url: None,
            demo: false,
            settings: ordertray_core::AccountSettings::from(AmazonSettings::new(Region::Eu, "A1", "id")),
            created_at: Utc::now(),
        };
        let c = AmazonConnector::new(&account, Credentials::default(), reqwest::Client::new());
        let cancel = Effect::CancelOrder {
            order_external_id: "302-1".into(),
            reason: Default::default(),
        };
        let e = c.push(&cancel).await.unwrap_err();
        assert!(!e.is_retryable());
        assert!(
            e.to_string().contains("takes no cancellation for order 302-1"),
            "{e}"
        );
    }
}
