//! Integrations that deliver orders by calling us: the engine's intake serves
//! `/intake/<integration>/<account>` for every integration with a [`PushSource`]; the integration
//! checks the request's head with its own auth (a token today) before the intake reads a byte of
//! the body, then reads the body into the same [`Page`] a poll yields.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ordertray_core::Secret;
use reqwest::header::HeaderMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Page;

/// What the intake knows of a request before reading its body: enough to check the sender.
#[derive(Debug, Clone, Copy)]
pub struct InboundHead<'a> {
    pub headers: &'a HeaderMap,
    pub query: &'a HashMap<String, String>,
}

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

/// What the intake keeps in memory to check senders: the SHA-256 of the account's token, never
/// the token itself. Made once when the intake loads the accounts' tokens (no keychain read per
/// request); compared digest to digest in constant time, so neither the token's content nor its
/// length shows in how long a refusal takes.
#[derive(Clone, PartialEq, Eq)]
pub struct PushKey([u8; 32]);

impl PushKey {
    pub fn of(secret: &Secret) -> Self {
        Self(Sha256::digest(secret.expose().as_bytes()).into())
    }

    /// Whether `given` is the token this key was made of.
    pub fn matches(&self, given: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        constant_time_eq(&given, &self.0)
    }
}

impl std::fmt::Debug for PushKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PushKey(..)")
    }
}

/// Equal or not, every byte is looked at.
fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
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
    /// The account's secret field the sender proves it knows (the token it sends).
    fn auth_field(&self) -> &'static str;

    /// Checks the request's head against the account's key, before its body is read or anything
    /// of it kept. (A scheme that signs the body would need a second check after reading it.)
    fn verify(&self, head: &InboundHead<'_>, key: &PushKey) -> Result<(), PushRefusal>;

    /// The orders in a verified request; one order that cannot be read is quarantined in the
    /// page and never stops the others.
    fn parse(&self, request: &InboundRequest<'_>, received_at: DateTime<Utc>)
        -> Result<Page, PushUnreadable>;
}

/// The shared-token scheme: the sender sends the account's token as `Authorization: Bearer`, an
/// `X-Intake-Token` header or `?token=` (the address pasted into the marketplace carries it);
/// compared by digest in constant time.
pub fn verify_token(head: &InboundHead<'_>, key: &PushKey) -> Result<(), PushRefusal> {
    match token_of(head.headers, head.query) {
        None => Err(PushRefusal::Missing),
        Some(given) if key.matches(&given) => Ok(()),
        Some(_) => Err(PushRefusal::Wrong),
    }
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
    fn keys_hold_a_digest_and_match_only_the_whole_token() {
        let token = "0f3c2b8e7d6a5f4e3d2c1b0a99887766";
        let key = PushKey::of(&Secret::new(token));
        assert!(key.matches(token));
        for other in [
            "",
            "0",
            &token[..31],
            &format!("{token}0"),
            &token.replace('0', "1"),
        ] {
            assert!(!key.matches(other), "{other}");
        }
        // Neither kept nor shown: the key is the token's SHA-256.
        assert_eq!(format!("{key:?}"), "PushKey(..)");
        assert_eq!(std::mem::size_of::<PushKey>(), 32);
        assert_eq!(key, PushKey::of(&Secret::new(token)));
        assert_ne!(key, PushKey::of(&Secret::new("another")));
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
        let key = PushKey::of(&Secret::new("s3cret"));
        fn head<'a>(h: &'a HeaderMap, q: &'a HashMap<String, String>) -> InboundHead<'a> {
            InboundHead { headers: h, query: q }
        }
        assert_eq!(verify_token(&head(&h, &q), &key), Err(PushRefusal::Missing));
        q.insert("token".into(), "other".into());
        assert_eq!(verify_token(&head(&h, &q), &key), Err(PushRefusal::Wrong));
        q.insert("token".into(), "s3cret".into());
        assert_eq!(verify_token(&head(&h, &q), &key), Ok(()));
    }
}
