//! Shopify shops (see shared/api-notes/ecommerce.md): orders read through the Admin GraphQL API
//! by the shop's own app; nothing is sent back (Shopify keeps its own order status).
//!
//! A run reads one search page by page with cursors, oldest change first (`sortKey:
//! UPDATED_AT`): the first run (the backfill) the orders created in the account's days — at most
//! 60 unless the app has `read_all_orders` — leaving out fulfilled, cancelled and refunded ones;
//! later runs the orders updated since the previous run began, minus an overlap. An order updated
//! during a run moves to the end of the list and is read again there (stored once). The cursor is
//! [`SyncState`] as JSON.

mod client;
mod parse;
mod push;
mod settings;
mod spec;

pub use parse::{is_final, legacy_id, parse_order, status_of};
pub use settings::{ShopifySettings, SHOPIFY_API_VERSION, SHOPIFY_BACKFILL_DAYS, SHOPIFY_VISIBLE_DAYS};
pub(crate) use spec::SPEC;

use async_trait::async_trait;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use ordertray_core::{Account, ConnectionReport, Credentials};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{ConnectorError, EffectSink, IntegrationClient, OrderSource, Page};
use client::{Auth, ShopifyClient};

/// The keychain field: the app's client secret, or an old custom app's admin token.
pub const CLIENT_SECRET: &str = "client_secret";
/// Orders a page asks for: with up to 100 items each, a page costs well within a Standard
/// plan's bucket.
pub const PER_PAGE: u32 = 50;
/// Re-read before the previous run's start: an order saved while a run began is caught either way.
const OVERLAP: Duration = Duration::minutes(15);

/// The orders query: everything an order becomes in the shop, in one call per page.
const ORDERS_QUERY: &str = "query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {
    edges { cursor node {
      id legacyResourceId name createdAt updatedAt cancelledAt
      displayFinancialStatus displayFulfillmentStatus currencyCode
      totalPriceSet { shopMoney { amount currencyCode } }
      email phone
      customer { firstName lastName email phone }
      shippingAddress { firstName lastName address1 address2 city province provinceCode country countryCodeV2 zip phone }
      shippingLines(first: 5) { edges { node { title originalPriceSet { shopMoney { amount currencyCode } } } } }
      lineItems(first: 100) { edges { node {
        id sku name quantity
        originalUnitPriceSet { shopMoney { amount currencyCode } }
        product { id } variant { id }
      } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}";
const SHOP_QUERY: &str = "query { shop { name currencyCode } }";

/// What a run searches for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Filter {
    /// The first run: orders created since, final ones left out.
    Backfill { after: DateTime<Utc> },
    /// Orders updated since.
    Updated { after: DateTime<Utc> },
}

/// A run under way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub started: DateTime<Utc>,
    pub filter: Filter,
    /// Where the next page starts (None: the first page).
    #[serde(default)]
    pub after: Option<String>,
    /// Pages read so far.
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

pub struct ShopifyConnector {
    client: ShopifyClient,
    backfill: Duration,
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl ShopifyConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &ShopifySettings = &crate::registry::settings_of(account);
        let shop = account.base_url.clone().unwrap_or_else(|| settings.address());
        let secret = credentials.get(CLIENT_SECRET).cloned();
        let auth = if settings.admin_token {
            Auth::AdminToken(secret)
        } else {
            Auth::Client {
                id: settings.client_id.clone(),
                secret,
            }
        };
        Self {
            client: ShopifyClient::new(http, &shop, &settings.api_version, auth),
            backfill: Duration::days(settings.backfill_reach().into()),
        }
    }

    fn begin(&self, state: &SyncState, now: DateTime<Utc>) -> Run {
        let filter = match state.watermark {
            None => Filter::Backfill {
                after: now - self.backfill,
            },
            Some(w) => Filter::Updated { after: w - OVERLAP },
        };
        Run {
            started: now,
            filter,
            after: None,
            pages: 0,
        }
    }
}

/// Shopify's search for a run.
fn search(filter: Filter) -> String {
    match filter {
        Filter::Backfill { after } => format!("created_at:>='{}'", iso(after)),
        Filter::Updated { after } => format!("updated_at:>'{}'", iso(after)),
    }
}

/// About what a page costs: a point per order and per order's item list, and the connection.
fn page_cost() -> f64 {
    f64::from(2 + PER_PAGE * 2)
}

#[async_trait]
impl IntegrationClient for ShopifyConnector {
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        match self.client.query(SHOP_QUERY, json!({}), 1.0).await {
            Ok(data) => {
                let shop = &data["shop"];
                Ok(ConnectionReport {
                    ok: true,
                    message: format!(
                        "Connected to Shopify: «{}», selling in {}.",
                        shop.get("name").and_then(Value::as_str).unwrap_or("?"),
                        shop.get("currencyCode").and_then(Value::as_str).unwrap_or("?")
                    ),
                    expires_at: None,
                })
            }
            Err(ConnectorError::Auth(m)) => Ok(ConnectionReport {
                ok: false,
                message: format!("Shopify refused the app's credentials: {m}"),
                expires_at: None,
            }),
            Err(e) => Err(e),
        }
    }

    fn order_source(&self) -> Option<&dyn OrderSource> {
        Some(self)
    }

    fn effect_sink(&self) -> Option<&dyn EffectSink> {
        None
    }
}

#[async_trait]
impl OrderSource for ShopifyConnector {
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        let mut state = SyncState::parse(cursor);
        let mut run = match state.run.take() {
            Some(run) => run,
            None => self.begin(&state, now),
        };
        let data = self
            .client
            .query(
                ORDERS_QUERY,
                json!({ "first": PER_PAGE, "after": run.after, "query": search(run.filter) }),
                page_cost(),
            )
            .await?;
        let orders = &data["orders"];
        let Some(edges) = orders.get("edges").and_then(Value::as_array) else {
            return Err(ConnectorError::Malformed(
                "orders: the answer holds no list of orders".into(),
            ));
        };
        let backfill = matches!(run.filter, Filter::Backfill { .. });
        let mut page = Page::default();
        let mut last_updated = None;
        for node in edges.iter().filter_map(|e| e.get("node")) {
            last_updated = node
                .get("updatedAt")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .or(last_updated);
            if backfill && is_final(node) {
                continue;
            }
            page.take(parse_order(node));
        }
        run.pages += 1;
        let more = orders.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool) == Some(true);
        let end = orders
            .pointer("/pageInfo/endCursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        let since = match run.filter {
            Filter::Backfill { after } | Filter::Updated { after } => after,
        };
        page.progress = Some(crate::estimated_progress(
            (since, run.started),
            run.pages,
            last_updated,
            !more,
        ));
        match end.filter(|_| more) {
            Some(end) => {
                run.after = Some(end);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_run_backfills_and_later_ones_read_what_changed() {
        let now = "2026-12-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(
            search(Filter::Backfill {
                after: now - Duration::days(60)
            }),
            "created_at:>='2026-10-02T10:00:00Z'"
        );
        assert_eq!(
            search(Filter::Updated { after: now }),
            "updated_at:>'2026-12-01T10:00:00Z'"
        );
        assert_eq!(SyncState::parse("garbage"), SyncState::default());
    }
}
