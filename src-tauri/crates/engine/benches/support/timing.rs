//! Timing a call repeatedly and printing its p50 / p95, for the benches that time many kinds of
//! call side by side (`cabinet`, `inbox`), and the median of a few long runs (`export`,
//! `diagnostics`). Each bench uses part of it.
#![allow(dead_code)]

use std::time::{Duration, Instant};

/// Calls of each kind.
pub const RUNS: usize = 40;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// The middle of a few timed runs.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Prints one figure's p50 and p95 and how many rows its call returned.
pub fn report(name: &str, mut times: Vec<Duration>, rows: usize) {
    times.sort();
    println!(
        "{name:<58} p50 {:>10}  p95 {:>10}  ({rows} rows)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.95))
    );
}

/// Times `RUNS` calls of `f` (each returns how many rows it got) and reports them.
pub async fn time<F, Fut>(name: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        rows = f().await;
        times.push(t.elapsed());
    }
    report(name, times, rows);
}
