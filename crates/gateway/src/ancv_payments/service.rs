//! The ANCV payment service's state and the small things every step uses: finding a payment,
//! waking the worker, queueing a job, asking the observer whether a payment is still wanted.

use super::model::{AncvPaymentError, AncvPaymentObserver, AncvPaymentsConfig};
use ancv::{AncvClient, SealKeyring};
use domain::ancv_payment::AncvPayment;
use domain::clock::{Clock, Timestamp};
use domain::random::SharedRandom;
use std::sync::{Arc, OnceLock, Weak};
use store::{Store, StoreError};
use tokio::sync::Notify;

/// The ANCV Connect payment service (cheap to clone: the clones share one state).
#[derive(Clone)]
pub struct AncvPayments {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) random: SharedRandom,
    pub(super) client: AncvClient,
    pub(super) notification_keys: SealKeyring,
    pub(super) notification_url: String,
    pub(super) poll_interval_ms: i64,
    pub(super) wake_worker: OnceLock<Arc<Notify>>,
    pub(super) observer: OnceLock<Weak<dyn AncvPaymentObserver>>,
}

impl AncvPayments {
    /// Builds the service; nobody hears about changes until the web payment service makes
    /// itself the observer.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        config: AncvPaymentsConfig,
    ) -> AncvPayments {
        AncvPayments {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                client: config.client,
                notification_keys: config.notification_keys,
                notification_url: config.notification_url,
                poll_interval_ms: config.poll_interval_ms,
                wake_worker: OnceLock::new(),
                observer: OnceLock::new(),
            }),
        }
    }

    /// Lets enqueued work start at once instead of at the worker's next idle tick.
    pub fn with_worker_wake(self, wake: Arc<Notify>) -> AncvPayments {
        let _ = self.inner.wake_worker.set(wake);
        self
    }

    /// Who hears about changes (set once; held weakly: the observer owns this service).
    pub(crate) fn set_observer(&self, observer: Weak<dyn AncvPaymentObserver>) {
        let _ = self.inner.observer.set(observer);
    }

    pub(super) fn observer(&self) -> Option<Arc<dyn AncvPaymentObserver>> {
        self.inner.observer.get().and_then(Weak::upgrade)
    }

    /// The payment with this id, as cvgate last recorded it (ANCV is not asked).
    pub async fn find(&self, payment_id: &str) -> Result<Option<AncvPayment>, StoreError> {
        self.inner
            .store
            .read()
            .await?
            .ancv_payments()
            .find(payment_id)
            .await
    }

    pub(super) async fn existing(&self, payment_id: &str) -> Result<AncvPayment, AncvPaymentError> {
        self.find(payment_id)
            .await?
            .ok_or_else(|| AncvPaymentError::UnknownPayment(payment_id.to_owned()))
    }

    pub(super) fn next_poll(&self) -> Timestamp {
        self.inner
            .clock
            .now()
            .plus_millis(self.inner.poll_interval_ms)
    }

    pub(super) fn wake(&self) {
        if let Some(wake) = self.inner.wake_worker.get() {
            wake.notify_one();
        }
    }

    pub(super) async fn enqueue(
        &self,
        kind: &str,
        payment_id: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs().enqueue(kind, payment_id, at, now).await?;
        uow.commit().await?;
        self.wake();
        Ok(())
    }

    /// Whether a session still counts on the payment (without observer: nobody does).
    pub(super) async fn wanted(&self, payment: &AncvPayment) -> Result<bool, StoreError> {
        match self.observer() {
            Some(observer) => observer.wanted(payment).await,
            None => Ok(false),
        }
    }
}
