//! Captures, resets and refunds: checked against cvgate's view with the acquirer's rules,
//! recorded with the job that finishes them (and the merchant request's key), sent, applied.
//! Also the giving back of a card payment no session counts on.

use super::model::{
    CardOperation, CardPaymentError, CardTransaction, Initiator, OPERATION_JOB, OperationOrder,
    OperationReport, OperationState, OperationStatus, PaymentState, RECONCILE_DELAY_MS,
};
use super::rows::{operation_from_row, operation_to_row, transaction_from_row, transaction_to_row};
use super::service::CardPayments;
use crate::transaction_ids::TransactionKind;
use card::{
    AcquirerError, Balances, OperationKind, OperationOutcome, OperationRequest, OperationResult,
};
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use jobs::JobOutcome;
use store::{StoreError, UnitOfWork};

impl CardPayments {
    /// doCapture: captures an action-100 authorization (`None`: all of it).
    pub async fn capture(
        &self,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
    ) -> Result<OperationReport, CardPaymentError> {
        self.operate(
            merchant_id,
            OperationOrder::merchant(OperationKind::Capture, transaction_id, amount),
        )
        .await
    }

    /// doReset: cancels before remittance (`None`: everything that is left).
    pub async fn reset(
        &self,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
    ) -> Result<OperationReport, CardPaymentError> {
        self.operate(
            merchant_id,
            OperationOrder::merchant(OperationKind::Reset, transaction_id, amount),
        )
        .await
    }

    /// doRefund: refunds after remittance (`None`: everything that is left).
    pub async fn refund(
        &self,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
    ) -> Result<OperationReport, CardPaymentError> {
        self.operate(
            merchant_id,
            OperationOrder::merchant(OperationKind::Refund, transaction_id, amount),
        )
        .await
    }

    /// Makes a capture, reset or refund: checked and recorded with its job, sent, applied. A
    /// request key already used returns that operation instead (finished now if it was not).
    pub async fn operate(
        &self,
        merchant_id: &MerchantId,
        order: OperationOrder,
    ) -> Result<OperationReport, CardPaymentError> {
        let operation = match self.record_operation(merchant_id, &order).await? {
            Ok(operation) => operation,
            Err(refused) => return Ok(refused),
        };
        if operation.state != OperationState::Pending {
            return self.report(operation).await;
        }
        let kind = operation.kind;
        let request = OperationRequest {
            reference: operation.transaction_id.clone(),
            operation_ref: operation.id.clone(),
            amount: Some(operation.amount),
        };
        let acquirer = &self.inner.acquirer;
        let answer = match acquirer.operate(kind, &request).await {
            // Safe to send again: the operation id makes it idempotent at the acquirer.
            Err(error) if !error.certainly_not_done() => {
                tracing::warn!(operation_id = %operation.id, %error, "card operation outcome unknown; sending it again");
                match acquirer.operate(kind, &request).await {
                    Err(AcquirerError::Unreachable { .. }) => Err(None),
                    other => other.map_err(Some),
                }
            }
            other => other.map_err(Some),
        };
        self.settle(operation, answer).await
    }

    /// Gives back what a card payment still holds (reset before remittance, refund after): for
    /// an acceptance no session counts on. `Ok(true)` once nothing is held any more; `Ok(false)`
    /// while an operation is under way (ask again later).
    pub async fn give_back(&self, transaction_id: &str) -> Result<bool, CardPaymentError> {
        let tx = self
            .find(transaction_id)
            .await?
            .ok_or_else(|| CardPaymentError::UnknownTransaction(transaction_id.to_owned()))?;
        let Some(balances) = tx.balances.filter(|_| tx.state == PaymentState::Accepted) else {
            return Ok(true);
        };
        if balances.held() == 0 {
            return Ok(true);
        }
        let kind = if balances.remitted_at.is_some() {
            OperationKind::Refund
        } else {
            OperationKind::Reset
        };
        let order = OperationOrder {
            kind,
            transaction_id: tx.id.clone(),
            amount: None,
            request_key: None,
            initiator: Initiator::Gateway,
        };
        match self.operate(&tx.merchant_id, order).await {
            Ok(report) => {
                tracing::info!(
                    transaction_id,
                    kind = kind.as_str(),
                    code = report.code().code(),
                    "card payment no session counts on given back"
                );
                Ok(report
                    .transaction
                    .balances
                    .is_none_or(|balances| balances.held() == 0))
            }
            Err(CardPaymentError::OperationInProgress { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// What a finished (or still pending) operation answers, with the transaction as it is.
    async fn report(&self, operation: CardOperation) -> Result<OperationReport, CardPaymentError> {
        let transaction = self.find(&operation.transaction_id).await?.ok_or_else(|| {
            CardPaymentError::UnknownTransaction(operation.transaction_id.clone())
        })?;
        let status = match operation.state {
            OperationState::Done => OperationStatus::Done,
            OperationState::Failed => {
                OperationStatus::Refused(operation.return_code.unwrap_or(ReturnCode::AcquirerError))
            }
            OperationState::Pending => OperationStatus::Pending,
        };
        Ok(OperationReport {
            status,
            operation: Some(operation),
            transaction,
        })
    }

    /// Checks the operation against cvgate's view with the acquirer's rules (what they refuse is
    /// never sent: `Ok(Err(report))`), then records it, PENDING, as the transaction's next
    /// operation, with the [`OPERATION_JOB`] that finishes it. One at a time per transaction. An
    /// operation already made for the order's request key is returned as it is.
    async fn record_operation(
        &self,
        merchant_id: &MerchantId,
        order: &OperationOrder,
    ) -> Result<Result<CardOperation, OperationReport>, CardPaymentError> {
        let now = self.inner.clock.now();
        let transaction_id = order.transaction_id.as_str();
        let unknown = || CardPaymentError::UnknownTransaction(transaction_id.to_owned());
        let mut uow = self.inner.store.write().await?;
        let row = uow
            .card_transactions()
            .find(transaction_id)
            .await?
            .ok_or_else(unknown)?;
        let tx = transaction_from_row(row)?;
        if &tx.merchant_id != merchant_id {
            return Err(unknown());
        }
        if let Some(key) = &order.request_key
            && let Some(made) = uow.card_transactions().operation_by_request(key).await?
        {
            return Ok(Ok(operation_from_row(made)?));
        }
        let earlier = uow.card_transactions().operations(&tx.id).await?;
        if let Some(pending) = earlier
            .iter()
            .find(|op| op.state == OperationState::Pending.as_str())
        {
            return Err(CardPaymentError::OperationInProgress {
                transaction_id: tx.id,
                operation_id: Some(pending.id.clone()),
            });
        }
        let checked = match (tx.state, tx.balances) {
            (PaymentState::Accepted, Some(balances)) => {
                balances.apply(order.kind, order.amount, now)
            }
            _ => Err(card::Rejection::NotAccepted),
        };
        let amount = match checked {
            Ok((_, amount)) => amount,
            Err(rejection) => {
                return Ok(Err(OperationReport {
                    status: OperationStatus::Refused(rejection.return_code()),
                    operation: None,
                    transaction: tx,
                }));
            }
        };
        let position = earlier.len() as i64 + 1;
        let operation = self
            .insert_operation(&mut uow, &tx, order, position, amount, now)
            .await?;
        uow.commit().await?;
        Ok(Ok(operation))
    }

    /// Writes the checked operation, PENDING, as the transaction's `position`-th, with the
    /// [`OPERATION_JOB`] that finishes it, in the caller's unit of work. Another operation
    /// written at the same moment wins: [`CardPaymentError::OperationInProgress`].
    async fn insert_operation(
        &self,
        uow: &mut UnitOfWork,
        tx: &CardTransaction,
        order: &OperationOrder,
        position: i64,
        amount: i64,
        now: Timestamp,
    ) -> Result<CardOperation, CardPaymentError> {
        let operation = CardOperation {
            id: self
                .new_id(uow, TransactionKind::CardOperation, &tx.merchant_id)
                .await?,
            transaction_id: tx.id.clone(),
            position,
            kind: order.kind,
            amount,
            state: OperationState::Pending,
            return_code: None,
            request_key: order.request_key.clone(),
            initiator: order.initiator,
            created_at: now,
            updated_at: now,
        };
        match uow
            .card_transactions()
            .insert_operation(&operation_to_row(&operation))
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict { .. }) => {
                return Err(CardPaymentError::OperationInProgress {
                    transaction_id: tx.id.clone(),
                    operation_id: None,
                });
            }
            Err(error) => return Err(error.into()),
        }
        uow.jobs()
            .enqueue(
                OPERATION_JOB,
                &operation.id,
                now.plus_millis(RECONCILE_DELAY_MS),
                now,
            )
            .await?;
        Ok(operation)
    }

    /// Applies the acquirer's answer to an operation. `Err(Some)`: the acquirer surely did
    /// nothing; `Err(None)`: still unknown.
    async fn settle(
        &self,
        operation: CardOperation,
        answer: Result<OperationResult, Option<AcquirerError>>,
    ) -> Result<OperationReport, CardPaymentError> {
        let now = self.inner.clock.now();
        let (status, state, code, balances) = match answer {
            Ok(result) => match result.outcome {
                OperationOutcome::Done { .. } => (
                    OperationStatus::Done,
                    OperationState::Done,
                    ReturnCode::Accepted,
                    result.balances,
                ),
                OperationOutcome::Rejected(rejection) => {
                    let code = rejection.return_code();
                    (
                        OperationStatus::Refused(code),
                        OperationState::Failed,
                        code,
                        result.balances,
                    )
                }
            },
            Err(Some(error)) if error.certainly_not_done() => {
                tracing::warn!(operation_id = %operation.id, %error, "card operation not made");
                let code = ReturnCode::AcquirerError;
                (
                    OperationStatus::Refused(code),
                    OperationState::Failed,
                    code,
                    None,
                )
            }
            Err(error) => {
                // The operation job, recorded with the operation, keeps sending it.
                if let Some(error) = error {
                    tracing::warn!(operation_id = %operation.id, %error, "card operation outcome still unknown");
                }
                let transaction = self.find(&operation.transaction_id).await?.ok_or_else(|| {
                    CardPaymentError::UnknownTransaction(operation.transaction_id.clone())
                })?;
                return Ok(OperationReport {
                    status: OperationStatus::Pending,
                    operation: Some(operation),
                    transaction,
                });
            }
        };
        let finished = CardOperation {
            state,
            return_code: Some(code),
            updated_at: now,
            ..operation
        };
        let transaction = match balances {
            Some(balances) => {
                self.save_balances(&finished.transaction_id, balances, Some(&finished), now)
                    .await?
            }
            None => {
                let mut uow = self.inner.store.write().await?;
                self.finish_operation(&mut uow, &finished).await?;
                uow.commit().await?;
                self.find(&finished.transaction_id).await?.ok_or_else(|| {
                    CardPaymentError::UnknownTransaction(finished.transaction_id.clone())
                })?
            }
        };
        tracing::info!(operation_id = %finished.id, transaction_id = %finished.transaction_id, kind = finished.kind.as_str(), code = code.code(), "card operation finished");
        Ok(OperationReport {
            status,
            operation: Some(finished),
            transaction,
        })
    }

    /// Takes the acquirer's amounts as cvgate's, and finishes `operation` in the same unit of
    /// work.
    pub(super) async fn save_balances(
        &self,
        id: &str,
        balances: Balances,
        operation: Option<&CardOperation>,
        now: Timestamp,
    ) -> Result<CardTransaction, CardPaymentError> {
        for _ in 0..5 {
            let current = self
                .find(id)
                .await?
                .ok_or_else(|| CardPaymentError::UnknownTransaction(id.to_owned()))?;
            let mut uow = self.inner.store.write().await?;
            let mut next = current.clone();
            if current.state == PaymentState::Accepted && current.balances != Some(balances) {
                next.balances = Some(balances);
                next.updated_at = now;
                if !uow
                    .card_transactions()
                    .update(&transaction_to_row(&next))
                    .await?
                {
                    continue;
                }
                next.version += 1;
            }
            if let Some(operation) = operation {
                self.finish_operation(&mut uow, operation).await?;
            }
            uow.commit().await?;
            return Ok(next);
        }
        Err(StoreError::corrupt(
            "card_transactions",
            format!("transaction {id} keeps changing under its appliers"),
        )
        .into())
    }

    /// Records how a PENDING operation ended; a merchant's refund or reset that is done is told
    /// to the merchant (TRS), whoever learned the outcome (the request or the operation job).
    async fn finish_operation(
        &self,
        uow: &mut UnitOfWork,
        operation: &CardOperation,
    ) -> Result<(), StoreError> {
        let finished = uow
            .card_transactions()
            .update_operation_from(
                OperationState::Pending.as_str(),
                &operation_to_row(operation),
            )
            .await?;
        let tells_merchant = operation.initiator == Initiator::Merchant
            && operation.kind != OperationKind::Capture
            && operation.state == OperationState::Done;
        if finished && tells_merchant {
            let now = self.inner.clock.now();
            uow.jobs()
                .enqueue(crate::notifications::TRS_JOB, &operation.id, now, now)
                .await?;
        }
        Ok(())
    }

    /// The [`OPERATION_JOB`]: sends a pending operation again until the acquirer answers.
    pub(super) async fn retry_operation(&self, operation_id: &str) -> JobOutcome {
        let found = async {
            let mut uow = self.inner.store.read().await?;
            uow.card_transactions().find_operation(operation_id).await
        };
        let operation = match found
            .await
            .map(|row| row.map(operation_from_row).transpose())
        {
            Ok(Ok(Some(operation))) if operation.state == OperationState::Pending => operation,
            Ok(Ok(_)) => return JobOutcome::Done,
            Ok(Err(error)) | Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        let request = OperationRequest {
            reference: operation.transaction_id.clone(),
            operation_ref: operation.id.clone(),
            amount: Some(operation.amount),
        };
        let answer = match self.inner.acquirer.operate(operation.kind, &request).await {
            Ok(result) => Ok(result),
            // Only the acquirer's own refusal is final: an earlier send may have been done.
            Err(error @ AcquirerError::Refused { .. }) => Err(Some(error)),
            Err(error) => return JobOutcome::Failed(error.to_string()),
        };
        match self.settle(operation, answer).await {
            Ok(_) => JobOutcome::Done,
            Err(error) => JobOutcome::Failed(error.to_string()),
        }
    }
}
