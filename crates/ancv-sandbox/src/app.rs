//! The beneficiary's side (spec §6): the "app" where a request waiting for validation is
//! validated (for the full amount or less) or declined with the secret code, and the automatic
//! test beneficiaries that answer by themselves.

use crate::accounts::{BeneficiaryView, beneficiary_not_found};
use crate::error::SandboxError;
use crate::ids;
use crate::job_kinds::CAPTURE_JOB;
use crate::model::{self, AutoAnswer, Event, State};
use crate::record::Txn;
use crate::rules::BeneficiaryRef;
use crate::sandbox::Sandbox;
use crate::secret;
use crate::storage::{self, SandboxBeneficiary};
use ancv::ErrorCode;
use ancv::wire::CaptureMode;
use domain::clock::Timestamp;
use jobs::JobOutcome;
use serde::Serialize;
use store::UnitOfWork;

/// What the app shows a beneficiary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequests {
    /// The signed-in beneficiary's 11-digit ANCV identifier (JSON `beneficiaryId`).
    pub beneficiary_id: String,
    /// Their lower-cased e-mail (`email`).
    pub email: String,
    /// What is left to spend (`balance`), in cents (integer minor units).
    pub balance: i64,
    /// The requests waiting for an answer (`requests`), oldest first.
    pub requests: Vec<PendingRequest>,
}

/// One payment request waiting in the beneficiary's app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequest {
    /// The ANCV transaction id to answer (JSON `transactionId`).
    pub transaction_id: String,
    /// The order's label, or the shop id when there is none.
    pub merchant: String,
    /// The amount asked of the vouchers (`amount`), in cents (integer minor units).
    pub amount: i64,
    /// ISO 4217 numeric currency (`currency`): always 978, the euro.
    pub currency: i64,
    /// When the validation window ends (`expiresAt`), RFC 3339 UTC.
    pub expires_at: String,
    /// Whole seconds left to answer (`secondsLeft`), rounded up, never negative.
    pub seconds_left: i64,
}

/// The result of a validation or a decline in the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppOutcome {
    /// The ANCV transaction id answered (JSON `transactionId`).
    pub transaction_id: String,
    /// The transaction's state afterwards (`state`): AUTHORIZED, VALIDATED or ABORTED.
    pub state: State,
    /// What was validated (`validatedAmount`), in cents; `None` for a decline.
    pub validated_amount: Option<i64>,
    /// The beneficiary's balance afterwards.
    pub balance: i64,
}

impl Sandbox {
    /// Checks a beneficiary's identifier (ANCV id or e-mail) and secret code, for the app page.
    pub async fn sign_in(
        &self,
        id_or_email: &str,
        secret_code: &str,
    ) -> Result<BeneficiaryView, SandboxError> {
        let reference = BeneficiaryRef::parse("beneficiaryId", id_or_email)?;
        let mut uow = self.store().read().await?;
        let found = self.find_beneficiary(&mut uow, &reference).await?;
        uow.rollback().await?;
        let beneficiary = found.ok_or_else(beneficiary_not_found)?;
        check_code(&beneficiary, secret_code)?;
        Ok(BeneficiaryView::of(&beneficiary))
    }

    /// The requests waiting in the beneficiary's app (those whose window elapsed are expired on
    /// the way and not shown).
    pub async fn pending_requests(
        &self,
        id_or_email: &str,
    ) -> Result<PendingRequests, SandboxError> {
        let reference = BeneficiaryRef::parse("beneficiaryId", id_or_email)?;
        let now = self.now();
        let mut uow = self.store().write().await?;
        let beneficiary = self
            .find_beneficiary(&mut uow, &reference)
            .await?
            .ok_or_else(beneficiary_not_found)?;
        let ids = storage::tables(&mut uow)
            .transaction_ids_of_beneficiary(&beneficiary.beneficiary_id, State::Processing.as_str())
            .await?;
        let mut requests = Vec::new();
        for id in ids {
            if let Some(txn) = self.load_current(&mut uow, &id, now).await?
                && txn.state == State::Processing
            {
                requests.push(pending_request(&txn, now));
            }
        }
        self.commit(uow).await?;
        Ok(PendingRequests {
            beneficiary_id: beneficiary.beneficiary_id,
            email: beneficiary.email,
            balance: beneficiary.balance,
            requests,
        })
    }

    /// Validates a request for `amount` cents (`None`: the full requested amount).
    pub async fn validate_request(
        &self,
        transaction_id: &str,
        secret_code: &str,
        amount: Option<i64>,
    ) -> Result<AppOutcome, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        let (mut txn, beneficiary) = self
            .request_for_holder(&mut uow, transaction_id, secret_code, now)
            .await?;
        model::next_states(txn.state, Event::Validate(txn.capture_mode))?;
        let requested = txn.row.payer_amount.unwrap_or(txn.row.amount);
        let amount = crate::rules::validated_amount(requested, beneficiary.balance, amount)?;
        self.authorize(&mut uow, &mut txn, &beneficiary, amount, now)
            .await?;
        self.commit(uow).await?;
        Ok(AppOutcome {
            transaction_id: txn.id().to_owned(),
            state: txn.state,
            validated_amount: Some(amount),
            balance: beneficiary.balance - amount,
        })
    }

    /// Declines a request: ABORTED.
    pub async fn decline_request(
        &self,
        transaction_id: &str,
        secret_code: &str,
    ) -> Result<AppOutcome, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        let (mut txn, beneficiary) = self
            .request_for_holder(&mut uow, transaction_id, secret_code, now)
            .await?;
        self.apply(&mut uow, &mut txn, Event::Decline, now).await?;
        self.commit(uow).await?;
        Ok(AppOutcome {
            transaction_id: txn.id().to_owned(),
            state: txn.state,
            validated_amount: None,
            balance: beneficiary.balance,
        })
    }

    /// An automatic test beneficiary answers its pending request (the auto job).
    pub(crate) async fn run_auto_answer(&self, id: &str) -> Result<JobOutcome, SandboxError> {
        let now = self.now();
        let mut uow = self.store().write().await?;
        let Some(mut txn) = self.load_current(&mut uow, id, now).await? else {
            return Ok(JobOutcome::Done);
        };
        // Already answered in the app, or expired: nothing left to do.
        if txn.state == State::Processing {
            let beneficiary = self.holder(&mut uow, &txn).await?;
            let behaviour = Self::behaviour_of(&beneficiary)?;
            let requested = txn.row.payer_amount.unwrap_or(txn.row.amount);
            match model::auto_answer(behaviour, requested, beneficiary.balance) {
                AutoAnswer::Validate(amount) => {
                    self.authorize(&mut uow, &mut txn, &beneficiary, amount, now)
                        .await?;
                }
                AutoAnswer::Decline => {
                    self.apply(&mut uow, &mut txn, Event::Decline, now).await?;
                }
                AutoAnswer::Nothing => {}
            }
        }
        self.commit(uow).await?;
        Ok(JobOutcome::Done)
    }

    /// The request and its beneficiary, once the secret code is checked. A transaction with no
    /// payer yet was never in anyone's app: not found.
    async fn request_for_holder(
        &self,
        uow: &mut UnitOfWork,
        transaction_id: &str,
        secret_code: &str,
        now: Timestamp,
    ) -> Result<(Txn, SandboxBeneficiary), SandboxError> {
        let txn = self
            .load_current(uow, transaction_id, now)
            .await?
            .filter(|txn| txn.row.beneficiary_id.is_some())
            .ok_or_else(|| {
                SandboxError::refused(
                    ErrorCode::TransactionNotFound,
                    "no request in the app has this transaction id",
                )
            })?;
        let beneficiary = self.holder(uow, &txn).await?;
        check_code(&beneficiary, secret_code)?;
        Ok((txn, beneficiary))
    }

    async fn holder(
        &self,
        uow: &mut UnitOfWork,
        txn: &Txn,
    ) -> Result<SandboxBeneficiary, SandboxError> {
        let id = txn.row.beneficiary_id.as_deref().unwrap_or_default();
        storage::tables(uow)
            .find_beneficiary(id)
            .await?
            .ok_or_else(|| {
                SandboxError::Internal(format!("transaction {}: its beneficiary is gone", txn.id()))
            })
    }

    /// Validation: the amount leaves the balance, the authorization is recorded, the transaction
    /// is AUTHORIZED (then VALIDATED at once, or at its capture date).
    async fn authorize(
        &self,
        uow: &mut UnitOfWork,
        txn: &mut Txn,
        beneficiary: &SandboxBeneficiary,
        amount: i64,
        now: Timestamp,
    ) -> Result<(), SandboxError> {
        txn.row.validated_amount = Some(amount);
        txn.row.authorization_number = Some(ids::authorization_number(self.random()));
        txn.row.validated_at = Some(now);
        let capture_mode = txn.capture_mode;
        self.apply(uow, txn, Event::Validate(capture_mode), now)
            .await?;
        let debited = storage::tables(uow)
            .debit_balance(&beneficiary.beneficiary_id, amount, now)
            .await?;
        if !debited {
            return Err(SandboxError::refused(
                ErrorCode::InvalidTransactionAmount,
                "the balance is lower than the amount",
            ));
        }
        match capture_mode {
            CaptureMode::Normal => {}
            CaptureMode::Deferred => {
                let at = txn.row.capture_at.unwrap_or(now).max(now);
                uow.jobs().enqueue(CAPTURE_JOB, txn.id(), at, now).await?;
            }
        }
        Ok(())
    }
}

fn check_code(beneficiary: &SandboxBeneficiary, secret_code: &str) -> Result<(), SandboxError> {
    if secret::matches(
        &beneficiary.secret_code_hash,
        &beneficiary.beneficiary_id,
        secret_code,
    ) {
        Ok(())
    } else {
        tracing::info!(beneficiary = %beneficiary.beneficiary_id, "ANCV sandbox app: wrong secret code");
        Err(SandboxError::InvalidSecretCode)
    }
}

fn pending_request(txn: &Txn, now: Timestamp) -> PendingRequest {
    let row = &txn.row;
    let millis_left = (row.expires_at.millis() - now.millis()).max(0);
    PendingRequest {
        transaction_id: row.id.clone(),
        merchant: row.label.clone().unwrap_or_else(|| row.shop_id.clone()),
        amount: row.payer_amount.unwrap_or(row.amount),
        currency: row.currency,
        expires_at: row.expires_at.to_rfc3339(),
        seconds_left: (millis_left + 999) / 1000,
    }
}
