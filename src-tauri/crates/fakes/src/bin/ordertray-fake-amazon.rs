//! A fake Amazon seller on loopback, for end-to-end tests, demos and manual trials: the Login
//! with Amazon refresh-token grant at `/auth/o2/token` and the SP-API Orders 2026-01-01
//! searchOrders (see `ordertray_fakes::amazon`), `GET /__fake/calls` and `POST /__fake/orders`.
//! `ordertray-fake-amazon [--port P] [--generate N] [--page-delay-ms MS] [--rate R] [--burst B]`
//! The client id, client secret and refresh token come from `ORDERTRAY_FAKE_AMAZON_CLIENT_ID` /
//! `ORDERTRAY_FAKE_AMAZON_CLIENT_SECRET` / `ORDERTRAY_FAKE_AMAZON_REFRESH_TOKEN` (so that they
//! never show in the process's argument list), else fixed test values.

use chrono::Utc;
use ordertray_fakes::amazon::{generated, FakeAmazon, FakeAmazonConfig};

const USAGE: &str = "usage: ordertray-fake-amazon [--port P] [--generate N] [--page-delay-ms MS] \
                     [--rate R] [--burst B]";

fn main() {
    let env = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let mut config = FakeAmazonConfig::new(
        env(
            "ORDERTRAY_FAKE_AMAZON_CLIENT_ID",
            "amzn1.application-oa2-client.fake",
        ),
        env("ORDERTRAY_FAKE_AMAZON_CLIENT_SECRET", "fake-client-secret"),
        env("ORDERTRAY_FAKE_AMAZON_REFRESH_TOKEN", "Atzr|fake-refresh-token"),
    );
    let mut generate = 0usize;
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
            "--generate" => {
                generate = value("a number of orders")
                    .parse()
                    .unwrap_or_else(|_| usage("--generate takes a number of orders"))
            }
            "--page-delay-ms" => {
                let millis: u64 = value("milliseconds")
                    .parse()
                    .unwrap_or_else(|_| usage("--page-delay-ms takes milliseconds"));
                config.page_delay = std::time::Duration::from_millis(millis)
            }
            "--rate" => config.rate = amount(value("requests a second"), "requests a second"),
            "--burst" => config.burst = amount(value("a number of requests"), "a number of requests"),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeAmazon::start(config),
        |fake| {
            if generate > 0 {
                fake.add_orders(generated(generate, Utc::now()));
            }
            println!("listening on {}", fake.base_url());
        },
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
