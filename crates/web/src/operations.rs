//! `/healthz` and `/metrics`: what an operator's load balancer and Prometheus read.

use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::time::Duration;
use store::repos::KindCounts;

/// `/healthz`, and `/metrics` unless it has a listener of its own ([`metrics_app`]).
pub(crate) fn router(state: &AppState) -> Router<AppState> {
    let router = Router::new().route("/healthz", get(healthz));
    if state.metrics_apart {
        router
    } else {
        router.route("/metrics", get(metrics))
    }
}

/// `/metrics` alone, for its own listen address (`metrics_listen`): Prometheus reads it on a
/// private interface while the public one does not serve it.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// 200 when the database answers within two seconds, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(Duration::from_secs(2), state.config.store().ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n"),
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer within 2 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let counts = job_counts(&state).await;
    let text = crate::metrics::render(&state.metrics, &state.job_metrics, counts.as_deref());
    ([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text)
}

/// Live and dead jobs per kind, from the database (every instance changes them); `None` when it
/// does not answer within two seconds: the gauges are then left out rather than shown wrong.
async fn job_counts(state: &AppState) -> Option<Vec<KindCounts>> {
    let read = async {
        let mut uow = state.config.store().read().await?;
        uow.jobs().counts_by_kind().await
    };
    match tokio::time::timeout(Duration::from_secs(2), read).await {
        Ok(Ok(counts)) => Some(counts),
        Ok(Err(error)) => {
            tracing::warn!(%error, "metrics: cannot count the jobs");
            None
        }
        Err(_) => {
            tracing::warn!("metrics: the database did not count the jobs within 2 s");
            None
        }
    }
}
