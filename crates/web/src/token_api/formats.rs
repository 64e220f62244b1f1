//! How the widget's JSON writes dates, amounts and URLs, and the `info` map behind
//! `Payline.Api.getContextInfo`.

use domain::clock::Timestamp;
use domain::money::Currency;
use domain::web_payment::request::Language;
use gateway::web_payments::Snapshot;
use serde_json::{Map, Value};

/// ISO 4217 alphabetic code and decimals of the currencies cvgate takes (ANCV is euro only;
/// other codes show their number).
fn currency_code(currency: Currency) -> (String, u32) {
    match currency.code() {
        978 => ("EUR".to_owned(), 2),
        other => (other.to_string(), 2),
    }
}

/// An amount as Payline's widget writes it: `100,00 EUR` in French, `EUR 100.00` in English.
pub(crate) fn payline_amount(language: Language, minor: i64, currency: Currency) -> String {
    let (code, _) = currency_code(currency);
    let (units, cents) = (minor / 100, (minor % 100).abs());
    match language {
        Language::French => format!("{units},{cents:02} {code}"),
        Language::English => format!("{code} {units}.{cents:02}"),
    }
}

/// `2026-12-01T14:00:00Z`.
pub(crate) fn creation_date(at: Timestamp) -> String {
    jiff::Timestamp::from_millisecond(at.millis())
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// The shop's URL with the token appended, as the page's links carry it.
pub(crate) fn with_token(shop_url: &str, token: &str) -> String {
    domain::web_payment::shop_return_url(shop_url, token)
}

/// `state.info`: every order and buyer field the session has, under Payline's keys.
pub(crate) fn info(snapshot: &Snapshot) -> Value {
    let request = &snapshot.payment.request;
    let (code, digits) = currency_code(request.currency);
    let mut info = Map::new();
    let mut put = |key: &str, value: Value| {
        info.insert(key.to_owned(), value);
    };
    put(
        "PaylineFormattedAmount",
        payline_amount(request.language, request.amount, request.currency).into(),
    );
    put("PaylineAmountSmallestUnit", request.amount.into());
    put("PaylineCurrencyDigits", digits.into());
    put("PaylineCurrencyCode", code.into());
    put("PaylineOrderRef", request.order_ref.clone().into());
    put("PaylineOrderDate", request.order_date.clone().into());
    put(
        "PaylineOrderAmountSmallestUnit",
        request.order_amount.into(),
    );
    put(
        "PaylineMerchantName",
        snapshot.merchant_display_name().into(),
    );
    let buyer = &request.buyer;
    let optional = [
        ("PaylineBuyerEmail", &buyer.email),
        ("PaylineBuyerFirstName", &buyer.first_name),
        ("PaylineBuyerLastName", &buyer.last_name),
        ("PaylineBuyerTitle", &buyer.title),
        ("PaylineBuyerMobilePhone", &buyer.mobile_phone),
        ("PaylineBuyerCustomerId", &buyer.customer_id),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            put(key, value.clone().into());
        }
    }
    Value::Object(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_as_payline_writes_them() {
        assert_eq!(
            payline_amount(Language::French, 10_000, Currency::EUR),
            "100,00 EUR"
        );
        assert_eq!(
            payline_amount(Language::English, 3_505, Currency::EUR),
            "EUR 35.05"
        );
    }

    #[test]
    fn dates_in_utc() {
        assert_eq!(creation_date(Timestamp(0)), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn the_token_is_appended_after_any_query() {
        assert_eq!(
            with_token("https://s/r", "T"),
            "https://s/r?paylinetoken=T&token=T"
        );
        assert_eq!(
            with_token("https://s/r?a=1", "T"),
            "https://s/r?a=1&paylinetoken=T&token=T"
        );
    }
}
