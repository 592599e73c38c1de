//! The outbox when several processes share one database (the app and a CLI command beside it):
//! real HTTP to the fake Ozon, one SQLite file, two engines.

mod common;

use std::future::Future;
use std::time::Duration;

use common::*;
use ordertray_core::{OutboxState, TriageAction};
use ordertray_engine::RecordingNotifier;

const SHIP: &str = "/v4/posting/fbs/ship";

/// Waits for `f`, failing the test after a generous deadline instead of hanging.
async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

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
