//! The headers every page cvgate renders carries: its Content-Security-Policy, no MIME sniffing,
//! and no caching unless the handler chose otherwise.

use axum::http::{HeaderMap, HeaderValue, header};

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
