//! The cabinet's migrations on databases saved before them (issue 15): 0017 (money) keeps a
//! declared value the manager typed and lets one left at 0 follow the items; 0018 adds the
//! statuses the cabinet needs where the workflow has room for them; 0019 gives addresses fields
//! and splits the one-line addresses stored before it where that is unambiguous; 0020 keeps where
//! each order was sent, and 0026 keeps it per target account; 0027 counts the orders already
//! there for the statistics bar. Beside them, 0030 (not the cabinet's): the offers' search index
//! rebuilt with each article in its comparable form only; 0031: each line given its account, which
//! the unread badge counts by.

use ordertray_store::Store;
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteConnectOptions;

/// A database migrated up to `version` (the ones after it not yet run).
async fn database_at(path: &std::path::Path, version: i64) -> sqlx::SqlitePool {
    let all = sqlx::migrate!("./migrations");
    let mut old = sqlx::migrate::Migrator::DEFAULT;
    old.migrations = std::borrow::Cow::Owned(
        all.migrations
            .iter()
            .filter(|m| m.version <= version)
            .cloned()
            .collect(),
    );
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    old.run(&pool).await.unwrap();
    pool
}

#[tokio::test]
async fn migration_0017_keeps_typed_declared_values_and_lets_zero_ones_follow_the_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let pool = database_at(&path, 16).await;
        sqlx::query(
            "INSERT INTO shop_orders (id, number, created_at, declared_value, cod, delivery_cost, total_minor)
               VALUES (1, 'TYPED', '2026-01-01T00:00:00.000000Z', '1500', 0, '0', 200000),
                      (2, 'ZERO', '2026-01-02T00:00:00.000000Z', '0', 1, '300', 230000);
             INSERT INTO shop_order_items (shop_order_id, position, name, quantity, price)
               VALUES (1, 0, 'Фильтр', 2, '1000'), (2, 0, 'Фильтр', 2, '1000');",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();

    let typed = s.shop_order_without_timeline(1).await.unwrap().draft;
    assert!(!typed.declared_value_auto);
    assert_eq!(typed.declared_value, Decimal::from(1500), "typed before: kept");
    assert_eq!(typed.cod_amount_typed, None);

    let zero = s.shop_order_without_timeline(2).await.unwrap().draft;
    assert!(zero.declared_value_auto);
    assert_eq!(
        zero.cod_amount(),
        Decimal::from(2300),
        "cash on delivery: the whole total"
    );
    assert_eq!(
        zero.declared_value,
        Decimal::from(2300),
        "follows the items, and covers what the courier collects"
    );
}

#[tokio::test]
async fn migration_0018_puts_pre_order_and_confirmed_after_accepted_and_problematic_last() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let pool = database_at(&path, 17).await;
        // The shop added a status of its own at the end.
        sqlx::query("INSERT INTO shop_statuses (name, grp, position) SELECT 'Ждём оплату', 'in_work', MAX(position) + 1 FROM shop_statuses")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let order: Vec<String> = s
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .map(|st| st.code.unwrap_or(st.name))
        .collect();
    assert_eq!(
        order,
        [
            "accepted",
            "preorder",
            "confirmed",
            "ordered",
            "in_stock",
            "shipped",
            "delivered",
            "refused",
            "removed",
            "deleted",
            "transferred",
            "Ждём оплату",
            "problematic"
        ]
    );
}

#[tokio::test]
async fn migration_0019_splits_one_line_addresses_where_unambiguous_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let pool = database_at(&path, 18).await;
        sqlx::query(
            "INSERT INTO shop_orders (id, number, created_at, address, postal_code)
               VALUES (1, 'CLEAR', '2026-01-01T00:00:00.000000Z', 'Россия, г. Казань, ул. Баумана, д. 5, кв. 3', '420111'),
                      (2, 'UNCLEAR', '2026-01-02T00:00:00.000000Z', 'Казань Баумана 5 кв 3', '420111'),
                      (3, 'NONE', '2026-01-03T00:00:00.000000Z', '', '');
             INSERT INTO customers (id, name, address, created_at)
               VALUES (1, 'Анна', '125009, Москва, ул. Тверская, 7', '2026-01-01T00:00:00.000000Z'),
                      (2, 'Борис', 'у метро', '2026-01-01T00:00:00.000000Z');",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();

    let clear = s.shop_order_without_timeline(1).await.unwrap().draft.address;
    assert_eq!(
        [
            &clear.country,
            &clear.city,
            &clear.street,
            &clear.house,
            &clear.flat,
            &clear.postal_code
        ],
        ["Россия", "Казань", "ул. Баумана", "5", "3", "420111"],
        "split, and the postal code stored beside the line kept"
    );
    assert_eq!(clear.text, "420111, Россия, Казань, ул. Баумана, д. 5, кв. 3");

    let unclear = s.shop_order_without_timeline(2).await.unwrap().draft.address;
    assert_eq!(unclear.text, "Казань Баумана 5 кв 3", "kept as it was");
    assert!(unclear.city.is_empty() && unclear.street.is_empty());
    assert_eq!(unclear.postal_code, "420111");
    assert!(s
        .shop_order_without_timeline(3)
        .await
        .unwrap()
        .draft
        .address
        .is_empty());

    let parts: Vec<Option<String>> = sqlx::query_scalar("SELECT address_parts FROM customers ORDER BY id")
        .fetch_all(s.pool())
        .await
        .unwrap();
    let anna: ordertray_core::Address = serde_json::from_str(parts[0].as_deref().unwrap()).unwrap();
    assert_eq!((anna.city.as_str(), anna.house.as_str()), ("Москва", "7"));
    assert_eq!(parts[1], None, "one line that says nothing clear stays one line");

    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pending_upgrades")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(pending, 0, "done once");
}

#[tokio::test]
async fn migration_0026_keeps_each_orders_transfers_for_its_target_account() {
    use ordertray_core::cabinet::TransferState;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // Transfers as 0020 kept them, by kind of system: one to RetailCRM (an account of it
        // exists now), one to Shiptor (none: nothing to keep it for).
        let pool = database_at(&path, 25).await;
        sqlx::query(
            "INSERT INTO accounts (id, kind, name, interval_secs, settings, created_at)
               VALUES (4, 'retailcrm', 'CRM', 3600, '{\"kind\":\"retailcrm\",\"url\":\"https://crm.example\",\"site\":\"s\"}',
                       '2026-12-01T00:00:00.000000Z');
             INSERT INTO shop_orders (id, number, created_at) VALUES (1, 'A-1', '2026-12-02T00:00:00.000000Z');
             INSERT INTO order_transfers (shop_order_id, target, remote_id, link, state, last_error, updated_at)
               VALUES (1, 'retailcrm', '4711', 'https://crm.example/orders/4711', 'sent', NULL, '2026-12-03T10:00:00.000000Z'),
                      (1, 'shiptor', NULL, NULL, 'failed', 'Не указан индекс', '2026-12-03T10:01:00.000000Z');",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let t = s.shop_order_full(1).await.unwrap().transfers;
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(
        (
            t[0].account_id,
            t[0].target.as_str(),
            t[0].remote_id.as_deref(),
            t[0].state
        ),
        (4, "CRM", Some("4711"), TransferState::Transferred)
    );
    let prefix = s.transfer_key_prefix().await.unwrap();
    assert!(prefix.len() == 8 && prefix.starts_with("ot"), "{prefix}");
    assert_eq!(s.transfer_key_prefix().await.unwrap(), prefix, "kept");
    let dup = sqlx::query("INSERT INTO order_transfers (shop_order_id, account_id, state, updated_at) VALUES (1, 4, 'pending', '2026-12-03T10:02:00.000000Z')")
        .execute(s.pool())
        .await;
    assert!(dup.is_err(), "one row per order and target");
}

#[tokio::test]
async fn migration_0027_counts_the_orders_already_there_and_the_bar_reads_them() {
    use ordertray_core::cabinet::{OrderFilter, PaymentMethod};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let pool = database_at(&path, 26).await;
        sqlx::query(
            "INSERT INTO accounts (id, kind, name, interval_secs, settings, created_at)
               VALUES (3, 'ozon', 'Ozon', 3600, '{}', '2026-12-01T00:00:00.000000Z');
             INSERT INTO shop_orders (id, number, created_at, account_id, status_id, payment_method, paid, order_type)
               VALUES (1, 'A-1', '2026-12-02T00:00:00.000000Z', 3, NULL, NULL, 0, 'standard'),
                      (2, 'A-2', '2026-12-02T00:00:00.000000Z', NULL, 1, 'prepaid', 1, 'export'),
                      (3, 'A-3', '2026-12-02T00:00:00.000000Z', NULL, 1, 'prepaid', 1, 'export'),
                      (4, 'A-4', '2026-12-02T00:00:00.000000Z', NULL, 2, 'card_online', 0, 'standard');",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let kept: Vec<(i64, String, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT status_id, order_type, payment_method, paid, account_id, manual, n FROM shop_order_counts
         ORDER BY 1, 2, 3, 4, 5, 6",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    assert_eq!(
        kept,
        [
            (0, "standard".into(), "".into(), 0, 3, 1, 1),
            (1, "export".into(), "prepaid".into(), 1, 0, 1, 2),
            (2, "standard".into(), "card_online".into(), 0, 0, 1, 1),
        ]
    );
    let bar = s.cabinet_stats(&OrderFilter::default()).await.unwrap();
    assert_eq!(bar.total, 4);
    assert_eq!(
        bar.by_status
            .iter()
            .map(|c| (c.status_id, c.count))
            .collect::<Vec<_>>(),
        [(None, 1), (Some(1), 2), (Some(2), 1)]
    );
    let prepaid = OrderFilter {
        payment: vec![PaymentMethod::Prepaid],
        ..Default::default()
    };
    assert_eq!(s.cabinet_stats(&prepaid).await.unwrap().total, 2);
    // The bar reads the kept counts, not the orders (a count off by 100 shows).
    sqlx::query("UPDATE shop_order_counts SET n = n + 100 WHERE status_id = 2")
        .execute(s.pool())
        .await
        .unwrap();
    assert_eq!(s.cabinet_stats(&OrderFilter::default()).await.unwrap().total, 104);
}

#[tokio::test]
async fn migration_0030_indexes_each_offer_again_with_its_article_in_comparable_form_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let pool = database_at(&path, 29).await;
        sqlx::query(
            "INSERT INTO price_lists (id, name, settings, created_at) VALUES (1, 'Main', '{}', '2026-01-01T00:00:00Z');
             INSERT INTO offers (id, list_id, brand, article, brand_key, article_key, name, price)
               VALUES (1, 1, 'Mann', 'OC-90.1', 'MANN', 'OC901', 'Масляный фильтр', '100'),
                      (2, 1, 'Bosch', 'F 026', 'BOSCH', 'F026', 'Свеча', '50');
             INSERT INTO offers_text (rowid, text)
               SELECT id, brand || ' ' || article || ' ' || article_key || ' ' || name FROM offers;",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let found = |phrase: &'static str| {
        let pool = s.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT rowid FROM offers_text WHERE offers_text MATCH ? ORDER BY rowid",
            )
            .bind(phrase)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(found("\"OC901\"").await, [1]);
    assert!(
        found("\"OC-90\"").await.is_empty(),
        "the article as written is gone"
    );
    assert_eq!(found("\"свеча\"").await, [2], "names stay");
    let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offers_text")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(entries, 2, "one entry per offer");
    let hits = s.search_offers("c-90", 5).await.unwrap();
    assert_eq!(
        hits.iter().map(|o| o.article.as_str()).collect::<Vec<_>>(),
        ["OC-90.1"]
    );
}

#[tokio::test]
async fn migration_0031_gives_each_line_its_account_and_the_badge_counts_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let pool = database_at(&path, 30).await;
        sqlx::query(
            "INSERT INTO accounts (id, kind, name, interval_secs, settings, created_at)
               VALUES (1, 'ozon', 'A', 60, '{}', '2026-12-01T00:00:00.000000Z'),
                      (2, 'ozon', 'B', 60, '{}', '2026-12-01T00:00:00.000000Z');
             INSERT INTO orders (id, account_id, external_id, number, status, created_at, first_seen_at, updated_at,
                 available_actions, content_hash, raw)
               VALUES (7, 1, 'a', 'A-1', 'awaiting_packaging', '2026-12-02T00:00:00.000000Z', '2026-12-02T00:00:00.000000Z',
                       '2026-12-02T00:00:00.000000Z', '[]', 'h', '{}'),
                      (9, 2, 'b', 'B-1', 'awaiting_packaging', '2026-12-02T00:00:00.000000Z', '2026-12-02T00:00:00.000000Z',
                       '2026-12-02T00:00:00.000000Z', '[]', 'h', '{}');
             INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency)
               VALUES (7, '1', 's1', 'o1', 'Фильтр', 1, '10', 'RUB'), (9, '1', 's2', 'o2', 'Свеча', 1, '5', 'RUB'),
                      (9, '2', 's3', 'o3', 'Щётка', 2, '7', 'RUB');",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let accounts: Vec<(i64, i64)> = sqlx::query_as("SELECT order_id, account_id FROM lines ORDER BY id")
        .fetch_all(s.pool())
        .await
        .unwrap();
    assert_eq!(accounts, [(7, 1), (9, 2), (9, 2)]);
    assert_eq!(s.unread_count().await.unwrap(), 3);
    s.set_account_active(2, false).await.unwrap();
    assert_eq!(s.unread_count().await.unwrap(), 1, "B's lines are left out");
}
