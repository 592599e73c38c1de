//! A target's request rate, kept on our side: each request waits for its slot, so a bulk send
//! runs at the target's limit instead of hitting it and backing off. One pace per account's client
//! (the engine keeps one client per account), shared by every call of that client.
//!
//! The documented limit is not always what the target grants (another program on the same key, a
//! busier plan): a "too many requests" answer slows the pace down, and it comes back to the limit
//! step by step while requests go through.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// How far a refused pace slows: at most this many times the limit's interval.
const SLOWEST: u32 = 16;

#[derive(Debug)]
pub struct RequestPace {
    /// The time between two requests at the limit.
    base: Duration,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// When the next request may go (a slot in the past is free now).
    next: Option<Instant>,
    /// The time between two requests now: the base, or more after a refusal.
    interval: Duration,
}

impl RequestPace {
    /// At most `requests` per `per`, evenly spaced (no burst: the targets count in windows of
    /// their own, which an even pace never overruns).
    pub fn new(requests: u32, per: Duration) -> Self {
        let base = per / requests.max(1);
        Self {
            base,
            state: Mutex::new(State {
                next: None,
                interval: base,
            }),
        }
    }

    /// Waits for this request's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut s = self.state.lock().await;
            let now = Instant::now();
            let slot = s.next.map_or(now, |n| n.max(now));
            s.next = Some(slot + s.interval);
            // Back towards the limit by a sixteenth per request.
            s.interval = (s.interval - s.interval / 16).max(self.base);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// The target refused a request as too many: the pace halves, and the next request waits a
    /// whole new interval.
    pub async fn slow_down(&self) {
        let mut s = self.state.lock().await;
        s.interval = (s.interval * 2).min(self.base * SLOWEST);
        let after = Instant::now() + s.interval;
        s.next = Some(s.next.map_or(after, |n| n.max(after)));
    }

    /// The time between two requests now.
    pub async fn interval(&self) -> Duration {
        self.state.lock().await.interval
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_at_the_limit_and_a_pause_is_not_saved_up() {
        let pace = RequestPace::new(10, Duration::from_secs(1));
        let start = Instant::now();
        for _ in 0..5 {
            pace.wait().await;
        }
        // The first at once, then one every 100 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(400));
        tokio::time::sleep(Duration::from_secs(5)).await;
        let later = Instant::now();
        pace.wait().await;
        pace.wait().await;
        assert_eq!(
            later.elapsed(),
            Duration::from_millis(100),
            "no burst after a pause"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refusal_slows_the_pace_which_comes_back_to_the_limit_as_requests_go_through() {
        let pace = RequestPace::new(10, Duration::from_secs(1));
        pace.wait().await;
        pace.slow_down().await;
        pace.slow_down().await;
        assert_eq!(pace.interval().await, Duration::from_millis(400));
        for _ in 0..10 {
            pace.slow_down().await;
        }
        assert_eq!(
            pace.interval().await,
            Duration::from_millis(1600),
            "never slower than 16×"
        );
        for _ in 0..60 {
            pace.wait().await;
        }
        assert_eq!(pace.interval().await, Duration::from_millis(100));
    }
}
