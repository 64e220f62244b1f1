//! Transactions as the merchant API shows them: ANCV payments and refunds, card transactions and
//! their operations, with their statuses.

use super::model::{REFUND_FAILED, TransactionView};
use crate::card_payments::{
    CardOperation, CardTransaction, Initiator, OperationState, PaymentState,
};
use crate::transaction_ids::TransactionKind;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::contract::CardCode;
use domain::return_code::ReturnCode;
use store::repos::AncvRefundRow;

pub(super) fn ancv_view(payment: &AncvPayment) -> TransactionView {
    let accepted = payment.state.is_authorized() || payment.state == AncvPaymentState::Cancelled;
    TransactionView {
        id: payment.payment_id.clone(),
        kind: TransactionKind::AncvPayment,
        date: payment.created_at,
        label: "AUTHOR+CAP",
        action: "101",
        amount: payment.validated_amount.unwrap_or(payment.amount),
        currency: payment.currency,
        contract_number: payment.contract_number.clone(),
        order_ref: payment.order_ref.clone(),
        code: match payment.state {
            _ if accepted => ReturnCode::Accepted,
            AncvPaymentState::Rejected => ReturnCode::PartnerRefused,
            AncvPaymentState::Refused => crate::ancv_payments::refusal_code(payment),
            AncvPaymentState::Requested
            | AncvPaymentState::Initialized
            | AncvPaymentState::Processing => ReturnCode::OnHoldPartner,
            _ => ReturnCode::PartnerRefused,
        },
        status: payment.state.as_str().to_owned(),
        partner_code: payment.partner_code.clone(),
        authorization_number: payment.authorization_number.clone(),
        masked_card: payment.holder.clone(),
        card_type: Some(CardCode::AncvConnect.as_str().to_owned()),
        card_expiry: None,
        three_ds: None,
        origin_id: None,
        partner_additional_data: ancv_partner_data(payment),
    }
}

/// `partnerAdditionalData` of an ANCV Connect transaction: ANCV's own transaction id, for a
/// tester or a merchant to find it at ANCV (`ancvTransactionId=fiawa31zot`). `None` until ANCV
/// gave one.
pub fn ancv_partner_data(payment: &AncvPayment) -> Option<String> {
    payment
        .ancv_id
        .as_ref()
        .map(|id| format!("ancvTransactionId={id}"))
}

/// A card payment as a transaction view.
pub fn card_view(card: &CardTransaction) -> TransactionView {
    let capture = card.action == card::Action::AuthorizationAndCapture;
    TransactionView {
        id: card.id.clone(),
        kind: TransactionKind::CardPayment,
        date: card.created_at,
        label: if capture { "AUTHOR+CAP" } else { "AUTHOR" },
        action: if capture { "101" } else { "100" },
        amount: card.amount,
        currency: card.currency,
        contract_number: card.contract_number.clone(),
        order_ref: card.order_ref.clone(),
        code: card.result_code(),
        status: card_status(card),
        partner_code: None,
        authorization_number: card.authorization_number.clone(),
        masked_card: Some(card.masked_number.clone()),
        card_type: Some(card.card_type.to_string()),
        card_expiry: Some(card.expiry.clone()),
        three_ds: card.three_ds.map(card::ThreeDs::as_str),
        origin_id: None,
        partner_additional_data: None,
    }
}

/// Added to the status of an operation cvgate made itself (initiator GATEWAY: giving back a card
/// payment no session counts on), e.g. `DONE_BY_CVGATE`, `RESET_DONE_BY_CVGATE`: Payline's lists
/// have no element saying who made an operation.
pub const BY_CVGATE: &str = "_BY_CVGATE";

/// The state with the code of a refusal or failure, `REFUSED_01100`: the associated
/// transactions and the status history have no element for a code.
pub(super) fn with_code(state: &str, code: Option<ReturnCode>) -> String {
    match code {
        Some(code) => format!("{state}_{}", code.code()),
        None => state.to_owned(),
    }
}

/// A card payment's status in the lists: `ACCEPTED`, `PENDING`, `CHALLENGE` (waiting for the
/// buyer's 3-D Secure challenge) or `REFUSED_<code>`.
pub(super) fn card_status(card: &CardTransaction) -> String {
    let refusal = match card.state {
        PaymentState::Refused => Some(card.result_code()),
        PaymentState::Pending | PaymentState::ChallengeRequired | PaymentState::Accepted => None,
    };
    with_code(card.state.as_str(), refusal)
}

pub(super) fn operation_code(op: &CardOperation) -> ReturnCode {
    op.return_code.unwrap_or(match op.state {
        OperationState::Done => ReturnCode::Accepted,
        OperationState::Pending => ReturnCode::InProgress,
        OperationState::Failed => ReturnCode::AcquirerError,
    })
}

/// A capture, reset or refund's status in the lists: `DONE`, `PENDING` or `FAILED_<code>`, and
/// [`BY_CVGATE`] when cvgate made it.
pub(super) fn operation_status(op: &CardOperation) -> String {
    let failure = match op.state {
        OperationState::Failed => Some(operation_code(op)),
        OperationState::Pending | OperationState::Done => None,
    };
    let status = with_code(op.state.as_str(), failure);
    match op.initiator {
        Initiator::Merchant => status,
        Initiator::Gateway => format!("{status}{BY_CVGATE}"),
    }
}

pub(super) fn operation_view(op: &CardOperation, card: &CardTransaction) -> TransactionView {
    let (label, action) = match op.kind {
        card::OperationKind::Capture => ("CAPTURE", "201"),
        card::OperationKind::Reset => ("RESET", "102"),
        card::OperationKind::Refund => ("REFUND", "421"),
    };
    TransactionView {
        id: op.id.clone(),
        kind: TransactionKind::CardOperation,
        date: op.created_at,
        label,
        action,
        amount: op.amount,
        currency: card.currency,
        contract_number: card.contract_number.clone(),
        order_ref: card.order_ref.clone(),
        code: operation_code(op),
        status: operation_status(op),
        partner_code: None,
        authorization_number: card.authorization_number.clone(),
        masked_card: Some(card.masked_number.clone()),
        card_type: Some(card.card_type.to_string()),
        card_expiry: Some(card.expiry.clone()),
        three_ds: None,
        origin_id: Some(card.id.clone()),
        partner_additional_data: None,
    }
}

pub(super) fn refund_view(refund: &AncvRefundRow, payment: &AncvPayment) -> TransactionView {
    let reset = refund.operation == "RESET";
    let code = refund
        .return_code
        .as_deref()
        .and_then(ReturnCode::from_code)
        .unwrap_or(ReturnCode::InProgress);
    TransactionView {
        id: refund.id.clone(),
        kind: TransactionKind::AncvRefund,
        date: refund.created_at,
        label: if reset { "RESET" } else { "REFUND" },
        action: if reset { "102" } else { "421" },
        amount: refund.amount,
        currency: payment.currency,
        contract_number: payment.contract_number.clone(),
        order_ref: payment.order_ref.clone(),
        code,
        status: with_code(
            &refund.state,
            (refund.state == REFUND_FAILED).then_some(code),
        ),
        partner_code: refund.partner_code.clone(),
        authorization_number: payment.authorization_number.clone(),
        masked_card: payment.holder.clone(),
        card_type: Some(CardCode::AncvConnect.as_str().to_owned()),
        card_expiry: None,
        three_ds: None,
        origin_id: Some(payment.payment_id.clone()),
        // The cancellation is made on that same ANCV transaction.
        partner_additional_data: ancv_partner_data(payment),
    }
}
