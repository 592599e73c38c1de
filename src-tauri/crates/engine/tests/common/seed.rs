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

/// How many shop orders a bench seeds: `ORDERTRAY_BENCH_ORDERS`, else `default`.
pub fn orders_from_env(default: u64) -> u64 {
    std::env::var("ORDERTRAY_BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Orders per customer in [`seed_shop_orders`]: customer k has orders k, k + n, k + 2n, … (n the
/// number of customers), so every customer's latest order is in the last stretch of dates.
pub const ORDERS_PER_CUSTOMER: u64 = 4;

/// Writes `orders` shop orders with `items` items each into the database at `db` (migrating it
/// first), on one customer for every [`ORDERS_PER_CUSTOMER`] orders, and returns how many orders
/// exist afterwards.
pub async fn seed_shop_orders(db: &Path, orders: u64, items: u64) -> i64 {
    let store = ordertray_store::Store::open(db).await.expect("open store");
    let names: Vec<String> = NAMES
        .iter()
        .enumerate()
        .map(|(k, n)| format!("({k}, '{n}')"))
        .collect();
    let customers = (orders / ORDERS_PER_CUSTOMER).max(1) as i64;
    // IMMEDIATE, as the store's own writes: a deferred transaction whose first statement reads
    // the schema holds a read lock when it asks to write, and fails at once ("database is locked")
    // instead of waiting while another connection (the store's index merging) writes.
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1),
              names(k, name) AS (VALUES {names})
         INSERT INTO customers (id, name, phone, created_at)
         SELECT i, (SELECT name FROM names WHERE k = i % {count}) || ' ' || i, printf('+7901%07d', i),
            '2024-11-23T00:00:00.000000Z'
         FROM seq",
        names = names.join(", "),
        count = NAMES.len(),
    ))
    .bind(customers)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1),
              names(k, name) AS (VALUES {names}),
              statuses(k, id) AS (SELECT ROW_NUMBER() OVER (ORDER BY position, id) - 1, id FROM shop_statuses)
         INSERT INTO shop_orders (number, created_at, updated_at, status_id, order_type, payment_method, paid,
            cod, recipient_name, recipient_phone, address, declared_value, delivery_cost, total_minor, currency,
            customer_id)
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
            '0', '0', (i % 5000) * 100 + 99, 'RUB', 1 + (i - 1) % ?2
         FROM seq",
        names = names.join(", "),
        count = NAMES.len(),
    ))
    .bind(orders as i64)
    .bind(customers)
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

/// A line's product name: one of twelve kinds, each of a twelfth of the lines, with a model
/// number for the brake pads (so a search can find a thousandth of a kind, or a tenth).
const PRODUCT_NAME: &str = "CASE (order_id * 7 + n) % 12
    WHEN 0 THEN 'Фильтр масляный MANN W' || (order_id % 90)
    WHEN 1 THEN 'Колодки тормозные Brembo P' || ((order_id * 13 + n) % 1000)
    WHEN 2 THEN 'Свеча зажигания NGK ' || (order_id % 800)
    WHEN 3 THEN 'Щётка стеклоочистителя Bosch Aerotwin'
    WHEN 4 THEN 'Лампа H7 Philips X-treme Vision'
    WHEN 5 THEN 'Аккумулятор Varta Blue Dynamic 60 Ач'
    WHEN 6 THEN 'Масло моторное Castrol Edge 5W-30 4 л'
    WHEN 7 THEN 'Амортизатор KYB Excel-G'
    WHEN 8 THEN 'Ремень ГРМ Gates'
    WHEN 9 THEN 'Антифриз Felix Carbox 5 кг'
    WHEN 10 THEN 'Датчик кислорода Denso'
    ELSE 'Смартфон-держатель Baseus' END || ' ' || n";

/// What [`seed_inbox_lines`] made.
pub struct SeededInbox {
    pub orders: i64,
    pub lines: i64,
    /// Lines per state, `(state, count)`.
    pub by_state: Vec<(String, i64)>,
    /// Lines decided by a rule (the Processed view).
    pub by_rule: i64,
}

/// Marketplace orders of the given accounts with about `lines` lines in all, written straight
/// into the database at `db` (migrating it first), through the app's triggers: one order in a
/// thousand is large (300 lines), the others have one to five; orders spread over the last year,
/// newest with the highest id, one in three with a ship-by deadline, one in 97 cancelled by the
/// buyer. Each line's state comes from a hash of its order and position: 10 % new, 65 % accepted,
/// 17 % rejected, 8 % deleted; a fifth of the decided ones were decided by a rule. An order with
/// an accepted line is the source of the shop order with its id (seed those first with
/// [`seed_shop_orders`], at least as many), which its accepted lines belong to.
pub async fn seed_inbox_lines(db: &Path, lines: u64, accounts: &[i64]) -> SeededInbox {
    let store = ordertray_store::Store::open(db).await.expect("open store");
    let orders = (lines / 3).max(1) as i64;
    let account = format!(
        "CASE i % {n} {arms} END",
        n = accounts.len(),
        arms = accounts
            .iter()
            .enumerate()
            .map(|(k, a)| format!("WHEN {k} THEN {a}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut tx = store.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1),
              t(i, at) AS (SELECT i, strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '-365 days',
                  '+' || (i * 31536000 / ?1) || ' seconds') FROM seq)
         INSERT INTO orders (id, account_id, external_id, number, status, created_at, first_seen_at, updated_at,
            buyer_name, region, content_hash, raw, ship_by)
         SELECT i, {account}, 'P-' || i, printf('%08d-0001', i),
            CASE WHEN i % 97 = 0 THEN 'cancelled' ELSE 'awaiting_packaging' END, at, at, at,
            'Покупатель ' || i, 'Москва', 'seeded', '{{}}',
            CASE WHEN i % 3 = 0 THEN strftime('%Y-%m-%dT%H:%M:%S.000000Z', at, '+2 days') END
         FROM t"
    ))
    .bind(orders)
    .execute(&mut *tx)
    .await
    .unwrap();
    // Positions 1..=5 for the usual orders, 1..=300 for the large ones (two inserts: every order
    // against 300 positions would be 100 million pairs).
    for (which, positions, most) in [
        ("o.id % 1000 != 0", "1 + o.id % 4 + (o.id % 7 = 0)", 5),
        ("o.id % 1000 = 0", "300", 300),
    ] {
        sqlx::query(&format!(
            "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < {most}),
                  l(order_id, n, created_at, ship_by, cancelled, h) AS (
                    SELECT o.id, k.n, o.created_at, o.ship_by, o.status = 'cancelled', (o.id * 31 + k.n * 17) % 100
                    FROM orders o CROSS JOIN k WHERE {which} AND k.n <= {positions})
             INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency, state,
                state_changed_at, decided_by_rule, order_created_at, order_ship_by, order_cancelled)
             SELECT order_id, n, 'SKU-' || ((order_id * 13 + n) % 50000), 'OF-' || ((order_id * 13 + n) % 50000),
                {PRODUCT_NAME}, 1 + n % 3, '499.00', 'RUB',
                CASE WHEN h < 10 THEN 'new' WHEN h < 75 THEN 'accepted' WHEN h < 92 THEN 'rejected' ELSE 'deleted' END,
                CASE WHEN h >= 10 THEN strftime('%Y-%m-%dT%H:%M:%S.000000Z', created_at, '+1 hours') END,
                CASE WHEN h >= 10 AND h < 92 AND h % 5 = 0 THEN
                    CASE WHEN h < 75 THEN '{{\"type\":\"accept\",\"rule_id\":1,\"rule_name\":\"Seeded\",\"offer_id\":1}}'
                    ELSE '{{\"type\":\"reject\",\"rule_id\":1,\"rule_name\":\"Seeded\",\"reason_id\":null,\"message\":null}}' END
                END,
                created_at, ship_by, cancelled
             FROM l"
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(
        "UPDATE shop_orders SET source_order_id = id, account_id = (SELECT account_id FROM orders o WHERE o.id = shop_orders.id)
         WHERE id IN (SELECT order_id FROM lines WHERE state = 'accepted')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE lines SET shop_order_id = order_id, shop_status_id = (SELECT status_id FROM shop_orders s WHERE s.id = lines.order_id)
         WHERE state = 'accepted'",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let pool = store.pool();
    let by_state: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM lines GROUP BY state ORDER BY 2 DESC")
            .fetch_all(pool)
            .await
            .unwrap();
    let by_rule: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lines WHERE decided_by_rule IS NOT NULL")
        .fetch_one(pool)
        .await
        .unwrap();
    let seeded = SeededInbox {
        orders,
        lines: by_state.iter().map(|(_, n)| n).sum(),
        by_state,
        by_rule,
    };
    store.close().await;
    seeded
}
