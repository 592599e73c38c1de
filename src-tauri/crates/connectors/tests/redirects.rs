//! The HTTP client's redirect policy over loopback: two servers on two ports are two origins. A
//! server that redirects a ZZAP call (307: the password is posted again) to another origin must
//! not get the keys sent there; the call stops with an error saying why.

use std::time::Duration;

use chrono::Utc;
use ordertray_connectors::zzap::ZzapSettings;
use ordertray_connectors::{connect, http_client, ConnectorError, HttpSettings};
use ordertray_core::{Account, AccountKind, AccountSettings, Credentials};
use ordertray_fakes::zzap::{FakeZzap, FakeZzapConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const LOGIN: &str = "shop@example.ru";
const PASSWORD: &str = "redirect-pa55";
const KEY: &str = "redirect-key";

/// Answers every request with a 307 to `target` + the request's path; stops with the test.
async fn redirecting_server(target: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let target = target.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                // Read the head and the body it announces, so the client is not cut off mid-send.
                loop {
                    let Ok(n) = socket.read(&mut buf).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&seen).to_string();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let length = text[..end]
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if seen.len() >= end + 4 + length {
                            let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                            let answer = format!(
                                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}{path}\r\n\
                                 Content-Length: 0\r\nConnection: close\r\n\r\n"
                            );
                            let _ = socket.write_all(answer.as_bytes()).await;
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_with_the_keys() {
    let other = FakeZzap::start(FakeZzapConfig::new(LOGIN, PASSWORD, KEY))
        .await
        .unwrap();
    let base = redirecting_server(other.base_url()).await;
    let account = Account {
        id: 1,
        kind: AccountKind::new("zzap"),
        name: "Z".into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some(base),
        demo: false,
        settings: AccountSettings::from(ZzapSettings {
            min_request_interval_ms: 0,
            ..ZzapSettings::new(LOGIN)
        }),
        created_at: Utc::now(),
    };
    let http = http_client(&HttpSettings {
        timeout: Duration::from_secs(5),
    });
    let credentials = Credentials::default()
        .with("password", PASSWORD)
        .with("api_key", KEY);
    let c = connect(&account, credentials, http);

    let e = c.effect_sink().unwrap().status_dictionary().await.unwrap_err();
    assert!(
        matches!(&e, ConnectorError::Rejected { message, .. } if message.contains("another address")),
        "{e:?}"
    );
    assert!(
        !e.is_retryable(),
        "a refused redirect waits for the address to be fixed"
    );
    assert!(!e.to_string().contains(PASSWORD) && !e.to_string().contains(KEY));
    assert!(
        other.calls().is_empty(),
        "the other origin received the keys: {:?}",
        other.calls()
    );
}
