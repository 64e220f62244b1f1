//! The buyer's steps on the hosted page: open, poll, pay with Chèque-Vacances, pay by card,
//! come back from 3-D Secure, cancel.

use super::model::{
    BeneficiaryProblem, Snapshot, WebPaymentError, card_error, may_pay_by_card, page_path,
};
use super::service::WebPayments;
use crate::ancv_payments::StartPayment;
use crate::card_payments::{CardPaymentError, PayRequest};
use domain::FieldError;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::card::CardInput;
use domain::return_code::ReturnCode;
use domain::web_payment::request::{Action, is_email};
use domain::web_payment::{SessionEvent, SessionState};

impl WebPayments {
    /// The buyer opens (or reloads) the page.
    pub async fn open(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner
            .modify(token, |payment, now| {
                if payment.opened_at.is_none() && !payment.session.state.is_final() {
                    payment.opened_at = Some(now);
                }
                Ok(payment
                    .session
                    .apply(SessionEvent::PageOpened)
                    .unwrap_or_default())
            })
            .await
    }

    /// The page polls while a partner is at work: asks the acquirer about a card payment under
    /// way and ANCV about a request in the app at once, rather than waiting for the jobs.
    pub async fn refresh(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        let snapshot = self.open(token).await?;
        if let Some(card) = snapshot.card.as_ref().filter(|c| c.state.is_open())
            && let Err(error) = self.inner.card.reconcile(&card.id).await
        {
            tracing::warn!(%error, "reading the acquirer for the page failed; the job will catch up");
        }
        if snapshot.payment.session.state == SessionState::AncvWaiting
            && let Some(payment_id) = &snapshot.payment.session.ancv_payment_id
            && let Err(error) = self.inner.ancv.refresh(payment_id, "page").await
        {
            tracing::warn!(%error, "reading ANCV for the page failed; the poll will catch up");
        }
        self.open(token).await
    }

    /// The buyer gave an ANCV identifier: the request is recorded with the session's move, then
    /// sent to the Chèque-Vacances app.
    pub async fn start_ancv(
        &self,
        token: &str,
        beneficiary: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        let beneficiary = beneficiary_id(beneficiary)?;
        let snapshot = self.open(token).await?;
        let Some(contract) = snapshot
            .ancv_contract()
            .filter(|_| snapshot.ancv_offered())
            .cloned()
        else {
            return Err(WebPaymentError::NotNow(
                "Chèque-Vacances Connect is not offered for this payment".into(),
            ));
        };
        let request = &snapshot.payment.request;
        let start = StartPayment {
            merchant_id: snapshot.payment.merchant_id.clone(),
            contract,
            order_ref: request.order_ref.clone(),
            label: Some(snapshot.merchant_display_name().to_owned()),
            amount: request.amount,
            beneficiary_id: beneficiary,
            web_payment_token: Some(token.to_owned()),
        };
        let payment_id = self.inner.record_ancv_request(token, &start).await?;
        // ANCV's answer reaches the session through `follow`, whatever it is.
        if let Err(error) = self.inner.ancv.submit(&payment_id).await {
            tracing::debug!(%error, "ANCV did not take the request");
        }
        let after = self.open(token).await?;
        match self.inner.ancv.find(&payment_id).await? {
            Some(sent) if after.payment.session.state == SessionState::OnPage => {
                match beneficiary_problem(&sent, after.payment.session.last_code) {
                    Some(problem) => Err(WebPaymentError::Beneficiary(problem)),
                    None => Ok(after),
                }
            }
            _ => Ok(after),
        }
    }

    /// The buyer pays by card: the whole amount, or what the vouchers left (with one of the
    /// complementary contracts). The attempt is recorded with the session's move, then
    /// authorized; a 3-D Secure challenge comes back through [`Self::complete_three_ds`].
    pub async fn pay_card(
        &self,
        token: &str,
        contract_number: &str,
        card: CardInput,
    ) -> Result<Snapshot, WebPaymentError> {
        let back_to_page = format!("{}{}/3ds", self.inner.public_base, page_path(token));
        self.pay_card_returning_to(token, contract_number, card, back_to_page)
            .await
    }

    /// [`Self::pay_card`] for another surface than the page (the widget): after a 3-D Secure
    /// challenge the ACS sends the buyer to `three_ds_return_url` (absolute), which must call
    /// [`Self::complete_three_ds`].
    pub async fn pay_card_returning_to(
        &self,
        token: &str,
        contract_number: &str,
        card: CardInput,
        three_ds_return_url: String,
    ) -> Result<Snapshot, WebPaymentError> {
        let snapshot = self.open(token).await?;
        let session = &snapshot.payment.session;
        if !may_pay_by_card(session.state) {
            return Err(WebPaymentError::NotNow(
                "a card payment is not possible now".into(),
            ));
        }
        let Some(contract) = snapshot
            .complementary_contracts()
            .into_iter()
            .find(|c| c.number.as_str() == contract_number)
            .cloned()
        else {
            return Err(WebPaymentError::Invalid(FieldError::new(
                "contract",
                "is not offered for this payment",
            )));
        };
        let request = &snapshot.payment.request;
        let prepared = self
            .inner
            .card
            .prepare(PayRequest {
                merchant_id: snapshot.payment.merchant_id.clone(),
                contract,
                order_ref: request.order_ref.clone(),
                amount: session.card_amount(),
                currency: request.currency,
                action: match request.action {
                    Action::Authorization => card::Action::Authorization,
                    Action::AuthorizationAndCapture => card::Action::AuthorizationAndCapture,
                },
                attempt_group: Some(token.to_owned()),
                three_ds_return_url: Some(three_ds_return_url),
                card,
            })
            .map_err(card_error)?;
        let recorded = self.inner.record_card_attempt(token, &prepared).await?;
        self.inner
            .card
            .authorize(recorded, prepared)
            .await
            .map_err(card_error)?;
        self.open(token).await
    }

    /// The buyer is back from the 3-D Secure challenge.
    pub async fn complete_three_ds(
        &self,
        token: &str,
        challenge_ref: &str,
    ) -> Result<Snapshot, WebPaymentError> {
        match self.inner.card.complete_three_ds(challenge_ref).await {
            Ok(card) if card.attempt_group.as_deref() == Some(token) => self.open(token).await,
            Ok(_) | Err(CardPaymentError::UnknownChallenge) => Err(WebPaymentError::NotNow(
                "unknown 3-D Secure challenge".into(),
            )),
            Err(error) => Err(card_error(error)),
        }
    }

    /// The buyer cancels: any ANCV part is given back (and a card payment under way, if it is
    /// accepted after all).
    pub async fn cancel(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner
            .modify(token, |payment, _| {
                payment
                    .session
                    .apply(SessionEvent::BuyerCancelled)
                    .map_err(|e| WebPaymentError::NotNow(e.to_string()))
            })
            .await
    }

    /// The session as it stands (expired first if its time is up).
    pub async fn snapshot(&self, token: &str) -> Result<Snapshot, WebPaymentError> {
        self.inner.modify(token, |_, _| Ok(vec![])).await
    }
}

/// An e-mail (lowercased) or an 11-digit ANCV identifier.
fn beneficiary_id(typed: &str) -> Result<String, WebPaymentError> {
    let typed = typed.trim();
    let is_ancv_id = typed.len() == 11 && typed.bytes().all(|b| b.is_ascii_digit());
    if is_ancv_id {
        Ok(typed.to_owned())
    } else if is_email(typed) {
        Ok(typed.to_ascii_lowercase())
    } else {
        Err(WebPaymentError::Invalid(FieldError::new(
            "beneficiary",
            "must be the e-mail address or the 11-digit ANCV identifier of your Chèque-Vacances account",
        )))
    }
}

/// What the buyer should be told when ANCV did not take a request at once (`None`: it did, or
/// its answer is not known yet).
fn beneficiary_problem(
    sent: &AncvPayment,
    last_code: Option<ReturnCode>,
) -> Option<BeneficiaryProblem> {
    match sent.state {
        AncvPaymentState::Refused | AncvPaymentState::Abandoned => {
            Some(match sent.partner_code.as_deref() {
                Some("BENEFICIARY_NOT_FOUND") => BeneficiaryProblem::UnknownAccount,
                Some("OTHER_TRANSACTION_PENDING") => BeneficiaryProblem::RequestPending,
                _ => BeneficiaryProblem::Other(last_code.unwrap_or(ReturnCode::InternalError)),
            })
        }
        _ => None,
    }
}
