//! A session as `GET /v1/checkout/sessions/{id}` shows it: the `result` SOAP gives for the same
//! state, the order, the buyer, and one transaction per means of payment (the ANCV transaction
//! first, then the card complement), whose authorized amounts add up to the order's.

use domain::ancv_payment::AncvPayment;
use domain::clock::Timestamp;
use domain::paris_time::instant_of;
use domain::return_code::ReturnCode;
use domain::web_payment::ValidWebPayment;
use gateway::card_payments::{CardTransaction, PaymentState};
use gateway::web_payments::Snapshot;
use json_api::{
    AncvData, AuthenticationResult, Buyer, Order, PartnerReturnedData, PaylineResult,
    PaymentInstrumentData, PaymentInstrumentType, Session, Transaction,
};

/// Payline's triple for `code`: `title` (shortMessage), `code`, `detail` (longMessage).
pub(super) fn result(code: ReturnCode) -> PaylineResult {
    PaylineResult {
        title: code.short_message().to_owned(),
        code: code.code().to_owned(),
        detail: code.long_message().to_owned(),
    }
}

/// `2026-06-20T18:46:33.000+02:00`, in Paris.
pub(super) fn iso_date(at: Timestamp) -> String {
    let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_millisecond(at.millis())
        .map(|t| {
            t.to_zoned(paris)
                .strftime("%Y-%m-%dT%H:%M:%S%.3f%:z")
                .to_string()
        })
        .unwrap_or_default()
}

/// Payline's `dd/mm/yyyy HH:mm` (Paris wall clock) as an ISO date; `None` if it is not one.
fn iso_of_payline(date: &str) -> Option<String> {
    let number = |range: std::ops::Range<usize>| date.get(range)?.parse::<u32>().ok();
    let at = instant_of(
        i64::from(number(6..10)?),
        number(3..5)?,
        number(0..2)?,
        number(11..13)?,
        number(14..16)?,
    )?;
    Some(iso_date(at))
}

/// The whole session.
pub(super) fn session(snapshot: &Snapshot) -> Session {
    let payment = &snapshot.payment;
    let transactions = transactions(snapshot);
    Session {
        result: result(payment.session.return_code()),
        session_id: payment.token.clone(),
        order: order(&payment.request),
        buyer: buyer(&payment.request),
        private_data: payment.request.private_data.iter().cloned().collect(),
        transactions: (!transactions.is_empty()).then_some(transactions),
    }
}

/// What the merchant sold.
pub(super) fn order(request: &ValidWebPayment) -> Order {
    Order {
        reference: request.order_ref.clone(),
        amount: request.order_amount,
        currency: "EUR".to_owned(),
        date: iso_of_payline(&request.order_date),
    }
}

/// To whom.
pub(super) fn buyer(request: &ValidWebPayment) -> Buyer {
    let buyer = &request.buyer;
    Buyer {
        id: buyer.customer_id.clone(),
        title: buyer.title.clone(),
        first_name: buyer.first_name.clone(),
        last_name: buyer.last_name.clone(),
        email: buyer.email.clone(),
        mobile: buyer.mobile_phone.clone(),
    }
}

/// One transaction per means of payment: the ANCV one, then the card that paid the rest (or the
/// card alone when there was no ANCV part).
fn transactions(snapshot: &Snapshot) -> Vec<Transaction> {
    let capture = snapshot.payment.request.action.code() == "101";
    let mut list = Vec::new();
    if let Some(ancv) = &snapshot.ancv {
        list.push(ancv_transaction(ancv));
    }
    let card = snapshot
        .counted_card()
        .filter(|c| snapshot.ancv.is_none() || c.state == PaymentState::Accepted);
    if let Some(card) = card {
        list.push(card_transaction(card, capture));
    }
    list
}

fn ancv_transaction(ancv: &AncvPayment) -> Transaction {
    Transaction {
        id: ancv.payment_id.clone(),
        date: iso_date(ancv.created_at),
        kind: "AUTHORIZATION_AND_CAPTURE".to_owned(),
        currency: "EUR".to_owned(),
        payment_type: "ONE_OFF".to_owned(),
        capture: "AUTOMATIC".to_owned(),
        requested_amount: ancv.amount,
        authorized_amount: ancv.validated_amount,
        payment_method_id: ancv.contract_number.to_string(),
        status: None,
        origin_transaction_id: None,
        payment_instrument_data: PaymentInstrumentData {
            used_payment_instrument: "UsedAlternativePaymentMethod".to_owned(),
            masked_number: ancv.holder.clone(),
            expiration_date: None,
            network: None,
            payment_instrument_type: PaymentInstrumentType {
                code: Some("ANCV_CONNECT".to_owned()),
            },
        },
        partner_returned_data: PartnerReturnedData {
            authorization_number: ancv.authorization_number.clone(),
            additional_data: Some(AncvData {
                ancv_state: Some(ancv.state.to_string()),
                ancv_transaction_id: ancv.ancv_id.clone(),
            }),
        },
        authentication_result_data: None,
    }
}

fn card_transaction(card: &CardTransaction, capture: bool) -> Transaction {
    let accepted = card.state == PaymentState::Accepted;
    let network = card.card_type.to_string();
    Transaction {
        id: card.id.clone(),
        date: iso_date(card.created_at),
        kind: if capture {
            "AUTHORIZATION_AND_CAPTURE"
        } else {
            "AUTHORIZATION"
        }
        .to_owned(),
        currency: "EUR".to_owned(),
        payment_type: "ONE_OFF".to_owned(),
        capture: if capture { "AUTOMATIC" } else { "MANUAL" }.to_owned(),
        requested_amount: card.amount,
        authorized_amount: accepted.then_some(card.amount),
        payment_method_id: card.contract_number.to_string(),
        status: None,
        origin_transaction_id: None,
        payment_instrument_data: PaymentInstrumentData {
            used_payment_instrument: "UsedCard".to_owned(),
            masked_number: Some(card.masked_number.clone()),
            expiration_date: Some(card.expiry.clone()),
            network: Some(network.clone()),
            payment_instrument_type: PaymentInstrumentType {
                code: Some(network),
            },
        },
        partner_returned_data: PartnerReturnedData {
            authorization_number: card.authorization_number.clone(),
            additional_data: None,
        },
        authentication_result_data: card.three_ds.map(|three_ds| AuthenticationResult {
            trans_status: three_ds.as_str().to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_carry_the_paris_offset() {
        // 2026-06-20 16:46:33 UTC is 18:46:33 in Paris (summer time).
        assert_eq!(
            iso_date(Timestamp(1_781_973_993_000)),
            "2026-06-20T18:46:33.000+02:00"
        );
        assert_eq!(
            iso_of_payline("27/11/2026 11:00").as_deref(),
            Some("2026-11-27T11:00:00.000+01:00")
        );
        assert_eq!(iso_of_payline("27/11/2026"), None);
    }
}
