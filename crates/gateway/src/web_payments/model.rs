//! What web payments answer with: the errors, the session snapshot the page and the API show, and
//! the small rules the steps share.

use crate::card_payments::{CardPaymentError, CardTransaction};
use domain::FieldError;
use domain::ancv_payment::AncvPayment;
use domain::contract::{CardCode, Contract};
use domain::web_payment::request::{ANCV_MINIMUM_AMOUNT, Refusal};
use domain::web_payment::{SessionState, WebPayment};
use store::StoreError;

/// Where the hosted page of a token lives, under the public base URL.
pub fn page_path(token: &str) -> String {
    format!("/webpayment/{token}")
}

/// Why a web payment call or page step was not done.
#[derive(Debug, thiserror::Error)]
pub enum WebPaymentError {
    /// `doWebPayment` refused: the code and the field.
    #[error("{}: {}", .0.code, .0.error)]
    Refused(Refusal),
    /// Unknown token, or another merchant's (02304).
    #[error("unknown token")]
    UnknownToken,
    /// The buyer asked for something the page does not offer now.
    #[error("{0}")]
    NotNow(String),
    /// Bad input on the page (shown on the form).
    #[error("{0}")]
    Invalid(FieldError),
    /// The caller may not do this to this session (point of sale setting, or too late).
    #[error("{0}")]
    NotAllowed(&'static str),
    /// ANCV did not take the buyer's identifier (shown on the form, the identifier kept).
    #[error("ANCV refused the identifier: {0:?}")]
    Beneficiary(BeneficiaryProblem),
    /// Too many ANCV identifiers tried for this session lately: an identifier form must not
    /// become a way to test accounts or to fill a beneficiary's app with requests.
    #[error(
        "too many Chèque-Vacances requests for this payment; try again in {retry_after_seconds} s"
    )]
    TooManyAttempts {
        /// When the next identifier will be taken.
        retry_after_seconds: u64,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why ANCV did not take an identifier the buyer typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeneficiaryProblem {
    /// No Chèque-Vacances Connect account has this e-mail or identifier.
    UnknownAccount,
    /// The account already has a request waiting in the app.
    RequestPending,
    /// ANCV refused the request for another reason, or could not be reached (the code the
    /// session recorded).
    Other(domain::return_code::ReturnCode),
}

/// At most this many Chèque-Vacances requests per session within [`ANCV_REQUEST_WINDOW_MS`].
pub const ANCV_REQUESTS_PER_WINDOW: usize = 5;
/// The sliding window of [`ANCV_REQUESTS_PER_WINDOW`], milliseconds.
pub const ANCV_REQUEST_WINDOW_MS: i64 = 10 * 60 * 1000;

/// A session with what belongs to it, as the page and the API show it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The session: the merchant's request and where the session stands.
    pub payment: WebPayment,
    /// The offered contracts, in order.
    pub contracts: Vec<Contract>,
    /// The session's ANCV payment, once the buyer asked for one.
    pub ancv: Option<AncvPayment>,
    /// The card transaction that paid, or is under way.
    pub card: Option<CardTransaction>,
    /// The label of the point of sale the session belongs to.
    pub point_of_sale_label: String,
}

impl Snapshot {
    /// Who asks the buyer for money: the request's `merchantName`, else the point of sale's
    /// label (shown on the page, the widget and in the Chèque-Vacances app).
    pub fn merchant_display_name(&self) -> &str {
        self.payment
            .request
            .merchant_name
            .as_deref()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(&self.point_of_sale_label)
    }

    /// The offered ANCV Connect contract, if any.
    pub fn ancv_contract(&self) -> Option<&Contract> {
        self.contracts
            .iter()
            .find(|c| c.card_code == CardCode::AncvConnect)
    }

    /// Card contracts offered on the page, in order.
    pub fn card_contracts(&self) -> Vec<&Contract> {
        self.contracts
            .iter()
            .filter(|c| c.card_code.is_card())
            .collect()
    }

    /// Whether the buyer can ask for an ANCV payment now.
    pub fn ancv_offered(&self) -> bool {
        self.ancv_contract().is_some() && self.payment.request.amount >= ANCV_MINIMUM_AMOUNT
    }

    /// The card transaction that belongs to this payment as the merchant sees it: not a card
    /// accepted for the session after it ended (cvgate gave that one back).
    pub fn counted_card(&self) -> Option<&CardTransaction> {
        self.card.as_ref().filter(|c| {
            c.state != crate::card_payments::PaymentState::Accepted
                || self.payment.session.wants_card(&c.id)
        })
    }

    /// The card contracts that may take the rest after a partial ANCV validation: the card
    /// contracts the session offers (`selectedContractList`), in order.
    pub fn complementary_contracts(&self) -> Vec<&Contract> {
        self.card_contracts()
    }
}

/// Whether the session may take a card payment now.
pub(super) fn may_pay_by_card(state: SessionState) -> bool {
    matches!(state, SessionState::OnPage | SessionState::AncvPartial)
}

/// A card service error as the page shows it.
pub(super) fn card_error(error: CardPaymentError) -> WebPaymentError {
    match error {
        CardPaymentError::Invalid(error) => WebPaymentError::Invalid(error),
        CardPaymentError::Store(error) => WebPaymentError::Store(error),
        other => WebPaymentError::NotNow(other.to_string()),
    }
}

/// A session whose writers keep colliding: given up on, loudly.
pub(super) fn too_busy(token: &str) -> StoreError {
    StoreError::corrupt(
        "web_payments",
        format!("session {} keeps changing under its writers", short(token)),
    )
}

/// Tokens are bearer secrets for the page: logs show only their start.
pub(super) fn short(token: &str) -> String {
    format!("{}…", token.chars().take(6).collect::<String>())
}
