//! The fake RetailCRM over real HTTP on loopback: the order transfer routes in RetailCRM's wire
//! format and words, its limit, and the faults a transfer client must survive.

use std::time::{Duration, Instant};

use ordertray_fakes::faults::Fault;
use ordertray_fakes::retailcrm::{
    ErrorsShape, FakeRetailCrm, FakeRetailCrmConfig, FakeRetailCrmHandle, Locale, RateLimit, RetailCrmFault,
    RetailCrmStats, ValidationRules, ALREADY_EXISTS, API_KEY_HEADER, NOT_LOADED, ORDERS_CREATE_PATH,
    ORDERS_STATUSES_PATH, PRODUCTS_CREATE_PATH, PRODUCTS_PATH, RATE_LIMITED_PAGE,
};
use serde_json::{json, Value};

const KEY: &str = "rcrm-test-key-0123456789";
const SITE: &str = "shop-one";

async fn start(edit: impl FnOnce(&mut FakeRetailCrmConfig)) -> FakeRetailCrmHandle {
    let mut config = FakeRetailCrmConfig::new(KEY, SITE);
    edit(&mut config);
    FakeRetailCrm::start(config)
        .await
        .expect("fake RetailCRM listens")
}

/// A POST as RetailCRM takes it: a form, the key in the header.
async fn post_form(fake: &FakeRetailCrmHandle, path: &str, fields: &[(&str, String)]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", fake.base_url()))
        .header(API_KEY_HEADER, KEY)
        .form(fields)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

/// A GET with the key in the header; `path` carries the query.
async fn get(fake: &FakeRetailCrmHandle, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", fake.base_url()))
        .header(API_KEY_HEADER, KEY)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON answer"))
}

async fn create(fake: &FakeRetailCrmHandle, order: &Value) -> (u16, Value) {
    let fields = [("site", SITE.to_string()), ("order", order.to_string())];
    post_form(fake, ORDERS_CREATE_PATH, &fields).await
}

async fn edit(fake: &FakeRetailCrmHandle, external_id: &str, changes: &Value) -> (u16, Value) {
    let fields = [
        ("by", "externalId".to_string()),
        ("site", SITE.to_string()),
        ("order", changes.to_string()),
    ];
    post_form(fake, &format!("/api/v5/orders/{external_id}/edit"), &fields).await
}

/// An order as a shop sends it, with every field the transfer fills.
fn shop_order(external_id: &str) -> Value {
    json!({
        "externalId": external_id, "number": format!("WEB-{external_id}"),
        "firstName": "Иван", "lastName": "Петров", "phone": "+7 900 000-00-01", "email": "ivan@example.com",
        "delivery": {"code": "courier", "cost": 300,
                     "address": {"countryIso": "RU", "city": "Москва", "street": "Тверская", "building": "1",
                                 "flat": "12", "text": "Москва, Тверская, 1, кв. 12"},
                     "data": {"tariff": "express"}},
        "payments": [{"type": "bank-card", "amount": 2300, "status": "paid"}],
        "items": [{"offer": {"externalId": "SKU-1"}, "productName": "Фильтр", "quantity": 2, "initialPrice": 1000}],
        "weight": 1500, "length": 30, "width": 20, "height": 10
    })
}

/// Waits for `done`, at most five seconds.
async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn create_read_edit_and_statuses_round_trip() {
    let fake = start(|_| {}).await;
    let (status, created) = create(&fake, &shop_order("1001")).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["success"], true);
    let id = created["id"].as_i64().expect("an internal id");
    let order = &created["order"];
    assert_eq!(order["id"], id);
    assert_eq!(order["externalId"], "1001");
    assert_eq!(order["number"], "WEB-1001", "the shop's number is kept");
    assert_eq!(order["status"], "new");
    assert_eq!(order["site"], SITE);
    assert_eq!(order["totalSumm"], 2300.0, "items plus delivery");
    assert_eq!(order["delivery"]["address"]["flat"], "12");
    assert_eq!(order["delivery"]["data"]["tariff"], "express");
    assert!(order["payments"][0]["id"].is_i64());
    assert_eq!(order["weight"], 1500);
    let created_at = order["createdAt"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(created_at, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{created_at}"
    );

    let (status, read) = get(&fake, &format!("/api/v5/orders/1001?by=externalId&site={SITE}")).await;
    assert_eq!(status, 200);
    assert_eq!(read["order"], *order);

    let (status, edited) = edit(
        &fake,
        "1001",
        &json!({"status": "assembling", "managerComment": "срочно"}),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["id"], id);
    assert_eq!(edited["order"]["status"], "assembling");
    assert_eq!(edited["order"]["firstName"], "Иван", "fields not sent stay");

    let (_, other) = create(&fake, &shop_order("1002")).await;
    let other_id = other["id"].as_i64().unwrap();
    let query = format!("?externalIds[]=1001&externalIds[]=missing&ids[]={other_id}");
    let (status, statuses) = get(&fake, &format!("{ORDERS_STATUSES_PATH}{query}")).await;
    assert_eq!(status, 200);
    let mut lines = statuses["orders"].as_array().unwrap().clone();
    lines.sort_by_key(|l| l["id"].as_i64());
    assert_eq!(
        lines,
        vec![
            json!({"id": id, "externalId": "1001", "status": "assembling", "group": "assembling"}),
            json!({"id": other_id, "externalId": "1002", "status": "new", "group": "new"}),
        ]
    );

    assert_eq!(fake.order("1001").unwrap()["managerComment"], "срочно");
    assert_eq!(
        fake.stats(),
        RetailCrmStats {
            creates: 2,
            edits: 1,
            reads: 2,
            rate_limited: 0
        }
    );
}

#[tokio::test]
async fn unknown_orders_are_not_found_by_id_or_external_id() {
    let fake = start(|_| {}).await;
    let (_, created) = create(&fake, &shop_order("7")).await;
    let id = created["id"].as_i64().unwrap();
    let (status, body) = get(&fake, "/api/v5/orders/404?by=externalId").await;
    assert_eq!(
        (status, body),
        (404, json!({"success": false, "errorMsg": "Not found"}))
    );
    let (status, _) = edit(&fake, "404", &json!({"status": "complete"})).await;
    assert_eq!(status, 404);
    let (status, read) = get(&fake, &format!("/api/v5/orders/{id}?by=id")).await;
    assert_eq!((status, read["order"]["externalId"].clone()), (200, json!("7")));
}

#[tokio::test]
async fn a_second_create_with_the_same_external_id_is_refused() {
    let fake = start(|_| {}).await;
    assert_eq!(create(&fake, &shop_order("55")).await.0, 201);
    // The same id sent as a number is the same order.
    let mut again = shop_order("55");
    again["externalId"] = json!(55);
    let (status, body) = create(&fake, &again).await;
    assert_eq!(status, 400);
    assert_eq!(body, json!({"success": false, "errorMsg": ALREADY_EXISTS}));
    assert_eq!(fake.orders().len(), 1);
    assert_eq!(fake.stats().creates, 1);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_with_403_and_never_logged() {
    let fake = start(|_| {}).await;
    let url = format!("{}{ORDERS_CREATE_PATH}", fake.base_url());
    let order = shop_order("9").to_string();
    let client = reqwest::Client::new();
    let missing = client
        .post(&url)
        .form(&[("order", order.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 403);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(
        body,
        json!({"success": false, "errorMsg": "\"apiKey\" is missing."})
    );
    let wrong = client
        .post(&url)
        .header(API_KEY_HEADER, "not-the-key")
        .form(&[("order", order.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(
        body,
        json!({"success": false, "errorMsg": "Wrong \"apiKey\" value."})
    );
    assert!(fake.orders().is_empty());

    // The key as a parameter works too, and stays out of the log.
    let by_param = client
        .post(&url)
        .form(&[("apiKey", KEY), ("order", order.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(by_param.status().as_u16(), 201);
    let log = serde_json::to_string(&fake.calls()).unwrap();
    assert!(!log.contains(KEY), "{log}");
    assert_eq!(
        fake.calls().iter().map(|c| c.http_status).collect::<Vec<_>>(),
        [403, 403, 201]
    );
}

#[tokio::test]
async fn another_site_code_is_refused() {
    let fake = start(|_| {}).await;
    let fields = [
        ("site", "other-shop".to_string()),
        ("order", shop_order("3").to_string()),
    ];
    let (status, body) = post_form(&fake, ORDERS_CREATE_PATH, &fields).await;
    assert_eq!(
        (status, body),
        (403, json!({"success": false, "errorMsg": "Access denied."}))
    );
    assert!(fake.orders().is_empty());
}

#[tokio::test]
async fn validation_errors_come_as_an_object_or_a_list() {
    let fake = start(|c| c.validation.require_phone = true).await;
    let mut bad = shop_order("77");
    bad["email"] = json!("ivan@@example");
    bad["phone"] = json!("");
    bad["delivery"]["code"] = json!("dhl");
    bad["payments"] = json!([{"type": "cash", "amount": 1}, {"type": "crypto", "amount": 1}]);
    let (status, body) = create(&fake, &bad).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"success": false, "errorMsg": NOT_LOADED, "errors": {
            "email": "This value is not a valid email address.",
            "phone": "This value should not be blank.",
            "delivery.code": "\"DeliveryType\" with \"code\"=\"dhl\" does not exist.",
            "payments[1].type": "\"PaymentType\" with \"code\"=\"crypto\" does not exist."
        }})
    );
    assert!(fake.orders().is_empty(), "a refused order is not stored");

    // The rules change through the admin route: a list of messages, in Russian.
    let rules = json!({"require_phone": true, "errors_shape": "list", "locale": "ru"});
    let answer = reqwest::Client::new()
        .post(format!("{}/__fake/validation", fake.base_url()))
        .json(&rules)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 204);
    let (status, body) = create(&fake, &bad).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorMsg"], NOT_LOADED);
    assert_eq!(
        body["errors"],
        json!([
            "Значение адреса электронной почты недопустимо.",
            "Значение не должно быть пустым.",
            "\"DeliveryType\" with \"code\"=\"dhl\" does not exist.",
            "\"PaymentType\" with \"code\"=\"crypto\" does not exist."
        ])
    );

    // An edit is checked as the order it makes.
    fake.set_validation(ValidationRules {
        errors_shape: ErrorsShape::Object,
        locale: Locale::En,
        ..ValidationRules::default()
    });
    assert_eq!(create(&fake, &shop_order("78")).await.0, 201);
    let (status, body) = edit(&fake, "78", &json!({"status": "shipped-somehow"})).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"],
        json!({"status": "\"Status\" with \"code\"=\"shipped-somehow\" does not exist."})
    );
    assert_eq!(fake.order("78").unwrap()["status"], "new");
}

#[tokio::test]
async fn an_unknown_offer_is_kept_as_an_item_without_a_product() {
    let fake = start(|_| {}).await;
    let products = json!([{"externalId": "SKU-1", "name": "Фильтр", "article": "F-1", "catalogId": 1}]);
    let (status, added) = post_form(&fake, PRODUCTS_CREATE_PATH, &[("products", products.to_string())]).await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["processedProductsCount"], 1);
    assert_eq!(added["addedProducts"].as_array().unwrap().len(), 1);

    let (status, listed) = get(&fake, &format!("{PRODUCTS_PATH}?filter[externalId]=SKU-1")).await;
    assert_eq!(status, 200);
    assert_eq!(listed["pagination"]["totalCount"], 1);
    assert_eq!(listed["products"][0]["offers"][0]["externalId"], "SKU-1");
    let (_, none) = get(&fake, &format!("{PRODUCTS_PATH}?filter[offerExternalId]=SKU-404")).await;
    assert_eq!(none["products"], json!([]));

    let mut order = shop_order("500");
    order.as_object_mut().unwrap().remove("payments");
    order["items"] = json!([
        {"offer": {"externalId": "SKU-1"}, "productName": "Фильтр", "quantity": 1, "initialPrice": 1000},
        {"offer": {"externalId": "SKU-404"}, "productName": "Свеча зажигания", "quantity": 4, "initialPrice": 250}
    ]);
    let (status, created) = create(&fake, &order).await;
    assert_eq!(status, 201, "{created}");
    let items = created["order"]["items"].as_array().unwrap();
    assert!(
        items[0]["offer"]["id"].is_i64(),
        "tied to the catalog: {}",
        items[0]
    );
    assert_eq!(items[0]["offer"]["name"], "Фильтр");
    assert_eq!(items[1]["offer"], json!({"externalId": "SKU-404", "id": null}));
    assert_eq!(items[1]["productName"], "Свеча зажигания");
    assert_eq!(created["order"]["totalSumm"], 2300.0);
    assert!(
        created["order"].get("payments").is_none(),
        "nothing added that was not sent"
    );
}

#[tokio::test]
async fn past_the_limit_the_edge_answers_html_503_without_retry_after() {
    let fake = start(|c| {
        c.manual_clock = true;
        c.rate_limit = Some(RateLimit {
            per_second: 10.0,
            burst: 10.0,
        });
    })
    .await;
    let client = reqwest::Client::new();
    let url = format!("{}{ORDERS_STATUSES_PATH}?externalIds[]=1", fake.base_url());
    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..15 {
        let request = client.get(&url).header(API_KEY_HEADER, KEY);
        burst.spawn(async move {
            let r = request.send().await.expect("an answer");
            let retry_after = r.headers().get("retry-after").is_some();
            (r.status().as_u16(), retry_after, r.text().await.unwrap())
        });
    }
    let answers = burst.join_all().await;
    let refused: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 503).collect();
    assert_eq!(refused.len(), 5, "{answers:?}");
    assert_eq!(answers.iter().filter(|(s, _, _)| *s == 200).count(), 10);
    for (_, retry_after, body) in refused {
        assert!(!retry_after);
        assert_eq!(body, RATE_LIMITED_PAGE);
    }
    assert_eq!(fake.stats().rate_limited, 5);

    // Another key has its own bucket (and is refused for being wrong, not for the limit).
    let other = client
        .get(&url)
        .header(API_KEY_HEADER, "other")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status().as_u16(), 403);
    // A tenth of a second later one request goes through again, and only one.
    assert!(fake.advance_clock(Duration::from_millis(100)));
    assert_eq!(get(&fake, "/api/v5/orders/statuses?ids[]=1").await.0, 200);
    let again = client.get(&url).header(API_KEY_HEADER, KEY).send().await.unwrap();
    assert_eq!(again.status().as_u16(), 503);
    assert_eq!(fake.stats().rate_limited, 6);

    // The same through the admin routes: the clock moves, then the limit goes.
    let admin = |path: &str| format!("{}/__fake{path}", fake.base_url());
    let moved = client
        .post(admin("/clock"))
        .json(&json!({"advance_millis": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 204);
    assert_eq!(get(&fake, "/api/v5/orders/statuses?ids[]=1").await.0, 200);
    let lifted = client
        .post(admin("/rate_limit"))
        .json(&Value::Null)
        .send()
        .await
        .unwrap();
    assert_eq!(lifted.status().as_u16(), 204);
    for _ in 0..12 {
        assert_eq!(get(&fake, "/api/v5/orders/statuses?ids[]=1").await.0, 200);
    }
    assert_eq!(fake.stats().rate_limited, 6);
}

#[tokio::test]
async fn a_lost_answer_leaves_the_order_created_exactly_once() {
    let fake = start(|_| {}).await;
    fake.push_fault_on(ORDERS_CREATE_PATH, RetailCrmFault::LostAnswer { after: None });
    let fields = [
        ("site", SITE.to_string()),
        ("order", shop_order("900").to_string()),
    ];
    let sent = reqwest::Client::new()
        .post(format!("{}{ORDERS_CREATE_PATH}", fake.base_url()))
        .header(API_KEY_HEADER, KEY)
        .form(&fields)
        .send()
        .await;
    assert!(sent.is_err(), "no answer reaches the client: {sent:?}");
    wait_for("the lost create to be stored", || fake.order("900").is_some()).await;

    // What a careful client does next: look the order up, and never create it again.
    let (status, found) = get(&fake, "/api/v5/orders/900?by=externalId").await;
    assert_eq!(
        (status, found["order"]["externalId"].clone()),
        (200, json!("900"))
    );
    let (status, again) = create(&fake, &shop_order("900")).await;
    assert_eq!((status, again["errorMsg"].clone()), (400, json!(ALREADY_EXISTS)));
    assert_eq!(fake.orders().len(), 1);
    assert_eq!(fake.stats().creates, 1);
    let lost = &fake.calls()[0];
    assert!(lost.lost && lost.http_status == 201, "{lost:?}");
}

#[tokio::test]
async fn a_late_answer_comes_after_the_clients_timeout() {
    let fake = start(|_| {}).await;
    fake.push_fault(RetailCrmFault::LostAnswer {
        after: Some(Duration::from_secs(30)),
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let sent = client
        .post(format!("{}{ORDERS_CREATE_PATH}", fake.base_url()))
        .header(API_KEY_HEADER, KEY)
        .form(&[("order", shop_order("901").to_string())])
        .send()
        .await;
    assert!(sent.is_err_and(|e| e.is_timeout()));
    wait_for("the late create to be stored", || fake.order("901").is_some()).await;
    assert_eq!(fake.stats().creates, 1);
}

#[tokio::test]
async fn faults_answer_once_then_the_crm_does() {
    let fake = start(|_| {}).await;
    fake.push_fault(Fault::ServerError(503));
    fake.push_fault(Fault::ServerError(500));
    let client = reqwest::Client::new();
    let url = format!("{}{ORDERS_STATUSES_PATH}?ids[]=1", fake.base_url());
    let edge = client.get(&url).header(API_KEY_HEADER, KEY).send().await.unwrap();
    assert_eq!(edge.status().as_u16(), 503);
    assert!(edge
        .text()
        .await
        .unwrap()
        .contains("<h1>503 Service Unavailable</h1>"));
    let app = client.get(&url).header(API_KEY_HEADER, KEY).send().await.unwrap();
    assert_eq!(app.status().as_u16(), 500);
    let body: Value = app.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(get(&fake, "/api/v5/orders/statuses?ids[]=1").await.0, 200);

    // Through the admin route, for one path only.
    let rule = json!({"type": "server_error", "status": 502, "path": ORDERS_CREATE_PATH});
    let queued = client
        .post(format!("{}/__fake/faults", fake.base_url()))
        .json(&rule)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status().as_u16(), 204);
    assert_eq!(get(&fake, "/api/v5/orders/statuses?ids[]=1").await.0, 200);
    let refused = client
        .post(format!("{}{ORDERS_CREATE_PATH}", fake.base_url()))
        .header(API_KEY_HEADER, KEY)
        .form(&[("order", shop_order("5").to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 502);
    assert!(fake.orders().is_empty());
    assert_eq!(create(&fake, &shop_order("5")).await.0, 201);
}

#[tokio::test]
async fn the_admin_routes_move_statuses_and_report() {
    let fake = start(|_| {}).await;
    let client = reqwest::Client::new();
    let admin = |path: &str| format!("{}/__fake{path}", fake.base_url());
    create(&fake, &shop_order("31")).await;

    let moved = client
        .post(admin("/orders/31/status"))
        .json(&json!({"status": "complete"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status().as_u16(), 204);
    let unknown = client
        .post(admin("/orders/404/status"))
        .json(&json!({"status": "complete"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    assert!(fake.set_status("31", "delivering"));
    let (_, statuses) = get(&fake, &format!("{ORDERS_STATUSES_PATH}?externalIds[]=31")).await;
    assert_eq!(statuses["orders"][0]["status"], "delivering");
    assert_eq!(statuses["orders"][0]["group"], "delivery");

    // A status the account did not have, with its group.
    let custom = client
        .post(admin("/orders/31/status"))
        .json(&json!({"status": "handed-to-courier", "group": "delivery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(custom.status().as_u16(), 204);
    let (_, statuses) = get(&fake, &format!("{ORDERS_STATUSES_PATH}?externalIds[0]=31")).await;
    assert_eq!(statuses["orders"][0]["group"], "delivery");

    let orders: Value = client
        .get(admin("/orders"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(orders[0]["status"], "handed-to-courier");
    let stats: Value = client
        .get(admin("/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stats,
        json!({"creates": 1, "edits": 0, "reads": 2, "rate_limited": 0})
    );
    let calls: Value = client
        .get(admin("/calls"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        calls.as_array().unwrap().len(),
        3,
        "admin requests are not logged"
    );
    assert_eq!(calls[0]["path"], ORDERS_CREATE_PATH);
    assert_eq!(fake.calls()[0].form_json("order").unwrap()["externalId"], "31");
}
