//! Helpers shared by the engine's scenario tests: a fake Ozon over loopback HTTP, a real SQLite
//! file, in-memory secrets and a recording notifier.
#![allow(dead_code)]

pub mod seed;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::notify_text::Lang;
use ordertray_core::{AccountDraft, AccountSettings, InboxLine, InboxQuery};
use ordertray_engine::{Engine, EngineOptions, MemorySecretStore, Notification, RecordingNotifier};
use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig, FakeOzonHandle};
use serde_json::Value;

pub const CLIENT_ID: &str = "424242";
pub const API_KEY: &str = "0f3c2b8e-secret-key-for-tests-only";

pub struct World {
    pub _dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub fake: FakeOzonHandle,
    pub engine: Engine,
    pub notes: RecordingNotifier,
    pub secrets: Arc<MemorySecretStore>,
    pub account: i64,
}

impl World {
    /// The keychain entry of the account's Ozon Api-Key in this database's namespace.
    pub fn api_key_entry(&self) -> String {
        ordertray_engine::entry_name(self.engine.database_id(), self.account, "api_key")
    }
}

/// The engine options the tests start from: the database at `db` over `secrets`, a recording
/// notifier, English, a 5 s HTTP timeout, the keychain probed (a test changes what it needs).
pub fn options(db: &std::path::Path, secrets: Arc<dyn ordertray_engine::SecretStore>) -> EngineOptions {
    EngineOptions {
        db_path: db.to_path_buf(),
        secrets,
        notifier: Arc::new(RecordingNotifier::default()),
        lang: Lang::En,
        actor: "manager".into(),
        http: ordertray_connectors::HttpSettings {
            timeout: Duration::from_secs(5),
        },
        notifications_ok: true,
        probe_secrets: true,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    }
}

pub async fn open(db: &std::path::Path, secrets: Arc<MemorySecretStore>, notes: RecordingNotifier) -> Engine {
    Engine::open(EngineOptions {
        notifier: Arc::new(notes),
        ..options(db, secrets)
    })
    .await
    .unwrap()
}

pub fn draft(base_url: &str) -> AccountDraft {
    AccountDraft {
        name: "Shop A".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(base_url.into()),
        settings: AccountSettings::from(OzonSettings::new(CLIENT_ID)),
    }
}

pub async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let fake = FakeOzon::start(FakeOzonConfig::new(CLIENT_ID, API_KEY))
        .await
        .unwrap();
    let notes = RecordingNotifier::default();
    let secrets = Arc::new(MemorySecretStore::default());
    let engine = open(&db, secrets.clone(), notes.clone()).await;
    let secret = HashMap::from([("api_key".to_string(), API_KEY.to_string())]);
    let account = engine
        .add_account(draft(&fake.base_url()), secret)
        .await
        .unwrap()
        .id;
    World {
        _dir: dir,
        db,
        fake,
        engine,
        notes,
        secrets,
        account,
    }
}

/// An engine on a new database with no account; the directory lives as long as the tuple's first part.
pub async fn fresh_engine() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Arc<MemorySecretStore>,
    Engine,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let secrets = Arc::new(MemorySecretStore::default());
    let engine = open(&db, secrets.clone(), RecordingNotifier::default()).await;
    (dir, db, secrets, engine)
}

/// One rule, switched on: reject whatever arrives on the account.
pub fn reject_everything(account_id: i64) -> ordertray_core::rules::RuleSet {
    use ordertray_core::rules::{Rule, RuleAction, RuleSet};
    RuleSet {
        account_id,
        enabled: true,
        rules: vec![Rule {
            id: 0,
            name: "Reject on arrival".into(),
            enabled: true,
            conditions: vec![],
            action: RuleAction::Reject {
                reason_id: Some(400),
                message: None,
            },
        }],
    }
}

/// Waits for `f`, failing the test after a generous deadline instead of hanging.
pub async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

pub async fn inbox(engine: &Engine) -> Vec<InboxLine> {
    engine.inbox(&InboxQuery::default()).await.unwrap()
}

pub fn lines_of<'a>(inbox: &'a [InboxLine], posting: &str) -> Vec<&'a InboxLine> {
    inbox.iter().filter(|l| l.order_external_id == posting).collect()
}

pub async fn notifications(notes: &RecordingNotifier) -> Vec<Notification> {
    // Popups are shown off the sync path; give the blocking task a moment.
    for _ in 0..50 {
        let n = notes.taken();
        if !n.is_empty() {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    vec![]
}

/// Every popup shown until one that `wanted` picks has come (or the same deadline as
/// [`notifications`] has passed): other popups shown off the same path may come first.
pub async fn notifications_until(
    notes: &RecordingNotifier,
    wanted: impl Fn(&Notification) -> bool,
) -> Vec<Notification> {
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen.extend(notes.taken());
        if seen.iter().any(&wanted) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    seen
}

pub fn calls(fake: &FakeOzonHandle, path: &str) -> Vec<Value> {
    fake.calls_to(path).into_iter().map(|c| c.body).collect()
}

/// A WooCommerce account named "Web store" with these settings, its consumer key and secret in the
/// engine's secret store.
pub async fn woocommerce_account(
    engine: &Engine,
    settings: ordertray_connectors::woocommerce::WooCommerceSettings,
    (key, secret): (&str, &str),
) -> i64 {
    use ordertray_connectors::woocommerce::{CONSUMER_KEY, CONSUMER_SECRET};
    let draft = AccountDraft {
        name: "Web store".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(settings),
    };
    let secrets = HashMap::from([
        (CONSUMER_KEY.to_string(), key.to_string()),
        (CONSUMER_SECRET.to_string(), secret.to_string()),
    ]);
    engine.add_account(draft, secrets).await.unwrap().id
}

/// A keychain that cannot be read while `locked` (the Secret Service not answering yet after a
/// login), over the test's memory store.
pub struct LockedForAWhile {
    pub keys: std::sync::Arc<ordertray_engine::MemorySecretStore>,
    pub locked: std::sync::atomic::AtomicBool,
    /// The entries asked for, in turn, locked or not.
    pub read: std::sync::Mutex<Vec<String>>,
}

impl ordertray_engine::SecretStore for LockedForAWhile {
    fn get(&self, entry: &str) -> Result<Option<ordertray_core::Secret>, ordertray_core::AppError> {
        self.read.lock().unwrap().push(entry.to_string());
        if self.locked.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ordertray_core::AppError::new(
                ordertray_core::ErrorCode::Keychain,
                "The keychain is locked",
            ));
        }
        self.keys.get(entry)
    }
    fn set(&self, entry: &str, value: &ordertray_core::Secret) -> Result<(), ordertray_core::AppError> {
        self.keys.set(entry, value)
    }
    fn delete(&self, entry: &str) -> Result<(), ordertray_core::AppError> {
        self.keys.delete(entry)
    }
    fn check(&self) -> Result<(), ordertray_core::AppError> {
        self.keys.check()
    }
}

/// The app started again before the keychain answers: the engine on `db` over a locked keychain
/// holding `keys`, which the test unlocks.
pub async fn open_locked(
    db: &std::path::Path,
    keys: Arc<MemorySecretStore>,
) -> (Arc<LockedForAWhile>, Engine) {
    let keychain = Arc::new(LockedForAWhile {
        keys,
        locked: std::sync::atomic::AtomicBool::new(true),
        read: Default::default(),
    });
    let engine = Engine::open(EngineOptions {
        probe_secrets: false,
        ..options(db, keychain.clone())
    })
    .await
    .unwrap();
    (keychain, engine)
}

/// Makes the database at `db` look brought up to date by a newer Ordertray: a migration this
/// version does not know is recorded as applied.
pub async fn from_a_newer_version(db: &std::path::Path) {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (99990101, 'a newer version', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
}
