//! The stylesheet and the optional script, compiled into the binary: served from the app's own
//! path so that the Content-Security-Policy can stay at `'self'` with nothing inline.

use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/countdown.js");

pub(crate) async fn stylesheet() -> Response {
    asset(CSS, "text/css; charset=utf-8")
}

pub(crate) async fn countdown_script() -> Response {
    asset(JS, "text/javascript; charset=utf-8")
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Unversioned names: a short cache, so an upgraded sandbox is seen within minutes.
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}
