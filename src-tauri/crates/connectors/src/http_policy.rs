//! Which redirects the HTTP client follows. Every marketplace call carries credentials in headers
//! reqwest does not know are secret (`Api-Key`, `Client-Id`, `X-Api-Key`) or in a body a 307/308
//! sends again (ZZAP's password), so a redirect is followed only within the same origin (scheme,
//! host and port) and never from https to http. Anything else stops the call with a clear error
//! (see [`refusal`]) instead of handing the keys to another host.

use std::fmt;

use reqwest::redirect::{Attempt, Policy};
use reqwest::Url;

use crate::ConnectorError;

/// Redirects one call may follow (all within its origin).
const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed; the error reqwest hands back carries it as its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectRefused {
    OtherOrigin { to: String },
    Downgrade,
    TooMany,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectRefused::OtherOrigin { to } => write!(
                f,
                "the server redirected the call to another address ({to}); not followed, so the \
                 account's keys were not sent there: check the account's address"
            ),
            RedirectRefused::Downgrade => write!(
                f,
                "the server redirected the call from https to plain http; not followed, so the \
                 account's keys were not sent unencrypted"
            ),
            RedirectRefused::TooMany => write!(f, "the server redirected the call too many times"),
        }
    }
}

impl std::error::Error for RedirectRefused {}

/// The policy [`crate::http_client`] builds every client with.
pub(crate) fn redirect_policy() -> Policy {
    Policy::custom(|attempt: Attempt| {
        let Some(from) = attempt.previous().last().cloned() else {
            return attempt.follow();
        };
        match judge(&from, attempt.url(), attempt.previous().len()) {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    })
}

/// Whether a redirect from `from` to `to`, after `followed` redirects, may be followed.
pub fn judge(from: &Url, to: &Url, followed: usize) -> Result<(), RedirectRefused> {
    if from.scheme() == "https" && to.scheme() != "https" {
        return Err(RedirectRefused::Downgrade);
    }
    if from.origin() != to.origin() {
        return Err(RedirectRefused::OtherOrigin {
            to: to.origin().ascii_serialization(),
        });
    }
    if followed >= MAX_REDIRECTS {
        return Err(RedirectRefused::TooMany);
    }
    Ok(())
}

/// The connector error for a call the redirect policy stopped: refused by us, not worth retrying
/// until the address is fixed.
pub(crate) fn refusal(path: &str, e: &reqwest::Error) -> Option<ConnectorError> {
    if !e.is_redirect() {
        return None;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<RedirectRefused>() {
            return Some(ConnectorError::Rejected {
                status: 0,
                message: format!("{path}: {refused}"),
            });
        }
        source = s.source();
    }
    Some(ConnectorError::Rejected {
        status: 0,
        message: format!("{path}: {}", RedirectRefused::TooMany),
    })
}

/// Whether a shop's address may carry its key or password: https, or http to this computer (a
/// local test shop or a fake).
pub(crate) fn secure_enough(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    match parsed.scheme() {
        "https" => parsed.host_str().is_some(),
        "http" => parsed.host_str().is_some_and(|host| {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        s.parse().unwrap()
    }

    #[test]
    fn only_same_origin_redirects_without_downgrade_are_followed() {
        let from = url("https://api.zzap.pro/webservice/x");
        assert_eq!(judge(&from, &url("https://api.zzap.pro/other"), 0), Ok(()));
        assert_eq!(
            judge(&from, &url("http://api.zzap.pro/other"), 0),
            Err(RedirectRefused::Downgrade)
        );
        for other in ["https://evil.example/x", "https://api.zzap.pro:8443/x"] {
            assert!(
                matches!(
                    judge(&from, &url(other), 0),
                    Err(RedirectRefused::OtherOrigin { .. })
                ),
                "{other}"
            );
        }
        assert_eq!(
            judge(&from, &url("https://api.zzap.pro/again"), MAX_REDIRECTS),
            Err(RedirectRefused::TooMany)
        );
    }

    #[test]
    fn the_key_travels_only_over_https_or_to_this_computer() {
        for ok in [
            "https://shop.example",
            "https://shop.example/wp",
            "http://127.0.0.1:8080",
            "http://localhost:81",
            "http://[::1]:9",
        ] {
            assert!(secure_enough(ok), "{ok}");
        }
        for bad in [
            "http://shop.example",
            "ftp://shop.example",
            "shop.example",
            "https://",
            "http://10.0.0.1",
        ] {
            assert!(!secure_enough(bad), "{bad}");
        }
    }
}
