use serde::Serialize;
use ts_rs::TS;

use crate::error_words::ErrorWords;

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
    /// In English: for the CLI, the logs, and the UI when `words` is absent.
    pub message: String,
    /// The error as a code plus arguments, which the UI words in the manager's language.
    // Boxed: errors travel in every `Result`, and most have no words.
    pub words: Option<Box<ErrorWords>>,
}

impl AppError {
    /// An error with an English message only (internal faults, texts from outside).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            words: None,
        }
    }
    /// An error the UI words in the manager's language.
    pub fn said(code: ErrorCode, words: ErrorWords) -> Self {
        Self {
            code,
            message: words.english(),
            words: Some(Box::new(words)),
        }
    }
    /// Bad input, worded.
    pub fn refused(words: ErrorWords) -> Self {
        Self::said(ErrorCode::InvalidInput, words)
    }
    pub fn missing(thing: crate::error_words::Thing, id: impl ToString) -> Self {
        Self::said(
            ErrorCode::NotFound,
            ErrorWords::NotFound {
                thing,
                id: id.to_string(),
            },
        )
    }
}
