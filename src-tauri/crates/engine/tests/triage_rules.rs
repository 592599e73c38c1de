//! Price lists, offers bound on accept, automatic rules and customers, end to end through the
//! engine against the fake Ozon and a real SQLite file.

mod common;

use std::path::Path;
use std::str::FromStr;

use common::*;
use ordertray_core::pricelist::{
    ColumnMapping, ImportOptions, ListSettings, OfferBinding, RejectCode, TextEncoding,
};
use ordertray_core::rules::{BestBy, Condition, Rule, RuleAction, RuleDecision, RuleSet};
use ordertray_core::{InboxQuery, LineState, OutboxState, TriageAction};
use rust_decimal::Decimal;
use serde_json::Value;

fn mapping_all() -> ColumnMapping {
    ColumnMapping {
        brand: Some(0),
        article: 1,
        name: Some(2),
        price: 3,
        stock: Some(4),
        delivery_days: Some(5),
        supplier: None,
    }
}

fn settings(mapping: ColumnMapping) -> ListSettings {
    ListSettings {
        mapping,
        options: ImportOptions::default(),
    }
}

/// (offer_id, unit price, quantity) of each product of a posting the fake holds.
fn products(fake: &ordertray_fakes::ozon::FakeOzonHandle, posting: &str) -> Vec<(String, Decimal, i64)> {
    fake.posting(posting).unwrap()["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["offer_id"].as_str().unwrap().to_string(),
                Decimal::from_str(p["price"]["amount"].as_str().unwrap()).unwrap(),
                p["quantity"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn csv_in_utf8_and_cp1251_and_xlsx_import_with_reasons_for_every_rejected_row() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;

    // UTF-8, semicolons, a header, two bad rows and a blank one.
    let utf8 = dir.path().join("mann.csv");
    std::fs::write(
        &utf8,
        "\u{feff}Бренд;Артикул;Наименование;Цена;Наличие;Срок\n\
         MANN-FILTER;W 712/75;Фильтр масляный;450,50;>10;2-3\n\
         Bosch;0 451 103 316;Фильтр масляный Bosch;390;4;1\n\
         ;;\n\
         NGK;BKR6E;Свеча зажигания;по запросу;1;1\n\
         Brembo;;Колодки;2500;2;5\n\
         Gates;5521XS;Ремень ГРМ;1 990;нет;7\n",
    )
    .unwrap();
    let preview = engine
        .preview_price_list(&utf8, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(preview.options.delimiter.as_deref(), Some(";"));
    assert_eq!(preview.options.encoding, Some(TextEncoding::Utf8));
    assert_eq!(preview.options.header, Some(true));
    assert_eq!(
        preview.header.as_ref().unwrap()[1],
        "Артикул",
        "the BOM is not part of the first title"
    );
    assert_eq!(preview.mapping, Some(mapping_all()));
    assert_eq!(preview.rows.len(), 5);

    let summary = engine
        .import_price_list(&utf8, "Склад", Some(settings(preview.mapping.clone().unwrap())))
        .await
        .unwrap();
    assert_eq!((summary.rows_read, summary.offers, summary.rejected), (5, 3, 2));
    let codes: Vec<(u64, RejectCode)> = summary.rejects.iter().map(|r| (r.row, r.code)).collect();
    assert_eq!(
        codes,
        [(5, RejectCode::BadPrice), (6, RejectCode::MissingArticle)]
    );
    assert_eq!(summary.rejects[0].value, "по запросу");

    let found = engine.search_offers("w71275", 10).await.unwrap();
    assert_eq!(
        found.len(),
        1,
        "articles are found whatever their spelling: {found:?}"
    );
    assert_eq!(found[0].price, Decimal::from_str("450.5").unwrap());
    assert_eq!((found[0].stock, found[0].delivery_days), (Some(10), Some(3)));
    let by_text = engine.search_offers("масляный фильтр", 10).await.unwrap();
    assert_eq!(by_text.len(), 2, "{by_text:?}");
    assert_eq!(
        engine.search_offers("ремень", 10).await.unwrap()[0].stock,
        Some(0)
    );

    // CP1251, commas, no header, columns in another order.
    let cp1251 = dir.path().join("supplier.csv");
    let text = "KYB,343283,Амортизатор задний,3100.00,7,4,Автоконтинент\nPhilips,12972PRC1,Лампа H7,540,20,1,Автоконтинент\n";
    std::fs::write(&cp1251, encoding_rs::WINDOWS_1251.encode(text).0).unwrap();
    let preview = engine
        .preview_price_list(&cp1251, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(preview.options.encoding, Some(TextEncoding::Cp1251));
    assert_eq!(preview.options.delimiter.as_deref(), Some(","));
    assert_eq!(preview.options.header, Some(false));
    assert_eq!(preview.rows[0][2], "Амортизатор задний");
    let summary = engine
        .import_price_list(
            &cp1251,
            "Автоконтинент",
            Some(settings(ColumnMapping {
                supplier: Some(6),
                ..mapping_all()
            })),
        )
        .await
        .unwrap();
    assert_eq!((summary.offers, summary.rejected), (2, 0));
    let shock = &engine.search_offers("343283", 5).await.unwrap()[0];
    assert_eq!(shock.name, "Амортизатор задний");
    assert_eq!(shock.supplier.as_deref(), Some("Автоконтинент"));

    // Re-import without a mapping uses the remembered one, and replaces the list.
    std::fs::write(
        &cp1251,
        encoding_rs::WINDOWS_1251
            .encode("KYB,343283,Амортизатор задний,2900,7,4,Автоконтинент\n")
            .0,
    )
    .unwrap();
    let again = engine
        .import_price_list(&cp1251, "Автоконтинент", None)
        .await
        .unwrap();
    assert_eq!(again.offers, 1);
    assert!(
        engine.search_offers("12972PRC1", 5).await.unwrap().is_empty(),
        "the old rows are gone"
    );
    assert_eq!(
        engine.search_offers("343283", 5).await.unwrap()[0].price,
        Decimal::from(2900)
    );
    let lists = engine.price_lists().await.unwrap();
    assert_eq!(lists.len(), 2);
    let remembered = lists.iter().find(|l| l.name == "Автоконтинент").unwrap();
    assert_eq!(remembered.settings.options.encoding, Some(TextEncoding::Cp1251));
    assert_eq!((remembered.offers, remembered.rows_read), (1, 1));

    // A new list needs a mapping; a missing file is a clear error; neither touches the lists.
    let err = engine.import_price_list(&utf8, "New", None).await.unwrap_err();
    assert!(err.message.contains("which columns"), "{}", err.message);
    let err = engine
        .import_price_list(Path::new("/nonexistent/list.csv"), "Склад", None)
        .await
        .unwrap_err();
    assert!(err.message.contains("Cannot read"), "{}", err.message);
    assert_eq!(engine.search_offers("w71275", 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_large_xlsx_imports_every_row() {
    let (dir, _db, _secrets, engine) = fresh_engine().await;
    let path = dir.path().join("big.xlsx");
    let rows = 20_000u32;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, title) in ["Brand", "Article", "Name", "Price", "Stock", "Days"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *title).unwrap();
    }
    for r in 1..=rows {
        sheet.write_string(r, 0, "Febi").unwrap();
        // Numeric articles stay text-like ("10042", not "10042.0").
        sheet.write_number(r, 1, f64::from(10_000 + r)).unwrap();
        sheet.write_string(r, 2, format!("Деталь {r}")).unwrap();
        sheet.write_number(r, 3, 100.0 + f64::from(r) / 100.0).unwrap();
        sheet.write_number(r, 4, f64::from(r % 5)).unwrap();
        sheet.write_number(r, 5, 3.0).unwrap();
    }
    book.save(&path).unwrap();

    let preview = engine
        .preview_price_list(&path, &ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(preview.options.header, Some(true));
    let mapping = preview.mapping.unwrap();
    let summary = engine
        .import_price_list(&path, "Febi", Some(settings(mapping)))
        .await
        .unwrap();
    assert_eq!(
        (summary.rows_read, summary.offers, summary.rejected),
        (rows as u64, rows as u64, 0)
    );
    let hit = engine.search_offers("10042", 5).await.unwrap();
    assert_eq!(hit[0].article, "10042");
    assert_eq!(hit[0].price, Decimal::from_str("100.42").unwrap());
    assert_eq!(hit[0].name, "Деталь 42");
}

fn rules(account: i64, enabled: bool) -> RuleSet {
    RuleSet {
        account_id: account,
        enabled,
        rules: vec![
            Rule {
                id: 0,
                name: "In stock, 10 % margin".into(),
                enabled: true,
                conditions: vec![
                    Condition::OfferInLists { list_ids: vec![] },
                    Condition::StockCoversQuantity,
                    Condition::MinMargin {
                        percent: Decimal::from(10),
                    },
                ],
                action: RuleAction::Accept { by: BestBy::Price },
            },
            Rule {
                id: 0,
                name: "Nothing to sell".into(),
                enabled: true,
                conditions: vec![],
                action: RuleAction::Reject {
                    reason_id: Some(400),
                    message: None,
                },
            },
        ],
    }
}

/// A list where the first product of each posting has two offers in stock (the cheaper one at
/// half the marketplace price) and the second has one offer that is out of stock.
fn write_list(path: &Path, postings: &[Vec<(String, Decimal, i64)>]) {
    let mut csv = String::from("brand;article;name;price;stock;days\n");
    for p in postings {
        let (first, price, qty) = &p[0];
        csv.push_str(&format!(
            "Mann;{first};cheap;{};{};5\n",
            price / Decimal::from(2),
            qty + 1
        ));
        csv.push_str(&format!(
            "Bosch;{first};dear;{};{};1\n",
            price * Decimal::from_str("0.8").unwrap(),
            qty + 1
        ));
        csv.push_str(&format!("Mann;{};gone;1;0;1\n", p[1].0));
    }
    std::fs::write(path, csv).unwrap();
}

#[tokio::test]
async fn rules_accept_one_line_and_reject_another_and_the_fake_receives_exactly_those_calls() {
    let w = world().await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    let first = w.fake.generate_postings(1, 2).remove(0);
    let first_products = products(&w.fake, &first);
    write_list(&list, std::slice::from_ref(&first_products));
    let list_settings = settings(ColumnMapping {
        supplier: None,
        ..mapping_all()
    });
    w.engine
        .import_price_list(&list, "Main", Some(list_settings))
        .await
        .unwrap();

    // Switched off: the sync leaves both lines to the manager; a dry run says what would happen.
    let saved = w.engine.save_rule_set(&rules(w.account, false)).await.unwrap();
    assert!(saved.rules.iter().all(|r| r.id > 0));
    w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(inbox(&w.engine).await.len(), 2);
    let dry = w.engine.dry_run_rules(None).await.unwrap();
    assert_eq!(dry.len(), 2);
    let accept = dry
        .iter()
        .find(|o| matches!(o.decision, RuleDecision::Accept { .. }))
        .unwrap();
    assert_eq!(accept.decision.rule_name(), Some("In stock, 10 % margin"));
    let offer = accept.offer.as_ref().unwrap();
    assert_eq!(
        (offer.brand.as_str(), offer.name.as_str()),
        ("Mann", "cheap"),
        "best by price"
    );
    let reject = dry
        .iter()
        .find(|o| matches!(o.decision, RuleDecision::Reject { .. }))
        .unwrap();
    assert_eq!(reject.decision.rule_name(), Some("Nothing to sell"));
    assert_eq!(inbox(&w.engine).await.len(), 2, "a dry run changes nothing");
    assert!(w.engine.outbox_list(None).await.unwrap().is_empty());

    // Switched on: a new posting is decided as it arrives.
    let second = w.fake.generate_postings(1, 2).remove(0);
    let second_products = products(&w.fake, &second);
    write_list(&list, &[first_products, second_products.clone()]);
    w.engine.import_price_list(&list, "Main", None).await.unwrap();
    w.engine.save_rule_set(&rules(w.account, true)).await.unwrap();
    w.engine.sync_account(w.account).await.unwrap();

    let left: Vec<String> = inbox(&w.engine)
        .await
        .iter()
        .map(|l| l.order_external_id.clone())
        .collect();
    assert_eq!(
        left,
        [first.clone(), first.clone()],
        "only the first posting waits for the manager"
    );
    let processed = w
        .engine
        .inbox(&InboxQuery {
            processed: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(processed.len(), 2);
    let accepted = processed
        .iter()
        .find(|l| l.line.state == LineState::Accepted)
        .unwrap();
    let bound = accepted.line.bound_offer.as_ref().unwrap();
    assert_eq!(
        (bound.brand.as_str(), bound.article.as_str()),
        ("Mann", second_products[0].0.as_str())
    );
    assert_eq!(bound.price, second_products[0].1 / Decimal::from(2));
    assert_eq!(bound.list, "Main");
    assert!(matches!(
        accepted.line.decided_by_rule,
        Some(RuleDecision::Accept { ref rule_name, .. }) if rule_name == "In stock, 10 % margin"
    ));
    let rejected = processed
        .iter()
        .find(|l| l.line.state == LineState::Rejected)
        .unwrap();
    assert_eq!(
        rejected.line.decided_by_rule.as_ref().unwrap().rule_name(),
        Some("Nothing to sell")
    );

    // The marketplace gets exactly: cancel the rejected product (reason 400), ship the accepted one.
    while w.engine.drain_outbox_once().await.unwrap().delivered > 0 {}
    let cancels: Vec<Value> = w
        .fake
        .calls_to("/v2/posting/fbs/product/cancel")
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0]["posting_number"], second.as_str());
    assert_eq!(cancels[0]["cancel_reason_id"], 400);
    assert_eq!(cancels[0]["items"][0]["sku"].to_string(), rejected.line.sku);
    let ships: Vec<Value> = w
        .fake
        .calls_to("/v4/posting/fbs/ship")
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(ships.len(), 1);
    assert_eq!(
        ships[0]["packages"][0]["products"][0]["product_id"].to_string(),
        accepted.line.sku
    );
    assert!(w.fake.calls_to("/v2/posting/fbs/cancel").is_empty());
    assert!(w
        .engine
        .outbox_list(None)
        .await
        .unwrap()
        .iter()
        .all(|o| o.state == OutboxState::Done));

    // The timeline names the rule; the accepted line made a shop order.
    let detail = w.engine.order_detail(accepted.order_id).await.unwrap();
    assert!(
        detail
            .events
            .iter()
            .any(|e| e.actor == "rule" && e.message.contains("by rule «In stock, 10 % margin» with Mann")),
        "{:?}",
        detail.events
    );
    let orders = w.engine.shop_orders(None, 100).await.unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].number, second);
    assert_eq!(orders[0].lines, 1);
    assert_eq!(
        orders[0].total,
        accepted.line.price * Decimal::from(accepted.line.quantity)
    );
}

#[tokio::test]
async fn the_manager_binds_an_offer_and_the_sku_finds_it_next_time() {
    let w = world().await;
    let posting = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await.remove(0);
    assert_eq!(
        line.order_region.as_deref(),
        Some("Санкт-Петербург"),
        "region from Ozon's analytics"
    );

    // The seller's offer id is not an article here: nothing matches until searched by hand.
    assert!(w.engine.line_offers(line.line.id).await.unwrap().is_empty());
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("l.csv");
    std::fs::write(
        &list,
        "brand;article;name;price;stock;days\nMann;W 914/2;Oil filter;300;5;2\n",
    )
    .unwrap();
    w.engine
        .import_price_list(&list, "Main", Some(settings(mapping_all())))
        .await
        .unwrap();
    let offer = w.engine.search_offers("W914/2", 5).await.unwrap().remove(0);

    let bad = OfferBinding {
        offer_id: offer.id,
        quantity: Some(0),
        price: None,
    };
    assert!(w.engine.accept_with_offer(line.line.id, &bad).await.is_err());
    assert_eq!(
        inbox(&w.engine).await.len(),
        1,
        "a refused binding changes nothing"
    );
    let binding = OfferBinding {
        offer_id: offer.id,
        quantity: Some(line.line.quantity),
        price: Some(Decimal::from(280)),
    };
    w.engine.accept_with_offer(line.line.id, &binding).await.unwrap();
    let detail = w.engine.order_detail(line.order_id).await.unwrap();
    let bound = detail.order.lines[0].bound_offer.as_ref().unwrap();
    assert_eq!(
        (bound.article.as_str(), bound.price),
        ("W 914/2", Decimal::from(280))
    );
    assert!(detail.order.lines[0].decided_by_rule.is_none());
    assert_eq!(detail.order.region.as_deref(), Some("Санкт-Петербург"));

    // The same SKU in a later posting finds the offer through the remembered mapping.
    let next = w.fake.generate_postings(1, 1).remove(0);
    let sku = line.line.sku.clone();
    let mut p = w.fake.posting(&next).unwrap();
    p["products"][0]["sku"] = serde_json::json!(sku.parse::<u64>().unwrap());
    p["posting_number"] = serde_json::json!(format!("{next}-x"));
    w.fake.add_posting(p);
    w.engine.sync_account(w.account).await.unwrap();
    let again = inbox(&w.engine)
        .await
        .into_iter()
        .find(|l| l.line.sku == sku)
        .expect("the new line with the same SKU");
    let matches = w.engine.line_offers(again.line.id).await.unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].matched_by, "mapping");
    assert_eq!(matches[0].offer.id, offer.id);
    assert!(matches[0].margin_percent.is_some());
    let _ = posting;

    // Accepting it by hand (no offer) is still possible.
    w.engine
        .triage(&[again.line.id], TriageAction::Accept)
        .await
        .unwrap();
}

#[tokio::test]
async fn accepted_orders_land_on_one_customer_however_the_phone_or_email_is_written() {
    let w = world().await;
    let numbers = w.fake.generate_postings(3, 1);
    let buyers = [
        ("Иван Петров", "+7 (912) 345-67-89", "Ivan@Mail.RU", "Москва"),
        ("Иван П.", "8 912 345 67 89", "", "Татарстан"),
        ("Ivan Petrov", "", "ivan@mail.ru", "Татарстан"),
    ];
    for (number, (name, phone, email, region)) in numbers.iter().zip(buyers) {
        let mut p = w.fake.posting(number).unwrap();
        p["customer"] = serde_json::json!({
            "name": name, "phone": phone, "customer_email": email,
            "address": {"city": "Город", "address_tail": "ул. Ленина, 1", "region": region}
        });
        p["analytics_data"]["region"] = serde_json::json!(region);
        w.fake.add_posting(p);
    }
    let mut settings = w.engine.settings().await.unwrap();
    settings.move_customer_region = true;
    w.engine.save_settings(settings).await.unwrap();
    w.engine.sync_account(w.account).await.unwrap();
    let mut lines: Vec<(String, i64)> = inbox(&w.engine)
        .await
        .iter()
        .map(|l| (l.order_number.clone(), l.line.id))
        .collect();
    assert_eq!(lines.len(), 3);
    lines.sort();
    for (_, id) in lines {
        w.engine.triage(&[id], TriageAction::Accept).await.unwrap();
    }

    let customers = w.engine.customers(100).await.unwrap();
    assert_eq!(customers.len(), 1, "{customers:?}");
    let c = &customers[0];
    assert_eq!(c.customer.phone.as_deref(), Some("+79123456789"));
    assert_eq!(c.customer.email.as_deref(), Some("ivan@mail.ru"));
    assert_eq!(
        c.customer.region, "Татарстан",
        "moved to the region of the later order"
    );
    assert_eq!(c.orders, 3);
    let theirs = w.engine.shop_orders(Some(c.customer.id), 10).await.unwrap();
    let mut got: Vec<String> = theirs.iter().map(|o| o.number.clone()).collect();
    got.sort();
    let mut want = numbers.clone();
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn a_decision_can_be_undone_until_its_call_goes_out() {
    let w = world().await;
    w.engine.set_undo_window(std::time::Duration::from_secs(60));
    w.fake.generate_postings(1, 2);
    w.engine.sync_account(w.account).await.unwrap();
    let ids: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();

    let report = w.engine.triage(&ids, TriageAction::Accept).await.unwrap();
    assert_eq!(report.outbox_rows.len(), 1);
    assert_eq!(
        w.engine.drain_outbox_once().await.unwrap().delivered,
        0,
        "held for the undo window"
    );
    assert_eq!(w.engine.shop_orders(None, 10).await.unwrap().len(), 1);

    // Undoing one line of a bulk decision takes the whole decision back, and its ship call.
    let undone = w.engine.undo_triage(&ids[..1]).await.unwrap();
    assert_eq!(undone, ids);
    assert_eq!(inbox(&w.engine).await.len(), 2);
    assert!(w.engine.outbox_list(None).await.unwrap().is_empty());
    assert!(w.engine.shop_orders(None, 10).await.unwrap().is_empty());
    assert!(w.engine.undo_triage(&ids).await.is_err(), "nothing left to undo");

    // Decided again; once the call has gone out, undo is refused and nothing changes.
    w.engine.triage(&ids, TriageAction::Reject).await.unwrap();
    let later = chrono::Utc::now() + chrono::Duration::seconds(61);
    assert_eq!(w.engine.drain_outbox_at(later).await.unwrap().delivered, 1);
    let err = w.engine.undo_triage(&ids).await.unwrap_err();
    assert!(err.message.contains("already sent"), "{}", err.message);
    assert!(inbox(&w.engine).await.is_empty());
    assert_eq!(w.fake.calls_to("/v2/posting/fbs/cancel").len(), 1);
    assert!(
        w.fake.calls_to("/v4/posting/fbs/ship").is_empty(),
        "the undone ship never went out"
    );
    let detail = w.engine.order_detail(first_order_id(&w).await).await.unwrap();
    assert!(detail.events.iter().any(|e| e.kind == "undo"));
}

async fn first_order_id(w: &World) -> i64 {
    w.engine.orders(None, None).await.unwrap()[0].id
}

#[tokio::test]
async fn shop_statuses_send_what_the_account_maps_them_to() {
    use ordertray_connectors::ozon::OzonSettings;
    use ordertray_core::statuses::StatusGroup;
    use ordertray_core::templates::{PushLevel, PushProblem, PushTemplates, StatusPush};
    use ordertray_core::AccountSettings;

    let w = world().await;
    // Shipping follows the shop's "shipped" status here, not the acceptance.
    let mut settings = OzonSettings::new(CLIENT_ID);
    settings.ship_on_accept = false;
    let draft = ordertray_core::AccountDraft {
        settings: AccountSettings::from(settings),
        ..draft(&w.fake.base_url())
    };
    w.engine
        .update_account(w.account, draft, Default::default())
        .await
        .unwrap();
    let posting = w.fake.generate_postings(1, 3).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let lines: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    assert!(
        w.engine.outbox_list(None).await.unwrap().is_empty(),
        "nothing ships on accept"
    );

    let statuses = w.engine.shop_statuses().await.unwrap();
    let id = |code: &str| {
        statuses
            .iter()
            .find(|s| s.code.as_deref() == Some(code))
            .unwrap()
            .id
    };
    let (accepted, ordered, shipped, refused) = (id("accepted"), id("ordered"), id("shipped"), id("refused"));
    let detail = w
        .engine
        .order_detail(inbox_order(&w, &posting).await)
        .await
        .unwrap();
    assert!(detail
        .order
        .lines
        .iter()
        .all(|l| l.shop_status_id == Some(accepted)));

    let push = |status_id, level, marketplace_status: &str, comment: &str| StatusPush {
        status_id,
        level,
        marketplace_status: marketplace_status.into(),
        comment: comment.into(),
    };
    let templates = PushTemplates {
        pushes: vec![
            push(refused, PushLevel::Line, "cancel", ""),
            push(shipped, PushLevel::Order, "ship", ""),
            push(ordered, PushLevel::Line, "", "В работе: {name} × {qty}"),
            push(ordered, PushLevel::Order, "sent_by_seller", "Трек {tracking}"),
        ],
        ..Default::default()
    };
    let bad = PushTemplates {
        pushes: vec![push(ordered, PushLevel::Line, "", "{buyer}")],
        ..Default::default()
    };
    assert!(
        w.engine.save_push_settings(w.account, &bad).await.is_err(),
        "unknown variables are refused"
    );
    let saved = w.engine.save_push_settings(w.account, &templates).await.unwrap();
    assert!(
        !saved.loads_statuses,
        "Ozon's statuses are fixed: nothing to load"
    );
    assert!(saved.problems.contains(&PushProblem::UnsupportedStatus {
        status_id: Some(ordered),
        marketplace_status: "sent_by_seller".into()
    }));
    assert!(saved.problems.contains(&PushProblem::NoComments {
        status_id: Some(ordered)
    }));

    // Preview with a real line; a value that does not exist yet is named, not left blank.
    let preview = w
        .engine
        .preview_template(lines[0], ordered, "Заказ {order}: {qty} шт.")
        .await
        .unwrap();
    assert!(preview.starts_with(&format!("Заказ {posting}: ")), "{preview}");
    let named = w
        .engine
        .preview_template(lines[0], ordered, "{status}")
        .await
        .unwrap();
    assert_eq!(
        named, "Ordered from the supplier",
        "a built-in status reads as words, not its code"
    );
    let err = w
        .engine
        .preview_template(lines[0], ordered, "Трек {tracking}")
        .await
        .unwrap_err();
    assert!(err.message.contains("{tracking}"), "{}", err.message);

    // Line-level: refusing one line cancels that product at once.
    let r = w.engine.set_line_status(&lines[..1], refused).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1);
    // "ordered" has a comment Ozon cannot take, and an order-level text that needs a tracking
    // number nobody has yet: nothing queued, both reasons reported and kept on the timeline.
    let r = w.engine.set_line_status(&lines[1..], ordered).await.unwrap();
    assert!(r.outbox_rows.is_empty());
    let not_sent: Vec<String> = r.not_sent.iter().map(|e| e.english()).collect();
    assert!(
        not_sent.iter().any(|n| n.contains("takes no comments")),
        "{:?}",
        r.not_sent
    );
    assert!(
        not_sent
            .iter()
            .any(|n| n.contains("no value yet for: {tracking}")),
        "{:?}",
        r.not_sent
    );
    let events = w
        .engine
        .order_detail(inbox_order(&w, &posting).await)
        .await
        .unwrap()
        .events;
    assert_eq!(events.iter().filter(|e| e.kind.starts_with("push_")).count(), 2);
    // Order-level: the order ships only when every line left is shipped.
    let r = w.engine.set_line_status(&lines[1..2], shipped).await.unwrap();
    assert!(r.outbox_rows.is_empty(), "one line is still being ordered");
    let r = w.engine.set_line_status(&lines[2..], shipped).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1);

    while w.engine.drain_outbox_once().await.unwrap().delivered > 0 {}
    let skus: Vec<String> = inbox_lines_of(&w, &posting).await;
    let cancels = w.fake.calls_to("/v2/posting/fbs/product/cancel");
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].body["items"][0]["sku"].to_string(), skus[0]);
    let ships = w.fake.calls_to("/v4/posting/fbs/ship");
    assert_eq!(ships.len(), 1);
    let shipped_skus: Vec<String> = ships[0].body["packages"][0]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_id"].to_string())
        .collect();
    assert_eq!(shipped_skus, skus[1..]);

    // Only accepted lines take shop statuses; groups stay valid when edited.
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let fresh = inbox(&w.engine).await[0].line.id;
    assert!(w.engine.set_line_status(&[fresh], shipped).await.is_err());
    let without_new: Vec<_> = statuses
        .iter()
        .filter(|s| s.group != StatusGroup::New)
        .cloned()
        .collect();
    assert!(w.engine.save_shop_statuses(&without_new).await.is_err());
}

async fn inbox_order(w: &World, posting: &str) -> i64 {
    w.engine
        .orders(None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.external_id == posting)
        .unwrap()
        .id
}

async fn inbox_lines_of(w: &World, posting: &str) -> Vec<String> {
    let id = inbox_order(w, posting).await;
    w.engine
        .order_detail(id)
        .await
        .unwrap()
        .order
        .lines
        .iter()
        .map(|l| l.sku.clone())
        .collect()
}

#[tokio::test]
async fn notices_on_decisions_and_the_buyer_cancel_status() {
    use ordertray_core::templates::PushTemplates;

    let w = world().await;
    let numbers = w.fake.generate_postings(2, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let refused = w
        .engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some("refused"))
        .unwrap()
        .id;
    let templates = PushTemplates {
        accepted_status: "confirmed".into(),
        accepted_notice: "Заказ {order} принят".into(),
        refusal_text: "Отказ: {reason}".into(),
        buyer_cancel_status_id: Some(refused),
        ..Default::default()
    };
    w.engine.save_push_settings(w.account, &templates).await.unwrap();
    let lines = inbox(&w.engine).await;
    let line_of = |n: &str| lines.iter().find(|l| l.order_external_id == n).unwrap();
    let (accepted, rejected) = (line_of(&numbers[0]), line_of(&numbers[1]));
    w.engine
        .triage(&[accepted.line.id], TriageAction::Accept)
        .await
        .unwrap();
    w.engine
        .triage(&[rejected.line.id], TriageAction::Reject)
        .await
        .unwrap();

    let on_accept = not_sent(&w, accepted.order_id).await;
    assert!(
        on_accept
            .iter()
            .any(|m| m.contains("cannot be set to «confirmed»")),
        "{on_accept:?}"
    );
    assert!(
        on_accept
            .iter()
            .any(|m| m.contains("takes no comments; the accepted notice")),
        "{on_accept:?}"
    );
    let on_reject = not_sent(&w, rejected.order_id).await;
    assert_eq!(on_reject.len(), 1, "{on_reject:?}");
    assert!(
        on_reject[0].contains("no value yet for: {reason}"),
        "{on_reject:?}"
    );

    // The buyer cancels the accepted posting: its line takes the configured shop status.
    assert!(w.fake.set_status(&numbers[0], "cancelled"));
    w.engine.sync_account(w.account).await.unwrap();
    let detail = w.engine.order_detail(accepted.order_id).await.unwrap();
    assert_eq!(detail.order.lines[0].shop_status_id, Some(refused));
    assert!(detail.events.iter().any(|e| e
        .message
        .contains("Cancelled by the buyer: 1 accepted line(s) moved")));
}

async fn not_sent(w: &World, order: i64) -> Vec<String> {
    w.engine
        .order_detail(order)
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|e| e.kind.starts_with("push_") || e.kind.starts_with("notice_"))
        .map(|e| e.message)
        .collect()
}

/// Rules see every line a sync brings, however many wait in the inbox: before, they read the first
/// 10,000 inbox lines (newest orders first) and a new line behind them was never ruled.
#[tokio::test]
async fn rules_see_a_new_line_behind_a_backlog_of_ten_thousand() {
    let w = world().await;
    let backlog = 10_001;
    // Lines the manager has not decided yet, of orders dated after the one the sync will bring.
    let pool = w.engine.store().pool();
    sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?2)
         INSERT INTO orders (account_id, external_id, number, status, created_at, first_seen_at, updated_at,
            content_hash, raw)
         SELECT ?1, 'backlog-' || i, 'backlog-' || i, 'awaiting_packaging', '2099-01-01T00:00:00.000000Z',
            '2099-01-01T00:00:00.000000Z', '2099-01-01T00:00:00.000000Z', 'seeded', '{}'
         FROM seq",
    )
    .bind(w.account)
    .bind(backlog)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO lines (order_id, external_id, sku, offer_id, name, quantity, price, currency)
         SELECT id, '1', 'B' || id, 'B' || id, 'Backlog', 1, '100.00', 'RUB' FROM orders
         WHERE external_id LIKE 'backlog-%'",
    )
    .execute(pool)
    .await
    .unwrap();

    w.engine
        .save_rule_set(&reject_everything(w.account))
        .await
        .unwrap();
    // The dry run (the rules screen's preview) sees the whole backlog too, past 10,000 lines.
    assert_eq!(
        w.engine.dry_run_rules(Some(w.account)).await.unwrap().len(),
        backlog as usize
    );
    let posting = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();

    let rejected = w
        .engine
        .inbox(&InboxQuery {
            state: LineState::Rejected,
            ..InboxQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        rejected
            .iter()
            .map(|l| l.order_external_id.as_str())
            .collect::<Vec<_>>(),
        [posting.as_str()],
        "the new posting's line is ruled, the backlog is left to the manager"
    );
}
