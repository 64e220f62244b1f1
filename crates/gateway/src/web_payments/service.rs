//! The web payment service's state: the store, the partners' services it drives, where the page
//! lives, how the merchant is notified, and the worker to wake when jobs are queued.

use crate::ancv_payments::{AncvPaymentObserver, AncvPayments};
use crate::card_payments::{CardPaymentObserver, CardPayments};
use crate::configuration_cache::ConfigurationCache;
use crate::notifications::{MerchantNotifier, NotificationPolicy};
use domain::clock::{Clock, Timestamp};
use domain::random::SharedRandom;
use std::sync::{Arc, OnceLock};
use store::Store;
use tokio::sync::Notify;

/// The web payment service: sessions, their hosted page and what follows their end (cheap to
/// clone: the clones share one state).
#[derive(Clone)]
pub struct WebPayments {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) random: SharedRandom,
    pub(super) ancv: AncvPayments,
    pub(super) card: CardPayments,
    pub(super) public_base: String,
    pub(super) notifier: MerchantNotifier,
    pub(super) configuration: ConfigurationCache,
    pub(super) wake_worker: OnceLock<Arc<Notify>>,
}

impl WebPayments {
    /// Builds the service and makes it the observer of both payment services; `public_base` is
    /// cvgate's public URL (the hosted pages live under it).
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        ancv: AncvPayments,
        card: CardPayments,
        public_base: String,
        notifications: NotificationPolicy,
    ) -> WebPayments {
        let notifier = MerchantNotifier::new(notifications, store.clone());
        let inner = Arc::new(Inner {
            store,
            clock,
            random,
            ancv,
            card,
            public_base: public_base.trim_end_matches('/').to_owned(),
            notifier,
            configuration: ConfigurationCache::default(),
            wake_worker: OnceLock::new(),
        });
        let ancv_observer: std::sync::Weak<dyn AncvPaymentObserver> = Arc::downgrade(&inner) as _;
        inner.ancv.set_observer(ancv_observer);
        let card_observer: std::sync::Weak<dyn CardPaymentObserver> = Arc::downgrade(&inner) as _;
        inner.card.set_observer(card_observer);
        WebPayments { inner }
    }

    /// Lets enqueued work start at once instead of at the worker's next idle tick.
    pub fn with_worker_wake(self, wake: Arc<Notify>) -> WebPayments {
        let _ = self.inner.wake_worker.set(wake);
        self
    }

    /// Its copy of the merchants' contracts and points of sale, for the API's access check to
    /// keep up to date ([`crate::merchant_config::MerchantConfig::api_access`]).
    pub fn configuration_cache(&self) -> ConfigurationCache {
        self.inner.configuration.clone()
    }

    /// The ANCV payment service it drives.
    pub fn ancv(&self) -> &AncvPayments {
        &self.inner.ancv
    }

    /// The card payment service it drives.
    pub fn card(&self) -> &CardPayments {
        &self.inner.card
    }

    /// The injected clock's time (pages show time left).
    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }
}
