//! The order intake's state as Settings shows it: off, listening where, or why it could not start
//! (the port taken by another program), and saving settings starts, moves and stops it for real.

mod common;

use common::fresh_engine;
use ordertray_core::intake::{IntakeSettings, IntakeStatus};

fn on_port(port: u16) -> IntakeSettings {
    IntakeSettings {
        enabled: true,
        port,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_intake_reports_where_it_listens_or_why_it_cannot() {
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    assert_eq!(engine.intake_status(), IntakeStatus::default());

    // A port another program holds: the save fails with a plain reason, which the status keeps.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let err = engine.save_intake_settings(on_port(port)).await.unwrap_err();
    assert!(
        err.message.contains(&format!("port {port} is already taken")),
        "{}",
        err.message
    );
    let status = engine.intake_status();
    assert_eq!(status.listening, None);
    assert_eq!(status.error.as_deref(), Some(err.message.as_str()));
    // What was asked for is kept, so the form shows it and the next start tries it again.
    assert_eq!(engine.intake_settings().await.unwrap(), on_port(port));

    // Once the port is free the same settings listen, and the old error is gone.
    drop(taken);
    engine.save_intake_settings(on_port(port)).await.unwrap();
    assert_eq!(
        engine.intake_status(),
        IntakeStatus {
            listening: Some(format!("127.0.0.1:{port}")),
            ..Default::default()
        }
    );
    let answer = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/intake/gettzap/1"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status().as_u16(),
        401,
        "the intake answers on the new port"
    );

    assert_eq!(
        engine.intake_status().refused,
        1,
        "refused without a token, and counted"
    );

    // Turned off: nothing listens and there is no error to show; what it refused since the app
    // started stays counted.
    engine
        .save_intake_settings(IntakeSettings {
            enabled: false,
            ..on_port(port)
        })
        .await
        .unwrap();
    assert_eq!(
        engine.intake_status(),
        IntakeStatus {
            refused: 1,
            ..Default::default()
        }
    );
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}
