//! RetailCRM's request limit: a token bucket per API key (see `crate::limit`).

use serde::{Deserialize, Serialize};

/// How many requests a key may make: `per_second` on average, at most `burst` at once (a burst
/// under 1 lets nothing through).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: f64,
}

impl RateLimit {
    /// RetailCRM's documented limit for an API key: 10 requests a second.
    pub const RETAILCRM: Self = Self {
        per_second: 10.0,
        burst: 10.0,
    };
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::RETAILCRM
    }
}
