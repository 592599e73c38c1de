//! Ingest benchmark: 10,000 postings × 3 products from the fake Ozon over loopback HTTP into a
//! fresh SQLite file, through the same engine path the app uses (pages of 100, one transaction
//! each). Run: `cargo bench -p ordertray-engine --bench ingest` (env ORDERTRAY_BENCH_POSTINGS and
//! ORDERTRAY_BENCH_PRODUCTS change the size).

mod support;

use std::collections::HashMap;
use std::time::Instant;

use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::{AccountDraft, AccountSettings};
use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that run tiny.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let postings = if smoke {
        50
    } else {
        env_usize("ORDERTRAY_BENCH_POSTINGS", 10_000)
    };
    let products = env_usize("ORDERTRAY_BENCH_PRODUCTS", 3);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(postings, products, smoke));
}

async fn run(postings: usize, products: usize, smoke: bool) {
    let fake = FakeOzon::start(FakeOzonConfig::new("1", "bench-key"))
        .await
        .unwrap();
    let t = Instant::now();
    fake.generate_postings(postings, products);
    let generated = t.elapsed();

    let dir = tempfile::tempdir().unwrap();
    let engine = support::bench_engine(dir.path()).await;
    let draft = AccountDraft {
        name: "Bench".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(fake.base_url()),
        settings: AccountSettings::from(OzonSettings::new("1")),
    };
    let secrets = HashMap::from([("api_key".to_string(), "bench-key".to_string())]);
    let account = engine.add_account(draft, secrets).await.unwrap();

    let t = Instant::now();
    let report = engine.sync_account(account.id).await.unwrap();
    let first = t.elapsed();
    assert_eq!(report.orders_new as usize, postings, "every posting stored once");
    assert_eq!(report.lines_new as usize, postings * products);

    // A second run over the same data: the steady-state cost of a poll with nothing new.
    let t = Instant::now();
    let again = engine.sync_account(account.id).await.unwrap();
    let second = t.elapsed();
    assert_eq!(again.orders_new, 0);

    let db_size = std::fs::metadata(dir.path().join("bench.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.path().join("bench.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    if smoke {
        println!("ingest bench smoke run ok ({postings} postings)");
        return;
    }
    println!("ingest: {postings} postings × {products} products over loopback into SQLite");
    println!("  fake data generated in      {:>8.2} s", generated.as_secs_f64());
    println!(
        "  first sync (all new)        {:>8.2} s  = {:>8.0} postings/s, {:>8.0} lines/s, {} pages",
        first.as_secs_f64(),
        postings as f64 / first.as_secs_f64(),
        (postings * products) as f64 / first.as_secs_f64(),
        report.pages
    );
    println!(
        "  second sync (nothing new)   {:>8.2} s  = {:>8.0} postings/s",
        second.as_secs_f64(),
        again.orders_seen as f64 / second.as_secs_f64().max(1e-9)
    );
    println!("  database size               {:>8.1} MB", db_size as f64 / 1e6);
}
