//! The fake Shiptor over real HTTP on loopback: the JSON-RPC shipping endpoint in Shiptor's
//! envelope (every refusal an HTTP 200 `error`), packages moving through their statuses, the
//! limit's HTML 429, and a lost answer.

use std::time::Duration;

use ordertray_fakes::faults::Fault;
use ordertray_fakes::shiptor::{
    tracking_number, FakeShiptor, FakeShiptorConfig, FakeShiptorHandle, RateLimit, ShiptorFault,
    API_KEY_HEADER, AUTH_ERROR, DUPLICATE, INVALID_PARAMS, METHOD_NOT_FOUND, NOT_ALLOWED, NOT_FOUND,
    RATE_LIMITED_PAGE, SHIPPING_PATH,
};
use serde_json::{json, Value};

const KEY: &str = "shiptor-test-key-0123456789012345678901234567";

async fn start(edit: impl FnOnce(&mut FakeShiptorConfig)) -> FakeShiptorHandle {
    let mut config = FakeShiptorConfig::new(KEY);
    edit(&mut config);
    FakeShiptor::start(config).await.expect("fake Shiptor listens")
}

/// One JSON-RPC call with `key`: the HTTP status and the body (JSON, or the text as a string).
async fn rpc_with(fake: &FakeShiptorHandle, key: &str, method: &str, params: Value) -> (u16, Value) {
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params});
    let response = reqwest::Client::new()
        .post(format!("{}{SHIPPING_PATH}", fake.base_url()))
        .header(API_KEY_HEADER, key)
        .json(&body)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn rpc(fake: &FakeShiptorHandle, method: &str, params: Value) -> Value {
    let (status, body) = rpc_with(fake, KEY, method, params).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(body["id"], 7);
    body
}

fn package(external_id: &str) -> Value {
    json!({
        "length": 30, "width": 20, "height": 10, "weight": 1.2, "cod": 1000, "declared_cost": 1000,
        "external_id": external_id,
        "departure": {"shipping_method": 1, "address": {"country": "RU", "receiver": "Анна Смирнова",
            "phone": "+79160001122", "settlement": "Казань", "street": "ул. Баумана", "house": "1"}},
        "products": [{"shopArticle": "FLT-77", "count": 2, "price": 350}],
    })
}

#[tokio::test]
async fn a_package_is_added_read_by_either_id_and_moves_on_with_a_tracking_number() {
    let fake = start(|_| {}).await;
    let made = rpc(&fake, "addPackage", package("ot-1-1")).await["result"].clone();
    assert_eq!(made["status"], "new");
    assert_eq!(made["external_id"], "ot-1-1");
    assert!(made["tracking_number"].is_null());
    let id = made["id"].as_i64().unwrap();
    let by_key = rpc(&fake, "getPackage", json!({"external_id": "ot-1-1"})).await;
    assert_eq!(by_key["result"]["id"], id);

    assert!(fake.set_status(id, "packed"));
    assert!(fake.set_status(id, "sent"));
    assert!(!fake.set_status(id, "teleported"));
    let read = rpc(&fake, "getPackage", json!({"id": id})).await["result"].clone();
    assert_eq!(read["status"], "sent");
    assert_eq!(read["tracking_number"], tracking_number(id));
    let events: Vec<&str> = read["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["New", "Packed", "Sent"]);
    assert!(read["history"][0]["date"].as_str().unwrap().contains('T'));

    // Handed over: neither edited nor removed any more.
    let edit = rpc(&fake, "editPackage", json!({"id": id, "weight": 2})).await;
    assert_eq!(edit["error"]["code"], NOT_ALLOWED);
    let remove = rpc(&fake, "removePackage", json!({"id": id})).await;
    assert_eq!(remove["error"]["code"], NOT_ALLOWED);
    assert!(remove["error"]["message"].as_str().unwrap().contains("sent"));
}

#[tokio::test]
async fn a_live_key_is_refused_twice_but_free_again_once_removed() {
    let fake = start(|_| {}).await;
    rpc(&fake, "addPackage", package("ot-1-2")).await;
    let again = rpc(&fake, "addPackage", package("ot-1-2")).await;
    assert_eq!(again["error"]["code"], DUPLICATE);
    let removed = rpc(&fake, "removePackage", json!({"external_id": "ot-1-2"})).await;
    assert_eq!(removed["result"]["status"], "removed");
    let remade = rpc(&fake, "addPackage", package("ot-1-2")).await;
    assert_eq!(remade["result"]["status"], "new");
    assert_eq!(fake.packages().len(), 2);
    assert_eq!(fake.package("ot-1-2").unwrap()["id"], remade["result"]["id"]);
    assert_eq!(fake.stats().creates, 2);
    assert_eq!(fake.stats().removes, 1);
    let missing = rpc(&fake, "getPackage", json!({"id": 1})).await;
    assert_eq!(missing["error"]["code"], NOT_FOUND);
}

#[tokio::test]
async fn a_refused_package_names_its_fields_in_data() {
    let fake = start(|_| {}).await;
    let mut bad = package("ot-1-3");
    bad["weight"] = json!(0);
    bad["departure"]["shipping_method"] = json!(999);
    bad["products"][0]["shopArticle"] = json!("");
    let refused = rpc(&fake, "addPackage", bad).await;
    assert_eq!(refused["error"]["code"], INVALID_PARAMS);
    let data = refused["error"]["data"].as_object().unwrap();
    let fields: Vec<&str> = data.keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        ["departure.shipping_method", "products[0].shopArticle", "weight"]
    );
    assert!(fake.packages().is_empty());
    let unknown = rpc(&fake, "launchRocket", json!({})).await;
    assert_eq!(unknown["error"]["code"], METHOD_NOT_FOUND);
}

#[tokio::test]
async fn a_wrong_key_is_a_json_rpc_error_and_the_log_never_holds_the_key() {
    let fake = start(|_| {}).await;
    let (status, body) = rpc_with(
        &fake,
        "wrong-key",
        "getPackages",
        json!({"page": 1, "per_page": 1}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["error"]["code"], AUTH_ERROR);
    let mut echoing = package("ot-1-4");
    echoing["departure"]["comment"] = json!(format!("key {KEY}"));
    rpc(&fake, "addPackage", echoing).await;
    let log = serde_json::to_string(&fake.calls()).unwrap();
    assert!(!log.contains(KEY), "{log}");
    assert_eq!(fake.calls()[0].error_code, Some(AUTH_ERROR));
}

#[tokio::test]
async fn past_the_limit_the_edge_answers_an_html_429() {
    let fake = start(|c| {
        c.rate_limit = Some(RateLimit {
            per_second: 1.0,
            burst: 1.0,
        });
        c.manual_clock = true;
    })
    .await;
    rpc(&fake, "getPackages", json!({})).await;
    let (status, body) = rpc_with(&fake, KEY, "getPackages", json!({})).await;
    assert_eq!((status, body), (429, Value::String(RATE_LIMITED_PAGE.into())));
    assert!(fake.advance_clock(Duration::from_secs(1)));
    rpc(&fake, "getPackages", json!({})).await;
    assert_eq!(fake.stats().rate_limited, 1);

    fake.push_fault(Fault::RateLimited {
        retry_after_secs: None,
    });
    assert_eq!(rpc_with(&fake, KEY, "getPackages", json!({})).await.0, 429);
}

#[tokio::test]
async fn a_lost_answer_was_carried_out() {
    let fake = start(|_| {}).await;
    fake.push_fault_on("addPackage", ShiptorFault::LostAnswer { after: None });
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "addPackage", "params": package("ot-1-5")});
    let sent = reqwest::Client::new()
        .post(format!("{}{SHIPPING_PATH}", fake.base_url()))
        .header(API_KEY_HEADER, KEY)
        .json(&body)
        .send()
        .await;
    assert!(sent.is_err(), "the connection closes before an answer");
    assert!(fake.package("ot-1-5").is_some());
    assert!(fake.calls_to("addPackage")[0].lost);
}
