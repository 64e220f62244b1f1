//! The demo shop's order: its checkout form, and the payment request its server sends.

use domain::clock::Timestamp;
use domain::web_payment::WebPaymentRequest;
use domain::web_payment::request::{BuyerInput, OrderInput, PaymentInput};

/// The widget's templates the shop offers.
pub(super) const TEMPLATES: [&str; 3] = ["column", "tab", "lightbox"];

/// The shop's checkout form.
#[derive(serde::Deserialize)]
pub(super) struct CheckoutForm {
    pub amount: String,
    pub template: String,
    pub language: String,
    pub email: String,
}

/// What the checkout page needs once the payment is asked for.
pub(super) struct Order {
    pub request: WebPaymentRequest,
    pub template: String,
    pub order_ref: String,
    pub shown_amount: String,
}

impl CheckoutForm {
    /// The order of this form, placed `now`; a sentence for the buyer when the form is wrong.
    pub(super) fn order(&self, public_base: &str, now: Timestamp) -> Result<Order, String> {
        let cents = euro_cents(&self.amount).ok_or_else(|| {
            "The amount must be euros, like 60.00 (at most 2 decimals).".to_owned()
        })?;
        let template = TEMPLATES
            .iter()
            .find(|t| **t == self.template)
            .ok_or_else(|| "Choose one of the widget's templates.".to_owned())?;
        let language = if self.language == "en" { "en" } else { "fr" };
        let order_ref = format!("SHOP-{}", now.millis());
        let order_date = domain::paris_time::format_payline(now)
            .chars()
            .take(16)
            .collect::<String>();
        let request = WebPaymentRequest {
            version: Some("34".into()),
            payment: Some(PaymentInput {
                amount: Some(cents.to_string()),
                currency: Some("978".into()),
                action: Some("101".into()),
                mode: Some("CPT".into()),
                contract_number: Some(gateway::demo::ANCV_CONTRACT.into()),
                ..PaymentInput::default()
            }),
            return_url: Some(format!("{public_base}/sandbox/shop/return")),
            cancel_url: Some(format!("{public_base}/sandbox/shop/cancel")),
            order: Some(OrderInput {
                reference: Some(order_ref.clone()),
                amount: Some(cents.to_string()),
                currency: Some("978".into()),
                date: Some(order_date),
            }),
            selected_contracts: vec![
                gateway::demo::ANCV_CONTRACT.into(),
                gateway::demo::CARD_CONTRACT.into(),
            ],
            language_code: Some(language.into()),
            buyer: BuyerInput {
                email: Some(self.email.trim().to_owned()).filter(|e| !e.is_empty()),
                ..BuyerInput::default()
            },
            ..WebPaymentRequest::default()
        };
        Ok(Order {
            request,
            template: (*template).to_owned(),
            order_ref,
            shown_amount: format!("{}.{:02} EUR", cents / 100, cents % 100),
        })
    }
}

/// `60`, `60.5`, `60.00` or `60,00` euros in cents; `None` for anything else.
fn euro_cents(typed: &str) -> Option<i64> {
    let typed = typed.trim().replace(',', ".");
    let (units, decimals) = typed.split_once('.').unwrap_or((&typed, ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(units) || decimals.len() > 2 || !(decimals.is_empty() || digits(decimals)) {
        return None;
    }
    let cents = format!("{decimals:0<2}").parse::<i64>().ok()?;
    Some(units.parse::<i64>().ok()? * 100 + cents)
}

/// The markup of the checkout page's widget, to copy.
pub(super) fn markup(public_base: &str, token: &str, template: &str) -> String {
    format!(
        "<link rel=\"stylesheet\" href=\"{public_base}/styles/widget-min.css\">\n\
         <script src=\"{public_base}/scripts/widget-min.js\"></script>\n\
         <div id=\"PaylineWidget\" data-token=\"{token}\" data-template=\"{template}\"\n     \
         data-embeddedredirectionallowed=\"true\"\n     \
         data-event-finalstatehasbeenreached=\"onFinalState\"></div>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_euros() {
        assert_eq!(euro_cents("60"), Some(6_000));
        assert_eq!(euro_cents("60.5"), Some(6_050));
        assert_eq!(euro_cents(" 60,05 "), Some(6_005));
        for bad in ["", "-5", "60.123", "6e3", ".5", "1234567890"] {
            assert_eq!(euro_cents(bad), None, "{bad}");
        }
    }
}
