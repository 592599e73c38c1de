//! All-orders benchmark: 1,000,000 shop orders with 3,000,000 items in a real SQLite file, then
//! the first page for filter combinations, searches by number and by recipient fragment, and the
//! statistics bar, p50/p95 over repeated runs (the CSV export has its own bench: `export`). Run:
//! `cargo bench -p ordertray-engine --bench cabinet` (env ORDERTRAY_BENCH_ORDERS changes the size).

mod support;
#[path = "support/timing.rs"]
mod timing;

#[path = "../tests/common/seed.rs"]
mod seed;

use std::time::Instant;

use ordertray_core::cabinet::{OrderFilter, OrderPageQuery, OrderSort, OrderType, PaymentMethod, SortColumn};
use ordertray_core::statuses::StatusGroup;
use ordertray_engine::Engine;
use timing::time;

async fn first_page(engine: &Engine, filter: OrderFilter, sort: OrderSort) -> usize {
    engine
        .cabinet_page(&OrderPageQuery {
            filter,
            sort,
            after: None,
            limit: 100,
        })
        .await
        .unwrap()
        .rows
        .len()
}

#[tokio::main]
async fn main() {
    let orders = seed::orders_from_env(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db");

    let t = Instant::now();
    seed::seed_shop_orders(&db, orders, 3).await;
    println!(
        "seeded {orders} orders / {} items in {:.1} s, database {} MB",
        orders * 3,
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&db).unwrap().len() / 1_000_000
    );
    let engine = support::bench_engine(dir.path()).await;
    let statuses = engine.shop_statuses().await.unwrap();
    let shipped = statuses
        .iter()
        .find(|s| s.code.as_deref() == Some("shipped"))
        .unwrap()
        .id;
    let newest = OrderSort::default();

    let default_view = OrderFilter {
        groups: vec![StatusGroup::New],
        ..Default::default()
    };
    time("first page: default view (group new), newest first", || {
        first_page(&engine, default_view.clone(), newest)
    })
    .await;
    let combo = OrderFilter {
        status_ids: vec![shipped],
        payment: vec![PaymentMethod::CardOnline, PaymentMethod::Prepaid],
        paid: Some(true),
        ..Default::default()
    };
    time("first page: status + 2 payment methods + paid", || {
        first_page(&engine, combo.clone(), newest)
    })
    .await;
    let month = OrderFilter {
        types: vec![OrderType::Export],
        from: Some(chrono::Utc::now() - chrono::Duration::days(30)),
        manual: true,
        ..Default::default()
    };
    time("first page: type export + last 30 days + source", || {
        first_page(&engine, month.clone(), newest)
    })
    .await;
    time("first page: all orders by total, largest first", || {
        first_page(
            &engine,
            OrderFilter::default(),
            OrderSort {
                column: SortColumn::Total,
                desc: true,
            },
        )
    })
    .await;
    let search = |s: &str| OrderFilter {
        search: s.into(),
        ..Default::default()
    };
    time("search by number fragment \"0054321\"", || {
        first_page(&engine, search("0054321"), newest)
    })
    .await;
    time(
        "search by recipient fragment \"смирн\" (Cyrillic, any case)",
        || first_page(&engine, search("СМИРН"), newest),
    )
    .await;
    time("search by recipient fragment \"kowal\"", || {
        first_page(&engine, search("kowal"), newest)
    })
    .await;
    time("search rare: recipient + number \"Анна 77777\"", || {
        first_page(&engine, search("Анна 77777"), newest)
    })
    .await;
    time("statistics bar (counts per status), no filter", || async {
        engine
            .cabinet_stats(&OrderFilter::default())
            .await
            .unwrap()
            .by_status
            .len()
    })
    .await;
    time("statistics bar, search \"kowal\"", || async {
        engine
            .cabinet_stats(&search("kowal"))
            .await
            .unwrap()
            .by_status
            .len()
    })
    .await;
    engine.shutdown().await;
    drop(engine);
}
