//! A fake Gettzap on loopback, for end-to-end tests and manual trials: the status call the
//! connector sends back (an assumed format: see `ordertray_fakes::gettzap`) and `GET /__fake/calls`.
//! Orders are not served here: Gettzap pushes them, so a test posts them to the app's intake itself.
//! `ordertray-fake-gettzap [--port P] [--login L] [--password PW] [--api-key KEY]`
//! The secrets may come from `ORDERTRAY_FAKE_PASSWORD` and `ORDERTRAY_FAKE_API_KEY` instead of flags.

use ordertray_fakes::gettzap::{FakeGettzap, FakeGettzapConfig};

const USAGE: &str = "usage: ordertray-fake-gettzap [--port P] [--login L] [--password PW] [--api-key KEY]";

fn main() {
    let mut config = FakeGettzapConfig::new("gettzap-shop", "fake-password", "fake-api-key");
    // Secrets also come from the environment, so that a test need not show them in the process's
    // argument list (which any local user can read); a flag still wins.
    if let Ok(v) = std::env::var("ORDERTRAY_FAKE_PASSWORD") {
        config.password = v;
    }
    if let Ok(v) = std::env::var("ORDERTRAY_FAKE_API_KEY") {
        config.api_key = v;
    }
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--port" => {
                config.port = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--port takes a port number"))
            }
            "--login" => config.login = value(),
            "--password" => config.password = value(),
            "--api-key" => config.api_key = value(),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let fake = FakeGettzap::start(config).await.unwrap_or_else(|e| {
            eprintln!("error: cannot listen: {e}");
            std::process::exit(1)
        });
        println!("listening on {}", fake.base_url());
        let _ = tokio::signal::ctrl_c().await;
        fake.shutdown();
    });
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!("{USAGE}");
    std::process::exit(if problem.is_empty() { 0 } else { 2 })
}
