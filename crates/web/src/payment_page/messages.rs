//! Whole-page messages for a buyer whose request cannot go on (unknown payment, a form that is
//! not from the page), in French and English: the session's language is not known then.

use super::templates;
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
}

impl Message {
    /// The message in French, then in English.
    fn text(self) -> String {
        let (french, english) = match self {
            Message::UnknownPayment => (
                crate::texts::texts(Language::French).unknown_token,
                crate::texts::texts(Language::English).unknown_token,
            ),
            Message::FormExpired => (
                "Ce formulaire a expiré : rechargez la page de paiement.",
                "This form has expired; reload the payment page.",
            ),
            Message::CrossSite => (
                "Formulaire envoyé depuis un autre site : refusé.",
                "Cross-site form submission refused.",
            ),
        };
        format!("{french} / {english}")
    }
}

/// The message page with `status`, with a link back to the payment page when there is one.
pub(super) fn page(status: StatusCode, message: Message, back_to: Option<&str>) -> Response {
    let t = crate::texts::texts(Language::French);
    let back_url = back_to.map(gateway::web_payments::page_path);
    let context = minijinja::context! { t => t, message => message.text(), back_url => back_url };
    match templates::environment()
        .get_template("message.html")
        .and_then(|template| template.render(context))
    {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => internal(&error),
    }
}

/// The page for an error of the service: the unknown-payment message, or a logged 500.
pub(super) fn error_page(error: &WebPaymentError) -> Response {
    match error {
        WebPaymentError::UnknownToken => page(StatusCode::NOT_FOUND, Message::UnknownPayment, None),
        other => internal(other),
    }
}

/// A 500 for the buyer; the error goes to the log only.
pub(super) fn internal(error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "payment page failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}
