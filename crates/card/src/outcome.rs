//! What an acquirer can answer, as exhaustive enums, and the one place where each answer becomes a
//! Payline code ([`return_code`]).

use domain::return_code::ReturnCode;

/// Why an authorization was not granted (the test-card table's refusals and errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decline {
    /// The issuer refuses without a reason (01100).
    DoNotHonour,
    /// The card's expiry is past (01101).
    CardExpired,
    /// The amount is over the card's limit (01116).
    AmountLimit,
    /// The CVV is wrong (01130).
    InvalidCvv,
    /// The 3-D Secure challenge failed, was cancelled, expired or could not take place (03003).
    ThreeDsFailed,
    /// Refused as fraud (04002).
    Fraud,
    /// The acquirer failed (also: it could not be reached, or never answered).
    AcquirerError,
}

/// Why a capture, reset or refund was not done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rejection {
    /// Capture of an authorization older than 7 days.
    AuthorizationExpired,
    /// Capture, reset or refund above what is left.
    AmountExceeded,
    /// A second capture.
    AlreadyCaptured,
    /// Nothing left to reset (or to capture after a full reset).
    AlreadyReset,
    /// Reset after remittance: use a refund.
    NotResettable,
    /// Refund before remittance (or of an authorization never captured): use a reset.
    NotRemitted,
    /// The transaction was not accepted (declined, or its authentication is still running).
    NotAccepted,
    /// Zero or a negative amount.
    InvalidAmount,
}

/// Any final answer of an acquirer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Done: an authorization granted or an operation made.
    Accepted,
    /// An authorization not granted.
    Declined(Decline),
    /// A capture, reset or refund not made.
    Rejected(Rejection),
}

/// The Payline code of an acquirer's answer: the single mapping (payline-v4.md §2, §6).
pub fn return_code(outcome: Outcome) -> ReturnCode {
    match outcome {
        Outcome::Accepted => ReturnCode::Accepted,
        Outcome::Declined(decline) => match decline {
            Decline::DoNotHonour => ReturnCode::CardDoNotHonour,
            Decline::CardExpired => ReturnCode::CardExpired,
            Decline::AmountLimit => ReturnCode::CardAmountLimit,
            Decline::InvalidCvv => ReturnCode::CardInvalidCvv,
            Decline::ThreeDsFailed => ReturnCode::ThreeDSecureFailed,
            Decline::Fraud => ReturnCode::FraudDetected,
            Decline::AcquirerError => ReturnCode::AcquirerError,
        },
        Outcome::Rejected(rejection) => match rejection {
            // The catalogue has no "authorization expired": the issuer no longer holds the
            // funds, which Payline reports as a bank refusal.
            Rejection::AuthorizationExpired => ReturnCode::CardDoNotHonour,
            Rejection::AmountExceeded => ReturnCode::AmountExceeded,
            Rejection::AlreadyCaptured => ReturnCode::AlreadyCaptured,
            Rejection::AlreadyReset => ReturnCode::ResetAlreadyDone,
            Rejection::NotResettable => ReturnCode::NotResettable,
            Rejection::NotRemitted => ReturnCode::NotRemitted,
            Rejection::NotAccepted => ReturnCode::InvalidField,
            Rejection::InvalidAmount => ReturnCode::InvalidAmount,
        },
    }
}

impl Decline {
    /// Every decline, in the order of the test-card table.
    pub const ALL: [Decline; 7] = [
        Decline::DoNotHonour,
        Decline::CardExpired,
        Decline::AmountLimit,
        Decline::InvalidCvv,
        Decline::ThreeDsFailed,
        Decline::Fraud,
        Decline::AcquirerError,
    ];

    /// The name on the sandbox's wire and in its ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Decline::DoNotHonour => "DO_NOT_HONOUR",
            Decline::CardExpired => "CARD_EXPIRED",
            Decline::AmountLimit => "AMOUNT_LIMIT",
            Decline::InvalidCvv => "INVALID_CVV",
            Decline::ThreeDsFailed => "THREE_DS_FAILED",
            Decline::Fraud => "FRAUD",
            Decline::AcquirerError => "ACQUIRER_ERROR",
        }
    }

    /// Reads a name written by [`Decline::as_str`]; `None` for anything else.
    pub fn parse(value: &str) -> Option<Decline> {
        Decline::ALL.into_iter().find(|d| d.as_str() == value)
    }

    /// The Payline code cvgate answers for this decline (see [`return_code`]).
    pub fn return_code(self) -> ReturnCode {
        return_code(Outcome::Declined(self))
    }
}

impl Rejection {
    /// Every rejection, as [`Rejection::parse`] knows them.
    pub(crate) const ALL: [Rejection; 8] = [
        Rejection::AuthorizationExpired,
        Rejection::AmountExceeded,
        Rejection::AlreadyCaptured,
        Rejection::AlreadyReset,
        Rejection::NotResettable,
        Rejection::NotRemitted,
        Rejection::NotAccepted,
        Rejection::InvalidAmount,
    ];

    /// The name on the sandbox's wire (`outcome` of an operation) and in its ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::AuthorizationExpired => "AUTHORIZATION_EXPIRED",
            Rejection::AmountExceeded => "AMOUNT_EXCEEDED",
            Rejection::AlreadyCaptured => "ALREADY_CAPTURED",
            Rejection::AlreadyReset => "ALREADY_RESET",
            Rejection::NotResettable => "NOT_RESETTABLE",
            Rejection::NotRemitted => "NOT_REMITTED",
            Rejection::NotAccepted => "NOT_ACCEPTED",
            Rejection::InvalidAmount => "INVALID_AMOUNT",
        }
    }

    /// Reads a name written by [`Rejection::as_str`]; `None` for anything else.
    pub fn parse(value: &str) -> Option<Rejection> {
        Rejection::ALL.into_iter().find(|r| r.as_str() == value)
    }

    /// The Payline code cvgate answers for this rejection (see [`return_code`]).
    pub fn return_code(self) -> ReturnCode {
        return_code(Outcome::Rejected(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for decline in Decline::ALL {
            assert_eq!(Decline::parse(decline.as_str()), Some(decline));
        }
        for rejection in Rejection::ALL {
            assert_eq!(Rejection::parse(rejection.as_str()), Some(rejection));
        }
    }

    #[test]
    fn codes_of_the_card_sandbox_table() {
        let codes: Vec<&str> = Decline::ALL
            .iter()
            .map(|d| d.return_code().code())
            .collect();
        assert_eq!(
            codes,
            [
                "01100", "01101", "01116", "01130", "03003", "04002", "01199"
            ]
        );
        assert_eq!(return_code(Outcome::Accepted).code(), "00000");
        let after_sale: Vec<&str> = [
            Rejection::AmountExceeded,
            Rejection::AlreadyCaptured,
            Rejection::AlreadyReset,
            Rejection::NotResettable,
            Rejection::NotRemitted,
        ]
        .iter()
        .map(|r| r.return_code().code())
        .collect();
        assert_eq!(after_sale, ["02613", "02617", "02601", "02603", "02618"]);
    }
}
