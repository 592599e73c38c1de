//! One sync run of one account: pages from the connector, each stored with its cursor in one
//! transaction; then one notification for the whole burst.

use std::time::{Duration, Instant};

use chrono::Utc;
use ordertray_connectors::registry;
use ordertray_core::alerts::AlertKind;
use ordertray_core::{Account, AccountId, AppError, EngineEvent, SyncReport};
use ordertray_store::{NewOrderRef, PageOutcome, Payloads};

use crate::notifier::Notification;
use crate::{AlertPayload, Engine, Result};

/// A run cannot loop forever on a marketplace that keeps saying "more".
const MAX_PAGES_PER_RUN: u32 = 5_000;

/// Why a run stopped early, and when it is worth trying again.
#[derive(Debug, Clone)]
pub struct SyncFailure {
    pub error: AppError,
    pub retry_after: Option<Duration>,
}

/// Where a run's time went: waiting for pages (fetching and parsing what storing the previous page
/// did not hide), and storing them (each page's write transaction, so the time the write lock is
/// held).
#[derive(Default)]
struct Timings {
    fetch: Duration,
    store: Duration,
}

/// The next page being fetched and parsed on a task of its own; a run that stops early (a failed
/// store, a pause) drops it, and that ends the request.
struct Prefetch(tokio::task::JoinHandle<std::result::Result<Fetched, SyncFailure>>);

/// A page, its orders' payloads as stored, and how long it took to get them.
type Fetched = (ordertray_connectors::Page, Payloads, Duration);

impl Prefetch {
    async fn page(mut self) -> std::result::Result<Fetched, SyncFailure> {
        match (&mut self.0).await {
            Ok(fetched) => fetched,
            Err(e) => Err(SyncFailure {
                error: AppError::new(
                    ordertray_core::ErrorCode::Internal,
                    format!("fetching a page stopped: {e}"),
                ),
                retry_after: None,
            }),
        }
    }
}

impl Drop for Prefetch {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[derive(Default)]
struct Burst {
    /// Every new order stored (or picked up), to be settled once its follow-up is done.
    arrivals: Vec<i64>,
    /// Those waiting for a decision: the rules see them and they are announced.
    new_orders: Vec<NewOrderRef>,
    cancelled: Vec<NewOrderRef>,
    /// Known orders the marketplace moved to another status, with the status.
    status_changed: Vec<(NewOrderRef, String)>,
    new_lines: u32,
}

/// Who started a run: the manager's (or the CLI's) "sync now" goes on through a pause; the
/// schedule's polls do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    Asked,
    Schedule,
}

impl Engine {
    /// Syncs one account now (a second call for the same account waits for the first).
    pub async fn sync_account(&self, id: AccountId) -> Result<SyncReport> {
        self.sync_account_inner(id, Trigger::Asked)
            .await
            .map_err(|f| f.error)
    }

    /// One run. A scheduled one looks at the pause once it holds the account's lock, and again
    /// between pages: a pause never lets a poll start or go on after [`Engine::pause_sync`]
    /// returned (see there). None: a scheduled run the pause stopped before it began.
    pub(crate) async fn sync_account_inner(
        &self,
        id: AccountId,
        trigger: Trigger,
    ) -> std::result::Result<SyncReport, SyncFailure> {
        let fail = |error: AppError| SyncFailure {
            error,
            retry_after: None,
        };
        let lock = self.sync_lock(id);
        let _running = lock.lock().await;
        // Taken after the run's lock: a scheduled run waiting behind a manager's "sync now" is
        // nothing a pause waits for (it sees the pause once it runs).
        let scheduled = (trigger == Trigger::Schedule).then(|| self.scheduled_run_lock(id));
        let _scheduled = match &scheduled {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        if trigger == Trigger::Schedule && self.sync_pause().await.is_some() {
            return Ok(SyncReport {
                account_id: id,
                ..Default::default()
            });
        }
        let account = self.0.store.account(id).await.map_err(|e| fail(e.into()))?;
        let mut burst = Burst::default();
        if !registry::spec(&account.kind).polled {
            // Nothing to pull: the account's orders come to the intake, which keeps its health.
            self.pick_up_arrivals(&account, true, &mut burst).await;
            self.finish_burst(&account, &burst).await;
            return Ok(SyncReport {
                account_id: id,
                ..Default::default()
            });
        }
        let now = Utc::now();
        let run = self
            .0
            .store
            .start_sync_run(id, &self.run_lease(now), now)
            .await
            .map_err(|e| fail(e.into()))?;
        // Kept alive beside the pages too: a page long in coming (a marketplace's limit waited
        // out) must not let another process take this live run's orders for orphans.
        // The run stays its own (see `renew_sync_run`): it goes on whatever a renewal finds.
        let renew = || async move {
            let lease = self.run_lease(Utc::now());
            self.0.store.renew_sync_run(run, &lease).await.map(|()| true)
        };
        let pages = self.run_pages(&account, run, trigger, burst);
        let Some(outcome) = crate::outbox::keeping_alive(self.outbox_lease(), renew, pages).await else {
            unreachable!("a run's renewals never give it up")
        };
        outcome
    }

    /// A run's pages, its record and its follow-up, under its lease.
    async fn run_pages(
        &self,
        account: &Account,
        run: i64,
        trigger: Trigger,
        mut burst: Burst,
    ) -> std::result::Result<SyncReport, SyncFailure> {
        let id = account.id;
        self.pick_up_arrivals(account, true, &mut burst).await;
        let mut report = SyncReport {
            account_id: id,
            ..Default::default()
        };
        let outcome = self
            .sync_pages((account, run), trigger, &mut report, &mut burst)
            .await;
        let error = outcome.as_ref().err().map(|f| f.error.clone());
        if let Err(e) = self
            .0
            .store
            .finish_sync_run(run, &report, error.as_ref(), Utc::now())
            .await
        {
            tracing::error!(account = id, error = %e, "could not record the sync run");
        }
        if let Some(message) = &error {
            tracing::warn!(account = id, %message, "sync failed");
        }
        self.note_sync_outcome(account, error.as_ref()).await;
        self.emit(EngineEvent::AccountHealth { account_id: id });
        // Pages committed before a failure still count: their orders are announced.
        self.finish_burst(account, &burst).await;
        outcome.map(|()| report)
    }

    async fn sync_pages(
        &self,
        (account, run): (&Account, i64),
        trigger: Trigger,
        report: &mut SyncReport,
        burst: &mut Burst,
    ) -> std::result::Result<(), SyncFailure> {
        let fail = |error: AppError| SyncFailure {
            error,
            retry_after: None,
        };
        let client = self.session(account).await.map_err(fail)?;
        let name = registry::spec(&account.kind).name;
        let Some(source) = client.order_source() else {
            return Err(fail(AppError::said(
                ordertray_core::ErrorCode::Internal,
                ordertray_core::ErrorWords::NoOrderSource {
                    marketplace: name.to_string(),
                },
            )));
        };
        let mut cursor = self
            .0
            .store
            .cursor(account.id)
            .await
            .map_err(|e| fail(e.into()))?;
        let mut timings = Timings::default();
        let shop_currency = self.shop_currency_of(account).await.map_err(fail)?;
        // A task of its own: parsing a page is CPU work, and on the run's task it would hold up
        // the statements of the page being stored (the two would take turns on one thread).
        let fetch = |cursor: String| {
            let client = client.clone();
            Prefetch(tokio::spawn(async move {
                let started = Instant::now();
                let Some(source) = client.order_source() else {
                    unreachable!("checked before the run's first page")
                };
                let page = source
                    .fetch_page(&cursor, Utc::now())
                    .await
                    .map_err(|e| SyncFailure {
                        error: e.to_app_error(),
                        retry_after: e.retry_after(),
                    })?;
                let payloads = Payloads::of(&page.orders);
                Ok::<_, SyncFailure>((page, payloads, started.elapsed()))
            }))
        };
        // The cursor after pages that changed nothing, not kept yet.
        let mut unkept: Option<String> = None;
        let outcome = async {
            // The next page is asked for while this one is stored: the marketplace's answer time
            // and the database's work overlap instead of adding up.
            let mut prefetched = None;
            for n in 0..MAX_PAGES_PER_RUN {
                // Paused mid-run: the run ends here, as a stop and not a failure; the rest waits
                // for the next run (the cursor is kept per page).
                if n > 0 && trigger == Trigger::Schedule && self.sync_pause().await.is_some() {
                    return Ok(());
                }
                let waited = Instant::now();
                let (page, payloads, _) = match prefetched.take() {
                    Some(fetched) => fetched,
                    None => fetch(cursor.clone()),
                }
                .page()
                .await?;
                timings.fetch += waited.elapsed();
                if let Some(currency) = shop_currency.as_deref() {
                    foreign_currency(&page.orders, currency, name).map_err(fail)?;
                }
                let store = async {
                    let started = Instant::now();
                    let now = Utc::now();
                    let source = ordertray_store::Arriving {
                        owner: &self.0.instance,
                        run: Some((run, self.run_lease(now).until)),
                    };
                    let parts = (&page.orders[..], &payloads, &page.quarantined[..], &page.skipped[..]);
                    let out = async {
                        // A page that brings nothing new takes no write turn: its cursor is kept
                        // with the next page stored, or when the run stops (the last is stored).
                        if !page.done && self.0.store.page_changes_nothing(account.id, parts).await? {
                            return Ok(None);
                        }
                        let arriving = (account.id, name, &source);
                        let store = &self.0.store;
                        store.apply_page_with_skips(arriving, parts, &page.next_cursor, now).await.map(Some)
                    }
                    .await;
                    (out, started.elapsed())
                };
                if !page.done && n + 1 < MAX_PAGES_PER_RUN {
                    prefetched = Some(fetch(page.next_cursor.clone()));
                }
                let (out, stored) = store.await;
                timings.store += stored;
                let out = match out.map_err(|e| fail(e.into()))? {
                    Some(out) => {
                        unkept = None;
                        out
                    }
                    None => {
                        unkept = Some(page.next_cursor.clone());
                        PageOutcome::default()
                    }
                };
                report.pages += 1;
                report.orders_seen += page.orders.len() as u32;
                report.orders_new += out.new_orders.len() as u32;
                report.orders_changed += out.changed_orders;
                report.lines_new += out.new_lines;
                report.quarantined += out.quarantined;
                report.skipped += page.skipped.len() as u32;
                for s in &page.skipped {
                    tracing::info!(account = account.id, number = %s.number, reason = ?s.reason, "order not imported");
                }
                if let Some((pages_done, pages_total)) = page.progress.filter(|(_, total)| *total > 1) {
                    self.emit(EngineEvent::SyncProgress {
                        account_id: account.id,
                        pages_done,
                        pages_total,
                    });
                }
                self.take_page(account, out, burst).await;
                cursor = page.next_cursor;
                if page.done {
                    return Ok(());
                }
            }
            Err(fail(AppError::said(
                ordertray_core::ErrorCode::Marketplace,
                ordertray_core::ErrorWords::TooManyPages {
                    marketplace: name.to_string(),
                    max: MAX_PAGES_PER_RUN as u64,
                },
            )))
        }
        .await;
        if let Some(cursor) = unkept {
            if let Err(e) = self.0.store.keep_cursor(account.id, &cursor, Utc::now()).await {
                // Those pages are read again by the next run: they changed nothing.
                tracing::warn!(account = account.id, error = %e, "could not keep the sync cursor");
            }
        }
        tracing::debug!(
            account = account.id,
            pages = report.pages,
            fetch_ms = timings.fetch.as_secs_f64() * 1e3,
            store_ms = timings.store.as_secs_f64() * 1e3,
            "sync timings"
        );
        if outcome.is_ok() {
            let notice = source.notice(Utc::now()).await;
            if let Err(e) = self.0.store.set_account_notice(account.id, notice.as_ref()).await {
                tracing::warn!(account = account.id, error = %e, "could not keep the account's notice");
            }
        }
        outcome
    }

    /// The shop's currency when the account's orders must be in it (its ingest policy).
    async fn shop_currency_of(&self, account: &Account) -> std::result::Result<Option<String>, AppError> {
        if !account.settings.policy()?.ingest.shop_currency_only {
            return Ok(None);
        }
        let currency = self.settings().await?.shop_currency.trim().to_uppercase();
        Ok(Some(if currency.is_empty() {
            "RUB".into()
        } else {
            currency
        }))
    }

    /// What follows storing orders a marketplace pushed (the intake): the same as after a sync
    /// run of one page.
    pub(crate) async fn after_ingest(&self, account: &Account, out: PageOutcome) {
        let mut burst = Burst::default();
        self.pick_up_arrivals(account, false, &mut burst).await;
        self.take_page(account, out, &mut burst).await;
        self.finish_burst(account, &burst).await;
    }

    /// One stored page (polled or pushed): the UI told, assembled postings accepted, and what to
    /// announce kept for the end of the run.
    async fn take_page(&self, account: &Account, out: ordertray_store::PageOutcome, burst: &mut Burst) {
        if !out.new_orders.is_empty() || out.changed_orders > 0 || out.quarantined > 0 {
            self.emit(EngineEvent::OrdersChanged {
                account_id: Some(account.id),
            });
        }
        if !out.preaccepted.is_empty() {
            self.accept_assembled(account.id, &out.preaccepted).await;
        }
        burst.new_lines += out.new_lines;
        let arrived = out.new_orders.iter().map(|o| o.order_id);
        burst
            .arrivals
            .extend(arrived.chain(out.preaccepted.iter().copied()));
        burst.new_orders.extend(out.new_orders);
        burst.cancelled.extend(out.cancelled_by_marketplace);
        burst.status_changed.extend(out.status_changed);
    }

    /// New orders an earlier run (or push) stored and never followed up (Quit or a crash before
    /// its end), taken into this one: those decided elsewhere accepted now, the rest ruled and
    /// announced with this run's. `holds_runs`: the caller holds the account's run lock.
    async fn pick_up_arrivals(&self, account: &Account, holds_runs: bool, burst: &mut Burst) {
        let orphans = match self
            .0
            .store
            .orphaned_arrivals(account.id, &self.0.instance, holds_runs, Utc::now())
            .await
        {
            Ok(orphans) => orphans,
            Err(e) => {
                tracing::warn!(account = account.id, error = %e, "left orders not looked for; the next run looks again");
                return;
            }
        };
        if orphans.is_empty() {
            return;
        }
        tracing::info!(
            account = account.id,
            orders = orphans.len(),
            "new orders an interrupted run left, picked up"
        );
        let accept: Vec<i64> = orphans.iter().filter(|a| a.accept).map(|a| a.order_id).collect();
        // A page's worth at a time, as the run would have (one bound value per order).
        for some in accept.chunks(1_000) {
            self.accept_assembled(account.id, some).await;
        }
        for a in orphans {
            burst.arrivals.push(a.order_id);
            // Announced as the run would have: also when accepted on arrival or decided since.
            if a.announce {
                burst.new_lines += a.lines;
                burst.new_orders.push(NewOrderRef {
                    order_id: a.order_id,
                    number: a.number,
                });
            }
        }
    }

    /// The end of a run: the rules decide its new orders, then one announcement and the unread
    /// count. Settling is a claim: orders another process picked up meanwhile are its to announce.
    async fn finish_burst(&self, account: &Account, burst: &Burst) {
        if !burst.new_orders.is_empty() {
            let orders: Vec<i64> = burst.new_orders.iter().map(|o| o.order_id).collect();
            self.apply_rules_after_sync(account.id, &orders).await;
        }
        let settled = match self.0.store.settle_arrivals(&burst.arrivals).await {
            Ok(settled) => settled,
            Err(e) => {
                // Announced by the run that settles them, so never twice.
                tracing::warn!(account = account.id, error = %e, "new orders' follow-up not recorded; the next run announces them");
                Default::default()
            }
        };
        self.announce(account, burst, &settled).await;
        self.emit_unread();
    }

    /// One announcement per burst, naming the account and the first order; one for buyer cancellations.
    async fn announce(&self, account: &Account, burst: &Burst, settled: &std::collections::HashSet<i64>) {
        let payload = |first: &NewOrderRef| AlertPayload {
            number: first.number.clone(),
            order_id: Some(first.order_id),
            ..AlertPayload::about(Some(account))
        };
        let new_orders: Vec<&NewOrderRef> = burst
            .new_orders
            .iter()
            .filter(|o| settled.contains(&o.order_id))
            .collect();
        if let Some(first) = new_orders.first() {
            self.emit(EngineEvent::NewLines {
                account_id: account.id,
                orders: new_orders.len() as u32,
                lines: burst.new_lines,
                first_order_id: Some(first.order_id),
            });
            self.alert(AlertKind::NewOrder, new_orders.len(), payload(first))
                .await;
        }
        if let Some(first) = burst.cancelled.first() {
            self.alert(AlertKind::BuyerCancelled, burst.cancelled.len(), payload(first))
                .await;
        }
        if let Some((first, status)) = burst.status_changed.first() {
            let p = AlertPayload {
                detail: status.clone(),
                ..payload(first)
            };
            self.alert(AlertKind::StatusChanged, burst.status_changed.len(), p)
                .await;
        }
    }

    /// Orders the seller already decided in the marketplace's own cabinet arrive accepted (the
    /// integration's ingest policy): accepting them makes their shop orders; nothing is sent back
    /// (the marketplace has the decision; a posting already delivered may list no actions at all,
    /// which would read as "ship allowed"). A failure leaves them in the inbox.
    async fn accept_assembled(&self, account: AccountId, orders: &[i64]) {
        let run = async {
            let lines = self.0.store.new_lines_of_orders(orders).await?;
            if lines.is_empty() {
                return Ok(0);
            }
            let extras = ordertray_store::TriageExtras {
                lang: self.lang(),
                made_elsewhere: true,
                ..Default::default()
            };
            self.0
                .store
                .triage_with(&lines, ordertray_core::TriageAction::Accept, "sync", &extras)
                .await?;
            Ok::<_, ordertray_store::StoreError>(lines.len())
        };
        match run.await {
            Ok(n) if n > 0 => tracing::info!(account, lines = n, "lines accepted on arrival"),
            Ok(_) => {}
            Err(e) => tracing::warn!(account, error = %e, "lines to accept on arrival left in the inbox"),
        }
    }

    /// Shows a popup without ever blocking the caller or failing it.
    pub fn popup(&self, n: Notification) {
        let notifier = self.0.notifier.clone();
        let mut popups = self.0.popups.lock().expect("popups poisoned");
        while popups.try_join_next().is_some() {}
        popups.spawn_blocking(move || {
            if let Err(e) = notifier.notify(&n) {
                tracing::warn!(error = %e, "notification failed; the in-app banner still shows it");
            }
        });
    }

    pub(crate) fn sync_lock(&self, id: AccountId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        lock_of(&self.0.sync_locks, id)
    }

    pub(crate) fn scheduled_run_lock(&self, id: AccountId) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        lock_of(&self.0.scheduled_runs, id)
    }

    /// Every account's [`Self::scheduled_run_lock`] made so far.
    pub(crate) fn scheduled_run_locks(&self) -> Vec<std::sync::Arc<tokio::sync::Mutex<()>>> {
        let locks = self.0.scheduled_runs.lock().expect("run locks poisoned");
        locks.values().cloned().collect()
    }
}

/// The account's lock in `locks`, made on first use.
fn lock_of(
    locks: &std::sync::Mutex<std::collections::HashMap<AccountId, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    id: AccountId,
) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    locks
        .lock()
        .expect("run locks poisoned")
        .entry(id)
        .or_default()
        .clone()
}

/// A store selling in another currency than the shop's: its prices would be read as the shop's,
/// so the run stops before anything is stored and the account says why.
fn foreign_currency(
    orders: &[ordertray_core::ExternalOrder],
    shop: &str,
    marketplace: &str,
) -> std::result::Result<(), AppError> {
    let other = orders
        .iter()
        .flat_map(|o| &o.lines)
        .map(|l| l.currency.trim())
        .find(|c| !c.is_empty() && !c.eq_ignore_ascii_case(shop));
    match other {
        Some(currency) => Err(AppError::said(
            ordertray_core::ErrorCode::Marketplace,
            ordertray_core::ErrorWords::CurrencyMismatch {
                marketplace: marketplace.to_string(),
                currency: currency.to_string(),
                shop_currency: shop.to_string(),
            },
        )),
        None => Ok(()),
    }
}
