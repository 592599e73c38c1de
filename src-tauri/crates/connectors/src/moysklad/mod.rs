//! MoySklad (JSON API 1.2) as a transfer target (see shared/api-notes/transfers.md): a shop order
//! becomes a customer order for the account's legal entity, with the buyer as a counterparty
//! (found by e-mail, else phone, else made), the items as positions of products found by code or
//! external code = our article (made when missing), and the delivery as a service position.
//!
//! A create carries a `syncId` derived from our key: MoySklad answers a repeated create with the
//! order the first one made, and a try whose answer was lost finds the order by it before sending
//! anything again. Counterparties, products and services are created under `syncId`s of their
//! own for the same reason. The order's MoySklad id is what we keep (edit, read back, delete).
//!
//! MoySklad refuses a request that does not accept gzip (415) and compresses its answers; its
//! errors are `{"errors": [{"error", "code", …}]}`; over its limits it answers 429 with error
//! 1049 and `X-Lognex-Retry-After` (milliseconds) or error 1073 (too many in flight).

mod payload;
mod settings;
mod spec;

pub use payload::{order_document, sync_id};
pub use settings::{MoySkladSettings, DEFAULT_URL};
pub(crate) use spec::SPEC;

/// The keychain field of the access token.
pub const TOKEN: &str = "token";

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use ordertray_core::{ConnectionReport, Secret};
use reqwest::Method;
use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore};

use crate::http::{body_excerpt, network, path_part, redact, status_error};
use crate::pace::RequestPace;
use crate::transfer::{OrderTransfer, RemoteState, TransferError, TransferOrder, TransferredOrder};
use crate::ConnectorError;

/// Our pace: 3 requests a second. MoySklad counts 45 units per 3 s per user, and from
/// 2026-12-01 a user token's request weighs 4 units (11 requests per 3 s); 9 per 3 s stays under
/// that with room for the same user's other tools, so a bulk send never meets the limit (and
/// MoySklad switches the API off for users who keep hitting it).
pub const REQUESTS_PER_SECOND: u32 = 3;
/// MoySklad allows 5 requests in flight per user; ours stay under it (the pace alone would not
/// bound them when answers are slow).
const IN_FLIGHT: usize = 3;
/// The window of MoySklad's limit, for a 429 that says no wait (its in-flight limit passes
/// sooner).
const WINDOW_WAIT: Duration = Duration::from_secs(3);
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(1);
/// MoySklad's limit header, in milliseconds.
const RETRY_AFTER_HEADER: &str = "x-lognex-retry-after";
/// MoySklad's error code for too many requests in flight.
const TOO_MANY_IN_FLIGHT: i64 = 1073;
/// How many values one `filter` takes: the whole request line must stay under MoySklad's 8 KB.
const FILTER_CHUNK: usize = 40;
const ORDERS: &str = "/entity/customerorder";

pub struct MoySkladClient {
    http: reqwest::Client,
    /// `https://api.moysklad.ru/api/remap/1.2` (or a fake's address).
    root: String,
    token: Option<Secret>,
    /// The legal entity's name or id; None: the account's first.
    organization: Option<String>,
    /// The legal entity's `meta`, looked up once.
    organization_meta: OnceCell<Value>,
    pace: RequestPace,
    in_flight: Semaphore,
}

impl MoySkladClient {
    pub fn new(
        http: reqwest::Client,
        root: &str,
        token: Option<Secret>,
        organization: Option<String>,
    ) -> Self {
        Self {
            http,
            root: root.trim_end_matches('/').to_string(),
            token,
            organization: organization.filter(|o| !o.trim().is_empty()),
            organization_meta: OnceCell::new(),
            pace: RequestPace::new(REQUESTS_PER_SECOND, Duration::from_secs(1)),
            in_flight: Semaphore::new(IN_FLIGHT),
        }
    }

    /// The order's page in MoySklad's web app.
    fn link(id: &str) -> String {
        format!("https://online.moysklad.ru/app/#customerorder/edit?id={id}")
    }

    /// One request; its answer's JSON (null for an empty body, as a delete's).
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, ConnectorError> {
        let Some(token) = &self.token else {
            return Err(ConnectorError::Auth(
                "the MoySklad access token is not set".into(),
            ));
        };
        let url = format!("{}{path}", self.root);
        self.pace.wait().await;
        let _slot = self
            .in_flight
            .acquire()
            .await
            .expect("the semaphore is never closed");
        // Set by hand as well as by reqwest: MoySklad refuses any request without it, even from
        // a client built without gzip (reqwest then still decodes what comes back).
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(token.expose())
            .header("Accept-Encoding", "gzip")
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| network(path, e))?;
        let status = response.status().as_u16();
        let retry_after = lognex_retry_after(response.headers());
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let doc: Option<Value> = serde_json::from_slice(&bytes).ok();
        let secrets = [token.expose()];
        if (200..300).contains(&status) {
            return match doc {
                Some(doc) => Ok(doc),
                None if bytes.is_empty() => Ok(Value::Null),
                None => Err(ConnectorError::Malformed(redact(
                    format!("{path}: not JSON: {}", body_excerpt(&bytes)),
                    &secrets,
                ))),
            };
        }
        let said = doc.as_ref().map(error_words).filter(|w| !w.is_empty());
        let message = redact(
            said.unwrap_or_else(|| match status {
                415 => format!("{path}: MoySklad refused the request's encoding (415)"),
                _ => format!("{path}: HTTP {status}: {}", body_excerpt(&bytes)),
            }),
            &secrets,
        );
        if status == 429 {
            let in_flight = doc.as_ref().is_some_and(|d| has_code(d, TOO_MANY_IN_FLIGHT));
            let unsaid = if in_flight { IN_FLIGHT_WAIT } else { WINDOW_WAIT };
            return Err(ConnectorError::RateLimited {
                retry_after: Some(retry_after.unwrap_or(unsaid)),
                message,
            });
        }
        Err(status_error(status, None, WINDOW_WAIT, message))
    }

    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ConnectorError> {
        self.call(Method::GET, path, query, None).await
    }

    /// The rows of a list filtered by one field's values (any of them), a chunk at a time.
    async fn rows_by(
        &self,
        path: &str,
        field: &str,
        values: &[String],
    ) -> Result<Vec<Value>, ConnectorError> {
        let mut rows = vec![];
        for chunk in values.chunks(FILTER_CHUNK) {
            let filter = chunk
                .iter()
                .map(|v| format!("{field}={}", payload::filter_value(v)))
                .collect::<Vec<_>>()
                .join(";");
            let answer = self.get(path, &[("filter", filter)]).await?;
            rows.extend(answer["rows"].as_array().cloned().unwrap_or_default());
        }
        Ok(rows)
    }

    /// The legal entity the orders are made for: the one named in the settings, else the first.
    async fn organization(&self) -> Result<&Value, ConnectorError> {
        self.organization_meta
            .get_or_try_init(|| async {
                let answer = self.get("/entity/organization", &[]).await?;
                let rows = answer["rows"].as_array().cloned().unwrap_or_default();
                let wanted = self.organization.as_deref().map(str::trim);
                let found = rows.iter().find(|o| {
                    wanted.is_none_or(|w| o["id"].as_str() == Some(w) || o["name"].as_str() == Some(w))
                });
                match found {
                    Some(o) => Ok(o["meta"].clone()),
                    None => {
                        let names: Vec<&str> = rows.iter().filter_map(|o| o["name"].as_str()).collect();
                        Err(ConnectorError::Rejected {
                            status: 404,
                            message: format!(
                                "MoySklad has no legal entity \"{}\" (it has: {})",
                                wanted.unwrap_or_default(),
                                names.join(", ")
                            ),
                        })
                    }
                }
            })
            .await
    }

    /// The buyer's counterparty: found by e-mail (else phone), else made under a `syncId` of the
    /// contact (or of the order, when it has neither), so that a resent create finds it.
    async fn agent(&self, order: &TransferOrder) -> Result<Value, ConnectorError> {
        let r = &order.order.recipient;
        let contact = [("email", r.email.trim()), ("phone", r.phone.trim())]
            .into_iter()
            .find(|(_, v)| !v.is_empty());
        if let Some((field, value)) = contact {
            let found = self
                .rows_by("/entity/counterparty", field, &[value.to_string()])
                .await?;
            if let Some(c) = found.first() {
                return Ok(c["meta"].clone());
            }
        }
        let sync = match contact {
            Some((field, value)) => sync_id(&format!("counterparty/{field}/{value}")),
            None => sync_id(&format!("counterparty/order/{}", order.key)),
        };
        let document = payload::counterparty_document(&order.order, &sync);
        let made = self
            .call(Method::POST, "/entity/counterparty", &[], Some(&document))
            .await?;
        Ok(made["meta"].clone())
    }

    /// Each item's product by its code (our article): found by `code`, then `externalCode`, the
    /// rest made in one request.
    async fn products(&self, order: &TransferOrder) -> Result<HashMap<String, Value>, ConnectorError> {
        let mut codes: Vec<String> = order.order.items.iter().map(payload::item_code).collect();
        codes.sort();
        codes.dedup();
        let mut found: HashMap<String, Value> = HashMap::new();
        for field in ["code", "externalCode"] {
            let missing: Vec<String> = codes
                .iter()
                .filter(|c| !found.contains_key(*c))
                .cloned()
                .collect();
            if missing.is_empty() {
                break;
            }
            for row in self.rows_by("/entity/product", field, &missing).await? {
                if let Some(code) = row[field].as_str().filter(|c| missing.iter().any(|m| m == c)) {
                    found
                        .entry(code.to_string())
                        .or_insert_with(|| row["meta"].clone());
                }
            }
        }
        let new: Vec<Value> = order
            .order
            .items
            .iter()
            .filter(|i| !found.contains_key(&payload::item_code(i)))
            .map(payload::product_document)
            .fold(vec![], |mut list, p| {
                if !list.iter().any(|q: &Value| q["code"] == p["code"]) {
                    list.push(p);
                }
                list
            });
        if !new.is_empty() {
            let made = self
                .call(Method::POST, "/entity/product", &[], Some(&Value::Array(new)))
                .await?;
            for p in made.as_array().into_iter().flatten() {
                if let Some(code) = p["code"].as_str() {
                    found.insert(code.to_string(), p["meta"].clone());
                }
            }
        }
        Ok(found)
    }

    /// The delivery method's service: found by code, then external code, else made.
    async fn delivery_service(&self, order: &TransferOrder, code: &str) -> Result<Value, ConnectorError> {
        for field in ["code", "externalCode"] {
            let rows = self
                .rows_by("/entity/service", field, &[code.to_string()])
                .await?;
            if let Some(s) = rows.first() {
                return Ok(s["meta"].clone());
            }
        }
        let document = payload::service_document(&order.delivery, code);
        let made = self
            .call(Method::POST, "/entity/service", &[], Some(&document))
            .await?;
        Ok(made["meta"].clone())
    }

    /// The customer order as MoySklad takes it, every reference looked up (or made) first.
    async fn document(&self, order: &TransferOrder) -> Result<Value, ConnectorError> {
        let organization = self.organization().await?.clone();
        let agent = self.agent(order).await?;
        let products = self.products(order).await?;
        let mut positions = vec![];
        for item in &order.order.items {
            let Some(product) = products.get(&payload::item_code(item)) else {
                return Err(ConnectorError::Malformed(format!(
                    "MoySklad made no product for the article \"{}\"",
                    item.article
                )));
            };
            positions.push(payload::position(product, item.quantity, item.price));
        }
        if let Some(code) = payload::delivery_code(&order.order, &order.delivery) {
            let service = self.delivery_service(order, &code).await?;
            positions.push(payload::position(&service, 1, order.order.delivery_cost));
        }
        let mut document = order_document(&order.order, &order.delivery, &organization, &agent, positions);
        document["externalCode"] = Value::from(order.key.as_str());
        Ok(document)
    }

    /// The order made under this `syncId`, if there is one.
    async fn find(&self, sync: &str) -> Result<Option<Value>, ConnectorError> {
        let rows = self.rows_by(ORDERS, "syncId", &[sync.to_string()]).await?;
        Ok(rows.into_iter().next())
    }

    /// Checks the token with the list of legal entities, and that the one set is there.
    pub async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let (ok, message) = match self.organization().await {
            Ok(_) => {
                let whom = match &self.organization {
                    Some(o) => format!("the legal entity \"{o}\""),
                    None => "the account's first legal entity".to_string(),
                };
                (
                    true,
                    format!("Connected to MoySklad; orders are made for {whom}."),
                )
            }
            Err(ConnectorError::Auth(m)) => (false, format!("MoySklad refused the access token: {m}")),
            Err(ConnectorError::Rejected { status: 404, message }) => (false, message),
            Err(e) => return Err(e),
        };
        Ok(ConnectionReport {
            ok,
            message,
            expires_at: None,
        })
    }

    fn transferred(order: &Value) -> Result<TransferredOrder, ConnectorError> {
        let id = order["id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| ConnectorError::Malformed("MoySklad's order has no id".into()))?;
        Ok(TransferredOrder {
            found: false,
            remote_id: id.to_string(),
            link: Some(Self::link(id)),
        })
    }
}

/// `X-Lognex-Retry-After`: milliseconds until the limit lets a request through.
fn lognex_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let ms: u64 = headers
        .get(RETRY_AFTER_HEADER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_millis(ms).min(crate::error::MAX_SERVER_DELAY))
}

/// MoySklad's refusal in its own words: each error's text, in order.
pub fn error_words(doc: &Value) -> String {
    doc["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["error"].as_str())
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

fn has_code(doc: &Value, code: i64) -> bool {
    doc["errors"]
        .as_array()
        .is_some_and(|errors| errors.iter().any(|e| e["code"].as_i64() == Some(code)))
}

/// Whether a failed create may have reached MoySklad (its answer lost): then the order is looked
/// up by its `syncId` before the failure is reported.
fn answer_lost(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Network(_) | ConnectorError::Server { .. } | ConnectorError::Malformed(_)
    )
}

#[async_trait]
impl OrderTransfer for MoySkladClient {
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError> {
        let sync = sync_id(&order.key);
        // Looked up first: an earlier try whose answer was lost made it, and finding it saves the
        // counterparty and product look-ups a second create would repeat.
        if let Some(found) = self.find(&sync).await? {
            return Ok(Self::transferred(&found)?.found());
        }
        let mut document = self.document(order).await?;
        document["syncId"] = Value::from(sync.as_str());
        match self.call(Method::POST, ORDERS, &[], Some(&document)).await {
            Ok(made) => Ok(Self::transferred(&made)?),
            Err(e) if answer_lost(&e) => match self.find(&sync).await {
                Ok(Some(found)) => Ok(Self::transferred(&found)?),
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
        let path = format!("{ORDERS}/{}", path_part(remote_id));
        let document = self.document(order).await?;
        match self.call(Method::PUT, &path, &[], Some(&document)).await {
            Ok(updated) => Ok(Self::transferred(&updated)?),
            Err(ConnectorError::Rejected { status: 404, .. }) => Err(TransferError::Gone),
            Err(e) => Err(e.into()),
        }
    }

    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError> {
        let path = format!("{ORDERS}/{}", path_part(remote_id));
        let order = match self.get(&path, &[("expand", "state".to_string())]).await {
            Ok(o) => o,
            Err(ConnectorError::Rejected { status: 404, .. }) => return Err(TransferError::Gone),
            Err(e) => return Err(e.into()),
        };
        Ok(RemoteState {
            status: order["state"]["name"].as_str().unwrap_or_default().to_string(),
            tracking_number: None,
            history: vec![],
        })
    }

    async fn delete(&self, remote_id: &str) -> Result<(), TransferError> {
        let path = format!("{ORDERS}/{}", path_part(remote_id));
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
    fn refusals_are_read_in_moysklads_words() {
        let doc = json!({"errors": [
            {"error": "Ошибка сохранения объекта: поле 'agent' не может быть пустым или отсутствовать", "code": 3000},
            {"error": "Превышено ограничение на одновременное количество запросов", "code": 1073},
        ]});
        assert_eq!(
            error_words(&doc),
            "Ошибка сохранения объекта: поле 'agent' не может быть пустым или отсутствовать; \
             Превышено ограничение на одновременное количество запросов"
        );
        assert!(has_code(&doc, 1073) && !has_code(&doc, 1049));
        assert_eq!(error_words(&json!({})), "");
    }

    #[test]
    fn the_limit_header_is_read_in_milliseconds() {
        let mut h = reqwest::header::HeaderMap::new();
        assert_eq!(lognex_retry_after(&h), None);
        h.insert(RETRY_AFTER_HEADER, "1500".parse().unwrap());
        assert_eq!(lognex_retry_after(&h), Some(Duration::from_millis(1500)));
        h.insert(RETRY_AFTER_HEADER, "99999999999".parse().unwrap());
        assert_eq!(lognex_retry_after(&h), Some(crate::error::MAX_SERVER_DELAY));
    }
}
