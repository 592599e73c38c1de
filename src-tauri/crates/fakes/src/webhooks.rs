//! What the store fakes share to send webhooks: the HMAC-SHA256 signature the stores put in a
//! header, an id like Shopify's, and a courier that posts in the background, one queue a webhook.
//!
//! Handle methods that trigger a delivery stay synchronous (tests call them anywhere), so the
//! sending is spawned; each webhook's deliveries still go one after another, as a store's queue
//! sends them, so a receiver sees them in the order the events happened.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::mpsc;

/// How long a subscriber has to answer (Shopify's own limit): a receiver that never answers must
/// not hold its queue up for long.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// base64 (standard, padded) of the HMAC-SHA256 of `body` keyed with `secret`: both stores'
/// signature.
pub(crate) fn hmac_sha256_base64(secret: &str, body: &[u8]) -> String {
    // HMAC takes a key of any length: this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A random id shaped like a UUID (version 4), as Shopify's webhook and event ids are.
pub(crate) fn uuid_like() -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        fastrand::u32(..),
        fastrand::u16(..),
        fastrand::u16(..0x1000),
        fastrand::u8(8..12),
        fastrand::u16(..0x1000),
        fastrand::u64(..1 << 48)
    )
}

/// One POST to a subscriber.
pub(crate) struct Outgoing {
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Posts deliveries in the background, in order within each queue.
pub(crate) struct Courier {
    runtime: tokio::runtime::Handle,
    /// Made on the first delivery: most fakes never send one.
    client: OnceLock<reqwest::Client>,
    queues: Mutex<HashMap<i64, mpsc::UnboundedSender<Job>>>,
}

impl Courier {
    /// Within the fake's runtime (its `start`): the queues run there whoever triggers them.
    pub(crate) fn new() -> Self {
        Self {
            runtime: tokio::runtime::Handle::current(),
            client: OnceLock::new(),
            queues: Mutex::default(),
        }
    }

    pub(crate) fn client(&self) -> reqwest::Client {
        let client = self.client.get_or_init(|| {
            reqwest::Client::builder()
                .timeout(DELIVERY_TIMEOUT)
                // WooCommerce sends with `redirection => 0` and takes a 301/302 as the answer; a
                // fake following it would post the body twice.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client with rustls")
        });
        client.clone()
    }

    /// Runs `job` after every job queued before it on `queue`.
    pub(crate) fn queue(&self, queue: i64, job: impl Future<Output = ()> + Send + 'static) {
        let mut queues = self.queues.lock().expect("queues poisoned");
        let sender = queues.entry(queue).or_insert_with(|| self.start_queue());
        // The worker only stops once its sender is gone: a send cannot fail while it is here.
        let _ = sender.send(Box::pin(job));
    }

    /// Forgets a queue (its webhook is deleted): what is already queued still runs.
    pub(crate) fn close(&self, queue: i64) {
        self.queues.lock().expect("queues poisoned").remove(&queue);
    }

    fn start_queue(&self) -> mpsc::UnboundedSender<Job> {
        let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
        self.runtime.spawn(async move {
            while let Some(job) = rx.recv().await {
                job.await;
            }
        });
        tx
    }
}

/// Posts `outgoing`: the answer's status, or None when there was none (refused, timed out).
pub(crate) async fn send(client: &reqwest::Client, outgoing: Outgoing) -> Option<u16> {
    let mut request = client.post(&outgoing.url).body(outgoing.body);
    for (name, value) in outgoing.headers {
        request = request.header(name, value);
    }
    match request.send().await {
        Ok(answer) => Some(answer.status().as_u16()),
        Err(e) => {
            tracing::debug!(url = %outgoing.url, error = %e, "webhook not delivered");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_base64_of_the_hmac_sha256() {
        // The well-known example: key "key", the quick brown fox.
        assert_eq!(
            hmac_sha256_base64("key", b"The quick brown fox jumps over the lazy dog"),
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        );
    }

    #[test]
    fn ids_look_like_version_4_uuids() {
        let id = uuid_like();
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_ne!(id, uuid_like());
    }
}
