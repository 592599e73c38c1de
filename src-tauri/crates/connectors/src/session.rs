//! What a client keeps between calls. Integrations that log in (OAuth, Login with Amazon, a
//! session call) hold a [`TokenCache`]: the token is fetched once, reused until shortly before it
//! expires, and fetched again when it expires or the vendor answers 401 (a token revoked early).
//! The engine keeps one client per account (see `ordertray_engine`'s sessions), so the cache
//! lives as long as the account's settings and secrets stay the same.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ordertray_core::Secret;

use crate::ConnectorError;

/// The time a cache compares expiries with; tests move it by hand.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A token as the vendor issued it.
#[derive(Debug, Clone)]
pub struct Token {
    pub value: Secret,
    /// None: valid until the vendor refuses it.
    pub expires_at: Option<DateTime<Utc>>,
}

/// One account's access token. Concurrent callers share one fetch: the lock is held while a token
/// is fetched, so a burst of calls after expiry logs in once.
pub struct TokenCache {
    clock: Arc<dyn Clock>,
    /// A token this close to its expiry is fetched again (a call must not start with a token
    /// that expires in flight).
    margin: Duration,
    slot: tokio::sync::Mutex<Option<Token>>,
}

impl TokenCache {
    pub fn new(clock: Arc<dyn Clock>, margin: Duration) -> Self {
        Self {
            clock,
            margin,
            slot: tokio::sync::Mutex::new(None),
        }
    }

    /// The cached token while it is valid; otherwise `fetch`'s, kept for the next calls.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Secret, ConnectorError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, ConnectorError>>,
    {
        let mut slot = self.slot.lock().await;
        let now = self.clock.now();
        if let Some(token) = slot.as_ref() {
            if token.expires_at.is_none_or(|at| now + self.margin < at) {
                return Ok(token.value.clone());
            }
        }
        let token = fetch().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// Forgets the token (the vendor refused it); the next call fetches a new one.
    pub async fn invalidate(&self) {
        *self.slot.lock().await = None;
    }

    /// Runs `call` with a valid token; when the vendor refuses the token (401, as
    /// [`ConnectorError::Auth`]), fetches a new one and tries once more. A second refusal is a
    /// real credentials problem and is returned.
    pub async fn call<T, F, Fut, C, CFut>(&self, fetch: F, call: C) -> Result<T, ConnectorError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Token, ConnectorError>>,
        C: Fn(Secret) -> CFut,
        CFut: Future<Output = Result<T, ConnectorError>>,
    {
        let token = self.get(&fetch).await?;
        match call(token).await {
            Err(ConnectorError::Auth(_)) => {
                self.invalidate().await;
                let token = self.get(&fetch).await?;
                call(token).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    use super::*;

    struct HandClock(Mutex<DateTime<Utc>>);

    impl Clock for HandClock {
        fn now(&self) -> DateTime<Utc> {
            *self.0.lock().unwrap()
        }
    }

    impl HandClock {
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-10T09:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A vendor that issues numbered tokens valid for an hour and counts logins.
    struct Vendor {
        logins: AtomicU32,
        clock: Arc<HandClock>,
    }

    impl Vendor {
        async fn login(&self) -> Result<Token, ConnectorError> {
            let n = self.logins.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Token {
                value: Secret::new(format!("token-{n}")),
                expires_at: Some(self.clock.now() + Duration::hours(1)),
            })
        }
    }

    fn setup() -> (Arc<HandClock>, Vendor, TokenCache) {
        let clock = Arc::new(HandClock(Mutex::new(start())));
        let vendor = Vendor {
            logins: AtomicU32::new(0),
            clock: clock.clone(),
        };
        let cache = TokenCache::new(clock.clone(), Duration::minutes(1));
        (clock, vendor, cache)
    }

    #[tokio::test]
    async fn a_token_is_fetched_once_and_again_shortly_before_it_expires() {
        let (clock, vendor, cache) = setup();
        for _ in 0..3 {
            let t = cache.get(|| vendor.login()).await.unwrap();
            assert_eq!(t.expose(), "token-1");
        }
        clock.advance(Duration::minutes(58));
        assert_eq!(cache.get(|| vendor.login()).await.unwrap().expose(), "token-1");
        // Within the margin of its expiry: a new one, so no call starts with a dying token.
        clock.advance(Duration::seconds(90));
        assert_eq!(cache.get(|| vendor.login()).await.unwrap().expose(), "token-2");
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_refused_token_is_replaced_once_and_the_call_repeated() {
        let (_clock, vendor, cache) = setup();
        cache.get(|| vendor.login()).await.unwrap();
        // The vendor revoked token-1 early: it answers 401 to it and accepts token-2.
        let seen = Mutex::new(vec![]);
        let answer = cache
            .call(
                || vendor.login(),
                |t: Secret| {
                    seen.lock().unwrap().push(t.expose().to_string());
                    async move {
                        if t.expose() == "token-1" {
                            Err(ConnectorError::Auth("token revoked".into()))
                        } else {
                            Ok(42)
                        }
                    }
                },
            )
            .await
            .unwrap();
        assert_eq!(answer, 42);
        assert_eq!(*seen.lock().unwrap(), ["token-1", "token-2"]);
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn credentials_refused_twice_are_an_error_not_a_loop() {
        let (_clock, vendor, cache) = setup();
        let calls = AtomicU32::new(0);
        let e = cache
            .call(
                || vendor.login(),
                |_t: Secret| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    async { Err::<(), _>(ConnectorError::Auth("wrong key".into())) }
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, ConnectorError::Auth(_)));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_token_without_expiry_is_kept_until_refused() {
        let (clock, vendor, cache) = setup();
        let forever = || async {
            vendor.logins.fetch_add(1, Ordering::SeqCst);
            Ok(Token {
                value: Secret::new("static"),
                expires_at: None,
            })
        };
        cache.get(forever).await.unwrap();
        clock.advance(Duration::days(400));
        cache.get(forever).await.unwrap();
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 1);
        cache.invalidate().await;
        cache.get(forever).await.unwrap();
        assert_eq!(vendor.logins.load(Ordering::SeqCst), 2);
    }
}
