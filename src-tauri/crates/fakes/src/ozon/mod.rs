//! Fake Ozon Seller API: FBS/realFBS postings (v4 lists, v3 get, v4 ship, v2 cancels, v1 roles,
//! the realFBS delivery stages and tracking numbers) and FBO postings (the v3 FBO list, which
//! pages by cursor like the v4 FBS lists; FBS calls do not find FBO postings).
//!
//! Choices where Ozon's behaviour is not public: missing auth headers answer 401, a wrong
//! Client-Id or Api-Key answers 403 with Ozon's error body; a ship with more than one package is
//! refused (the split into new postings is not simulated).

mod data;
mod handlers;
mod state;

use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::task::JoinHandle;

pub use crate::faults::{Fault, FaultRule, Flaky, FlakyRates};
pub use data::{fbo_posting, realfbs_posting, sample_posting};
use state::Shared;

use crate::server::Served;

#[derive(Debug, Clone)]
pub struct FakeOzonConfig {
    pub client_id: String,
    pub api_key: String,
    /// 0 = any free port.
    pub port: u16,
    /// At most this many requests per second; more answer 429 like Ozon.
    pub rate_limit_per_sec: Option<u32>,
}

impl FakeOzonConfig {
    pub fn new(client_id: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            api_key: api_key.into(),
            port: 0,
            rate_limit_per_sec: None,
        }
    }
}

/// What the fake received. The Api-Key itself is never kept, only whether it matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedCall {
    pub path: String,
    pub client_id: Option<String>,
    pub api_key_ok: bool,
    pub body: Value,
    pub status: u16,
}

pub struct FakeOzon;

/// A call the fake keeps waiting (see [`FakeOzonHandle::hold_next`]).
#[derive(Default)]
pub struct HeldCall {
    arrived: tokio::sync::Notify,
    released: tokio::sync::Notify,
}

impl HeldCall {
    /// Resolves once the call has reached the fake (and is being held).
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }

    /// Lets the held call be answered.
    pub fn release(&self) {
        self.released.notify_one();
    }

    pub(crate) async fn wait(&self) {
        self.arrived.notify_one();
        self.released.notified().await;
    }
}

impl FakeOzon {
    pub async fn start(config: FakeOzonConfig) -> std::io::Result<FakeOzonHandle> {
        let port = config.port;
        let shared = Arc::new(Shared::new(config));
        let server = Served::start(port, handlers::router(shared.clone()), "fake Ozon").await?;
        Ok(FakeOzonHandle { shared, server })
    }
}

/// Controls a running fake; the server stops when the last clone is dropped or on `shutdown`.
#[derive(Clone)]
pub struct FakeOzonHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeOzonHandle {
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Adds a posting as given (it must have a `posting_number`).
    pub fn add_posting(&self, posting: Value) {
        self.shared.add_posting(posting);
    }

    /// Adds an FBO posting (Ozon stores and ships it), e.g. from [`fbo_posting`].
    pub fn add_fbo_posting(&self, posting: Value) {
        self.shared.add_fbo_posting(posting);
    }

    /// Adds `n` realistic postings of `products` products each; returns their numbers.
    pub fn generate_postings(&self, n: usize, products: usize) -> Vec<String> {
        self.shared.generate(n, products)
    }

    /// Changes a posting's status as Ozon would (e.g. "cancelled" by the buyer).
    pub fn set_status(&self, posting_number: &str, status: &str) -> bool {
        self.shared.set_status(posting_number, status)
    }

    pub fn posting(&self, posting_number: &str) -> Option<Value> {
        self.shared.posting(posting_number)
    }

    pub fn push_fault(&self, fault: Fault) {
        self.shared.push_fault(FaultRule { fault, path: None });
    }

    pub fn push_fault_on(&self, path: &str, fault: Fault) {
        self.shared.push_fault(FaultRule {
            fault,
            path: Some(path.to_string()),
        });
    }

    /// Holds the next call to `path` on arrival until [`HeldCall::release`]: a call as slow as the
    /// test needs, without guessing a duration.
    pub fn hold_next(&self, path: &str) -> Arc<HeldCall> {
        let held = Arc::new(HeldCall::default());
        self.shared.lock().holds.push((path.to_string(), held.clone()));
        held
    }

    /// Fixes the Api-Key's expiry that `/v1/roles` reports (recorded answers must not follow the
    /// clock).
    pub fn set_key_expires_at(&self, at: chrono::DateTime<chrono::Utc>) {
        self.shared.lock().key_expires_at = Some(at);
    }

    /// Gives every posting generated from now on the ship-by of one posting put in process at `at`
    /// (recorded answers must not change order when the clock passes a full hour between two
    /// generated postings: Ozon's ship-by is a cut-off on the hour).
    pub fn set_ship_by_from(&self, at: chrono::DateTime<chrono::Utc>) {
        self.shared.lock().ship_by_from = Some(at);
    }

    /// Turns the flaky mode on (random faults on every seller call) or off (None).
    pub fn set_flaky(&self, flaky: Option<Flaky>) {
        self.shared.lock().flaky = flaky;
    }

    /// The faults the flaky mode injected so far, by kind.
    pub fn flaky_injected(&self) -> std::collections::BTreeMap<&'static str, u32> {
        self.shared
            .lock()
            .flaky
            .as_ref()
            .map(Flaky::injected)
            .unwrap_or_default()
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.calls()
    }

    pub fn calls_to(&self, path: &str) -> Vec<RecordedCall> {
        self.shared
            .calls()
            .into_iter()
            .filter(|c| c.path == path)
            .collect()
    }

    /// Adds a posting every `every` with a random number of products: demo mode's buyers.
    pub fn spawn_generator(&self, every: Duration, products: RangeInclusive<usize>) -> JoinHandle<()> {
        let handle = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                handle.generate_postings(1, fastrand::usize(products.clone()));
            }
        })
    }
}
