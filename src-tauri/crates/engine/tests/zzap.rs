//! A ZZAP account in the engine against the fake ZZAP: the status dictionary, decisions and shop
//! statuses told per line with the account's texts, what cannot be sent kept on the timeline, and
//! buyer cancels from the account's cancel codes.

mod common;

use std::collections::HashMap;

use common::{fresh_engine, inbox};
use ordertray_connectors::zzap::ZzapSettings;
use ordertray_core::templates::{PushLevel, PushTemplates, StatusPush};
use ordertray_core::{AccountDraft, AccountSettings, ErrorCode, TriageAction};
use ordertray_engine::Engine;
use ordertray_fakes::zzap::{FakeZzap, FakeZzapConfig, FakeZzapHandle, BUYER_CANCEL_CODE};

const LOGIN: &str = "shop@example.ru";
const PASSWORD: &str = "engine-zz-password";
const KEY: &str = "engine-zz-key";

async fn zzap_account(engine: &Engine, fake: &FakeZzapHandle) -> i64 {
    let settings = ZzapSettings {
        buyer_cancel_codes: vec![BUYER_CANCEL_CODE.to_string()],
        min_request_interval_ms: 0,
        ..ZzapSettings::new(LOGIN)
    };
    let draft = AccountDraft {
        name: "ZZAP".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(fake.base_url()),
        settings: AccountSettings::from(settings),
    };
    let secrets = HashMap::from([
        ("password".to_string(), PASSWORD.to_string()),
        ("api_key".to_string(), KEY.to_string()),
    ]);
    engine.add_account(draft, secrets).await.unwrap().id
}

async fn timeline_kinds(engine: &Engine, order_id: i64, kind: &str) -> Vec<String> {
    engine
        .order_detail(order_id)
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.message)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn decisions_and_statuses_go_out_per_line_with_the_accounts_texts() {
    let fake = FakeZzap::start(FakeZzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let account = zzap_account(&engine, &fake).await;

    // The dictionary comes from ZZAP and makes its codes usable in the settings.
    let list = engine.refresh_marketplace_statuses(account).await.unwrap();
    assert_eq!(list.len(), 6);
    let shipped_status = engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some("shipped"))
        .unwrap()
        .id;
    let templates = PushTemplates {
        accepted_status: "2".into(),
        accepted_notice: "Принят: {name}".into(),
        refusal_status: String::new(),
        refusal_text: "Нет в наличии".into(),
        pushes: vec![StatusPush {
            status_id: shipped_status,
            level: PushLevel::Line,
            marketplace_status: "4".into(),
            comment: "Отправлен, трек {tracking}".into(),
        }],
        ..Default::default()
    };
    let saved = engine.save_push_settings(account, &templates).await.unwrap();
    assert_eq!(
        saved.capabilities.labels.get("2").map(String::as_str),
        Some("Принят в работу")
    );
    assert!(
        saved.loads_statuses,
        "the settings offer to load ZZAP's list again"
    );
    assert!(
        saved.problems.is_empty(),
        "ZZAP takes its own codes and comments: {:?}",
        saved.problems
    );
    let unknown = engine
        .save_push_settings(
            account,
            &PushTemplates {
                accepted_status: "99".into(),
                ..templates.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(unknown.problems.len(), 1, "a code ZZAP does not list is flagged");
    engine.save_push_settings(account, &templates).await.unwrap();

    let [a, b, c] = fake.generate(3)[..] else { panic!() };
    engine.sync_account(account).await.unwrap();
    let lines = inbox(&engine).await;
    assert_eq!(lines.len(), 3);
    let line = |code: i64| {
        lines
            .iter()
            .find(|l| l.order_external_id == code.to_string())
            .unwrap()
    };

    // Accept: the accepted code with the text written for the line.
    let r = engine
        .triage(&[line(a).line.id], TriageAction::Accept)
        .await
        .unwrap();
    assert_eq!(r.outbox_rows.len(), 1);
    // Reject: a text without a status is not sent, and the timeline says why.
    let r = engine
        .triage(&[line(b).line.id], TriageAction::Reject)
        .await
        .unwrap();
    assert!(r.outbox_rows.is_empty());
    let why = timeline_kinds(&engine, line(b).order_id, "notice_needs_status").await;
    assert!(why[0].contains("only with a status"), "{why:?}");
    engine.drain_outbox_once().await.unwrap();
    let calls = fake.calls_to("SetOrderStatusV3");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].params["code_order"], a.to_string());
    assert_eq!(calls[0].params["code_track"], "2");
    assert_eq!(
        calls[0].params["response"],
        format!("Принят: {}", line(a).line.name)
    );
    assert_eq!(fake.row(a).unwrap()["code_track"], 2);

    // A shop status whose text needs a tracking number nobody has: nothing is sent.
    let r = engine
        .set_line_status(&[line(a).line.id], shipped_status)
        .await
        .unwrap();
    assert!(r.outbox_rows.is_empty());
    assert!(
        r.not_sent.iter().any(|n| n.english().contains("{tracking}")),
        "{:?}",
        r.not_sent
    );
    // Without the text, the status goes out on its own.
    let mut plain = templates.clone();
    plain.pushes[0].comment = String::new();
    engine.save_push_settings(account, &plain).await.unwrap();
    let other_status = engine
        .shop_statuses()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.code.as_deref() == Some("ordered"))
        .unwrap()
        .id;
    engine
        .set_line_status(&[line(a).line.id], other_status)
        .await
        .unwrap();
    let r = engine
        .set_line_status(&[line(a).line.id], shipped_status)
        .await
        .unwrap();
    assert_eq!(r.outbox_rows.len(), 1, "{:?}", r.not_sent);
    engine.drain_outbox_once().await.unwrap();
    let calls = fake.calls_to("SetOrderStatusV3");
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (
            calls[1].params["code_track"].as_str(),
            calls[1].params["response"].as_str()
        ),
        ("4", "")
    );

    // The buyer cancels on ZZAP: the line can no longer be accepted.
    fake.set_code(c, BUYER_CANCEL_CODE);
    engine.sync_account(account).await.unwrap();
    let lines = inbox(&engine).await;
    let cancelled = lines
        .iter()
        .find(|l| l.order_external_id == c.to_string())
        .unwrap();
    assert!(cancelled.marketplace_cancelled);
    let e = engine
        .triage(&[cancelled.line.id], TriageAction::Accept)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidTransition);

    // A refusal names the article the buyer ordered: a rejected line has no offer of ours.
    let mut refusing = plain.clone();
    refusing.refusal_status = "3".into();
    refusing.refusal_text = "Нет в наличии: {article}".into();
    engine.save_push_settings(account, &refusing).await.unwrap();
    let [d] = fake.generate(1)[..] else { panic!() };
    engine.sync_account(account).await.unwrap();
    let lines = inbox(&engine).await;
    let rejected = lines
        .iter()
        .find(|l| l.order_external_id == d.to_string())
        .unwrap();
    let r = engine
        .triage(&[rejected.line.id], TriageAction::Reject)
        .await
        .unwrap();
    assert_eq!(r.outbox_rows.len(), 1);
    engine.drain_outbox_once().await.unwrap();
    let calls = fake.calls_to("SetOrderStatusV3");
    let last = calls.last().unwrap();
    let partnumber = fake.row(d).unwrap()["partnumber"].as_str().unwrap().to_string();
    assert_eq!(
        (
            last.params["code_order"].as_str(),
            last.params["code_track"].as_str(),
            last.params["response"].as_str()
        ),
        (
            d.to_string().as_str(),
            "3",
            format!("Нет в наличии: {partnumber}").as_str()
        )
    );
}

/// With import codes 1;2 a line the buyer cancels (moved to code 6) left the codes read, so the
/// cancel was never seen: the buyer-cancel codes are read as well.
#[tokio::test(flavor = "multi_thread")]
async fn a_buyer_cancel_outside_the_import_codes_still_arrives() {
    let fake = FakeZzap::start(FakeZzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let draft = AccountDraft {
        name: "ZZAP".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(fake.base_url()),
        settings: AccountSettings::from(ZzapSettings {
            import_codes: vec!["1".into(), "2".into()],
            buyer_cancel_codes: vec![BUYER_CANCEL_CODE.to_string()],
            min_request_interval_ms: 0,
            ..ZzapSettings::new(LOGIN)
        }),
    };
    let secrets = HashMap::from([
        ("password".to_string(), PASSWORD.to_string()),
        ("api_key".to_string(), KEY.to_string()),
    ]);
    let account = engine.add_account(draft, secrets).await.unwrap().id;
    let [code] = fake.generate(1)[..] else { panic!() };
    engine.sync_account(account).await.unwrap();
    assert!(!inbox(&engine).await[0].marketplace_cancelled);

    fake.set_code(code, BUYER_CANCEL_CODE);
    engine.sync_account(account).await.unwrap();
    let lines = inbox(&engine).await;
    assert!(lines[0].marketplace_cancelled, "{lines:?}");
    let asked = fake.calls_to("GetSellerOrdersV3");
    assert_eq!(asked.last().unwrap().params["codes_track"], "1;2;6");
}
