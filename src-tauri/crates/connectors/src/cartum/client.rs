//! HTTP to a Cartum shop's API (`<shop>/api/<function>/`, JSON POST): the short-lived token from
//! `auth` (taken again when it runs out, or when the shop says it is no longer valid), and the
//! answer envelope `{"status": OK|EMPTY|WARNING|ERROR|UNAUTHORIZED, "response": {…}}`.

use std::time::{Duration, Instant};

use ordertray_core::Secret;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::http::{body_excerpt, network, redact, retry_after_of, status_error};
use crate::ConnectorError;

/// Cartum's tokens last about ten minutes: one is taken again a little before, so a page never
/// starts with a token about to run out.
const TOKEN_LIFE: Duration = Duration::from_secs(9 * 60);
/// When the shop (or its host) says "too many requests" without saying how long.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// What a call's envelope said, when it was not a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Nothing matched the request.
    Empty,
    /// A batch where some items failed (the log says which).
    Warning,
    /// A batch where every item failed: `ERROR` with the log of why.
    Failed,
}

pub struct Answer {
    pub outcome: Outcome,
    pub response: Value,
}

struct Token {
    value: Secret,
    taken: Instant,
}

pub struct CartumClient {
    http: reqwest::Client,
    /// `<shop>/api`.
    root: String,
    login: String,
    password: Option<Secret>,
    token: Mutex<Option<Token>>,
}

impl CartumClient {
    pub fn new(http: reqwest::Client, shop: &str, login: &str, password: Option<Secret>) -> Self {
        Self {
            http,
            root: format!("{}/api", shop.trim_end_matches('/')),
            login: login.to_string(),
            password,
            token: Mutex::new(None),
        }
    }

    /// Calls `function` (`orders/get`) with `body` and a valid token. A token the shop no longer
    /// takes is replaced once and the call made again; a second refusal is the login's.
    pub async fn call(&self, function: &str, body: Value) -> Result<Answer, ConnectorError> {
        let token = self.token(false).await?;
        match self.send(function, with_token(&body, &token)).await {
            Err(Refused::Token(_)) => {
                let token = self.token(true).await?;
                self.send(function, with_token(&body, &token))
                    .await
                    .map_err(|r| r.into_error("the shop refused a fresh token"))
            }
            other => other.map_err(|r| r.into_error("")),
        }
    }

    /// The cached token, or a new one when asked to renew, when none is held or it is old.
    async fn token(&self, renew: bool) -> Result<Secret, ConnectorError> {
        let mut held = self.token.lock().await;
        if let Some(t) = held.as_ref().filter(|t| !renew && t.taken.elapsed() < TOKEN_LIFE) {
            return Ok(t.value.clone());
        }
        *held = None;
        let value = self.auth().await?;
        *held = Some(Token {
            value: value.clone(),
            taken: Instant::now(),
        });
        Ok(value)
    }

    async fn auth(&self) -> Result<Secret, ConnectorError> {
        let Some(password) = &self.password else {
            return Err(ConnectorError::Auth("the Cartum password is not set".into()));
        };
        let body = json!({ "login": self.login, "password": password.expose() });
        let answer = self
            .send("auth", body)
            .await
            .map_err(|r| r.into_error("the shop refused the login or password"))?;
        answer
            .response
            .get("token")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .map(|t| Secret::new(t.trim().to_string()))
            .ok_or_else(|| ConnectorError::Malformed("auth: the answer holds no token".into()))
    }

    async fn send(&self, function: &str, body: Value) -> Result<Answer, Refused> {
        let path = format!("/{function}/");
        let secrets: Vec<String> = ["token", "password"]
            .iter()
            .filter_map(|k| body.get(*k).and_then(Value::as_str).map(str::to_string))
            .collect();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let response = self
            .http
            .post(format!("{}{path}", self.root))
            .json(&body)
            .send()
            .await
            .map_err(|e| Refused::Other(network(&path, e)))?;
        let status = response.status();
        let retry_after = retry_after_of(&response);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| Refused::Other(network(&path, e)))?;
        let excerpt = || redact(body_excerpt(&bytes), &secrets);
        if !status.is_success() {
            let message = format!("{path}: HTTP {}: {}", status.as_u16(), excerpt());
            return Err(Refused::Other(status_error(
                status.as_u16(),
                retry_after,
                RATE_LIMIT_WAIT,
                message,
            )));
        }
        let envelope: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Refused::Other(ConnectorError::Malformed(format!("{path}: {e} ({})", excerpt()))))?;
        let said = envelope
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let response = envelope.get("response").cloned().unwrap_or(Value::Null);
        let message = || {
            let text = response
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| response.to_string());
            redact(format!("{path}: {text}"), &secrets)
        };
        match said.as_str() {
            "OK" => Ok(Answer {
                outcome: Outcome::Ok,
                response,
            }),
            "EMPTY" => Ok(Answer {
                outcome: Outcome::Empty,
                response,
            }),
            "WARNING" => Ok(Answer {
                outcome: Outcome::Warning,
                response,
            }),
            "UNAUTHORIZED" => Err(Refused::Token(message())),
            "ERROR" if response.get("log").is_some_and(Value::is_array) => Ok(Answer {
                outcome: Outcome::Failed,
                response,
            }),
            "ERROR" => Err(Refused::Other(ConnectorError::Rejected {
                status: 200,
                message: message(),
            })),
            _ => Err(Refused::Other(ConnectorError::Malformed(format!(
                "{path}: an answer without a known status ({})",
                excerpt()
            )))),
        }
    }
}

fn with_token(body: &Value, token: &Secret) -> Value {
    let mut body = body.clone();
    if let Value::Object(fields) = &mut body {
        fields.insert("token".into(), Value::String(token.expose().to_string()));
    }
    body
}

/// A call the shop did not answer with data.
enum Refused {
    /// `UNAUTHORIZED`: the token (or, for `auth`, the login) is not taken.
    Token(String),
    Other(ConnectorError),
}

impl Refused {
    fn into_error(self, auth_context: &str) -> ConnectorError {
        match self {
            Refused::Token(m) if auth_context.is_empty() => ConnectorError::Auth(m),
            Refused::Token(m) => ConnectorError::Auth(format!("{auth_context}: {m}")),
            Refused::Other(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_into_the_body() {
        let body = with_token(&json!({"offset": 0}), &Secret::new("t0k".to_string()));
        assert_eq!(body, json!({"offset": 0, "token": "t0k"}));
    }
}
