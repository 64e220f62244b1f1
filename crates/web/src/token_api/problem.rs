//! The token API's problems: a web payment step's error as the widget reads it, and the answer
//! to a call that does not exist.

use crate::problem::Problem;
use axum::http::StatusCode;
use gateway::web_payments::WebPaymentError;

impl Problem {
    /// The error of a web payment step (logged when it is cvgate's fault).
    pub(super) fn of(error: WebPaymentError) -> Problem {
        match error {
            WebPaymentError::UnknownToken => {
                Problem::new(StatusCode::NOT_FOUND, "no payment has this token")
            }
            WebPaymentError::NotNow(why) => Problem::new(StatusCode::CONFLICT, why),
            WebPaymentError::NotAllowed(why) => Problem::new(StatusCode::FORBIDDEN, why),
            WebPaymentError::Refused(refusal) => Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                &refusal.error.field,
                refusal.error.rule,
            ),
            WebPaymentError::Invalid(error) => {
                Problem::field(StatusCode::UNPROCESSABLE_ENTITY, &error.field, error.rule)
            }
            WebPaymentError::TooManyAttempts {
                retry_after_seconds,
            } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                WebPaymentError::TooManyAttempts {
                    retry_after_seconds,
                }
                .to_string(),
            )
            .retry_after(retry_after_seconds),
            other @ (WebPaymentError::Beneficiary(_) | WebPaymentError::Store(_)) => {
                tracing::error!(error = %other, "token API call failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "cvgate could not do this now; try again",
                )
            }
        }
    }
}

/// Any other path or method under `/services/token/`.
pub(super) async fn no_such_call() -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "no such call: see widget.md §4 for the token API's calls",
    )
}

/// A known call with the wrong method.
pub(super) async fn no_such_method() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this call does not take this method: see widget.md §4",
    )
}
