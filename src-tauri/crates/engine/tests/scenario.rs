//! The engine end to end against the fake Ozon over loopback HTTP, with a real SQLite file,
//! in-memory secrets and a recording notifier.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use ordertray_core::{AppSettings, ErrorCode, InboxLine, OutboxState, TriageAction};
use ordertray_engine::RecordingNotifier;
use ordertray_fakes::ozon::Fault;

#[tokio::test]
async fn poll_popup_accept_reject_and_the_marketplace_receives_each_call() {
    let w = world().await;
    let numbers = w.fake.generate_postings(2, 2);
    let (a, b) = (&numbers[0], &numbers[1]);

    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!((report.orders_new, report.lines_new), (2, 4));
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1, "one popup for the burst: {popups:?}");
    assert!(
        popups[0].body.starts_with("2 new orders — Ozon «Shop A»: "),
        "{}",
        popups[0].body
    );
    assert!(numbers.iter().any(|n| popups[0].body.contains(n.as_str())));
    assert_eq!(w.engine.app_info().await.unwrap().unread, 4);

    // A second poll with nothing new adds nothing and pops nothing.
    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(report.orders_new, 0);
    assert!(notifications(&w.notes).await.is_empty());

    // Accept both lines of A: the ship call carries both products.
    let inbox_now = inbox(&w.engine).await;
    let a_lines: Vec<i64> = lines_of(&inbox_now, a).iter().map(|l| l.line.id).collect();
    let r = w.engine.triage(&a_lines, TriageAction::Accept).await.unwrap();
    assert_eq!(r.outbox_rows.len(), 1);
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().delivered, 1);
    let ships = calls(&w.fake, "/v4/posting/fbs/ship");
    assert_eq!(ships.len(), 1);
    assert_eq!(ships[0]["posting_number"], a.as_str());
    let shipped: Vec<String> = ships[0]["packages"][0]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["product_id"].to_string())
        .collect();
    let skus: Vec<String> = lines_of(&inbox_now, a)
        .iter()
        .map(|l| l.line.sku.clone())
        .collect();
    assert_eq!(shipped, skus);

    // Reject one line of B: product cancel with the account's reason.
    let b_lines: Vec<&InboxLine> = lines_of(&inbox_now, b);
    w.engine
        .triage(&[b_lines[0].line.id], TriageAction::Reject)
        .await
        .unwrap();
    w.engine.drain_outbox_once().await.unwrap();
    let cancels = calls(&w.fake, "/v2/posting/fbs/product/cancel");
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0]["posting_number"], b.as_str());
    assert_eq!(cancels[0]["cancel_reason_id"], 352);
    assert_eq!(cancels[0]["items"][0]["sku"].to_string(), b_lines[0].line.sku);

    // Reject the last line of B: every line rejected, so the posting is cancelled.
    w.engine
        .triage(&[b_lines[1].line.id], TriageAction::Reject)
        .await
        .unwrap();
    w.engine.drain_outbox_once().await.unwrap();
    let posting_cancels = calls(&w.fake, "/v2/posting/fbs/cancel");
    assert_eq!(posting_cancels.len(), 1);
    assert_eq!(posting_cancels[0]["posting_number"], b.as_str());

    // Everything delivered exactly once; the timeline tells the story.
    let outbox = w.engine.outbox_list(None).await.unwrap();
    assert!(outbox.iter().all(|o| o.state == OutboxState::Done), "{outbox:?}");
    let detail = w
        .engine
        .order_detail(lines_of(&inbox_now, a)[0].order_id)
        .await
        .unwrap();
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["arrived", "accept", "accept", "outbox_queued", "outbox_done"]
    );
    assert_eq!(w.engine.app_info().await.unwrap().unread, 0);
}

#[tokio::test]
async fn the_api_key_never_reaches_the_database() {
    let w = world().await;
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    w.engine.store().close().await;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", w.db.display());
        if let Ok(bytes) = std::fs::read(&path) {
            let text = String::from_utf8_lossy(&bytes);
            assert!(!text.contains(API_KEY), "the Api-Key is in {path}");
        }
    }
    use ordertray_engine::SecretStore;
    assert_eq!(
        w.secrets.get(&w.api_key_entry()).unwrap().unwrap().expose(),
        API_KEY
    );
}

#[tokio::test]
async fn a_buyer_cancellation_updates_the_order_and_tells_the_manager() {
    let w = world().await;
    let numbers = w.fake.generate_postings(1, 2);
    w.engine.sync_account(w.account).await.unwrap();
    notifications(&w.notes).await;
    w.fake.set_status(&numbers[0], "cancelled");
    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(report.orders_changed, 1);
    let popups = notifications(&w.notes).await;
    assert!(
        popups
            .iter()
            .any(|n| n.body.contains("cancelled") && n.body.contains(numbers[0].as_str())),
        "{popups:?}"
    );
    let lines = inbox(&w.engine).await;
    assert!(lines.iter().all(|l| l.marketplace_cancelled));
    let err = w
        .engine
        .triage(&[lines[0].line.id], TriageAction::Accept)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidTransition);
    // Rejecting a cancelled posting's lines is local: Ozon already cancelled it.
    let ids: Vec<i64> = lines.iter().map(|l| l.line.id).collect();
    let r = w.engine.triage(&ids, TriageAction::Reject).await.unwrap();
    assert!(r.outbox_rows.is_empty());
}

#[tokio::test]
async fn sync_faults_are_reported_and_lose_nothing() {
    let w = world().await;
    w.fake.generate_postings(3, 1);

    w.fake.push_fault(Fault::RateLimited {
        retry_after_secs: Some(7),
    });
    let err = w.engine.sync_account(w.account).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::RateLimited);
    let h = &w.engine.list_accounts().await.unwrap()[0].health;
    assert!(
        h.last_error.as_deref().unwrap_or_default().contains("rate"),
        "{h:?}"
    );

    w.fake.push_fault(Fault::ServerError(503));
    assert_eq!(
        w.engine.sync_account(w.account).await.unwrap_err().code,
        ErrorCode::Marketplace
    );
    w.fake.push_fault(Fault::TruncatedJson);
    assert_eq!(
        w.engine.sync_account(w.account).await.unwrap_err().code,
        ErrorCode::Marketplace
    );
    assert!(inbox(&w.engine).await.is_empty());

    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(report.orders_new, 3);
    let h = &w.engine.list_accounts().await.unwrap()[0].health;
    assert!(h.last_error.is_none() && h.failing_since.is_none(), "{h:?}");
    assert!(!format!("{h:?}").contains(API_KEY));
}

#[tokio::test]
async fn wrong_credentials_are_a_clear_auth_error() {
    let w = world().await;
    let secret = HashMap::from([("api_key".to_string(), "wrong-key".to_string())]);
    let report = w
        .engine
        .test_connection(draft(&w.fake.base_url()), secret, None)
        .await
        .unwrap();
    assert!(!report.ok);
    assert!(!report.message.contains("wrong-key"), "{}", report.message);
    let good = w
        .engine
        .test_connection(draft(&w.fake.base_url()), HashMap::new(), Some(w.account))
        .await
        .unwrap();
    assert!(good.ok, "{}", good.message);
}

#[tokio::test]
async fn push_failures_retry_then_park_and_the_manager_can_retry() {
    let w = world().await;
    let numbers = w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // A 5xx schedules a retry; the row stays visible with its error.
    w.fake.push_fault(Fault::ServerError(500));
    let r = w.engine.drain_outbox_once().await.unwrap();
    assert_eq!(r.retry_scheduled, 1);
    let row = &w.engine.outbox_list(None).await.unwrap()[0];
    assert_eq!((row.state, row.attempts), (OutboxState::Pending, 1));
    assert!(row.last_error.as_deref().unwrap_or_default().contains("500"));

    // Refused outright (wrong key now): parked as failed at once, and shown in health.
    use ordertray_engine::SecretStore;
    w.secrets
        .set(&w.api_key_entry(), &ordertray_core::Secret::new("revoked"))
        .unwrap();
    let after_backoff = chrono::Utc::now() + chrono::Duration::hours(1);
    let r = w.engine.drain_outbox_at(after_backoff).await.unwrap();
    assert_eq!(r.failed, 1);
    assert_eq!(w.engine.list_accounts().await.unwrap()[0].health.outbox_failed, 1);
    assert!(notifications(&w.notes)
        .await
        .iter()
        .any(|n| n.body.contains("could not send")));

    // The manager fixes the key and presses Retry: delivered once.
    w.secrets
        .set(&w.api_key_entry(), &ordertray_core::Secret::new(API_KEY))
        .unwrap();
    w.engine.retry_outbox(row.id).await.unwrap();
    assert_eq!(w.engine.drain_outbox_once().await.unwrap().delivered, 1);
    let accepted: Vec<_> = w
        .fake
        .calls_to("/v4/posting/fbs/ship")
        .into_iter()
        .filter(|c| c.status == 200)
        .collect();
    assert_eq!(accepted.len(), 1, "one ship reached Ozon successfully");
    assert_eq!(accepted[0].body["posting_number"], numbers[0].as_str());
}

#[tokio::test]
async fn a_crash_between_the_call_and_its_commit_does_not_ship_twice() {
    let w = world().await;
    w.fake.generate_postings(1, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let line = inbox(&w.engine).await[0].line.id;
    let r = w.engine.triage(&[line], TriageAction::Accept).await.unwrap();

    // The worker claims the row and the call reaches Ozon, then the process dies.
    let now = chrono::Utc::now();
    let lease = ordertray_store::Lease {
        owner: "a process that crashed",
        until: now + chrono::Duration::from_std(w.engine.outbox_lease()).unwrap(),
    };
    let row = w
        .engine
        .store()
        .outbox_claim(r.outbox_rows[0], &lease, now)
        .await
        .unwrap()
        .unwrap();
    let account = w.engine.account(w.account).await.unwrap();
    let creds = ordertray_core::Credentials::default().with("api_key", API_KEY);
    let client = ordertray_connectors::connect(&account, creds, reqwest::Client::new());
    let effect: ordertray_core::Effect = serde_json::from_value(row.payload.clone()).unwrap();
    client.effect_sink().unwrap().push(&effect).await.unwrap();
    w.engine.shutdown().await;
    w.engine.store().close().await;

    // On restart the row is found in flight under the dead process's lease: left alone until the
    // lease expires, then taken over; the worker asks Ozon first and does not re-send.
    let engine = open(&w.db, w.secrets.clone(), w.notes.clone()).await;
    assert_eq!(engine.drain_outbox_once().await.unwrap().delivered, 0);
    let expired = lease.until + chrono::Duration::seconds(1);
    let report = engine.drain_outbox_at(expired).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(
        calls(&w.fake, "/v4/posting/fbs/ship").len(),
        1,
        "shipped exactly once"
    );
    let detail = engine.order_detail(row.order_id().unwrap()).await.unwrap();
    assert!(detail
        .events
        .iter()
        .any(|e| e.message.contains("Already done on the marketplace")));
}

#[tokio::test]
async fn secrets_and_accounts_go_together() {
    let w = world().await;
    use ordertray_engine::SecretStore;
    // A missing key is refused before anything is stored.
    let err = w
        .engine
        .add_account(draft("http://127.0.0.1:9"), HashMap::new())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    w.engine.delete_account(w.account).await.unwrap();
    assert!(
        w.secrets.get(&w.api_key_entry()).unwrap().is_none(),
        "the keychain entry is removed with the account"
    );
    assert!(w.engine.list_accounts().await.unwrap().is_empty());
}

/// The account list says whether an account's keys are there without asking the keychain each
/// time it is read (at start and after every poll): once found, a keychain that cannot be read
/// meanwhile does not make them look missing. A key deleted outside the app shows once a sync
/// finds it gone; a key saved is read again.
#[tokio::test]
async fn the_account_list_asks_the_keychain_for_an_accounts_keys_once() {
    use ordertray_engine::SecretStore;
    use std::sync::atomic::Ordering::SeqCst;
    let w = world().await;
    w.engine.shutdown().await;
    let (keychain, engine) = common::open_locked(&w.db, w.secrets.clone()).await;
    let keys_there = || async { engine.list_accounts().await.unwrap()[0].credentials_ok };
    assert!(
        !keys_there().await,
        "a keychain that cannot be read: not known to be there"
    );
    keychain.locked.store(false, SeqCst);
    assert!(keys_there().await);
    keychain.locked.store(true, SeqCst);
    assert!(keys_there().await, "found once: the keychain is not asked again");
    assert!(
        engine.sync_account(w.account).await.is_err(),
        "the keychain cannot answer"
    );
    assert!(
        keys_there().await,
        "a keychain that cannot answer says nothing about the keys"
    );

    keychain.locked.store(false, SeqCst);
    w.secrets.delete(&w.api_key_entry()).unwrap();
    assert!(engine.sync_account(w.account).await.is_err());
    assert!(!keys_there().await, "the sync found the key gone");

    let secret = HashMap::from([("api_key".to_string(), API_KEY.to_string())]);
    engine
        .update_account(w.account, draft(&w.fake.base_url()), secret)
        .await
        .unwrap();
    keychain.locked.store(true, SeqCst);
    assert!(
        !keys_there().await,
        "a key saved is read again, not taken as known"
    );
    keychain.locked.store(false, SeqCst);
    assert!(keys_there().await);
    engine.shutdown().await;
}

/// At start the accounts' keys are read in the background, so that the sidebar's first listing,
/// which the first screen waits for, does not ask the keychain for each in turn.
#[tokio::test]
async fn the_accounts_keys_are_read_at_start_before_the_list_asks() {
    use std::sync::atomic::Ordering::SeqCst;
    let w = world().await;
    // Paused: no poll reads its keys.
    w.engine.set_account_active(w.account, false).await.unwrap();
    w.engine.shutdown().await;
    let (keychain, engine) = common::open_locked(&w.db, w.secrets.clone()).await;
    keychain.locked.store(false, SeqCst);
    // The opening's reads (keys moved from their old names) are not the start's.
    let opened = keychain.read.lock().unwrap().len();
    engine.start_background().await.unwrap();
    let key = w.api_key_entry();
    within("the account's key read after the start", async {
        while !keychain.read.lock().unwrap()[opened..].contains(&key) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    // Locked now: only a key read before says it is there.
    keychain.locked.store(true, SeqCst);
    within("a listing that finds the key known", async {
        while !engine.list_accounts().await.unwrap()[0].credentials_ok {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    engine.shutdown().await;
}

#[tokio::test]
async fn the_demo_runs_the_whole_flow_survives_a_restart_and_is_removed_without_a_trace() {
    let (_dir, db, secrets, engine) = fresh_engine().await;

    let demo = engine.start_demo().await.unwrap();
    assert!(demo.demo);
    assert_eq!(
        engine.start_demo().await.unwrap().id,
        demo.id,
        "a second start reuses the demo"
    );
    engine.sync_account(demo.id).await.unwrap();
    let lines = inbox(&engine).await;
    assert!(!lines.is_empty(), "the simulated marketplace starts with orders");
    assert!(lines.iter().all(|l| l.demo));
    let first = &lines[0];
    let of_order: Vec<i64> = lines_of(&lines, &first.order_external_id)
        .iter()
        .map(|l| l.line.id)
        .collect();
    engine.triage(&of_order, TriageAction::Accept).await.unwrap();
    let report = engine.drain_outbox_once().await.unwrap();
    assert_eq!(
        report.delivered, 1,
        "the demo ship call reaches the simulated Ozon"
    );

    // A restart starts the simulated marketplace again (on a new port) and syncing goes on.
    drop(engine);
    let engine = open(&db, secrets.clone(), RecordingNotifier::default()).await;
    engine.start_background().await.unwrap();
    let restored = engine.list_accounts().await.unwrap();
    assert_eq!(restored.len(), 1);
    assert_ne!(
        restored[0].account.base_url, demo.base_url,
        "a fresh port after the restart"
    );
    engine.sync_account(demo.id).await.unwrap();
    assert!(engine.app_info().await.unwrap().demo_running);

    engine.remove_demo().await.unwrap();
    assert!(engine.list_accounts().await.unwrap().is_empty());
    assert!(
        inbox(&engine).await.is_empty(),
        "demo orders go with the demo account"
    );
    assert!(!engine.app_info().await.unwrap().demo_running);
}

#[tokio::test]
async fn settings_persist_with_the_database_and_a_managers_choice_stands() {
    let (_dir, db, secrets, engine) = fresh_engine().await;
    let defaults = engine.settings().await.unwrap();
    assert!(!defaults.autostart && defaults.close_to_tray);

    let after = engine
        .update_settings(AppSettings::after_first_account)
        .await
        .unwrap();
    assert!(after.autostart, "the first account turns autostart on");
    let chosen = engine
        .save_settings(AppSettings {
            autostart: false,
            close_to_tray: false,
            ..after
        })
        .await
        .unwrap();
    assert!(chosen.autostart_decided);

    drop(engine);
    let engine = open(&db, secrets, RecordingNotifier::default()).await;
    let reopened = engine.settings().await.unwrap();
    assert_eq!(reopened, chosen);
    let again = engine
        .update_settings(AppSettings::after_first_account)
        .await
        .unwrap();
    assert!(!again.autostart, "a manager's off survives the next account");
}

#[tokio::test]
async fn the_diagnostic_bundle_holds_no_secret_and_no_personal_data() {
    let w = world().await;
    // A realFBS posting with a named buyer, so the database holds personal data.
    let mut posting = ordertray_fakes::ozon::sample_posting(901, 1, chrono::Utc::now());
    posting["customer"] = serde_json::json!({
        "name": "Иванов Пётр Сергеевич",
        "phone": "+79161234567",
        "address": {"city": "Москва", "address_tail": "ул. Тверская, д. 7, кв. 12"}
    });
    w.fake.add_posting(posting);
    w.engine.sync_account(w.account).await.unwrap();
    // A secret of ours (not the vendor's): a web store's webhook secret.
    let settings = ordertray_connectors::woocommerce::WooCommerceSettings::new("https://shop.example");
    let woo = woocommerce_account(&w.engine, settings, ("ck_key", "cs_secret")).await;
    let webhook_secret = w.engine.webhook_secret(woo).await.unwrap();

    let logs = tempfile::tempdir().unwrap();
    std::fs::write(
        logs.path().join("ordertray.log.2026-11-23"),
        format!(
            "INFO sync ok\nWARN request failed for key {API_KEY}\nWARN webhook signed with {webhook_secret} refused\nINFO buyer Иванов Пётр Сергеевич +79161234567 at Москва, ул. Тверская, д. 7, кв. 12\nWARN courier: no entrance at ул. Тверская 7-12\n"
        ),
    )
    .unwrap();
    let out = logs.path().join("bundle").join("diagnostics.zip");
    assert!(!w.engine.was_exported(&out));
    let report = w.engine.write_diagnostics(logs.path(), &out).await.unwrap();
    // Owner-only: the bundle carries log lines about the shop's orders.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // "Show in folder" then acts on this bundle, and only on it.
    assert!(w.engine.was_exported(&out));
    assert!(!w
        .engine
        .was_exported(&logs.path().join("ordertray.log.2026-11-23")));
    assert!(report
        .files
        .contains(&"logs/ordertray.log.2026-11-23".to_string()));
    assert!(report.files.contains(&"accounts.json".to_string()));

    let mut archive = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut everything = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        std::io::Read::read_to_string(&mut file, &mut everything).unwrap();
    }
    assert!(
        everything.contains("Shop A"),
        "the bundle says which accounts exist"
    );
    assert!(everything.contains("[redacted]"));
    for leak in [
        API_KEY,
        &webhook_secret,
        "Иванов Пётр Сергеевич",
        "+79161234567",
        "Тверская",
    ] {
        assert!(!everything.contains(leak), "the bundle contains {leak}");
    }

    let lines = w.engine.recent_log_lines(logs.path(), 2).await.unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines
        .iter()
        .all(|l| !l.contains(API_KEY) && !l.contains("+79161234567")));
}

/// A keychain that cannot be read refuses the bundle: the keys it holds could not be hidden (the
/// bundle went out with every key the keychain did not give unredacted).
#[tokio::test]
async fn no_diagnostic_bundle_while_the_keychain_cannot_be_read() {
    let w = world().await;
    let (_keychain, engine) = open_locked(&w.db, w.secrets.clone()).await;
    let logs = tempfile::tempdir().unwrap();
    std::fs::write(
        logs.path().join("ordertray.log.2026-11-23"),
        format!("WARN request failed for key {API_KEY}\n"),
    )
    .unwrap();
    let out = logs.path().join("diagnostics.zip");
    let refused = engine.write_diagnostics(logs.path(), &out).await.unwrap_err();
    assert_eq!(refused.code, ordertray_core::ErrorCode::Keychain, "{refused:?}");
    assert!(!out.exists());
    assert!(engine.recent_log_lines(logs.path(), 5).await.is_err());
}

#[tokio::test]
async fn the_account_form_lists_the_cancel_reasons_ozon_offers_the_seller() {
    let w = world().await;
    // A stored account: its key comes from the secret store.
    let reasons = w
        .engine
        .cancel_reasons(draft(&w.fake.base_url()), HashMap::new(), Some(w.account))
        .await
        .unwrap();
    let ids: Vec<i64> = reasons.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [352, 400, 402],
        "seller reasons available now, as the fake lists them"
    );
    assert!(reasons.iter().all(|r| !r.title.is_empty()));
    assert!(w.fake.calls_to("/v2/posting/fbs/cancel-reason/list").len() == 1);

    // A new account with a wrong key: a clear auth error, the key not echoed.
    let wrong = HashMap::from([("api_key".to_string(), "wrong-key-123".to_string())]);
    let err = w
        .engine
        .cancel_reasons(draft(&w.fake.base_url()), wrong, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Auth);
    assert!(!err.message.contains("wrong-key-123"));
}

#[tokio::test]
async fn a_paused_sync_polls_nothing_until_resumed() {
    let w = world().await;
    let list = "/v4/posting/fbs/unfulfilled/list";
    w.engine.pause_sync(None).await.unwrap();
    w.engine.start_background().await.unwrap();
    // Unpaused, a poller's first poll comes within 2 s of the start.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(w.fake.calls_to(list).is_empty(), "a paused engine polled");

    w.engine.resume_sync().await.unwrap();
    let mut polled = false;
    for _ in 0..100 {
        if !w.fake.calls_to(list).is_empty() {
            polled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(polled, "no poll within 10 s of resuming");
    assert!(w.engine.sync_pause().await.is_none());
    w.engine.shutdown().await;
}

/// A pause that comes while a scheduled poll is between pages ends the run there as a stop, not a
/// failure: the pages stored are kept, the rest waits for the resume, and the account shows no
/// error (it said the marketplace sent too many pages).
#[tokio::test]
async fn a_pause_between_pages_ends_the_poll_without_an_error() {
    let w = world().await;
    w.fake.generate_postings(250, 1);
    let held = w.fake.hold_next("/v4/posting/fbs/unfulfilled/list");
    w.engine.start_background().await.unwrap();
    within("the poll's first page to be asked for", held.arrived()).await;
    let engine = w.engine.clone();
    let pausing = tokio::spawn(async move { engine.pause_sync(None).await });
    within("the pause to be recorded", async {
        while w.engine.sync_pause().await.is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    held.release();
    within("the pause to return", pausing).await.unwrap().unwrap();

    let h = &w.engine.list_accounts().await.unwrap()[0].health;
    assert!(h.last_error.is_none() && h.failing_since.is_none(), "{h:?}");
    let unread = w.engine.app_info().await.unwrap().unread;
    assert!(
        (1..250).contains(&unread),
        "the first page kept, not the rest: {unread}"
    );

    w.engine.resume_sync().await.unwrap();
    within("the rest after the resume", async {
        while w.engine.app_info().await.unwrap().unread < 250 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let h = &w.engine.list_accounts().await.unwrap()[0].health;
    assert!(h.last_error.is_none(), "{h:?}");
    w.engine.shutdown().await;
}

/// A pause returns while a manager's "sync now" runs (that run goes on through a pause); it used
/// to wait for the whole run, minutes on a first import.
#[tokio::test]
async fn a_pause_does_not_wait_for_a_sync_the_manager_asked_for() {
    let w = world().await;
    w.fake.generate_postings(150, 1);
    let held = w.fake.hold_next("/v4/posting/fbs/unfulfilled/list");
    let asked = spawn_sync(&w.engine, w.account);
    within("the sync's first page to be asked for", held.arrived()).await;
    within(
        "the pause, with the sync still running",
        w.engine.pause_sync(None),
    )
    .await
    .unwrap();
    held.release();
    let report = within("the asked sync", asked).await.unwrap().unwrap();
    assert_eq!(report.orders_new, 150, "the asked sync went on through the pause");
}

/// Editing an account while its scheduled poll is between pages lets the poll finish: the rules
/// decide what all its pages brought and its log entry ends. (The poller was restarted at once,
/// which cut the run off after the pages it had stored: their orders never met the rules.)
#[tokio::test]
async fn editing_an_account_mid_poll_lets_the_poll_finish_with_its_rules() {
    use ordertray_core::{InboxQuery, LineState};
    let w = world().await;
    w.engine
        .save_rule_set(&reject_everything(w.account))
        .await
        .unwrap();
    w.fake.generate_postings(250, 1);
    let list = "/v4/posting/fbs/unfulfilled/list";
    let (first, second) = (w.fake.hold_next(list), w.fake.hold_next(list));
    w.engine.start_background().await.unwrap();
    within("the poll's first page", first.arrived()).await;
    first.release();
    within(
        "the second page, asked for while the first is stored",
        second.arrived(),
    )
    .await;
    within("the first page stored", async {
        while w.engine.app_info().await.unwrap().unread < 100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;

    let mut renamed = draft(&w.fake.base_url());
    renamed.name = "Shop A (main)".into();
    w.engine
        .update_account(w.account, renamed, HashMap::new())
        .await
        .unwrap();
    second.release();

    let rejected = || async {
        let query = InboxQuery {
            state: LineState::Rejected,
            limit: Some(1_000),
            ..InboxQuery::default()
        };
        w.engine.inbox(&query).await.unwrap().len()
    };
    within("every posting ruled", async {
        while rejected().await < 250 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert_eq!(w.engine.app_info().await.unwrap().unread, 0);
    let log = w.engine.account_log(w.account, 10).await.unwrap();
    assert!(
        log.runs.iter().all(|r| r.finished_at.is_some()),
        "every run's entry ended: {:?}",
        log.runs
    );
    assert_eq!(
        w.engine.list_accounts().await.unwrap()[0].account.name,
        "Shop A (main)"
    );
    w.engine.shutdown().await;
}

/// A poll whose read of its account fails (a busy or failing database) is tried again soon; the
/// poller used to end there, and the account went unpolled until the app restarted.
#[tokio::test]
async fn a_failed_read_of_the_account_delays_its_polls_but_never_ends_them() {
    let w = world().await;
    let mut events = w.engine.subscribe();
    async fn planned(events: &mut tokio::sync::broadcast::Receiver<ordertray_core::EngineEvent>) {
        loop {
            if let Ok(ordertray_core::EngineEvent::AccountHealth { .. }) = events.recv().await {
                return;
            }
        }
    }
    w.engine.start_background().await.unwrap();
    within("the first poll planned", planned(&mut events)).await;
    let pool = w.engine.store().pool();
    sqlx::query("ALTER TABLE accounts RENAME TO accounts_away")
        .execute(pool)
        .await
        .unwrap();
    within(
        "the next poll planned after the failed read",
        planned(&mut events),
    )
    .await;
    assert!(w.fake.calls_to("/v4/posting/fbs/unfulfilled/list").is_empty());
    sqlx::query("ALTER TABLE accounts_away RENAME TO accounts")
        .execute(pool)
        .await
        .unwrap();
    within("a poll once the account reads again", async {
        while w.fake.calls_to("/v4/posting/fbs/unfulfilled/list").is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    w.engine.shutdown().await;
}

/// Keychain entries are named per database, so a second database with the same account id never
/// reads or overwrites the first one's key; entries from before database ids move at start; a new
/// address for an account is refused until its key is typed again.
#[tokio::test]
async fn keys_are_kept_per_database_and_never_follow_a_new_address() {
    use ordertray_engine::SecretStore;
    let w = world().await;
    let prefix = format!("{}/", w.engine.database_id());
    assert_eq!(w.secrets.entry_names(), [w.api_key_entry()]);
    assert!(w.api_key_entry().starts_with(&prefix));

    // A second database in the same keychain: its account 1 has a key of its own.
    let other = open(
        &w._dir.path().join("other.db"),
        w.secrets.clone(),
        RecordingNotifier::default(),
    )
    .await;
    assert_ne!(other.database_id(), w.engine.database_id());
    let second = other
        .add_account(
            draft(&w.fake.base_url()),
            HashMap::from([("api_key".to_string(), "second-shop-key".to_string())]),
        )
        .await
        .unwrap();
    assert_eq!(second.id, w.account, "the same account id in both databases");
    assert_eq!(
        w.secrets.get(&w.api_key_entry()).unwrap().unwrap().expose(),
        API_KEY,
        "the first database's key is not overwritten"
    );

    // An entry named the old way (`<account>/<field>`) moves into the namespace at start.
    w.secrets.delete(&w.api_key_entry()).unwrap();
    let legacy = format!("{}/api_key", w.account);
    w.secrets
        .set(&legacy, &ordertray_core::Secret::new(API_KEY))
        .unwrap();
    let reopened = open(&w.db, w.secrets.clone(), RecordingNotifier::default()).await;
    assert_eq!(reopened.database_id(), w.engine.database_id());
    assert_eq!(w.secrets.get(&legacy).unwrap(), None);
    assert_eq!(
        w.secrets.get(&w.api_key_entry()).unwrap().unwrap().expose(),
        API_KEY
    );

    // A new address: neither a test nor a save sends the stored key there.
    let moved = draft("http://127.0.0.2:9");
    let e = w
        .engine
        .test_connection(moved.clone(), HashMap::new(), Some(w.account))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SecretsRequired, "{e:?}");
    let e = w
        .engine
        .update_account(w.account, moved.clone(), HashMap::new())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::SecretsRequired, "{e:?}");
    assert!(e.message.contains("API key"), "{}", e.message);
    // Same address, no key typed: fine as before; a new address with the key typed: saved.
    w.engine
        .update_account(w.account, draft(&w.fake.base_url()), HashMap::new())
        .await
        .unwrap();
    let saved = w
        .engine
        .update_account(
            w.account,
            moved,
            HashMap::from([("api_key".to_string(), "typed-again".to_string())]),
        )
        .await
        .unwrap();
    assert_eq!(saved.base_url.as_deref(), Some("http://127.0.0.2:9"));
}

/// An edit with a new key whose save fails (the name is another account's) leaves the old key in
/// the keychain: the account, still at its old address, would otherwise send the new key there.
#[tokio::test]
async fn an_edit_that_cannot_be_saved_puts_the_old_key_back() {
    use ordertray_engine::SecretStore;
    let w = world().await;
    let mut other = draft(&w.fake.base_url());
    other.name = "Shop B".into();
    w.engine
        .add_account(
            other,
            HashMap::from([("api_key".to_string(), "b-key".to_string())]),
        )
        .await
        .unwrap();
    let before = w
        .secrets
        .get(&w.api_key_entry())
        .unwrap()
        .unwrap()
        .expose()
        .to_string();
    let mut taken = draft("http://127.0.0.2:9");
    taken.name = "Shop B".into();
    let e = w
        .engine
        .update_account(
            w.account,
            taken,
            HashMap::from([("api_key".to_string(), "typed-new".to_string())]),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict, "{e:?}");
    assert_eq!(
        w.secrets.get(&w.api_key_entry()).unwrap().unwrap().expose(),
        before
    );
}

/// A posting whose numbers parse but overflow every total (quantity 2^63−1, price 2^96−1) is set
/// aside with its reason; the postings beside it are stored and every listing still works.
#[tokio::test]
async fn an_overflowing_posting_is_quarantined_and_the_page_goes_on() {
    let w = world().await;
    let now = chrono::Utc::now();
    let mut huge_qty = ordertray_fakes::ozon::sample_posting(801, 1, now);
    huge_qty["products"][0]["quantity"] = serde_json::json!(i64::MAX);
    let mut huge_price = ordertray_fakes::ozon::sample_posting(802, 1, now);
    huge_price["products"][0]["price"] = serde_json::json!("79228162514264337593543950335");
    w.fake.add_posting(huge_qty);
    w.fake.add_posting(huge_price);
    w.fake
        .add_posting(ordertray_fakes::ozon::sample_posting(803, 2, now));

    let report = w.engine.sync_account(w.account).await.unwrap();
    assert!(report.quarantined >= 2, "{report:?}");
    let kept = w.engine.store().quarantined_count(w.account).await.unwrap();
    assert_eq!(
        kept, 2,
        "each overflowing posting is set aside once, with its reason"
    );
    let lines = inbox(&w.engine).await;
    assert_eq!(lines.len(), 2, "the good posting's lines are stored");
    let ids: Vec<i64> = lines.iter().map(|l| l.line.id).collect();
    w.engine.triage(&ids, TriageAction::Accept).await.unwrap();
    assert_eq!(w.engine.store().shop_orders(None, 10).await.unwrap().len(), 1);
    // A second run reads nothing new and changes nothing.
    let again = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(again.orders_new, 0, "{again:?}");
}

/// Starts a sync of `w.account` on `engine`, lets its first page of 100 be stored, and cuts the
/// run off there (as Quit or a crash would) while its next page is being asked for.
/// A sync of the account on a task of its own, for the test to act while it runs.
fn spawn_sync(
    engine: &ordertray_engine::Engine,
    account: i64,
) -> tokio::task::JoinHandle<Result<ordertray_core::SyncReport, ordertray_core::AppError>> {
    let engine = engine.clone();
    tokio::spawn(async move { engine.sync_account(account).await })
}

async fn sync_cut_off_after_one_page(w: &World, engine: &ordertray_engine::Engine) {
    let list = "/v4/posting/fbs/unfulfilled/list";
    let (first, second) = (w.fake.hold_next(list), w.fake.hold_next(list));
    let running = spawn_sync(engine, w.account);
    within("the run's first page", first.arrived()).await;
    first.release();
    within("the second page asked for", second.arrived()).await;
    within("the first page stored", async {
        while engine.app_info().await.unwrap().unread < 100 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    second.release();
}

async fn rejected_lines(engine: &ordertray_engine::Engine) -> usize {
    let query = ordertray_core::InboxQuery {
        state: ordertray_core::LineState::Rejected,
        limit: Some(1_000),
        ..Default::default()
    };
    engine.inbox(&query).await.unwrap().len()
}

/// A run cut off after storing pages (Quit during a backfill, a crash) left those orders without
/// rules or popup for good: the rules ran over a run's new orders at its end. The next run, in a
/// new process once the dead run's lease has run out, picks them up: ruled and announced once.
#[tokio::test]
async fn orders_of_a_run_cut_off_mid_sync_are_ruled_and_announced_by_the_next_run() {
    let w = world().await;
    w.engine
        .save_rule_set(&reject_everything(w.account))
        .await
        .unwrap();
    w.fake.generate_postings(250, 1);
    // The process that dies: its run's lease ends as soon as it is given.
    w.engine.set_outbox_lease(Duration::ZERO);
    sync_cut_off_after_one_page(&w, &w.engine).await;
    assert_eq!(
        rejected_lines(&w.engine).await,
        0,
        "the cut-off run ruled nothing"
    );
    assert!(w.notes.taken().is_empty());

    let notes = RecordingNotifier::default();
    let next = open(&w.db, w.secrets.clone(), notes.clone()).await;
    let report = next.sync_account(w.account).await.unwrap();
    assert_eq!(report.orders_new, 150, "the run's own new orders");
    assert_eq!(rejected_lines(&next).await, 250, "the rules saw every new order");
    let popups = notifications(&notes).await;
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(
        popups[0].body.starts_with("250 new orders — Ozon «Shop A»: "),
        "{}",
        popups[0].body
    );

    // Nobody announces them again: neither this process nor the one whose run they were.
    next.sync_account(w.account).await.unwrap();
    w.engine.set_outbox_lease(next.outbox_lease());
    w.engine.sync_account(w.account).await.unwrap();
    let again: Vec<_> = notifications(&notes)
        .await
        .into_iter()
        .chain(w.notes.taken())
        .filter(|n| n.body.contains("new order"))
        .collect();
    assert!(again.is_empty(), "{again:?}");
}

/// Orders of a run another process still holds (its lease not run out) are its to follow up; the
/// process whose own run was cut off (a cancelled task) picks them up at its next run.
#[tokio::test]
async fn a_live_run_of_another_process_keeps_its_orders_and_its_owner_picks_them_up() {
    let w = world().await;
    w.fake.generate_postings(150, 1);
    sync_cut_off_after_one_page(&w, &w.engine).await;

    let notes = RecordingNotifier::default();
    let other = open(&w.db, w.secrets.clone(), notes.clone()).await;
    other.sync_account(w.account).await.unwrap();
    let popups = notifications(&notes).await;
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(popups[0].body.starts_with("50 new orders"), "{}", popups[0].body);

    w.engine.sync_account(w.account).await.unwrap();
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(popups[0].body.starts_with("100 new orders"), "{}", popups[0].body);
}

/// A run whose next page is long in coming (a marketplace's limit waited out) keeps its lease
/// alive beside its pages: another process syncing the same account meanwhile does not take the
/// run's stored orders for orphans (and announce them itself, where a CLI would only log them).
#[tokio::test]
async fn a_run_waiting_longer_than_its_lease_for_a_page_keeps_its_orders() {
    let w = world().await;
    w.fake.generate_postings(150, 1);
    // This process waits for the held page as long as it takes; the world's engine is the other.
    let notes = RecordingNotifier::default();
    let engine = ordertray_engine::Engine::open(ordertray_engine::EngineOptions {
        notifier: std::sync::Arc::new(notes.clone()),
        http: ordertray_connectors::HttpSettings {
            timeout: Duration::from_secs(120),
        },
        ..options(&w.db, w.secrets.clone())
    })
    .await
    .unwrap();
    let lease = Duration::from_millis(2_500);
    engine.set_outbox_lease(lease);
    // The second phase's first page: asked for once the first phase's 150 are stored.
    let held = w.fake.hold_next("/v4/posting/fbs/list");
    let running = spawn_sync(&engine, w.account);
    within("the second phase asked for", held.arrived()).await;
    within("the first phase stored", async {
        while engine.app_info().await.unwrap().unread < 150 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    // Until the lease taken with the last page has run out twice over.
    let stored = std::time::Instant::now();
    while stored.elapsed() < lease * 2 {
        w.engine.sync_account(w.account).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    held.release();
    within("the run", running).await.unwrap().unwrap();
    let theirs = notifications(&w.notes).await;
    assert!(
        theirs.is_empty(),
        "the other process announced the run's orders: {theirs:?}"
    );
    let popups = notifications(&notes).await;
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(popups[0].body.starts_with("150 new orders"), "{}", popups[0].body);
}

/// Pages that bring nothing new take no write turn: a poll over postings it has stored already
/// reads them all while another process holds the database for writing (a long transaction, a
/// backfill's page), instead of waiting at its first page; only its last page (and the run's
/// record) waits, then the run ends as usual.
#[tokio::test]
async fn pages_that_bring_nothing_new_take_no_write_turn() {
    use sqlx::Connection;
    let w = world().await;
    w.fake.generate_postings(250, 1);
    w.engine.sync_account(w.account).await.unwrap();
    let before = w.fake.calls().len();
    w.engine.sync_account(w.account).await.unwrap();
    let pages = w.fake.calls().len() - before;
    assert!(pages > 2, "a run of several pages: {pages}");

    let mut writer =
        sqlx::SqliteConnection::connect_with(&sqlx::sqlite::SqliteConnectOptions::new().filename(&w.db))
            .await
            .unwrap();
    let before = w.fake.calls().len();
    let running = spawn_sync(&w.engine, w.account);
    // Once the run has begun (its start is recorded before its first page is asked for).
    within("the run's first page asked for", async {
        while w.fake.calls().len() == before {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut writer).await.unwrap();
    within(
        "every page of the run read while another writer holds the database",
        async {
            while w.fake.calls().len() - before < pages {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        },
    )
    .await;
    sqlx::query("COMMIT").execute(&mut writer).await.unwrap();
    let report = within("the run", running).await.unwrap().unwrap();
    assert_eq!(
        (report.pages as usize, report.orders_new),
        (pages, 0),
        "{report:?}"
    );

    // What the run kept lets the next one go on as before: nothing new, nothing lost.
    w.fake.generate_postings(1, 1);
    let report = w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(report.orders_new, 1, "{report:?}");
}

/// A keychain that does not answer until released (a locked keyring whose unlock prompt nobody
/// has seen yet), over the test's memory store.
struct Unanswering {
    keys: std::sync::Arc<ordertray_engine::MemorySecretStore>,
    answered: std::sync::Mutex<bool>,
    answer: std::sync::Condvar,
}

impl Unanswering {
    fn wait(&self) {
        let answered = self.answered.lock().unwrap();
        drop(self.answer.wait_while(answered, |a| !*a).unwrap());
    }

    fn release(&self) {
        *self.answered.lock().unwrap() = true;
        self.answer.notify_all();
    }
}

impl ordertray_engine::SecretStore for Unanswering {
    fn get(&self, entry: &str) -> Result<Option<ordertray_core::Secret>, ordertray_core::AppError> {
        self.wait();
        self.keys.get(entry)
    }
    fn set(&self, entry: &str, value: &ordertray_core::Secret) -> Result<(), ordertray_core::AppError> {
        self.wait();
        self.keys.set(entry, value)
    }
    fn delete(&self, entry: &str) -> Result<(), ordertray_core::AppError> {
        self.wait();
        self.keys.delete(entry)
    }
    fn check(&self) -> Result<(), ordertray_core::AppError> {
        self.wait();
        self.keys.check()
    }
}

/// A keychain that does not answer held the app's start, and every sync that needed a key, for
/// good. Start-up now goes on and says the keychain does not answer, a sync fails with that
/// instead of hanging, and once the keychain answers (the prompt was answered) both go through.
#[tokio::test]
async fn a_keychain_that_does_not_answer_holds_neither_the_start_nor_a_sync() {
    use ordertray_core::{EngineEvent, ErrorWords};
    let w = world().await;
    w.fake.generate_postings(1, 1);
    let keychain = std::sync::Arc::new(Unanswering {
        keys: w.secrets.clone(),
        answered: std::sync::Mutex::new(false),
        answer: std::sync::Condvar::new(),
    });
    let engine = within(
        "the start",
        ordertray_engine::Engine::open(ordertray_engine::EngineOptions {
            keychain_wait: Duration::from_millis(200),
            ..options(&w.db, keychain.clone())
        }),
    )
    .await
    .unwrap();
    let info = engine.app_info().await.unwrap();
    assert!(!info.keychain_ok);
    assert!(
        info.keychain_message
            .as_deref()
            .unwrap_or_default()
            .contains("does not answer"),
        "{info:?}"
    );
    let refused = within("the sync", engine.sync_account(w.account))
        .await
        .unwrap_err();
    assert_eq!(
        refused.words.as_deref(),
        Some(&ErrorWords::KeychainNotAnswering {})
    );

    let mut events = engine.subscribe();
    keychain.release();
    within("the keychain's late answer", async {
        while !matches!(events.recv().await, Ok(EngineEvent::KeychainChecked {})) {}
    })
    .await;
    assert!(engine.app_info().await.unwrap().keychain_ok);
    let report = within("the sync", engine.sync_account(w.account)).await.unwrap();
    assert_eq!(report.orders_new, 1);
}

/// An order accepted on arrival (the account's option) is accepted with each page, before its
/// run's end: picked up from a run cut off after that, it still gets its popup (it was settled
/// silently, its lines no longer waiting).
#[tokio::test]
async fn an_order_accepted_on_arrival_by_a_cut_off_run_is_still_announced() {
    let w = world().await;
    let mut settings = w.engine.settings().await.unwrap();
    settings.alerts.coalesce_seconds = 0;
    w.engine.save_settings(settings).await.unwrap();
    let number = w.fake.generate_postings(1, 1).remove(0);
    w.engine.sync_account(w.account).await.unwrap();
    assert_eq!(notifications(&w.notes).await.len(), 1);
    // As a run accepting it on arrival and cut off before its end would have left it.
    let pool = w.engine.store().pool();
    let order: i64 = sqlx::query_scalar("SELECT id FROM orders WHERE external_id = ?")
        .bind(&number)
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE lines SET state = 'accepted' WHERE order_id = ?")
        .bind(order)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO order_arrivals (order_id, account_id, run_id, owner, arrived_at, accept, announce)
         VALUES (?, ?, NULL, 'a process gone', '2000-01-01T00:00:00Z', 1, 1)",
    )
    .bind(order)
    .bind(w.account)
    .execute(pool)
    .await
    .unwrap();

    w.engine.sync_account(w.account).await.unwrap();
    let popups = notifications(&w.notes).await;
    assert_eq!(popups.len(), 1, "{popups:?}");
    assert!(popups[0].body.contains(&number), "{}", popups[0].body);
}
