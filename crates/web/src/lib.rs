//! cvgate's HTTP surfaces. Each module is one router; [`app`] assembles them with the
//! cross-cutting layers (request metrics and logs).

#![warn(missing_docs)]
#![warn(clippy::too_many_lines)]

pub mod metrics;
pub mod operations;
pub mod partner;
pub mod payment_page;
pub mod soap_api;

use axum::Router;
use gateway::MerchantConfig;
use gateway::after_sale::AfterSale;
use gateway::ancv_payments::AncvPayments;
use gateway::web_payments::WebPayments;
use std::sync::Arc;

/// What every handler may need.
#[derive(Clone)]
pub struct AppState {
    /// The merchant back office: authenticates SOAP callers (merchant id + access key) and
    /// holds the store.
    pub config: MerchantConfig,
    /// Web payment sessions: created by `doWebPayment`, driven by the payment page.
    pub web_payments: WebPayments,
    /// Captures, refunds, resets, authorizations and transaction queries (DirectPaymentAPI,
    /// ExtendedAPI).
    pub after_sale: AfterSale,
    /// Absolute base of the URLs given to merchants and buyers (no trailing slash).
    pub public_base: String,
    /// Homologation: the page points buyers to the sandbox's Chèque-Vacances app.
    pub homologation: bool,
    /// Request counts and latencies of this process, shown at `/metrics`.
    pub metrics: Arc<metrics::HttpMetrics>,
    /// The background worker's run counters (empty unless [`AppState::with_job_metrics`]).
    pub job_metrics: Arc<jobs::JobMetrics>,
}

impl AppState {
    /// State for the production surfaces, `public_base` stripped of trailing slashes.
    pub fn new(
        config: MerchantConfig,
        web_payments: WebPayments,
        after_sale: AfterSale,
        public_base: &str,
    ) -> AppState {
        AppState {
            config,
            web_payments,
            after_sale,
            public_base: public_base.trim_end_matches('/').to_owned(),
            homologation: false,
            metrics: Arc::new(metrics::HttpMetrics::default()),
            job_metrics: Arc::new(jobs::JobMetrics::default()),
        }
    }

    /// `/metrics` shows the runs counted by this process's worker (`Worker::metrics`).
    pub fn with_job_metrics(self, job_metrics: Arc<jobs::JobMetrics>) -> AppState {
        AppState {
            job_metrics,
            ..self
        }
    }

    /// The same state in homologation: the page points buyers to the sandboxes.
    pub fn in_homologation(self) -> AppState {
        AppState {
            homologation: true,
            ..self
        }
    }

    /// The ANCV Connect payments (the page's voucher payments, ANCV's notifications).
    pub fn ancv(&self) -> &AncvPayments {
        self.web_payments.ancv()
    }
}

/// Routers that exist only in some environments.
#[derive(Default)]
pub struct Extras {
    /// The ANCV sandbox (homologation only), mounted at `/sandbox/ancv`. In production it is
    /// absent, so every `/sandbox/` path answers 404.
    pub ancv_sandbox: Option<Router>,
    /// The card sandbox (homologation only): its API at `/sandbox/card`, its ACS at `/sandbox/acs`.
    pub card_sandbox: Option<Router>,
}

/// The whole application.
pub fn app(state: AppState, extras: Extras) -> Router {
    let mut router = Router::new()
        .merge(operations::router())
        .merge(partner::router())
        .merge(soap_api::router())
        .merge(payment_page::router())
        .with_state(state.clone());
    if let Some(sandbox) = extras.ancv_sandbox {
        router = router.nest("/sandbox/ancv", sandbox);
    }
    if let Some(sandbox) = extras.card_sandbox {
        router = router.merge(sandbox);
    }
    router.layer(axum::middleware::from_fn_with_state(state, metrics::record))
}
