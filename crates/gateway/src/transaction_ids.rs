//! Payline-style transaction ids (14 digits), unique across every kind of transaction cvgate
//! makes, so that one id tells doRefund and getTransactionDetails what it names.

use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use domain::random::Random;
use store::{StoreError, UnitOfWork};

/// What a transaction id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionKind {
    /// An ANCV Connect payment.
    AncvPayment,
    /// The refund (or reset) of an ANCV Connect payment: its cancellation at ANCV.
    AncvRefund,
    /// A card payment (an authorization, captured at once or not).
    CardPayment,
    /// A capture, reset or refund of a card payment.
    CardOperation,
}

impl TransactionKind {
    /// The stored name (`ANCV_PAYMENT`, `ANCV_REFUND`, `CARD_PAYMENT`, `CARD_OPERATION`).
    pub fn as_str(self) -> &'static str {
        match self {
            TransactionKind::AncvPayment => "ANCV_PAYMENT",
            TransactionKind::AncvRefund => "ANCV_REFUND",
            TransactionKind::CardPayment => "CARD_PAYMENT",
            TransactionKind::CardOperation => "CARD_OPERATION",
        }
    }

    /// The kind stored under this name; `None` for any other.
    pub fn parse(value: &str) -> Option<TransactionKind> {
        [
            TransactionKind::AncvPayment,
            TransactionKind::AncvRefund,
            TransactionKind::CardPayment,
            TransactionKind::CardOperation,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
    }
}

/// 14 digits, no leading zero.
pub(crate) fn transaction_id(random: u64) -> String {
    (10_000_000_000_000 + random % 90_000_000_000_000).to_string()
}

/// Draws ids until one is free, and takes it (in the caller's unit of work).
pub(crate) async fn new_transaction_id(
    uow: &mut UnitOfWork,
    random: &dyn Random,
    kind: TransactionKind,
    merchant_id: &MerchantId,
    at: Timestamp,
) -> Result<String, StoreError> {
    loop {
        let candidate = transaction_id(random.next_u64());
        if uow
            .transaction_ids()
            .claim(&candidate, kind.as_str(), merchant_id, at)
            .await?
        {
            return Ok(candidate);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_14_digits() {
        for random in [0, 1, u64::MAX] {
            let id = transaction_id(random);
            assert_eq!(id.len(), 14, "{id}");
            assert!(!id.starts_with('0'));
        }
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            TransactionKind::AncvPayment,
            TransactionKind::AncvRefund,
            TransactionKind::CardPayment,
            TransactionKind::CardOperation,
        ] {
            assert_eq!(TransactionKind::parse(kind.as_str()), Some(kind));
        }
    }
}
