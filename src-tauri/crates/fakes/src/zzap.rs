//! Fake ZZAP seller API (`datasharing.asmx`): `GetSellerOrdersV3`, `GetCodesTrack`,
//! `SetOrderStatusV3`, as the public wiki and a production integration show them.
//!
//! The wire format: GET query or form-encoded POST; every answer is XML whose `<string>` holds a
//! JSON document `{"error", "row_count", "table"}`. A wrong login, password or key, and business
//! errors, come back as HTTP 200 with a non-empty `error`; a missing parameter is an ASMX HTTP 500;
//! calls closer together than the configured interval answer HTTP 429 (ZZAP allows one request per
//! 3 seconds). Choices where ZZAP is not public: the wording of error texts, the dictionary's
//! field names (`code_track`, `descr_track`) and its codes, the time format (ISO 8601 in Moscow
//! time, no offset), and the order rows come newest first so that a client cannot rely on order.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::{Fault, FaultRule};
use crate::server::Served;

/// The dictionary the fake lists (`GetCodesTrack`).
pub const STATUS_CODES: &[(i64, &str)] = &[
    (1, "Новый"),
    (2, "Принят в работу"),
    (3, "Отказ продавца"),
    (4, "Отправлен покупателю"),
    (5, "Выдан"),
    (6, "Отказ покупателя"),
];
/// The code a new order starts in.
pub const NEW_CODE: i64 = 1;
/// The code meaning the buyer cancelled.
pub const BUYER_CANCEL_CODE: i64 = 6;
pub const WRONG_CREDENTIALS: &str = "Неверный логин, пароль или api_key";

#[derive(Debug, Clone)]
pub struct FakeZzapConfig {
    pub login: String,
    pub password: String,
    pub api_key: String,
    /// 0 = any free port.
    pub port: u16,
    /// Calls closer together than this answer 429 (ZZAP: 3 s); zero turns the limit off.
    pub min_interval: Duration,
}

impl FakeZzapConfig {
    pub fn new(login: impl Into<String>, password: impl Into<String>, api_key: impl Into<String>) -> Self {
        Self {
            login: login.into(),
            password: password.into(),
            api_key: api_key.into(),
            port: 0,
            min_interval: Duration::ZERO,
        }
    }
}

/// What the fake received; the password and the key are never kept, only whether they matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZzapCall {
    pub method: String,
    pub http_method: String,
    /// Every parameter except `password` and `api_key`.
    pub params: BTreeMap<String, String>,
    pub credentials_ok: bool,
    pub status: u16,
    /// The `error` text of the answer, empty on success.
    pub error: String,
}

struct OrderRow {
    json: Value,
    last_event: DateTime<Utc>,
}

#[derive(Default)]
struct ZzapState {
    rows: Vec<OrderRow>,
    index: HashMap<i64, usize>,
    faults: VecDeque<FaultRule>,
    calls: Vec<ZzapCall>,
    seq: i64,
    last_call: Option<Instant>,
}

struct Shared {
    config: FakeZzapConfig,
    state: Mutex<ZzapState>,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, ZzapState> {
        self.state.lock().expect("fake state poisoned")
    }
}

pub struct FakeZzap;

impl FakeZzap {
    pub async fn start(config: FakeZzapConfig) -> std::io::Result<FakeZzapHandle> {
        let port = config.port;
        let shared = Arc::new(Shared {
            config,
            state: Mutex::new(ZzapState {
                seq: 7_000_000,
                ..Default::default()
            }),
        });
        let app = router(shared.clone());
        let server = Served::start(port, app, "fake ZZAP").await?;
        Ok(FakeZzapHandle { shared, server })
    }
}

/// Controls a running fake; the server stops on `shutdown` (or when the process ends).
#[derive(Clone)]
pub struct FakeZzapHandle {
    shared: Arc<Shared>,
    server: Served,
}

impl FakeZzapHandle {
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn shutdown(&self) {
        self.server.shutdown();
    }

    /// Adds (or replaces) an order row as given; it must have a numeric `code_order`.
    pub fn add_row(&self, row: Value) {
        add_row(&self.shared, row, Utc::now());
    }

    /// [`FakeZzapHandle::add_row`] with the time of the row's last event.
    pub fn add_row_at(&self, row: Value, last_event: DateTime<Utc>) {
        add_row(&self.shared, row, last_event);
    }

    /// Adds `n` realistic order rows; returns their `code_order`s.
    pub fn generate(&self, n: usize) -> Vec<i64> {
        generate(&self.shared, n)
    }

    /// Changes a row's status as ZZAP would (e.g. the buyer cancelled: [`BUYER_CANCEL_CODE`]).
    pub fn set_code(&self, code_order: i64, code_track: i64) -> bool {
        set_code(&self.shared, code_order, code_track, None)
    }

    pub fn row(&self, code_order: i64) -> Option<Value> {
        let s = self.shared.lock();
        s.index.get(&code_order).map(|&i| s.rows[i].json.clone())
    }

    pub fn push_fault(&self, fault: Fault) {
        self.shared
            .lock()
            .faults
            .push_back(FaultRule { fault, path: None });
    }

    pub fn push_fault_on(&self, method: &str, fault: Fault) {
        self.shared.lock().faults.push_back(FaultRule {
            fault,
            path: Some(method.to_string()),
        });
    }

    pub fn calls(&self) -> Vec<ZzapCall> {
        self.shared.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<ZzapCall> {
        self.calls().into_iter().filter(|c| c.method == method).collect()
    }

    /// Adds a row every `every`: demo mode's buyers.
    pub fn spawn_generator(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let handle = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                handle.generate(1);
            }
        })
    }
}

fn moscow() -> FixedOffset {
    FixedOffset::east_opt(3 * 3600).expect("valid offset")
}

/// ZZAP's times are Moscow time without an offset.
pub fn zzap_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&moscow()).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `date_from` / `date_to` as clients send them: ISO 8601 with an offset or `Z`, ISO without one
/// (Moscow time), or `dd.MM.yyyy HH:mm:ss` (Moscow time).
fn parse_client_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%d.%m.%Y",
    ]
    .iter()
    .find_map(|f| {
        NaiveDateTime::parse_from_str(s, f).ok().or_else(|| {
            chrono::NaiveDate::parse_from_str(s, f)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
    })
    .and_then(|n| moscow().from_local_datetime(&n).single())
    .map(|t| t.with_timezone(&Utc))
}

/// A realistic order row: one ordered part.
pub fn sample_row(code_order: i64, at: DateTime<Utc>) -> Value {
    const PARTS: &[(&str, &str, &str, f64)] = &[
        ("MANN-FILTER", "W 712/75", "Фильтр масляный", 612.0),
        ("BOSCH", "0 986 452 041", "Фильтр масляный", 498.5),
        ("TRW", "GDB1330", "Колодки тормозные передние", 2310.0),
        ("NGK", "BKR6E", "Свеча зажигания", 289.0),
        ("LEMFÖRDER", "25943 01", "Шаровая опора", 1875.0),
    ];
    const BUYERS: &[(&str, &str, &str)] = &[
        ("Иван Петров", "+7 916 123-45-67", "ivan.petrov@example.ru"),
        ("Ольга Смирнова", "+7 903 765-43-21", "olga.s@example.ru"),
        (
            "ООО «Автосервис Плюс»",
            "+7 495 111-22-33",
            "zakaz@avtoplus.example.ru",
        ),
    ];
    let (brand, article, name, price) = PARTS[(code_order as usize) % PARTS.len()];
    let (buyer, phone, email) = BUYERS[(code_order as usize) % BUYERS.len()];
    json!({
        "code_order": code_order,
        "create_date": zzap_time(at),
        "class_man": brand,
        "logopath": format!("https://img.zzap.pro/logo/{}.png", brand.to_lowercase()),
        "partnumber": article,
        "comment": "",
        "class_cat": name,
        "imagepath": "",
        "imagepathV2": [],
        "qty_order": format!("{}", 1 + code_order % 3),
        "qty": "В наличии",
        "priceV2": price,
        "delivery_days": "1",
        "client_name": buyer,
        "client_phone": phone,
        "client_email": email,
        "message": "",
        "code_track": NEW_CODE,
    })
}

fn add_row(shared: &Shared, row: Value, last_event: DateTime<Utc>) {
    let code = row["code_order"].as_i64().unwrap_or_default();
    let mut s = shared.lock();
    let r = OrderRow {
        json: row,
        last_event,
    };
    match s.index.get(&code) {
        Some(&i) => s.rows[i] = r,
        None => {
            let i = s.rows.len();
            s.index.insert(code, i);
            s.rows.push(r);
        }
    }
}

fn generate(shared: &Shared, n: usize) -> Vec<i64> {
    let first = {
        let mut s = shared.lock();
        let first = s.seq + 1;
        s.seq += n as i64;
        first
    };
    let now = Utc::now();
    (first..first + n as i64)
        .inspect(|&code| add_row(shared, sample_row(code, now), now))
        .collect()
}

fn set_code(shared: &Shared, code_order: i64, code_track: i64, response: Option<&str>) -> bool {
    let mut s = shared.lock();
    let Some(&i) = s.index.get(&code_order) else {
        return false;
    };
    let row = &mut s.rows[i];
    row.json["code_track"] = json!(code_track);
    if let Some(text) = response {
        row.json["response"] = json!(text);
    }
    row.last_event = Utc::now();
    true
}

type S = State<Arc<Shared>>;

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/webservice/datasharing.asmx/{method}", any(asmx))
        .route("/__fake/orders", post(admin_add))
        .route("/__fake/generate", post(admin_generate))
        .route("/__fake/orders/{code}", get(admin_get))
        .route("/__fake/orders/{code}/status", post(admin_status))
        .route("/__fake/calls", get(admin_calls))
        .route("/__fake/faults", post(admin_fault))
        .with_state(shared)
}

/// The ASMX answer: the JSON document as the text of one `<string>` element.
fn xml(document: &Value) -> Response {
    let text = document.to_string();
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    (
        StatusCode::OK,
        [("content-type", "text/xml; charset=utf-8")],
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<string xmlns=\"http://www.zzap.ru/\">{escaped}</string>"),
    )
        .into_response()
}

fn envelope_error(message: &str) -> Value {
    json!({"error": message, "row_count": 0, "table": []})
}

/// ASMX's own failure page: HTTP 500 with plain text.
fn asmx_failure(message: &str) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [("content-type", "text/plain; charset=utf-8")],
        format!("System.InvalidOperationException: {message}\r\n   at System.Web.Services.Protocols.HttpServerProtocol.ReadParameters()"),
    )
        .into_response()
}

async fn asmx(
    State(shared): S,
    Path(method): Path<String>,
    http_method: Method,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    let raw = if http_method == Method::GET {
        query.unwrap_or_default()
    } else {
        body
    };
    let params: BTreeMap<String, String> = form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
    let credentials_ok = params.get("login") == Some(&shared.config.login)
        && params.get("password") == Some(&shared.config.password)
        && params.get("api_key") == Some(&shared.config.api_key);
    let (status, error, response) = answer(&shared, &method, &http_method, &params, credentials_ok).await;
    let mut kept = params;
    kept.remove("password");
    kept.remove("api_key");
    shared.lock().calls.push(ZzapCall {
        method,
        http_method: http_method.to_string(),
        params: kept,
        credentials_ok,
        status,
        error,
    });
    response
}

/// (HTTP status, `error` text, the response).
async fn answer(
    shared: &Shared,
    method: &str,
    http_method: &Method,
    params: &BTreeMap<String, String>,
    credentials_ok: bool,
) -> (u16, String, Response) {
    if *http_method != Method::GET && *http_method != Method::POST {
        return (405, String::new(), StatusCode::METHOD_NOT_ALLOWED.into_response());
    }
    {
        let mut s = shared.lock();
        let now = Instant::now();
        let too_soon = s
            .last_call
            .is_some_and(|last| now.duration_since(last) < shared.config.min_interval);
        if too_soon {
            return (
                429,
                String::new(),
                (StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response(),
            );
        }
        s.last_call = Some(now);
    }
    let fault = {
        let mut s = shared.lock();
        let at = s
            .faults
            .iter()
            .position(|f| f.path.as_deref().is_none_or(|p| p == method));
        at.and_then(|i| s.faults.remove(i)).map(|f| f.fault)
    };
    match &fault {
        Some(Fault::RateLimited { retry_after_secs }) => {
            let mut r = (StatusCode::TOO_MANY_REQUESTS, "Too many requests").into_response();
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert("retry-after", HeaderValue::from(*secs));
            }
            return (429, String::new(), r);
        }
        Some(Fault::ServerError(status)) => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (
                status.as_u16(),
                String::new(),
                (status, "Server Error").into_response(),
            );
        }
        Some(Fault::CircuitOpen) => {
            return (
                503,
                String::new(),
                (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response(),
            )
        }
        Some(Fault::NotJson) => {
            let page = "<html><body>502 Bad Gateway</body></html>";
            return (
                200,
                String::new(),
                (StatusCode::OK, [("content-type", "text/html")], page).into_response(),
            );
        }
        Some(Fault::EnvelopeError { message }) => {
            return (200, message.clone(), xml(&envelope_error(message)))
        }
        Some(Fault::Slow { millis }) => tokio::time::sleep(Duration::from_millis(*millis)).await,
        // A trickle is Ozon's only.
        Some(Fault::TruncatedJson | Fault::Trickle { .. }) | None => {}
    }
    let known = ["GetSellerOrdersV3", "GetCodesTrack", "SetOrderStatusV3"];
    if !known.contains(&method) {
        let text = format!("Request format is unrecognized for URL unexpectedly ending in '/{method}'.");
        return (500, String::new(), asmx_failure(&text));
    }
    let required: &[&str] = match method {
        "GetSellerOrdersV3" => &["login", "password", "row_count", "api_key", "call_data"],
        "SetOrderStatusV3" => &[
            "login",
            "password",
            "api_key",
            "code_order",
            "code_track",
            "response",
            "call_data",
        ],
        _ => &["login", "password", "api_key"],
    };
    if let Some(missing) = required.iter().find(|p| !params.contains_key(**p)) {
        return (
            500,
            String::new(),
            asmx_failure(&format!("Missing parameter: {missing}.")),
        );
    }
    let document = if !credentials_ok {
        envelope_error(WRONG_CREDENTIALS)
    } else {
        match method {
            "GetSellerOrdersV3" => seller_orders(shared, params),
            "GetCodesTrack" => json!({
                "error": "",
                "row_count": STATUS_CODES.len(),
                "table": STATUS_CODES.iter().map(|(c, n)| json!({"code_track": c, "descr_track": n})).collect::<Vec<_>>()
            }),
            _ => set_status(shared, params),
        }
    };
    let error = document["error"].as_str().unwrap_or_default().to_string();
    if matches!(fault, Some(Fault::TruncatedJson)) {
        let text = document.to_string();
        let half: String = text.chars().take(text.chars().count() / 2).collect();
        let cut = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<string xmlns=\"http://www.zzap.ru/\">{half}"
        );
        return (
            200,
            error,
            (StatusCode::OK, [("content-type", "text/xml; charset=utf-8")], cut).into_response(),
        );
    }
    (200, error, xml(&document))
}

fn seller_orders(shared: &Shared, params: &BTreeMap<String, String>) -> Value {
    let limit = match params["row_count"].trim().parse::<usize>() {
        Ok(n) if (1..=10_000).contains(&n) => n,
        _ => return envelope_error("row_count должен быть числом от 1 до 10000"),
    };
    let bound = |name: &str| -> Result<Option<DateTime<Utc>>, Value> {
        match params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => parse_client_time(s)
                .map(Some)
                .ok_or_else(|| envelope_error(&format!("Неверный формат даты {name}: {s}"))),
        }
    };
    let (from, to) = match (bound("date_from"), bound("date_to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let codes: Vec<i64> = params
        .get("codes_track")
        .map(|c| c.split(';').filter_map(|p| p.trim().parse().ok()).collect())
        .unwrap_or_default();
    let s = shared.lock();
    let mut rows: Vec<&OrderRow> = s
        .rows
        .iter()
        .filter(|r| from.is_none_or(|f| r.last_event >= f) && to.is_none_or(|t| r.last_event <= t))
        .filter(|r| codes.is_empty() || codes.contains(&r.json["code_track"].as_i64().unwrap_or_default()))
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.json["code_order"].as_i64()));
    let table: Vec<Value> = rows.into_iter().take(limit).map(|r| r.json.clone()).collect();
    json!({"error": "", "row_count": table.len(), "table": table, "class_template": "Заказы продавца"})
}

fn set_status(shared: &Shared, params: &BTreeMap<String, String>) -> Value {
    let Ok(code_order) = params["code_order"].trim().parse::<i64>() else {
        return envelope_error("Неверный номер заказа");
    };
    let Ok(code_track) = params["code_track"].trim().parse::<i64>() else {
        return envelope_error("Неверный код статуса");
    };
    if !STATUS_CODES.iter().any(|(c, _)| *c == code_track) {
        return envelope_error("Неверный код статуса");
    }
    if !set_code(shared, code_order, code_track, Some(&params["response"])) {
        return envelope_error(&format!("Заказ {code_order} не найден"));
    }
    json!({"error": "", "row_count": 0, "table": []})
}

async fn admin_add(State(shared): S, Json(row): Json<Value>) -> Response {
    if row["code_order"].as_i64().is_none() {
        return (StatusCode::BAD_REQUEST, "code_order must be a number").into_response();
    }
    add_row(&shared, row, Utc::now());
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct GenerateRequest {
    n: usize,
}

async fn admin_generate(State(shared): S, Json(req): Json<GenerateRequest>) -> Response {
    Json(generate(&shared, req.n)).into_response()
}

async fn admin_get(State(shared): S, Path(code): Path<i64>) -> Response {
    let s = shared.lock();
    match s.index.get(&code) {
        Some(&i) => Json(s.rows[i].json.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct StatusRequest {
    code_track: i64,
}

async fn admin_status(State(shared): S, Path(code): Path<i64>, Json(req): Json<StatusRequest>) -> Response {
    if set_code(&shared, code, req.code_track, None) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

async fn admin_calls(State(shared): S) -> Response {
    Json(shared.lock().calls.clone()).into_response()
}

async fn admin_fault(State(shared): S, Json(rule): Json<FaultRule>) -> Response {
    shared.lock().faults.push_back(rule);
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_times_in_every_accepted_form() {
        let want = Utc.with_ymd_and_hms(2026, 11, 23, 7, 0, 0).unwrap();
        for s in [
            "2026-11-23T07:00:00Z",
            "2026-11-23T10:00:00+03:00",
            "2026-11-23T10:00:00",
            "23.11.2026 10:00:00",
        ] {
            assert_eq!(parse_client_time(s), Some(want), "{s}");
        }
        assert_eq!(parse_client_time("yesterday"), None);
        assert_eq!(zzap_time(want), "2026-11-23T10:00:00");
    }
}
