//! A fake WooCommerce store on loopback, for end-to-end tests, demos and manual trials: the REST
//! API v3 order routes (see `ordertray_fakes::woocommerce`), `GET /__fake/calls` and
//! `POST /__fake/orders`.
//! `ordertray-fake-woocommerce [--port P] [--generate N] [--page-delay-ms MS] [--old-store] [--strip-auth]`
//! The key and secret come from `ORDERTRAY_FAKE_CONSUMER_KEY` / `ORDERTRAY_FAKE_CONSUMER_SECRET`
//! (so that they never show in the process's argument list), else fixed test values.

use chrono::Utc;
use ordertray_fakes::woocommerce::{generated, generated_catalog, FakeWooCommerce, FakeWooCommerceConfig};

const USAGE: &str = "usage: ordertray-fake-woocommerce [--port P] [--generate N] [--page-delay-ms MS] [--old-store] [--strip-auth]";

fn main() {
    let key = std::env::var("ORDERTRAY_FAKE_CONSUMER_KEY").unwrap_or_else(|_| "ck_fake".into());
    let secret = std::env::var("ORDERTRAY_FAKE_CONSUMER_SECRET").unwrap_or_else(|_| "cs_fake".into());
    let mut config = FakeWooCommerceConfig::new(key, secret);
    let mut generate = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut number = |what: &str| -> usize {
            args.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage(&format!("{flag} takes {what}")))
        };
        match flag.as_str() {
            "--port" => {
                config.port = u16::try_from(number("a port number")).unwrap_or_else(|_| usage("bad port"))
            }
            "--generate" => generate = number("a number of orders"),
            "--page-delay-ms" => {
                config.list_delay = std::time::Duration::from_millis(number("milliseconds") as u64)
            }
            "--old-store" => config.honours_modified_after = false,
            "--strip-auth" => config.strips_authorization = true,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeWooCommerce::start(config),
        |fake| {
            if generate > 0 {
                fake.add_orders(generated(generate, Utc::now()));
                let (products, categories) = generated_catalog();
                fake.add_products(products);
                fake.add_categories(categories);
            }
            println!("listening on {}", fake.base_url());
        },
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
