//! What every fake does with its HTTP server: serve on loopback, tell its address, and stop on
//! `shutdown` or when the last handle to it is dropped.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A running fake's server; clones share it.
#[derive(Clone)]
pub(crate) struct Served {
    addr: SocketAddr,
    stop: Arc<StopOnDrop>,
}

impl Served {
    /// Listens on 127.0.0.1:`port` (0: any free port) and serves `app` in the background.
    pub(crate) async fn start(port: u16, app: Router, name: &'static str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let stop = async {
                let _ = rx.await;
            };
            // Answers go out at once: without TCP_NODELAY a reply written in two parts waits for
            // the client's delayed ACK (~40 ms a request on Linux), which is what a page then costs.
            let listener = listener.tap_io(|tcp| {
                if let Err(e) = tcp.set_nodelay(true) {
                    tracing::warn!(error = %e, "TCP_NODELAY not set");
                }
            });
            if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(stop).await {
                tracing::error!(error = %e, "{name} stopped");
            }
        });
        Ok(Self {
            addr,
            stop: Arc::new(StopOnDrop(Mutex::new(Some(tx)))),
        })
    }

    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub(crate) fn shutdown(&self) {
        self.stop.stop();
    }
}

struct StopOnDrop(Mutex<Option<oneshot::Sender<()>>>);

impl StopOnDrop {
    fn stop(&self) {
        if let Some(tx) = self.0.lock().expect("stop poisoned").take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An answer lost on the way: a body that fails before its first byte, so hyper closes the
/// connection without sending the status line it had only buffered.
pub(crate) fn dropped_answer() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("the fake lost this answer"))
    });
    Body::from_stream(failing).into_response()
}
