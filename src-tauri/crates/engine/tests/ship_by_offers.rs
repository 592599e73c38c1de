//! Issue 19, points 2 and 3 in the engine: each new line carries its best offer (and follows the
//! price lists), Ozon's `shipment_date` becomes the order's ship-by deadline, and the ship-by
//! alerts fire once each ("near", then "overdue") on an injected clock, through the alert settings.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use ordertray_core::alerts::{AlertKind, Channels};
use ordertray_core::pricelist::ListSettings;
use ordertray_core::{EngineEvent, InboxQuery, LineState};
use ordertray_fakes::ozon::sample_posting;
use rust_decimal::Decimal;
use serde_json::json;
use tokio::sync::broadcast::Receiver;

fn alerts(rx: &mut Receiver<EngineEvent>) -> Vec<(AlertKind, u32, String, String)> {
    let mut out = vec![];
    while let Ok(e) = rx.try_recv() {
        if let EngineEvent::Alert {
            kind, count, args, ..
        } = e
        {
            out.push((kind, count, args.number.clone(), args.detail.clone()));
        }
    }
    out
}

/// A posting Ozon put in process at `in_process_at`; its `shipment_date` is two days later.
fn posting(seq: u64, in_process_at: DateTime<Utc>) -> (String, DateTime<Utc>) {
    let p = sample_posting(seq, 1, in_process_at);
    let ship_by = DateTime::parse_from_rfc3339(p["shipment_date"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    (p["posting_number"].as_str().unwrap().to_string(), ship_by)
}

#[tokio::test]
async fn ozon_shipment_date_is_the_ship_by_and_its_alerts_fire_once_each_on_a_fake_clock() {
    let w = world().await;
    let mut s = w.engine.settings().await.unwrap();
    s.alerts.ship_by_near_minutes = 30;
    s.alerts.ship_by_near = Channels {
        popup: true,
        sound: false,
        in_app: true,
    };
    w.engine.save_settings(s).await.unwrap();
    let start = Utc::now() - Duration::days(1);
    let (number, ship_by) = posting(700, start);
    let (accepted, _) = posting(701, start);
    w.fake.add_posting(sample_posting(700, 1, start));
    w.fake.add_posting(sample_posting(701, 1, start));
    w.engine.sync_account(w.account).await.unwrap();
    w.notes.taken();
    let lines = inbox(&w.engine).await;
    let line = lines_of(&lines, &number)[0];
    assert_eq!(
        line.order_ship_by,
        Some(ship_by),
        "shipment_date, to the millisecond"
    );
    let detail = w.engine.order_detail(line.order_id).await.unwrap();
    assert_eq!(detail.order.ship_by, Some(ship_by));
    // The other order is accepted: it never alerts.
    let other = lines_of(&lines, &accepted)[0].line.id;
    w.engine
        .triage(&[other], ordertray_core::TriageAction::Accept)
        .await
        .unwrap();

    let mut rx = w.engine.subscribe();
    let before = ship_by - Duration::minutes(31);
    assert!(w.engine.check_ship_by_at(before).await.unwrap().is_empty());
    assert!(alerts(&mut rx).is_empty());

    let near = ship_by - Duration::minutes(29);
    assert_eq!(w.engine.check_ship_by_at(near).await.unwrap().len(), 1);
    let fired = alerts(&mut rx);
    let detail = ship_by.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    assert_eq!(
        fired,
        [(AlertKind::ShipByNear, 1, number.clone(), detail.clone())]
    );
    // (The new-order popups of the sync may still come in, even first: only the ship-by ones count
    // here.)
    let popups: Vec<_> = notifications_until(&w.notes, |n| n.body.contains("ship"))
        .await
        .into_iter()
        .filter(|n| n.body.contains("ship"))
        .collect();
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(popups[0].body.contains(&number) && !popups[0].sound, "{popups:?}");
    assert!(popups[0].body.contains("must ship soon"), "{popups:?}");
    for later in [near + Duration::minutes(1), ship_by - Duration::seconds(1)] {
        assert!(
            w.engine.check_ship_by_at(later).await.unwrap().is_empty(),
            "near fires once"
        );
    }
    assert!(alerts(&mut rx).is_empty());

    assert_eq!(w.engine.check_ship_by_at(ship_by).await.unwrap().len(), 1);
    assert_eq!(
        alerts(&mut rx),
        [(AlertKind::ShipByOverdue, 1, number.clone(), detail)]
    );
    assert!(w
        .engine
        .check_ship_by_at(ship_by + Duration::hours(5))
        .await
        .unwrap()
        .is_empty());
    assert!(alerts(&mut rx).is_empty(), "overdue fires once");
}

#[tokio::test]
async fn ship_by_alerts_follow_the_notification_settings() {
    let w = world().await;
    let mut s = w.engine.settings().await.unwrap();
    s.alerts.ship_by_overdue = Channels {
        popup: false,
        sound: false,
        in_app: false,
    };
    w.engine.save_settings(s).await.unwrap();
    let start = Utc::now() - Duration::days(3);
    w.fake.add_posting(sample_posting(710, 1, start));
    w.fake.add_posting(sample_posting(711, 1, start));
    w.engine.sync_account(w.account).await.unwrap();
    w.notes.taken();
    let mut rx = w.engine.subscribe();
    // Both are a day past their deadline: taken (once) but announced nowhere.
    assert_eq!(w.engine.check_ship_by_at(Utc::now()).await.unwrap().len(), 2);
    assert!(alerts(&mut rx).is_empty());
    assert!(w.notes.taken().iter().all(|n| !n.body.contains("ship")));
}

fn csv_settings() -> ListSettings {
    serde_json::from_value(json!({
        "mapping": { "brand": 0, "article": 1, "name": 2, "price": 3, "stock": 4, "delivery_days": 5, "supplier": null },
        "options": { "delimiter": ";", "encoding": "utf-8", "header": true },
    }))
    .unwrap()
}

#[tokio::test]
async fn new_lines_carry_their_best_offer_which_follows_a_price_list_import() {
    let w = world().await;
    w.fake.generate_postings(1, 2);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = inbox(&w.engine).await;
    assert!(lines.iter().all(|l| l.best_offer.is_none()), "no price list yet");
    let (first, second) = (&lines[0], &lines[1]);

    let csv = w.db.parent().unwrap().join("supplier.csv");
    let write = |price: &str| {
        std::fs::write(
            &csv,
            format!(
                "Brand;Article;Name;Price;Stock;Days\nBOSCH;{};Filter;{price};7;3\nKNECHT;{};Filter;99999;1;9\n",
                first.line.offer_id, first.line.offer_id
            ),
        )
        .unwrap()
    };
    write("1500.00");
    let mut rx = w.engine.subscribe();
    w.engine
        .import_price_list(&csv, "Supplier A", Some(csv_settings()))
        .await
        .unwrap();
    let told =
        std::iter::from_fn(|| rx.try_recv().ok()).any(|e| matches!(e, EngineEvent::OrdersChanged { .. }));
    assert!(told, "the UI is told to read the inbox again");
    let lines = inbox(&w.engine).await;
    let with = lines.iter().find(|l| l.line.id == first.line.id).unwrap();
    let best = with.best_offer.clone().expect("the cheapest offer");
    assert_eq!(best.offer.price, Decimal::from(1500));
    assert_eq!((best.offer.stock, best.offer.delivery_days), (Some(7), Some(3)));
    assert_eq!(best.offer.list, "Supplier A");
    let dialog = w.engine.line_offers(first.line.id).await.unwrap();
    assert_eq!(dialog[0], best, "the inline offer is the dialog's first");
    assert!(lines
        .iter()
        .find(|l| l.line.id == second.line.id)
        .unwrap()
        .best_offer
        .is_none());

    // A new import of the list: the line shows the new offer.
    write("1100.00");
    w.engine
        .import_price_list(&csv, "Supplier A", Some(csv_settings()))
        .await
        .unwrap();
    let now = inbox(&w.engine).await;
    let fresh = now
        .iter()
        .find(|l| l.line.id == first.line.id)
        .unwrap()
        .best_offer
        .clone()
        .unwrap();
    assert_eq!(fresh.offer.price, Decimal::from(1100));
    assert_eq!(w.engine.line_offers(first.line.id).await.unwrap()[0], fresh);

    // A file whose every row is rejected (the price column moved) is refused; the list stays.
    std::fs::write(
        &csv,
        "Brand;Article;Name;Price;Stock;Days\nBOSCH;A-1;Filter;по запросу;7;3\nKNECHT;A-2;Filter;;1;9\n",
    )
    .unwrap();
    let e = w
        .engine
        .import_price_list(&csv, "Supplier A", Some(csv_settings()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.words.as_deref(),
            Some(ordertray_core::ErrorWords::PriceListNothingRead { rejected: 2, .. })
        ),
        "{e:?}"
    );
    assert_eq!(w.engine.line_offers(first.line.id).await.unwrap()[0], fresh);

    // `a` accepts with the shown offer; decided lines carry no best offer.
    let binding =
        serde_json::from_value(json!({ "offer_id": fresh.offer.id, "quantity": null, "price": null }))
            .unwrap();
    w.engine.accept_with_offer(first.line.id, &binding).await.unwrap();
    let accepted = w
        .engine
        .inbox(&InboxQuery {
            state: LineState::Accepted,
            ..InboxQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        accepted[0].line.bound_offer.as_ref().unwrap().offer_id,
        fresh.offer.id
    );
    assert!(accepted[0].best_offer.is_none());
}

/// A CP1251 file whose first megabyte is plain ASCII is read as UTF-8 (its start is): a row with
/// Cyrillic after that is rejected as "not UTF-8", never imported garbled; read as CP1251 it is whole.
#[tokio::test]
async fn a_row_that_is_not_utf8_in_a_file_read_as_utf8_is_rejected_not_garbled() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let csv = dir.path().join("cp1251.csv");
    let mut bytes = b"Brand;Article;Name;Price;Stock;Days\n".to_vec();
    for i in 0..40_000 {
        bytes.extend_from_slice(format!("BOSCH;A-{i};Filter;100;1;1\n").as_bytes());
    }
    let (cyrillic, _, _) = encoding_rs::WINDOWS_1251.encode("MANN;W-712;Фильтр масляный;300;1;1\n");
    bytes.extend_from_slice(&cyrillic);
    std::fs::write(&csv, &bytes).unwrap();
    let settings = |encoding: serde_json::Value| -> ListSettings {
        serde_json::from_value(json!({
            "mapping": { "brand": 0, "article": 1, "name": 2, "price": 3, "stock": 4, "delivery_days": 5, "supplier": null },
            "options": { "delimiter": ";", "encoding": encoding, "header": true },
        }))
        .unwrap()
    };

    let read = engine
        .import_price_list(&csv, "Supplier", Some(settings(json!(null))))
        .await
        .unwrap();
    assert_eq!((read.offers, read.rejected), (40_000, 1), "{read:?}");
    assert_eq!(
        read.rejects[0].code,
        ordertray_core::pricelist::RejectCode::NotUtf8
    );
    assert!(engine.search_offers("W-712", 5).await.unwrap().is_empty());

    let read = engine
        .import_price_list(&csv, "Supplier", Some(settings(json!("cp1251"))))
        .await
        .unwrap();
    assert_eq!((read.offers, read.rejected), (40_001, 0), "{read:?}");
    let found = engine.search_offers("W-712", 5).await.unwrap();
    assert_eq!(found[0].name, "Фильтр масляный");
}
