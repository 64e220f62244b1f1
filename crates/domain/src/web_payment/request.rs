//! `doWebPayment` input and its validation (payline-v4.md §3). The first failure wins and names
//! the field; each failure carries the Payline code it answers with.

use crate::FieldError;
use crate::contract::{CardCode, Contract, ContractNumber, ContractStatus};
use crate::money::Currency;
use crate::return_code::ReturnCode;

/// The ANCV minimum: Chèque-Vacances Connect is offered from 20.00 €.
pub const ANCV_MINIMUM_AMOUNT: i64 = 2_000;

/// Payline limits lists to 25 contracts.
pub const MAX_SELECTED_CONTRACTS: usize = 25;

/// The request as received: every value as text, `None` when absent, nil or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebPaymentRequest {
    pub version: Option<String>,
    pub payment: Option<PaymentInput>,
    pub return_url: Option<String>,
    pub cancel_url: Option<String>,
    pub order: Option<OrderInput>,
    pub notification_url: Option<String>,
    pub selected_contracts: Vec<String>,
    pub second_selected_contracts: Vec<String>,
    pub private_data: Vec<(String, String)>,
    pub language_code: Option<String>,
    pub buyer: BuyerInput,
    pub custom_payment_page_code: Option<String>,
    pub merchant_name: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentInput {
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub action: Option<String>,
    pub mode: Option<String>,
    pub contract_number: Option<String>,
    pub differed_action_date: Option<String>,
    pub soft_descriptor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderInput {
    pub reference: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub date: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuyerInput {
    pub title: Option<String>,
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub email: Option<String>,
    pub mobile_phone: Option<String>,
    pub customer_id: Option<String>,
}

/// The page's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    French,
    English,
}

impl Language {
    /// Payline's `languageCode` (ISO 639-1 or -2, any case); anything else is French, the
    /// default of a French payment method.
    pub fn from_code(code: Option<&str>) -> Language {
        match code.map(|c| c.trim().to_ascii_lowercase()).as_deref() {
            Some("en" | "eng") => Language::English,
            _ => Language::French,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::French => "fr",
            Language::English => "en",
        }
    }
}

/// Payment action: 100 authorization, 101 authorization + capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Authorization,
    AuthorizationAndCapture,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Authorization => "100",
            Action::AuthorizationAndCapture => "101",
        }
    }
}

/// A request that passed every rule, with the contracts the page will offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidWebPayment {
    pub amount: i64,
    pub currency: Currency,
    pub action: Action,
    pub order_ref: String,
    pub order_amount: i64,
    pub order_date: String,
    pub payment_contract: ContractNumber,
    /// `payment.contractNumber` first, then `selectedContractList` in order, without duplicates.
    pub offered: Vec<ContractNumber>,
    /// Offered after a failed attempt (the first list when absent).
    pub offered_after_failure: Vec<ContractNumber>,
    pub return_url: String,
    pub cancel_url: String,
    pub notification_url: Option<String>,
    pub language: Language,
    pub buyer: BuyerInput,
    pub private_data: Vec<(String, String)>,
    pub soft_descriptor: Option<String>,
    pub merchant_name: Option<String>,
}

/// Why a request is refused: the Payline code and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: ReturnCode,
    pub error: FieldError,
}

impl Refusal {
    fn new(code: ReturnCode, field: &str, rule: impl Into<String>) -> Refusal {
        Refusal {
            code,
            error: FieldError::new(field, rule),
        }
    }
}

type Check<T> = Result<T, Refusal>;

fn required<'a>(value: Option<&'a String>, field: &str) -> Check<&'a str> {
    value
        .map(String::as_str)
        .ok_or_else(|| Refusal::new(ReturnCode::InvalidField, field, "is mandatory"))
}

/// Checks the request against the merchant's contracts (`contracts`: all of them, any status).
pub fn validate(request: &WebPaymentRequest, contracts: &[Contract]) -> Check<ValidWebPayment> {
    // 1. Mandatory parts (02305).
    required(request.version.as_ref(), "version")?;
    let payment = request
        .payment
        .as_ref()
        .ok_or_else(|| Refusal::new(ReturnCode::InvalidField, "payment", "is mandatory"))?;
    let order = request
        .order
        .as_ref()
        .ok_or_else(|| Refusal::new(ReturnCode::InvalidField, "order", "is mandatory"))?;
    let return_url = required(request.return_url.as_ref(), "returnURL")?;
    let cancel_url = required(request.cancel_url.as_ref(), "cancelURL")?;
    let payment_amount = required(payment.amount.as_ref(), "payment.amount")?;
    let payment_currency = required(payment.currency.as_ref(), "payment.currency")?;
    let action = required(payment.action.as_ref(), "payment.action")?;
    let mode = required(payment.mode.as_ref(), "payment.mode")?;
    let contract_number = required(payment.contract_number.as_ref(), "payment.contractNumber")?;
    let order_ref = required(order.reference.as_ref(), "order.ref")?;
    let order_amount = required(order.amount.as_ref(), "order.amount")?;
    let order_currency = required(order.currency.as_ref(), "order.currency")?;
    let order_date = required(order.date.as_ref(), "order.date")?;
    let currency = Currency::parse("payment.currency", payment_currency).map_err(|e| Refusal {
        code: ReturnCode::InvalidField,
        error: e,
    })?;
    let order_currency =
        Currency::parse("order.currency", order_currency).map_err(|e| Refusal {
            code: ReturnCode::InvalidField,
            error: e,
        })?;
    if request.selected_contracts.len() > MAX_SELECTED_CONTRACTS
        || request.second_selected_contracts.len() > MAX_SELECTED_CONTRACTS
    {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "selectedContractList",
            format!("at most {MAX_SELECTED_CONTRACTS} contracts"),
        ));
    }

    // 2. Contracts: active and the merchant's own (02303).
    let find = |number: &str, field: &str| -> Check<&Contract> {
        contracts
            .iter()
            .find(|c| c.number.as_str() == number && c.status == ContractStatus::Active)
            .ok_or_else(|| {
                Refusal::new(
                    ReturnCode::InvalidContract,
                    field,
                    format!("contract {number} is unknown or inactive"),
                )
            })
    };
    let payment_contract = find(contract_number, "payment.contractNumber")?;
    let mut offered: Vec<&Contract> = vec![payment_contract];
    for number in &request.selected_contracts {
        let contract = find(number, "selectedContractList")?;
        if !offered.iter().any(|c| c.number == contract.number) {
            offered.push(contract);
        }
    }
    let mut offered_after_failure: Vec<&Contract> = Vec::new();
    for number in &request.second_selected_contracts {
        let contract = find(number, "secondSelectedContractList")?;
        if !offered_after_failure
            .iter()
            .any(|c| c.number == contract.number)
        {
            offered_after_failure.push(contract);
        }
    }

    // 3. Amounts (02110).
    let amount = parse_amount("payment.amount", payment_amount)?;
    let order_amount = parse_amount("order.amount", order_amount)?;
    if order_amount != amount || order_currency != currency {
        return Err(Refusal::new(
            ReturnCode::InvalidAmount,
            "order.amount",
            "must equal payment.amount, in the same currency",
        ));
    }

    // 4. Formats (02305).
    let return_url = absolute_url("returnURL", return_url)?;
    let cancel_url = absolute_url("cancelURL", cancel_url)?;
    let notification_url = request
        .notification_url
        .as_deref()
        .map(|url| absolute_url("notificationURL", url))
        .transpose()?;
    if order_ref.chars().count() > 50 || order_ref.chars().any(char::is_control) {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "order.ref",
            "must be at most 50 characters",
        ));
    }
    if !is_order_date(order_date) {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "order.date",
            "must be dd/mm/yyyy HH:mm",
        ));
    }
    let email = request.buyer.email.as_deref();
    if let Some(email) = email
        && !is_email(email)
    {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "buyer.email",
            "is not a valid e-mail address",
        ));
    }

    // 5. Action and mode; the ANCV_CONNECT rules (the seed's mandatory field).
    let action = match action {
        "100" => Action::Authorization,
        "101" => Action::AuthorizationAndCapture,
        _ => {
            return Err(Refusal::new(
                ReturnCode::InvalidAction,
                "payment.action",
                "must be 100 or 101",
            ));
        }
    };
    if mode != "CPT" {
        return Err(Refusal::new(
            ReturnCode::InvalidMode,
            "payment.mode",
            "only CPT (single payment) is supported",
        ));
    }
    let ancv = offered
        .iter()
        .find(|c| c.card_code == CardCode::AncvConnect);
    if let Some(ancv) = ancv {
        if email.is_none() {
            return Err(Refusal::new(
                ReturnCode::InvalidField,
                "buyer.email",
                "buyer.email is mandatory for ANCV_CONNECT",
            ));
        }
        if action != Action::AuthorizationAndCapture {
            return Err(Refusal::new(
                ReturnCode::InvalidAction,
                "payment.action",
                "must be 101 for ANCV_CONNECT",
            ));
        }
        if currency != ancv.currency {
            return Err(Refusal::new(
                ReturnCode::InvalidField,
                "payment.currency",
                format!(
                    "must be {} (the ANCV_CONNECT contract's currency)",
                    ancv.currency
                ),
            ));
        }
        // 6. ANCV as the only way to pay, below its minimum.
        let only_ancv = offered.iter().all(|c| c.card_code == CardCode::AncvConnect);
        if only_ancv && amount < ANCV_MINIMUM_AMOUNT {
            return Err(Refusal::new(
                ReturnCode::InvalidAmount,
                "payment.amount",
                "ANCV_CONNECT needs at least 2000 (20.00 EUR)",
            ));
        }
    }

    let numbers = |list: &[&Contract]| list.iter().map(|c| c.number.clone()).collect::<Vec<_>>();
    Ok(ValidWebPayment {
        amount,
        currency,
        action,
        order_ref: order_ref.to_owned(),
        order_amount,
        order_date: order_date.to_owned(),
        payment_contract: payment_contract.number.clone(),
        offered_after_failure: if offered_after_failure.is_empty() {
            numbers(&offered)
        } else {
            numbers(&offered_after_failure)
        },
        offered: numbers(&offered),
        return_url,
        cancel_url,
        notification_url,
        language: Language::from_code(request.language_code.as_deref()),
        buyer: request.buyer.clone(),
        private_data: request.private_data.clone(),
        soft_descriptor: payment.soft_descriptor.clone(),
        merchant_name: request.merchant_name.clone(),
    })
}

/// A positive integer of at most 12 digits (minor units).
fn parse_amount(field: &str, value: &str) -> Check<i64> {
    let valid = !value.is_empty() && value.len() <= 12 && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<i64>() {
        Ok(amount) if valid && amount > 0 => Ok(amount),
        _ => Err(Refusal::new(
            ReturnCode::InvalidAmount,
            field,
            "must be a positive integer of at most 12 digits (minor units)",
        )),
    }
}

fn absolute_url(field: &str, value: &str) -> Check<String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest
        .and_then(|r| r.split(['/', '?', '#']).next())
        .unwrap_or("");
    if host.is_empty()
        || value.len() > 2048
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            field,
            "must be an absolute http:// or https:// URL",
        ));
    }
    Ok(value.to_owned())
}

/// `dd/mm/yyyy HH:mm`, seconds tolerated.
fn is_order_date(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    let number = |r: std::ops::Range<usize>| {
        value
            .get(r)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let shape = (b.len() == 16 || (b.len() == 19 && b[16] == b':' && digits(17..19)))
        && digits(0..2)
        && b[2] == b'/'
        && digits(3..5)
        && b[5] == b'/'
        && digits(6..10)
        && b[10] == b' '
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16);
    shape
        && (1..=31).contains(&number(0..2))
        && (1..=12).contains(&number(3..5))
        && number(11..13) < 24
        && number(14..16) < 60
}

/// A pragmatic e-mail check: one `@`, a local part, a dotted domain, no spaces.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && value.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;
    use crate::contract::{MethodSettings, ShopId};
    use crate::merchant::MerchantId;

    fn contract(number: &str, card_code: CardCode) -> Contract {
        let method = match card_code {
            CardCode::AncvConnect => MethodSettings::AncvConnect {
                shop_id: ShopId::parse("s", "20000001").unwrap(),
                complementary: vec![],
            },
            _ => MethodSettings::Card,
        };
        Contract {
            merchant_id: MerchantId::parse("m", "1").unwrap(),
            number: ContractNumber::parse("n", number).unwrap(),
            pos_id: 1,
            card_code,
            label: number.into(),
            currency: Currency::EUR,
            description: String::new(),
            status: ContractStatus::Active,
            method,
            created_at: Timestamp(0),
        }
    }

    fn contracts() -> Vec<Contract> {
        let mut inactive = contract("OLD", CardCode::Cb);
        inactive.status = ContractStatus::Inactive;
        vec![
            contract("ANCV-1", CardCode::AncvConnect),
            contract("CB-1", CardCode::Cb),
            inactive,
        ]
    }

    fn request() -> WebPaymentRequest {
        WebPaymentRequest {
            version: Some("34".into()),
            payment: Some(PaymentInput {
                amount: Some("6000".into()),
                currency: Some("978".into()),
                action: Some("101".into()),
                mode: Some("CPT".into()),
                contract_number: Some("ANCV-1".into()),
                ..PaymentInput::default()
            }),
            return_url: Some("https://shop.example/return".into()),
            cancel_url: Some("https://shop.example/cancel".into()),
            order: Some(OrderInput {
                reference: Some("order-1".into()),
                amount: Some("6000".into()),
                currency: Some("978".into()),
                date: Some("27/11/2026 10:00".into()),
            }),
            selected_contracts: vec!["ANCV-1".into(), "CB-1".into()],
            buyer: BuyerInput {
                email: Some("camille.martin@example.com".into()),
                ..BuyerInput::default()
            },
            ..WebPaymentRequest::default()
        }
    }

    fn refusal(change: impl FnOnce(&mut WebPaymentRequest)) -> (String, String) {
        let mut request = request();
        change(&mut request);
        let refusal = validate(&request, &contracts()).unwrap_err();
        (refusal.code.code().to_owned(), refusal.error.field)
    }

    fn payment(r: &mut WebPaymentRequest) -> &mut PaymentInput {
        r.payment.as_mut().unwrap()
    }

    #[test]
    fn a_valid_request_offers_the_contracts_in_order_without_duplicates() {
        let valid = validate(&request(), &contracts()).unwrap();
        let offered: Vec<&str> = valid.offered.iter().map(ContractNumber::as_str).collect();
        assert_eq!(offered, ["ANCV-1", "CB-1"]);
        assert_eq!(valid.offered_after_failure, valid.offered);
        assert_eq!(
            (valid.amount, valid.action, valid.language),
            (6000, Action::AuthorizationAndCapture, Language::French)
        );
    }

    #[test]
    fn every_rule_answers_with_its_code_and_field() {
        let s = |code: &str, field: &str| (code.to_owned(), field.to_owned());
        assert_eq!(refusal(|r| r.version = None), s("02305", "version"));
        assert_eq!(refusal(|r| r.payment = None), s("02305", "payment"));
        assert_eq!(refusal(|r| r.order = None), s("02305", "order"));
        assert_eq!(refusal(|r| r.return_url = None), s("02305", "returnURL"));
        assert_eq!(refusal(|r| r.cancel_url = None), s("02305", "cancelURL"));
        assert_eq!(
            refusal(|r| payment(r).currency = Some("EUR".into())),
            s("02305", "payment.currency")
        );
        assert_eq!(
            refusal(|r| payment(r).contract_number = Some("NOPE".into())),
            s("02303", "payment.contractNumber")
        );
        assert_eq!(
            refusal(|r| r.selected_contracts.push("OLD".into())),
            s("02303", "selectedContractList")
        );
        assert_eq!(
            refusal(|r| payment(r).amount = Some("-5".into())),
            s("02110", "payment.amount")
        );
        assert_eq!(
            refusal(|r| payment(r).amount = Some("1234567890123".into())),
            s("02110", "payment.amount")
        );
        assert_eq!(
            refusal(|r| r.order.as_mut().unwrap().amount = Some("5000".into())),
            s("02110", "order.amount")
        );
        assert_eq!(
            refusal(|r| r.return_url = Some("/relative".into())),
            s("02305", "returnURL")
        );
        assert_eq!(
            refusal(|r| r.notification_url = Some("ftp://x".into())),
            s("02305", "notificationURL")
        );
        assert_eq!(
            refusal(|r| r.order.as_mut().unwrap().reference = Some("x".repeat(51))),
            s("02305", "order.ref")
        );
        assert_eq!(
            refusal(|r| r.order.as_mut().unwrap().date = Some("2026-11-27".into())),
            s("02305", "order.date")
        );
        assert_eq!(refusal(|r| r.buyer.email = None), s("02305", "buyer.email"));
        assert_eq!(
            refusal(|r| r.buyer.email = Some("not-an-email".into())),
            s("02305", "buyer.email")
        );
        assert_eq!(
            refusal(|r| payment(r).action = Some("100".into())),
            s("02321", "payment.action")
        );
        assert_eq!(
            refusal(|r| payment(r).mode = Some("NX".into())),
            s("02308", "payment.mode")
        );
        assert_eq!(
            refusal(|r| {
                payment(r).currency = Some("840".into());
                r.order.as_mut().unwrap().currency = Some("840".into());
            }),
            s("02305", "payment.currency")
        );
        assert_eq!(
            refusal(|r| {
                r.selected_contracts = vec![];
                payment(r).amount = Some("1500".into());
                r.order.as_mut().unwrap().amount = Some("1500".into());
            }),
            s("02110", "payment.amount")
        );
    }

    #[test]
    fn the_email_message_is_the_seeds_mandatory_field() {
        let mut request = request();
        request.buyer.email = None;
        let refusal = validate(&request, &contracts()).unwrap_err();
        assert_eq!(
            refusal.error.rule,
            "buyer.email is mandatory for ANCV_CONNECT"
        );
    }

    #[test]
    fn card_only_requests_need_no_email_and_may_authorize_only() {
        let mut request = request();
        request.buyer.email = None;
        request.selected_contracts = vec![];
        let payment = request.payment.as_mut().unwrap();
        payment.contract_number = Some("CB-1".into());
        payment.action = Some("100".into());
        let valid = validate(&request, &contracts()).unwrap();
        assert_eq!(valid.action, Action::Authorization);
    }

    #[test]
    fn ancv_below_its_minimum_is_fine_when_a_card_is_offered() {
        let mut request = request();
        request.payment.as_mut().unwrap().amount = Some("1500".into());
        request.order.as_mut().unwrap().amount = Some("1500".into());
        assert!(validate(&request, &contracts()).is_ok());
    }

    #[test]
    fn order_dates_and_emails() {
        for ok in ["27/11/2026 10:00", "01/01/2026 00:00:59"] {
            assert!(is_order_date(ok), "{ok}");
        }
        for bad in [
            "27/11/2026",
            "32/11/2026 10:00",
            "27/13/2026 10:00",
            "27/11/2026 24:00",
            "27-11-2026 10:00",
        ] {
            assert!(!is_order_date(bad), "{bad}");
        }
        assert!(is_email("a.b@example.com"));
        for bad in [
            "a@b",
            "@example.com",
            "a b@example.com",
            "a@@example.com",
            "a@example.",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }
}
