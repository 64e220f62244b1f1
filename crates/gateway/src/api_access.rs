//! Merchants' API credentials under two throttles: failed HTTP Basic authentications counted per
//! merchant id and per address over a window; over either limit, calls are refused until the
//! window ends. A merchant's successful call forgets its failures, so that an attacker must
//! fail the whole limit between two of the merchant's own calls to lock it out.

use crate::failure_throttle::FailureThrottle;
use domain::clock::Clock;
use domain::merchant::MerchantId;
use std::sync::Arc;
use store::{Store, StoreError};

/// How many failed authentications are allowed, and over which window.
#[derive(Debug, Clone, Copy)]
pub struct ApiThrottlePolicy {
    /// Failures naming one merchant id within the window before its calls are refused.
    pub merchant_failures: i64,
    /// Failures from one address within the window before its calls are refused.
    pub address_failures: i64,
    /// The window failures are counted in; a refusal lasts until it ends.
    pub window_ms: i64,
}

impl Default for ApiThrottlePolicy {
    /// 50 failures per merchant id, 20 per address, in 15 minutes.
    fn default() -> Self {
        ApiThrottlePolicy {
            merchant_failures: 50,
            address_failures: 20,
            window_ms: 15 * 60_000,
        }
    }
}

/// The throttles (cheap to clone).
#[derive(Clone)]
pub struct ApiThrottle {
    throttle: FailureThrottle,
    policy: ApiThrottlePolicy,
}

impl ApiThrottle {
    /// Throttles over `store`'s failure counts.
    pub fn new(store: Store, clock: Arc<dyn Clock>, policy: ApiThrottlePolicy) -> ApiThrottle {
        ApiThrottle {
            throttle: FailureThrottle::new(store, clock, policy.window_ms),
            policy,
        }
    }

    /// How many seconds a call naming `user` (the Basic user name, if any) from `address` must
    /// wait; `None`: it may go on.
    pub async fn retry_after(
        &self,
        user: Option<&str>,
        address: &str,
    ) -> Result<Option<u64>, StoreError> {
        let address = address_subject(address);
        let merchant = user.and_then(merchant_subject);
        let mut limits = vec![(address.as_str(), self.policy.address_failures)];
        if let Some(merchant) = &merchant {
            limits.push((merchant.as_str(), self.policy.merchant_failures));
        }
        self.throttle.retry_after(&limits).await
    }

    /// A call naming `user` from `address` failed to authenticate.
    pub async fn failed(&self, user: Option<&str>, address: &str) -> Result<(), StoreError> {
        let address = address_subject(address);
        match user.and_then(merchant_subject) {
            Some(merchant) => self.throttle.record(&[&address, &merchant]).await,
            None => self.throttle.record(&[&address]).await,
        }
    }

    /// `merchant` authenticated: its failures are forgotten (a write only when it has some).
    pub async fn succeeded(&self, merchant: &MerchantId) -> Result<(), StoreError> {
        let subject = format!("api:merchant:{merchant}");
        self.throttle.clear_if_any(&subject).await
    }
}

/// The counter of a user name that is a merchant id; other names (which could be anything an
/// attacker makes up, each a row) count only against their address.
fn merchant_subject(user: &str) -> Option<String> {
    MerchantId::parse("merchant", user)
        .ok()
        .map(|merchant| format!("api:merchant:{merchant}"))
}

fn address_subject(address: &str) -> String {
    format!("api:address:{address}")
}
