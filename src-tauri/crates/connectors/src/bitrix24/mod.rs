//! Bitrix24 (REST, through an incoming webhook) as a transfer target (see
//! shared/api-notes/transfers.md): a shop order becomes a deal with the buyer as its contact
//! (found by e-mail, else phone, with `crm.duplicate.findbycomm`, else made) and the items (and
//! the delivery) as its product rows (`crm.item.productrow.set`, which replaces the rows, so it
//! is safe to repeat).
//!
//! The deal carries our key as ORIGIN_ID under our ORIGINATOR_ID. Bitrix24 does not keep them
//! unique, so a create looks the deal up by them first, and again when its answer was lost,
//! before sending anything twice.
//!
//! The webhook's URL holds its token (`{portal}/rest/{user}/{token}/{method}.json`): errors name
//! the method only and any text that comes back is cleaned of the token. Answers are `{"result"}`
//! or `{"error", "error_description"}`; the limits run opposite to most APIs: 503
//! QUERY_LIMIT_EXCEEDED is too many requests, 429 OPERATION_TIME_LIMIT too much method run time,
//! either perhaps an HTML page.

mod payload;
mod settings;
mod spec;

pub use payload::{contact_fields, deal_fields, product_rows, ORIGINATOR};
pub use settings::Bitrix24Settings;
pub(crate) use spec::SPEC;

/// The keychain field of the incoming webhook's token.
pub const WEBHOOK_TOKEN: &str = "webhook_token";

use std::time::Duration;

use async_trait::async_trait;
use ordertray_core::{ConnectionReport, Secret};
use serde_json::{json, Value};

use crate::http::{body_excerpt, network, path_part, redact, retry_after_of};
use crate::pace::RequestPace;
use crate::transfer::{OrderTransfer, RemoteState, TransferError, TransferOrder, TransferredOrder};
use crate::ConnectorError;

/// Our pace: Bitrix24's 2 requests a second (its burst of 50 is left for the portal's other
/// tools, and an even pace never overruns it).
pub const REQUESTS_PER_SECOND: u32 = 2;
/// A 503 that says no wait: the intensity limit frees a request every half second.
const QUERY_LIMIT_WAIT: Duration = Duration::from_secs(1);
/// A 429 that says no wait: method time is counted in one-minute baskets over ten minutes, so the
/// earliest relief is a basket's minute.
const TIME_LIMIT_WAIT: Duration = Duration::from_secs(60);
/// Bitrix24's words for a record that is not there.
const NOT_FOUND: &str = "Not found";

pub struct Bitrix24Client {
    http: reqwest::Client,
    /// `https://shop.bitrix24.ru` (or a fake's address).
    portal: String,
    user_id: String,
    token: Option<Secret>,
    pace: RequestPace,
}

impl Bitrix24Client {
    pub fn new(http: reqwest::Client, portal_url: &str, user_id: &str, token: Option<Secret>) -> Self {
        Self {
            http,
            portal: portal_url.trim_end_matches('/').to_string(),
            user_id: user_id.trim().to_string(),
            token,
            pace: RequestPace::new(REQUESTS_PER_SECOND, Duration::from_secs(1)),
        }
    }

    /// The deal's card on the portal.
    fn link(&self, id: i64) -> String {
        format!("{}/crm/deal/details/{id}/", self.portal)
    }

    fn transferred(&self, id: i64) -> TransferredOrder {
        TransferredOrder {
            found: false,
            remote_id: id.to_string(),
            link: Some(self.link(id)),
        }
    }

    /// One method call; its `result`.
    async fn call(&self, method: &str, params: Value) -> Result<Value, ConnectorError> {
        let Some(token) = &self.token else {
            return Err(ConnectorError::Auth(
                "the Bitrix24 webhook token is not set".into(),
            ));
        };
        let url = format!(
            "{}/rest/{}/{}/{method}.json",
            self.portal,
            path_part(&self.user_id),
            path_part(token.expose())
        );
        self.pace.wait().await;
        // Errors are named by the method alone: the URL holds the token.
        let response = self
            .http
            .post(url)
            .json(&params)
            .send()
            .await
            .map_err(|e| network(method, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(method, e))?;
        let secrets = [token.expose()];
        let doc: Option<Value> = serde_json::from_slice(&bytes).ok();
        let code = doc
            .as_ref()
            .and_then(|d| d["error"].as_str())
            .unwrap_or_default()
            .to_string();
        if (200..300).contains(&status) && doc.as_ref().is_some_and(|d| d.get("error").is_none()) {
            return Ok(doc.map(|mut d| d["result"].take()).unwrap_or_default());
        }
        let words = redact(
            doc.as_ref()
                .map(error_words)
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| format!("{method}: HTTP {status}: {}", body_excerpt(&bytes))),
            &secrets,
        );
        Err(match (status, code.as_str()) {
            (200..=299, "") => ConnectorError::Malformed(words),
            (503, _) | (_, "QUERY_LIMIT_EXCEEDED") => ConnectorError::RateLimited {
                retry_after: Some(retry_after.unwrap_or(QUERY_LIMIT_WAIT)),
                message: words,
            },
            (429, _) | (_, "OPERATION_TIME_LIMIT") => ConnectorError::RateLimited {
                retry_after: Some(retry_after.unwrap_or(TIME_LIMIT_WAIT)),
                message: words,
            },
            (401 | 403, _)
            | (_, "INVALID_CREDENTIALS" | "NO_AUTH_FOUND" | "insufficient_scope" | "ACCESS_DENIED") => {
                ConnectorError::Auth(words)
            }
            (500..=599, _) => ConnectorError::Server {
                status,
                message: words,
            },
            _ => ConnectorError::Rejected {
                status,
                message: words,
            },
        })
    }

    /// The deal we made under this key, if any.
    async fn find(&self, key: &str) -> Result<Option<i64>, ConnectorError> {
        let found = self
            .call(
                "crm.deal.list",
                json!({"filter": {"ORIGINATOR_ID": ORIGINATOR, "ORIGIN_ID": key}, "select": ["ID"]}),
            )
            .await?;
        Ok(found
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| id_of(&d["ID"]))
            .min())
    }

    /// The buyer's contact: found by e-mail, else phone, else made.
    async fn contact(&self, order: &TransferOrder) -> Result<i64, ConnectorError> {
        let r = &order.order.recipient;
        for (kind, value) in [("EMAIL", r.email.trim()), ("PHONE", r.phone.trim())] {
            if value.is_empty() {
                continue;
            }
            let found = self
                .call(
                    "crm.duplicate.findbycomm",
                    json!({"entity_type": "CONTACT", "type": kind, "values": [value]}),
                )
                .await?;
            // `{"CONTACT": [ids]}`, or an empty list when there is none.
            if let Some(id) = found["CONTACT"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(id_of)
                .min()
            {
                return Ok(id);
            }
        }
        let made = self
            .call("crm.contact.add", json!({"fields": payload::contact_fields(r)}))
            .await?;
        id_of(&made).ok_or_else(|| ConnectorError::Malformed("Bitrix24 made no contact id".into()))
    }

    /// Makes the deal; a lost answer is looked for by the key before failing.
    async fn make(&self, order: &TransferOrder) -> Result<i64, ConnectorError> {
        let contact = self.contact(order).await?;
        let fields = payload::deal_fields(&order.order, &order.key, Some(contact));
        match self.call("crm.deal.add", json!({ "fields": fields })).await {
            Ok(id) => id_of(&id).ok_or_else(|| ConnectorError::Malformed("Bitrix24 made no deal id".into())),
            Err(e) if answer_lost(&e) => match self.find(&order.key).await {
                Ok(Some(id)) => Ok(id),
                _ => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Sets the deal's product rows to the order's (replacing whatever it had).
    async fn set_rows(&self, id: i64, order: &TransferOrder) -> Result<(), ConnectorError> {
        let rows = payload::product_rows(&order.order);
        self.call(
            "crm.item.productrow.set",
            json!({"ownerType": "D", "ownerId": id, "productRows": rows}),
        )
        .await?;
        Ok(())
    }

    /// Checks the webhook (its token and the CRM scope) with a look at our deals.
    pub async fn test_connection(&self) -> Result<ConnectionReport, ConnectorError> {
        let (ok, message) = match self
            .call(
                "crm.deal.list",
                json!({"filter": {"ORIGINATOR_ID": ORIGINATOR}, "select": ["ID"]}),
            )
            .await
        {
            Ok(_) => (
                true,
                "Connected to Bitrix24 through the incoming webhook.".to_string(),
            ),
            Err(ConnectorError::Auth(m)) => (false, format!("Bitrix24 refused the webhook: {m}")),
            Err(e) => return Err(e),
        };
        Ok(ConnectionReport {
            ok,
            message,
            expires_at: None,
        })
    }
}

/// Bitrix24's refusal in its words: `error: error_description`, or the description alone when
/// the code is empty (as a method's own refusals often are).
pub fn error_words(doc: &Value) -> String {
    let code = doc["error"].as_str().unwrap_or_default().trim();
    let words = doc["error_description"].as_str().unwrap_or_default().trim();
    match (code, words) {
        ("", w) => w.to_string(),
        (c, "") => c.to_string(),
        (c, w) => format!("{c}: {w}"),
    }
}

/// An id as Bitrix24 writes it: a number, or its digits as text.
fn id_of(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn deal_id(remote_id: &str) -> Result<i64, TransferError> {
    remote_id
        .trim()
        .parse()
        .map_err(|_| ConnectorError::Malformed(format!("\"{remote_id}\" is not a Bitrix24 deal id")).into())
}

/// A refusal that means the deal is not there.
fn is_not_found(e: &ConnectorError) -> bool {
    matches!(e, ConnectorError::Rejected { status: 400 | 404, message } if message == NOT_FOUND)
}

/// Whether a failed create may have reached Bitrix24 (its answer lost).
fn answer_lost(e: &ConnectorError) -> bool {
    matches!(
        e,
        ConnectorError::Network(_) | ConnectorError::Server { .. } | ConnectorError::Malformed(_)
    )
}

#[async_trait]
impl OrderTransfer for Bitrix24Client {
    async fn create(&self, order: &TransferOrder) -> Result<TransferredOrder, TransferError> {
        // Looked up first: an earlier try whose answer was lost made it (and is updated after).
        if let Some(id) = self.find(&order.key).await? {
            return Ok(self.transferred(id).found());
        }
        let id = self.make(order).await?;
        self.set_rows(id, order).await?;
        Ok(self.transferred(id))
    }

    async fn update(
        &self,
        remote_id: &str,
        order: &TransferOrder,
    ) -> Result<TransferredOrder, TransferError> {
        let id = deal_id(remote_id)?;
        let fields = payload::deal_fields(&order.order, &order.key, None);
        match self
            .call("crm.deal.update", json!({"id": id, "fields": fields}))
            .await
        {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Err(TransferError::Gone),
            Err(e) => return Err(e.into()),
        }
        self.set_rows(id, order).await?;
        Ok(self.transferred(id))
    }

    async fn read_back(&self, remote_id: &str) -> Result<RemoteState, TransferError> {
        let id = deal_id(remote_id)?;
        let deal = match self.call("crm.deal.get", json!({ "id": id })).await {
            Ok(d) => d,
            Err(e) if is_not_found(&e) => return Err(TransferError::Gone),
            Err(e) => return Err(e.into()),
        };
        Ok(RemoteState {
            status: deal["STAGE_ID"].as_str().unwrap_or_default().to_string(),
            tracking_number: None,
            history: vec![],
        })
    }

    async fn delete(&self, remote_id: &str) -> Result<(), TransferError> {
        let id = deal_id(remote_id)?;
        match self.call("crm.deal.delete", json!({ "id": id })).await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_in_bitrix24s_words() {
        assert_eq!(
            error_words(
                &json!({"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"})
            ),
            "INVALID_CREDENTIALS: Invalid request credentials"
        );
        assert_eq!(
            error_words(&json!({"error": "", "error_description": "Not found"})),
            "Not found"
        );
        assert_eq!(
            error_words(&json!({"error": "QUERY_LIMIT_EXCEEDED"})),
            "QUERY_LIMIT_EXCEEDED"
        );
        assert!(is_not_found(&ConnectorError::Rejected {
            status: 400,
            message: "Not found".into()
        }));
        assert_eq!(id_of(&json!("42")), Some(42));
        assert_eq!(id_of(&json!(42)), Some(42));
        assert!(deal_id("1/../2").is_err());
    }
}
