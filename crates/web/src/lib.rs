//! cvgate's HTTP surfaces. Each module is one router; [`app`] assembles them with the
//! cross-cutting layers (request metrics and logs).

pub mod metrics;
pub mod operations;

use axum::Router;
use gateway::MerchantConfig;
use std::sync::Arc;

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    pub config: MerchantConfig,
    pub metrics: Arc<metrics::HttpMetrics>,
}

impl AppState {
    pub fn new(config: MerchantConfig) -> AppState {
        AppState {
            config,
            metrics: Arc::new(metrics::HttpMetrics::default()),
        }
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(operations::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .with_state(state)
}
