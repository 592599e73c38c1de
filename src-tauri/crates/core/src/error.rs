use serde::Serialize;
use ts_rs::TS;

/// What went wrong, as a stable code the UI can branch on. Messages are for people; codes for code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    InvalidTransition,
    Conflict,
    /// The change is valid but has a consequence the manager must confirm (it is not saved).
    NeedsConfirmation,
    Auth,
    RateLimited,
    Network,
    Marketplace,
    Keychain,
    /// The account's address changed: its keys must be typed again, so the stored ones are never
    /// sent to a new host.
    SecretsRequired,
    Storage,
    Internal,
}

/// The error every public engine operation returns. The message never contains a secret.
#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, what)
    }
    pub fn invalid(what: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, what)
    }
}
