//! Problem JSON answers (RFC 9457) of the JSON surfaces (the widget's token API, the JSON API):
//! never an HTML or empty body. `title` and `detail` are what clients read; `code` is Payline's
//! 5-digit code where one applies, `field` the request field at fault.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A problem answer: its status, a short title and what to do.
#[derive(Debug)]
pub(crate) struct Problem {
    status: StatusCode,
    detail: String,
    field: Option<String>,
    code: Option<&'static str>,
    retry_after_seconds: Option<u64>,
}

impl Problem {
    /// A problem with `status` and a sentence saying what is wrong.
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            detail: detail.into(),
            field: None,
            code: None,
            retry_after_seconds: None,
        }
    }

    /// A request field that breaks a rule (400 for the shape, 422 for the value).
    pub(crate) fn field(status: StatusCode, field: &str, rule: impl Into<String>) -> Problem {
        Problem {
            field: Some(field.to_owned()),
            ..Problem::new(status, format!("{field} {}", rule.into()))
        }
    }

    /// The same problem with the buyer's words as its `detail` (the widget shows it), and the
    /// request field it concerns.
    pub(crate) fn saying(self, detail: String, field: Option<&str>) -> Problem {
        Problem {
            detail,
            field: field.map(str::to_owned).or(self.field),
            ..self
        }
    }

    /// The same problem with Payline's 5-digit code.
    pub(crate) fn with_code(self, code: &'static str) -> Problem {
        Problem {
            code: Some(code),
            ..self
        }
    }

    /// The same problem, to try again after `seconds` (`Retry-After`).
    pub(crate) fn retry_after(self, seconds: u64) -> Problem {
        Problem {
            retry_after_seconds: Some(seconds),
            ..self
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json_api::Problem {
            kind: "about:blank".to_owned(),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field,
            code: self.code.map(str::to_owned),
        };
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
