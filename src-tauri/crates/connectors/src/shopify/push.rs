//! Shopify webhooks (an accelerator: polling stays the source of truth). Shopify signs each
//! delivery's raw body with the app's client secret (`X-Shopify-Hmac-Sha256`, base64 of the
//! HMAC-SHA256) and may deliver one event twice with the same `X-Shopify-Webhook-Id`; a signed
//! `orders/*` delivery brings the account's next poll forward, once per id.

use chrono::{DateTime, Utc};
use ordertray_core::Account;

use super::{ShopifySettings, CLIENT_SECRET};
use crate::push::{
    header, verify_signature, InboundHead, InboundRequest, PushKey, PushRefusal, PushSource, PushUnreadable,
    Pushed,
};

const SIGNATURE: &str = "x-shopify-hmac-sha256";
const TOPIC: &str = "x-shopify-topic";
const DELIVERY: &str = "x-shopify-webhook-id";
const SHOP: &str = "x-shopify-shop-domain";

pub struct ShopifyPush {
    /// `handle.myshopify.com` when the account's shop is one: a delivery from another shop of
    /// the same app (signed with the same secret) is not this account's.
    shop_domain: Option<String>,
}

impl ShopifyPush {
    pub fn new(account: &Account) -> Self {
        let settings: ShopifySettings = crate::registry::settings_of(account);
        let shop_domain = reqwest::Url::parse(&settings.address())
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .filter(|h| h.ends_with(".myshopify.com"));
        Self { shop_domain }
    }
}

impl PushSource for ShopifyPush {
    /// The app's client secret signs the webhooks (an old custom app's admin token does not:
    /// webhooks need the client-credentials way of connecting).
    fn auth_field(&self) -> &'static str {
        CLIENT_SECRET
    }

    fn signed(&self) -> bool {
        true
    }

    fn verify(&self, head: &InboundHead<'_>, _key: &PushKey) -> Result<(), PushRefusal> {
        if header(head.headers, SIGNATURE).is_none() {
            return Err(PushRefusal::Missing);
        }
        match (&self.shop_domain, header(head.headers, SHOP)) {
            (Some(ours), Some(theirs)) if !ours.eq_ignore_ascii_case(theirs) => Err(PushRefusal::Wrong),
            _ => Ok(()),
        }
    }

    fn verify_body(&self, request: &InboundRequest<'_>, key: &PushKey) -> Result<(), PushRefusal> {
        verify_signature(request, key, SIGNATURE)
    }

    fn parse(&self, request: &InboundRequest<'_>, _at: DateTime<Utc>) -> Result<Pushed, PushUnreadable> {
        let topic = header(request.headers, TOPIC).unwrap_or_default().to_string();
        if !topic.starts_with("orders/") {
            return Ok(Pushed::Nothing {
                why: format!("Shopify sent «{topic}», which Ordertray does not follow"),
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
    use ordertray_core::{AccountSettings, Secret};
    use reqwest::header::HeaderMap;
    use sha2::Sha256;

    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    fn source(shop: &str) -> ShopifyPush {
        let settings = AccountSettings::from(ShopifySettings::new(shop, "client-id"));
        ShopifyPush::new(&Account {
            id: 1,
            kind: settings.kind(),
            settings,
            name: "Shop".into(),
            region: String::new(),
            active: true,
            interval_secs: 60,
            base_url: None,
            demo: false,
            created_at: Utc::now(),
        })
    }

    fn check(source: &ShopifyPush, h: &HeaderMap, body: &[u8], key: &PushKey) -> Result<Pushed, PushRefusal> {
        let query = HashMap::new();
        source.verify(
            &InboundHead {
                headers: h,
                query: &query,
            },
            key,
        )?;
        let r = InboundRequest {
            headers: h,
            query: &query,
            content_type: "application/json",
            body,
        };
        source.verify_body(&r, key)?;
        Ok(source.parse(&r, Utc::now()).expect("parsed"))
    }

    #[test]
    fn a_delivery_signed_with_the_client_secret_from_the_accounts_shop_is_taken() {
        let shop = source("my-shop");
        let key = shop.key(&Secret::new("shpss_client_secret"));
        let body = br##"{"id":820982911946154508,"name":"#9999"}"##;
        let mut h = HeaderMap::new();
        h.insert(TOPIC, "orders/create".parse().unwrap());
        h.insert(DELIVERY, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".parse().unwrap());
        h.insert(SHOP, "my-shop.myshopify.com".parse().unwrap());
        assert!(matches!(check(&shop, &h, body, &key), Err(PushRefusal::Missing)));
        h.insert(SIGNATURE, sign("shpss_client_secret", body).parse().unwrap());
        match check(&shop, &h, body, &key) {
            Ok(Pushed::Nudge { topic, delivery_id }) => {
                assert_eq!(topic, "orders/create");
                assert_eq!(
                    delivery_id.as_deref(),
                    Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")
                );
            }
            other => panic!("{other:?}"),
        }
        let tampered = br##"{"id":820982911946154509,"name":"#9999"}"##;
        assert!(matches!(
            check(&shop, &h, tampered, &key),
            Err(PushRefusal::Wrong)
        ));
        // The same app's webhook from another shop is not this account's.
        h.insert(SHOP, "other-shop.myshopify.com".parse().unwrap());
        assert!(matches!(check(&shop, &h, body, &key), Err(PushRefusal::Wrong)));
    }

    #[test]
    fn other_topics_are_answered_and_left() {
        let shop = source("my-shop");
        let key = shop.key(&Secret::new("s"));
        let body = b"{}";
        let mut h = HeaderMap::new();
        h.insert(TOPIC, "products/update".parse().unwrap());
        h.insert(SIGNATURE, sign("s", body).parse().unwrap());
        assert!(matches!(check(&shop, &h, body, &key), Ok(Pushed::Nothing { .. })));
    }
}
