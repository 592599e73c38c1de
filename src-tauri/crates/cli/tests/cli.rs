//! The real `ordertray-cli` binary against the fake Ozon over loopback HTTP.

mod common;

use common::Cli;
use std::process::Command;

use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig, FakeOzonHandle};
use serde_json::Value;

const KEY_VAR: &str = "ORDERTRAY_TEST_OZON_KEY";
const KEY: &str = "cli-test-key-7d1e";

async fn fake() -> FakeOzonHandle {
    FakeOzon::start(FakeOzonConfig::new("777", KEY)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn add_sync_list_triage_and_drain() {
    let fake = fake().await;
    let numbers = fake.generate_postings(2, 2);
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    let url = fake.base_url();
    let out = cli.ok(&[
        "accounts",
        "add",
        "ozon",
        "--name",
        "Shop CLI",
        "--client-id",
        "777",
        "--api-key-env",
        KEY_VAR,
        "--base-url",
        &url,
        "--interval",
        "30",
    ]);
    assert!(out.contains("Shop CLI"), "{out}");
    assert!(cli.ok(&["accounts", "list"]).contains("Shop CLI"));

    let out = cli.ok(&["sync", "--once"]);
    assert!(out.contains("2 new"), "{out}");

    let orders = cli.json(&["orders", "list", "--json"]);
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 2);
    for o in orders {
        assert_eq!(o["account"], "Shop CLI");
        assert!(numbers.iter().any(|n| o["external_id"] == n.as_str()));
        assert_eq!(o["number"], o["external_id"]);
        assert!(o["status"].is_string() && o["created_at"].is_string());
        for l in o["lines"].as_array().unwrap() {
            for field in [
                "id",
                "external_id",
                "sku",
                "offer_id",
                "name",
                "quantity",
                "price",
                "currency",
                "state",
            ] {
                assert!(!l[field].is_null(), "line field {field} missing: {l}");
            }
            assert_eq!(l["state"], "new");
        }
    }

    // Accept every line of the first order, reject the second order's lines.
    let ids = |o: &Value| -> Vec<String> {
        o["lines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].to_string())
            .collect()
    };
    let first = ids(&orders[0]);
    let second = ids(&orders[1]);
    let mut args = vec!["lines", "accept"];
    args.extend(first.iter().map(String::as_str));
    assert!(cli.ok(&args).contains("1 marketplace call(s) queued"));
    let mut args = vec!["lines", "reject"];
    args.extend(second.iter().map(String::as_str));
    cli.ok(&args);

    assert_eq!(
        cli.json(&["orders", "list", "--json", "--state", "new"])
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        cli.json(&["orders", "list", "--json", "--state", "accepted"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let pending = cli.json(&["outbox", "list", "--json"]);
    assert_eq!(pending.as_array().unwrap().len(), 2);

    let out = cli.ok(&["outbox", "drain", "--once"]);
    assert!(out.contains("delivered 2"), "{out}");
    let rows = cli.json(&["outbox", "list", "--json"]);
    assert!(
        rows.as_array().unwrap().iter().all(|r| r["state"] == "done"),
        "{rows}"
    );
    let ship = fake.calls_to("/v4/posting/fbs/ship");
    assert_eq!(ship.len(), 1);
    assert_eq!(ship[0].body["posting_number"], orders[0]["external_id"]);
    let cancel = fake.calls_to("/v2/posting/fbs/cancel");
    assert_eq!(cancel.len(), 1);
    assert_eq!(cancel[0].body["posting_number"], orders[1]["external_id"]);

    // The accepted posting is in All orders: found by a fragment of its number, exported to CSV.
    let number = orders[0]["number"].as_str().unwrap();
    let fragment = &number[2..number.len() - 1];
    let found = cli.json(&["orders", "search", fragment, "--json"]);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{fragment}: {found:?}");
    assert_eq!(found[0]["number"], number);
    assert_eq!(found[0]["items"], orders[0]["lines"].as_array().unwrap().len());
    assert!(cli
        .json(&["orders", "search", "no-such-order", "--json"])
        .as_array()
        .unwrap()
        .is_empty());

    let csv = cli.dir().join("orders.csv");
    let out = cli.run(&[
        "export",
        "csv",
        "--out",
        csv.to_str().unwrap(),
        "--encoding",
        "cp1251",
        "--delimiter",
        ";",
        "--status",
        "accepted",
        "--period",
        "month",
        "--columns",
        "number,status,item_name,item_quantity",
        "--lang",
        "ru",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut text = String::from("Номер заказа;Статус;Товар;Количество\r\n");
    for l in orders[0]["lines"].as_array().unwrap() {
        text.push_str(&format!(
            "{number};Принят;{};{}\r\n",
            l["name"].as_str().unwrap(),
            l["quantity"]
        ));
    }
    let (expected, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    assert_eq!(std::fs::read(&csv).unwrap(), expected.into_owned());
    let out = cli.run(&[
        "export",
        "csv",
        "--out",
        csv.to_str().unwrap(),
        "--columns",
        "number,colour",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown column 'colour'"));

    // The key was named, never stored.
    let db = std::fs::read(&cli.db).unwrap();
    assert!(!String::from_utf8_lossy(&db).contains(KEY));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_are_one_clear_line_and_a_non_zero_exit() {
    let fake = fake().await;
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    let url = fake.base_url();
    cli.ok(&[
        "accounts",
        "add",
        "ozon",
        "--name",
        "S",
        "--client-id",
        "777",
        "--api-key-env",
        KEY_VAR,
        "--base-url",
        &url,
    ]);

    let out = cli.run(&["lines", "accept", "4242"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains("4242"), "{err}");

    // One account on a schedule would poll them all: refused, not ignored.
    let out = cli.run(&["sync", "--account", "S"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--account goes with --once"));

    let out = cli.run(&[
        "accounts",
        "add",
        "ozon",
        "--name",
        "S",
        "--client-id",
        "777",
        "--api-key-env",
        KEY_VAR,
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));

    // A variable that is not set: the sync fails and says which variable, not a secret.
    let out = Command::new(env!("CARGO_BIN_EXE_ordertray-cli"))
        .arg("--db")
        .arg(&cli.db)
        .args(["sync", "--once"])
        .env_remove(KEY_VAR)
        .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(KEY_VAR));
}

#[tokio::test(flavor = "multi_thread")]
async fn price_lists_offers_and_a_rules_dry_run_from_the_command_line() {
    let fake = fake().await;
    let posting = fake.generate_postings(1, 1).remove(0);
    let offer_id = fake.posting(&posting).unwrap()["products"][0]["offer_id"]
        .as_str()
        .unwrap()
        .to_string();
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    let dir = tempfile::tempdir().unwrap();

    // CP1251, semicolons, titles; columns by title and by position mixed.
    let file = dir.path().join("склад.csv");
    let text = format!(
        "Бренд;Артикул;Наименование;Цена;Остаток;Срок\nMANN;{offer_id};Фильтр масляный;100,50;5;2\nBosch;0 986 452 041;Фильтр;;1;1\n"
    );
    std::fs::write(&file, encoding_rs::WINDOWS_1251.encode(&text).0).unwrap();
    let path = file.to_str().unwrap();
    let out = cli.ok(&[
        "pricelist",
        "import",
        path,
        "--name",
        "Склад",
        "--encoding",
        "cp1251",
        "--delimiter",
        ";",
        "--columns",
        "brand=Бренд,article=2,name=Наименование,price=Цена,stock=5,days=Срок",
    ]);
    assert!(out.contains("2 row(s) read, 1 offer(s), 1 rejected"), "{out}");
    assert!(out.contains("row 3: the price is not a number"), "{out}");

    let lists = cli.json(&["pricelist", "list", "--json"]);
    assert_eq!(lists[0]["name"], "Склад");
    assert_eq!(lists[0]["settings"]["options"]["encoding"], "cp1251");

    let found = cli.json(&[
        "offers",
        "search",
        &offer_id.to_lowercase().replace('-', " "),
        "--json",
    ]);
    let offer = &found.as_array().unwrap()[0];
    assert_eq!(offer["brand"], "MANN");
    assert_eq!(offer["article"], offer_id.as_str());
    assert_eq!(offer["name"], "Фильтр масляный");
    assert_eq!(offer["price"], "100.5");
    assert_eq!(
        (offer["stock"].as_i64(), offer["delivery_days"].as_i64()),
        (Some(5), Some(2))
    );
    assert_eq!(offer["list"], "Склад");
    let by_word = cli.json(&["offers", "search", "масляный", "--json"]);
    assert_eq!(by_word.as_array().unwrap().len(), 1);

    // Re-import by name only: the remembered columns and encoding are used.
    cli.ok(&["pricelist", "import", path, "--name", "Склад"]);

    // Bad input: one clear line and exit 1.
    let out = cli.run(&[
        "pricelist",
        "import",
        path,
        "--name",
        "Other",
        "--columns",
        "article=Нет,price=4",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no column named 'Нет'"));

    // Rules set from a file, then a dry run over the synced inbox.
    cli.ok(&[
        "accounts",
        "add",
        "ozon",
        "--name",
        "Shop",
        "--client-id",
        "777",
        "--api-key-env",
        KEY_VAR,
        "--base-url",
        &fake.base_url(),
    ]);
    let rules = dir.path().join("rules.json");
    std::fs::write(
        &rules,
        r#"[{"id": 0, "name": "Cheapest in stock", "enabled": true,
             "conditions": [{"type": "stock_covers_quantity"}],
             "action": {"type": "accept", "by": "price"}}]"#,
    )
    .unwrap();
    assert!(cli
        .ok(&[
            "rules",
            "set",
            "--account",
            "Shop",
            "--file",
            rules.to_str().unwrap()
        ])
        .contains("off"));
    cli.ok(&["sync", "--once"]);
    let dry = cli.json(&["rules", "dry-run", "--json"]);
    let dry = dry.as_array().unwrap();
    assert_eq!(dry.len(), 1);
    assert_eq!(dry[0]["decision"]["type"], "accept");
    assert_eq!(dry[0]["decision"]["rule_name"], "Cheapest in stock");
    assert_eq!(dry[0]["offer"]["article"], offer_id.as_str());
    assert_eq!(
        cli.json(&["orders", "list", "--json", "--state", "new"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        cli.json(&["rules", "show", "--account", "Shop"])["rules"][0]["name"],
        "Cheapest in stock"
    );
}
