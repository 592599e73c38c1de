//! WooCommerce stores (see shared/api-notes/ecommerce.md): orders read through the REST API v3,
//! statuses set back by `PUT /orders/{id}`.
//!
//! A run reads one filter page by page, newest first, with `X-WP-TotalPages` as the progress:
//! the first run (the backfill) orders created in the account's last days, leaving out those in a
//! final status; later runs orders modified since the previous run began, minus an overlap. Newest
//! first keeps paging safe while the store changes: an order placed during a run only pushes the
//! rest one place on (read twice, stored once), and when the store's total drops (an order
//! trashed) the run steps back as many pages as it may have skipped. Stores older than 2022
//! ignore `modified_after` (found out once by asking for orders modified tomorrow): those are
//! re-read over a window of recent days each run instead. The cursor is [`SyncState`] as JSON.

mod catalog;
mod client;
mod parse;
mod push;
mod settings;
mod spec;

pub use ordertray_core::ProductKey;
pub use parse::{format_gmt, parse_gmt, parse_order, unescape_html, Parsed, FINAL_STATUSES};
pub use push::WEBHOOK_SECRET;
pub use settings::{WooCommerceSettings, WOOCOMMERCE_BACKFILL_DAYS};
pub(crate) use spec::SPEC;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::{Account, ConnectionReport, Credentials, Effect, ErrorWords};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{ConnectorError, EffectSink, IntegrationClient, OrderSource, Page};
use client::WooClient;

/// The keychain fields.
pub const CONSUMER_KEY: &str = "consumer_key";
pub const CONSUMER_SECRET: &str = "consumer_secret";

/// The most a page holds (WooCommerce's own limit).
pub const PER_PAGE: u32 = 100;
/// Re-read before the previous run's start: the store's clock and ours may differ, and an order
/// saved while a run began is caught either way (orders are upserted, so nothing doubles).
const OVERLAP: Duration = Duration::minutes(15);
/// Stores that ignore `modified_after` are re-read over the orders created in this many days.
const RESCAN: Duration = Duration::days(14);

/// What a run filters on.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Filter {
    /// The first run: orders created since, final statuses left out.
    Backfill { after: DateTime<Utc> },
    /// Orders modified since.
    Modified { after: DateTime<Utc> },
    /// A store that ignores `modified_after`: orders created since, read again each run.
    Rescan { after: DateTime<Utc> },
}

/// A run under way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub started: DateTime<Utc>,
    pub filter: Filter,
    /// The page to read next (from 1).
    pub page: u32,
    /// `X-WP-Total` as last read: a drop means orders left the list and pages moved back.
    #[serde(default)]
    pub total: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// When the last finished run began.
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    /// Whether the store honours `modified_after` (asked once).
    #[serde(default)]
    pub honours_modified_after: Option<bool>,
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

pub struct WooCommerceConnector {
    client: WooClient,
    backfill: Duration,
    catalog: catalog::StoreCatalog,
    /// The intake path the store's webhooks for this account deliver to.
    webhook_path: String,
    /// The last look at the store's webhooks: when, and what it found.
    webhooks_seen: std::sync::Mutex<Option<(DateTime<Utc>, Option<ErrorWords>)>>,
}

/// The store's webhooks are looked at no more often than this (one call; a paused webhook only
/// makes orders arrive at the next poll instead of at once).
const WEBHOOK_CHECK: Duration = Duration::minutes(15);

impl WooCommerceConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &WooCommerceSettings = &crate::registry::settings_of(account);
        let store = account.base_url.clone().unwrap_or_else(|| settings.url.clone());
        Self {
            client: WooClient::new(
                http,
                &store,
                (
                    credentials.get(CONSUMER_KEY).cloned(),
                    credentials.get(CONSUMER_SECRET).cloned(),
                ),
                settings.key_in_query,
            ),
            backfill: Duration::days(settings.backfill_days.into()),
            catalog: catalog::StoreCatalog::default(),
            webhook_path: ordertray_core::intake::intake_path(SPEC.kind, account.id),
            webhooks_seen: std::sync::Mutex::new(None),
        }
    }

    /// The webhooks WooCommerce set to `disabled` (after repeated failed deliveries) among those
    /// delivering to this account's intake address, by name.
    async fn disabled_webhooks(&self) -> Result<Vec<String>, ConnectorError> {
        let answer = self
            .client
            .call(
                Method::GET,
                "/webhooks",
                &[("status", "disabled".into()), ("per_page", PER_PAGE.to_string())],
                None,
            )
            .await?;
        let ours = |w: &&Value| {
            w["delivery_url"]
                .as_str()
                .and_then(|u| reqwest::Url::parse(u).ok())
                .is_some_and(|u| u.path().trim_end_matches('/') == self.webhook_path)
        };
        Ok(answer
            .body
            .as_array()
            .into_iter()
            .flatten()
            .filter(ours)
            .filter(|w| w["status"].as_str() == Some("disabled"))
            .map(|w| match w["name"].as_str().map(str::trim) {
                Some(name) if !name.is_empty() => name.to_string(),
                _ => format!("#{}", w["id"]),
            })
            .collect())
    }

    /// Whether the store filters by `modified_after`: an old one ignores it and lists orders
    /// modified long before tomorrow.
    async fn probe_modified_after(&self, now: DateTime<Utc>) -> Result<bool, ConnectorError> {
        let answer = self
            .client
            .call(
                Method::GET,
                "/orders",
                &[
                    ("per_page", "1".into()),
                    ("status", "any".into()),
                    ("dates_are_gmt", "true".into()),
                    ("modified_after", format_gmt(now + Duration::days(1))),
                ],
                None,
            )
            .await?;
        let listed = answer.body.as_array().map_or(0, Vec::len);
        Ok(listed == 0 && answer.total.unwrap_or(0) == 0)
    }

    fn begin(state: &SyncState, backfill: Duration, now: DateTime<Utc>) -> Run {
        let filter = match (state.watermark, state.honours_modified_after) {
            (None, _) => Filter::Backfill {
                after: now - backfill,
            },
            (Some(w), Some(true)) => Filter::Modified { after: w - OVERLAP },
            (Some(_), _) => Filter::Rescan {
                after: now - RESCAN.min(backfill),
            },
        };
        Run {
            started: now,
            filter,
            page: 1,
            total: None,
        }
    }

    async fn order(&self, id: &str) -> Result<Value, ConnectorError> {
        Ok(self
            .client
            .call(Method::GET, &format!("/orders/{id}"), &[], None)
            .await?
            .body)
    }

    async fn set_status(&self, id: &str, status: &str) -> Result<(), ConnectorError> {
        let answer = self
            .client
            .call(
                Method::PUT,
                &format!("/orders/{id}"),
                &[],
                Some(&json!({ "status": status })),
            )
            .await?;
        let now = answer.body.get("status").and_then(Value::as_str);
        if now != Some(status) {
            return Err(ConnectorError::Rejected {
                status: 200,
                message: format!(
                    "/orders/{id}: the store kept the order in «{}» instead of «{status}»",
                    now.unwrap_or("?")
                ),
            });
        }
        Ok(())
    }
}

/// Where an effect leaves the order at the store, when WooCommerce can be told it.
/// The built-in statuses first (named as the store names them, else in English), then the
/// store's own in its order; "trash" and the block checkout's "checkout-draft" are no statuses an
/// order is set to.
const NOT_SETTABLE: &[&str] = &["trash", "checkout-draft"];

fn store_statuses(listed: &[Value]) -> Vec<MarketplaceStatus> {
    let named: Vec<(String, String)> = listed
        .iter()
        .filter_map(|s| {
            let slug = s.get("slug")?.as_str()?.trim().trim_start_matches("wc-");
            let name = s
                .get("name")
                .and_then(Value::as_str)
                .map(unescape_html)
                .unwrap_or_default();
            (!slug.is_empty() && !NOT_SETTABLE.contains(&slug)).then(|| (slug.to_string(), name))
        })
        .collect();
    let name_of = |code: &str| {
        named
            .iter()
            .find(|(slug, _)| slug == code)
            .map(|(_, n)| n.clone())
    };
    let mut out: Vec<MarketplaceStatus> = spec::STATUSES
        .iter()
        .map(|(code, english)| MarketplaceStatus {
            code: code.to_string(),
            name: name_of(code)
                .filter(|n| !n.trim().is_empty())
                .unwrap_or_else(|| english.to_string()),
        })
        .collect();
    for (slug, name) in named {
        if !out.iter().any(|s| s.code == slug) {
            let name = if name.trim().is_empty() {
                slug.clone()
            } else {
                name
            };
            out.push(MarketplaceStatus { code: slug, name });
        }
    }
    out
}

fn target_status(effect: &Effect) -> Result<(&str, &str), ConnectorError> {
    let refuse = |what: &str| {
        Err(ConnectorError::Rejected {
            status: 422,
            message: format!(
                "WooCommerce has no call to {what} of order {}: change it in the store's admin",
                effect.order_external_id()
            ),
        })
    };
    match effect {
        Effect::SetOrderStatus {
            order_external_id,
            status,
        } => Ok((order_external_id, status)),
        Effect::CancelOrder {
            order_external_id, ..
        } => Ok((order_external_id, "cancelled")),
        Effect::CancelLines { .. } => refuse("cancel some items"),
        Effect::SetTracking { .. } => refuse("take a tracking number"),
        Effect::Ship { .. } | Effect::DeliveryStatus { .. } | Effect::SetLineStatus { .. } => {
            refuse("set this status")
        }
    }
}

#[async_trait]
impl IntegrationClient for WooCommerceConnector {
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let answer = self
            .client
            .call(Method::GET, "/orders", &[("per_page", "1".into())], None)
            .await;
        match answer {
            Ok(a) => Ok(ConnectionReport {
                ok: true,
                message: format!(
                    "Connected to WooCommerce; {} orders in the store{}.",
                    a.total.unwrap_or(0),
                    if self.client.sends_key_in_query() {
                        " (the host drops the Authorization header: the key goes in the query)"
                    } else {
                        ""
                    }
                ),
                expires_at: None,
            }),
            Err(ConnectorError::Auth(m)) => Ok(ConnectionReport {
                ok: false,
                message: format!("WooCommerce refused the consumer key or secret: {m}"),
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
impl OrderSource for WooCommerceConnector {
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        let mut state = SyncState::parse(cursor);
        if state.honours_modified_after.is_none() {
            state.honours_modified_after = Some(self.probe_modified_after(now).await?);
        }
        let mut run = match state.run.take() {
            Some(run) => run,
            None => Self::begin(&state, self.backfill, now),
        };
        let (after_key, after, orderby) = match run.filter {
            Filter::Backfill { after } | Filter::Rescan { after } => ("after", after, "date"),
            Filter::Modified { after } => ("modified_after", after, "date"),
        };
        let answer = self
            .client
            .call(
                Method::GET,
                "/orders",
                &[
                    ("per_page", PER_PAGE.to_string()),
                    ("page", run.page.to_string()),
                    ("status", "any".into()),
                    ("orderby", orderby.into()),
                    ("order", "desc".into()),
                    ("dates_are_gmt", "true".into()),
                    (after_key, format_gmt(after)),
                ],
                None,
            )
            .await?;
        let Value::Array(items) = &answer.body else {
            return Err(ConnectorError::Malformed(format!(
                "/orders: the answer is not a list ({})",
                crate::http::body_excerpt(answer.body.to_string().as_bytes())
            )));
        };
        let backfill = matches!(run.filter, Filter::Backfill { .. });
        let mut page = Page::default();
        for item in items {
            match parse_order(item) {
                Parsed::Order(order) if backfill && FINAL_STATUSES.contains(&order.status.as_str()) => {}
                parsed => page.take(parsed),
            }
        }
        self.catalog.describe(&self.client, &mut page.orders).await?;
        // Without the paging headers (a proxy or cache dropped them) a full page means more.
        let total_pages = answer.total_pages.unwrap_or(run.page + 1);
        page.progress = Some((run.page.min(total_pages), total_pages.max(1)));
        // Orders left the list since the previous page (trashed): what followed moved back that
        // many places, onto pages already read, so those are read again.
        let dropped = match (run.total, answer.total) {
            (Some(before), Some(now)) if now < before => before - now,
            _ => 0,
        };
        let back = dropped.div_ceil(PER_PAGE.into()).min(run.page.into()) as u32;
        let last = items.is_empty()
            || items.len() < PER_PAGE as usize
            || answer.total_pages.is_some_and(|pages| run.page >= pages);
        if back == 0 && last {
            state.watermark = Some(run.started);
            page.done = true;
        } else {
            run.page = if back > 0 {
                (run.page - back).max(1)
            } else {
                run.page + 1
            };
            run.total = answer.total;
            state.run = Some(run);
        }
        page.next_cursor = state.to_json();
        Ok(page)
    }

    async fn notice(&self, now: DateTime<Utc>) -> Option<ErrorWords> {
        if let Some((at, seen)) = self.webhooks_seen.lock().expect("webhooks seen poisoned").clone() {
            if now - at < WEBHOOK_CHECK {
                return seen;
            }
        }
        let seen = match self.disabled_webhooks().await {
            Ok(names) if names.is_empty() => None,
            Ok(names) => Some(ErrorWords::WebhooksDisabled {
                marketplace: SPEC.name.to_string(),
                names: names.join(", "),
            }),
            Err(e) => {
                // A key without the rights to list webhooks: nothing to tell.
                tracing::debug!(error = %e, "the store's webhooks could not be looked at");
                None
            }
        };
        *self.webhooks_seen.lock().expect("webhooks seen poisoned") = Some((now, seen.clone()));
        seen
    }
}

#[async_trait]
impl EffectSink for WooCommerceConnector {
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError> {
        let (order, status) = target_status(effect)?;
        self.set_status(order, status).await
    }

    /// The built-in statuses and the store's own (a plugin's custom statuses), as
    /// `/reports/orders/totals` lists them with the names the store's admin shows.
    async fn status_dictionary(&self) -> Result<Vec<MarketplaceStatus>, ConnectorError> {
        let answer = self
            .client
            .call(Method::GET, "/reports/orders/totals", &[], None)
            .await?;
        let Value::Array(items) = &answer.body else {
            return Err(ConnectorError::Malformed(
                "/reports/orders/totals: the answer is not a list".into(),
            ));
        };
        Ok(store_statuses(items))
    }

    async fn already_applied(&self, effect: &Effect) -> Result<bool, ConnectorError> {
        let Ok((order, status)) = target_status(effect) else {
            return Ok(false);
        };
        let now = self.order(order).await?;
        Ok(now.get("status").and_then(Value::as_str) == Some(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_run_backfills_and_later_ones_read_what_changed_or_rescan() {
        let now = Utc::now();
        let fresh = SyncState::default();
        let back = Duration::days(60);
        assert_eq!(
            WooCommerceConnector::begin(&fresh, back, now).filter,
            Filter::Backfill { after: now - back }
        );
        let w = now - Duration::hours(1);
        let modern = SyncState {
            watermark: Some(w),
            honours_modified_after: Some(true),
            run: None,
        };
        assert_eq!(
            WooCommerceConnector::begin(&modern, back, now).filter,
            Filter::Modified { after: w - OVERLAP }
        );
        let old = SyncState {
            honours_modified_after: Some(false),
            ..modern
        };
        assert_eq!(
            WooCommerceConnector::begin(&old, back, now).filter,
            Filter::Rescan { after: now - RESCAN }
        );
        assert_eq!(SyncState::parse("garbage"), SyncState::default());
    }

    #[test]
    fn custom_statuses_follow_the_built_in_ones_named_as_the_store_names_them() {
        let listed = serde_json::json!([
            {"slug": "pending", "name": "Ожидает оплаты", "total": 3},
            {"slug": "awaiting-shipment", "name": "Ждёт &amp; отгрузки", "total": 1},
            {"slug": "trash", "name": "Trash", "total": 0},
            {"slug": "checkout-draft", "name": "Draft", "total": 0},
            {"slug": "wc-ready", "name": "", "total": 0}
        ]);
        let list = store_statuses(listed.as_array().unwrap());
        let codes: Vec<&str> = list.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "pending",
                "processing",
                "on-hold",
                "completed",
                "cancelled",
                "refunded",
                "failed",
                "awaiting-shipment",
                "ready"
            ]
        );
        assert_eq!(list[0].name, "Ожидает оплаты");
        assert_eq!(list[1].name, "Processing");
        assert_eq!(list[7].name, "Ждёт & отгрузки");
        assert_eq!(list[8].name, "ready");
    }

    #[test]
    fn only_whole_order_statuses_and_cancels_go_to_the_store() {
        let set = Effect::SetOrderStatus {
            order_external_id: "5".into(),
            status: "completed".into(),
        };
        assert_eq!(target_status(&set).unwrap(), ("5", "completed"));
        let cancel = Effect::CancelOrder {
            order_external_id: "5".into(),
            reason: Default::default(),
        };
        assert_eq!(target_status(&cancel).unwrap(), ("5", "cancelled"));
        let partial = Effect::CancelLines {
            order_external_id: "5".into(),
            reason: Default::default(),
            items: vec![],
        };
        let e = target_status(&partial).unwrap_err();
        assert!(
            !e.is_retryable() && e.to_string().contains("cancel some items"),
            "{e}"
        );
    }
}
