//! Where the app may send an account's credentials: over https, or over plain http only to this
//! computer (loopback: the fakes, a local proxy). Used when an account is saved and by the HTTP
//! client's redirect policy, so both judge an address the same way.

use std::net::IpAddr;

/// The host of an `http(s)://` address, without user info, port or brackets; None if there is
/// no host.
pub fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    (!host.is_empty()).then_some(host)
}

/// `localhost`, 127.0.0.0/8 or ::1.
pub fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Why an account's base address cannot be used, if it cannot: https is required except for an
/// address on this computer, since the keys travel with every call.
pub fn base_url_problem(url: &str) -> Option<crate::ErrorWords> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") && url_host(url).is_some() {
        return None;
    }
    if lower.starts_with("http://") && url_host(url).is_some_and(is_loopback_host) {
        return None;
    }
    if lower.starts_with("http://") {
        return Some(crate::ErrorWords::BaseUrlPlainHttp {});
    }
    Some(crate::ErrorWords::BaseUrlNotHttps {})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_this_computer() {
        for ok in [
            "https://api.example.com",
            "https://user@host:8443/path",
            "http://127.0.0.1:9",
            "http://127.5.0.1/x",
            "http://localhost:8080",
            "http://[::1]:80/api",
        ] {
            assert_eq!(base_url_problem(ok), None, "{ok}");
        }
        for bad in [
            "http://api.example.com",
            "http://10.0.0.1",
            "http://127.0.0.1.evil.example",
            "http://localhost@evil.example",
            "ftp://x",
            "https://",
        ] {
            assert!(base_url_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(url_host("https://a:b@[::1]:8/x"), Some("::1"));
    }
}
