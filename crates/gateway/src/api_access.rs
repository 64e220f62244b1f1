//! Who may call the merchant APIs (SOAP and JSON), decided with one read per call: the
//! merchant's HTTP Basic credentials, under two throttles of failed authentications counted per
//! merchant id and per address over a window. Over either limit, calls are refused until the
//! window ends, right credentials or not. A merchant's successful call forgets its failures, so
//! that an attacker must fail the whole limit between two of the merchant's own calls to lock
//! it out.
//!
//! The same read gives the merchants' configuration version, handed to the
//! [`ConfigurationCache`] so that the call's own work sees the configuration as it is now.

use crate::configuration_cache::ConfigurationCache;
use crate::failure_throttle::FailureThrottle;
use domain::access_key::{AccessKey, AccessKeyHash, AccessKeyHasher};
use domain::clock::Clock;
use domain::merchant::{MerchantId, MerchantStatus};
use std::sync::Arc;
use store::repos::{Caller, MerchantCredentials};
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

/// What a call's credentials get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiVerdict {
    /// Over a throttle's limit: refused for this many seconds, credentials unchecked.
    Throttled(u64),
    /// The credentials are right and the merchant active.
    Merchant {
        /// The merchant.
        id: MerchantId,
        /// Failures were counted against its id: [`ApiAccess::forget_failures`] once the call
        /// succeeds.
        has_failures: bool,
    },
    /// No credentials, or wrong ones, or a merchant that may not call (one answer for all, so
    /// as not to tell which).
    Unauthorized,
}

/// The access check (cheap to clone).
#[derive(Clone)]
pub struct ApiAccess {
    store: Store,
    clock: Arc<dyn Clock>,
    throttle: FailureThrottle,
    policy: ApiThrottlePolicy,
    keys: KeyCheck,
    cache: ConfigurationCache,
}

/// Checks a presented access key against a merchant's stored credentials, and does the same
/// work for an unknown merchant id, so that the timing does not tell which ids exist.
#[derive(Clone)]
pub(crate) struct KeyCheck {
    pub hasher: AccessKeyHasher,
    /// A hash no key matches, checked for unknown merchant ids.
    pub no_merchant_hash: AccessKeyHash,
}

impl KeyCheck {
    /// Whether `presented` is the key of an active merchant whose credentials are `stored`.
    pub fn accepts(&self, presented: &str, stored: Option<&MerchantCredentials>) -> bool {
        let presented = AccessKey::from_clear(presented);
        let Some(stored) = stored else {
            std::hint::black_box(self.hasher.verify(&presented, &self.no_merchant_hash));
            return false;
        };
        self.hasher.verify(&presented, &stored.access_key_hash)
            && stored.status == MerchantStatus::Active
    }
}

impl ApiAccess {
    /// Checks keys with `hasher` (the one they were hashed with), counts failures under
    /// `policy`, and tells `cache` the configuration version each call reads.
    pub(crate) fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        policy: ApiThrottlePolicy,
        keys: KeyCheck,
        cache: ConfigurationCache,
    ) -> ApiAccess {
        ApiAccess {
            throttle: FailureThrottle::new(store.clone(), clock.clone(), policy.window_ms),
            store,
            clock,
            policy,
            keys,
            cache,
        }
    }

    /// The verdict on a call from `address` with these Basic credentials (user, password), if
    /// it has any: one read.
    pub async fn check(
        &self,
        credentials: Option<(&str, &str)>,
        address: &str,
    ) -> Result<ApiVerdict, StoreError> {
        let now = self.clock.now();
        let address_subject = address_subject(address);
        let merchant = credentials.and_then(|(user, _)| MerchantId::parse("merchant", user).ok());
        let merchant_subject = merchant.as_ref().map(merchant_subject);
        let caller = Caller {
            address_subject: &address_subject,
            merchant: merchant.as_ref().zip(merchant_subject.as_deref()),
        };
        let found = self
            .store
            .quick_read()
            .await?
            .api_access()
            .read(&caller, self.throttle.window_from(now))
            .await?;
        self.cache.observe(found.configuration_version);
        let limits = [
            (found.address_failures, self.policy.address_failures),
            (found.merchant_failures, self.policy.merchant_failures),
        ];
        if let Some(seconds) = self.throttle.wait_for(&limits, now) {
            return Ok(ApiVerdict::Throttled(seconds));
        }
        let Some((_, password)) = credentials else {
            return Ok(ApiVerdict::Unauthorized);
        };
        // No credentials are read for a user name that is not a merchant id.
        let accepted = self.keys.accepts(password, found.credentials.as_ref());
        let (Some(id), true) = (merchant, accepted) else {
            return Ok(ApiVerdict::Unauthorized);
        };
        Ok(ApiVerdict::Merchant {
            id,
            has_failures: found.merchant_failures.is_some(),
        })
    }

    /// A call naming `user` from `address` failed to authenticate.
    pub async fn failed(&self, user: Option<&str>, address: &str) -> Result<(), StoreError> {
        let address = address_subject(address);
        let merchant = user.and_then(|user| MerchantId::parse("merchant", user).ok());
        match merchant.as_ref().map(merchant_subject) {
            Some(merchant) => self.throttle.record(&[&address, &merchant]).await,
            None => self.throttle.record(&[&address]).await,
        }
    }

    /// `merchant` authenticated: its failures are forgotten.
    pub async fn forget_failures(&self, merchant: &MerchantId) -> Result<(), StoreError> {
        self.throttle
            .clear_if_any(&merchant_subject(merchant))
            .await
    }
}

/// The counter of a user name that is a merchant id; other names (which could be anything an
/// attacker makes up, each a row) count only against their address.
fn merchant_subject(merchant: &MerchantId) -> String {
    format!("api:merchant:{merchant}")
}

fn address_subject(address: &str) -> String {
    format!("api:address:{address}")
}
