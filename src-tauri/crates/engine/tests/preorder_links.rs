//! Pre-orders completed by their buyers (issue 15 point 5): a long random single-use link that
//! expires, a page served by the intake with only that order's items and totals, each field's
//! problem on the page, the order turned New with the usual alert, the link dead afterwards.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use ordertray_core::cabinet::{OrderItem, ShopOrderDraft};
use ordertray_core::intake::IntakeSettings;
use ordertray_core::notify_text::Lang;
use ordertray_core::preorder::BuyerForm;
use ordertray_core::ErrorCode;
use ordertray_engine::intake::IntakeLimits;
use ordertray_engine::preorder::PreorderRefusal;
use ordertray_engine::{Engine, EngineOptions, MemorySecretStore, RecordingNotifier};
use rust_decimal::Decimal;

const DEADLINE: Duration = Duration::from_secs(20);

struct World {
    _dir: tempfile::TempDir,
    engine: Engine,
    notifier: RecordingNotifier,
}

async fn world(limits: IntakeLimits) -> World {
    let dir = tempfile::tempdir().unwrap();
    let notifier = RecordingNotifier::default();
    let engine = Engine::open(EngineOptions {
        db_path: dir.path().join("ordertray.db"),
        secrets: Arc::new(MemorySecretStore::default()),
        notifier: Arc::new(notifier.clone()),
        lang: Lang::En,
        actor: "manager".into(),
        http: ordertray_connectors::HttpSettings {
            timeout: Duration::from_secs(5),
        },
        notifications_ok: true,
        probe_secrets: false,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    })
    .await
    .unwrap();
    engine.set_intake_limits(limits);
    World {
        _dir: dir,
        engine,
        notifier,
    }
}

/// Serves the intake on a free port, its public address that port (as a tunnel would be).
async fn serve_intake(engine: &Engine) -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let public = format!("http://127.0.0.1:{port}");
    engine
        .save_intake_settings(IntakeSettings {
            enabled: true,
            port,
            public_url: public.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    public
}

fn item(name: &str, qty: i64, price: i64) -> OrderItem {
    OrderItem {
        id: None,
        line_id: None,
        offer_id: None,
        article: format!("A-{name}"),
        brand: String::new(),
        name: name.into(),
        quantity: qty,
        price: Decimal::from(price),
        weight_g: 400,
        length_cm: 0,
        width_cm: 0,
        height_cm: 0,
    }
}

async fn preorder(engine: &Engine, items: Vec<OrderItem>) -> i64 {
    let draft = ShopOrderDraft {
        preorder: true,
        items,
        delivery_method: "courier".into(),
        delivery_cost: Decimal::from(350),
        ..ShopOrderDraft::empty()
    };
    engine.create_shop_order(draft).await.unwrap().id
}

fn token_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap()
}

fn gone<T>(r: Result<T, PreorderRefusal>) -> bool {
    matches!(r, Err(PreorderRefusal::Gone))
}

fn buyer() -> BuyerForm {
    BuyerForm {
        name: "Мария Попова".into(),
        phone: "+79001234567".into(),
        city: "Казань".into(),
        street: "ул. Баумана".into(),
        house: "1".into(),
        payment_method: "cash_on_delivery".into(),
        ..BuyerForm::default()
    }
}

async fn status_code(engine: &Engine, id: i64) -> Option<String> {
    let order = engine.shop_order_full(id).await.unwrap();
    let statuses = engine.shop_statuses().await.unwrap();
    statuses
        .into_iter()
        .find(|s| Some(s.id) == order.status_id)
        .and_then(|s| s.code)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_buyer_completes_a_pre_order_through_its_page_once() {
    let w = world(IntakeLimits::default()).await;
    let public = serve_intake(&w.engine).await;
    let id = preorder(&w.engine, vec![item("Масляный фильтр <b>", 2, 1000)]).await;
    let link = w.engine.preorder_link(id).await.unwrap();
    assert!(
        link.url.starts_with(&format!("{public}/preorder/")),
        "{}",
        link.url
    );
    assert_eq!(token_of(&link.url).len(), 64, "256 random bits");
    let week = link.expires_at - Utc::now();
    assert!(week > chrono::Duration::days(6) && week <= chrono::Duration::days(7));

    let http = reqwest::Client::new();
    let page = http.get(&link.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Масляный фильтр &lt;b&gt;"),
        "markup in an item's name is shown as text"
    );
    assert!(!html.contains("<b>"));
    assert!(html.contains("2350"), "the total: items 2000 + delivery 350");

    // A form with problems: each field's problem on the page, the link still works.
    let partial = [("name", "Мария Попова"), ("payment_method", "")];
    let answer = http.post(&link.url).form(&partial).send().await.unwrap();
    assert_eq!(answer.status(), 422);
    let html = answer.text().await.unwrap();
    for field in ["phone", "city", "payment_method"] {
        assert!(
            html.contains(&format!("id=\"problem-{field}\"")),
            "{field} flagged"
        );
    }
    assert!(html.contains("value=\"Мария Попова\""), "what was typed stays");
    assert!(w.engine.shop_order_full(id).await.unwrap().draft.preorder);

    let full = [
        ("name", "Мария Попова"),
        ("phone", "+79001234567"),
        ("city", "Казань"),
        ("street", "ул. Баумана"),
        ("house", "1"),
        ("payment_method", "cash_on_delivery"),
    ];
    let answer = http.post(&link.url).form(&full).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let order = w.engine.shop_order_full(id).await.unwrap();
    assert!(!order.draft.preorder);
    assert_eq!(
        status_code(&w.engine, id).await.as_deref(),
        Some("accepted"),
        "the first new status"
    );
    assert_eq!(order.draft.recipient.name, "Мария Попова");
    assert_eq!(order.draft.address.text, "Казань, ул. Баумана, д. 1");
    assert!(order.draft.cod, "cash on delivery");
    assert_eq!(order.timeline.last().unwrap().kind, "preorder_completed");

    // The usual alert for a new order.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let popup = loop {
        if let Some(n) = w.notifier.taken().into_iter().next() {
            break n;
        }
        assert!(tokio::time::Instant::now() < deadline, "no alert");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(popup.body.contains(&order.draft.number), "{}", popup.body);
    assert!(popup.body.contains("«pre-order link»"), "{}", popup.body);
    assert_eq!(popup.order_id, Some(id));

    // The link stopped working.
    assert_eq!(http.get(&link.url).send().await.unwrap().status(), 410);
    assert_eq!(
        http.post(&link.url).form(&full).send().await.unwrap().status(),
        410
    );
    // Nothing else of the shop is reachable from the page's address.
    let other = http
        .get(format!("{public}/preorder/{}", "0".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 410);
    assert_eq!(http.get(format!("{public}/")).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn links_expire_are_replaced_and_are_used_once() {
    let w = world(IntakeLimits::default()).await;
    serve_intake(&w.engine).await;
    let id = preorder(&w.engine, vec![item("Щётка", 1, 450)]).await;
    let now = Utc::now();
    let old = w.engine.preorder_link_at(id, now).await.unwrap();

    // Expired after the week the settings give it.
    let later = now + chrono::Duration::days(7) + chrono::Duration::seconds(1);
    assert!(w.engine.preorder_page_at(token_of(&old.url), now).await.is_ok());
    assert!(gone(w.engine.preorder_page_at(token_of(&old.url), later).await));
    assert!(gone(
        w.engine
            .complete_preorder_at(token_of(&old.url), &buyer(), later)
            .await
    ));

    // A new link replaces the old one.
    let new = w.engine.preorder_link_at(id, now).await.unwrap();
    assert!(gone(w.engine.preorder_page_at(token_of(&old.url), now).await));
    let token = token_of(&new.url);

    // An invalid field: refused by field, the link left as it was.
    let bad = BuyerForm {
        email: "maria".into(),
        ..buyer()
    };
    match w.engine.complete_preorder_at(token, &bad, now).await {
        Err(PreorderRefusal::Problems(p)) => assert_eq!(p[0].field, "recipient.email"),
        other => panic!("{other:?}"),
    }
    assert!(w.engine.complete_preorder_at(token, &buyer(), now).await.is_ok());
    // Reused: refused, the order as completed.
    let again = BuyerForm {
        name: "Someone else".into(),
        ..buyer()
    };
    assert!(gone(w.engine.complete_preorder_at(token, &again, now).await));
    let order = w.engine.shop_order_full(id).await.unwrap();
    assert_eq!(order.draft.recipient.name, "Мария Попова");
    // Two buyers submitting at once (the link forwarded) both find the link working; the store
    // lets the first completion use it up and refuses the second.
    let id = preorder(&w.engine, vec![item("Щётка", 1, 450)]).await;
    let url = w.engine.preorder_link_at(id, now).await.unwrap().url;
    let digest = ordertray_core::sha256_hex(token_of(&url).as_bytes());
    let seen_by_both = w.engine.store().preorder_link(&digest).await.unwrap().unwrap();
    let preorder_draft = w.engine.shop_order_full(id).await.unwrap().draft;
    let methods = w.engine.settings().await.unwrap().delivery_methods;
    let draft = buyer().complete(&preorder_draft, &methods).unwrap();
    let event = ordertray_core::timeline::TimelineEvent::PreorderCompleted {};
    let store = w.engine.store();
    assert!(store
        .complete_preorder_by_link(&seen_by_both, &draft, &event, now)
        .await
        .unwrap());
    assert!(!store
        .complete_preorder_by_link(&seen_by_both, &draft, &event, now)
        .await
        .unwrap());
    // A completed order gets no new link.
    let err = w.engine.preorder_link_at(id, now).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
}

#[tokio::test(flavor = "multi_thread")]
async fn no_link_without_a_public_intake_and_page_requests_are_rate_limited() {
    let w = world(IntakeLimits {
        page_burst: 3,
        page_refill: Duration::from_secs(3600),
        ..IntakeLimits::default()
    })
    .await;
    let id = preorder(&w.engine, vec![item("Щётка", 1, 450)]).await;
    let err = w.engine.preorder_link(id).await.unwrap_err();
    assert!(err.message.contains("public address"), "{}", err.message);

    let public = serve_intake(&w.engine).await;
    let http = reqwest::Client::new();
    let unknown = format!("{public}/preorder/{}", "a".repeat(64));
    for _ in 0..3 {
        assert_eq!(http.get(&unknown).send().await.unwrap().status(), 410);
    }
    let limited = http.get(&unknown).send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    // A real link from the same address is limited too: guessing cannot hide among page views.
    let link = w.engine.preorder_link(id).await.unwrap();
    assert_eq!(http.get(&link.url).send().await.unwrap().status(), 429);
}
