//! A fake RetailCRM account on loopback, for end-to-end tests, demos and manual trials: the API v5
//! order transfer routes (see `ordertray_fakes::retailcrm`), `GET /__fake/orders`,
//! `POST /__fake/orders/{externalId}/status`, `GET /__fake/calls`, `POST /__fake/faults` and
//! `GET /__fake/stats`.
//! `ordertray-fake-retailcrm [--port P] [--site CODE] [--rate R] [--burst B] [--no-rate-limit]`
//! The API key comes from `ORDERTRAY_FAKE_RETAILCRM_API_KEY` (so that it never shows in the
//! process's argument list), else a fixed test value.

use ordertray_fakes::retailcrm::{FakeRetailCrm, FakeRetailCrmConfig, RateLimit};

const USAGE: &str = "usage: ordertray-fake-retailcrm [--port P] [--site CODE] [--rate R] [--burst B] \
                     [--no-rate-limit]";

fn main() {
    let api_key =
        std::env::var("ORDERTRAY_FAKE_RETAILCRM_API_KEY").unwrap_or_else(|_| "fake-retailcrm-api-key".into());
    let mut config = FakeRetailCrmConfig::new(api_key, "fake-shop");
    let mut limit = RateLimit::RETAILCRM;
    let mut limited = true;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |what: &str| -> String {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} takes {what}")))
        };
        // A rate or a burst: a finite number, not negative.
        let amount = |text: String, what: &str| -> f64 {
            text.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .unwrap_or_else(|| usage(&format!("{flag} takes {what}")))
        };
        match flag.as_str() {
            "--port" => {
                config.port = value("a port number")
                    .parse()
                    .unwrap_or_else(|_| usage("bad port"))
            }
            "--site" => config.site = value("a site code"),
            "--rate" => limit.per_second = amount(value("requests a second"), "requests a second"),
            "--burst" => limit.burst = amount(value("a number of requests"), "a number of requests"),
            "--no-rate-limit" => limited = false,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    config.rate_limit = limited.then_some(limit);
    ordertray_fakes::binary::serve_until_interrupted(
        FakeRetailCrm::start(config),
        |fake| println!("listening on {}", fake.base_url()),
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
