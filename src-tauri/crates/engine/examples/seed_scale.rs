//! A large database for the app benchmark (scripts/bench-app.sh): shop orders and marketplace lines
//! written straight into a new file through the app's migrations and triggers, the same seeding the
//! cabinet and inbox benches use. The lines belong to an inactive Ozon account, so the app started
//! on the file polls nothing.
//!
//! Usage: `cargo run --release -p ordertray-engine --example seed_scale -- DB LINES ORDERS`

#[path = "../tests/common/seed.rs"]
mod seed;

use std::path::PathBuf;
use std::time::Instant;

use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::{AccountDraft, AccountSettings};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, lines, orders] = args.as_slice() else {
        eprintln!("usage: seed_scale DB LINES ORDERS");
        std::process::exit(2);
    };
    let db = PathBuf::from(db);
    let (lines, orders): (u64, u64) = (
        lines.parse().expect("LINES is a number"),
        orders.parse().expect("ORDERS is a number"),
    );
    let t = Instant::now();
    // The lines' accepted orders are the sources of shop orders with their ids: those come first.
    let shop_orders = seed::seed_shop_orders(&db, orders.max(lines / 3), 3).await;
    let store = ordertray_store::Store::open(&db).await.expect("open store");
    let account = store
        .insert_account(
            &AccountDraft {
                name: "Ozon (seeded)".into(),
                region: String::new(),
                active: false,
                interval_secs: 60,
                base_url: None,
                settings: AccountSettings::from(OzonSettings::new("1")),
            },
            false,
        )
        .await
        .expect("account");
    store.close().await;
    let inbox = seed::seed_inbox_lines(&db, lines, &[account.id]).await;
    println!(
        "{}: {shop_orders} shop orders, {} orders with {} lines {:?} in {:.0} s",
        db.display(),
        inbox.orders,
        inbox.lines,
        inbox.by_state,
        t.elapsed().as_secs_f64()
    );
}
