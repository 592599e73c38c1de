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
    /// ZZAP: HTTP 200 whose answer carries this text in `error`; Ozon: a proxy's 200 with only
    /// `{"error": ...}`.
    EnvelopeError { message: String },
    /// The answer's bytes in `chunks` pieces, `gap_millis` apart (Ozon only).
    Trickle { chunks: u32, gap_millis: u64 },
}

/// A fault for the next request, or the next request to one path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(flatten)]
    pub fault: Fault,
    #[serde(default)]
    pub path: Option<String>,
}

/// How often each fault strikes a request in the flaky mode (each a probability; their sum at
/// most 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlakyRates {
    /// HTTP 500, 502 or 503.
    pub server_error: f64,
    /// HTTP 429 with `Retry-After: 1`.
    pub rate_limited: f64,
    /// An answer later than `timeout_millis` (the client gives up first).
    pub timeout: f64,
    pub truncated_json: f64,
    /// The answer in ten pieces over about half a second.
    pub trickle: f64,
    pub timeout_millis: u64,
}

impl FlakyRates {
    /// Issue 17's flaky marketplace: one request in five a server error, and every other fault
    /// now and then.
    pub fn issue_17(timeout_millis: u64) -> Self {
        Self {
            server_error: 0.2,
            rate_limited: 0.04,
            timeout: 0.03,
            truncated_json: 0.04,
            trickle: 0.04,
            timeout_millis,
        }
    }
}

/// Random faults from a seeded source, and a count of those injected.
#[derive(Debug)]
pub struct Flaky {
    rates: FlakyRates,
    rng: fastrand::Rng,
    injected: std::collections::BTreeMap<&'static str, u32>,
}

impl Flaky {
    pub fn new(rates: FlakyRates, seed: u64) -> Self {
        Self {
            rates,
            rng: fastrand::Rng::with_seed(seed),
            injected: Default::default(),
        }
    }

    /// The fault for the next request, if it draws one.
    pub fn pick(&mut self) -> Option<Fault> {
        let r = &self.rates;
        let mut x = self.rng.f64();
        let statuses = [500, 502, 503];
        let menu = [
            (r.server_error, "server_error"),
            (r.rate_limited, "rate_limited"),
            (r.timeout, "timeout"),
            (r.truncated_json, "truncated_json"),
            (r.trickle, "trickle"),
        ];
        let (_, name) = menu.into_iter().find(|(rate, _)| {
            x -= rate;
            x < 0.0
        })?;
        *self.injected.entry(name).or_default() += 1;
        Some(match name {
            "server_error" => Fault::ServerError(statuses[self.rng.usize(..statuses.len())]),
            "rate_limited" => Fault::RateLimited {
                retry_after_secs: Some(1),
            },
            "timeout" => Fault::Slow {
                millis: r.timeout_millis,
            },
            "truncated_json" => Fault::TruncatedJson,
            _ => Fault::Trickle {
                chunks: 10,
                gap_millis: 50,
            },
        })
    }

    /// The faults injected so far, by kind.
    pub fn injected(&self) -> std::collections::BTreeMap<&'static str, u32> {
        self.injected.clone()
    }
}

/// A transfer target's fault for its next request (or the next to one path or method): a shared
/// one, or the request carried out but its answer lost (the connection closes before the status
/// line when `after` is None, or the answer comes only after `after`, past a client's timeout):
/// the case where a client must look its record up before it sends again.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetFault {
    Common(Fault),
    LostAnswer { after: Option<std::time::Duration> },
}

impl From<Fault> for TargetFault {
    fn from(fault: Fault) -> Self {
        Self::Common(fault)
    }
}
