//! Ingest against the machine's limit, side by side in one run.
//!
//! N postings × 3 products are serialized once into Ozon v4 list pages of 100 and served over
//! loopback HTTP/1.1 (keep-alive, TCP_NODELAY) by a minimal server on its own runtime and thread,
//! which answers a page in O(1) (the cursor is the page's index). Then:
//! - (a) the limit: one keep-alive connection fetches every page, and the `sqlite3` shell
//!   bulk-imports the same rows (orders with their raw posting, lines) into a fresh WAL file;
//! - (a′) the same fetch, and the same rows bulk-imported in one transaction into the app's own
//!   schema (a database the CLI made: every index, trigger and the inbox search's trigram index
//!   the app's views need), so that what the schema costs and what the path costs read apart;
//! - (b) the app: `ordertray-cli sync --once` (release) into a fresh database, the same path the
//!   app's poll takes (both phases of the Ozon connector, one transaction per page with its
//!   cursor). Its time is split into fetch + parse and store (from the engine's `sync timings`
//!   debug line); parsing alone is timed here in-process on the same pages.
//!
//! Run: `cargo build --release -p ordertray-cli && cargo bench -p ordertray-engine --bench ingest_limit`
//! (env ORDERTRAY_BENCH_POSTINGS, default 20000; ORDERTRAY_CLI names other binaries, `:`-separated,
//! each timed in turn against the same server and limit).
//! `cargo test --benches` runs a small smoke version (the CLI part only if the release binary exists).

#[path = "support/ozon_pages.rs"]
mod ozon_pages;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hyper::body::Bytes;
use ordertray_fakes::ozon::sample_posting;
use ozon_pages::{page_index, serialize_pages, serve, PAGE};
use serde_json::{json, Value};

const PRODUCTS: usize = 3;
const KEY_VAR: &str = "ORDERTRAY_BENCH_OZON_KEY";
const KEY: &str = "bench-key";

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: keep that run tiny.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n: usize = if smoke {
        300
    } else {
        std::env::var("ORDERTRAY_BENCH_POSTINGS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20_000)
    };
    let dir = tempfile::tempdir().unwrap();

    let t = Instant::now();
    let now = Utc::now();
    let postings: Vec<Value> = (1..=n as u64)
        .map(|seq| sample_posting(seq, PRODUCTS, now))
        .collect();
    let pages = Arc::new(serialize_pages(&postings));
    let page_bytes: usize = pages.iter().map(Bytes::len).sum();
    let csv = write_csv(dir.path(), &postings);
    drop(postings);
    let prepared = t.elapsed();
    let url = serve(pages.clone());

    // (a) The limit: fetch every page once, then the sqlite3 shell imports the same rows.
    let t = Instant::now();
    let fetched = fetch_all(&url, pages.len());
    let fetch = t.elapsed();
    assert_eq!(fetched, page_bytes, "every page fetched whole");
    let limit_db = dir.path().join("limit.db");
    settle_disk();
    let import = sqlite3_import(&limit_db, &csv.orders, &csv.lines);
    let limit = fetch + import;

    // Parsing alone, in-process, the way the connector parses a page.
    let t = Instant::now();
    let mut parsed = 0;
    for page in pages.iter() {
        let mut v: Value = serde_json::from_slice(page).unwrap();
        let Value::Array(postings) = v["postings"].take() else {
            panic!("a page without postings")
        };
        for raw in postings {
            parsed += ordertray_connectors::ozon::parse_posting(raw)
                .map(|o| o.lines.len())
                .unwrap_or(0);
        }
    }
    let parse = t.elapsed();
    assert_eq!(parsed, n * PRODUCTS);

    // (b) The app: `ordertray-cli sync --once` into a fresh database (each binary named, side by side).
    let clis = cli_binaries();
    if !clis.iter().all(|c| c.exists()) {
        assert!(
            smoke,
            "{clis:?} not found: build it with `cargo build --release -p ordertray-cli`"
        );
        println!("ingest_limit smoke run ok ({n} postings; no release CLI, sync not timed)");
        return;
    }
    let app_schema_db = dir.path().join("limit-app-schema.db");
    add_account(&clis[0], &app_schema_db, &url);
    settle_disk();
    let (app_schema_parse, app_schema_copy) = sqlite3_import_app_schema(&app_schema_db, &csv);
    let app_schema_limit = fetch + app_schema_parse + app_schema_copy;
    let mut syncs = vec![];
    for (i, cli) in clis.iter().enumerate() {
        let db = dir.path().join(format!("app{i}.db"));
        settle_disk();
        syncs.push((
            cli,
            sync_once(cli, &db, &url, n),
            file_size(&db) + file_size(&db.with_extension("db-wal")),
        ));
    }
    if smoke {
        println!("ingest_limit smoke run ok ({n} postings)");
        return;
    }
    println!(
        "ingest vs the machine's limit: {n} postings × {PRODUCTS} products, {} pages of {PAGE}",
        pages.len()
    );
    println!(
        "  pages serialized + CSVs written   {:>8.2} s  ({:.1} MB of pages)",
        prepared.as_secs_f64(),
        page_bytes as f64 / 1e6
    );
    println!(
        "  (a) limit: fetch all pages        {:>8.3} s",
        fetch.as_secs_f64()
    );
    println!(
        "             sqlite3 .import rows   {:>8.3} s  ({} orders + {} lines)",
        import.as_secs_f64(),
        n,
        n * PRODUCTS
    );
    println!(
        "             total                  {:>8.3} s",
        limit.as_secs_f64()
    );
    println!(
        "  (a′) the same fetch, the same rows into the app's schema (its indexes, triggers, search index):"
    );
    println!(
        "             sqlite3 .import        {:>8.3} s  (into a scratch file)",
        app_schema_parse.as_secs_f64()
    );
    println!(
        "             INSERT … SELECT        {:>8.3} s  (one transaction)",
        app_schema_copy.as_secs_f64()
    );
    println!(
        "             total                  {:>8.3} s",
        app_schema_limit.as_secs_f64()
    );
    println!(
        "  parse alone (in-process, 1 read)  {:>8.3} s",
        parse.as_secs_f64()
    );
    for (cli, (sync, stdout, split), db_size) in &syncs {
        println!("  (b) {}", cli.display());
        println!(
            "      sync --once                   {:>8.3} s  = {:>6.0} postings/s  ({})",
            sync.as_secs_f64(),
            n as f64 / sync.as_secs_f64(),
            stdout.trim()
        );
        if let Some((pages_read, fetch_ms, store_ms)) = split {
            println!(
                "      fetch + parse                 {:>8.3} s  ({pages_read} pages read)",
                fetch_ms / 1e3
            );
            println!("      store (write lock held)       {:>8.3} s", store_ms / 1e3);
        }
        println!(
            "      ratio sync / limit            {:>8.1}×",
            sync.as_secs_f64() / limit.as_secs_f64()
        );
        println!(
            "      ratio sync / (a′)             {:>8.1}×",
            sync.as_secs_f64() / app_schema_limit.as_secs_f64()
        );
        println!(
            "      database size                 {:>8.1} MB",
            *db_size as f64 / 1e6
        );
    }
}

/// Writes what the previous run left dirty to the disk first: at 100,000 postings (700 MB) the
/// kernel's write-back of one run otherwise slows the next by up to a fifth, so whichever binary
/// ran second looked slower.
fn settle_disk() {
    let status = Command::new("sync").status().expect("sync(1)");
    assert!(status.success(), "sync failed");
}

/// Runs the CLI on `db` with the bench's key in its environment: its stdout and stderr.
fn cli_run(cli: &Path, db: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(cli)
        .arg("--db")
        .arg(db)
        .args(args)
        .env(KEY_VAR, KEY)
        // No popup on the desktop of whoever runs the bench (nor its D-Bus round trip timed).
        .env("DBUS_SESSION_BUS_ADDRESS", "disabled:")
        .env("ORDERTRAY_LOG", "warn,ordertray_engine::sync=debug")
        .env("NO_COLOR", "1")
        .output()
        .expect("ordertray-cli runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh database with the app's schema and the bench's account (id 1) pointing at `url`.
fn add_account(cli: &Path, db: &Path, url: &str) {
    cli_run(
        cli,
        db,
        &[
            "accounts",
            "add",
            "ozon",
            "--name",
            "Bench",
            "--client-id",
            "1",
            "--api-key-env",
            KEY_VAR,
            "--base-url",
            url,
        ],
    );
}

/// Adds the account, then times `sync --once`: its time, its output, and the engine's split.
fn sync_once(cli: &Path, db: &Path, url: &str, n: usize) -> (Duration, String, Option<(u64, f64, f64)>) {
    add_account(cli, db, url);
    let t = Instant::now();
    let (stdout, stderr) = cli_run(cli, db, &["sync", "--once"]);
    let sync = t.elapsed();
    assert!(stdout.contains(&format!("{n} new")), "{stdout}");
    (sync, stdout, timing(&stderr))
}

/// The rows the app stores for these postings, as CSV for the `sqlite3` shell: for the bare
/// tables of (a), and with the columns the app also fills (ship-by, region, the lines' copies of
/// their order's sort keys and account) for its own schema in (a′).
struct Csvs {
    orders: PathBuf,
    lines: PathBuf,
    app_orders: PathBuf,
    app_lines: PathBuf,
}

fn write_csv(dir: &Path, postings: &[Value]) -> Csvs {
    let csvs = Csvs {
        orders: dir.join("orders.csv"),
        lines: dir.join("lines.csv"),
        app_orders: dir.join("app-orders.csv"),
        app_lines: dir.join("app-lines.csv"),
    };
    let writer = |p: &Path| csv::Writer::from_path(p).unwrap();
    let (mut o, mut l) = (writer(&csvs.orders), writer(&csvs.lines));
    let (mut ao, mut al) = (writer(&csvs.app_orders), writer(&csvs.app_lines));
    let mut line_id = 0;
    for (i, p) in postings.iter().enumerate() {
        let id = (i + 1).to_string();
        let number = p["posting_number"].as_str().unwrap();
        let at = p["in_process_at"].as_str().unwrap();
        let ship_by = p["shipment_date"].as_str().unwrap();
        let region = p["analytics_data"]["region"].as_str().unwrap();
        let raw = p.to_string();
        let hash = format!("{:016x}", fxhash(raw.as_bytes()));
        let actions = p["available_actions"].to_string();
        let order = [
            id.as_str(),
            "1",
            number,
            number,
            "awaiting_packaging",
            at,
            at,
            at,
            &actions,
            &hash,
            &raw,
        ];
        o.write_record(order).unwrap();
        ao.write_record(order.iter().chain(&[ship_by, region])).unwrap();
        for item in p["products"].as_array().unwrap() {
            line_id += 1;
            let sku = item["sku"].to_string();
            let line_id = line_id.to_string();
            let quantity = item["quantity"].to_string();
            let line = [
                line_id.as_str(),
                &id,
                &sku,
                &sku,
                item["offer_id"].as_str().unwrap(),
                item["name"].as_str().unwrap(),
                &quantity,
                item["price"]["amount"].as_str().unwrap(),
                "RUB",
                at,
            ];
            l.write_record(line).unwrap();
            al.write_record(line.iter().chain(&[ship_by, "0", "1"])).unwrap();
        }
    }
    for mut w in [o, l, ao, al] {
        w.flush().unwrap();
    }
    csvs
}

fn fxhash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// The app's tables for orders and lines (the columns it writes, its keys and indexes), WAL and
/// `synchronous=NORMAL` like the app; only the import is timed.
fn sqlite3_import(db: &Path, orders: &Path, lines: &Path) -> Duration {
    let schema = "PRAGMA journal_mode=WAL;
        CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, external_id TEXT NOT NULL,
            number TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL, first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL, available_actions TEXT NOT NULL, content_hash TEXT NOT NULL, raw TEXT NOT NULL,
            UNIQUE (account_id, external_id));
        CREATE INDEX orders_created ON orders(created_at DESC, id DESC);
        CREATE TABLE lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
            external_id TEXT NOT NULL, sku TEXT NOT NULL, offer_id TEXT NOT NULL, name TEXT NOT NULL,
            quantity INTEGER NOT NULL, price TEXT NOT NULL, currency TEXT NOT NULL, order_created_at TEXT,
            UNIQUE (order_id, external_id));
        CREATE INDEX lines_inbox ON lines(order_created_at DESC, order_id DESC, id);";
    sqlite3(db, schema);
    let t = Instant::now();
    sqlite3(
        db,
        &format!(
            "PRAGMA synchronous=NORMAL;\nBEGIN;\n.import --csv {} orders\n.import --csv {} lines\nCOMMIT;",
            orders.display(),
            lines.display()
        ),
    );
    t.elapsed()
}

/// (a′): the same rows into a database the CLI made, in one transaction, every index and trigger
/// of the app's tables running (the inbox search's trigram index included). The shell parses the
/// CSVs into a scratch file, then the app's own SQLite (the system shell may be too old for the
/// app's schema) copies them with one `INSERT … SELECT` a table; both parts are timed.
fn sqlite3_import_app_schema(db: &Path, csv: &Csvs) -> (Duration, Duration) {
    let staging = db.with_extension("staging.db");
    let t = Instant::now();
    sqlite3(
        &staging,
        &format!(
            "PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
BEGIN;
CREATE TABLE o (id, account_id, external_id, number, status, created_at, first_seen_at, updated_at,
    available_actions, content_hash, raw, ship_by, region);
CREATE TABLE l (id, order_id, external_id, sku, offer_id, name, quantity, price, currency,
    order_created_at, order_ship_by, order_cancelled, account_id);
.import --csv {} o
.import --csv {} l
COMMIT;",
            csv.app_orders.display(),
            csv.app_lines.display()
        ),
    );
    let parsed = t.elapsed();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let copied = rt.block_on(async {
        use sqlx::{Connection, Executor};
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
        conn.execute(sqlx::query("ATTACH ? AS staging").bind(staging.display().to_string()))
            .await
            .unwrap();
        conn.execute(
            "BEGIN;
             INSERT INTO orders (id, account_id, external_id, number, status, created_at, first_seen_at,
                 updated_at, available_actions, content_hash, raw, ship_by, region)
             SELECT id, account_id, external_id, number, status, created_at, first_seen_at, updated_at,
                 available_actions, content_hash, raw, ship_by, region FROM staging.o;
             INSERT INTO lines (id, order_id, external_id, sku, offer_id, name, quantity, price, currency,
                 order_created_at, order_ship_by, order_cancelled, account_id)
             SELECT id, order_id, external_id, sku, offer_id, name, quantity, price, currency,
                 order_created_at, order_ship_by, order_cancelled, account_id FROM staging.l;
             COMMIT;",
        )
        .await
        .unwrap();
        let copied = t.elapsed() - parsed;
        // Not timed: the search index holds every line (each line's article starts "ART-"),
        // whichever version of the schema the first CLI named made (one index, or one a state).
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE lines_text%'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let mut found = 0i64;
        for index in &indexes {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {index} WHERE {index} MATCH 'ART'"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            found += n;
        }
        let lines: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lines")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(found, lines, "every line in the search index ({indexes:?})");
        conn.close().await.unwrap();
        copied
    });
    (parsed, copied)
}

fn sqlite3(db: &Path, script: &str) {
    let mut child = Command::new("sqlite3")
        .arg("-bail")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the sqlite3 shell (apt install sqlite3)");
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "sqlite3 failed");
}

/// Every page in turn over one keep-alive connection, as the connector asks for them.
fn fetch_all(url: &str, pages: usize) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::builder().tcp_nodelay(true).build().unwrap();
        let mut total = 0;
        let mut cursor = String::new();
        for _ in 0..pages {
            let body = json!({"cursor": cursor, "limit": PAGE, "sort_dir": "ASC", "filter": {}, "with": {}});
            let bytes = client
                .post(format!("{url}/v4/posting/fbs/unfulfilled/list"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            total += bytes.len();
            // The next cursor, without parsing the page: it is the page's index.
            cursor = format!("p{}", page_index(&cursor) + 1);
        }
        total
    })
}

/// `ORDERTRAY_CLI` (several binaries separated by `:` run side by side), else the release build.
fn cli_binaries() -> Vec<PathBuf> {
    if let Some(p) = std::env::var_os("ORDERTRAY_CLI") {
        return std::env::split_paths(&p).collect();
    }
    // target/<profile>/deps/ingest_limit-… → target/release/ordertray-cli
    let exe = std::env::current_exe().unwrap();
    let release = exe
        .parent()
        .and_then(Path::parent)
        .and_then(Path::parent)
        .map(|t| t.join("release"));
    vec![release.unwrap_or_default().join("ordertray-cli")]
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// `pages`, `fetch_ms`, `store_ms` from the engine's `sync timings` debug line.
fn timing(stderr: &str) -> Option<(u64, f64, f64)> {
    let line = stderr.lines().find(|l| l.contains("sync timings"))?;
    // Field names may come wrapped in terminal colour codes (ESC … m).
    let mut plain = String::new();
    let mut in_code = false;
    for c in line.chars() {
        match (in_code, c) {
            (false, '\x1b') => in_code = true,
            (true, 'm') => in_code = false,
            (false, c) => plain.push(c),
            (true, _) => {}
        }
    }
    let line = plain.as_str();
    let field = |name: &str| {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<f64>().ok())
    };
    Some((field("pages")? as u64, field("fetch_ms")?, field("store_ms")?))
}
