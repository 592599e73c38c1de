//! Ozon v4 list pages served the way a bench needs them: serialized once, answered in O(1) (the
//! cursor is the page's index) over keep-alive loopback HTTP/1.1 with TCP_NODELAY, from the
//! server's own thread and runtime so that it never competes with the code being measured.

use std::convert::Infallible;
use std::sync::Arc;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

/// Postings per page, as the connector asks for them.
pub const PAGE: usize = 100;

pub fn serialize_pages(postings: &[Value]) -> Vec<Bytes> {
    let count = postings.len();
    let chunks: Vec<&[Value]> = postings.chunks(PAGE).collect();
    let last = chunks.len().saturating_sub(1);
    chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let more = i < last;
            let cursor = if more {
                format!("p{}", i + 1)
            } else {
                String::new()
            };
            let page = json!({"postings": chunk, "cursor": cursor, "has_next": more, "count": count});
            Bytes::from(serde_json::to_vec(&page).unwrap())
        })
        .collect()
}

pub fn page_index(cursor: &str) -> usize {
    cursor.strip_prefix('p').and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Serves the pages on its own thread and runtime; answers any list call with the page its cursor
/// names, anything else with an empty object.
pub fn serve(pages: Arc<Vec<Bytes>>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                stream.set_nodelay(true).unwrap();
                let pages = pages.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| answer(req, pages.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    url
}

async fn answer(req: Request<Incoming>, pages: Arc<Vec<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    #[derive(serde::Deserialize)]
    struct Ask {
        #[serde(default)]
        cursor: String,
    }
    let listing = matches!(
        req.uri().path(),
        "/v4/posting/fbs/unfulfilled/list" | "/v4/posting/fbs/list"
    );
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let page = if listing {
        let ask: Ask = serde_json::from_slice(&body).unwrap_or(Ask {
            cursor: String::new(),
        });
        pages
            .get(page_index(&ask.cursor))
            .cloned()
            .unwrap_or_else(|| Bytes::from_static(b"{\"postings\":[],\"cursor\":\"\",\"has_next\":false}"))
    } else {
        Bytes::from_static(b"{}")
    };
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(page))
        .unwrap())
}
