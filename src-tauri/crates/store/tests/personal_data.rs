//! Diagnostics strip customers' personal data from what they export; the store lists all of it.

use std::collections::HashMap;

use ordertray_core::cabinet::{Recipient, ShopOrderDraft};
use ordertray_core::Address;
use ordertray_store::Store;

#[tokio::test]
async fn every_name_phone_email_and_address_is_visited_across_read_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("p.db")).await.unwrap();
    s.create_shop_order(
        &ShopOrderDraft {
            number: "H-1".into(),
            recipient: Recipient {
                name: "Мария Попова".into(),
                phone: "+7 900 123-45-67".into(),
                email: "maria@example.com".into(),
            },
            address: Address::from_text("Казань, ул. Баумана, 1"),
            ..ShopOrderDraft::empty()
        },
        "test",
    )
    .await
    .unwrap();
    // More customers than one read takes, a phone on every other one.
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 45001)
         INSERT INTO customers (name, phone, created_at)
         SELECT 'Клиент ' || i, CASE WHEN i % 2 = 0 THEN printf('+7901%07d', i) END,
            '2026-12-05T00:00:00.000000Z'
         FROM seq",
    )
    .execute(s.pool())
    .await
    .unwrap();

    let mut seen: HashMap<String, usize> = HashMap::new();
    s.visit_personal_data(|value| *seen.entry(value.to_string()).or_default() += 1)
        .await
        .unwrap();
    for value in [
        "Мария Попова",
        "maria@example.com",
        // The one-line address as stored (the parts joined).
        "Казань, ул. Баумана, д. 1",
        // Its street alone, found however the rest is written.
        "ул. Баумана",
        "Клиент 1",
        "Клиент 20000",
        "Клиент 20001",
        "Клиент 45001",
        "+79010045000",
    ] {
        assert!(seen.contains_key(value), "{value} not visited");
    }
    assert!(!seen.contains_key(""), "empty columns are no values");
    assert!(!seen.contains_key("+79010045001"), "an odd customer has no phone");
    let clients = seen.keys().filter(|v| v.starts_with("Клиент ")).count();
    assert_eq!(clients, 45001);
    assert_eq!(seen.keys().filter(|v| v.starts_with("+7901")).count(), 22500);
}
