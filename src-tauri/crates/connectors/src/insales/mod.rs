//! InSales (a shop platform's admin API) as a transfer target (see shared/api-notes/transfers.md):
//! a shop order becomes an InSales order whose lines are InSales variants found by our article =
//! their SKU (InSales writes them off its stock), with the client, the delivery address, the
//! delivery variant the shop set for InSales on its delivery method at our cost, and our number,
//! the delivery and our key in the customer comment.
//!
//! InSales has no look-up of a variant by SKU: the client reads the catalogue once (then only
//! what changed since, `updated_since`, when an article is missing) and keeps a SKU → variant map.
//! An item with no variant is refused before anything is sent, naming the SKUs.
//!
//! InSales has no idempotency key and lets no field of ours be searched, so our key goes on a
//! line of its own in the order's comment, and a create first lists the orders changed since its
//! first try (or, when this client made none, over the last [`LOOKBACK`]) looking for that line;
//! a create whose answer was lost is looked up the same way before the failure is reported. The
//! InSales id is what we keep (edit, read back, delete).
//!
//! Basic auth with the API application's identifier and password; errors are 422
//! `{"errors": …}`; the limit is 500 requests per 5 minutes, counted in `API-Usage-Limit:
//! used/500`, and past it 503 with `Retry-After` in seconds.

mod payload;
mod settings;
mod spec;

pub use payload::{carries_key, key_marker, order_document, status_words};
pub use settings::InSalesSettings;
pub(crate) use spec::SPEC;

/// The keychain field of the API application's password.
pub const PASSWORD: &str = "password";

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ordertray_core::{ConnectionReport, Secret};
use reqwest::Method;
use serde_json::Value;

use crate::http::{body_excerpt, network, redact, retry_after_of, status_error};
use crate::pace::RequestPace;
use crate::transfer::{OrderTransfer, RemoteState, TransferError, TransferOrder, TransferredOrder};
use crate::ConnectorError;

/// Our pace: 3 requests per 2 s (450 per 5 minutes), under InSales' 500 per 5 minutes with room
/// for the shop's other applications, which count against the same limit.
const PACE: (u32, Duration) = (3, Duration::from_secs(2));
/// A 503 that names no wait: InSales' window is 5 minutes, and its own gem waits 150 s.
const UNSAID_WAIT: Duration = Duration::from_secs(150);
/// The most a list gives in one page.
const PER_PAGE: usize = 250;
/// Bounds on a read, so a misbehaving list cannot page forever (62,500 orders / products).
const MAX_PAGES: usize = 250;
/// How far back a create looks for an earlier try it does not remember (made before the app
/// restarted): the outbox retries a lost create well within a day.
pub const LOOKBACK: Duration = Duration::from_secs(2 * 24 * 3600);
/// Our clock and InSales' may differ: a remembered try is looked for from this much earlier.
const CLOCK_MARGIN: Duration = Duration::from_secs(15 * 60);
const ACCOUNT: &str = "/admin/account.json";
const PRODUCTS: &str = "/admin/products.json";
const ORDERS: &str = "/admin/orders.json";

/// The SKU → variant map, and how far the catalogue has been read.
#[derive(Debug, Default)]
struct Catalogue {
    variants: HashMap<String, i64>,
    loaded: bool,
    /// The latest `updated_at` of a product read: a later read asks only what changed since.
    read_until: Option<DateTime<chrono::FixedOffset>>,
}

pub struct InSalesClient {
    http: reqwest::Client,
    /// `https://{shop}.myinsales.ru` (or a fake's address).
    root: String,
    api_id: String,
    password: Option<Secret>,
    pace: RequestPace,
    catalogue: tokio::sync::Mutex<Catalogue>,
    /// When this client first sent each key's create: where a lost one is looked for.
    tries: std::sync::Mutex<HashMap<String, DateTime<Utc>>>,
    /// The last `API-Usage-Limit` seen: requests used and allowed in the current window.
    usage: std::sync::Mutex<Option<(u32, u32)>>,
}

impl InSalesClient {
    pub fn new(http: reqwest::Client, root: &str, api_id: &str, password: Option<Secret>) -> Self {
        Self {
            http,
            root: root.trim_end_matches('/').to_string(),
            api_id: api_id.trim().to_string(),
            password,
            pace: RequestPace::new(PACE.0, PACE.1),
            catalogue: tokio::sync::Mutex::new(Catalogue::default()),
            tries: std::sync::Mutex::new(HashMap::new()),
            usage: std::sync::Mutex::new(None),
        }
    }

    /// The order's page in the shop's back office.
    fn link(&self, id: &str) -> String {
        format!("{}/admin2/orders/{id}", self.root)
    }

    /// The last `API-Usage-Limit` InSales sent: requests used and allowed in this window.
    pub fn usage(&self) -> Option<(u32, u32)> {
        *self.usage.lock().expect("usage poisoned")
    }

    /// One request; its answer's JSON (null for an empty body).
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ConnectorError> {
        let Some(password) = &self.password else {
            return Err(ConnectorError::Auth("the InSales API password is not set".into()));
        };
        self.pace.wait().await;
        let url = format!("{}{path}", self.root);
        let mut request = self
            .http
            .request(method, &url)
            .basic_auth(&self.api_id, Some(password.expose()))
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| network(path, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        if let Some(usage) = response
            .headers()
            .get("api-usage-limit")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_usage)
        {
            *self.usage.lock().expect("usage poisoned") = Some(usage);
        }
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let doc: Option<Value> = serde_json::from_slice(&bytes).ok();
        let secrets = [password.expose()];
        if (200..300).contains(&status) {
            return match doc {
                Some(doc) => Ok(doc),
                None if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Value::Null),
                None => Err(ConnectorError::Malformed(redact(
                    format!("{path}: not JSON: {}", body_excerpt(&bytes)),
                    &secrets,
                ))),
            };
        }
        let said = doc.as_ref().map(error_words).filter(|w| !w.is_empty());
        let message = redact(
            match (status, said) {
                (401 | 403, _) => format!(
                    "{path}: InSales refused the API application's identifier or password (HTTP {status})"
                ),
                (_, Some(words)) => format!("{path}: {words}"),
                (_, None) => format!("{path}: HTTP {status}: {}", body_excerpt(&bytes)),
            },
            &secrets,
        );
        if status == 503 && retry_after.is_some() {
            return Err(ConnectorError::RateLimited {
                retry_after,
                message: format!("{message} (InSales' limit of requests per 5 minutes is used up)"),
            });
        }
        Err(status_error(status, retry_after, UNSAID_WAIT, message))
    }

    /// Every page of a list (`updated_since` when given), until a short page.
    async fn pages(
        &self,
        path: &str,
        since: Option<String>,
        mut seen: impl FnMut(&Value) -> bool,
    ) -> Result<(), ConnectorError> {
        for page in 1..=MAX_PAGES {
            let mut query = vec![("per_page", PER_PAGE.to_string()), ("page", page.to_string())];
            if let Some(since) = &since {
                query.push(("updated_since", since.clone()));
            }
            let answer = self.call(Method::GET, path, &query, None).await?;
            let rows = answer.as_array().cloned().unwrap_or_default();
            for row in &rows {
                if seen(row) {
                    return Ok(());
                }
            }
            if rows.len() < PER_PAGE {
                break;
            }
        }
        Ok(())
    }

    /// Each item's variant by SKU: from the map, after reading the catalogue the first time and
    /// what changed since when an SKU is not in it. Items with none are refused, by SKU.
    async fn variants(&self, order: &TransferOrder) -> Result<HashMap<String, i64>, ConnectorError> {
        let mut catalogue = self.catalogue.lock().await;
        let items = &order.order.items;
        if !catalogue.loaded || !payload::unknown_skus(items, &catalogue.variants).is_empty() {
            let since = catalogue
                .loaded
                .then(|| catalogue.read_until.map(|t| t.to_rfc3339()))
                .flatten();
            let mut read = Catalogue::default();
            self.pages(PRODUCTS, since, |product| {
                for v in product["variants"].as_array().into_iter().flatten() {
                    let sku = v["sku"].as_str().map(str::trim).unwrap_or_default();
                    if let (false, Some(id)) = (sku.is_empty(), v["id"].as_i64()) {
                        read.variants.insert(sku.to_string(), id);
                    }
                }
                let at = product["updated_at"]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok());
                read.read_until = read.read_until.max(at);
                false
            })
            .await?;
            catalogue.variants.extend(read.variants);
            catalogue.read_until = catalogue.read_until.max(read.read_until);
            catalogue.loaded = true;
        }
        let unknown = payload::unknown_skus(items, &catalogue.variants);
        if !unknown.is_empty() {
            return Err(payload::unknown_skus_refusal(&unknown));
        }
        Ok(catalogue.variants.clone())
    }

    /// The order carrying our key in its comment, among those changed since `since`.
    async fn find(&self, key: &str, since: DateTime<Utc>) -> Result<Option<Value>, ConnectorError> {
        let mut found = None;
        self.pages(ORDERS, Some(since.to_rfc3339()), |o| {
            let ours = payload::carries_key(o["comment"].as_str().unwrap_or_default(), key);
            if ours {
                found = Some(o.clone());
            }
            ours
        })
        .await?;
        Ok(found)
    }

    /// Where to look for an earlier try of this key's create.
    fn tried_since(&self, key: &str) -> DateTime<Utc> {
        let tries = self.tries.lock().expect("tries poisoned");
        match tries.get(key) {
            Some(at) => *at - CLOCK_MARGIN,
            None => Utc::now() - LOOKBACK,
        }
    }

    async fn order(&self, remote_id: &str) -> Result<Value, TransferError> {
        let path = order_path(remote_id)?;
        match self.call(Method::GET, &path, &[], None).await {
            Ok(o) => Ok(o),
            Err(ConnectorError::Rejected { status: 404, .. }) => Err(TransferError::Gone),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks the identifier and password with the shop's account.
    pub async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let (ok, message) = match self.call(Method::GET, ACCOUNT, &[], None).await {
            Ok(account) => {
                let title = account["title"].as_str().unwrap_or_default();
                let usage = match self.usage() {
                    Some((used, limit)) => {
                        format!(" ({used} of {limit} API requests used in this 5 minutes)")
                    }
                    None => String::new(),
                };
                (true, format!("Connected to the InSales shop \"{title}\"{usage}."))
            }
            Err(ConnectorError::Auth(m)) => (false, m),
            Err(e) => return Err(e),
        };
        Ok(ConnectionReport {
            ok,
            message,
            expires_at: None,
        })
    }

    fn transferred(&self, order: &Value) -> Result<TransferredOrder, ConnectorError> {
        let id = order["id"]
            .as_i64()
            .ok_or_else(|| ConnectorError::Malformed("InSales' order has no id".into()))?
            .to_string();
        Ok(TransferredOrder {
            found: false,
            link: Some(self.link(&id)),
            remote_id: id,
        })
    }
}

/// `API-Usage-Limit: used/limit`.
fn parse_usage(v: &str) -> Option<(u32, u32)> {
    let (used, limit) = v.trim().split_once('/')?;
    Some((used.trim().parse().ok()?, limit.trim().parse().ok()?))
}

/// Our remote id is InSales' order id, a number.
fn order_path(remote_id: &str) -> Result<String, ConnectorError> {
    let id: i64 = remote_id.trim().parse().map_err(|_| ConnectorError::Rejected {
        status: 400,
        message: format!("\"{remote_id}\" is not an InSales order id"),
    })?;
    Ok(format!("/admin/orders/{id}.json"))
}

/// InSales' refusal in its own words: `{"errors": {field: [message]}}`, `{"errors": [message]}`
/// or `{"errors": message}`.
pub fn error_words(doc: &Value) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    match &doc["errors"] {
        Value::Object(fields) => fields
            .iter()
            .map(|(field, said)| format!("{field}: {}", text(said)))
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => doc["error"].as_str().unwrap_or_default().to_string(),
        other => text(other),
    }
}

/// Whether a failed create may have reached InSales (its answer lost): then the order is looked
/// up by our key before the failure is reported.
fn answer_lost(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Network(_) | ConnectorError::Server { .. } | ConnectorError::Malformed(_)
    )
}

#[async_trait]
impl OrderTransfer for InSalesClient {
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError> {
        // Refused before anything else: nothing of such an order could be sent.
        let delivery = payload::delivery_variant(order)?;
        let variants = self.variants(order).await?;
        if let Some(found) = self.find(&order.key, self.tried_since(&order.key)).await? {
            return Ok(self.transferred(&found)?.found());
        }
        let lines = payload::new_lines(&order.order.items, &variants);
        let document = order_document(order, delivery, lines);
        self.tries
            .lock()
            .expect("tries poisoned")
            .entry(order.key.clone())
            .or_insert_with(Utc::now);
        match self.call(Method::POST, ORDERS, &[], Some(&document)).await {
            Ok(made) => Ok(self.transferred(&made)?),
            Err(e) if answer_lost(&e) => match self.find(&order.key, self.tried_since(&order.key)).await {
                Ok(Some(found)) => Ok(self.transferred(&found)?),
                _ => Err(e.into()),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn update(
        &self,
        remote_id: &str,
        order: &TransferOrder,
    ) -> Result<TransferredOrder, TransferError> {
        let delivery = payload::delivery_variant(order)?;
        let variants = self.variants(order).await?;
        let there = self.order(remote_id).await?;
        let existing = there["order_lines"].as_array().cloned().unwrap_or_default();
        let lines = payload::replacing_lines(&existing, payload::new_lines(&order.order.items, &variants));
        let document = order_document(order, delivery, lines);
        let path = order_path(remote_id)?;
        match self.call(Method::PUT, &path, &[], Some(&document)).await {
            Ok(updated) => Ok(self.transferred(&updated)?),
            Err(ConnectorError::Rejected { status: 404, .. }) => Err(TransferError::Gone),
            Err(e) => Err(e.into()),
        }
    }

    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError> {
        let order = self.order(remote_id).await?;
        Ok(RemoteState {
            status: status_words(&order),
            tracking_number: None,
            history: vec![],
        })
    }

    async fn delete(&self, remote_id: &str) -> Result<(), TransferError> {
        let path = order_path(remote_id)?;
        match self.call(Method::DELETE, &path, &[], None).await {
            Ok(_) | Err(ConnectorError::Rejected { status: 404, .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn refusals_are_read_in_insales_words_whatever_their_shape() {
        let by_field = json!({"errors": {"client.phone": ["не может быть пустым"], "delivery_variant": ["не найден", "обязателен"]}});
        assert_eq!(
            error_words(&by_field),
            "client.phone: не может быть пустым; delivery_variant: не найден, обязателен"
        );
        assert_eq!(
            error_words(&json!({"errors": ["Товар закончился"]})),
            "Товар закончился"
        );
        assert_eq!(error_words(&json!({"errors": "Not found"})), "Not found");
        assert_eq!(error_words(&json!({"error": "Not Found"})), "Not Found");
    }

    #[test]
    fn the_usage_header_and_order_ids_are_read() {
        assert_eq!(parse_usage(" 12/500"), Some((12, 500)));
        assert_eq!(parse_usage("lots"), None);
        assert_eq!(order_path("7100003").unwrap(), "/admin/orders/7100003.json");
        assert!(order_path("../x").is_err());
    }
}
