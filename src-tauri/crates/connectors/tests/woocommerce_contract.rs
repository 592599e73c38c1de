//! The WooCommerce connector against the fake store over loopback HTTP (REST v3: basic auth or
//! query keys, `X-WP-TotalPages` paging, `modified_after` with `dates_are_gmt`, error bodies) and
//! against the official example answers in shared/fixtures/woocommerce.

mod store_platforms;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::woocommerce::{
    parse_order, Parsed, SyncState, WooCommerceSettings, CONSUMER_KEY, CONSUMER_SECRET,
};
use ordertray_connectors::{ConnectorError, IntegrationClient};
use ordertray_core::{AccountSettings, Credentials, Effect, SkipReason};
use ordertray_fakes::faults::Fault;
use ordertray_fakes::woocommerce::{
    generated, order, Buyer, FakeWooCommerce, FakeWooCommerceConfig, FakeWooCommerceHandle, Mutation,
};
use serde_json::{json, Value};
use store_platforms::{connector_for, ids, run};

const KEY: &str = "ck_contract_key_123";
const SECRET: &str = "cs_contract_secret_456";

async fn fake_with(config: FakeWooCommerceConfig) -> FakeWooCommerceHandle {
    FakeWooCommerce::start(config).await.unwrap()
}

async fn fake() -> FakeWooCommerceHandle {
    fake_with(FakeWooCommerceConfig::new(KEY, SECRET)).await
}

fn connector_with(secret: &str, settings: WooCommerceSettings) -> Box<dyn IntegrationClient> {
    let credentials = Credentials::default()
        .with(CONSUMER_KEY, KEY)
        .with(CONSUMER_SECRET, secret);
    connector_for(AccountSettings::from(settings), None, credentials)
}

fn connector(fake: &FakeWooCommerceHandle) -> Box<dyn IntegrationClient> {
    connector_with(SECRET, WooCommerceSettings::new(fake.base_url()))
}

#[test]
fn the_documented_list_answer_reads_as_orders() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/fixtures/woocommerce/orders-list.json"
    ))
    .unwrap();
    let list: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert!(!list.is_empty());
    for raw in &list {
        let Parsed::Order(o) = parse_order(raw) else {
            panic!("{raw}")
        };
        assert_eq!(o.external_id, raw["id"].to_string());
        assert_eq!(o.lines.len(), raw["line_items"].as_array().unwrap().len());
        assert_eq!(
            o.created_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            raw["date_created_gmt"].as_str().unwrap()
        );
        let c = o.customer.as_ref().unwrap();
        assert_eq!(c.email.as_deref(), raw["billing"]["email"].as_str());
        for l in &o.lines {
            assert!(!l.name.contains("&ndash;"), "{}", l.name);
            assert_eq!(l.currency, raw["currency"].as_str().unwrap());
        }
    }
    let Parsed::Order(first) = parse_order(&list[0]) else {
        unreachable!()
    };
    let variation = first.lines.iter().find(|l| l.sku == "22/23").unwrap();
    assert_eq!(variation.name, "Ship Your Idea – Color: Black, Size: M Test");
    let created = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../../shared/fixtures/woocommerce/order-create-response.json"
    ))
    .unwrap();
    assert!(matches!(
        parse_order(&serde_json::from_str(&created).unwrap()),
        Parsed::Order(_)
    ));
}

#[tokio::test]
async fn a_backfill_reads_every_page_newest_first_with_progress_and_leaves_final_statuses_out() {
    let fake = fake().await;
    let now = Utc::now();
    let mut orders = generated(250, now);
    orders[0]["status"] = json!("completed");
    orders[1]["status"] = json!("cancelled");
    orders[2]["line_items"] = json!([]);
    // Older than the 60 days the backfill reads.
    orders.push(order(
        1,
        now - chrono::Duration::days(90),
        Buyer::new("A", "B", "a@b.c", ""),
        &[(1, "S", "N", 1, "1")],
    ));
    fake.add_orders(orders);
    let c = connector(&fake);
    let (pages, cursor) = run(c.as_ref(), "", now).await;
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages.iter().map(|p| p.progress.unwrap()).collect::<Vec<_>>(),
        [(1, 3), (2, 3), (3, 3)]
    );
    let seen = ids(&pages);
    assert_eq!(seen.len(), 247, "250 minus two final and one without items");
    assert_eq!(seen.first().map(String::as_str), Some("10249"), "newest first");
    assert!(!seen.contains(&"10000".to_string()) && !seen.contains(&"1".to_string()));
    let skipped: Vec<_> = pages.iter().flat_map(|p| p.skipped.clone()).collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].number.as_str(), skipped[0].reason),
        ("10002", SkipReason::NoItems)
    );

    let state = SyncState::parse(&cursor);
    assert_eq!(state.watermark, Some(now));
    assert_eq!(state.honours_modified_after, Some(true));
    let lists: Vec<_> = fake.calls().into_iter().filter(|c| c.path == "/orders").collect();
    let q = |i: usize, k: &str| {
        lists[i]
            .query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    assert!(
        q(0, "modified_after").is_some(),
        "the probe asks for tomorrow's changes"
    );
    assert_eq!(q(1, "per_page").as_deref(), Some("100"));
    assert_eq!(q(1, "dates_are_gmt").as_deref(), Some("true"));
    assert!(q(1, "after").is_some() && q(1, "modified_after").is_none());
}

#[tokio::test]
async fn later_runs_read_what_changed_since_the_last_run_began() {
    let fake = fake().await;
    let start = Utc::now() - chrono::Duration::hours(2);
    fake.add_orders(generated(5, start - chrono::Duration::hours(1)));
    let c = connector(&fake);
    let (_, cursor) = run(c.as_ref(), "", start).await;
    // An hour later the store cancels one order; the rest stay as they were.
    fake.set_now(Some(start + chrono::Duration::hours(1)));
    fake.edit_order(10_002, |o| o["status"] = json!("cancelled"));
    let (pages, cursor) = run(c.as_ref(), &cursor, start + chrono::Duration::hours(2)).await;
    let changed: Vec<_> = pages.iter().flat_map(|p| p.orders.clone()).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].external_id.as_str(), changed[0].status.as_str()),
        ("10002", "cancelled")
    );
    let last = fake
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.path == "/orders")
        .unwrap();
    let after = last
        .query
        .iter()
        .find(|(k, _)| k == "modified_after")
        .unwrap()
        .1
        .clone();
    assert_eq!(
        after,
        (start - chrono::Duration::minutes(15))
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    );
    assert_eq!(
        SyncState::parse(&cursor).watermark,
        Some(start + chrono::Duration::hours(2))
    );
}

#[tokio::test]
async fn orders_placed_or_trashed_while_paging_never_hide_another() {
    let fake = fake().await;
    let now = Utc::now();
    fake.add_orders(generated(300, now - chrono::Duration::minutes(5)));
    // While page 2 is asked for, one order is placed and, on page 3, one already read is trashed.
    let placed = order(
        99_999,
        now - chrono::Duration::minutes(1),
        Buyer::new("N", "N", "n@n.n", ""),
        &[(1, "S", "N", 1, "1")],
    );
    fake.on_page(2, Mutation::Insert(placed));
    fake.on_page(3, Mutation::Trash(10_299));
    let c = connector(&fake);
    let (pages, _) = run(c.as_ref(), "", now).await;
    let seen: BTreeSet<String> = ids(&pages).into_iter().collect();
    let expected: BTreeSet<String> = (10_000..10_300).map(|i: i64| i.to_string()).collect();
    assert!(
        expected.is_subset(&seen),
        "missing: {:?}",
        expected.difference(&seen).collect::<Vec<_>>()
    );
    let mut counts: HashMap<String, u32> = HashMap::new();
    for id in ids(&pages) {
        *counts.entry(id).or_default() += 1;
    }
    assert!(
        counts.values().any(|n| *n > 1),
        "the shifted list repeats some orders"
    );
}

#[tokio::test]
async fn an_old_store_that_ignores_modified_after_is_rescanned_by_creation_date() {
    let fake = fake_with(FakeWooCommerceConfig {
        honours_modified_after: false,
        ..FakeWooCommerceConfig::new(KEY, SECRET)
    })
    .await;
    let now = Utc::now();
    fake.add_orders(generated(3, now));
    let c = connector(&fake);
    let (_, cursor) = run(c.as_ref(), "", now).await;
    assert_eq!(SyncState::parse(&cursor).honours_modified_after, Some(false));
    let (pages, _) = run(c.as_ref(), &cursor, now + chrono::Duration::minutes(5)).await;
    assert_eq!(ids(&pages).len(), 3, "every recent order is read again");
    let last = fake
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.path == "/orders")
        .unwrap();
    assert!(last.query.iter().any(|(k, _)| k == "after"));
    assert!(!last.query.iter().any(|(k, _)| k == "modified_after"));
}

#[tokio::test]
async fn a_host_that_strips_the_authorization_header_gets_the_key_in_the_query() {
    let fake = fake_with(FakeWooCommerceConfig {
        strips_authorization: true,
        ..FakeWooCommerceConfig::new(KEY, SECRET)
    })
    .await;
    fake.add_orders(generated(2, Utc::now()));
    let c = connector(&fake);
    let report = c.test_connection().await.unwrap();
    assert!(report.ok, "{}", report.message);
    assert!(report.message.contains("query"), "{}", report.message);
    let statuses: Vec<u16> = fake.calls().iter().map(|c| c.http_status).collect();
    assert_eq!(statuses, [401, 200], "refused once with the header, then through");
    let (pages, _) = run(c.as_ref(), "", Utc::now()).await;
    assert_eq!(ids(&pages).len(), 2);
    assert!(
        fake.calls().iter().skip(2).all(|c| c.http_status == 200),
        "no second try needed"
    );
    let calls = serde_json::to_string(&fake.calls()).unwrap();
    assert!(!calls.contains(KEY) && !calls.contains(SECRET));
}

#[tokio::test]
async fn errors_are_told_apart_and_never_carry_the_key() {
    let fake = fake().await;
    fake.add_orders(generated(1, Utc::now()));
    let wrong = connector_with("cs_wrong", WooCommerceSettings::new(fake.base_url()));
    let report = wrong.test_connection().await.unwrap();
    assert!(
        !report.ok && report.message.contains("woocommerce_rest_cannot_view"),
        "{}",
        report.message
    );
    assert!(!report.message.contains("cs_wrong"));

    let c = connector(&fake);
    let source = c.order_source().unwrap();
    fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(7),
    });
    let e = source.fetch_page("", Utc::now()).await.unwrap_err();
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)), "{e}");
    fake.push_fault(Fault::ServerError(503));
    assert!(matches!(
        source.fetch_page("", Utc::now()).await.unwrap_err(),
        ConnectorError::Server { status: 503, .. }
    ));
    fake.push_fault(Fault::TruncatedJson);
    assert!(matches!(
        source.fetch_page("", Utc::now()).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    fake.push_fault(Fault::NotJson);
    let e = source.fetch_page("", Utc::now()).await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
}

#[tokio::test]
async fn a_bad_order_is_set_aside_while_the_rest_import() {
    let fake = fake().await;
    let now = Utc::now();
    let mut orders = generated(3, now);
    orders[1]["line_items"][0]["quantity"] = json!(-2);
    orders[2]["billing"] = json!({"first_name": "Без", "last_name": "Связи"});
    fake.add_orders(orders);
    let (pages, _) = run(connector(&fake).as_ref(), "", now).await;
    assert_eq!(ids(&pages), ["10000"]);
    let q: Vec<_> = pages.iter().flat_map(|p| p.quarantined.clone()).collect();
    assert_eq!(q.len(), 1);
    assert!(q[0].reason.contains("quantity -2"), "{}", q[0].reason);
    let s: Vec<_> = pages.iter().flat_map(|p| p.skipped.clone()).collect();
    assert_eq!((s.len(), s[0].reason), (1, SkipReason::NoContact));
}

#[tokio::test]
async fn statuses_go_to_the_store_by_put_and_are_read_back() {
    let fake = fake().await;
    fake.add_orders(generated(1, Utc::now()));
    let c = connector(&fake);
    let sink = c.effect_sink().unwrap();
    let done = Effect::SetOrderStatus {
        order_external_id: "10000".into(),
        status: "completed".into(),
    };
    assert!(!sink.already_applied(&done).await.unwrap());
    sink.push(&done).await.unwrap();
    assert_eq!(fake.order(10_000).unwrap()["status"], "completed");
    assert!(sink.already_applied(&done).await.unwrap());
    let put = fake.calls().into_iter().find(|c| c.method == "PUT").unwrap();
    assert_eq!(
        (put.path.as_str(), put.body),
        ("/orders/10000", Some(json!({"status": "completed"})))
    );

    let unknown = Effect::SetOrderStatus {
        order_external_id: "10000".into(),
        status: "shipped-by-unicorn".into(),
    };
    assert!(matches!(
        sink.push(&unknown).await.unwrap_err(),
        ConnectorError::Rejected { status: 400, .. }
    ));
    let missing = Effect::CancelOrder {
        order_external_id: "4242".into(),
        reason: Default::default(),
    };
    assert!(matches!(
        sink.push(&missing).await.unwrap_err(),
        ConnectorError::Rejected { status: 404, .. }
    ));
}

#[tokio::test]
async fn items_carry_their_products_read_once_per_connection() {
    let fake = fake().await;
    let now = Utc::now();
    let (products, categories) = ordertray_fakes::woocommerce::generated_catalog();
    fake.add_products(products);
    fake.add_categories(categories);
    let mut orders = generated(150, now);
    // A variation of product 500 counts as product 500.
    orders[0]["line_items"][0]["variation_id"] = json!(9001);
    fake.add_orders(orders);
    let c = connector(&fake);
    let (pages, cursor) = run(c.as_ref(), "", now).await;
    let lines: Vec<_> = pages
        .iter()
        .flat_map(|p| p.orders.iter().flat_map(|o| o.lines.iter()))
        .collect();
    assert_eq!(lines.len(), 150);
    for l in &lines {
        let facts = l.product.as_ref().unwrap_or_else(|| panic!("{l:?}"));
        let n: i64 = l.sku.split('/').next().unwrap().parse::<i64>().unwrap() - 500;
        let leaf = if n % 2 == 0 {
            "Тормоза"
        } else {
            "Фильтры"
        };
        assert_eq!(facts.category, ["Запчасти", leaf], "the deeper of one branch");
        assert_eq!(facts.description, format!("Описание товара {n}"));
    }
    let catalog_calls = |path: &str| fake.calls().iter().filter(|c| c.path == path).count();
    // Two pages, twenty products, all met on the first page: one call for them all.
    assert_eq!(catalog_calls("/products"), 1);
    assert_eq!(catalog_calls("/products/categories"), 1);
    let first = fake.calls().into_iter().find(|c| c.path == "/products").unwrap();
    let include = first.query.iter().find(|(k, _)| k == "include").unwrap();
    assert_eq!(include.1.split(',').count(), 20, "{include:?}");

    fake.add_orders(generated(3, Utc::now()));
    run(c.as_ref(), &cursor, Utc::now()).await;
    assert_eq!(
        catalog_calls("/products"),
        1,
        "known products are not asked for again"
    );
    assert_eq!(catalog_calls("/products/categories"), 1);
}
