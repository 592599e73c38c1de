//! Retry timing shared by the poll scheduler and the outbox worker.

use std::time::Duration;

use chrono::{DateTime, Utc};
pub use ordertray_connectors::error::MAX_SERVER_DELAY;

/// Exponential backoff with ±20 % jitter: `base · 2^attempt`, capped at `max`. A server's
/// Retry-After wins when it asks for longer, up to [`MAX_SERVER_DELAY`].
pub fn backoff(attempt: u32, base: Duration, max: Duration, retry_after: Option<Duration>) -> Duration {
    let exp = base.saturating_mul(2u32.saturating_pow(attempt.min(20))).min(max);
    let jittered = jitter(exp, 0.2).min(max);
    match retry_after.map(|ra| ra.min(MAX_SERVER_DELAY)) {
        Some(ra) if ra > jittered => ra,
        _ => jittered,
    }
}

/// `now + d`, saturating at the end of representable time instead of panicking (a server may ask
/// for any delay).
pub fn after(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Spreads `d` by ±`fraction`, so many accounts do not poll in lockstep.
pub fn jitter(d: Duration, fraction: f64) -> Duration {
    let factor = 1.0 + fraction * (fastrand::f64() * 2.0 - 1.0);
    d.mul_f64(factor.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_jitter_and_cap() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        for attempt in 0..10 {
            let d = backoff(attempt, base, max, None);
            let nominal = (1u64 << attempt).min(60) as f64;
            assert!(d.as_secs_f64() >= nominal * 0.8 - 1e-9, "{attempt}: {d:?}");
            assert!(d <= max, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn retry_after_wins_when_longer() {
        let d = backoff(
            0,
            Duration::from_secs(1),
            Duration::from_secs(60),
            Some(Duration::from_secs(30)),
        );
        assert_eq!(d, Duration::from_secs(30));
        let d = backoff(
            5,
            Duration::from_secs(1),
            Duration::from_secs(60),
            Some(Duration::from_millis(1)),
        );
        assert!(d >= Duration::from_secs(25));
    }

    #[test]
    fn a_server_cannot_ask_for_more_than_the_cap() {
        let absurd = Duration::from_secs(9_000_000_000_000);
        let d = backoff(0, Duration::from_secs(1), Duration::from_secs(60), Some(absurd));
        assert_eq!(d, MAX_SERVER_DELAY);
    }

    #[test]
    fn time_arithmetic_saturates_instead_of_panicking() {
        let now = Utc::now();
        assert_eq!(
            after(now, Duration::from_secs(9_000_000_000_000)),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(after(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            after(now, Duration::from_secs(60)),
            now + chrono::Duration::seconds(60)
        );
    }
}
