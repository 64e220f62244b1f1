//! The one path by which a payment's outcome reaches its session. Whoever learns something
//! about an ANCV or card payment — the request that made the call, the page, the ACS return, a
//! reconciliation or poll job, an ANCV notification, an after-sale call — records it through the
//! payment service, which calls this inside the same unit of work. So a payment and its session
//! are always committed together, and one rule is enforced here for every path:
//!
//! *a session that does not count on what a partner holds has it given back* — vouchers of an
//! ANCV payment the session no longer wants are cancelled at ANCV, a card acceptance the session
//! no longer wants (it ended, or moved on) is reset or refunded ([`super::give_back`]).

use super::give_back::{ANCV_GIVE_BACK_JOB, CARD_GIVE_BACK_JOB};
use super::service::Inner;
use crate::ancv_payments::{AncvPaymentObserver, refusal_code};
use crate::card_payments::{CardPaymentObserver, CardTransaction, PaymentState};
use crate::observer::ObserverFuture;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::return_code::ReturnCode;
use domain::web_payment::{SessionEvent, WebPayment};
use store::{StoreError, UnitOfWork};

impl AncvPaymentObserver for Inner {
    fn changed<'a>(
        &'a self,
        uow: &'a mut UnitOfWork,
        before: &'a AncvPayment,
        after: &'a AncvPayment,
    ) -> ObserverFuture<'a, bool> {
        Box::pin(self.follow_ancv(uow, before, after))
    }

    fn wanted<'a>(&'a self, payment: &'a AncvPayment) -> ObserverFuture<'a, bool> {
        Box::pin(async move {
            let mut uow = self.store.read().await?;
            let session = session_of_ancv(&mut uow, payment).await?;
            Ok(session.is_some_and(|s| s.session.wants_ancv(&payment.payment_id)))
        })
    }
}

impl CardPaymentObserver for Inner {
    fn changed<'a>(
        &'a self,
        uow: &'a mut UnitOfWork,
        before: &'a CardTransaction,
        after: &'a CardTransaction,
    ) -> ObserverFuture<'a, bool> {
        Box::pin(self.follow_card(uow, before, after))
    }
}

impl Inner {
    async fn follow_ancv(
        &self,
        uow: &mut UnitOfWork,
        before: &AncvPayment,
        after: &AncvPayment,
    ) -> Result<bool, StoreError> {
        let Some(stored) = session_of_ancv(uow, after).await? else {
            return Ok(true);
        };
        let event = ancv_event(before.state, after);
        let Some(session) = self.apply_news(uow, stored, event).await? else {
            return Ok(false);
        };
        if after.state.is_authorized() && !session.session.wants_ancv(&after.payment_id) {
            let now = self.clock.now();
            uow.jobs()
                .enqueue(ANCV_GIVE_BACK_JOB, &after.payment_id, now, now)
                .await?;
        }
        Ok(true)
    }

    async fn follow_card(
        &self,
        uow: &mut UnitOfWork,
        _before: &CardTransaction,
        after: &CardTransaction,
    ) -> Result<bool, StoreError> {
        let Some(token) = &after.attempt_group else {
            return Ok(true);
        };
        let Some(stored) = uow.web_payments().find(token).await? else {
            return Ok(true);
        };
        let event = match after.state {
            PaymentState::Accepted => Some(SessionEvent::CardAccepted {
                transaction_id: after.id.clone(),
                amount: after.amount,
            }),
            PaymentState::Refused => Some(SessionEvent::CardRefused {
                transaction_id: after.id.clone(),
                code: after.result_code(),
            }),
            PaymentState::Pending | PaymentState::ChallengeRequired => None,
        };
        let Some(session) = self.apply_news(uow, stored, event).await? else {
            return Ok(false);
        };
        if after.state == PaymentState::Accepted && !session.session.wants_card(&after.id) {
            let now = self.clock.now();
            uow.jobs()
                .enqueue(CARD_GIVE_BACK_JOB, &after.id, now, now)
                .await?;
        }
        Ok(true)
    }

    /// Brings the session up to date (expiry) and applies `event` if it makes sense now (news
    /// the session no longer counts on changes nothing). `Ok(None)`: a concurrent writer
    /// changed the session first.
    async fn apply_news(
        &self,
        uow: &mut UnitOfWork,
        stored: WebPayment,
        event: Option<SessionEvent>,
    ) -> Result<Option<WebPayment>, StoreError> {
        let now = self.clock.now();
        let mut payment = stored.clone();
        let mut effects = payment.session.expire_if_due(now);
        if let Some(event) = event {
            match payment.session.apply(event) {
                Ok(more) => effects.extend(more),
                Err(not_now) => tracing::debug!(%not_now, "news the session does not count on"),
            }
        }
        // The payment service wakes the worker once the unit of work is committed.
        let saved = self.save(uow, &stored, &mut payment, &effects, now).await?;
        Ok(saved.then_some(payment))
    }
}

/// The session an ANCV payment was asked for (older rows: the session that holds it now).
async fn session_of_ancv(
    uow: &mut UnitOfWork,
    payment: &AncvPayment,
) -> Result<Option<WebPayment>, StoreError> {
    match &payment.web_payment_token {
        Some(token) => uow.web_payments().find(token).await,
        None => {
            uow.web_payments()
                .find_by_ancv_payment(&payment.payment_id)
                .await
        }
    }
}

/// What an ANCV payment moving from `before` to `after.state` means for its session.
fn ancv_event(before: AncvPaymentState, after: &AncvPayment) -> Option<SessionEvent> {
    let payment_id = after.payment_id.clone();
    if after.state.is_authorized() {
        return match (before.is_authorized(), after.validated_amount) {
            (false, Some(amount)) => Some(SessionEvent::AncvValidated { payment_id, amount }),
            // Further on the way to being paid (VALIDATED → CONSIGNED → PAID): nothing new.
            (true, _) | (false, None) => None,
        };
    }
    match after.state {
        AncvPaymentState::Aborted => Some(SessionEvent::AncvDeclined { payment_id }),
        AncvPaymentState::Expired => Some(SessionEvent::AncvExpired { payment_id }),
        AncvPaymentState::Rejected => Some(SessionEvent::AncvRejected { payment_id }),
        AncvPaymentState::Cancelled => Some(SessionEvent::AncvCancelled { payment_id }),
        AncvPaymentState::Refused => Some(SessionEvent::AncvFailed {
            payment_id,
            code: refusal_code(after),
        }),
        AncvPaymentState::Abandoned => Some(SessionEvent::AncvFailed {
            payment_id,
            code: ReturnCode::InternalError,
        }),
        AncvPaymentState::Requested
        | AncvPaymentState::Initialized
        | AncvPaymentState::Processing
        | AncvPaymentState::Authorized
        | AncvPaymentState::Validated
        | AncvPaymentState::Consigned
        | AncvPaymentState::Paid => None,
    }
}
