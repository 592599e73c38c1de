//! Routes. Every seller call goes through `seller`: rate limit, auth, queued faults, then the
//! method itself, and the call is logged with the status it got.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::data::{ts, UNFULFILLED};
use super::state::{apply_status, Posting, Shared};
use super::{Fault, FaultRule, RecordedCall};

type S = State<Arc<Shared>>;
type Window = Option<(DateTime<Utc>, DateTime<Utc>)>;

const SELLER_PATHS: &[&str] = &[
    "/v4/posting/fbs/unfulfilled/list",
    "/v4/posting/fbs/list",
    "/v3/posting/fbo/list",
    "/v3/posting/fbs/get",
    "/v4/posting/fbs/ship",
    "/v2/posting/fbs/cancel",
    "/v2/posting/fbs/product/cancel",
    "/v1/roles",
    "/v2/posting/fbs/cancel-reason/list",
    "/v1/posting/fbs/cancel-reason",
    "/v2/fbs/posting/delivering",
    "/v2/fbs/posting/last-mile",
    "/v2/fbs/posting/delivered",
    "/v2/fbs/posting/tracking-number/set",
];

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut r = Router::new();
    for path in SELLER_PATHS {
        let path_owned = path.to_string();
        r = r.route(
            path,
            post(move |st: S, headers: HeaderMap, body: String| {
                seller(st, path_owned.clone(), headers, body)
            }),
        );
    }
    r.route("/__fake/postings", post(admin_add))
        .route("/__fake/postings/{number}", get(admin_get))
        .route("/__fake/postings/{number}/status", post(admin_status))
        .route("/__fake/calls", get(admin_calls))
        .route("/__fake/faults", post(admin_fault))
        .with_state(shared)
}

fn error(status: StatusCode, code: i64, message: &str) -> Response {
    (
        status,
        Json(json!({"code": code, "message": message, "details": []})),
    )
        .into_response()
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, 3, message)
}

async fn seller(State(shared): S, path: String, headers: HeaderMap, body: String) -> Response {
    let client_id = headers
        .get("client-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let api_key_ok =
        headers.get("api-key").and_then(|v| v.to_str().ok()) == Some(shared.config.api_key.as_str());
    let parsed: Option<Value> = serde_json::from_str(&body).ok();
    let held = {
        let mut s = shared.lock();
        let at = s.holds.iter().position(|(p, _)| *p == path);
        at.map(|i| s.holds.remove(i).1)
    };
    if let Some(held) = held {
        held.wait().await;
    }
    let response = answer(&shared, &path, client_id.as_deref(), &headers, parsed.as_ref()).await;
    shared.lock().calls.push(RecordedCall {
        path,
        client_id,
        api_key_ok,
        body: parsed.unwrap_or(Value::String(body)),
        status: response.status().as_u16(),
    });
    response
}

async fn answer(
    shared: &Shared,
    path: &str,
    client_id: Option<&str>,
    headers: &HeaderMap,
    body: Option<&Value>,
) -> Response {
    if let Some(limit) = shared.config.rate_limit_per_sec {
        let mut s = shared.lock();
        let now = Instant::now();
        let (start, count) = s.window.get_or_insert((now, 0));
        if now.duration_since(*start) >= Duration::from_secs(1) {
            *start = now;
            *count = 0;
        }
        *count += 1;
        if *count > limit {
            return error(
                StatusCode::TOO_MANY_REQUESTS,
                8,
                "You have reached request rate limit per second",
            );
        }
    }
    let api_key = headers.get("api-key").and_then(|v| v.to_str().ok());
    let (Some(client_id), Some(api_key)) = (client_id, api_key) else {
        return error(
            StatusCode::UNAUTHORIZED,
            16,
            "Client-Id and Api-Key headers are required",
        );
    };
    if client_id != shared.config.client_id || api_key != shared.config.api_key {
        return error(
            StatusCode::FORBIDDEN,
            7,
            "Invalid Api-Key, please contact support",
        );
    }
    let fault = {
        let mut s = shared.lock();
        let at = s
            .faults
            .iter()
            .position(|f: &FaultRule| f.path.as_deref().is_none_or(|p| p == path));
        let queued = at.and_then(|i| s.faults.remove(i)).map(|f| f.fault);
        queued.or_else(|| s.flaky.as_mut().and_then(|f| f.pick()))
    };
    match fault {
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                8,
                "You have reached request rate limit per second",
            );
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert("retry-after", HeaderValue::from(secs));
            }
            return r;
        }
        Some(Fault::ServerError(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return error(status, 13, "Internal error");
        }
        Some(Fault::CircuitOpen) => return error(StatusCode::SERVICE_UNAVAILABLE, 14, "Circle is open"),
        Some(Fault::NotJson) => {
            return (
                StatusCode::OK,
                [("content-type", "text/html")],
                "<html><body>502 Bad Gateway</body></html>",
            )
                .into_response()
        }
        // A proxy or gateway before Ozon answering 200 with its own JSON.
        Some(Fault::EnvelopeError { message }) => {
            return (StatusCode::OK, Json(json!({"error": message}))).into_response()
        }
        Some(Fault::Slow { millis }) => tokio::time::sleep(Duration::from_millis(millis)).await,
        Some(Fault::TruncatedJson | Fault::Trickle { .. }) | None => {}
    }
    let Some(body) = body else {
        return bad_request("request body is not valid JSON");
    };
    if body.get("with").is_some_and(|w| !w.is_object()) {
        return bad_request("invalid request payload: 'with' must be an object");
    }
    let response = match path {
        "/v4/posting/fbs/unfulfilled/list" => list(shared, body, true),
        "/v4/posting/fbs/list" => list(shared, body, false),
        "/v3/posting/fbo/list" => fbo_list(shared, body),
        "/v3/posting/fbs/get" => get_posting(shared, body),
        "/v4/posting/fbs/ship" => ship(shared, body),
        "/v2/posting/fbs/cancel" => cancel(shared, body),
        "/v2/posting/fbs/product/cancel" => product_cancel(shared, body),
        "/v2/fbs/posting/delivering" => delivery_stage(shared, body, &["awaiting_deliver"], "delivering"),
        "/v2/fbs/posting/last-mile" => delivery_stage(shared, body, &["delivering"], "driver_pickup"),
        "/v2/fbs/posting/delivered" => {
            delivery_stage(shared, body, &["delivering", "driver_pickup"], "delivered")
        }
        "/v2/fbs/posting/tracking-number/set" => tracking_numbers(shared, body),
        "/v1/roles" => {
            let expires_at = shared.lock().key_expires_at;
            Ok(json!({
                "roles": [{"name": "Admin", "methods": ["/v4/posting/fbs/list", "/v4/posting/fbs/ship"]}],
                "expires_at": ts(expires_at.unwrap_or_else(|| Utc::now() + chrono::Duration::days(180)))
            }))
        }
        "/v2/posting/fbs/cancel-reason/list" | "/v1/posting/fbs/cancel-reason" => Ok(json!({"result": [
            {"id": 352, "title": "Товар закончился у продавца", "type_id": "seller", "is_available_for_cancellation": true},
            {"id": 400, "title": "Остался только бракованный товар", "type_id": "seller", "is_available_for_cancellation": true},
            {"id": 401, "title": "Продавец отклонил арбитраж", "type_id": "seller", "is_available_for_cancellation": false},
            {"id": 402, "title": "Другое (вина продавца)", "type_id": "seller", "is_available_for_cancellation": true},
            {"id": 665, "title": "Покупатель не забрал заказ", "type_id": "buyer", "is_available_for_cancellation": false}
        ]})),
        _ => Err(error(StatusCode::NOT_FOUND, 5, "Not found")),
    };
    match (response, fault) {
        (Ok(v), Some(Fault::TruncatedJson)) => {
            let text = v.to_string();
            let cut = text.len() / 2;
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                text[..cut].to_string(),
            )
                .into_response()
        }
        (Ok(v), Some(Fault::Trickle { chunks, gap_millis })) => trickle(v.to_string(), chunks, gap_millis),
        (Ok(v), _) => Json(v).into_response(),
        (Err(r), _) => r,
    }
}

/// A whole answer sent slowly: `chunks` pieces with a pause before each.
fn trickle(text: String, chunks: u32, gap_millis: u64) -> Response {
    let bytes = axum::body::Bytes::from(text);
    let size = bytes.len().div_ceil(chunks.max(1) as usize).max(1);
    let pieces: Vec<axum::body::Bytes> = (0..bytes.len())
        .step_by(size)
        .map(|at| bytes.slice(at..(at + size).min(bytes.len())))
        .collect();
    let stream = futures_util::stream::unfold(pieces.into_iter(), move |mut rest| async move {
        let piece = rest.next()?;
        tokio::time::sleep(Duration::from_millis(gap_millis)).await;
        Some((Ok::<_, std::convert::Infallible>(piece), rest))
    });
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

fn time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn pair(filter: &Value, from: &str, to: &str) -> Result<Window, Response> {
    match (
        filter.get(from).filter(|v| !v.is_null()),
        filter.get(to).filter(|v| !v.is_null()),
    ) {
        (None, None) => Ok(None),
        (Some(a), Some(b)) => match (time(a), time(b)) {
            (Some(a), Some(b)) => Ok(Some((a, b))),
            _ => Err(bad_request(&format!("{from} and {to} must be RFC 3339 times"))),
        },
        _ => Err(bad_request(&format!("{from} and {to} must be set together"))),
    }
}

/// Both v4 lists: validation like Ozon, then a stable order and an opaque offset cursor.
fn list(shared: &Shared, body: &Value, unfulfilled: bool) -> Result<Value, Response> {
    let limit = body["limit"].as_u64().unwrap_or(0);
    if !(1..=100).contains(&limit) {
        return Err(bad_request("limit must be between 1 and 100"));
    }
    let filter = &body["filter"];
    if !filter.is_object() {
        return Err(bad_request("filter is required"));
    }
    let year = chrono::Duration::days(366);
    let (window, window_on_cutoff) = if unfulfilled {
        let cutoff = pair(filter, "cutoff_from", "cutoff_to")?;
        let delivering = pair(filter, "delivering_date_from", "delivering_date_to")?;
        match (cutoff, delivering) {
            (Some(c), None) => (c, true),
            (None, Some(d)) => (d, false),
            _ => return Err(bad_request(
                "exactly one of cutoff_from/cutoff_to or delivering_date_from/delivering_date_to is required",
            )),
        }
    } else {
        match pair(filter, "since", "to")? {
            Some(p) => (p, false),
            None => return Err(bad_request("filter.since and filter.to are required")),
        }
    };
    if window.1 - window.0 > year {
        return Err(bad_request("the period must not be longer than one year"));
    }
    let changed = match filter.get("last_changed_status_date").filter(|v| !v.is_null()) {
        Some(v) => pair(v, "from", "to")?,
        None => None,
    };
    let statuses: Vec<&str> = filter["statuses"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let offset: usize = match body["cursor"].as_str().unwrap_or("") {
        "" => 0,
        c => c
            .strip_prefix("c")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad_request("invalid cursor"))?,
    };

    let s = shared.lock();
    let mut matching: Vec<&Posting> = s
        .postings
        .iter()
        .filter(|p| {
            let status = p.json["status"].as_str().unwrap_or_default();
            let when = if unfulfilled && window_on_cutoff {
                time(&p.json["shipment_date"]).unwrap_or(p.in_process_at)
            } else if unfulfilled {
                time(&p.json["delivering_date"]).unwrap_or(p.in_process_at)
            } else {
                p.in_process_at
            };
            !p.fbo
                && (!unfulfilled || UNFULFILLED.contains(&status))
                && when >= window.0
                && when <= window.1
                && (statuses.is_empty() || statuses.contains(&status))
                && changed.is_none_or(|(a, b)| p.last_changed >= a && p.last_changed <= b)
        })
        .collect();
    matching.sort_by_key(|p| p.in_process_at);
    if body["sort_dir"]
        .as_str()
        .is_some_and(|d| d.eq_ignore_ascii_case("desc"))
    {
        matching.reverse();
    }
    let total = matching.len();
    // Like Ozon, optional blocks are filled only when the request asks for them.
    let with_analytics = body["with"]["analytics_data"].as_bool().unwrap_or(false);
    let with_barcodes = body["with"]["barcodes"].as_bool().unwrap_or(false);
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit as usize)
        .map(|p| {
            let mut json = p.json.clone();
            if !with_analytics {
                json["analytics_data"] = Value::Null;
            }
            if !with_barcodes {
                json["barcodes"] = Value::Null;
            }
            json
        })
        .collect();
    let next = offset + page.len();
    let has_next = next < total;
    let cursor = if has_next {
        format!("c{next}")
    } else {
        String::new()
    };
    let mut out = json!({"postings": page, "cursor": cursor, "has_next": has_next});
    if unfulfilled {
        out["count"] = json!(total);
    }
    Ok(out)
}

/// The v3 FBO list: `since`/`to` on the creation time (at most a year apart), optional
/// `statuses[]`, `posting_numbers[]`; pages of 1..100 by an opaque cursor.
fn fbo_list(shared: &Shared, body: &Value) -> Result<Value, Response> {
    let limit = body["limit"].as_u64().unwrap_or(0);
    if !(1..=100).contains(&limit) {
        return Err(bad_request("limit must be between 1 and 100"));
    }
    let filter = &body["filter"];
    let Some((since, to)) = pair(filter, "since", "to")? else {
        return Err(bad_request("filter.since and filter.to are required"));
    };
    if to - since > chrono::Duration::days(366) {
        return Err(bad_request("PERIOD_IS_TOO_LONG"));
    }
    let list = |key: &str| -> Vec<String> {
        filter[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let (statuses, numbers) = (list("statuses"), list("posting_numbers"));
    let offset: usize = match body["cursor"].as_str().unwrap_or("") {
        "" => 0,
        c => c
            .strip_prefix("f")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| bad_request("invalid cursor"))?,
    };
    let with_analytics = body["with"]["analytics_data"].as_bool().unwrap_or(false);
    let s = shared.lock();
    let mut matching: Vec<&Posting> = s
        .postings
        .iter()
        .filter(|p| {
            let status = p.json["status"].as_str().unwrap_or_default().to_string();
            let number = p.json["posting_number"].as_str().unwrap_or_default().to_string();
            p.fbo
                && p.in_process_at >= since
                && p.in_process_at <= to
                && (statuses.is_empty() || statuses.contains(&status))
                && (numbers.is_empty() || numbers.contains(&number))
        })
        .collect();
    matching.sort_by_key(|p| p.in_process_at);
    if body["sort_dir"]
        .as_str()
        .is_some_and(|d| d.eq_ignore_ascii_case("desc"))
    {
        matching.reverse();
    }
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit as usize)
        .map(|p| {
            let mut json = p.json.clone();
            if !with_analytics {
                json["analytics_data"] = Value::Null;
            }
            json
        })
        .collect();
    let next = offset + page.len();
    let has_next = next < matching.len();
    let cursor = if has_next {
        format!("f{next}")
    } else {
        String::new()
    };
    Ok(json!({"postings": page, "cursor": cursor, "has_next": has_next}))
}

fn number(body: &Value) -> Result<String, Response> {
    body["posting_number"]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .ok_or_else(|| bad_request("posting_number is required"))
}

fn with_posting<T>(
    shared: &Shared,
    number: &str,
    f: impl FnOnce(&mut Posting) -> Result<T, Response>,
) -> Result<T, Response> {
    let mut s = shared.lock();
    let Some(&i) = s.index.get(number).filter(|&&i| !s.postings[i].fbo) else {
        return Err(error(
            StatusCode::NOT_FOUND,
            5,
            &format!("posting {number} not found"),
        ));
    };
    f(&mut s.postings[i])
}

fn get_posting(shared: &Shared, body: &Value) -> Result<Value, Response> {
    let n = number(body)?;
    with_posting(shared, &n, |p| Ok(json!({"result": p.json})))
}

fn require_status(p: &Posting, allowed: &[&str], action: &str) -> Result<(), Response> {
    let status = p.json["status"].as_str().unwrap_or_default();
    if allowed.contains(&status) {
        Ok(())
    } else {
        Err(bad_request(&format!(
            "cannot {action} a posting in status {status}"
        )))
    }
}

fn ship(shared: &Shared, body: &Value) -> Result<Value, Response> {
    let n = number(body)?;
    let packages = body["packages"]
        .as_array()
        .ok_or_else(|| bad_request("packages is required"))?;
    if packages.len() != 1 {
        return Err(bad_request("this fake ships one package per posting"));
    }
    let shipped = packages[0]["products"]
        .as_array()
        .ok_or_else(|| bad_request("packages[0].products is required"))?;
    with_posting(shared, &n, |p| {
        require_status(p, &["awaiting_packaging"], "ship")?;
        let products = p.json["products"].as_array().cloned().unwrap_or_default();
        for product in &products {
            let sku = product["sku"].as_u64();
            let qty = product["quantity"].as_u64();
            let found = shipped
                .iter()
                .any(|s| s["product_id"].as_u64() == sku && s["quantity"].as_u64() == qty);
            if !found {
                return Err(bad_request(&format!(
                    "product {} is missing from the packages",
                    sku.unwrap_or_default()
                )));
            }
        }
        if shipped.len() != products.len() {
            return Err(bad_request(
                "packages contain products that are not in the posting",
            ));
        }
        apply_status(p, "awaiting_deliver");
        // Ozon prints the package labels once the posting is assembled.
        let digits: String = n.chars().filter(char::is_ascii_digit).collect();
        p.json["barcodes"] =
            json!({"upper_barcode": format!("%101%{digits}"), "lower_barcode": format!("2{digits}")});
        Ok(json!({"result": [n], "additional_data": []}))
    })
}

/// One realFBS entry: `{posting_number, result, error}`; refusals come inside the 200.
fn per_posting(number: &str, outcome: Result<(), String>) -> Value {
    match outcome {
        Ok(()) => json!({"posting_number": number, "result": true, "error": []}),
        Err(e) => json!({"posting_number": number, "result": false, "error": e}),
    }
}

/// realFBS: only postings the seller delivers (`non_integrated`), from the statuses given.
fn delivery_stage(shared: &Shared, body: &Value, from: &[&str], to: &str) -> Result<Value, Response> {
    let numbers = body["posting_number"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad_request("posting_number must be a non-empty array"))?;
    let mut s = shared.lock();
    let mut out = vec![];
    for n in numbers {
        let n = n.as_str().unwrap_or_default();
        let outcome = match s.index.get(n).copied().filter(|&i| !s.postings[i].fbo) {
            None => Err("POSTING_NOT_FOUND".to_string()),
            Some(i) => {
                let p = &mut s.postings[i];
                let status = p.json["status"].as_str().unwrap_or_default().to_string();
                if p.json["tpl_integration_type"].as_str() != Some("non_integrated") {
                    Err("POSTING_IS_NOT_REAL_FBS".to_string())
                } else if !from.contains(&status.as_str()) {
                    Err(format!("INVALID_POSTING_STATUS: {status}"))
                } else {
                    apply_status(p, to);
                    Ok(())
                }
            }
        };
        out.push(per_posting(n, outcome));
    }
    Ok(json!({"result": out}))
}

fn tracking_numbers(shared: &Shared, body: &Value) -> Result<Value, Response> {
    let items = body["tracking_numbers"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad_request("tracking_numbers is required"))?;
    if items.len() > 20 {
        return Err(bad_request("at most 20 tracking numbers per call"));
    }
    let mut s = shared.lock();
    let mut out = vec![];
    for item in items {
        let n = item["posting_number"].as_str().unwrap_or_default();
        let track = item["tracking_number"].as_str().unwrap_or_default().trim();
        let outcome = match s.index.get(n).copied().filter(|&i| !s.postings[i].fbo) {
            None => Err("POSTING_NOT_FOUND".to_string()),
            Some(_) if track.is_empty() => Err("TRACKING_NUMBER_IS_EMPTY".to_string()),
            Some(i) => {
                let p = &mut s.postings[i];
                let status = p.json["status"].as_str().unwrap_or_default();
                if !["awaiting_deliver", "delivering", "driver_pickup"].contains(&status) {
                    Err(format!("INVALID_POSTING_STATUS: {status}"))
                } else {
                    p.json["tracking_number"] = json!(track);
                    p.last_changed = Utc::now();
                    Ok(())
                }
            }
        };
        out.push(per_posting(n, outcome));
    }
    Ok(json!({"result": out}))
}

fn reason(body: &Value) -> Result<i64, Response> {
    let id = body["cancel_reason_id"]
        .as_i64()
        .ok_or_else(|| bad_request("cancel_reason_id is required"))?;
    if id == 402
        && body["cancel_reason_message"]
            .as_str()
            .unwrap_or("")
            .trim()
            .is_empty()
    {
        return Err(bad_request("cancel_reason_message is required for reason 402"));
    }
    Ok(id)
}

fn cancel(shared: &Shared, body: &Value) -> Result<Value, Response> {
    let n = number(body)?;
    let reason_id = reason(body)?;
    with_posting(shared, &n, |p| {
        require_status(
            p,
            &[
                "awaiting_registration",
                "acceptance_in_progress",
                "awaiting_approve",
                "awaiting_packaging",
                "awaiting_deliver",
            ],
            "cancel",
        )?;
        apply_status(p, "cancelled");
        p.json["cancellation"] = json!({
            "cancel_reason_id": reason_id,
            "cancel_reason": body["cancel_reason_message"],
            "cancellation_type": "seller",
            "cancelled_after_ship": false,
            "affect_cancellation_rating": true,
            "cancellation_initiator": "Продавец"
        });
        Ok(json!({"result": true}))
    })
}

fn product_cancel(shared: &Shared, body: &Value) -> Result<Value, Response> {
    let n = number(body)?;
    reason(body)?;
    let items = body["items"]
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad_request("items is required"))?;
    with_posting(shared, &n, |p| {
        require_status(p, &["awaiting_packaging"], "cancel products of")?;
        let mut products = p.json["products"].as_array().cloned().unwrap_or_default();
        for item in items {
            let sku = item["sku"].as_u64();
            let qty = item["quantity"].as_u64().unwrap_or(0);
            let Some(product) = products.iter_mut().find(|pr| pr["sku"].as_u64() == sku) else {
                return Err(bad_request(&format!(
                    "product {} is not in the posting",
                    sku.unwrap_or_default()
                )));
            };
            let have = product["quantity"].as_u64().unwrap_or(0);
            if qty == 0 || qty > have {
                return Err(bad_request("quantity to cancel is out of range"));
            }
            product["quantity"] = json!(have - qty);
        }
        products.retain(|pr| pr["quantity"].as_u64().unwrap_or(0) > 0);
        if products.is_empty() {
            return Err(bad_request(
                "cannot cancel every product: cancel the posting instead",
            ));
        }
        p.json["products"] = json!(products);
        p.last_changed = Utc::now();
        Ok(json!({"result": n}))
    })
}

async fn admin_add(State(shared): S, Json(body): Json<Value>) -> Response {
    if let Some(n) = body.get("generate").and_then(Value::as_u64) {
        let products = body.get("products").and_then(Value::as_u64).unwrap_or(1) as usize;
        let numbers = shared.generate(n as usize, products);
        return Json(json!({"posting_numbers": numbers})).into_response();
    }
    match body["posting_number"].as_str().map(str::to_string) {
        Some(n) => {
            shared.add_posting(body);
            Json(json!({"posting_numbers": [n]})).into_response()
        }
        None => bad_request("a posting needs a posting_number, or send {\"generate\": N}"),
    }
}

async fn admin_get(State(shared): S, Path(number): Path<String>) -> Response {
    match shared.posting(&number) {
        Some(p) => Json(p).into_response(),
        None => error(StatusCode::NOT_FOUND, 5, "posting not found"),
    }
}

async fn admin_status(State(shared): S, Path(number): Path<String>, Json(body): Json<Value>) -> Response {
    let Some(status) = body["status"].as_str() else {
        return bad_request("status is required");
    };
    if shared.set_status(&number, status) {
        Json(json!({"ok": true})).into_response()
    } else {
        error(StatusCode::NOT_FOUND, 5, "posting not found")
    }
}

async fn admin_calls(State(shared): S) -> Response {
    Json(shared.calls()).into_response()
}

async fn admin_fault(State(shared): S, Json(rule): Json<FaultRule>) -> Response {
    shared.push_fault(rule);
    Json(json!({"ok": true})).into_response()
}
