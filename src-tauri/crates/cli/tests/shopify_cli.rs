//! The real `ordertray-cli` binary with a Shopify shop (the fake over loopback): the shop's
//! currency set, the account added with the app's client id and its secret named by an
//! environment variable, one sync, then the orders and the customers as JSON.

mod common;

use chrono::Utc;
use common::Cli;
use ordertray_fakes::shopify::{order, Buyer, FakeShopify, FakeShopifyConfig};

const SECRET_VAR: &str = "ORDERTRAY_TEST_SHOPIFY_SECRET";
const SECRET: &str = "shpss_cli_secret_2c";

#[tokio::test(flavor = "multi_thread")]
async fn a_shopify_shop_from_add_to_orders_and_customers() {
    let fake = FakeShopify::start(FakeShopifyConfig::new("cli-client", SECRET))
        .await
        .unwrap();
    let hours = |h: i64| Utc::now() - chrono::Duration::hours(h);
    fake.add_orders([
        order(
            5001,
            hours(3),
            Buyer::new(1),
            &[(7, "TS-M", "T-shirt - M", 2, "10.00")],
        ),
        order(5002, hours(2), Buyer::new(1), &[(8, "CAP", "Cap", 1, "7.50")]),
    ]);
    let cli = Cli::new(&[(SECRET_VAR, SECRET)]);
    cli.ok(&["settings", "shop-currency", "USD"]);
    let out = cli.ok(&[
        "accounts",
        "add",
        "shopify",
        "--name",
        "Shopify shop",
        "--shop",
        &fake.base_url(),
        "--client-id",
        "cli-client",
        "--client-secret-env",
        SECRET_VAR,
        "--backfill-days",
        "90",
    ]);
    assert!(out.contains("added account 1"), "{out}");
    assert!(
        out.contains("only the last 60 days"),
        "the 60-day limit is said: {out}"
    );
    cli.ok(&["sync", "--once"]);

    let orders = cli.json(&["orders", "list", "--json"]);
    let mut numbers: Vec<(String, String)> = orders
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
    numbers.sort();
    assert_eq!(
        numbers,
        [("5001".into(), "5001".into()), ("5002".into(), "5002".into())]
    );
    let customers = cli.json(&["customers", "list", "--json"]);
    let customers = customers.as_array().unwrap();
    assert_eq!(customers.len(), 1, "{customers:?}");
    let address = customers[0]["address"].as_str().unwrap();
    assert!(
        address.contains("Austin"),
        "the shipping address is the customer's: {address}"
    );
}
