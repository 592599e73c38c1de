//! What every connector's HTTP needs alike: error texts without URLs or secrets, and `Retry-After`.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::MAX_SERVER_DELAY;
use crate::ConnectorError;

/// A transport failure, named by the method only: reqwest's own text can carry the full URL, and
/// some marketplaces (ZZAP) put credentials in it.
pub(crate) fn network(path: &str, e: reqwest::Error) -> ConnectorError {
    if let Some(refused) = crate::http_policy::refusal(path, &e) {
        return refused;
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    ConnectorError::Network(format!("{path}: {what}"))
}

/// The start of an answer we cannot read otherwise, without control characters.
pub(crate) fn body_excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text: String = text.chars().filter(|c| !c.is_control()).take(200).collect();
    if text.trim().is_empty() {
        "no details".to_string()
    } else {
        text
    }
}

/// The response's `Retry-After`, when it has a readable one.
pub(crate) fn retry_after_of(response: &reqwest::Response) -> Option<Duration> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

/// `Retry-After` is seconds or an HTTP date; either is capped at [`MAX_SERVER_DELAY`].
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    let asked = match v.trim().parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = DateTime::parse_from_rfc2822(v.trim()).ok()?.with_timezone(&Utc);
            (at - Utc::now()).to_std().ok()?
        }
    };
    Some(asked.min(MAX_SERVER_DELAY))
}

/// An answer's HTTP status as the error it stands for: keys refused, a rate limit (waiting what the
/// server said, else `unsaid_wait`), the server's trouble, or the request itself refused.
pub(crate) fn status_error(
    status: u16,
    retry_after: Option<Duration>,
    unsaid_wait: Duration,
    message: String,
) -> ConnectorError {
    match status {
        401 | 403 => ConnectorError::Auth(message),
        429 => ConnectorError::RateLimited {
            retry_after: Some(retry_after.unwrap_or(unsaid_wait)),
            message,
        },
        500..=599 => ConnectorError::Server { status, message },
        _ => ConnectorError::Rejected { status, message },
    }
}

/// Our ids go into paths (`…/orders/{externalId}`): anything but letters, digits, `-`, `_` and
/// `.` is escaped, so an id can never step into another path or add a query.
pub(crate) fn path_part(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An OAuth token endpoint's refusal in its words: `{"error", "error_description"}`.
pub(crate) fn oauth_error_words(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let error = v.get("error")?.as_str()?;
    let description = v
        .get("error_description")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    Some(format!("{error}: {description}"))
}

/// A shop may echo a request back in an error page: never let its key or password through.
pub(crate) fn redact(text: String, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text, |t, s| t.replace(s, "***"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        let later = (Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let d = parse_retry_after(&later).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn an_absurd_or_year_long_retry_after_is_capped() {
        for asked in ["9000000000000", "31536000", "18446744073709551615"] {
            assert_eq!(parse_retry_after(asked), Some(MAX_SERVER_DELAY), "{asked}");
        }
        assert_eq!(
            parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(MAX_SERVER_DELAY)
        );
        assert_eq!(parse_retry_after("900"), Some(Duration::from_secs(900)));
    }
    #[test]
    fn http_errors_are_told_apart() {
        let wait = Duration::from_secs(30);
        let limited = status_error(429, None, wait, String::new());
        assert_eq!(limited.retry_after(), Some(wait));
        assert!(status_error(502, None, wait, "<html>".into()).is_retryable());
        assert!(matches!(
            status_error(403, None, wait, String::new()),
            ConnectorError::Auth(_)
        ));
        assert!(matches!(
            status_error(404, None, wait, String::new()),
            ConnectorError::Rejected { status: 404, .. }
        ));
        assert_eq!(
            oauth_error_words(br#"{"error":"invalid_grant","error_description":"bad refresh_token"}"#)
                .as_deref(),
            Some("invalid_grant: bad refresh_token")
        );
        assert!(oauth_error_words(b"<html>").is_none());
    }
}
