//! The real `ordertray-cli` binary sending orders to the fake RetailCRM: the target added with its
//! key named by an environment variable, three orders sent with one line each, one refused by the
//! CRM (exit 3, the CRM's words), the status as JSON, fixed and sent again (exit 0, no duplicate),
//! read back, unlinked.

mod common;

use common::Cli;
use ordertray_fakes::retailcrm::{FakeRetailCrm, FakeRetailCrmConfig, ValidationRules};
use serde_json::{json, Value};

const KEY_VAR: &str = "ORDERTRAY_TEST_RETAILCRM_KEY";
const KEY: &str = "retailcrm-cli-key-77e1";
const SITE: &str = "cli-shop";

fn order_file(cli: &Cli, number: &str, phone: &str) -> String {
    let path = cli.dir().join(format!("{number}.json"));
    let draft = json!({
        "number": number,
        "recipient": {"name": "Попова Мария", "phone": phone, "email": "maria@example.com"},
        "address": {"city": "Казань", "street": "ул. Баумана", "house": "1", "postal_code": "420111"},
        "items": [{"article": "0986452041", "brand": "BOSCH", "name": "Фильтр", "quantity": 2, "price": "1000"}],
        "delivery_method": "Почта России",
        "payment_method": "cash_on_delivery",
    });
    std::fs::write(&path, serde_json::to_vec(&draft).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn orders_go_to_a_crm_one_line_each_and_a_refused_one_exits_3_with_the_crms_words() {
    let crm = FakeRetailCrm::start(FakeRetailCrmConfig::new(KEY, SITE))
        .await
        .unwrap();
    // This CRM insists on a phone; our orders may have none (a marketplace hid it).
    crm.set_validation(ValidationRules {
        require_phone: true,
        ..Default::default()
    });
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    let out = cli.ok(&[
        "transfer",
        "targets",
        "add",
        "retailcrm",
        "--name",
        "CRM",
        "--url",
        &crm.base_url(),
        "--site",
        SITE,
        "--api-key-env",
        KEY_VAR,
    ]);
    assert!(out.contains("added target 1 «CRM»"), "{out}");
    let targets = cli.json(&["transfer", "targets", "list", "--json"]);
    assert_eq!(targets[0]["kind_name"], "RetailCRM");

    for (number, phone) in [("C-1", "+79001234567"), ("C-2", ""), ("C-3", "+79001234568")] {
        cli.ok(&["orders", "create", "--file", &order_file(&cli, number, phone)]);
    }
    let sent = cli.run(&["transfer", "send", "--target", "CRM", "C-1", "C-2", "C-3"]);
    let stdout = String::from_utf8_lossy(&sent.stdout);
    assert_eq!(sent.status.code(), Some(3), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].starts_with("C-1\ttransferred\t"), "{stdout}");
    assert!(
        lines[1].starts_with("C-2\tproblematic\tCRM: ") && lines[1].contains("phone"),
        "{stdout}"
    );
    assert!(lines[2].starts_with("C-3\ttransferred\t"), "{stdout}");

    let status = cli.json(&["transfer", "status", "--json"]);
    let status = status.as_array().unwrap();
    assert_eq!(status.len(), 3);
    let c1 = status.iter().find(|s| s["number"] == "C-1").unwrap();
    assert_eq!(c1["state"], "transferred");
    assert_eq!(c1["target"], "CRM");
    let key = c1["external_id"].as_str().unwrap().to_string();
    let at_crm = crm.order(&key).expect("the CRM has C-1 under our key");
    assert_eq!(
        c1["url"],
        Value::from(format!("{}/orders/{}/edit", crm.base_url(), at_crm["id"]))
    );
    let c2 = status.iter().find(|s| s["number"] == "C-2").unwrap();
    assert_eq!(c2["state"], "problematic");
    assert!(c2["error"].as_str().unwrap().contains("phone"), "{c2}");
    assert!(
        !serde_json::to_string(&status).unwrap().contains(KEY),
        "the key is nowhere"
    );

    // The CRM's manager relaxes the rule; sending all three again makes C-2 and updates the rest.
    crm.set_validation(ValidationRules::default());
    let again = cli.ok(&["transfer", "send", "--target", "1", "C-1", "C-2", "C-3"]);
    assert_eq!(
        again.lines().filter(|l| l.contains("\ttransferred\t")).count(),
        3,
        "{again}"
    );
    assert_eq!(crm.orders().len(), 3);
    assert_eq!(crm.stats().edits, 2);

    assert!(crm.set_status(&key, "send-to-delivery"));
    let read = cli.ok(&["transfer", "refresh", "C-1"]);
    assert!(read.contains("read back 1"), "{read}");
    let status = cli.json(&["transfer", "status", "C-1", "--json"]);
    assert_eq!(status[0]["remote_status"], "send-to-delivery");

    let unlinked = cli.ok(&["transfer", "unlink", "C-1", "--target", "CRM"]);
    assert!(unlinked.contains("C-1\tunlinked from CRM"), "{unlinked}");
    assert_eq!(cli.json(&["transfer", "status", "C-1", "--json"]), json!([]));
    let twice = cli.run(&["transfer", "unlink", "C-1", "--target", "CRM"]);
    assert_eq!(twice.status.code(), Some(1));
}

#[test]
fn every_kind_of_target_is_added_with_its_key_named_by_a_variable() {
    let cli = Cli::new(&[(KEY_VAR, KEY)]);
    for args in [
        &["shiptor", "--name", "Delivery"][..],
        &["moysklad", "--name", "Warehouse", "--organization", "ООО Ромашка"][..],
        &["amocrm", "--name", "Deals", "--url", "https://shop.amocrm.ru"][..],
        &[
            "insales",
            "--name",
            "Second shop",
            "--url",
            "https://shop.myinsales.ru",
            "--api-id",
            "app-1",
        ][..],
        &[
            "bitrix24",
            "--name",
            "Portal",
            "--url",
            "https://shop.bitrix24.ru",
            "--user-id",
            "7",
        ][..],
    ] {
        let mut all = vec!["transfer", "targets", "add"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--api-key-env", KEY_VAR]);
        cli.ok(&all);
    }
    let targets = cli.json(&["transfer", "targets", "list", "--json"]);
    let mut kinds: Vec<(&str, bool, bool)> = targets
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind_name"].as_str().unwrap(),
                t["ships"].as_bool().unwrap(),
                t["deletes"].as_bool().unwrap(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("Bitrix24", false, true),
            ("InSales", true, true),
            ("MoySklad", true, true),
            ("Shiptor", true, true),
            ("amoCRM", false, false),
        ]
    );
    let missing = cli.run(&[
        "transfer",
        "targets",
        "add",
        "amocrm",
        "--name",
        "X",
        "--api-key-env",
        KEY_VAR,
    ]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("--url is needed"));
    let db = std::fs::read(&cli.db).unwrap();
    assert!(
        !db.windows(KEY.len()).any(|w| w == KEY.as_bytes()),
        "no key in the database"
    );
}
