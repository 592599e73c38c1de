//! HTTP to a Shopify shop's Admin GraphQL API: the access token (the client-credentials grant,
//! taken again before its ~24 h run out or when the shop refuses it; or an old custom app's
//! admin token), and cost-based throttling: each answer says how full the shop's bucket is, a
//! query that would not fit waits for it to refill, and a `THROTTLED` answer waits the time its
//! numbers give, never calling again at once.

use std::time::{Duration, Instant};

use ordertray_core::Secret;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::http::{body_excerpt, network, oauth_error_words, redact, retry_after_of, status_error};
use crate::ConnectorError;

/// A token is taken again this long before the shop said it runs out.
const TOKEN_MARGIN: Duration = Duration::from_secs(10 * 60);
/// Longer waits for the bucket are left to the sync's backoff (the account says it waits).
const MAX_WAIT: Duration = Duration::from_secs(30);
/// `THROTTLED` answers one call may meet before it gives the wait to the sync.
const MAX_THROTTLED: u32 = 3;
/// When the shop says "too many requests" (the REST-style 429) without saying how long.
const RATE_LIMIT_WAIT: Duration = Duration::from_secs(2);

/// How the shop's bucket stood at the last answer.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    available: f64,
    maximum: f64,
    restore_rate: f64,
    at: Instant,
}

impl Bucket {
    fn of(cost: &Value) -> Option<Self> {
        let t = cost.get("throttleStatus")?;
        Some(Self {
            available: t.get("currentlyAvailable")?.as_f64()?,
            maximum: t.get("maximumAvailable")?.as_f64()?,
            restore_rate: t.get("restoreRate")?.as_f64()?.max(0.001),
            at: Instant::now(),
        })
    }

    /// How long until `cost` points are there.
    fn wait_for(&self, cost: f64) -> Duration {
        let now = (self.available + self.at.elapsed().as_secs_f64() * self.restore_rate).min(self.maximum);
        let needed = cost.min(self.maximum) - now;
        if needed <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(needed / self.restore_rate)
        }
    }
}

/// How the app signs in.
pub enum Auth {
    /// The client-credentials grant with the app's id and secret.
    Client { id: String, secret: Option<Secret> },
    /// An old custom app's admin API access token.
    AdminToken(Option<Secret>),
}

struct Token {
    value: Secret,
    renew_at: Option<Instant>,
}

pub struct ShopifyClient {
    http: reqwest::Client,
    /// `https://my-shop.myshopify.com`.
    shop: String,
    /// `/admin/api/2025-10/graphql.json`.
    endpoint: String,
    auth: Auth,
    token: Mutex<Option<Token>>,
    bucket: Mutex<Option<Bucket>>,
}

impl ShopifyClient {
    pub fn new(http: reqwest::Client, shop: &str, api_version: &str, auth: Auth) -> Self {
        Self {
            http,
            shop: shop.trim_end_matches('/').to_string(),
            endpoint: format!("/admin/api/{api_version}/graphql.json"),
            auth,
            token: Mutex::new(None),
            bucket: Mutex::new(None),
        }
    }

    /// Runs a query costing about `cost` points; its `data`.
    pub async fn query(&self, query: &str, variables: Value, cost: f64) -> Result<Value, ConnectorError> {
        let mut throttled = 0;
        let mut renewed = false;
        loop {
            let wait = self
                .bucket
                .lock()
                .await
                .map_or(Duration::ZERO, |b| b.wait_for(cost));
            if wait > MAX_WAIT {
                return Err(throttled_error(wait));
            }
            tokio::time::sleep(wait).await;
            let token = self.token(false).await?;
            let body = json!({ "query": query, "variables": variables });
            let answer = match self.post(&token, &body).await {
                Err(ConnectorError::Auth(m)) if !renewed && matches!(self.auth, Auth::Client { .. }) => {
                    // A token the shop revoked or that ran out early: one fresh grant.
                    tracing::debug!(error = %m, "Shopify refused the access token; taking a new one");
                    renewed = true;
                    self.token(true).await?;
                    continue;
                }
                other => other?,
            };
            let bucket = answer.pointer("/extensions/cost").and_then(Bucket::of);
            if bucket.is_some() {
                *self.bucket.lock().await = bucket;
            }
            match errors_of(&answer) {
                None => {
                    return answer.get("data").cloned().ok_or_else(|| {
                        ConnectorError::Malformed(format!("{}: an answer without data", self.endpoint))
                    })
                }
                Some(Errors::Throttled) => {
                    throttled += 1;
                    if throttled > MAX_THROTTLED {
                        let wait = bucket.map_or(MAX_WAIT, |b| b.wait_for(cost));
                        return Err(throttled_error(wait.max(Duration::from_secs(1))));
                    }
                }
                Some(Errors::Other(words)) => {
                    return Err(ConnectorError::Rejected {
                        status: 200,
                        message: format!("{}: {words}", self.endpoint),
                    })
                }
            }
        }
    }

    /// The access token: the admin token, or a cached grant (taken again when asked to, when
    /// none is held or it is near its end).
    async fn token(&self, renew: bool) -> Result<Secret, ConnectorError> {
        let (id, secret) = match &self.auth {
            Auth::AdminToken(Some(token)) => return Ok(token.clone()),
            Auth::AdminToken(None) => {
                return Err(ConnectorError::Auth(
                    "the Shopify admin API access token is not set".into(),
                ))
            }
            Auth::Client {
                id,
                secret: Some(secret),
            } => (id, secret),
            Auth::Client { secret: None, .. } => {
                return Err(ConnectorError::Auth(
                    "the Shopify client secret is not set".into(),
                ))
            }
        };
        let mut held = self.token.lock().await;
        let fresh = |t: &&Token| !renew && t.renew_at.is_none_or(|at| Instant::now() < at);
        if let Some(t) = held.as_ref().filter(fresh) {
            return Ok(t.value.clone());
        }
        *held = None;
        let token = self.grant(id, secret).await?;
        let value = token.value.clone();
        *held = Some(token);
        Ok(value)
    }

    async fn grant(&self, id: &str, secret: &Secret) -> Result<Token, ConnectorError> {
        let path = "/admin/oauth/access_token";
        let response = self
            .http
            .post(format!("{}{path}", self.shop))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret.expose()),
            ])
            .send()
            .await
            .map_err(|e| network(path, e))?;
        let status = response.status();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let secrets = [secret.expose()];
        let said = serde_json::from_slice::<Value>(&bytes).ok();
        if !status.is_success() {
            let words = oauth_error_words(&bytes).unwrap_or_else(|| body_excerpt(&bytes));
            let message = redact(format!("{path}: HTTP {}: {words}", status.as_u16()), &secrets);
            return Err(match status.as_u16() {
                400 => ConnectorError::Auth(message),
                s => status_error(s, retry_after, RATE_LIMIT_WAIT, message),
            });
        }
        let said = said.ok_or_else(|| {
            ConnectorError::Malformed(redact(format!("{path}: {}", body_excerpt(&bytes)), &secrets))
        })?;
        let value = said
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ConnectorError::Malformed(format!("{path}: the answer holds no access token")))?;
        let renew_at = said
            .get("expires_in")
            .and_then(Value::as_u64)
            .map(|secs| Instant::now() + Duration::from_secs(secs).saturating_sub(TOKEN_MARGIN));
        Ok(Token {
            value: Secret::new(value.to_string()),
            renew_at,
        })
    }

    async fn post(&self, token: &Secret, body: &Value) -> Result<Value, ConnectorError> {
        let path = self.endpoint.as_str();
        let response = self
            .http
            .post(format!("{}{path}", self.shop))
            .header("X-Shopify-Access-Token", token.expose())
            .json(body)
            .send()
            .await
            .map_err(|e| network(path, e))?;
        let status = response.status();
        let retry_after = retry_after_of(&response);
        let bytes = response.bytes().await.map_err(|e| network(path, e))?;
        let secrets = [token.expose()];
        let excerpt = || redact(body_excerpt(&bytes), &secrets);
        if !status.is_success() {
            let words = serde_json::from_slice::<Value>(&bytes)
                .ok()
                .and_then(|v| {
                    v.get("errors")
                        .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                })
                .map_or_else(excerpt, |w| redact(w, &secrets));
            let message = format!("{path}: HTTP {}: {words}", status.as_u16());
            return Err(match status.as_u16() {
                404 => ConnectorError::Rejected {
                    status: 404,
                    message: format!("{message} (is the API version one the shop still serves?)"),
                },
                s => status_error(s, retry_after, RATE_LIMIT_WAIT, message),
            });
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| ConnectorError::Malformed(format!("{path}: {e} ({})", excerpt())))
    }
}

enum Errors {
    Throttled,
    Other(String),
}

/// Fields of "protected customer data": a shop whose app is not approved for them may answer with
/// them null and an `ACCESS_DENIED` error for each, beside the rest of the data.
const PROTECTED_FIELDS: &[&str] = &["customer", "email", "phone", "shippingAddress", "billingAddress"];

/// An error that only says a protected customer field was withheld (the order reads as
/// "Unspecified" buyer), not that the query failed.
fn withheld_customer_data(error: &Value) -> bool {
    error.pointer("/extensions/code").and_then(Value::as_str) == Some("ACCESS_DENIED")
        && error.get("path").and_then(Value::as_array).is_some_and(|path| {
            path.iter()
                .any(|step| step.as_str().is_some_and(|s| PROTECTED_FIELDS.contains(&s)))
        })
}

/// GraphQL errors come in a 200: `THROTTLED` is a wait, protected customer fields withheld beside
/// the data are no error, anything else a refusal in Shopify's words.
fn errors_of(answer: &Value) -> Option<Errors> {
    let errors = answer.get("errors")?;
    let list = errors.as_array().cloned().unwrap_or_else(|| vec![errors.clone()]);
    if list.is_empty() {
        return None;
    }
    if answer.get("data").is_some_and(Value::is_object) && list.iter().all(withheld_customer_data) {
        return None;
    }
    if list
        .iter()
        .any(|e| e.pointer("/extensions/code").and_then(Value::as_str) == Some("THROTTLED"))
    {
        return Some(Errors::Throttled);
    }
    Some(Errors::Other(
        list.iter()
            .map(|e| {
                e.get("message")
                    .and_then(Value::as_str)
                    .map_or_else(|| e.to_string(), str::to_string)
            })
            .collect::<Vec<_>>()
            .join("; "),
    ))
}

fn throttled_error(wait: Duration) -> ConnectorError {
    ConnectorError::RateLimited {
        retry_after: Some(wait),
        message: "Shopify's query-cost bucket is empty: waiting for it to refill".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_says_how_long_a_query_waits() {
        let b = Bucket::of(&json!({"throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 50, "restoreRate": 50.0}}))
            .unwrap();
        assert_eq!(b.wait_for(40.0), Duration::ZERO);
        let w = b.wait_for(150.0).as_secs_f64();
        assert!((1.9..=2.0).contains(&w), "{w}");
        // Never more than a full bucket's worth.
        assert!(b.wait_for(5000.0) <= Duration::from_secs(20));
    }

    #[test]
    fn graphql_errors_are_told_apart() {
        assert!(errors_of(&json!({"data": {}})).is_none());
        assert!(matches!(
            errors_of(&json!({"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})),
            Some(Errors::Throttled)
        ));
        let Some(Errors::Other(words)) =
            errors_of(&json!({"errors": [{"message": "Field 'x' doesn't exist"}]}))
        else {
            panic!()
        };
        assert_eq!(words, "Field 'x' doesn't exist");
        // Customer fields withheld beside the orders: the data stands (the buyer reads as
        // Unspecified); withheld without data, or another field denied, is still a refusal.
        let denied = |path: Value| {
            json!({"message": "This app is not approved to access the Customer object.",
            "extensions": {"code": "ACCESS_DENIED"}, "path": path})
        };
        let withheld = json!({"data": {"orders": {"edges": []}},
            "errors": [denied(json!(["orders", "edges", 0, "node", "customer"])),
                       denied(json!(["orders", "edges", 0, "node", "shippingAddress"]))]});
        assert!(errors_of(&withheld).is_none());
        let no_data = json!({"errors": [denied(json!(["orders", "edges", 0, "node", "customer"]))]});
        assert!(matches!(errors_of(&no_data), Some(Errors::Other(_))));
        let other = json!({"data": {"orders": null}, "errors": [denied(json!(["orders"]))]});
        assert!(matches!(errors_of(&other), Some(Errors::Other(_))));
    }
}
