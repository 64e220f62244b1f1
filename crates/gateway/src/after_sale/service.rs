//! The after-sale service itself: its state, what a transaction id names,
//! and the TRS notification queued when a transaction changes.

use super::model::TransactionDetails;
use crate::ancv_payments::AncvPayments;
use crate::card_payments::{CardOperation, CardPayments, CardTransaction};
use crate::notifications::TRS_JOB;
use crate::notifications::{MerchantNotifier, NotificationPolicy};
use crate::transaction_ids::TransactionKind;
use domain::ancv_payment::AncvPayment;
use domain::clock::Clock;
use domain::merchant::MerchantId;
use domain::notification::NotificationAttempt;
use domain::random::SharedRandom;
use std::sync::Arc;
use store::repos::AncvRefundRow;
use store::{Store, StoreError};

/// The after-sale service: changes and lookups on transactions already made, for the merchant
/// API (cheap to clone: the clones share one state).
#[derive(Clone)]
pub struct AfterSale {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) store: Store,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) random: SharedRandom,
    pub(super) ancv: AncvPayments,
    pub(super) card: CardPayments,
    pub(super) notifier: MerchantNotifier,
}

/// What a transaction id names.
pub(super) enum Found {
    Ancv(AncvPayment),
    AncvRefund(AncvRefundRow, AncvPayment),
    Card(CardTransaction),
    CardOperation(CardOperation, CardTransaction),
}

impl AfterSale {
    /// Builds the service over the payment services it drives; `notifications` says how its TRS
    /// notifications are sent and retried.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        random: SharedRandom,
        ancv: AncvPayments,
        card: CardPayments,
        notifications: NotificationPolicy,
    ) -> AfterSale {
        let notifier = MerchantNotifier::new(notifications, store.clone());
        AfterSale {
            inner: Arc::new(Inner {
                store,
                clock,
                random,
                ancv,
                card,
                notifier,
            }),
        }
    }

    /// How many of the merchant's session notifications (WEBTRS) have failed since their last
    /// success, dead ones included (the back office's dashboard).
    pub async fn failing_notifications(&self, merchant_id: &MerchantId) -> Result<i64, StoreError> {
        let mut uow = self.inner.store.read().await?;
        uow.jobs()
            .failing_for_merchant(crate::notifications::NOTIFY_JOB, merchant_id)
            .await
    }

    /// The calls made to the merchant's notification URL about the sale `details` shows (WEBTRS
    /// for its session, TRS for the transaction and its operations), oldest first.
    pub async fn notifications_about(
        &self,
        details: &TransactionDetails,
    ) -> Result<Vec<NotificationAttempt>, StoreError> {
        let subjects = details
            .session
            .iter()
            .map(|session| session.token.as_str())
            .chain(std::iter::once(details.transaction.id.as_str()))
            .chain(details.associated.iter().map(|op| op.id.as_str()));
        let mut uow = self.inner.store.read().await?;
        let mut attempts = Vec::new();
        for subject in subjects {
            attempts.extend(uow.notification_attempts().about(subject).await?);
        }
        attempts.sort_by_key(|attempt| attempt.at);
        Ok(attempts)
    }

    /// Whether `id` is one of the merchant's transactions (payments and operations alike).
    pub async fn knows(&self, merchant_id: &MerchantId, id: &str) -> Result<bool, StoreError> {
        Ok(self.find(merchant_id, id).await?.is_some())
    }

    pub(super) async fn find(
        &self,
        merchant_id: &MerchantId,
        id: &str,
    ) -> Result<Option<Found>, StoreError> {
        let kind = self
            .inner
            .store
            .read()
            .await?
            .transaction_ids()
            .kind_of(id, merchant_id)
            .await?;
        let Some(kind) = kind.as_deref().and_then(TransactionKind::parse) else {
            return Ok(None);
        };
        Ok(match kind {
            TransactionKind::AncvPayment => self.inner.ancv.find(id).await?.map(Found::Ancv),
            TransactionKind::AncvRefund => {
                let refund = self
                    .inner
                    .store
                    .read()
                    .await?
                    .ancv_refunds()
                    .find(id)
                    .await?;
                match refund {
                    Some(refund) => self
                        .inner
                        .ancv
                        .find(&refund.payment_id)
                        .await?
                        .map(|payment| Found::AncvRefund(refund, payment)),
                    None => None,
                }
            }
            TransactionKind::CardPayment => self.inner.card.find(id).await?.map(Found::Card),
            TransactionKind::CardOperation => match self.inner.card.find_operation(id).await? {
                Some(op) => self
                    .inner
                    .card
                    .find(&op.transaction_id)
                    .await?
                    .map(|tx| Found::CardOperation(op, tx)),
                None => None,
            },
        })
    }

    /// Queues `GET <notificationURL>?notificationType=TRS&transactionId=<id>` when the sale had a
    /// notification URL.
    pub(super) async fn notify_trs(&self, transaction_id: &str) -> Result<(), StoreError> {
        let now = self.inner.clock.now();
        let mut uow = self.inner.store.write().await?;
        uow.jobs()
            .enqueue(TRS_JOB, transaction_id, now, now)
            .await?;
        uow.commit().await
    }
}
