//! doCapture, doReset, doRefund and doAuthorization: on card transactions through the card
//! payment service, on ANCV transactions as a cancellation at ANCV.

use super::model::{AuthorizeRequest, Operation, OperationAnswer};
use super::service::{AfterSale, Found};
use super::views::operation_view;
use crate::card_payments::{
    CardPaymentError, CardTransaction, Initiator, OperationOrder, PayRequest,
};
use domain::contract::{CardCode, ContractNumber, ContractStatus};
use domain::merchant::MerchantId;
use domain::return_code::ReturnCode;
use store::StoreError;

impl AfterSale {
    /// doRefund (a card transaction after remittance, partial and repeated up to the captured
    /// amount; an ANCV Connect transaction in full, once), doReset (a card transaction before
    /// remittance, full or partial; an ANCV transaction is cancelled like a refund) or doCapture
    /// (an action-100 card authorization, within 7 days).
    ///
    /// `request_key` ties the operation to the merchant request that asked for it (see
    /// [`Self::once`]): a repeat finds the operation it made.
    pub async fn operate(
        &self,
        operation: Operation,
        merchant_id: &MerchantId,
        transaction_id: &str,
        amount: Option<i64>,
        request_key: Option<String>,
    ) -> Result<OperationAnswer, StoreError> {
        match self.find(merchant_id, transaction_id).await? {
            None => Ok(OperationAnswer::refused(
                ReturnCode::InvalidField,
                format!("transactionID {transaction_id} is unknown"),
            )),
            Some(Found::Card(card)) => {
                let kind = match operation {
                    Operation::Refund => card::OperationKind::Refund,
                    Operation::Reset => card::OperationKind::Reset,
                    Operation::Capture => card::OperationKind::Capture,
                };
                let order = OperationOrder {
                    kind,
                    transaction_id: card.id.clone(),
                    amount,
                    request_key,
                    initiator: Initiator::Merchant,
                };
                self.card_operation(merchant_id, order).await
            }
            Some(Found::Ancv(payment)) => match operation {
                Operation::Refund | Operation::Reset => {
                    self.cancel_ancv(operation, merchant_id, &payment, amount, request_key)
                        .await
                }
                Operation::Capture => Ok(OperationAnswer::refused(
                    ReturnCode::InvalidAction,
                    "an ANCV_CONNECT transaction is captured at once (action 101): nothing to capture",
                )),
            },
            Some(Found::AncvRefund(..) | Found::CardOperation(..)) => Ok(OperationAnswer::refused(
                ReturnCode::InvalidField,
                format!("transactionID {transaction_id} is itself a refund, reset or capture"),
            )),
        }
    }

    async fn card_operation(
        &self,
        merchant_id: &MerchantId,
        order: OperationOrder,
    ) -> Result<OperationAnswer, StoreError> {
        let report = match self.inner.card.operate(merchant_id, order).await {
            Ok(report) => report,
            Err(CardPaymentError::Store(error)) => return Err(error),
            Err(error) => {
                return Ok(OperationAnswer::refused(
                    error.return_code(),
                    error.to_string(),
                ));
            }
        };
        // The TRS notification of a refund or reset is queued by the card service with the
        // operation's outcome (whoever learns it).
        let transaction = report
            .operation
            .as_ref()
            .map(|op| operation_view(op, &report.transaction));
        Ok(OperationAnswer {
            code: report.code(),
            message: None,
            partner_code: None,
            transaction,
        })
    }

    /// doAuthorization: a card payment with the card data in the request. ANCV Connect needs the
    /// beneficiary's app: refused (02321).
    pub async fn authorize(
        &self,
        merchant_id: &MerchantId,
        request: AuthorizeRequest,
    ) -> Result<(ReturnCode, Option<CardTransaction>), StoreError> {
        let contract = {
            let mut uow = self.inner.store.read().await?;
            match ContractNumber::parse("payment.contractNumber", &request.contract_number) {
                Ok(number) => uow.contracts().find(merchant_id, &number).await?,
                Err(_) => None,
            }
        };
        let Some(contract) = contract.filter(|c| c.status == ContractStatus::Active) else {
            return Ok((ReturnCode::InvalidContract, None));
        };
        if contract.card_code == CardCode::AncvConnect {
            return Ok((ReturnCode::InvalidAction, None));
        }
        let paid = self
            .inner
            .card
            .pay(PayRequest {
                merchant_id: merchant_id.clone(),
                contract,
                order_ref: request.order_ref,
                amount: request.amount,
                currency: request.currency,
                action: if request.capture {
                    card::Action::AuthorizationAndCapture
                } else {
                    card::Action::Authorization
                },
                attempt_group: None,
                three_ds_return_url: None,
                card: request.card,
            })
            .await;
        match paid {
            Ok(card) => Ok((card.result_code(), Some(card))),
            Err(CardPaymentError::Store(error)) => Err(error),
            Err(error) => Ok((error.return_code(), None)),
        }
    }
}
