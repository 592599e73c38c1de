//! CSV export benchmark: 100,000 shop orders with three items each in a real SQLite file, exported
//! as a row per order and as a row per item (CP1251, `;`: the slowest encoding, the decimal comma),
//! in rows per second and peak resident memory; beside each, the same rows only read from the
//! database in the export's batches, the path's limit on this machine. Run:
//! `cargo bench -p ordertray-engine --bench export` (env ORDERTRAY_BENCH_ORDERS changes the size).

mod support;
#[path = "support/timing.rs"]
mod timing;

#[path = "../tests/common/seed.rs"]
mod seed;

use std::time::Instant;

use ordertray_core::cabinet::OrderFilter;
use ordertray_core::export::{default_columns, CsvEncoding, Delimiter, ExportColumn, ExportOptions};
use timing::median;

const RUNS: usize = 3;

fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() {
    let orders = seed::orders_from_env(100_000);
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    seed::seed_shop_orders(&dir.path().join("bench.db"), orders, 3).await;
    println!(
        "seeded {orders} orders × 3 items in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let engine = support::bench_engine(dir.path()).await;
    for (label, columns) in [
        ("a row per order", default_columns()),
        ("a row per item", {
            let mut c = default_columns();
            c.extend([
                ExportColumn::ItemArticle,
                ExportColumn::ItemName,
                ExportColumn::ItemQuantity,
                ExportColumn::ItemPrice,
            ]);
            c
        }),
    ] {
        let with_items = columns.iter().any(|c| c.is_item());
        let options = ExportOptions {
            columns,
            delimiter: Delimiter::Semicolon,
            encoding: CsvEncoding::Cp1251,
            ..Default::default()
        };
        // The limit: the same batches read, nothing written.
        let mut reads = Vec::with_capacity(RUNS);
        let mut read_rows = 0;
        for _ in 0..RUNS {
            let t = Instant::now();
            let (mut after, mut rows) = (0, 0u64);
            loop {
                let batch = engine
                    .store()
                    .export_batch(&OrderFilter::default(), after, 1_000, &options.columns)
                    .await
                    .unwrap();
                let Some(last) = batch.last() else { break };
                after = last.id;
                rows += batch
                    .iter()
                    .map(|e| e.order.items.len().max(1) as u64)
                    .sum::<u64>();
            }
            reads.push(t.elapsed());
            read_rows = if with_items { rows } else { orders };
        }
        // SQLite's part of that reading: the batches built, not parsed (the export parses a batch on
        // its writer thread while SQLite builds the next).
        let mut raw_reads = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let mut after = 0;
            while let Some(last) = engine
                .store()
                .export_batch_json(&OrderFilter::default(), after, 1_000, &options.columns)
                .await
                .unwrap()
                .last_id
            {
                after = last;
            }
            raw_reads.push(t.elapsed());
        }
        let mut exports = Vec::with_capacity(RUNS);
        let (mut summary, mut before, mut peak) = (None, 0, 0);
        for _ in 0..RUNS {
            before = status_kib("VmRSS:").unwrap_or(0);
            let _ = std::fs::write("/proc/self/clear_refs", "5");
            let t = Instant::now();
            summary = Some(
                engine
                    .export_csv(&dir.path().join("export.csv"), &options)
                    .await
                    .unwrap(),
            );
            exports.push(t.elapsed());
            peak = status_kib("VmHWM:").unwrap_or(0);
        }
        let s = summary.unwrap();
        assert_eq!(s.rows, read_rows, "the export wrote every row read");
        let (read, export) = (median(reads).as_secs_f64(), median(exports).as_secs_f64());
        let raw_read = median(raw_reads).as_secs_f64();
        println!(
            "CSV export, {orders} orders, {label} (CP1251, ;): {} rows, {:.1} MB in {export:.2} s = {:.0} rows/s; \
             reading them alone {read:.2} s = {:.0} rows/s \
             (SQLite building the batches {raw_read:.2} s = {:.0} rows/s); export / read {:.2}×; resident {} MB before, peak {} MB",
            s.rows,
            s.bytes as f64 / 1e6,
            s.rows as f64 / export,
            s.rows as f64 / read,
            s.rows as f64 / raw_read,
            export / read,
            before / 1024,
            peak / 1024
        );
    }
    engine.shutdown().await;
}
