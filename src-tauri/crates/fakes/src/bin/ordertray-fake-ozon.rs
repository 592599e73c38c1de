//! A fake Ozon Seller API on loopback, for end-to-end tests and manual trials.
//! `ordertray-fake-ozon [--port P] [--client-id ID] [--api-key KEY] [--seed N] [--generate-every SECS]`
//! The key may come from `ORDERTRAY_FAKE_API_KEY` instead of `--api-key`.

use std::time::Duration;

use ordertray_fakes::ozon::{FakeOzon, FakeOzonConfig};

fn main() {
    let mut config = FakeOzonConfig::new("424242", "fake-api-key");
    // Secrets also come from the environment, so that a test need not show them in the process's
    // argument list (which any local user can read); a flag still wins.
    if let Ok(v) = std::env::var("ORDERTRAY_FAKE_API_KEY") {
        config.api_key = v;
    }
    let (mut seed, mut every) = (0usize, None);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{flag} needs a value")))
        };
        match flag.as_str() {
            "--port" => config.port = value().parse().unwrap_or_else(|_| usage("--port takes a number")),
            "--client-id" => config.client_id = value(),
            "--api-key" => config.api_key = value(),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage("--seed takes a number")),
            "--generate-every" => {
                every = Some(Duration::from_secs(
                    value()
                        .parse()
                        .unwrap_or_else(|_| usage("--generate-every takes seconds")),
                ))
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
    }
    ordertray_fakes::binary::serve_until_interrupted(
        FakeOzon::start(config),
        |fake| {
            fake.generate_postings(seed, 2);
            if let Some(d) = every {
                // Dropping the handle detaches the task: new orders come until the process ends.
                drop(fake.spawn_generator(d, 1..=3));
            }
            println!("listening on {}", fake.base_url());
        },
        drop,
    );
}

fn usage(problem: &str) -> ! {
    ordertray_fakes::binary::usage(
        "usage: ordertray-fake-ozon [--port P] [--client-id ID] [--api-key KEY] [--seed N] [--generate-every SECS]",
        problem,
    )
}
