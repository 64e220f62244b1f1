//! The page's protections: security headers on every response, CSRF checks, same-origin posts.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use subtle::ConstantTimeEq;

const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    crate::page_policy::protect(headers, CONTENT_SECURITY_POLICY);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// The form's secret against the session's, in constant time.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

/// A post from another site is refused when the browser says so (`Sec-Fetch-Site`, `Origin`);
/// otherwise the CSRF secret decides alone. `Origin: null` is what Chromium sends for our own
/// forms under `Referrer-Policy: no-referrer`, so it proves nothing either way.
pub fn same_origin(headers: &HeaderMap, public_base: &str) -> bool {
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
