//! Many shop orders written straight into a database file (before an engine opens it), for the
//! cabinet's scale tests and benchmarks: numbers `OZ-00000001`…, recipients from a mixed
//! Cyrillic/Latin list, statuses, payments, types and two years of dates spread evenly.
#![allow(dead_code)]

use std::path::Path;

/// The recipients orders cycle through (order i gets `NAMES[i % NAMES.len()]` and its number).
pub const NAMES: [&str; 12] = [
    "Иванов Пётр",
    "Смирнова Анна",
    "Кузнецов Илья",
    "Попова Мария",
    "Соколов Дмитрий",
    "Lebedev Oleg",
    "Новикова Ольга",
    "Morozov Ivan",
    "Волков Сергей",
    "Jan Kowalski",
    "Фёдорова Юлия",
    "Anna Nowak",
];

/// Writes `orders` shop orders with `items` items each into the database at `db` (migrating it
/// first) and returns how many exist afterwards.
pub async fn seed_shop_orders(db: &Path, orders: u64, items: u64) -> i64 {
    let store = ordertray_store::Store::open(db).await.expect("open store");
    let names: Vec<String> = NAMES
        .iter()
        .enumerate()
        .map(|(k, n)| format!("({k}, '{n}')"))
        .collect();
    let mut tx = store.pool().begin().await.unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1),
              names(k, name) AS (VALUES {names}),
              statuses(k, id) AS (SELECT ROW_NUMBER() OVER (ORDER BY position, id) - 1, id FROM shop_statuses)
         INSERT INTO shop_orders (number, created_at, updated_at, status_id, order_type, payment_method, paid,
            cod, recipient_name, recipient_phone, address, declared_value, delivery_cost, total_minor, currency)
         SELECT printf('OZ-%08d', i),
            strftime('%Y-%m-%dT%H:%M:%S.000000Z', '2024-11-23', '+' || (i * 63072000 / ?1) || ' seconds'),
            NULL,
            (SELECT id FROM statuses WHERE k = (i * 7) % (SELECT COUNT(*) FROM statuses)),
            CASE i % 10 WHEN 0 THEN 'export' WHEN 1 THEN 'through' ELSE 'standard' END,
            CASE i % 4 WHEN 0 THEN 'cash_on_delivery' WHEN 1 THEN 'card_on_delivery' WHEN 2 THEN 'card_online'
                ELSE 'prepaid' END,
            CASE WHEN i % 4 >= 2 AND i % 5 != 0 THEN 1 ELSE 0 END,
            CASE WHEN i % 4 < 2 THEN 1 ELSE 0 END,
            (SELECT name FROM names WHERE k = i % {count}) || ' ' || i,
            printf('+7900%07d', i % 10000000),
            'Москва, ул. Тверская, ' || (i % 200),
            '0', '0', (i % 5000) * 100 + 99, 'RUB'
         FROM seq",
        names = names.join(", "),
        count = NAMES.len(),
    ))
    .bind(orders as i64)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ?1)
         INSERT INTO shop_order_items (shop_order_id, position, article, brand, name, quantity, price, weight_g)
         SELECT s.id, k.n, printf('ART-%05d', (s.id * 31 + k.n) % 100000), 'Bosch', 'Фильтр масляный ' || k.n,
            1 + k.n % 3, '499.00', 250
         FROM shop_orders s, k",
    )
    .bind(items as i64)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM shop_orders")
        .fetch_one(store.pool())
        .await
        .unwrap();
    store.close().await;
    n
}
