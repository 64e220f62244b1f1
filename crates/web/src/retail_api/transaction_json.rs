//! Transactions as the after-sale service views them (`TransactionView`), in the JSON API's
//! words: `GET /v1/checkout/transactions/{id}`, and what a capture, refund or cancel answers.

use super::session_json::{buyer, iso_date, order, result};
use domain::return_code::ReturnCode;
use gateway::after_sale::{OperationAnswer, TransactionDetails, TransactionView};
use gateway::transaction_ids::TransactionKind;
use json_api::{
    AncvData, AssociatedTransaction, MadeTransaction, PartnerReturnedData, PaymentInstrumentData,
    PaymentInstrumentType, Transaction,
};

/// The JSON API's transaction type for a view's Payline label.
fn kind(view: &TransactionView) -> String {
    match view.label {
        "AUTHOR" => "AUTHORIZATION",
        "AUTHOR+CAP" => "AUTHORIZATION_AND_CAPTURE",
        "CAPTURE" => "CAPTURE",
        "RESET" => "RESET",
        _ => "REFUND",
    }
    .to_owned()
}

/// What a capture, refund or cancel answers: `result` (cvgate's sentence as `detail` when it
/// has one), and the transaction it made.
pub(crate) fn operation_body(answer: &OperationAnswer) -> json_api::OperationAnswer {
    let mut outcome = result(answer.code);
    if let Some(message) = &answer.message {
        outcome.detail.clone_from(message);
    }
    json_api::OperationAnswer {
        result: outcome,
        transaction: answer.transaction.as_ref().map(|made| MadeTransaction {
            id: made.id.clone(),
            date: iso_date(made.date),
            kind: kind(made),
            amount: made.amount,
            currency: made.currency.alpha(),
            origin_transaction_id: made.origin_id.clone(),
        }),
    }
}

/// `GET /v1/checkout/transactions/{id}`: the transaction, its sale, and its associated
/// transactions (the origin first, then its captures, refunds and resets).
pub(super) fn transaction_details(details: &TransactionDetails) -> json_api::TransactionDetails {
    let view = &details.transaction;
    let session = details.session.as_ref();
    json_api::TransactionDetails {
        result: result(view.code),
        transaction: transaction(view),
        session_id: session.map(|s| s.token.clone()),
        order: session.map(|s| order(&s.request)),
        buyer: session.map(|s| buyer(&s.request)),
        private_data: session.map(|s| s.request.private_data.iter().cloned().collect()),
        additional_transactions: (!details.additional.is_empty())
            .then(|| details.additional.iter().map(transaction).collect()),
        associated_transactions: std::iter::once(view)
            .chain(&details.associated)
            .map(associated)
            .collect(),
    }
}

/// One transaction, as the search and `GET transaction` show it.
pub(super) fn transaction(view: &TransactionView) -> Transaction {
    let ancv = matches!(
        view.kind,
        TransactionKind::AncvPayment | TransactionKind::AncvRefund
    );
    let capture = view.label != "AUTHOR";
    let payment_instrument_data = if ancv {
        PaymentInstrumentData {
            used_payment_instrument: "UsedAlternativePaymentMethod".to_owned(),
            masked_number: view.masked_card.clone(),
            expiration_date: None,
            network: None,
            payment_instrument_type: PaymentInstrumentType {
                code: Some("ANCV_CONNECT".to_owned()),
            },
        }
    } else {
        PaymentInstrumentData {
            used_payment_instrument: "UsedCard".to_owned(),
            masked_number: view.masked_card.clone(),
            expiration_date: view.card_expiry.clone(),
            network: view.card_type.clone(),
            payment_instrument_type: PaymentInstrumentType {
                code: view.card_type.clone(),
            },
        }
    };
    let additional_data = ancv.then(|| AncvData {
        ancv_state: view.partner_code.clone(),
        ancv_transaction_id: view
            .partner_additional_data
            .as_deref()
            .and_then(|data| data.strip_prefix("ancvTransactionId="))
            .map(str::to_owned),
    });
    Transaction {
        id: view.id.clone(),
        date: iso_date(view.date),
        kind: kind(view),
        currency: view.currency.alpha(),
        payment_type: "ONE_OFF".to_owned(),
        capture: if capture { "AUTOMATIC" } else { "MANUAL" }.to_owned(),
        requested_amount: view.amount,
        authorized_amount: (view.code == ReturnCode::Accepted).then_some(view.amount),
        payment_method_id: view.contract_number.to_string(),
        status: Some(view.status.clone()),
        origin_transaction_id: view.origin_id.clone(),
        payment_instrument_data,
        partner_returned_data: PartnerReturnedData {
            authorization_number: view.authorization_number.clone(),
            additional_data,
        },
        authentication_result_data: None,
    }
}

fn associated(view: &TransactionView) -> AssociatedTransaction {
    AssociatedTransaction {
        id: view.id.clone(),
        date: iso_date(view.date),
        kind: kind(view),
        amount: view.amount,
        status: if view.code == ReturnCode::Accepted {
            "OK"
        } else {
            "KO"
        }
        .to_owned(),
        origin_transaction_id: view.origin_id.clone(),
    }
}
