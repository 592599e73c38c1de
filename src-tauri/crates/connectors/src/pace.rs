//! A target's request rate, kept on our side: each request waits for its slot, so a bulk send
//! runs at the target's limit instead of hitting it and backing off. One pace per account's client
//! (the engine keeps one client per account), shared by every call of that client.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug)]
pub struct RequestPace {
    /// The time between two requests at the limit.
    interval: Duration,
    /// When the next request may go (a slot in the past is free now).
    next: Mutex<Option<Instant>>,
}

impl RequestPace {
    /// At most `requests` per `per`, evenly spaced (no burst: the targets count in windows of
    /// their own, which an even pace never overruns).
    pub fn new(requests: u32, per: Duration) -> Self {
        Self {
            interval: per / requests.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    pub fn interval(&self) -> Duration {
        self.interval
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
}
