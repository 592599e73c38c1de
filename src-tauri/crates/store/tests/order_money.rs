//! Migration 0017 (issue 15, money) on a database saved before it: a declared value the manager
//! typed stays typed, one left at 0 follows the items from then on, and the cash-on-delivery
//! amount of every old order is its total.

use ordertray_store::Store;
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteConnectOptions;

#[tokio::test]
async fn migration_0017_keeps_typed_declared_values_and_lets_zero_ones_follow_the_items() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let all = sqlx::migrate!("./migrations");
        let mut old = sqlx::migrate::Migrator::DEFAULT;
        old.migrations = std::borrow::Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version <= 16)
                .cloned()
                .collect(),
        );
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        old.run(&pool).await.unwrap();
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
