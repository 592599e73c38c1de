//! Accounts and their credentials: the row in the database, the secrets in the keychain, and the
//! poller that follows every change.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use ordertray_connectors::{registry, IntegrationClient};
use ordertray_core::{
    Account, AccountDraft, AccountId, AccountKind, AccountView, AppError, CancelReasonOption,
    ConnectionReport, Credentials, EngineEvent, ErrorCode, ErrorWords, Secret, Thing,
};

use crate::{Engine, Result};

/// Secret field values as typed by the manager; empty ones mean "keep what is stored".
pub type SecretInput = HashMap<String, String>;

/// The accounts whose keys were all read, with no change to the account or its keys since: the
/// account list shows them as there without asking the keychain again. Each key is a Secret
/// Service call of its own (~15–25 ms here), taken in turn behind any other keychain call (a
/// locked keyring's unlock prompt holds them all), and the list is read at start and after every
/// poll. Forgotten when the account or a key of it changes, and when a reading finds a key missing
/// (a poll reads them, a connection test, an edit; a key deleted outside the app while its account
/// is not polled shows at the next start); a keychain that cannot answer says nothing about the
/// keys. The generation, taken before the account is read, keeps a reading begun before a change
/// from noting what it read.
#[derive(Debug, Default)]
pub(crate) struct KeysSeen {
    accounts: HashSet<AccountId>,
    generation: u64,
}

impl KeysSeen {
    fn generation(&self) -> u64 {
        self.generation
    }

    fn seen(&self, id: AccountId) -> bool {
        self.accounts.contains(&id)
    }

    /// Notes a reading of `id`'s keys that found them all and began at `generation`.
    fn note(&mut self, id: AccountId, generation: u64) {
        if generation == self.generation {
            self.accounts.insert(id);
        }
    }

    fn forget(&mut self, id: AccountId) {
        self.accounts.remove(&id);
        self.generation += 1;
    }
}

impl Engine {
    pub async fn list_accounts(&self) -> Result<Vec<AccountView>> {
        let generation = self.keys_seen(|k| k.generation());
        let mut out = Vec::new();
        for account in self.0.store.accounts().await? {
            let health = self.0.store.health(account.id).await?;
            let credentials_ok = self.keys_there(&account, generation).await;
            out.push(AccountView {
                account,
                health,
                credentials_ok,
            });
        }
        Ok(out)
    }

    pub async fn account(&self, id: AccountId) -> Result<Account> {
        Ok(self.0.store.account(id).await?)
    }

    /// Finds an account by id or by name (the CLI accepts either).
    pub async fn find_account(&self, id_or_name: &str) -> Result<Account> {
        if let Ok(id) = id_or_name.parse::<AccountId>() {
            if let Ok(a) = self.0.store.account(id).await {
                return Ok(a);
            }
        }
        self.0
            .store
            .account_by_name(id_or_name)
            .await?
            .ok_or_else(|| AppError::missing(Thing::Account, format!("«{id_or_name}»")))
    }

    /// Adds an account; its secrets go to the secret store only. If they cannot be stored, the
    /// account is not kept either.
    pub async fn add_account(&self, draft: AccountDraft, secrets: SecretInput) -> Result<Account> {
        let draft = draft.validated()?;
        let kind = draft.settings.kind();
        let env_named = draft.settings.reads_secrets_from_env();
        let mut given = Vec::new();
        for field in registry::spec(&kind).secret_fields {
            let name = field.name;
            match secrets.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                Some(v) => given.push((name, Secret::new(v))),
                // Ours to make: a token the integration sends back with each pushed order.
                None if field.on_demand => {}
                None if field.generated && draft.settings.secret_env(name).is_none() => {
                    given.push((name, Secret::new(crate::intake::new_intake_token()?)))
                }
                None if env_named => {}
                None => return Err(AppError::refused(ErrorWords::required(field.name, field.label))),
            }
        }
        let account = self.0.store.insert_account(&draft, false).await?;
        for (field, value) in given {
            if let Err(e) = self.secret_set(account.id, field, value).await {
                let _ = self.0.store.delete_account(account.id).await;
                return Err(e);
            }
        }
        self.account_changed(&account);
        self.intake_keys_changed(&account).await;
        self.refresh_statuses_soon(&account);
        self.note_transfer_rule(&account).await?;
        Ok(account)
    }

    pub async fn update_account(
        &self,
        id: AccountId,
        draft: AccountDraft,
        secrets: SecretInput,
    ) -> Result<Account> {
        let draft = draft.validated()?;
        let current = self.0.store.account(id).await?;
        if current.demo {
            return Err(AppError::refused(ErrorWords::DemoNotEditable {}));
        }
        secrets_needed_for_new_address(&current, &draft, &secrets)?;
        // The keys go first (an address saved without its new keys would get the old ones), and
        // come back as they were when the account's own save fails (a name taken, a busy disk).
        let mut replaced: Vec<(&str, Option<Secret>)> = Vec::new();
        let mut saved = Ok(());
        for field in registry::spec(&current.kind).secret_names() {
            if let Some(v) = secrets.get(field).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                let before = match self.secret_get(id, field).await {
                    Ok(before) => before,
                    Err(e) => {
                        saved = Err(e);
                        break;
                    }
                };
                // Put back even when the write failed: one that timed out may still land (the
                // keychain gate runs the putting back after it).
                replaced.push((field, before));
                if let Err(e) = self.secret_set(id, field, Secret::new(v)).await {
                    saved = Err(e);
                    break;
                }
            }
        }
        let updated = match saved {
            Ok(()) => self
                .0
                .store
                .update_account(id, &draft)
                .await
                .map_err(AppError::from),
            Err(e) => Err(e),
        };
        let account = match updated {
            Ok(account) => account,
            Err(e) => {
                self.put_back_secrets(id, replaced).await;
                return Err(e);
            }
        };
        self.note_transfer_rule(&account).await?;
        self.account_changed(&account);
        // A new token typed, or its environment variable renamed.
        self.intake_keys_changed(&account).await;
        self.refresh_statuses_soon(&account);
        Ok(account)
    }

    pub async fn set_account_active(&self, id: AccountId, active: bool) -> Result<()> {
        self.0.store.set_account_active(id, active).await?;
        let account = self.0.store.account(id).await?;
        self.account_changed(&account);
        self.emit_unread();
        Ok(())
    }

    pub async fn delete_account(&self, id: AccountId) -> Result<()> {
        let account = self.0.store.account(id).await?;
        self.stop_poller(id);
        self.0.store.delete_account(id).await?;
        self.end_session(id);
        if !account.demo {
            for field in registry::spec(&account.kind).secret_names() {
                if let Err(e) = self.secret_delete(id, field).await {
                    tracing::warn!(account = id, error = %e, "could not remove a keychain entry");
                }
            }
        }
        self.intake_keys_changed(&account).await;
        self.emit(EngineEvent::OrdersChanged { account_id: Some(id) });
        self.emit(EngineEvent::AccountHealth { account_id: id });
        self.emit_unread();
        Ok(())
    }

    /// Tries the credentials without saving anything. With `id` and no secret typed, the stored
    /// secret is used (editing an account without retyping its key).
    pub async fn test_connection(
        &self,
        draft: AccountDraft,
        secrets: SecretInput,
        id: Option<AccountId>,
    ) -> Result<ConnectionReport> {
        let client = self.client_from_form(draft, secrets, id).await?;
        client.test_connection().await.map_err(|e| e.to_app_error())
    }

    /// The cancel reasons the marketplace offers this seller, for the account form.
    pub async fn cancel_reasons(
        &self,
        draft: AccountDraft,
        secrets: SecretInput,
        id: Option<AccountId>,
    ) -> Result<Vec<CancelReasonOption>> {
        let client = self.client_from_form(draft, secrets, id).await?;
        match client.effect_sink() {
            Some(sink) => sink.cancel_reasons().await.map_err(|e| e.to_app_error()),
            None => Ok(vec![]),
        }
    }

    /// A client for what the account form holds now: typed secrets over stored ones. Never kept:
    /// the form may hold settings that are not saved.
    async fn client_from_form(
        &self,
        draft: AccountDraft,
        secrets: SecretInput,
        id: Option<AccountId>,
    ) -> Result<Box<dyn IntegrationClient>> {
        let draft = draft.validated()?;
        let stored = match id {
            Some(id) => Some(self.0.store.account(id).await?),
            None => None,
        };
        if let Some(stored) = stored.as_ref().filter(|a| !a.demo) {
            secrets_needed_for_new_address(stored, &draft, &secrets)?;
        }
        let account = Account {
            id: id.unwrap_or(0),
            kind: draft.settings.kind(),
            name: draft.name,
            region: draft.region,
            active: draft.active,
            interval_secs: draft.interval_secs,
            base_url: draft.base_url,
            demo: stored.as_ref().is_some_and(|a| a.demo),
            settings: draft.settings,
            created_at: Utc::now(),
        };
        let mut credentials = match &stored {
            Some(_) => self.credentials(&account).await.unwrap_or_default(),
            None if account.settings.reads_secrets_from_env() => self.credentials(&account).await?,
            None => Credentials::default(),
        };
        for (field, value) in secrets {
            if !value.trim().is_empty() {
                credentials = credentials.with(&field, value.trim());
            }
        }
        // Generated fields (an intake token) are ours, not the vendor's: a form without them can
        // still be tested.
        for field in registry::spec(&account.kind)
            .secret_fields
            .iter()
            .filter(|f| !f.generated)
        {
            if credentials.get(field.name).is_none() {
                return Err(AppError::refused(ErrorWords::required(field.name, field.label)));
            }
        }
        Ok(registry::connect(&account, credentials, self.0.http.clone()))
    }

    /// Loads the marketplace's status list in the background after an account is saved; a
    /// failure is logged and the settings screen offers to load it again.
    fn refresh_statuses_soon(&self, account: &Account) {
        if !registry::spec(&account.kind).status_dictionary || account.demo {
            return;
        }
        let (engine, id) = (self.clone(), account.id);
        tokio::spawn(async move {
            if let Err(e) = engine.refresh_marketplace_statuses(id).await {
                tracing::warn!(account = id, error = %e.message, "marketplace statuses not loaded");
            }
        });
    }

    /// Whether the keys of `account` as stored (not a form's draft) are all there: known from an
    /// earlier reading, or read now and noted unless something changed since `generation` (see
    /// [`KeysSeen`]).
    async fn keys_there(&self, account: &Account, generation: u64) -> bool {
        if self.keys_seen(|k| k.seen(account.id)) {
            return true;
        }
        let there = self.credentials(account).await.is_ok();
        if there {
            self.keys_seen(|k| k.note(account.id, generation));
        }
        there
    }

    /// Reads the accounts' keys in the background, so that the account list's first reading (the
    /// sidebar's, while the first screen waits for it) finds them known instead of asking the
    /// keychain for each in turn.
    pub(crate) fn read_keys_soon(&self) {
        let engine = self.clone();
        let reading = tokio::spawn(async move {
            let generation = engine.keys_seen(|k| k.generation());
            let Ok(accounts) = engine.0.store.accounts().await else {
                return;
            };
            for account in accounts {
                engine.keys_there(&account, generation).await;
            }
        });
        self.keep_background([reading]);
    }

    /// Reads or changes what the account list knows of the accounts' keys.
    fn keys_seen<T>(&self, f: impl FnOnce(&mut KeysSeen) -> T) -> T {
        f(&mut self.0.keys_seen.lock().expect("keys seen poisoned"))
    }

    /// The account's credentials: demo key, a named environment variable, or the keychain.
    pub(crate) async fn credentials(&self, account: &Account) -> Result<Credentials> {
        let read = self.read_credentials(account).await;
        if let Err(e) = &read {
            if key_missing(e) {
                self.keys_seen(|k| k.forget(account.id));
            }
        }
        read
    }

    async fn read_credentials(&self, account: &Account) -> Result<Credentials> {
        if account.demo {
            return Ok(Credentials::default().with("api_key", crate::demo::DEMO_API_KEY));
        }
        let mut credentials = Credentials::default();
        // Generated fields (intake tokens, webhook secrets) are ours: the vendor's API never
        // needs them, and an optional one may not exist yet.
        let vendors = registry::spec(&account.kind)
            .secret_fields
            .iter()
            .filter(|f| !f.generated);
        for field in vendors {
            let value = self.credential(account, field.name).await?;
            credentials = credentials.with(field.name, value.expose());
        }
        Ok(credentials)
    }

    /// One credential of the account: from its named environment variable, or the keychain.
    pub(crate) async fn credential(&self, account: &Account, field: &str) -> Result<Secret> {
        match account.settings.secret_env(field) {
            Some(var) => std::env::var(&var).map(Secret::new).map_err(|_| {
                AppError::said(
                    ErrorCode::Auth,
                    ErrorWords::SecretEnvMissing {
                        label: field_label(&account.kind, field).to_string(),
                        var,
                        account: account.name.clone(),
                    },
                )
            }),
            None => self.secret_get(account.id, field).await?.ok_or_else(|| {
                AppError::said(
                    ErrorCode::Auth,
                    ErrorWords::SecretMissing {
                        label: field_label(&account.kind, field).to_string(),
                        account: account.name.clone(),
                    },
                )
            }),
        }
    }

    pub(crate) async fn store_secret(&self, id: AccountId, field: &str, value: Secret) -> Result<()> {
        self.secret_set(id, field, value).await
    }

    /// Puts the keys an edit replaced back as they were (absent ones removed again).
    async fn put_back_secrets(&self, id: AccountId, replaced: Vec<(&str, Option<Secret>)>) {
        for (field, before) in replaced {
            let put = match before {
                Some(value) => self.secret_set(id, field, value).await,
                None => self.secret_delete(id, field).await,
            };
            if let Err(e) = put {
                tracing::warn!(account = id, error = %e, "could not put a keychain entry back");
            }
        }
    }

    async fn secret_get(&self, id: AccountId, field: &str) -> Result<Option<Secret>> {
        let (store, entry) = (self.0.secrets.clone(), self.secret_entry(id, field));
        self.0.keychain_gate.run(move || store.get(&entry)).await
    }

    async fn secret_set(&self, id: AccountId, field: &str, value: Secret) -> Result<()> {
        let (store, entry) = (self.0.secrets.clone(), self.secret_entry(id, field));
        let written = self.0.keychain_gate.run(move || store.set(&entry, &value)).await;
        // After the write: a listing that read the keys before it notes nothing.
        self.keys_seen(|k| k.forget(id));
        written
    }

    async fn secret_delete(&self, id: AccountId, field: &str) -> Result<()> {
        let (store, entry) = (self.0.secrets.clone(), self.secret_entry(id, field));
        let deleted = self.0.keychain_gate.run(move || store.delete(&entry)).await;
        self.keys_seen(|k| k.forget(id));
        deleted
    }

    fn secret_entry(&self, id: AccountId, field: &str) -> String {
        crate::secrets::entry_name(&self.0.database_id, id, field)
    }

    fn account_changed(&self, account: &Account) {
        // Its settings may name other keys (an environment variable renamed).
        self.keys_seen(|k| k.forget(account.id));
        self.emit(EngineEvent::AccountHealth {
            account_id: account.id,
        });
        self.reschedule(account);
    }
}

/// A new address for an account must not receive the keys stored for the old one (a typo, or a
/// phishing address pasted in): the keychain's keys are asked for again. Keys read from the
/// environment are the manager's own setting and go where the account points; a generated key
/// (an intake token) is ours and never sent to the vendor.
fn secrets_needed_for_new_address(
    current: &Account,
    draft: &AccountDraft,
    secrets: &SecretInput,
) -> Result<()> {
    // Compared as the settings are saved (trimmed), so a stray space asks for nothing; settings
    // that do not pass their checks are refused by those checks, not here.
    let mut checked = draft.settings.clone();
    if checked.validate().is_err() {
        return Ok(());
    }
    if current.base_url == draft.base_url && current.settings.service_address() == checked.service_address() {
        return Ok(());
    }
    let missing: Vec<String> = registry::spec(&current.kind)
        .secret_fields
        .iter()
        .filter(|f| !f.generated && draft.settings.secret_env(f.name).is_none())
        .filter(|f| secrets.get(f.name).is_none_or(|v| v.trim().is_empty()))
        .map(|f| f.label.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(AppError::said(
        ErrorCode::SecretsRequired,
        ErrorWords::SecretsRequired { labels: missing },
    ))
}

/// Whether reading an account's keys failed because one is not there (not because the keychain
/// could not answer).
fn key_missing(e: &AppError) -> bool {
    matches!(
        e.words.as_deref(),
        Some(ErrorWords::SecretMissing { .. } | ErrorWords::SecretEnvMissing { .. })
    )
}

fn field_label<'a>(kind: &AccountKind, field: &'a str) -> &'a str {
    registry::spec(kind).secret_label(field)
}

#[cfg(test)]
mod tests {
    use super::KeysSeen;

    #[test]
    fn a_reading_begun_before_a_change_notes_nothing() {
        let mut keys = KeysSeen::default();
        let before = keys.generation();
        keys.forget(2);
        keys.note(1, before);
        assert!(
            !keys.seen(1),
            "account 2 changed while account 1's keys were read"
        );
        keys.note(1, keys.generation());
        assert!(keys.seen(1));
        keys.forget(1);
        assert!(!keys.seen(1));
    }
}
