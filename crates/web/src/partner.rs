//! Endpoints partners call: ANCV's notifications.

use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use gateway::ancv_payments::NotificationRejected;

/// Where ANCV posts its notifications of transaction changes (the URL given to ANCV).
pub const ANCV_NOTIFICATIONS: &str = "/partner/ancv/notifications";

/// The partners' endpoints.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route(ANCV_NOTIFICATIONS, post(ancv_notification))
}

/// Answers at once: the notification is only a hint, checked (seal) and then followed by a job
/// that re-reads the transaction at ANCV.
async fn ancv_notification(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let seal = headers
        .get(ancv::client::SEAL_HEADER)
        .and_then(|value| value.to_str().ok());
    match state.ancv().notification_received(seal, &body).await {
        Ok(()) => (StatusCode::OK, "{}"),
        Err(NotificationRejected::Malformed) => (
            StatusCode::BAD_REQUEST,
            "{\"error\":\"not an ANCV notification\"}",
        ),
        Err(NotificationRejected::BadSeal(reason)) => {
            tracing::warn!(%reason, "ANCV notification with a bad seal refused");
            (
                StatusCode::UNAUTHORIZED,
                "{\"error\":\"invalid ANCV-Security seal\"}",
            )
        }
    }
}
