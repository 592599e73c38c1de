//! A fake Bitrix24 portal on loopback, for end-to-end tests, demos and manual trials: the REST
//! methods of an order transfer through an incoming webhook at `/rest/{user}/{token}/{method}.json`
//! (see `ordertray_fakes::bitrix24`).
//! `ordertray-fake-bitrix24 [--port P] [--user-id N] [--no-rate-limit]`
//! The webhook's token comes from `ORDERTRAY_FAKE_BITRIX24_TOKEN` (so that it never shows in the
//! process's argument list), else a fixed test value.

use ordertray_fakes::bitrix24::{FakeBitrix24, FakeBitrix24Config};

const USAGE: &str = "usage: ordertray-fake-bitrix24 [--port P] [--user-id N] [--no-rate-limit]";

fn main() {
    let token = std::env::var("ORDERTRAY_FAKE_BITRIX24_TOKEN").unwrap_or_else(|_| "fakebitrix24token".into());
    let mut config = FakeBitrix24Config::new("1", token);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--port" => {
                config.port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage("--port takes a port number"))
            }
            "--user-id" => {
                config.user_id = args
                    .next()
                    .unwrap_or_else(|| usage("--user-id takes the webhook's user"))
            }
            "--no-rate-limit" => config.rate_limit = None,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeBitrix24::start(config),
        |fake| println!("listening on {}", fake.base_url()),
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
