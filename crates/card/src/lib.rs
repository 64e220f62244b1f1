//! Card payments, cvgate's side of the acquirer protocol (card-sandbox.md, payline-v4.md §6).
//!
//! - [`Acquirer`]: the connector trait cvgate calls (authorize 100/101, 3-D Secure completion,
//!   status, capture, reset, refund, remit), with exhaustive outcomes ([`Decline`], [`Rejection`])
//!   mapped to Payline codes in one place ([`return_code`]).
//! - [`HttpAcquirer`]: that trait over HTTP ([`wire`]: the acquirer protocol, which the
//!   homologation acquirer of crate `card-sandbox` serves).
//! - [`ledger`]: the after-sale rules both sides apply; [`remittance`]: when the daily batch runs.
//!
//! Card data ([`domain::card`]) is only ever in memory: it goes into the authorization request
//! body and nowhere else. The acquirer answers with an opaque card token.

pub mod acquirer;
pub mod connector;
pub mod ledger;
pub mod outcome;
pub mod remittance;
mod unconfigured;
pub mod wire;

pub use acquirer::{
    Accepted, Acquirer, AcquirerError, AcquirerFuture, Action, AuthorizationRequest,
    AuthorizationState, CHALLENGE_PARAM, OperationOutcome, OperationRequest, OperationResult,
    Remitted, ThreeDs,
};
pub use connector::{HttpAcquirer, HttpAcquirerConfig};
pub use ledger::{Balances, LedgerStatus, OperationKind};
pub use outcome::{Decline, Outcome, Rejection, return_code};
pub use remittance::RemittanceTime;
pub use unconfigured::NoAcquirer;
