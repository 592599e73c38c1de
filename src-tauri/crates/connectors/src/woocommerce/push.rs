//! WooCommerce webhooks (an accelerator: polling stays the source of truth). WooCommerce signs
//! each delivery's raw body with the webhook's secret (`X-WC-Webhook-Signature`, base64 of the
//! HMAC-SHA256); a signed `order.*` delivery brings the account's next poll forward. Creating a
//! webhook sends an unsigned ping (form body `webhook_id=N`) that must be answered 2xx, or
//! WooCommerce will not save the webhook as active.

use chrono::{DateTime, Utc};

use crate::push::{
    header, verify_signature, InboundHead, InboundRequest, PushKey, PushRefusal, PushSource, PushUnreadable,
    Pushed,
};

/// The keychain field with the secret the store's webhooks sign with (ours: generated when the
/// account is added, pasted into the webhook's "Secret" in WooCommerce).
pub const WEBHOOK_SECRET: &str = "webhook_secret";
const SIGNATURE: &str = "x-wc-webhook-signature";
const TOPIC: &str = "x-wc-webhook-topic";
const DELIVERY: &str = "x-wc-webhook-delivery-id";
const WEBHOOK: &str = "x-wc-webhook-id";

pub struct WooCommercePush;

/// The ping WooCommerce sends when a webhook is created: `webhook_id=<digits>` and nothing else.
fn is_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| !id.is_empty() && id.len() <= 20 && id.iter().all(u8::is_ascii_digit))
}

impl PushSource for WooCommercePush {
    fn auth_field(&self) -> &'static str {
        WEBHOOK_SECRET
    }

    fn signed(&self) -> bool {
        true
    }

    /// A delivery must be signed; only a form-encoded request (a ping) may come without.
    fn verify(&self, head: &InboundHead<'_>, _key: &PushKey) -> Result<(), PushRefusal> {
        let form = header(head.headers, "content-type")
            .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if header(head.headers, SIGNATURE).is_some() || form {
            Ok(())
        } else {
            Err(PushRefusal::Missing)
        }
    }

    fn verify_body(&self, request: &InboundRequest<'_>, key: &PushKey) -> Result<(), PushRefusal> {
        if header(request.headers, SIGNATURE).is_none() && is_ping(request.body) {
            return Ok(());
        }
        verify_signature(request, key, SIGNATURE)
    }

    fn parse(&self, request: &InboundRequest<'_>, _at: DateTime<Utc>) -> Result<Pushed, PushUnreadable> {
        if header(request.headers, SIGNATURE).is_none() {
            // Unsigned: the ping `verify_body` let through.
            let id = request.body.strip_prefix(b"webhook_id=").unwrap_or_default();
            let webhook = String::from_utf8_lossy(id);
            return Ok(Pushed::Nothing {
                why: format!("WooCommerce checked the address of webhook {webhook}"),
            });
        }
        let topic = header(request.headers, TOPIC).unwrap_or_default().to_string();
        if !topic.starts_with("order.") {
            let webhook = header(request.headers, WEBHOOK).unwrap_or("?");
            return Ok(Pushed::Nothing {
                why: format!("webhook {webhook} sent «{topic}», which Ordertray does not follow"),
            });
        }
        Ok(Pushed::Nudge {
            topic,
            delivery_id: header(request.headers, DELIVERY).map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    use ordertray_core::Secret;
    use reqwest::header::HeaderMap;
    use sha2::Sha256;

    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    fn request<'a>(
        headers: &'a HeaderMap,
        query: &'a HashMap<String, String>,
        body: &'a [u8],
    ) -> InboundRequest<'a> {
        InboundRequest {
            headers,
            query,
            content_type: "application/json",
            body,
        }
    }

    fn check(headers: &HeaderMap, body: &[u8], key: &PushKey) -> Result<Pushed, PushRefusal> {
        let query = HashMap::new();
        let head = InboundHead {
            headers,
            query: &query,
        };
        WooCommercePush.verify(&head, key)?;
        let r = request(headers, &query, body);
        WooCommercePush.verify_body(&r, key)?;
        Ok(WooCommercePush.parse(&r, Utc::now()).expect("parsed"))
    }

    #[test]
    fn a_delivery_signed_with_the_accounts_secret_is_taken_and_no_other() {
        let key = WooCommercePush.key(&Secret::new("wc-secret"));
        let body = br#"{"id":727,"status":"processing"}"#;
        let mut h = HeaderMap::new();
        h.insert("content-type", "application/json".parse().unwrap());
        h.insert(TOPIC, "order.created".parse().unwrap());
        h.insert(DELIVERY, "88".parse().unwrap());
        assert!(matches!(check(&h, body, &key), Err(PushRefusal::Missing)));

        h.insert(SIGNATURE, sign("wc-secret", body).parse().unwrap());
        match check(&h, body, &key) {
            Ok(Pushed::Nudge { topic, delivery_id }) => {
                assert_eq!(topic, "order.created");
                assert_eq!(delivery_id.as_deref(), Some("88"));
            }
            other => panic!("{other:?}"),
        }
        // Another secret, a changed byte, a signature that is not base64: refused.
        h.insert(SIGNATURE, sign("other", body).parse().unwrap());
        assert!(matches!(check(&h, body, &key), Err(PushRefusal::Wrong)));
        h.insert(SIGNATURE, sign("wc-secret", body).parse().unwrap());
        let changed = br#"{"id":728,"status":"processing"}"#;
        assert!(matches!(check(&h, changed, &key), Err(PushRefusal::Wrong)));
        h.insert(SIGNATURE, "not base64!".parse().unwrap());
        assert!(matches!(check(&h, body, &key), Err(PushRefusal::Wrong)));
    }

    #[test]
    fn the_unsigned_ping_is_answered_and_nothing_else_unsigned_is() {
        let key = WooCommercePush.key(&Secret::new("wc-secret"));
        let mut h = HeaderMap::new();
        h.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert!(matches!(
            check(&h, b"webhook_id=12", &key),
            Ok(Pushed::Nothing { .. })
        ));
        for body in [&b"webhook_id="[..], b"webhook_id=12&x=1", b"id=12", b"{\"id\":1}"] {
            assert!(
                matches!(check(&h, body, &key), Err(PushRefusal::Missing)),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn topics_other_than_orders_are_answered_and_left() {
        let key = WooCommercePush.key(&Secret::new("s"));
        let body = br#"{"id":5}"#;
        let mut h = HeaderMap::new();
        h.insert(TOPIC, "product.updated".parse().unwrap());
        h.insert(SIGNATURE, sign("s", body).parse().unwrap());
        assert!(matches!(check(&h, body, &key), Ok(Pushed::Nothing { .. })));
    }
}
