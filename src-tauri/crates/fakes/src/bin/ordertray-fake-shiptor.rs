//! A fake Shiptor on loopback, for end-to-end tests, demos and manual trials: the JSON-RPC shipping
//! endpoint `POST /shipping/v1` (see `ordertray_fakes::shiptor`), `GET /__fake/packages`,
//! `POST /__fake/packages/{id}/status`, `GET /__fake/calls`, `POST /__fake/faults` and
//! `GET /__fake/stats`.
//! `ordertray-fake-shiptor [--port P] [--rate R] [--burst B]` (no limit unless `--rate` is given:
//! Shiptor documents none).
//! The API key comes from `ORDERTRAY_FAKE_SHIPTOR_API_KEY` (so that it never shows in the
//! process's argument list), else a fixed test value.

use ordertray_fakes::shiptor::{FakeShiptor, FakeShiptorConfig, RateLimit};

const USAGE: &str = "usage: ordertray-fake-shiptor [--port P] [--rate R] [--burst B]";

fn main() {
    let api_key =
        std::env::var("ORDERTRAY_FAKE_SHIPTOR_API_KEY").unwrap_or_else(|_| "fake-shiptor-api-key".into());
    let mut config = FakeShiptorConfig::new(api_key);
    let mut rate = None;
    let mut burst = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |what: &str| -> String {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} takes {what}")))
        };
        // A rate or a burst: a finite number, not negative.
        let amount = |text: String| -> f64 {
            text.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .unwrap_or_else(|| usage(&format!("{flag} takes a number")))
        };
        match flag.as_str() {
            "--port" => {
                config.port = value("a port number")
                    .parse()
                    .unwrap_or_else(|_| usage("bad port"))
            }
            "--rate" => rate = Some(amount(value("requests a second"))),
            "--burst" => burst = Some(amount(value("a number of requests"))),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    config.rate_limit = rate.map(|per_second| RateLimit {
        per_second,
        burst: burst.unwrap_or(per_second),
    });
    ordertray_fakes::binary::serve_until_interrupted(
        FakeShiptor::start(config),
        |fake| println!("listening on {}", fake.base_url()),
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
