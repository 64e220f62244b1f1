//! The `errorCode` values of the ANCV API and the HTTP status each comes with.

use std::fmt;

/// An `errorCode` of ANCV's error body `{errorCode, errorMessage}` (ancv-connect.md §1): why ANCV
/// refused a call.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `BAD_REQUEST` (400): a malformed body, or a beneficiary id that is neither an e-mail nor
    /// 11 digits.
    BadRequest,
    /// `INVALID_TRANSACTION_AMOUNT` (400): the total is below the 2000 minimum (20.00 EUR), or the
    /// payer amount differs from the order amount.
    InvalidTransactionAmount,
    /// `INVALID_TRANSACTION_CURRENCY` (400): the currency is not 978 (EUR, the only one).
    InvalidTransactionCurrency,
    /// `INVALID_SEAL` (401): the `ANCV-Security` header is missing, malformed or wrong.
    InvalidSeal,
    /// `MERCHANT_NOT_ALLOWED` (403): the Shop ID is unknown to ANCV or not open to this service
    /// provider (the "unknown Shop ID" check).
    MerchantNotAllowed,
    /// `TRANSACTION_NOT_FOUND` (404): no transaction has this id.
    TransactionNotFound,
    /// `BENEFICIARY_NOT_FOUND` (404): no ANCV account has this beneficiary id.
    BeneficiaryNotFound,
    /// `OTHER_TRANSACTION_PENDING` (409): the beneficiary already has a request waiting in the app
    /// (one PROCESSING request at a time).
    OtherTransactionPending,
    /// `OPERATION_TRANSACTION_NOT_ALLOWED` (409): the transaction's state forbids the call (e.g. a
    /// second cancellation).
    OperationTransactionNotAllowed,
    /// `INTERNAL_SERVER_ERROR` (500): ANCV failed.
    InternalServerError,
    /// A code this version does not know (kept verbatim for `partnerCode`).
    Other(String),
}

impl ErrorCode {
    /// Every code this version knows, i.e. all but [`ErrorCode::Other`].
    pub(crate) const KNOWN: [ErrorCode; 10] = [
        ErrorCode::BadRequest,
        ErrorCode::InvalidTransactionAmount,
        ErrorCode::InvalidTransactionCurrency,
        ErrorCode::InvalidSeal,
        ErrorCode::MerchantNotAllowed,
        ErrorCode::TransactionNotFound,
        ErrorCode::BeneficiaryNotFound,
        ErrorCode::OtherTransactionPending,
        ErrorCode::OperationTransactionNotAllowed,
        ErrorCode::InternalServerError,
    ];

    /// The code as spelled on the wire, e.g. `MERCHANT_NOT_ALLOWED`.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::InvalidTransactionAmount => "INVALID_TRANSACTION_AMOUNT",
            ErrorCode::InvalidTransactionCurrency => "INVALID_TRANSACTION_CURRENCY",
            ErrorCode::InvalidSeal => "INVALID_SEAL",
            ErrorCode::MerchantNotAllowed => "MERCHANT_NOT_ALLOWED",
            ErrorCode::TransactionNotFound => "TRANSACTION_NOT_FOUND",
            ErrorCode::BeneficiaryNotFound => "BENEFICIARY_NOT_FOUND",
            ErrorCode::OtherTransactionPending => "OTHER_TRANSACTION_PENDING",
            ErrorCode::OperationTransactionNotAllowed => "OPERATION_TRANSACTION_NOT_ALLOWED",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
            ErrorCode::Other(code) => code,
        }
    }

    /// Reads an `errorCode` value; one this version does not know becomes [`ErrorCode::Other`].
    pub fn parse(code: &str) -> ErrorCode {
        ErrorCode::KNOWN
            .into_iter()
            .find(|known| known.as_str() == code)
            .unwrap_or_else(|| ErrorCode::Other(code.to_owned()))
    }

    /// The HTTP status ANCV answers with (ancv-connect.md §1, Decision — statuses).
    pub fn http_status(&self) -> u16 {
        match self {
            ErrorCode::BadRequest
            | ErrorCode::InvalidTransactionAmount
            | ErrorCode::InvalidTransactionCurrency => 400,
            ErrorCode::InvalidSeal => 401,
            ErrorCode::MerchantNotAllowed => 403,
            ErrorCode::TransactionNotFound | ErrorCode::BeneficiaryNotFound => 404,
            ErrorCode::OtherTransactionPending | ErrorCode::OperationTransactionNotAllowed => 409,
            ErrorCode::InternalServerError | ErrorCode::Other(_) => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ErrorCode::KNOWN {
            assert_eq!(ErrorCode::parse(code.as_str()), code);
        }
        assert_eq!(
            ErrorCode::parse("NEW_CODE"),
            ErrorCode::Other("NEW_CODE".into())
        );
        assert_eq!(ErrorCode::OtherTransactionPending.http_status(), 409);
    }
}
