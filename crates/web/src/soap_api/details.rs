//! `getWebPaymentDetails` from a session snapshot (payline-v4.md §5): the first means of payment
//! at top level (the ANCV transaction of an ANCV payment), the complementary card payment in
//! `paymentAdditionalList`; top-level amount + additional amounts = order amount.

use super::reply::result;
use domain::ancv_payment::AncvPayment;
use domain::paris_time::format_payline;
use domain::return_code::ReturnCode;
use domain::web_payment::WebPayment;
use gateway::after_sale::ancv_partner_data;
use gateway::card_payments::{CardTransaction, PaymentState};
use gateway::web_payments::Snapshot;
use soap::objects::{
    AuthenticationOut, AuthorizationOut, BuyerOut, CardOut, ExtendedCardOut, OrderOut,
    PaymentAdditionalOut, PaymentOut, TransactionOut,
};
use soap::web_payment_api::WebPaymentDetailsOut;

pub fn unknown_token(message: Option<String>) -> WebPaymentDetailsOut {
    WebPaymentDetailsOut {
        result: result(ReturnCode::UnknownToken, message),
        ..WebPaymentDetailsOut::default()
    }
}

pub fn of(snapshot: &Snapshot) -> WebPaymentDetailsOut {
    let payment = &snapshot.payment;
    let request = &payment.request;
    let mut out = WebPaymentDetailsOut {
        result: result(payment.session.return_code(), None),
        order: OrderOut {
            reference: Some(request.order_ref.clone()),
            amount: Some(request.order_amount.to_string()),
            currency: Some(request.currency.to_string()),
            date: Some(request.order_date.clone()),
        },
        private_data: request.private_data.clone(),
        buyer: Some(BuyerOut {
            title: request.buyer.title.clone(),
            last_name: request.buyer.last_name.clone(),
            first_name: request.buyer.first_name.clone(),
            email: request.buyer.email.clone(),
            mobile_phone: request.buyer.mobile_phone.clone(),
            customer_id: request.buyer.customer_id.clone(),
        }),
        number_of_attempt: Some(payment.session.attempts.to_string()),
        ..WebPaymentDetailsOut::default()
    };
    // A card accepted for a session that ended meanwhile was given back by cvgate: it is not
    // part of this payment (getTransactionDetails shows it, with cvgate's reset).
    let card = snapshot.counted_card();
    match (&snapshot.ancv, card) {
        (Some(ancv), card) => {
            out.result.partner_code = ancv.partner_code.clone();
            out.result.partner_code_label = ancv.partner_code.as_deref().map(partner_label);
            describe_ancv(&mut out, payment, ancv);
            // The complementary card payment, once it paid.
            if let Some(card) = card.filter(|c| c.state == PaymentState::Accepted) {
                out.payment_additional = vec![additional(payment, card)];
            }
        }
        (None, Some(card)) => {
            let part = additional(payment, card);
            out.transaction = part.transaction;
            out.payment = part.payment;
            out.authorization = part.authorization;
            out.three_d_secure = part.three_d_secure;
            out.card = part.card.unwrap_or_default();
            out.extended_card = part.extended_card.unwrap_or_default();
            out.contract_number = Some(card.contract_number.to_string());
        }
        (None, None) => {
            out.payment = payment_out(
                payment,
                Some(request.amount),
                request.payment_contract.as_str(),
            );
            out.contract_number = Some(request.payment_contract.to_string());
        }
    }
    out
}

/// A card transaction as a means of payment (masked number only).
fn additional(payment: &WebPayment, card: &CardTransaction) -> PaymentAdditionalOut {
    let accepted = card.state == PaymentState::Accepted;
    let date = format_payline(card.created_at);
    let capture = card.action == card::Action::AuthorizationAndCapture;
    PaymentAdditionalOut {
        transaction: TransactionOut {
            id: Some(card.id.clone()),
            date: Some(date.clone()),
            is_duplicated: Some("0".into()),
            is_possible_fraud: Some("0".into()),
            three_d_secure: Some(if card.three_ds.is_some() { "Y" } else { "N" }.into()),
            kind: Some(if capture { "AUTHOR+CAP" } else { "AUTHOR" }.into()),
            order_reference: Some(payment.request.order_ref.clone()),
            customer_id: payment.request.buyer.customer_id.clone(),
            ..TransactionOut::default()
        },
        payment: PaymentOut {
            amount: Some(card.amount.to_string()),
            currency: Some(card.currency.to_string()),
            action: Some(card.action.code().to_string()),
            mode: Some("CPT".into()),
            contract_number: Some(card.contract_number.to_string()),
            soft_descriptor: payment.request.soft_descriptor.clone(),
            card_brand: Some(card.card_type.to_string()),
            ..PaymentOut::default()
        },
        authorization: AuthorizationOut {
            number: card.authorization_number.clone(),
            date: accepted.then(|| format_payline(card.updated_at)),
            authorized_amount: accepted.then(|| card.amount.to_string()),
            authorized_currency: accepted.then(|| card.currency.to_string()),
        },
        three_d_secure: card.three_ds.map(|three_ds| AuthenticationOut {
            eci: None,
            authentication_result: Some(three_ds.as_str().to_owned()),
        }),
        card: Some(CardOut {
            number: Some(card.masked_number.clone()),
            kind: Some(card.card_type.to_string()),
            expiration_date: Some(card.expiry.clone()),
            cardholder: None,
            token: card.card_token.clone(),
        }),
        extended_card: Some(ExtendedCardOut {
            country: None,
            kind: Some(card.card_type.to_string()),
            network: None,
        }),
    }
}

/// The ANCV transaction at top level.
fn describe_ancv(out: &mut WebPaymentDetailsOut, payment: &WebPayment, ancv: &AncvPayment) {
    let amount = ancv.validated_amount.unwrap_or(ancv.amount);
    let date = format_payline(ancv.created_at);
    out.transaction = TransactionOut {
        id: Some(ancv.payment_id.clone()),
        date: Some(date.clone()),
        is_duplicated: Some("0".into()),
        is_possible_fraud: Some("0".into()),
        kind: Some("AUTHOR+CAP".into()),
        order_reference: Some(payment.request.order_ref.clone()),
        customer_id: payment.request.buyer.customer_id.clone(),
        partner_additional_data: ancv_partner_data(ancv),
        ..TransactionOut::default()
    };
    out.payment = payment_out(payment, Some(amount), ancv.contract_number.as_str());
    out.authorization = AuthorizationOut {
        number: ancv.authorization_number.clone(),
        date: ancv
            .authorization_number
            .as_ref()
            .map(|_| format_payline(ancv.updated_at)),
        authorized_amount: ancv.validated_amount.map(|a| a.to_string()),
        authorized_currency: ancv.validated_amount.map(|_| ancv.currency.to_string()),
    };
    out.card = CardOut {
        number: ancv.holder.clone(),
        kind: Some("ANCV_CONNECT".into()),
        ..CardOut::default()
    };
    out.contract_number = Some(ancv.contract_number.to_string());
}

fn payment_out(payment: &WebPayment, amount: Option<i64>, contract: &str) -> PaymentOut {
    PaymentOut {
        amount: amount.map(|a| a.to_string()),
        currency: Some(payment.request.currency.to_string()),
        action: Some(payment.request.action.code().to_owned()),
        mode: Some("CPT".into()),
        contract_number: Some(contract.to_owned()),
        soft_descriptor: payment.request.soft_descriptor.clone(),
        ..PaymentOut::default()
    }
}

/// Words for ANCV's states and error codes (`partnerCodeLabel`).
fn partner_label(code: &str) -> String {
    match code {
        "PROCESSING" => "Waiting for the beneficiary to validate in the Chèque-Vacances app",
        "AUTHORIZED" | "VALIDATED" | "CONSIGNED" | "PAID" => "Validated by the beneficiary",
        "ABORTED" => "Declined by the beneficiary in the app",
        "EXPIRED" => "Not validated in time",
        "REJECTED" => "Refused by ANCV",
        "CANCELLED" => "Cancelled: the vouchers were given back",
        "BENEFICIARY_NOT_FOUND" => "Unknown Chèque-Vacances account",
        "OTHER_TRANSACTION_PENDING" => "Another payment is waiting in the beneficiary's app",
        "MERCHANT_NOT_ALLOWED" => "The Shop ID is not allowed at ANCV",
        _ => "ANCV answer",
    }
    .to_owned()
}
