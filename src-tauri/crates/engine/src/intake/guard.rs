//! What keeps refused requests cheap: counters instead of rows, a token bucket per sending
//! address for requests without a valid token, and at most one log line a period about them.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Refusals since the engine started (shown in Settings with the intake's state).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    refused: AtomicU64,
    rate_limited: AtomicU64,
    turned_away: AtomicU64,
}

impl Counters {
    pub fn count(&self, what: Refusal) {
        let counter = match what {
            Refusal::Unauthorised => &self.refused,
            Refusal::RateLimited => &self.rate_limited,
            Refusal::TurnedAway => &self.turned_away,
            Refusal::Unavailable => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// (refused, rate limited, turned away)
    pub fn read(&self) -> (u64, u64, u64) {
        (
            self.refused.load(Ordering::Relaxed),
            self.rate_limited.load(Ordering::Relaxed),
            self.turned_away.load(Ordering::Relaxed),
        )
    }
}

/// Why a request was not taken before anything of it was read or kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// No account's token: unknown address, missing or wrong token (401).
    Unauthorised,
    /// Too many of those from one address (429).
    RateLimited,
    /// The intake already serves as many connections as it may (503).
    TurnedAway,
    /// The account's token could not be read from the keychain (503).
    Unavailable,
}

/// Where a sender is counted: an IPv4 address, or the /64 network of an IPv6 one (one host
/// usually has a whole /64 to pick addresses from).
fn sender(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6((v6.to_bits() & !0u128 << 64).into()),
        v4 => v4,
    }
}

/// Token buckets per sender (the generic cell rate algorithm: each sender's "theoretical arrival
/// time" moves one refill period per request; more than `burst - 1` periods ahead is too many).
pub(crate) struct RateLimiter {
    burst: u32,
    refill: Duration,
    senders: HashMap<IpAddr, Instant>,
    /// Where senders go once `senders` is full of active ones: they share one bucket.
    overflow: Option<Instant>,
}

/// Senders remembered at most; an idle one (its bucket full again) is forgotten first.
const MAX_SENDERS: usize = 4096;

impl RateLimiter {
    pub fn new(burst: u32, refill: Duration) -> Self {
        Self {
            burst: burst.max(1),
            refill,
            senders: HashMap::new(),
            overflow: None,
        }
    }

    /// Takes one request from `ip`'s allowance: Ok, or Err(how long until it has one again).
    pub fn take(&mut self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let key = sender(ip);
        if !self.senders.contains_key(&key) && self.senders.len() >= MAX_SENDERS {
            self.senders.retain(|_, tat| *tat > now);
        }
        let (refill, tolerance) = (self.refill, self.refill * (self.burst - 1));
        let tat = if self.senders.len() < MAX_SENDERS || self.senders.contains_key(&key) {
            self.senders.entry(key).or_insert(now)
        } else {
            self.overflow.get_or_insert(now)
        };
        let start = (*tat).max(now);
        let ahead = start - now;
        if ahead > tolerance {
            return Err(ahead - tolerance);
        }
        *tat = start + refill;
        Ok(())
    }
}

/// At most one warning a period about refused requests, counting those since the last one.
#[derive(Debug, Default)]
pub(crate) struct RefusalLog {
    next_at: Option<Instant>,
    refused: u64,
    rate_limited: u64,
    turned_away: u64,
    unavailable: u64,
}

impl RefusalLog {
    pub fn note(&mut self, what: Refusal, from: IpAddr, now: Instant, every: Duration) {
        match what {
            Refusal::Unauthorised => self.refused += 1,
            Refusal::RateLimited => self.rate_limited += 1,
            Refusal::TurnedAway => self.turned_away += 1,
            Refusal::Unavailable => self.unavailable += 1,
        }
        if self.next_at.is_some_and(|at| now < at) {
            return;
        }
        self.next_at = Some(now + every);
        let every_secs = every.as_secs();
        if self.unavailable > 0 {
            tracing::error!(
                unavailable = self.unavailable,
                refused = self.refused,
                rate_limited = self.rate_limited,
                turned_away = self.turned_away,
                last_from = %from,
                every_secs,
                "the order intake could not check pushes: an account's intake token cannot be read \
                 (counts since the last such line; one line per period at most)"
            );
        } else {
            tracing::warn!(
                refused = self.refused,
                rate_limited = self.rate_limited,
                turned_away = self.turned_away,
                last_from = %from,
                every_secs,
                "the order intake refused requests without a valid token or over its limits \
                 (counts since the last such line; one line per period at most)"
            );
        }
        *self = Self {
            next_at: self.next_at,
            ..Self::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sender_gets_a_burst_then_one_request_per_refill_period() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut limiter = RateLimiter::new(3, s(10));
        let a: IpAddr = [10, 0, 0, 1].into();
        assert_eq!(limiter.take(a, t0), Ok(()));
        assert_eq!(limiter.take(a, t0), Ok(()));
        assert_eq!(limiter.take(a, t0), Ok(()));
        assert_eq!(limiter.take(a, t0), Err(s(10)));
        assert_eq!(limiter.take(a, t0 + s(4)), Err(s(6)));
        assert_eq!(limiter.take([10, 0, 0, 2].into(), t0), Ok(()));
        assert_eq!(limiter.take(a, t0 + s(10)), Ok(()));
        assert_eq!(limiter.take(a, t0 + s(10)), Err(s(10)));
        // Idle long enough, the whole burst is back (and never more).
        for _ in 0..3 {
            assert_eq!(limiter.take(a, t0 + s(1000)), Ok(()));
        }
        assert!(limiter.take(a, t0 + s(1000)).is_err());
    }

    #[test]
    fn an_ipv6_host_is_one_sender_across_its_network() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(1, Duration::from_secs(60));
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other_in_same_64: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let next_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.take(one, t0).is_ok());
        assert!(limiter.take(other_in_same_64, t0).is_err());
        assert!(limiter.take(next_64, t0).is_ok());
        // An IPv4 sender seen through an IPv6 socket is the same IPv4 sender.
        let v4: IpAddr = [192, 0, 2, 7].into();
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert!(limiter.take(v4, t0).is_ok());
        assert!(limiter.take(mapped, t0).is_err());
    }

    #[test]
    fn many_senders_stay_bounded() {
        let t0 = Instant::now();
        let mut limiter = RateLimiter::new(1, Duration::from_secs(60));
        for n in 0..(MAX_SENDERS as u32 + 100) {
            let ip: IpAddr = std::net::Ipv4Addr::from(0x0a00_0000 + n).into();
            let _ = limiter.take(ip, t0);
        }
        assert!(limiter.senders.len() <= MAX_SENDERS);
        // Once their buckets are full again, the old senders make room for new ones.
        let later = t0 + Duration::from_secs(61);
        assert!(limiter.take([172, 16, 0, 1].into(), later).is_ok());
        assert!(limiter.senders.len() <= MAX_SENDERS);
    }
}
