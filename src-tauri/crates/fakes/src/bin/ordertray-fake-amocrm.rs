//! A fake amoCRM account on loopback, for end-to-end tests, demos and manual trials: the API v4
//! routes of an order transfer (see `ordertray_fakes::amocrm`) and its `/__fake/` admin routes.
//! `ordertray-fake-amocrm [--port P] [--no-rate-limit]`
//! The long-lived token comes from `ORDERTRAY_FAKE_AMOCRM_TOKEN` (so that it never shows in the
//! process's argument list), else a fixed test value.

use ordertray_fakes::amocrm::{FakeAmoCrm, FakeAmoCrmConfig};

const USAGE: &str = "usage: ordertray-fake-amocrm [--port P] [--no-rate-limit]";

fn main() {
    let token = std::env::var("ORDERTRAY_FAKE_AMOCRM_TOKEN").unwrap_or_else(|_| "fake-amocrm-token".into());
    let mut config = FakeAmoCrmConfig::new(token);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => {
                config.port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage("--port takes a port number"))
            }
            "--no-rate-limit" => config.rate_limit = None,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeAmoCrm::start(config),
        |fake| println!("listening on {}", fake.base_url()),
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
