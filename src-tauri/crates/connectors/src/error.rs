use std::time::Duration;

use ordertray_core::{AppError, ErrorCode, ErrorWords};

/// The longest wait a server may impose on us (`Retry-After`): past it we try again anyway, so a
/// wrong or hostile header cannot stop an account's polling or delivery for a year, and no time
/// arithmetic ever sees an absurd duration.
pub const MAX_SERVER_DELAY: Duration = Duration::from_secs(15 * 60);

/// Why a marketplace call failed. Messages never contain credentials.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectorError {
    /// Wrong, expired, deactivated or under-privileged credentials: retrying will not help.
    #[error("authorization failed: {0}")]
    Auth(String),
    /// Rate limit (HTTP 429 or the vendor's equivalent): wait and retry.
    #[error("rate limited: {message}")]
    RateLimited {
        retry_after: Option<Duration>,
        message: String,
    },
    /// 5xx or a vendor circuit breaker: retry with backoff.
    #[error("server error {status}: {message}")]
    Server { status: u16, message: String },
    /// Connection refused, reset, DNS, or timeout: retry with backoff.
    #[error("network error: {0}")]
    Network(String),
    /// A body we could not parse (truncated JSON, wrong shape): retry, it is usually transient.
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The marketplace refused the request itself (4xx other than auth/rate limit): do not retry.
    #[error("rejected by marketplace ({status}): {message}")]
    Rejected { status: u16, message: String },
}

impl ConnectorError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ConnectorError::RateLimited { .. }
                | ConnectorError::Server { .. }
                | ConnectorError::Network(_)
                | ConnectorError::Malformed(_)
        )
    }

    /// The wait the server asked for, never more than [`MAX_SERVER_DELAY`].
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ConnectorError::RateLimited { retry_after, .. } => retry_after.map(|d| d.min(MAX_SERVER_DELAY)),
            _ => None,
        }
    }

    pub fn to_app_error(&self) -> AppError {
        let code = match self {
            ConnectorError::Auth(_) => ErrorCode::Auth,
            ConnectorError::RateLimited { .. } => ErrorCode::RateLimited,
            ConnectorError::Server { .. }
            | ConnectorError::Malformed(_)
            | ConnectorError::Rejected { .. } => ErrorCode::Marketplace,
            ConnectorError::Network(_) => ErrorCode::Network,
        };
        AppError::said(code, self.words())
    }

    /// The error as the UI words it; the marketplace's own text stays as it came.
    pub fn words(&self) -> ErrorWords {
        match self.clone() {
            ConnectorError::Auth(detail) => ErrorWords::MarketplaceAuth { detail },
            ConnectorError::RateLimited { message, .. } => ErrorWords::RateLimited { detail: message },
            ConnectorError::Server { status, message } => ErrorWords::MarketplaceServer {
                status,
                detail: message,
            },
            ConnectorError::Network(detail) => ErrorWords::Network { detail },
            ConnectorError::Malformed(detail) => ErrorWords::Malformed { detail },
            ConnectorError::Rejected { status, message } => ErrorWords::MarketplaceRejected {
                status,
                detail: message,
            },
        }
    }
}
