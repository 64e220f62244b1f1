//! The acquirer connector trait: what cvgate asks of a card acquirer, whichever it is.
//!
//! Every request carries cvgate's own reference (the transaction id, or the operation id for a
//! capture, reset or refund). An acquirer must treat it as an idempotency key: a repeated request
//! returns the first result and does nothing twice. That is what lets cvgate reconcile an
//! unknown outcome (a timeout after sending) with [`Acquirer::status`] instead of charging twice.

use crate::ledger::{Balances, OperationKind};
use crate::outcome::{Decline, Rejection};
use domain::card::CardData;
use domain::money::Currency;
use std::future::Future;
use std::pin::Pin;

/// What every [`Acquirer`] method returns: a boxed, sendable future of the answer or an
/// [`AcquirerError`] (boxed so that the trait stays object-safe).
pub type AcquirerFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, AcquirerError>> + Send + 'a>>;

/// Payline's `payment.action` for a card payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 100: authorization only; captured later (doCapture) within 7 days.
    Authorization,
    /// 101: authorization and capture at once.
    AuthorizationAndCapture,
}

impl Action {
    /// The Payline action code: 100 or 101.
    pub fn code(self) -> i64 {
        match self {
            Action::Authorization => 100,
            Action::AuthorizationAndCapture => 101,
        }
    }

    /// The action of a Payline code; `None` for anything but 100 and 101.
    pub fn from_code(code: i64) -> Option<Action> {
        match code {
            100 => Some(Action::Authorization),
            101 => Some(Action::AuthorizationAndCapture),
            _ => None,
        }
    }

    /// Whether the authorization is captured at once (101).
    pub fn captures(self) -> bool {
        match self {
            Action::Authorization => false,
            Action::AuthorizationAndCapture => true,
        }
    }
}

/// What cvgate asks the acquirer to authorize; holds the card data, so it is never stored or
/// logged.
#[derive(Debug)]
pub struct AuthorizationRequest<'a> {
    /// cvgate's transaction id: the idempotency key.
    pub reference: String,
    /// The merchant's order reference (at most 50 characters): lets the acquirer's records be
    /// matched with the merchant's orders.
    pub order_ref: String,
    /// The amount to authorize, in minor units of `currency`.
    pub amount: i64,
    /// The payment's currency.
    pub currency: Currency,
    /// Authorization only (100) or with capture (101).
    pub action: Action,
    /// In memory for this call only.
    pub card: &'a CardData,
    /// Where the ACS sends the buyer back after a 3-D Secure challenge; without it a card that
    /// needs a challenge is declined (03003).
    pub three_ds_return_url: Option<String>,
}

/// How the buyer was authenticated with 3-D Secure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ThreeDs {
    /// Without the buyer doing anything (the issuer trusted the payment).
    Frictionless,
    /// After the buyer answered a challenge on the ACS page.
    Challenge,
}

impl ThreeDs {
    /// The name on the acquirer's wire and in the ledgers: `FRICTIONLESS` or `CHALLENGE`.
    pub fn as_str(self) -> &'static str {
        match self {
            ThreeDs::Frictionless => "FRICTIONLESS",
            ThreeDs::Challenge => "CHALLENGE",
        }
    }

    /// Reads a name written by [`ThreeDs::as_str`]; `None` for anything else.
    pub fn parse(value: &str) -> Option<ThreeDs> {
        [ThreeDs::Frictionless, ThreeDs::Challenge]
            .into_iter()
            .find(|t| t.as_str() == value)
    }
}

/// A granted authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The acquirer's authorization number (6 digits at the sandbox).
    pub authorization_number: String,
    /// Opaque: stands for the card at the acquirer. Safe to store.
    pub card_token: String,
    /// How the buyer was authenticated.
    pub three_ds: ThreeDs,
    /// The transaction's amounts at the acquirer now.
    pub balances: Balances,
}

/// The acquirer's view of an authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationState {
    /// Granted.
    Accepted(Accepted),
    /// The buyer must authenticate on the ACS page at `acs_url`; the ACS then sends the browser
    /// to the request's `three_ds_return_url` with `challenge_ref` as [`CHALLENGE_PARAM`].
    ChallengeRequired {
        /// The acquirer's reference of this challenge.
        challenge_ref: String,
        /// The absolute URL of the ACS page to send the buyer's browser to.
        acs_url: String,
    },
    /// Refused (by the test-card table, a failed challenge or an acquirer error).
    Declined(Decline),
}

/// The query parameter carrying the challenge reference back to cvgate's return URL.
pub const CHALLENGE_PARAM: &str = "challenge";

/// A capture, reset or refund to make on an accepted transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationRequest {
    /// The transaction's reference (cvgate's transaction id).
    pub reference: String,
    /// cvgate's operation id: the idempotency key of this capture, reset or refund.
    pub operation_ref: String,
    /// In minor units; `None`: everything that is left.
    pub amount: Option<i64>,
}

/// What the acquirer did with a capture, reset or refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationOutcome {
    /// Made.
    Done {
        /// The amount operated, in minor units (what was left when none was asked).
        amount: i64,
    },
    /// Not made, and why.
    Rejected(Rejection),
}

/// The acquirer's answer to a capture, reset or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationResult {
    /// Made or rejected.
    pub outcome: OperationOutcome,
    /// The transaction's amounts at the acquirer afterwards (`None`: unknown transaction).
    pub balances: Option<Balances>,
}

/// One transaction of a remittance batch, as the acquirer holds it afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remitted {
    /// cvgate's transaction id, as asked.
    pub reference: String,
    /// `None`: the acquirer does not know (or never accepted) the transaction.
    pub balances: Option<Balances>,
}

/// Why an acquirer call gave no answer, told apart by what the caller may then do.
#[derive(Debug, thiserror::Error)]
pub enum AcquirerError {
    /// The acquirer answered that the request itself is wrong: nothing was done.
    #[error("the acquirer refused the {operation} request: {detail}")]
    Refused {
        /// The call, e.g. `authorization`, `captures`, `status`.
        operation: &'static str,
        /// The acquirer's error word and message (never card data).
        detail: String,
    },
    /// The request may or may not have been processed (timeout or broken connection after
    /// sending): reconcile, never repeat blindly.
    #[error("the outcome of the acquirer {operation} is unknown: {detail}")]
    OutcomeUnknown {
        /// The call, e.g. `authorization`, `captures`, `status`.
        operation: &'static str,
        /// What happened (timeout, cut body, HTTP 5xx), the URL left out.
        detail: String,
    },
    /// The connection could not be made: nothing was sent.
    #[error("the acquirer is unreachable for the {operation}: {detail}")]
    Unreachable {
        /// The call, e.g. `authorization`, `captures`, `status`.
        operation: &'static str,
        /// The connection error, the URL left out.
        detail: String,
    },
    /// The acquirer answered with something this connector does not understand.
    #[error("the acquirer answered the {operation} unreadably: {detail}")]
    InvalidResponse {
        /// The call, e.g. `authorization`, `captures`, `status`.
        operation: &'static str,
        /// What could not be read.
        detail: String,
    },
}

impl AcquirerError {
    /// Whether the call certainly did nothing at the acquirer.
    pub fn certainly_not_done(&self) -> bool {
        match self {
            AcquirerError::Refused { .. } | AcquirerError::Unreachable { .. } => true,
            AcquirerError::OutcomeUnknown { .. } | AcquirerError::InvalidResponse { .. } => false,
        }
    }
}

/// A card acquirer (the sandbox in homologation). Implementations must be idempotent per
/// reference (see the module documentation).
pub trait Acquirer: Send + Sync {
    /// Authorizes (action 100) or authorizes and captures (101). A known reference returns the
    /// existing result without a new authorization.
    fn authorize<'a>(
        &'a self,
        request: &'a AuthorizationRequest<'a>,
    ) -> AcquirerFuture<'a, AuthorizationState>;

    /// The result of a 3-D Secure challenge, once the ACS sent the buyer back (still
    /// [`AuthorizationState::ChallengeRequired`] if the buyer did not finish it).
    fn complete_three_ds<'a>(
        &'a self,
        reference: &'a str,
        challenge_ref: &'a str,
    ) -> AcquirerFuture<'a, AuthorizationState>;

    /// The authorization with this reference, `None` if the acquirer never received it.
    fn status<'a>(&'a self, reference: &'a str) -> AcquirerFuture<'a, Option<AuthorizationState>>;

    /// Captures an action-100 authorization (doCapture).
    fn capture<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult>;

    /// Cancels before remittance, fully or partly (doReset).
    fn reset<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult>;

    /// Refunds after remittance, partly or fully, possibly several times (doRefund).
    fn refund<'a>(&'a self, request: &'a OperationRequest) -> AcquirerFuture<'a, OperationResult>;

    /// Remits these captured transactions (the daily batch). Already remitted ones are
    /// reported as they are.
    fn remit<'a>(&'a self, references: &'a [String]) -> AcquirerFuture<'a, Vec<Remitted>>;

    /// The operation of `kind`.
    fn operate<'a>(
        &'a self,
        kind: OperationKind,
        request: &'a OperationRequest,
    ) -> AcquirerFuture<'a, OperationResult> {
        match kind {
            OperationKind::Capture => self.capture(request),
            OperationKind::Reset => self.reset(request),
            OperationKind::Refund => self.refund(request),
        }
    }
}
