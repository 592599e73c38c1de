//! Announcements as the manager configured them: channels per kind, quiet hours, coalescing,
//! failing syncs announced once per streak, rule rejections.

mod common;

use std::time::Duration;

use common::*;
use ordertray_core::alerts::{AlertKind, Channels, QuietHours};
use ordertray_core::rules::{Rule, RuleAction, RuleSet};
use ordertray_core::EngineEvent;
use ordertray_fakes::ozon::Fault;
use tokio::sync::broadcast::Receiver;

fn banners(rx: &mut Receiver<EngineEvent>) -> Vec<(AlertKind, String)> {
    let mut out = vec![];
    while let Ok(e) = rx.try_recv() {
        if let EngineEvent::Alert { kind, text, .. } = e {
            out.push((kind, text));
        }
    }
    out
}

async fn set_alerts(w: &World, change: impl FnOnce(&mut ordertray_core::alerts::AlertSettings)) {
    let mut s = w.engine.settings().await.unwrap();
    change(&mut s.alerts);
    w.engine.save_settings(s).await.unwrap();
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
    assert_eq!(banners(&mut rx).len(), 1, "the banner goes with the popup");

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
            .any(|(k, t)| *k == AlertKind::NewOrder && t.contains(&third)),
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

#[tokio::test]
async fn a_failing_sync_is_announced_once_per_streak() {
    let w = world().await;
    set_alerts(&w, |a| {
        a.sync_failing_minutes = 0;
        a.coalesce_seconds = 0;
    })
    .await;
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
    let rejected: Vec<&String> = b
        .iter()
        .filter(|(k, _)| *k == AlertKind::RuleRejected)
        .map(|(_, t)| t)
        .collect();
    assert_eq!(rejected.len(), 1, "{b:?}");
    assert!(rejected[0].contains("«Не работаем» rejected 2 lines") && rejected[0].contains(&number));
    // Rule rejections are banner-only unless the manager asks for popups.
    let popups = notifications(&w.notes).await;
    assert!(
        popups.iter().all(|p| !p.body.contains("Не работаем")),
        "{popups:?}"
    );
}
