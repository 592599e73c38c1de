//! Settings' recent log and the diagnostic bundle at a million orders: both strip every customer's
//! personal data, and the database then holds millions of names, phones and addresses. Times
//! `Engine::recent_log_lines` (200 lines) and `Engine::write_diagnostics` (a 4 MB log), and beside
//! them the previous way on the same 200 lines (one `UNION` of every value sorted longest first,
//! then `contains` + `replace` of each value in turn), checking that both give the same text. Run:
//! `cargo bench -p ordertray-engine --bench diagnostics` (env ORDERTRAY_BENCH_ORDERS changes the size).

mod support;
#[path = "support/timing.rs"]
mod timing;

#[path = "../tests/common/seed.rs"]
mod seed;

use std::time::{Duration, Instant};

use ordertray_engine::diagnostics::REDACTED;
use timing::median;

const LOG_LINES: usize = 200;
const RUNS: usize = 5;

/// A log file of about `bytes` bytes: sync chatter with, every 40th line, a recipient of the
/// seeded orders (name, phone and address as stored).
fn log_text(bytes: usize, orders: u64) -> String {
    let mut text = String::with_capacity(bytes + 200);
    let mut i: u64 = 0;
    while text.len() < bytes {
        i += 1;
        if i.is_multiple_of(40) {
            let order = 1 + (i * 7919) % orders;
            let name = seed::NAMES[(order % seed::NAMES.len() as u64) as usize];
            text.push_str(&format!(
                "2026-12-05T10:00:00.000000Z  WARN ordertray_engine::transfers: recipient {name} {order} \
                 +7900{:07} at Москва, ул. Тверская, {} refused by the carrier\n",
                order % 10_000_000,
                order % 200
            ));
        } else {
            text.push_str(&format!(
                "2026-12-05T10:00:00.000000Z  INFO ordertray_engine::sync: account 3 page {i} stored 100 postings in 12 ms\n"
            ));
        }
    }
    text
}

fn previous_way(lines: &[&str], values: &[String]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let mut out = line.to_string();
            for value in values {
                if out.contains(value.as_str()) {
                    out = out.replace(value.as_str(), REDACTED);
                }
            }
            out
        })
        .collect()
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

#[tokio::main]
async fn main() {
    let orders = seed::orders_from_env(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");
    let t = Instant::now();
    seed::seed_shop_orders(&db, orders, 1).await;
    println!(
        "seeded {orders} orders on {} customers in {:.1} s",
        orders / seed::ORDERS_PER_CUSTOMER,
        t.elapsed().as_secs_f64()
    );
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let text = log_text(4 * 1024 * 1024, orders);
    std::fs::write(logs.join("ordertray.log.2026-12-05"), &text).unwrap();
    let engine = support::bench_engine(dir.path()).await;

    let mut recent = Vec::new();
    let mut lines = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        lines = engine.recent_log_lines(&logs, LOG_LINES).await.unwrap();
        recent.push(t.elapsed());
    }
    let recent = median(recent);
    println!(
        "recent log, {LOG_LINES} lines              median {} of {RUNS}",
        secs(recent)
    );
    let mut bundle = Vec::new();
    for run in 0..RUNS {
        let t = Instant::now();
        engine
            .write_diagnostics(&logs, &dir.path().join(format!("bundle-{run}.zip")))
            .await
            .unwrap();
        bundle.push(t.elapsed());
    }
    println!(
        "diagnostic bundle, {:.1} MB of log      median {} of {RUNS}",
        text.len() as f64 / 1e6,
        secs(median(bundle))
    );
    engine.shutdown().await;
    drop(engine);

    // The previous way, on the same lines.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    let t = Instant::now();
    let mut values: Vec<String> = sqlx::query_scalar(
        "SELECT v FROM (
            SELECT buyer_name AS v FROM orders UNION SELECT buyer_phone FROM orders
            UNION SELECT buyer_email FROM orders UNION SELECT buyer_address FROM orders
            UNION SELECT name FROM customers UNION SELECT phone FROM customers
            UNION SELECT email FROM customers UNION SELECT address FROM customers
            UNION SELECT first_name FROM customers UNION SELECT last_name FROM customers
            UNION SELECT buyer_first_name FROM orders UNION SELECT buyer_last_name FROM orders
            UNION SELECT recipient_name FROM shop_orders UNION SELECT recipient_phone FROM shop_orders
            UNION SELECT recipient_email FROM shop_orders UNION SELECT address FROM shop_orders
         ) WHERE v IS NOT NULL AND length(trim(v)) >= 3 ORDER BY length(v) DESC",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    values.dedup();
    let read = t.elapsed();
    let tail: Vec<&str> = text.lines().collect();
    let tail = &tail[tail.len() - LOG_LINES..];
    let t = Instant::now();
    let before = previous_way(tail, &values);
    let replace = t.elapsed();
    println!(
        "previous way: {} values read in {}, replaced in {}, total {}",
        values.len(),
        secs(read),
        secs(replace),
        secs(read + replace)
    );
    assert_eq!(before, lines, "both ways redact the same");
    assert!(lines.iter().any(|l| l.contains(REDACTED)));
    println!(
        "recent log: previous way / now = {:.1}x",
        (read + replace).as_secs_f64() / recent.as_secs_f64()
    );
}
