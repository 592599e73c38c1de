//! Store behaviour on real SQLite files.

use chrono::{Duration, Utc};
use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::{
    AccountDraft, AccountSettings, ErrorCode, ExternalLine, ExternalOrder, InboxQuery, LineState,
    OutboxState, QuarantinedOrder, TriageAction,
};
use ordertray_store::{Lease, Store, StoreError};
use rust_decimal::Decimal;
use serde_json::json;

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("sub/ordertray.db")).await.unwrap();
    (dir, store)
}

fn draft(name: &str) -> AccountDraft {
    AccountDraft {
        name: name.into(),
        region: "Moscow".into(),
        active: true,
        interval_secs: 60,
        base_url: None,
        settings: AccountSettings::from(OzonSettings::new("123")),
    }
}

fn order(number: &str, status: &str, skus: &[&str]) -> ExternalOrder {
    ExternalOrder {
        external_id: number.into(),
        number: number.into(),
        status: status.into(),
        created_at: Utc::now(),
        customer: None,
        region: None,
        lines: skus
            .iter()
            .map(|s| ExternalLine {
                external_id: s.to_string(),
                sku: s.to_string(),
                offer_id: format!("OFF-{s}"),
                name: format!("Product {s}"),
                quantity: 2,
                price: Decimal::new(153050, 2),
                currency: "RUB".into(),
                product: None,
            })
            .collect(),
        available_actions: vec!["ship".into()],
        raw: json!({"posting_number": number, "status": status, "skus": skus}),
        read_only: false,
        partial: false,
        ship_by: None,
        delivery_note: None,
    }
}

fn code(e: StoreError) -> ErrorCode {
    ordertray_core::AppError::from(e).code
}

#[tokio::test]
async fn accounts_round_trip_and_names_are_unique() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("Shop A"), false).await.unwrap();
    assert_eq!(s.account(a.id).await.unwrap(), a);
    assert_eq!(
        code(s.insert_account(&draft("Shop A"), false).await.unwrap_err()),
        ErrorCode::Conflict
    );
    let mut d = draft("Shop B");
    d.interval_secs = 120;
    let b = s.update_account(a.id, &d).await.unwrap();
    assert_eq!((b.name.as_str(), b.interval_secs), ("Shop B", 120));
    s.set_account_active(a.id, false).await.unwrap();
    assert!(!s.account(a.id).await.unwrap().active);
    assert_eq!(code(s.account(999).await.unwrap_err()), ErrorCode::NotFound);
}

/// A page changes nothing when every order on it is stored with the same payload and nothing is
/// set aside: the sync then takes no write turn for it, and keeps its cursor later.
#[tokio::test]
async fn a_page_changes_nothing_only_when_every_order_is_stored_as_it_is() {
    use ordertray_store::Payloads;
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let o1 = order("1-1", "awaiting_packaging", &["10", "11"]);
    let o2 = order("2-1", "awaiting_packaging", &["20"]);
    let nothing = |orders: Vec<ExternalOrder>, quarantined: Vec<QuarantinedOrder>| {
        let s = &s;
        async move {
            let payloads = Payloads::of(&orders);
            s.page_changes_nothing(a.id, (&orders, &payloads, &quarantined, &[]))
                .await
                .unwrap()
        }
    };
    assert!(!nothing(vec![o1.clone()], vec![]).await, "a new order");
    s.apply_page(a.id, "Ozon", &[o1.clone(), o2.clone()], &[], "c1", Utc::now())
        .await
        .unwrap();
    assert!(nothing(vec![o1.clone(), o2.clone()], vec![]).await);
    assert!(nothing(vec![], vec![]).await, "an empty page");
    let mut moved = o2.clone();
    moved.status = "cancelled".into();
    moved.raw = json!({ "posting_number": "2-1", "status": "cancelled" });
    assert!(!nothing(vec![o1.clone(), moved], vec![]).await, "a changed order");
    let q = QuarantinedOrder {
        external_id: Some("9-9".into()),
        reason: "price is not a number".into(),
        raw: json!({"x": 1}),
    };
    assert!(!nothing(vec![o1.clone()], vec![q]).await, "an order set aside");
    // Another account's same order is not this one's.
    let b = s.insert_account(&draft("B"), false).await.unwrap();
    let payloads = Payloads::of(std::slice::from_ref(&o1));
    assert!(!s
        .page_changes_nothing(b.id, (std::slice::from_ref(&o1), &payloads, &[], &[]))
        .await
        .unwrap());
    s.keep_cursor(a.id, "c9", Utc::now()).await.unwrap();
    assert_eq!(s.cursor(a.id).await.unwrap(), "c9");
}

#[tokio::test]
async fn pages_upsert_idempotently_and_cursor_moves_with_them() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let o1 = order("1-1", "awaiting_packaging", &["10", "11"]);
    let o2 = order("2-1", "awaiting_packaging", &["20"]);
    let out = s
        .apply_page(a.id, "Ozon", &[o1.clone(), o2.clone()], &[], "c1", Utc::now())
        .await
        .unwrap();
    assert_eq!(out.new_orders.len(), 2);
    assert_eq!(out.new_lines, 3);
    assert_eq!(s.cursor(a.id).await.unwrap(), "c1");
    // The same posting repeated on the next page changes nothing and duplicates nothing.
    let out = s
        .apply_page(a.id, "Ozon", std::slice::from_ref(&o1), &[], "c2", Utc::now())
        .await
        .unwrap();
    assert_eq!(
        (out.new_orders.len(), out.changed_orders, out.new_lines),
        (0, 0, 0)
    );
    assert_eq!(s.cursor(a.id).await.unwrap(), "c2");
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 3);
    assert_eq!(s.unread_count().await.unwrap(), 3);
}

/// A line the marketplace took out of its order since the manager's list was read (or the rules'
/// look) cannot be accepted or rejected: accepted it went on a shop order the marketplace will
/// not fill; it can still be deleted.
#[tokio::test]
async fn a_line_the_marketplace_removed_is_not_accepted_from_a_stale_list() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let page = |skus: &[&str]| vec![order("1-1", "awaiting_packaging", skus)];
    s.apply_page(a.id, "Ozon", &page(&["10", "11"]), &[], "", Utc::now())
        .await
        .unwrap();
    let listed = s.inbox(&InboxQuery::default()).await.unwrap();
    let removed = listed.iter().find(|l| l.line.sku == "11").unwrap().line.id;
    let mut without = page(&["10"]);
    without[0].raw = json!({"posting_number": "1-1", "skus": ["10"]});
    s.apply_page(a.id, "Ozon", &without, &[], "", Utc::now())
        .await
        .unwrap();
    for action in [TriageAction::Accept, TriageAction::Reject] {
        let refused = s.triage(&[removed], action, "test").await.unwrap_err();
        assert_eq!(code(refused), ErrorCode::InvalidInput, "{action:?}");
    }
    assert!(s.shop_orders(None, 10).await.unwrap().is_empty());
    s.triage(&[removed], TriageAction::Delete, "test").await.unwrap();
}

/// A line the marketplace took out of an accepted order leaves its shop order's items and total,
/// and comes back with them when the marketplace brings it back.
#[tokio::test]
async fn a_line_taken_out_of_an_accepted_order_leaves_its_shop_order() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let page = |skus: &[&str]| {
        let mut o = order("1-1", "awaiting_packaging", skus);
        o.raw = json!({"posting_number": "1-1", "skus": skus});
        vec![o]
    };
    s.apply_page(a.id, "Ozon", &page(&["10", "11"]), &[], "", Utc::now())
        .await
        .unwrap();
    let lines: Vec<i64> = s
        .inbox(&InboxQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|l| l.line.id)
        .collect();
    s.triage(&lines, TriageAction::Accept, "test").await.unwrap();
    let shop_order = || async {
        let listed = s.shop_orders(None, 10).await.unwrap();
        assert_eq!(listed.len(), 1);
        let full = s.shop_order_without_timeline(listed[0].id).await.unwrap();
        (full.draft.items.len(), listed[0].total.to_string())
    };
    // Two lines of 2 × 1530.50.
    assert_eq!(shop_order().await, (2, "6122.00".to_string()));
    s.apply_page(a.id, "Ozon", &page(&["10"]), &[], "", Utc::now())
        .await
        .unwrap();
    assert_eq!(
        shop_order().await,
        (1, "3061.00".to_string()),
        "the line taken out leaves"
    );
    s.apply_page(a.id, "Ozon", &page(&["10", "11"]), &[], "", Utc::now())
        .await
        .unwrap();
    assert_eq!(
        shop_order().await,
        (2, "6122.00".to_string()),
        "and comes back with the line"
    );
}

/// A decision is not taken back alone while a later decision on its order has calls queued (the
/// later one's ship may carry this line: undone alone, the line went back to the inbox and was
/// still shipped). Taken back latest first, or together, both come back and no call is left.
#[tokio::test]
async fn a_decision_is_not_taken_back_alone_while_a_later_one_on_its_order_waits() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10", "11"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let listed = s.inbox(&InboxQuery::default()).await.unwrap();
    let (first, second) = (listed[0].line.id, listed[1].line.id);
    let decide = || async {
        s.triage(&[first], TriageAction::Accept, "t").await.unwrap();
        s.triage(&[second], TriageAction::Reject, "t").await.unwrap();
        assert!(!s.outbox_list(None, None).await.unwrap().is_empty());
    };
    decide().await;
    let refused = s.undo_triage(&[first], "t").await.unwrap_err();
    assert_eq!(code(refused), ErrorCode::InvalidTransition);
    s.undo_triage(&[second], "t").await.unwrap();
    s.undo_triage(&[first], "t").await.unwrap();
    assert!(s.outbox_list(None, None).await.unwrap().is_empty());
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 2);

    decide().await;
    s.undo_triage(&[first, second], "t").await.unwrap();
    assert!(s.outbox_list(None, None).await.unwrap().is_empty());
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 2);
}

/// Undo takes back the customer its accept created (nothing else holding it), and keeps one that
/// was there before: a customer with no order is not left in Customers.
#[tokio::test]
async fn undo_takes_back_the_customer_its_accept_created() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let buyer = |number: &str| {
        let mut o = order(number, "awaiting_packaging", &["10"]);
        o.customer = Some(ordertray_core::CustomerInfo {
            name: Some("Иван Петров".into()),
            phone: Some("+7 901 000-00-01".into()),
            ..Default::default()
        });
        o
    };
    s.apply_page(a.id, "Ozon", &[buyer("1-1"), buyer("2-2")], &[], "c", Utc::now())
        .await
        .unwrap();
    let listed = s.inbox(&InboxQuery::default()).await.unwrap();
    let line_of = |n: &str| listed.iter().find(|l| l.order_number == n).unwrap().line.id;
    let (first, second) = (line_of("1-1"), line_of("2-2"));
    let customers = || async { s.customers(100).await.unwrap() };

    s.triage(&[first], TriageAction::Accept, "t").await.unwrap();
    assert_eq!(customers().await.len(), 1);
    s.undo_triage(&[first], "t").await.unwrap();
    assert!(customers().await.is_empty(), "{:?}", customers().await);

    // Accepted again, it makes the customer afresh; a second order then finds it, and undoing
    // that one leaves the customer to the first.
    s.triage(&[first], TriageAction::Accept, "t").await.unwrap();
    s.triage(&[second], TriageAction::Accept, "t").await.unwrap();
    let kept = customers().await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].orders, 2);
    s.undo_triage(&[second], "t").await.unwrap();
    let after = customers().await;
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].customer.id, kept[0].customer.id);
    assert_eq!(after[0].orders, 1);
}

/// Undoing an accept puts its SKU's binding back on what it was (or on nothing): a wrong offer
/// accepted and undone was offered to every later line of the SKU.
#[tokio::test]
async fn undo_puts_the_skus_binding_back() {
    use ordertray_core::pricelist::BoundOffer;
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[
            order("1-1", "awaiting_packaging", &["10"]),
            order("2-2", "awaiting_packaging", &["10"]),
        ],
        &[],
        "c",
        Utc::now(),
    )
    .await
    .unwrap();
    let listed = s.inbox(&InboxQuery::default()).await.unwrap();
    let line_of = |n: &str| listed.iter().find(|l| l.order_number == n).unwrap().line.id;
    let (first, second) = (line_of("1-1"), line_of("2-2"));
    let accept = |line: i64, brand: &str, article: &str| {
        let offer = BoundOffer {
            offer_id: 1,
            list_id: 1,
            list: "Main".into(),
            brand: brand.into(),
            article: article.into(),
            name: "Filter".into(),
            price: Decimal::from(100),
            quantity: 1,
            delivery_days: None,
            supplier: None,
        };
        let extras = ordertray_store::TriageExtras {
            bindings: [(line, offer)].into_iter().collect(),
            ..Default::default()
        };
        let s = s.clone();
        async move {
            s.triage_with(&[line], TriageAction::Accept, "t", &extras)
                .await
                .unwrap();
        }
    };
    let bound = || async {
        sqlx::query_scalar::<_, String>("SELECT article_key FROM sku_mappings WHERE sku = '10'")
            .fetch_optional(s.pool())
            .await
            .unwrap()
    };
    accept(first, "MANN", "W-712").await;
    let right = bound().await.unwrap();
    accept(second, "BOSCH", "F-026").await;
    assert_ne!(bound().await.as_ref(), Some(&right));
    s.undo_triage(&[second], "t").await.unwrap();
    assert_eq!(bound().await, Some(right));
    s.undo_triage(&[first], "t").await.unwrap();
    assert_eq!(bound().await, None);
}

#[tokio::test]
async fn a_changed_order_is_updated_and_shown_as_cancelled() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10", "11"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let mut cancelled = order("1-1", "cancelled", &["10"]);
    cancelled.raw = json!({"posting_number": "1-1", "status": "cancelled"});
    let out = s
        .apply_page(a.id, "Ozon", &[cancelled], &[], "", Utc::now())
        .await
        .unwrap();
    assert_eq!(out.changed_orders, 1);
    assert_eq!(out.cancelled_by_marketplace.len(), 1);
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    assert_eq!(inbox.len(), 1, "the line Ozon removed leaves the inbox");
    assert!(inbox[0].marketplace_cancelled);
    let detail = s.order_detail(inbox[0].order_id).await.unwrap();
    assert_eq!(detail.order.status, "cancelled");
    assert_eq!(
        detail.order.changed_by_marketplace.as_deref(),
        Some("Cancelled on Ozon")
    );
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["arrived", "status_changed", "line_removed"]);
    // Accepting a cancelled order is refused; rejecting it is local only.
    let line = inbox[0].line.id;
    assert_eq!(
        code(s.triage(&[line], TriageAction::Accept, "test").await.unwrap_err()),
        ErrorCode::InvalidTransition
    );
    let report = s.triage(&[line], TriageAction::Reject, "test").await.unwrap();
    assert!(report.outbox_rows.is_empty());
}

#[tokio::test]
async fn quarantined_payloads_are_kept_once_with_their_reason() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let q = QuarantinedOrder {
        external_id: Some("9-9".into()),
        reason: "price is not a number".into(),
        raw: json!({"x": 1}),
    };
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["1"])],
        std::slice::from_ref(&q),
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    s.apply_page(a.id, "Ozon", &[], &[q], "", Utc::now())
        .await
        .unwrap();
    assert_eq!(s.quarantined_count(a.id).await.unwrap(), 1);
    let events = s.account_events(a.id, 10).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.kind == "quarantined" && e.message.contains("price is not a number")));
}

#[tokio::test]
async fn triage_is_atomic_and_queues_the_planned_calls() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[
            order("1-1", "awaiting_packaging", &["10", "11"]),
            order("2-1", "awaiting_packaging", &["20"]),
        ],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    let id = |sku: &str| inbox.iter().find(|l| l.line.sku == sku).unwrap().line.id;

    // Accept one line of 1-1: nothing to send yet.
    let r = s.triage(&[id("10")], TriageAction::Accept, "test").await.unwrap();
    assert!(r.outbox_rows.is_empty());
    // A bulk action with one invalid line changes nothing at all.
    let err = s
        .triage(&[id("11"), id("10")], TriageAction::Reject, "test")
        .await
        .unwrap_err();
    assert_eq!(code(err), ErrorCode::InvalidTransition);
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 2);
    // Unknown ids are named.
    let err = s
        .triage(&[424242], TriageAction::Accept, "test")
        .await
        .unwrap_err();
    assert!(ordertray_core::AppError::from(err).message.contains("424242"));

    // Reject the other line of 1-1: cancel that product, then ship the accepted one.
    let r = s.triage(&[id("11")], TriageAction::Reject, "test").await.unwrap();
    assert_eq!(r.outbox_rows.len(), 2);
    // Reject the only line of 2-1: the whole posting is cancelled.
    let r = s.triage(&[id("20")], TriageAction::Reject, "test").await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1);

    let rows = s.outbox_list(Some(a.id), None).await.unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["cancel_lines", "ship", "cancel_order"]);
    assert!(rows.iter().all(|r| r.state == OutboxState::Pending));
    assert_eq!(s.unread_count().await.unwrap(), 0);
}

/// Ozon drops a cancelled product from the posting. When the product is one we rejected, its
/// absence is our cancel taking effect: the line stays among the rejected (and the rule-decided),
/// with no "removed by the marketplace" entry. Before, the next sync hid it as removed.
#[tokio::test]
async fn a_rejected_line_leaving_the_order_is_our_cancel_not_a_removal() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10", "11"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    let id = |sku: &str| inbox.iter().find(|l| l.line.sku == sku).unwrap().line.id;
    s.triage(&[id("10")], TriageAction::Accept, "test").await.unwrap();
    s.triage(&[id("11")], TriageAction::Reject, "test").await.unwrap();

    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let rejected = s
        .inbox(&InboxQuery {
            state: LineState::Rejected,
            ..InboxQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        rejected.iter().map(|l| l.line.sku.as_str()).collect::<Vec<_>>(),
        ["11"]
    );
    let detail = s.order_detail(rejected[0].order_id).await.unwrap();
    assert!(
        detail.events.iter().all(|e| e.kind != "line_removed"),
        "{:?}",
        detail.events.iter().map(|e| &e.kind).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn delete_and_restore_are_local() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let line = s.inbox(&InboxQuery::default()).await.unwrap()[0].line.id;
    s.triage(&[line], TriageAction::Delete, "test").await.unwrap();
    assert!(s.inbox(&InboxQuery::default()).await.unwrap().is_empty());
    let deleted = s
        .inbox(&InboxQuery {
            state: LineState::Deleted,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(deleted.len(), 1);
    s.triage(&[line], TriageAction::Restore, "test").await.unwrap();
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 1);
    assert!(s.outbox_list(None, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn outbox_lifecycle_orders_calls_and_takes_over_only_expired_leases() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10", "11"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    s.triage(&[inbox[0].line.id], TriageAction::Accept, "t")
        .await
        .unwrap();
    s.triage(&[inbox[1].line.id], TriageAction::Reject, "t")
        .await
        .unwrap();

    // Only the cancel is due: the ship waits for it. (Stored times keep microseconds.)
    let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
    let lease = |owner, secs| Lease {
        owner,
        until: now + Duration::seconds(secs),
    };
    let due = s.outbox_due(now, 10, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].kind, "cancel_lines");
    let claimed = s
        .outbox_claim(due[0].id, &lease("A", 60), now)
        .await
        .unwrap()
        .unwrap();
    assert!(
        s.outbox_claim(due[0].id, &lease("B", 60), now)
            .await
            .unwrap()
            .is_none(),
        "a row is claimed once"
    );
    assert!(s.outbox_due(now, 10, 10).await.unwrap().is_empty());

    // Its owner dies while in flight: only once the lease expired may another process take it
    // over, with the interrupted attempt counted; the old owner can no longer record an answer.
    let later = now + Duration::seconds(61);
    let due = s.outbox_due(later, 10, 10).await.unwrap();
    assert_eq!((due.len(), due[0].attempts), (1, 0));
    let taken = s
        .outbox_claim(due[0].id, &lease("B", 200), later)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(taken.attempts, 1);
    assert!(!s.outbox_done(&claimed, false).await.unwrap());
    assert!(!s.outbox_renew(&claimed, later).await.unwrap());
    assert!(s.outbox_renew(&taken, later).await.unwrap());

    // A retry in the future hides it until then.
    assert!(s
        .outbox_retry_at(&taken, Utc::now() + Duration::seconds(60), &failure("HTTP 503"))
        .await
        .unwrap());
    assert!(s.outbox_due(Utc::now(), 10, 10).await.unwrap().is_empty());
    let due = s
        .outbox_due(Utc::now() + Duration::seconds(61), 10, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1);

    // Failure parks it (blocking the ship) until the manager retries.
    let claimed = s
        .outbox_claim(due[0].id, &lease("A", 200), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(s.outbox_fail(&claimed, &failure("gave up")).await.unwrap());
    assert!(s
        .outbox_due(Utc::now() + Duration::days(1), 10, 10)
        .await
        .unwrap()
        .is_empty());
    let health = s.health(a.id).await.unwrap();
    assert_eq!((health.outbox_failed, health.outbox_pending), (1, 1));
    let row = s.outbox_requeue(claimed.id, "manager").await.unwrap();
    assert_eq!(row.attempts, 1, "a fresh round that still looks before calling");
    let c = s
        .outbox_claim(row.id, &lease("A", 200), Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert!(s.outbox_done(&c, false).await.unwrap());
    let due = s.outbox_due(Utc::now(), 10, 10).await.unwrap();
    assert!(due[0].kind == "ship", "the ship is due once the cancel is done");
    let order_id = inbox[0].order_id;
    let events = s.order_detail(order_id).await.unwrap().events;
    assert!(events.iter().any(|e| e.kind == "outbox_failed"));
    assert!(events.iter().any(|e| e.kind == "outbox_done"));
}

#[tokio::test]
async fn reopening_keeps_data_and_sync_health_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.db");
    let s = Store::open(&path).await.unwrap();
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let run = s
        .start_sync_run(
            a.id,
            &Lease {
                owner: "test",
                until: Utc::now(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let report = ordertray_core::SyncReport {
        account_id: a.id,
        ..Default::default()
    };
    s.finish_sync_run(run, &report, Some(&failure("HTTP 500")), Utc::now())
        .await
        .unwrap();
    let h = s.health(a.id).await.unwrap();
    assert_eq!(h.last_error.as_deref(), Some("HTTP 500"));
    assert!(h.failing_since.is_some());
    s.finish_sync_run(run, &report, None, Utc::now()).await.unwrap();
    assert!(s.health(a.id).await.unwrap().failing_since.is_none());
    s.close().await;
    let s = Store::open(&path).await.unwrap();
    assert_eq!(s.accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn deleting_an_account_removes_its_data() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), true).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10"])],
        &[],
        "c",
        Utc::now(),
    )
    .await
    .unwrap();
    s.delete_account(a.id).await.unwrap();
    assert!(s.inbox(&InboxQuery::default()).await.unwrap().is_empty());
    assert_eq!(s.cursor(a.id).await.unwrap(), "");
}

/// Deleting an account keeps every customer something else still holds: an order made by hand,
/// another account's order (the delete once removed every customer no marketplace order pointed
/// at, hand-made orders' customers among them).
/// An account's id is never given again: its keychain entries are named by it, so a restored
/// backup's account would otherwise read the keys of the account that took its id.
#[tokio::test]
async fn a_deleted_accounts_id_is_never_given_to_another() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let b = s.insert_account(&draft("B"), false).await.unwrap();
    s.delete_account(b.id).await.unwrap();
    let c = s.insert_account(&draft("C"), false).await.unwrap();
    assert!(c.id > b.id && b.id > a.id, "{} {} {}", a.id, b.id, c.id);
}

#[tokio::test]
async fn deleting_an_account_keeps_the_customers_others_hold() {
    use ordertray_core::cabinet::{Recipient, ShopOrderDraft};
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), true).await.unwrap();
    let b = s.insert_account(&draft("B"), true).await.unwrap();
    let by_hand = ShopOrderDraft {
        number: "H-1".into(),
        recipient: Recipient {
            name: "Мария Попова".into(),
            phone: "+7 900 123-45-67".into(),
            email: String::new(),
        },
        ..ShopOrderDraft::empty()
    };
    s.create_shop_order(&by_hand, "test").await.unwrap();
    let mut bought = order("1-1", "awaiting_packaging", &["10"]);
    bought.customer = Some(ordertray_core::CustomerInfo {
        name: Some("Иван Петров".into()),
        phone: Some("+7 901 000-00-01".into()),
        ..Default::default()
    });
    s.apply_page(a.id, "Ozon", &[bought], &[], "c", Utc::now())
        .await
        .unwrap();
    let line = s.inbox(&InboxQuery::default()).await.unwrap()[0].line.id;
    s.triage(&[line], TriageAction::Accept, "t").await.unwrap();
    let names = |s: &Store| {
        let s = s.clone();
        async move {
            let mut n: Vec<Option<String>> = s
                .customers(100)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.customer.name)
                .collect();
            n.sort();
            n
        }
    };
    let before = names(&s).await;
    assert_eq!(before.len(), 2, "{before:?}");

    s.delete_account(b.id).await.unwrap();
    assert_eq!(
        names(&s).await,
        before,
        "an unrelated account's delete keeps every customer"
    );
    s.delete_account(a.id).await.unwrap();
    assert_eq!(
        names(&s).await,
        before,
        "the accepted order's shop order still holds its customer"
    );
}

/// A list whose offers the tests add row by row (the columns matter only to a file's import).
fn list_settings() -> ordertray_core::pricelist::ListSettings {
    use ordertray_core::pricelist::{ColumnMapping, ImportOptions, ListSettings};
    ListSettings {
        mapping: ColumnMapping {
            brand: None,
            article: 0,
            name: None,
            price: 1,
            stock: None,
            delivery_days: None,
            supplier: None,
        },
        options: ImportOptions::default(),
    }
}

fn offer_row(article: &str, price: i64) -> ordertray_core::pricelist::OfferRow {
    ordertray_core::pricelist::OfferRow {
        brand: "Mann".into(),
        article: article.into(),
        name: format!("Filter {article}"),
        price: Decimal::from(price),
        stock: Some(3),
        delivery_days: Some(2),
        supplier: None,
    }
}

/// A re-imported list's offers take new ids, never those of the offers they replace: an offer
/// chosen on the old list (an inbox shown before the import) is gone, not some other offer.
#[tokio::test]
async fn a_reimported_list_never_gives_a_replaced_offers_id_to_another() {
    let (_dir, store) = store().await;
    let settings = list_settings();
    let import = |rows: Vec<&'static str>| {
        let (store, settings) = (store.clone(), settings.clone());
        async move {
            let mut import = store.begin_list_import("Main", &settings).await.unwrap();
            for (k, article) in rows.iter().enumerate() {
                import.add(offer_row(article, 100 + k as i64)).await.unwrap();
            }
            import.finish(None, rows.len() as u64, 0).await.unwrap();
        }
    };
    import(vec!["A-1", "B-2"]).await;
    let old_b = store.search_offers("B-2", 1).await.unwrap()[0].id;
    import(vec!["C-3", "A-1", "B-2"]).await;
    assert!(store.offer(old_b).await.unwrap().is_none());
    let new_b = store.search_offers("B-2", 1).await.unwrap()[0].id;
    assert!(new_b > old_b, "{new_b} after {old_b}");

    // Nor after the list is deleted and made again.
    let list = store.price_lists().await.unwrap()[0].id;
    store.delete_price_list(list).await.unwrap();
    import(vec!["D-4"]).await;
    let d = store.search_offers("D-4", 1).await.unwrap()[0].id;
    assert!(d > new_b, "{d} after {new_b}");
}

#[tokio::test]
async fn a_list_import_replaces_all_offers_at_once_or_not_at_all() {
    let (_dir, store) = store().await;
    let settings = list_settings();
    let mut import = store.begin_list_import("Main", &settings).await.unwrap();
    for i in 0..1_200 {
        import.add(offer_row(&format!("W-{i}"), 100 + i)).await.unwrap();
    }
    assert_eq!(import.finish(Some("a.csv"), 1_200, 0).await.unwrap(), 1_200);
    assert_eq!(
        store.search_offers("w 1199", 5).await.unwrap()[0].price,
        Decimal::from(1_299)
    );
    assert_eq!(
        store.search_offers("Filter W-77", 5).await.unwrap()[0].article,
        "W-77"
    );

    // An import that stops half way (error, crash, cancel) leaves the old list whole.
    let mut broken = store.begin_list_import("Main", &settings).await.unwrap();
    broken.add(offer_row("NEW-1", 5)).await.unwrap();
    for i in 0..600 {
        broken.add(offer_row(&format!("X-{i}"), 1)).await.unwrap();
    }
    drop(broken);
    assert_eq!(store.price_lists().await.unwrap()[0].offers, 1_200);
    assert_eq!(
        store.search_offers("W-5", 5).await.unwrap()[0].article,
        "W-5",
        "exact article first"
    );
    assert!(store.search_offers("NEW-1", 5).await.unwrap().is_empty());
    assert!(store.search_offers("X-1", 5).await.unwrap().is_empty());

    // Deleting a list takes its offers and their search entries with it.
    let id = store.price_lists().await.unwrap()[0].id;
    store.delete_price_list(id).await.unwrap();
    assert!(store.search_offers("Filter", 5).await.unwrap().is_empty());
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM offers_text")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn an_article_fragment_is_found_as_typed_or_in_its_comparable_form() {
    let (_dir, store) = store().await;
    let mut import = store.begin_list_import("Main", &list_settings()).await.unwrap();
    for (article, name) in [
        ("OC-90.1", "Масляный фильтр"),
        ("W-712/75", "Фильтр"),
        ("LX 1780", "Воздушный фильтр"),
    ] {
        let row = ordertray_core::pricelist::OfferRow {
            name: name.into(),
            ..offer_row(article, 100)
        };
        import.add(row).await.unwrap();
    }
    import.finish(None, 3, 0).await.unwrap();
    let articles = |found: Vec<ordertray_core::pricelist::OfferView>| {
        found.into_iter().map(|o| o.article).collect::<Vec<_>>()
    };
    // The index holds each article in its comparable form only ("OC901"): a fragment typed with
    // its dash, or in Cyrillic look-alikes, is looked for in that form too; "w-7" is too short for
    // the index in that form and is read by the article's start.
    for (typed, article) in [
        ("c-90", "OC-90.1"),
        ("ос-90", "OC-90.1"),
        ("фильтр 712/7", "W-712/75"),
        ("x 178", "LX 1780"),
        ("w-7", "W-712/75"),
    ] {
        assert_eq!(
            articles(store.search_offers(typed, 5).await.unwrap()),
            [article],
            "{typed}"
        );
    }
    assert_eq!(
        articles(store.search_offers("Mann", 5).await.unwrap()).len(),
        3,
        "brands and names as written"
    );
}

/// A re-import empties the search index at once when the replaced list holds most offers, then
/// indexes the other lists' offers again; else it deletes the list's entries one by one. Either
/// way every other list stays searchable, the old offers are gone after the commit and stay
/// searchable until then, and the index holds one entry per offer.
#[tokio::test]
async fn a_re_import_keeps_the_other_lists_searchable_whichever_way_it_clears_the_index() {
    let (_dir, store) = store().await;
    let settings = list_settings();
    let import = |name: &'static str, prefix: &'static str, n: i64| {
        let (store, settings) = (&store, &settings);
        async move {
            let mut import = store.begin_list_import(name, settings).await.unwrap();
            for i in 0..n {
                import
                    .add(offer_row(&format!("{prefix}-{i}"), 100 + i))
                    .await
                    .unwrap();
            }
            import.finish(None, n as u64, 0).await.unwrap()
        }
    };
    let indexed = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM offers_text")
            .fetch_one(store.pool())
            .await
            .unwrap()
    };
    import("Big", "BIG", 4_000).await;
    import("Small", "SML", 300).await;
    // The big list replaced: the index is emptied and the small list's offers indexed again.
    import("Big", "NEWBIG", 3_500).await;
    // The small list replaced: its entries deleted one by one.
    import("Small", "NEWSML", 200).await;
    assert_eq!(indexed().await, 3_700, "one index entry per offer");
    for (text, article) in [("newbig 3499", "NEWBIG-3499"), ("newsml-19", "NEWSML-19")] {
        assert_eq!(store.search_offers(text, 5).await.unwrap()[0].article, article);
    }
    // Words (not the exact article) find offers of both lists through the index.
    let words = store.search_offers("Filter NEWSML-19", 5).await.unwrap();
    assert_eq!(words[0].article, "NEWSML-19");
    assert_eq!(
        store.search_offers("Filter NEWBIG-3499", 50).await.unwrap().len(),
        1
    );
    for gone in ["Filter BIG-7", "Filter SML-7"] {
        assert!(
            store
                .search_offers(gone, 5)
                .await
                .unwrap()
                .iter()
                .all(|o| !o.article.starts_with("BIG") && !o.article.starts_with("SML")),
            "{gone}"
        );
    }
    // A re-import that stops half way, after the index was emptied, leaves both lists searchable.
    let mut broken = store.begin_list_import("Big", &settings).await.unwrap();
    broken.add(offer_row("HALF-1", 5)).await.unwrap();
    drop(broken);
    assert_eq!(indexed().await, 3_700);
    assert_eq!(
        store.search_offers("Filter NEWBIG-3499", 5).await.unwrap()[0].article,
        "NEWBIG-3499"
    );
    assert_eq!(
        store.search_offers("Filter NEWSML-19", 5).await.unwrap()[0].article,
        "NEWSML-19"
    );
    assert!(store.search_offers("Filter HALF", 5).await.unwrap().is_empty());

    // One list only: the table is emptied as a whole.
    let small = store.price_list_by_name("Small").await.unwrap().unwrap();
    store.delete_price_list(small.id).await.unwrap();
    import("Big", "ONLY", 1_000).await;
    assert_eq!(indexed().await, 1_000);
    assert_eq!(
        store.search_offers("Filter ONLY-999", 5).await.unwrap()[0].article,
        "ONLY-999"
    );
    assert!(store.search_offers("Filter NEWBIG", 5).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_decision_made_while_a_sync_writes_waits_for_it_instead_of_failing_as_busy() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("Busy"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("7-1", "awaiting_packaging", &["70"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let line = s.inbox(&InboxQuery::default()).await.unwrap()[0].line.id;

    // Another connection holds the write lock, as a sync storing a page does.
    let mut sync = s.pool().begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query("UPDATE accounts SET last_poll_at = '2026-11-23T10:00:00Z' WHERE id = ?")
        .bind(a.id)
        .execute(&mut *sync)
        .await
        .unwrap();
    let decision = tokio::spawn({
        let s = s.clone();
        async move { s.triage(&[line], TriageAction::Accept, "manager").await }
    });
    // The decision reads the line and then writes; with a deferred BEGIN its read snapshot would be
    // stale by the time the sync commits, and SQLite would refuse its write at once.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !decision.is_finished(),
        "the decision must wait for the sync's lock"
    );
    sync.commit().await.unwrap();

    let report = decision
        .await
        .unwrap()
        .expect("the decision succeeds after the sync commits");
    assert_eq!(report.changed.len(), 1);
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 0);
}

/// A backfill stores page after page with the next one ready as the previous commits. SQLite's busy
/// wait (sleep, then try again) almost never lands in the instant between two pages, so a decision
/// would wait for the whole backfill, or fail as "database is locked" after the busy timeout;
/// writers of the app take turns instead, and the decision waits for the page being written only.
#[tokio::test]
async fn a_decision_during_a_backfill_waits_for_one_page_not_for_the_backfill() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    const PAGES: usize = 400;
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("Backfill"), false).await.unwrap();
    let waiting: Vec<_> = (0..5)
        .map(|i| order(&format!("0-{i}"), "awaiting_packaging", &["1"]))
        .collect();
    s.apply_page(a.id, "Ozon", &waiting, &[], "", Utc::now())
        .await
        .unwrap();
    let lines: Vec<i64> = s
        .inbox(&InboxQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|l| l.line.id)
        .collect();

    let committed = Arc::new(AtomicUsize::new(0));
    let backfill = tokio::spawn({
        let (s, committed) = (s.clone(), committed.clone());
        async move {
            for page in 1..=PAGES {
                let orders: Vec<_> = (0..20)
                    .map(|i| order(&format!("{page}-{i}"), "awaiting_packaging", &["1", "2", "3"]))
                    .collect();
                s.apply_page(a.id, "Ozon", &orders, &[], &format!("p{page}"), Utc::now())
                    .await
                    .unwrap();
                committed.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    // One decision after another while the backfill is under way: each gets in after the page
    // being written when it asked (the decision asks first, so the backfill's next page queues
    // behind it).
    let mut waits = vec![];
    for (i, line) in lines.iter().enumerate() {
        while committed.load(Ordering::SeqCst) < 5 + 10 * i {
            tokio::task::yield_now().await;
        }
        let asked = committed.load(Ordering::SeqCst);
        let action = if i % 2 == 0 {
            TriageAction::Accept
        } else {
            TriageAction::Reject
        };
        let report = s
            .triage(&[*line], action, "manager")
            .await
            .expect("the decision is made during the backfill");
        assert_eq!(report.changed.len(), 1);
        waits.push(committed.load(Ordering::SeqCst) - asked);
    }
    assert!(
        committed.load(Ordering::SeqCst) < PAGES,
        "the backfill was still running"
    );
    assert!(
        waits.iter().all(|w| *w <= 1),
        "pages of the backfill each decision waited for: {waits:?}"
    );
    backfill.await.unwrap();
    assert_eq!(committed.load(Ordering::SeqCst), PAGES);
}

/// A line stored before marketplace numbers were bounded (price 2^96−1, quantity 2^63−1) must not
/// panic accepting it nor any listing that computes a total from it.
#[tokio::test]
async fn an_absurd_stored_amount_never_panics_a_listing() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let mut absurd = order("9-1", "awaiting_packaging", &["90", "91"]);
    for line in &mut absurd.lines {
        line.price = Decimal::MAX;
        line.quantity = i64::MAX;
    }
    s.apply_page(a.id, "Ozon", &[absurd], &[], "", Utc::now())
        .await
        .unwrap();
    let ids: Vec<i64> = s
        .inbox(&InboxQuery::default())
        .await
        .unwrap()
        .iter()
        .map(|l| l.line.id)
        .collect();
    s.triage(&ids, TriageAction::Accept, "test").await.unwrap();

    let shop = s.shop_orders(None, 10).await.unwrap();
    assert_eq!(shop[0].total, Decimal::MAX, "the total saturates");
    let page = s
        .cabinet_page(&ordertray_core::cabinet::OrderPageQuery::default())
        .await
        .unwrap();
    assert_eq!(page.rows[0].total, Decimal::new(i64::MAX, 2));
    let full = s.shop_order_full(shop[0].id).await.unwrap();
    assert_eq!(full.draft.total(), Decimal::MAX);
}

/// The keychain namespace: each new database gets its own random id; reopening it, a backup of it
/// and a copy of its file keep that id.
#[tokio::test]
async fn each_database_has_its_own_id_that_backups_and_copies_keep() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o.db");
    let s = Store::open(&path).await.unwrap();
    let id = s.database_id().await.unwrap();
    assert_eq!(id.len(), 32, "{id}");
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    let backup = s.backup_now().await.unwrap();
    s.close_and_wait().await;

    assert_eq!(Store::open(&path).await.unwrap().database_id().await.unwrap(), id);
    let restored = Store::open(std::path::Path::new(&backup.path)).await.unwrap();
    assert_eq!(restored.database_id().await.unwrap(), id);
    let copy = dir.path().join("copy.db");
    std::fs::copy(&path, &copy).unwrap();
    assert_eq!(Store::open(&copy).await.unwrap().database_id().await.unwrap(), id);

    let other = Store::open(&dir.path().join("new.db")).await.unwrap();
    assert_ne!(other.database_id().await.unwrap(), id);
}

/// The database, its WAL, its folder (when the store makes it) and its backups hold buyers' data:
/// owner-only on Unix, and a database left world-readable by an older version is fixed on open.
#[cfg(unix)]
#[tokio::test]
async fn database_files_and_backups_are_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/o.db");
    let s = Store::open(&path).await.unwrap();
    s.insert_account(&draft("A"), false).await.unwrap();
    let wal = dir.path().join("data/o.db-wal");
    assert!(wal.exists(), "WAL mode keeps a log beside the file while open");
    assert_eq!(mode(&dir.path().join("data")), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&wal), 0o600);
    let backup = s.backup_now().await.unwrap();
    assert_eq!(mode(std::path::Path::new(&backup.path)), 0o600);
    s.close_and_wait().await;

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let _s = Store::open(&path).await.unwrap();
    assert_eq!(mode(&path), 0o600);
}

/// Retention removes old bookkeeping (delivered calls, finished sync runs, intake requests,
/// account notices) and never an order's timeline nor a call still to go out.
#[tokio::test]
async fn retention_prunes_old_bookkeeping_and_keeps_order_history() {
    use ordertray_core::RetentionSettings;
    let (_d, s) = store().await;
    let now = Utc::now();
    let old = now - Duration::days(100);
    let recent = now - Duration::days(1);
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let q = |id: &str| QuarantinedOrder {
        external_id: Some(id.into()),
        reason: "broken".into(),
        raw: json!({"id": id}),
    };
    s.apply_page(
        a.id,
        "Ozon",
        &[order("1-1", "awaiting_packaging", &["10", "11"])],
        &[q("old")],
        "",
        old,
    )
    .await
    .unwrap();
    s.apply_page(a.id, "Ozon", &[], &[q("recent")], "", recent)
        .await
        .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    s.triage(&[inbox[0].line.id, inbox[1].line.id], TriageAction::Reject, "t")
        .await
        .unwrap();
    let rows = s.outbox_list(Some(a.id), None).await.unwrap();
    assert!(!rows.is_empty());
    // One call delivered long ago; the others still pending, however old.
    sqlx::query("UPDATE outbox SET updated_at = ?")
        .bind(ordertray_store::format_ts(old))
        .execute(s.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET state = 'done' WHERE id = ?")
        .bind(rows[0].id)
        .execute(s.pool())
        .await
        .unwrap();
    let report = ordertray_core::SyncReport {
        account_id: a.id,
        ..Default::default()
    };
    for at in [old, recent] {
        let run = s
            .start_sync_run(
                a.id,
                &Lease {
                    owner: "test",
                    until: at,
                },
                at,
            )
            .await
            .unwrap();
        s.finish_sync_run(run, &report, None, at).await.unwrap();
        s.log_intake_request(&ordertray_store::NewIntakeRequest {
            account_id: Some(a.id),
            received_at: at,
            remote: "127.0.0.1",
            content_type: "application/json",
            body: Some(b"{}"),
            body_bytes: 2,
            http_status: 200,
            outcome: "stored",
            message: "",
            delivery_id: None,
        })
        .await
        .unwrap();
    }
    // Events are stamped with the wall clock: date the old notice and the order's arrival back.
    for (kind, like) in [("quarantined", "%(old)%"), ("arrived", "%")] {
        sqlx::query("UPDATE events SET at = ? WHERE kind = ? AND message LIKE ?")
            .bind(ordertray_store::format_ts(old))
            .bind(kind)
            .bind(like)
            .execute(s.pool())
            .await
            .unwrap();
    }
    let events_before = s.account_events(a.id, 100).await.unwrap().len();

    let pruned = s.prune(&RetentionSettings::default(), now).await.unwrap();
    assert_eq!(
        (
            pruned.outbox,
            pruned.sync_runs,
            pruned.intake_requests,
            pruned.events
        ),
        (1, 1, 1, 1),
        "{pruned:?}"
    );
    assert_eq!(
        s.outbox_list(Some(a.id), None).await.unwrap().len(),
        rows.len() - 1
    );
    assert_eq!(s.intake_requests(Some(a.id), 50).await.unwrap().len(), 1);
    assert_eq!(
        s.account_events(a.id, 100).await.unwrap().len(),
        events_before - 1
    );
    // The order's own timeline (it arrived 100 days ago) is untouched.
    let order_id = inbox[0].order_id;
    let detail = s.order_detail(order_id).await.unwrap();
    assert!(
        detail.events.iter().any(|e| e.kind == "arrived"),
        "{:?}",
        detail.events
    );
    assert_eq!(
        s.prune(&RetentionSettings::default(), now).await.unwrap().total(),
        0
    );
}

#[tokio::test]
async fn a_second_partial_cancel_of_the_same_product_is_queued_again_but_a_repeated_decision_is_not() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    // The same product on two lines of one posting (bought twice), and another product.
    let mut posting = order("1-1", "awaiting_packaging", &["10", "10", "11"]);
    posting.lines[1].external_id = "10-second".into();
    s.apply_page(a.id, "Ozon", &[posting], &[], "", Utc::now())
        .await
        .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    let twins: Vec<i64> = inbox
        .iter()
        .filter(|l| l.line.sku == "10")
        .map(|l| l.line.id)
        .collect();
    assert_eq!(twins.len(), 2);

    let cancels =
        |rows: Vec<ordertray_core::OutboxView>| rows.iter().filter(|r| r.kind == "cancel_lines").count();
    s.triage(&twins[..1], TriageAction::Reject, "t").await.unwrap();
    // The same decision again is refused and queues nothing.
    assert!(s.triage(&twins[..1], TriageAction::Reject, "t").await.is_err());
    assert_eq!(cancels(s.outbox_list(None, None).await.unwrap()), 1);

    // A later decision to cancel the other unit of the same product is a call of its own.
    s.triage(&twins[1..], TriageAction::Reject, "t").await.unwrap();
    assert_eq!(cancels(s.outbox_list(None, None).await.unwrap()), 2);
}

#[tokio::test]
async fn rows_of_one_subject_keep_their_order_per_destination() {
    use ordertray_core::{Destination, Subject};
    use ordertray_store::NewOutboxRow;
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let crm = s.insert_account(&draft("CRM"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[
            order("1-1", "awaiting_packaging", &["10"]),
            order("1-2", "awaiting_packaging", &["11"]),
        ],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    let line_of = |n: &str| inbox.iter().find(|l| l.order_number == n).unwrap();
    let (first, second) = (line_of("1-1"), line_of("1-2"));

    // Queued before the marketplace calls: one to the CRM about 1-1, one to the marketplace
    // itself about 1-2.
    let row = |destination, order_id, kind: &str| NewOutboxRow {
        destination,
        subject: Subject::ExternalOrder(order_id),
        kind: kind.into(),
        payload: json!({"deal": {"title": kind}}),
        description: format!("{kind} row"),
        idempotency_key: format!("{kind}:{order_id}"),
    };
    let to_crm = row(Destination::Account(crm.id), first.order_id, "crm_create_order");
    assert!(s.outbox_enqueue(&to_crm, Utc::now()).await.unwrap().is_some());
    assert_eq!(
        s.outbox_enqueue(&to_crm, Utc::now()).await.unwrap(),
        None,
        "one key, one row"
    );
    let earlier = row(Destination::Account(a.id), second.order_id, "earlier_call");
    s.outbox_enqueue(&earlier, Utc::now()).await.unwrap();
    s.triage(&[first.line.id, second.line.id], TriageAction::Accept, "t")
        .await
        .unwrap();

    let due = s.outbox_due(Utc::now(), 10, 10).await.unwrap();
    let kinds: Vec<(Option<i64>, Option<i64>, &str)> = due
        .iter()
        .map(|r| (r.account_id(), r.order_id(), r.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (Some(crm.id), Some(first.order_id), "crm_create_order"),
            (Some(a.id), Some(second.order_id), "earlier_call"),
            (Some(a.id), Some(first.order_id), "ship"),
        ],
        "1-1's ship does not wait for the CRM; 1-2's waits behind the earlier call to its marketplace"
    );
    assert_eq!(due[0].payload, json!({"deal": {"title": "crm_create_order"}}));
    // One row per destination at most: the CRM's queue does not crowd the marketplace out.
    let one_each = s.outbox_due(Utc::now(), 10, 1).await.unwrap();
    assert_eq!(
        one_each.iter().map(|r| r.kind.as_str()).collect::<Vec<_>>(),
        ["crm_create_order", "earlier_call"]
    );
    // Each account's health counts its own rows only.
    assert_eq!(s.health(crm.id).await.unwrap().outbox_pending, 1);
}

/// A row waiting behind an earlier one of its order and destination is not due, so it is not the
/// worker's next wake either: while the earlier row sat failed (or waited for its retry), the
/// worker woke every second for a row it would not send.
#[tokio::test]
async fn a_row_behind_a_failed_one_is_no_reason_to_wake() {
    use ordertray_core::{Destination, Subject};
    use ordertray_store::{Lease, NewOutboxRow};
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("2-1", "awaiting_packaging", &["10"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let order_id = s.inbox(&InboxQuery::default()).await.unwrap()[0].order_id;
    let row = |kind: &str| NewOutboxRow {
        destination: Destination::Account(a.id),
        subject: Subject::ExternalOrder(order_id),
        kind: kind.into(),
        payload: json!({}),
        description: format!("{kind} row"),
        idempotency_key: format!("{kind}:{order_id}"),
    };
    let now = Utc::now();
    s.outbox_enqueue(&row("first_call"), now).await.unwrap();
    s.outbox_enqueue(&row("second_call"), now).await.unwrap();
    assert!(s.outbox_next_due().await.unwrap().is_some());

    let first = s.outbox_due(now, 10, 10).await.unwrap().remove(0);
    assert_eq!(first.kind, "first_call");
    let lease = Lease {
        owner: "test",
        until: now + chrono::Duration::minutes(1),
    };
    let claimed = s.outbox_claim(first.id, &lease, now).await.unwrap().unwrap();
    assert!(s.outbox_fail(&claimed, &failure("gave up")).await.unwrap());
    assert!(s.outbox_due(now, 10, 10).await.unwrap().is_empty());
    assert_eq!(
        s.outbox_next_due().await.unwrap(),
        None,
        "nothing will be due until the failed row moves"
    );
}

#[tokio::test]
async fn migration_0010_addresses_existing_rows_and_expires_leases_left_by_older_versions() {
    use sqlx::sqlite::SqliteConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A database as version 0009 left it, with a delivered row and one left in flight.
        let all = sqlx::migrate!("./migrations");
        let mut old = sqlx::migrate::Migrator::DEFAULT;
        old.migrations = std::borrow::Cow::Owned(
            all.migrations
                .iter()
                .filter(|m| m.version < 10)
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
               VALUES (5, 1, 'P-1', 'P-1', 'awaiting_packaging', ?1, ?1, ?1, 'h', '{}');",
        )
        .bind(t)
        .execute(&pool)
        .await
        .unwrap();
        for (id, state, effect) in [
            (
                1,
                "done",
                json!({"type": "cancel_order", "order_external_id": "P-1", "reason": {"id": 1, "message": ""}}),
            ),
            (
                2,
                "in_flight",
                json!({"type": "ship", "order_external_id": "P-1", "items": []}),
            ),
        ] {
            sqlx::query(
                "INSERT INTO outbox (id, account_id, order_id, kind, payload, idempotency_key, state, next_attempt_at, created_at, updated_at)
                 VALUES (?, 1, 5, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(effect["type"].as_str().unwrap())
            .bind(effect.to_string())
            .bind(format!("key-{id}"))
            .bind(state)
            .bind(t)
            .bind(t)
            .bind(t)
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;
    }
    let s = Store::open(&path).await.unwrap();
    let views = s.outbox_list(Some(1), Some(5)).await.unwrap();
    assert_eq!(views.len(), 2);
    assert_eq!(
        views[0].description, "Cancel P-1 (reason 1)",
        "old rows are described from their payload"
    );
    // The row an older version left in flight has an expired lease: any worker takes it over now,
    // counting the interrupted attempt.
    let due = s.outbox_due(Utc::now(), 10, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].destination, ordertray_core::Destination::Account(1));
    assert_eq!(due[0].subject, ordertray_core::Subject::ExternalOrder(5));
    let lease = Lease {
        owner: "new",
        until: Utc::now() + Duration::minutes(3),
    };
    let taken = s.outbox_claim(2, &lease, Utc::now()).await.unwrap().unwrap();
    assert_eq!(taken.attempts, 1);
}

#[tokio::test]
async fn events_are_stored_as_a_code_with_arguments_and_their_english_wording() {
    use ordertray_core::timeline::{EventArgs, TimelineEvent};
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("Shop «A»"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[order("0570-1", "awaiting_packaging", &["111", "222"])],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let line = s.inbox(&InboxQuery::default()).await.unwrap()[0].clone();
    s.triage(&[line.line.id], TriageAction::Reject, "manager")
        .await
        .unwrap();

    // What is in the table: the code, the arguments as JSON, and the English of the same event.
    let rows: Vec<(String, String, Option<String>)> =
        sqlx::query_as("SELECT kind, message, data FROM events ORDER BY id")
            .fetch_all(s.pool())
            .await
            .unwrap();
    let kinds: Vec<&str> = rows.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(kinds, ["account_added", "arrived", "reject", "outbox_queued"]);
    for (kind, message, data) in &rows {
        let args: EventArgs = serde_json::from_str(data.as_deref().expect("arguments stored")).unwrap();
        let event = TimelineEvent::from_stored(kind, &args).expect("the arguments fit the kind");
        assert_eq!(&event.english(), message, "{kind}");
    }
    let detail = s.order_detail(line.order_id).await.unwrap();
    let arrived = &detail.events[0];
    assert_eq!(arrived.kind, "arrived");
    assert_eq!(
        arrived.args.as_ref().unwrap(),
        &TimelineEvent::Arrived {
            order: "0570-1".into(),
            marketplace: "Ozon".into(),
            lines: 2,
            status: "awaiting_packaging".into(),
            note: None,
        }
        .args()
    );
    assert_eq!(
        arrived.message,
        "Order 0570-1 arrived from Ozon with 2 line(s), status awaiting_packaging"
    );
    let args = detail.events[1].args.as_ref().unwrap();
    assert_eq!(args["line"], json!(line.line.name));
    assert_eq!(args["rule"], json!(null));
    let queued = detail.events[2].args.as_ref().unwrap();
    assert_eq!(queued["effect"], "cancel_lines");
    assert_eq!(queued["order"], "0570-1");
    assert_eq!(queued["items"], format!("{}×2", line.line.sku));
    let added = &s.account_events(a.id, 10).await.unwrap()[0];
    assert_eq!(added.args.as_ref().unwrap()["name"], "Shop «A»");
    assert_eq!(added.message, "Account «Shop «A»» added");

    // A row written before events had arguments reads with none, its message intact.
    sqlx::query(
        "INSERT INTO events (at, account_id, order_id, kind, actor, message)
         VALUES ('2026-01-01T00:00:00Z', ?, ?, 'status', 'manager', 'Line «x» → Shipped')",
    )
    .bind(a.id)
    .bind(line.order_id)
    .execute(s.pool())
    .await
    .unwrap();
    let old = s.order_detail(line.order_id).await.unwrap().events.pop().unwrap();
    assert_eq!((old.kind.as_str(), old.args), ("status", None));
    assert_eq!(old.message, "Line «x» → Shipped");
}

/// A shop order's lines are found through an index, not a scan of every line (at a million
/// lines the scans, three per accept, held the write lock long enough for triage to time out).
#[tokio::test]
async fn lines_of_a_shop_order_are_found_by_index() {
    let (_d, s) = store().await;
    let plan: Vec<String> = sqlx::query("EXPLAIN QUERY PLAN SELECT id FROM lines WHERE shop_order_id = ?")
        .bind(1)
        .fetch_all(s.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, "detail"))
        .collect();
    assert!(
        plan.iter().any(|d| d.contains("INDEX lines_shop_order")),
        "{plan:?}"
    );
}

/// Rejecting every line cancels the posting at the marketplace; the sync that then reads it as
/// cancelled must not announce a cancel "by the marketplace" (it was ours) nor mark the order so.
#[tokio::test]
async fn the_cancel_we_asked_for_is_not_announced_as_the_marketplaces() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    s.apply_page(
        a.id,
        "Ozon",
        &[
            order("1-1", "awaiting_packaging", &["10"]),
            order("2-1", "awaiting_packaging", &["20"]),
        ],
        &[],
        "",
        Utc::now(),
    )
    .await
    .unwrap();
    let inbox = s.inbox(&InboxQuery::default()).await.unwrap();
    let ours = inbox.iter().find(|l| l.line.sku == "10").unwrap().clone();
    s.triage(&[ours.line.id], TriageAction::Reject, "test")
        .await
        .unwrap();

    let out = s
        .apply_page(
            a.id,
            "Ozon",
            &[
                order("1-1", "cancelled", &["10"]),
                order("2-1", "cancelled", &["20"]),
            ],
            &[],
            "",
            Utc::now(),
        )
        .await
        .unwrap();
    // Only the order the buyer cancelled is announced.
    let announced: Vec<&str> = out
        .cancelled_by_marketplace
        .iter()
        .map(|o| o.number.as_str())
        .collect();
    assert_eq!(announced, ["2-1"]);
    let detail = s.order_detail(ours.order_id).await.unwrap();
    assert_eq!(detail.order.status, "cancelled");
    assert_eq!(detail.order.changed_by_marketplace, None);
}

/// A marketplace error as the engine records it.
fn failure(message: &str) -> ordertray_core::AppError {
    ordertray_core::AppError::new(ordertray_core::ErrorCode::Marketplace, message)
}

/// A page is looked up and stored in bulk; a posting that comes twice in one page (Ozon may repeat
/// one while its status changes) is stored once, and its second, changed copy applied to it.
#[tokio::test]
async fn a_posting_twice_in_one_page_is_stored_once_with_its_last_change() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let first = order("1-1", "awaiting_packaging", &["10", "11"]);
    let other = order("2-1", "awaiting_packaging", &["20"]);
    let mut changed = order("1-1", "awaiting_deliver", &["10", "11"]);
    changed.raw = json!({"posting_number": "1-1", "status": "awaiting_deliver"});
    let out = s
        .apply_page(
            a.id,
            "Ozon",
            &[first.clone(), other, first, changed],
            &[],
            "c1",
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(
        (out.new_orders.len(), out.new_lines, out.changed_orders),
        (2, 3, 1)
    );
    let orders = s.orders(Some(a.id), None).await.unwrap();
    assert_eq!(orders.len(), 2);
    let one = orders.iter().find(|o| o.external_id == "1-1").unwrap();
    assert_eq!((one.status.as_str(), one.lines.len()), ("awaiting_deliver", 2));
    let detail = s.order_detail(one.id).await.unwrap();
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"arrived"), "{kinds:?}");
    assert_eq!(s.inbox(&InboxQuery::default()).await.unwrap().len(), 3);
}

/// The badge counts the waiting lines of active accounts only, whichever way a line was stored: with
/// a new order of a sync page, or added later to an order the store already had.
#[tokio::test]
async fn the_unread_badge_leaves_out_inactive_accounts_lines() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let b = s.insert_account(&draft("B"), false).await.unwrap();
    let page = |ids: &[&str]| vec![order("1-1", "awaiting_packaging", ids)];
    s.apply_page(a.id, "Ozon", &page(&["10", "11"]), &[], "a1", Utc::now())
        .await
        .unwrap();
    s.apply_page(b.id, "Ozon", &page(&["20"]), &[], "b1", Utc::now())
        .await
        .unwrap();
    // The marketplace adds a line to B's order: stored by itself, not with a new order.
    let out = s
        .apply_page(b.id, "Ozon", &page(&["20", "21"]), &[], "b2", Utc::now())
        .await
        .unwrap();
    assert_eq!((out.changed_orders, out.new_lines), (1, 1));
    assert_eq!(s.unread_count().await.unwrap(), 4);
    s.set_account_active(b.id, false).await.unwrap();
    assert_eq!(s.unread_count().await.unwrap(), 2, "B's two lines are left out");
    s.set_account_active(a.id, false).await.unwrap();
    assert_eq!(s.unread_count().await.unwrap(), 0);
    s.set_account_active(b.id, true).await.unwrap();
    assert_eq!(s.unread_count().await.unwrap(), 2, "B's two lines are back");
}

/// The write-ahead log is copied into the database file beside the writers: once 4 MB wait in
/// the log, a checkpoint of its own copies them, long before SQLite's own (in the committing
/// connection, at 40 MB) would; and however much a sync writes, the log stays within SQLite's
/// own checkpoint and a page or two.
#[tokio::test]
async fn the_log_is_copied_into_the_database_beside_the_writers_and_stays_bounded() {
    let (dir, s) = store().await;
    let account = s.insert_account(&draft("A"), false).await.unwrap().id;
    let (db, log) = (
        dir.path().join("sub/ordertray.db"),
        dir.path().join("sub/ordertray.db-wal"),
    );
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let empty = size(&db);
    let filler = "x".repeat(20_000);
    // A page of 100 postings of 20 KB each: 2 MB.
    let page = |n: usize| -> Vec<ExternalOrder> {
        (0..100)
            .map(|i| ExternalOrder {
                raw: json!({"n": n, "i": i, "filler": filler}),
                ..order(&format!("P{n}-{i}"), "awaiting_packaging", &["1"])
            })
            .collect()
    };
    for n in 0..3 {
        s.apply_page(account, "Ozon", &page(n), &[], &format!("c{n}"), Utc::now())
            .await
            .unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while size(&db) < empty + 4_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "6 MB committed, the database file still {} bytes, the log {}",
            size(&db),
            size(&log)
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let mut largest = 0;
    for n in 3..33 {
        s.apply_page(account, "Ozon", &page(n), &[], &format!("c{n}"), Utc::now())
            .await
            .unwrap();
        largest = largest.max(size(&log));
    }
    assert!(
        largest < 48_000_000,
        "the log grew to {largest} bytes over 66 MB written"
    );
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_eq!(orders, 3_300);
    s.close().await;
}

/// A new order waits for its follow-up (rules, popup) until it is settled, and settling is a claim:
/// the second of two processes settling it gets nothing (and announces nothing). A push whose
/// follow-up did not come is found once it is overdue.
#[tokio::test]
async fn a_new_orders_follow_up_is_found_when_left_and_claimed_once() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let at = Utc::now();
    let pushed = [order("1-1", "awaiting_packaging", &["10", "11"])];
    let out = s
        .apply_pushed((a.id, "Ozon", "gone"), &pushed, &[], at)
        .await
        .unwrap();
    let id = out.new_orders[0].order_id;

    let found = s
        .orphaned_arrivals(a.id, "here", false, at + Duration::minutes(3))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].order_id, found[0].number.as_str(), found[0].lines),
        (id, "1-1", 2)
    );
    assert!((found[0].announce, found[0].accept) == (true, false));
    // Another process's push may still be followed up; after two minutes it is overdue.
    let any = |after| s.orphaned_arrivals(a.id, "here", false, at + after);
    assert!(any(Duration::seconds(60)).await.unwrap().is_empty());
    assert_eq!(any(Duration::minutes(3)).await.unwrap().len(), 1);

    assert_eq!(s.settle_arrivals(&[id]).await.unwrap(), [id].into());
    assert!(s.settle_arrivals(&[id]).await.unwrap().is_empty());
    assert!(s
        .orphaned_arrivals(a.id, "here", true, at)
        .await
        .unwrap()
        .is_empty());
}

/// A run's new orders wait for its follow-up, which comes after the run is recorded finished: no
/// other process takes them while the run's lease lasts, and every one takes them once it ran out.
#[tokio::test]
async fn a_finished_runs_orders_are_its_own_until_its_lease_runs_out() {
    let (_d, s) = store().await;
    let a = s.insert_account(&draft("A"), false).await.unwrap();
    let at = Utc::now();
    let until = at + Duration::minutes(3);
    let lease = Lease {
        owner: "running",
        until,
    };
    let run = s.start_sync_run(a.id, &lease, at).await.unwrap();
    let page = [order("1-1", "awaiting_packaging", &["10"])];
    let source = ordertray_store::Arriving {
        owner: "running",
        run: Some((run, until)),
    };
    s.apply_page_with_skips(
        (a.id, "Ozon", &source),
        (&page, &ordertray_store::Payloads::of(&page), &[], &[]),
        "c1",
        at,
    )
    .await
    .unwrap();
    let report = ordertray_core::SyncReport {
        account_id: a.id,
        ..Default::default()
    };
    s.finish_sync_run(run, &report, None, at).await.unwrap();

    let other = |now| s.orphaned_arrivals(a.id, "other", true, now);
    assert!(other(at + Duration::minutes(2)).await.unwrap().is_empty());
    assert_eq!(other(until).await.unwrap().len(), 1);
    // Its own process, holding the account's runs, knows the run is over.
    assert_eq!(
        s.orphaned_arrivals(a.id, "running", true, at)
            .await
            .unwrap()
            .len(),
        1
    );
}
