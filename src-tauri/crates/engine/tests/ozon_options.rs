//! Issue 4: an Ozon account's options, end to end over real HTTP to the fake Ozon — status
//! mapping both ways and the paid flag, realFBS delivery stages and tracking numbers, postings
//! assembled in the seller cabinet, barcodes and cargo places, and how shop orders are made.

mod common;

use chrono::Utc;
use common::*;
use ordertray_connectors::ozon::{OrderDateSource, OzonSettings, PostingNumberField};
use ordertray_core::cabinet::OrderFilter;
use ordertray_core::cabinet::PaymentMethod;
use ordertray_core::statuses::ShopStatus;
use ordertray_core::templates::{IncomingStatus, PushLevel, PushTemplates, StatusPush};
use ordertray_core::TriageAction;
use ordertray_fakes::ozon::{fbo_posting, realfbs_posting, sample_posting};

const DELIVERING: &str = "/v2/fbs/posting/delivering";
const LAST_MILE: &str = "/v2/fbs/posting/last-mile";
const DELIVERED: &str = "/v2/fbs/posting/delivered";
const TRACKING: &str = "/v2/fbs/posting/tracking-number/set";

async fn set_options(w: &World, edit: impl FnOnce(&mut OzonSettings)) {
    let mut draft = draft(&w.fake.base_url());
    let mut s: OzonSettings = draft.settings.parse().unwrap();
    edit(&mut s);
    draft.settings = s.into();
    w.engine
        .update_account(w.account, draft, Default::default())
        .await
        .unwrap();
}

fn status(all: &[ShopStatus], code: &str) -> i64 {
    all.iter().find(|s| s.code.as_deref() == Some(code)).unwrap().id
}

async fn drain(w: &World) {
    while w.engine.drain_outbox_once().await.unwrap().delivered > 0 {}
}

/// The inbox lines of a posting (before they are decided).
async fn lines_of_posting(w: &World, posting: &str) -> Vec<i64> {
    lines_of(&inbox(&w.engine).await, posting)
        .iter()
        .map(|l| l.line.id)
        .collect()
}

async fn shop_order_of(w: &World, posting: &str) -> ordertray_core::cabinet::ShopOrderFull {
    let order = w
        .engine
        .orders(None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.external_id == posting)
        .unwrap();
    let view = w
        .engine
        .shop_orders(None, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.source_order_id == Some(order.id))
        .expect("a shop order made from the posting");
    w.engine.shop_order_full(view.id).await.unwrap()
}

#[tokio::test]
async fn status_mapping_both_ways_delivery_stages_tracking_and_the_paid_flag() {
    let w = world().await;
    set_options(&w, |s| s.paid_on_delivered = true).await;
    let all = w.engine.shop_statuses().await.unwrap();
    let (accepted, in_stock, shipped, delivered) = (
        status(&all, "accepted"),
        status(&all, "in_stock"),
        status(&all, "shipped"),
        status(&all, "delivered"),
    );
    let push = |status_id, marketplace_status: &str| StatusPush {
        status_id,
        level: PushLevel::Order,
        marketplace_status: marketplace_status.into(),
        comment: String::new(),
    };
    let settings = w
        .engine
        .save_push_settings(
            w.account,
            &PushTemplates {
                // "in stock" is left unmapped: it must send nothing.
                pushes: vec![push(shipped, "delivering"), push(delivered, "delivered")],
                incoming: vec![IncomingStatus {
                    marketplace_status: "delivered".into(),
                    status_id: delivered,
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(settings.problems.is_empty(), "{:?}", settings.problems);

    // The banner for Ozon's status changes is off by default; this shop wants popups.
    let mut app = w.engine.settings().await.unwrap();
    app.alerts.status_changed.popup = true;
    w.engine.save_settings(app).await.unwrap();

    let posting = realfbs_posting(7, 2, Utc::now());
    let number = posting["posting_number"].as_str().unwrap().to_string();
    w.fake.add_posting(posting);
    w.engine.sync_account(w.account).await.unwrap();
    notifications(&w.notes).await;
    let lines = lines_of_posting(&w, &number).await;
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    drain(&w).await;
    assert_eq!(w.fake.calls_to("/v4/posting/fbs/ship").len(), 1);
    assert_eq!(w.fake.posting(&number).unwrap()["status"], "awaiting_deliver");

    // An unmapped shop status sends nothing.
    let r = w.engine.set_line_status(&lines, in_stock).await.unwrap();
    assert!(r.outbox_rows.is_empty() && r.not_sent.is_empty(), "{r:?}");

    // The tracking number entered on the order goes to Ozon.
    // (Ozon hides the buyer's phone, so a full edit of this order would be refused; the
    // tracking number has its own field.)
    let order = shop_order_of(&w, &number).await;
    let e = w.engine.send_tracking_number(order.id, "  ").await.unwrap_err();
    assert!(e.message.contains("Enter the tracking number"), "{e:?}");
    w.engine
        .send_tracking_number(order.id, " RA123456789RU ")
        .await
        .unwrap();
    drain(&w).await;
    let sent = calls(&w.fake, TRACKING);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(
        sent[0]["tracking_numbers"][0],
        serde_json::json!({"posting_number": number, "tracking_number": "RA123456789RU"})
    );
    assert_eq!(
        w.fake.posting(&number).unwrap()["tracking_number"],
        "RA123456789RU"
    );
    assert_eq!(
        shop_order_of(&w, &number).await.draft.tracking_number,
        "RA123456789RU"
    );
    // A mistyped number corrected back to the first one: Ozon ends with the first one again.
    for tracking in ["RA000000000RU", "RA123456789RU"] {
        w.engine.send_tracking_number(order.id, tracking).await.unwrap();
        drain(&w).await;
        assert_eq!(w.fake.posting(&number).unwrap()["tracking_number"], tracking);
    }
    assert_eq!(calls(&w.fake, TRACKING).len(), 3);

    // "Shipped" is mapped to Ozon "delivering".
    let r = w.engine.set_line_status(&lines, shipped).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "{r:?}");
    drain(&w).await;
    assert_eq!(
        calls(&w.fake, DELIVERING),
        [serde_json::json!({"posting_number": [number]})]
    );
    assert_eq!(w.fake.posting(&number).unwrap()["status"], "delivering");
    assert!(calls(&w.fake, LAST_MILE).is_empty() && calls(&w.fake, DELIVERED).is_empty());
    assert!(!shop_order_of(&w, &number).await.draft.paid);

    // Ozon reports the posting delivered: the lines follow the incoming mapping, the order is
    // marked paid, a popup tells the manager, and nothing is sent back.
    assert!(w.fake.set_status(&number, "delivered"));
    w.engine.sync_account(w.account).await.unwrap();
    let order = shop_order_of(&w, &number).await;
    assert_eq!(order.status_id, Some(delivered));
    assert!(
        order.draft.paid,
        "paid on reaching the status mapped to Ozon delivered"
    );
    assert!(order
        .timeline
        .iter()
        .any(|e| e.message.contains("set «delivered»") && e.message.contains("2 accepted line(s)")));
    assert!(order.timeline.iter().any(|e| e.kind == "paid"));
    let shown = notifications(&w.notes).await;
    assert!(
        shown
            .iter()
            .any(|n| n.body.contains(&number) && n.body.contains("«delivered»")),
        "{shown:?}"
    );
    drain(&w).await;
    assert!(
        calls(&w.fake, DELIVERED).is_empty(),
        "a change Ozon made is not echoed back"
    );
    let _ = accepted;
}

#[tokio::test]
async fn a_refused_delivery_stage_is_parked_with_ozons_reason() {
    let w = world().await;
    let all = w.engine.shop_statuses().await.unwrap();
    let delivered = status(&all, "delivered");
    w.engine
        .save_push_settings(
            w.account,
            &PushTemplates {
                pushes: vec![StatusPush {
                    status_id: delivered,
                    level: PushLevel::Order,
                    marketplace_status: "delivered".into(),
                    comment: String::new(),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // An ordinary FBS posting (Ozon delivers it): Ozon refuses seller-delivery stages.
    let number = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = lines_of_posting(&w, &number).await;
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    drain(&w).await;
    let r = w.engine.set_line_status(&lines, delivered).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1);
    drain(&w).await;
    assert_eq!(calls(&w.fake, DELIVERED).len(), 1, "sent once, not retried");
    let failed: Vec<_> = w
        .engine
        .outbox_list(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.state == ordertray_core::OutboxState::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("POSTING_IS_NOT_REAL_FBS"),
        "{failed:?}"
    );
    // Tracking numbers are only sent for postings the seller delivers.
    let order = shop_order_of(&w, &number).await;
    let e = w
        .engine
        .send_tracking_number(order.id, "TRACK-1")
        .await
        .unwrap_err();
    assert!(e.message.contains("realFBS"), "{e:?}");
    w.engine.set_tracking_number(order.id, "TRACK-1").await.unwrap();
    drain(&w).await;
    assert!(calls(&w.fake, TRACKING).is_empty());
}

#[tokio::test]
async fn assembled_postings_are_imported_accepted_with_barcodes_and_cargo_places() {
    let w = world().await;
    let mut posting = realfbs_posting(11, 2, Utc::now());
    let number = posting["posting_number"].as_str().unwrap().to_string();
    posting["status"] = "awaiting_deliver".into();
    posting["available_actions"] = serde_json::json!(["cancel", "set_track_number", "non_int_delivering"]);
    posting["barcodes"] = serde_json::json!({"upper_barcode": "%101%806044518", "lower_barcode": "24602022"});
    w.fake.add_posting(posting.clone());
    // One already on its way (handed over while the app was closed): first seen in the changes.
    let mut further = realfbs_posting(12, 1, Utc::now());
    further["status"] = "delivering".into();
    // Delivered or on its way, a posting may list no actions at all (read elsewhere as "ship").
    further["available_actions"] = serde_json::json!([]);
    let further_number = further["posting_number"].as_str().unwrap().to_string();
    w.fake.add_posting(further);

    // Off (the default): postings processed in the seller cabinet are not imported.
    w.engine.sync_account(w.account).await.unwrap();
    assert!(w.engine.orders(None, None).await.unwrap().is_empty());
    assert!(inbox(&w.engine).await.is_empty());

    set_options(&w, |s| s.import_awaiting_deliver = true).await;
    w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(w.engine.orders(None, None).await.unwrap().len(), 2);
    assert!(inbox(&w.engine).await.is_empty(), "neither is left for triage");
    assert_eq!(shop_order_of(&w, &further_number).await.draft.items.len(), 1);
    let order = shop_order_of(&w, &number).await;
    assert_eq!(order.draft.items.len(), 2);
    assert_eq!(order.extra["barcodes"]["upper_barcode"], "%101%806044518");
    assert_eq!(order.extra["cargo_places"], 1);
    drain(&w).await;
    assert!(
        w.fake.calls_to("/v4/posting/fbs/ship").is_empty(),
        "Ozon no longer offers ship"
    );
    assert!(
        w.engine.outbox_list(None).await.unwrap().is_empty(),
        "nothing is sent back for what the cabinet decided"
    );

    // Ozon splits it into two cargo places: the change is on the timeline and in the extras.
    posting["is_multibox"] = true.into();
    posting["multi_box_qty"] = 2.into();
    w.fake.add_posting(posting);
    w.engine.sync_account(w.account).await.unwrap();
    let order = shop_order_of(&w, &number).await;
    assert_eq!(order.extra["cargo_places"], 2);
    assert!(order
        .timeline
        .iter()
        .any(|e| e.kind == "cargo_places" && e.message.contains("1 → 2")));
    assert_eq!(
        w.engine.orders(None, None).await.unwrap().len(),
        2,
        "upserted, not duplicated"
    );
}

#[tokio::test]
async fn shop_orders_take_the_source_number_date_customer_delivery_and_payment_options() {
    let w = world().await;
    let mut app = w.engine.settings().await.unwrap();
    let courier = app.delivery_methods.first().map(|m| m.id.clone());
    let courier = courier.unwrap_or_else(|| "courier".into());
    if app.delivery_methods.is_empty() {
        // The option names a method by id; the cabinet shows it as typed when not in the list.
        app.delivery_methods = vec![];
    }
    w.engine.save_settings(app).await.unwrap();

    // Defaults: the posting number is the order number, the customer is matched or created.
    let placed = Utc::now() - chrono::Duration::days(3);
    let first = realfbs_posting(21, 1, placed);
    let first_number = first["posting_number"].as_str().unwrap().to_string();
    w.fake.add_posting(first);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = lines_of_posting(&w, &first_number).await;
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    let order = shop_order_of(&w, &first_number).await;
    assert_eq!(order.draft.number, first_number);
    assert_eq!(order.source.as_deref(), Some("Ozon"));
    assert_eq!(order.draft.recipient.name, "Анна Смирнова");
    // Ozon's address fields arrive as fields, its tail split into street, house and flat.
    let a = &order.draft.address;
    assert_eq!(
        [&a.country, &a.city, &a.postal_code, &a.street, &a.house, &a.flat],
        ["Россия", "Москва", "125009", "ул. Тверская", "7", "12"]
    );
    assert_eq!(a.text, "125009, Россия, Москва, ул. Тверская, д. 7, кв. 12");
    assert!(
        (order.created_at - Utc::now()).num_minutes().abs() < 5,
        "loaded now"
    );
    let customer = order.customer_id.expect("matched or created");

    set_options(&w, |s| {
        s.source_label = "Ozon rFBS".into();
        s.posting_number_to = PostingNumberField::BuyerName;
        s.order_date = OrderDateSource::PlacedOnOzon;
        s.fixed_customer_id = Some(customer);
        s.default_delivery_method = courier.clone();
        s.default_payment_method = Some(PaymentMethod::CardOnline);
    })
    .await;
    let mut second = realfbs_posting(22, 1, placed);
    second["customer"]["name"] = "Пётр Иванов".into();
    let second_number = second["posting_number"].as_str().unwrap().to_string();
    w.fake.add_posting(second);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = lines_of_posting(&w, &second_number).await;
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    let order = shop_order_of(&w, &second_number).await;
    assert_ne!(order.draft.number, second_number);
    assert_eq!(
        order.draft.recipient.name, second_number,
        "the posting number in the name field"
    );
    assert_eq!(order.source.as_deref(), Some("Ozon rFBS"));
    assert_eq!(order.customer_id, Some(customer), "the fixed customer");
    assert_eq!(
        w.engine.customers(100).await.unwrap().len(),
        1,
        "no customer made for Пётр"
    );
    assert_eq!(
        (order.created_at - placed).num_seconds().abs(),
        0,
        "placed on Ozon"
    );
    assert_eq!(order.draft.delivery_method, courier);
    assert_eq!(order.draft.payment_method, Some(PaymentMethod::CardOnline));
}

/// Point 8: FBO postings (Ozon stores and ships them) are imported by the account's option as
/// read-only orders: in All orders and the charts, never in the inbox, no decisions, no calls
/// back to Ozon, no popups.
#[tokio::test]
async fn fbo_postings_are_read_only_orders_for_all_orders_and_the_charts() {
    const FBO_LIST: &str = "/v3/posting/fbo/list";
    let w = world().await;
    let now = Utc::now();
    // 130 FBO postings: two pages of Ozon's 100; and one FBS posting for the inbox.
    let fbo: Vec<String> = (1..=130u64)
        .map(|seq| {
            let p = fbo_posting(
                seq,
                1 + seq as usize % 2,
                now - chrono::Duration::hours(seq as i64),
            );
            let n = p["posting_number"].as_str().unwrap().to_string();
            w.fake.add_fbo_posting(p);
            n
        })
        .collect();
    let fbs = sample_posting(500, 1, now);
    let fbs_number = fbs["posting_number"].as_str().unwrap().to_string();
    w.fake.add_posting(fbs);

    // Off by default: the FBO list is never asked for.
    w.engine.sync_account(w.account).await.unwrap();
    assert!(w.fake.calls_to(FBO_LIST).is_empty());
    assert_eq!(notifications(&w.notes).await.len(), 1, "the FBS posting's popup");

    set_options(&w, |s| {
        s.import_fbo = true;
        s.source_label = "Ozon FBO".into();
    })
    .await;
    let report = w.engine.sync_account(w.account).await.unwrap();
    let pages = calls(&w.fake, FBO_LIST);
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(
        (pages[0]["cursor"].as_str(), pages[0]["limit"].as_u64()),
        (Some(""), Some(100))
    );
    assert_eq!(pages[1]["cursor"], "f100");
    assert!(pages[0]["filter"]["since"].is_string() && pages[0]["filter"]["to"].is_string());
    assert!(w.fake.calls_to(FBO_LIST).iter().all(|c| c.status == 200));
    assert_eq!(report.orders_new, 0, "FBO postings are not new work: {report:?}");
    assert_eq!(report.lines_new, 0);

    // Never in the inbox, never announced.
    let inbox = inbox(&w.engine).await;
    assert!(!inbox.is_empty());
    assert!(inbox
        .iter()
        .all(|l| lines_of(std::slice::from_ref(l), &fbs_number).len() == 1));
    assert!(
        notifications(&w.notes).await.is_empty(),
        "no popup for FBO postings"
    );

    // In All orders, counted and charted; no decisions counted for them.
    let stats = w.engine.cabinet_stats(&OrderFilter::default()).await.unwrap();
    assert_eq!(stats.total, 130);
    let charts = w.engine.cabinet_charts(&OrderFilter::default()).await.unwrap();
    let arrived: i64 = charts
        .arrivals
        .iter()
        .filter(|d| d.source == "ozon")
        .map(|d| d.count)
        .sum();
    assert_eq!(arrived, 131);
    assert_eq!((charts.accepted, charts.rejected), (0, 0));
    assert!(!charts.revenue.is_empty());
    let so = shop_order_of(&w, &fbo[0]).await;
    assert!(so.read_only);
    assert_eq!(so.source.as_deref(), Some("Ozon FBO"));
    assert_eq!(so.draft.items.len(), 2);
    assert!(so.timeline.iter().any(|e| e.message.contains("FBO")));

    // The store refuses every decision on its lines, with a clear reason.
    let lines: Vec<i64> = so.draft.items.iter().filter_map(|i| i.line_id).collect();
    for action in [
        TriageAction::Accept,
        TriageAction::Reject,
        TriageAction::Delete,
        TriageAction::Restore,
    ] {
        let e = w.engine.triage(&lines, action).await.unwrap_err();
        assert!(
            matches!(e.words.as_deref(), Some(ordertray_core::ErrorWords::OrderReadOnly { number }) if !number.is_empty())
                && e.message.contains("read-only"),
            "{e:?}"
        );
    }
    assert!(w
        .engine
        .undo_triage(&lines)
        .await
        .unwrap_err()
        .message
        .contains("read-only"));

    // A shop status mapped to an Ozon status and a tracking number send nothing for it.
    let all = w.engine.shop_statuses().await.unwrap();
    let shipped = status(&all, "shipped");
    w.engine
        .save_push_settings(
            w.account,
            &PushTemplates {
                pushes: vec![StatusPush {
                    status_id: shipped,
                    level: PushLevel::Order,
                    marketplace_status: "delivering".into(),
                    comment: String::new(),
                }],
                incoming: vec![IncomingStatus {
                    marketplace_status: "delivered".into(),
                    status_id: status(&all, "delivered"),
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let r = w.engine.set_line_status(&lines, shipped).await.unwrap();
    assert!(r.outbox_rows.is_empty(), "{r:?}");
    let e = w
        .engine
        .send_tracking_number(so.id, "RA123456789RU")
        .await
        .unwrap_err();
    assert!(e.message.contains("FBO"), "{e:?}");
    w.engine
        .set_tracking_number(so.id, "RA123456789RU")
        .await
        .unwrap();

    // Ozon delivers it: the status follows on the next run, silently.
    assert!(w.fake.set_status(&fbo[0], "delivered"));
    w.engine.sync_account(w.account).await.unwrap();
    drain(&w).await;
    let so = shop_order_of(&w, &fbo[0]).await;
    assert_eq!(so.status_id, Some(status(&all, "delivered")));
    assert!(notifications(&w.notes).await.is_empty());
    let pushes = w
        .fake
        .calls()
        .into_iter()
        .filter(|c| !c.path.contains("/list") && c.path != "/v1/roles")
        .map(|c| c.path)
        .collect::<Vec<_>>();
    assert!(
        pushes.is_empty(),
        "nothing is sent about FBO postings: {pushes:?}"
    );
}

/// "Sync from a time of day, every interval after": the running scheduler, not only the slot
/// function, plans the next sync on the slots. After its first poll (within two seconds of the
/// start) the next poll recorded in the account's health is the next slot, not "an interval
/// from now" — no real minutes pass.
#[tokio::test]
async fn the_scheduler_plans_the_next_sync_on_the_time_of_day_slots() {
    use chrono::{Local, Timelike};
    let w = world().await;
    let interval = 7 * 3600;
    // Three hours ahead: the plain interval (7 h ± 10 %) would land far from it.
    let start = (Local::now() + chrono::Duration::hours(3))
        .time()
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap();
    let mut d = draft(&w.fake.base_url());
    d.interval_secs = interval;
    let mut s: OzonSettings = d.settings.parse().unwrap();
    s.sync_start_time = Some(start.format("%H:%M").to_string());
    d.settings = s.into();
    w.engine
        .update_account(w.account, d, Default::default())
        .await
        .unwrap();
    w.engine.start_background().await.unwrap();

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let health = loop {
        let view = w
            .engine
            .list_accounts()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.account.id == w.account)
            .unwrap();
        let h = view.health;
        // Before the first poll the next one is a second or two away; after it, hours.
        if h.last_poll_at.is_some()
            && h.next_poll_at
                .is_some_and(|n| n > Utc::now() + chrono::Duration::minutes(30))
        {
            break h;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no poll planned after the first: {h:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    w.engine.shutdown().await;
    let next = health.next_poll_at.unwrap();
    let expected = ordertray_core::next_scheduled_sync(Local::now().naive_local(), start, interval)
        .and_local_timezone(Local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    assert!(
        (next - expected).num_seconds().abs() <= 10,
        "next poll {next}, the next slot {expected}"
    );
    assert!(
        (next - (Utc::now() + chrono::Duration::seconds(interval.into())))
            .num_minutes()
            .abs()
            > 60,
        "planned as a plain interval: {next}"
    );
}
