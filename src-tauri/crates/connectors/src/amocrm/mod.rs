//! amoCRM (API v4) as a transfer target (see shared/api-notes/transfers.md): a shop order
//! becomes a deal named with our number and key, its budget the order's total, with the buyer as
//! its contact (found by e-mail, else by the phone's last ten digits, else made with the deal)
//! and the items as products of the account's products catalog (found by SKU = our article, the
//! missing ones added) linked with their quantities.
//!
//! amoCRM has no external id and no idempotent create: a create first searches the deals by our
//! key (`query`), and a create whose answer was lost searches again before anything is sent
//! twice. Linking products is safe to repeat, so it follows every create and update. amoCRM
//! deletes nothing by API: a deal stays, and the manager closes it as lost.
//!
//! Errors are `application/problem+json` (`detail`, `validation-errors`); a search that finds
//! nothing and a deal that is not there answer 204 with no body; over its limit (7 requests a
//! second) amoCRM answers 429, usually an HTML page.

mod payload;
mod settings;
mod spec;

pub use payload::{budget, deal_name, phone_tail};
pub use settings::AmoCrmSettings;
pub(crate) use spec::SPEC;

/// The keychain field of the long-lived token.
pub const TOKEN: &str = "token";

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use ordertray_core::{ConnectionReport, Secret};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::OnceCell;

use crate::http::{body_excerpt, network, path_part, redact, retry_after_of, status_error};
use crate::pace::RequestPace;
use crate::transfer::{OrderTransfer, RemoteState, TransferError, TransferOrder, TransferredOrder};
use crate::ConnectorError;

/// Our pace: 6 requests a second, under amoCRM's 7 per integration (it blocks the address of an
/// integration that keeps exceeding it, so a bulk send must never meet the limit).
pub const REQUESTS_PER_SECOND: u32 = 6;
/// A search reads pages of the most amoCRM gives (250), and at most this many of them.
const SEARCH_LIMIT: u32 = 250;
const SEARCH_PAGES: u32 = 40;
/// A 429 that says no wait: amoCRM counts per second.
const UNSAID_WAIT: Duration = Duration::from_secs(1);
const LEADS: &str = "/api/v4/leads";

pub struct AmoCrmClient {
    http: reqwest::Client,
    /// `https://{subdomain}.amocrm.ru` (or a fake's address).
    url: String,
    token: Option<Secret>,
    /// The products catalog's id, looked up once.
    catalog: OnceCell<i64>,
    pace: RequestPace,
}

impl AmoCrmClient {
    pub fn new(http: reqwest::Client, url: &str, token: Option<Secret>) -> Self {
        Self {
            http,
            url: url.trim_end_matches('/').to_string(),
            token,
            catalog: OnceCell::new(),
            pace: RequestPace::new(REQUESTS_PER_SECOND, Duration::from_secs(1)),
        }
    }

    /// The deal's card in amoCRM.
    fn link(&self, id: i64) -> String {
        format!("{}/leads/detail/{id}", self.url)
    }

    fn transferred(&self, id: i64) -> TransferredOrder {
        TransferredOrder {
            found: false,
            remote_id: id.to_string(),
            link: Some(self.link(id)),
        }
    }

    /// One request; its answer's JSON, None for amoCRM's empty 204 ("nothing found", "no such
    /// deal").
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, ConnectorError> {
        let Some(token) = &self.token else {
            return Err(ConnectorError::Auth(
                "the amoCRM long-lived token is not set".into(),
            ));
        };
        self.pace.wait().await;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url))
            .bearer_auth(token.expose())
            .query(query);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| network(path, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let secrets = [token.expose()];
        if (200..300).contains(&status) {
            if status == 204 || bytes.is_empty() {
                return Ok(None);
            }
            return serde_json::from_slice(&bytes).map(Some).map_err(|_| {
                ConnectorError::Malformed(redact(
                    format!("{path}: not JSON: {}", body_excerpt(&bytes)),
                    &secrets,
                ))
            });
        }
        let said = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .map(|d| error_words(&d))
            .filter(|w| !w.is_empty());
        let message = redact(
            said.unwrap_or_else(|| format!("{path}: HTTP {status}: {}", body_excerpt(&bytes))),
            &secrets,
        );
        Err(status_error(status, retry_after, UNSAID_WAIT, message))
    }

    /// The entities of a list answer (`_embedded.{kind}`); none for a 204.
    fn embedded(answer: Option<Value>, kind: &str) -> Vec<Value> {
        answer
            .and_then(|mut a| a["_embedded"][kind].as_array_mut().map(std::mem::take))
            .unwrap_or_default()
    }

    /// The first entity of a `query` search that `wanted` picks, read page after page: the
    /// search finds the text anywhere in any field (an order's key is inside later orders' keys,
    /// a phone's digits in other numbers), so the one wanted may be far down the list.
    async fn search(
        &self,
        (path, kind): (&str, &str),
        query: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Result<Option<Value>, ConnectorError> {
        for page in 1..=SEARCH_PAGES {
            let params = [
                ("query", query.to_string()),
                ("limit", SEARCH_LIMIT.to_string()),
                ("page", page.to_string()),
            ];
            let answer = self.call(Method::GET, path, &params, None).await?;
            let more = answer
                .as_ref()
                .is_some_and(|a| a["_links"]["next"]["href"].is_string());
            let found = Self::embedded(answer, kind).into_iter().find(|e| wanted(e));
            if found.is_some() || !more {
                return Ok(found);
            }
        }
        Ok(None)
    }

    /// The deal made under this key, if any: amoCRM's search finds the key anywhere in a deal,
    /// so only a deal whose name ends with it counts.
    async fn find(&self, key: &str) -> Result<Option<i64>, ConnectorError> {
        let carries = |l: &Value| l["name"].as_str().is_some_and(|n| payload::carries_key(n, key));
        Ok(self
            .search((LEADS, "leads"), key, carries)
            .await?
            .and_then(|l| l["id"].as_i64()))
    }

    /// The deal's contact for a complex create: `{"id"}` of the one found by e-mail (else by the
    /// phone's last ten digits), else a new one.
    async fn contact(&self, order: &TransferOrder) -> Result<Value, ConnectorError> {
        let r = &order.order.recipient;
        let query = match (r.email.trim(), payload::phone_tail(&r.phone)) {
            ("", None) => None,
            ("", Some(tail)) => Some(tail),
            (email, _) => Some(email.to_string()),
        };
        if let Some(query) = query {
            let same = |c: &Value| payload::same_contact(c, &r.email, &r.phone);
            let found = self
                .search(("/api/v4/contacts", "contacts"), &query, same)
                .await?;
            if let Some(id) = found.and_then(|c| c["id"].as_i64()) {
                return Ok(json!({ "id": id }));
            }
        }
        Ok(payload::new_contact(r))
    }

    /// Makes the deal with its contact; a lost answer is looked for by the key before failing.
    async fn make(&self, order: &TransferOrder) -> Result<i64, ConnectorError> {
        let contact = self.contact(order).await?;
        let deal = payload::complex_lead(&order.order, &order.key, contact);
        let path = "/api/v4/leads/complex";
        match self.call(Method::POST, path, &[], Some(&json!([deal]))).await {
            Ok(answer) => answer
                .as_ref()
                .and_then(|a| a[0]["id"].as_i64())
                .ok_or_else(|| ConnectorError::Malformed("amoCRM made no deal id".into())),
            Err(e) if answer_lost(&e) => match self.find(&order.key).await {
                Ok(Some(id)) => Ok(id),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// The account's products catalog (amoCRM's "Товары"), looked up once.
    async fn catalog(&self) -> Result<i64, ConnectorError> {
        self.catalog
            .get_or_try_init(|| async {
                let answer = self.call(Method::GET, "/api/v4/catalogs", &[], None).await?;
                Self::embedded(answer, "catalogs")
                    .iter()
                    .find(|c| c["type"] == "products")
                    .and_then(|c| c["id"].as_i64())
                    .ok_or_else(|| ConnectorError::Rejected {
                        status: 404,
                        message: "the amoCRM account has no products catalog: turn on Products \
                                  (Товары) in amoCRM's settings"
                            .into(),
                    })
            })
            .await
            .copied()
    }

    /// Each wanted SKU's catalog element: found by SKU, the missing ones added in one request.
    async fn elements(
        &self,
        catalog: i64,
        order: &TransferOrder,
    ) -> Result<HashMap<String, i64>, ConnectorError> {
        let path = format!("/api/v4/catalogs/{catalog}/elements");
        let mut found = HashMap::new();
        for (sku, _) in payload::wanted_products(&order.order) {
            let same = |e: &Value| payload::field_values(e, "SKU").any(|s| s.trim() == sku);
            let element = self.search((&path, "elements"), &sku, same).await?;
            if let Some(id) = element.and_then(|e| e["id"].as_i64()) {
                found.insert(sku, id);
            }
        }
        let mut new: Vec<Value> = vec![];
        for item in &order.order.items {
            let sku = payload::sku(item);
            if !found.contains_key(&sku)
                && !new
                    .iter()
                    .any(|e| payload::field_values(e, "SKU").any(|s| s == sku))
            {
                new.push(payload::element_document(item));
            }
        }
        if !new.is_empty() {
            let answer = self
                .call(Method::POST, &path, &[], Some(&Value::Array(new)))
                .await?;
            for e in Self::embedded(answer, "elements") {
                let sku = payload::field_values(&e, "SKU").next().map(str::to_string);
                if let (Some(sku), Some(id)) = (sku, e["id"].as_i64()) {
                    found.insert(sku, id);
                }
            }
        }
        Ok(found)
    }

    /// Makes the deal's products those of the order: missing ones and changed quantities
    /// linked, products of the catalog the order no longer has unlinked (links to anything else
    /// stay).
    async fn sync_products(&self, lead: i64, order: &TransferOrder) -> Result<(), ConnectorError> {
        let catalog = self.catalog().await?;
        let elements = self.elements(catalog, order).await?;
        let mut wanted: HashMap<i64, i64> = HashMap::new();
        for (sku, quantity) in payload::wanted_products(&order.order) {
            let Some(id) = elements.get(&sku) else {
                return Err(ConnectorError::Malformed(format!(
                    "amoCRM made no product for the SKU \"{sku}\""
                )));
            };
            *wanted.entry(*id).or_default() += quantity;
        }
        let links_path = format!("{LEADS}/{lead}/links");
        let linked: HashMap<i64, f64> =
            Self::embedded(self.call(Method::GET, &links_path, &[], None).await?, "links")
                .iter()
                .filter(|l| {
                    l["to_entity_type"] == "catalog_elements" && l["metadata"]["catalog_id"] == catalog
                })
                .filter_map(|l| Some((l["to_entity_id"].as_i64()?, l["metadata"]["quantity"].as_f64()?)))
                .collect();
        let unlink: Vec<Value> = linked
            .keys()
            .filter(|id| !wanted.contains_key(id))
            .map(|id| {
                json!({"to_entity_id": id, "to_entity_type": "catalog_elements",
                             "metadata": {"catalog_id": catalog}})
            })
            .collect();
        let mut link: Vec<(i64, i64)> = wanted
            .into_iter()
            .filter(|(id, q)| linked.get(id) != Some(&(*q as f64)))
            .collect();
        link.sort();
        if !unlink.is_empty() {
            let path = format!("{LEADS}/{lead}/unlink");
            self.call(Method::POST, &path, &[], Some(&Value::Array(unlink)))
                .await?;
        }
        if !link.is_empty() {
            let body: Vec<Value> = link
                .into_iter()
                .map(|(id, q)| payload::product_link(id, catalog, q))
                .collect();
            let path = format!("{LEADS}/{lead}/link");
            self.call(Method::POST, &path, &[], Some(&Value::Array(body)))
                .await?;
        }
        Ok(())
    }

    /// The deal, None when amoCRM has no such deal (a 204).
    async fn lead(&self, remote_id: &str) -> Result<Option<Value>, ConnectorError> {
        let path = format!("{LEADS}/{}", path_part(remote_id));
        self.call(Method::GET, &path, &[], None).await
    }

    /// Checks the token with the account's card, and that it has a products catalog.
    pub async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let account = match self.call(Method::GET, "/api/v4/account", &[], None).await {
            Ok(a) => a.unwrap_or_default(),
            Err(ConnectorError::Auth(m)) => {
                return Ok(ConnectionReport {
                    ok: false,
                    message: format!("amoCRM refused the token: {m}"),
                    expires_at: None,
                })
            }
            Err(e) => return Err(e),
        };
        let name = account["name"].as_str().unwrap_or_default();
        let (ok, message) = match self.catalog().await {
            Ok(_) => (true, format!("Connected to the amoCRM account \"{name}\".")),
            Err(ConnectorError::Rejected { message, .. }) => (false, message),
            Err(e) => return Err(e),
        };
        Ok(ConnectionReport {
            ok,
            message,
            expires_at: None,
        })
    }
}

/// amoCRM's refusal in its own words: the problem's `detail`, then each validation error's
/// `path: detail`.
pub fn error_words(doc: &Value) -> String {
    let mut words: Vec<String> = doc["detail"].as_str().map(str::to_string).into_iter().collect();
    for entry in doc["validation-errors"].as_array().into_iter().flatten() {
        for e in entry["errors"].as_array().into_iter().flatten() {
            let detail = e["detail"].as_str().unwrap_or_default();
            words.push(match e["path"].as_str().filter(|p| !p.is_empty()) {
                Some(path) => format!("{path}: {detail}"),
                None => detail.to_string(),
            });
        }
    }
    words.join("; ")
}

/// Whether a failed create may have reached amoCRM (its answer lost).
fn answer_lost(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Network(_) | ConnectorError::Server { .. } | ConnectorError::Malformed(_)
    )
}

fn lead_id(remote_id: &str) -> Result<i64, TransferError> {
    remote_id.trim().parse().map_err(|_| {
        TransferError::from(ConnectorError::Malformed(format!(
            "\"{remote_id}\" is not an amoCRM deal id"
        )))
    })
}

#[async_trait]
impl OrderTransfer for AmoCrmClient {
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError> {
        // Looked up first: an earlier try whose answer was lost made it (and is updated after).
        if let Some(id) = self.find(&order.key).await? {
            return Ok(self.transferred(id).found());
        }
        let id = self.make(order).await?;
        self.sync_products(id, order).await?;
        Ok(self.transferred(id))
    }

    async fn update(
        &self,
        remote_id: &str,
        order: &TransferOrder,
    ) -> Result<TransferredOrder, TransferError> {
        let id = lead_id(remote_id)?;
        if self.lead(remote_id).await?.is_none() {
            return Err(TransferError::Gone);
        }
        let path = format!("{LEADS}/{id}");
        let edit = payload::lead_edit(&order.order, &order.key);
        match self.call(Method::PATCH, &path, &[], Some(&edit)).await {
            Ok(_) => {}
            Err(ConnectorError::Rejected { status: 404, .. }) => return Err(TransferError::Gone),
            Err(e) => return Err(e.into()),
        }
        self.sync_products(id, order).await?;
        Ok(self.transferred(id))
    }

    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError> {
        lead_id(remote_id)?;
        let Some(lead) = self.lead(remote_id).await? else {
            return Err(TransferError::Gone);
        };
        let status_id = lead["status_id"].as_i64().unwrap_or_default();
        let path = format!(
            "{LEADS}/pipelines/{}/statuses/{status_id}",
            lead["pipeline_id"].as_i64().unwrap_or_default()
        );
        // The status's name in the account's own words; its id when amoCRM does not say.
        let name = self
            .call(Method::GET, &path, &[], None)
            .await?
            .and_then(|s| s["name"].as_str().map(str::to_string));
        Ok(RemoteState {
            status: name.unwrap_or_else(|| status_id.to_string()),
            tracking_number: None,
            history: vec![],
        })
    }

    async fn delete(&self, _remote_id: &str) -> Result<(), TransferError> {
        Err(ConnectorError::Rejected {
            status: 405,
            message: "amoCRM has no call that deletes a deal: it stays in amoCRM; close it as \
                      lost (\"Закрыто и не реализовано\") by hand"
                .into(),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_in_amocrms_words() {
        let doc = json!({"title": "Bad Request", "type": "https://httpstatus.es/400", "status": 400,
            "detail": "Request validation failed", "validation-errors": [{"request_id": "0", "errors": [
                {"code": "InvalidType", "path": "price", "detail": "This value should be of type int."},
                {"code": "X", "path": "", "detail": "Something else."}]}]});
        assert_eq!(
            error_words(&doc),
            "Request validation failed; price: This value should be of type int.; Something else."
        );
        assert_eq!(
            error_words(&json!({"detail": "Неверный логин или пароль"})),
            "Неверный логин или пароль"
        );
        assert_eq!(error_words(&json!({})), "");
    }

    #[test]
    fn a_deal_id_is_a_number() {
        assert_eq!(lead_id(" 42 ").unwrap(), 42);
        assert!(lead_id("../account").is_err());
    }
}
