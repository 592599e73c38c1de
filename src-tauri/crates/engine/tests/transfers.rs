//! Sending shop orders to a CRM through the outbox, against the fake RetailCRM over loopback:
//! twenty orders in bulk where two fail the CRM's validation (eighteen transferred with links,
//! two problematic with the CRM's words), fixed and sent again without a duplicate; a re-send
//! after an edit updates the record; a create whose answer was lost is found, not made twice;
//! the CRM's limit is waited out, never a failure; read-back, unlink, and the target's rule that
//! sends orders reaching a status.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::open;
use ordertray_connectors::retailcrm::{RetailCrmSettings, API_KEY};
use ordertray_core::cabinet::{OrderItem, PaymentMethod, Recipient, ShopOrderDraft, TransferState};
use ordertray_core::{AccountDraft, AccountSettings, Address, TransferRules};
use ordertray_engine::{Engine, MemorySecretStore, RecordingNotifier};
use ordertray_fakes::faults::Fault;
use ordertray_fakes::retailcrm::{
    FakeRetailCrm, FakeRetailCrmConfig, FakeRetailCrmHandle, RateLimit, RetailCrmFault, ORDERS_CREATE_PATH,
};
use rust_decimal::Decimal;

const KEY: &str = "retailcrm-transfer-key-5f1e";
const SITE: &str = "main-shop";

struct World {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    secrets: Arc<MemorySecretStore>,
    engine: Engine,
    crm: FakeRetailCrmHandle,
    target: i64,
}

fn target_draft(url: &str, rules: TransferRules) -> AccountDraft {
    AccountDraft {
        name: "CRM".into(),
        region: String::new(),
        active: true,
        interval_secs: 3600,
        base_url: None,
        settings: AccountSettings::from(RetailCrmSettings {
            transfer: rules,
            ..RetailCrmSettings::new(url, SITE)
        }),
    }
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ordertray.db");
    let secrets = Arc::new(MemorySecretStore::default());
    let engine = open(&db, secrets.clone(), RecordingNotifier::default()).await;
    // RetailCRM's own limit, on the real clock: our pace keeps under it.
    let crm = FakeRetailCrm::start(FakeRetailCrmConfig::new(KEY, SITE))
        .await
        .unwrap();
    let key = HashMap::from([(API_KEY.to_string(), KEY.to_string())]);
    let target = engine
        .add_account(target_draft(&crm.base_url(), TransferRules::default()), key)
        .await
        .unwrap()
        .id;
    World {
        _dir: dir,
        db,
        secrets,
        engine,
        crm,
        target,
    }
}

fn draft(number: &str, email: &str) -> ShopOrderDraft {
    ShopOrderDraft {
        number: number.into(),
        recipient: Recipient {
            name: "Анна Смирнова".into(),
            phone: "+79160001122".into(),
            email: email.into(),
        },
        address: Address::from_text("420111, Казань, ул. Баумана, 1"),
        items: vec![OrderItem {
            id: None,
            line_id: None,
            offer_id: None,
            article: "FLT-77".into(),
            brand: "MANN".into(),
            name: "Фильтр".into(),
            quantity: 2,
            price: Decimal::from(350),
            weight_g: 400,
            length_cm: 30,
            width_cm: 20,
            height_cm: 10,
        }],
        payment_method: Some(PaymentMethod::CashOnDelivery),
        cod: true,
        ..ShopOrderDraft::empty()
    }
}

/// Delivers everything due until a pass finds nothing.
async fn drain(engine: &Engine) {
    loop {
        let r = engine.drain_outbox_once().await.unwrap();
        if r.delivered + r.failed + r.retry_scheduled == 0 {
            break;
        }
    }
}

async fn status_code(engine: &Engine, order_id: i64) -> Option<String> {
    let order = engine.shop_order_full(order_id).await.unwrap();
    let statuses = engine.shop_statuses().await.unwrap();
    statuses
        .into_iter()
        .find(|s| Some(s.id) == order.status_id)
        .and_then(|s| s.code)
}

/// The RetailCRM codes of the shop's delivery methods (Settings → Delivery).
async fn set_crm_codes(engine: &Engine, codes: &[(&str, &str)]) {
    engine
        .update_settings(|mut s| {
            for m in &mut s.delivery_methods {
                if let Some((_, code)) = codes.iter().find(|(id, _)| *id == m.id) {
                    m.codes.insert("retailcrm".into(), code.to_string());
                }
            }
            s
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn twenty_orders_in_bulk_two_refused_then_fixed_and_sent_again_without_duplicates() {
    let w = world().await;
    // A typo in one method's code: the CRM knows "pickup", not "pick-up".
    set_crm_codes(&w.engine, &[("courier", "courier"), ("pickup_point", "pick-up")]).await;
    let mut ids = Vec::new();
    for n in 1..=20 {
        let mut order = draft(&format!("T-{n:03}"), &format!("buyer{n}@example.com"));
        if n == 7 || n == 13 {
            order.delivery_method = "pickup_point".into();
            order.address.pickup_point_id = "KZN-12".into();
        } else {
            order.delivery_method = "courier".into();
        }
        ids.push(w.engine.create_shop_order(order).await.unwrap().id);
    }
    let report = w.engine.send_to_target(w.target, &ids, false).await.unwrap();
    assert_eq!(report.queued, ids, "a CRM ships nothing: no confirmation asked");
    drain(&w.engine).await;

    let status = w.engine.transfer_status(&ids, Some(w.target)).await.unwrap();
    assert_eq!(status.len(), 20);
    let (sent, refused): (Vec<_>, Vec<_>) = status
        .iter()
        .partition(|t| t.transfer.state == TransferState::Transferred);
    assert_eq!(sent.len(), 18);
    assert_eq!(
        refused.iter().map(|t| t.number.as_str()).collect::<Vec<_>>(),
        ["T-007", "T-013"]
    );
    for t in &sent {
        let remote = t.transfer.remote_id.as_deref().unwrap();
        let at_crm = w.crm.order(remote).expect("the CRM has it under our key");
        assert_eq!(at_crm["number"], t.number.as_str());
        assert_eq!(at_crm["delivery"]["code"], "courier");
        assert_eq!(
            t.transfer.link.as_deref(),
            Some(format!("{}/orders/{}/edit", w.crm.base_url(), at_crm["id"]).as_str())
        );
        assert_eq!(
            status_code(&w.engine, t.order_id).await.as_deref(),
            Some("transferred")
        );
    }
    for t in &refused {
        let words = t.transfer.last_error.as_deref().unwrap();
        assert!(
            words.starts_with("CRM: Order is not loaded")
                && !words.contains("marketplace")
                && words.contains("pick-up"),
            "{words}"
        );
        assert_eq!(
            status_code(&w.engine, t.order_id).await.as_deref(),
            Some("problematic")
        );
        let order = w.engine.shop_order_full(t.order_id).await.unwrap();
        assert_eq!(order.transfers.len(), 1);
        assert_eq!(order.transfers[0].state, TransferState::Problematic);
        assert!(order
            .timeline
            .iter()
            .any(|e| e.kind == "transfer_failed" && e.message.starts_with("Not sent to CRM: ")));
    }
    assert_eq!(w.crm.orders().len(), 18);
    assert_eq!(
        w.crm.stats().rate_limited,
        0,
        "our pace keeps under the CRM's limit"
    );

    // The manager fixes the code and sends the whole selection again: the eighteen are
    // updated, the two made, nothing twice.
    set_crm_codes(&w.engine, &[("pickup_point", "pickup")]).await;
    w.engine.send_to_target(w.target, &ids, false).await.unwrap();
    drain(&w.engine).await;
    let status = w.engine.transfer_status(&ids, Some(w.target)).await.unwrap();
    assert!(
        status
            .iter()
            .all(|t| t.transfer.state == TransferState::Transferred),
        "{status:?}"
    );
    assert_eq!(
        w.crm.orders().len(),
        20,
        "re-sent orders were updated, not made again"
    );
    assert_eq!(w.crm.stats().creates, 20);
    assert_eq!(w.crm.stats().edits, 18);
    assert_eq!(
        w.crm.stats().rate_limited,
        0,
        "{} requests, none over the limit",
        w.crm.calls().len()
    );
}

#[tokio::test]
async fn a_re_send_after_an_edit_updates_the_record_and_a_lost_answer_makes_no_second_one() {
    let w = world().await;
    let a = w
        .engine
        .create_shop_order(draft("E-1", "e1@example.com"))
        .await
        .unwrap();
    w.engine.send_to_target(w.target, &[a.id], false).await.unwrap();
    drain(&w.engine).await;
    let key = w.engine.transfer_status(&[a.id], None).await.unwrap()[0]
        .transfer
        .remote_id
        .clone()
        .unwrap();
    assert!(
        key.starts_with("ot") && key.ends_with(&format!("-{}", a.id)),
        "{key}"
    );

    let mut edited = w.engine.shop_order_full(a.id).await.unwrap().draft;
    edited.items[0].quantity = 5;
    w.engine.update_shop_order(a.id, edited, true).await.unwrap();
    w.engine.send_to_target(w.target, &[a.id], false).await.unwrap();
    drain(&w.engine).await;
    assert_eq!(w.crm.orders().len(), 1);
    assert_eq!(w.crm.order(&key).unwrap()["items"][0]["quantity"], 5);

    // The CRM makes the next order but its answer never arrives: found by our key, one record.
    let b = w
        .engine
        .create_shop_order(draft("E-2", "e2@example.com"))
        .await
        .unwrap();
    w.crm
        .push_fault_on(ORDERS_CREATE_PATH, RetailCrmFault::LostAnswer { after: None });
    w.engine.send_to_target(w.target, &[b.id], false).await.unwrap();
    drain(&w.engine).await;
    let t = &w.engine.transfer_status(&[b.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred, "{t:?}");
    assert_eq!(w.crm.orders().len(), 2);
    assert!(t.transfer.link.is_some());
}

/// A create whose answer was lost and whose look-up failed too is tried again later; the order
/// edited meanwhile reaches the CRM as it is now, not as the lost try sent it.
#[tokio::test]
async fn a_record_an_earlier_try_made_gets_the_order_as_it_is_now() {
    let w = world().await;
    let a = w
        .engine
        .create_shop_order(draft("F-1", "f1@example.com"))
        .await
        .unwrap();
    w.engine.send_to_target(w.target, &[a.id], false).await.unwrap();
    drain(&w.engine).await;
    let key_a = w.engine.transfer_status(&[a.id], None).await.unwrap()[0]
        .transfer
        .remote_id
        .clone()
        .unwrap();
    let b = w
        .engine
        .create_shop_order(draft("F-2", "f2@example.com"))
        .await
        .unwrap();
    let key_b = format!("{}-{}", key_a.rsplit_once('-').unwrap().0, b.id);
    w.crm
        .push_fault_on(ORDERS_CREATE_PATH, RetailCrmFault::LostAnswer { after: None });
    w.crm
        .push_fault_on(&format!("/api/v5/orders/{key_b}"), Fault::ServerError(502));
    w.engine.send_to_target(w.target, &[b.id], false).await.unwrap();
    drain(&w.engine).await;
    let t = &w.engine.transfer_status(&[b.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Pending, "{t:?}");
    assert_eq!(w.crm.order(&key_b).unwrap()["items"][0]["quantity"], 2);

    let mut edited = w.engine.shop_order_full(b.id).await.unwrap().draft;
    edited.items[0].quantity = 5;
    w.engine.update_shop_order(b.id, edited, true).await.unwrap();
    w.engine
        .drain_outbox_at(chrono::Utc::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    let t = &w.engine.transfer_status(&[b.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred, "{t:?}");
    assert_eq!(w.crm.orders().len(), 2);
    assert_eq!(w.crm.order(&key_b).unwrap()["items"][0]["quantity"], 5);

    // The same, but the CRM refuses the edit: the record found stays linked as it is.
    let c = w
        .engine
        .create_shop_order(draft("F-3", "f3@example.com"))
        .await
        .unwrap();
    let key_c = format!("{}-{}", key_a.rsplit_once('-').unwrap().0, c.id);
    w.crm
        .push_fault_on(ORDERS_CREATE_PATH, RetailCrmFault::LostAnswer { after: None });
    w.crm
        .push_fault_on(&format!("/api/v5/orders/{key_c}"), Fault::ServerError(502));
    w.engine.send_to_target(w.target, &[c.id], false).await.unwrap();
    drain(&w.engine).await;
    w.crm
        .push_fault_on(&format!("/api/v5/orders/{key_c}/edit"), Fault::ServerError(400));
    w.engine
        .drain_outbox_at(chrono::Utc::now() + chrono::Duration::hours(2))
        .await
        .unwrap();
    let t = &w.engine.transfer_status(&[c.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred, "{t:?}");
    assert_eq!(t.transfer.remote_id.as_deref(), Some(key_c.as_str()));
}

#[tokio::test]
async fn the_crms_limit_is_a_wait_and_a_server_error_a_retry_not_a_refusal() {
    let w = world().await;
    // Far below our pace: most requests meet the CRM's HTML 503.
    w.crm.set_rate_limit(Some(RateLimit {
        per_second: 4.0,
        burst: 1.0,
    }));
    let mut ids = Vec::new();
    for n in 1..=4 {
        ids.push(
            w.engine
                .create_shop_order(draft(&format!("L-{n}"), "l@example.com"))
                .await
                .unwrap()
                .id,
        );
    }
    w.engine.send_to_target(w.target, &ids, false).await.unwrap();
    drain(&w.engine).await;
    let status = w.engine.transfer_status(&ids, None).await.unwrap();
    assert!(
        status
            .iter()
            .all(|t| t.transfer.state == TransferState::Transferred),
        "{status:?}"
    );
    assert!(w.crm.stats().rate_limited > 0, "the limit was met");
    assert_eq!(w.crm.orders().len(), 4);

    // A 502 from the CRM's edge: the order stays pending for the outbox's next try.
    w.crm.set_rate_limit(None);
    let c = w
        .engine
        .create_shop_order(draft("L-5", "l5@example.com"))
        .await
        .unwrap();
    w.crm.push_fault_on(ORDERS_CREATE_PATH, Fault::ServerError(502));
    w.engine.send_to_target(w.target, &[c.id], false).await.unwrap();
    drain(&w.engine).await;
    let t = &w.engine.transfer_status(&[c.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Pending);
    assert_ne!(status_code(&w.engine, c.id).await.as_deref(), Some("problematic"));
    // Past its backoff it goes through.
    w.engine
        .drain_outbox_at(chrono::Utc::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    let t = &w.engine.transfer_status(&[c.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred);
    assert_eq!(w.crm.orders().len(), 5);
}

/// A deleted order is not sent: a sending waiting out a backoff is dropped with the delete, and
/// one that failed for good no longer waits in the queue (where it held back what came after).
#[tokio::test]
async fn deleting_an_order_drops_its_sendings_not_yet_under_way() {
    let w = world().await;
    // One meets a server error at every try, until the outbox gives up on it.
    let failed = w
        .engine
        .create_shop_order(draft("D-2", "d2@example.com"))
        .await
        .unwrap();
    w.engine
        .send_to_target(w.target, &[failed.id], false)
        .await
        .unwrap();
    let mut at = chrono::Utc::now();
    for _ in 0..ordertray_engine::MAX_ATTEMPTS {
        w.crm.push_fault_on(ORDERS_CREATE_PATH, Fault::ServerError(502));
        at += chrono::Duration::days(1);
        w.engine.drain_outbox_at(at).await.unwrap();
    }
    let rows = w.engine.outbox_list(None).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, ordertray_core::OutboxState::Failed);
    // The other waits out its backoff after one.
    let waiting = w
        .engine
        .create_shop_order(draft("D-1", "d1@example.com"))
        .await
        .unwrap();
    w.crm.push_fault_on(ORDERS_CREATE_PATH, Fault::ServerError(502));
    w.engine
        .send_to_target(w.target, &[waiting.id], false)
        .await
        .unwrap();
    drain(&w.engine).await;
    let t = &w.engine.transfer_status(&[waiting.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Pending);

    w.engine
        .delete_shop_orders(&[waiting.id, failed.id], false)
        .await
        .unwrap();
    assert_eq!(
        w.engine
            .delete_at_targets(&[waiting.id, failed.id])
            .await
            .unwrap(),
        0,
        "nothing is there to delete"
    );
    assert!(w.engine.outbox_list(None).await.unwrap().is_empty());
    w.engine
        .drain_outbox_at(at + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(w.crm.orders().is_empty(), "{:?}", w.crm.orders());
    assert!(
        w.engine
            .transfer_status(&[waiting.id], None)
            .await
            .unwrap()
            .is_empty(),
        "the one that only waited was never there"
    );
    let gave_up = &w.engine.transfer_status(&[failed.id], None).await.unwrap()[0];
    assert_eq!(gave_up.transfer.state, TransferState::Problematic);
    for id in [waiting.id, failed.id] {
        assert_eq!(status_code(&w.engine, id).await.as_deref(), Some("deleted"));
    }
}

#[tokio::test]
async fn read_back_unlink_and_the_targets_rule_that_sends_on_a_status() {
    let w = world().await;
    let a = w
        .engine
        .create_shop_order(draft("R-1", "r1@example.com"))
        .await
        .unwrap();
    w.engine.send_to_target(w.target, &[a.id], false).await.unwrap();
    drain(&w.engine).await;
    let key = w.engine.transfer_status(&[a.id], None).await.unwrap()[0]
        .transfer
        .remote_id
        .clone()
        .unwrap();

    // The CRM's manager moves it on; "Get" reads it back.
    assert!(w.crm.set_status(&key, "assembling"));
    let r = w.engine.refresh_transfers(&[a.id], None).await.unwrap();
    assert_eq!((r.read, r.gone, r.failed.len()), (1, 0, 0));
    let order = w.engine.shop_order_full(a.id).await.unwrap();
    assert_eq!(order.transfers[0].remote_status.as_deref(), Some("assembling"));
    assert!(order
        .timeline
        .iter()
        .any(|e| e.kind == "transfer_remote_status" && e.message == "CRM: status «assembling»"));

    // Unlinked: the order forgets the record, the CRM keeps it.
    assert!(w.engine.unlink_transfer(a.id, w.target).await.unwrap());
    assert!(w.engine.shop_order_full(a.id).await.unwrap().transfers.is_empty());
    assert!(w.crm.order(&key).is_some());
    assert!(!w.engine.unlink_transfer(a.id, w.target).await.unwrap());

    // The target's rule: orders reaching "Confirmed" go on their own; one confirmed before the
    // rule was set stays here.
    let statuses = w.engine.shop_statuses().await.unwrap();
    let confirmed = statuses
        .iter()
        .find(|s| s.code.as_deref() == Some("confirmed"))
        .unwrap()
        .id;
    let before = w
        .engine
        .create_shop_order(draft("R-0", "r0@example.com"))
        .await
        .unwrap();
    w.engine
        .set_shop_order_status(&[before.id], confirmed)
        .await
        .unwrap();
    let rules = TransferRules {
        send_on_status: Some(confirmed),
        ..Default::default()
    };
    w.engine
        .update_account(w.target, target_draft(&w.crm.base_url(), rules), HashMap::new())
        .await
        .unwrap();
    let b = w
        .engine
        .create_shop_order(draft("R-2", "r2@example.com"))
        .await
        .unwrap();
    w.engine.set_shop_order_status(&[b.id], confirmed).await.unwrap();
    drain(&w.engine).await;
    let t = &w.engine.transfer_status(&[b.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred);
    assert_eq!(w.crm.orders().len(), 2);
    assert!(w
        .engine
        .transfer_status(&[before.id], None)
        .await
        .unwrap()
        .is_empty());
    let queued_by = w.engine.shop_order_full(b.id).await.unwrap().timeline;
    assert!(queued_by
        .iter()
        .any(|e| e.kind == "transfer_queued" && e.actor == "rule"));
    // Once sent, the next passes leave it: one create, no edit.
    drain(&w.engine).await;
    assert_eq!((w.crm.stats().creates, w.crm.stats().edits), (2, 0));

    // A CRM keeps what it was sent: deleting the order here queues nothing for it.
    w.engine.delete_shop_orders(&[b.id], false).await.unwrap();
    assert_eq!(w.engine.delete_at_targets(&[b.id]).await.unwrap(), 0);
}

#[tokio::test]
async fn an_account_that_takes_no_orders_is_refused_as_a_target() {
    let w = world().await;
    let a = w
        .engine
        .create_shop_order(draft("N-1", "n@example.com"))
        .await
        .unwrap();
    let err = w
        .engine
        .send_to_target(w.target + 100, &[a.id], false)
        .await
        .unwrap_err();
    assert_eq!(err.code, ordertray_core::ErrorCode::NotFound, "{err:?}");
    let targets = w.engine.transfer_targets().await.unwrap();
    assert_eq!(targets.len(), 1);
    assert_eq!(
        (targets[0].kind_name.as_str(), targets[0].ships),
        ("RetailCRM", false)
    );
}

mod shipping_targets {
    //! Targets that ship the order (Shiptor's package, MoySklad's customer order): the package's
    //! status, tracking number and history come back; sending to a second one that ships asks
    //! first, as does an order paid online but unpaid; deleting the order deletes the package.

    use super::*;
    use ordertray_connectors::moysklad::{self, MoySkladSettings};
    use ordertray_connectors::shiptor::{self, ShiptorSettings};
    use ordertray_core::cabinet::TransferConcern;
    use ordertray_fakes::moysklad::{FakeMoySklad, FakeMoySkladConfig};
    use ordertray_fakes::shiptor::{FakeShiptor, FakeShiptorConfig};

    fn account(name: &str, settings: AccountSettings) -> AccountDraft {
        AccountDraft {
            name: name.into(),
            region: String::new(),
            active: true,
            interval_secs: 3600,
            base_url: None,
            settings,
        }
    }

    #[tokio::test]
    async fn a_package_comes_back_with_its_tracking_and_a_second_shipper_or_an_unpaid_order_asks_first() {
        let w = world().await;
        let shiptor = FakeShiptor::start(FakeShiptorConfig::new("shiptor-key"))
            .await
            .unwrap();
        let warehouse = FakeMoySklad::start(FakeMoySkladConfig::new("moysklad-token"))
            .await
            .unwrap();
        let carrier = w
            .engine
            .add_account(
                account(
                    "Shiptor",
                    ShiptorSettings {
                        url: shiptor.base_url(),
                        ..Default::default()
                    }
                    .into(),
                ),
                HashMap::from([(shiptor::API_KEY.to_string(), "shiptor-key".to_string())]),
            )
            .await
            .unwrap()
            .id;
        let stock = w
            .engine
            .add_account(
                account(
                    "Warehouse",
                    MoySkladSettings {
                        url: warehouse.api_url(),
                        ..Default::default()
                    }
                    .into(),
                ),
                HashMap::from([(moysklad::TOKEN.to_string(), "moysklad-token".to_string())]),
            )
            .await
            .unwrap()
            .id;
        // Shiptor knows the courier method as its shipping method 1.
        w.engine
            .update_settings(|mut s| {
                for m in &mut s.delivery_methods {
                    if m.id == "courier" {
                        m.codes.insert("shiptor".into(), "1".into());
                    }
                }
                s
            })
            .await
            .unwrap();
        let mut order = draft("S-1", "s1@example.com");
        order.delivery_method = "courier".into();
        let a = w.engine.create_shop_order(order).await.unwrap();
        w.engine.send_to_target(carrier, &[a.id], false).await.unwrap();
        drain(&w.engine).await;
        let package_id = w.engine.transfer_status(&[a.id], Some(carrier)).await.unwrap()[0]
            .transfer
            .remote_id
            .clone()
            .unwrap();
        let packages = shiptor.packages();
        assert_eq!(packages.len(), 1);
        assert_eq!(packages[0]["id"].to_string(), package_id);
        assert_eq!(packages[0]["departure"]["shipping_method"], 1);

        // The carrier takes it: the status, the RP tracking number and the history come back.
        assert!(shiptor.set_status(package_id.parse().unwrap(), "sent"));
        let r = w.engine.refresh_transfers(&[a.id], Some(carrier)).await.unwrap();
        assert_eq!(r.read, 1, "{r:?}");
        let t = &w.engine.shop_order_full(a.id).await.unwrap().transfers[0];
        assert_eq!(t.remote_status.as_deref(), Some("sent"), "{t:?}");
        let tracking = t.tracking_number.as_deref().unwrap();
        assert!(
            tracking.starts_with("RP") && tracking.ends_with("RU"),
            "{tracking}"
        );
        assert!(t.history.len() >= 2, "{:?}", t.history);

        // Sent again once the carrier has it: Shiptor refuses the edit and the order is
        // problematic, but the package is still there and is still followed.
        w.engine.send_to_target(carrier, &[a.id], false).await.unwrap();
        drain(&w.engine).await;
        let t = &w.engine.transfer_status(&[a.id], Some(carrier)).await.unwrap()[0];
        assert_eq!(t.transfer.state, TransferState::Problematic, "{t:?}");
        assert!(shiptor.set_status(package_id.parse().unwrap(), "delivered"));
        let r = w.engine.refresh_transfers(&[a.id], Some(carrier)).await.unwrap();
        assert_eq!(r.read, 1, "{r:?}");
        let t = &w.engine.shop_order_full(a.id).await.unwrap().transfers[0];
        assert_eq!(t.remote_status.as_deref(), Some("delivered"), "{t:?}");

        // The warehouse would ship it too: asked first, nothing queued; confirmed, it goes.
        let held = w.engine.send_to_target(stock, &[a.id], false).await.unwrap();
        assert!(held.queued.is_empty());
        assert_eq!(
            held.to_confirm.iter().map(|c| &c.reason).collect::<Vec<_>>(),
            [&TransferConcern::ShipsTwice {
                other: "Shiptor".into()
            }]
        );
        let sent = w.engine.send_to_target(stock, &[a.id], true).await.unwrap();
        assert_eq!(sent.queued, [a.id]);
        drain(&w.engine).await;
        let at_stock = &w.engine.transfer_status(&[a.id], Some(stock)).await.unwrap()[0];
        assert_eq!(
            at_stock.transfer.state,
            TransferState::Transferred,
            "{at_stock:?}"
        );
        assert_eq!(warehouse.orders().len(), 1);

        // Paid online and not paid: a shipper asks first.
        let mut unpaid = draft("S-2", "s2@example.com");
        unpaid.delivery_method = "courier".into();
        unpaid.cod = false;
        unpaid.payment_method = Some(PaymentMethod::CardOnline);
        let b = w.engine.create_shop_order(unpaid).await.unwrap();
        let held = w.engine.send_to_target(carrier, &[b.id], false).await.unwrap();
        assert_eq!(held.to_confirm.len(), 1);
        assert_eq!(held.to_confirm[0].reason, TransferConcern::NotPaid {});
        // A CRM ships nothing: it takes the same order without asking.
        assert_eq!(
            w.engine
                .send_to_target(w.target, &[b.id], false)
                .await
                .unwrap()
                .queued,
            [b.id]
        );

        // Deleted here, and (the manager said so) at both targets: the warehouse's order goes with
        // its link; the parcel is with the carrier already, so Shiptor refuses in its words and
        // the link stays.
        w.engine.delete_shop_orders(&[a.id], false).await.unwrap();
        assert_eq!(w.engine.delete_at_targets(&[a.id]).await.unwrap(), 2);
        drain(&w.engine).await;
        assert!(warehouse.orders().is_empty(), "{:?}", warehouse.orders());
        let left = w.engine.shop_order_full(a.id).await.unwrap();
        assert_eq!(
            left.transfers
                .iter()
                .map(|t| t.target.as_str())
                .collect::<Vec<_>>(),
            ["Shiptor"]
        );
        assert!(left
            .timeline
            .iter()
            .any(|e| e.kind == "transfer_deleted" && e.message == "Deleted at Warehouse"));
        let refused = w.engine.outbox_list(Some(carrier)).await.unwrap();
        assert!(
            refused.iter().any(|r| r.kind == "transfer_delete"
                && r.last_error
                    .as_deref()
                    .is_some_and(|e| e.starts_with("Shiptor: "))),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn a_bulk_transfer_does_not_hold_a_marketplace_call_queued_after_it() {
    use ordertray_core::{OutboxState, TriageAction};
    let w = common::world().await;
    let crm = FakeRetailCrm::start(FakeRetailCrmConfig::new(KEY, SITE))
        .await
        .unwrap();
    let target = w
        .engine
        .add_account(
            target_draft(&crm.base_url(), TransferRules::default()),
            HashMap::from([(API_KEY.to_string(), KEY.to_string())]),
        )
        .await
        .unwrap()
        .id;
    // Sixty orders to the CRM (six seconds at its pace), then the manager accepts an Ozon posting.
    let mut ids = Vec::new();
    for n in 1..=60 {
        let order = draft(&format!("Q-{n:02}"), "q@example.com");
        ids.push(w.engine.create_shop_order(order).await.unwrap().id);
    }
    w.engine.send_to_target(target, &ids, false).await.unwrap();
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = common::inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // One pass of the worker: the ship call goes in it, beside the CRM's first rows.
    let report = w.engine.drain_outbox_once().await.unwrap();
    assert!(report.more, "more of the CRM's rows are due");
    let ozon = w.engine.outbox_list(Some(w.account)).await.unwrap();
    assert_eq!(
        ozon.iter()
            .map(|r| (r.kind.as_str(), r.state))
            .collect::<Vec<_>>(),
        [("ship", OutboxState::Done)]
    );
    let sent = crm.orders().len();
    assert!((1..60).contains(&sent), "the CRM's rows went at its pace: {sent}");
}

/// A target's "send on a status" rule also sends an order whose status came from its marketplace
/// lines (a line status set in the inbox), not only one moved by hand: such a change left the
/// order's change time alone, where the rule looks.
#[tokio::test]
async fn a_status_reached_through_the_marketplace_lines_sends_the_order_by_the_targets_rule() {
    use ordertray_core::TriageAction;
    let w = common::world().await;
    let crm = FakeRetailCrm::start(FakeRetailCrmConfig::new(KEY, SITE))
        .await
        .unwrap();
    let confirmed = w
        .engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some("confirmed"))
        .unwrap()
        .id;
    let rules = TransferRules {
        send_on_status: Some(confirmed),
        ..Default::default()
    };
    w.engine
        .add_account(
            target_draft(&crm.base_url(), rules),
            HashMap::from([(API_KEY.to_string(), KEY.to_string())]),
        )
        .await
        .unwrap();
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = common::inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    drain(&w.engine).await;
    assert!(crm.orders().is_empty(), "not confirmed yet");

    w.engine.set_line_status(&[line], confirmed).await.unwrap();
    drain(&w.engine).await;
    assert_eq!(crm.orders().len(), 1, "{:?}", crm.orders());
}

/// A sending whose target's key cannot be read yet (the app started before the keychain answers)
/// waits and goes once it reads; it marked the order refused by the target and was never retried.
#[tokio::test]
async fn a_sending_waits_while_the_keychain_cannot_be_read() {
    let World {
        _dir,
        db,
        secrets,
        engine,
        crm,
        target,
    } = world().await;
    let order = engine
        .create_shop_order(draft("K-1", "k@example.com"))
        .await
        .unwrap();
    engine.send_to_target(target, &[order.id], false).await.unwrap();
    engine.shutdown().await;

    let (keychain, engine) = common::open_locked(&db, secrets).await;
    let report = engine.drain_outbox_once().await.unwrap();
    assert_eq!((report.failed, report.retry_scheduled), (0, 1), "{report:?}");
    let t = &engine.transfer_status(&[order.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Pending, "{t:?}");
    assert_ne!(
        status_code(&engine, order.id).await.as_deref(),
        Some("problematic")
    );
    assert!(crm.orders().is_empty());

    keychain.locked.store(false, std::sync::atomic::Ordering::SeqCst);
    let next = engine.outbox_list(None).await.unwrap()[0]
        .next_attempt_at
        .expect("a retry time");
    assert_eq!(engine.drain_outbox_at(next).await.unwrap().delivered, 1);
    assert_eq!(crm.orders().len(), 1);
    let t = &engine.transfer_status(&[order.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred);
}

/// A sending that outlasts its lease (the CRM's limit waited out call after call) keeps its lease
/// alive: another process draining the same database beside it (the CLI beside the app) never
/// takes the row over and sends the order a second time.
#[tokio::test]
async fn a_sending_longer_than_its_lease_is_not_taken_over_by_another_process() {
    let World {
        _dir,
        db,
        secrets,
        engine,
        crm,
        target,
    } = world().await;
    let other = open(&db, secrets, RecordingNotifier::default()).await;
    let lease = std::time::Duration::from_secs(3);
    engine.set_outbox_lease(lease);
    other.set_outbox_lease(lease);
    let order = engine
        .create_shop_order(draft("S-1", "s@example.com"))
        .await
        .unwrap();
    // Four "busy" answers, a second's wait each (and the pace slowed after each): the create
    // takes several times the lease.
    for _ in 0..4 {
        crm.push_fault_on(
            ORDERS_CREATE_PATH,
            Fault::RateLimited {
                retry_after_secs: None,
            },
        );
    }
    engine.send_to_target(target, &[order.id], false).await.unwrap();
    let started = std::time::Instant::now();
    let sending = tokio::spawn({
        let engine = engine.clone();
        async move { engine.drain_outbox_once().await.unwrap() }
    });
    common::within("the first busy answer", async {
        while crm.stats().rate_limited == 0 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
    common::within("the sending", async {
        while !sending.is_finished() {
            let r = other.drain_outbox_once().await.unwrap();
            assert_eq!(
                r.delivered + r.failed + r.retry_scheduled,
                0,
                "the other process took over a sending under way: {r:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(started.elapsed() > lease, "the sending outlasted its lease");
    assert_eq!(sending.await.unwrap().delivered, 1);
    assert_eq!(crm.orders().len(), 1);
    let t = &engine.transfer_status(&[order.id], None).await.unwrap()[0];
    assert_eq!(t.transfer.state, TransferState::Transferred);
}
