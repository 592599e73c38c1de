//! What every fake's admin routes take alike: a fault for the next requests (`POST
//! /__fake/faults`, one or a list) and a move of the manual clock (`POST /__fake/clock`).

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::faults::{Fault, TargetFault};

/// A fault as the admin routes take it: `{"type": "server_error", "status": 503}`,
/// `{"type": "slow", "millis": 500}`, `{"type": "lost_answer", "after_millis": 3000}` (none: the
/// connection closes), `{"type": "rate_limited", "retry_after_secs": 2}` (none: the vendor's
/// limit answer without a wait), `{"type": "not_json"}`, `{"type": "truncated_json"}`.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum FaultSpec {
    ServerError {
        status: u16,
    },
    Slow {
        millis: u64,
    },
    LostAnswer {
        after_millis: Option<u64>,
    },
    RateLimited {
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    NotJson,
    TruncatedJson,
}

/// A fake's own fault type: the shared faults, and an answer lost after the request was carried
/// out (the case a client must look its record up after).
pub(crate) trait FakeFault: From<Fault> {
    fn lost_answer(after: Option<Duration>) -> Self;
}

impl FaultSpec {
    pub(crate) fn into_fault<F: FakeFault>(self) -> F {
        match self {
            FaultSpec::ServerError { status } => Fault::ServerError(status).into(),
            FaultSpec::Slow { millis } => Fault::Slow { millis }.into(),
            FaultSpec::RateLimited { retry_after_secs } => Fault::RateLimited { retry_after_secs }.into(),
            FaultSpec::NotJson => Fault::NotJson.into(),
            FaultSpec::TruncatedJson => Fault::TruncatedJson.into(),
            FaultSpec::LostAnswer { after_millis } => F::lost_answer(after_millis.map(Duration::from_millis)),
        }
    }
}

/// One fault with where it applies: a path (and HTTP method), or a fake's own method name.
#[derive(Debug, Deserialize)]
pub(crate) struct FaultRequest {
    #[serde(flatten)]
    pub spec: FaultSpec,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
}

/// The route's body: one fault or a list.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum FaultRequests {
    One(FaultRequest),
    Many(Vec<FaultRequest>),
}

impl FaultRequests {
    pub(crate) fn into_vec(self) -> Vec<FaultRequest> {
        match self {
            FaultRequests::One(r) => vec![r],
            FaultRequests::Many(rs) => rs,
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ClockMove {
    pub advance_millis: u64,
}

impl ClockMove {
    pub(crate) fn by(&self) -> Duration {
        Duration::from_millis(self.advance_millis)
    }
}

/// The clock route's answer: moved, or refused on a fake that runs on the real clock.
pub(crate) fn clock_moved(advanced: bool) -> Response {
    if advanced {
        StatusCode::NO_CONTENT.into_response()
    } else {
        (StatusCode::CONFLICT, "the fake runs on the real clock").into_response()
    }
}

impl FakeFault for TargetFault {
    fn lost_answer(after: Option<Duration>) -> Self {
        TargetFault::LostAnswer { after }
    }
}
