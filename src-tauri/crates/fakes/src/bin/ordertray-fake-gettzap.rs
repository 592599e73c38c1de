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
    ordertray_fakes::binary::serve_until_interrupted(
        FakeGettzap::start(config),
        |fake| println!("listening on {}", fake.base_url()),
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
