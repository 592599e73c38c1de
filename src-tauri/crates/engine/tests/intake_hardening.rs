//! The intake under hostile or broken clients (issue 17 item 5): the token is checked before the
//! body is read, against tokens held in memory; refused requests leave no row, only counters; one
//! answer for every address that is not an account's; a body limit, header and body timeouts, a
//! connection limit and a per-address rate limit on requests without a token.

mod intake_common;

use std::time::Duration;

use intake_common::*;
use ordertray_engine::intake::{IntakeClock, IntakeLimits};
use ordertray_fakes::gettzap::sample_order;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

fn order(id: &str) -> String {
    sample_order(id, 1).to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_token_is_checked_before_the_body_is_read() {
    let i = Intake::start(IntakeLimits::default()).await;
    // Headers that announce a large body which never comes: refused at once, unread.
    let wrong = format!("X-Intake-Token: {}", "0".repeat(48));
    let cases = [
        (i.path(), vec![wrong.as_str()]),
        (i.path(), vec![]),
        ("/intake/gettzap/999".to_string(), vec![wrong.as_str()]),
    ];
    for (path, headers) in cases {
        let mut head = format!("POST {path} HTTP/1.1\r\nHost: intake.test\r\n");
        for h in headers {
            head.push_str(&format!("{h}\r\n"));
        }
        head.push_str("Content-Type: application/json\r\nContent-Length: 900000\r\n\r\n");
        let answer = raw(i.addr, head.as_bytes())
            .await
            .expect("an answer before the body");
        assert_eq!(answer.status, 401, "{path}: {answer:?}");
    }
    // The right token with the same announced body: the intake waits for it (and gets it).
    let body = format!("{}{}", order("1"), " ".repeat(1000));
    let token = format!("X-Intake-Token: {}", i.token);
    let answer = raw(i.addr, &request(&i.path(), &[&token], &body)).await.unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_checked_from_memory_and_follow_every_change() {
    let i = Intake::start(IntakeLimits {
        refusal_burst: 1000,
        ..Default::default()
    })
    .await;
    let c = client();
    let reads = i.secrets.token_reads();
    for n in 0..10 {
        let good = post(
            &c,
            &i.url(&i.path()),
            &[("x-intake-token", &i.token)],
            order(&n.to_string()),
        )
        .await;
        assert_eq!(good.status, 200, "{good:?}");
        let bad = post(&c, &i.url(&i.path()), &[("x-intake-token", "nope")], order("x")).await;
        assert_eq!(bad.status, 401);
        let unknown = post(
            &c,
            &i.url("/intake/gettzap/77"),
            &[("x-intake-token", "nope")],
            order("x"),
        )
        .await;
        assert_eq!(unknown.status, 401);
    }
    assert_eq!(i.secrets.token_reads(), reads, "no keychain read per request");

    // A new token: the old one stops at once, the new one works.
    i.engine.rotate_intake_token(i.account).await.unwrap();
    let new = token_of(&i.engine, i.account).await;
    let old = post(
        &c,
        &i.url(&i.path()),
        &[("x-intake-token", &i.token)],
        order("20"),
    )
    .await;
    assert_eq!(old.status, 401);
    let ok = post(&c, &i.url(&i.path()), &[("x-intake-token", &new)], order("20")).await;
    assert_eq!(ok.status, 200);

    // An account added while serving is served at once; a deleted one no longer is.
    let second = add_gettzap(&i.engine, "Second").await;
    let second_token = token_of(&i.engine, second).await;
    let url = i.url(&format!("/intake/gettzap/{second}"));
    assert_eq!(
        post(&c, &url, &[("x-intake-token", &second_token)], order("30"))
            .await
            .status,
        200
    );
    i.engine.delete_account(second).await.unwrap();
    assert_eq!(
        post(&c, &url, &[("x-intake-token", &second_token)], order("31"))
            .await
            .status,
        401
    );
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_changed_by_another_process_is_picked_up() {
    let clock = IntakeClock::manual();
    let limits = IntakeLimits {
        clock: clock.clone(),
        keys_recheck: Duration::from_secs(2),
        ..Default::default()
    };
    let i = Intake::start(limits).await;
    // Another process on the same database and keychain (the CLI while the app serves).
    let other = open(&i.db, i.secrets.clone()).await;
    other.rotate_intake_token(i.account).await.unwrap();
    let new = token_of(&other, i.account).await;
    let added = add_gettzap(&other, "Added elsewhere").await;
    let added_token = token_of(&other, added).await;
    clock.advance(Duration::from_secs(3));
    let c = client();
    let ok = post(&c, &i.url(&i.path()), &[("x-intake-token", &new)], order("1")).await;
    assert_eq!(ok.status, 200, "{ok:?}");
    let old = post(&c, &i.url(&i.path()), &[("x-intake-token", &i.token)], order("2")).await;
    assert_eq!(old.status, 401);
    let url = i.url(&format!("/intake/gettzap/{added}"));
    assert_eq!(
        post(&c, &url, &[("x-intake-token", &added_token)], order("3"))
            .await
            .status,
        200
    );
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_and_unauthorised_addresses_get_the_same_answer() {
    let i = Intake::start(IntakeLimits {
        refusal_burst: 1000,
        ..Default::default()
    })
    .await;
    let c = client();
    let wrong = "0".repeat(48);
    let cases: Vec<(String, Vec<(&str, &str)>)> = vec![
        (i.path(), vec![("x-intake-token", &wrong)]),
        (i.path(), vec![]),
        (format!("{}?token={wrong}", i.path()), vec![]),
        ("/intake/gettzap/999".into(), vec![("x-intake-token", &wrong)]),
        ("/intake/gettzap/999".into(), vec![("x-intake-token", &i.token)]),
        ("/intake/gettzap/abc".into(), vec![("x-intake-token", &i.token)]),
        (
            format!("/intake/gettzap/{}", i.ozon),
            vec![("x-intake-token", &i.token)],
        ),
        (
            format!("/intake/ozon/{}", i.ozon),
            vec![("x-intake-token", &i.token)],
        ),
        (
            format!("/intake/ozon/{}", i.account),
            vec![("x-intake-token", &i.token)],
        ),
        (
            format!("/intake/nowhere/{}", i.account),
            vec![("x-intake-token", &i.token)],
        ),
    ];
    let mut answers = Vec::new();
    for (path, headers) in &cases {
        let a = post(&c, &i.url(path), headers, order("1")).await;
        answers.push((
            path.clone(),
            a.status,
            a.header("content-type").map(str::to_string),
            a.body,
        ));
    }
    let first = &answers[0];
    assert_eq!(first.1, 401, "{first:?}");
    for a in &answers {
        assert_eq!((a.1, &a.2, &a.3), (first.1, &first.2, &first.3), "{}", a.0);
    }
    assert!(i.engine.orders(None, None).await.unwrap().is_empty());
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_requests_leave_no_row_only_counters() {
    let i = Intake::start(IntakeLimits {
        refusal_burst: 1000,
        ..Default::default()
    })
    .await;
    let c = client();
    for _ in 0..3 {
        for (path, headers) in [
            (i.path(), vec![("x-intake-token", "wrong")]),
            (i.path(), vec![]),
            (
                "/intake/gettzap/999".to_string(),
                vec![("x-intake-token", "wrong")],
            ),
            (format!("/intake/ozon/{}", i.ozon), vec![]),
        ] {
            assert_eq!(post(&c, &i.url(&path), &headers, order("1")).await.status, 401);
        }
    }
    assert_eq!(logged(&i.engine).await, vec![], "no row for a refused request");
    let status = i.engine.intake_status();
    assert_eq!((status.refused, status.rate_limited), (12, 0), "{status:?}");

    // An authenticated push is still kept for audit.
    let ok = post(&c, &i.url(&i.path()), &[("x-intake-token", &i.token)], order("1")).await;
    assert_eq!(ok.status, 200);
    let rows = logged(&i.engine).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "stored");
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_over_one_mebibyte_are_refused_413() {
    let i = Intake::start(IntakeLimits::default()).await;
    let c = client();
    let token = [("x-intake-token", i.token.as_str())];
    let mib = 1024 * 1024;
    // Exactly 1 MiB is taken (an order padded with spaces), one byte more is not.
    let mut fits = order("1");
    fits.push_str(&" ".repeat(mib - fits.len()));
    let a = post(&c, &i.url(&i.path()), &token, fits.clone()).await;
    assert_eq!(a.status, 200, "{a:?}");
    fits.push(' ');
    let a = post(&c, &i.url(&i.path()), &token, fits).await;
    assert_eq!(a.status, 413, "{a:?}");
    assert!(a.body.contains("1 MiB"), "{}", a.body);

    // Without a Content-Length (chunked), cut off once it passes the limit.
    let mut stream = TcpStream::connect(i.addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: intake.test\r\nX-Intake-Token: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        i.path(),
        i.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 600 * 1024, " ".repeat(600 * 1024));
    // The server may stop reading once it has answered: a failed write is fine.
    let _ = stream.write_all(chunk.as_bytes()).await;
    let _ = stream.write_all(chunk.as_bytes()).await;
    let a = read_answer(&mut stream).await.expect("an answer");
    assert_eq!(a.status, 413, "{a:?}");

    assert_eq!(i.engine.orders(Some(i.account), None).await.unwrap().len(), 1);
    let rows = logged(&i.engine).await;
    let too_large: Vec<_> = rows.iter().filter(|r| r.outcome == "too_large").collect();
    assert_eq!(too_large.len(), 2, "{rows:?}");
    for r in too_large {
        assert_eq!(i.engine.store().intake_request_body(r.id).await.unwrap(), None);
    }
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn slow_headers_idle_connections_and_slow_bodies_are_cut_off() {
    let i = Intake::start(IntakeLimits {
        header_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .await;
    // Half a header, then nothing: the connection is closed.
    let mut slow = TcpStream::connect(i.addr).await.unwrap();
    slow.write_all(format!("POST {} HTTP/1.1\r\nHost: intake.test\r\n", i.path()).as_bytes())
        .await
        .unwrap();
    closed_by_server(&mut slow).await;
    // Nothing at all: closed too.
    let mut idle = TcpStream::connect(i.addr).await.unwrap();
    closed_by_server(&mut idle).await;
    // The right token and headers, then a body that stops: 408.
    let mut trickle = TcpStream::connect(i.addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: intake.test\r\nX-Intake-Token: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"order_id\":",
        i.path(),
        i.token
    );
    trickle.write_all(head.as_bytes()).await.unwrap();
    let a = read_answer(&mut trickle).await.expect("an answer");
    assert_eq!(a.status, 408, "{a:?}");
    let rows = logged(&i.engine).await;
    assert_eq!(
        rows.iter().map(|r| r.outcome.as_str()).collect::<Vec<_>>(),
        ["timeout"]
    );
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_over_the_limit_are_turned_away_until_one_closes() {
    let limits = IntakeLimits::default();
    let max = limits.max_connections;
    assert_eq!(max, 64);
    let i = Intake::start(limits).await;
    // Slow clients hold every connection the intake serves at once.
    let mut held = Vec::new();
    for _ in 0..max {
        let mut s = TcpStream::connect(i.addr).await.unwrap();
        s.write_all(b"POST /intake/gettzap/1 HTTP/1.1\r\n").await.unwrap();
        held.push(s);
    }
    // One more: answered 503 at once, with when to come back.
    let bad = request(&i.path(), &["X-Intake-Token: wrong"], "{}");
    let a = raw(i.addr, &bad).await.expect("an answer");
    assert_eq!(a.status, 503, "{a:?}");
    assert!(a.header("retry-after").is_some(), "{a:?}");
    assert_eq!(i.engine.intake_status().turned_away, 1);

    // Once the slow clients go, requests are served again.
    held.clear();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let a = raw(i.addr, &bad).await.expect("an answer");
        if a.status == 401 {
            break;
        }
        assert_eq!(a.status, 503);
        assert!(tokio::time::Instant::now() < deadline, "never served again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    i.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_address_sending_requests_without_a_token_is_rate_limited() {
    let clock = IntakeClock::manual();
    let i = Intake::start(IntakeLimits {
        refusal_burst: 3,
        refusal_refill: Duration::from_secs(10),
        clock: clock.clone(),
        ..Default::default()
    })
    .await;
    let (c, other) = (client(), client_from([127, 0, 0, 2].into()));
    let url = i.url(&i.path());
    let bad = [("x-intake-token", "wrong")];
    for _ in 0..3 {
        assert_eq!(post(&c, &url, &bad, order("1")).await.status, 401);
    }
    let limited = post(&c, &url, &bad, order("1")).await;
    assert_eq!(limited.status, 429, "{limited:?}");
    assert_eq!(limited.header("retry-after"), Some("10"));
    // Pushes with the token are never held back; another address has its own allowance.
    let ok = post(&c, &url, &[("x-intake-token", &i.token)], order("1")).await;
    assert_eq!(ok.status, 200);
    assert_eq!(post(&other, &url, &bad, order("1")).await.status, 401);
    // Time earns the address one more try.
    clock.advance(Duration::from_secs(10));
    assert_eq!(post(&c, &url, &bad, order("1")).await.status, 401);
    assert_eq!(post(&c, &url, &bad, order("1")).await.status, 429);
    let status = i.engine.intake_status();
    assert_eq!((status.refused, status.rate_limited), (5, 2), "{status:?}");
    i.engine.shutdown().await;
}
