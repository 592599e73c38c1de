//! The order intake: the HTTP address integrations that push their orders call. Served by
//! `ordertray-cli serve` and, when the manager enables it, by the app.
//!
//! `POST /intake/<integration>/<account id>`, for every integration whose spec has a push source
//! (see `ordertray_connectors::push`): the integration verifies the request with its own auth
//! (a token today). Refused: 401, logged without the credential or the body. Verified: every
//! body is kept raw in `intake_requests`; one that cannot be read is 400 with the reason and
//! quarantined like any malformed order; the orders in it are upserted on (account, external id)
//! exactly like a sync page, so a repeated push stores nothing twice and a changed one updates the
//! order.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use ordertray_connectors::{registry, InboundRequest, PushSource, PushUnreadable};
use ordertray_core::intake::{intake_path, IntakeAddress, IntakeSettings, IntakeStatus};
use ordertray_core::{
    Account, AccountId, AppError, EngineEvent, ErrorCode, QuarantinedOrder, Secret, SyncReport,
};
use ordertray_store::NewIntakeRequest;
use serde_json::{json, Value};

use crate::{Engine, Result};

const SETTINGS_KEY: &str = "intake";
/// Pushed bodies larger than this are refused (413) unread.
const BODY_LIMIT: usize = 5 * 1024 * 1024;

/// The intake server's state since it was last started: serving, or why it could not start.
pub(crate) enum Running {
    Serving {
        addr: SocketAddr,
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

/// What the intake answers, as JSON: `{"ok", "error"?, "stored"?, …}`.
fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn refusal(status: StatusCode, error: &str) -> Response {
    answer(status, json!({"ok": false, "error": error}))
}

impl Engine {
    pub async fn intake_settings(&self) -> Result<IntakeSettings> {
        Ok(match self.0.store.setting(SETTINGS_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "intake settings unreadable; using defaults");
                IntakeSettings::default()
            }),
            None => IntakeSettings::default(),
        })
    }

    /// Saves the intake settings and starts, restarts or stops the server to match.
    pub async fn save_intake_settings(&self, settings: IntakeSettings) -> Result<IntakeSettings> {
        let settings = settings.validated()?;
        self.remember_intake_settings(&settings).await?;
        self.stop_intake().await;
        if settings.enabled {
            self.start_intake(&settings).await?;
        }
        Ok(settings)
    }

    /// Keeps where the intake is served without starting or stopping anything (`ordertray-cli
    /// serve` records its address so that `accounts intake-url` prints the right one).
    pub async fn remember_intake_settings(&self, settings: &IntakeSettings) -> Result<()> {
        let json = serde_json::to_string(settings).expect("intake settings serialise");
        Ok(self.0.store.set_setting(SETTINGS_KEY, &json).await?)
    }

    /// Starts the intake with the stored settings when they say so (the app at start-up).
    pub async fn start_intake_if_enabled(&self) -> Result<Option<SocketAddr>> {
        let settings = self.intake_settings().await?;
        if !settings.enabled {
            return Ok(None);
        }
        self.start_intake(&settings).await.map(Some)
    }

    /// Listens on the settings' address (port 0: any free one) and serves the intake; returns the
    /// address it listens on. A running intake is stopped first.
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
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = self
            .intake_router()
            .into_make_service_with_connect_info::<SocketAddr>();
        let task = tokio::spawn(async move {
            let until = async {
                let _ = stopped.await;
            };
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(until).await {
                tracing::error!(error = %e, "the order intake stopped");
            }
        });
        *self.0.intake.lock().expect("intake poisoned") = Some(Running::Serving {
            addr: local,
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
        }
    }

    /// Where the intake listens now, if it runs.
    pub fn intake_listening(&self) -> Option<SocketAddr> {
        match self.0.intake.lock().expect("intake poisoned").as_ref() {
            Some(Running::Serving { addr, .. }) => Some(*addr),
            _ => None,
        }
    }

    /// Whether the intake listens now, and where; or why its last start failed.
    pub fn intake_status(&self) -> IntakeStatus {
        match self.0.intake.lock().expect("intake poisoned").as_ref() {
            Some(Running::Serving { addr, .. }) => IntakeStatus {
                listening: Some(addr.to_string()),
                error: None,
            },
            Some(Running::Failed(message)) => IntakeStatus {
                listening: None,
                error: Some(message.clone()),
            },
            None => IntakeStatus::default(),
        }
    }

    /// The routes alone (tests and embedding): `POST /intake/{integration}/{account}`.
    pub fn intake_router(&self) -> Router {
        Router::new()
            .route("/intake/{integration}/{account}", post(receive))
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(self.clone())
    }

    /// The full address to paste into the marketplace, token included: only for the copy button
    /// and `ordertray-cli accounts intake-url`; never logged.
    pub async fn intake_url(&self, account_id: AccountId) -> Result<String> {
        let (account, source) = self.push_account(account_id).await?;
        let token = self.credential(&account, source.auth_field()).await?;
        Ok(format!(
            "{}{}?token={}",
            self.intake_base().await?,
            intake_path(account.kind.as_str(), account_id),
            token.expose()
        ))
    }

    /// The address for display, with the token hidden.
    pub async fn intake_address(&self, account_id: AccountId) -> Result<IntakeAddress> {
        let (account, _) = self.push_account(account_id).await?;
        Ok(IntakeAddress {
            account_id,
            masked_url: format!(
                "{}{}?token=••••••••",
                self.intake_base().await?,
                intake_path(account.kind.as_str(), account_id)
            ),
            serving: self.intake_listening().is_some(),
            format_unverified: true,
        })
    }

    /// Replaces the account's intake token: the old address stops working at once.
    pub async fn rotate_intake_token(&self, account_id: AccountId) -> Result<()> {
        let (account, source) = self.push_account(account_id).await?;
        let field = source.auth_field();
        if let Some(var) = account.settings.secret_env(field) {
            return Err(AppError::invalid(format!(
                "The intake token of «{}» comes from the environment variable {var}: change it there",
                account.name
            )));
        }
        self.store_secret(account_id, field, Secret::new(new_intake_token()?))
            .await
    }

    async fn intake_base(&self) -> Result<String> {
        let mut settings = self.intake_settings().await?;
        if let Some(addr) = self.intake_listening() {
            if settings.public_url.is_empty() {
                settings.port = addr.port();
            }
        }
        Ok(settings.base_url())
    }

    /// An account whose integration pushes its orders, with its push source.
    async fn push_account(&self, account_id: AccountId) -> Result<(Account, Box<dyn PushSource>)> {
        let account = self.0.store.account(account_id).await?;
        let spec = registry::spec(account.kind);
        let Some(source) = spec.push_source else {
            return Err(AppError::invalid(format!(
                "{} does not push orders: «{}» has no intake address",
                spec.name, account.name
            )));
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
        error: Option<&str>,
    ) {
        let store = &self.0.store;
        let recorded = match store.start_sync_run(account.id, at).await {
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

struct Request {
    integration: String,
    account: String,
    remote: SocketAddr,
    query: std::collections::HashMap<String, String>,
    headers: HeaderMap,
    body: Bytes,
}

async fn receive(
    State(engine): State<Engine>,
    Path((integration, account)): Path<(String, String)>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    engine
        .receive(Request {
            integration,
            account,
            remote,
            query,
            headers,
            body,
        })
        .await
}

impl Engine {
    async fn receive(&self, req: Request) -> Response {
        let content_type: String = req
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        let seen = Seen {
            received_at: Utc::now(),
            remote: req.remote.to_string(),
            content_type,
            body: &req.body,
        };

        // Issue 17 item 5 (intake hardening) goes here: the route, the account and its credential
        // are known before the body is read, so the credential check can move ahead of buffering
        // (and a per-account size limit and rate limit beside it).
        let id = req.account.parse::<AccountId>().ok();
        let account = match id {
            Some(id) => self.0.store.account(id).await.ok(),
            None => None,
        };
        let pushing = account
            .filter(|a| a.kind.as_str() == req.integration)
            .and_then(|a| registry::spec(a.kind).push_source.map(|source| (source(&a), a)));
        let Some((source, account)) = pushing else {
            tracing::warn!(remote = %seen.remote, "intake request for an unknown account refused");
            let message = "no such intake address";
            self.log_request(seen.entry(id, false, StatusCode::NOT_FOUND, "unknown_account", message))
                .await;
            return refusal(StatusCode::NOT_FOUND, message);
        };

        let inbound = InboundRequest {
            headers: &req.headers,
            query: &req.query,
            content_type: &seen.content_type,
            body: &req.body,
        };
        let expected = match self.credential(&account, source.auth_field()).await {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(account = account.id, error = %e.message, "intake token unavailable");
                let message = format!("the intake token cannot be read: {}", e.message);
                let status = StatusCode::SERVICE_UNAVAILABLE;
                self.log_request(seen.entry(Some(account.id), true, status, "unavailable", &message))
                    .await;
                return refusal(status, "the intake is not ready: try again later");
            }
        };
        if let Err(refused) = source.verify(&inbound, &expected) {
            let why = refused.why();
            tracing::warn!(account = account.id, remote = %seen.remote, why, "intake request refused");
            let message = format!("refused: {why}");
            self.log_request(seen.entry(
                Some(account.id),
                false,
                StatusCode::UNAUTHORIZED,
                "refused",
                &message,
            ))
            .await;
            return refusal(StatusCode::UNAUTHORIZED, "wrong or missing intake token");
        }

        if !account.active {
            let message = format!("«{}» is disabled in Ordertray; nothing was stored", account.name);
            let status = StatusCode::SERVICE_UNAVAILABLE;
            self.log_request(seen.entry(Some(account.id), true, status, "disabled", &message))
                .await;
            return refusal(status, "this shop's account is disabled");
        }

        let name = registry::spec(account.kind).name;
        let pushed = match source.parse(&inbound, seen.received_at) {
            Ok(p) => p,
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
                    .apply_pushed(account.id, name, &[], &[q], seen.received_at)
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
                    &account,
                    seen.received_at,
                    &report,
                    Some(&format!("A pushed request could not be read: {reason}")),
                )
                .await;
                self.log_request(seen.entry(
                    Some(account.id),
                    true,
                    StatusCode::BAD_REQUEST,
                    "malformed",
                    &reason,
                ))
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
                    account.id,
                    name,
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
                self.log_request(seen.entry(Some(account.id), true, status, "error", message))
                    .await;
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
        };
        let set_aside = (!pushed.quarantined.is_empty())
            .then(|| format!("{} pushed order(s) could not be read", pushed.quarantined.len()));
        self.note_push(&account, seen.received_at, &report, set_aside.as_deref())
            .await;
        self.after_ingest(&account, outcome).await;

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
        self.log_request(seen.entry(Some(account.id), true, status, outcome, &message))
            .await;
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

/// What every log entry of one request shares.
struct Seen<'a> {
    received_at: chrono::DateTime<Utc>,
    remote: String,
    content_type: String,
    body: &'a [u8],
}

impl Seen<'_> {
    /// `keep_body`: false for refused requests (their body is not ours to keep).
    fn entry<'s>(
        &'s self,
        account_id: Option<AccountId>,
        keep_body: bool,
        status: StatusCode,
        outcome: &'s str,
        message: &'s str,
    ) -> NewIntakeRequest<'s> {
        NewIntakeRequest {
            account_id,
            received_at: self.received_at,
            remote: &self.remote,
            content_type: &self.content_type,
            body: keep_body.then_some(self.body),
            body_bytes: self.body.len(),
            http_status: status.as_u16(),
            outcome,
            message,
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
