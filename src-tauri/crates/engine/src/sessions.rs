//! One built client per account, kept across sync runs, deliveries and status loads, so whatever
//! a client holds between calls (a login token, a rate limiter's last call) survives them. The
//! client is rebuilt when the account's settings or secrets change: each use compares a
//! fingerprint of what it was built from.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use ordertray_connectors::{registry, IntegrationClient};
use ordertray_core::{Account, AccountId, Credentials};

use crate::{Engine, Result};

pub(crate) struct Session {
    fingerprint: u64,
    client: Arc<dyn IntegrationClient>,
}

/// The sessions of one engine. The hasher's keys are random per process: the fingerprint covers
/// the secrets, and must not be a stable digest of them.
#[derive(Default)]
pub(crate) struct Sessions {
    keys: std::collections::hash_map::RandomState,
    by_account: std::sync::Mutex<std::collections::HashMap<AccountId, Session>>,
}

impl Sessions {
    fn fingerprint(&self, account: &Account, credentials: &Credentials) -> u64 {
        let mut h = self.keys.build_hasher();
        account.kind.as_str().hash(&mut h);
        account.base_url.hash(&mut h);
        serde_json::to_string(&account.settings)
            .expect("settings serialise")
            .hash(&mut h);
        for (field, value) in &credentials.0 {
            field.hash(&mut h);
            value.expose().hash(&mut h);
        }
        h.finish()
    }
}

impl Engine {
    /// The account's client: the kept one while the account's settings and secrets are the ones
    /// it was built from, otherwise a new one (kept for the next call).
    pub(crate) async fn session(&self, account: &Account) -> Result<Arc<dyn IntegrationClient>> {
        let credentials = self.credentials(account).await?;
        let sessions = &self.0.sessions;
        let fingerprint = sessions.fingerprint(account, &credentials);
        let mut by_account = sessions.by_account.lock().expect("sessions poisoned");
        if let Some(kept) = by_account.get(&account.id) {
            if kept.fingerprint == fingerprint {
                return Ok(kept.client.clone());
            }
        }
        let client: Arc<dyn IntegrationClient> =
            Arc::from(registry::connect(account, credentials, self.0.http.clone()));
        by_account.insert(
            account.id,
            Session {
                fingerprint,
                client: client.clone(),
            },
        );
        Ok(client)
    }

    /// Drops the account's client (the account is gone).
    pub(crate) fn end_session(&self, id: AccountId) {
        self.0
            .sessions
            .by_account
            .lock()
            .expect("sessions poisoned")
            .remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::demo::{test_draft as draft, test_secrets as key};

    use super::*;

    async fn engine(dir: &tempfile::TempDir) -> Engine {
        crate::test_engine(dir.path()).await
    }

    #[tokio::test]
    async fn a_client_is_kept_until_the_accounts_settings_or_secrets_change() {
        let dir = tempfile::tempdir().unwrap();
        let engine = engine(&dir).await;
        let account = engine.add_account(draft("1"), key("k1")).await.unwrap();

        let first = engine.session(&account).await.unwrap();
        let again = engine
            .session(&engine.account(account.id).await.unwrap())
            .await
            .unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the same settings and secrets reuse the client"
        );

        let account = engine
            .update_account(account.id, draft("2"), HashMap::new())
            .await
            .unwrap();
        let edited = engine.session(&account).await.unwrap();
        assert!(!Arc::ptr_eq(&first, &edited), "new settings build a new client");
        assert!(Arc::ptr_eq(&edited, &engine.session(&account).await.unwrap()));

        let account = engine
            .update_account(account.id, draft("2"), key("k2"))
            .await
            .unwrap();
        let rekeyed = engine.session(&account).await.unwrap();
        assert!(
            !Arc::ptr_eq(&edited, &rekeyed),
            "a new secret builds a new client"
        );

        engine.delete_account(account.id).await.unwrap();
        assert!(engine.0.sessions.by_account.lock().unwrap().is_empty());
    }
}
