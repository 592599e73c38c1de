//! Shiptor (a delivery aggregator, JSON-RPC 2.0) as a transfer target (see
//! shared/api-notes/transfers.md): a shop order becomes a package under our key (`external_id`),
//! is edited while Shiptor has not taken the parcel yet, is read back (status, the tracking number
//! once sent, the history of operations) and is removed when the shop deletes the order.
//!
//! Built against the fake only: Shiptor's PHP SDK (last changed 2021) is the one source of the
//! method and field names, no current official documentation was found, and whether Shiptor still
//! operates is unverified. Its error codes and words are not documented either: a refusal is
//! read by its `message` and `data` whatever the code, and only told apart as a key refused, a
//! package not found, or the rest.
//!
//! Every call is `POST {root}/shipping/v1` with `{"jsonrpc": "2.0", "id", "method", "params"}`
//! and the key in `x-authorization-token`; refusals come as HTTP 200 with `error` {`code`,
//! `message`, `data`}. Shiptor documents no limit (its SDK paces itself at 3 requests a second,
//! and so does this client); an edge's 429 or 503, often HTML, is a wait.

mod payload;
mod settings;
mod spec;

pub use payload::package_params;
pub use settings::{ShiptorSettings, DEFAULT_URL};
pub(crate) use spec::SPEC;

/// The keychain field of the API key.
pub const API_KEY: &str = "api_key";

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use ordertray_core::{ConnectionReport, Secret};
use serde_json::{json, Value};

use crate::http::{body_excerpt, network, redact, retry_after_of, status_error};
use crate::pace::RequestPace;
use crate::transfer::{
    OrderTransfer, RemoteEvent, RemoteState, TransferError, TransferOrder, TransferredOrder,
};
use crate::ConnectorError;

const SHIPPING_PATH: &str = "/shipping/v1";
/// The pace Shiptor's own SDK keeps (`MAX_REQUEST_PER_SEC = 3`): Shiptor documents no limit.
pub const REQUESTS_PER_SECOND: u32 = 3;
/// Shiptor says nothing about how long to wait: a second, the SDK's window.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);
/// The status of a package the shop removed: to us it is gone.
const REMOVED: &str = "removed";
/// The codes the fake gives a refused key and a missing package (guesses: see the fake).
const AUTH_CODE: i64 = -32001;
const NOT_FOUND_CODE: i64 = -32004;
/// How a refusal is told: Shiptor answers them all with HTTP 200, so the status is ours.
const REFUSED: u16 = 422;
const NOT_FOUND: u16 = 404;

pub struct ShiptorClient {
    http: reqwest::Client,
    /// `https://api.shiptor.ru` (or a fake's address).
    root: String,
    api_key: Option<Secret>,
    pace: RequestPace,
    /// JSON-RPC request ids, one per call.
    next_id: AtomicU64,
}

impl ShiptorClient {
    pub fn new(http: reqwest::Client, root: &str, api_key: Option<Secret>) -> Self {
        Self {
            http,
            root: root.trim_end_matches('/').to_string(),
            api_key,
            pace: RequestPace::new(REQUESTS_PER_SECOND, Duration::from_secs(1)),
            next_id: AtomicU64::new(1),
        }
    }

    /// The package's page in Shiptor's cabinet (`https://shiptor.ru/account/package/view/{id}`,
    /// as Shiptor's own shop plugins link it): the API's host without `api.`.
    fn link(&self, id: &str) -> String {
        let cabinet = self.root.replacen("://api.", "://", 1);
        format!("{cabinet}/account/package/view/{id}")
    }

    /// One JSON-RPC call: its `result`, or the error it stands for.
    async fn call(&self, method: &str, params: Value) -> Result<Value, ConnectorError> {
        let Some(key) = &self.api_key else {
            return Err(ConnectorError::Auth("the Shiptor API key is not set".into()));
        };
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let envelope = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.pace.wait().await;
        let response = self
            .http
            .post(format!("{}{SHIPPING_PATH}", self.root))
            .header("x-authorization-token", key.expose())
            .json(&envelope)
            .send()
            .await
            .map_err(|e| network(method, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(method, e))?;
        let secrets = [key.expose()];
        let doc: Option<Value> = serde_json::from_slice(&bytes).ok();
        if matches!(status, 429 | 503) {
            // The limit's answer (or a busy edge), HTML or JSON alike.
            return Err(ConnectorError::RateLimited {
                retry_after: Some(retry_after.unwrap_or(RATE_LIMIT_WAIT)),
                message: redact(format!("{method}: Shiptor is busy (HTTP {status})"), &secrets),
            });
        }
        match doc {
            Some(body) if body["error"].is_object() => Err(refusal(method, status, &body["error"], &secrets)),
            Some(mut body) if (200..300).contains(&status) => match body.get_mut("result") {
                Some(result) => Ok(result.take()),
                None => Err(ConnectorError::Malformed(format!(
                    "{method}: neither a result nor an error"
                ))),
            },
            None if (200..300).contains(&status) => Err(ConnectorError::Malformed(format!(
                "{method}: not JSON: {}",
                body_excerpt(&bytes)
            ))),
            _ => Err(status_error(
                status,
                retry_after,
                RATE_LIMIT_WAIT,
                redact(
                    format!("{method}: HTTP {status}: {}", body_excerpt(&bytes)),
                    &secrets,
                ),
            )),
        }
    }

    /// Checks the key with the cheapest shipping call: the newest package, if any.
    pub async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let (ok, message) = match self.call("getPackages", json!({"page": 1, "per_page": 1})).await {
            Ok(_) => (true, "Connected to Shiptor: the API key works.".to_string()),
            Err(ConnectorError::Auth(m)) => (false, format!("Shiptor refused the API key: {m}")),
            Err(e) => return Err(e),
        };
        Ok(ConnectionReport {
            ok,
            message,
            expires_at: None,
        })
    }

    /// The package `params` name (`{"id"}` or `{"external_id"}`); None when Shiptor has none or
    /// only a removed one.
    async fn live_package(&self, params: Value) -> Result<Option<Value>, ConnectorError> {
        match self.call("getPackage", params).await {
            Ok(p) if p.is_object() && p["status"] != REMOVED => Ok(Some(p)),
            // `null` for "none" would be JSON-RPC's other way of saying it.
            Ok(_) => Ok(None),
            Err(ConnectorError::Rejected {
                status: NOT_FOUND, ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Our package under `key`, made by an earlier try whose answer was lost.
    async fn find(&self, key: &str) -> Result<Option<Value>, ConnectorError> {
        self.live_package(json!({"external_id": key})).await
    }

    fn transferred(&self, package: &Value) -> Result<TransferredOrder, ConnectorError> {
        let id = match &package["id"] {
            Value::Number(n) => n.to_string(),
            Value::String(s) if !s.is_empty() => s.clone(),
            _ => {
                return Err(ConnectorError::Malformed(
                    "Shiptor answered a package without an id".into(),
                ))
            }
        };
        Ok(TransferredOrder {
            found: false,
            link: Some(self.link(&id)),
            remote_id: id,
        })
    }
}

/// The shipping method the shop set for Shiptor on the order's delivery method: Shiptor's number
/// for it. Without one nothing is sent: Shiptor would only refuse the package.
fn shipping_method(order: &TransferOrder) -> Result<i64, ConnectorError> {
    let code = order.delivery.code.as_deref().map(str::trim).unwrap_or_default();
    let name = if order.delivery.tariff_name.is_empty() {
        order.order.delivery_method.as_str()
    } else {
        order.delivery.tariff_name.as_str()
    };
    if code.is_empty() {
        return Err(ConnectorError::Rejected {
            status: 400,
            message: format!(
                "The delivery method \"{name}\" has no Shiptor shipping method: set its number in \
                 Settings → Delivery before sending the order to Shiptor"
            ),
        });
    }
    code.parse().map_err(|_| ConnectorError::Rejected {
        status: 400,
        message: format!(
            "The Shiptor code \"{code}\" of the delivery method \"{name}\" is not a shipping method \
             number: Shiptor knows its methods by number (Settings → Delivery)"
        ),
    })
}

/// Our remote id is Shiptor's package id, a number.
fn package_id(remote_id: &str) -> Result<i64, ConnectorError> {
    remote_id.trim().parse().map_err(|_| ConnectorError::Rejected {
        status: 400,
        message: format!("\"{remote_id}\" is not a Shiptor package id"),
    })
}

/// Shiptor's refusal as our error: a key refused, a package not found, or the request refused, in
/// Shiptor's words (`message`, then `data`).
fn refusal(method: &str, status: u16, error: &Value, secrets: &[&str]) -> ConnectorError {
    let words = redact(format!("{method}: {}", error_words(error)), secrets);
    let code = error["code"].as_i64();
    let message = error["message"].as_str().unwrap_or_default().to_lowercase();
    if matches!(status, 401 | 403) || code == Some(AUTH_CODE) || message.contains("token") {
        ConnectorError::Auth(words)
    } else if code == Some(NOT_FOUND_CODE) || message.contains("not found") {
        ConnectorError::Rejected {
            status: NOT_FOUND,
            message: words,
        }
    } else {
        ConnectorError::Rejected {
            status: REFUSED,
            message: words,
        }
    }
}

/// A JSON-RPC error in Shiptor's words: `message`, then `data` (`field: text` for an object, each
/// text for a list, a text as it is).
pub fn error_words(error: &Value) -> String {
    let mut words: Vec<String> = error["message"]
        .as_str()
        .map(str::to_string)
        .into_iter()
        .collect();
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    match &error["data"] {
        Value::Null => {}
        Value::Object(fields) => words.extend(fields.iter().map(|(f, t)| format!("{f}: {}", text(t)))),
        Value::Array(list) => words.extend(list.iter().map(text)),
        other => words.push(text(other)),
    }
    if words.is_empty() {
        words.push(format!("error {}", error["code"]));
    }
    words.join("; ")
}

/// A history date: ISO 8601 with an offset, or Shiptor's plain `Y-m-d H:i:s` in Moscow time.
fn event_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    local
        .and_local_timezone(chrono_tz::Europe::Moscow)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// What Shiptor made of the package: its status code, the tracking number once there is one, and
/// the operations (`history[]` {`date`, `event`, `description`}), oldest first.
fn remote_state(package: &Value) -> RemoteState {
    let history = package["history"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| {
                    let event = e["event"].as_str().unwrap_or_default().trim();
                    let description = e["description"].as_str().unwrap_or_default().trim();
                    let text = match (event.is_empty(), description.is_empty()) {
                        (_, true) => event.to_string(),
                        (true, false) => description.to_string(),
                        (false, false) => format!("{event}: {description}"),
                    };
                    RemoteEvent {
                        at: e["date"].as_str().and_then(event_time),
                        text,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    RemoteState {
        status: package["status"].as_str().unwrap_or_default().to_string(),
        tracking_number: package["tracking_number"]
            .as_str()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string),
        history,
    }
}

/// Whether a failed create may have reached Shiptor (its answer lost, or refused as a duplicate
/// of ours): then the package is looked up by our key before anything is sent again.
fn maybe_made(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Network(_)
            | ConnectorError::Server { .. }
            | ConnectorError::Malformed(_)
            | ConnectorError::Rejected { .. }
    )
}

#[async_trait]
impl OrderTransfer for ShiptorClient {
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError> {
        let method = shipping_method(order)?;
        // Looked up first: nothing in the SDK says Shiptor keeps `external_id` unique, so a create
        // sent again after a lost answer must find the package rather than count on a refusal.
        if let Some(found) = self.find(&order.key).await? {
            return Ok(self.transferred(&found)?.found());
        }
        let params = package_params(&order.order, method, &order.key);
        match self.call("addPackage", params).await {
            Ok(package) => Ok(self.transferred(&package)?),
            Err(e) if maybe_made(&e) => match self.find(&order.key).await {
                Ok(Some(found)) => Ok(self.transferred(&found)?),
                _ => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// `editPackage` replaces the package while Shiptor has not taken the parcel; after that
    /// Shiptor refuses in its words and the package stays as it was.
    async fn update(
        &self,
        remote_id: &str,
        order: &TransferOrder,
    ) -> Result<TransferredOrder, TransferError> {
        let method = shipping_method(order)?;
        let id = package_id(remote_id)?;
        let mut params = package_params(&order.order, method, &order.key);
        params["id"] = json!(id);
        match self.call("editPackage", params).await {
            Ok(package) => Ok(self.transferred(&package)?),
            Err(ConnectorError::Rejected {
                status: NOT_FOUND, ..
            }) => Err(TransferError::Gone),
            // Refused because it was removed meanwhile? Then it is gone; else the refusal stands.
            Err(e @ ConnectorError::Rejected { .. }) => match self.live_package(json!({"id": id})).await {
                Ok(None) => Err(TransferError::Gone),
                _ => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError> {
        let id = package_id(remote_id)?;
        let package = self
            .live_package(json!({"id": id}))
            .await?
            .ok_or(TransferError::Gone)?;
        Ok(remote_state(&package))
    }

    /// `removePackage`; a package Shiptor no longer has counts as removed.
    async fn delete(&self, remote_id: &str) -> Result<(), TransferError> {
        let id = package_id(remote_id)?;
        match self.call("removePackage", json!({"id": id})).await {
            Ok(_)
            | Err(ConnectorError::Rejected {
                status: NOT_FOUND, ..
            }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_in_shiptors_words_and_told_apart() {
        let invalid = json!({"code": -32602, "message": "Invalid params",
            "data": {"weight": "This value should be greater than 0."}});
        assert_eq!(
            error_words(&invalid),
            "Invalid params; weight: This value should be greater than 0."
        );
        assert_eq!(
            error_words(&json!({"code": 1, "message": "Ошибка", "data": ["a", 2]})),
            "Ошибка; a; 2"
        );
        assert_eq!(error_words(&json!({"code": -5})), "error -5");
        let e = refusal("addPackage", 200, &invalid, &[]);
        assert!(matches!(e, ConnectorError::Rejected { status: 422, .. }), "{e:?}");
        assert!(!e.is_retryable());
        let key = "k-0123456789";
        let auth = json!({"code": -32099, "message": format!("Invalid token {key}")});
        let e = refusal("getPackage", 200, &auth, &[key]);
        assert!(matches!(&e, ConnectorError::Auth(m) if !m.contains(key)), "{e:?}");
        let missing = json!({"code": 7, "message": "Package not found"});
        assert!(matches!(
            refusal("getPackage", 200, &missing, &[]),
            ConnectorError::Rejected { status: 404, .. }
        ));
    }

    #[test]
    fn history_is_read_oldest_first_with_its_dates() {
        let package = json!({"status": "sent", "tracking_number": "RP473124829RU", "history": [
            {"date": "2026-12-01T10:00:00+03:00", "event": "New", "description": ""},
            {"date": "2026-12-02 12:30:00", "event": "Sent", "description": "Почта России"},
            {"date": "when?", "event": "", "description": "Прибыло в сортировочный центр"},
        ]});
        let state = remote_state(&package);
        assert_eq!(state.status, "sent");
        assert_eq!(state.tracking_number.as_deref(), Some("RP473124829RU"));
        let texts: Vec<&str> = state.history.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            ["New", "Sent: Почта России", "Прибыло в сортировочный центр"]
        );
        assert_eq!(
            state.history[0].at.unwrap().to_rfc3339(),
            "2026-12-01T07:00:00+00:00"
        );
        assert_eq!(
            state.history[1].at.unwrap().to_rfc3339(),
            "2026-12-02T09:30:00+00:00"
        );
        assert_eq!(state.history[2].at, None);
        assert_eq!(
            remote_state(&json!({"status": "new", "tracking_number": ""})).tracking_number,
            None
        );
    }

    #[test]
    fn the_cabinet_link_drops_the_apis_host_prefix() {
        let c = ShiptorClient::new(reqwest::Client::new(), "https://api.shiptor.ru/", None);
        assert_eq!(
            c.link("5200001"),
            "https://shiptor.ru/account/package/view/5200001"
        );
    }
}
