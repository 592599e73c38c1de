//! What the intake writes about refused requests: at most one log line a period, however many
//! come, and never a token, whether it came in the query or a header, right or wrong: neither in
//! the log nor anywhere in the database files. (A binary of its own: it captures the process's
//! whole log.)

mod intake_common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use intake_common::*;
use ordertray_engine::intake::{IntakeClock, IntakeLimits};
use ordertray_fakes::gettzap::sample_order;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).to_string()
    }

    /// Warnings and errors the intake logged.
    fn intake_warnings(&self) -> Vec<String> {
        self.text()
            .lines()
            .filter(|l| (l.contains("WARN") || l.contains("ERROR")) && l.contains("ordertray_engine::intake"))
            .map(str::to_string)
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_are_logged_once_a_period_and_tokens_never_reach_the_log_or_the_database() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let clock = IntakeClock::manual();
    let i = Intake::start(IntakeLimits {
        refusal_burst: 1000,
        log_every: Duration::from_secs(60),
        clock: clock.clone(),
        ..Default::default()
    })
    .await;
    let c = client();
    let wrong = "badc0ffee0ddf00d".repeat(3);
    let body = sample_order("1", 1).to_string();
    let path = i.path();
    let unknown = "/intake/gettzap/999".to_string();
    for n in 0..40 {
        let a = match n % 4 {
            0 => post(&c, &i.url(&format!("{path}?token={wrong}")), &[], body.clone()).await,
            1 => post(&c, &i.url(&path), &[("x-intake-token", &wrong)], body.clone()).await,
            2 => {
                post(
                    &c,
                    &i.url(&format!("{unknown}?token={}", i.token)),
                    &[],
                    body.clone(),
                )
                .await
            }
            _ => {
                post(
                    &c,
                    &i.url(&path),
                    &[("authorization", &format!("Bearer {wrong}"))],
                    body.clone(),
                )
                .await
            }
        };
        assert_eq!(a.status, 401);
    }
    let warnings = log.intake_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");

    // A period later, the next refusal logs one line counting what came meanwhile.
    clock.advance(Duration::from_secs(61));
    assert_eq!(post(&c, &i.url(&path), &[], body.clone()).await.status, 401);
    let warnings = log.intake_warnings();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[1].contains("refused=40"), "{}", warnings[1]);

    // The token is taken from the query, X-Intake-Token or Authorization: Bearer.
    let url = i.url(&format!("{path}?token={}", i.token));
    assert_eq!(
        post(&c, &url, &[], sample_order("2", 1).to_string()).await.status,
        200
    );
    let by_header = [("x-intake-token", i.token.as_str())];
    assert_eq!(
        post(&c, &i.url(&path), &by_header, sample_order("3", 1).to_string())
            .await
            .status,
        200
    );
    let bearer = format!("Bearer {}", i.token);
    let by_bearer = [("authorization", bearer.as_str())];
    assert_eq!(
        post(&c, &i.url(&path), &by_bearer, sample_order("4", 1).to_string())
            .await
            .status,
        200
    );
    // A malformed push and one over the limit with the token in the query are logged and kept
    // without it too.
    assert_eq!(post(&c, &url, &[], "{\"order_id\":").await.status, 400);
    assert_eq!(post(&c, &url, &[], " ".repeat(1024 * 1024 + 1)).await.status, 413);
    i.engine.stop_intake().await;

    let text = log.text();
    assert!(
        text.contains("order intake listening"),
        "the capture works: {text}"
    );
    for (name, secret) in [("the account's token", &i.token), ("a wrong token", &wrong)] {
        assert!(!text.contains(secret.as_str()), "{name} is in the log");
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", i.db.display());
            if let Ok(bytes) = std::fs::read(&file) {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                    "{name} is in {file}"
                );
            }
        }
    }
    i.engine.shutdown().await;
}
