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
    /// Payline `version`: required, otherwise unused.
    pub version: Option<String>,
    /// Payline `payment`: amount, currency, action, mode and contract.
    pub payment: Option<PaymentInput>,
    /// Payline `returnURL`: where the buyer goes back after success or refusal.
    pub return_url: Option<String>,
    /// Payline `cancelURL`: where the buyer goes back after cancelling.
    pub cancel_url: Option<String>,
    /// Payline `order`: the merchant's reference, amount, currency and date.
    pub order: Option<OrderInput>,
    /// Payline `notificationURL`: called when the session ends (WEBTRS) or a payment changes (TRS).
    pub notification_url: Option<String>,
    /// Payline `selectedContractList`: contract numbers offered after `payment.contractNumber`.
    pub selected_contracts: Vec<String>,
    /// Payline `secondSelectedContractList`: contract numbers offered after a failed attempt.
    pub second_selected_contracts: Vec<String>,
    /// Payline `privateDataList` as (key, value) pairs, kept and echoed back.
    pub private_data: Vec<(String, String)>,
    /// Payline `languageCode` (see [`Language::from_code`]).
    pub language_code: Option<String>,
    /// Payline `buyer` (all fields absent when the element is).
    pub buyer: BuyerInput,
    /// Payline `customPaymentPageCode`: accepted and ignored (one page layout).
    pub custom_payment_page_code: Option<String>,
    /// Payline `merchantName`: shown on the payment page when given.
    pub merchant_name: Option<String>,
}

/// Payline `payment` of a `doWebPayment` request, every value as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentInput {
    /// `payment.amount`: integer minor units as text ("1000" = 10.00 €).
    pub amount: Option<String>,
    /// `payment.currency`: ISO 4217 numeric code as text ("978").
    pub currency: Option<String>,
    /// `payment.action`: "100" (authorization) or "101" (authorization + capture).
    pub action: Option<String>,
    /// `payment.mode`: only "CPT" (single payment) is accepted.
    pub mode: Option<String>,
    /// `payment.contractNumber`: the first contract offered.
    pub contract_number: Option<String>,
    /// `payment.differedActionDate`: accepted and ignored.
    pub differed_action_date: Option<String>,
    /// `payment.softDescriptor`: the label on the buyer's statement.
    pub soft_descriptor: Option<String>,
}

/// Payline `order` of a `doWebPayment` request, every value as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderInput {
    /// `order.ref`: the merchant's order reference (at most 50 characters).
    pub reference: Option<String>,
    /// `order.amount`: integer minor units as text; must equal `payment.amount`.
    pub amount: Option<String>,
    /// `order.currency`: ISO 4217 numeric code as text; must equal `payment.currency`.
    pub currency: Option<String>,
    /// `order.date`: `dd/mm/yyyy HH:mm`, seconds tolerated.
    pub date: Option<String>,
}

/// Payline `buyer`, as received and echoed back by getWebPaymentDetails.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuyerInput {
    /// `buyer.title` (e.g. `M.`, `Mme`), unchecked.
    pub title: Option<String>,
    /// `buyer.lastName`, unchecked.
    pub last_name: Option<String>,
    /// `buyer.firstName`, unchecked.
    pub first_name: Option<String>,
    /// `buyer.email`: checked when present; mandatory when ANCV_CONNECT is offered.
    pub email: Option<String>,
    /// `buyer.mobilePhone`, unchecked.
    pub mobile_phone: Option<String>,
    /// `buyer.customerId`: the merchant's id for the buyer, unchecked.
    pub customer_id: Option<String>,
}

/// The page's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `fr`, the default.
    French,
    /// `en`.
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

    /// The ISO 639-1 code: `fr` or `en`.
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
    /// 100: authorization only; captured later with doCapture.
    Authorization,
    /// 101: authorization and capture at once (the only action for ANCV_CONNECT).
    AuthorizationAndCapture,
}

impl Action {
    /// The Payline `payment.action` code: "100" or "101".
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
    /// `payment.amount`, minor units, positive.
    pub amount: i64,
    /// `payment.currency` (equal to `order.currency`).
    pub currency: Currency,
    /// `payment.action`.
    pub action: Action,
    /// `order.ref`, at most 50 characters.
    pub order_ref: String,
    /// `order.amount`, minor units (equal to `amount`).
    pub order_amount: i64,
    /// `order.date` as received (`dd/mm/yyyy HH:mm`, seconds tolerated).
    pub order_date: String,
    /// `payment.contractNumber`, an active contract of the merchant.
    pub payment_contract: ContractNumber,
    /// `payment.contractNumber` first, then `selectedContractList` in order, without duplicates.
    pub offered: Vec<ContractNumber>,
    /// Offered after a failed attempt (the first list when absent).
    pub offered_after_failure: Vec<ContractNumber>,
    /// `returnURL`, absolute http(s).
    pub return_url: String,
    /// `cancelURL`, absolute http(s).
    pub cancel_url: String,
    /// `notificationURL`, absolute http(s), if given.
    pub notification_url: Option<String>,
    /// The page's language, from `languageCode`.
    pub language: Language,
    /// `buyer` as received (e-mail checked).
    pub buyer: BuyerInput,
    /// `privateDataList` as (key, value) pairs.
    pub private_data: Vec<(String, String)>,
    /// `payment.softDescriptor`, if given.
    pub soft_descriptor: Option<String>,
    /// `merchantName`, if given.
    pub merchant_name: Option<String>,
}

/// Why a request is refused: the Payline code and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The Payline `result.code` to answer with.
    pub code: ReturnCode,
    /// The field at fault and the rule it broke; the `longMessage` is written from it.
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
    let parts = mandatory_parts(request)?;
    let chosen = offered_contracts(request, contracts, parts.contract_number)?;
    let (amount, order_amount) = amounts(&parts)?;
    let urls = urls(request, &parts)?;
    check_order_ref_and_date(parts.order_ref, parts.order_date)?;
    let email = request.buyer.email.as_deref();
    check_email(email)?;
    let action = parse_action(parts.action)?;
    check_mode(parts.mode)?;
    check_ancv_rules(&chosen.offered, email, action, parts.currency, amount)?;

    let numbers = |list: &[&Contract]| list.iter().map(|c| c.number.clone()).collect::<Vec<_>>();
    Ok(ValidWebPayment {
        amount,
        currency: parts.currency,
        action,
        order_ref: parts.order_ref.to_owned(),
        order_amount,
        order_date: parts.order_date.to_owned(),
        payment_contract: chosen.payment.number.clone(),
        offered_after_failure: if chosen.after_failure.is_empty() {
            numbers(&chosen.offered)
        } else {
            numbers(&chosen.after_failure)
        },
        offered: numbers(&chosen.offered),
        return_url: urls.return_url,
        cancel_url: urls.cancel_url,
        notification_url: urls.notification_url,
        language: Language::from_code(request.language_code.as_deref()),
        buyer: request.buyer.clone(),
        private_data: request.private_data.clone(),
        soft_descriptor: parts.payment.soft_descriptor.clone(),
        merchant_name: request.merchant_name.clone(),
    })
}

/// The request's mandatory values: present, currencies parsed, the rest still raw text.
struct MandatoryParts<'a> {
    payment: &'a PaymentInput,
    return_url: &'a str,
    cancel_url: &'a str,
    payment_amount: &'a str,
    currency: Currency,
    action: &'a str,
    mode: &'a str,
    contract_number: &'a str,
    order_ref: &'a str,
    order_amount: &'a str,
    order_currency: Currency,
    order_date: &'a str,
}

/// Step 1 (02305): the mandatory parts are present, the currencies are ISO 4217 numeric codes
/// and the contract lists are not too long.
fn mandatory_parts(request: &WebPaymentRequest) -> Check<MandatoryParts<'_>> {
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
    let lists = [
        ("selectedContractList", &request.selected_contracts),
        (
            "secondSelectedContractList",
            &request.second_selected_contracts,
        ),
    ];
    for (field, list) in lists {
        if list.len() > MAX_SELECTED_CONTRACTS {
            return Err(Refusal::new(
                ReturnCode::InvalidField,
                field,
                format!("at most {MAX_SELECTED_CONTRACTS} contracts"),
            ));
        }
    }
    Ok(MandatoryParts {
        payment,
        return_url,
        cancel_url,
        payment_amount,
        currency,
        action,
        mode,
        contract_number,
        order_ref,
        order_amount,
        order_currency,
        order_date,
    })
}

/// The contracts a request names, each one found active among the merchant's.
struct OfferedContracts<'c> {
    /// `payment.contractNumber`.
    payment: &'c Contract,
    /// `payment.contractNumber` first, then `selectedContractList`, without duplicates.
    offered: Vec<&'c Contract>,
    /// `secondSelectedContractList` without duplicates (empty when absent).
    after_failure: Vec<&'c Contract>,
}

/// Step 2 (02303): every contract named is active and the merchant's own.
fn offered_contracts<'c>(
    request: &WebPaymentRequest,
    contracts: &'c [Contract],
    contract_number: &str,
) -> Check<OfferedContracts<'c>> {
    let payment = find_active(contracts, contract_number, "payment.contractNumber")?;
    let mut offered: Vec<&Contract> = vec![payment];
    for number in &request.selected_contracts {
        let contract = find_active(contracts, number, "selectedContractList")?;
        if !offered.iter().any(|c| c.number == contract.number) {
            offered.push(contract);
        }
    }
    let mut after_failure: Vec<&Contract> = Vec::new();
    for number in &request.second_selected_contracts {
        let contract = find_active(contracts, number, "secondSelectedContractList")?;
        if !after_failure.iter().any(|c| c.number == contract.number) {
            after_failure.push(contract);
        }
    }
    Ok(OfferedContracts {
        payment,
        offered,
        after_failure,
    })
}

/// The active contract with this number; `field` names the list it came from in the refusal.
fn find_active<'c>(contracts: &'c [Contract], number: &str, field: &str) -> Check<&'c Contract> {
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
}

/// Step 3 (02110): both amounts are valid and the order's equals the payment's, in the same
/// currency. Returns (payment amount, order amount), in minor units.
fn amounts(parts: &MandatoryParts<'_>) -> Check<(i64, i64)> {
    let amount = parse_amount("payment.amount", parts.payment_amount)?;
    let order_amount = parse_amount("order.amount", parts.order_amount)?;
    if order_amount != amount || parts.order_currency != parts.currency {
        return Err(Refusal::new(
            ReturnCode::InvalidAmount,
            "order.amount",
            "must equal payment.amount, in the same currency",
        ));
    }
    Ok((amount, order_amount))
}

/// The request's URLs, each checked as absolute http(s).
struct Urls {
    return_url: String,
    cancel_url: String,
    notification_url: Option<String>,
}

/// Step 4a (02305): `returnURL`, `cancelURL` and `notificationURL` (if any) are absolute URLs.
fn urls(request: &WebPaymentRequest, parts: &MandatoryParts<'_>) -> Check<Urls> {
    let return_url = absolute_url("returnURL", parts.return_url)?;
    let cancel_url = absolute_url("cancelURL", parts.cancel_url)?;
    let notification_url = request
        .notification_url
        .as_deref()
        .map(|url| absolute_url("notificationURL", url))
        .transpose()?;
    Ok(Urls {
        return_url,
        cancel_url,
        notification_url,
    })
}

/// Step 4b (02305): `order.ref` is at most 50 characters without control characters, and
/// `order.date` is `dd/mm/yyyy HH:mm`.
fn check_order_ref_and_date(order_ref: &str, order_date: &str) -> Check<()> {
    check_order_ref(order_ref)?;
    if !is_order_date(order_date) {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "order.date",
            "must be dd/mm/yyyy HH:mm",
        ));
    }
    Ok(())
}

/// `order.ref`: at most 50 characters, no control character (02305).
pub(super) fn check_order_ref(order_ref: &str) -> Check<()> {
    if order_ref.chars().count() > 50 || order_ref.chars().any(char::is_control) {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "order.ref",
            "must be at most 50 characters",
        ));
    }
    Ok(())
}

/// Step 4c (02305): `buyer.email`, when given, looks like an e-mail address.
pub(super) fn check_email(email: Option<&str>) -> Check<()> {
    if let Some(email) = email
        && !is_email(email)
    {
        return Err(Refusal::new(
            ReturnCode::InvalidField,
            "buyer.email",
            "is not a valid e-mail address",
        ));
    }
    Ok(())
}

/// Step 5a (02321): `payment.action` is 100 or 101.
fn parse_action(action: &str) -> Check<Action> {
    match action {
        "100" => Ok(Action::Authorization),
        "101" => Ok(Action::AuthorizationAndCapture),
        _ => Err(Refusal::new(
            ReturnCode::InvalidAction,
            "payment.action",
            "must be 100 or 101",
        )),
    }
}

/// Step 5b (02308): `payment.mode` is CPT, the only mode cvgate supports.
fn check_mode(mode: &str) -> Check<()> {
    if mode != "CPT" {
        return Err(Refusal::new(
            ReturnCode::InvalidMode,
            "payment.mode",
            "only CPT (single payment) is supported",
        ));
    }
    Ok(())
}

/// Step 5c, when an `ANCV_CONNECT` contract is offered (the seed's mandatory field): a buyer
/// e-mail (02305), action 101 (02321), the contract's currency (02305), and — when ANCV is the
/// only way to pay — at least its minimum amount (02110).
pub(super) fn check_ancv_rules(
    offered: &[&Contract],
    email: Option<&str>,
    action: Action,
    currency: Currency,
    amount: i64,
) -> Check<()> {
    let Some(ancv) = offered
        .iter()
        .find(|c| c.card_code == CardCode::AncvConnect)
    else {
        return Ok(());
    };
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
    let only_ancv = offered.iter().all(|c| c.card_code == CardCode::AncvConnect);
    if only_ancv && amount < ANCV_MINIMUM_AMOUNT {
        return Err(Refusal::new(
            ReturnCode::InvalidAmount,
            "payment.amount",
            "ANCV_CONNECT needs at least 2000 (20.00 EUR)",
        ));
    }
    Ok(())
}

/// An amount already parsed: positive, at most 12 digits (minor units).
pub(super) fn positive_amount(field: &str, amount: i64) -> Check<i64> {
    parse_amount(field, &amount.to_string())
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
    let calendar_day = || {
        let part = |r| i8::try_from(number(r)).unwrap_or(0);
        let year = i16::try_from(number(6..10)).unwrap_or(0);
        jiff::civil::Date::new(year, part(3..5), part(0..2)).is_ok()
    };
    shape && calendar_day() && number(11..13) < 24 && number(14..16) < 60
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
    fn an_order_date_is_a_day_of_the_calendar() {
        assert!(is_order_date("29/02/2028 10:00"), "leap year");
        assert!(is_order_date("31/12/2026 23:59:59"));
        for wrong in [
            "31/02/2026 10:00",
            "29/02/2026 10:00",
            "31/04/2026 10:00",
            "00/01/2026 10:00",
            "01/13/2026 10:00",
            "01/01/2026 24:00",
        ] {
            assert!(!is_order_date(wrong), "{wrong}");
        }
    }

    #[test]
    fn too_many_contracts_name_the_list_that_has_them() {
        let s = |code: &str, field: &str| (code.to_owned(), field.to_owned());
        let too_many = vec!["CB-1".to_owned(); MAX_SELECTED_CONTRACTS + 1];
        let first = too_many.clone();
        assert_eq!(
            refusal(move |r| r.selected_contracts = first),
            s("02305", "selectedContractList")
        );
        assert_eq!(
            refusal(move |r| r.second_selected_contracts = too_many),
            s("02305", "secondSelectedContractList")
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
