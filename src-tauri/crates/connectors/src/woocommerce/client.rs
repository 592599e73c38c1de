//! HTTP to a WooCommerce store's REST API v3: the consumer key as basic auth (or as query
//! parameters, for hosts that strip the Authorization header), its error shape, and its paging
//! headers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ordertray_core::Secret;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::http::{body_excerpt, network, redact, retry_after_of, status_error};
use crate::ConnectorError;

/// When a store (or its host's firewall) says "too many requests" without saying how long.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(30);

/// One answer: its JSON and the paging headers of a list.
pub struct Answer {
    pub body: Value,
    /// `X-WP-Total`: items in all pages.
    pub total: Option<u64>,
    /// `X-WP-TotalPages`.
    pub total_pages: Option<u32>,
}

pub struct WooClient {
    http: reqwest::Client,
    /// The REST root: `<store>/wp-json/wc/v3`.
    root: String,
    key: Option<Secret>,
    secret: Option<Secret>,
    /// Set once the store refused the Authorization header (or the account says so).
    key_in_query: AtomicBool,
}

impl WooClient {
    pub fn new(
        http: reqwest::Client,
        store: &str,
        (key, secret): (Option<Secret>, Option<Secret>),
        key_in_query: bool,
    ) -> Self {
        Self {
            http,
            root: format!("{}/wp-json/wc/v3", store.trim_end_matches('/')),
            key,
            secret,
            key_in_query: AtomicBool::new(key_in_query),
        }
    }

    pub fn sends_key_in_query(&self) -> bool {
        self.key_in_query.load(Ordering::Relaxed)
    }

    /// Calls `path` (under the REST root). A 401 to the Authorization header is tried once more
    /// with the key in the query: the usual cause is a host that drops the header.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Answer, ConnectorError> {
        let (Some(key), Some(secret)) = (&self.key, &self.secret) else {
            return Err(ConnectorError::Auth(
                "the WooCommerce consumer key or secret is not set".into(),
            ));
        };
        let in_query = self.sends_key_in_query();
        match self
            .send(method.clone(), path, query, body, (key, secret), in_query)
            .await
        {
            Err(ConnectorError::Auth(_)) if !in_query => {
                let again = self.send(method, path, query, body, (key, secret), true).await;
                if again.is_ok() {
                    tracing::info!(
                        "the store ignores the Authorization header: the key now goes in the query"
                    );
                    self.key_in_query.store(true, Ordering::Relaxed);
                }
                again
            }
            other => other,
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        (key, secret): (&Secret, &Secret),
        in_query: bool,
    ) -> Result<Answer, ConnectorError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.root))
            .query(query);
        request = if in_query {
            request.query(&[
                ("consumer_key", key.expose()),
                ("consumer_secret", secret.expose()),
            ])
        } else {
            request.basic_auth(key.expose(), Some(secret.expose()))
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| network(path, e))?;
        let status = response.status();
        let retry_after = retry_after_of(&response);
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let (total, total_pages) = (header("x-wp-total"), header("x-wp-totalpages"));
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let secrets = [key.expose(), secret.expose()];
        if !status.is_success() {
            return Err(error_of(path, status, retry_after, &bytes, &secrets));
        }
        let body: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ConnectorError::Malformed(format!(
                "{path}: {e} ({})",
                redact(body_excerpt(&bytes), &secrets)
            ))
        })?;
        Ok(Answer {
            body,
            total,
            total_pages: total_pages.map(|p| p.min(u32::MAX.into()) as u32),
        })
    }
}

/// WooCommerce errors are `{"code": "woocommerce_rest_…", "message": "…", "data": {"status": N}}`.
fn error_of(
    path: &str,
    status: StatusCode,
    retry_after: Option<Duration>,
    bytes: &[u8],
    secrets: &[&str],
) -> ConnectorError {
    let said = serde_json::from_slice::<Value>(bytes).ok().and_then(|v| {
        let code = v.get("code")?.as_str()?.to_string();
        let message = v.get("message").and_then(Value::as_str).unwrap_or_default();
        Some(format!("{code}: {message}"))
    });
    let detail = redact(said.unwrap_or_else(|| body_excerpt(bytes)), secrets);
    let message = format!("{path}: HTTP {}: {detail}", status.as_u16());
    status_error(status.as_u16(), retry_after, RATE_LIMIT_WAIT, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_the_stores_code_and_never_the_key() {
        let body =
            br#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, ck_abcdef","data":{"status":401}}"#;
        let e = error_of("/orders", StatusCode::UNAUTHORIZED, None, body, &["ck_abcdef"]);
        let ConnectorError::Auth(m) = e else {
            panic!("{e:?}")
        };
        assert!(
            m.contains("woocommerce_rest_cannot_view") && !m.contains("ck_abcdef"),
            "{m}"
        );
        let limited = error_of("/orders", StatusCode::TOO_MANY_REQUESTS, None, b"", &[]);
        assert_eq!(limited.retry_after(), Some(RATE_LIMIT_WAIT));
        assert!(matches!(
            error_of("/orders/9", StatusCode::NOT_FOUND, None, b"<html>", &[]),
            ConnectorError::Rejected { status: 404, .. }
        ));
        assert!(error_of("/orders", StatusCode::BAD_GATEWAY, None, b"", &[]).is_retryable());
    }
}
