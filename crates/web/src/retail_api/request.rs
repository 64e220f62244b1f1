//! What every JSON API call checks first: the merchant's credentials, then the body (at most
//! 1 MiB, JSON, the shape the call takes), each refusal a problem JSON saying what is wrong.

use super::MAX_BODY_BYTES;
use crate::merchant_auth::{AuthFailure, authenticated_merchant};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use domain::merchant::MerchantId;
use serde::de::DeserializeOwned;

/// The merchant whose Basic credentials the call carries; 401 otherwise.
pub(super) async fn merchant(state: &AppState, headers: &HeaderMap) -> Result<MerchantId, Problem> {
    authenticated_merchant(state, headers, "JSON API")
        .await
        .map_err(|failure| match failure {
            AuthFailure::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "HTTP Basic credentials (merchant id and access key) are missing or wrong",
            ),
            AuthFailure::Failed(error) => {
                tracing::error!(%error, "checking a JSON API caller failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "cvgate could not check the credentials; try again",
                )
            }
        })
}

/// The body as `T`: 413 above 1 MiB, 415 unless it says it is JSON, 400 naming where the JSON
/// is malformed or of the wrong shape.
pub(super) async fn json_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, Problem> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| {
            let media = media.trim().to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        });
    if !is_json {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be JSON (Content-Type: application/json)",
        ));
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "the body is larger than 1 MiB",
            )
        })?;
    serde_json::from_slice(&bytes).map_err(|error| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not the JSON this call takes: {error}"),
        )
        .with_code("02305")
    })
}
