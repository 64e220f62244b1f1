//! Card transactions and operations to and from their rows (the store keeps plain values; the
//! meaning is checked here when they are read).

use super::model::{CardOperation, CardTransaction, Initiator, OperationState, PaymentState};
use card::{Action, Balances, OperationKind, ThreeDs};
use domain::contract::{CardCode, ContractNumber};
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::return_code::ReturnCode;
use store::StoreError;
use store::repos::{CardOperationRow, CardTransactionRow};

pub(super) fn transaction_to_row(tx: &CardTransaction) -> CardTransactionRow {
    let balances = tx.balances;
    let amount = |get: fn(&Balances) -> i64| balances.as_ref().map_or(0, get);
    CardTransactionRow {
        id: tx.id.clone(),
        merchant_id: tx.merchant_id.as_str().to_owned(),
        contract_number: tx.contract_number.as_str().to_owned(),
        order_ref: tx.order_ref.clone(),
        amount: tx.amount,
        currency: i64::from(tx.currency.code()),
        action: tx.action.code(),
        attempt_group: tx.attempt_group.clone(),
        attempt_number: tx.attempt_number,
        state: tx.state.as_str().to_owned(),
        return_code: tx.return_code.map(|code| code.code().to_owned()),
        masked_number: tx.masked_number.clone(),
        card_type: tx.card_type.as_str().to_owned(),
        expiry: tx.expiry.clone(),
        card_token: tx.card_token.clone(),
        authorization_number: tx.authorization_number.clone(),
        three_ds: tx.three_ds.map(|t| t.as_str().to_owned()),
        challenge_ref: tx.challenge_ref.clone(),
        challenge_url: tx.challenge_url.clone(),
        authorized_amount: amount(|b| b.authorized),
        captured_amount: amount(|b| b.captured),
        reset_amount: amount(|b| b.reset),
        remitted_amount: amount(|b| b.remitted),
        refunded_amount: amount(|b| b.refunded),
        authorized_at: balances.map(|b| b.authorized_at),
        remitted_at: balances.and_then(|b| b.remitted_at),
        version: tx.version,
        created_at: tx.created_at,
        updated_at: tx.updated_at,
    }
}

pub(crate) fn transaction_from_row(row: CardTransactionRow) -> Result<CardTransaction, StoreError> {
    let corrupt =
        |detail: String| StoreError::corrupt("card_transactions", format!("{}: {detail}", row.id));
    let state = PaymentState::parse(&row.state)
        .ok_or_else(|| corrupt(format!("unknown state {:?}", row.state)))?;
    let return_code = match &row.return_code {
        Some(code) => Some(
            ReturnCode::from_code(code).ok_or_else(|| corrupt(format!("unknown code {code:?}")))?,
        ),
        None => None,
    };
    let balances = match (state, row.authorized_at) {
        (PaymentState::Accepted, Some(authorized_at)) => Some(Balances {
            authorized: row.authorized_amount,
            captured: row.captured_amount,
            reset: row.reset_amount,
            remitted: row.remitted_amount,
            refunded: row.refunded_amount,
            authorized_at,
            remitted_at: row.remitted_at,
        }),
        (PaymentState::Accepted, None) => {
            return Err(corrupt("accepted without authorization time".into()));
        }
        (PaymentState::Pending | PaymentState::ChallengeRequired | PaymentState::Refused, _) => {
            None
        }
    };
    Ok(CardTransaction {
        merchant_id: MerchantId::parse("merchant_id", &row.merchant_id)
            .map_err(|e| corrupt(e.to_string()))?,
        contract_number: ContractNumber::parse("contract_number", &row.contract_number)
            .map_err(|e| corrupt(e.to_string()))?,
        currency: Currency::from_code("currency", row.currency)
            .map_err(|e| corrupt(e.to_string()))?,
        action: Action::from_code(row.action)
            .ok_or_else(|| corrupt(format!("unknown action {}", row.action)))?,
        card_type: CardCode::parse("card_type", &row.card_type)
            .map_err(|e| corrupt(e.to_string()))?,
        three_ds: match &row.three_ds {
            Some(mode) => Some(
                ThreeDs::parse(mode)
                    .ok_or_else(|| corrupt(format!("unknown 3-D Secure mode {mode:?}")))?,
            ),
            None => None,
        },
        state,
        return_code,
        balances,
        id: row.id,
        order_ref: row.order_ref,
        amount: row.amount,
        attempt_group: row.attempt_group,
        attempt_number: row.attempt_number,
        masked_number: row.masked_number,
        expiry: row.expiry,
        card_token: row.card_token,
        authorization_number: row.authorization_number,
        challenge_ref: row.challenge_ref,
        challenge_url: row.challenge_url,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(super) fn operation_to_row(operation: &CardOperation) -> CardOperationRow {
    CardOperationRow {
        id: operation.id.clone(),
        transaction_id: operation.transaction_id.clone(),
        position: operation.position,
        kind: operation.kind.as_str().to_owned(),
        amount: operation.amount,
        state: operation.state.as_str().to_owned(),
        return_code: operation.return_code.map(|code| code.code().to_owned()),
        request_key: operation.request_key.clone(),
        initiator: operation.initiator.as_str().to_owned(),
        created_at: operation.created_at,
        updated_at: operation.updated_at,
    }
}

pub(crate) fn operation_from_row(row: CardOperationRow) -> Result<CardOperation, StoreError> {
    let corrupt =
        |detail: String| StoreError::corrupt("card_operations", format!("{}: {detail}", row.id));
    Ok(CardOperation {
        kind: OperationKind::parse(&row.kind)
            .ok_or_else(|| corrupt(format!("unknown kind {:?}", row.kind)))?,
        state: OperationState::parse(&row.state)
            .ok_or_else(|| corrupt(format!("unknown state {:?}", row.state)))?,
        return_code: match &row.return_code {
            Some(code) => Some(
                ReturnCode::from_code(code)
                    .ok_or_else(|| corrupt(format!("unknown code {code:?}")))?,
            ),
            None => None,
        },
        initiator: Initiator::parse(&row.initiator)
            .ok_or_else(|| corrupt(format!("unknown initiator {:?}", row.initiator)))?,
        request_key: row.request_key,
        id: row.id,
        transaction_id: row.transaction_id,
        position: row.position,
        amount: row.amount,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}
