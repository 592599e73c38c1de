//! A fake Shopify store on loopback, for end-to-end tests, demos and manual trials: the
//! client-credentials grant and the Admin GraphQL orders and shop queries (see
//! `ordertray_fakes::shopify`), `GET /__fake/calls` and `POST /__fake/orders`.
//! `ordertray-fake-shopify [--port P] [--generate N] [--page-delay-ms MS] [--hide-customers] [--restore-rate R]`
//! The client id and secret come from `ORDERTRAY_FAKE_SHOPIFY_CLIENT_ID` /
//! `ORDERTRAY_FAKE_SHOPIFY_CLIENT_SECRET` (so that they never show in the process's argument
//! list), else fixed test values.

use chrono::Utc;
use ordertray_fakes::shopify::{generated, FakeShopify, FakeShopifyConfig};

const USAGE: &str = "usage: ordertray-fake-shopify [--port P] [--generate N] [--page-delay-ms MS] \
                     [--hide-customers] [--restore-rate R]";

fn main() {
    let client_id =
        std::env::var("ORDERTRAY_FAKE_SHOPIFY_CLIENT_ID").unwrap_or_else(|_| "fake-client-id".into());
    let client_secret =
        std::env::var("ORDERTRAY_FAKE_SHOPIFY_CLIENT_SECRET").unwrap_or_else(|_| "fake-client-secret".into());
    let mut config = FakeShopifyConfig::new(client_id, client_secret);
    let mut generate = 0usize;
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
            "--hide-customers" => config.protected_customer_data = false,
            "--restore-rate" => {
                config.restore_rate = value("points a second")
                    .parse::<f64>()
                    .ok()
                    .filter(|r| r.is_finite() && *r >= 0.0)
                    .unwrap_or_else(|| usage("--restore-rate takes points a second"))
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeShopify::start(config),
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
