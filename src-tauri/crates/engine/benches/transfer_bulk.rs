//! A bulk transfer: 1,000 shop orders sent to the fake RetailCRM, which keeps RetailCRM's own
//! limit (10 requests a second per key, an HTML 503 past it). Side by side in one run:
//! - (a) the limit: what 10 requests a second allow for one create each;
//! - (b) the app: `send_to_target` for the selection, then the outbox worker's passes until every
//!   order is transferred (the path the app's "Send to" takes).
//!
//! And what the CRM saw: creates, 503s (a wait, never a failure), problematic orders (none).
//!
//! Run: `cargo bench -p ordertray-engine --bench transfer_bulk` (env ORDERTRAY_BENCH_ORDERS,
//! default 1000). `cargo test --benches` runs a small smoke version.

mod support;

use std::collections::HashMap;
use std::time::Instant;

use ordertray_connectors::retailcrm::{RetailCrmSettings, API_KEY, REQUESTS_PER_SECOND};
use ordertray_core::cabinet::{OrderItem, PaymentMethod, Recipient, ShopOrderDraft, TransferState};
use ordertray_core::{AccountDraft, AccountSettings, Address};
use ordertray_fakes::retailcrm::{FakeRetailCrm, FakeRetailCrmConfig};
use rust_decimal::Decimal;

const KEY: &str = "bench-retailcrm-key";
const SITE: &str = "bench-shop";

fn main() {
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n = if smoke {
        20
    } else {
        std::env::var("ORDERTRAY_BENCH_ORDERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(n));
}

fn draft(n: usize) -> ShopOrderDraft {
    ShopOrderDraft {
        number: format!("B-{n:05}"),
        recipient: Recipient {
            name: format!("Покупатель {n}"),
            phone: format!("+7916{n:07}"),
            email: format!("buyer{n}@example.com"),
        },
        address: Address::from_text("420111, Казань, ул. Баумана, 1"),
        items: vec![OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: format!("ART-{}", n % 50),
            brand: "MANN".into(),
            name: "Фильтр".into(),
            quantity: 1 + (n % 3) as i64,
            price: Decimal::from(350 + (n % 7) as i64 * 10),
            weight_g: 400,
            length_cm: 30,
            width_cm: 20,
            height_cm: 10,
        }],
        payment_method: Some(PaymentMethod::CashOnDelivery),
        cod: true,
        ..ShopOrderDraft::empty()
    }
}

async fn run(n: usize) {
    let crm = FakeRetailCrm::start(FakeRetailCrmConfig::new(KEY, SITE))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = support::bench_engine(dir.path()).await;
    let target = engine
        .add_account(
            AccountDraft {
                name: "CRM".into(),
                region: String::new(),
                active: true,
                interval_secs: 3600,
                base_url: None,
                settings: AccountSettings::from(RetailCrmSettings::new(crm.base_url(), SITE)),
            },
            HashMap::from([(API_KEY.to_string(), KEY.to_string())]),
        )
        .await
        .unwrap()
        .id;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(engine.create_shop_order(draft(i)).await.unwrap().id);
    }
    println!("bulk transfer: {n} orders to the fake RetailCRM at its limit ({REQUESTS_PER_SECOND} requests/s per key)");

    let t = Instant::now();
    let report = engine.send_to_target(target, &ids, false).await.unwrap();
    assert_eq!(report.queued.len(), n);
    let queued = t.elapsed();
    loop {
        let r = engine.drain_outbox_once().await.unwrap();
        if r.delivered + r.failed + r.retry_scheduled == 0 {
            break;
        }
    }
    let took = t.elapsed();

    let status = engine.transfer_status(&ids, Some(target)).await.unwrap();
    let transferred = status
        .iter()
        .filter(|t| t.transfer.state == TransferState::Transferred)
        .count();
    let problematic = status
        .iter()
        .filter(|t| t.transfer.state == TransferState::Problematic)
        .count();
    let stats = crm.stats();
    let limit = n as f64 / f64::from(REQUESTS_PER_SECOND);
    let rate = n as f64 / took.as_secs_f64();
    println!(
        "  (a) the limit: {n} creates       {:>8.1} s = {:>6.2} orders/s",
        limit,
        f64::from(REQUESTS_PER_SECOND)
    );
    println!(
        "  (b) Send to, queued in           {:>8.3} s",
        queued.as_secs_f64()
    );
    println!(
        "      … all delivered in           {:>8.1} s = {:>6.2} orders/s",
        took.as_secs_f64(),
        rate
    );
    println!(
        "      ratio (b) / (a)              {:>8.3}×",
        took.as_secs_f64() / limit
    );
    println!(
        "  the CRM saw: {} creates, {} requests, {} answered 503; transferred {transferred}, problematic {problematic}",
        stats.creates,
        crm.calls().len(),
        stats.rate_limited
    );
    assert_eq!(transferred, n, "every order went through");
    assert_eq!(problematic, 0, "a 503 is a wait, never a failure");
    engine.shutdown().await;
    crm.shutdown();
}
