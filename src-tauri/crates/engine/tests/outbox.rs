//! The outbox when several processes share one database (the app and a CLI command beside it):
//! real HTTP to the fake Ozon, one SQLite file, two engines.

mod common;

use chrono::Utc;
use common::*;
use ordertray_core::{EngineEvent, OutboxState, SyncOutcome, TriageAction};
use ordertray_engine::RecordingNotifier;
use ordertray_fakes::ozon::Fault;

const SHIP: &str = "/v4/posting/fbs/ship";
const LIST: &str = "/v4/posting/fbs/unfulfilled/list";
const GET: &str = "/v3/posting/fbs/get";

#[tokio::test]
async fn a_second_engine_never_resends_a_call_the_first_is_making() {
    let w = world().await;
    let numbers = w.fake.generate_postings(2, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let first = lines_of(&inbox(&w.engine).await, &numbers[0])[0].line.id;
    w.engine.triage(&[first], TriageAction::Accept).await.unwrap();

    // Engine A (the running app) is delivering the ship call, which Ozon answers slowly.
    let held = w.fake.hold_next(SHIP);
    let a = w.engine.clone();
    let delivering = tokio::spawn(async move { a.drain_outbox_once().await });
    within("A's ship call to reach Ozon", held.arrived()).await;

    // Engine B (a CLI command) starts on the same database meanwhile, syncs, decides and drains.
    let b = open(&w.db, w.secrets.clone(), RecordingNotifier::default()).await;
    b.sync_account(w.account).await.unwrap();
    let second = lines_of(&inbox(&b).await, &numbers[1])[0].line.id;
    b.triage(&[second], TriageAction::Accept).await.unwrap();
    let report = b.drain_outbox_once().await.unwrap();
    assert_eq!(
        (report.delivered, report.failed),
        (1, 0),
        "B delivers its own call and leaves A's alone"
    );

    held.release();
    let report = within("A's delivery", delivering).await.unwrap().unwrap();
    assert_eq!((report.delivered, report.failed), (1, 0));

    let ships = calls(&w.fake, SHIP);
    for number in &numbers {
        assert_eq!(
            ships
                .iter()
                .filter(|c| c["posting_number"] == number.as_str())
                .count(),
            1,
            "{number} shipped exactly once: {ships:?}"
        );
    }
    let rows = b.outbox_list(None).await.unwrap();
    assert!(rows.iter().all(|r| r.state == OutboxState::Done), "{rows:?}");
}

/// A ship whose answer was lost is not sent again while the marketplace cannot be asked whether
/// it went through (found by the fault suite: the second ship was refused and the delivered
/// decision parked as failed).
#[tokio::test]
async fn a_retry_waits_when_the_look_before_it_fails() {
    let w = world().await;
    let numbers = w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // The ship reaches Ozon but its answer is cut off: a retry is scheduled.
    w.fake.push_fault_on(SHIP, Fault::TruncatedJson);
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().retry_scheduled, 1);
    assert_eq!(w.fake.posting(&numbers[0]).unwrap()["status"], "awaiting_deliver");

    // The look before the retry fails: no second ship, another retry.
    w.fake.push_fault_on(GET, Fault::ServerError(503));
    let next = w.engine.outbox_list(None).await.unwrap()[0]
        .next_attempt_at
        .unwrap();
    let report = w.engine.drain_outbox_at(next).await.unwrap();
    assert_eq!((report.retry_scheduled, report.failed), (1, 0));
    assert_eq!(calls(&w.fake, SHIP).len(), 1, "no second ship without knowing");

    // The next look sees the posting shipped: done, still one ship.
    let next = w.engine.outbox_list(None).await.unwrap()[0]
        .next_attempt_at
        .unwrap();
    assert_eq!(w.engine.drain_outbox_at(next).await.unwrap().delivered, 1);
    assert_eq!(calls(&w.fake, SHIP).len(), 1);
    let row = &w.engine.outbox_list(None).await.unwrap()[0];
    assert_eq!(row.state, OutboxState::Done);
}

/// The manager's Retry on a row parked as failed still looks before calling: the parked row's
/// first ship may have gone through (found by the fault suite: the manager's Retry sent a second
/// ship, which Ozon refused).
#[tokio::test]
async fn a_manager_retry_looks_before_calling_again() {
    let w = world().await;
    let numbers = w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // The ship reaches Ozon but its answer is cut off; every look after it fails until the row
    // runs out of attempts and is parked.
    w.fake.push_fault_on(SHIP, Fault::TruncatedJson);
    for _ in 1..ordertray_engine::MAX_ATTEMPTS {
        w.fake.push_fault_on(GET, Fault::ServerError(503));
    }
    let mut at = Utc::now();
    loop {
        let report = w.engine.drain_outbox_at(at).await.unwrap();
        if report.failed == 1 {
            break;
        }
        assert_eq!(report.retry_scheduled, 1, "{report:?}");
        at = w.engine.outbox_list(None).await.unwrap()[0]
            .next_attempt_at
            .unwrap();
    }
    assert_eq!(calls(&w.fake, SHIP).len(), 1);
    assert_eq!(w.fake.posting(&numbers[0]).unwrap()["status"], "awaiting_deliver");

    // The manager presses Retry: the worker asks Ozon, sees the posting shipped, and is done.
    let row = w.engine.outbox_list(None).await.unwrap()[0].id;
    w.engine.retry_outbox(row).await.unwrap();
    let report = w.engine.drain_outbox_once().await.unwrap();
    assert_eq!((report.delivered, report.failed), (1, 0), "{report:?}");
    assert_eq!(
        calls(&w.fake, SHIP).len(),
        1,
        "no second ship after the manager's Retry"
    );
    let row = &w.engine.outbox_list(None).await.unwrap()[0];
    assert_eq!(row.state, OutboxState::Done);
}

/// A year and more than a DateTime can hold: neither may stop delivery or polling, or panic.
const ABSURD: u64 = 9_000_000_000_000;
const CAP: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

#[tokio::test]
async fn an_absurd_retry_after_is_capped_for_delivery_and_polling() {
    let w = world().await;
    let numbers = w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // Delivery: the 429 schedules a retry at most 15 minutes ahead, shown in the health.
    w.fake.push_fault_on(
        SHIP,
        Fault::RateLimited {
            retry_after_secs: Some(ABSURD),
        },
    );
    let before = Utc::now();
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().retry_scheduled, 1);
    let row = &w.engine.outbox_list(None).await.unwrap()[0];
    let next = row.next_attempt_at.expect("a retry time");
    assert!(next <= Utc::now() + CAP && next >= before + CAP, "{next}");
    let health = &w.engine.list_accounts().await.unwrap()[0].health;
    let wait = health.server_wait_until.expect("the server's wait is shown");
    assert!(wait <= Utc::now() + CAP, "{wait}");
    let report = w.engine.drain_outbox_at(next).await.unwrap();
    assert_eq!(report.delivered, 1, "delivered once the capped wait is over");
    assert_eq!(calls(&w.fake, SHIP).len(), 2);
    assert_eq!(w.fake.posting(&numbers[0]).unwrap()["status"], "awaiting_deliver");

    // Polling: the poller survives the same answer and plans its next poll within the cap.
    let mut events = w.engine.subscribe();
    w.fake.push_fault_on(
        LIST,
        Fault::RateLimited {
            retry_after_secs: Some(ABSURD),
        },
    );
    let polled_at = Utc::now();
    w.engine.start_background().await.unwrap();
    let health = within("the poller to plan its next poll after the 429", async {
        loop {
            if let Ok(EngineEvent::AccountHealth { .. }) | Err(_) = events.recv().await {
                let h = w.engine.list_accounts().await.unwrap().remove(0).health;
                if h.last_outcome == Some(SyncOutcome::Error) && h.next_poll_at > Some(polled_at) {
                    return h;
                }
            }
        }
    })
    .await;
    let next_poll = health.next_poll_at.unwrap();
    assert!(
        next_poll <= Utc::now() + CAP + chrono::TimeDelta::minutes(1),
        "{next_poll}"
    );
    assert!(health.server_wait_until.unwrap() <= Utc::now() + CAP);
    w.engine.shutdown().await;
}

#[tokio::test]
async fn a_delivery_stage_told_again_after_the_order_went_back_is_queued_again() {
    use ordertray_core::templates::{PushLevel, PushTemplates, StatusPush};
    let w = world().await;
    let all = w.engine.shop_statuses().await.unwrap();
    let status = |code: &str| all.iter().find(|s| s.code.as_deref() == Some(code)).unwrap().id;
    let (in_stock, shipped) = (status("in_stock"), status("shipped"));
    let pushes = vec![StatusPush {
        status_id: shipped,
        level: PushLevel::Order,
        marketplace_status: "delivering".into(),
        comment: String::new(),
    }];
    let templates = PushTemplates {
        pushes,
        ..Default::default()
    };
    w.engine.save_push_settings(w.account, &templates).await.unwrap();
    let posting = ordertray_fakes::ozon::realfbs_posting(7, 1, Utc::now());
    let number = posting["posting_number"].as_str().unwrap().to_string();
    w.fake.add_posting(posting);
    w.engine.sync_account(w.account).await.unwrap();
    let lines: Vec<i64> = lines_of(&inbox(&w.engine).await, &number)
        .iter()
        .map(|l| l.line.id)
        .collect();
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();

    let queued = |r: ordertray_core::statuses::StatusChangeReport| r.outbox_rows.len();
    let set = |id| w.engine.set_line_status(&lines, id);
    assert_eq!(queued(set(shipped).await.unwrap()), 1);
    assert_eq!(
        queued(set(shipped).await.unwrap()),
        0,
        "already there: nothing new to tell"
    );
    assert_eq!(queued(set(in_stock).await.unwrap()), 0);
    assert_eq!(
        queued(set(shipped).await.unwrap()),
        1,
        "shipped again after going back: a decision of its own"
    );
}

/// A decision whose call finds the keychain unreadable waits and goes out once it reads again;
/// it was parked as failed at once, for the manager to retry by hand.
#[tokio::test]
async fn a_call_waits_while_the_keychain_cannot_be_read() {
    let w = world().await;
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // The app started again, before the keychain answers.
    w.engine.shutdown().await;
    let (keychain, engine) = common::open_locked(&w.db, w.secrets.clone()).await;
    let report = engine.drain_outbox_once().await.unwrap();
    assert_eq!((report.failed, report.retry_scheduled), (0, 1), "{report:?}");
    let row = &engine.outbox_list(None).await.unwrap()[0];
    assert_eq!(row.state, OutboxState::Pending);
    assert!(calls(&w.fake, SHIP).is_empty());

    keychain.locked.store(false, std::sync::atomic::Ordering::SeqCst);
    let next = row.next_attempt_at.expect("a retry time");
    assert_eq!(engine.drain_outbox_at(next).await.unwrap().delivered, 1);
    assert_eq!(calls(&w.fake, SHIP).len(), 1);
}
