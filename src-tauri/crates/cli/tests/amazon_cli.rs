//! The real `ordertray-cli` binary with an Amazon seller account (the fake Selling Partner API
//! over loopback): the account added with its keys named by environment variables and the fake's
//! API and token addresses, one sync, then the orders as JSON.

mod common;

use chrono::Utc;
use common::Cli;
use ordertray_fakes::amazon::{order, Buyer, FakeAmazon, FakeAmazonConfig};

const SECRET_VAR: &str = "ORDERTRAY_TEST_AMAZON_SECRET";
const REFRESH_VAR: &str = "ORDERTRAY_TEST_AMAZON_REFRESH";
const SECRET: &str = "amzn1.oa2-cs.v1.cli-secret";
const REFRESH: &str = "Atzr|cli-refresh-token";

#[tokio::test(flavor = "multi_thread")]
async fn an_amazon_account_from_add_to_its_orders() {
    let fake = FakeAmazon::start(FakeAmazonConfig::new("cli-client", SECRET, REFRESH))
        .await
        .unwrap();
    let hours = |h: i64| Utc::now() - chrono::Duration::hours(h);
    fake.add_orders([
        order(
            "302-1000001-0000001",
            hours(3),
            Buyer::new(1),
            &[("B08N5WRWNW", "ECHO-4", "Echo Dot", 1, "24.99")],
        ),
        order(
            "302-1000002-0000002",
            hours(2),
            Buyer::new(2),
            &[("B07XJ8C8F5", "FIRE-4K", "Fire TV", 2, "39.99")],
        ),
    ]);
    let cli = Cli::new(&[(SECRET_VAR, SECRET), (REFRESH_VAR, REFRESH)]);
    cli.ok(&["settings", "shop-currency", "EUR"]);
    let out = cli.ok(&[
        "accounts",
        "add",
        "amazon",
        "--name",
        "Amazon.de",
        "--region",
        "eu",
        "--marketplace-id",
        "A1PA6795UKMFR9",
        "--client-id",
        "cli-client",
        "--client-secret-env",
        SECRET_VAR,
        "--refresh-token-env",
        REFRESH_VAR,
        "--base-url",
        &fake.base_url(),
        "--token-url",
        &fake.token_url(),
    ]);
    assert!(out.contains("added account 1"), "{out}");
    cli.ok(&["sync", "--once"]);
    let orders = cli.json(&["orders", "list", "--json"]);
    let mut ids: Vec<&str> = orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["external_id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, ["302-1000001-0000001", "302-1000002-0000002"]);
    assert_eq!(fake.tokens_issued(), 1);
}
