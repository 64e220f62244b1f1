//! What every page cvgate renders needs: its headers (Content-Security-Policy, no MIME sniffing,
//! no caching unless the handler chose otherwise), and for its forms the same-origin and CSRF
//! checks.

use axum::http::{HeaderMap, HeaderValue, header};
use subtle::ConstantTimeEq;

/// Sets `policy` as the response's CSP, `nosniff`, and `Cache-Control: no-store` when the
/// handler set no Cache-Control.
pub(crate) fn protect(headers: &mut HeaderMap, policy: &'static str) {
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
}

/// The form's secret against the session's, in constant time.
pub(crate) fn csrf_matches(expected: &str, presented: &str) -> bool {
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// A post from another site is refused when the browser says so (`Sec-Fetch-Site`, `Origin`);
/// otherwise the CSRF secret decides alone. `Origin: null` is what Chromium sends for our own
/// forms under `Referrer-Policy: no-referrer`, so it proves nothing either way.
pub(crate) fn same_origin(headers: &HeaderMap, public_base: &str) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    if header("sec-fetch-site") == Some("cross-site") {
        return false;
    }
    match header(header::ORIGIN.as_str()) {
        None | Some("null") => true,
        Some(origin) => origin == origin_of(public_base),
    }
}

fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => &url[..after_scheme + slash],
        None => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin_of("https://pay.example/cvgate"),
            "https://pay.example"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        let mut headers = HeaderMap::new();
        assert!(same_origin(&headers, "http://127.0.0.1:8080"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&headers, "http://127.0.0.1:8080/"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers, "http://127.0.0.1:8080"));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&headers, "http://127.0.0.1:8080"));
        headers.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&headers, "http://127.0.0.1:8080"));
    }

    #[test]
    fn csrf_compares_whole_values() {
        assert!(csrf_matches("abcd", "abcd"));
        assert!(!csrf_matches("abcd", "abc"));
        assert!(!csrf_matches("abcd", "abce"));
    }
}
