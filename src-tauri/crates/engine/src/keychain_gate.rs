//! Every keychain call, one at a time and with a deadline. A keychain that does not answer (a
//! locked login keyring whose unlock prompt nobody sees, a Secret Service that hangs) held the
//! app's start and every sync that needed a key, for good: a call now gives up after the wait
//! with "the keychain does not answer", and the calls after it wait their turn behind the one
//! still under way instead of piling up threads that hang as well.

use std::sync::Arc;
use std::time::Duration;

use ordertray_core::{AppError, ErrorCode, ErrorWords};

use crate::Result;

/// How long a keychain call may take before the caller is told it does not answer: long enough
/// for a manager to type the keyring's password into its unlock prompt.
pub const KEYCHAIN_WAIT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub(crate) struct KeychainGate {
    turn: Arc<tokio::sync::Mutex<()>>,
    wait: Duration,
}

impl KeychainGate {
    pub(crate) fn new(wait: Duration) -> Self {
        Self {
            turn: Arc::default(),
            wait,
        }
    }

    /// Runs `call` (blocking IPC) on a blocking thread when its turn comes; the turn passes on
    /// when the call returns, even after the caller stopped waiting for it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        call: impl FnOnce() -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let turn = self.turn.clone();
        let gated = async move {
            let held = turn.lock_owned().await;
            tokio::task::spawn_blocking(move || {
                let answer = call();
                drop(held);
                answer
            })
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, format!("keychain task failed: {e}")))?
        };
        tokio::time::timeout(self.wait, gated)
            .await
            .unwrap_or_else(|_| Err(not_answering()))
    }
}

pub(crate) fn not_answering() -> AppError {
    AppError::said(ErrorCode::Keychain, ErrorWords::KeychainNotAnswering {})
}
