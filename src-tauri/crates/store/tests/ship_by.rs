//! Ship-by deadlines in the store: kept from each sync, the inbox ordered by them, their alerts
//! taken once per stage with an injected clock; and the offers that fit lines, in one batch.

use chrono::{DateTime, Duration, TimeZone, Utc};
use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::pricelist::{ColumnMapping, ImportOptions, ListSettings, OfferRow};
use ordertray_core::rules::RuleDecision;
use ordertray_core::{
    AccountDraft, AccountSettings, ExternalLine, ExternalOrder, InboxQuery, InboxSort, TriageAction,
};
use ordertray_store::{LineLookup, ShipByStage, Store, TriageExtras};
use rust_decimal::Decimal;
use serde_json::json;

async fn store() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("ordertray.db")).await.unwrap();
    let draft = AccountDraft {
        name: "A".into(),
        region: "Moscow".into(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(OzonSettings::new("123")),
    };
    let account = store.insert_account(&draft, false).await.unwrap().id;
    (dir, store, account)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

/// A posting created `age_h` hours before t0, due `due_h` hours after t0 (None: no deadline).
fn order(number: &str, age_h: i64, due_h: Option<i64>) -> ExternalOrder {
    ExternalOrder {
        external_id: number.into(),
        number: number.into(),
        status: "awaiting_packaging".into(),
        created_at: t0() - Duration::hours(age_h),
        customer: None,
        region: None,
        lines: vec![ExternalLine {
            external_id: format!("{number}-sku"),
            sku: format!("{number}-sku"),
            offer_id: format!("ART-{number}"),
            name: "Filter".into(),
            quantity: 1,
            price: Decimal::from(1000),
            currency: "RUB".into(),
            product: None,
        }],
        available_actions: vec!["ship".into()],
        raw: json!({"posting_number": number, "due": due_h}),
        read_only: false,
        partial: false,
        ship_by: due_h.map(|h| t0() + Duration::hours(h)),
        delivery_note: None,
    }
}

async fn numbers(s: &Store, sort: InboxSort) -> Vec<String> {
    s.inbox(&InboxQuery {
        sort,
        ..InboxQuery::default()
    })
    .await
    .unwrap()
    .into_iter()
    .map(|l| l.order_number)
    .collect()
}

#[tokio::test]
async fn inbox_sorts_by_ship_by_most_urgent_first_without_one_last_and_cancelled_on_top() {
    let (_d, s, a) = store().await;
    let orders = [
        order("late", 1, Some(30)),
        order("none-new", 0, None),
        order("urgent", 5, Some(2)),
        order("none-old", 9, None),
        order("overdue", 20, Some(-1)),
    ];
    s.apply_page(a, "Ozon", &orders, &[], "", t0()).await.unwrap();
    assert_eq!(
        numbers(&s, InboxSort::ShipBy).await,
        ["overdue", "urgent", "late", "none-new", "none-old"]
    );
    assert_eq!(
        InboxQuery::default().sort,
        InboxSort::ShipBy,
        "most urgent first by default"
    );
    assert_eq!(
        numbers(&s, InboxSort::Newest).await,
        ["none-new", "late", "urgent", "none-old", "overdue"]
    );
    let line = s.inbox(&InboxQuery::default()).await.unwrap()[1].clone();
    assert_eq!(line.order_ship_by, Some(t0() + Duration::hours(2)));

    // The buyer cancels the latest one: it comes first in either order, to be marked and not shipped.
    let mut cancelled = order("late", 1, Some(30));
    cancelled.status = "cancelled".into();
    cancelled.raw = json!({"posting_number": "late", "status": "cancelled"});
    s.apply_page(a, "Ozon", &[cancelled], &[], "", t0())
        .await
        .unwrap();
    for sort in [InboxSort::ShipBy, InboxSort::Newest] {
        let lines = s
            .inbox(&InboxQuery {
                sort,
                ..InboxQuery::default()
            })
            .await
            .unwrap();
        assert_eq!(lines[0].order_number, "late");
        assert!(lines[0].marketplace_cancelled);
    }
}

#[tokio::test]
async fn ship_by_alerts_are_taken_once_near_then_once_overdue() {
    let (_d, s, a) = store().await;
    s.apply_page(
        a,
        "Ozon",
        &[
            order("due-3h", 0, Some(3)),
            order("due-10h", 0, Some(10)),
            order("none", 0, None),
        ],
        &[],
        "",
        t0(),
    )
    .await
    .unwrap();
    let near = Duration::hours(2);
    assert!(
        s.take_ship_by_due(t0(), near).await.unwrap().is_empty(),
        "3 h away is not near yet"
    );

    let at = t0() + Duration::minutes(61);
    let due = s.take_ship_by_due(at, near).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].number.as_str(), due[0].stage),
        ("due-3h", ShipByStage::Near)
    );
    assert_eq!(due[0].ship_by, t0() + Duration::hours(3));
    assert!(
        s.take_ship_by_due(at, near).await.unwrap().is_empty(),
        "near is taken once"
    );
    assert!(s
        .take_ship_by_due(at + Duration::minutes(30), near)
        .await
        .unwrap()
        .is_empty());

    let past = t0() + Duration::hours(3);
    let due = s.take_ship_by_due(past, near).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(
        (due[0].number.as_str(), due[0].stage),
        ("due-3h", ShipByStage::Overdue)
    );
    assert!(
        s.take_ship_by_due(past + Duration::hours(1), near)
            .await
            .unwrap()
            .is_empty(),
        "overdue once"
    );

    // Accepted in time: the other order never alerts. A line still new but of a cancelled order neither.
    let ten = s
        .inbox(&InboxQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.order_number == "due-10h")
        .unwrap();
    s.triage(&[ten.line.id], TriageAction::Accept, "test")
        .await
        .unwrap();
    assert!(s
        .take_ship_by_due(t0() + Duration::hours(11), near)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn a_late_order_is_only_overdue_and_a_moved_deadline_alerts_again() {
    let (_d, s, a) = store().await;
    s.apply_page(a, "Ozon", &[order("late", 0, Some(-2))], &[], "", t0())
        .await
        .unwrap();
    let near = Duration::hours(2);
    let due = s.take_ship_by_due(t0(), near).await.unwrap();
    assert_eq!(
        due.iter().map(|d| d.stage).collect::<Vec<_>>(),
        [ShipByStage::Overdue]
    );
    assert!(s.take_ship_by_due(t0(), near).await.unwrap().is_empty());

    // The marketplace moves the deadline a day on: near and overdue may come again.
    let moved = order("late", 0, Some(24));
    s.apply_page(a, "Ozon", &[moved], &[], "", t0()).await.unwrap();
    assert!(s.take_ship_by_due(t0(), near).await.unwrap().is_empty());
    let due = s
        .take_ship_by_due(t0() + Duration::hours(23), near)
        .await
        .unwrap();
    assert_eq!(
        due.iter().map(|d| d.stage).collect::<Vec<_>>(),
        [ShipByStage::Near]
    );
    // The same deadline synced again changes nothing.
    let mut again = order("late", 0, Some(24));
    again.raw = json!({"posting_number": "late", "seen": 2});
    s.apply_page(a, "Ozon", &[again], &[], "", t0()).await.unwrap();
    assert!(s
        .take_ship_by_due(t0() + Duration::hours(23), near)
        .await
        .unwrap()
        .is_empty());
}

async fn import(s: &Store, name: &str, rows: &[(&str, &str, i64)]) {
    let settings = ListSettings {
        mapping: ColumnMapping {
            brand: Some(0),
            article: 1,
            name: None,
            price: 2,
            stock: None,
            delivery_days: None,
            supplier: None,
        },
        options: ImportOptions::default(),
    };
    let mut list = s.begin_list_import(name, &settings).await.unwrap();
    for (article, price, stock) in rows {
        list.add(OfferRow {
            brand: "MANN".into(),
            article: article.to_string(),
            name: "Filter".into(),
            price: price.parse().unwrap(),
            stock: Some(*stock),
            delivery_days: Some(2),
            supplier: None,
        })
        .await
        .unwrap();
    }
    list.finish(None, rows.len() as u64, 0).await.unwrap();
}

#[tokio::test]
async fn offers_of_many_lines_in_one_batch_match_the_dialogs_list() {
    let (_d, s, a) = store().await;
    s.apply_page(
        a,
        "Ozon",
        &[order("1", 0, None), order("2", 0, None), order("3", 0, None)],
        &[],
        "",
        t0(),
    )
    .await
    .unwrap();
    import(&s, "A", &[("art-1", "900", 5), ("ART 2", "1200", 0)]).await;
    import(&s, "B", &[("ART1", "800", 1)]).await;
    let lines = s.inbox(&InboxQuery::default()).await.unwrap();
    let lookups: Vec<LineLookup> = lines.iter().map(LineLookup::from).collect();
    let batch = s.offer_matches(&lookups).await.unwrap();
    for l in &lines {
        let one = s.line_offer_matches(l.line.id).await.unwrap();
        assert_eq!(
            batch.get(&l.line.id).cloned().unwrap_or_default(),
            one,
            "{}",
            l.order_number
        );
    }
    let first = lines.iter().find(|l| l.order_number == "1").unwrap();
    let best = &batch[&first.line.id][0];
    assert_eq!(
        (best.offer.list.as_str(), best.offer.price),
        ("B", Decimal::from(800))
    );
    assert_eq!(best.margin_percent, Some(Decimal::from(25)));
    assert!(!batch.contains_key(&lines.iter().find(|l| l.order_number == "3").unwrap().line.id));
}

/// A database as main left it before the ship-by work (migrations up to 0015, without 0014): its
/// orders and lines get their deadline column (0014) and the lines the inbox's sort keys (0016),
/// filled from their orders; afterwards the triggers keep them in step.
#[tokio::test]
async fn migrations_0014_and_0016_apply_on_a_database_at_0015_and_keep_lines_in_step() {
    use sqlx::sqlite::SqliteConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let all = sqlx::migrate!("./migrations");
        let mut old = sqlx::migrate::Migrator::DEFAULT;
        old.migrations = std::borrow::Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version <= 15 && m.version != 14)
                .cloned()
                .collect(),
        );
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        old.run(&pool).await.unwrap();
        let t = "2026-01-01T00:00:00.000000Z";
        sqlx::query(
            "INSERT INTO accounts (id, kind, name, interval_secs, settings, created_at) VALUES (1, 'ozon', 'A', 60, '{}', ?1);
             INSERT INTO orders (id, account_id, external_id, number, status, created_at, first_seen_at, updated_at,
                                 content_hash, raw)
               VALUES (5, 1, 'P-5', 'P-5', 'awaiting_packaging', '2026-01-01T00:00:00.000000Z', ?1, ?1, 'h', '{}'),
                      (6, 1, 'P-6', 'P-6', 'cancelled', '2026-01-02T00:00:00.000000Z', ?1, ?1, 'h', '{}'),
                      (7, 1, 'P-7', 'P-7', 'awaiting_packaging', '2026-01-03T00:00:00.000000Z', ?1, ?1, 'h', '{}');
             INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency)
               VALUES (5, 'l5', 's', 'o', 'n', 1, '1', 'RUB'), (6, 'l6', 's', 'o', 'n', 1, '1', 'RUB'),
                      (7, 'l7', 's', 'o', 'n', 1, '1', 'RUB');",
        )
        .bind(t)
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let keys = |s: &Store| {
        let pool = s.pool().clone();
        async move {
            sqlx::query_as::<_, (i64, Option<String>, i64)>(
                "SELECT order_id, order_ship_by, order_cancelled FROM lines ORDER BY order_id",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(
        keys(&s).await,
        [(5, None, 0), (6, None, 1), (7, None, 0)],
        "filled from the orders"
    );
    assert_eq!(numbers(&s, InboxSort::Newest).await, ["P-6", "P-7", "P-5"]);
    // A deadline set or moved, a cancellation and its reversal move the order's lines.
    let due = "2026-01-05T00:00:00.000000Z";
    sqlx::query(
        "UPDATE orders SET ship_by = ?1 WHERE id = 5;
         UPDATE orders SET status = 'awaiting_packaging' WHERE id = 6;
         UPDATE orders SET status = 'not_accepted' WHERE id = 7;",
    )
    .bind(due)
    .execute(s.pool())
    .await
    .unwrap();
    assert_eq!(
        keys(&s).await,
        [(5, Some(due.to_string()), 0), (6, None, 0), (7, None, 1)]
    );
    assert_eq!(numbers(&s, InboxSort::ShipBy).await, ["P-7", "P-5", "P-6"]);
    // A line written without the keys gets them from its order.
    sqlx::query(
        "INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency)
         VALUES (5, 'l5b', 's', 'o', 'n', 1, '1', 'RUB')",
    )
    .execute(s.pool())
    .await
    .unwrap();
    let added: (Option<String>, i64, Option<String>) = sqlx::query_as(
        "SELECT order_ship_by, order_cancelled, order_created_at FROM lines WHERE external_id = 'l5b'",
    )
    .fetch_one(s.pool())
    .await
    .unwrap();
    assert_eq!(
        added,
        (
            Some(due.to_string()),
            0,
            Some("2026-01-01T00:00:00.000000Z".to_string())
        )
    );
}

/// The migration's triggers name the cancelled statuses as a list of their own: it must be
/// ordertray_core's.
#[test]
fn the_cancelled_statuses_of_migration_0016_are_the_cores() {
    let sql = include_str!("../migrations/0016_lines_inbox_ship_by.sql");
    let list: Vec<String> = ordertray_core::CANCELLED_STATUSES
        .iter()
        .map(|s| format!("'{s}'"))
        .collect();
    let list = format!("IN ({})", list.join(", "));
    assert_eq!(
        sql.matches("IN (").count(),
        sql.matches(list.as_str()).count(),
        "{list}"
    );
    assert!(sql.contains(&list));
}

/// Every line of a view, read page after page of `limit` lines from its cursor.
async fn paged(s: &Store, query: &InboxQuery, limit: u32) -> Vec<i64> {
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = s
            .inbox(&InboxQuery {
                limit: Some(limit),
                after,
                ..query.clone()
            })
            .await
            .unwrap();
        all.extend(page.iter().map(|l| l.line.id));
        match page.last() {
            Some(last) if page.len() == limit as usize => after = Some(last.line.id),
            _ => return all,
        }
    }
}

/// Pages of a view read from a cursor are the view itself, cut: nothing twice, nothing left out,
/// across orders that tie on every order key but their id, orders without a deadline, cancelled
/// orders and orders of several lines (an order cut between two pages).
#[tokio::test]
async fn inbox_pages_from_a_cursor_add_up_to_the_whole_view() {
    let (_d, s, a) = store().await;
    let orders: Vec<ExternalOrder> = (0..60)
        .map(|i| {
            // Ages and deadlines repeat, so many orders tie on both.
            let due = (i % 4 != 0).then_some(i64::from(i % 5));
            let mut o = order(&format!("P{i:02}"), i64::from(i % 3), due);
            for n in 1..(i % 3) {
                let mut extra = o.lines[0].clone();
                extra.external_id = format!("P{i:02}-{n}");
                o.lines.push(extra);
            }
            if i % 11 == 0 {
                o.status = "cancelled".into();
            }
            o
        })
        .collect();
    s.apply_page(a, "Ozon", &orders, &[], "", t0()).await.unwrap();
    for sort in [InboxSort::ShipBy, InboxSort::Newest] {
        let query = InboxQuery {
            sort,
            ..InboxQuery::default()
        };
        let whole: Vec<i64> = s.inbox(&query).await.unwrap().iter().map(|l| l.line.id).collect();
        assert_eq!(whole.len(), 80, "60 orders, a third of them of two lines");
        for limit in [1, 7, 50] {
            assert_eq!(paged(&s, &query, limit).await, whole, "{sort:?} by {limit}");
        }
    }

    // The manager decides the last line of a page before the next one is read: the next page
    // still starts after it, and the decided line is in the Rejected view, paged the same way.
    let query = InboxQuery::default();
    let first = s
        .inbox(&InboxQuery {
            limit: Some(10),
            ..query.clone()
        })
        .await
        .unwrap();
    let cursor = first.last().unwrap().line.id;
    s.triage(&[cursor], TriageAction::Reject, "test").await.unwrap();
    let next = s
        .inbox(&InboxQuery {
            limit: Some(10),
            after: Some(cursor),
            ..query.clone()
        })
        .await
        .unwrap();
    let whole: Vec<i64> = s.inbox(&query).await.unwrap().iter().map(|l| l.line.id).collect();
    assert_eq!(next.iter().map(|l| l.line.id).collect::<Vec<_>>(), whole[9..19]);
    s.triage(&whole[..30], TriageAction::Reject, "test")
        .await
        .unwrap();
    let rejected = InboxQuery {
        state: ordertray_core::LineState::Rejected,
        ..InboxQuery::default()
    };
    let all_rejected: Vec<i64> = s
        .inbox(&rejected)
        .await
        .unwrap()
        .iter()
        .map(|l| l.line.id)
        .collect();
    assert_eq!(all_rejected.len(), 31);
    assert_eq!(paged(&s, &rejected, 4).await, all_rejected);

    // A cursor on a line that is no more is an error, not an empty page that looks like the end.
    let gone = s
        .inbox(&InboxQuery {
            after: Some(i64::MAX),
            ..query
        })
        .await;
    assert!(gone.is_err());
}

/// What the manager expects of the inbox search, in plain Rust: the fragment in the order's
/// number, the article, the SKU or the product name, whatever the case of its letters.
fn finds(line: &ordertray_core::InboxLine, search: &str) -> bool {
    let search = search.trim().to_lowercase();
    [
        &line.order_number,
        &line.line.offer_id,
        &line.line.sku,
        &line.line.name,
    ]
    .iter()
    .any(|text| text.to_lowercase().contains(&search))
}

/// A search narrows every view to the lines it finds, in the view's order and paged the same
/// way: a fragment of three characters or more through the trigram index (Cyrillic in either
/// case too), a shorter one line by line; glob and FTS characters are taken literally.
#[tokio::test]
async fn the_inbox_search_finds_lines_by_number_article_and_name_in_any_case_and_pages_them() {
    let (_d, s, a) = store().await;
    let names = [
        "Смартфон Samsung Galaxy",
        "Чехол для СМАРТФОНА",
        "Фильтр масляный MANN",
        "Свеча зажигания NGK [*]",
        "Кабель \"USB-C\" Baseus",
    ];
    let orders: Vec<ExternalOrder> = (0..40)
        .map(|i| {
            let mut o = order(
                &format!("0{:03}-{}", 40 + i, i % 3),
                i64::from(i % 4),
                Some(i64::from(i % 5)),
            );
            o.lines[0].name = names[i as usize % names.len()].into();
            if i % 4 == 0 {
                let mut extra = o.lines[0].clone();
                extra.external_id = format!("{}-2", o.number);
                extra.sku = format!("77{i:03}");
                extra.name = names[(i as usize + 2) % names.len()].into();
                o.lines.push(extra);
            }
            o
        })
        .collect();
    s.apply_page(a, "Ozon", &orders, &[], "", t0()).await.unwrap();
    let some: Vec<i64> = s.inbox(&InboxQuery::default()).await.unwrap()[..12]
        .iter()
        .map(|l| l.line.id)
        .collect();
    s.triage(&some, TriageAction::Reject, "test").await.unwrap();

    for state in [
        ordertray_core::LineState::New,
        ordertray_core::LineState::Rejected,
    ] {
        for sort in [InboxSort::ShipBy, InboxSort::Newest] {
            let view = InboxQuery {
                state,
                sort,
                ..InboxQuery::default()
            };
            let whole = s.inbox(&view).await.unwrap();
            for search in [
                "смартф",
                "СмартФ",
                "ngk",
                "mann",
                "007",
                "-1",
                "art-00",
                "770",
                "см",
                "[*]",
                "\"usb",
                "*",
                "нет такого",
            ] {
                let expected: Vec<i64> = whole
                    .iter()
                    .filter(|l| finds(l, search))
                    .map(|l| l.line.id)
                    .collect();
                let query = InboxQuery {
                    search: Some(format!(" {search} ")),
                    ..view.clone()
                };
                let found: Vec<i64> = s.inbox(&query).await.unwrap().iter().map(|l| l.line.id).collect();
                let what = format!("{state:?} {sort:?} «{search}»");
                if state == ordertray_core::LineState::New {
                    assert_eq!(expected.is_empty(), search == "нет такого", "{what}");
                }
                assert_eq!(found, expected, "{what}");
                assert_eq!(paged(&s, &query, 3).await, expected, "{what}, by 3");
            }
            let fragment_of_two_words = InboxQuery {
                search: Some("смартфон sam".into()),
                ..view.clone()
            };
            let found = s.inbox(&fragment_of_two_words).await.unwrap();
            assert!(
                found.iter().all(|l| l.line.name == names[0]),
                "{state:?} {sort:?}"
            );
        }
    }
    let everything = s.inbox(&InboxQuery::default()).await.unwrap();
    assert!(everything.iter().any(|l| finds(l, "смартф")) && everything.iter().any(|l| !finds(l, "смартф")));
    let blank = InboxQuery {
        search: Some("  ".into()),
        ..InboxQuery::default()
    };
    assert_eq!(s.inbox(&blank).await.unwrap().len(), everything.len());
}

/// Each view's search finds exactly that view's lines as their lines move between views: decided
/// by hand or by a rule (the Processed view), undone, renamed by the marketplace, their order
/// renumbered, renamed and decided in one write, removed. (The search index keeps one entry a
/// line under a key of its view, moved by each decision; a line found twice or in the wrong view
/// would show here.)
#[tokio::test]
async fn each_views_search_follows_its_lines_through_decisions_and_changes() {
    let (_d, s, a) = store().await;
    let orders: Vec<ExternalOrder> = (0..16)
        .map(|i| {
            let mut o = order(&format!("1{i:03}"), i, None);
            o.lines[0].name = if i % 2 == 0 {
                "Суппорт тормозной"
            } else {
                "Фильтр масляный"
            }
            .into();
            o
        })
        .collect();
    s.apply_page(a, "Ozon", &orders, &[], "", t0()).await.unwrap();
    let line_of = |lines: &[ordertray_core::InboxLine], number: &str| {
        lines.iter().find(|l| l.order_number == number).unwrap().line.id
    };
    let all = s.inbox(&InboxQuery::default()).await.unwrap();
    let ids = |numbers: &[usize]| -> Vec<i64> {
        numbers
            .iter()
            .map(|i| line_of(&all, &format!("1{i:03}")))
            .collect()
    };
    let rule = |decision| TriageExtras {
        rule: Some(decision),
        ..TriageExtras::default()
    };
    let rejected_by_rule = rule(RuleDecision::Reject {
        rule_id: 1,
        rule_name: "Out of stock".into(),
        reason_id: None,
        message: None,
    });
    let accepted_by_rule = rule(RuleDecision::Accept {
        rule_id: 2,
        rule_name: "In stock".into(),
        offer_id: 1,
    });
    s.triage_with(&ids(&[0, 1, 2]), TriageAction::Reject, "rules", &rejected_by_rule)
        .await
        .unwrap();
    s.triage(&ids(&[4, 5, 6]), TriageAction::Accept, "t")
        .await
        .unwrap();
    s.triage(&ids(&[8, 9]), TriageAction::Delete, "t").await.unwrap();
    s.triage_with(&ids(&[10, 11]), TriageAction::Accept, "rules", &accepted_by_rule)
        .await
        .unwrap();
    s.undo_triage(&ids(&[4]), "t").await.unwrap();
    // The marketplace renames an accepted line's product and a new one's.
    let mut renamed = vec![orders[5].clone(), orders[7].clone()];
    renamed[0].lines[0].name = "Суппорт передний".into();
    renamed[1].lines[0].name = "Суппорт задний".into();
    for o in &mut renamed {
        o.raw["renamed"] = json!(true);
    }
    s.apply_page(a, "Ozon", &renamed, &[], "", t0()).await.unwrap();
    let pool = s.pool();
    sqlx::query("UPDATE lines SET name = 'Суппорт ремкомплект', state = 'deleted' WHERE id = ?")
        .bind(ids(&[13])[0])
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE orders SET number = 'СУППОРТ-15' WHERE number = '1015'")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM lines WHERE id = ?")
        .bind(ids(&[12])[0])
        .execute(pool)
        .await
        .unwrap();

    use ordertray_core::LineState::*;
    let mut seen = 0;
    for (state, processed) in [
        (New, false),
        (Accepted, false),
        (Rejected, false),
        (Deleted, false),
        (New, true),
    ] {
        let view = InboxQuery {
            state,
            processed,
            ..InboxQuery::default()
        };
        let expected: Vec<i64> = s
            .inbox(&view)
            .await
            .unwrap()
            .iter()
            .filter(|l| finds(l, "суппорт"))
            .map(|l| l.line.id)
            .collect();
        let query = InboxQuery {
            search: Some("суппорт".into()),
            ..view
        };
        let found: Vec<i64> = s.inbox(&query).await.unwrap().iter().map(|l| l.line.id).collect();
        let what = format!("{state:?} processed {processed}");
        assert!(!expected.is_empty(), "{what}");
        assert_eq!(found, expected, "{what}");
        assert_eq!(paged(&s, &query, 2).await, expected, "{what}, by 2");
        seen += found.len();
    }
    // New: 4 (undone), 7, 14, 15 (number); accepted: 5, 6, 10; rejected: 0, 2; deleted: 8, 13;
    // processed: 0, 2, 10.
    assert_eq!(seen, 4 + 3 + 2 + 2 + 3);
}

/// A fragment found a few thousand times is checked against the ids the trigram index found
/// while the view is walked in its order (not looked up and sorted): the same lines, paged the
/// same way.
#[tokio::test]
async fn a_fragment_found_thousands_of_times_narrows_the_view_the_same_way() {
    let (_d, s, a) = store().await;
    let orders: Vec<ExternalOrder> = (0..30)
        .map(|i| {
            let mut o = order(&format!("B{i:02}"), i64::from(i % 4), Some(i64::from(i % 6)));
            let template = o.lines[0].clone();
            o.lines = (0..100)
                .map(|n| ExternalLine {
                    external_id: format!("B{i:02}-{n}"),
                    name: if n % 10 == 0 {
                        "Фильтр".into()
                    } else {
                        format!("Тормозной диск {n}")
                    },
                    ..template.clone()
                })
                .collect();
            o
        })
        .collect();
    s.apply_page(a, "Ozon", &orders, &[], "", t0()).await.unwrap();
    for sort in [InboxSort::ShipBy, InboxSort::Newest] {
        let view = InboxQuery {
            sort,
            ..InboxQuery::default()
        };
        let whole = s.inbox(&view).await.unwrap();
        let expected: Vec<i64> = whole
            .iter()
            .filter(|l| finds(l, "тормозной"))
            .map(|l| l.line.id)
            .collect();
        assert_eq!(expected.len(), 2_700);
        let query = InboxQuery {
            search: Some("тормозной".into()),
            ..view
        };
        assert_eq!(paged(&s, &query, 500).await, expected, "{sort:?}");
    }
}

/// Index segments in the search index of lines: each is read by every search.
async fn line_index_segments<'e>(db: impl sqlx::SqliteExecutor<'e>) -> i64 {
    sqlx::query_scalar("SELECT count(DISTINCT segid) FROM lines_text_idx")
        .fetch_one(db)
        .await
        .unwrap()
}

/// Sixty waiting lines, one an order numbered from `{prefix}000`: their ids.
async fn sixty_lines(s: &Store, account: i64, prefix: char) -> Vec<i64> {
    let orders: Vec<ExternalOrder> = (0..60)
        .map(|i| order(&format!("{prefix}{i:03}"), i, None))
        .collect();
    s.apply_page(account, "Ozon", &orders, &[], "", t0())
        .await
        .unwrap();
    s.inbox(&InboxQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|l| l.line.id)
        .collect()
}

/// The index's segments once the store's merges have brought them to 6 or fewer (FTS5's
/// `usermerge` keeps every level under 4), or as many as are left after 20 s.
async fn segments_once_merged(s: &Store) -> i64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut segments = line_index_segments(s.pool()).await;
    while segments > 6 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        segments = line_index_segments(s.pool()).await;
    }
    segments
}

/// Each single decision writes a small segment into the search index and merges nothing in its own
/// commit (migration 0040); the store merges them after the commits, so they do not pile up.
#[tokio::test]
async fn the_search_index_is_merged_after_single_decisions_not_left_in_pieces() {
    let (_d, s, a) = store().await;
    for line in sixty_lines(&s, a, '2').await {
        s.triage(&[line], TriageAction::Accept, "t").await.unwrap();
    }
    // 60 commits, one segment each: left to FTS5's crisis merges they would be 16 segments.
    let segments = segments_once_merged(&s).await;
    assert!(segments <= 6, "{segments} segments left");
    let found = s
        .inbox(&InboxQuery {
            state: ordertray_core::LineState::Accepted,
            search: Some("ART-2059".into()),
            ..InboxQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

/// Segments written where no merge follows (here plain statements while the store is closed; in
/// the field a process that ended before its merges ran) are merged after the next start.
#[tokio::test]
async fn a_search_index_left_in_pieces_is_merged_after_the_next_start() {
    use sqlx::Connection;
    let (d, s, a) = store().await;
    let path = d.path().join("ordertray.db");
    let lines = sixty_lines(&s, a, '3').await;
    s.close().await;
    let mut outside =
        sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
    for id in lines {
        sqlx::query("UPDATE lines SET name = name || ' kit' WHERE id = ?")
            .bind(id)
            .execute(&mut outside)
            .await
            .unwrap();
    }
    let left = line_index_segments(&mut outside).await;
    assert!(left > 6, "{left} segments");
    outside.close().await.unwrap();
    let s = Store::open(&path).await.unwrap();
    let segments = segments_once_merged(&s).await;
    assert!(segments <= 6, "{segments} segments left");
}
