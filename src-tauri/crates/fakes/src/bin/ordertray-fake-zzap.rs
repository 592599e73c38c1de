//! A fake ZZAP seller API on loopback, for end-to-end tests and manual trials.
//! `ordertray-fake-zzap [--port P] [--login L] [--password PW] [--api-key KEY] [--min-interval-ms MS]
//!  [--seed N] [--generate-every SECS]`
//! The secrets may come from `ORDERTRAY_FAKE_PASSWORD` and `ORDERTRAY_FAKE_API_KEY` instead of flags.

use std::time::Duration;

use ordertray_fakes::zzap::{FakeZzap, FakeZzapConfig};

const USAGE: &str = "usage: ordertray-fake-zzap [--port P] [--login L] [--password PW] [--api-key KEY] \
[--min-interval-ms MS] [--seed N] [--generate-every SECS]";

fn main() {
    let mut config = FakeZzapConfig::new("shop@example.ru", "fake-password", "fake-api-key");
    // Secrets also come from the environment, so that a test need not show them in the process's
    // argument list (which any local user can read); a flag still wins.
    if let Ok(v) = std::env::var("ORDERTRAY_FAKE_PASSWORD") {
        config.password = v;
    }
    if let Ok(v) = std::env::var("ORDERTRAY_FAKE_API_KEY") {
        config.api_key = v;
    }
    // ZZAP's own limit: one call per 3 s.
    config.min_interval = Duration::from_secs(3);
    let (mut seed, mut every) = (0usize, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        let number = |text: String, what: &str| -> u64 { text.parse().unwrap_or_else(|_| usage(what)) };
        match flag.as_str() {
            "--port" => {
                config.port = value()
                    .parse()
                    .unwrap_or_else(|_| usage("--port takes a port number"))
            }
            "--login" => config.login = value(),
            "--password" => config.password = value(),
            "--api-key" => config.api_key = value(),
            "--min-interval-ms" => {
                config.min_interval =
                    Duration::from_millis(number(value(), "--min-interval-ms takes milliseconds"))
            }
            "--seed" => seed = number(value(), "--seed takes a number") as usize,
            "--generate-every" => {
                every = Some(Duration::from_secs(number(
                    value(),
                    "--generate-every takes seconds",
                )))
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeZzap::start(config),
        |fake| {
            fake.generate(seed);
            if let Some(d) = every {
                // Dropping the handle detaches the task: new orders come until the process ends.
                drop(fake.spawn_generator(d));
            }
            println!("listening on {}", fake.base_url());
        },
        drop,
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(USAGE, problem)
}
