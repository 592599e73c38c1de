//! Shared by the intake's hardening tests: an engine with a Gettzap account (and an Ozon one,
//! which has no intake) serving the intake on a free port, a secret store that counts its reads,
//! and an HTTP/1.1 client over a raw socket for what reqwest will not send (a body that never
//! comes, half a header).
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ordertray_connectors::gettzap::{GettzapSettings, GETTZAP_INTAKE_TOKEN};
use ordertray_connectors::ozon::OzonSettings;
use ordertray_core::intake::IntakeSettings;
use ordertray_core::notify_text::Lang;
use ordertray_core::{AccountDraft, AccountSettings, AppError, Secret};
use ordertray_engine::intake::IntakeLimits;
use ordertray_engine::{Engine, EngineOptions, MemorySecretStore, RecordingNotifier, SecretStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long a test waits for an event before it fails (never a pause it always takes).
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The keychain of the tests: entries in memory, reads of intake tokens counted (other fields are
/// read by background work, such as loading Gettzap's statuses after an account is added).
#[derive(Debug, Default)]
pub struct CountingSecrets {
    inner: MemorySecretStore,
    token_reads: AtomicUsize,
}

impl CountingSecrets {
    pub fn token_reads(&self) -> usize {
        self.token_reads.load(Ordering::SeqCst)
    }
}

impl SecretStore for CountingSecrets {
    fn get(&self, entry: &str) -> Result<Option<Secret>, AppError> {
        if entry.ends_with(&format!("/{GETTZAP_INTAKE_TOKEN}")) {
            self.token_reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.get(entry)
    }
    fn set(&self, entry: &str, value: &Secret) -> Result<(), AppError> {
        self.inner.set(entry, value)
    }
    fn delete(&self, entry: &str) -> Result<(), AppError> {
        self.inner.delete(entry)
    }
    fn check(&self) -> Result<(), AppError> {
        Ok(())
    }
}

pub async fn open(db: &std::path::Path, secrets: Arc<CountingSecrets>) -> Engine {
    Engine::open(EngineOptions {
        db_path: db.to_path_buf(),
        secrets,
        notifier: Arc::new(RecordingNotifier::default()),
        lang: Lang::En,
        actor: "manager".into(),
        http: ordertray_connectors::HttpSettings {
            timeout: Duration::from_secs(5),
        },
        notifications_ok: true,
        probe_secrets: false,
        keychain_wait: ordertray_engine::KEYCHAIN_WAIT,
    })
    .await
    .unwrap()
}

fn draft(name: &str, settings: AccountSettings) -> AccountDraft {
    AccountDraft {
        name: name.into(),
        region: String::new(),
        active: true,
        interval_secs: 60,
        base_url: Some("http://127.0.0.1:9".into()),
        settings,
    }
}

pub async fn add_gettzap(engine: &Engine, name: &str) -> i64 {
    let secrets = HashMap::from([
        ("password".to_string(), "gz-password".to_string()),
        ("api_key".to_string(), "gz-office-key".to_string()),
    ]);
    engine
        .add_account(
            draft(name, AccountSettings::from(GettzapSettings::new("gz"))),
            secrets,
        )
        .await
        .unwrap()
        .id
}

/// Adding a Gettzap account saves its status list in the background; a test that measures the
/// database waits for that write, or it lands in the middle of the measurement.
async fn statuses_loaded(engine: &Engine, account: i64) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while engine
        .store()
        .marketplace_statuses(account)
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "Gettzap's statuses were never saved"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The account's intake token, as the address to paste into Gettzap carries it.
pub async fn token_of(engine: &Engine, account: i64) -> String {
    let url = engine.intake_url(account).await.unwrap();
    url.split("token=").nth(1).unwrap().to_string()
}

pub struct Intake {
    pub dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
    pub secrets: Arc<CountingSecrets>,
    pub engine: Engine,
    /// A Gettzap account and its token.
    pub account: i64,
    pub token: String,
    /// An Ozon account: it has no intake.
    pub ozon: i64,
    pub addr: SocketAddr,
}

impl Intake {
    pub async fn start(limits: IntakeLimits) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ordertray.db");
        let secrets = Arc::new(CountingSecrets::default());
        let engine = open(&db, secrets.clone()).await;
        let account = add_gettzap(&engine, "Gettzap").await;
        let ozon = engine
            .add_account(
                draft("Ozon", AccountSettings::from(OzonSettings::new("1"))),
                HashMap::from([("api_key".to_string(), "ozon-key".to_string())]),
            )
            .await
            .unwrap()
            .id;
        engine.set_intake_limits(limits);
        let addr = engine
            .start_intake(&IntakeSettings {
                enabled: true,
                port: 0,
                ..Default::default()
            })
            .await
            .unwrap();
        let token = token_of(&engine, account).await;
        statuses_loaded(&engine, account).await;
        Self {
            dir,
            db,
            secrets,
            engine,
            account,
            token,
            ozon,
            addr,
        }
    }

    pub fn path(&self) -> String {
        format!("/intake/gettzap/{}", self.account)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

/// One answer as it came over the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads one HTTP/1.1 response (by its Content-Length) from the socket; None when the server
/// closed the connection without one. Fails the test after [`DEADLINE`].
pub async fn read_answer(stream: &mut TcpStream) -> Option<Answer> {
    tokio::time::timeout(DEADLINE, read_answer_inner(stream))
        .await
        .expect("the intake did not answer or close the connection in time")
}

async fn read_answer_inner(stream: &mut TcpStream) -> Option<Answer> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let mut lines = head.split("\r\n");
            let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
                .collect();
            let length: usize = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + length]).to_string();
                return Some(Answer {
                    status,
                    headers,
                    body,
                });
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends `bytes` on a new connection and reads the answer.
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> Option<Answer> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    read_answer(&mut stream).await
}

/// A whole POST with the given extra header lines and body, on a new connection.
pub fn request(path: &str, headers: &[&str], body: &str) -> Vec<u8> {
    let mut r = format!("POST {path} HTTP/1.1\r\nHost: intake.test\r\nConnection: close\r\n");
    for h in headers {
        r.push_str(h);
        r.push_str("\r\n");
    }
    r.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    r.into_bytes()
}

/// Waits until the server closes the connection (EOF or reset), failing after [`DEADLINE`].
pub async fn closed_by_server(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    tokio::time::timeout(DEADLINE, async {
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await
    .expect("the intake kept the connection open");
    got
}

/// reqwest without a connection pool: each request on its own connection, from `from`.
pub fn client_from(from: std::net::IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .local_address(from)
        .build()
        .unwrap()
}

pub fn client() -> reqwest::Client {
    client_from([127, 0, 0, 1].into())
}

pub async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut r = client.post(url).header("content-type", "application/json");
    for (n, v) in headers {
        r = r.header(*n, *v);
    }
    let r = tokio::time::timeout(DEADLINE, r.body(body).send())
        .await
        .expect("no answer in time")
        .unwrap();
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: r.text().await.unwrap_or_default(),
    }
}

/// The intake_requests rows of every account and of none.
pub async fn logged(engine: &Engine) -> Vec<ordertray_core::intake::IntakeRequestView> {
    engine.store().intake_requests(None, 10_000).await.unwrap()
}

/// The resident memory of this process in KiB (Linux), or 0 where it cannot be read.
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

/// The database file with its WAL and shared-memory files, in bytes.
pub fn db_bytes(db: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum()
}
