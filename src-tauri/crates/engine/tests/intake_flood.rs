//! A flood of requests without a valid token against the intake: how many were refused, and what
//! they cost in memory, database size and log lines. Prints its figures:
//! `cargo test -p ordertray-engine --test intake_flood -- --nocapture`.

mod intake_common;

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use intake_common::*;
use ordertray_engine::intake::IntakeLimits;
use ordertray_fakes::gettzap::sample_order;

const REQUESTS: usize = 2_000;
/// Requests in flight at once.
const CONCURRENCY: usize = 16;
/// Source addresses the flood comes from (127.0.0.1 …).
const SOURCES: u8 = 8;

/// Counts the warnings and errors the intake logs.
#[derive(Clone, Default)]
struct LineCounter(Arc<AtomicUsize>);

impl Write for LineCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let n = text
            .lines()
            .filter(|l| (l.contains("WARN") || l.contains("ERROR")) && l.contains("ordertray_engine::intake"))
            .count();
        self.0.fetch_add(n, Ordering::SeqCst);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_flood_of_requests_without_a_token_is_refused_cheaply() {
    let lines = LineCounter::default();
    let writer = lines.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    // As it runs: most of the flood is answered 429 by the per-address limit.
    flood("default limits", IntakeLimits::default(), &lines).await;
    // As if from more addresses than the limit can tell apart: every request reaches the token
    // check and is answered 401, and still costs no row and no log line of its own.
    let unlimited = IntakeLimits {
        refusal_burst: u32::MAX,
        ..Default::default()
    };
    flood("no per-address limit", unlimited, &lines).await;
}

async fn flood(name: &str, limits: IntakeLimits, lines: &LineCounter) {
    let i = Intake::start(limits).await;
    let clients: Vec<reqwest::Client> = (1..=SOURCES)
        .map(|n| client_from([127, 0, 0, n].into()))
        .collect();
    let small = sample_order("1", 2).to_string();
    // Every tenth request carries a 2 MiB body.
    let large = bytes_of(&" ".repeat(2 * 1024 * 1024));
    let (rss_before, db_before) = (rss_kib(), db_bytes(&i.db));
    let warnings_before = lines.0.load(Ordering::SeqCst);
    let started = std::time::Instant::now();

    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (next, clients, small, large) = (next.clone(), clients.clone(), small.clone(), large.clone());
        let (base, path, ozon) = (i.url(""), i.path(), i.ozon);
        workers.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= REQUESTS {
                    return statuses;
                }
                let c = &clients[n % clients.len()];
                let wrong = format!("{n:048x}");
                let (url, header) = match n % 5 {
                    0 => (format!("{base}{path}?token={wrong}"), None),
                    1 => (format!("{base}{path}"), Some(wrong)),
                    2 => (format!("{base}/intake/gettzap/{}", 1000 + n), Some(wrong)),
                    3 => (format!("{base}/intake/ozon/{ozon}"), None),
                    _ => (format!("{base}{path}"), None),
                };
                let mut r = c.post(&url).header("content-type", "application/json");
                if let Some(h) = header {
                    r = r.header("x-intake-token", h);
                }
                let body = if n % 10 == 9 {
                    reqwest::Body::from(large.clone())
                } else {
                    reqwest::Body::from(small.clone())
                };
                let status = match tokio::time::timeout(DEADLINE, r.body(body).send()).await {
                    Ok(Ok(answer)) => Some(answer.status().as_u16()),
                    // Cut off: the intake answered and closed while the client still sent its body.
                    Ok(Err(_)) => None,
                    Err(_) => panic!("request {n} got no answer in time"),
                };
                statuses.push(status);
            }
        }));
    }
    let mut statuses = Vec::new();
    for w in workers {
        statuses.extend(w.await.unwrap());
    }
    let took = started.elapsed();
    let (rss_after, db_after) = (rss_kib(), db_bytes(&i.db));
    let count = |s: Option<u16>| statuses.iter().filter(|&&x| x == s).count();
    let ok = statuses.iter().filter(|s| s.is_some_and(|s| s < 300)).count();
    let status = i.engine.intake_status();
    let rows = logged(&i.engine).await.len();
    let warnings = lines.0.load(Ordering::SeqCst) - warnings_before;

    println!(
        "intake flood, {name}: {REQUESTS} requests without a valid token from {SOURCES} addresses, \
         {CONCURRENCY} at a time, in {:.1} s (a debug build)",
        took.as_secs_f64()
    );
    println!(
        "  answers: 401 {}, 429 {}, 404 {}, 413 {}, 503 {}, cut off {}, accepted {ok}",
        count(Some(401)),
        count(Some(429)),
        count(Some(404)),
        count(Some(413)),
        count(Some(503)),
        count(None)
    );
    println!(
        "  intake counters: refused {}, rate limited {}, turned away {}",
        status.refused, status.rate_limited, status.turned_away
    );
    println!(
        "  RSS of the test process: {} KiB before, {} KiB after ({:+} KiB)",
        rss_before,
        rss_after,
        rss_after as i64 - rss_before as i64
    );
    println!(
        "  database: {db_before} bytes before, {db_after} bytes after ({:+}); intake_requests rows: {rows}",
        db_after as i64 - db_before as i64
    );
    println!("  intake warnings/errors logged: {warnings}");

    assert_eq!(statuses.len(), REQUESTS);
    assert_eq!(ok, 0, "nothing without the token is accepted");
    assert_eq!(rows, 0, "no row for a refused request");
    assert_eq!(db_after, db_before, "the database did not grow");
    assert_eq!(
        (status.refused + status.rate_limited + status.turned_away) as usize,
        REQUESTS,
        "every request is counted once: {status:?}"
    );
    assert!(warnings <= 2, "{warnings} log lines for one flood");
    i.engine.shutdown().await;
}

fn bytes_of(s: &str) -> axum::body::Bytes {
    axum::body::Bytes::from(s.to_string())
}
