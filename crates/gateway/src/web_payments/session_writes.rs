//! How a session changes: read, apply the state machine, write if nobody changed it meanwhile,
//! and queue the jobs its effects call for in the same unit of work.

use super::give_back::ANCV_GIVE_BACK_JOB;
use super::model::{
    ANCV_REQUEST_WINDOW_MS, ANCV_REQUESTS_PER_WINDOW, Snapshot, WebPaymentError, card_error,
    may_pay_by_card, short, too_busy,
};
use super::service::Inner;
use crate::ancv_payments::StartPayment;
use crate::card_payments::{CardTransaction, PreparedPayment};
use crate::configuration_cache::MerchantSetup;
use crate::notifications::{NOTIFY_JOB, TRS_JOB};
use domain::ancv_payment::AncvPayment;
use domain::clock::Timestamp;
use domain::web_payment::session::Effect;
use domain::web_payment::{SessionEvent, SessionState, WebPayment};
use store::{StoreError, UnitOfWork};

/// How many times a session write is tried again when a concurrent writer was first.
pub(super) const WRITE_ATTEMPTS: usize = 10;

impl Inner {
    /// Read, change, write if unchanged meanwhile; queue the effects in the same unit of work.
    pub(super) async fn modify(
        &self,
        token: &str,
        mut change: impl FnMut(&mut WebPayment, Timestamp) -> Result<Vec<Effect>, WebPaymentError>,
    ) -> Result<Snapshot, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.store.write().await?;
            let Some(stored) = uow.web_payments().find(token).await? else {
                return Err(WebPaymentError::UnknownToken);
            };
            let now = self.clock.now();
            let mut payment = stored.clone();
            let mut effects = payment.session.expire_if_due(now);
            effects.extend(change(&mut payment, now)?);
            if !self
                .save(&mut uow, &stored, &mut payment, &effects, now)
                .await?
            {
                continue;
            }
            uow.commit().await?;
            if !effects.is_empty() {
                self.wake();
            }
            return self.snapshot_of(payment).await;
        }
        Err(too_busy(token).into())
    }

    /// Records the ANCV request and moves the session to "waiting for the app", together.
    /// Returns the ANCV payment id.
    pub(super) async fn record_ancv_request(
        &self,
        token: &str,
        start: &StartPayment,
    ) -> Result<String, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.store.write().await?;
            let (stored, payment, now) = self.load(&mut uow, token).await?;
            if payment.session.state != SessionState::OnPage {
                return Err(WebPaymentError::NotNow(
                    "a payment is already under way".into(),
                ));
            }
            let earlier = uow.ancv_payments().of_session(token).await?;
            if let Some(retry_after_seconds) = ancv_request_throttle(&earlier, now) {
                return Err(WebPaymentError::TooManyAttempts {
                    retry_after_seconds,
                });
            }
            let ancv = self
                .ancv
                .record_request(&mut uow, start.clone())
                .await
                .map_err(|error| WebPaymentError::NotNow(error.to_string()))?;
            let event = SessionEvent::AncvRequested {
                payment_id: ancv.payment_id.clone(),
            };
            if self.commit_move(uow, &stored, payment, event, now).await? {
                return Ok(ancv.payment_id);
            }
        }
        Err(too_busy(token).into())
    }

    /// Records the card attempt and moves the session to "card payment under way", together.
    pub(super) async fn record_card_attempt(
        &self,
        token: &str,
        prepared: &PreparedPayment,
    ) -> Result<CardTransaction, WebPaymentError> {
        for _ in 0..WRITE_ATTEMPTS {
            let mut uow = self.store.write().await?;
            let (stored, payment, now) = self.load(&mut uow, token).await?;
            let session = &payment.session;
            if !may_pay_by_card(session.state)
                || session.card_amount() != prepared.transaction().amount
            {
                return Err(WebPaymentError::NotNow(
                    "a card payment is not possible now".into(),
                ));
            }
            let tx = self
                .card
                .record_attempt(&mut uow, prepared)
                .await
                .map_err(card_error)?;
            let event = SessionEvent::CardRequested {
                transaction_id: tx.id.clone(),
            };
            if self.commit_move(uow, &stored, payment, event, now).await? {
                return Ok(tx);
            }
        }
        Err(too_busy(token).into())
    }

    /// The session as stored, and a copy brought up to `now` (expired if due, unsaved).
    pub(super) async fn load(
        &self,
        uow: &mut UnitOfWork,
        token: &str,
    ) -> Result<(WebPayment, WebPayment, Timestamp), WebPaymentError> {
        let Some(stored) = uow.web_payments().find(token).await? else {
            return Err(WebPaymentError::UnknownToken);
        };
        let now = self.clock.now();
        let mut payment = stored.clone();
        payment.session.expire_if_due(now);
        Ok((stored, payment, now))
    }

    /// Applies `event` to the session (brought up to `now`; what the event depends on is
    /// recorded in `uow` already) and commits it all with the jobs its effects call for.
    /// `Ok(false)`: a concurrent writer changed the session first (rolled back: try again).
    pub(super) async fn commit_move(
        &self,
        mut uow: UnitOfWork,
        stored: &WebPayment,
        mut payment: WebPayment,
        event: SessionEvent,
        now: Timestamp,
    ) -> Result<bool, WebPaymentError> {
        // (Callers refuse a session that expired on the way in: its expiry is the expiry
        // job's to record.)
        let effects = payment
            .session
            .apply(event)
            .map_err(|e| WebPaymentError::NotNow(e.to_string()))?;
        if !self
            .save(&mut uow, stored, &mut payment, &effects, now)
            .await?
        {
            return Ok(false);
        }
        uow.commit().await?;
        self.wake();
        Ok(true)
    }

    /// Writes `payment` if it differs from `stored` (only if nobody changed it since), and the
    /// jobs its effects call for, in `uow`. False when a concurrent writer was first.
    pub(super) async fn save(
        &self,
        uow: &mut UnitOfWork,
        stored: &WebPayment,
        payment: &mut WebPayment,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if payment != stored {
            payment.updated_at = now;
            if payment.session.state.is_final() && payment.finalized_at.is_none() {
                payment.finalized_at = Some(now);
                tracing::info!(token = %short(&payment.token), state = payment.session.state.as_str(), code = payment.session.return_code().code(), "web payment ended");
            }
            if !uow.web_payments().save_progress(payment).await? {
                return Ok(false);
            }
            payment.version += 1;
        }
        self.queue_effects(uow, payment, effects, now).await?;
        Ok(true)
    }

    pub(super) async fn queue_effects(
        &self,
        uow: &mut UnitOfWork,
        payment: &WebPayment,
        effects: &[Effect],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let notifies = payment.request.notification_url.is_some();
        for effect in effects {
            match effect {
                Effect::CancelAncv { payment_id } => {
                    uow.jobs()
                        .enqueue(ANCV_GIVE_BACK_JOB, payment_id, now, now)
                        .await?
                }
                Effect::NotifyMerchant if notifies => {
                    uow.jobs()
                        .enqueue(NOTIFY_JOB, &payment.token, now, now)
                        .await?
                }
                Effect::NotifyTransactionChanged { transaction_id } if notifies => {
                    uow.jobs()
                        .enqueue(TRS_JOB, transaction_id, now, now)
                        .await?
                }
                Effect::NotifyMerchant | Effect::NotifyTransactionChanged { .. } => {}
            }
        }
        Ok(())
    }

    /// The session as the merchant and the page see it, with the configuration read now.
    pub(super) async fn snapshot_of(
        &self,
        payment: WebPayment,
    ) -> Result<Snapshot, WebPaymentError> {
        let (_, setup) = MerchantSetup::read(&self.store, &payment.merchant_id).await?;
        self.snapshot_with(payment, &setup).await
    }

    /// The session as the merchant and the page see it, with the merchant's `setup`.
    pub(super) async fn snapshot_with(
        &self,
        payment: WebPayment,
        setup: &MerchantSetup,
    ) -> Result<Snapshot, WebPaymentError> {
        let contracts = payment
            .request
            .offered
            .iter()
            .filter_map(|number| {
                setup
                    .contracts
                    .iter()
                    .find(|c| &c.number == number)
                    .cloned()
            })
            .collect();
        let point_of_sale_label = setup
            .point_of_sale(payment.pos_id)
            .map(|pos| pos.label.clone())
            .unwrap_or_default();
        let ancv = match &payment.session.ancv_payment_id {
            Some(id) => {
                self.store
                    .quick_read()
                    .await?
                    .ancv_payments()
                    .find(id)
                    .await?
            }
            None => None,
        };
        let card = match &payment.session.card_transaction_id {
            Some(id) => self.card.find(id).await?,
            None => None,
        };
        Ok(Snapshot {
            payment,
            contracts,
            ancv,
            card,
            point_of_sale_label,
        })
    }

    pub(super) fn wake(&self) {
        if let Some(wake) = self.wake_worker.get() {
            wake.notify_one();
        }
    }
}

/// Seconds until the session may ask ANCV again, when it asked [`ANCV_REQUESTS_PER_WINDOW`]
/// times within the last [`ANCV_REQUEST_WINDOW_MS`] (`earlier`: its requests, oldest first).
fn ancv_request_throttle(earlier: &[AncvPayment], now: Timestamp) -> Option<u64> {
    let window_start = now.millis() - ANCV_REQUEST_WINDOW_MS;
    let recent: Vec<_> = earlier
        .iter()
        .filter(|p| p.created_at.millis() > window_start)
        .collect();
    if recent.len() < ANCV_REQUESTS_PER_WINDOW {
        return None;
    }
    // The oldest request that keeps the count at the limit leaves the window first.
    let frees_a_slot = recent[recent.len() - ANCV_REQUESTS_PER_WINDOW].created_at;
    let wait_ms = frees_a_slot.millis() + ANCV_REQUEST_WINDOW_MS - now.millis();
    Some(
        u64::try_from(wait_ms.max(0))
            .unwrap_or(0)
            .div_ceil(1000)
            .max(1),
    )
}
