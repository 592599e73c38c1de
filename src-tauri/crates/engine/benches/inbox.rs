//! Inbox benchmark: 1,000,000 marketplace lines on about 333,000 orders (one in a thousand with
//! 300 lines) in every triage state, beside 1,000,000 shop orders, in a real SQLite file through
//! the app's migrations and triggers; then, through the engine calls the UI makes, each inbox view
//! as the UI reads it and its search, the accept of one line of a large order, bulk decisions of
//! the oldest waiting lines, the All-orders first page, search and statistics bar, the Customers
//! list and its search (p50/p95 over 40 calls each), and a rules dry run over the new lines. Run:
//! `cargo bench -p ordertray-engine --bench inbox` (env ORDERTRAY_BENCH_LINES changes the number
//! of lines, ORDERTRAY_BENCH_ORDERS the number of shop orders; at least a third of the lines).

mod support;
#[path = "support/timing.rs"]
mod timing;

#[path = "../tests/common/seed.rs"]
mod seed;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::cabinet::{
    OrderFilter, OrderPageQuery, OrderSort, PageCursor, PaymentMethod, SortColumn,
};
use ordertray_core::rules::{Condition, Rule, RuleAction, RuleSet};
use ordertray_core::statuses::StatusGroup;
use ordertray_core::{AccountDraft, AccountSettings, InboxQuery, InboxSort, LineState, TriageAction};
use timing::{report, time};

/// Lines of a page, as the inbox screen asks for them.
const PAGE: u32 = 200;
/// How deep a later page starts: far down a long backlog.
const DEEP: u32 = 100_000;
/// Lines decided in bulk, and how many a decision.
const BULK_LINES: i64 = 5_000;
/// Single accepts timed: more than the other figures' runs, as the accept's tail is what varies
/// (a decision now and then pays for work on the search index).
const ACCEPTS: i64 = 200;
const BULK: usize = 500;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// As the inbox screen asks: every account, a page at a time, the chosen sort.
fn view(state: LineState, processed: bool, sort: InboxSort) -> InboxQuery {
    InboxQuery {
        account_id: None,
        state,
        limit: Some(PAGE),
        after: None,
        processed,
        sort,
        search: None,
    }
}

#[tokio::main]
async fn main() {
    let lines = env("ORDERTRAY_BENCH_LINES", 1_000_000);
    let shop_orders = env("ORDERTRAY_BENCH_ORDERS", 1_000_000).max(lines / 3);
    // ORDERTRAY_BENCH_DIR: an empty directory to keep the database in (to read its plans after).
    let tmp = tempfile::tempdir().unwrap();
    let dir = match std::env::var_os("ORDERTRAY_BENCH_DIR") {
        Some(path) => tempfile::TempDir::new_in(path).unwrap().keep(),
        None => tmp.path().to_path_buf(),
    };
    let db = dir.join("bench.db");

    // Three marketplace accounts pointing nowhere (a poll fails at once; the hour-long interval
    // keeps them from trying again while timing). Active: the unread badge counts their lines.
    let engine = support::bench_engine(&dir).await;
    let mut accounts = vec![];
    for name in ["Ozon A", "Ozon B", "Ozon C"] {
        let draft = AccountDraft {
            name: name.into(),
            region: String::new(),
            active: true,
            interval_secs: 3600,
            base_url: Some("http://127.0.0.1:9".into()),
            settings: AccountSettings::from(OzonSettings::new("4711")),
        };
        let secrets = HashMap::from([("api_key".to_string(), "bench".to_string())]);
        accounts.push(engine.add_account(draft, secrets).await.unwrap().id);
    }
    engine.shutdown().await;
    drop(engine);

    let t = Instant::now();
    seed::seed_shop_orders(&db, shop_orders, 1).await;
    let shop_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let seeded = seed::seed_inbox_lines(&db, lines, &accounts).await;
    println!(
        "seeded {shop_orders} shop orders in {shop_secs:.1} s, then {} lines on {} orders in {:.1} s \
         ({:?}; {} decided by rules), database {} MB",
        seeded.lines,
        seeded.orders,
        t.elapsed().as_secs_f64(),
        seeded.by_state,
        seeded.by_rule,
        std::fs::metadata(&db).unwrap().len() / 1_000_000
    );

    let engine = support::bench_engine(&dir).await;
    search_index_build(&engine).await;
    // The decisions' marketplace calls wait out the undo window: none goes out while timing.
    engine.set_undo_window(Duration::from_secs(3600));

    for (name, state, processed, sort) in [
        (
            "inbox New, nearest ship-by first (the default)",
            LineState::New,
            false,
            InboxSort::ShipBy,
        ),
        (
            "inbox New, newest first",
            LineState::New,
            false,
            InboxSort::Newest,
        ),
        ("inbox Accepted", LineState::Accepted, false, InboxSort::ShipBy),
        ("inbox Rejected", LineState::Rejected, false, InboxSort::ShipBy),
        ("inbox Deleted", LineState::Deleted, false, InboxSort::ShipBy),
        (
            "inbox Processed (decided by rules)",
            LineState::New,
            true,
            InboxSort::ShipBy,
        ),
    ] {
        let query = view(state, processed, sort);
        time(&format!("{name}: its first {PAGE} lines"), || async {
            engine.inbox(&query).await.unwrap().len()
        })
        .await;
        // Scrolled deep: the page after the line DEEP lines down (or half way in a shorter view).
        let depth = InboxQuery {
            limit: Some(DEEP),
            ..query.clone()
        };
        let before = engine.store().inbox(&depth).await.unwrap();
        let at = before.len() / if before.len() < DEEP as usize { 2 } else { 1 };
        let deep = InboxQuery {
            after: before.get(at.saturating_sub(1)).map(|l| l.line.id),
            ..query
        };
        time(&format!("  the {PAGE} lines after line {at}"), || async {
            engine.inbox(&deep).await.unwrap().len()
        })
        .await;
    }
    // The inbox search, as the manager types it into the New and the Accepted view: by how many
    // lines the trigram index finds, they are looked up and sorted (a few), checked against while
    // the view is walked (thousands), or the walked lines' text is checked (tens of thousands).
    time_searches(
        &engine,
        "inbox",
        &[
            ("a posting's number", "00054321"),
            ("an article (about 20 lines)", "OF-12345"),
            ("a model (about 900 lines)", "brembo p42"),
            ("a model family (about 9,000 lines)", "brembo p4"),
            ("a kind, lower case Cyrillic (1/12 of all lines)", "тормозные"),
            ("two letters", "ач"),
            ("two letters in no line, one read", "ъъ"),
            ("nothing", "нет такого"),
        ],
    )
    .await;
    // Two letters in no line of the view: no index can tell, so the screen reads on, a bounded
    // number of lines a read, to the view's end. What that whole walk takes, and in how many reads.
    for (view_name, state) in [("New", LineState::New), ("Accepted", LineState::Accepted)] {
        let mut query = InboxQuery {
            search: Some("ъъ".into()),
            ..view(state, false, InboxSort::ShipBy)
        };
        let t = Instant::now();
        let (mut reads, mut checked) = (0, 0);
        loop {
            let page = engine.inbox_page(&query).await.unwrap();
            reads += 1;
            checked += u64::from(page.lines_checked);
            match page.searched_to {
                Some(line) => query.after = Some(line),
                None => break,
            }
        }
        println!(
            "inbox {view_name}, two letters in no line \"ъъ\", read on to the view's end: {:.0} ms in {reads} reads, {checked} lines checked",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }

    // The worst case of a common fragment: in many lines, but none of the view shown (a word of
    // one account's products with another chosen, a product sold only in the past). A word is
    // put in the names of 40,000 deleted lines (the index follows through its trigger), then
    // searched in the New and Accepted views (none there) and in the Deleted view (there).
    sqlx::query(
        "UPDATE lines SET name = 'Суппорт ' || name
         WHERE id IN (SELECT id FROM lines WHERE state = 'deleted' ORDER BY id LIMIT 40000)",
    )
    .execute(engine.store().pool())
    .await
    .unwrap();
    for (view_name, state, processed) in [
        ("New", LineState::New, false),
        ("Accepted", LineState::Accepted, false),
        ("Processed", LineState::New, true),
        ("Deleted", LineState::Deleted, false),
    ] {
        let query = InboxQuery {
            search: Some("суппорт".into()),
            ..view(state, processed, InboxSort::ShipBy)
        };
        time(
            &format!("inbox {view_name}, search a word of 40,000 deleted lines \"суппорт\""),
            || async { engine.inbox(&query).await.unwrap().len() },
        )
        .await;
    }

    let one_account = InboxQuery {
        account_id: Some(accounts[1]),
        ..view(LineState::New, false, InboxSort::ShipBy)
    };
    time("inbox New of one account", || async {
        engine.inbox(&one_account).await.unwrap().len()
    })
    .await;

    // One new line of each of the newest large orders (their shop orders hold their accepted
    // lines already): each call accepts another one, one right after the other.
    let pool = engine.store().pool();
    let targets: Vec<i64> = sqlx::query_scalar(
        "SELECT MIN(l.id) FROM lines l WHERE l.state = 'new' AND l.order_id % 1000 = 0
           AND l.order_cancelled = 0 AND l.removed_by_marketplace = 0 AND l.order_id IN (SELECT order_id FROM lines WHERE state = 'accepted')
         GROUP BY l.order_id ORDER BY l.order_id DESC LIMIT ?",
    )
    .bind(ACCEPTS)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!targets.is_empty(), "no large order with a new line");
    let mut times = vec![];
    for line in &targets {
        let t = Instant::now();
        let report = engine.triage(&[*line], TriageAction::Accept).await.unwrap();
        times.push(t.elapsed());
        assert_eq!(report.changed.len(), 1);
    }
    report(
        &format!(
            "accept one line of a large order (300 lines), {} in a row",
            times.len()
        ),
        times,
        1,
    );

    // Bulk decisions as the manager (or a rule run) makes them on a long backlog: the oldest
    // waiting lines of orders not cancelled (those can only be rejected), 500 a decision, accepted and rejected in turn. Each decision rewrites an
    // entry of every index its lines are in: what the cost per line follows.
    let oldest: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM lines WHERE state = 'new' AND removed_by_marketplace = 0 AND order_cancelled = 0
         ORDER BY id LIMIT ?",
    )
    .bind(BULK_LINES)
    .fetch_all(pool)
    .await
    .unwrap();
    let t = Instant::now();
    for (n, chunk) in oldest.chunks(BULK).enumerate() {
        let action = if n % 2 == 0 {
            TriageAction::Accept
        } else {
            TriageAction::Reject
        };
        let report = engine.triage(chunk, action).await.unwrap();
        assert_eq!(report.changed.len(), chunk.len());
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "bulk decisions: {} oldest waiting lines, {BULK} a decision, in {secs:.1} s ({:.2} ms a line)",
        oldest.len(),
        secs * 1000.0 / oldest.len().max(1) as f64
    );
    // A thousand single decisions more, then searches again: each decision's commit writes a
    // small piece of the search index (migration 0039), which FTS5 merges during later writes.
    let next: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM lines WHERE state = 'new' AND removed_by_marketplace = 0 ORDER BY id LIMIT 1000",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for line in &next {
        engine.triage(&[*line], TriageAction::Reject).await.unwrap();
    }
    time_searches(
        &engine,
        "after 1,000 single decisions:",
        &[
            ("a posting's number", "00054321"),
            ("a model family", "brembo p4"),
            ("a word of 40,000 deleted lines", "суппорт"),
        ],
    )
    .await;

    time("All orders: first page, newest first", || async {
        engine
            .cabinet_page(&OrderPageQuery::default())
            .await
            .unwrap()
            .rows
            .len()
    })
    .await;
    // What the All-orders screen asks first: its default view (the New group) and a page of 500
    // (PAGE_SIZE in ui/src/cabinet/queries.ts), with the statistics bar beside it.
    let screen_default = OrderPageQuery {
        filter: OrderFilter {
            groups: vec![StatusGroup::New],
            ..Default::default()
        },
        limit: 500,
        ..Default::default()
    };
    time(
        "All orders: the screen's first page (New group, 500 rows)",
        || async { engine.cabinet_page(&screen_default).await.unwrap().rows.len() },
    )
    .await;
    // What the Customers screen asks: a page of 200 (CUSTOMERS_PAGE in ui/src/queries.ts) with
    // the latest orders, with their order counts, first and deep in the list; beside it, the
    // 1,000 it read at once before it had pages, and the same by grouping every shop order (how
    // it was read before migration 0029 kept the figures on the customer).
    time(
        "Customers: the screen's first page (200 by latest order)",
        || async { engine.customers_page("", None, 200).await.unwrap().rows.len() },
    )
    .await;
    let deep: (String, i64) = sqlx::query_as(
        "SELECT last_order_at, id FROM customers WHERE last_order_at IS NOT NULL
         ORDER BY last_order_at DESC, id DESC LIMIT 1 OFFSET 200000",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let deep = PageCursor {
        key: deep.0,
        id: deep.1,
    };
    time("  a page 200,000 customers in", || async {
        engine
            .customers_page("", Some(&deep), 200)
            .await
            .unwrap()
            .rows
            .len()
    })
    .await;
    time("  the 1,000 at once (before pages)", || async {
        engine.customers(1_000).await.unwrap().len()
    })
    .await;
    time("  the same by grouping every shop order (before)", || async {
        sqlx::query(
            "SELECT c.id, COUNT(s.id), MAX(s.created_at) AS last FROM customers c
             LEFT JOIN shop_orders s ON s.customer_id = c.id
             GROUP BY c.id ORDER BY last DESC NULLS LAST, c.id DESC LIMIT 1000",
        )
        .fetch_all(pool)
        .await
        .unwrap()
        .len()
    })
    .await;
    customer_searches(&engine).await;
    let kowal = OrderFilter {
        search: "kowal".into(),
        ..Default::default()
    };
    let kowal_page = OrderPageQuery {
        filter: kowal.clone(),
        ..Default::default()
    };
    time("All orders: search \"kowal\" (1/12 of all orders)", || async {
        engine.cabinet_page(&kowal_page).await.unwrap().rows.len()
    })
    .await;
    let stats = |filter: OrderFilter| {
        let engine = &engine;
        move || {
            let filter = filter.clone();
            async move { engine.cabinet_stats(&filter).await.unwrap().by_status.len() }
        }
    };
    time("statistics bar, no filter", stats(OrderFilter::default())).await;
    time(
        "statistics bar, two payment methods + paid + made by hand",
        stats(OrderFilter {
            payment: vec![PaymentMethod::CardOnline, PaymentMethod::Prepaid],
            paid: Some(true),
            manual: true,
            ..Default::default()
        }),
    )
    .await;
    time("statistics bar, search \"kowal\"", stats(kowal.clone())).await;
    time(
        "statistics bar, search \"0054321\" (one order)",
        stats(OrderFilter {
            search: "0054321".into(),
            ..Default::default()
        }),
    )
    .await;
    time(
        "statistics bar, last 30 days",
        stats(OrderFilter {
            from: Some(chrono::Utc::now() - chrono::Duration::days(30)),
            ..Default::default()
        }),
    )
    .await;
    // A search of one or two characters has no trigram to look up: the orders are checked one by
    // one in the list's order, at most 30,000 a read (the bar: among the newest 30,000).
    let short = |search: &str, sort: OrderSort, groups: Vec<StatusGroup>, limit: u32| OrderPageQuery {
        filter: OrderFilter {
            search: search.into(),
            groups,
            ..Default::default()
        },
        sort,
        limit,
        ..Default::default()
    };
    let by = |column, desc| OrderSort { column, desc };
    for (name, query) in [
        (
            "two letters in no order \"ъъ\", one read",
            short("ъъ", OrderSort::default(), vec![], 0),
        ),
        (
            "two letters in no order \"ъъ\", one read of the screen's New group (500 rows)",
            short("ъъ", OrderSort::default(), vec![StatusGroup::New], 500),
        ),
        (
            "two letters in no order \"ъъ\", one read by number",
            short("ъъ", by(SortColumn::Number, false), vec![], 0),
        ),
        (
            "two letters in no order \"ъъ\", one read by total",
            short("ъъ", by(SortColumn::Total, true), vec![], 0),
        ),
        (
            "two letters in no order \"ъъ\", one read by total, two payment methods + paid",
            OrderPageQuery {
                filter: OrderFilter {
                    payment: vec![PaymentMethod::CardOnline, PaymentMethod::Prepaid],
                    paid: Some(true),
                    ..short("ъъ", OrderSort::default(), vec![], 0).filter
                },
                ..short("ъъ", by(SortColumn::Total, true), vec![], 0)
            },
        ),
        ("two letters \"ko\"", short("ko", OrderSort::default(), vec![], 0)),
        (
            "two letters \"ko\" by recipient",
            short("ko", by(SortColumn::Recipient, false), vec![], 0),
        ),
    ] {
        time(&format!("All orders: search {name}"), || async {
            engine.cabinet_page(&query).await.unwrap().rows.len()
        })
        .await;
    }
    for search in ["ъъ", "ko"] {
        time(
            &format!("statistics bar, search of two letters \"{search}\""),
            stats(OrderFilter {
                search: search.into(),
                ..Default::default()
            }),
        )
        .await;
    }
    // What reading on to the list's end takes (the screen does while the end is in sight).
    let mut query = short("ъъ", OrderSort::default(), vec![], 0);
    let t = Instant::now();
    let (mut reads, mut checked) = (0, 0);
    loop {
        let page = engine.cabinet_page(&query).await.unwrap();
        reads += 1;
        checked += page.orders_checked.unwrap_or_default();
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    println!(
        "All orders, two letters in no order \"ъъ\", read on to the list's end: {:.0} ms in {reads} reads, {checked} orders checked",
        t.elapsed().as_secs_f64() * 1000.0
    );

    // Rules on every account: accept what an offer in stock covers, else leave it (no price list
    // here, so each line is looked up and left).
    for account in &accounts {
        engine
            .save_rule_set(&RuleSet {
                account_id: *account,
                enabled: false,
                rules: vec![Rule {
                    id: 0,
                    name: "In stock".into(),
                    enabled: true,
                    conditions: vec![Condition::StockCoversQuantity],
                    action: RuleAction::Reject {
                        reason_id: None,
                        message: None,
                    },
                }],
            })
            .await
            .unwrap();
    }
    for run in 1..=3 {
        let t = Instant::now();
        let outcomes = engine.dry_run_rules(None).await.unwrap();
        println!(
            "rules dry run over every new line, run {run}: {} outcomes in {:.2} s",
            outcomes.len(),
            t.elapsed().as_secs_f64()
        );
    }
    engine.shutdown().await;
    drop(engine);
    if std::env::var_os("ORDERTRAY_BENCH_DIR").is_some() {
        println!("database kept: {}", db.display());
    }
}

/// The Customers screen's search (a fragment of a name, phone or e-mail, newest customer first, a
/// page of 200): common and rare fragments, a phone typed as a manager types it, one in no
/// customer; one or two characters (no index: a bounded number of customers checked a read) as one
/// read and read on to the list's end, as the screen reads on while the list's end is in sight.
async fn customer_searches(engine: &ordertray_engine::Engine) {
    for (name, fragment) in [
        ("a name a twelfth of them hold", "Анна"),
        ("three letters in a third of them", "ова"),
        ("one customer's number", "123456"),
        ("a phone as typed", "8 901 012-34-56"),
        ("in no customer", "qqq"),
        ("common pieces, in no customer", "Попова Анна"),
        ("two letters", "ан"),
        ("a letter in no customer, one read", "ъ"),
    ] {
        time(&format!("Customers search: {name} \"{fragment}\""), || async {
            engine
                .customers_page(fragment, None, 200)
                .await
                .unwrap()
                .rows
                .len()
        })
        .await;
    }
    let mut walks = Vec::new();
    let mut reads = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let mut after: Option<PageCursor> = None;
        reads = 0;
        loop {
            let page = engine.customers_page("ъ", after.as_ref(), 200).await.unwrap();
            reads += 1;
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        walks.push(t.elapsed());
    }
    println!(
        "{:<58} median {:>8.1} ms  ({reads} reads)",
        "  \"ъ\" read on to the list's end",
        timing::median(walks).as_secs_f64() * 1000.0
    );
}

/// Times each search (name, fragment) in the New and the Accepted view, a first page as the
/// screen asks once typing pauses; each figure's name starts with `label`.
async fn time_searches(engine: &ordertray_engine::Engine, label: &str, searches: &[(&str, &str)]) {
    for (name, fragment) in searches {
        for (view_name, state) in [("New", LineState::New), ("Accepted", LineState::Accepted)] {
            let query = InboxQuery {
                search: Some((*fragment).into()),
                ..view(state, false, InboxSort::ShipBy)
            };
            time(
                &format!("{label} {view_name}, search {name} \"{fragment}\""),
                || async { engine.inbox_page(&query).await.unwrap().lines.len() },
            )
            .await;
        }
    }
}

/// What the upgrade to the inbox search by view (migration 0039) costs a database of this size: its
/// statement that indexes every line, timed on an emptied index, and the index's size.
async fn search_index_build(engine: &ordertray_engine::Engine) {
    let migration = include_str!("../../store/migrations/0039_search_by_view.sql");
    // Its first statement to write the index, its comment lines left out (the triggers' come later).
    let fill = migration
        .split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .find(|s| s.trim().starts_with("INSERT INTO lines_text"))
        .expect("migration 0039 fills lines_text");
    let pool = engine.store().pool();
    sqlx::query("INSERT INTO lines_text (lines_text) VALUES ('delete-all')")
        .execute(pool)
        .await
        .unwrap();
    let t = Instant::now();
    sqlx::query(&fill).execute(pool).await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    // The fill leaves the index in pieces (no merges during writes since migration 0040; the
    // upgrade itself filled it with FTS5's merges on): merged here, so what follows reads the
    // settled index the upgrade leaves.
    let t = Instant::now();
    engine.store().merge_search_indexes().await.unwrap();
    let merge_secs = t.elapsed().as_secs_f64();
    let mb =
        sqlx::query_scalar::<_, Option<i64>>("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'lines_text%'")
            .fetch_one(pool)
            .await
            .unwrap()
            .unwrap_or(0) as f64
            / 1e6;
    println!(
        "inbox search index: built for every line in {secs:.1} s (migration 0039) and merged in {merge_secs:.1} s, {mb:.0} MB"
    );
}
