//! Giving back what a partner holds that no session counts on: vouchers of an ANCV payment
//! (cancelled at ANCV) and card acceptances (reset before remittance, refunded after). Queued by
//! the session's effects when it ends, and by [`super::follow`] whenever a payment becomes held
//! for a session that does not want it. Each job checks again before acting, so running it
//! twice, or late, never gives back what a session counts on.

use super::service::Inner;
use crate::ancv_payments::AncvPaymentObserver;
use domain::ancv_payment::AncvPaymentState;
use jobs::{JobFuture, JobHandler, JobOutcome};
use std::sync::Arc;

/// Subject: an ANCV payment id.
pub const ANCV_GIVE_BACK_JOB: &str = "ancv_give_back";
/// Subject: a card transaction id.
pub const CARD_GIVE_BACK_JOB: &str = "card_give_back";

/// While a reset or refund of the card payment is under way, look again this much later.
const CARD_RECHECK_MS: i64 = 30_000;

pub(super) fn handlers(inner: &Arc<Inner>) -> Vec<Arc<dyn JobHandler>> {
    vec![
        Arc::new(AncvGiveBack(Arc::clone(inner))),
        Arc::new(CardGiveBack(Arc::clone(inner))),
    ]
}

impl Inner {
    async fn give_back_ancv(&self, payment_id: &str) -> JobOutcome {
        let payment = match self.ancv.find(payment_id).await {
            Ok(Some(payment)) => payment,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        match self.wanted(&payment).await {
            Ok(true) => return JobOutcome::Done,
            Ok(false) => {}
            Err(error) => return JobOutcome::Failed(error.to_string()),
        }
        match payment.state {
            // Never sent: nothing can be held once it is abandoned.
            AncvPaymentState::Requested => {
                match self.ancv.abandon(payment_id, "NOT_WANTED").await {
                    Ok(_) => JobOutcome::Done,
                    Err(error) => JobOutcome::Failed(error.to_string()),
                }
            }
            // The poll job follows it: if it is authorized later, it is given back then.
            AncvPaymentState::Initialized | AncvPaymentState::Processing => JobOutcome::Done,
            state if state.is_authorized() => {
                let outcome = self.ancv.cancel(payment_id).await;
                match self.ancv.find(payment_id).await {
                    Ok(Some(now)) if !now.state.is_authorized() => {
                        tracing::info!(payment_id, state = %now.state, "ANCV vouchers given back");
                        JobOutcome::Done
                    }
                    Ok(_) => JobOutcome::Failed(match outcome {
                        Err(error) => error.to_string(),
                        Ok(_) => "ANCV did not cancel the payment".to_owned(),
                    }),
                    Err(error) => JobOutcome::Failed(error.to_string()),
                }
            }
            _ => JobOutcome::Done,
        }
    }

    async fn give_back_card(&self, transaction_id: &str) -> JobOutcome {
        let tx = match self.card.find(transaction_id).await {
            Ok(Some(tx)) => tx,
            Ok(None) => return JobOutcome::Done,
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let wanted = match &tx.attempt_group {
            Some(token) => match self.store.read().await {
                Ok(mut uow) => match uow.web_payments().find(token).await {
                    Ok(session) => session.is_some_and(|s| s.session.wants_card(transaction_id)),
                    Err(error) => return JobOutcome::Failed(error.to_string()),
                },
                Err(error) => return JobOutcome::Failed(error.to_string()),
            },
            None => true,
        };
        if wanted {
            return JobOutcome::Done;
        }
        match self.card.give_back(transaction_id).await {
            Ok(true) => JobOutcome::Done,
            Ok(false) => JobOutcome::RunAgainAt(self.clock.now().plus_millis(CARD_RECHECK_MS)),
            Err(error) => JobOutcome::Failed(error.to_string()),
        }
    }
}

struct AncvGiveBack(Arc<Inner>);

impl JobHandler for AncvGiveBack {
    fn kind(&self) -> &'static str {
        ANCV_GIVE_BACK_JOB
    }

    fn run<'a>(&'a self, payment_id: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.give_back_ancv(payment_id))
    }
}

struct CardGiveBack(Arc<Inner>);

impl JobHandler for CardGiveBack {
    fn kind(&self) -> &'static str {
        CARD_GIVE_BACK_JOB
    }

    fn run<'a>(&'a self, transaction_id: &'a str, _attempt: i64) -> JobFuture<'a> {
        Box::pin(self.0.give_back_card(transaction_id))
    }
}
