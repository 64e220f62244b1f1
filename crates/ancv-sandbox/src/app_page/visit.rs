//! What every app page needs to know about the request before doing anything: where the app is
//! mounted (for links, redirects and the cookies' `Path`), the language, and the session.

use crate::app_page::cookies;
use crate::app_page::i18n::Lang;
use crate::app_page::session::Session;
use crate::sandbox::Sandbox;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::header::{ACCEPT_LANGUAGE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;

pub(crate) struct Visit {
    /// The app's path as the browser sees it, without a trailing slash: `/sandbox/ancv/app` when
    /// cvgate nests the sandbox under `/sandbox/ancv`, `/app` when it runs alone.
    pub base: String,
    pub lang: Lang,
    /// The language came from `?lang=`: the answer remembers it in a cookie.
    remember_lang: bool,
    /// A valid session cookie (signed by this sandbox, not ended), signed in or not.
    pub session: Option<Session>,
}

/// A signed-in session and its beneficiary's ANCV id.
#[derive(Clone, Copy)]
pub(crate) struct SignedIn<'a> {
    pub session: &'a Session,
    pub beneficiary: &'a str,
}

impl FromRequestParts<Sandbox> for Visit {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, sandbox: &Sandbox) -> Result<Visit, Infallible> {
        let headers = &parts.headers;
        let choice = Lang::negotiate(
            parts.uri.query(),
            cookies::read(headers, cookies::LANG),
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|value| value.to_str().ok()),
        );
        let session = cookies::read(headers, cookies::SESSION)
            .and_then(|value| Session::decode(value, sandbox.app_key(), sandbox.now()));
        Ok(Visit {
            base: format!("{}/app", mount_prefix(parts)),
            lang: choice.lang,
            remember_lang: choice.from_query,
            session,
        })
    }
}

impl Visit {
    /// Who is signed in, when someone is.
    pub(crate) fn signed_in(&self) -> Option<SignedIn<'_>> {
        let session = self.session.as_ref()?;
        Some(SignedIn {
            session,
            beneficiary: session.beneficiary()?,
        })
    }

    /// `path` (starting with `/`) under the app.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// 303 See Other to `path` under the app: after a POST, the browser GETs the next page.
    pub(crate) fn redirect(&self, path: &str) -> Response {
        let mut response = StatusCode::SEE_OTHER.into_response();
        if let Ok(location) = HeaderValue::from_str(&self.url(path)) {
            response.headers_mut().insert(LOCATION, location);
        }
        self.finish(response)
    }

    /// Adds what the visit must leave behind: the language chosen with `?lang=`.
    pub(crate) fn finish(&self, mut response: Response) -> Response {
        if self.remember_lang {
            cookies::set_lang(&mut response, &self.base, self.lang.code());
        }
        response
    }
}

/// Where the sandbox router is nested: the original path minus the path the router sees. Only
/// plain path characters are kept, since it ends up in a `Set-Cookie` attribute.
fn mount_prefix(parts: &Parts) -> String {
    let Some(OriginalUri(original)) = parts.extensions.get::<OriginalUri>() else {
        return String::new();
    };
    original
        .path()
        .strip_suffix(parts.uri.path())
        .filter(|prefix| {
            prefix
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b))
        })
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_owned()
}
