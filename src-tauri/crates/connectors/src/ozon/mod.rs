//! Ozon Seller API, FBS and realFBS postings (see shared/api-notes/ozon.md).
//!
//! A sync run has two phases: `/v4/posting/fbs/unfulfilled/list` over a wide cutoff window (new
//! work), then `/v4/posting/fbs/list` filtered by `last_changed_status_date` since the previous
//! run minus an overlap (changes such as buyer cancellations), then, for accounts that import
//! them, `/v3/posting/fbo/list` (FBO postings, read-only for us). Each call is one page; the
//! cursor handed to the engine is [`cursor::SyncState`] as JSON.
//!
//! FBO: `/v2/posting/fbo/list` (offset paging, `{"result": [...]}`) was switched off on
//! 2026-08-31 like the v3 FBS lists; its successor `/v3/posting/fbo/list` pages by cursor like the
//! v4 FBS lists: request `{cursor, limit (1..100), sort_dir, translit, filter {since, to,
//! statuses[], posting_numbers[], order_numbers[]}, with {analytics_data, financial_data,
//! legal_info}}`, answer `{postings, cursor, has_next}`. Its filter has no last-change date, so
//! each run re-reads the postings created in the last [`FBO_FOLLOW_UP`] (their statuses still
//! change; unchanged ones are skipped by their content hash).

mod client;
mod cursor;
mod parse;
mod settings;
mod spec;

pub use settings::{
    OrderDateSource, OzonSettings, PostingNumberField, OZON_AWAITING_DELIVER, OZON_DEFAULT_CANCEL_REASON,
};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use ordertray_core::{Account, CancelReasonOption, ConnectionReport, Credentials, Effect, ExternalOrder};
use serde_json::{json, Value};

use crate::{ConnectorError, EffectSink, IntegrationClient, OrderSource, Page};
use client::OzonClient;
use cursor::{Phase, SyncState};

pub use parse::parse_posting;
pub(crate) use spec::SPEC;

pub const DEFAULT_BASE_URL: &str = "https://api-seller.ozon.ru";
const PAGE_LIMIT: u32 = 100;
/// New work: cutoff dates from this far back...
const UNFULFILLED_BACK: Duration = Duration::days(90);
/// ...to this far ahead (a narrow window silently misses postings at its edge).
const UNFULFILLED_AHEAD: Duration = Duration::days(30);
/// Changes are read from the previous run's start minus this, so none falls between runs.
const OVERLAP: Duration = Duration::minutes(10);
/// The first run looks this far back for changes.
const FIRST_RUN_CHANGES: Duration = Duration::days(7);
/// `fbs/list` needs `since`/`to` at most a year apart.
const LIST_PERIOD: Duration = Duration::days(364);
/// FBO postings created this long before a run are read again for their status changes...
const FBO_FOLLOW_UP: Duration = Duration::days(14);
/// ...and the first run reads this far back.
const FBO_FIRST_RUN: Duration = Duration::days(30);

pub struct OzonConnector {
    client: OzonClient,
    import_fbo: bool,
}

impl OzonConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &OzonSettings = &crate::registry::settings_of(account);
        let base = account
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        Self {
            client: OzonClient::new(
                http,
                base,
                settings.client_id.clone(),
                credentials.get("api_key").cloned(),
            ),
            import_fbo: settings.import_fbo,
        }
    }

    /// Analytics carry the delivery region, which region rules and customers need; barcodes go
    /// in the order's extra data.
    fn with() -> Value {
        json!({"analytics_data": true, "barcodes": true, "financial_data": false, "legal_info": false})
    }

    async fn list_page(&self, state: &SyncState) -> Result<(Value, Option<String>), ConnectorError> {
        let started = state.run_started.unwrap_or_else(Utc::now);
        let (path, filter) = match state.phase {
            Phase::Unfulfilled => (
                "/v4/posting/fbs/unfulfilled/list",
                json!({"cutoff_from": ts(started - UNFULFILLED_BACK), "cutoff_to": ts(started + UNFULFILLED_AHEAD)}),
            ),
            Phase::Fbo => {
                let from = state
                    .watermark
                    .map(|w| w - FBO_FOLLOW_UP)
                    .unwrap_or(started - FBO_FIRST_RUN);
                (
                    "/v3/posting/fbo/list",
                    json!({"since": ts(from), "to": ts(started + Duration::days(1))}),
                )
            }
            Phase::Changed | Phase::Idle => {
                let from = state
                    .watermark
                    .map(|w| w - OVERLAP)
                    .unwrap_or(started - FIRST_RUN_CHANGES);
                (
                    "/v4/posting/fbs/list",
                    json!({
                        "since": ts(started - LIST_PERIOD),
                        "to": ts(started + Duration::days(1)),
                        // A minute past the run's start: a change made as the run began is not cut off
                        // (re-reading it next run is harmless, postings are upserted).
                        "last_changed_status_date": {"from": ts(from), "to": ts(started + Duration::minutes(1))}
                    }),
                )
            }
        };
        let body = json!({
            "cursor": state.cursor,
            "limit": PAGE_LIMIT,
            "sort_dir": "ASC",
            "translit": false,
            "filter": filter,
            "with": if state.phase == Phase::Fbo {
                json!({"analytics_data": true, "financial_data": false, "legal_info": false})
            } else {
                Self::with()
            },
        });
        let answer = self.client.post(path, &body).await?;
        // Some deployments wrap the answer in `result`.
        let answer = match answer.get("result") {
            Some(inner) if inner.get("postings").is_some() => inner.clone(),
            _ => answer,
        };
        let has_next = answer.get("has_next").and_then(Value::as_bool).unwrap_or(false);
        let next = answer
            .get("cursor")
            .and_then(Value::as_str)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        let next = if has_next { next } else { None };
        Ok((answer, next))
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[async_trait]
impl IntegrationClient for OzonConnector {
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let answer = match self.client.post("/v1/roles", &json!({})).await {
            Ok(a) => a,
            Err(ConnectorError::Auth(m)) => {
                return Ok(ConnectionReport {
                    ok: false,
                    message: format!("Ozon rejected the Client-Id or Api-Key: {m}"),
                    expires_at: None,
                })
            }
            // Proxies without the roles method: a one-posting list proves the key as well.
            Err(ConnectorError::Rejected { status: 404, .. }) => {
                let probe = SyncState::start(Utc::now());
                match self.list_page(&probe).await {
                    Ok(_) => Value::Null,
                    Err(ConnectorError::Auth(m)) => {
                        return Ok(ConnectionReport {
                            ok: false,
                            message: format!("Ozon rejected the Client-Id or Api-Key: {m}"),
                            expires_at: None,
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        let expires_at = answer
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| t.with_timezone(&Utc));
        let message = match expires_at {
            Some(t) => format!(
                "Connected to Ozon. The Api-Key expires on {}.",
                t.format("%Y-%m-%d")
            ),
            None => "Connected to Ozon.".to_string(),
        };
        Ok(ConnectionReport {
            ok: true,
            message,
            expires_at,
        })
    }

    fn order_source(&self) -> Option<&dyn OrderSource> {
        Some(self)
    }

    fn effect_sink(&self) -> Option<&dyn EffectSink> {
        Some(self)
    }
}

#[async_trait]
impl OrderSource for OzonConnector {
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        let mut state = SyncState::parse(cursor);
        if state.phase == Phase::Idle {
            state = state.begin(now);
        }
        let (mut answer, next) = self.list_page(&state).await?;
        // An answer without its list (a proxy's or gateway's own JSON) is no empty page: read as
        // one, it would end the phase and move the watermark past changes never read.
        let postings = match answer.get_mut("postings").map(Value::take) {
            Some(Value::Array(postings)) => postings,
            Some(Value::Null) => vec![],
            _ => {
                return Err(ConnectorError::Malformed(
                    "Ozon's list of postings is missing from its answer".into(),
                ))
            }
        };
        let mut page = Page::default();
        for raw in postings {
            match parse_posting(raw) {
                Ok(order) => page.orders.push(ExternalOrder {
                    read_only: state.phase == Phase::Fbo,
                    ..order
                }),
                Err(q) => page.quarantined.push(q),
            }
        }
        let state = match (next, state.phase) {
            // The same cursor twice would loop forever: treat it as the end of the phase.
            (Some(c), _) if c != state.cursor => SyncState { cursor: c, ..state },
            (_, Phase::Unfulfilled) => SyncState {
                phase: Phase::Changed,
                cursor: String::new(),
                ..state
            },
            (_, Phase::Changed) if self.import_fbo => SyncState {
                phase: Phase::Fbo,
                cursor: String::new(),
                ..state
            },
            _ => {
                page.done = true;
                state.finished()
            }
        };
        page.next_cursor = state.to_json();
        Ok(page)
    }
}

#[async_trait]
impl EffectSink for OzonConnector {
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError> {
        let (path, body) = client::request_for(effect)?;
        let answer = self.client.post(path, &body).await?;
        client::check_push_answer(effect, &answer)
    }

    async fn cancel_reasons(&self) -> Result<Vec<CancelReasonOption>, ConnectorError> {
        let answer = self
            .client
            .post("/v2/posting/fbs/cancel-reason/list", &json!({}))
            .await?;
        parse::seller_cancel_reasons(&answer)
    }

    async fn already_applied(&self, effect: &Effect) -> Result<bool, ConnectorError> {
        let answer = self
            .client
            .post(
                "/v3/posting/fbs/get",
                &json!({"posting_number": effect.order_external_id(), "with": {}}),
            )
            .await?;
        let posting = answer.get("result").unwrap_or(&answer);
        Ok(client::effect_visible(effect, posting))
    }
}
