//! Retention periods are the manager's setting: the pass prunes by what was saved, an
//! out-of-range period is refused, and settings stored before the periods existed keep 90 days.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use ordertray_core::{AppSettings, ErrorCode, ErrorWords, RetentionSettings, SyncReport, TriageAction};
use ordertray_store::retention::Pruned;
use ordertray_store::{format_ts, NewIntakeRequest};

async fn count(w: &World, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(w.engine.store().pool())
        .await
        .unwrap()
}

/// Row `id` of `table` was last touched `at` (the column the pass reads).
async fn date_back(w: &World, table: &str, column: &str, id: i64, at: DateTime<Utc>) {
    sqlx::query(&format!("UPDATE {table} SET {column} = ? WHERE id = ?"))
        .bind(format_ts(at))
        .bind(id)
        .execute(w.engine.store().pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn the_pass_prunes_by_the_saved_periods_not_the_defaults() {
    let w = world().await;
    let store = w.engine.store();
    let now = Utc::now();
    let days = |n: i64| now - Duration::days(n);

    // Two delivered ship calls (one posting each, accepted and sent).
    w.fake.generate_postings(2, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let lines: Vec<i64> = inbox(&w.engine).await.iter().map(|l| l.line.id).collect();
    w.engine.triage(&lines, TriageAction::Accept).await.unwrap();
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().delivered, 2);
    let done: Vec<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE state = 'done' ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(done.len(), 2);
    date_back(&w, "outbox", "updated_at", done[0], days(10)).await;
    date_back(&w, "outbox", "updated_at", done[1], days(3)).await;

    // Sync runs, intake requests and account notices 3, 10, 100 and 200 days old.
    let ages = [3, 10, 100, 200];
    let report = SyncReport {
        account_id: w.account,
        ..Default::default()
    };
    for age in ages {
        let run = store
            .start_sync_run(
                w.account,
                &ordertray_store::Lease {
                    owner: "test",
                    until: days(age),
                },
                days(age),
            )
            .await
            .unwrap();
        store
            .finish_sync_run(run, &report, None, days(age))
            .await
            .unwrap();
        store
            .log_intake_request(&NewIntakeRequest {
                account_id: Some(w.account),
                received_at: days(age),
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
        let notice = ordertray_core::timeline::TimelineEvent::TaskRestarted {
            task: "sync".into(),
            error: format!("failed {age} days ago"),
        };
        store
            .event(Some(w.account), None, None, "engine", &notice)
            .await
            .unwrap();
        sqlx::query("UPDATE events SET at = ? WHERE message = ?")
            .bind(format_ts(days(age)))
            .bind(notice.english())
            .execute(store.pool())
            .await
            .unwrap();
    }
    // The orders' own timelines (arrival, acceptance, the ship call) are older than any period.
    sqlx::query("UPDATE events SET at = ? WHERE order_id IS NOT NULL")
        .bind(format_ts(days(400)))
        .execute(store.pool())
        .await
        .unwrap();
    let timeline = count(&w, "SELECT COUNT(*) FROM events WHERE order_id IS NOT NULL").await;
    assert!(timeline >= 2, "each order has a timeline");

    // Shorter than the default for calls, runs and notices; longer for intake requests.
    let saved = w
        .engine
        .save_settings(AppSettings {
            retention: RetentionSettings {
                done_outbox_days: 7,
                sync_runs_days: 7,
                intake_requests_days: 365,
                account_events_days: 150,
            },
            ..w.engine.settings().await.unwrap()
        })
        .await
        .unwrap();
    assert_eq!(saved.retention.sync_runs_days, 7);

    let pruned = w.engine.prune_old_rows(now).await.unwrap();
    // With the 90-day defaults it would have been outbox 0, sync runs 2, intake requests 2, events 2.
    assert_eq!(
        pruned,
        Pruned {
            outbox: 1,
            sync_runs: 3,
            intake_requests: 0,
            events: 1,
        }
    );
    let left: Vec<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE state = 'done'")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(left, vec![done[1]], "the call delivered 3 days ago stays");
    assert_eq!(store.intake_requests(Some(w.account), 50).await.unwrap().len(), 4);
    let notices: Vec<String> =
        sqlx::query_scalar("SELECT message FROM events WHERE kind = 'task_restarted' ORDER BY at DESC")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        notices,
        [
            "Background task «sync» failed (failed 3 days ago) and was restarted",
            "Background task «sync» failed (failed 10 days ago) and was restarted",
            "Background task «sync» failed (failed 100 days ago) and was restarted"
        ]
    );
    assert_eq!(
        count(&w, "SELECT COUNT(*) FROM events WHERE order_id IS NOT NULL").await,
        timeline,
        "an order's timeline is never pruned"
    );
    assert_eq!(count(&w, "SELECT COUNT(*) FROM orders").await, 2);
    assert_eq!(count(&w, "SELECT COUNT(*) FROM lines").await, 2);
    // Runs of the last week: the 3-day-old one and the sync above.
    let runs = count(&w, "SELECT COUNT(*) FROM sync_runs WHERE finished_at IS NOT NULL").await;
    assert_eq!(runs, 2);
}

#[tokio::test]
async fn a_period_out_of_range_is_refused_and_nothing_is_saved() {
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let before = engine.settings().await.unwrap();
    for days in [6, 0, 3651] {
        let e = engine
            .save_settings(AppSettings {
                move_customer_region: !before.move_customer_region,
                retention: RetentionSettings {
                    account_events_days: days,
                    ..before.retention
                },
                ..before.clone()
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(
            e.message,
            "Keeping account notices must be between 7 and 3650 days"
        );
        assert!(
            matches!(e.words.as_deref(), Some(ErrorWords::OutOfRange { field, .. }) if field == "account_events_days"),
            "the UI names the field in its language: {:?}",
            e.words
        );
    }
    assert_eq!(
        engine.settings().await.unwrap(),
        before,
        "not even the valid part"
    );
}

#[tokio::test]
async fn settings_stored_before_retention_periods_existed_keep_90_days() {
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    // The document a version without retention settings wrote.
    let old = r#"{"autostart":true,"autostart_decided":true,"close_to_tray":false,"tray_hint_shown":true,
        "sync_paused_until":null,"sync_paused":false,"move_customer_region":false,"export_presets":[]}"#;
    engine.store().set_setting("app", old).await.unwrap();
    let s = engine.settings().await.unwrap();
    assert!(
        s.autostart && !s.close_to_tray,
        "read, not replaced by the defaults"
    );
    assert_eq!(s.retention, RetentionSettings::default());
    assert_eq!(s.retention.done_outbox_days, 90);
    assert_eq!(
        (
            s.retention.sync_runs_days,
            s.retention.intake_requests_days,
            s.retention.account_events_days
        ),
        (90, 90, 90)
    );
}
