//! `ordertray-cli`: the engine without a window. Errors end the process with a non-zero exit and
//! one clear line on stderr.

mod args;
mod catalog;
mod commands;
mod export;
mod popups;
mod pricelist;
mod rules;
mod session_bus;
mod shop_orders;
mod store_platforms;
mod transfers;

use clap::Parser;

fn main() {
    let args = args::Cli::parse();
    session_bus::find_session_bus();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ORDERTRAY_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let done = runtime.block_on(commands::run(args));
    // A keychain call that never answered (see the engine's keychain gate) is left running: it
    // must not keep the process from ending.
    runtime.shutdown_background();
    if let Err(e) = done {
        eprintln!("error: {e}");
        let code = if e.is::<transfers::NotAllTransferred>() {
            3
        } else {
            1
        };
        std::process::exit(code);
    }
}
