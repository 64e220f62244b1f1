//! `POST /v1/checkout/sessions`'s body and how it becomes the same request `doWebPayment` makes
//! (retail-api.md §2): the point of sale by its reference, the contracts it offers, Payline's
//! action from `payment{paymentType, capture}`, ISO dates and currencies turned into Payline's.

use crate::problem::Problem;
use axum::http::StatusCode;
use domain::clock::Timestamp;
use domain::contract::{CardCode, Contract, ContractStatus};
use domain::paris_time::format_payline;
use domain::point_of_sale::PointOfSale;
use domain::web_payment::WebPaymentRequest;
use domain::web_payment::request::{BuyerInput, OrderInput, PaymentInput};
use json_api::{CreateSession, PaymentKind, PaymentMethod};

/// A 400 naming `field`, with Payline's code.
pub(super) fn bad_field(code: &'static str, field: &str, rule: &str) -> Problem {
    Problem::field(StatusCode::BAD_REQUEST, field, rule).with_code(code)
}

/// The `doWebPayment` request of `body`, for `pos` whose contracts are `contracts`, made `now`;
/// a 400 naming the field otherwise.
pub(super) fn web_payment_request(
    body: CreateSession,
    pos: &PointOfSale,
    contracts: &[Contract],
    now: Timestamp,
) -> Result<WebPaymentRequest, Problem> {
    let offered = offered_contracts(body.payment_method.unwrap_or_default(), pos, contracts)?;
    let payment_contract = offered
        .iter()
        .find(|c| c.card_code == CardCode::AncvConnect)
        .or(offered.first())
        .map(|c| c.number.to_string());
    let order = body.order.unwrap_or_default();
    let currency = payline_currency(order.currency.as_deref())?;
    let date = match order.date.as_deref() {
        Some(iso) => payline_date(iso)?,
        None => minutes(format_payline(now)),
    };
    let amount = order.amount.map(|a| a.to_string());
    let buyer = body.buyer.unwrap_or_default();
    let return_url = body.return_url;
    Ok(WebPaymentRequest {
        version: Some("34".into()),
        payment: Some(PaymentInput {
            amount: amount.clone(),
            currency: Some(currency.clone()),
            action: Some(payline_action(body.payment.unwrap_or_default())?.into()),
            mode: Some("CPT".into()),
            contract_number: payment_contract,
            ..PaymentInput::default()
        }),
        cancel_url: body.cancel_url.or_else(|| return_url.clone()),
        return_url,
        order: Some(OrderInput {
            reference: order.reference,
            amount,
            currency: Some(currency),
            date: Some(date),
        }),
        notification_url: body.notification_url,
        selected_contracts: offered.iter().map(|c| c.number.to_string()).collect(),
        private_data: body.private_data.into_iter().collect(),
        language_code: body.language_code.map(|l| l.to_ascii_lowercase()),
        buyer: BuyerInput {
            title: buyer.title,
            last_name: buyer.last_name,
            first_name: buyer.first_name,
            email: buyer.email,
            mobile_phone: buyer.mobile,
            customer_id: buyer.id,
        },
        ..WebPaymentRequest::default()
    })
}

/// The contracts named (`paymentMethodIDs`, else `contractNumber`), each one of the point of
/// sale's; none named: every active contract of the point of sale.
fn offered_contracts<'c>(
    method: PaymentMethod,
    pos: &PointOfSale,
    contracts: &'c [Contract],
) -> Result<Vec<&'c Contract>, Problem> {
    let of_pos = |c: &&Contract| c.pos_id == pos.id;
    let mut named = method.payment_method_ids;
    named.extend(method.contract_number);
    if named.is_empty() {
        return Ok(contracts
            .iter()
            .filter(of_pos)
            .filter(|c| c.status == ContractStatus::Active)
            .collect());
    }
    named
        .iter()
        .map(|number| {
            contracts
                .iter()
                .filter(of_pos)
                .find(|c| c.number.as_str() == number)
                .ok_or_else(|| {
                    bad_field(
                        "02305",
                        "paymentMethod.paymentMethodIDs",
                        &format!("names {number}, which is not a contract of this point of sale"),
                    )
                })
        })
        .collect()
}

/// `ONE_OFF` + `AUTOMATIC` (the default) → 101; `ONE_OFF` + `MANUAL` → 100.
fn payline_action(kind: PaymentKind) -> Result<&'static str, Problem> {
    let payment_type = kind.payment_type.as_deref().unwrap_or("ONE_OFF");
    match (payment_type, kind.capture.as_deref().unwrap_or("AUTOMATIC")) {
        ("ONE_OFF", "AUTOMATIC") => Ok("101"),
        ("ONE_OFF", "MANUAL") => Ok("100"),
        _ => Err(bad_field(
            "02308",
            "payment",
            "must be paymentType ONE_OFF with capture AUTOMATIC or MANUAL",
        )),
    }
}

/// ISO 4217 alphabetic (`EUR`) → Payline's numeric code; the currency is mandatory.
fn payline_currency(currency: Option<&str>) -> Result<String, Problem> {
    match currency.map(str::to_ascii_uppercase).as_deref() {
        Some("EUR") => Ok("978".into()),
        Some(_) => Err(bad_field("02305", "order.currency", "must be EUR")),
        None => Err(bad_field("02305", "order.currency", "is mandatory")),
    }
}

/// An ISO 8601 date with offset → Payline's `dd/mm/yyyy HH:mm` in Paris.
fn payline_date(iso: &str) -> Result<String, Problem> {
    let instant: jiff::Timestamp = iso.parse().map_err(|_| {
        bad_field(
            "02305",
            "order.date",
            "must be an ISO 8601 date with its offset, e.g. 2026-06-20T18:46:33.000+02:00",
        )
    })?;
    Ok(minutes(format_payline(Timestamp(instant.as_millisecond()))))
}

/// `dd/mm/yyyy HH:mm:ss` → `dd/mm/yyyy HH:mm`.
fn minutes(payline: String) -> String {
    payline.chars().take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_become_paris_wall_clock() {
        assert_eq!(
            payline_date("2026-06-20T18:46:33.000+02:00").unwrap(),
            "20/06/2026 18:46"
        );
        assert_eq!(
            payline_date("2026-12-01T10:00:00Z").unwrap(),
            "01/12/2026 11:00"
        );
        assert!(payline_date("20/06/2026").is_err());
    }

    #[test]
    fn actions_from_payment_type_and_capture() {
        let kind = |t: &str, c: &str| PaymentKind {
            payment_type: Some(t.into()),
            capture: Some(c.into()),
        };
        assert_eq!(payline_action(PaymentKind::default()).unwrap(), "101");
        assert_eq!(payline_action(kind("ONE_OFF", "MANUAL")).unwrap(), "100");
        assert!(payline_action(kind("RECURRING", "AUTOMATIC")).is_err());
    }
}
