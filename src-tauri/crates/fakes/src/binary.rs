//! What every fake's binary does alike: say how it is used, and serve until interrupted.

use std::fmt::Display;
use std::future::Future;

/// Prints `problem` (when there is one) and the usage line, then exits: 0 for `--help`, 2 for a
/// wrong argument.
pub fn usage(usage: &str, problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("error: {problem}");
    }
    eprintln!("{usage}");
    std::process::exit(if problem.is_empty() { 0 } else { 2 })
}

/// Starts the fake on its own runtime, lets `ready` fill it and announce it ("listening on …", the
/// line the tests wait for), and serves until Ctrl-C, then hands it to `stop`. A port that cannot be
/// listened on ends the process with exit code 1.
pub fn serve_until_interrupted<F, E: Display>(
    start: impl Future<Output = Result<F, E>>,
    ready: impl FnOnce(&F),
    stop: impl FnOnce(F),
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async move {
        let fake = start.await.unwrap_or_else(|e| {
            eprintln!("error: cannot listen: {e}");
            std::process::exit(1)
        });
        ready(&fake);
        let _ = tokio::signal::ctrl_c().await;
        stop(fake);
    });
}
