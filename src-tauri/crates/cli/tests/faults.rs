//! The fault suite (issue 17): real `ordertray-cli` processes on a real SQLite file, the fake Ozon
//! over loopback HTTP in this process (so it outlives every process the test kills).
//!
//! Each test has a time budget, `ORDERTRAY_FAULT_BUDGET_SECS` (default [`DEFAULT_BUDGET_SECS`]),
//! and bounded loops; the random choices come from `ORDERTRAY_FAULT_SEED` (random when unset, and
//! printed so a failure can be replayed). Run alone: `cargo test -p ordertray-cli --test faults --
//! --nocapture` shows the figures (kills survived, faults injected, rows checked).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use common::Cli;
use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig, FakeOzonHandle, Flaky, FlakyRates};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

const KEY_VAR: &str = "ORDERTRAY_TEST_OZON_KEY";
const KEY: &str = "fault-suite-key-5b2c";
const CLIENT_ID: &str = "515";
/// Per test, in seconds: keeps the whole suite within about three minutes of a debug build on two
/// cores. The kill loops stop at their target or at the budget, whichever comes first.
const DEFAULT_BUDGET_SECS: u64 = 40;
const KILLS_WANTED: u32 = 50;
/// The outbox worker's limit of attempts per row (engine/src/outbox.rs).
const MAX_ATTEMPTS: i64 = 8;

fn budget() -> Duration {
    let secs = std::env::var("ORDERTRAY_FAULT_BUDGET_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_BUDGET_SECS);
    Duration::from_secs(secs)
}

/// A seeded random source, the seed printed with the test's name.
fn rng(test: &str) -> fastrand::Rng {
    let seed = std::env::var("ORDERTRAY_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..));
    println!("{test}: ORDERTRAY_FAULT_SEED={seed}");
    fastrand::Rng::with_seed(seed)
}

/// How one child process ended.
enum End {
    /// SIGKILLed by the test at its random moment.
    Killed,
    Exited(ExitStatus),
}

/// Runs the CLI and SIGKILLs it after `kill_after` unless it ended first.
async fn run_killing(cli: &Cli, args: &[&str], kill_after: Duration) -> End {
    let mut command = tokio::process::Command::from(cli.command(args));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = command.spawn().expect("ordertray-cli starts");
    match tokio::time::timeout(kill_after, child.wait()).await {
        Ok(status) => End::Exited(status.expect("wait for ordertray-cli")),
        Err(_) => {
            // tokio's kill is SIGKILL on Unix: no destructor, no rollback, no flush.
            child.kill().await.expect("SIGKILL ordertray-cli");
            End::Killed
        }
    }
}

/// Runs the CLI to its end within `limit`; its output, which must say success.
async fn run_ok(cli: &Cli, args: &[&str], limit: Duration) -> String {
    let mut command = tokio::process::Command::from(cli.command(args));
    command.stdin(Stdio::null()).kill_on_drop(true);
    let out = tokio::time::timeout(limit, command.output())
        .await
        .unwrap_or_else(|_| panic!("{args:?} did not finish within {limit:?}"))
        .expect("ordertray-cli runs");
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn fake() -> FakeOzonHandle {
    FakeOzon::start(FakeOzonConfig::new(CLIENT_ID, KEY))
        .await
        .unwrap()
}

fn add_account(cli: &Cli, fake: &FakeOzonHandle) {
    cli.ok(&[
        "accounts",
        "add",
        "ozon",
        "--name",
        "Fault shop",
        "--client-id",
        CLIENT_ID,
        "--api-key-env",
        KEY_VAR,
        "--base-url",
        &fake.base_url(),
        "--interval",
        "60",
    ]);
}

/// The database as the test reads it, beside the processes (read-only).
async fn open_db(cli: &Cli) -> SqlitePool {
    let options = SqliteConnectOptions::new().filename(&cli.db).read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open the test database")
}

async fn assert_integrity(db: &SqlitePool) {
    let check: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(db)
        .await
        .unwrap();
    assert_eq!(check, ["ok"], "PRAGMA integrity_check");
}

/// Every posting of the fake is stored exactly once with exactly its products as lines and its
/// current status, and nothing else is stored. Returns the number of lines checked.
async fn assert_postings_exactly_once(db: &SqlitePool, fake: &FakeOzonHandle, numbers: &[String]) -> usize {
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT external_id, status, COUNT(*) FROM orders GROUP BY external_id, status")
            .fetch_all(db)
            .await
            .unwrap();
    let stored: BTreeMap<String, (String, i64)> = rows.into_iter().map(|(n, s, c)| (n, (s, c))).collect();
    let wanted: BTreeSet<&String> = numbers.iter().collect();
    assert_eq!(stored.len(), wanted.len(), "stored orders vs the fake's postings");
    let lines: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT o.external_id, l.sku, COUNT(*) FROM lines l JOIN orders o ON o.id = l.order_id
         GROUP BY o.external_id, l.sku",
    )
    .fetch_all(db)
    .await
    .unwrap();
    let mut skus: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (number, sku, count) in lines {
        assert_eq!(count, 1, "line {sku} of {number} stored {count} times");
        skus.entry(number).or_default().push(sku);
    }
    let mut lines_checked = 0;
    for number in numbers {
        let posting = fake.posting(number).expect("the fake knows its posting");
        let (status, count) = stored
            .get(number)
            .unwrap_or_else(|| panic!("posting {number} was lost"));
        assert_eq!(*count, 1, "posting {number} stored {count} times");
        assert_eq!(
            Some(status.as_str()),
            posting["status"].as_str(),
            "status of {number}"
        );
        let mut want: Vec<String> = posting["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["sku"].to_string())
            .collect();
        want.sort();
        let mut have = skus.remove(number).unwrap_or_default();
        have.sort();
        assert_eq!(have, want, "lines of {number}");
        lines_checked += have.len();
    }
    assert!(skus.is_empty(), "lines of unknown postings: {skus:?}");
    lines_checked
}

/// `sync --once` whose run counts as alive only until each page is stored (see `--lease-secs`).
const SYNC_LEASE_ENDING: [&str; 4] = ["sync", "--once", "--lease-secs", "0"];

/// kill -9 at random moments of `sync --once` over thousands of postings (new ones arriving and
/// some cancelled by buyers between runs), restarting each time; then a run to its end.
#[tokio::test(flavor = "multi_thread")]
async fn sync_survives_kill_9_at_random_moments() {
    let budget = budget();
    let mut rng = rng("sync_survives_kill_9_at_random_moments");
    let fake = fake().await;
    let mut numbers = fake.generate_postings(2_000, 2);
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    add_account(&cli, &fake);

    let started = Instant::now();
    // Kill moments are drawn up to the length of a whole run, learned from the runs that finish.
    let mut horizon = Duration::from_secs(3);
    let (mut kills, mut completed, mut cancelled) = (0u32, 0u32, 0u32);
    while kills < KILLS_WANTED && started.elapsed() < budget {
        numbers.extend(fake.generate_postings(rng.usize(0..=5), 2));
        if rng.bool() {
            let n = &numbers[rng.usize(..numbers.len())];
            cancelled += u32::from(fake.set_status(n, "cancelled"));
        }
        let kill_after = horizon.mul_f64(rng.f64() * 0.8);
        let t = Instant::now();
        // A killed run's lease ends with each page: the next run picks up its orders' follow-up.
        match run_killing(&cli, &SYNC_LEASE_ENDING, kill_after).await {
            End::Killed => kills += 1,
            End::Exited(status) => {
                assert!(status.success(), "an unkilled sync failed: {status}");
                completed += 1;
                horizon = t.elapsed().max(Duration::from_millis(200));
            }
        }
    }
    // The last killed run is finished first; a change made while a run was under way (a buyer
    // cancel between two killed attempts of one run) is read by the run after it, which reads
    // changes from the interrupted run's start: so one more run, as the next poll would.
    for _ in 0..2 {
        let out = run_ok(&cli, &SYNC_LEASE_ENDING, budget + Duration::from_secs(120)).await;
        assert!(out.contains("account"), "{out}");
    }

    let db = open_db(&cli).await;
    assert_integrity(&db).await;
    let lines = assert_postings_exactly_once(&db, &fake, &numbers).await;
    // Every new order had its follow-up (rules, popup): none is left by a killed run.
    let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM order_arrivals")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(waiting, 0, "new orders left without their follow-up");
    println!(
        "sync under kill -9: {kills} kills survived ({completed} runs finished between them), \
         {} postings and {lines} lines each stored exactly once, {cancelled} buyer cancels seen, \
         integrity ok, in {:.1} s",
        numbers.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(kills > 0, "no run was killed: the budget is too short");
}

/// The outbox rows of this database by state.
async fn outbox_states(db: &SqlitePool) -> BTreeMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        .fetch_all(db)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// The lines of each stored order, by posting number.
fn lines_by_posting(cli: &Cli) -> BTreeMap<String, Vec<String>> {
    let orders = cli.json(&["orders", "list", "--json"]);
    orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let ids = o["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].to_string())
                .collect();
            (o["external_id"].as_str().unwrap().to_string(), ids)
        })
        .collect()
}

/// The manager's decisions, made a few postings at a time: accepted ones are shipped, rejected
/// ones cancelled.
#[derive(Default)]
struct Decisions {
    accepted: BTreeSet<String>,
    rejected: BTreeSet<String>,
}

impl Decisions {
    /// Accepts or rejects (at random) every line of each posting of `batch`.
    fn decide(&mut self, cli: &Cli, batch: &[(String, Vec<String>)], rng: &mut fastrand::Rng) {
        let (mut accept, mut reject) = (vec!["lines", "accept"], vec!["lines", "reject"]);
        for (number, ids) in batch {
            let (args, set) = if rng.bool() {
                (&mut accept, &mut self.accepted)
            } else {
                (&mut reject, &mut self.rejected)
            };
            args.extend(ids.iter().map(String::as_str));
            set.insert(number.clone());
        }
        for args in [accept, reject] {
            if args.len() > 2 {
                cli.ok(&args);
            }
        }
    }

    fn len(&self) -> usize {
        self.accepted.len() + self.rejected.len()
    }
}

/// Drains with a short lease (so a killed process's rows are taken over in seconds) until no row
/// is pending or in flight; returns the number of drain processes it took.
async fn drain_to_the_end(cli: &Cli, db: &SqlitePool, lease_secs: &str, limit: Duration) -> u32 {
    let deadline = Instant::now() + limit;
    let mut runs = 0;
    loop {
        let states = outbox_states(db).await;
        if states.keys().all(|s| s == "done" || s == "failed") {
            return runs;
        }
        assert!(
            Instant::now() < deadline && runs < 1_000,
            "the outbox did not empty within {limit:?} ({runs} drains): {states:?}"
        );
        // A drain ends when nothing is pending; rows another (killed) process leased wait for
        // their lease to expire, so the loop starts drains until they are taken over.
        run_ok(
            cli,
            &["outbox", "drain", "--lease-secs", lease_secs],
            deadline.saturating_duration_since(Instant::now()),
        )
        .await;
        runs += 1;
    }
}

/// kill -9 at random moments of `outbox drain` over hundreds of decisions: every decision reaches
/// the marketplace exactly once, none is refused as a second call, none fails or stays in flight.
#[tokio::test(flavor = "multi_thread")]
async fn delivery_survives_kill_9_at_random_moments() {
    let budget = budget();
    let mut rng = rng("delivery_survives_kill_9_at_random_moments");
    let fake = fake().await;
    fake.generate_postings(300, 2);
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    add_account(&cli, &fake);
    cli.ok(&["sync", "--once"]);
    let db = open_db(&cli).await;
    let postings: Vec<(String, Vec<String>)> = lines_by_posting(&cli).into_iter().collect();
    // Decisions keep coming while drains are killed, a few postings before each drain.
    let mut batches = postings.chunks(2);
    let mut decisions = Decisions::default();

    let started = Instant::now();
    let mut horizon = Duration::from_secs(1);
    let (mut kills, mut completed) = (0u32, 0u32);
    let drain = ["outbox", "drain", "--lease-secs", "1"];
    while kills < KILLS_WANTED && started.elapsed() < budget {
        match batches.next() {
            Some(batch) => decisions.decide(&cli, batch, &mut rng),
            None if outbox_states(&db).await.keys().all(|s| s == "done") => break,
            None => {}
        }
        let kill_after = horizon.mul_f64(rng.f64() * 0.8);
        let t = Instant::now();
        match run_killing(&cli, &drain, kill_after).await {
            End::Killed => kills += 1,
            End::Exited(status) => {
                assert!(status.success(), "an unkilled drain failed: {status}");
                completed += 1;
                horizon = t.elapsed().max(Duration::from_millis(200));
            }
        }
    }
    for batch in batches {
        decisions.decide(&cli, batch, &mut rng);
    }
    let Decisions { accepted, rejected } = &decisions;
    let queued: i64 = outbox_states(&db).await.values().sum();
    assert_eq!(queued as usize, decisions.len(), "one outbox row per decision");
    let drains = drain_to_the_end(&cli, &db, "1", budget + Duration::from_secs(60)).await;

    let states = outbox_states(&db).await;
    assert_eq!(
        states.keys().collect::<Vec<_>>(),
        ["done"],
        "outbox rows: {states:?}"
    );
    assert_integrity(&db).await;
    let (ships, cancels) = (
        fake.calls_to("/v4/posting/fbs/ship"),
        fake.calls_to("/v2/posting/fbs/cancel"),
    );
    let refused: Vec<_> = ships.iter().chain(&cancels).filter(|c| c.status != 200).collect();
    assert!(
        refused.is_empty(),
        "calls refused (a second ship or cancel?): {refused:?}"
    );
    let count = |calls: &[ordertray_fakes::ozon::RecordedCall], n: &str| {
        calls.iter().filter(|c| c.body["posting_number"] == n).count()
    };
    for n in accepted {
        assert_eq!(count(&ships, n), 1, "ships of accepted {n}");
        assert_eq!(count(&cancels, n), 0, "cancels of accepted {n}");
        assert_eq!(fake.posting(n).unwrap()["status"], "awaiting_deliver");
    }
    for n in rejected {
        assert_eq!(count(&cancels, n), 1, "cancels of rejected {n}");
        assert_eq!(count(&ships, n), 0, "ships of rejected {n}");
        assert_eq!(fake.posting(n).unwrap()["status"], "cancelled");
    }
    assert_eq!(ships.len() + cancels.len(), decisions.len());
    let looked = fake.calls_to("/v3/posting/fbs/get").len();

    // The fake refuses a second ship of a posting, as Ozon does: the exactly-once above is the
    // engine's, not the fake's forgiveness.
    let again = reqwest::Client::new()
        .post(format!("{}/v4/posting/fbs/ship", fake.base_url()))
        .header("Client-Id", CLIENT_ID)
        .header("Api-Key", KEY)
        .json(&ships[0].body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400, "a second ship of the same posting");

    println!(
        "delivery under kill -9: {kills} kills survived ({completed} drains finished between them, \
         {drains} to take over the rest), {} decisions ({} ships, {} cancels) each delivered exactly \
         once, {looked} checks before a retry, no row failed or in flight, integrity ok, in {:.1} s",
        decisions.len(),
        accepted.len(),
        rejected.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(kills > 0, "no drain was killed: the budget is too short");
}

/// A writable connection for the test's own clock moves (between processes, never beside one).
async fn open_db_rw(cli: &Cli) -> SqlitePool {
    let options = SqliteConnectOptions::new()
        .filename(&cli.db)
        .busy_timeout(Duration::from_secs(10));
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open the test database")
}

/// A flaky marketplace (one call in five a 5xx, besides 429s with Retry-After, timeouts, cut-off
/// JSON and slow trickles) for a sync of a thousand postings and the delivery of 150 decisions:
/// each is retried until done, nothing is lost or duplicated, and the retries stay bounded.
#[tokio::test(flavor = "multi_thread")]
async fn sync_and_delivery_through_a_flaky_marketplace() {
    const MAX_RUNS: u32 = 200;
    let budget = budget();
    let mut rng = rng("sync_and_delivery_through_a_flaky_marketplace");
    let fake = fake().await;
    let numbers = fake.generate_postings(1_000, 2);
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    add_account(&cli, &fake);
    // The CLI gives up on a call after a second; the fake's timeouts answer later than that.
    fake.set_flaky(Some(Flaky::new(FlakyRates::issue_17(1_500), rng.u64(..))));
    let started = Instant::now();

    // Sync: a run that meets a fault fails, keeps the pages it stored, and the next run goes on.
    let sync = ["--http-timeout-secs", "1", "sync", "--once"];
    let mut failed_syncs = 0;
    loop {
        let mut command = tokio::process::Command::from(cli.command(&sync));
        command.stdin(Stdio::null()).kill_on_drop(true);
        let out = tokio::time::timeout(budget, command.output())
            .await
            .expect("a sync run ends within the budget")
            .unwrap();
        if out.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("sync failed"), "{stderr}");
        failed_syncs += 1;
        assert!(
            failed_syncs < MAX_RUNS && started.elapsed() < budget * 3,
            "the sync did not get through in {failed_syncs} runs / {:?}",
            started.elapsed()
        );
    }
    let db = open_db(&cli).await;
    let lines = assert_postings_exactly_once(&db, &fake, &numbers).await;

    // Delivery: a retry waits its backoff (tens of seconds); the test moves each scheduled retry
    // to now between drains instead of waiting, and counts it.
    let postings: Vec<(String, Vec<String>)> = lines_by_posting(&cli).into_iter().take(150).collect();
    let mut decisions = Decisions::default();
    decisions.decide(&cli, &postings, &mut rng);
    let clock = open_db_rw(&cli).await;
    let drain = ["--http-timeout-secs", "1", "outbox", "drain", "--once"];
    let (mut drains, mut manager_retries) = (0, 0);
    loop {
        run_ok(&cli, &drain, budget).await;
        drains += 1;
        // A row whose attempts ran out is parked as failed, as designed; the manager's Retry
        // (counted) queues it again.
        let failed: Vec<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE state = 'failed'")
            .fetch_all(&db)
            .await
            .unwrap();
        for id in failed {
            cli.ok(&["outbox", "retry", &id.to_string()]);
            manager_retries += 1;
        }
        let states = outbox_states(&db).await;
        if states.keys().all(|s| s == "done") {
            break;
        }
        assert!(
            drains < MAX_RUNS && manager_retries < 20 && started.elapsed() < budget * 4,
            "the outbox did not empty in {drains} drains and {manager_retries} manager retries: {states:?}"
        );
        sqlx::query(
            "UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00.000000Z' WHERE state = 'pending'",
        )
        .execute(&clock)
        .await
        .unwrap();
    }
    let injected = fake.flaky_injected();
    fake.set_flaky(None);

    let states = outbox_states(&db).await;
    assert_eq!(
        states.keys().collect::<Vec<_>>(),
        ["done"],
        "outbox rows: {states:?}"
    );
    let most: i64 = sqlx::query_scalar("SELECT MAX(attempts) FROM outbox")
        .fetch_one(&db)
        .await
        .unwrap();
    let (ships, cancels) = (
        fake.calls_to("/v4/posting/fbs/ship"),
        fake.calls_to("/v2/posting/fbs/cancel"),
    );
    let applied = |calls: &[ordertray_fakes::ozon::RecordedCall], n: &str| {
        calls
            .iter()
            .filter(|c| c.body["posting_number"] == n && c.status == 200)
            .count()
    };
    let refused: Vec<_> = ships.iter().chain(&cancels).filter(|c| c.status == 400).collect();
    assert!(
        refused.is_empty(),
        "calls refused (a second ship or cancel?): {refused:?}"
    );
    for n in &decisions.accepted {
        assert_eq!(applied(&ships, n), 1, "ships of accepted {n}");
        assert_eq!(fake.posting(n).unwrap()["status"], "awaiting_deliver");
    }
    for n in &decisions.rejected {
        assert_eq!(applied(&cancels, n), 1, "cancels of rejected {n}");
        assert_eq!(fake.posting(n).unwrap()["status"], "cancelled");
    }
    assert_integrity(&db).await;
    // Every delivery call beyond one per decision: retries and the looks before them.
    let gets = fake.calls_to("/v3/posting/fbs/get").len();
    let retries = ships.len() + cancels.len() + gets - decisions.len();
    println!(
        "flaky marketplace: {} faults injected {injected:?} over {} calls; sync of {} postings \
         and {lines} lines done after {failed_syncs} failed runs, each stored exactly once; {} \
         decisions each delivered exactly once after {retries} retried or checking calls (at most {most} attempts \
         for one; {manager_retries} rows out of attempts retried by the manager) in {drains} \
         drains; in {:.1} s",
        injected.values().sum::<u32>(),
        fake.calls().len(),
        numbers.len(),
        decisions.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(most <= MAX_ATTEMPTS, "retries are bounded: {most} attempts");
}

/// The CLI under a file-size limit (`ulimit -f`, SIGXFSZ ignored), so SQLite's writes past it come
/// up short as on a full disk. The limit sits half a page past a page boundary: the write that
/// crosses it is cut short, which SQLite reports as SQLITE_FULL.
#[cfg(unix)]
fn command_on_a_full_disk(cli: &Cli, args: &[&str], limit_pages: u64) -> tokio::process::Command {
    let std = cli.command(args);
    let blocks = (limit_pages * 4096 + 2048) / 512;
    let mut command = tokio::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""))
        .arg(std.get_program())
        .args(std.get_args())
        .envs(std.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}

/// A sync into a database that fills up: a clear message, nothing half-written, and once space is
/// back the next sync stores every posting exactly once.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_a_sync_cleanly_and_the_next_one_completes() {
    let budget = budget();
    let fake = fake().await;
    let numbers = fake.generate_postings(1_500, 2);
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    add_account(&cli, &fake);

    // About a megabyte for the write-ahead log: a few pages of postings fit, then the disk is full.
    let out = tokio::time::timeout(
        budget,
        command_on_a_full_disk(&cli, &["sync", "--once"], 256).output(),
    )
    .await
    .expect("the sync on a full disk ends")
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a sync on a full disk reported success");
    let told = stderr
        .lines()
        .any(|l| l.starts_with("account 1: sync failed: the disk is full"));
    assert!(told, "the manager is told: {stderr}");

    // Nothing half-written: what is stored is whole postings, each with all its lines.
    let db = open_db(&cli).await;
    assert_integrity(&db).await;
    let stored: Vec<String> = sqlx::query_scalar("SELECT external_id FROM orders")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(stored.len() < numbers.len(), "the limit stopped nothing");
    let stored_before = stored.len();
    let lines = assert_postings_exactly_once(&db, &fake, &stored).await;
    db.close().await;

    run_ok(&cli, &["sync", "--once"], budget).await;
    let db = open_db(&cli).await;
    assert_integrity(&db).await;
    let all_lines = assert_postings_exactly_once(&db, &fake, &numbers).await;
    println!(
        "full disk: the sync stopped with \"{}\" after {stored_before} whole postings ({lines} \
         lines); once space was back, {} postings and {all_lines} lines each stored exactly once",
        stderr
            .lines()
            .find(|l| l.starts_with("account") && l.contains("disk is full"))
            .unwrap_or_default(),
        numbers.len()
    );
}

/// Two processes syncing the same account on one database at once, round after round with new
/// postings arriving: both finish, nothing is duplicated, no "database is locked".
#[tokio::test(flavor = "multi_thread")]
async fn two_processes_syncing_one_database_at_once() {
    let fake = fake().await;
    let mut numbers = fake.generate_postings(500, 2);
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    add_account(&cli, &fake);
    let limit = budget() + Duration::from_secs(60);
    let rounds = 4;
    for _ in 0..rounds {
        let (a, b) = tokio::join!(
            run_ok(&cli, &["sync", "--once"], limit),
            run_ok(&cli, &["sync", "--once"], limit)
        );
        assert!(a.contains("account") && b.contains("account"), "{a}\n{b}");
        numbers.extend(fake.generate_postings(100, 2));
    }
    run_ok(&cli, &["sync", "--once"], limit).await;
    let db = open_db(&cli).await;
    assert_integrity(&db).await;
    let lines = assert_postings_exactly_once(&db, &fake, &numbers).await;
    println!(
        "two processes at once: {rounds} rounds of two concurrent syncs, none failed, {} postings \
         and {lines} lines each stored exactly once",
        numbers.len()
    );
}
