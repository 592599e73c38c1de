//! Orders made by hand go on a customer as accepted marketplace orders do: the one with the same
//! phone or e-mail (typed either way), or a new one; a pre-order once its buyer is known.

use ordertray_core::cabinet::{Recipient, ShopOrderDraft};
use ordertray_core::timeline::TimelineEvent;
use ordertray_core::Address;
use ordertray_store::Store;

fn order(number: &str, name: &str, phone: &str, email: &str) -> ShopOrderDraft {
    ShopOrderDraft {
        number: number.into(),
        recipient: Recipient {
            name: name.into(),
            phone: phone.into(),
            email: email.into(),
        },
        address: Address::from_text("Казань, ул. Баумана, 1"),
        ..ShopOrderDraft::empty()
    }
}

async fn customer_of(s: &Store, id: i64) -> Option<i64> {
    s.shop_order_without_timeline(id).await.unwrap().customer_id
}

#[tokio::test]
async fn hand_made_orders_are_matched_to_customers_by_phone_or_email() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("c.db")).await.unwrap();
    let first = s
        .create_shop_order(&order("H-1", "Мария Попова", "+7 900 123-45-67", ""), "test")
        .await
        .unwrap();
    let same_phone = s
        .create_shop_order(
            &order("H-2", "М. Попова", "8 (900) 1234567", "maria@example.com"),
            "test",
        )
        .await
        .unwrap();
    let same_email = s
        .create_shop_order(&order("H-3", "Maria", "", " Maria@Example.com "), "test")
        .await
        .unwrap();
    let other = s
        .create_shop_order(&order("H-4", "Игорь", "+7 901 000-00-01", ""), "test")
        .await
        .unwrap();
    let customer = customer_of(&s, first).await.expect("a new customer");
    assert_eq!(customer_of(&s, same_phone).await, Some(customer));
    assert_eq!(
        customer_of(&s, same_email).await,
        Some(customer),
        "the e-mail the second order added"
    );
    assert_ne!(customer_of(&s, other).await, Some(customer));
    let customers = s.customers(10).await.unwrap();
    let maria = customers.iter().find(|c| c.customer.id == customer).unwrap();
    assert_eq!(maria.orders, 3);
    assert_eq!(
        maria.customer.name.as_deref(),
        Some("Мария Попова"),
        "the first name kept"
    );
    assert_eq!(maria.customer.phone.as_deref(), Some("+79001234567"));
    assert_eq!(
        maria.customer.address.as_deref(),
        Some("Казань, ул. Баумана, д. 1")
    );

    // A pre-order has no buyer yet; completed, it goes on the customer.
    let pre = ShopOrderDraft {
        number: "H-5".into(),
        preorder: true,
        ..ShopOrderDraft::empty()
    };
    let pre = s.create_shop_order(&pre, "test").await.unwrap();
    assert_eq!(customer_of(&s, pre).await, None);
    let done = ShopOrderDraft {
        preorder: false,
        ..order("H-5", "Мария", "+79001234567", "")
    };
    s.update_shop_order(pre, &done, "test", &TimelineEvent::PreorderCompleted {})
        .await
        .unwrap();
    assert_eq!(customer_of(&s, pre).await, Some(customer));
}

/// The Customers list as it was computed before migration 0029 kept its figures on the customer:
/// every shop order grouped by customer. The kept figures must always say the same.
async fn grouped(s: &Store) -> Vec<(i64, i64, Option<String>)> {
    sqlx::query_as(
        "SELECT c.id, COUNT(s.id), MAX(s.created_at) AS last FROM customers c
         LEFT JOIN shop_orders s ON s.customer_id = c.id
         GROUP BY c.id ORDER BY last DESC NULLS LAST, c.id DESC",
    )
    .fetch_all(s.pool())
    .await
    .unwrap()
}

async fn listed(s: &Store) -> Vec<(i64, i64, Option<String>)> {
    s.customers(100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            let last = c.last_order_at.map(ordertray_store::format_ts);
            (c.customer.id, c.orders, last)
        })
        .collect()
}

/// Each customer's order count and latest order follow every new order, a pre-order completed,
/// an order moved to another buyer and an order removed for good, and the list keeps the most
/// recent buyer first.
#[tokio::test]
async fn the_customers_list_keeps_each_customers_count_and_latest_order_through_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("c.db")).await.unwrap();
    let mut ids = vec![];
    for (n, (name, phone)) in [
        ("Анна", "+7 900 000-00-01"),
        ("Борис", "+7 900 000-00-02"),
        ("Анна", "+7 900 000-00-01"),
        ("Вера", "+7 900 000-00-03"),
        ("Анна", "+7 900 000-00-01"),
    ]
    .into_iter()
    .enumerate()
    {
        ids.push(
            s.create_shop_order(&order(&format!("K-{n}"), name, phone, ""), "test")
                .await
                .unwrap(),
        );
        assert_eq!(listed(&s).await, grouped(&s).await, "after order {n}");
    }
    let anna = customer_of(&s, ids[0]).await.unwrap();
    assert_eq!(listed(&s).await[0].0, anna, "Анна bought last");
    assert_eq!(listed(&s).await[0].1, 3);

    // A pre-order gets Вера once her phone is known (its customer set from none): she is the
    // most recent buyer now.
    let pre = ShopOrderDraft {
        number: "K-5".into(),
        preorder: true,
        ..ShopOrderDraft::empty()
    };
    let pre = s.create_shop_order(&pre, "test").await.unwrap();
    assert_eq!(listed(&s).await, grouped(&s).await, "after the pre-order");
    let done = ShopOrderDraft {
        preorder: false,
        ..order("K-5", "Вера", "+7 900 000-00-03", "")
    };
    s.update_shop_order(pre, &done, "test", &TimelineEvent::PreorderCompleted {})
        .await
        .unwrap();
    let vera = customer_of(&s, ids[3]).await.unwrap();
    assert_eq!(customer_of(&s, pre).await, Some(vera));
    assert_eq!(
        listed(&s).await,
        grouped(&s).await,
        "after the pre-order completed"
    );
    assert_eq!(listed(&s).await[0], (vera, 2, listed(&s).await[0].2.clone()));

    // Анна's latest order goes on Вера (as the store links an order to a customer).
    sqlx::query("UPDATE shop_orders SET customer_id = ? WHERE id = ?")
        .bind(vera)
        .bind(ids[4])
        .execute(s.pool())
        .await
        .unwrap();
    assert_eq!(listed(&s).await, grouped(&s).await, "after the move");

    // Borís's only order removed for good: he stays, with none, at the end.
    s.delete_shop_orders(&[ids[1]], false, "test").await.unwrap();
    assert_eq!(s.purge_shop_orders(&[ids[1]]).await.unwrap(), 1);
    let after = listed(&s).await;
    assert_eq!(after, grouped(&s).await, "after the purge");
    assert_eq!(after.last().map(|c| (c.1, c.2.clone())), Some((0, None)));
}
