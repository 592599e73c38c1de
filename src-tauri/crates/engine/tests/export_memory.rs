//! A 100,000-order CSV export keeps memory flat: the peak resident size while exporting stays
//! within a small margin of where it started, whatever the file's size. Alone in its test binary
//! so that no other test's allocations count.

mod common;

use common::*;
use ordertray_core::export::{default_columns, CsvEncoding, Delimiter, ExportColumn, ExportOptions};

/// Kibibytes of a `/proc/self/status` field (Linux only: the test is skipped elsewhere).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100k_order_export_runs_in_flat_memory() {
    let (dir, db, secrets, engine) = fresh_engine().await;
    drop(engine);
    assert_eq!(seed::seed_shop_orders(&db, 100_000, 3).await, 100_000);
    let engine = open(&db, secrets, Default::default()).await;
    let path = dir.path().join("all.csv");
    let mut columns = default_columns();
    columns.extend([
        ExportColumn::ItemArticle,
        ExportColumn::ItemName,
        ExportColumn::ItemPrice,
    ]);
    let options = ExportOptions {
        columns,
        delimiter: Delimiter::Semicolon,
        encoding: CsvEncoding::Cp1251,
        ..Default::default()
    };
    // Warm up the pool and the statement cache, then measure the peak from here.
    engine.cabinet_stats(&Default::default()).await.unwrap();
    let Some(before) = status_kib("VmRSS:") else {
        eprintln!("no /proc/self/status: memory not measured");
        return;
    };
    // Writing 5 resets the peak (VmHWM) to the current size.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let summary = engine.export_csv(&path, &options).await.unwrap();
    let peak = status_kib("VmHWM:").unwrap();
    assert_eq!(summary.orders, 100_000);
    assert_eq!(summary.rows, 300_000, "a row per item");
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 20_000_000, "the file is {size} bytes");
    let grew_mib = peak.saturating_sub(before) / 1024;
    eprintln!("export: {size} bytes, resident {before} KiB before, peak {peak} KiB (+{grew_mib} MiB)");
    assert!(
        grew_mib < 48,
        "memory grew by {grew_mib} MiB during a {} MiB export",
        size / 1024 / 1024
    );
}
