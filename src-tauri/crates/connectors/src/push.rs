//! Integrations that deliver orders by calling us: the engine's intake serves
//! `/intake/<integration>/<account>` for every integration with a [`PushSource`]; the integration
//! checks the request's head with its own auth (a token today) before the intake reads a byte of
//! the body, then reads the body into the same [`Page`] a poll yields.

use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
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
            PushRefusal::Missing => "no token or signature",
            PushRefusal::Wrong => "wrong token or signature",
        }
    }
}

/// What the intake keeps in memory to check senders, never the secret itself: for a token, its
/// SHA-256 (compared digest to digest in constant time, so neither the token's content nor its
/// length shows in how long a refusal takes); for a signing secret, the HMAC-SHA256 key state the
/// signatures are checked with. Made once when the intake loads the accounts' secrets (no keychain
/// read per request).
#[derive(Clone)]
pub struct PushKey(KeyKind);

#[derive(Clone)]
enum KeyKind {
    Digest([u8; 32]),
    Signing(Hmac<Sha256>),
}

impl PushKey {
    /// A shared token the sender sends as it is.
    pub fn of(secret: &Secret) -> Self {
        Self(KeyKind::Digest(Sha256::digest(secret.expose().as_bytes()).into()))
    }

    /// A secret the sender signs each body with (HMAC-SHA256) and never sends.
    pub fn signing(secret: &Secret) -> Self {
        let mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC takes a key of any length");
        Self(KeyKind::Signing(mac))
    }

    /// Whether the sender signs bodies with this key (the body must be read to check it).
    pub fn signs_bodies(&self) -> bool {
        matches!(self.0, KeyKind::Signing(_))
    }

    /// Whether `given` is the token this key was made of (never true for a signing key).
    pub fn matches(&self, given: &str) -> bool {
        let KeyKind::Digest(digest) = &self.0 else {
            return false;
        };
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        constant_time_eq(&given, digest)
    }

    /// Whether `signature` (base64, as the header carries it) is this key's HMAC-SHA256 of `body`,
    /// the raw bytes as received; compared in constant time.
    pub fn signed(&self, body: &[u8], signature: &str) -> bool {
        let KeyKind::Signing(mac) = &self.0 else {
            return false;
        };
        let Ok(given) = BASE64.decode(signature.trim()) else {
            return false;
        };
        let mut mac = mac.clone();
        mac.update(body);
        mac.verify_slice(&given).is_ok()
    }
}

impl PartialEq for PushKey {
    /// Digests compare; signing keys never compare equal (their state is not looked into).
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (KeyKind::Digest(a), KeyKind::Digest(b)) => constant_time_eq(a, b),
            _ => false,
        }
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

/// What a verified request brought.
#[derive(Debug)]
pub enum Pushed {
    /// Orders, stored like a poll's page.
    Orders(Page),
    /// A webhook telling that an order changed: the account's next poll is brought forward and
    /// reads it (polling stays the source of truth). `delivery_id` is the sender's id of this
    /// delivery when it has one: a delivery sent twice is taken once.
    Nudge {
        topic: String,
        delivery_id: Option<String>,
    },
    /// Nothing to act on (a platform checking the address, a topic we do not follow): answered
    /// 2xx so the sender keeps the subscription, and kept in the request log.
    Nothing { why: String },
}

pub trait PushSource: Send + Sync {
    /// The account's secret field the sender proves it knows (the token it sends, or the secret
    /// it signs with).
    fn auth_field(&self) -> &'static str;

    /// Whether the sender signs each body with the secret instead of sending it as a token.
    fn signed(&self) -> bool {
        false
    }

    /// How the intake keeps the secret: a token's digest, or the signing key.
    fn key(&self, secret: &Secret) -> PushKey {
        if self.signed() {
            PushKey::signing(secret)
        } else {
            PushKey::of(secret)
        }
    }

    /// Checks the request's head against the account's key, before its body is read or anything
    /// of it kept. A scheme that signs the body only checks here that the request could be
    /// signed, and [`PushSource::verify_body`] checks the signature.
    fn verify(&self, head: &InboundHead<'_>, key: &PushKey) -> Result<(), PushRefusal>;

    /// For keys that sign bodies: checks the signature over the raw body, before anything of the
    /// request is kept.
    fn verify_body(&self, _request: &InboundRequest<'_>, _key: &PushKey) -> Result<(), PushRefusal> {
        Ok(())
    }

    /// What a verified request brings; one order that cannot be read is quarantined in the page
    /// and never stops the others.
    fn parse(
        &self,
        request: &InboundRequest<'_>,
        received_at: DateTime<Utc>,
    ) -> Result<Pushed, PushUnreadable>;
}

/// A header's value as text, trimmed; None when absent, empty or not text.
pub fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The signed-body scheme's second step: the signature header is the key's HMAC of the body.
pub fn verify_signature(
    request: &InboundRequest<'_>,
    key: &PushKey,
    signature_header: &str,
) -> Result<(), PushRefusal> {
    match header(request.headers, signature_header) {
        None => Err(PushRefusal::Missing),
        Some(given) if key.signed(request.body, given) => Ok(()),
        Some(_) => Err(PushRefusal::Wrong),
    }
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
        assert!(matches!(key.0, KeyKind::Digest(d) if d == <[u8; 32]>::from(Sha256::digest(token))));
        assert!(!key.signs_bodies());
        assert!(!key.signed(b"{}", "anything"), "a token's key signs nothing");
        assert_eq!(key, PushKey::of(&Secret::new(token)));
        assert_ne!(key, PushKey::of(&Secret::new("another")));
    }

    #[test]
    fn a_signing_key_checks_the_bodys_hmac_and_takes_no_token() {
        let key = PushKey::signing(&Secret::new("whsec"));
        assert!(key.signs_bodies());
        assert_eq!(format!("{key:?}"), "PushKey(..)");
        let body = br#"{"id":1}"#;
        let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec").unwrap();
        mac.update(body);
        let good = BASE64.encode(mac.finalize().into_bytes());
        assert!(key.signed(body, &good));
        assert!(
            key.signed(body, &format!(" {good} ")),
            "the header's spaces are trimmed"
        );
        assert!(!key.signed(br#"{"id":2}"#, &good));
        assert!(!key.signed(body, &good[..good.len() - 4]));
        assert!(!key.signed(body, "%%%"));
        assert!(!key.matches("whsec"), "the secret is never a token");
        // Two signing keys are never taken for one another, even of one secret.
        assert_ne!(key, PushKey::signing(&Secret::new("whsec")));
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
