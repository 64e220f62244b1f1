//! DirectPaymentAPI (doRefund, doReset, doCapture, doAuthorization) and ExtendedAPI
//! (getTransactionDetails, transactionsSearch): SOAP in, the after-sale service, SOAP out.

use super::auth::authenticated_request;
use super::reply::{SoapError, answer, result};
use crate::after_sale_answers::{remembered, soap_form};
use crate::state::AppState;
use axum::body::Bytes;
use axum::response::Response;
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::paris_time::{format_payline, instant_of};
use domain::return_code::ReturnCode;
use gateway::after_sale::{
    AuthorizeRequest, NoAnswer, Operation, OperationAnswer, Reply, SearchCriteria,
    TransactionDetails, TransactionView,
};
use soap::direct_payment_api::{
    AfterSaleOut, DoAuthorizationOut, decode_do_authorization, decode_do_capture, decode_do_refund,
    decode_do_reset, write_do_authorization, write_do_capture, write_do_refund, write_do_reset,
};
use soap::envelope::SoapRequest;
use soap::extended_api::{
    SearchOut, TransactionDetailsOut, decode_get_transaction_details, decode_transactions_search,
    write_transaction_details, write_transactions_search,
};
use soap::objects::{
    AssociatedTransactionOut, AuthorizationOut, BuyerOut, CardOut, ExtendedCardOut, OrderOut,
    PaymentAdditionalOut, PaymentOut, StatusHistoryOut, TransactionOut,
};
use store::StoreError;

/// DirectPaymentAPI or ExtendedAPI: authenticate, parse, dispatch, answer.
pub(super) async fn api(state: AppState, body: Bytes, service: &str) -> Response {
    answer(dispatch(&state, &body, service).await)
}

async fn dispatch(state: &AppState, body: &Bytes, service: &str) -> Result<String, SoapError> {
    let (merchant, request) = authenticated_request(body)?;
    let outcome = match service {
        "DirectPaymentAPI" => direct(state, &merchant, &request).await,
        _ => extended(state, &merchant, &request).await,
    };
    outcome.unwrap_or_else(|| {
        Err(SoapError::Client(format!(
            "{service} has no operation {}",
            request.operation
        )))
    })
}

/// The answer body of a DirectPaymentAPI call; `None` for an operation it does not have.
pub async fn direct(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Option<Result<String, SoapError>> {
    let body = &request.body;
    Some(match request.operation.as_str() {
        "doRefund" => {
            let input = decode_do_refund(body);
            let amount = input.payment.as_ref().and_then(|p| p.amount.clone());
            change(
                state,
                merchant,
                Operation::Refund,
                input.transaction_id,
                amount,
                input.sequence_number,
            )
            .await
        }
        "doReset" => {
            let input = decode_do_reset(body);
            change(
                state,
                merchant,
                Operation::Reset,
                input.transaction_id,
                input.amount,
                input.sequence_number,
            )
            .await
        }
        "doCapture" => {
            let input = decode_do_capture(body);
            let amount = input.payment.as_ref().and_then(|p| p.amount.clone());
            change(
                state,
                merchant,
                Operation::Capture,
                input.transaction_id,
                amount,
                input.sequence_number,
            )
            .await
        }
        "doAuthorization" => authorize(state, merchant, request).await,
        _ => return None,
    })
}

/// The answer body of an ExtendedAPI call; `None` for an operation it does not have.
pub async fn extended(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Option<Result<String, SoapError>> {
    Some(match request.operation.as_str() {
        "getTransactionDetails" => transaction_details(state, merchant, request).await,
        "transactionsSearch" => transactions_search(state, merchant, request).await,
        _ => return None,
    })
}

fn write_change(change: Operation, out: &AfterSaleOut) -> String {
    match change {
        Operation::Refund => write_do_refund(out),
        Operation::Reset => write_do_reset(out),
        Operation::Capture => write_do_capture(out),
    }
}

fn refusal(change: Operation, code: ReturnCode, message: &str) -> String {
    write_change(
        change,
        &AfterSaleOut {
            result: result(code, Some(message.to_owned())),
            transaction: TransactionOut::default(),
        },
    )
}

async fn change(
    state: &AppState,
    merchant: &MerchantId,
    change: Operation,
    transaction_id: Option<String>,
    amount: Option<String>,
    sequence_number: Option<String>,
) -> Result<String, SoapError> {
    let Some(transaction_id) = transaction_id else {
        return Ok(refusal(
            change,
            ReturnCode::InvalidField,
            "transactionID is mandatory",
        ));
    };
    let amount = match amount.as_deref().map(parse_amount) {
        None => None,
        Some(Ok(amount)) => Some(amount),
        Some(Err(())) => {
            return Ok(refusal(
                change,
                ReturnCode::InvalidAmount,
                "amount must be a positive integer (minor units)",
            ));
        }
    };
    let after_sale = &state.after_sale;
    let run = |request_key: Option<String>| async {
        let answer = after_sale
            .operate(change, merchant, &transaction_id, amount, request_key)
            .await?;
        Ok::<_, StoreError>(Reply {
            body: remembered(
                after_sale_body(change, &answer),
                &crate::retail_api::operation_body(&answer),
            ),
            settled: answer.is_settled(),
        })
    };
    after_sale
        .once(
            merchant,
            change.name(),
            &transaction_id,
            sequence_number.as_deref(),
            run,
        )
        .await
        .map(soap_form)
        .map_err(SoapError::internal)
}

/// The SOAP answer body to `change` (doRefund, doReset, doCapture).
pub(crate) fn after_sale_body(change: Operation, answer: &OperationAnswer) -> String {
    write_change(change, &change_out(answer))
}

fn change_out(answer: &OperationAnswer) -> AfterSaleOut {
    let mut out_result = result(answer.code, answer.message.clone());
    out_result.partner_code = answer.partner_code.clone();
    AfterSaleOut {
        result: out_result,
        transaction: answer
            .transaction
            .as_ref()
            .map(transaction_out)
            .unwrap_or_default(),
    }
}

async fn authorize(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Result<String, SoapError> {
    let input = decode_do_authorization(&request.body);
    let refuse = |code: ReturnCode, message: &str| {
        Ok(write_do_authorization(&DoAuthorizationOut {
            result: result(code, Some(message.to_owned())),
            ..DoAuthorizationOut::default()
        }))
    };
    let Some(payment) = input.payment.as_ref() else {
        return refuse(ReturnCode::InvalidField, "payment is mandatory");
    };
    let Some(card) = input.card.as_ref() else {
        return refuse(ReturnCode::InvalidField, "card is mandatory");
    };
    let Some(order_ref) = input.order.as_ref().and_then(|o| o.reference.clone()) else {
        return refuse(ReturnCode::InvalidField, "order.ref is mandatory");
    };
    let Ok(amount) = payment.amount.as_deref().map_or(Err(()), parse_amount) else {
        return refuse(
            ReturnCode::InvalidAmount,
            "payment.amount must be a positive integer (minor units)",
        );
    };
    let Ok(currency) = Currency::parse(
        "payment.currency",
        payment.currency.as_deref().unwrap_or(""),
    ) else {
        return refuse(
            ReturnCode::InvalidField,
            "payment.currency must be an ISO 4217 numeric code",
        );
    };
    let capture = match payment.action.as_deref() {
        Some("101") => true,
        Some("100") => false,
        _ => {
            return refuse(
                ReturnCode::InvalidAction,
                "payment.action must be 100 or 101",
            );
        }
    };
    if payment.mode.as_deref() != Some("CPT") {
        return refuse(ReturnCode::InvalidMode, "payment.mode must be CPT");
    }
    let authorize = AuthorizeRequest {
        contract_number: payment.contract_number.clone().unwrap_or_default(),
        amount,
        currency,
        capture,
        order_ref,
        card: card.to_card_input(),
    };
    let (code, card) = state
        .after_sale
        .authorize(merchant, authorize)
        .await
        .map_err(SoapError::internal)?;
    let Some(card) = card else {
        return refuse(code, code.long_message());
    };
    let view = gateway::after_sale::card_view(&card);
    Ok(write_do_authorization(&DoAuthorizationOut {
        result: result(code, None),
        transaction: transaction_out(&view),
        authorization: authorization_out(&view),
        card: card_out(&view),
        extended_card: ExtendedCardOut {
            kind: view.card_type.clone(),
            ..ExtendedCardOut::default()
        },
        contract_number: Some(view.contract_number.to_string()),
        ..DoAuthorizationOut::default()
    }))
}

async fn transaction_details(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Result<String, SoapError> {
    let input = decode_get_transaction_details(&request.body);
    let answer = state
        .after_sale
        .details(
            merchant,
            input.transaction_id.as_deref(),
            input.order_ref.as_deref(),
        )
        .await
        .map_err(SoapError::internal)?;
    let with_history = input
        .transaction_history
        .as_deref()
        .is_some_and(|h| h.eq_ignore_ascii_case("Y"));
    Ok(write_transaction_details(&match answer {
        Ok(details) => details_out(&details, with_history),
        Err(NoAnswer { code, message }) => TransactionDetailsOut {
            result: result(code, Some(message)),
            ..TransactionDetailsOut::default()
        },
    }))
}

async fn transactions_search(
    state: &AppState,
    merchant: &MerchantId,
    request: &SoapRequest,
) -> Result<String, SoapError> {
    let input = decode_transactions_search(&request.body);
    let refuse = |code: ReturnCode, message: &str| {
        Ok(write_transactions_search(&SearchOut {
            result: result(code, Some(message.to_owned())),
            transactions: vec![],
        }))
    };
    let from = match input.start_date.as_deref().map(day_start) {
        Some(None) => {
            return refuse(
                ReturnCode::InvalidField,
                "startDate must be dd/mm/yyyy, a year from 1970 to 2999",
            );
        }
        other => other.flatten(),
    };
    let to = match input
        .end_date
        .as_deref()
        .map(|d| day_start(d).map(|t| t.plus_millis(86_400_000)))
    {
        Some(None) => {
            return refuse(
                ReturnCode::InvalidField,
                "endDate must be dd/mm/yyyy, a year from 1970 to 2999",
            );
        }
        other => other.flatten(),
    };
    let amount = |value: &Option<String>, field: &str| {
        value
            .as_deref()
            .map(|v| parse_amount(v).map_err(|()| field.to_owned()))
            .transpose()
    };
    let (min_amount, max_amount) = match (
        amount(&input.min_amount, "minAmount"),
        amount(&input.max_amount, "maxAmount"),
    ) {
        (Ok(min), Ok(max)) => (min, max),
        (Err(field), _) | (_, Err(field)) => {
            return refuse(
                ReturnCode::InvalidAmount,
                &format!("{field} must be a positive integer"),
            );
        }
    };
    let criteria = SearchCriteria {
        from,
        to,
        transaction_id: input.transaction_id,
        order_ref: input.order_ref,
        contract_number: input.contract_number,
        return_code: input.return_code,
        email: input.email,
        min_amount,
        max_amount,
    };
    let found = state
        .after_sale
        .search(merchant, &criteria)
        .await
        .map_err(SoapError::internal)?;
    Ok(write_transactions_search(&match found {
        Ok(views) => SearchOut {
            result: result(ReturnCode::Accepted, None),
            transactions: views.iter().map(search_row).collect(),
        },
        Err(NoAnswer { code, message }) => SearchOut {
            result: result(code, Some(message)),
            transactions: vec![],
        },
    }))
}

/// `dd/mm/yyyy` at 00:00 in Paris.
fn day_start(date: &str) -> Option<domain::clock::Timestamp> {
    let mut parts = date.trim().split('/');
    let (day, month, year) = (
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
        parts.next()?.parse().ok()?,
    );
    // Years far out are refused before any date arithmetic can overflow on them.
    if parts.next().is_some()
        || !(1..=31).contains(&day)
        || !(1..=12).contains(&month)
        || !(1970..=2999).contains(&year)
    {
        return None;
    }
    instant_of(year, month, day, 0, 0)
}

/// A positive integer of at most 12 digits.
fn parse_amount(value: &str) -> Result<i64, ()> {
    let value = value.trim();
    if value.is_empty() || value.len() > 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    value
        .parse()
        .ok()
        .filter(|amount: &i64| *amount > 0)
        .ok_or(())
}

fn transaction_out(view: &TransactionView) -> TransactionOut {
    TransactionOut {
        id: Some(view.id.clone()),
        date: Some(format_payline(view.date)),
        is_duplicated: Some("0".into()),
        is_possible_fraud: Some("0".into()),
        kind: Some(view.label.to_owned()),
        order_reference: Some(view.order_ref.clone()),
        partner_additional_data: view.partner_additional_data.clone(),
        ..TransactionOut::default()
    }
}

fn payment_out(view: &TransactionView) -> PaymentOut {
    PaymentOut {
        amount: Some(view.amount.to_string()),
        currency: Some(view.currency.to_string()),
        action: Some(view.action.to_owned()),
        mode: Some("CPT".into()),
        contract_number: Some(view.contract_number.to_string()),
        card_brand: view.card_type.clone(),
        ..PaymentOut::default()
    }
}

fn authorization_out(view: &TransactionView) -> AuthorizationOut {
    let accepted = view.code == ReturnCode::Accepted;
    AuthorizationOut {
        number: view.authorization_number.clone(),
        date: accepted.then(|| format_payline(view.date)),
        authorized_amount: accepted.then(|| view.amount.to_string()),
        authorized_currency: accepted.then(|| view.currency.to_string()),
    }
}

fn card_out(view: &TransactionView) -> CardOut {
    CardOut {
        number: view.masked_card.clone(),
        kind: view.card_type.clone(),
        expiration_date: view.card_expiry.clone(),
        ..CardOut::default()
    }
}

fn search_row(view: &TransactionView) -> TransactionOut {
    TransactionOut {
        payment: Some(payment_out(view)),
        card: Some(card_out(view)),
        ..transaction_out(view)
    }
}

fn details_out(details: &TransactionDetails, with_history: bool) -> TransactionDetailsOut {
    let view = &details.transaction;
    let mut out_result = result(view.code, None);
    out_result.partner_code = view.partner_code.clone();
    let session = details.session.as_ref();
    TransactionDetailsOut {
        result: out_result,
        transaction: Some(transaction_out(view)),
        payment: Some(payment_out(view)),
        authorization: Some(authorization_out(view)),
        order: session.map(|s| OrderOut {
            reference: Some(s.request.order_ref.clone()),
            amount: Some(s.request.order_amount.to_string()),
            currency: Some(s.request.currency.to_string()),
            date: Some(s.request.order_date.clone()),
        }),
        buyer: session.map(|s| BuyerOut {
            title: s.request.buyer.title.clone(),
            last_name: s.request.buyer.last_name.clone(),
            first_name: s.request.buyer.first_name.clone(),
            email: s.request.buyer.email.clone(),
            mobile_phone: s.request.buyer.mobile_phone.clone(),
            customer_id: s.request.buyer.customer_id.clone(),
        }),
        private_data: session
            .map(|s| s.request.private_data.clone())
            .unwrap_or_default(),
        card: card_out(view),
        extended_card: ExtendedCardOut {
            kind: view.card_type.clone(),
            ..ExtendedCardOut::default()
        },
        associated_transactions: if with_history {
            details.associated.iter().map(associated_out).collect()
        } else {
            vec![]
        },
        status_history: if with_history {
            details
                .history
                .iter()
                .map(|entry| StatusHistoryOut {
                    transaction_id: Some(entry.transaction_id.clone()),
                    date: Some(format_payline(entry.at)),
                    amount: Some(entry.amount.to_string()),
                    status: Some(entry.status.clone()),
                    ..StatusHistoryOut::default()
                })
                .collect()
        } else {
            vec![]
        },
        contract_number: Some(view.contract_number.to_string()),
        payment_additional: details
            .additional
            .iter()
            .map(|part| PaymentAdditionalOut {
                transaction: transaction_out(part),
                payment: payment_out(part),
                authorization: authorization_out(part),
                card: Some(card_out(part)),
                ..PaymentAdditionalOut::default()
            })
            .collect(),
        ..TransactionDetailsOut::default()
    }
}

fn associated_out(view: &TransactionView) -> AssociatedTransactionOut {
    AssociatedTransactionOut {
        transaction_id: Some(view.id.clone()),
        kind: Some(view.label.to_owned()),
        date: Some(format_payline(view.date)),
        amount: Some(view.amount.to_string()),
        status: Some(view.status.clone()),
        origin_transaction_id: view.origin_id.clone(),
        currency: Some(view.currency.to_string()),
    }
}
