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

pub use parse::{is_final, legacy_id, parse_order, status_of, unreadable_order};
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
/// Shopify refuses, before running it, a query whose requested cost passes this
/// (`MAX_COST_EXCEEDED`), whatever the bucket holds. The requested cost counts what the query
/// could return: an object is 1 point, a connection 2 plus its `first` times its node's cost.
const MAX_QUERY_COST: u32 = 1_000;
/// Items the orders query reads of each order; an order with more has the rest read by
/// [`ITEMS_QUERY`] (most orders have a few: a hundred per order would make a page of one order).
const ITEMS_IN_LIST: u32 = 10;
/// Items one [`ITEMS_QUERY`] reads.
const ITEMS_PER_READ: u32 = 100;
/// Reads of one order's items past which its answers are taken as broken: 10,000 items, far past
/// any real order, and each read costs the bucket ~500 points.
const MAX_ITEM_READS: u32 = 100;
/// An item node: the item, its price set and money, its product and variant.
const ITEM_COST: u32 = 5;
/// An order node of [`ORDERS_QUERY`]: the order, its total (set and money), customer and address;
/// five shipping lines of 3 (line, price set, money); its items' connection and that one's pageInfo.
const ORDER_COST: u32 = 5 + (2 + 5 * 3) + (2 + ITEMS_IN_LIST * ITEM_COST + 1);
/// Orders a page asks for: as many as keep the query within [`MAX_QUERY_COST`] (the connection's 2
/// and its pageInfo aside).
pub const PER_PAGE: u32 = (MAX_QUERY_COST - 3) / ORDER_COST;
/// [`ITEMS_QUERY`]'s requested cost: the order, the items' connection, its pageInfo.
const ITEMS_QUERY_COST: u32 = 1 + 2 + ITEMS_PER_READ * ITEM_COST + 1;
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
      lineItems(first: 10) { edges { node {
        id sku name quantity
        originalUnitPriceSet { shopMoney { amount currencyCode } }
        product { id } variant { id }
      } } pageInfo { hasNextPage endCursor } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}";
/// The rest of an order's items, after the ones the orders query read.
const ITEMS_QUERY: &str = "query OrderItems($id: ID!, $after: String) {
  order(id: $id) {
    lineItems(first: 100, after: $after) { edges { node {
      id sku name quantity
      originalUnitPriceSet { shopMoney { amount currencyCode } }
      product { id } variant { id }
    } } pageInfo { hasNextPage endCursor } }
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
    /// Reads the items of an order beyond the ones its page brought into its `lineItems.edges`.
    async fn read_all_items(&self, order: &mut Value) -> Result<(), ConnectorError> {
        let mut after = more_items_after(&order["lineItems"]);
        let mut reads = 0;
        while let Some(cursor) = after {
            let id = order.get("id").cloned().unwrap_or(Value::Null);
            let data = self
                .client
                .query(
                    ITEMS_QUERY,
                    json!({ "id": id, "after": cursor }),
                    f64::from(ITEMS_QUERY_COST),
                )
                .await?;
            let items = &data["order"]["lineItems"];
            let Some(more) = items.get("edges").and_then(Value::as_array) else {
                return Err(ConnectorError::Malformed(format!(
                    "order {id}: the answer holds no list of items"
                )));
            };
            if more.is_empty() {
                break;
            }
            match order
                .pointer_mut("/lineItems/edges")
                .and_then(Value::as_array_mut)
            {
                Some(edges) => edges.extend(more.iter().cloned()),
                None => break,
            }
            reads += 1;
            let next = more_items_after(items);
            // An answer that does not move on would be read forever, its items taken again each time.
            if next.as_deref() == Some(cursor.as_str()) || reads >= MAX_ITEM_READS {
                return Err(ConnectorError::Malformed(format!(
                    "order {id}: Shopify kept saying more items follow (read {reads} times from {cursor})"
                )));
            }
            after = next;
        }
        Ok(())
    }

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

/// Where an items' connection goes on, when it has more.
fn more_items_after(items: &Value) -> Option<String> {
    let more = items.pointer("/pageInfo/hasNextPage").and_then(Value::as_bool) == Some(true);
    items
        .pointer("/pageInfo/endCursor")
        .and_then(Value::as_str)
        .filter(|_| more)
        .map(str::to_string)
}

/// Shopify's search for a run.
fn search(filter: Filter) -> String {
    match filter {
        Filter::Backfill { after } => format!("created_at:>='{}'", iso(after)),
        Filter::Updated { after } => format!("updated_at:>'{}'", iso(after)),
    }
}

/// What a page of [`ORDERS_QUERY`] asks of the bucket.
fn page_cost() -> f64 {
    f64::from(2 + PER_PAGE * ORDER_COST + 1)
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
        let mut data = self
            .client
            .query(
                ORDERS_QUERY,
                json!({ "first": PER_PAGE, "after": run.after, "query": search(run.filter) }),
                page_cost(),
            )
            .await?;
        let Some(edges) = data["orders"].get_mut("edges").and_then(Value::as_array_mut) else {
            return Err(ConnectorError::Malformed(
                "orders: the answer holds no list of orders".into(),
            ));
        };
        // An order whose items cannot be read whole is set aside with its reason; its page and
        // the account's later pages go on (failing the page would stop the account for good).
        let mut unreadable = std::collections::HashMap::new();
        for (index, node) in edges
            .iter_mut()
            .enumerate()
            .filter_map(|(i, e)| e.get_mut("node").map(|n| (i, n)))
        {
            match self.read_all_items(node).await {
                Ok(()) => {}
                Err(ConnectorError::Malformed(reason)) => {
                    unreadable.insert(index, reason);
                }
                Err(e) => return Err(e),
            }
        }
        let orders = &data["orders"];
        let edges = orders["edges"].as_array().map_or(&[][..], Vec::as_slice);
        let backfill = matches!(run.filter, Filter::Backfill { .. });
        let mut page = Page::default();
        let mut last_updated = None;
        for (index, node) in edges
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.get("node").map(|n| (i, n)))
        {
            last_updated = node
                .get("updatedAt")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
                .or(last_updated);
            if backfill && is_final(node) {
                continue;
            }
            if let Some(reason) = unreadable.remove(&index) {
                page.take(unreadable_order(node, reason));
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

    /// Every query this connector sends stays within what Shopify runs at all.
    #[test]
    fn every_query_asks_less_than_the_single_query_limit() {
        const {
            assert!(ITEMS_QUERY_COST <= MAX_QUERY_COST);
            // A page still holds a useful number of orders.
            assert!(PER_PAGE >= 10);
        }
        assert!(page_cost() <= f64::from(MAX_QUERY_COST), "{}", page_cost());
        assert!(ORDERS_QUERY.contains(&format!("lineItems(first: {ITEMS_IN_LIST})")));
        assert!(ITEMS_QUERY.contains(&format!("lineItems(first: {ITEMS_PER_READ}, after: $after)")));
    }

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
