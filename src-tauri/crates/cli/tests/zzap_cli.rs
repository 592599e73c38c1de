//! The real `ordertray-cli` binary with a ZZAP account against the fake ZZAP over loopback HTTP:
//! add (secrets named by environment variables), status list, notices, sync, accept one line and
//! reject another, drain: the fake receives exactly the configured status calls.

mod common;

use common::Cli;

use ordertray_fakes::zzap::{FakeZzap, FakeZzapConfig};
use serde_json::Value;

const LOGIN: &str = "shop@example.ru";
const PASSWORD_VAR: &str = "ORDERTRAY_TEST_ZZAP_PASSWORD";
const PASSWORD: &str = "zz-pass-51f0";
const KEY_VAR: &str = "ORDERTRAY_TEST_ZZAP_KEY";
const KEY: &str = "zz-key-9c2e77";

#[tokio::test(flavor = "multi_thread")]
async fn a_zzap_account_from_add_to_status_calls() {
    let fake = FakeZzap::start(FakeZzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let codes = fake.generate(2);
    let cli = Cli::new(&[(PASSWORD_VAR, PASSWORD), (KEY_VAR, KEY)]);
    let url = fake.base_url();
    let out = cli.ok(&[
        "accounts",
        "add",
        "zzap",
        "--name",
        "ZZAP shop",
        "--login",
        LOGIN,
        "--password-env",
        PASSWORD_VAR,
        "--api-key-env",
        KEY_VAR,
        "--base-url",
        &url,
        "--request-interval-ms",
        "0",
    ]);
    assert!(out.contains("ZZAP shop"), "{out}");

    let statuses = cli.json(&["accounts", "statuses", "ZZAP shop", "--json"]);
    assert!(
        statuses
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "2" && s["name"] == "Принят в работу"),
        "{statuses}"
    );
    let out = cli.ok(&[
        "accounts",
        "notices",
        "ZZAP shop",
        "--accepted-status",
        "2",
        "--accepted-notice",
        "Заказ {order}: {name} × {qty} принят",
        "--refusal-status",
        "3",
        "--refusal-text",
        "Нет в наличии",
    ]);
    assert!(
        !out.contains("warning"),
        "codes from the list are honoured: {out}"
    );

    let out = cli.ok(&["sync", "--once"]);
    assert!(out.contains("2 new"), "{out}");
    let orders = cli.json(&["orders", "list", "--json"]);
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 2);
    for o in orders {
        let line = &o["lines"][0];
        assert_eq!(
            line["external_id"], o["external_id"],
            "a line is keyed by its code_order"
        );
        let row = fake
            .row(o["external_id"].as_str().unwrap().parse().unwrap())
            .unwrap();
        assert_eq!(line["sku"], row["partnumber"], "sku is the article");
        assert!(codes.iter().any(|c| o["external_id"] == c.to_string().as_str()));
    }
    let (accepted, rejected) = (&orders[0], &orders[1]);
    let line_id = |o: &Value| o["lines"][0]["id"].to_string();
    assert!(cli
        .ok(&["lines", "accept", &line_id(accepted)])
        .contains("1 marketplace call(s) queued"));
    assert!(cli
        .ok(&["lines", "reject", &line_id(rejected)])
        .contains("1 marketplace call(s) queued"));
    let out = cli.ok(&["outbox", "drain", "--once"]);
    assert!(out.contains("delivered 2"), "{out}");

    let calls = fake.calls_to("SetOrderStatusV3");
    assert_eq!(calls.len(), 2, "exactly the configured calls");
    let call_for = |o: &Value| {
        calls
            .iter()
            .find(|c| c.params["code_order"] == o["external_id"].as_str().unwrap())
            .unwrap_or_else(|| panic!("no call for {o}"))
    };
    let a = call_for(accepted);
    assert_eq!(a.params["code_track"], "2");
    let line = &accepted["lines"][0];
    assert_eq!(
        a.params["response"],
        format!(
            "Заказ {}: {} × {} принят",
            accepted["number"].as_str().unwrap(),
            line["name"].as_str().unwrap(),
            line["quantity"]
        )
    );
    let r = call_for(rejected);
    assert_eq!(
        (r.params["code_track"].as_str(), r.params["response"].as_str()),
        ("3", "Нет в наличии")
    );
    assert!(calls.iter().all(|c| c.credentials_ok));
    let row = fake
        .row(accepted["external_id"].as_str().unwrap().parse().unwrap())
        .unwrap();
    assert_eq!(row["code_track"], 2);

    // Nothing was stored of the secrets.
    let db = String::from_utf8_lossy(&std::fs::read(&cli.db).unwrap()).to_string();
    assert!(!db.contains(KEY) && !db.contains(PASSWORD));
}
