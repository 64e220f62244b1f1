//! Paying by card: the card data checked, the attempt recorded (with the job that reconciles it),
//! the acquirer asked, its answer applied; 3-D Secure completion and reconciliation.

use super::model::{
    CHALLENGE_CHECK_MS, CardPaymentError, CardTransaction, MAX_ATTEMPTS, PayRequest, PaymentState,
    RECONCILE_DELAY_MS, RECONCILE_JOB,
};
use super::rows::{transaction_from_row, transaction_to_row};
use super::service::CardPayments;
use crate::transaction_ids::TransactionKind;
use card::{AuthorizationRequest, AuthorizationState, Decline, ThreeDs};
use domain::FieldError;
use domain::card::{CardData, card_type};
use domain::clock::Timestamp;
use domain::contract::ContractStatus;
use domain::field_error::text;
use domain::return_code::ReturnCode;
use store::{StoreError, UnitOfWork};

/// A card payment checked and ready to record: the transaction to write and the card data for
/// the one authorization call (in memory only; never printed).
pub struct PreparedPayment {
    pub(super) transaction: CardTransaction,
    pub(super) card: CardData,
    pub(super) three_ds_return_url: Option<String>,
}

impl PreparedPayment {
    /// What will be recorded (the id is given by [`CardPayments::record_attempt`]).
    pub fn transaction(&self) -> &CardTransaction {
        &self.transaction
    }
}

impl CardPayments {
    /// Pays by card: [`Self::prepare`], [`Self::record_attempt`] in a unit of work of its own,
    /// then [`Self::authorize`]. Returns the transaction: ACCEPTED, REFUSED (`return_code`),
    /// CHALLENGE (send the buyer to `challenge_url`), or PENDING when the acquirer's answer is
    /// unknown and could not be reconciled yet.
    pub async fn pay(&self, request: PayRequest) -> Result<CardTransaction, CardPaymentError> {
        let prepared = self.prepare(request)?;
        let mut uow = self.inner.store.write().await?;
        let recorded = self.record_attempt(&mut uow, &prepared).await?;
        uow.commit().await?;
        self.authorize(recorded, prepared).await
    }

    /// Checks the contract, the amount and the card data (a failure names the field and records
    /// nothing) and builds the transaction to record.
    pub fn prepare(&self, request: PayRequest) -> Result<PreparedPayment, CardPaymentError> {
        let now = self.inner.clock.now();
        let contract = &request.contract;
        let usable = contract.card_code.is_card()
            && contract.status == ContractStatus::Active
            && contract.merchant_id == request.merchant_id;
        if !usable {
            return Err(CardPaymentError::NotCardContract(
                contract.number.to_string(),
            ));
        }
        if request.amount <= 0 || request.amount >= 1_000_000_000_000 {
            return Err(FieldError::new(
                "amount",
                "must be a positive number of minor units (at most 12 digits)",
            )
            .into());
        }
        if request.currency != contract.currency {
            return Err(FieldError::new(
                "currency",
                format!("must be the contract's currency ({})", contract.currency),
            )
            .into());
        }
        let order_ref = text("order_ref", &request.order_ref, 50)?;
        let card = request.card.validate(now)?;
        // From here on only the parsed card exists, until the acquirer call returns.
        drop(request.card);
        let card_type = card_type(contract.card_code, card.number.brand())?;
        let transaction = CardTransaction {
            id: String::new(),
            merchant_id: request.merchant_id.clone(),
            contract_number: contract.number.clone(),
            order_ref,
            amount: request.amount,
            currency: request.currency,
            action: request.action,
            attempt_group: request.attempt_group.clone(),
            attempt_number: None,
            state: PaymentState::Pending,
            return_code: None,
            masked_number: card.number.masked(),
            card_type,
            expiry: card.expiry.as_mmyy(),
            card_token: None,
            authorization_number: None,
            three_ds: None,
            challenge_ref: None,
            challenge_url: None,
            balances: None,
            version: 0,
            created_at: now,
            updated_at: now,
        };
        Ok(PreparedPayment {
            transaction,
            card,
            three_ds_return_url: request.three_ds_return_url,
        })
    }

    /// Numbers the attempt in its group (refusing a fourth, a concurrent one, or one after
    /// acceptance), gives the transaction its id and writes it PENDING in the caller's unit of
    /// work, with the [`RECONCILE_JOB`] that will find out the outcome if nobody applies it.
    pub async fn record_attempt(
        &self,
        uow: &mut UnitOfWork,
        prepared: &PreparedPayment,
    ) -> Result<CardTransaction, CardPaymentError> {
        let mut tx = prepared.transaction.clone();
        if let Some(group) = &tx.attempt_group {
            tx.attempt_number = Some(next_attempt_number(uow, group).await?);
        }
        tx.id = self
            .new_id(uow, TransactionKind::CardPayment, &tx.merchant_id)
            .await?;
        match uow
            .card_transactions()
            .insert(&transaction_to_row(&tx))
            .await
        {
            Ok(()) => {}
            // Another attempt of the same session took this number first.
            Err(StoreError::Conflict { .. }) if tx.attempt_group.is_some() => {
                return Err(CardPaymentError::AttemptInProgress {
                    group: tx.attempt_group.clone().unwrap_or_default(),
                    transaction_id: None,
                });
            }
            Err(error) => return Err(error.into()),
        }
        let now = self.inner.clock.now();
        uow.jobs()
            .enqueue(
                RECONCILE_JOB,
                &tx.id,
                now.plus_millis(RECONCILE_DELAY_MS),
                now,
            )
            .await?;
        tracing::info!(transaction_id = %tx.id, attempt = tx.attempt_number, card = %tx.masked_number, "card payment requested");
        Ok(tx)
    }

    /// Asks the acquirer for the authorization of a payment recorded with
    /// [`Self::record_attempt`] and applies its answer (reconciling an unknown outcome with the
    /// acquirer's status at once). The card data is dropped as soon as the call returns.
    pub async fn authorize(
        &self,
        recorded: CardTransaction,
        prepared: PreparedPayment,
    ) -> Result<CardTransaction, CardPaymentError> {
        let PreparedPayment {
            card,
            three_ds_return_url,
            ..
        } = prepared;
        let tx = recorded;
        let authorization = AuthorizationRequest {
            reference: tx.id.clone(),
            // Checked at most 50 characters in `prepare`.
            order_ref: tx.order_ref.clone(),
            amount: tx.amount,
            currency: tx.currency,
            action: tx.action,
            card: &card,
            three_ds_return_url,
        };
        let answer = self.inner.acquirer.authorize(&authorization).await;
        // The card data is not needed any more.
        drop(authorization);
        drop(card);
        let tx = match answer {
            Ok(state) => self.apply(&tx.id, state).await?,
            Err(error) if error.certainly_not_done() => {
                tracing::warn!(transaction_id = %tx.id, %error, "card authorization not made");
                self.apply(&tx.id, AuthorizationState::Declined(Decline::AcquirerError))
                    .await?
            }
            Err(error) => {
                tracing::warn!(transaction_id = %tx.id, %error, "card authorization outcome unknown; reconciling with status");
                self.reconcile(&tx.id).await?
            }
        };
        Ok(tx)
    }

    /// The buyer came back from the ACS with `challenge_ref`: asks the acquirer for the result
    /// (the browser is not trusted). Returns the transaction, as it then stands. Callers should
    /// check that its `attempt_group` is the session they serve.
    pub async fn complete_three_ds(
        &self,
        challenge_ref: &str,
    ) -> Result<CardTransaction, CardPaymentError> {
        let row = {
            let mut uow = self.inner.store.read().await?;
            uow.card_transactions()
                .find_by_challenge(challenge_ref)
                .await?
        };
        let tx = transaction_from_row(row.ok_or(CardPaymentError::UnknownChallenge)?)?;
        if tx.state != PaymentState::ChallengeRequired {
            return Ok(tx);
        }
        match self
            .inner
            .acquirer
            .complete_three_ds(&tx.id, challenge_ref)
            .await
        {
            Ok(state) => Ok(self.apply(&tx.id, state).await?),
            Err(error) => {
                // The reconciliation job keeps asking while the challenge is open.
                tracing::warn!(transaction_id = %tx.id, %error, "3-D Secure result unknown; the reconciliation job will ask again");
                Ok(tx)
            }
        }
    }

    /// Asks the acquirer once where an open transaction stands, and applies it. (The
    /// [`RECONCILE_JOB`] calls this until the transaction is no longer open.)
    pub async fn reconcile(&self, id: &str) -> Result<CardTransaction, CardPaymentError> {
        let tx = self
            .find(id)
            .await?
            .ok_or_else(|| CardPaymentError::UnknownTransaction(id.to_owned()))?;
        if !tx.state.is_open() {
            return Ok(tx);
        }
        let now = self.inner.clock.now();
        let tx = match self.inner.acquirer.status(id).await {
            Ok(Some(state)) => self.apply(id, state).await?,
            Ok(None)
                if now.millis()
                    > tx.created_at.millis() + self.inner.config.never_arrived_after_ms =>
            {
                tracing::warn!(
                    transaction_id = id,
                    "the acquirer never received the authorization"
                );
                self.apply(id, AuthorizationState::Declined(Decline::AcquirerError))
                    .await?
            }
            Ok(None) => tx,
            Err(error) => {
                tracing::warn!(transaction_id = id, %error, "card status unavailable");
                tx
            }
        };
        Ok(tx)
    }

    /// Applies the acquirer's view of the authorization, forward-only, and tells the observer
    /// in the same unit of work; tries again if a concurrent writer was first.
    pub(super) async fn apply(
        &self,
        id: &str,
        state: AuthorizationState,
    ) -> Result<CardTransaction, StoreError> {
        self.change(id, |current| advanced(current, &state)).await
    }
}

/// The next attempt number of a payment session: refuses a fourth attempt, one while another is
/// under way, and one after acceptance.
pub(super) async fn next_attempt_number(
    uow: &mut UnitOfWork,
    group: &str,
) -> Result<i64, CardPaymentError> {
    let attempts = uow.card_transactions().attempts(group).await?;
    for attempt in &attempts {
        let transaction_id = attempt.id.clone();
        match PaymentState::parse(&attempt.state) {
            Some(PaymentState::Accepted) => {
                return Err(CardPaymentError::AlreadyPaid {
                    group: group.to_owned(),
                    transaction_id,
                });
            }
            Some(PaymentState::Pending | PaymentState::ChallengeRequired) | None => {
                return Err(CardPaymentError::AttemptInProgress {
                    group: group.to_owned(),
                    transaction_id: Some(transaction_id),
                });
            }
            Some(PaymentState::Refused) => {}
        }
    }
    if attempts.len() >= MAX_ATTEMPTS {
        return Err(CardPaymentError::TooManyAttempts {
            group: group.to_owned(),
        });
    }
    Ok(attempts.len() as i64 + 1)
}

/// The transaction once the acquirer's view is taken in (forward moves only; the amounts of an
/// accepted transaction follow the acquirer).
pub(super) fn advanced(current: &CardTransaction, state: &AuthorizationState) -> CardTransaction {
    let mut next = current.clone();
    match state {
        AuthorizationState::Accepted(accepted) => {
            if current.state.may_become(PaymentState::Accepted) {
                next.state = PaymentState::Accepted;
                next.return_code = Some(ReturnCode::Accepted);
                next.authorization_number = Some(accepted.authorization_number.clone());
                next.card_token = Some(accepted.card_token.clone());
                next.three_ds = Some(accepted.three_ds);
            }
            if next.state == PaymentState::Accepted {
                next.balances = Some(accepted.balances);
            }
        }
        AuthorizationState::ChallengeRequired {
            challenge_ref,
            acs_url,
        } => {
            if current.state.may_become(PaymentState::ChallengeRequired) {
                next.state = PaymentState::ChallengeRequired;
                next.three_ds = Some(ThreeDs::Challenge);
                next.challenge_ref = Some(challenge_ref.clone());
                next.challenge_url = Some(acs_url.clone());
            }
        }
        AuthorizationState::Declined(decline) => {
            if current.state.may_become(PaymentState::Refused) {
                next.state = PaymentState::Refused;
                next.return_code = Some(decline.return_code());
            }
        }
    }
    next
}

/// When to ask the acquirer again about a transaction still open: soon for an unknown outcome,
/// after the buyer's time for a challenge.
pub(super) fn next_check(tx: &CardTransaction, now: Timestamp) -> Option<Timestamp> {
    match tx.state {
        PaymentState::Pending => Some(now.plus_millis(RECONCILE_DELAY_MS)),
        PaymentState::ChallengeRequired => Some(now.plus_millis(CHALLENGE_CHECK_MS)),
        PaymentState::Accepted | PaymentState::Refused => None,
    }
}
