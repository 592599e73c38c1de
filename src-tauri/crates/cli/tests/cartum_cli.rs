//! The real `ordertray-cli` binary with a Cartum shop (the fake over loopback): the shop's
//! currency set, the account added (the password named by an environment variable), one sync,
//! then the catalog, the customers, the orders and the account's log as JSON.

mod common;

use chrono::Utc;
use chrono_tz::Europe::Kyiv;
use common::Cli;
use ordertray_fakes::cartum::{order, Buyer, FakeCartum, FakeCartumConfig};
use serde_json::{json, Value};

const PASSWORD_VAR: &str = "ORDERTRAY_TEST_CARTUM_PASSWORD";
const PASSWORD: &str = "cartum-cli-pass-4d2";

#[tokio::test(flavor = "multi_thread")]
async fn a_cartum_shop_from_add_to_products_customers_and_its_log() {
    let fake = FakeCartum::start(FakeCartumConfig::new("api-user", PASSWORD))
        .await
        .unwrap();
    let at = |hours: i64| {
        (Utc::now() - chrono::Duration::hours(hours))
            .with_timezone(&Kyiv)
            .naive_local()
    };
    let mut silent = order(703, at(3), Buyer::new(5), &[("A-1", "Фільтр масляний", 1, 735.0)]);
    silent["delivery_phone"] = json!("");
    silent["delivery_email"] = json!("");
    fake.add_orders([
        order(701, at(5), Buyer::new(1), &[("A-1", "Фільтр масляний", 2, 735.0)]),
        order(702, at(4), Buyer::new(1), &[("A-1", "Фільтр масляний", 1, 735.0)]),
        silent,
    ]);
    let cli = Cli::new(&[(PASSWORD_VAR, PASSWORD)]);
    assert_eq!(cli.ok(&["settings", "shop-currency", "uah"]).trim(), "UAH");
    let out = cli.ok(&[
        "accounts",
        "add",
        "cartum",
        "--name",
        "Cartum shop",
        "--url",
        &fake.base_url(),
        "--login",
        "api-user",
        "--password-env",
        PASSWORD_VAR,
    ]);
    assert!(out.contains("added account 1"), "{out}");
    cli.ok(&["sync", "--once"]);

    let products = cli.json(&["products", "list", "--json"]);
    let products = products.as_array().unwrap();
    assert_eq!(products.len(), 1, "{products:?}");
    assert_eq!(
        (&products[0]["sku"], &products[0]["unit"]),
        (&json!("A-1"), &json!("piece"))
    );

    let customers = cli.json(&["customers", "list", "--json"]);
    assert_eq!(
        customers.as_array().unwrap().len(),
        1,
        "one buyer, two orders: {customers}"
    );

    let orders = cli.json(&["orders", "list", "--json"]);
    let mut ids: Vec<String> = orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["external_id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["701", "702"]);

    let log = cli.json(&["accounts", "log", "1", "--json"]);
    let skipped = log["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{log}");
    assert_eq!(skipped[0]["number"], Value::from("703"));
    assert!(!log.to_string().contains(PASSWORD));
}
