//! The accounts' intake tokens as the server checks them: read from the keychain (or the named
//! environment variable) once when the intake starts and again whenever an account that pushes
//! changes, kept in memory as SHA-256 digests. No request reads the keychain or the accounts
//! table before its token is checked.
//!
//! Another process on the same database (`ordertray-cli accounts intake-url --new-token` while
//! the app serves) marks its changes in the settings table; the server looks at that mark at most
//! once per `IntakeLimits::keys_recheck` and reloads when it moved.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use ordertray_connectors::{registry, PushKey, PushSource};
use ordertray_core::{Account, AccountId, ErrorCode};

use crate::{Engine, Result};

/// The settings key whose value changes whenever an account's intake token may have changed.
const STAMP_KEY: &str = "intake.keys_changed";

/// What the server may know of an account before its token is checked.
pub(crate) struct KeyEntry {
    /// The integration's id, as in the address (`/intake/<integration>/<account>`).
    pub integration: &'static str,
    pub source: Box<dyn PushSource>,
    pub key: KeyState,
}

pub(crate) enum KeyState {
    Ready(PushKey),
    /// No token is stored (or its environment variable is unset): nobody can push.
    Missing,
    /// The keychain could not be read: tried again at the next reload.
    Unavailable,
}

pub(crate) struct Keys {
    stamp: Option<String>,
    pub accounts: HashMap<AccountId, KeyEntry>,
}

#[derive(Default)]
pub(crate) struct KeyCache {
    /// None while the intake does not run (nothing is kept then).
    snapshot: RwLock<Option<Arc<Keys>>>,
    /// One reload at a time.
    reload: tokio::sync::Mutex<()>,
    checked_at: Mutex<Option<Instant>>,
}

impl Engine {
    /// Loads every pushing account's key (at the intake's start).
    pub(crate) async fn load_intake_keys(&self) -> Result<Arc<Keys>> {
        let _one = self.0.intake_keys.reload.lock().await;
        self.reload_intake_keys().await
    }

    /// Forgets the keys (the intake stopped).
    pub(crate) fn drop_intake_keys(&self) {
        *self.0.intake_keys.snapshot.write().expect("intake keys poisoned") = None;
    }

    async fn reload_intake_keys(&self) -> Result<Arc<Keys>> {
        // The mark first: a change made while loading moves it again and is loaded next time.
        let stamp = self.0.store.setting(STAMP_KEY).await?;
        let mut accounts = HashMap::new();
        for account in self.0.store.accounts().await? {
            if let Some(entry) = self.key_entry(&account).await {
                accounts.insert(account.id, entry);
            }
        }
        let keys = Arc::new(Keys { stamp, accounts });
        *self.0.intake_keys.snapshot.write().expect("intake keys poisoned") = Some(keys.clone());
        Ok(keys)
    }

    async fn key_entry(&self, account: &Account) -> Option<KeyEntry> {
        let make = registry::spec(&account.kind).push_source?;
        if account.demo {
            return None;
        }
        let source = make(account);
        let key = match self.credential(account, source.auth_field()).await {
            Ok(secret) => KeyState::Ready(source.key(&secret)),
            Err(e) if e.code == ErrorCode::Keychain => {
                tracing::error!(account = account.id, error = %e.message, "intake token unavailable; pushes to this account are answered 503");
                KeyState::Unavailable
            }
            Err(e) => {
                tracing::warn!(account = account.id, error = %e.message, "no intake token; pushes to this account are refused");
                KeyState::Missing
            }
        };
        Some(KeyEntry {
            integration: registry::spec(&account.kind).kind,
            source,
            key,
        })
    }

    /// The keys to check a request with, looking first (at most once per `recheck`) whether
    /// another process changed them, and retrying keys the keychain could not give.
    pub(crate) async fn intake_keys(&self, now: Instant, recheck: Duration) -> Option<Arc<Keys>> {
        let cache = &self.0.intake_keys;
        let current = cache.snapshot.read().expect("intake keys poisoned").clone()?;
        let due = {
            let mut checked = cache.checked_at.lock().expect("intake keys poisoned");
            let due = checked.is_none_or(|at| now.saturating_duration_since(at) >= recheck);
            if due {
                *checked = Some(now);
            }
            due
        };
        if !due {
            return Some(current);
        }
        // Another request is reloading: this one goes on with what is there.
        let Ok(_one) = cache.reload.try_lock() else {
            return Some(current);
        };
        let unavailable = current
            .accounts
            .values()
            .any(|e| matches!(e.key, KeyState::Unavailable));
        let moved = match self.0.store.setting(STAMP_KEY).await {
            Ok(stamp) => stamp != current.stamp,
            Err(e) => {
                tracing::debug!(error = %e, "intake keys not rechecked");
                false
            }
        };
        if !moved && !unavailable {
            return Some(current);
        }
        match self.reload_intake_keys().await {
            Ok(keys) => Some(keys),
            Err(e) => {
                tracing::warn!(error = %e.message, "intake keys not reloaded; the old ones stay");
                Some(current)
            }
        }
    }

    /// After a change to an account that pushes (added, edited, deleted, its token replaced):
    /// marks it for other processes and reloads this one's keys if the intake runs.
    pub(crate) async fn intake_keys_changed(&self, account: &Account) {
        if registry::spec(&account.kind).push_source.is_none() {
            return;
        }
        let stamp = crate::intake::new_intake_token().unwrap_or_else(|_| fastrand::u64(..).to_string());
        if let Err(e) = self.0.store.set_setting(STAMP_KEY, &stamp).await {
            tracing::warn!(error = %e, "other processes will not see the intake token change");
        }
        let _one = self.0.intake_keys.reload.lock().await;
        let loaded = self
            .0
            .intake_keys
            .snapshot
            .read()
            .expect("intake keys poisoned")
            .is_some();
        if loaded {
            if let Err(e) = self.reload_intake_keys().await {
                tracing::warn!(error = %e.message, "intake keys not reloaded after a change");
            }
        }
    }
}
