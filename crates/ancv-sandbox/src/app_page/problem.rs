//! Why an answer to a request was not taken, where the list shows it, and with which status.
//! The rules themselves are the sandbox's ([`crate::Sandbox::validate_request`]); this only
//! names its refusals for people.

use crate::app_page::catalogue::{Texts, fill};
use crate::app_page::money::AmountError;
use crate::error::SandboxError;
use ancv::ErrorCode;
use axum::http::StatusCode;

/// A refused answer, shown with the list again.
pub(crate) struct Problem {
    pub transaction_id: String,
    pub trouble: Trouble,
    /// What was typed in the amount field, given back (never the secret code).
    pub entered_amount: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trouble {
    AmountMissing,
    AmountFormat,
    AmountPrecision,
    /// Zero, or above min(balance, requested).
    AmountRefused,
    /// "Full amount" chosen with an amount typed (Enter in the amount field submits with the
    /// form's first button): the intent is unclear, so nothing is paid.
    AmountAmbiguous,
    /// "Full amount" chosen but the balance is lower.
    FullNotCovered,
    CodeMissing,
    CodeWrong,
    /// Expired, already answered, or not this beneficiary's.
    Gone,
}

/// Where the list shows a trouble.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    Amount,
    Code,
    Page,
}

impl Trouble {
    /// How the sandbox's refusal reads in the app; `None` for failures of the sandbox itself.
    pub(crate) fn of(error: &SandboxError, full_amount: bool) -> Option<Trouble> {
        match error {
            SandboxError::InvalidSecretCode => Some(Trouble::CodeWrong),
            SandboxError::Refused { code, .. } => match code {
                ErrorCode::InvalidTransactionAmount if full_amount => Some(Trouble::FullNotCovered),
                ErrorCode::InvalidTransactionAmount => Some(Trouble::AmountRefused),
                ErrorCode::OperationTransactionNotAllowed | ErrorCode::TransactionNotFound => {
                    Some(Trouble::Gone)
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn place(self) -> Place {
        match self {
            Trouble::AmountMissing
            | Trouble::AmountFormat
            | Trouble::AmountPrecision
            | Trouble::AmountRefused
            | Trouble::AmountAmbiguous
            | Trouble::FullNotCovered => Place::Amount,
            Trouble::CodeMissing | Trouble::CodeWrong => Place::Code,
            Trouble::Gone => Place::Page,
        }
    }

    /// The message; `max` is the most the request allows, formatted.
    pub(crate) fn text(self, t: &Texts, max: &str) -> String {
        match self {
            Trouble::AmountMissing => t.error_amount_missing.to_owned(),
            Trouble::AmountFormat => t.error_amount_format.to_owned(),
            Trouble::AmountPrecision => t.error_amount_precision.to_owned(),
            Trouble::AmountRefused => fill(t.error_amount_refused, max),
            Trouble::AmountAmbiguous => t.error_amount_ambiguous.to_owned(),
            Trouble::FullNotCovered => t.error_full_not_covered.to_owned(),
            Trouble::CodeMissing => t.error_code_missing.to_owned(),
            Trouble::CodeWrong => t.error_code_wrong.to_owned(),
            Trouble::Gone => t.error_gone.to_owned(),
        }
    }

    /// 409 when the request is no longer there to answer, 422 when the form needs fixing.
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Trouble::Gone => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl From<AmountError> for Trouble {
    fn from(error: AmountError) -> Trouble {
        match error {
            AmountError::Missing => Trouble::AmountMissing,
            AmountError::Format => Trouble::AmountFormat,
            AmountError::Precision => Trouble::AmountPrecision,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_refusals_read_as_troubles() {
        let refused = |code| SandboxError::refused(code, "x");
        assert_eq!(
            Trouble::of(&SandboxError::InvalidSecretCode, false),
            Some(Trouble::CodeWrong)
        );
        let amount = refused(ErrorCode::InvalidTransactionAmount);
        assert_eq!(Trouble::of(&amount, false), Some(Trouble::AmountRefused));
        assert_eq!(Trouble::of(&amount, true), Some(Trouble::FullNotCovered));
        for code in [
            ErrorCode::OperationTransactionNotAllowed,
            ErrorCode::TransactionNotFound,
        ] {
            assert_eq!(Trouble::of(&refused(code), false), Some(Trouble::Gone));
        }
        assert_eq!(
            Trouble::of(&SandboxError::Internal("db".into()), false),
            None
        );
        assert_eq!(Trouble::Gone.status(), StatusCode::CONFLICT);
        assert_eq!(
            Trouble::CodeWrong.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
}
