//! Cartum shops (Horoshop's platform; see shared/api-notes/ecommerce.md): orders read with
//! `orders/get`, statuses and tracking codes set back with `orders/update`.
//!
//! Cartum cannot list what changed: every run reads a window of creation dates again (the first
//! run, the backfill, the account's first-sync days without delivered orders; later runs the
//! account's window days) page by page with `offset`/`limit`, in the shop's order (by id, so an
//! order placed during a run lands after the pages read). What did not change is recognised by
//! the store and costs nothing. Orders the backfill left out as delivered are remembered while
//! later windows still cover them, so they are never announced as new. The cursor is
//! [`SyncState`] as JSON.

mod client;
mod parse;
mod settings;
mod spec;

pub use parse::{format_local, parse_local, parse_order, DELIVERED};
pub use settings::{CartumSettings, CARTUM_BACKFILL_DAYS, CARTUM_TIMEZONE, CARTUM_WINDOW_DAYS};
pub(crate) use spec::SPEC;

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::{Account, ConnectionReport, Credentials, Effect};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{ConnectorError, EffectSink, IntegrationClient, OrderSource, Page, Parsed};
use client::{CartumClient, Outcome};

/// The keychain field.
pub const PASSWORD: &str = "password";
/// Orders a page asks for.
pub const PER_PAGE: u32 = 100;
/// A run reads orders placed up to this far past its start: the shop's clock may run ahead of
/// ours, and an order placed during the run is read by it rather than the next.
const AHEAD: Duration = Duration::days(1);

/// A run under way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub started: DateTime<Utc>,
    /// Orders placed since: the window.
    pub from: DateTime<Utc>,
    pub backfill: bool,
    /// Orders read so far (the next page's `offset`).
    pub offset: u32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    /// When the last finished run began.
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    /// Delivered orders the backfill left out, with when they were placed.
    #[serde(default)]
    pub left_out: BTreeMap<String, DateTime<Utc>>,
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

pub struct CartumConnector {
    client: CartumClient,
    zone: Tz,
    backfill: Duration,
    window: Duration,
}

impl CartumConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &CartumSettings = &crate::registry::settings_of(account);
        let shop = account.base_url.clone().unwrap_or_else(|| settings.url.clone());
        Self {
            client: CartumClient::new(http, &shop, &settings.login, credentials.get(PASSWORD).cloned()),
            zone: settings.zone(),
            backfill: Duration::days(settings.backfill_days.into()),
            window: Duration::days(settings.window_days.into()),
        }
    }

    fn begin(&self, state: &SyncState, now: DateTime<Utc>) -> Run {
        // The window reaches back from the last run's start, not from now: after days without a
        // sync (the app closed, a changed password) the orders placed meanwhile are in no other
        // window, since Cartum has no "changed since" to bring them back.
        let from = match state.watermark {
            None => now - self.backfill,
            Some(last) => last.min(now) - self.window,
        };
        Run {
            started: now,
            from,
            backfill: state.watermark.is_none(),
            offset: 0,
        }
    }

    async fn orders(&self, query: Value) -> Result<Vec<Value>, ConnectorError> {
        let answer = self.client.call("orders/get", query).await?;
        if answer.outcome == Outcome::Empty {
            return Ok(vec![]);
        }
        match answer.response.get("orders") {
            Some(Value::Array(orders)) => Ok(orders.clone()),
            _ => Err(ConnectorError::Malformed(
                "/orders/get/: the answer holds no list of orders".into(),
            )),
        }
    }

    async fn order(&self, id: &str) -> Result<Option<Value>, ConnectorError> {
        let id = numeric_id(id)?;
        Ok(self.orders(json!({ "ids": [id] })).await?.into_iter().next())
    }

    /// Sends one order's change and reads its entry of the log: by its id, else (shops that
    /// leave ids out) by its place.
    async fn update(&self, change: Value) -> Result<(), ConnectorError> {
        let id = change["order_id"].clone();
        let answer = self
            .client
            .call("orders/update", json!({ "orders": [change] }))
            .await?;
        if answer.outcome == Outcome::Ok {
            return Ok(());
        }
        let log = answer.response.get("log").and_then(Value::as_array);
        let entry = log.and_then(|l| {
            l.iter()
                .find(|e| e.get("order_id").and_then(parse::id_of) == parse::id_of(&id))
                .or_else(|| l.first())
        });
        Err(ConnectorError::Rejected {
            status: 200,
            message: format!(
                "/orders/update/: order {id}: {}",
                entry.map_or_else(|| "not updated".into(), words_of)
            ),
        })
    }
}

/// A log entry's words: `message`, or `messages` joined.
fn words_of(entry: &Value) -> String {
    match (entry.get("message"), entry.get("messages")) {
        (Some(Value::String(m)), _) => m.clone(),
        (_, Some(Value::Array(ms))) => ms.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
        _ => entry.to_string(),
    }
}

/// Cartum's ids are numbers; ours are their text.
fn numeric_id(id: &str) -> Result<i64, ConnectorError> {
    id.trim().parse().map_err(|_| ConnectorError::Rejected {
        status: 422,
        message: format!("«{id}» is not a Cartum order id"),
    })
}

/// The change an effect makes to the order at the shop, when Cartum can be told it.
fn change_of(effect: &Effect) -> Result<Value, ConnectorError> {
    let refuse = |what: &str| {
        Err(ConnectorError::Rejected {
            status: 422,
            message: format!(
                "Cartum has no call to {what} of order {}: map the shop status to a Cartum status in the account's status settings, or change it in the shop's admin",
                effect.order_external_id()
            ),
        })
    };
    match effect {
        Effect::SetOrderStatus {
            order_external_id,
            status,
        } => {
            let status: i64 = status.trim().parse().map_err(|_| ConnectorError::Rejected {
                status: 422,
                message: format!("«{status}» is not a Cartum status id"),
            })?;
            Ok(json!({ "order_id": numeric_id(order_external_id)?, "status": status }))
        }
        Effect::SetTracking {
            order_external_id,
            tracking_number,
        } => Ok(json!({ "order_id": numeric_id(order_external_id)?, "tracking_code": tracking_number })),
        Effect::CancelOrder { .. } | Effect::CancelLines { .. } => refuse("cancel"),
        Effect::Ship { .. } | Effect::DeliveryStatus { .. } | Effect::SetLineStatus { .. } => {
            refuse("set this status")
        }
    }
}

#[async_trait]
impl IntegrationClient for CartumConnector {
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        match self.client.call("orders/get_available_statuses", json!({})).await {
            Ok(answer) => {
                let statuses = answer
                    .response
                    .get("statuses")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                Ok(ConnectionReport {
                    ok: true,
                    message: format!("Connected to Cartum; the shop has {statuses} order statuses."),
                    expires_at: None,
                })
            }
            Err(ConnectorError::Auth(m)) => Ok(ConnectionReport {
                ok: false,
                message: format!("Cartum refused the login or password: {m}"),
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
impl OrderSource for CartumConnector {
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        let mut state = SyncState::parse(cursor);
        let mut run = match state.run.take() {
            Some(run) => run,
            None => self.begin(&state, now),
        };
        let listed = self
            .orders(json!({
                "from": format_local(run.from, self.zone),
                "to": format_local(run.started + AHEAD, self.zone),
                "offset": run.offset,
                "limit": PER_PAGE,
            }))
            .await?;
        let mut page = Page::default();
        let mut last_placed = None;
        for raw in &listed {
            let parsed = parse_order(raw, self.zone);
            if let Parsed::Order(order) = &parsed {
                last_placed = Some(order.created_at);
                let id = &order.external_id;
                if run.backfill && order.status == DELIVERED {
                    state.left_out.insert(id.clone(), order.created_at);
                    continue;
                }
                if !run.backfill && state.left_out.contains_key(id) {
                    continue;
                }
            }
            page.take(parsed);
        }
        let pages = run.offset / PER_PAGE + 1;
        let done = listed.len() < PER_PAGE as usize;
        page.progress = Some(crate::estimated_progress(
            (run.from, run.started),
            pages,
            last_placed,
            done,
        ));
        if done {
            state.watermark = Some(run.started);
            // Older than any later window: never read again.
            let oldest = run.started - self.window.max(self.backfill);
            state.left_out.retain(|_, placed| *placed >= oldest);
            page.done = true;
        } else {
            run.offset += listed.len() as u32;
            state.run = Some(run);
        }
        page.next_cursor = state.to_json();
        Ok(page)
    }
}

#[async_trait]
impl EffectSink for CartumConnector {
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError> {
        self.update(change_of(effect)?).await
    }

    /// The shop's statuses as it names them, its own ones included.
    async fn status_dictionary(&self) -> Result<Vec<MarketplaceStatus>, ConnectorError> {
        let answer = self
            .client
            .call("orders/get_available_statuses", json!({}))
            .await?;
        let Some(listed) = answer.response.get("statuses").and_then(Value::as_array) else {
            return Err(ConnectorError::Malformed(
                "/orders/get_available_statuses/: the answer holds no list of statuses".into(),
            ));
        };
        Ok(listed
            .iter()
            .filter_map(|s| {
                let code = parse::id_of(s.get("id")?)?;
                let name = s
                    .get("title")
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map_or_else(|| code.clone(), str::to_string);
                Some(MarketplaceStatus { code, name })
            })
            .collect())
    }

    async fn already_applied(&self, effect: &Effect) -> Result<bool, ConnectorError> {
        let Ok(change) = change_of(effect) else {
            return Ok(false);
        };
        let Some(now) = self.order(effect.order_external_id()).await? else {
            return Ok(false);
        };
        let same = |key: &str, at: &str| match change.get(key) {
            None => true,
            Some(want) => now.get(at).and_then(parse::id_of) == parse::id_of(want),
        };
        Ok(same("status", "stat_status") && same("tracking_code", "tracking_code"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_statuses_and_tracking_codes_go_to_the_shop() {
        let set = Effect::SetOrderStatus {
            order_external_id: "5".into(),
            status: "3".into(),
        };
        assert_eq!(change_of(&set).unwrap(), json!({"order_id": 5, "status": 3}));
        let track = Effect::SetTracking {
            order_external_id: "5".into(),
            tracking_number: "20450000000000".into(),
        };
        assert_eq!(
            change_of(&track).unwrap(),
            json!({"order_id": 5, "tracking_code": "20450000000000"})
        );
        let cancel = Effect::CancelOrder {
            order_external_id: "5".into(),
            reason: Default::default(),
        };
        let e = change_of(&cancel).unwrap_err();
        assert!(
            !e.is_retryable() && e.to_string().contains("no call to cancel"),
            "{e}"
        );
        let odd = Effect::SetOrderStatus {
            order_external_id: "5".into(),
            status: "delivered".into(),
        };
        assert!(change_of(&odd).is_err());
    }

    #[test]
    fn log_words_read_either_spelling() {
        assert_eq!(words_of(&json!({"message": "Order updated"})), "Order updated");
        assert_eq!(words_of(&json!({"messages": ["a", "b"]})), "a; b");
    }
}
