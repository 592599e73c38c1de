//! `ordertray-cli orders create --file` and `orders show`: a hand-made order from a JSON draft with
//! the New-order form's rules, refused per field with nothing stored, shown as JSON.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use common::Cli;
use serde_json::{json, Value};

fn draft_file(cli: &Cli, name: &str, draft: &Value) -> String {
    let path = cli.dir().join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(draft).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}

fn count(cli: &Cli) -> usize {
    cli.json(&["orders", "search", "", "--json"])
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn an_order_made_from_a_file_takes_the_forms_rules_and_shows_as_json() {
    let cli = Cli::new(&[]);
    let file = draft_file(
        &cli,
        "order.json",
        &json!({
            "number": "CLI-1",
            "recipient": {"name": "Попова Мария", "phone": "+79001234567"},
            "address": {"city": "Казань", "street": "ул. Баумана", "house": "1", "flat": "5", "postal_code": "420111"},
            "items": [{"article": "0986452041", "brand": "BOSCH", "name": "Фильтр", "quantity": 2, "price": "1000", "weight_g": 700}],
            "delivery_method": "Почта России",
            "payment_method": "cash_on_delivery",
        }),
    );
    let created = cli.json(&["orders", "create", "--file", &file, "--json"]);
    assert_eq!(created["number"], "CLI-1");
    assert_eq!(created["status"], "accepted", "the first status of the new group");
    assert_eq!(created["delivery_method"], "post");
    assert_eq!(
        created["delivery_cost"], "370",
        "Russian Post: 250 + 2 started kg × 60"
    );
    assert_eq!(created["items_total"], "2000");
    assert_eq!(created["cod_amount"], "2370", "cash on delivery: the whole total");
    assert_eq!(
        created["declared_value"], "2370",
        "follows the items, never below the COD"
    );
    assert_eq!(
        created["address"]["text"],
        "420111, Казань, ул. Баумана, д. 1, кв. 5"
    );
    assert_eq!(created["transfers"], json!([]));

    let id = created["id"].as_i64().unwrap().to_string();
    for key in ["CLI-1", id.as_str()] {
        let shown = cli.json(&["orders", "show", key, "--json"]);
        assert_eq!(shown, created, "shown by {key} as created");
    }
    let plain = cli.ok(&["orders", "show", "CLI-1"]);
    assert!(plain.contains("420111, Казань"), "{plain}");

    // Items only: a number from the time, declared value from the items, no payment chosen.
    let minimal = draft_file(
        &cli,
        "min.json",
        &json!({"preorder": true, "items": [{"name": "Щётка", "price": "450.50"}]}),
    );
    let out = cli.ok(&["orders", "create", "--file", &minimal]);
    let number = out.trim().split('\t').nth(1).unwrap().to_string();
    assert_eq!(number.len(), "20261203-120000".len(), "{out}");
    let pre = cli.json(&["orders", "show", &number, "--json"]);
    assert_eq!(
        (pre["status"].as_str(), pre["preorder"].as_bool()),
        (Some("preorder"), Some(true))
    );
    assert_eq!(pre["declared_value"], "450.50");
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pre_orders_buyer_completes_it_through_the_link_the_cli_prints() {
    let cli = Cli::new(&[]);
    let file = draft_file(
        &cli,
        "pre.json",
        &json!({"number": "PRE-1", "preorder": true, "delivery_method": "courier",
                "items": [{"name": "Щётка", "price": "450.50"}]}),
    );
    cli.ok(&["orders", "create", "--file", &file]);
    // A buyer link needs the intake's public address.
    let refused = cli.run(&["orders", "preorder-link", "PRE-1"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("public address"));

    // `serve` on a port known in advance, as behind a tunnel that forwards to it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");
    let mut child = cli
        .command(&[
            "serve",
            "--intake-only",
            "--port",
            &port.to_string(),
            "--public-url",
            &public,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let _server = Server(child);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("intake listening on "), "{first}");

    let link = cli.ok(&["orders", "preorder-link", "PRE-1"]).trim().to_string();
    let token = link.strip_prefix(&format!("{public}/preorder/")).expect(&link);
    assert_eq!(token.len(), 64, "{link}");
    let http = reqwest::Client::new();
    let page = http.get(&link).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Щётка"));
    let form = [
        ("name", "Мария Попова"),
        ("email", "maria@example.com"),
        ("pickup_point_id", "PVZ-77"),
        ("payment_method", "prepaid"),
    ];
    assert_eq!(http.post(&link).form(&form).send().await.unwrap().status(), 200);
    let done = cli.json(&["orders", "show", "PRE-1", "--json"]);
    assert_eq!(done["preorder"], false);
    assert_eq!(done["status"], "accepted");
    assert_eq!(done["recipient"]["email"], "maria@example.com");
    assert_eq!(done["address"]["pickup_point_id"], "PVZ-77");
    assert_eq!(http.get(&link).send().await.unwrap().status(), 410, "used up");
}

#[test]
fn problems_are_reported_per_field_and_nothing_is_stored() {
    let cli = Cli::new(&[]);
    let no_postal_code = draft_file(
        &cli,
        "bad.json",
        &json!({
            "recipient": {"name": "Попова Мария"},
            "address": {"city": "Казань"},
            "items": [{"name": "Фильтр", "quantity": 0, "price": "1000"}],
            "delivery_method": "post",
            "payment_method": "card_on_delivery",
        }),
    );
    let out = cli.run(&["orders", "create", "--file", &no_postal_code]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for field in [
        "recipient.phone:",
        "items.0.quantity:",
        "address.postal_code:",
        "payment_method:",
    ] {
        assert!(err.contains(field), "{field} in {err}");
    }
    let unknown = draft_file(
        &cli,
        "unknown.json",
        &json!({"delivery_method": "Телепорт", "items": [{"name": "x", "price": "1"}]}),
    );
    let out = cli.run(&["orders", "create", "--file", &unknown]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("delivery_method: No delivery method «Телепорт»"));
    let typo = draft_file(&cli, "typo.json", &json!({"itmes": []}));
    assert!(!cli.run(&["orders", "create", "--file", &typo]).status.success());
    assert_eq!(count(&cli), 0, "nothing stored");

    let missing = cli.run(&["orders", "show", "NO-SUCH", "--json"]);
    assert!(!missing.status.success());
}
