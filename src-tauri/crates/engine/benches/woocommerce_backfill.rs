//! WooCommerce backfill: 10,000 orders (100 pages of 100) from the fake store over loopback HTTP,
//! side by side in one run with what the same pages cost to fetch and to parse alone:
//! - (a) fetch: the 100 pages the backfill asks for, over one client, nothing else (the store's
//!   and the network's share: the limit any client of this store meets);
//! - (b) parse: the connector's order parser over the fetched pages, in-process;
//! - (c) the app: `Engine::sync_account` into a fresh database, the path the app's poll takes,
//!   with the account's default "accept on arrival" (every order becomes a shop order on a
//!   matched or new customer);
//! - (d) the same with orders left in the inbox (no accept), to show what accepting costs.
//!
//! Run: `cargo bench -p ordertray-engine --bench woocommerce_backfill` (env
//! ORDERTRAY_BENCH_ORDERS, default 10000). `cargo test --benches` runs a small smoke version.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::Utc;
use ordertray_connectors::woocommerce::{
    parse_order, Parsed, WooCommerceSettings, CONSUMER_KEY, CONSUMER_SECRET,
};
use ordertray_core::{AccountDraft, AccountSettings};
use ordertray_engine::Engine;
use ordertray_fakes::woocommerce::{
    generated, generated_catalog, FakeWooCommerce, FakeWooCommerceConfig, FakeWooCommerceHandle, API,
};
use serde_json::Value;

const KEY: &str = "ck_bench";
const SECRET: &str = "cs_bench";

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that run tiny.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n = if smoke {
        250
    } else {
        std::env::var("ORDERTRAY_BENCH_ORDERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(n));
}

async fn run(n: usize) {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    let now = Utc::now();
    let t = Instant::now();
    fake.add_orders(generated(n, now));
    let (products, categories) = generated_catalog();
    fake.add_products(products);
    fake.add_categories(categories);
    println!("woocommerce backfill: {n} orders, pages of 100, fake store over loopback");
    println!(
        "  fake data generated in     {:>8.2} s",
        t.elapsed().as_secs_f64()
    );

    let (fetch, pages) = fetch_all(&fake, now).await;
    let t = Instant::now();
    let mut orders = 0;
    for page in &pages {
        for raw in page.as_array().unwrap() {
            if let Parsed::Order(_) = parse_order(raw) {
                orders += 1;
            }
        }
    }
    let parse = t.elapsed();
    assert_eq!(orders, n, "every generated order parses");
    drop(pages);

    let (accept, db_accept) = sync(&fake, true, n).await;
    let (inbox, _) = sync(&fake, false, n).await;
    let per_s = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "  (a) fetch {} pages          {:>8.2} s = {:>8.0} orders/s",
        n.div_ceil(100),
        fetch.as_secs_f64(),
        per_s(fetch)
    );
    println!(
        "  (b) parse                  {:>8.2} s = {:>8.0} orders/s",
        parse.as_secs_f64(),
        per_s(parse)
    );
    println!(
        "  (c) sync, accept on arrival{:>8.2} s = {:>8.0} orders/s",
        accept.as_secs_f64(),
        per_s(accept)
    );
    println!(
        "  (d) sync, to the inbox     {:>8.2} s = {:>8.0} orders/s",
        inbox.as_secs_f64(),
        per_s(inbox)
    );
    println!(
        "      ratio (c) / (a)        {:>8.1}×",
        accept.as_secs_f64() / fetch.as_secs_f64()
    );
    println!(
        "      ratio (d) / (a)        {:>8.1}×",
        inbox.as_secs_f64() / fetch.as_secs_f64()
    );
    println!("  database size (c)          {:>8.1} MB", db_accept as f64 / 1e6);
    fake.shutdown();
}

/// The pages a backfill reads, newest first, fetched one after another over one client.
async fn fetch_all(fake: &FakeWooCommerceHandle, now: chrono::DateTime<Utc>) -> (Duration, Vec<Value>) {
    let http = reqwest::Client::new();
    let after = (now - chrono::Duration::days(60))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let t = Instant::now();
    let mut pages = vec![];
    for page in 1u32.. {
        let response = http
            .get(format!("{}{API}/orders", fake.base_url()))
            .basic_auth(KEY, Some(SECRET))
            .query(&[
                ("per_page", "100"),
                ("page", &page.to_string()),
                ("status", "any"),
                ("orderby", "date"),
                ("order", "desc"),
                ("dates_are_gmt", "true"),
                ("after", &after),
            ])
            .send()
            .await
            .unwrap();
        let total: u32 = response.headers()["x-wp-totalpages"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let body: Value = response.json().await.unwrap();
        pages.push(body);
        if page >= total {
            break;
        }
    }
    (t.elapsed(), pages)
}

/// One backfill into a fresh database; its time and the database's size.
async fn sync(fake: &FakeWooCommerceHandle, accept_on_arrival: bool, n: usize) -> (Duration, u64) {
    let dir = tempfile::tempdir().unwrap();
    let engine: Engine = support::bench_engine(dir.path()).await;
    let settings = WooCommerceSettings {
        accept_on_arrival,
        ..WooCommerceSettings::new(fake.base_url())
    };
    let draft = AccountDraft {
        name: "Store".into(),
        region: String::new(),
        active: false,
        interval_secs: 3600,
        base_url: None,
        settings: AccountSettings::from(settings),
    };
    let secrets = HashMap::from([
        (CONSUMER_KEY.to_string(), KEY.to_string()),
        (CONSUMER_SECRET.to_string(), SECRET.to_string()),
    ]);
    let account = engine.add_account(draft, secrets).await.unwrap().id;
    let t = Instant::now();
    let report = engine.sync_account(account).await.unwrap();
    let took = t.elapsed();
    assert_eq!(report.orders_new as usize, n, "{report:?}");
    if accept_on_arrival {
        let page = engine
            .cabinet_page(&ordertray_core::cabinet::OrderPageQuery {
                limit: 1,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.rows.len(), 1, "accepted orders are shop orders");
    }
    engine.shutdown().await;
    let size = std::fs::metadata(dir.path().join("bench.db")).map_or(0, |m| m.len())
        + std::fs::metadata(dir.path().join("bench.db-wal")).map_or(0, |m| m.len());
    (took, size)
}
