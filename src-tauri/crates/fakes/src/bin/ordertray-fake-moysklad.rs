//! A fake MoySklad account on loopback, for end-to-end tests, demos and manual trials: the JSON
//! API 1.2 routes of an order transfer under `/api/remap/1.2` (see `ordertray_fakes::moysklad`),
//! and `GET /__fake/orders`, `POST /__fake/orders/{id}/state`, `GET /__fake/calls`,
//! `POST /__fake/faults`, `GET /__fake/stats`.
//! `ordertray-fake-moysklad [--port P] [--requests N] [--window-ms MS] [--parallel N]
//! [--no-rate-limit]`
//! The token comes from `ORDERTRAY_FAKE_MOYSKLAD_TOKEN` (so that it never shows in the process's
//! argument list), else a fixed test value.

use ordertray_fakes::moysklad::{FakeMoySklad, FakeMoySkladConfig, RateLimit};

const USAGE: &str = "usage: ordertray-fake-moysklad [--port P] [--requests N] [--window-ms MS] \
                     [--parallel N] [--no-rate-limit]";

fn main() {
    let token =
        std::env::var("ORDERTRAY_FAKE_MOYSKLAD_TOKEN").unwrap_or_else(|_| "fake-moysklad-token".into());
    let mut config = FakeMoySkladConfig::new(token);
    let mut limit = RateLimit::MOYSKLAD;
    let mut limited = true;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut number = |what: &str| -> u64 {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage(&format!("{flag} takes {what}")))
        };
        match flag.as_str() {
            "--port" => {
                config.port = u16::try_from(number("a port number")).unwrap_or_else(|_| usage("bad port"))
            }
            "--requests" => {
                limit.requests = u32::try_from(number("a number of requests")).unwrap_or(u32::MAX)
            }
            "--window-ms" => limit.window_millis = number("milliseconds").max(1),
            "--parallel" => config.parallel = Some(number("a number of requests") as usize),
            "--no-rate-limit" => {
                limited = false;
                config.parallel = None;
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    config.rate_limit = limited.then_some(limit);
    ordertray_fakes::binary::serve_until_interrupted(
        FakeMoySklad::start(config),
        |fake| println!("listening on {}", fake.api_url()),
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
