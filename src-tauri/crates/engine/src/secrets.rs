//! Where credentials live: the OS keychain (service `ordertray`, user `<account id>/<field>`), or,
//! for tests and demo, memory. Nothing here ever logs or formats a secret value.

use std::collections::HashMap;
use std::sync::Mutex;

use ordertray_core::{AccountId, AppError, ErrorCode, Secret};

pub const KEYCHAIN_SERVICE: &str = "ordertray";

pub trait SecretStore: Send + Sync {
    fn get(&self, account: AccountId, field: &str) -> Result<Option<Secret>, AppError>;
    fn set(&self, account: AccountId, field: &str, value: &Secret) -> Result<(), AppError>;
    fn delete(&self, account: AccountId, field: &str) -> Result<(), AppError>;
    /// Writes, reads back and deletes a probe entry: proves the store really keeps secrets.
    fn check(&self) -> Result<(), AppError>;
}

fn user(account: AccountId, field: &str) -> String {
    format!("{account}/{field}")
}

/// The OS keychain through `keyring` (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows). Calls block on IPC: call them from a blocking-friendly context.
#[derive(Debug, Default)]
pub struct KeychainStore;

fn keychain_error(e: keyring::Error) -> AppError {
    let detail = match &e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            "the OS keychain is unavailable (on Linux: is a Secret Service such as GNOME Keyring or KWallet running and unlocked?)"
                .to_string()
        }
        other => format!("keychain error: {other}"),
    };
    AppError::new(ErrorCode::Keychain, detail)
}

impl SecretStore for KeychainStore {
    fn get(&self, account: AccountId, field: &str) -> Result<Option<Secret>, AppError> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &user(account, field)).map_err(keychain_error)?;
        match entry.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, account: AccountId, field: &str, value: &Secret) -> Result<(), AppError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, &user(account, field))
            .and_then(|e| e.set_password(value.expose()))
            .map_err(keychain_error)
    }

    fn delete(&self, account: AccountId, field: &str) -> Result<(), AppError> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, &user(account, field)).map_err(keychain_error)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn check(&self) -> Result<(), AppError> {
        let probe = Secret::new(format!("probe-{}", fastrand::u64(..)));
        self.set(0, "startup-check", &probe)?;
        let back = self.get(0, "startup-check")?;
        self.delete(0, "startup-check")?;
        if back.as_ref() != Some(&probe) {
            return Err(AppError::new(
                ErrorCode::Keychain,
                "the OS keychain did not keep a test value: secrets cannot be stored safely",
            ));
        }
        Ok(())
    }
}

/// Secrets in memory: for tests, demo mode and CLI runs that name environment variables.
#[derive(Debug, Default)]
pub struct MemorySecretStore(Mutex<HashMap<String, Secret>>);

impl SecretStore for MemorySecretStore {
    fn get(&self, account: AccountId, field: &str) -> Result<Option<Secret>, AppError> {
        Ok(self
            .0
            .lock()
            .expect("secret map poisoned")
            .get(&user(account, field))
            .cloned())
    }
    fn set(&self, account: AccountId, field: &str, value: &Secret) -> Result<(), AppError> {
        self.0
            .lock()
            .expect("secret map poisoned")
            .insert(user(account, field), value.clone());
        Ok(())
    }
    fn delete(&self, account: AccountId, field: &str) -> Result<(), AppError> {
        self.0
            .lock()
            .expect("secret map poisoned")
            .remove(&user(account, field));
        Ok(())
    }
    fn check(&self) -> Result<(), AppError> {
        Ok(())
    }
}
