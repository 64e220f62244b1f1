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
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

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
}

impl Snapshot {
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
