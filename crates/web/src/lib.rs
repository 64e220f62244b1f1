//! cvgate's HTTP surfaces. Each module is one router; [`app`] assembles them with the
//! cross-cutting layers (request metrics and logs).

pub mod metrics;
pub mod operations;
pub mod partner;

use axum::Router;
use gateway::MerchantConfig;
use gateway::ancv_payments::AncvPayments;
use std::sync::Arc;

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    pub config: MerchantConfig,
    pub ancv: AncvPayments,
    pub metrics: Arc<metrics::HttpMetrics>,
}

impl AppState {
    pub fn new(config: MerchantConfig, ancv: AncvPayments) -> AppState {
        AppState {
            config,
            ancv,
            metrics: Arc::new(metrics::HttpMetrics::default()),
        }
    }
}

/// Routers that exist only in some environments.
#[derive(Default)]
pub struct Extras {
    /// The ANCV sandbox (homologation only), mounted at `/sandbox/ancv`. In production it is
    /// absent, so every `/sandbox/` path answers 404.
    pub ancv_sandbox: Option<Router>,
}

/// The whole application.
pub fn app(state: AppState, extras: Extras) -> Router {
    let mut router = Router::new()
        .merge(operations::router())
        .merge(partner::router())
        .with_state(state.clone());
    if let Some(sandbox) = extras.ancv_sandbox {
        router = router.nest("/sandbox/ancv", sandbox);
    }
    router.layer(axum::middleware::from_fn_with_state(state, metrics::record))
}
