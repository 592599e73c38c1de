//! Where credentials live: the OS keychain (service `ordertray`, user
//! `<database id>/<account id>/<field>`), or, for tests and demo, memory. The database id (see
//! `Store::database_id`) keeps two databases on one computer from reading or overwriting each
//! other's keys. Nothing here ever logs or formats a secret value.

use std::collections::HashMap;
use std::sync::Mutex;

use ordertray_core::{AccountId, AppError, ErrorCode, ErrorWords, Secret};

pub const KEYCHAIN_SERVICE: &str = "ordertray";

/// Entries by their full name (see [`entry_name`]); the engine names them, stores only keep them.
pub trait SecretStore: Send + Sync {
    fn get(&self, entry: &str) -> Result<Option<Secret>, AppError>;
    fn set(&self, entry: &str, value: &Secret) -> Result<(), AppError>;
    fn delete(&self, entry: &str) -> Result<(), AppError>;
    /// Writes, reads back and deletes a probe entry: proves the store really keeps secrets.
    fn check(&self) -> Result<(), AppError>;
}

/// The name of one account's secret in one database's namespace.
pub fn entry_name(database_id: &str, account: AccountId, field: &str) -> String {
    format!("{database_id}/{account}/{field}")
}

/// The name entries had before databases had ids: read once at start and moved (see
/// [`move_legacy_entries`]).
fn legacy_entry_name(account: AccountId, field: &str) -> String {
    format!("{account}/{field}")
}

/// Moves each account's entries from the name without a database id to this database's names:
/// read old, write new, delete old; an entry already under the new name is kept and the old one
/// left alone (it may be another database's). Returns how many moved.
pub fn move_legacy_entries(
    store: &dyn SecretStore,
    database_id: &str,
    fields: &[(AccountId, &str)],
) -> Result<usize, AppError> {
    let mut moved = 0;
    for (account, field) in fields {
        let new = entry_name(database_id, *account, field);
        if store.get(&new)?.is_some() {
            continue;
        }
        let old = legacy_entry_name(*account, field);
        if let Some(value) = store.get(&old)? {
            store.set(&new, &value)?;
            store.delete(&old)?;
            moved += 1;
        }
    }
    Ok(moved)
}

/// At start: moves the entries of this database's accounts from the names without a database id
/// (before migration 0011) to its own. A keychain that cannot be read only delays that to the
/// next start, with a warning.
pub(crate) async fn move_legacy_entries_of(
    store: &ordertray_store::Store,
    secrets: &std::sync::Arc<dyn SecretStore>,
    gate: &crate::keychain_gate::KeychainGate,
    database_id: &str,
) {
    let accounts = match store.accounts().await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "keychain entries not moved: accounts unreadable");
            return;
        }
    };
    let fields: Vec<(AccountId, &'static str)> = accounts
        .iter()
        .filter(|a| !a.demo)
        .flat_map(|a| {
            crate::registry::spec(&a.kind)
                .secret_names()
                .map(move |f| (a.id, f))
        })
        .collect();
    if fields.is_empty() {
        return;
    }
    let (secrets, database_id) = (secrets.clone(), database_id.to_string());
    let moved = gate
        .run(move || move_legacy_entries(&*secrets, &database_id, &fields))
        .await;
    match moved {
        Ok(0) => {}
        Ok(n) => tracing::info!(moved = n, "keychain entries moved into this database's namespace"),
        // Not probed (a one-shot CLI run) and unreachable: quietly left for the next start.
        Err(e) => tracing::debug!(error = %e, "keychain entries not moved yet"),
    }
}

/// The OS keychain through `keyring` (Secret Service on Linux, Keychain on macOS, Credential
/// Manager on Windows). Calls block on IPC: call them from a blocking-friendly context.
#[derive(Debug, Default)]
pub struct KeychainStore;

fn keychain_error(e: keyring::Error) -> AppError {
    let words = match &e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
            ErrorWords::KeychainUnavailable {}
        }
        other => ErrorWords::Keychain {
            detail: other.to_string(),
        },
    };
    AppError::said(ErrorCode::Keychain, words)
}

impl SecretStore for KeychainStore {
    fn get(&self, entry: &str) -> Result<Option<Secret>, AppError> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, entry).map_err(keychain_error)?;
        match entry.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn set(&self, entry: &str, value: &Secret) -> Result<(), AppError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, entry)
            .and_then(|e| e.set_password(value.expose()))
            .map_err(keychain_error)
    }

    fn delete(&self, entry: &str) -> Result<(), AppError> {
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, entry).map_err(keychain_error)?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn check(&self) -> Result<(), AppError> {
        let probe = Secret::new(format!("probe-{}", fastrand::u64(..)));
        self.set("startup-check", &probe)?;
        let back = self.get("startup-check")?;
        self.delete("startup-check")?;
        if back.as_ref() != Some(&probe) {
            return Err(AppError::said(ErrorCode::Keychain, ErrorWords::KeychainUnsafe {}));
        }
        Ok(())
    }
}

/// Secrets in memory: for tests, demo mode and CLI runs that name environment variables.
#[derive(Debug, Default)]
pub struct MemorySecretStore(Mutex<HashMap<String, Secret>>);

impl SecretStore for MemorySecretStore {
    fn get(&self, entry: &str) -> Result<Option<Secret>, AppError> {
        Ok(self.0.lock().expect("secret map poisoned").get(entry).cloned())
    }
    fn set(&self, entry: &str, value: &Secret) -> Result<(), AppError> {
        self.0
            .lock()
            .expect("secret map poisoned")
            .insert(entry.to_string(), value.clone());
        Ok(())
    }
    fn delete(&self, entry: &str) -> Result<(), AppError> {
        self.0.lock().expect("secret map poisoned").remove(entry);
        Ok(())
    }
    fn check(&self) -> Result<(), AppError> {
        Ok(())
    }
}

impl MemorySecretStore {
    /// Every entry name held (never the values): what tests check namespacing with.
    pub fn entry_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .0
            .lock()
            .expect("secret map poisoned")
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_entries_move_into_the_database_namespace_once() {
        let store = MemorySecretStore::default();
        store.set("1/api_key", &Secret::new("k1")).unwrap();
        store.set("2/api_key", &Secret::new("k2")).unwrap();
        store.set("db-b/2/api_key", &Secret::new("already")).unwrap();
        let fields = [(1, "api_key"), (2, "api_key"), (3, "api_key")];
        assert_eq!(move_legacy_entries(&store, "db-a", &fields).unwrap(), 2);
        assert_eq!(store.get("db-a/1/api_key").unwrap().unwrap().expose(), "k1");
        assert_eq!(store.get("1/api_key").unwrap(), None, "the old entry is deleted");
        // Another database that already has its entry keeps it; nothing is left to move.
        assert_eq!(move_legacy_entries(&store, "db-b", &fields).unwrap(), 0);
        assert_eq!(store.get("db-b/2/api_key").unwrap().unwrap().expose(), "already");
        assert_eq!(
            store.entry_names(),
            ["db-a/1/api_key", "db-a/2/api_key", "db-b/2/api_key"]
        );
    }
}
