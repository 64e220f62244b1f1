//! The Payline `result` codes cvgate uses (payline-v4.md §2): one table, one meaning per code.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnCode {
    Accepted,
    TokenCreated,
    InProgress,
    OnHoldPartner,
    BuyerCancelled,
    SessionExpiredOnPage,
    SessionExpiredUnopened,
    UnknownToken,
    InvalidContract,
    InvalidField,
    InvalidMode,
    InvalidAction,
    InvalidAmount,
    PartnerRefused,
    InternalError,
    CardDoNotHonour,
    CardExpired,
    CardAmountLimit,
    CardInvalidCvv,
    AcquirerError,
    ThreeDSecureFailed,
    FraudDetected,
    ResetAlreadyDone,
    NotResettable,
    AmountDiffers,
    AmountExceeded,
    AlreadyCaptured,
    NotRemitted,
    SearchEmpty,
    SearchPeriodTooLong,
}

impl ReturnCode {
    pub const ALL: [ReturnCode; 30] = [
        ReturnCode::Accepted,
        ReturnCode::TokenCreated,
        ReturnCode::InProgress,
        ReturnCode::OnHoldPartner,
        ReturnCode::BuyerCancelled,
        ReturnCode::SessionExpiredOnPage,
        ReturnCode::SessionExpiredUnopened,
        ReturnCode::UnknownToken,
        ReturnCode::InvalidContract,
        ReturnCode::InvalidField,
        ReturnCode::InvalidMode,
        ReturnCode::InvalidAction,
        ReturnCode::InvalidAmount,
        ReturnCode::PartnerRefused,
        ReturnCode::InternalError,
        ReturnCode::CardDoNotHonour,
        ReturnCode::CardExpired,
        ReturnCode::CardAmountLimit,
        ReturnCode::CardInvalidCvv,
        ReturnCode::AcquirerError,
        ReturnCode::ThreeDSecureFailed,
        ReturnCode::FraudDetected,
        ReturnCode::ResetAlreadyDone,
        ReturnCode::NotResettable,
        ReturnCode::AmountDiffers,
        ReturnCode::AmountExceeded,
        ReturnCode::AlreadyCaptured,
        ReturnCode::NotRemitted,
        ReturnCode::SearchEmpty,
        ReturnCode::SearchPeriodTooLong,
    ];

    /// The catalogue: (code, shortMessage, longMessage). A match, so that a new variant cannot
    /// be forgotten here.
    fn entry(self) -> (&'static str, &'static str, &'static str) {
        match self {
            ReturnCode::Accepted => ("00000", "ACCEPTED", "Transaction approved"),
            ReturnCode::TokenCreated => (
                "02533",
                "INPROGRESS",
                "Customer not redirected to the payment page yet",
            ),
            ReturnCode::InProgress => (
                "02306",
                "INPROGRESS",
                "Customer must fill in payment details",
            ),
            ReturnCode::OnHoldPartner => (
                "02000",
                "ONHOLD_PARTNER",
                "Waiting for the beneficiary to validate in the Chèque-Vacances app",
            ),
            ReturnCode::BuyerCancelled => ("02319", "CANCELLED", "Payment cancelled by the buyer"),
            ReturnCode::SessionExpiredOnPage => (
                "02324",
                "CANCELLED",
                "Payment session expired after the buyer reached the page",
            ),
            ReturnCode::SessionExpiredUnopened => (
                "02534",
                "CANCELLED",
                "Payment session expired before the buyer reached the page",
            ),
            ReturnCode::UnknownToken => ("02304", "ERROR", "Invalid or unknown token"),
            ReturnCode::InvalidContract => ("02303", "ERROR", "Invalid contract number"),
            ReturnCode::InvalidField => ("02305", "ERROR", "Invalid field format"),
            ReturnCode::InvalidMode => ("02308", "ERROR", "Invalid payment mode for this contract"),
            ReturnCode::InvalidAction => {
                ("02321", "ERROR", "Invalid payment action for this contract")
            }
            ReturnCode::InvalidAmount => ("02110", "ERROR", "Invalid amount"),
            ReturnCode::PartnerRefused => ("02020", "REFUSED", "Refused by the partner"),
            ReturnCode::InternalError => ("02101", "ERROR", "Internal error"),
            ReturnCode::CardDoNotHonour => ("01100", "REFUSED", "Do not honour"),
            ReturnCode::CardExpired => ("01101", "REFUSED", "Card expired"),
            ReturnCode::CardAmountLimit => ("01116", "REFUSED", "Amount limit exceeded"),
            ReturnCode::CardInvalidCvv => ("01130", "REFUSED", "Invalid card security code"),
            ReturnCode::AcquirerError => ("01199", "ERROR", "Acquirer internal error"),
            ReturnCode::ThreeDSecureFailed => {
                ("03003", "REFUSED", "3-D Secure authentication failed")
            }
            ReturnCode::FraudDetected => ("04002", "REFUSED", "Fraud detected"),
            ReturnCode::ResetAlreadyDone => ("02601", "ERROR", "Reset already done"),
            ReturnCode::NotResettable => (
                "02603",
                "ERROR",
                "Transaction not resettable (already remitted): use doRefund",
            ),
            ReturnCode::AmountDiffers => (
                "02612",
                "ERROR",
                "Amount differs from the original transaction",
            ),
            ReturnCode::AmountExceeded => (
                "02613",
                "ERROR",
                "Total amount exceeds the original transaction",
            ),
            ReturnCode::AlreadyCaptured => ("02617", "ERROR", "Transaction already captured"),
            ReturnCode::NotRemitted => (
                "02618",
                "ERROR",
                "Transaction not remitted yet: use doReset",
            ),
            ReturnCode::SearchEmpty => ("02310", "ERROR", "No transaction matches the criteria"),
            ReturnCode::SearchPeriodTooLong => ("02320", "ERROR", "Search period too long"),
        }
    }

    /// The five-digit code, leading zeros kept.
    pub fn code(self) -> &'static str {
        self.entry().0
    }

    pub fn short_message(self) -> &'static str {
        self.entry().1
    }

    pub fn long_message(self) -> &'static str {
        self.entry().2
    }

    pub fn from_code(code: &str) -> Option<ReturnCode> {
        ReturnCode::ALL
            .into_iter()
            .find(|variant| variant.code() == code)
    }
}

impl fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.short_message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_has_one_meaning() {
        let codes: HashSet<&str> = ReturnCode::ALL.iter().map(|v| v.code()).collect();
        let variants: HashSet<ReturnCode> = ReturnCode::ALL.into_iter().collect();
        assert_eq!(codes.len(), ReturnCode::ALL.len(), "a code appears twice");
        assert_eq!(
            variants.len(),
            ReturnCode::ALL.len(),
            "a variant appears twice in ALL"
        );
        for variant in ReturnCode::ALL {
            let code = variant.code();
            assert!(
                code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()),
                "{code}"
            );
            assert_eq!(ReturnCode::from_code(code), Some(variant));
            assert!(!variant.short_message().is_empty() && !variant.long_message().is_empty());
        }
        assert_eq!(ReturnCode::Accepted.to_string(), "00000 ACCEPTED");
    }
}
