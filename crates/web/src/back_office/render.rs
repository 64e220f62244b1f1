//! The back office's templates and stylesheet, its security headers, and its error page.

use super::texts::{Lang, Texts};
use crate::html_templates::escaping_environment;
use axum::extract::{Path, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use minijinja::{Environment, Value, context};
use std::sync::OnceLock;

const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
    form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Every back-office answer: the CSP, nosniff, no-store, no referrer, never in a frame.
pub(super) async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    crate::page_policy::protect(headers, POLICY);
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// `(name, source)` of back-office templates, read from `templates/back_office/` at build time.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/back_office/", $name)))),*]
    };
}

fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        escaping_environment(templates![
            "layout.html",
            "sign_in.html",
            "password.html",
            "home.html",
            "configuration.html",
            "pos_form.html",
            "contract_form.html",
            "field.html",
            "transactions.html",
            "transaction.html",
            "confirm.html",
            "access_key.html",
            "dashboard.html",
            "audit.html",
            "error.html",
            "accounts.html",
            "merchants.html",
            "users.html",
            "tools.html",
        ])
    })
}

/// `template` with `t` (the texts) and `page` (the page's values), as HTML with `status`.
pub(super) fn page(template: &str, lang: Lang, page: Value, status: StatusCode) -> Response {
    let texts: &Texts = lang.texts();
    let rendered = environment()
        .get_template(template)
        .and_then(|template| template.render(context! { t => texts, page => page }));
    match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, template, "a back-office page failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "cvgate failed to render this page",
            )
                .into_response()
        }
    }
}

/// A page that only says `message` (403, 500…), with a way back to the sign-in.
pub(super) fn error(lang: Lang, status: StatusCode, message: &str) -> Response {
    page("error.html", lang, context! { message => message }, status)
}

/// 500 after a failure of the database (logged, not shown).
pub(super) fn failed(lang: Lang, failure: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %failure, "a back-office request failed");
    let texts = lang.texts();
    error(lang, StatusCode::INTERNAL_SERVER_ERROR, texts.error_body)
}

/// `/backoffice/assets/{file}`.
pub(super) async fn asset(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "back_office.css" => (
            [
                (header::CONTENT_TYPE, "text/css; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            include_str!("../../assets/back_office/back_office.css"),
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
