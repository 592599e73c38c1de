//! HTTP to the Selling Partner API: an access token from Login with Amazon (the seller's refresh
//! token exchanged, kept until shortly before its hour runs out, taken again when Amazon refuses
//! it), sent as `x-amz-access-token`; Amazon's `{"errors": [{code, message, details}]}` and its
//! rate limits (a 429 waits what `x-amzn-RateLimit-Limit` allows, never calling again at once).

use std::time::{Duration, Instant};

use ordertray_core::Secret;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::http::{body_excerpt, network, oauth_error_words, redact, retry_after_of, status_error};
use crate::ConnectorError;

/// A token is taken again this long before Amazon said it runs out.
const TOKEN_MARGIN: Duration = Duration::from_secs(5 * 60);
/// When a 429 says neither how long nor the rate: searchOrders' documented rate is about one
/// call in three minutes once the burst is spent.
const QUOTA_WAIT: Duration = Duration::from_secs(180);

pub struct Keys {
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub refresh_token: Option<Secret>,
}

struct Token {
    value: Secret,
    renew_at: Instant,
}

pub struct AmazonClient {
    http: reqwest::Client,
    host: String,
    token_url: String,
    keys: Keys,
    token: Mutex<Option<Token>>,
}

impl AmazonClient {
    pub fn new(http: reqwest::Client, host: &str, token_url: &str, keys: Keys) -> Self {
        Self {
            http,
            host: host.trim_end_matches('/').to_string(),
            token_url: token_url.to_string(),
            keys,
            token: Mutex::new(None),
        }
    }

    /// `GET path?query` with a valid token; a token Amazon refuses is replaced once.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Value, ConnectorError> {
        let token = self.token(false).await?;
        match self.send(path, query, &token).await {
            Err(ConnectorError::Auth(m)) => {
                tracing::debug!(error = %m, "Amazon refused the access token; taking a new one");
                let token = self.token(true).await?;
                self.send(path, query, &token).await
            }
            other => other,
        }
    }

    async fn token(&self, renew: bool) -> Result<Secret, ConnectorError> {
        let mut held = self.token.lock().await;
        if let Some(t) = held.as_ref().filter(|t| !renew && Instant::now() < t.renew_at) {
            return Ok(t.value.clone());
        }
        *held = None;
        let token = self.exchange().await?;
        let value = token.value.clone();
        *held = Some(token);
        Ok(value)
    }

    /// Login with Amazon: the refresh token for an access token.
    async fn exchange(&self) -> Result<Token, ConnectorError> {
        let (Some(secret), Some(refresh)) = (&self.keys.client_secret, &self.keys.refresh_token) else {
            return Err(ConnectorError::Auth(
                "the Amazon client secret or refresh token is not set".into(),
            ));
        };
        let path = "Login with Amazon";
        let response = self
            .http
            .post(&self.token_url)
            .form(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.expose()),
                ("client_id", self.keys.client_id.as_str()),
                ("client_secret", secret.expose()),
            ])
            .send()
            .await
            .map_err(|e| network(path, e))?;
        let status = response.status();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let secrets = [secret.expose(), refresh.expose()];
        let said = serde_json::from_slice::<Value>(&bytes).ok();
        if !status.is_success() {
            let words = oauth_error_words(&bytes).unwrap_or_else(|| body_excerpt(&bytes));
            let message = redact(format!("{path}: HTTP {}: {words}", status.as_u16()), &secrets);
            return Err(match status.as_u16() {
                400 => ConnectorError::Auth(message),
                s => status_error(s, retry_after, Duration::from_secs(5), message),
            });
        }
        let said =
            said.ok_or_else(|| ConnectorError::Malformed(format!("{path}: an answer that is not JSON")))?;
        let value = said
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ConnectorError::Malformed(format!("{path}: the answer holds no access token")))?;
        let life = Duration::from_secs(said.get("expires_in").and_then(Value::as_u64).unwrap_or(3600));
        Ok(Token {
            value: Secret::new(value.to_string()),
            renew_at: Instant::now() + life.saturating_sub(TOKEN_MARGIN),
        })
    }

    async fn send(
        &self,
        path: &str,
        query: &[(&str, String)],
        token: &Secret,
    ) -> Result<Value, ConnectorError> {
        let response = self
            .http
            .get(format!("{}{path}", self.host))
            .query(query)
            .header("x-amz-access-token", token.expose())
            .send()
            .await
            .map_err(|e| network(path, e))?;
        let status = response.status();
        let retry_after = retry_after_of(&response);
        let rate = response
            .headers()
            .get("x-amzn-ratelimit-limit")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|r| *r > 0.0);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let secrets = [token.expose()];
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                ConnectorError::Malformed(format!(
                    "{path}: {e} ({})",
                    redact(body_excerpt(&bytes), &secrets)
                ))
            });
        }
        let words = errors_of(&bytes).unwrap_or_else(|| body_excerpt(&bytes));
        let message = redact(format!("{path}: HTTP {}: {words}", status.as_u16()), &secrets);
        Err(status_error(
            status.as_u16(),
            retry_after,
            wait_for_rate(rate),
            message,
        ))
    }
}

/// One call's worth of time at the rate Amazon states (requests per second).
fn wait_for_rate(rate: Option<f64>) -> Duration {
    rate.map_or(QUOTA_WAIT, |r| {
        Duration::from_secs_f64((1.0 / r).min(QUOTA_WAIT.as_secs_f64()))
    })
}

/// Amazon's errors in its words: "QuotaExceeded: You exceeded your quota…".
fn errors_of(bytes: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let list = v.get("errors")?.as_array()?;
    let words: Vec<String> = list
        .iter()
        .map(|e| {
            let code = e.get("code").and_then(Value::as_str).unwrap_or("Error");
            let message = e.get("message").and_then(Value::as_str).unwrap_or_default();
            match e.get("details").and_then(Value::as_str).filter(|d| !d.is_empty()) {
                Some(d) => format!("{code}: {message} ({d})"),
                None => format!("{code}: {message}"),
            }
        })
        .collect();
    (!words.is_empty()).then(|| words.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_answer_waits_one_call_at_the_stated_rate() {
        assert_eq!(wait_for_rate(Some(0.5)), Duration::from_secs(2));
        assert_eq!(wait_for_rate(Some(0.001)), QUOTA_WAIT, "capped");
        assert_eq!(wait_for_rate(None), QUOTA_WAIT);
    }

    #[test]
    fn amazons_errors_keep_their_code_and_details() {
        let body = br#"{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":"The access token you provided has expired."}]}"#;
        assert_eq!(
            errors_of(body).unwrap(),
            "Unauthorized: Access to requested resource is denied. (The access token you provided has expired.)"
        );
        assert!(errors_of(b"<html>").is_none());
    }
}
