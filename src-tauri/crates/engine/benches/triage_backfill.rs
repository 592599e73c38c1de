//! Triage during a backfill (issue 18, goal 2): while one account's first sync stores N postings ×
//! 3 products (default 100,000, pre-serialized Ozon v4 pages served in O(1) over loopback), the
//! manager accepts and rejects lines one at a time; each decision's time is what it waited for the
//! write lock plus its own work. Beside it, the same decisions on the same database with no sync
//! running: the difference is the wait the backfill causes.
//!
//! Run: `cargo bench -p ordertray-engine --bench triage_backfill` (env ORDERTRAY_BENCH_POSTINGS).
//! `cargo test --benches` runs a small smoke version.

#[path = "support/ozon_pages.rs"]
mod ozon_pages;
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::{AccountDraft, AccountSettings, InboxQuery, LineState, TriageAction};
use ordertray_engine::Engine;
use ordertray_fakes::ozon::sample_posting;

const PRODUCTS: usize = 3;
/// The manager's pace: a decision, then a look at the inbox, about every this long.
const PACE: Duration = Duration::from_millis(25);

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that run tiny.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n: usize = if smoke {
        500
    } else {
        std::env::var("ORDERTRAY_BENCH_POSTINGS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(100_000)
    };
    let t = Instant::now();
    let now = Utc::now();
    let postings: Vec<_> = (1..=n as u64)
        .map(|seq| sample_posting(seq, PRODUCTS, now))
        .collect();
    let pages = Arc::new(ozon_pages::serialize_pages(&postings));
    drop(postings);
    let prepared = t.elapsed();
    let url = ozon_pages::serve(pages.clone());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(n, url, prepared, smoke));
}

async fn run(n: usize, url: String, prepared: Duration, smoke: bool) {
    let dir = tempfile::tempdir().unwrap();
    let engine = support::bench_engine(dir.path()).await;
    let draft = AccountDraft {
        name: "Bench".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(url),
        settings: AccountSettings::from(OzonSettings::new("1")),
    };
    let secrets = HashMap::from([("api_key".to_string(), "bench-key".to_string())]);
    let account = engine.add_account(draft, secrets).await.unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let sync = {
        let (engine, done) = (engine.clone(), done.clone());
        tokio::spawn(async move {
            let t = Instant::now();
            let report = engine.sync_account(account.id).await.unwrap();
            done.store(true, Ordering::SeqCst);
            (t.elapsed(), report)
        })
    };
    let during = manager(&engine, || !done.load(Ordering::SeqCst), usize::MAX).await;
    let (sync_time, report) = sync.await.unwrap();
    assert_eq!(report.orders_new as usize, n, "every posting stored once");
    let idle = manager(&engine, || true, during.decisions.len().clamp(50, 400)).await;

    if smoke {
        assert!(!idle.decisions.is_empty(), "decisions made after the sync");
        println!(
            "triage_backfill smoke run ok ({n} postings, {} decisions during the sync)",
            during.decisions.len()
        );
        return;
    }
    println!(
        "triage during a backfill: {n} postings × {PRODUCTS} products, one decision about every {PACE:?}"
    );
    println!(
        "  pages serialized                  {:>8.2} s",
        prepared.as_secs_f64()
    );
    println!(
        "  backfill (sync, both phases)      {:>8.2} s  = {:.0} postings/s, {} pages",
        sync_time.as_secs_f64(),
        n as f64 / sync_time.as_secs_f64(),
        report.pages
    );
    println!(
        "  {:<34} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "", "count", "p50", "p95", "p99", "max"
    );
    for (label, times) in [
        ("accept/reject during the backfill", &during.decisions),
        ("accept/reject, no sync running", &idle.decisions),
        ("inbox first page, during", &during.reads),
        ("inbox first page, no sync", &idle.reads),
    ] {
        let q = Quantiles::of(times);
        println!(
            "  {label:<34} {:>8} {:>6.1}ms {:>6.1}ms {:>6.1}ms {:>6.1}ms",
            times.len(),
            q.p50,
            q.p95,
            q.p99,
            q.max
        );
    }
    let (d, i) = (Quantiles::of(&during.decisions), Quantiles::of(&idle.decisions));
    println!(
        "  wait the backfill adds to a decision: p99 {:.1} ms (during p99 − idle p50), at most {:.1} ms",
        d.p99 - i.p50,
        d.max - i.p50
    );
}

#[derive(Default)]
struct Timings {
    decisions: Vec<Duration>,
    reads: Vec<Duration>,
}

/// The manager at the keyboard: reads the inbox's first page, accepts or rejects its first line,
/// while `going` says so and at most `limit` decisions.
async fn manager(engine: &Engine, going: impl Fn() -> bool, limit: usize) -> Timings {
    let mut t = Timings::default();
    let query = InboxQuery {
        account_id: None,
        state: LineState::New,
        limit: Some(50),
        ..InboxQuery::default()
    };
    while going() && t.decisions.len() < limit {
        tokio::time::sleep(PACE).await;
        let start = Instant::now();
        let lines = engine.inbox(&query).await.unwrap();
        t.reads.push(start.elapsed());
        let Some(line) = lines.first() else { continue };
        let action = if t.decisions.len() % 2 == 0 {
            TriageAction::Accept
        } else {
            TriageAction::Reject
        };
        let start = Instant::now();
        engine.triage(&[line.line.id], action).await.unwrap();
        t.decisions.push(start.elapsed());
    }
    t
}

struct Quantiles {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
}

impl Quantiles {
    fn of(times: &[Duration]) -> Self {
        let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| {
            ms.get(((ms.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        Self {
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            max: at(1.0),
        }
    }
}
