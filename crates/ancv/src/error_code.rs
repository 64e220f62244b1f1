//! The `errorCode` values of the ANCV API and the HTTP status each comes with.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    BadRequest,
    InvalidTransactionAmount,
    InvalidTransactionCurrency,
    InvalidSeal,
    MerchantNotAllowed,
    TransactionNotFound,
    BeneficiaryNotFound,
    OtherTransactionPending,
    OperationTransactionNotAllowed,
    InternalServerError,
    /// A code this version does not know (kept verbatim for `partnerCode`).
    Other(String),
}

impl ErrorCode {
    pub const KNOWN: [ErrorCode; 10] = [
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

    pub fn parse(code: &str) -> ErrorCode {
        ErrorCode::KNOWN
            .into_iter()
            .find(|known| known.as_str() == code)
            .unwrap_or_else(|| ErrorCode::Other(code.to_owned()))
    }

    /// The HTTP status ANCV answers with (spec §1, Decision — statuses).
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
