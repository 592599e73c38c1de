//! Request limits of the fakes whose vendors count requests per key: a token bucket per key, on a
//! clock a test can hold still.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How many requests a key may make: `per_second` on average, at most `burst` at once (a burst
/// under 1 lets nothing through). The vendors' own numbers are consts beside each fake.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

/// The limiter's time since the fake started: the real one, or a manual one that moves only
/// when told, so that a test's burst meets a bucket that does not refill behind its back.
#[derive(Debug)]
pub(crate) struct Clock {
    started: Instant,
    manual: Option<Duration>,
}

impl Clock {
    pub(crate) fn new(manual: bool) -> Self {
        Self {
            started: Instant::now(),
            manual: manual.then_some(Duration::ZERO),
        }
    }

    pub(crate) fn now(&self) -> Duration {
        self.manual.unwrap_or_else(|| self.started.elapsed())
    }

    /// Moves a manual clock on; a real one cannot be moved (false).
    pub(crate) fn advance(&mut self, by: Duration) -> bool {
        match &mut self.manual {
            Some(t) => {
                *t += by;
                true
            }
            None => false,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Duration,
}

/// One bucket per key, each filled lazily when next drawn from.
#[derive(Debug, Default)]
pub(crate) struct Buckets(HashMap<String, Bucket>);

impl Buckets {
    /// Takes a request's token from `key`'s bucket (refilled at `per_second`, holding at most
    /// `burst`) at `now`; an empty bucket tells how long until its next token.
    pub(crate) fn take(
        &mut self,
        key: &str,
        per_second: f64,
        burst: f64,
        now: Duration,
    ) -> Result<(), Duration> {
        let bucket = self.0.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let regained = now.saturating_sub(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = (bucket.tokens + regained).min(burst);
        bucket.at = bucket.at.max(now);
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let missing = 1.0 - bucket.tokens;
        // A bucket that never refills (or too slowly to say) is a long wait, not a panic.
        let wait = if per_second > 0.0 {
            Duration::try_from_secs_f64(missing / per_second).unwrap_or(Duration::MAX)
        } else {
            Duration::MAX
        };
        Err(wait)
    }

    /// Every key's bucket full again (a new limit takes effect from a clean start).
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}
