//! RetailCRM (API v5) as a transfer target (see shared/api-notes/transfers.md): a shop order is
//! created at the CRM under our `externalId` (per site; the key makes a repeated create find the
//! first one instead of making a second), edited by it, and read back by it. RetailCRM has no call
//! that deletes an order: a deleted shop order stays there and the manager is told so.
//!
//! Writes are form-encoded with JSON fields (`order=<json>&site=<code>`), the key goes in
//! `X-API-KEY`. RetailCRM answers `{"success": true, …}` or `{"success": false, "errorMsg", "errors"}`
//! (`errors` an object keyed by field, or a list); over its limit (10 requests a second per key) its
//! edge answers 503, often as an HTML page, without `Retry-After`: that is a wait, not a failure.
//!

mod payload;
mod settings;
mod spec;

pub use payload::order_document;
pub use settings::RetailCrmSettings;
pub(crate) use spec::SPEC;

/// The keychain field of the API key.
pub const API_KEY: &str = "api_key";

use std::time::Duration;

use async_trait::async_trait;
use ordertray_core::cabinet::OrderItem;
use ordertray_core::{ConnectionReport, Secret};
use reqwest::Method;
use serde_json::Value;

use crate::http::{body_excerpt, network, path_part, redact, retry_after_of, status_error};
use crate::pace::RequestPace;
use crate::transfer::{OrderTransfer, RemoteState, TransferError, TransferOrder, TransferredOrder};
use crate::ConnectorError;

/// RetailCRM says nothing about how long to wait: a second is its limit's window.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);
const CREDENTIALS: &str = "/credentials";
/// RetailCRM's limit per API key.
pub const REQUESTS_PER_SECOND: u32 = 10;
/// RetailCRM's words when an order with the same `externalId` is already on the site.
const ALREADY_EXISTS: &str = "Order already exists.";

pub struct RetailCrmClient {
    http: reqwest::Client,
    /// `https://<account>.retailcrm.ru` (or a fake's address).
    root: String,
    api_key: Option<Secret>,
    /// The CRM's site (shop) code the orders belong to.
    site: String,
    pace: RequestPace,
    /// Articles the CRM's catalog has an offer for (found or made this session): looked up once.
    in_catalog: std::sync::Mutex<std::collections::HashSet<String>>,
}

/// An answer RetailCRM gave with `success: true`.
struct Answer {
    body: Value,
}

impl RetailCrmClient {
    pub fn new(http: reqwest::Client, root: &str, api_key: Option<Secret>, site: &str) -> Self {
        Self {
            http,
            root: root.trim_end_matches('/').to_string(),
            api_key,
            site: site.to_string(),
            pace: RequestPace::new(REQUESTS_PER_SECOND, Duration::from_secs(1)),
            in_catalog: Default::default(),
        }
    }

    /// The order's page in the CRM's admin.
    fn link(&self, id: &Value) -> Option<String> {
        let id = match id {
            Value::Number(n) => n.to_string(),
            Value::String(s) if !s.is_empty() => s.clone(),
            _ => return None,
        };
        Some(format!("{}/orders/{id}/edit", self.root))
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        form: &[(&str, String)],
    ) -> Result<Answer, ConnectorError> {
        let Some(key) = &self.api_key else {
            return Err(ConnectorError::Auth("the RetailCRM API key is not set".into()));
        };
        // `/credentials` is the one method outside the version's prefix.
        let url = if path == CREDENTIALS {
            format!("{}/api{path}", self.root)
        } else {
            format!("{}/api/v5{path}", self.root)
        };
        self.pace.wait().await;
        let mut request = self
            .http
            .request(method.clone(), &url)
            .header("X-API-KEY", key.expose())
            .query(query);
        if method == Method::POST {
            request = request.form(form);
        }
        let response = request.send().await.map_err(|e| network(path, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let doc: Option<Value> = serde_json::from_slice(&bytes).ok();
        let said = doc.as_ref().map(error_words).filter(|w| !w.is_empty());
        let words = |fallback: String| redact(said.clone().unwrap_or(fallback), &[key.expose()]);
        if status == 503 {
            // The limit's answer, HTML or JSON alike: the key is shared, or the plan grants less.
            self.pace.slow_down().await;
            return Err(ConnectorError::RateLimited {
                retry_after: Some(retry_after.unwrap_or(RATE_LIMIT_WAIT)),
                message: words(format!("{path}: RetailCRM is busy (503)")),
            });
        }
        match doc {
            Some(body) if (200..300).contains(&status) && body["success"] == Value::Bool(true) => {
                Ok(Answer { body })
            }
            Some(_) if (200..300).contains(&status) => Err(ConnectorError::Rejected {
                status,
                message: words(format!("{path}: refused")),
            }),
            Some(_) => Err(status_error(
                status,
                retry_after,
                RATE_LIMIT_WAIT,
                words(format!("{path}: HTTP {status}")),
            )),
            None if (200..300).contains(&status) => Err(ConnectorError::Malformed(format!(
                "{path}: not JSON: {}",
                body_excerpt(&bytes)
            ))),
            None => Err(status_error(
                status,
                retry_after,
                RATE_LIMIT_WAIT,
                redact(
                    format!("{path}: HTTP {status}: {}", body_excerpt(&bytes)),
                    &[key.expose()],
                ),
            )),
        }
    }

    /// Checks the key and that it may work with the site: RetailCRM's `credentials` method.
    pub async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let answer = match self.call(Method::GET, CREDENTIALS, &[], &[]).await {
            Ok(a) => a,
            Err(ConnectorError::Auth(m)) => {
                return Ok(ConnectionReport {
                    ok: false,
                    message: format!("RetailCRM refused the API key: {m}"),
                    expires_at: None,
                })
            }
            Err(e) => return Err(e),
        };
        let sites: Vec<&str> = answer.body["sitesAvailable"]
            .as_array()
            .map(|l| l.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let full = answer.body["siteAccess"] == "access_full";
        let (ok, message) = if full || sites.contains(&self.site.as_str()) {
            (
                true,
                format!(
                    "Connected to RetailCRM; orders go to the store \"{}\".",
                    self.site
                ),
            )
        } else {
            (
                false,
                format!(
                    "The API key may not work with the store \"{}\" (it may with: {}).",
                    self.site,
                    sites.join(", ")
                ),
            )
        };
        Ok(ConnectionReport {
            ok,
            message,
            expires_at: None,
        })
    }

    /// Makes the catalog products the order's items need, so that each item is tied to a product:
    /// an article the CRM's catalog has no offer for becomes a product with one offer under the
    /// article. Best effort: an order whose products could not be made still goes, its items as
    /// lines with no product behind them (RetailCRM takes those); only the limit stops it (a wait
    /// for the whole sending).
    async fn ensure_products(&self, order: &TransferOrder) -> Result<(), ConnectorError> {
        let wanted: Vec<&OrderItem> = {
            let known = self.in_catalog.lock().expect("catalog cache poisoned");
            let mut seen = std::collections::HashSet::new();
            order
                .order
                .items
                .iter()
                .filter(|i| !i.article.trim().is_empty() && !known.contains(&i.article))
                .filter(|i| seen.insert(i.article.clone()))
                .collect()
        };
        let mut missing = Vec::new();
        for item in wanted {
            let query = [
                ("filter[offerExternalId]", item.article.as_str()),
                ("limit", "20"),
            ];
            match self.call(Method::GET, "/store/products", &query, &[]).await {
                Ok(a) if a.body["products"].as_array().is_some_and(|p| !p.is_empty()) => {
                    self.note_in_catalog(&item.article);
                }
                Ok(_) => missing.push(item),
                Err(e @ ConnectorError::RateLimited { .. }) => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, "RetailCRM: could not look a product up; the item goes unbound");
                    return Ok(());
                }
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let products: Vec<Value> = missing
            .iter()
            .map(|i| {
                serde_json::json!({"externalId": i.article, "article": i.article, "name": i.name,
                    "offers": [{"externalId": i.article, "name": i.name, "article": i.article}]})
            })
            .collect();
        let form = [("products", Value::from(products).to_string())];
        match self
            .call(Method::POST, "/store/products/batch/create", &[], &form)
            .await
        {
            Ok(_) => missing.iter().for_each(|i| self.note_in_catalog(&i.article)),
            Err(e @ ConnectorError::RateLimited { .. }) => return Err(e),
            Err(e) => tracing::warn!(error = %e, "RetailCRM: could not make products; the items go unbound"),
        }
        Ok(())
    }

    fn note_in_catalog(&self, article: &str) {
        self.in_catalog
            .lock()
            .expect("catalog cache poisoned")
            .insert(article.to_string());
    }

    /// The order at the CRM under our key, if there is one.
    async fn find(&self, external_id: &str) -> Result<Option<Value>, ConnectorError> {
        let path = format!("/orders/{}", path_part(external_id));
        match self
            .call(
                Method::GET,
                &path,
                &[("by", "externalId"), ("site", &self.site)],
                &[],
            )
            .await
        {
            Ok(a) => Ok(Some(a.body["order"].clone())),
            Err(ConnectorError::Rejected { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn transferred(&self, order: &Value, external_id: &str) -> TransferredOrder {
        TransferredOrder {
            found: false,
            remote_id: external_id.to_string(),
            link: self.link(&order["id"]),
        }
    }
}

/// RetailCRM's refusal in its own words: `errorMsg`, then each of `errors` (`field: text` for an
/// object, the text for a list).
pub fn error_words(doc: &Value) -> String {
    let mut words: Vec<String> = doc["errorMsg"].as_str().map(str::to_string).into_iter().collect();
    match &doc["errors"] {
        Value::Object(fields) => words.extend(
            fields
                .iter()
                .map(|(field, text)| format!("{field}: {}", text.as_str().unwrap_or_default())),
        ),
        Value::Array(list) => words.extend(list.iter().filter_map(|t| t.as_str().map(str::to_string))),
        _ => {}
    }
    words.join("; ")
}

/// Whether a failed create may have reached the CRM (its answer lost): then the order is looked
/// up by our key before anything is sent again.
fn answer_lost(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Network(_) | ConnectorError::Server { .. } | ConnectorError::Malformed(_)
    )
}

#[async_trait]
impl OrderTransfer for RetailCrmClient {
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError> {
        // No look-up first: RetailCRM keeps `externalId` unique per site, so a create sent again
        // after a lost answer is refused as a duplicate and the order found then.
        let key = order.key.as_str();
        self.ensure_products(order).await?;
        let mut document = order_document(&order.order, &order.delivery);
        document["externalId"] = Value::from(key);
        let form = [("site", self.site.clone()), ("order", document.to_string())];
        match self.call(Method::POST, "/orders/create", &[], &form).await {
            Ok(a) => Ok(self.transferred(&a.body["order"], key)),
            // Made by an earlier try whose answer was lost, or by another process: it is ours.
            Err(ConnectorError::Rejected { message, .. }) if message.contains(ALREADY_EXISTS) => {
                let found = self.find(key).await?.unwrap_or_default();
                Ok(self.transferred(&found, key).found())
            }
            Err(e) if answer_lost(&e) => match self.find(key).await {
                Ok(Some(found)) => Ok(self.transferred(&found, key)),
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
        let mut document = order_document(&order.order, &order.delivery);
        document["externalId"] = Value::from(remote_id);
        let path = format!("/orders/{}/edit", path_part(remote_id));
        let form = [
            ("by", "externalId".to_string()),
            ("site", self.site.clone()),
            ("order", document.to_string()),
        ];
        match self.call(Method::POST, &path, &[], &form).await {
            Ok(a) => Ok(self.transferred(&a.body["order"], remote_id)),
            Err(ConnectorError::Rejected { status: 404, .. }) => Err(TransferError::Gone),
            Err(e) => Err(e.into()),
        }
    }

    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError> {
        let order = self.find(remote_id).await?.ok_or(TransferError::Gone)?;
        Ok(RemoteState {
            status: order["status"].as_str().unwrap_or_default().to_string(),
            tracking_number: order["delivery"]["data"]["trackNumber"]
                .as_str()
                .filter(|t| !t.is_empty())
                .map(str::to_string),
            history: vec![],
        })
    }

    /// RetailCRM has no call that deletes an order.
    async fn delete(&self, _remote_id: &str) -> Result<(), TransferError> {
        Err(ConnectorError::Rejected {
            status: 405,
            message: "RetailCRM has no call that deletes an order: it stays in the CRM".into(),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn refusals_are_read_in_retailcrms_words_in_either_shape() {
        let object = json!({"success": false, "errorMsg": "Order is not loaded",
            "errors": {"email": "This value is not a valid email address."}});
        assert_eq!(
            error_words(&object),
            "Order is not loaded; email: This value is not a valid email address."
        );
        let list = json!({"success": false, "errorMsg": "Order is not loaded",
            "errors": ["\"DeliveryType\" with \"code\"=\"drone\" does not exist."]});
        assert_eq!(
            error_words(&list),
            "Order is not loaded; \"DeliveryType\" with \"code\"=\"drone\" does not exist."
        );
        assert_eq!(error_words(&json!({"success": true})), "");
    }

    #[test]
    fn our_keys_go_into_paths_escaped() {
        assert_eq!(path_part("ot-3-1042"), "ot-3-1042");
        assert_eq!(path_part("a/b?c"), "a%2Fb%3Fc");
    }
}
