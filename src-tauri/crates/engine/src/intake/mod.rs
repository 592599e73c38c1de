//! The order intake: the HTTP address integrations that push their orders call. Served by
//! `ordertray-cli serve` and, when the manager enables it, by the app.
//!
//! `POST /intake/<integration>/<account id>`, for every integration whose spec has a push source
//! (see `ordertray_connectors::push`). Before a byte of the body is read, the request's token is
//! checked against the accounts' keys held in memory (`keys`): no keychain read, no database
//! query, no row and no log line per refused request, only counters (shown in Settings) and at
//! most one log line a period (`guard`). Every address that is not an account's own, and every
//! missing or wrong token, gets the same 401; an address sending too many of those gets 429 with
//! `Retry-After`. The server (`server`) serves at most 64 connections at once, with deadlines for
//! the headers and the body; bodies over 1 MiB are refused with 413 unread.
//!
//! Verified: every body is kept raw in `intake_requests`; one that cannot be read is 400 with the
//! reason and quarantined like any malformed order; the orders in it are upserted on (account,
//! external id) exactly like a sync page, so a repeated push stores nothing twice and a changed
//! one updates the order. Tokens, wherever they come from (header or query), are never logged or
//! stored with a request.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use ordertray_connectors::{registry, InboundHead, InboundRequest, PushSource, PushUnreadable, Pushed};
use ordertray_core::intake::{intake_path, IntakeAddress, IntakeSettings, IntakeStatus};
use ordertray_core::{
    Account, AccountId, AppError, EngineEvent, ErrorCode, ErrorWords, QuarantinedOrder, Secret, SyncReport,
};
use ordertray_store::NewIntakeRequest;
use serde_json::{json, Value};

use crate::{Engine, Result};

mod buyer_page;
mod guard;
mod keys;
mod limits;
mod server;

pub(crate) use guard::Counters;
use guard::Refusal;
pub(crate) use keys::KeyCache;
use keys::KeyState;
pub use limits::{IntakeClock, IntakeLimits, BODY_LIMIT};
use server::Shared;

/// The app's intake settings (Settings → Order intake): whether it serves, and where.
const SETTINGS_KEY: &str = "intake";
/// Where `ordertray-cli serve` last served, for the addresses `accounts intake-url` prints. Kept
/// apart from the app's settings: running `serve` never turns the app's intake on.
const SERVE_KEY: &str = "intake.serve";

/// What a token is compared with when the address names no account.
static NO_KEY: std::sync::LazyLock<ordertray_connectors::PushKey> =
    std::sync::LazyLock::new(|| ordertray_connectors::PushKey::of(&Secret::new("")));

/// The intake server's state since it was last started: serving, or why it could not start.
pub(crate) enum Running {
    Serving {
        addr: SocketAddr,
        /// What it was started with (its public address, for the addresses shown).
        settings: IntakeSettings,
        stop: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<()>,
    },
    /// The last start failed (the port taken, an address this computer does not have…).
    Failed(String),
}
/// Says in plain words why the intake cannot listen on `addr`.
fn listen_problem(addr: &str, port: u16, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::AddrInUse => format!(
            "The order intake cannot listen on {addr}: port {port} is already taken by another \
             program. Choose another port, or stop that program."
        ),
        ErrorKind::AddrNotAvailable => {
            format!("The order intake cannot listen on {addr}: this computer has no such address.")
        }
        ErrorKind::PermissionDenied => format!(
            "The order intake cannot listen on {addr}: the system does not allow this port \
             (ports below 1024 need administrator rights). Choose a port above 1024."
        ),
        _ => format!("The order intake cannot listen on {addr}: {e}"),
    }
}

/// A fresh intake token: 24 random bytes from the OS, as hex.
pub fn new_intake_token() -> Result<String> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("no randomness for a token: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether the secret the account's senders prove is one Ordertray made (and may hand out to be
/// pasted into the platform), rather than the vendor's.
fn secret_is_ours(account: &Account, source: &dyn PushSource) -> bool {
    registry::spec(&account.kind)
        .secret_fields
        .iter()
        .any(|f| f.name == source.auth_field() && f.generated)
}

/// What the intake answers, as JSON: `{"ok", "error"?, "stored"?, …}`.
fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn refusal(status: StatusCode, error: &str) -> Response {
    answer(status, json!({"ok": false, "error": error}))
}

/// The one answer to every request that does not carry an account's token, whatever the address
/// names (an unknown account, another integration's, none): nothing tells them apart.
fn unauthorised() -> Response {
    refusal(StatusCode::UNAUTHORIZED, "wrong or missing intake token")
}

fn with_retry_after(mut response: Response, wait: std::time::Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    response
        .headers_mut()
        .insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
    response
}

impl Engine {
    pub async fn intake_settings(&self) -> Result<IntakeSettings> {
        self.stored_intake_settings(SETTINGS_KEY)
            .await
            .map(Option::unwrap_or_default)
    }

    async fn stored_intake_settings(&self, key: &str) -> Result<Option<IntakeSettings>> {
        Ok(self.0.store.setting(key).await?.map(|json| {
            serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, key, "intake settings unreadable; using defaults");
                IntakeSettings::default()
            })
        }))
    }

    /// Saves the intake settings and starts, restarts or stops the server to match.
    pub async fn save_intake_settings(&self, settings: IntakeSettings) -> Result<IntakeSettings> {
        let settings = settings.validated()?;
        let json = serde_json::to_string(&settings).expect("intake settings serialise");
        self.0.store.set_setting(SETTINGS_KEY, &json).await?;
        self.stop_intake().await;
        if settings.enabled {
            self.start_intake(&settings).await?;
        }
        Ok(settings)
    }

    /// Keeps where `ordertray-cli serve` serves the intake, so that `accounts intake-url` (another
    /// run) prints the right address. The app's own settings (whether it serves at its start) are
    /// left as they are.
    pub async fn remember_served_intake(&self, settings: &IntakeSettings) -> Result<()> {
        let settings = IntakeSettings {
            enabled: false,
            ..settings.clone()
        };
        let json = serde_json::to_string(&settings).expect("intake settings serialise");
        Ok(self.0.store.set_setting(SERVE_KEY, &json).await?)
    }

    /// Starts the intake with the stored settings when they say so (the app at start-up).
    pub async fn start_intake_if_enabled(&self) -> Result<Option<SocketAddr>> {
        let settings = self.intake_settings().await?;
        if !settings.enabled {
            return Ok(None);
        }
        self.start_intake(&settings).await.map(Some)
    }

    /// Listens on the settings' address (port 0: any free one) and serves the intake with the
    /// limits set by [`Engine::set_intake_limits`]; returns the address it listens on. A running
    /// intake is stopped first.
    pub async fn start_intake(&self, settings: &IntakeSettings) -> Result<SocketAddr> {
        self.stop_intake().await;
        let addr = format!("{}:{}", settings.bind, settings.port);
        let bound = tokio::net::TcpListener::bind(&addr)
            .await
            .and_then(|l| l.local_addr().map(|local| (l, local)))
            .map_err(|e| listen_problem(&addr, settings.port, &e));
        let (listener, local) = match bound {
            Ok(b) => b,
            Err(message) => {
                *self.0.intake.lock().expect("intake poisoned") = Some(Running::Failed(message.clone()));
                return Err(AppError::new(ErrorCode::Internal, message));
            }
        };
        // The tokens are in memory before the first request comes.
        if let Err(e) = self.load_intake_keys().await {
            let message = format!("The order intake cannot read the accounts: {}", e.message);
            *self.0.intake.lock().expect("intake poisoned") = Some(Running::Failed(message.clone()));
            return Err(AppError::new(ErrorCode::Internal, message));
        }
        let limits = self
            .0
            .intake_limits
            .lock()
            .expect("intake limits poisoned")
            .clone();
        let shared = Arc::new(Shared::new(self.clone(), limits));
        let router = intake_router(shared.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(listener, shared, router, stopped));
        *self.0.intake.lock().expect("intake poisoned") = Some(Running::Serving {
            addr: local,
            settings: settings.clone(),
            stop,
            task,
        });
        tracing::info!(%local, "order intake listening");
        Ok(local)
    }

    pub async fn stop_intake(&self) {
        let running = self.0.intake.lock().expect("intake poisoned").take();
        if let Some(Running::Serving { stop, task, .. }) = running {
            let _ = stop.send(());
            let _ = task.await;
            self.drop_intake_keys();
        }
    }

    /// The limits the intake uses from its next start (tests shorten timeouts and drive the clock).
    pub fn set_intake_limits(&self, limits: IntakeLimits) {
        *self.0.intake_limits.lock().expect("intake limits poisoned") = limits;
    }

    /// Where the intake listens now, if it runs.
    pub fn intake_listening(&self) -> Option<SocketAddr> {
        match self.0.intake.lock().expect("intake poisoned").as_ref() {
            Some(Running::Serving { addr, .. }) => Some(*addr),
            _ => None,
        }
    }

    /// Whether the intake listens now, and where, or why its last start failed; and what it
    /// refused since the engine started.
    pub fn intake_status(&self) -> IntakeStatus {
        let (refused, rate_limited, turned_away) = self.0.intake_counters.read();
        let counted = IntakeStatus {
            refused,
            rate_limited,
            turned_away,
            ..Default::default()
        };
        match self.0.intake.lock().expect("intake poisoned").as_ref() {
            Some(Running::Serving { addr, .. }) => IntakeStatus {
                listening: Some(addr.to_string()),
                ..counted
            },
            Some(Running::Failed(message)) => IntakeStatus {
                error: Some(message.clone()),
                ..counted
            },
            None => counted,
        }
    }

    /// The full address to paste into the marketplace, token included (an address for signed
    /// webhooks carries none): only for the copy button and `ordertray-cli accounts intake-url`;
    /// never logged.
    pub async fn intake_url(&self, account_id: AccountId) -> Result<String> {
        let (account, source) = self.push_account(account_id).await?;
        let address = format!(
            "{}{}",
            self.intake_base().await?,
            intake_path(account.kind.as_str(), account_id)
        );
        if source.signed() {
            return Ok(address);
        }
        let token = self.credential(&account, source.auth_field()).await?;
        Ok(format!("{address}?token={}", token.expose()))
    }

    /// The address for display, with the token hidden.
    pub async fn intake_address(&self, account_id: AccountId) -> Result<IntakeAddress> {
        let (account, source) = self.push_account(account_id).await?;
        let signed = source.signed();
        Ok(IntakeAddress {
            account_id,
            masked_url: format!(
                "{}{}{}",
                self.intake_base().await?,
                intake_path(account.kind.as_str(), account_id),
                if signed {
                    ""
                } else {
                    "?token=••••••••"
                }
            ),
            serving: self.intake_listening().is_some(),
            // Platforms that sign their webhooks publish the format; the token pushes' is unpublished.
            format_unverified: !signed,
            signed,
            secret_to_copy: signed && secret_is_ours(&account, source.as_ref()),
        })
    }

    /// The secret a store's webhooks sign with, when it is ours to give (pasted into the store's
    /// webhook as its "Secret"); made now for an account added before webhooks were taken.
    /// Only for the copy button and the CLI; never logged.
    pub async fn webhook_secret(&self, account_id: AccountId) -> Result<String> {
        let (account, source) = self.push_account(account_id).await?;
        let field = source.auth_field();
        if !source.signed() || !secret_is_ours(&account, source.as_ref()) {
            return Err(AppError::refused(ErrorWords::NoWebhookSecret {
                marketplace: registry::spec(&account.kind).name.to_string(),
                account: account.name.clone(),
            }));
        }
        match self.credential(&account, field).await {
            Ok(secret) => Ok(secret.expose().to_string()),
            Err(e) if e.code == ErrorCode::Keychain => Err(e),
            Err(_) => {
                let secret = new_intake_token()?;
                self.store_secret(account_id, field, Secret::new(secret.clone()))
                    .await?;
                self.intake_keys_changed(&account).await;
                Ok(secret)
            }
        }
    }

    /// Replaces the account's intake token: the old address stops working at once (in this
    /// process at once, in another one serving the intake within its recheck period).
    pub async fn rotate_intake_token(&self, account_id: AccountId) -> Result<()> {
        let (account, source) = self.push_account(account_id).await?;
        let field = source.auth_field();
        if let Some(var) = account.settings.secret_env(field) {
            return Err(AppError::refused(ErrorWords::IntakeTokenFromEnv {
                account: account.name.clone(),
                var: var.to_string(),
            }));
        }
        self.store_secret(account_id, field, Secret::new(new_intake_token()?))
            .await?;
        self.intake_keys_changed(&account).await;
        Ok(())
    }

    /// The address the marketplace reaches the intake at: where this process serves it; else the
    /// app's settings when the app serves it; else where `ordertray-cli serve` last served it.
    async fn intake_base(&self) -> Result<String> {
        Ok(match self.intake_in_effect().await? {
            Some(settings) => settings.base_url(),
            None => self.intake_settings().await?.base_url(),
        })
    }

    /// The settings of the intake as it is served (by this process, the app, or
    /// `ordertray-cli serve`), the port the one in this process listens on; None when it is off
    /// everywhere.
    pub(crate) async fn intake_in_effect(&self) -> Result<Option<IntakeSettings>> {
        let serving = match self.0.intake.lock().expect("intake poisoned").as_ref() {
            Some(Running::Serving { addr, settings, .. }) => Some((*addr, settings.clone())),
            _ => None,
        };
        if let Some((addr, mut settings)) = serving {
            settings.port = addr.port();
            return Ok(Some(settings));
        }
        let app = self.intake_settings().await?;
        if app.enabled {
            return Ok(Some(app));
        }
        self.stored_intake_settings(SERVE_KEY).await
    }

    /// An account whose integration pushes its orders, with its push source.
    async fn push_account(&self, account_id: AccountId) -> Result<(Account, Box<dyn PushSource>)> {
        let account = self.0.store.account(account_id).await?;
        let spec = registry::spec(&account.kind);
        let Some(source) = spec.push_source else {
            return Err(AppError::refused(ErrorWords::NoIntakeAddress {
                marketplace: spec.name.to_string(),
                account: account.name.clone(),
            }));
        };
        let source = source(&account);
        Ok((account, source))
    }

    /// A push is a push-only account's sync: its health shows when orders last came and whether
    /// they could be read.
    async fn note_push(
        &self,
        account: &Account,
        at: DateTime<Utc>,
        report: &SyncReport,
        error: Option<&AppError>,
    ) {
        let store = &self.0.store;
        let recorded = match store.start_sync_run(account.id, &self.run_lease(at), at).await {
            Ok(run) => store.finish_sync_run(run, report, error, Utc::now()).await,
            Err(e) => Err(e),
        };
        if let Err(e) = recorded {
            tracing::error!(account = account.id, error = %e, "could not record a push in the account's health");
        }
        self.emit(EngineEvent::AccountHealth {
            account_id: account.id,
        });
    }

    async fn log_request(&self, r: NewIntakeRequest<'_>) {
        if let Err(e) = self.0.store.log_intake_request(&r).await {
            tracing::error!(error = %e, "could not record an intake request");
        }
    }
}

/// The routes: `POST /intake/{integration}/{account}`; anything else is refused like a request
/// without a token (counted, rate-limited), with 404 or 405.
fn intake_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/intake/{integration}/{account}",
            post(receive).fallback(other_method),
        )
        .route(
            "/preorder/{token}",
            get(buyer_page::show)
                .post(buyer_page::submit)
                .layer(axum::extract::DefaultBodyLimit::max(buyer_page::FORM_LIMIT)),
        )
        .fallback(no_route)
        .with_state(shared)
}

pub(crate) type Remote = ConnectInfo<SocketAddr>;

async fn no_route(State(shared): State<Arc<Shared>>, ConnectInfo(remote): Remote) -> Response {
    shared.refuse(remote.ip(), Refusal::Unauthorised, || {
        refusal(StatusCode::NOT_FOUND, "not found")
    })
}

async fn other_method(State(shared): State<Arc<Shared>>, ConnectInfo(remote): Remote) -> Response {
    shared.refuse(remote.ip(), Refusal::Unauthorised, || {
        let mut r = refusal(StatusCode::METHOD_NOT_ALLOWED, "the intake takes POST only");
        r.headers_mut()
            .insert(axum::http::header::ALLOW, HeaderValue::from_static("POST"));
        r
    })
}

impl Shared {
    /// A request that did not prove it knows an account's token: `answer`, or 429 once its
    /// address has sent too many. Counted as `what`; never stored; logged at most once a period.
    fn refuse(&self, from: IpAddr, what: Refusal, answer: impl FnOnce() -> Response) -> Response {
        let now = self.limits.clock.now();
        let allowed = self
            .limiter
            .lock()
            .expect("intake limiter poisoned")
            .take(from, now);
        match allowed {
            Ok(()) => {
                self.note(what, from);
                answer()
            }
            Err(wait) => {
                self.note(Refusal::RateLimited, from);
                with_retry_after(
                    refusal(
                        StatusCode::TOO_MANY_REQUESTS,
                        "too many requests without a valid token: try again later",
                    ),
                    wait,
                )
            }
        }
    }

    /// No account's token: the one 401 (or 429).
    fn unauthorised(&self, from: IpAddr) -> Response {
        self.refuse(from, Refusal::Unauthorised, unauthorised)
    }

    /// The account's token cannot be read (the keychain is locked): 503 (or 429).
    fn not_ready(&self, from: IpAddr) -> Response {
        self.refuse(from, Refusal::Unavailable, || {
            with_retry_after(
                refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the intake is not ready: try again later",
                ),
                std::time::Duration::from_secs(60),
            )
        })
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    path: std::result::Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
    ConnectInfo(remote): Remote,
    query: std::result::Result<Query<HashMap<String, String>>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (Ok(Path((integration, account))), Ok(Query(query))) = (path, query) else {
        return shared.unauthorised(remote.ip());
    };
    let engine = shared.engine.clone();
    engine
        .receive(
            &shared,
            Request {
                integration,
                account,
                remote,
                query,
                headers,
            },
            body,
        )
        .await
}

struct Request {
    integration: String,
    account: String,
    remote: SocketAddr,
    query: HashMap<String, String>,
    headers: HeaderMap,
}

/// A request's body: still to be read, or read already to check its signature.
enum Incoming {
    Unread(Body),
    Checked(Bytes),
}

/// Why a body was not read whole.
enum BodyProblem {
    TooLarge,
    Broken,
}

/// Reads the body, up to `limit` bytes.
async fn read_body(
    mut body: Body,
    limit: usize,
    expected: Option<usize>,
) -> std::result::Result<Bytes, BodyProblem> {
    let mut buf = Vec::with_capacity(expected.unwrap_or(0).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyProblem::Broken)?;
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limit {
                return Err(BodyProblem::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(buf))
}

/// "1 MiB", "512 KiB": a limit as the sender is told it.
fn size_words(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * KIB;
    match bytes {
        b if b >= MIB && b / MIB * MIB == b => format!("{} MiB", b / MIB),
        b if b >= KIB && b / KIB * KIB == b => format!("{} KiB", b / KIB),
        b => format!("{b} bytes"),
    }
}

impl Engine {
    async fn receive(&self, shared: &Shared, req: Request, body: Body) -> Response {
        let limits = &shared.limits;
        let from = req.remote.ip();
        let head = InboundHead {
            headers: &req.headers,
            query: &req.query,
        };

        // The token first, from memory: nothing else is looked at, read or kept before it.
        let id = req.account.parse::<AccountId>().ok();
        let Some(keys) = self.intake_keys(limits.clock.now(), limits.keys_recheck).await else {
            // Stopping: the keys are gone.
            return shared.unauthorised(from);
        };
        let entry = id
            .and_then(|id| keys.accounts.get(&id))
            .filter(|e| e.integration == req.integration);
        // Without an account (or its key), a token is still read and hashed, so that an unknown
        // address takes as long to refuse as a wrong token.
        let unknown = || {
            let _ = ordertray_connectors::push::verify_token(&head, &NO_KEY);
            shared.unauthorised(from)
        };
        let Some((id, entry)) = id.zip(entry) else {
            return unknown();
        };
        let signing = match &entry.key {
            KeyState::Ready(key) => {
                if entry.source.verify(&head, key).is_err() {
                    return shared.unauthorised(from);
                }
                key.signs_bodies().then(|| key.clone())
            }
            KeyState::Missing => return unknown(),
            KeyState::Unavailable => return shared.not_ready(from),
        };
        let content_type: String = req
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let declared: Option<usize> = req
            .headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        // A sender that signs its bodies has proved nothing yet: its body is read (within the same
        // limits) and its signature checked before anything of the request is kept.
        let incoming = match signing {
            None => Incoming::Unread(body),
            Some(key) => {
                let read = read_body(body, limits.body_limit, declared);
                let Ok(Ok(bytes)) = tokio::time::timeout(limits.body_timeout, read).await else {
                    return shared.unauthorised(from);
                };
                let inbound = InboundRequest {
                    headers: &req.headers,
                    query: &req.query,
                    content_type: &content_type,
                    body: &bytes,
                };
                if entry.source.verify_body(&inbound, &key).is_err() {
                    return shared.unauthorised(from);
                }
                Incoming::Checked(bytes)
            }
        };
        drop(keys);

        // The sender proved it knows the account's secret: from here on the request is kept.
        let seen = Seen {
            account_id: id,
            received_at: Utc::now(),
            remote: req.remote.to_string(),
            content_type,
        };
        let Ok(account) = self.0.store.account(id).await else {
            // Deleted since the keys were loaded.
            return shared.unauthorised(from);
        };
        let Some(make_source) = registry::spec(&account.kind).push_source else {
            return shared.unauthorised(from);
        };
        let source = make_source(&account);
        let declared_bytes = declared.unwrap_or(0);

        if !account.active {
            let message = format!(
                "«{}» is disabled in Ordertray; nothing was stored (the body was not read)",
                account.name
            );
            let answer = "this shop's account is disabled";
            let status = StatusCode::SERVICE_UNAVAILABLE;
            return self
                .not_taken(&seen, declared_bytes, status, "disabled", &message, answer)
                .await;
        }

        let limit = size_words(limits.body_limit);
        let too_large = format!("the request is larger than {limit}: send fewer orders at a time");
        let too_large_kept = format!("the request is larger than {limit}; nothing was stored");
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        if declared.is_some_and(|n| n > limits.body_limit) {
            return self
                .not_taken(
                    &seen,
                    declared_bytes,
                    status,
                    "too_large",
                    &too_large_kept,
                    &too_large,
                )
                .await;
        }
        let read = match incoming {
            Incoming::Checked(bytes) => Ok(Ok(bytes)),
            Incoming::Unread(body) => {
                let read = read_body(body, limits.body_limit, declared);
                tokio::time::timeout(limits.body_timeout, read).await
            }
        };
        let body = match read {
            Ok(Ok(body)) => body,
            Ok(Err(BodyProblem::TooLarge)) => {
                let bytes = limits.body_limit + 1;
                return self
                    .not_taken(&seen, bytes, status, "too_large", &too_large_kept, &too_large)
                    .await;
            }
            Ok(Err(BodyProblem::Broken)) => {
                let message = "the connection broke while the body was being sent; nothing was stored";
                let status = StatusCode::BAD_REQUEST;
                return self
                    .not_taken(&seen, declared_bytes, status, "cut_off", message, message)
                    .await;
            }
            Err(_) => {
                let secs = limits.body_timeout.as_secs_f64();
                let message = format!("the body did not arrive within {secs} s; nothing was stored");
                let answer = "the body came too slowly: send it again";
                let status = StatusCode::REQUEST_TIMEOUT;
                return self
                    .not_taken(&seen, declared_bytes, status, "timeout", &message, answer)
                    .await;
            }
        };
        let inbound = InboundRequest {
            headers: &req.headers,
            query: &req.query,
            content_type: &seen.content_type,
            body: &body,
        };
        self.take_push(&account, source.as_ref(), &seen, &inbound).await
    }

    /// A verified request that is not taken: kept without its body, and answered.
    async fn not_taken(
        &self,
        seen: &Seen,
        body_bytes: usize,
        status: StatusCode,
        outcome: &str,
        message: &str,
        answer: &str,
    ) -> Response {
        self.log_request(seen.entry(None, body_bytes, status, outcome, message))
            .await;
        refusal(status, answer)
    }

    /// A verified, fully read push: parse, store, answer.
    async fn take_push(
        &self,
        account: &Account,
        source: &dyn PushSource,
        seen: &Seen,
        inbound: &InboundRequest<'_>,
    ) -> Response {
        let body = inbound.body;
        let kept = |status, outcome, message| seen.entry(Some(body), body.len(), status, outcome, message);
        let name = registry::spec(&account.kind).name;
        let pushed = match source.parse(inbound, seen.received_at) {
            Ok(Pushed::Orders(page)) => page,
            Ok(Pushed::Nudge { topic, delivery_id }) => {
                return self
                    .take_nudge(account, seen, body, &topic, delivery_id.as_deref())
                    .await;
            }
            Ok(Pushed::Nothing { why }) => {
                // Not logged: a platform's address check proves nothing about the sender.
                tracing::debug!(account = account.id, %why, "intake request taken, nothing to do");
                return answer(StatusCode::OK, json!({"ok": true}));
            }
            Err(PushUnreadable { reason, raw }) => {
                // Set aside like any order that cannot be read, with what could be read of it.
                let q = QuarantinedOrder {
                    external_id: None,
                    reason: format!("Pushed request not read: {reason}"),
                    raw,
                };
                if let Err(e) = self
                    .0
                    .store
                    .apply_pushed((account.id, name, &self.0.instance), &[], &[q], seen.received_at)
                    .await
                {
                    tracing::error!(account = account.id, error = %e, "could not quarantine a pushed request");
                }
                self.emit(EngineEvent::OrdersChanged {
                    account_id: Some(account.id),
                });
                let report = SyncReport {
                    account_id: account.id,
                    quarantined: 1,
                    ..Default::default()
                };
                self.note_push(
                    account,
                    seen.received_at,
                    &report,
                    Some(&AppError::said(
                        ErrorCode::Marketplace,
                        ErrorWords::PushUnreadable {
                            detail: reason.clone(),
                        },
                    )),
                )
                .await;
                self.log_request(kept(StatusCode::BAD_REQUEST, "malformed", &reason))
                    .await;
                return refusal(StatusCode::BAD_REQUEST, &reason);
            }
        };

        let outcome = {
            let lock = self.sync_lock(account.id);
            let _one_at_a_time = lock.lock().await;
            self.0
                .store
                .apply_pushed(
                    (account.id, name, &self.0.instance),
                    &pushed.orders,
                    &pushed.quarantined,
                    seen.received_at,
                )
                .await
        };
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                tracing::error!(account = account.id, error = %e, "could not store pushed orders");
                let message = "the orders could not be stored; send them again";
                let status = StatusCode::INTERNAL_SERVER_ERROR;
                self.log_request(kept(status, "error", message)).await;
                return refusal(status, message);
            }
        };
        let (new, changed) = (outcome.new_orders.len(), outcome.changed_orders);
        let stored = pushed.orders.len();
        let report = SyncReport {
            account_id: account.id,
            pages: 1,
            orders_seen: stored as u32,
            orders_new: new as u32,
            orders_changed: changed,
            lines_new: outcome.new_lines,
            quarantined: outcome.quarantined,
            ..Default::default()
        };
        let set_aside = (!pushed.quarantined.is_empty()).then(|| {
            AppError::said(
                ErrorCode::Marketplace,
                ErrorWords::PushedOrdersUnreadable {
                    count: pushed.quarantined.len() as u64,
                },
            )
        });
        self.note_push(account, seen.received_at, &report, set_aside.as_ref())
            .await;
        self.after_ingest(account, outcome).await;

        let rejected: Vec<Value> = pushed
            .quarantined
            .iter()
            .map(|q| json!({"order_id": q.external_id, "reason": q.reason}))
            .collect();
        let message = format!(
            "{stored} order(s) received: {new} new, {changed} changed, {} set aside",
            rejected.len()
        );
        let (status, outcome) = if rejected.is_empty() {
            (StatusCode::OK, "stored")
        } else {
            (StatusCode::BAD_REQUEST, "partial")
        };
        self.log_request(kept(status, outcome, &message)).await;
        answer(
            status,
            json!({
                "ok": rejected.is_empty(),
                "stored": stored,
                "new": new,
                "changed": changed,
                "rejected": rejected,
            }),
        )
    }
}

impl Engine {
    /// A verified webhook: logged once per delivery id, and the account's next poll brought
    /// forward (the poll reads the order; nothing of the body is taken as the order).
    async fn take_nudge(
        &self,
        account: &Account,
        seen: &Seen,
        body: &[u8],
        topic: &str,
        delivery_id: Option<&str>,
    ) -> Response {
        let message = if self.polls_here(account.id) {
            format!("{topic}: the account's next sync runs now")
        } else {
            format!("{topic}: nothing polls this account here; its orders come with the app's next sync")
        };
        let entry = NewIntakeRequest {
            delivery_id,
            ..seen.entry(Some(body), body.len(), StatusCode::OK, "webhook", &message)
        };
        match self.0.store.log_intake_request(&entry).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                let id = delivery_id.unwrap_or_default();
                let message = format!("{topic}: delivery {id} was received before; taken once");
                let again = seen.entry(None, body.len(), StatusCode::OK, "duplicate", &message);
                self.log_request(again).await;
                return answer(StatusCode::OK, json!({"ok": true, "duplicate": true}));
            }
            // The poll is the source of truth: a webhook not logged still brings it forward.
            Err(e) => tracing::error!(account = account.id, error = %e, "could not record a webhook"),
        }
        self.poll_soon(account.id);
        answer(StatusCode::OK, json!({"ok": true}))
    }
}

/// What every log entry of one verified request shares.
struct Seen {
    account_id: AccountId,
    received_at: DateTime<Utc>,
    remote: String,
    content_type: String,
}

impl Seen {
    /// `body`: None when it was not read (or not whole); `body_bytes`: its size, or what the
    /// sender declared.
    fn entry<'s>(
        &'s self,
        body: Option<&'s [u8]>,
        body_bytes: usize,
        status: StatusCode,
        outcome: &'s str,
        message: &'s str,
    ) -> NewIntakeRequest<'s> {
        NewIntakeRequest {
            account_id: Some(self.account_id),
            received_at: self.received_at,
            remote: &self.remote,
            content_type: &self.content_type,
            body,
            body_bytes,
            http_status: status.as_u16(),
            outcome,
            message,
            delivery_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (new_intake_token().unwrap(), new_intake_token().unwrap());
        assert_eq!(a.len(), 48);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
