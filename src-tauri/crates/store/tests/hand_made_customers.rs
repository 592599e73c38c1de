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
