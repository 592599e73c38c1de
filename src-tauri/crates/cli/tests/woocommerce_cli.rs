//! The real `ordertray-cli` binary with a WooCommerce store (the fake over loopback): add the
//! account (keys named by environment variables), one sync, then the catalog, the customers, the
//! orders and the account's log as JSON, in the shapes the issue names.

mod common;

use chrono::Utc;
use common::Cli;
use ordertray_fakes::woocommerce::{category, order, product, Buyer, FakeWooCommerce, FakeWooCommerceConfig};
use serde_json::Value;

const KEY_VAR: &str = "ORDERTRAY_TEST_WC_KEY";
const KEY: &str = "ck_cli_key_5b1";
const SECRET_VAR: &str = "ORDERTRAY_TEST_WC_SECRET";
const SECRET: &str = "cs_cli_secret_9e3";

#[tokio::test(flavor = "multi_thread")]
async fn a_store_from_add_to_products_customers_and_its_log() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    fake.add_categories([category(1, "Запчасти", 0), category(2, "Фильтры", 1)]);
    fake.add_products([product(
        7,
        "Фильтр",
        "OC 90",
        "<p>Масляный</p>",
        &[(1, "Запчасти"), (2, "Фильтры")],
    )]);
    let now = Utc::now();
    let anna = Buyer::new("Анна", "Смирнова", "anna@example.com", "8 916 000-11-22");
    fake.add_orders([
        order(
            501,
            now - chrono::Duration::hours(5),
            anna.clone(),
            &[(7, "OC 90", "Фильтр", 2, "350.00")],
        ),
        order(
            502,
            now - chrono::Duration::hours(4),
            anna,
            &[(7, "OC 90", "Фильтр", 1, "350.00")],
        ),
        order(
            503,
            now - chrono::Duration::hours(3),
            Buyer::new("Без", "Связи", "", ""),
            &[(7, "OC 90", "Фильтр", 1, "350.00")],
        ),
    ]);
    let cli = Cli::new(&[(KEY_VAR, KEY), (SECRET_VAR, SECRET)]);
    let out = cli.ok(&[
        "accounts",
        "add",
        "woocommerce",
        "--name",
        "Web store",
        "--url",
        &fake.base_url(),
        "--consumer-key-env",
        KEY_VAR,
        "--consumer-secret-env",
        SECRET_VAR,
        "--identify-products-by",
        "sku",
    ]);
    assert!(out.contains("added account 1"), "{out}");
    cli.ok(&["sync", "--once"]);

    let products = cli.json(&["products", "list", "--json"]);
    let products = products.as_array().unwrap();
    assert_eq!(products.len(), 1, "{products:?}");
    let p = &products[0];
    for (key, want) in [
        ("name", "Фильтр"),
        ("description", "Масляный"),
        ("sku", "OC 90"),
        ("code", "7"),
        ("unit", "piece"),
        ("category", "Запчасти / Фильтры"),
    ] {
        assert_eq!(p[key], want, "{key}: {p}");
    }
    assert!(p["id"].is_i64());

    let customers = cli.json(&["customers", "list", "--json"]);
    let customers = customers.as_array().unwrap();
    assert_eq!(customers.len(), 1, "one buyer, two orders: {customers:?}");
    let c = &customers[0];
    assert_eq!(
        (&c["first_name"], &c["last_name"], &c["phone"], &c["email"]),
        (
            &Value::from("Анна"),
            &Value::from("Смирнова"),
            &Value::from("+79160001122"),
            &Value::from("anna@example.com")
        )
    );
    assert!(c["address"].as_str().unwrap().contains("Москва"), "{c}");

    let orders = cli.json(&["orders", "list", "--json"]);
    let mut ids: Vec<(String, String)> = orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["external_id"].as_str().unwrap().into(),
                o["number"].as_str().unwrap().into(),
            )
        })
        .collect();
    ids.sort();
    assert_eq!(ids, [("501".into(), "501".into()), ("502".into(), "502".into())]);

    let log = cli.json(&["accounts", "log", "1", "--json"]);
    let skipped = log["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{log}");
    assert_eq!(
        (&skipped[0]["external_id"], &skipped[0]["number"]),
        (&Value::from("503"), &Value::from("503"))
    );
    assert!(
        skipped[0]["reason"].is_string() && skipped[0]["at"].is_string(),
        "{log}"
    );
}
