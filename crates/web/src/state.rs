//! The state every handler shares: the gateway's services, the public base URL, the metrics.

use crate::client_address::TrustedProxies;
use crate::metrics::HttpMetrics;
use gateway::after_sale::AfterSale;
use gateway::ancv_payments::AncvPayments;
use gateway::api_access::{ApiAccess, ApiThrottlePolicy};
use gateway::back_office_sign_in::{BackOfficeSignIn, SignInPolicy};
use gateway::web_payments::WebPayments;
use gateway::{BackOfficeUsers, MerchantConfig};
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
    /// Back-office sign-in and sessions.
    pub sign_in: BackOfficeSignIn,
    /// The merchant APIs' access check: credentials, and the throttles of failed ones.
    pub api_access: ApiAccess,
    /// The proxies whose `X-Forwarded-For` tells the client's address.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// `/metrics` is served on a listener of its own, not with the rest.
    pub metrics_apart: bool,
    /// Back-office users and the audit trail.
    pub users: BackOfficeUsers,
    /// Absolute base of the URLs given to merchants and buyers (no trailing slash).
    pub public_base: String,
    /// Homologation: the page points buyers to the sandbox's Chèque-Vacances app.
    pub homologation: bool,
    /// Request counts and latencies of this process, shown at `/metrics`.
    pub metrics: Arc<HttpMetrics>,
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
            sign_in: config.back_office_sign_in(SignInPolicy::default()),
            api_access: config.api_access(
                ApiThrottlePolicy::default(),
                web_payments.configuration_cache(),
            ),
            trusted_proxies: Arc::new(TrustedProxies::default()),
            metrics_apart: false,
            users: config.back_office_users(),
            config,
            web_payments,
            after_sale,
            public_base: public_base.trim_end_matches('/').to_owned(),
            homologation: false,
            metrics: Arc::new(HttpMetrics::default()),
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

    /// `/metrics` leaves the main router for [`crate::operations::metrics_app`]'s listener.
    pub fn with_metrics_apart(self) -> AppState {
        AppState {
            metrics_apart: true,
            ..self
        }
    }

    /// Believes the `X-Forwarded-For` of these proxies.
    pub fn with_trusted_proxies(self, trusted_proxies: TrustedProxies) -> AppState {
        AppState {
            trusted_proxies: Arc::new(trusted_proxies),
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
