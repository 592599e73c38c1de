//! Each integration's account settings as the account form saves them: cleaned and checked in
//! plain words, read from old rows with defaults, and handing the store their policy.

use ordertray_connectors::gettzap::{GettzapSettings, GETTZAP_DEFAULT_STATUSES};
use ordertray_connectors::ozon::{
    OrderDateSource, OzonSettings, PostingNumberField, OZON_AWAITING_DELIVER, OZON_DEFAULT_CANCEL_REASON,
};
use ordertray_connectors::zzap::{ZzapSettings, ZZAP_MIN_INTERVAL_MS};
use ordertray_core::{AccountDraft, AccountSettings, ErrorWords};

fn draft(settings: impl Into<AccountSettings>) -> AccountDraft {
    AccountDraft {
        name: " Shop A ".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some("http://127.0.0.1:9/".into()),
        settings: settings.into(),
    }
}

fn ozon(d: &AccountDraft) -> OzonSettings {
    d.settings.parse().unwrap()
}

#[test]
fn draft_is_trimmed_and_base_url_normalised() {
    let d = draft(OzonSettings::new(" 12345 ")).validated().unwrap();
    assert_eq!(d.name, "Shop A");
    assert_eq!(d.base_url.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(ozon(&d).client_id, "12345");
    assert_eq!(d.settings.kind().as_str(), "ozon");
}

#[test]
fn draft_rejects_bad_fields_with_plain_messages() {
    let base = || draft(OzonSettings::new("1"));
    let e = draft(OzonSettings::new("abc")).validated().unwrap_err();
    assert!(e.message.contains("Client-Id"), "{}", e.message);
    let mut d = base();
    d.interval_secs = 1;
    assert!(d.validated().unwrap_err().message.contains("interval"));
    let mut d = base();
    d.base_url = Some("ftp://x".into());
    assert!(d.validated().unwrap_err().message.contains("Base URL"));
    let mut d = base();
    d.base_url = Some("http://api.zzap.pro".into());
    assert!(d.validated().unwrap_err().message.contains("https://"));
    let mut d = base();
    d.name = "  ".into();
    assert!(d.validated().is_err());

    let mut s = OzonSettings::new("1");
    s.sync_start_time = Some("25:00".into());
    assert!(draft(s).validated().unwrap_err().message.contains("HH:MM"));
    let mut s = OzonSettings::new("1");
    s.sync_start_time = Some(" ".into());
    s.source_label = " Ozon FBS ".into();
    let s = ozon(&draft(s).validated().unwrap());
    assert_eq!((s.sync_start_time, s.source_label.as_str()), (None, "Ozon FBS"));
}

#[test]
fn zzap_settings_are_checked_and_secrets_can_come_from_the_environment() {
    let mut z = ZzapSettings::new(" shop@example.ru ");
    z.import_codes = vec![" 1 ".into(), "".into(), "2".into()];
    z.password_env = Some("  ".into());
    z.api_key_env = Some("ZZAP_KEY".into());
    let d = draft(z).validated().unwrap();
    let z: ZzapSettings = d.settings.parse().unwrap();
    assert_eq!(z.login, "shop@example.ru");
    assert_eq!(z.import_codes, ["1", "2"]);
    assert_eq!(z.password_env, None, "a blank variable name means the keychain");
    assert_eq!(d.settings.secret_env("api_key").as_deref(), Some("ZZAP_KEY"));
    assert_eq!(d.settings.secret_env("password"), None);
    assert!(d.settings.reads_secrets_from_env());

    let mut bad = ZzapSettings::new("x@example.ru");
    bad.buyer_cancel_codes = vec!["отказ".into()];
    let e = draft(bad).validated().unwrap_err();
    assert!(e.message.contains("«отказ»"), "{}", e.message);
    assert!(
        matches!(e.words.as_deref(), Some(ErrorWords::BadFormat { field, value, .. }) if field == "status_codes" && value == "отказ"),
        "{:?}",
        e.words
    );
    let e = draft(ZzapSettings::new(" ")).validated().unwrap_err();
    assert!(e.message.contains("Login"), "{}", e.message);
    let z: AccountSettings = serde_json::from_str(r#"{"kind":"zzap","login":"a@b"}"#).unwrap();
    let z: ZzapSettings = z.parse().unwrap();
    assert_eq!(z.min_request_interval_ms, ZZAP_MIN_INTERVAL_MS);
}

#[test]
fn gettzap_settings_are_cleaned_and_read_cancels_case_insensitively() {
    let mut g = GettzapSettings::new(" shop ");
    g.statuses = vec![" accepted ".into(), "".into(), "accepted".into(), "Выдан".into()];
    g.intake_token_env = Some(" ".into());
    g.api_key_env = Some("GZ_KEY".into());
    let d = draft(g).validated().unwrap();
    let g: GettzapSettings = d.settings.parse().unwrap();
    assert_eq!(g.login, "shop");
    assert_eq!(g.statuses, ["accepted", "Выдан"]);
    assert_eq!(g.intake_token_env, None);
    assert_eq!(d.settings.secret_env("api_key").as_deref(), Some("GZ_KEY"));
    assert!(g.is_cancel_status(" Отменён "));
    assert!(!g.is_cancel_status("new"));
    assert!(!g.is_cancel_status(""));
    let e = draft(GettzapSettings::new("  ")).validated().unwrap_err();
    assert!(
        matches!(e.words.as_deref(), Some(ErrorWords::Required { field, .. }) if field == "login"),
        "{:?}",
        e.words
    );
    let g: AccountSettings = serde_json::from_str(r#"{"kind":"gettzap","login":"a"}"#).unwrap();
    let g: GettzapSettings = g.parse().unwrap();
    assert_eq!(g.statuses.len(), GETTZAP_DEFAULT_STATUSES.len());
}

#[test]
fn each_integrations_settings_hand_the_store_its_policy() {
    let mut o = OzonSettings::new("1");
    o.import_awaiting_deliver = true;
    o.posting_number_to = PostingNumberField::BuyerName;
    o.fixed_customer_id = Some(7);
    let p = AccountSettings::from(o.clone()).policy().unwrap();
    assert!(!p.decides_by_line_status && p.ship_on_accept);
    assert_eq!(p.cancel_reason.id, OZON_DEFAULT_CANCEL_REASON);
    let decided = p.ingest.decided_elsewhere.unwrap();
    assert!(decided.import);
    for status in [OZON_AWAITING_DELIVER, "delivering", "delivered"] {
        assert!(decided.covers(status), "{status}");
    }
    assert!(!decided.covers("awaiting_packaging"));
    let shop = p.shop_order.unwrap();
    assert_eq!(
        shop.source_label, "Ozon",
        "an empty label writes the marketplace's name"
    );
    assert!(shop.number_to_recipient && !shop.date_placed);
    assert_eq!(shop.fixed_customer_id, Some(7));
    assert!(shop.extra.iter().any(|(k, _)| k == "cargo_places"));
    assert!(shop.tracking_back.is_some());
    o.import_awaiting_deliver = false;
    o.source_label = "Ozon FBS".into();
    let p = AccountSettings::from(o).policy().unwrap();
    assert!(!p.ingest.decided_elsewhere.unwrap().import);
    assert_eq!(p.shop_order.unwrap().source_label, "Ozon FBS");

    for settings in [
        AccountSettings::from(ZzapSettings::new("a@b")),
        AccountSettings::from(GettzapSettings::new("a")),
    ] {
        let p = settings.policy().unwrap();
        assert!(p.decides_by_line_status && !p.ship_on_accept);
        assert!(p.ingest.decided_elsewhere.is_none() && p.shop_order.is_none());
    }
}

#[test]
fn settings_default_missing_fields() {
    let s: AccountSettings = serde_json::from_str(r#"{"kind":"ozon","client_id":"1"}"#).unwrap();
    let s: OzonSettings = s.parse().unwrap();
    assert!(s.ship_on_accept);
    assert_eq!(s.cancel_reason_id, OZON_DEFAULT_CANCEL_REASON);
    assert_eq!(
        s,
        OzonSettings::new("1"),
        "an account saved before the options reads as new"
    );
    assert_eq!(s.posting_number_to, PostingNumberField::OrderNumber);
    assert_eq!(s.order_date, OrderDateSource::Loaded);
    assert!(!s.import_awaiting_deliver && !s.paid_on_delivered);
}
