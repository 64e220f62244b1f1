//! The payment widget's files (widget.md §1): `widget-min.js` and `widget-min.css` at the paths
//! Payline serves them from, compiled into the binary, cacheable with an ETag, readable from any
//! origin. They are served as written (readable, commented): the budget is on their gzipped
//! size, checked by a test.

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

/// The widget script, as merchants' pages load it.
pub const WIDGET_SCRIPT: &str = include_str!("../assets/widget/widget.js");
/// The widget stylesheet.
pub const WIDGET_STYLESHEET: &str = include_str!("../assets/widget/widget.css");
/// Where the 3-D Secure iframe's end page loads its one script from.
pub(crate) const THREE_DS_DONE_SCRIPT: &str = "/widget-assets/three-ds-done.js";

/// Every path a Payline integration loads the widget from.
pub const SCRIPT_PATHS: [&str; 3] = [
    "/scripts/widget-min.js",
    "/cdn/scripts/widget-min.js",
    "/payline-widget/scripts/widget-min.js",
];
/// Every path a Payline integration loads the widget's stylesheet from.
pub const STYLESHEET_PATHS: [&str; 3] = [
    "/styles/widget-min.css",
    "/cdn/styles/widget-min.css",
    "/payline-widget/styles/widget-min.css",
];

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The widget's files under each of their paths.
pub(crate) fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    let mut router = Router::new().route(
        THREE_DS_DONE_SCRIPT,
        get(|headers: HeaderMap| async move {
            serve(&headers, JAVASCRIPT, THREE_DS_DONE, three_ds_done_tag())
        }),
    );
    for path in SCRIPT_PATHS {
        router = router.route(
            path,
            get(|headers: HeaderMap| async move {
                serve(&headers, JAVASCRIPT, WIDGET_SCRIPT, script_tag())
            }),
        );
    }
    for path in STYLESHEET_PATHS {
        router = router.route(
            path,
            get(|headers: HeaderMap| async move {
                serve(&headers, CSS, WIDGET_STYLESHEET, stylesheet_tag())
            }),
        );
    }
    router
}

const THREE_DS_DONE: &str = include_str!("../assets/three-ds-done.js");

fn script_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| entity_tag(WIDGET_SCRIPT))
}

fn stylesheet_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| entity_tag(WIDGET_STYLESHEET))
}

fn three_ds_done_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| entity_tag(THREE_DS_DONE))
}

/// A strong ETag of a file's content (the same in every build of the same file).
fn entity_tag(content: &str) -> String {
    let mut hasher = DefaultHasher::new();
    content.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

/// The file, or 304 when the browser's copy is current. Short max-age: the URL is not
/// versioned, so a new release must reach buyers within minutes.
fn serve(
    headers: &HeaderMap,
    content_type: &'static str,
    body: &'static str,
    tag: &str,
) -> Response {
    let tag_value = HeaderValue::from_str(tag).unwrap_or(HeaderValue::from_static("\"0\""));
    let common = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300"),
        ),
        (header::ETAG, tag_value),
        (
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if current {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (common, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// `gzip -9` size of `content` (Debian always has gzip).
    fn gzipped_size(content: &str) -> usize {
        let mut gzip = Command::new("gzip")
            .arg("-9")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("gzip runs");
        gzip.stdin
            .take()
            .unwrap()
            .write_all(content.as_bytes())
            .unwrap();
        gzip.wait_with_output().unwrap().stdout.len()
    }

    /// The budget stated in the README: what a buyer's phone downloads for the widget.
    #[test]
    fn the_widget_stays_within_its_size_budget() {
        let script = gzipped_size(WIDGET_SCRIPT);
        let stylesheet = gzipped_size(WIDGET_STYLESHEET);
        assert!(
            script <= 30 * 1024,
            "widget-min.js is {script} bytes gzipped"
        );
        assert!(
            stylesheet <= 8 * 1024,
            "widget-min.css is {stylesheet} bytes gzipped"
        );
    }

    #[test]
    fn entity_tags_follow_the_content() {
        assert_eq!(entity_tag("a"), entity_tag("a"));
        assert_ne!(entity_tag("a"), entity_tag("b"));
    }
}
