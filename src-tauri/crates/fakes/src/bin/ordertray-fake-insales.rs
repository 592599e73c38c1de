//! A fake InSales shop on loopback, for end-to-end tests, demos and manual trials: the admin API
//! routes of an order transfer under `/admin` (see `ordertray_fakes::insales`), and
//! `GET /__fake/orders`, `GET/POST /__fake/products`, `POST /__fake/orders/{id}/status`,
//! `GET /__fake/calls`, `POST /__fake/faults`, `GET /__fake/stats`, `POST /__fake/usage_limit`.
//! `ordertray-fake-insales [--port P] [--api-id ID] [--requests N] [--window-secs S]
//! [--no-rate-limit]`
//! The password comes from `ORDERTRAY_FAKE_INSALES_PASSWORD` (so that it never shows in the
//! process's argument list), else a fixed test value. The shop starts with one product (SKU
//! `DEMO-1`, 10 in stock) so that a first order can be sent at once.

use ordertray_fakes::insales::{FakeInSales, FakeInSalesConfig, UsageLimit};
use serde_json::json;

const USAGE: &str = "usage: ordertray-fake-insales [--port P] [--api-id ID] [--requests N] \
                     [--window-secs S] [--no-rate-limit]";

fn main() {
    let password =
        std::env::var("ORDERTRAY_FAKE_INSALES_PASSWORD").unwrap_or_else(|_| "fake-insales-password".into());
    let mut config = FakeInSalesConfig::new("ordertray", password);
    let mut limit = UsageLimit::INSALES;
    let mut limited = true;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |what: &str| -> String {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} takes {what}")))
        };
        match flag.as_str() {
            "--port" => {
                config.port = value("a port number")
                    .parse()
                    .unwrap_or_else(|_| usage("bad port"))
            }
            "--api-id" => config.api_id = value("an identifier"),
            "--requests" => {
                limit.requests = value("a number of requests")
                    .parse()
                    .unwrap_or_else(|_| usage("bad number of requests"))
            }
            "--window-secs" => {
                limit.window_secs = value("seconds")
                    .parse::<u64>()
                    .unwrap_or_else(|_| usage("bad window"))
                    .max(1)
            }
            "--no-rate-limit" => limited = false,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    config.usage_limit = limited.then_some(limit);
    ordertray_fakes::binary::serve_until_interrupted(
        FakeInSales::start(config),
        |fake| {
            fake.add_product(
                json!({"title": "Демо-товар", "variants": [{"sku": "DEMO-1", "quantity": 10, "price": 500}]}),
            );
            println!("listening on {}", fake.base_url());
        },
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
