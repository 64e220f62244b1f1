//! The app's two cookies, read from `Cookie` and written as `Set-Cookie`: always HttpOnly,
//! SameSite=Strict and scoped to the app's path, so no other page of the host sees them.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

/// The signed session (see `session.rs`).
pub(crate) const SESSION: &str = "cvgate_ancv_app_session";
/// The language chosen with `?lang=`.
pub(crate) const LANG: &str = "cvgate_ancv_app_lang";

/// How long the language choice is remembered.
const LANG_MAX_AGE_S: u32 = 365 * 24 * 3600;

/// The value of cookie `name` in the request (the first one when repeated).
pub(crate) fn read<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

/// Lasts as long as the browser session; the signed value carries its own end.
pub(crate) fn set_session(response: &mut Response, path: &str, value: &str) {
    append(
        response,
        &format!("{SESSION}={value}; {}", attributes(path)),
    );
}

pub(crate) fn clear_session(response: &mut Response, path: &str) {
    append(
        response,
        &format!("{SESSION}=; Max-Age=0; {}", attributes(path)),
    );
}

pub(crate) fn set_lang(response: &mut Response, path: &str, code: &str) {
    append(
        response,
        &format!(
            "{LANG}={code}; Max-Age={LANG_MAX_AGE_S}; {}",
            attributes(path)
        ),
    );
}

fn attributes(path: &str) -> String {
    format!("Path={path}; HttpOnly; SameSite=Strict")
}

fn append(response: &mut Response, cookie: &str) {
    // Values are hex, digits, `.` and `-`; the path is checked by `Visit`: always a valid header.
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn reads_one_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; cvgate_ancv_app_lang=en"),
        );
        headers.append(
            COOKIE,
            HeaderValue::from_static("cvgate_ancv_app_session=x.y"),
        );
        assert_eq!(read(&headers, LANG), Some("en"));
        assert_eq!(read(&headers, SESSION), Some("x.y"));
        assert_eq!(read(&headers, "b"), None);
    }

    #[test]
    fn every_cookie_is_http_only_strict_and_scoped() {
        let mut response = ().into_response();
        set_session(&mut response, "/sandbox/ancv/app", "v");
        set_lang(&mut response, "/sandbox/ancv/app", "en");
        clear_session(&mut response, "/app");
        let cookies: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
        assert_eq!(
            cookies,
            [
                "cvgate_ancv_app_session=v; Path=/sandbox/ancv/app; HttpOnly; SameSite=Strict",
                "cvgate_ancv_app_lang=en; Max-Age=31536000; Path=/sandbox/ancv/app; HttpOnly; SameSite=Strict",
                "cvgate_ancv_app_session=; Max-Age=0; Path=/app; HttpOnly; SameSite=Strict",
            ]
        );
    }
}
