//! Import rules 7 and 8 for a WooCommerce store against the fake: until an order's items are
//! written off (a shop status that writes off), quantity changes on the store flow into the order;
//! afterwards they no longer apply and the order says so; the store's "completed" goes back only
//! once the items are written off.

mod common;

use chrono::Utc;
use common::{fresh_engine, woocommerce_account};
use ordertray_connectors::woocommerce::WooCommerceSettings;
use ordertray_core::cabinet::{OrderPageQuery, ShopOrderFull};
use ordertray_core::statuses::ShopStatus;
use ordertray_core::templates::{PushLevel, PushTemplates, StatusPush};
use ordertray_engine::Engine;
use ordertray_fakes::woocommerce::{
    order, Buyer, FakeWooCommerce, FakeWooCommerceConfig, FakeWooCommerceHandle,
};
use serde_json::json;

const KEY: &str = "ck_write_off_1";
const SECRET: &str = "cs_write_off_2";

async fn setup() -> (FakeWooCommerceHandle, tempfile::TempDir, Engine, i64, i64) {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    fake.add_orders([order(
        101,
        Utc::now() - chrono::Duration::days(1),
        Buyer::new("Анна", "Смирнова", "anna@example.com", "+7 916 000-11-22"),
        &[(7, "OC 90", "Фильтр", 2, "350.00")],
    )]);
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let settings = WooCommerceSettings::new(fake.base_url());
    let account = woocommerce_account(&engine, settings, (KEY, SECRET)).await;
    engine.sync_account(account).await.unwrap();
    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    (fake, dir, engine, account, page.rows[0].id)
}

async fn status(engine: &Engine, code: &str) -> ShopStatus {
    engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some(code))
        .unwrap()
}

fn kinds(full: &ShopOrderFull, kind: &str) -> Vec<String> {
    full.timeline
        .iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.message.clone())
        .collect()
}

/// The order's total as All orders shows it.
async fn total(engine: &Engine) -> String {
    let page = engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    page.rows[0].total.to_string()
}

/// The store changes the quantity (its admin edits the order), and the engine syncs.
async fn store_sets_quantity(fake: &FakeWooCommerceHandle, engine: &Engine, account: i64, quantity: i64) {
    fake.edit_order(101, |o| {
        o["line_items"][0]["quantity"] = json!(quantity);
        o["line_items"][0]["total"] = json!(format!("{:.2}", 350.0 * quantity as f64));
    });
    engine.sync_account(account).await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn quantity_changes_flow_in_until_the_items_are_written_off() {
    let (fake, _dir, engine, account, shop_order) = setup().await;
    let done_writes_off: Vec<(String, bool)> = engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.code.unwrap_or_default(), s.writes_off))
        .collect();
    assert!(
        done_writes_off
            .iter()
            .all(|(code, w)| *w == ["shipped", "delivered"].contains(&code.as_str())),
        "by default the done group writes off: {done_writes_off:?}"
    );

    store_sets_quantity(&fake, &engine, account, 3).await;
    let full = engine.shop_order_full(shop_order).await.unwrap();
    assert_eq!(
        full.draft.items[0].quantity, 3,
        "not written off: the change applies"
    );
    assert_eq!(total(&engine).await, "1050.00");
    assert_eq!(
        kinds(&full, "quantity_changed"),
        ["Quantity of «Фильтр» changed on the platform: 2 → 3"]
    );

    let shipped = status(&engine, "shipped").await;
    engine
        .set_shop_order_status(&[shop_order], shipped.id)
        .await
        .unwrap();
    let full = engine.shop_order_full(shop_order).await.unwrap();
    assert_eq!(kinds(&full, "items_written_off").len(), 1);

    store_sets_quantity(&fake, &engine, account, 5).await;
    let full = engine.shop_order_full(shop_order).await.unwrap();
    assert_eq!(
        full.draft.items[0].quantity, 3,
        "written off: the order keeps its quantity"
    );
    assert_eq!(total(&engine).await, "1050.00");
    let changes = kinds(&full, "quantity_changed");
    assert_eq!(changes.len(), 2);
    assert!(
        changes[1].contains("not applied"),
        "the order says so: {changes:?}"
    );

    // Written off stays written off: a later status does not bring the changes back.
    let in_stock = status(&engine, "in_stock").await;
    engine
        .set_shop_order_status(&[shop_order], in_stock.id)
        .await
        .unwrap();
    store_sets_quantity(&fake, &engine, account, 6).await;
    let full = engine.shop_order_full(shop_order).await.unwrap();
    assert_eq!(full.draft.items[0].quantity, 3);
    assert_eq!(kinds(&full, "items_written_off").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn completed_goes_to_the_store_only_once_the_items_are_written_off() {
    let (fake, _dir, engine, account, shop_order) = setup().await;
    let in_stock = status(&engine, "in_stock").await;
    let delivered = status(&engine, "delivered").await;
    let templates = PushTemplates {
        pushes: [in_stock.id, delivered.id]
            .into_iter()
            .map(|status_id| StatusPush {
                status_id,
                level: PushLevel::Order,
                marketplace_status: "completed".into(),
                comment: String::new(),
            })
            .collect(),
        ..Default::default()
    };
    let saved = engine.save_push_settings(account, &templates).await.unwrap();
    assert!(saved.problems.is_empty(), "{:?}", saved.problems);

    let r = engine
        .set_shop_order_status(&[shop_order], in_stock.id)
        .await
        .unwrap();
    assert!(r.outbox_rows.is_empty(), "not written off: nothing goes");
    let full = engine.shop_order_full(shop_order).await.unwrap();
    assert_eq!(
        kinds(&full, "push_waits_for_write_off").len(),
        1,
        "{:?}",
        full.timeline
    );
    engine.drain_outbox_once().await.unwrap();
    assert_eq!(fake.order(101).unwrap()["status"], "processing");

    let r = engine
        .set_shop_order_status(&[shop_order], delivered.id)
        .await
        .unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "{:?}", r.not_sent);
    engine.drain_outbox_once().await.unwrap();
    assert_eq!(fake.order(101).unwrap()["status"], "completed");
}
