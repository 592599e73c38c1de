//! Integrations that deliver orders by calling us: the engine's intake serves
//! `/intake/<integration>/<account>` for every integration with a [`PushSource`]; the integration
//! checks the request with its own auth (a token today; an HMAC over the raw body for signed
//! webhooks) and reads it into the same [`Page`] a poll yields.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ordertray_core::Secret;
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::Page;

/// One inbound request as the intake received it; the body is the raw bytes (a signature is
/// computed over them, never over a re-serialised document).
#[derive(Debug, Clone, Copy)]
pub struct InboundRequest<'a> {
    pub headers: &'a HeaderMap,
    pub query: &'a HashMap<String, String>,
    /// The `Content-Type` header, without control characters.
    pub content_type: &'a str,
    pub body: &'a [u8],
}

/// Why a request is not the account's: answered 401, logged without the body or the credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushRefusal {
    /// The request carries no credential at all.
    Missing,
    /// It carries one, and it is not the account's.
    Wrong,
}

impl PushRefusal {
    /// For the log: names the problem, never the value.
    pub fn why(self) -> &'static str {
        match self {
            PushRefusal::Missing => "no token",
            PushRefusal::Wrong => "wrong token",
        }
    }
}

/// A verified request that holds no order that can be read: answered 400 and quarantined with
/// what could be read of it.
#[derive(Debug, Clone)]
pub struct PushUnreadable {
    pub reason: String,
    /// The document as parsed, or the body as text when it is not even a document.
    pub raw: Value,
}

pub trait PushSource: Send + Sync {
    /// The account's secret field the sender proves it knows (a token it sends; the key of an
    /// HMAC over the body).
    fn auth_field(&self) -> &'static str;

    /// Checks the request against the account's secret, before anything of it is kept.
    fn verify(&self, request: &InboundRequest<'_>, secret: &Secret) -> Result<(), PushRefusal>;

    /// The orders in a verified request; one order that cannot be read is quarantined in the
    /// page and never stops the others.
    fn parse(&self, request: &InboundRequest<'_>, received_at: DateTime<Utc>)
        -> Result<Page, PushUnreadable>;
}

/// The shared-token scheme: the sender sends the account's token as `Authorization: Bearer`, an
/// `X-Intake-Token` header or `?token=`; compared in constant time.
pub fn verify_token(request: &InboundRequest<'_>, expected: &Secret) -> Result<(), PushRefusal> {
    match token_of(request.headers, request.query) {
        None => Err(PushRefusal::Missing),
        Some(given) if same_token(&given, expected.expose()) => Ok(()),
        Some(_) => Err(PushRefusal::Wrong),
    }
}

/// Compares without stopping at the first difference.
pub fn same_token(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn token_of(headers: &HeaderMap, query: &HashMap<String, String>) -> Option<String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
    };
    header("authorization")
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
                .map(|t| t.trim().to_string())
        })
        .or_else(|| header("x-intake-token"))
        .or_else(|| query.get("token").map(|t| t.trim().to_string()))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_compared_whole() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abd", "abc"));
        assert!(!same_token("ab", "abc"));
    }

    #[test]
    fn the_token_is_read_from_a_header_or_the_query() {
        let mut h = HeaderMap::new();
        let mut q = HashMap::new();
        assert_eq!(token_of(&h, &q), None);
        q.insert("token".to_string(), "from-query".to_string());
        assert_eq!(token_of(&h, &q).as_deref(), Some("from-query"));
        h.insert("x-intake-token", "from-header".parse().unwrap());
        assert_eq!(token_of(&h, &q).as_deref(), Some("from-header"));
        h.insert("authorization", "Bearer from-bearer".parse().unwrap());
        assert_eq!(token_of(&h, &q).as_deref(), Some("from-bearer"));
    }

    #[test]
    fn a_request_without_the_accounts_token_is_refused() {
        let (h, mut q) = (HeaderMap::new(), HashMap::new());
        let secret = Secret::new("s3cret");
        fn req<'a>(h: &'a HeaderMap, q: &'a HashMap<String, String>) -> InboundRequest<'a> {
            InboundRequest {
                headers: h,
                query: q,
                content_type: "",
                body: b"",
            }
        }
        assert_eq!(verify_token(&req(&h, &q), &secret), Err(PushRefusal::Missing));
        q.insert("token".into(), "other".into());
        assert_eq!(verify_token(&req(&h, &q), &secret), Err(PushRefusal::Wrong));
        q.insert("token".into(), "s3cret".into());
        assert_eq!(verify_token(&req(&h, &q), &secret), Ok(()));
    }
}
