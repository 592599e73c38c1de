//! ZZAP seller orders (see shared/api-notes/zzap.md): `GetSellerOrdersV3` polled by the date of
//! each order's last event, `SetOrderStatusV3` for every decision and status, `GetCodesTrack` for
//! the account's status dictionary.
//!
//! ZZAP has no cursor: one call returns at most `row_count` rows of a date window. A run reads the
//! window since the previous run (minus an overlap); a window that comes back full is split in two
//! and each half read again, so no row is missed however many changed. The cursor handed to the
//! engine is [`SyncState`] as JSON.

mod client;
mod parse;
mod settings;
mod spec;

pub use settings::{ZzapSettings, ZZAP_MIN_INTERVAL_MS};

use std::time::Duration as StdDuration;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use ordertray_core::templates::MarketplaceStatus;
use ordertray_core::{Account, CancelReasonOption, ConnectionReport, Credentials, Effect};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{ConnectorError, EffectSink, IntegrationClient, OrderSource, Page};
use client::ZzapClient;

pub use client::parse_answer;
pub use parse::{format_time, parse_codes, parse_row, parse_time, CANCELLED};
pub(crate) use spec::SPEC;

pub const DEFAULT_BASE_URL: &str = "https://api.zzap.pro";
/// Rows asked for per call; a window that returns this many is split.
pub const PAGE_ROWS: usize = 500;
/// The API does not say which time zone its filter dates are in (Moscow, per ZZAP's general
/// rules): re-reading four hours covers a three-hour misreading either way, and rows are upserted.
const OVERLAP: Duration = Duration::hours(4);
/// The first run looks this far back.
const FIRST_RUN: Duration = Duration::days(30);
/// Windows end a day ahead for the same reason as the overlap.
const AHEAD: Duration = Duration::days(1);
/// A full window narrower than this is not split further (its rows are taken as they came).
const NARROWEST: Duration = Duration::seconds(2);

/// Where a run stands: the windows still to read (the last one next) and the start of the run,
/// which becomes the watermark when they are done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SyncState {
    #[serde(default)]
    pub watermark: Option<DateTime<Utc>>,
    #[serde(default)]
    pub run_started: Option<DateTime<Utc>>,
    #[serde(default)]
    pub windows: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl SyncState {
    /// A cursor that cannot be read starts over (rows are upserted, so nothing doubles).
    pub fn parse(cursor: &str) -> Self {
        serde_json::from_str(cursor).unwrap_or_default()
    }

    fn begin(mut self, now: DateTime<Utc>) -> Self {
        let from = self.watermark.map_or(now - FIRST_RUN, |w| w - OVERLAP);
        self.run_started = Some(now);
        self.windows = vec![(from, now + AHEAD)];
        self
    }

    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("sync state serialises")
    }
}

/// The `codes_track` a run asks for. Reading only the import codes would never see a line the
/// buyer cancels afterwards (it leaves those codes), so the buyer-cancel codes are read too; a line
/// that first appears already cancelled is stored for the record and needs no decision. Empty
/// import codes read every code already.
fn codes_to_read(import: &[String], buyer_cancel: &[String]) -> Vec<String> {
    if import.is_empty() {
        return vec![];
    }
    let mut codes = import.to_vec();
    codes.extend(buyer_cancel.iter().filter(|c| !import.contains(c)).cloned());
    codes
}

pub struct ZzapConnector {
    client: ZzapClient,
    /// What a run reads: the account's import codes plus its buyer-cancel codes.
    import_codes: Vec<String>,
    buyer_cancel_codes: Vec<String>,
}

impl ZzapConnector {
    pub fn new(account: &Account, credentials: Credentials, http: reqwest::Client) -> Self {
        let settings: &ZzapSettings = &crate::registry::settings_of(account);
        let base = account
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
        Self {
            client: ZzapClient::new(
                http,
                base,
                settings.login.clone(),
                (
                    credentials.get("password").cloned(),
                    credentials.get("api_key").cloned(),
                ),
                StdDuration::from_millis(settings.min_request_interval_ms.into()),
            ),
            import_codes: codes_to_read(&settings.import_codes, &settings.buyer_cancel_codes),
            buyer_cancel_codes: settings.buyer_cancel_codes.clone(),
        }
    }

    async fn rows(
        &self,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        codes: &[String],
        limit: usize,
    ) -> Result<Vec<Value>, ConnectorError> {
        let document = self
            .client
            .call(
                "GetSellerOrdersV3",
                &[
                    ("row_count", limit.to_string()),
                    ("codes_track", codes.join(";")),
                    ("date_from", format_time(from)),
                    ("date_to", format_time(to)),
                ],
            )
            .await?;
        match document.get("table") {
            Some(Value::Array(rows)) => Ok(rows.clone()),
            Some(Value::Null) | None => Ok(vec![]),
            Some(other) => Err(ConnectorError::Malformed(format!(
                "GetSellerOrdersV3: table is not a list ({})",
                crate::http::body_excerpt(other.to_string().as_bytes())
            ))),
        }
    }
}

#[async_trait]
impl IntegrationClient for ZzapConnector {
    async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        match self.status_dictionary().await {
            Ok(codes) => Ok(ConnectionReport {
                ok: true,
                message: format!("Connected to ZZAP; {} order statuses loaded.", codes.len()),
                expires_at: None,
            }),
            Err(ConnectorError::Auth(m)) => Ok(ConnectionReport {
                ok: false,
                message: format!("ZZAP rejected the login, password or API key: {m}"),
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
impl OrderSource for ZzapConnector {
    async fn fetch_page(&self, cursor: &str, now: DateTime<Utc>) -> Result<Page, ConnectorError> {
        let mut state = SyncState::parse(cursor);
        if state.windows.is_empty() {
            state = state.begin(now);
        }
        let window = *state.windows.last().expect("a run has a window");
        let rows = self.rows(window, &self.import_codes, PAGE_ROWS).await?;
        let mut page = Page::default();
        let (from, to) = window;
        if rows.len() >= PAGE_ROWS && to - from > NARROWEST {
            // Possibly cut off: read each half instead (the earlier half first).
            let mid = from + (to - from) / 2;
            state.windows.pop();
            state.windows.push((mid, to));
            state.windows.push((from, mid));
            page.next_cursor = state.to_json();
            return Ok(page);
        }
        if rows.len() >= PAGE_ROWS {
            tracing::warn!(
                rows = rows.len(),
                "ZZAP window of two seconds is full; rows beyond it may be missed"
            );
        }
        for raw in &rows {
            match parse_row(raw, &self.buyer_cancel_codes) {
                Ok(order) => page.orders.push(order),
                Err(q) => page.quarantined.push(q),
            }
        }
        state.windows.pop();
        if state.windows.is_empty() {
            page.done = true;
            state.watermark = state.run_started.take();
        }
        page.next_cursor = state.to_json();
        Ok(page)
    }
}

#[async_trait]
impl EffectSink for ZzapConnector {
    async fn push(&self, effect: &Effect) -> Result<(), ConnectorError> {
        let Effect::SetLineStatus {
            line_external_id,
            status,
            comment,
            ..
        } = effect
        else {
            return Err(ConnectorError::Rejected {
                status: 0,
                message: format!("ZZAP has no call for «{}»", effect.describe()),
            });
        };
        self.client
            .call(
                "SetOrderStatusV3",
                &[
                    ("code_order", line_external_id.clone()),
                    ("code_track", status.clone()),
                    ("response", comment.clone()),
                ],
            )
            .await
            .map(|_| ())
    }

    /// Looks for the line among the orders now in the status, changed since the decision.
    async fn already_applied(&self, effect: &Effect) -> Result<bool, ConnectorError> {
        let Effect::SetLineStatus {
            line_external_id,
            status,
            decided_at,
            ..
        } = effect
        else {
            return Ok(false);
        };
        let Some(decided) = DateTime::parse_from_rfc3339(decided_at)
            .ok()
            .map(|t| t.with_timezone(&Utc))
        else {
            return Ok(false);
        };
        let now = Utc::now();
        let rows = self
            .rows(
                (decided - OVERLAP, now + AHEAD),
                std::slice::from_ref(status),
                10_000,
            )
            .await?;
        Ok(rows.iter().any(|r| {
            r.get("code_order")
                .map(|c| c.to_string().trim_matches('"') == line_external_id)
                .unwrap_or(false)
        }))
    }

    /// ZZAP takes a status and a comment, not a reason.
    async fn cancel_reasons(&self) -> Result<Vec<CancelReasonOption>, ConnectorError> {
        Ok(vec![])
    }

    async fn status_dictionary(&self) -> Result<Vec<MarketplaceStatus>, ConnectorError> {
        let document = self.client.call("GetCodesTrack", &[]).await?;
        parse_codes(&document).map_err(|e| ConnectorError::Malformed(format!("GetCodesTrack: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_starts_from_the_watermark_with_an_overlap() {
        let now = Utc::now();
        let first = SyncState::parse("").begin(now);
        assert_eq!(first.windows, vec![(now - FIRST_RUN, now + AHEAD)]);
        let w = now - Duration::minutes(5);
        let next = SyncState {
            watermark: Some(w),
            ..Default::default()
        }
        .begin(now);
        assert_eq!(next.windows, vec![(w - OVERLAP, now + AHEAD)]);
        assert_eq!(SyncState::parse(&next.to_json()), next);
        assert_eq!(SyncState::parse("{broken"), SyncState::default());
    }

    #[test]
    fn buyer_cancel_codes_are_read_with_the_import_codes() {
        let v = |s: &[&str]| s.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            codes_to_read(&v(&["1", "2"]), &v(&["6", "2"])),
            v(&["1", "2", "6"])
        );
        assert_eq!(
            codes_to_read(&[], &v(&["6"])),
            Vec::<String>::new(),
            "empty reads all"
        );
    }
}
