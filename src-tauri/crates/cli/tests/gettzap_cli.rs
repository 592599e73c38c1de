//! The real `ordertray-cli` binary with a Gettzap account: add (secrets named by environment
//! variables), `serve` hosting the intake, orders pushed to it over HTTP (refused without the
//! token, stored once when pushed twice), then accept / reject and `outbox drain` against the fake
//! Gettzap, which receives exactly the configured status calls.

mod common;

use common::Cli;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use ordertray_fakes::gettzap::{sample_order, FakeGettzap, FakeGettzapConfig};
use serde_json::Value;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

const LOGIN: &str = "gz-cli";
const PASSWORD_VAR: &str = "ORDERTRAY_TEST_GZ_PASSWORD";
const PASSWORD: &str = "gz-cli-pass-7d1";
const KEY_VAR: &str = "ORDERTRAY_TEST_GZ_KEY";
const KEY: &str = "gz-cli-office-token-42";
const TOKEN_VAR: &str = "ORDERTRAY_TEST_GZ_INTAKE";
const TOKEN: &str = "cli-intake-token-0123456789abcdef";

/// Stops the server this test started, whatever happens to the test.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn push(url: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new().post(url).json(body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_gettzap_account_from_add_to_pushed_orders_and_status_calls() {
    let fake = FakeGettzap::start(FakeGettzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let cli = Cli::new(&[(PASSWORD_VAR, PASSWORD), (KEY_VAR, KEY), (TOKEN_VAR, TOKEN)]);
    let base = fake.base_url();
    let out = cli.ok(&[
        "accounts",
        "add",
        "gettzap",
        "--name",
        "Gettzap shop",
        "--login",
        LOGIN,
        "--region",
        "Москва",
        "--password-env",
        PASSWORD_VAR,
        "--api-key-env",
        KEY_VAR,
        "--intake-token-env",
        TOKEN_VAR,
        "--base-url",
        &base,
    ]);
    assert!(out.contains("added account 1"), "{out}");
    let statuses = cli.ok(&["accounts", "statuses", "1"]);
    assert!(
        statuses.contains("accepted") && statuses.contains("refused"),
        "{statuses}"
    );
    cli.ok(&[
        "accounts",
        "notices",
        "1",
        "--accepted-status",
        "accepted",
        "--accepted-notice",
        "Принят: {name}",
        "--refusal-status",
        "refused",
        "--refusal-text",
        "Безусловный отказ",
    ]);

    // `serve` on any free port prints where it listens; the address hides the token.
    let mut child = cli
        .command(&["serve", "--port", "0", "--intake-only"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let server = Server(child);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let listening = first
        .trim()
        .strip_prefix("intake listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    let mut second = String::new();
    stdout.read_line(&mut second).unwrap();
    assert!(second.contains("Gettzap «Gettzap shop»"), "{second}");
    assert!(
        !second.contains(TOKEN),
        "the printed address hides the token: {second}"
    );

    let url = cli.ok(&["accounts", "intake-url", "1"]).trim().to_string();
    assert_eq!(url, format!("{listening}/intake/gettzap/1?token={TOKEN}"));

    let order = sample_order("7001", 2);
    let (s, _) = push(&url.replace(TOKEN, "guessed-token-5150"), &order).await;
    assert_eq!(s, 401);
    let (s, body) = push(&url, &order).await;
    assert_eq!((s, body["new"].as_u64()), (200, Some(1)), "{body}");
    let (s, body) = push(&url, &order).await;
    assert_eq!(
        (s, body["new"].as_u64()),
        (200, Some(0)),
        "pushed twice, stored once: {body}"
    );

    let orders = cli.json(&["orders", "list", "--json"]);
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1);
    let lines = orders[0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    let id = |i: usize| lines[i]["id"].as_i64().unwrap().to_string();
    let name = |i: usize| lines[i]["name"].as_str().unwrap().to_string();

    // The log holds the two pushes, without the token; the refused request left no row.
    let log = cli.json(&["accounts", "intake-log", "--json"]);
    let text = log.to_string();
    let outcomes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["stored", "stored"], "{text}");
    assert!(
        !text.contains("guessed-token-5150") && !text.contains(TOKEN),
        "{text}"
    );
    drop(server);

    assert!(cli.ok(&["sync", "--once"]).contains("0 new"));
    cli.ok(&["lines", "accept", &id(0)]);
    cli.ok(&["lines", "reject", &id(1)]);
    let drained = cli.ok(&["outbox", "drain"]);
    assert!(drained.contains("failed 0"), "{drained}");
    let calls = fake.accepted_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    let call = |pos: String| {
        calls
            .iter()
            .find(|c| c.position_id == pos)
            .unwrap_or_else(|| panic!("no call for {pos}: {calls:?}"))
    };
    let pos = |i: usize| lines[i]["external_id"].as_str().unwrap().to_string();
    assert_eq!(call(pos(0)).status, "accepted");
    assert_eq!(call(pos(0)).comment, format!("Принят: {}", name(0)));
    assert_eq!(call(pos(1)).status, "refused");
    assert_eq!(call(pos(1)).comment, "Безусловный отказ");
}

/// Starts `serve` with `args` and returns it with the address it listens on (its first line).
fn serve(cli: &Cli, args: &[&str]) -> (Server, String) {
    let mut child = cli
        .command(&[&["serve"], args].concat())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let server = Server(child);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let listening = first
        .trim()
        .strip_prefix("intake listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    (server, listening)
}

async fn db(cli: &Cli) -> sqlx::SqliteConnection {
    SqliteConnectOptions::new()
        .filename(&cli.db)
        .connect()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_keeps_its_address_apart_from_the_apps_intake_setting_and_prunes_old_requests() {
    let cli = Cli::new(&[(PASSWORD_VAR, PASSWORD), (KEY_VAR, KEY), (TOKEN_VAR, TOKEN)]);
    cli.ok(&[
        "accounts",
        "add",
        "gettzap",
        "--name",
        "Gettzap shop",
        "--login",
        LOGIN,
        "--password-env",
        PASSWORD_VAR,
        "--api-key-env",
        KEY_VAR,
        "--intake-token-env",
        TOKEN_VAR,
        "--base-url",
        "http://127.0.0.1:9",
    ]);
    // A request from long ago: an intake that runs alone still prunes what retention does not keep.
    let mut conn = db(&cli).await;
    sqlx::query(
        "INSERT INTO intake_requests (account_id, received_at, remote, content_type, body, body_bytes,
            http_status, outcome, message)
         VALUES (1, '2020-01-01T00:00:00.000000Z', '203.0.113.9:5000', 'application/json', x'7b7d', 2,
            200, 'stored', 'old')",
    )
    .execute(&mut conn)
    .await
    .unwrap();

    let (server, listening) = serve(&cli, &["--bind", "0.0.0.0", "--port", "0", "--intake-only"]);
    let port = listening.rsplit(':').next().unwrap().to_string();
    // `accounts intake-url` in another run prints where `serve` serves.
    let url = cli.ok(&["accounts", "intake-url", "1"]).trim().to_string();
    assert_eq!(
        url,
        format!("http://127.0.0.1:{port}/intake/gettzap/1?token={TOKEN}")
    );
    let old: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM intake_requests WHERE message = 'old'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(old, 0, "the old request was pruned when serve started");
    drop(server);

    // The app's own setting (whether it serves the intake at its start, and where) is untouched.
    let app: Option<String> = sqlx::query_scalar("SELECT value FROM app_settings WHERE key = 'intake'")
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    assert_eq!(app, None, "serve wrote the app's intake setting");
    conn.close().await.unwrap();
}
