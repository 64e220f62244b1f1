//! What the back office reads from every request: the language, its cookies and the peer's
//! address; and the cookies it sets.

use super::texts::Lang;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use std::convert::Infallible;

/// The session cookie: HttpOnly, SameSite=Lax, only under `/backoffice`.
pub(super) const SESSION_COOKIE: &str = "cvgate_bo";
/// The sign-in form's secret before there is a session (double submit: cookie and field).
pub(super) const FORM_COOKIE: &str = "cvgate_bo_form";
/// The language chosen with the switch.
pub(super) const LANG_COOKIE: &str = "cvgate_bo_lang";
/// Where the cookies apply.
pub(super) const PATH: &str = "/backoffice";

#[derive(Deserialize, Default)]
#[serde(default)]
struct LangQuery {
    lang: Option<String>,
}

/// A request as the back office sees it.
pub(super) struct Visit {
    /// The page's language.
    pub lang: Lang,
    /// Whether the `lang` switch was used (the choice is then kept in a cookie).
    pub lang_switched: bool,
    /// The session cookie's value, if any.
    pub session: Option<String>,
    /// The sign-in form's cookie value, if any.
    pub form_secret: Option<String>,
    /// The peer's address (`unknown` when the server does not tell it).
    pub address: String,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let Query(query) = Query::<LangQuery>::from_request_parts(parts, state)
            .await
            .unwrap_or_default();
        let switched = query.lang.as_deref().and_then(Lang::parse);
        let lang = switched
            .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(|v| Lang::parse(&v)))
            .or_else(|| {
                let accepted = parts.headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
                Lang::parse(accepted.trim())
            })
            .unwrap_or(Lang::Fr);
        let address = state
            .trusted_proxies
            .client_address(&parts.extensions, &parts.headers);
        Ok(Visit {
            lang,
            lang_switched: switched.is_some(),
            session: cookie(&parts.headers, SESSION_COOKIE),
            form_secret: cookie(&parts.headers, FORM_COOKIE),
            address,
        })
    }
}

/// The value of cookie `name` (the first one, when a browser sends several).
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// A `Set-Cookie` value under [`PATH`]: HttpOnly always, `Secure` when cvgate is served over
/// https; `max_age` 0 deletes it.
pub(super) fn set_cookie(
    name: &str,
    value: &str,
    same_site: &str,
    secure: bool,
    max_age: Option<u32>,
) -> String {
    let mut cookie = format!("{name}={value}; Path={PATH}; HttpOnly; SameSite={same_site}");
    if secure {
        cookie.push_str("; Secure");
    }
    if let Some(seconds) = max_age {
        cookie.push_str(&format!("; Max-Age={seconds}"));
    }
    cookie
}

/// The `Set-Cookie` keeping the language chosen with the switch (a year).
pub(super) fn lang_cookie(visit: &Visit, secure: bool) -> String {
    set_cookie(
        LANG_COOKIE,
        visit.lang.code(),
        "Lax",
        secure,
        Some(31_536_000),
    )
}

/// Whether cookies must be `Secure` (cvgate is served over https).
pub(super) fn secure(state: &crate::state::AppState) -> bool {
    state.public_base.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; cvgate_bo=abc; cvgate_bo_form="),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, FORM_COOKIE), None, "empty is none");
        assert_eq!(cookie(&headers, "b"), None);
    }

    #[test]
    fn cookies_are_http_only_and_secure_over_https() {
        let set = set_cookie(SESSION_COOKIE, "v", "Lax", true, None);
        assert_eq!(
            set,
            "cvgate_bo=v; Path=/backoffice; HttpOnly; SameSite=Lax; Secure"
        );
        let gone = set_cookie(SESSION_COOKIE, "", "Lax", false, Some(0));
        assert!(gone.ends_with("Max-Age=0") && !gone.contains("Secure"));
    }
}
