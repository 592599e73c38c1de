//! Fake Gettzap: the status call the connector sends back, recorded for tests, and sample order
//! payloads for pushing to the intake.
//!
//! **Nothing here is Gettzap's published format** — Gettzap publishes neither its order push nor a
//! status call (see shared/api-notes/gettzap.md). The fake speaks the shape the connector assumes
//! (`ordertray_connectors::gettzap::client`): `POST /api/integration/order-status`, JSON
//! `{"order_id", "position_id", "status", "comment"}`, login and password as HTTP Basic, the
//! office token in `X-Api-Key`; wrong credentials answer 401, a missing field 400.
//!
//! Admin (not Gettzap's): `GET /__fake/calls` lists every status call received, as
//! [`GettzapStatusCall`]s in order (refused ones included; never the credentials).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::Fault;
use crate::server::Served;

pub const STATUS_PATH: &str = "/api/integration/order-status";
/// The fake's own admin route: every status call received.
pub const CALLS_PATH: &str = "/__fake/calls";

#[derive(Debug, Clone)]
pub struct FakeGettzapConfig {
    pub login: String,
    pub password: String,
    pub api_key: String,
    /// 0 = any free port.
    pub port: u16,
}

impl FakeGettzapConfig {
    pub fn new(login: impl Into<String>, password: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            password: password.into(),
            api_key: api_key.into(),
            port: 0,
        }
    }
}

/// One status call as the fake received it; credentials are never kept, only whether they matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GettzapStatusCall {
    pub order_id: String,
    pub position_id: String,
    pub status: String,
    pub comment: String,
    pub credentials_ok: bool,
    pub http_status: u16,
}

struct Shared {
    config: FakeGettzapConfig,
    calls: Mutex<Vec<GettzapStatusCall>>,
    faults: Mutex<VecDeque<Fault>>,
}

pub struct FakeGettzap;

impl FakeGettzap {
    pub async fn start(config: FakeGettzapConfig) -> std::io::Result<FakeGettzapHandle> {
        let port = config.port;
        let shared = Arc::new(Shared {
            config,
            calls: Mutex::default(),
            faults: Mutex::default(),
        });
        let app = Router::new()
            .route(STATUS_PATH, post(set_status))
            .route(CALLS_PATH, get(list_calls))
            .with_state(shared.clone());
        let server = Served::start(port, app, "fake Gettzap").await?;
        Ok(FakeGettzapHandle { shared, server })
    }
}

#[derive(Clone)]
pub struct FakeGettzapHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeGettzapHandle {
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Every status call received, in order (refused ones included).
    pub fn calls(&self) -> Vec<GettzapStatusCall> {
        self.shared.calls.lock().expect("calls poisoned").clone()
    }

    /// The calls that were accepted (credentials right, answered 200).
    pub fn accepted_calls(&self) -> Vec<GettzapStatusCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.http_status == 200)
            .collect()
    }

    /// The next status call misbehaves this way.
    pub fn push_fault(&self, fault: Fault) {
        self.shared
            .faults
            .lock()
            .expect("faults poisoned")
            .push_back(fault);
    }
}

fn basic_auth_ok(headers: &HeaderMap, login: &str, password: &str) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return false;
    };
    decode_base64(encoded.trim()).is_some_and(|d| d == format!("{login}:{password}").into_bytes())
}

/// Standard base64 (with padding), enough for a Basic header.
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = vec![];
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    Some(out)
}

async fn list_calls(State(shared): State<Arc<Shared>>) -> Json<Vec<GettzapStatusCall>> {
    Json(shared.calls.lock().expect("calls poisoned").clone())
}

async fn set_status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let fault = shared.faults.lock().expect("faults poisoned").pop_front();
    let doc: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let field = |k: &str| match doc.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let config = &shared.config;
    let credentials_ok = basic_auth_ok(&headers, &config.login, &config.password)
        && headers.get("x-api-key").and_then(|v| v.to_str().ok()) == Some(config.api_key.as_str());
    // A 2xx that confirms nothing: a login page after a redirect, or an answer cut off whole.
    match &fault {
        Some(Fault::NotJson) => {
            let page = "<html><body><form action=/login>Войдите</form></body></html>";
            return (StatusCode::OK, [("content-type", "text/html")], page).into_response();
        }
        Some(Fault::TruncatedJson) => return (StatusCode::OK, "").into_response(),
        _ => {}
    }
    let (status, answer) = match (&fault, credentials_ok) {
        (Some(Fault::ServerError(code)), _) => (
            StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            json!({"ok": false, "error": "internal error"}),
        ),
        (Some(Fault::RateLimited { .. }), _) => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error": "too many requests"}),
        ),
        (Some(Fault::EnvelopeError { message }), _) => {
            (StatusCode::OK, json!({"ok": false, "error": message}))
        }
        (_, false) => (
            StatusCode::UNAUTHORIZED,
            json!({"ok": false, "error": "wrong login, password or token"}),
        ),
        _ if field("order_id").is_none() || field("position_id").is_none() || field("status").is_none() => (
            StatusCode::BAD_REQUEST,
            json!({"ok": false, "error": "order_id, position_id and status are required"}),
        ),
        _ => (StatusCode::OK, json!({"ok": true})),
    };
    shared
        .calls
        .lock()
        .expect("calls poisoned")
        .push(GettzapStatusCall {
            order_id: field("order_id").unwrap_or_default(),
            position_id: field("position_id").unwrap_or_default(),
            status: field("status").unwrap_or_default(),
            comment: field("comment").unwrap_or_default(),
            credentials_ok,
            http_status: status.as_u16(),
        });
    let mut response = (status, Json(answer)).into_response();
    if let Some(Fault::RateLimited {
        retry_after_secs: Some(secs),
    }) = fault
    {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(secs));
    }
    response
}

/// A plausible pushed order (our assumption of Gettzap's shape): `positions` with ids, article,
/// brand, name, quantity and price, and a buyer.
pub fn sample_order(order_id: &str, positions: usize) -> Value {
    let items: Vec<Value> = (1..=positions)
        .map(|i| {
            let brand = ["Knecht", "Mann", "Bosch"][i % 3];
            json!({
                "position_id": format!("{order_id}-{i}"),
                "brand": brand,
                "article": format!("OC{}", 90 + i),
                "name": "Фильтр масляный",
                "quantity": i,
                "price": format!("{}.50", 300 + i * 10),
            })
        })
        .collect();
    json!({
        "order_id": order_id,
        "number": format!("GZ-{order_id}"),
        "status": "new",
        "created_at": "2025-03-01T10:00:00+03:00",
        "customer": {"name": "Иван Петров", "phone": "+7 900 123-45-67", "email": "ivan@example.ru"},
        "positions": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_headers_decode() {
        assert_eq!(decode_base64("dTpw").unwrap(), b"u:p");
        assert_eq!(
            decode_base64("YWxhZGRpbjpvcGVuc2VzYW1l").unwrap(),
            b"aladdin:opensesame"
        );
        assert_eq!(decode_base64("YQ==").unwrap(), b"a");
        assert!(decode_base64("*").is_none());
    }

    #[tokio::test]
    async fn status_calls_are_listed_without_credentials() {
        let fake = FakeGettzap::start(FakeGettzapConfig::new("u", "p", "k"))
            .await
            .unwrap();
        let http = reqwest::Client::new();
        let body = json!({"order_id": "9", "position_id": "9-1", "status": "Принят", "comment": "ok"});
        for password in ["p", "wrong"] {
            http.post(format!("{}{STATUS_PATH}", fake.base_url()))
                .basic_auth("u", Some(password))
                .header("x-api-key", "k")
                .json(&body)
                .send()
                .await
                .unwrap();
        }
        let listed: Value = http
            .get(format!("{}{CALLS_PATH}", fake.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            listed,
            json!([
                {"order_id": "9", "position_id": "9-1", "status": "Принят", "comment": "ok",
                 "credentials_ok": true, "http_status": 200},
                {"order_id": "9", "position_id": "9-1", "status": "Принят", "comment": "ok",
                 "credentials_ok": false, "http_status": 401},
            ])
        );
        assert!(!listed.to_string().contains("wrong"));
        fake.shutdown();
    }
}
