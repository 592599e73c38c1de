//! Sending a status back to Gettzap. **Assumed wire format** (Gettzap does not publish the call; see
//! shared/api-notes/gettzap.md): kept in this one module so that the real call, once known, replaces
//! only this file.
//!
//! `POST {base}/api/integration/order-status` with a JSON body
//! `{"order_id", "position_id", "status", "comment"}`, the shop's login and password as HTTP Basic
//! authentication and the office token (the API key) in `X-Api-Key`. 2xx with a JSON answer is
//! success unless it says `"ok": false` or carries a non-empty `"error"` (an empty or HTML 2xx is
//! not a confirmation); 401/403 are wrong credentials,
//! 429 a rate limit (with `Retry-After`), 5xx worth retrying, other 4xx a refusal.

use ordertray_core::Secret;
use serde_json::{json, Value};

use crate::http::{body_excerpt, network, retry_after_of};
use crate::ConnectorError;

/// The path of the assumed status call.
pub const STATUS_PATH: &str = "/api/integration/order-status";
const METHOD: &str = "order-status";

pub struct GettzapClient {
    http: reqwest::Client,
    /// None: Gettzap's address is not known (no default, since the call is unverified).
    base: Option<String>,
    login: String,
    password: Option<Secret>,
    api_key: Option<Secret>,
}

/// One status for one position of a Gettzap order.
pub struct StatusCall<'a> {
    pub order_id: &'a str,
    pub position_id: &'a str,
    pub status: &'a str,
    pub comment: &'a str,
}

impl GettzapClient {
    pub fn new(
        http: reqwest::Client,
        base: Option<String>,
        login: String,
        (password, api_key): (Option<Secret>, Option<Secret>),
    ) -> Self {
        Self {
            http,
            base: base.map(|b| b.trim_end_matches('/').to_string()),
            login,
            password,
            api_key,
        }
    }

    pub async fn set_status(&self, call: &StatusCall<'_>) -> Result<(), ConnectorError> {
        let Some(base) = &self.base else {
            return Err(ConnectorError::Rejected {
                status: 0,
                message: "Gettzap's status address is not known (its API is not public): set the \
                          address Gettzap gives you under the account's Advanced settings"
                    .into(),
            });
        };
        let (Some(password), Some(api_key)) = (&self.password, &self.api_key) else {
            return Err(ConnectorError::Auth(
                "the Gettzap password or API key is not set".into(),
            ));
        };
        let body = json!({
            "order_id": call.order_id,
            "position_id": call.position_id,
            "status": call.status,
            "comment": call.comment,
        });
        let response = self
            .http
            .post(format!("{base}{STATUS_PATH}"))
            .basic_auth(&self.login, Some(password.expose()))
            .header("X-Api-Key", api_key.expose())
            .json(&body)
            .send()
            .await
            .map_err(|e| network(METHOD, e))?;
        let status = response.status().as_u16();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(METHOD, e))?;
        let secrets = [password.expose(), api_key.expose()];
        let text = |what: String| redact(what, &secrets);
        match status {
            200..=299 => {}
            401 | 403 => {
                return Err(ConnectorError::Auth(text(format!(
                    "{METHOD}: HTTP {status}: {}",
                    body_excerpt(&bytes)
                ))))
            }
            429 => {
                return Err(ConnectorError::RateLimited {
                    retry_after,
                    message: format!("{METHOD}: Gettzap asked to slow down"),
                })
            }
            500..=599 => {
                return Err(ConnectorError::Server {
                    status,
                    message: text(format!("{METHOD}: {}", body_excerpt(&bytes))),
                })
            }
            _ => {
                return Err(ConnectorError::Rejected {
                    status,
                    message: text(format!("{METHOD}: {}", body_excerpt(&bytes))),
                })
            }
        }
        // Only a JSON answer confirms the status: an empty 2xx (a proxy cutting the answer off) or
        // an HTML page (a login page after a redirect) says nothing reached Gettzap's order, so
        // the call is retried rather than taken as delivered.
        let answer = match serde_json::from_slice::<Value>(&bytes) {
            Ok(answer) => answer,
            Err(_) if bytes.iter().all(u8::is_ascii_whitespace) => {
                return Err(ConnectorError::Malformed(format!(
                    "{METHOD}: Gettzap answered HTTP {status} with an empty body: the status is not confirmed"
                )))
            }
            Err(_) => {
                return Err(ConnectorError::Malformed(text(format!(
                    "{METHOD}: Gettzap answered HTTP {status} with something other than JSON (a login \
                     page?): the status is not confirmed: {}",
                    body_excerpt(&bytes)
                ))))
            }
        };
        let error = answer
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string();
        if answer.get("ok") == Some(&Value::Bool(false)) || !error.is_empty() {
            let message = if error.is_empty() {
                "Gettzap answered ok: false".to_string()
            } else {
                error
            };
            return Err(ConnectorError::Rejected {
                status,
                message: text(format!("{METHOD}: {message}")),
            });
        }
        Ok(())
    }
}

fn redact(mut text: String, secrets: &[&str]) -> String {
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(s, "***");
    }
    text
}
