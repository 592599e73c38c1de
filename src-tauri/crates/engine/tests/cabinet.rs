//! The All-orders cabinet against a real database: orders from accepted marketplace lines and made
//! by hand, filters and search (Cyrillic, partial numbers), keyset paging while orders arrive,
//! validation, edits that re-price delivery, delete / restore / purge, and CSV exports byte for byte.

mod common;

use common::*;
use ordertray_core::cabinet::{
    OrderFilter, OrderItem, OrderPageQuery, OrderSort, OrderType, PaymentMethod, Period, Recipient,
    ShopOrderDraft, SortColumn,
};
use ordertray_core::delivery::{method_id, DeliveryKind, DeliveryMethod};
use ordertray_core::export::{CsvEncoding, Delimiter, ExportColumn, ExportFilter, ExportOptions};
use ordertray_core::notify_text::Lang;
use ordertray_core::statuses::StatusGroup;
use ordertray_core::{Address, ErrorCode, TriageAction};
use ordertray_engine::Engine;
use rust_decimal::Decimal;

fn item(name: &str, qty: i64, price: i64) -> OrderItem {
    OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: format!("A-{name}"),
        brand: "Bosch".into(),
        name: name.into(),
        quantity: qty,
        price: Decimal::from(price),
        weight_g: 400,
        length_cm: 30,
        width_cm: 20,
        height_cm: 10,
    }
}

fn order(number: &str, recipient: &str, payment: PaymentMethod, items: Vec<OrderItem>) -> ShopOrderDraft {
    ShopOrderDraft {
        number: number.into(),
        recipient: Recipient {
            name: recipient.into(),
            phone: "+7 900 123-45-67".into(),
            email: String::new(),
        },
        address: Address::from_text("420111, Казань, ул. Баумана, 1"),
        items,
        payment_method: Some(payment),
        ..ShopOrderDraft::empty()
    }
}

async fn numbers(engine: &Engine, filter: OrderFilter) -> Vec<String> {
    let page = engine
        .cabinet_page(&OrderPageQuery {
            filter,
            sort: OrderSort {
                column: SortColumn::Number,
                desc: false,
            },
            after: None,
            limit: 1000,
        })
        .await
        .unwrap();
    page.rows.into_iter().map(|r| r.number).collect()
}

async fn status_id(engine: &Engine, code: &str) -> i64 {
    engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some(code))
        .unwrap()
        .id
}

#[tokio::test]
async fn filters_and_search_combine_over_marketplace_and_hand_made_orders() {
    let w = world().await;
    w.fake.generate_postings(1, 2);
    w.engine.sync_account(w.account).await.unwrap();
    let ids: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    w.engine.triage(&ids, TriageAction::Accept).await.unwrap();

    // The accepted posting is an order of the cabinet with its lines as items and its status.
    let all = w.engine.cabinet_page(&OrderPageQuery::default()).await.unwrap();
    assert_eq!(all.rows.len(), 1);
    let from_ozon = &all.rows[0];
    assert_eq!(from_ozon.items, 2);
    assert_eq!(from_ozon.account.as_deref(), Some("Shop A"));
    assert_eq!(from_ozon.status_id, Some(status_id(&w.engine, "accepted").await));
    assert_eq!(from_ozon.payment_method, Some(PaymentMethod::Prepaid));
    assert!(from_ozon.total > Decimal::ZERO);

    let mut paid = order(
        "M-1001",
        "Иванов Пётр Сергеевич",
        PaymentMethod::CardOnline,
        vec![item("Фильтр", 2, 500)],
    );
    paid.paid = true;
    w.engine.create_shop_order(paid).await.unwrap();
    let mut export = order(
        "M-1002",
        "Jan Kowalski",
        PaymentMethod::Prepaid,
        vec![item("Свеча", 4, 250)],
    );
    export.order_type = OrderType::Export;
    w.engine.create_shop_order(export).await.unwrap();
    let mut cod = order(
        "M-2003",
        "Смирнова Анна",
        PaymentMethod::CashOnDelivery,
        vec![item("Ремень", 1, 1500)],
    );
    cod.cod = true;
    cod.declared_value = Decimal::from(1500);
    w.engine.create_shop_order(cod).await.unwrap();

    let search = |s: &str| OrderFilter {
        search: s.into(),
        ..Default::default()
    };
    assert_eq!(
        numbers(&w.engine, search("ИВАН")).await,
        ["M-1001"],
        "Cyrillic, any case"
    );
    assert_eq!(
        numbers(&w.engine, search("пётр сер")).await,
        ["M-1001"],
        "across words"
    );
    assert_eq!(
        numbers(&w.engine, search("kowal")).await,
        ["M-1002"],
        "Latin, any case"
    );
    assert_eq!(
        numbers(&w.engine, search("100")).await,
        ["M-1001", "M-1002"],
        "inside the number"
    );
    assert_eq!(
        numbers(&w.engine, search("M-")).await,
        ["M-1001", "M-1002", "M-2003"],
        "two characters: the number's start"
    );
    assert!(numbers(&w.engine, search("Петров")).await.is_empty());

    let hand = OrderFilter {
        manual: true,
        ..Default::default()
    };
    assert_eq!(numbers(&w.engine, hand.clone()).await.len(), 3);
    let ozon = OrderFilter {
        kinds: vec![ordertray_core::AccountKind::new("ozon")],
        ..Default::default()
    };
    assert_eq!(numbers(&w.engine, ozon).await, vec![from_ozon.number.clone()]);
    let paid_online = OrderFilter {
        payment: vec![PaymentMethod::CardOnline, PaymentMethod::Prepaid],
        paid: Some(true),
        ..hand.clone()
    };
    assert_eq!(numbers(&w.engine, paid_online).await, ["M-1001"]);
    let exports = OrderFilter {
        types: vec![OrderType::Export],
        search: "M-1".into(),
        ..Default::default()
    };
    assert_eq!(numbers(&w.engine, exports).await, ["M-1002"]);
    let future = OrderFilter {
        from: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
        ..Default::default()
    };
    assert!(numbers(&w.engine, future).await.is_empty());

    // The statistics bar counts per status under the other filters; a status filter narrows to it.
    let stats = w.engine.cabinet_stats(&hand).await.unwrap();
    assert_eq!(stats.total, 3);
    let accepted = status_id(&w.engine, "accepted").await;
    assert_eq!(
        stats
            .by_status
            .iter()
            .find(|s| s.status_id == Some(accepted))
            .unwrap()
            .count,
        3
    );
    let new_group = OrderFilter {
        groups: vec![StatusGroup::New],
        ..Default::default()
    };
    assert_eq!(numbers(&w.engine, new_group).await.len(), 4);

    // The charts see the posting's arrival, the decisions and the revenue.
    let charts = w.engine.cabinet_charts(&OrderFilter::default()).await.unwrap();
    assert_eq!(charts.accepted, 2);
    assert_eq!(
        charts.arrivals.iter().map(|d| d.count).sum::<i64>(),
        4,
        "{:?}",
        charts.arrivals
    );
    assert!(charts.arrivals.iter().any(|d| d.source == "ozon"));
    assert!(charts.median_decision_secs.is_some());
    let revenue: Decimal = charts.revenue.iter().map(|d| d.amount).sum();
    assert_eq!(revenue, from_ozon.total + Decimal::from(1000 + 1000 + 1500));
}

#[tokio::test]
async fn keyset_pages_neither_repeat_nor_skip_while_orders_arrive() {
    let (_dir, db, secrets, _engine) = fresh_engine().await;
    drop(_engine);
    seed::seed_shop_orders(&db, 250, 1).await;
    let engine = open(&db, secrets, Default::default()).await;
    for sort in [
        OrderSort::default(),
        OrderSort {
            column: SortColumn::Total,
            desc: false,
        },
        OrderSort {
            column: SortColumn::Recipient,
            desc: true,
        },
    ] {
        let mut seen = std::collections::BTreeSet::new();
        let mut query = OrderPageQuery {
            sort,
            limit: 40,
            ..Default::default()
        };
        let mut pages = 0;
        loop {
            let page = engine.cabinet_page(&query).await.unwrap();
            pages += 1;
            for r in &page.rows {
                assert!(seen.insert(r.id), "order {} came twice ({sort:?})", r.id);
            }
            // New orders arrive between pages: they sort before the cursor (newest / already
            // passed) or after it, and in neither case shift what the next page holds.
            engine
                .create_shop_order(order(
                    &format!("NEW-{pages}-{}", sort.desc),
                    "Новый",
                    PaymentMethod::Prepaid,
                    vec![item("x", 1, 1)],
                ))
                .await
                .unwrap();
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let seeded: Vec<i64> = seen.iter().copied().filter(|id| *id <= 250).collect();
        assert_eq!(seeded.len(), 250, "every seeded order once ({sort:?})");
        assert!(pages >= 7);
    }

    // Searched pages, newest first, come straight from the trigram index: each match once, in order.
    let filter = OrderFilter {
        search: "анна".into(),
        ..Default::default()
    };
    let expected = engine.cabinet_stats(&filter).await.unwrap().total;
    assert!(expected > 20, "{expected}");
    let mut query = OrderPageQuery {
        filter,
        limit: 7,
        ..Default::default()
    };
    let mut ids = vec![];
    loop {
        let page = engine.cabinet_page(&query).await.unwrap();
        ids.extend(page.rows.iter().map(|r| r.id));
        assert!(page
            .rows
            .iter()
            .all(|r| r.recipient_name.to_lowercase().contains("анна")));
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    assert_eq!(ids.len() as i64, expected);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats");

    // Pages over several statuses are read status by status and merged: each order of those
    // statuses once, in order, both ways.
    let stats = engine.cabinet_stats(&OrderFilter::default()).await.unwrap();
    let statuses: Vec<i64> = stats
        .by_status
        .iter()
        .filter_map(|c| c.status_id)
        .take(3)
        .collect();
    assert_eq!(statuses.len(), 3);
    let filter = OrderFilter {
        status_ids: statuses.clone(),
        ..Default::default()
    };
    let expected = engine.cabinet_stats(&filter).await.unwrap();
    let expected: i64 = expected
        .by_status
        .iter()
        .filter(|c| c.status_id.is_some_and(|s| statuses.contains(&s)))
        .map(|c| c.count)
        .sum();
    for desc in [true, false] {
        let mut query = OrderPageQuery {
            filter: filter.clone(),
            sort: OrderSort {
                column: SortColumn::Created,
                desc,
            },
            limit: 9,
            ..Default::default()
        };
        let mut ids = vec![];
        loop {
            let page = engine.cabinet_page(&query).await.unwrap();
            assert!(page
                .rows
                .iter()
                .all(|r| r.status_id.is_some_and(|s| statuses.contains(&s))));
            ids.extend(page.rows.iter().map(|r| r.id));
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        assert_eq!(ids.len() as i64, expected, "desc {desc}");
        assert!(
            ids.windows(2)
                .all(|w| if desc { w[0] > w[1] } else { w[0] < w[1] }),
            "in order, no repeats (desc {desc})"
        );
    }
}

/// Settings → Delivery: a method the manager adds prices orders, sets their type and keeps its
/// code for a transfer target; the built-in post asks for a postal code and refuses card on
/// delivery; a second method of the same name is refused and the saved ones stay.
#[tokio::test]
async fn delivery_methods_the_manager_sets_price_and_rule_orders() {
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let mut settings = engine.settings().await.unwrap();
    let mut cdek = DeliveryMethod {
        carrier: "CDEK".into(),
        base: Decimal::from(500),
        term_days: Some(3),
        order_type: Some(OrderType::Through),
        ..DeliveryMethod::new(
            &method_id("CDEK courier", &settings.delivery_methods),
            "CDEK courier",
            DeliveryKind::Courier,
        )
    };
    cdek.codes.insert("shiptor".into(), "cdek-courier".into());
    settings.delivery_methods.push(cdek.clone());
    engine.save_settings(settings.clone()).await.unwrap();
    let stored = engine.settings().await.unwrap().delivery_methods;
    assert_eq!(stored.last(), Some(&cdek), "the method as the manager set it");

    let quotes = engine.delivery_quotes(2_500).await.unwrap();
    let quote = |id: &str| quotes.iter().find(|q| q.method_id == id).map(|q| q.cost);
    assert_eq!(
        quote("cdek_courier"),
        Some(Decimal::from(500)),
        "a fixed price whatever the weight"
    );
    assert_eq!(quote("post"), Some(Decimal::from(250 + 3 * 60)));

    let mut by_post = order(
        "P-1",
        "Попова Мария",
        PaymentMethod::CardOnDelivery,
        vec![item("Фильтр", 1, 900)],
    );
    by_post.delivery_method = "post".into();
    by_post.address.postal_code = String::new();
    let codes: Vec<String> = engine
        .validate_order(&by_post)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert_eq!(codes, ["postal_code_required", "no_card_on_delivery"]);
    let err = engine.create_shop_order(by_post.clone()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    by_post.address.postal_code = "420111".into();
    by_post.payment_method = Some(PaymentMethod::CashOnDelivery);
    assert!(engine.create_shop_order(by_post).await.is_ok());

    let mut through = order(
        "C-1",
        "Иванов Пётр",
        PaymentMethod::Prepaid,
        vec![item("Свеча", 4, 300)],
    );
    through.delivery_method = cdek.id.clone();
    through.order_type = OrderType::Standard;
    let made = engine.create_shop_order(through).await.unwrap();
    assert_eq!(
        made.draft.order_type,
        OrderType::Through,
        "the method sets the order's type"
    );

    settings.delivery_methods.push(DeliveryMethod::new(
        "cdek_2",
        "cdek COURIER ",
        DeliveryKind::Courier,
    ));
    let err = engine.save_settings(settings).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");
    assert_eq!(engine.settings().await.unwrap().delivery_methods, stored);
}

/// A pre-order waits in "Pre-order"; completed with its buyer's details it moves to the first
/// "new" status, where orders made whole start (and accepted lines too, never in "Pre-order").
#[tokio::test]
async fn a_pre_order_waits_in_its_status_until_completed() {
    let w = world().await;
    let preorder = status_id(&w.engine, "preorder").await;
    let accepted = status_id(&w.engine, "accepted").await;
    let mut draft = order("PRE-1", "", PaymentMethod::Prepaid, vec![item("Свеча", 4, 300)]);
    draft.preorder = true;
    draft.recipient = Recipient::default();
    let made = w.engine.create_shop_order(draft).await.unwrap();
    assert_eq!(made.status_id, Some(preorder));
    let whole = w
        .engine
        .create_shop_order(order(
            "W-1",
            "Иванов Пётр",
            PaymentMethod::Prepaid,
            vec![item("Свеча", 1, 300)],
        ))
        .await
        .unwrap();
    assert_eq!(whole.status_id, Some(accepted));

    let mut completed = made.draft.clone();
    completed.preorder = false;
    completed.recipient = order("", "Попова Мария", PaymentMethod::Prepaid, vec![]).recipient;
    let done = w
        .engine
        .update_shop_order(made.id, completed, false)
        .await
        .unwrap();
    assert_eq!(done.status_id, Some(accepted), "completed: out of Pre-order");

    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = inbox(&w.engine).await;
    let ids: Vec<i64> = lines.iter().map(|l| l.line.id).collect();
    w.engine.triage(&ids, TriageAction::Accept).await.unwrap();
    let detail = w.engine.order_detail(lines[0].order_id).await.unwrap();
    assert_eq!(
        detail.order.lines[0].shop_status_id,
        Some(accepted),
        "accepted lines skip Pre-order"
    );
}

#[tokio::test]
async fn hand_made_orders_are_checked_and_edits_that_reprice_delivery_ask_first() {
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let mut draft = order(
        "",
        "Попова Мария",
        PaymentMethod::CashOnDelivery,
        vec![item("Фильтр", 2, 500)],
    );
    draft.cod = true;
    draft.delivery_method = "courier".into();
    let quotes = engine.delivery_quotes(800).await.unwrap();
    draft.delivery_cost = quotes.iter().find(|q| q.method_id == "courier").unwrap().cost;
    assert_eq!(draft.delivery_cost, Decimal::from(400), "350 + 50 per started kg");
    // Typed by the manager: it no longer follows the items (nor what the courier collects).
    draft.declared_value_auto = false;
    draft.declared_value = Decimal::from(1000);
    let problems = engine.validate_order(&draft).await.unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, "declared_below_cod");
    let err = engine.create_shop_order(draft.clone()).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("1400"), "{}", err.message);

    draft.declared_value = Decimal::from(1400);
    let created = engine.create_shop_order(draft).await.unwrap();
    assert!(
        created.draft.number.len() >= 15,
        "numbered by its creation time: {}",
        created.draft.number
    );
    assert_eq!(created.draft.weight_g, 800, "computed from the items");
    assert_eq!(created.timeline.len(), 1);

    // One more filter: the weight passes 1 kg and the courier costs more; saving asks first.
    let mut edit = created.draft.clone();
    edit.items.push(item("Масло", 1, 900));
    let preview = engine.preview_order_edit(created.id, &edit).await.unwrap();
    assert_eq!((preview.weight_before_g, preview.weight_after_g), (800, 1200));
    assert_eq!(preview.delivery_cost_before, Decimal::from(400));
    assert_eq!(preview.delivery_cost_after, Decimal::from(450));
    assert_eq!(preview.total_after, Decimal::from(2350));
    assert!(preview.needs_confirmation);
    edit.declared_value = Decimal::from(2350);
    let err = engine
        .update_shop_order(created.id, edit.clone(), false)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NeedsConfirmation);
    assert!(
        err.message.contains("400") && err.message.contains("450"),
        "{}",
        err.message
    );
    let saved = engine.update_shop_order(created.id, edit, true).await.unwrap();
    assert_eq!(saved.draft.delivery_cost, Decimal::from(450));
    assert_eq!(saved.draft.items.len(), 2);
    let last = saved.timeline.last().unwrap();
    assert_eq!(last.kind, "order_edited");
    assert!(
        last.message.contains("items") && last.message.contains("800 g → 1200 g"),
        "{}",
        last.message
    );

    // A pre-order has items only, and is completed into an order later.
    let mut pre = ShopOrderDraft::empty();
    pre.preorder = true;
    pre.items.push(item("Колодки", 1, 3000));
    let pre = engine.create_shop_order(pre).await.unwrap();
    let mut full = pre.draft.clone();
    full.preorder = false;
    assert!(
        engine
            .update_shop_order(pre.id, full.clone(), false)
            .await
            .is_err(),
        "no recipient yet"
    );
    let buyer = order("", "Волков Сергей", PaymentMethod::Prepaid, vec![]);
    full.recipient = buyer.recipient;
    full.address = buyer.address;
    let done = engine.update_shop_order(pre.id, full, false).await.unwrap();
    assert!(!done.draft.preorder);
    assert!(done
        .timeline
        .last()
        .unwrap()
        .message
        .contains("pre-order completed"));
}

#[tokio::test]
async fn delete_restores_by_another_status_and_only_deleted_orders_go_for_good() {
    let w = world().await;
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let ids: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    w.engine.triage(&ids, TriageAction::Accept).await.unwrap();
    let hand = w
        .engine
        .create_shop_order(order(
            "H-1",
            "Морозов Иван",
            PaymentMethod::Prepaid,
            vec![item("x", 1, 10)],
        ))
        .await
        .unwrap()
        .id;
    let ozon = w
        .engine
        .cabinet_page(&OrderPageQuery::default())
        .await
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.id != hand)
        .unwrap()
        .id;
    let deleted = status_id(&w.engine, "deleted").await;
    let transferred = status_id(&w.engine, "transferred").await;
    let shipped = status_id(&w.engine, "shipped").await;
    // An accepted marketplace order declares what its items are worth (it started at 0 before).
    let accepted = w.engine.shop_order_full(ozon).await.unwrap().draft;
    assert!(accepted.items_total() > Decimal::ZERO);
    assert_eq!(accepted.declared_value, accepted.items_total());

    let err = w.engine.purge_shop_orders(&[hand]).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidTransition);
    let err = w
        .engine
        .set_shop_order_status(&[hand], transferred)
        .await
        .unwrap_err();
    assert!(err.message.contains("transfer"), "{}", err.message);

    w.engine.delete_shop_orders(&[hand, ozon], false).await.unwrap();
    let in_deleted = OrderFilter {
        status_ids: vec![deleted],
        ..Default::default()
    };
    assert_eq!(numbers(&w.engine, in_deleted.clone()).await.len(), 2);

    // Restored by choosing another status: the marketplace order's accepted line moves with it.
    w.engine.set_shop_order_status(&[ozon], shipped).await.unwrap();
    let restored = w.engine.shop_order_full(ozon).await.unwrap();
    assert_eq!(restored.status_id, Some(shipped));
    let line = w
        .engine
        .order_detail(restored.source_order_id.unwrap())
        .await
        .unwrap()
        .order
        .lines[0]
        .clone();
    assert_eq!(line.shop_status_id, Some(shipped));
    assert!(restored.timeline.iter().any(|e| e.kind == "order_deleted"));
    assert!(
        restored.timeline.iter().any(|e| e.kind == "accept"),
        "the marketplace order's events too"
    );

    assert_eq!(w.engine.purge_shop_orders(&[hand]).await.unwrap(), 1);
    assert!(w.engine.shop_order_full(hand).await.is_err());
    assert!(numbers(&w.engine, in_deleted).await.is_empty());
    assert_eq!(
        inbox(&w.engine).await.len(),
        0,
        "purging touches no marketplace line"
    );
}

fn export_options(columns: Vec<ExportColumn>, delimiter: Delimiter, encoding: CsvEncoding) -> ExportOptions {
    ExportOptions {
        filter: ExportFilter::default(),
        delimiter,
        encoding,
        columns,
        lang: Lang::Ru,
    }
}

#[tokio::test]
async fn csv_exports_have_exact_bytes_in_each_encoding_and_delimiter() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let mut a = order(
        "=HYPERLINK(1)",
        "Иванов, Пётр",
        PaymentMethod::Prepaid,
        vec![item("Фильтр", 2, 500), item("Свеча", 1, 250)],
    );
    a.paid = true;
    engine.create_shop_order(a).await.unwrap();
    let mut b = order(
        "B-2",
        "Jan Kowalski",
        PaymentMethod::CashOnDelivery,
        vec![item("Масло", 1, 1000)],
    );
    b.cod = true;
    b.declared_value = Decimal::from(1000);
    b.order_type = OrderType::Export;
    b.delivery_method = "post".into();
    engine.create_shop_order(b).await.unwrap();

    let path = dir.path().join("orders.csv");
    let cols = vec![
        ExportColumn::Number,
        ExportColumn::Status,
        ExportColumn::RecipientName,
        ExportColumn::Paid,
        ExportColumn::Total,
    ];
    let summary = engine
        .export_csv(
            &path,
            &export_options(cols.clone(), Delimiter::Semicolon, CsvEncoding::Cp1251),
        )
        .await
        .unwrap();
    assert_eq!((summary.orders, summary.rows), (2, 2));
    let text = "Номер заказа;Статус;Получатель;Оплачен;Сумма\r\n\
                '=HYPERLINK(1);Принят;Иванов, Пётр;да;1250,00\r\n\
                B-2;Принят;Jan Kowalski;нет;1000,00\r\n";
    let (expected, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    assert_eq!(std::fs::read(&path).unwrap(), expected.into_owned());
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
    assert!(engine.was_exported(&path));

    engine
        .export_csv(
            &path,
            &export_options(cols.clone(), Delimiter::Comma, CsvEncoding::Utf8),
        )
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}Номер заказа,Статус,Получатель,Оплачен,Сумма\r\n\
         '=HYPERLINK(1),Принят,\"Иванов, Пётр\",да,1250.00\r\n\
         B-2,Принят,Jan Kowalski,нет,1000.00\r\n"
    );

    // The delivery method by the name the shop knows it by, not its id; the declared value as it
    // follows the items.
    let named = export_options(
        vec![
            ExportColumn::Number,
            ExportColumn::DeliveryMethod,
            ExportColumn::DeclaredValue,
        ],
        Delimiter::Comma,
        CsvEncoding::Utf8,
    );
    engine.export_csv(&path, &named).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}Номер заказа,Способ доставки,Объявленная ценность\r\n\
         '=HYPERLINK(1),,1250.00\r\n\
         B-2,Почта России,1000.00\r\n"
    );

    // Item columns give a row per item; the filter picks the export order only.
    let mut items = export_options(
        vec![
            ExportColumn::Number,
            ExportColumn::OrderType,
            ExportColumn::ItemName,
            ExportColumn::ItemQuantity,
        ],
        Delimiter::Tab,
        CsvEncoding::Utf8,
    );
    items.filter.order_type = Some(OrderType::Export);
    items.filter.period = Period::Month;
    engine.export_csv(&path, &items).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "\u{feff}Номер заказа\tТип заказа\tТовар\tКоличество\r\nB-2\tЭкспорт\tМасло\t1\r\n"
    );
    items.filter.order_type = None;
    engine.export_csv(&path, &items).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap().lines().count(),
        4,
        "header + 2 items + 1 item"
    );

    // A file that cannot be written is a clear error and leaves nothing behind.
    let nowhere = dir.path().join("missing-folder").join("x.csv");
    let err = engine.export_csv(&nowhere, &items).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(err.message.contains("missing-folder"), "{}", err.message);
    items.columns.clear();
    assert_eq!(
        engine.export_csv(&path, &items).await.unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

/// The export reads only the fields its columns show: each column's cells are the same whichever
/// other columns are chosen with it, the declared value that follows the items (total, delivery
/// cost, cash on delivery) included, in a row per order and in a row per item.
#[tokio::test]
async fn each_columns_cells_are_the_same_alone_or_among_all_columns() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let mut a = order(
        "A-1",
        "Иванов, Пётр",
        PaymentMethod::Prepaid,
        vec![item("Фильтр", 2, 500), item("Свеча", 1, 250)],
    );
    a.paid = true;
    a.recipient.email = "petr@example.com".into();
    a.delivery_cost = Decimal::from(300);
    engine.create_shop_order(a).await.unwrap();
    let mut b = order(
        "B-2",
        "Jan Kowalski",
        PaymentMethod::CashOnDelivery,
        vec![item("Масло", 3, 1000)],
    );
    b.cod = true;
    b.cod_amount_typed = Some(Decimal::from(2500));
    b.delivery_cost = Decimal::from(450);
    b.order_type = OrderType::Export;
    b.delivery_method = "post".into();
    b.weight_g = 1200;
    engine.create_shop_order(b).await.unwrap();
    let mut c = order(
        "C-3",
        "Анна",
        PaymentMethod::CardOnline,
        vec![item("Щётка", 1, 90)],
    );
    c.declared_value_auto = false;
    c.declared_value = Decimal::from(777);
    engine.create_shop_order(c).await.unwrap();

    let path = dir.path().join("columns.csv");
    let rows = |columns: Vec<ExportColumn>| {
        let (engine, path) = (&engine, &path);
        async move {
            let options = export_options(columns, Delimiter::Tab, CsvEncoding::Utf8);
            engine.export_csv(path, &options).await.unwrap();
            std::fs::read_to_string(path)
                .unwrap()
                .trim_start_matches('\u{feff}')
                .lines()
                .map(|l| l.split('\t').map(str::to_string).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        }
    };
    for with_items in [false, true] {
        let all: Vec<ExportColumn> = ExportColumn::ALL
            .into_iter()
            .filter(|c| with_items || !c.is_item())
            .collect();
        let table = rows(all.clone()).await;
        assert_eq!(table.len(), if with_items { 1 + 4 } else { 1 + 3 });
        for (k, column) in all.iter().enumerate() {
            // Beside one other column (a record of one empty cell is written as `""`): the
            // quantity when the rows are the items, else the number.
            let other = if with_items {
                ExportColumn::ItemQuantity
            } else {
                ExportColumn::Number
            };
            let mut chosen = vec![*column];
            if *column != other {
                chosen.push(other);
            }
            let alone = rows(chosen).await;
            let expected: Vec<&String> = table.iter().map(|row| &row[k]).collect();
            let got: Vec<&String> = alone.iter().map(|row| &row[0]).collect();
            assert_eq!(got, expected, "{column:?}, a row per item: {with_items}");
        }
    }
}

#[tokio::test]
async fn a_cancelled_export_leaves_no_file() {
    let (dir, db, secrets, engine) = fresh_engine().await;
    drop(engine);
    seed::seed_shop_orders(&db, 20_000, 1).await;
    let engine = open(&db, secrets, Default::default()).await;
    let mut events = engine.subscribe();
    let path = dir.path().join("big.csv");
    let options = export_options(
        ordertray_core::export::default_columns(),
        Delimiter::Comma,
        CsvEncoding::Utf8,
    );
    let task = {
        let engine = engine.clone();
        let path = path.clone();
        tokio::spawn(async move { engine.export_csv(&path, &options).await })
    };
    // Cancel once the first batch is reported.
    loop {
        if let ordertray_core::EngineEvent::ExportProgress { done, total } = events.recv().await.unwrap() {
            assert_eq!(total, 20_000);
            assert!(done >= 1000);
            engine.cancel_export();
            break;
        }
    }
    let err = task.await.unwrap().unwrap_err();
    assert!(err.message.contains("cancelled"), "{}", err.message);
    assert!(!path.exists());
    assert!(!dir.path().join("big.csv.part").exists());
}

/// The statistics bar's kept counts (migration 0027) against a fresh count of the orders: the
/// table row by row, and the bar with no filter and under each filter it serves, beside the same
/// bar counted from the orders (a period that covers everything takes that path).
async fn assert_counts_fresh(engine: &Engine, when: &str) {
    type Key = (i64, String, String, i64, i64, i64, i64);
    let pool = engine.store().pool();
    let kept: Vec<Key> = sqlx::query_as(
        "SELECT status_id, order_type, payment_method, paid, account_id, manual, n FROM shop_order_counts
         WHERE n != 0 ORDER BY 1, 2, 3, 4, 5, 6",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let fresh: Vec<Key> = sqlx::query_as(
        "SELECT COALESCE(status_id, 0), order_type, COALESCE(payment_method, ''), paid, COALESCE(account_id, 0),
            source_order_id IS NULL, COUNT(*)
         FROM shop_orders GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(kept, fresh, "{when}");
    let account: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM accounts")
        .fetch_one(pool)
        .await
        .unwrap();
    let filters = [
        OrderFilter::default(),
        OrderFilter {
            manual: true,
            ..Default::default()
        },
        OrderFilter {
            kinds: vec![ordertray_core::AccountKind::new("ozon")],
            ..Default::default()
        },
        OrderFilter {
            account_ids: account.into_iter().collect(),
            manual: true,
            ..Default::default()
        },
        OrderFilter {
            payment: vec![PaymentMethod::CardOnline, PaymentMethod::Prepaid],
            paid: Some(true),
            ..Default::default()
        },
        OrderFilter {
            paid: Some(false),
            types: vec![OrderType::Export, OrderType::Standard],
            ..Default::default()
        },
    ];
    let everything = Some(chrono::Utc::now() - chrono::Duration::days(365 * 30));
    for filter in filters {
        let bar = engine.cabinet_stats(&filter).await.unwrap();
        let counted = engine
            .cabinet_stats(&OrderFilter {
                from: everything,
                ..filter.clone()
            })
            .await
            .unwrap();
        assert_eq!(bar, counted, "{when}: {filter:?}");
    }
}

#[tokio::test]
async fn the_statistics_bar_counts_stay_equal_to_a_fresh_count_through_every_change_of_orders() {
    let w = world().await;
    w.engine.set_undo_window(std::time::Duration::from_secs(60));
    w.fake.generate_postings(2, 2);
    w.engine.sync_account(w.account).await.unwrap();
    assert_counts_fresh(&w.engine, "nothing accepted").await;
    let lines = inbox(&w.engine).await;
    let (first, second): (Vec<_>, Vec<_>) = lines.iter().partition(|l| l.order_id == lines[0].order_id);

    w.engine
        .triage(&[first[0].line.id], TriageAction::Accept)
        .await
        .unwrap();
    assert_counts_fresh(&w.engine, "a line accepted: its order made").await;
    w.engine
        .triage(&[first[1].line.id], TriageAction::Accept)
        .await
        .unwrap();
    assert_counts_fresh(&w.engine, "the other line joins the order").await;
    let second_ids: Vec<i64> = second.iter().map(|l| l.line.id).collect();
    w.engine.triage(&second_ids, TriageAction::Accept).await.unwrap();
    assert_counts_fresh(&w.engine, "the second posting accepted").await;
    w.engine.undo_triage(&second_ids).await.unwrap();
    assert_counts_fresh(&w.engine, "its acceptance undone: its order gone").await;

    let mut paid = order(
        "M-1",
        "Иванов Пётр",
        PaymentMethod::CardOnline,
        vec![item("Фильтр", 1, 500)],
    );
    paid.paid = true;
    let paid = w.engine.create_shop_order(paid).await.unwrap().id;
    let cod = w
        .engine
        .create_shop_order(order(
            "M-2",
            "Jan Kowalski",
            PaymentMethod::CashOnDelivery,
            vec![item("Свеча", 2, 250)],
        ))
        .await
        .unwrap()
        .id;
    assert_counts_fresh(&w.engine, "orders made by hand").await;

    let shipped = status_id(&w.engine, "shipped").await;
    w.engine
        .set_shop_order_status(&[paid, cod], shipped)
        .await
        .unwrap();
    assert_counts_fresh(&w.engine, "a status chosen").await;
    w.engine.set_order_type(&[cod], OrderType::Export).await.unwrap();
    assert_counts_fresh(&w.engine, "a type chosen").await;
    let mut edit = w.engine.shop_order_full(paid).await.unwrap().draft;
    edit.payment_method = Some(PaymentMethod::Prepaid);
    edit.paid = false;
    w.engine.update_shop_order(paid, edit, true).await.unwrap();
    assert_counts_fresh(&w.engine, "payment edited").await;

    let all: Vec<i64> = w
        .engine
        .cabinet_page(&OrderPageQuery::default())
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.id)
        .collect();
    w.engine.delete_shop_orders(&all, false).await.unwrap();
    assert_counts_fresh(&w.engine, "deleted").await;
    w.engine.set_shop_order_status(&[paid], shipped).await.unwrap();
    assert_counts_fresh(&w.engine, "restored").await;
    assert_eq!(w.engine.purge_shop_orders(&[cod]).await.unwrap(), 1);
    assert_counts_fresh(&w.engine, "purged").await;

    // The foreign keys' SET NULL: a status of the shop's own removed, then the marketplace
    // account with its orders (its shop order stays, now without account and source).
    let pool = w.engine.store().pool();
    let own: i64 = sqlx::query_scalar(
        "INSERT INTO shop_statuses (name, grp, position) SELECT 'Ждём оплату', 'in_work', MAX(position) + 1
         FROM shop_statuses RETURNING id",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    w.engine.set_shop_order_status(&[paid], own).await.unwrap();
    assert_counts_fresh(&w.engine, "the shop's own status").await;
    sqlx::query("DELETE FROM shop_statuses WHERE id = ?")
        .bind(own)
        .execute(pool)
        .await
        .unwrap();
    assert_counts_fresh(&w.engine, "that status removed").await;
    sqlx::query("DELETE FROM accounts WHERE id = ?")
        .bind(w.account)
        .execute(pool)
        .await
        .unwrap();
    assert_counts_fresh(&w.engine, "the account removed").await;
}

/// Under a search the bar counts the newest matches up to the cap and says it stopped; below the
/// cap it counts them all, exactly.
#[tokio::test]
async fn the_statistics_bar_under_a_search_counts_up_to_its_cap() {
    let (_dir, db, secrets, engine) = fresh_engine().await;
    drop(engine);
    let cap = ordertray_core::cabinet::STATS_SEARCH_CAP;
    let orders = cap + 5;
    seed::seed_shop_orders(&db, orders as u64, 1).await;
    let engine = open(&db, secrets, Default::default()).await;
    let search = |s: &str| OrderFilter {
        search: s.into(),
        ..Default::default()
    };
    // Every number starts "OZ-0".
    let many = engine.cabinet_stats(&search("oz-0")).await.unwrap();
    assert_eq!(many.capped_at, Some(cap));
    assert_eq!(many.total, cap);
    assert_eq!(many.by_status.iter().map(|s| s.count).sum::<i64>(), cap);
    // Type "through" is every tenth order (i % 10 == 1): counted exactly.
    let through = engine
        .cabinet_stats(&OrderFilter {
            types: vec![OrderType::Through],
            ..search("oz-0")
        })
        .await
        .unwrap();
    assert_eq!(through.capped_at, None);
    assert_eq!(through.total, (orders + 9) / 10);
    let one = engine.cabinet_stats(&search("00000021")).await.unwrap();
    assert_eq!((one.total, one.capped_at), (1, None));
    // Two characters: the number's start, by scanning, under the same cap.
    let short = engine.cabinet_stats(&search("OZ")).await.unwrap();
    assert_eq!((short.total, short.capped_at), (cap, Some(cap)));
    engine.shutdown().await;
}

/// An item of an accepted marketplace order cannot be edited away: the next refresh from its
/// lines would put it back (and the total with it). Its quantity and price stay the manager's.
#[tokio::test]
async fn an_item_from_a_marketplace_line_is_not_removed_by_an_edit() {
    let w = world().await;
    w.fake.generate_postings(1, 2);
    w.engine.sync_account(w.account).await.unwrap();
    let lines: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    let id = w
        .engine
        .cabinet_page(&OrderPageQuery::default())
        .await
        .unwrap()
        .rows[0]
        .id;
    let mut edit = w.engine.shop_order_full(id).await.unwrap().draft;
    assert_eq!(edit.items.len(), 2);
    edit.recipient.phone = "+79160001122".into();
    edit.recipient.name = "Анна Смирнова".into();
    edit.address = Address::from_text("420111, Казань, ул. Баумана, 1");
    let mut fewer = edit.clone();
    let gone = fewer.items.pop().unwrap();
    let e = w.engine.update_shop_order(id, fewer, true).await.unwrap_err();
    assert!(
        matches!(e.words.as_deref(), Some(ordertray_core::ErrorWords::ItemFollowsMarketplaceLine { name }) if *name == gone.name),
        "{e:?}"
    );
    assert_eq!(w.engine.shop_order_full(id).await.unwrap().draft.items.len(), 2);

    edit.items[0].quantity += 1;
    let saved = w.engine.update_shop_order(id, edit.clone(), true).await;
    let saved = saved.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(saved.draft.items[0].quantity, edit.items[0].quantity);
}
