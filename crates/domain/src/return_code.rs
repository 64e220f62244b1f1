//! The Payline `result` codes cvgate uses (payline-v4.md §2): one table, one meaning per code.

use std::fmt;

/// A Payline `result.code` cvgate answers with; each variant has exactly one code and message pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnCode {
    /// 00000 ACCEPTED: operation done, payment accepted.
    Accepted,
    /// 02533 INPROGRESS: token created, the buyer has not reached the payment page yet.
    TokenCreated,
    /// 02306 INPROGRESS: buyer on the page, nothing paid yet (or a card remainder still to pay).
    InProgress,
    /// 02000 ONHOLD_PARTNER: waiting for the beneficiary to validate in the Chèque-Vacances app.
    OnHoldPartner,
    /// 02319 CANCELLED: the buyer cancelled on the page.
    BuyerCancelled,
    /// 02324 CANCELLED: the session expired after the buyer reached the page.
    SessionExpiredOnPage,
    /// 02534 CANCELLED: the session expired before the buyer reached the page.
    SessionExpiredUnopened,
    /// 02304 ERROR: unknown token, or another merchant's.
    UnknownToken,
    /// 02303 ERROR: contract number unknown, inactive, or not this merchant's.
    InvalidContract,
    /// 02305 ERROR: a field is missing or malformed (the long message names it).
    InvalidField,
    /// 02308 ERROR: `payment.mode` not allowed for this contract.
    InvalidMode,
    /// 02321 ERROR: `payment.action` not allowed for this contract.
    InvalidAction,
    /// 02110 ERROR: amount not a positive integer of at most 12 digits, or inconsistent.
    InvalidAmount,
    /// 02020 REFUSED: refused by the partner (ANCV `REJECTED`).
    PartnerRefused,
    /// 02101 ERROR: cvgate failed internally or could not reach a partner.
    InternalError,
    /// 01100 REFUSED: card issuer's "do not honour".
    CardDoNotHonour,
    /// 01101 REFUSED: the card has expired.
    CardExpired,
    /// 01116 REFUSED: card amount limit exceeded or insufficient funds.
    CardAmountLimit,
    /// 01130 REFUSED: wrong card security code (CVV).
    CardInvalidCvv,
    /// 01199 ERROR: the acquirer failed internally.
    AcquirerError,
    /// 03003 REFUSED: 3-D Secure authentication failed.
    ThreeDSecureFailed,
    /// 04002 REFUSED: fraud detected.
    FraudDetected,
    /// 02601 ERROR: doReset on a transaction already reset.
    ResetAlreadyDone,
    /// 02603 ERROR: doReset after remittance; the merchant must use doRefund.
    NotResettable,
    /// 02612 ERROR: amount differs from the original (ANCV refunds are full only).
    AmountDiffers,
    /// 02613 ERROR: refunds or captures would exceed the original amount.
    AmountExceeded,
    /// 02617 ERROR: doCapture on a transaction already captured.
    AlreadyCaptured,
    /// 02618 ERROR: doRefund before remittance; the merchant must use doReset.
    NotRemitted,
    /// 02310 ERROR: transactionsSearch found nothing matching.
    SearchEmpty,
    /// 02320 ERROR: transactionsSearch period longer than 31 days.
    SearchPeriodTooLong,
}

impl ReturnCode {
    /// Every variant once, for lookups by code and for tests over the whole catalogue.
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

    /// The Payline `result.shortMessage` (`ACCEPTED`, `INPROGRESS`, `ERROR`, `REFUSED`, …).
    pub fn short_message(self) -> &'static str {
        self.entry().1
    }

    /// The Payline `result.longMessage`: one English sentence.
    pub fn long_message(self) -> &'static str {
        self.entry().2
    }

    /// The variant with this five-digit code, if cvgate uses it.
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
