//! The running Ordertray system, shared by the desktop shell and `ordertray-cli`: accounts and
//! their credentials, the per-account poll scheduler, ingest, triage, the outbox worker, the
//! notifier, and demo mode. Nothing here knows Tauri.

mod accounts;
mod alerts;
pub mod backoff;
mod best_offers;
mod cabinet;
pub mod database;
mod demo;
pub mod diagnostics;
pub mod export;
pub mod intake;
mod keychain_gate;
pub mod notifier;
mod outbox;
pub mod paths;
pub mod preorder;
mod pricelist;
pub mod redaction;
mod retention;
mod rules;
mod scheduler;
pub mod secrets;
mod sessions;
mod settings;
mod ship_by;
mod statuses;
mod supervise;
mod sync;
mod transfers;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ordertray_connectors::http_client;
pub use ordertray_connectors::HttpSettings;
use ordertray_core::cabinet::PageCursor;
use ordertray_core::notify_text::Lang;
use ordertray_core::{
    AccountId, AppError, AppInfo, CustomerPage, CustomerSummary, EngineEvent, InboxLine, InboxPage,
    InboxQuery, LineState, OrderDetail, OrderView, OutboxView, ShopOrderView, TriageAction, TriageReport,
};
use ordertray_store::Store;
use tokio::sync::{broadcast, Notify};
use tokio::task::JoinHandle;

pub use accounts::SecretInput;
pub use alerts::AlertPayload;
pub use demo::{DEMO_API_KEY, DEMO_CLIENT_ID};
pub use keychain_gate::KEYCHAIN_WAIT;
pub use notifier::{DesktopNotifier, LogNotifier, Notification, Notifier, RecordingNotifier};
/// What each integration is and can do (the shell and the CLI name integrations through it).
pub use ordertray_connectors::registry;
pub use outbox::MAX_ATTEMPTS;
pub use rules::RULE_ACTOR;
pub use secrets::{entry_name, KeychainStore, MemorySecretStore, SecretStore};

pub type Result<T> = std::result::Result<T, AppError>;

pub struct EngineOptions {
    pub db_path: PathBuf,
    pub secrets: Arc<dyn SecretStore>,
    pub notifier: Arc<dyn Notifier>,
    pub lang: Lang,
    /// Who triage decisions are attributed to in the audit timeline ("manager", "cli").
    pub actor: String,
    pub http: HttpSettings,
    /// Whether OS notifications can be shown (the UI falls back to in-app banners otherwise).
    pub notifications_ok: bool,
    /// Prove at start-up that the secret store keeps secrets (the app does; one-shot CLI runs
    /// skip it and meet a broken keychain at first use instead).
    pub probe_secrets: bool,
    /// How long a keychain call may take before it is given up as not answering
    /// ([`KEYCHAIN_WAIT`] unless a test needs it short).
    pub keychain_wait: std::time::Duration,
}

/// Cheap to clone; every clone drives the same system.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

struct Inner {
    store: Store,
    secrets: Arc<dyn SecretStore>,
    /// The namespace of this database's keychain entries (see `secrets::entry_name`).
    database_id: String,
    notifier: Arc<dyn Notifier>,
    events: broadcast::Sender<EngineEvent>,
    http: reqwest::Client,
    lang: Mutex<Lang>,
    actor: String,
    /// The start's check of the keychain: None until it answers (or is given up on).
    keychain: Arc<Mutex<Option<std::result::Result<(), AppError>>>>,
    keychain_gate: keychain_gate::KeychainGate,
    /// Whose keys the account list knows to be there (see `accounts::KeysSeen`).
    keys_seen: Mutex<accounts::KeysSeen>,
    notifications_ok: bool,
    /// Held by each sync run of an account (one at a time).
    sync_locks: Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>,
    /// Held by a scheduled run once it runs (a manager's "sync now" holds none): what a pause and
    /// a poller's restart wait for.
    scheduled_runs: Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>,
    pollers: Mutex<HashMap<AccountId, scheduler::Poller>>,
    outbox_wake: Notify,
    /// This instance's id on the outbox rows it holds in flight and on its sync runs, and how
    /// long such a lease lasts.
    instance: String,
    outbox_lease: Mutex<std::time::Duration>,
    running: std::sync::atomic::AtomicBool,
    /// Whether the retention pass runs (see `retention`).
    retention_running: std::sync::atomic::AtomicBool,
    /// How long the manager's decisions wait before their calls go out (0: at once).
    undo_window: Mutex<std::time::Duration>,
    coalescer: Mutex<ordertray_core::alerts::Coalescer<AlertPayload>>,
    /// Taken by each count of the unread badge, in turn (see `emit_unread`).
    unread_turn: tokio::sync::Mutex<()>,
    /// A count of the unread badge is asked for and has not started: the next ask needs none.
    unread_asked: std::sync::atomic::AtomicBool,
    /// Popups being shown (each a blocking call to the OS): what a process about to end waits for
    /// (`show_held_alerts_now`).
    popups: Mutex<tokio::task::JoinSet<()>>,
    background: Mutex<Vec<JoinHandle<()>>>,
    /// Set by `shutdown`: a supervisor started after it stops at once.
    stopped: std::sync::atomic::AtomicBool,
    /// Every run of a supervised task (pollers and `background`): what `shutdown` waits for.
    tasks: tokio_util::task::TaskTracker,
    demo: tokio::sync::Mutex<Option<demo::DemoRuntime>>,
    /// Set to stop the running CSV export.
    export_cancel: std::sync::atomic::AtomicBool,
    /// Files this run wrote (exports, diagnostic bundles): the only ones "open" and "show in
    /// folder" act on.
    exported: Mutex<std::collections::HashSet<PathBuf>>,
    /// The order intake server (integrations that push their orders), when it runs.
    intake: Mutex<Option<intake::Running>>,
    /// The limits the intake starts with next (see `intake::IntakeLimits`).
    intake_limits: Mutex<intake::IntakeLimits>,
    /// The accounts' intake keys while the intake runs (no keychain read per request).
    intake_keys: intake::KeyCache,
    /// What the intake refused since the engine started.
    intake_counters: intake::Counters,
    /// One built client per account, reused across syncs and deliveries.
    sessions: sessions::Sessions,
}

/// An engine on a new database in `dir`, with secrets in memory and popups recorded (unit tests).
#[cfg(test)]
pub(crate) async fn test_engine(dir: &std::path::Path) -> Engine {
    Engine::open(EngineOptions {
        db_path: dir.join("t.db"),
        secrets: Arc::new(MemorySecretStore::default()),
        notifier: Arc::new(RecordingNotifier::default()),
        lang: Default::default(),
        actor: "test".into(),
        http: Default::default(),
        notifications_ok: true,
        probe_secrets: false,
        keychain_wait: KEYCHAIN_WAIT,
    })
    .await
    .unwrap()
}

/// Lines waiting for a decision are listed with the offer `a` would accept them with.
fn shows_best_offers(query: &InboxQuery) -> bool {
    query.state == LineState::New && !query.processed
}

impl Engine {
    /// Opens the database and checks the secret store once. Background work starts with
    /// [`Engine::start_background`]. Outbox rows another process holds are left alone: they are
    /// taken over only when their lease expires (see `outbox`).
    pub async fn open(options: EngineOptions) -> Result<Self> {
        // The store reads accounts' settings through the integrations' codec.
        registry::install();
        let store = Store::open(&options.db_path).await?;
        let (events, _) = broadcast::channel(256);
        let keychain_gate = keychain_gate::KeychainGate::new(options.keychain_wait);
        let keychain = Arc::new(Mutex::new(None));
        let probed = if options.probe_secrets {
            let (secrets, state, told) = (options.secrets.clone(), keychain.clone(), events.clone());
            let probed = keychain_gate
                .run(move || {
                    let answer = secrets.check();
                    // Also when it answers after start-up stopped waiting (a prompt answered late).
                    *state.lock().expect("keychain state poisoned") = Some(answer.clone());
                    let _ = told.send(EngineEvent::KeychainChecked {});
                    answer
                })
                .await;
            if let Err(e) = &probed {
                keychain
                    .lock()
                    .expect("keychain state poisoned")
                    .get_or_insert_with(|| Err(e.clone()));
            }
            probed
        } else {
            Ok(())
        };
        if let Err(e) = &probed {
            tracing::warn!(error = %e, "secret store unavailable");
        }
        let database_id = store.database_id().await?;
        // A keychain known to be unavailable was warned about above; the move waits for a start
        // where it works.
        if probed.is_ok() {
            secrets::move_legacy_entries_of(&store, &options.secrets, &keychain_gate, &database_id).await;
        }
        Ok(Self(Arc::new(Inner {
            store,
            secrets: options.secrets,
            database_id,
            notifier: options.notifier,
            events,
            http: http_client(&options.http),
            lang: Mutex::new(options.lang),
            actor: options.actor,
            keychain,
            keychain_gate,
            keys_seen: Mutex::default(),
            notifications_ok: options.notifications_ok,
            sync_locks: Mutex::default(),
            scheduled_runs: Mutex::default(),
            pollers: Mutex::default(),
            outbox_wake: Notify::new(),
            instance: outbox::new_owner_id(),
            outbox_lease: Mutex::new(outbox::lease_length(options.http.timeout)),
            running: Default::default(),
            retention_running: Default::default(),
            undo_window: Mutex::default(),
            coalescer: Mutex::new(ordertray_core::alerts::Coalescer::new(chrono::Duration::seconds(
                60,
            ))),
            unread_turn: tokio::sync::Mutex::new(()),
            unread_asked: std::sync::atomic::AtomicBool::new(false),
            popups: Mutex::default(),
            background: Mutex::default(),
            stopped: std::sync::atomic::AtomicBool::new(false),
            tasks: tokio_util::task::TaskTracker::new(),
            demo: tokio::sync::Mutex::new(None),
            export_cancel: Default::default(),
            exported: Mutex::default(),
            intake: Mutex::default(),
            intake_limits: Mutex::default(),
            intake_keys: Default::default(),
            intake_counters: Default::default(),
            sessions: Default::default(),
        })))
    }

    /// How long this engine's claim on an outbox row holds before another process may take the
    /// row over (tests move their clock past it to simulate a crashed owner).
    pub fn outbox_lease(&self) -> std::time::Duration {
        *self.0.outbox_lease.lock().expect("outbox lease poisoned")
    }

    /// Shortens (or lengthens) this engine's outbox lease: the fault suite kills processes mid-call
    /// and needs their rows taken over in seconds. A lease shorter than one marketplace call lets
    /// another process call again while the first still waits for its answer.
    pub fn set_outbox_lease(&self, lease: std::time::Duration) {
        *self.0.outbox_lease.lock().expect("outbox lease poisoned") = lease;
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// This database's id: its keychain entries are `<database id>/<account id>/<field>`.
    pub fn database_id(&self) -> &str {
        &self.0.database_id
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.0.events.subscribe()
    }

    pub(crate) fn emit(&self, event: EngineEvent) {
        // No subscriber is fine: the CLI has none.
        let _ = self.0.events.send(event);
    }

    /// Counts the waiting lines for the badge and sends the count, beside the caller's work: a
    /// decision does not wait for a count over every waiting line (a walk of 100,000 index
    /// entries). One count at a time, each taken after those asked for before it, so the last
    /// count sent is never older than the last change; asks while a count waits for its turn
    /// are that count's (1,000 decisions in a row queued 1,000 counts, which went on for seconds
    /// after them, beside the manager's searches, at a million lines).
    pub(crate) fn emit_unread(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        if self.0.unread_asked.swap(true, SeqCst) {
            return;
        }
        let engine = self.clone();
        tokio::spawn(async move {
            let _turn = engine.0.unread_turn.lock().await;
            // Taken before counting: a change from here on asks for a count of its own.
            engine.0.unread_asked.store(false, SeqCst);
            if let Ok(count) = engine.0.store.unread_count().await {
                engine.emit(EngineEvent::UnreadCount { count });
            }
        });
    }

    pub fn set_lang(&self, lang: Lang) {
        *self.0.lang.lock().expect("lang poisoned") = lang;
    }

    pub fn lang(&self) -> Lang {
        *self.0.lang.lock().expect("lang poisoned")
    }

    pub async fn app_info(&self) -> Result<AppInfo> {
        let keychain_failure = match &*self.0.keychain.lock().expect("keychain state poisoned") {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        };
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            db_path: self.0.store.path().display().to_string(),
            keychain_ok: keychain_failure.is_none(),
            keychain_message: keychain_failure.map(|e| e.message),
            notifications_ok: self.0.notifications_ok,
            unread: self.0.store.unread_count().await?,
            demo_running: self.0.demo.lock().await.is_some(),
        })
    }

    /// The inbox; lines waiting for a decision carry their best offer (see `best_offers`).
    pub async fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxLine>> {
        let mut lines = self.0.store.inbox(query).await?;
        if shows_best_offers(query) {
            self.with_best_offers(&mut lines).await?;
        }
        Ok(lines)
    }

    /// One read of the inbox as the screen pages through it (see `Store::inbox_page`); lines
    /// waiting for a decision carry their best offer.
    pub async fn inbox_page(&self, query: &InboxQuery) -> Result<InboxPage> {
        let mut page = self.0.store.inbox_page(query).await?;
        if shows_best_offers(query) {
            self.with_best_offers(&mut page.lines).await?;
        }
        Ok(page)
    }

    pub async fn orders(
        &self,
        account: Option<AccountId>,
        state: Option<LineState>,
    ) -> Result<Vec<OrderView>> {
        Ok(self.0.store.orders(account, state).await?)
    }

    pub async fn order_detail(&self, id: i64) -> Result<OrderDetail> {
        Ok(self.0.store.order_detail(id).await?)
    }

    /// Accept / reject / delete / restore lines: one transaction with its audit events and outbox
    /// rows; the outbox worker is woken to deliver them.
    pub async fn triage(&self, lines: &[i64], action: TriageAction) -> Result<TriageReport> {
        let extras = ordertray_store::TriageExtras {
            move_customer_region: self.settings().await?.move_customer_region,
            hold: self.undo_hold(),
            ..Default::default()
        };
        self.triage_with(lines, action, &extras, None).await
    }

    /// The manager's decisions hold their marketplace calls this long so they can be undone.
    pub fn set_undo_window(&self, window: std::time::Duration) {
        *self.0.undo_window.lock().expect("undo window poisoned") = window;
    }

    pub(crate) fn undo_hold(&self) -> Option<chrono::Duration> {
        let window = *self.0.undo_window.lock().expect("undo window poisoned");
        (!window.is_zero()).then(|| chrono::Duration::from_std(window).unwrap_or_default())
    }

    /// Takes back decisions whose calls have not gone out yet (the lines return to the inbox).
    pub async fn undo_triage(&self, lines: &[i64]) -> Result<Vec<i64>> {
        let undone = self.0.store.undo_triage(lines, &self.0.actor).await?;
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.emit_unread();
        Ok(undone)
    }

    /// Triage with extras; `actor` overrides the engine's own (rules act as "rule").
    pub(crate) async fn triage_with(
        &self,
        lines: &[i64],
        action: TriageAction,
        extras: &ordertray_store::TriageExtras,
        actor: Option<&str>,
    ) -> Result<TriageReport> {
        let actor = actor.unwrap_or(&self.0.actor);
        let extras = ordertray_store::TriageExtras {
            lang: self.lang(),
            ..extras.clone()
        };
        let report = self.0.store.triage_with(lines, action, actor, &extras).await?;
        self.report_decision_notices(&report.changed, action, actor).await;
        if !report.outbox_rows.is_empty() {
            self.0.outbox_wake.notify_one();
        }
        self.emit(EngineEvent::OrdersChanged { account_id: None });
        self.emit_unread();
        Ok(report)
    }

    pub async fn shop_orders(&self, customer: Option<i64>, limit: u32) -> Result<Vec<ShopOrderView>> {
        Ok(self.0.store.shop_orders(customer, limit).await?)
    }

    pub async fn customers(&self, limit: u32) -> Result<Vec<CustomerSummary>> {
        Ok(self.0.store.customers(limit).await?)
    }

    /// A keyset page of the Customers screen: most recent buyer first, or under a search (a
    /// fragment of a name, phone or e-mail) the customers it finds, newest customer first.
    pub async fn customers_page(
        &self,
        search: &str,
        after: Option<&PageCursor>,
        limit: u32,
    ) -> Result<CustomerPage> {
        Ok(self.0.store.customers_found(search, after, limit).await?)
    }

    pub async fn products(
        &self,
        query: &ordertray_core::ProductQuery,
    ) -> Result<Vec<ordertray_core::ProductView>> {
        Ok(self.0.store.products(query).await?)
    }

    pub async fn product_categories(&self) -> Result<Vec<ordertray_core::CategoryView>> {
        Ok(self.0.store.product_categories().await?)
    }

    pub async fn product_orders(&self, product_id: i64) -> Result<Vec<ordertray_core::ProductOrder>> {
        Ok(self.0.store.product_orders(product_id).await?)
    }

    pub async fn outbox_list(&self, account: Option<AccountId>) -> Result<Vec<OutboxView>> {
        Ok(self.0.store.outbox_list(account, None).await?)
    }

    /// The account's sync log: its latest `limit` runs and the orders its import rules left out.
    pub async fn account_log(&self, account: AccountId, limit: u32) -> Result<ordertray_core::AccountLog> {
        Ok(self.0.store.account_log(account, limit).await?)
    }

    /// Stops background tasks (pollers, outbox worker, demo marketplace) and returns once their
    /// runs are gone.
    pub async fn shutdown(&self) {
        // A restart of a poller still waiting for its account's run (`reschedule`) then starts none.
        self.0.running.store(false, std::sync::atomic::Ordering::SeqCst);
        let supervisors: Vec<_> = {
            let mut pollers = self.0.pollers.lock().expect("pollers poisoned");
            let mut background = self.0.background.lock().expect("background poisoned");
            // Under both locks, which each start takes to keep its supervisor (`keep_poller`,
            // `keep_background`): a start racing this one is either drained here or stops itself.
            self.0.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
            let pollers = pollers.drain().map(|(_, p)| p.task);
            pollers.chain(background.drain(..)).collect()
        };
        supervise::stop(supervisors, &self.0.tasks).await;
        if let Some(demo) = self.0.demo.lock().await.take() {
            demo.stop();
        }
        self.stop_intake().await;
    }
}

#[cfg(test)]
mod tests {
    use ordertray_core::EngineEvent;

    /// Asks for the badge's count made while one waits for its turn are answered by that count:
    /// a burst of changes makes one count, not one each; an ask after a count started makes
    /// another.
    #[tokio::test]
    async fn a_burst_of_changes_is_counted_once_not_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let engine = super::test_engine(dir.path()).await;
        let mut rx = engine.subscribe();
        let counted = |rx: &mut tokio::sync::broadcast::Receiver<EngineEvent>| {
            let mut n = 0;
            while let Ok(event) = rx.try_recv() {
                n += usize::from(matches!(event, EngineEvent::UnreadCount { .. }));
            }
            n
        };
        for _ in 0..100 {
            engine.emit_unread();
        }
        let next = |rx: &mut tokio::sync::broadcast::Receiver<EngineEvent>| {
            let mut rx = rx.resubscribe();
            async move {
                loop {
                    if let Ok(EngineEvent::UnreadCount { count }) = rx.recv().await {
                        return count;
                    }
                }
            }
        };
        let first = tokio::time::timeout(std::time::Duration::from_secs(30), next(&mut rx))
            .await
            .expect("the count of the burst");
        assert_eq!(first, 0);
        // Every task spawned so far has run to its end by the time a later ask is answered.
        engine.emit_unread();
        tokio::time::timeout(std::time::Duration::from_secs(30), next(&mut rx))
            .await
            .expect("the count asked after it");
        // The turn is handed out in order: once this test has it, every count queued is sent.
        drop(engine.0.unread_turn.lock().await);
        assert_eq!(
            counted(&mut rx),
            2,
            "one count for the burst, one for the ask after it"
        );
        engine.shutdown().await;
    }
}
