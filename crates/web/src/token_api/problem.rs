//! Problem JSON answers (RFC 9457) of the token API: never an HTML or empty body.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gateway::web_payments::WebPaymentError;

/// A problem answer: its status, a short title and what to do.
#[derive(Debug)]
pub(super) struct Problem {
    status: StatusCode,
    detail: String,
    field: Option<String>,
    retry_after_seconds: Option<u64>,
}

impl Problem {
    /// A problem with `status` and a sentence saying what is wrong.
    pub(super) fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            detail: detail.into(),
            field: None,
            retry_after_seconds: None,
        }
    }

    /// A request field that breaks a rule (400 for the shape, 422 for the value).
    pub(super) fn field(status: StatusCode, field: &str, rule: impl Into<String>) -> Problem {
        Problem {
            field: Some(field.to_owned()),
            ..Problem::new(status, format!("{field} {}", rule.into()))
        }
    }

    /// The same problem with the buyer's words as its `detail` (the widget shows it), and the
    /// request field it concerns.
    pub(super) fn saying(self, detail: String, field: Option<&str>) -> Problem {
        Problem {
            detail,
            field: field.map(str::to_owned).or(self.field),
            ..self
        }
    }

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
            } => Problem {
                retry_after_seconds: Some(retry_after_seconds),
                ..Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    WebPaymentError::TooManyAttempts {
                        retry_after_seconds,
                    }
                    .to_string(),
                )
            },
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

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "type": "about:blank",
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Some(field) = self.field {
            body["field"] = field.into();
        }
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            Json(body),
        )
            .into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
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
