//! A session as `GET /v1/checkout/sessions/{id}` shows it: the `result` SOAP gives for the same
//! state, the order, the buyer, and one transaction per means of payment (the ANCV transaction
//! first, then the card complement), whose authorized amounts add up to the order's.

use domain::ancv_payment::AncvPayment;
use domain::clock::Timestamp;
use domain::return_code::ReturnCode;
use domain::web_payment::ValidWebPayment;
use gateway::card_payments::{CardTransaction, PaymentState};
use gateway::web_payments::Snapshot;
use serde_json::{Map, Value, json};

/// Payline's triple for `code`: `title` (shortMessage), `code`, `detail` (longMessage).
pub(super) fn result(code: ReturnCode) -> Value {
    json!({"title": code.short_message(), "code": code.code(), "detail": code.long_message()})
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

/// The whole session.
pub(super) fn session(snapshot: &Snapshot) -> Value {
    let payment = &snapshot.payment;
    let mut session = json!({
        "result": result(payment.session.return_code()),
        "sessionId": payment.token,
    });
    add_sale(&mut session, &payment.request);
    let transactions = transactions(snapshot);
    if !transactions.is_empty() {
        session["transactions"] = Value::Array(transactions);
    }
    session
}

/// Adds what the merchant sold to whom to `object`: `order`, `buyer`, `privateData`.
pub(super) fn add_sale(object: &mut Value, request: &ValidWebPayment) {
    let buyer = &request.buyer;
    let private_data: Map<String, Value> = request
        .private_data
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.clone())))
        .collect();
    object["order"] = json!({
        "reference": request.order_ref,
        "amount": request.order_amount,
        "currency": "EUR",
        "date": request.order_date,
    });
    object["buyer"] = json!({
        "id": buyer.customer_id, "title": buyer.title, "firstName": buyer.first_name,
        "lastName": buyer.last_name, "email": buyer.email, "mobile": buyer.mobile_phone,
    });
    object["privateData"] = Value::Object(private_data);
}

/// One transaction per means of payment: the ANCV one, then the card that paid the rest (or the
/// card alone when there was no ANCV part).
fn transactions(snapshot: &Snapshot) -> Vec<Value> {
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

fn ancv_transaction(ancv: &AncvPayment) -> Value {
    json!({
        "id": ancv.payment_id,
        "date": iso_date(ancv.created_at),
        "type": "AUTHORIZATION_AND_CAPTURE",
        "currency": "EUR",
        "paymentType": "ONE_OFF",
        "capture": "AUTOMATIC",
        "requestedAmount": ancv.amount,
        "authorizedAmount": ancv.validated_amount,
        "paymentMethodId": ancv.contract_number.as_str(),
        "paymentInstrumentData": {
            "usedPaymentInstrument": "UsedAlternativePaymentMethod",
            "maskedNumber": ancv.holder,
            "paymentInstrumentType": {"code": "ANCV_CONNECT"},
        },
        "partnerReturnedData": {
            "authorizationNumber": ancv.authorization_number,
            "additionalData": {"ancvState": ancv.state.to_string(), "ancvTransactionId": ancv.ancv_id},
        },
    })
}

fn card_transaction(card: &CardTransaction, capture: bool) -> Value {
    let accepted = card.state == PaymentState::Accepted;
    let mut transaction = json!({
        "id": card.id,
        "date": iso_date(card.created_at),
        "type": if capture { "AUTHORIZATION_AND_CAPTURE" } else { "AUTHORIZATION" },
        "currency": "EUR",
        "paymentType": "ONE_OFF",
        "capture": if capture { "AUTOMATIC" } else { "MANUAL" },
        "requestedAmount": card.amount,
        "authorizedAmount": accepted.then_some(card.amount),
        "paymentMethodId": card.contract_number.as_str(),
        "paymentInstrumentData": {
            "usedPaymentInstrument": "UsedCard",
            "maskedNumber": card.masked_number,
            "expirationDate": card.expiry,
            "network": card.card_type.to_string(),
            "paymentInstrumentType": {"code": card.card_type.to_string()},
        },
        "partnerReturnedData": {"authorizationNumber": card.authorization_number},
    });
    if let Some(three_ds) = card.three_ds {
        transaction["authenticationResultData"] = json!({"transStatus": three_ds.as_str()});
    }
    transaction
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
    }
}
