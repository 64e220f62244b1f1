//! The card payment service itself: its state, its lookups, and the one way a transaction
//! changes (with the observer told in the same unit of work).

use super::model::{CardOperation, CardPaymentObserver, CardPaymentsConfig, CardTransaction};
use super::rows::{operation_from_row, transaction_from_row, transaction_to_row};
use crate::transaction_ids::{TransactionKind, new_transaction_id};
use card::Acquirer;
use domain::clock::{Clock, Timestamp};
use domain::merchant::MerchantId;
use domain::random::SharedRandom;
use domain::return_code::ReturnCode;
use std::sync::{Arc, OnceLock, Weak};
use store::{Store, StoreError};

/// The card payment service (cheap to clone: the clones share one state).
#[derive(Clone)]
pub struct CardPayments {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) random: SharedRandom,
    pub(super) acquirer: Arc<dyn Acquirer>,
    pub(super) config: CardPaymentsConfig,
    pub(super) observer: OnceLock<Weak<dyn CardPaymentObserver>>,
}

impl CardPayments {
    /// Builds the service over the acquirer; nobody hears about changes until the web payment
    /// service makes itself the observer.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        acquirer: Arc<dyn Acquirer>,
        config: CardPaymentsConfig,
    ) -> CardPayments {
        CardPayments {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                acquirer,
                config,
                observer: OnceLock::new(),
            }),
        }
    }

    /// Who hears about changes (set once; held weakly: the observer owns this service).
    pub(crate) fn set_observer(&self, observer: Weak<dyn CardPaymentObserver>) {
        let _ = self.inner.observer.set(observer);
    }

    /// The card transaction with this id, as cvgate last recorded it (the acquirer is not asked).
    pub async fn find(&self, id: &str) -> Result<Option<CardTransaction>, StoreError> {
        let row = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .find(id)
            .await?;
        row.map(transaction_from_row).transpose()
    }

    /// The attempts of a web payment session, first first.
    pub async fn attempts(&self, group: &str) -> Result<Vec<CardTransaction>, StoreError> {
        let rows = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .attempts(group)
            .await?;
        rows.into_iter().map(transaction_from_row).collect()
    }

    /// The captures, resets and refunds of a card transaction, in the order they were asked for.
    pub async fn operations(&self, transaction_id: &str) -> Result<Vec<CardOperation>, StoreError> {
        let rows = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .operations(transaction_id)
            .await?;
        rows.into_iter().map(operation_from_row).collect()
    }

    /// A capture, reset or refund by its own transaction id.
    pub async fn find_operation(&self, id: &str) -> Result<Option<CardOperation>, StoreError> {
        let row = self
            .inner
            .store
            .read()
            .await?
            .card_transactions()
            .find_operation(id)
            .await?;
        row.map(operation_from_row).transpose()
    }

    /// A fresh transaction id (unique across every kind of transaction).
    pub(super) async fn new_id(
        &self,
        uow: &mut store::UnitOfWork,
        kind: TransactionKind,
        merchant_id: &MerchantId,
    ) -> Result<String, StoreError> {
        let now = self.inner.clock.now();
        new_transaction_id(uow, self.inner.random.as_ref(), kind, merchant_id, now).await
    }

    /// Reads the transaction, computes its next version with `next_of`, and writes it if it
    /// changed — with the observer's reaction to a new state — in one unit of work.
    pub(super) async fn change(
        &self,
        id: &str,
        next_of: impl Fn(&CardTransaction) -> CardTransaction,
    ) -> Result<CardTransaction, StoreError> {
        for _ in 0..10 {
            let mut uow = self.inner.store.write().await?;
            let row = uow.card_transactions().find(id).await?.ok_or_else(|| {
                StoreError::corrupt("card_transactions", format!("transaction {id} vanished"))
            })?;
            let current = transaction_from_row(row)?;
            let next = next_of(&current);
            if next == current {
                uow.rollback().await?;
                return Ok(current);
            }
            let next = CardTransaction {
                updated_at: self.inner.clock.now(),
                ..next
            };
            if !uow
                .card_transactions()
                .update(&transaction_to_row(&next))
                .await?
            {
                continue;
            }
            if next.state != current.state
                && let Some(observer) = self.inner.observer.get().and_then(Weak::upgrade)
                && !observer.changed(&mut uow, &current, &next).await?
            {
                continue;
            }
            uow.commit().await?;
            self.wake();
            if next.state != current.state {
                tracing::info!(
                    transaction_id = id,
                    from = current.state.as_str(),
                    to = next.state.as_str(),
                    code = next.return_code.map(ReturnCode::code),
                    "card payment updated"
                );
            }
            return Ok(CardTransaction {
                version: next.version + 1,
                ..next
            });
        }
        Err(StoreError::corrupt(
            "card_transactions",
            format!("transaction {id} keeps changing under its writers"),
        ))
    }

    pub(super) async fn enqueue(
        &self,
        kind: &str,
        subject: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs().enqueue(kind, subject, at, now).await?;
        uow.commit().await?;
        self.wake();
        Ok(())
    }

    pub(super) fn wake(&self) {
        if let Some(wake) = &self.inner.config.wake_worker {
            wake.notify_one();
        }
    }
}
