//! The intake's HTTP/1.1 server: at most `max_connections` connections at once (one more is
//! answered 503 and closed), a deadline for each request's headers (which also closes idle
//! connections), small read buffers, and a graceful stop.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_service::Service;

use super::guard::{RateLimiter, Refusal, RefusalLog};
use super::IntakeLimits;
use crate::Engine;

/// What one running server shares between its connections.
pub(crate) struct Shared {
    pub engine: Engine,
    pub limits: IntakeLimits,
    pub limiter: Mutex<RateLimiter>,
    /// Every request to a buyer page, valid link or not.
    pub page_limiter: Mutex<RateLimiter>,
    pub log: Mutex<RefusalLog>,
}

impl Shared {
    pub fn new(engine: Engine, limits: IntakeLimits) -> Self {
        Self {
            engine,
            limiter: Mutex::new(RateLimiter::new(limits.refusal_burst, limits.refusal_refill)),
            page_limiter: Mutex::new(RateLimiter::new(limits.page_burst, limits.page_refill)),
            log: Mutex::new(RefusalLog::default()),
            limits,
        }
    }

    /// Counts a refusal and logs it (at most one line a period).
    pub fn note(&self, what: Refusal, from: std::net::IpAddr) {
        self.engine.0.intake_counters.count(what);
        let now = self.limits.clock.now();
        self.log
            .lock()
            .expect("intake log poisoned")
            .note(what, from, now, self.limits.log_every);
    }
}

/// The largest buffer a connection reads headers into (hyper's floor is 8 KiB).
const READ_BUFFER: usize = 64 * 1024;
/// How long a turned-away connection is read from after its 503, so that closing it does not
/// reset the answer away; and how many may be in that state at once (more are just closed).
const TURN_AWAY_LINGER: Duration = Duration::from_secs(1);
const TURN_AWAY_AT_ONCE: usize = 64;
/// How long a stop waits for requests under way.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The answer on a connection over the limit.
static BUSY: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let body = r#"{"ok":false,"error":"the intake is busy: try again shortly"}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
});

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    router: Router,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let limits = shared.limits.clone();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let turning_away = Arc::new(Semaphore::new(TURN_AWAY_AT_ONCE));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(READ_BUFFER)
        .keep_alive(true);
    let mut open = tokio::task::JoinSet::new();
    loop {
        let (stream, remote) = tokio::select! {
            _ = &mut stop => break,
            Some(_) = open.join_next(), if !open.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: let the load pass instead of spinning.
                    tracing::debug!(error = %e, "the order intake could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            shared.note(Refusal::TurnedAway, remote.ip());
            turn_away(stream, &turning_away);
            continue;
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            let mut router = router.clone();
            async move { Ok::<_, Infallible>(router.call(request).await.unwrap_or_else(|e| match e {})) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        open.spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    // Idle connections close now and requests under way get a moment to finish; what is still
    // open then is dropped (a push being stored is rolled back, and its sender sends it again).
    if tokio::time::timeout(STOP_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::debug!(
            open = open.len(),
            "the order intake stopped with connections still open"
        );
    }
    open.shutdown().await;
}

/// Answers 503 on a connection over the limit and closes it.
fn turn_away(stream: TcpStream, at_once: &Arc<Semaphore>) {
    let _ = stream.try_write(&BUSY);
    let Ok(permit) = at_once.clone().try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let mut stream = stream;
        let _ = stream.shutdown().await;
        let mut sink = [0u8; 4096];
        let _ = tokio::time::timeout(TURN_AWAY_LINGER, async {
            let mut read = 0;
            while read < 64 * 1024 {
                match stream.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
            }
        })
        .await;
        drop(permit);
    });
}
