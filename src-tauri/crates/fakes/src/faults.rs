//! Ways a fake misbehaves on request, shared by every fake marketplace.

use serde::{Deserialize, Serialize};

/// One way to misbehave, consumed by the next matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 429 (Ozon: body code 8), optional `Retry-After`.
    RateLimited { retry_after_secs: Option<u64> },
    /// This HTTP status with the marketplace's error body.
    ServerError(u16),
    /// Answer normally after this long.
    Slow { millis: u64 },
    /// 200 with the body cut off halfway.
    TruncatedJson,
    /// 200 with an HTML page.
    NotJson,
    /// Ozon's per-method circuit breaker ("Circle is open"), HTTP 503.
    CircuitOpen,
    /// ZZAP: HTTP 200 whose answer carries this text in `error`.
    EnvelopeError { message: String },
}

/// A fault for the next request, or the next request to one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(flatten)]
    pub fault: Fault,
    #[serde(default)]
    pub path: Option<String>,
}
