//! What the intake allows each connection and each sender, and the clock its rate limits and
//! caches run on (a test moves a manual one instead of waiting).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The intake's limits. The defaults are what the app and `ordertray-cli serve` use; tests
/// shorten the timeouts and drive the clock.
#[derive(Debug, Clone)]
pub struct IntakeLimits {
    /// Connections served at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// The largest body an authenticated push may have; a larger one is answered 413 unread.
    pub body_limit: usize,
    /// How long a client has to send a request's headers (and an idle connection stays open).
    pub header_timeout: Duration,
    /// How long an authenticated client has to send the whole body once its headers are in.
    pub body_timeout: Duration,
    /// Requests without an account's token one address may send in a burst before it is answered
    /// 429 …
    pub refusal_burst: u32,
    /// … and how long it takes that address to earn one more.
    pub refusal_refill: Duration,
    /// Requests to pre-orders' buyer pages one address may send in a burst before it is answered
    /// 429 (valid links included: a buyer opens the page and submits it a few times at most) …
    pub page_burst: u32,
    /// … and how long it takes that address to earn one more.
    pub page_refill: Duration,
    /// At most one log line about refused requests per this period.
    pub log_every: Duration,
    /// How often the cached tokens are checked against changes made by another process (the CLI
    /// rotating a token while the app serves).
    pub keys_recheck: Duration,
    pub clock: IntakeClock,
}

/// One mebibyte: the largest pushed body (a pushed order is a few kilobytes).
pub const BODY_LIMIT: usize = 1024 * 1024;

impl Default for IntakeLimits {
    fn default() -> Self {
        Self {
            max_connections: 64,
            body_limit: BODY_LIMIT,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            refusal_burst: 10,
            refusal_refill: Duration::from_secs(6),
            page_burst: 20,
            page_refill: Duration::from_secs(3),
            log_every: Duration::from_secs(60),
            keys_recheck: Duration::from_secs(2),
            clock: IntakeClock::system(),
        }
    }
}

/// The system's monotonic clock, or a manual one that only moves when told (tests).
#[derive(Debug, Clone, Default)]
pub struct IntakeClock(Option<Arc<Mutex<Instant>>>);

impl IntakeClock {
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock standing still at the moment it was made until [`IntakeClock::advance`] moves it.
    pub fn manual() -> Self {
        Self(Some(Arc::new(Mutex::new(Instant::now()))))
    }

    pub fn now(&self) -> Instant {
        match &self.0 {
            None => Instant::now(),
            Some(t) => *t.lock().expect("clock poisoned"),
        }
    }

    /// Moves a manual clock forward (a system clock ignores it).
    pub fn advance(&self, by: Duration) {
        if let Some(t) = &self.0 {
            *t.lock().expect("clock poisoned") += by;
        }
    }
}
