//! The fake Ozon refuses what Ozon refuses, with Ozon's error shape.

use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig};
use serde_json::{json, Value};

async fn post(url: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .header("Client-Id", "1")
        .header("Api-Key", "k")
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn list_requests_are_validated_like_ozon() {
    let fake = FakeOzon::start(FakeOzonConfig::new("1", "k")).await.unwrap();
    let url = format!("{}/v4/posting/fbs/unfulfilled/list", fake.base_url());
    let window = json!({"cutoff_from": "2026-01-01T00:00:00Z", "cutoff_to": "2026-03-01T00:00:00Z"});
    let cases = [
        (json!({"limit": 101, "filter": window}), "limit"),
        (json!({"limit": 0, "filter": window}), "limit"),
        (json!({"limit": 10, "filter": {}}), "exactly one"),
        (
            json!({"limit": 10, "filter": {"cutoff_from": "2026-01-01T00:00:00Z"}}),
            "together",
        ),
        (
            json!({"limit": 10, "filter": window, "with": []}),
            "'with' must be an object",
        ),
    ];
    for (body, why) in cases {
        let (status, answer) = post(&url, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert!(answer["message"].as_str().unwrap().contains(why), "{answer}");
        assert!(answer["code"].is_i64() && answer["details"].is_array());
    }
    let (status, answer) = post(&url, json!({"limit": 10, "filter": window, "with": {}})).await;
    assert_eq!(status, 200);
    assert_eq!(answer["has_next"], false);

    let list = format!("{}/v4/posting/fbs/list", fake.base_url());
    let (status, _) = post(
        &list,
        json!({"limit": 10, "filter": {"since": "2024-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}}),
    )
    .await;
    assert_eq!(status, 400, "more than a year");
}

#[tokio::test]
async fn the_admin_api_adds_postings_and_reports_calls() {
    let fake = FakeOzon::start(FakeOzonConfig::new("1", "k")).await.unwrap();
    let client = reqwest::Client::new();
    let added: Value = client
        .post(format!("{}/__fake/postings", fake.base_url()))
        .json(&json!({"generate": 2, "products": 3}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let numbers = added["posting_numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 2);
    let posting = fake.posting(numbers[0].as_str().unwrap()).unwrap();
    assert_eq!(posting["products"].as_array().unwrap().len(), 3);
    assert!(
        posting["products"][0]["price"]["amount"].is_string(),
        "v4 price object"
    );
    post(&format!("{}/v1/roles", fake.base_url()), json!({})).await;
    let calls: Value = client
        .get(format!("{}/__fake/calls", fake.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(calls.as_array().unwrap().len(), 1, "admin calls are not logged");
    assert_eq!(calls[0]["path"], "/v1/roles");
}
