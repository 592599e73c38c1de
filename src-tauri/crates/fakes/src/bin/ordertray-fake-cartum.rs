//! A fake Cartum (Horoshop) shop on loopback, for end-to-end tests, demos and manual trials: the
//! API's auth and order calls (see `ordertray_fakes::cartum`), `GET /__fake/calls` and
//! `POST /__fake/orders`.
//! `ordertray-fake-cartum [--port P] [--generate N] [--page-delay-ms MS] [--log-without-ids]`
//! The login and password come from `ORDERTRAY_FAKE_CARTUM_LOGIN` / `ORDERTRAY_FAKE_CARTUM_PASSWORD`
//! (so that they never show in the process's argument list), else fixed test values.

use chrono::Utc;
use ordertray_fakes::cartum::{generated, FakeCartum, FakeCartumConfig};

const USAGE: &str =
    "usage: ordertray-fake-cartum [--port P] [--generate N] [--page-delay-ms MS] [--log-without-ids]";

fn main() {
    let login = std::env::var("ORDERTRAY_FAKE_CARTUM_LOGIN").unwrap_or_else(|_| "manager".into());
    let password = std::env::var("ORDERTRAY_FAKE_CARTUM_PASSWORD").unwrap_or_else(|_| "cartum-secret".into());
    let mut config = FakeCartumConfig::new(login, password);
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
                config.page_delay = std::time::Duration::from_millis(number("milliseconds") as u64)
            }
            "--log-without-ids" => config.log_without_ids = true,
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    let timezone = config.timezone;
    ordertray_fakes::binary::serve_until_interrupted(
        FakeCartum::start(config),
        |fake| {
            if generate > 0 {
                fake.add_orders(generated(generate, Utc::now(), timezone));
            }
            println!("listening on {}", fake.base_url());
        },
        |fake| fake.shutdown(),
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
