//! Whole-page messages for a buyer whose request cannot go on (unknown payment, a form that is
//! not from the page, a failure of the service), in French and English: the session's language
//! is not known then.

use super::templates;
use crate::texts::{Texts, texts};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use domain::web_payment::request::Language;
use gateway::web_payments::WebPaymentError;

/// What went wrong, as the buyer is told.
#[derive(Debug, Clone, Copy)]
pub(super) enum Message {
    /// The token names no payment (or not any more).
    UnknownPayment,
    /// The form's secret is missing or not this session's: an old tab, or another site.
    FormExpired,
    /// The browser says the form was posted from another site.
    CrossSite,
    /// The service failed (its error is logged, never shown).
    Unavailable,
}

impl Message {
    /// The message in the language of `t`.
    fn text(self, t: &'static Texts) -> &'static str {
        match self {
            Message::UnknownPayment => t.unknown_token,
            Message::FormExpired => t.form_expired,
            Message::CrossSite => t.cross_site,
            Message::Unavailable => t.unavailable,
        }
    }
}

/// The message page with `status`, with a link back to the payment page when there is one.
pub(super) fn page(status: StatusCode, message: Message, back_to: Option<&str>) -> Response {
    match render(message, back_to) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => plain_failure(&error),
    }
}

/// The message page's HTML: French first, then English.
fn render(message: Message, back_to: Option<&str>) -> Result<String, minijinja::Error> {
    let parts: Vec<_> = [Language::French, Language::English]
        .into_iter()
        .map(|language| {
            let t = texts(language);
            minijinja::context! { t => t, message => message.text(t) }
        })
        .collect();
    let context = minijinja::context! {
        t => texts(Language::French),
        parts => parts,
        back_url => back_to.map(gateway::web_payments::page_path),
    };
    templates::environment()
        .get_template("message.html")
        .and_then(|template| template.render(context))
}

/// The page for an error of the service: the unknown-payment message, or a logged 500.
pub(super) fn error_page(error: &WebPaymentError) -> Response {
    match error {
        WebPaymentError::UnknownToken => page(StatusCode::NOT_FOUND, Message::UnknownPayment, None),
        other => internal(other),
    }
}

/// A 500 for the buyer, saying the service is unavailable; the error goes to the log only.
pub(super) fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "payment page failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        Message::Unavailable,
        None,
    )
}

/// The message page itself could not be made: a bare 500, logged.
fn plain_failure(error: &minijinja::Error) -> Response {
    tracing::error!(%error, "payment page message failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}
