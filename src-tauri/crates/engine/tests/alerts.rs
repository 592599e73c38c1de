//! Announcements as the manager configured them: channels per kind, quiet hours, coalescing,
//! failing syncs announced once per streak, rule rejections.

mod common;

use std::time::Duration;

use common::*;
use ordertray_core::alerts::{AlertArgs, AlertKind, Channels, QuietHours};
use ordertray_core::rules::{Rule, RuleAction, RuleSet};
use ordertray_core::{EngineEvent, TriageAction};
use ordertray_engine::RecordingNotifier;
use ordertray_fakes::ozon::Fault;
use tokio::sync::broadcast::Receiver;

/// A banner as the UI receives it: a code, a count and plain arguments, never a sentence.
#[derive(Debug)]
struct Banner {
    kind: AlertKind,
    count: u32,
    args: AlertArgs,
    order_id: Option<i64>,
}

fn banners(rx: &mut Receiver<EngineEvent>) -> Vec<Banner> {
    let mut out = vec![];
    while let Ok(e) = rx.try_recv() {
        if let EngineEvent::Alert {
            kind,
            count,
            args,
            order_id,
        } = e
        {
            out.push(Banner {
                kind,
                count,
                args: *args,
                order_id,
            });
        }
    }
    out
}

async fn set_alerts(w: &World, change: impl FnOnce(&mut ordertray_core::alerts::AlertSettings)) {
    let mut s = w.engine.settings().await.unwrap();
    change(&mut s.alerts);
    w.engine.save_settings(s).await.unwrap();
}

/// A failing sync announced at its first failure, each popup shown at once (no coalescing).
async fn failures_announced_at_once(w: &World) {
    set_alerts(w, |a| {
        a.sync_failing_minutes = 0;
        a.coalesce_seconds = 0;
    })
    .await;
}

#[tokio::test]
async fn channels_quiet_hours_and_coalescing() {
    let w = world().await;
    let mut rx = w.engine.subscribe();
    set_alerts(&w, |a| a.coalesce_seconds = 1).await;

    let first = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1);
    assert!(popups[0].body.contains(&first) && popups[0].sound, "{popups:?}");
    let b = banners(&mut rx);
    assert_eq!(b.len(), 1, "the banner goes with the popup");
    assert_eq!((b[0].kind, b[0].count), (AlertKind::NewOrder, 1));
    assert_eq!(
        b[0].args,
        AlertArgs {
            marketplace: "Ozon".into(),
            account: "Shop A".into(),
            number: first.clone(),
            ..Default::default()
        },
        "the banner names its order with plain values for the UI to word"
    );
    assert!(b[0].order_id.is_some());

    // A second order within the window is held, then shown as one popup when the window ends.
    let second = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(w.notes.taken().is_empty(), "held");
    w.engine.flush_alerts().await;
    assert!(w.notes.taken().is_empty(), "still within the window");
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    w.engine.flush_alerts().await;
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1);
    assert!(popups[0].body.contains(&second), "{}", popups[0].body);
    banners(&mut rx);

    // Quiet hours all day: banners only.
    set_alerts(&w, |a| {
        a.quiet_hours = Some(QuietHours {
            from: "00:00".into(),
            to: "23:59".into(),
        })
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let third = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(w.notes.taken().is_empty(), "no popup in quiet hours");
    let b = banners(&mut rx);
    assert!(
        b.iter()
            .any(|b| b.kind == AlertKind::NewOrder && b.args.number == third),
        "{b:?}"
    );

    // New orders switched to nothing at all.
    set_alerts(&w, |a| {
        a.quiet_hours = None;
        a.new_order = Channels {
            popup: false,
            sound: false,
            in_app: false,
        };
    })
    .await;
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(w.notes.taken().is_empty());
    assert!(banners(&mut rx).is_empty());
}

/// A process about to end (the command line's run) shows what it still held back for the
/// coalescing window: nobody else will announce those orders.
#[tokio::test]
async fn popups_held_back_are_shown_before_the_process_ends() {
    let w = world().await;
    set_alerts(&w, |a| a.coalesce_seconds = 3_600).await;
    let first = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let popups = notifications(&w.notes).await;
    assert!(popups.len() == 1 && popups[0].body.contains(&first), "{popups:?}");

    let second = w.fake.generate_postings(2, 1);
    w.engine.sync_account(w.account).await.unwrap();
    w.engine.flush_alerts().await;
    assert!(w.notes.taken().is_empty(), "held within the hour");
    w.engine.show_held_alerts_now().await;
    // It waited for the popup to be shown: nothing to wait for here.
    let popups = w.notes.taken();
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(
        popups[0].body.contains(&second[0]) && popups[0].body.starts_with("2 new orders"),
        "the held burst, counted: {}",
        popups[0].body
    );
}

#[tokio::test]
async fn a_failing_sync_is_announced_once_per_streak() {
    let w = world().await;
    failures_announced_at_once(&w).await;
    for _ in 0..2 {
        w.fake.push_fault(Fault::ServerError(500));
        assert!(w.engine.sync_account(w.account).await.is_err());
    }
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1, "once per streak: {popups:?}");
    assert!(
        popups[0].body.contains("sync has been failing"),
        "{}",
        popups[0].body
    );

    w.engine.sync_account(w.account).await.unwrap();
    w.fake.push_fault(Fault::ServerError(500));
    assert!(w.engine.sync_account(w.account).await.is_err());
    assert_eq!(
        notifications(&w.notes).await.len(),
        1,
        "a new streak is announced again"
    );
}

/// The app started again, or the command line run by cron beside it: a streak already announced
/// is not announced again by another process over the same database.
#[tokio::test]
async fn a_failing_streak_is_announced_once_whichever_process_syncs() {
    let w = world().await;
    failures_announced_at_once(&w).await;
    w.fake.push_fault(Fault::ServerError(500));
    assert!(w.engine.sync_account(w.account).await.is_err());
    assert_eq!(notifications(&w.notes).await.len(), 1, "announced");

    let other_notes = RecordingNotifier::default();
    let other = open(&w.db, w.secrets.clone(), other_notes.clone()).await;
    w.fake.push_fault(Fault::ServerError(500));
    assert!(other.sync_account(w.account).await.is_err());
    w.fake.push_fault(Fault::ServerError(500));
    assert!(w.engine.sync_account(w.account).await.is_err());
    // Both engines' popups go through their own notifier; give them the same time as the first.
    assert!(
        notifications(&other_notes).await.is_empty(),
        "the same streak, not again"
    );
    assert!(w.notes.taken().is_empty());

    // A run that works ends the streak: the next one is announced, by whoever fails first.
    other.sync_account(w.account).await.unwrap();
    w.fake.push_fault(Fault::ServerError(500));
    assert!(other.sync_account(w.account).await.is_err());
    assert_eq!(notifications(&other_notes).await.len(), 1, "a new streak");
    other.shutdown().await;
}

/// Popups that only reach a log, as the command line's with no desktop session do.
struct LogOnly(RecordingNotifier);

impl ordertray_engine::Notifier for LogOnly {
    fn notify(&self, n: &ordertray_engine::Notification) -> Result<(), String> {
        ordertray_engine::Notifier::notify(&self.0, n)
    }

    fn reaches_manager(&self) -> bool {
        false
    }
}

/// A process whose popups reach nobody (the command line on a server, a cron job without the
/// desktop's bus) does not use up the streak's one announcement: the app beside it still shows it.
#[tokio::test]
async fn a_failing_streak_is_left_to_a_process_that_can_show_it() {
    let w = world().await;
    failures_announced_at_once(&w).await;
    let logged = RecordingNotifier::default();
    let headless = ordertray_engine::Engine::open(ordertray_engine::EngineOptions {
        notifier: std::sync::Arc::new(LogOnly(logged.clone())),
        ..options(&w.db, w.secrets.clone())
    })
    .await
    .unwrap();
    w.fake.push_fault(Fault::ServerError(500));
    assert!(headless.sync_account(w.account).await.is_err());
    assert!(
        notifications(&logged).await.is_empty(),
        "nothing said where nobody sees it"
    );

    w.fake.push_fault(Fault::ServerError(500));
    assert!(w.engine.sync_account(w.account).await.is_err());
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1, "the app announces the streak: {popups:?}");
    assert!(
        popups[0].body.contains("sync has been failing"),
        "{}",
        popups[0].body
    );
    headless.shutdown().await;
}

/// The unread badge's count is sent beside each decision (not awaited by it), and still follows
/// it: after two decisions the count of the one line left comes.
#[tokio::test]
async fn the_unread_badge_follows_each_decision() {
    let w = world().await;
    w.fake.generate_postings(3, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let lines = inbox(&w.engine).await;
    assert_eq!(lines.len(), 3);
    let mut rx = w.engine.subscribe();
    w.engine
        .triage(&[lines[0].line.id], TriageAction::Accept)
        .await
        .unwrap();
    w.engine
        .triage(&[lines[1].line.id], TriageAction::Reject)
        .await
        .unwrap();
    within("the badge's count of the line left", async {
        loop {
            if let Ok(EngineEvent::UnreadCount { count: 1 }) = rx.recv().await {
                break;
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_popup_about_a_failing_sync_is_all_in_the_managers_language() {
    let w = world().await;
    w.engine.set_lang(ordertray_core::notify_text::Lang::Ru);
    failures_announced_at_once(&w).await;
    w.fake.push_fault(Fault::ServerError(500));
    let error = w.engine.sync_account(w.account).await.unwrap_err();
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1, "{popups:?}");
    let body = &popups[0].body;
    assert!(
        body.contains("синхронизация не удаётся уже давно — маркетплейс ответил ошибкой"),
        "{body}"
    );
    // The error's English message stays in the window and the log, not in a Russian popup.
    assert!(!body.contains(&error.message), "{body}");
}

#[tokio::test]
async fn a_rule_rejecting_lines_says_so_in_the_window() {
    let w = world().await;
    let mut rx = w.engine.subscribe();
    w.engine
        .save_rule_set(&RuleSet {
            account_id: w.account,
            enabled: true,
            rules: vec![Rule {
                id: 0,
                name: "Не работаем".into(),
                enabled: true,
                conditions: vec![],
                action: RuleAction::Reject {
                    reason_id: None,
                    message: None,
                },
            }],
        })
        .await
        .unwrap();
    let number = w.fake.generate_postings(1, 2).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let b = banners(&mut rx);
    let rejected: Vec<&Banner> = b.iter().filter(|b| b.kind == AlertKind::RuleRejected).collect();
    assert_eq!(rejected.len(), 1, "{b:?}");
    // The rule's name, the first order and how many lines: the UI words them.
    assert_eq!(rejected[0].count, 2);
    assert_eq!(
        rejected[0].args,
        AlertArgs {
            marketplace: "Ozon".into(),
            account: "Shop A".into(),
            number: number.clone(),
            detail: "Не работаем".into(),
            error: None,
            effect: None,
        }
    );
    // Rule rejections are banner-only unless the manager asks for popups.
    let popups = notifications(&w.notes).await;
    assert!(
        popups.iter().all(|p| !p.body.contains("Не работаем")),
        "{popups:?}"
    );
}

#[tokio::test]
async fn a_failed_update_banner_carries_the_call_that_failed() {
    let w = world().await;
    let mut rx = w.engine.subscribe();
    let number = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();
    banners(&mut rx);

    // Refused outright (a revoked key): parked as failed at once, and announced.
    use ordertray_engine::SecretStore;
    w.secrets
        .set(&w.api_key_entry(), &ordertray_core::Secret::new("revoked"))
        .unwrap();
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().failed, 1);
    let b = banners(&mut rx);
    let failed: Vec<&Banner> = b.iter().filter(|b| b.kind == AlertKind::PushFailed).collect();
    assert_eq!(failed.len(), 1, "{b:?}");
    let args = &failed[0].args;
    assert_eq!((failed[0].count, args.account.as_str()), (1, "Shop A"));
    assert_eq!(args.number, number);
    assert!(!args.detail.is_empty(), "the error: {args:?}");
    let effect = args.effect.as_ref().expect("the call that failed");
    assert_eq!(
        (effect.effect.as_str(), effect.order.as_str()),
        ("ship", number.as_str())
    );
    // The popup is still worded by the engine, in the app's language. Popups are shown off the
    // delivery path, after the new order's own popup: wait for this one, with a deadline.
    let mut seen = vec![];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while !seen.iter().any(|n: &ordertray_engine::Notification| {
        n.body.contains("could not send") && n.body.contains(&number)
    }) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no failed-update popup: {seen:?}"
        );
        seen.extend(w.notes.taken());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
