//! The net under the JSON API: whatever answers an error on `/v1/` without problem JSON (an
//! extractor's plain-text rejection, a layer's 429 or 503, a handler that panicked) is turned
//! into problem JSON with the same status, keeping `Retry-After` and `Allow`. A client of the
//! API never has to read HTML or an empty body.

use crate::problem::Problem;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;

/// The longest piece of the original answer kept in `detail`.
const MAX_DETAIL_CHARS: usize = 200;

/// Middleware: the answer, or the same error as problem JSON.
pub(super) async fn problems_only(request: Request, next: Next) -> Response {
    as_problem(next.run(request).await).await
}

/// A panic's answer: 500 problem JSON (the panic itself is logged by the runtime's hook).
pub(super) fn panicked(_: Box<dyn Any + Send + 'static>) -> Response {
    Problem::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "cvgate failed while answering; try again",
    )
    .into_response()
}

async fn as_problem(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return response;
    }
    let (parts, body) = response.into_parts();
    let said = axum::body::to_bytes(body, 4 * MAX_DETAIL_CHARS)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_owned())
        .unwrap_or_default();
    let detail = if said.is_empty() || said.starts_with('<') {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        said.chars().take(MAX_DETAIL_CHARS).collect()
    };
    let mut problem = Problem::new(status, detail).into_response();
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(value) = parts.headers.get(&name) {
            problem.headers_mut().insert(name, value.clone());
        }
    }
    problem
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::Value;

    async fn read(response: Response) -> (StatusCode, Option<HeaderValue>, Value) {
        let status = response.status();
        let retry = response.headers().get(header::RETRY_AFTER).cloned();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, retry, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_plain_429_becomes_problem_json_and_keeps_retry_after() {
        let plain = (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "7")],
            "slow down",
        )
            .into_response();
        let (status, retry, body) = read(as_problem(plain).await).await;
        assert_eq!(status, 429);
        assert_eq!(retry.unwrap(), "7");
        assert_eq!(body["status"], 429);
        assert_eq!(body["detail"], "slow down");
    }

    #[tokio::test]
    async fn empty_and_html_bodies_get_the_status_reason() {
        for body in ["", "<html><body>Bad gateway</body></html>"] {
            let answer = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
            let (status, _, problem) = read(as_problem(answer).await).await;
            assert_eq!(status, 503);
            assert_eq!(problem["detail"], "Service Unavailable");
        }
    }

    #[tokio::test]
    async fn successes_and_problems_pass_unchanged() {
        let ok = as_problem("OK".into_response()).await;
        assert_eq!(
            ok.headers()[header::CONTENT_TYPE],
            "text/plain; charset=utf-8"
        );
        let problem = Problem::new(StatusCode::NOT_FOUND, "no such thing").with_code("02304");
        let (_, _, body) = read(as_problem(problem.into_response()).await).await;
        assert_eq!(body["code"], "02304");
    }

    #[tokio::test]
    async fn a_panic_is_a_500_problem() {
        let (status, _, body) = read(panicked(Box::new("boom"))).await;
        assert_eq!(status, 500);
        assert_eq!(body["status"], 500);
    }
}
