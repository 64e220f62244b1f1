//! The card sandbox's JSON API, shared by the sandbox (server) and [`crate::HttpAcquirer`]
//! (client). Paths are relative to where the API is mounted (`/sandbox/card`):
//!
//! | request | body | answer |
//! |---|---|---|
//! | `POST /api/authorizations` | `{reference, order_ref?, amount, currency, action, card: {number, expiry, cvv}, three_ds_return_url?}` | [`TransactionBody`] |
//! | `POST /api/authorizations/{reference}/three-ds` | [`ThreeDsBody`] | [`TransactionBody`] |
//! | `GET /api/authorizations/{reference}` | | [`TransactionBody`], 404 if unknown |
//! | `POST /api/authorizations/{reference}/captures` (`/resets`, `/refunds`) | [`OperationRequestBody`] | [`OperationBody`] |
//! | `POST /api/remittances` | [`RemitRequestBody`] | [`RemitResponseBody`] |
//!
//! `order_ref` is the merchant's order reference, at most [`ORDER_REF_MAX_CHARS`] characters;
//! optional, so that a client that does not send it still works.
//!
//! Errors: HTTP 4xx with [`ErrorBody`] (nothing was done). The authorization request has no type
//! here on purpose: card data must not be `Serialize` (see `domain::card`); the connector writes
//! it field by field and the sandbox reads it into `domain::card` types at once.

use crate::acquirer::{
    Accepted, AuthorizationState, OperationOutcome, OperationResult, Remitted, ThreeDs,
};
use crate::ledger::Balances;
use crate::outcome::{Decline, Rejection};
use domain::clock::Timestamp;
use serde::{Deserialize, Serialize};

/// The longest `order_ref` an authorization may carry (Payline's `order.ref`).
pub const ORDER_REF_MAX_CHARS: usize = 50;

/// [`TransactionBody::status`] of a granted authorization.
pub const ACCEPTED: &str = "ACCEPTED";
/// [`TransactionBody::status`] of an authorization waiting for the buyer's 3-D Secure challenge.
pub const CHALLENGE_REQUIRED: &str = "CHALLENGE_REQUIRED";
/// [`TransactionBody::status`] of a refused authorization (see [`TransactionBody::decline`]).
pub const DECLINED: &str = "DECLINED";
/// [`OperationBody::outcome`] of a capture, reset or refund that was made.
pub const DONE: &str = "DONE";

/// `balances`: a transaction's amounts at the acquirer ([`Balances`]), in minor units; instants
/// in milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BalancesBody {
    /// `authorized`: the amount authorized.
    pub authorized: i64,
    /// `captured`: the amount captured (0 before the capture).
    pub captured: i64,
    /// `reset`: the amount reset since the capture (before it: off the authorization).
    pub reset: i64,
    /// `remitted`: the amount remitted to the merchant (0 before remittance).
    pub remitted: i64,
    /// `refunded`: the total refunded after remittance.
    pub refunded: i64,
    /// `authorized_at`: when the authorization was granted (ms).
    pub authorized_at: i64,
    /// `remitted_at`: when the transaction was remitted (ms); null before.
    pub remitted_at: Option<i64>,
}

impl From<&Balances> for BalancesBody {
    fn from(b: &Balances) -> Self {
        BalancesBody {
            authorized: b.authorized,
            captured: b.captured,
            reset: b.reset,
            remitted: b.remitted,
            refunded: b.refunded,
            authorized_at: b.authorized_at.millis(),
            remitted_at: b.remitted_at.map(Timestamp::millis),
        }
    }
}

impl From<&BalancesBody> for Balances {
    fn from(b: &BalancesBody) -> Self {
        Balances {
            authorized: b.authorized,
            captured: b.captured,
            reset: b.reset,
            remitted: b.remitted,
            refunded: b.refunded,
            authorized_at: Timestamp(b.authorized_at),
            remitted_at: b.remitted_at.map(Timestamp),
        }
    }
}

/// An authorization as the acquirer holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionBody {
    /// `reference`: cvgate's transaction id, as sent in the authorization.
    pub reference: String,
    /// [`ACCEPTED`], [`CHALLENGE_REQUIRED`] or [`DECLINED`].
    pub status: String,
    /// `decline`: the [`Decline`] name (e.g. `DO_NOT_HONOUR`) when DECLINED.
    #[serde(default)]
    pub decline: Option<String>,
    /// `authorization_number`: the acquirer's authorization number when ACCEPTED.
    #[serde(default)]
    pub authorization_number: Option<String>,
    /// `card_token`: the opaque token standing for the card when ACCEPTED (safe to store).
    #[serde(default)]
    pub card_token: Option<String>,
    /// `three_ds`: `FRICTIONLESS` or `CHALLENGE` ([`ThreeDs`]) when ACCEPTED.
    #[serde(default)]
    pub three_ds: Option<String>,
    /// `challenge_ref`: the challenge's reference when CHALLENGE_REQUIRED.
    #[serde(default)]
    pub challenge_ref: Option<String>,
    /// `acs_url`: the absolute URL of the ACS page for the buyer when CHALLENGE_REQUIRED.
    #[serde(default)]
    pub acs_url: Option<String>,
    /// `balances`: the amounts when ACCEPTED.
    #[serde(default)]
    pub balances: Option<BalancesBody>,
}

impl TransactionBody {
    /// The answer for the authorization `reference` in `state` (the server's side).
    pub fn new(reference: &str, state: &AuthorizationState) -> TransactionBody {
        let mut body = TransactionBody {
            reference: reference.to_owned(),
            status: String::new(),
            decline: None,
            authorization_number: None,
            card_token: None,
            three_ds: None,
            challenge_ref: None,
            acs_url: None,
            balances: None,
        };
        match state {
            AuthorizationState::Accepted(accepted) => {
                body.status = ACCEPTED.to_owned();
                body.authorization_number = Some(accepted.authorization_number.clone());
                body.card_token = Some(accepted.card_token.clone());
                body.three_ds = Some(accepted.three_ds.as_str().to_owned());
                body.balances = Some(BalancesBody::from(&accepted.balances));
            }
            AuthorizationState::ChallengeRequired {
                challenge_ref,
                acs_url,
            } => {
                body.status = CHALLENGE_REQUIRED.to_owned();
                body.challenge_ref = Some(challenge_ref.clone());
                body.acs_url = Some(acs_url.clone());
            }
            AuthorizationState::Declined(decline) => {
                body.status = DECLINED.to_owned();
                body.decline = Some(decline.as_str().to_owned());
            }
        }
        body
    }

    /// The state this answer describes (the client's side); an error says which field is
    /// missing or unknown.
    pub(crate) fn into_state(self) -> Result<AuthorizationState, String> {
        let missing = |field: &str| format!("{} without {field}", self.status);
        match self.status.as_str() {
            ACCEPTED => Ok(AuthorizationState::Accepted(Accepted {
                authorization_number: self
                    .authorization_number
                    .clone()
                    .ok_or_else(|| missing("authorization_number"))?,
                card_token: self
                    .card_token
                    .clone()
                    .ok_or_else(|| missing("card_token"))?,
                three_ds: self
                    .three_ds
                    .as_deref()
                    .and_then(ThreeDs::parse)
                    .ok_or_else(|| missing("three_ds"))?,
                balances: self
                    .balances
                    .as_ref()
                    .map(Balances::from)
                    .ok_or_else(|| missing("balances"))?,
            })),
            CHALLENGE_REQUIRED => Ok(AuthorizationState::ChallengeRequired {
                challenge_ref: self
                    .challenge_ref
                    .clone()
                    .ok_or_else(|| missing("challenge_ref"))?,
                acs_url: self.acs_url.clone().ok_or_else(|| missing("acs_url"))?,
            }),
            DECLINED => Ok(AuthorizationState::Declined(
                self.decline
                    .as_deref()
                    .and_then(Decline::parse)
                    .ok_or_else(|| missing("a known decline"))?,
            )),
            other => Err(format!("unknown status {other:?}")),
        }
    }
}

/// The body of `POST /api/authorizations/{reference}/three-ds`: which challenge cvgate asks the
/// result of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreeDsBody {
    /// `challenge_ref`: as brought back by the buyer's browser from the ACS page.
    pub challenge_ref: String,
}

/// The body of a capture, reset or refund request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationRequestBody {
    /// `operation_ref`: cvgate's operation id, the idempotency key (1 to 64 letters, digits, `-`
    /// or `_`).
    pub operation_ref: String,
    /// `amount`: in minor units; absent or null for everything that is left.
    #[serde(default)]
    pub amount: Option<i64>,
}

/// The answer to a capture, reset or refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationBody {
    /// `operation_ref`: cvgate's operation id, as sent.
    pub operation_ref: String,
    /// [`DONE`] or a [`Rejection`] name.
    pub outcome: String,
    /// `amount`: the amount operated in minor units; 0 when rejected.
    pub amount: i64,
    /// `balances`: the transaction's amounts afterwards; null for a transaction never accepted.
    #[serde(default)]
    pub balances: Option<BalancesBody>,
}

impl OperationBody {
    /// The answer for operation `operation_ref` with this result (the server's side).
    pub fn new(operation_ref: &str, result: &OperationResult) -> OperationBody {
        let (outcome, amount) = match result.outcome {
            OperationOutcome::Done { amount } => (DONE, amount),
            OperationOutcome::Rejected(rejection) => (rejection.as_str(), 0),
        };
        OperationBody {
            operation_ref: operation_ref.to_owned(),
            outcome: outcome.to_owned(),
            amount,
            balances: result.balances.as_ref().map(BalancesBody::from),
        }
    }

    /// The result this answer describes (the client's side); an error names an unknown outcome.
    pub(crate) fn into_result(self) -> Result<OperationResult, String> {
        let outcome = match self.outcome.as_str() {
            DONE => OperationOutcome::Done {
                amount: self.amount,
            },
            other => OperationOutcome::Rejected(
                Rejection::parse(other)
                    .ok_or_else(|| format!("unknown operation outcome {other:?}"))?,
            ),
        };
        Ok(OperationResult {
            outcome,
            balances: self.balances.as_ref().map(Balances::from),
        })
    }
}

/// The body of `POST /api/remittances`: the daily batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemitRequestBody {
    /// `references`: cvgate's transaction ids to remit.
    pub references: Vec<String>,
}

/// One transaction of a remittance answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemittedBody {
    /// `reference`: cvgate's transaction id, as asked.
    pub reference: String,
    /// `balances`: its amounts afterwards; null when the acquirer does not know it or never
    /// accepted it.
    #[serde(default)]
    pub balances: Option<BalancesBody>,
}

/// The answer to `POST /api/remittances`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemitResponseBody {
    /// `transactions`: one per reference asked, in the same order.
    pub transactions: Vec<RemittedBody>,
}

impl From<&Remitted> for RemittedBody {
    fn from(r: &Remitted) -> Self {
        RemittedBody {
            reference: r.reference.clone(),
            balances: r.balances.as_ref().map(BalancesBody::from),
        }
    }
}

impl From<&RemittedBody> for Remitted {
    fn from(r: &RemittedBody) -> Self {
        Remitted {
            reference: r.reference.clone(),
            balances: r.balances.as_ref().map(Balances::from),
        }
    }
}

/// A refused request: `error` is a constant word, `message` says why in English. Never contains
/// card data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// `error`: [`INVALID_REQUEST`], [`UNKNOWN_REFERENCE`], [`CONFLICT`] or [`INTERNAL`].
    pub error: String,
    /// `message`: why, in English.
    pub message: String,
}

/// [`ErrorBody::error`] (HTTP 400): the body is malformed or a field is invalid.
pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
/// [`ErrorBody::error`] (HTTP 404): no transaction (or 3-D Secure challenge) has this reference.
pub const UNKNOWN_REFERENCE: &str = "UNKNOWN_REFERENCE";
/// [`ErrorBody::error`] (HTTP 409): the reference was used before for a different request.
pub const CONFLICT: &str = "CONFLICT";
/// [`ErrorBody::error`] (HTTP 5xx): the acquirer failed; the outcome is unknown.
pub const INTERNAL: &str = "INTERNAL";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip() {
        let balances = Balances::authorized(1000, true, Timestamp(5));
        let states = [
            AuthorizationState::Accepted(Accepted {
                authorization_number: "123456".into(),
                card_token: "tok".into(),
                three_ds: ThreeDs::Challenge,
                balances,
            }),
            AuthorizationState::ChallengeRequired {
                challenge_ref: "c".into(),
                acs_url: "http://acs/c".into(),
            },
            AuthorizationState::Declined(Decline::Fraud),
        ];
        for state in states {
            let json = serde_json::to_string(&TransactionBody::new("r", &state)).unwrap();
            let back: TransactionBody = serde_json::from_str(&json).unwrap();
            assert_eq!(back.into_state().unwrap(), state);
        }
        let result = OperationResult {
            outcome: OperationOutcome::Rejected(Rejection::NotRemitted),
            balances: Some(balances),
        };
        assert_eq!(
            OperationBody::new("o", &result).into_result().unwrap(),
            result
        );
    }
}
