//! Transactions as the after-sale service views them (`TransactionView`), in the JSON API's
//! words: `GET /v1/checkout/transactions/{id}`, and what a capture, refund or cancel answers.

use super::session_json::{add_sale, iso_date, result};
use domain::return_code::ReturnCode;
use gateway::after_sale::{OperationAnswer, TransactionDetails, TransactionView};
use gateway::transaction_ids::TransactionKind;
use serde_json::{Value, json};

/// The JSON API's transaction type for a view's Payline label.
fn kind(view: &TransactionView) -> &'static str {
    match view.label {
        "AUTHOR" => "AUTHORIZATION",
        "AUTHOR+CAP" => "AUTHORIZATION_AND_CAPTURE",
        "CAPTURE" => "CAPTURE",
        "RESET" => "RESET",
        _ => "REFUND",
    }
}

/// `result` for a code, with cvgate's sentence as `detail` when it has one.
fn result_saying(code: ReturnCode, message: Option<&str>) -> Value {
    let mut result = result(code);
    if let Some(message) = message {
        result["detail"] = message.into();
    }
    result
}

/// What a capture, refund or cancel answers: `result`, and the transaction it made.
pub(crate) fn operation_body(answer: &OperationAnswer) -> Value {
    let mut body = json!({
        "result": result_saying(answer.code, answer.message.as_deref()),
    });
    if let Some(made) = &answer.transaction {
        body["transaction"] = json!({
            "id": made.id,
            "date": iso_date(made.date),
            "type": kind(made),
            "amount": made.amount,
            "currency": made.currency.alpha(),
            "originTransactionId": made.origin_id,
        });
    }
    body
}

/// `GET /v1/checkout/transactions/{id}`: the transaction, its sale, and its associated
/// transactions (the origin first, then its captures, refunds and resets).
pub(super) fn transaction_details(details: &TransactionDetails) -> Value {
    let view = &details.transaction;
    let mut body = json!({
        "result": result(view.code),
        "transaction": transaction(view),
    });
    if let Some(session) = &details.session {
        add_sale(&mut body, &session.request);
        body["sessionId"] = session.token.clone().into();
    }
    if !details.additional.is_empty() {
        body["additionalTransactions"] = details.additional.iter().map(transaction).collect();
    }
    let associated: Vec<Value> = std::iter::once(view)
        .chain(&details.associated)
        .map(associated)
        .collect();
    body["associatedTransactions"] = associated.into();
    body
}

fn transaction(view: &TransactionView) -> Value {
    let ancv = matches!(
        view.kind,
        TransactionKind::AncvPayment | TransactionKind::AncvRefund
    );
    let capture = !matches!(view.label, "AUTHOR");
    let accepted = view.code == ReturnCode::Accepted;
    let mut transaction = json!({
        "id": view.id,
        "date": iso_date(view.date),
        "type": kind(view),
        "currency": view.currency.alpha(),
        "paymentType": "ONE_OFF",
        "capture": if capture { "AUTOMATIC" } else { "MANUAL" },
        "requestedAmount": view.amount,
        "authorizedAmount": accepted.then_some(view.amount),
        "paymentMethodId": view.contract_number.as_str(),
        "status": view.status,
        "partnerReturnedData": {"authorizationNumber": view.authorization_number},
    });
    transaction["paymentInstrumentData"] = if ancv {
        json!({
            "usedPaymentInstrument": "UsedAlternativePaymentMethod",
            "maskedNumber": view.masked_card,
            "paymentInstrumentType": {"code": "ANCV_CONNECT"},
        })
    } else {
        json!({
            "usedPaymentInstrument": "UsedCard",
            "maskedNumber": view.masked_card,
            "expirationDate": view.card_expiry,
            "network": view.card_type,
            "paymentInstrumentType": {"code": view.card_type},
        })
    };
    if ancv {
        let ancv_transaction_id = view
            .partner_additional_data
            .as_deref()
            .and_then(|data| data.strip_prefix("ancvTransactionId="));
        transaction["partnerReturnedData"]["additionalData"] = json!({
            "ancvState": view.partner_code,
            "ancvTransactionId": ancv_transaction_id,
        });
    }
    if let Some(origin) = &view.origin_id {
        transaction["originTransactionId"] = origin.clone().into();
    }
    transaction
}

fn associated(view: &TransactionView) -> Value {
    json!({
        "id": view.id,
        "date": iso_date(view.date),
        "type": kind(view),
        "amount": view.amount,
        "status": if view.code == ReturnCode::Accepted { "OK" } else { "KO" },
        "originTransactionId": view.origin_id,
    })
}
