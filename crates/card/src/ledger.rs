//! The amounts of one card transaction and the after-sale rules (payline-v4.md §6,
//! card-sandbox.md "Operations"). Pure: the sandbox applies them to its ledger, cvgate checks them
//! against its own view before calling the acquirer, so both sides answer with the same codes.
//!
//! - capture (of an action-100 authorization): once, within 7 days, at most the open amount;
//! - reset (before remittance): full or partial, of the authorization or of the capture;
//! - refund (after remittance): partial and multiple, up to the remitted amount.
//!
//! A reset before the capture lowers what can be captured; once captured, resets lower what will
//! be remitted. (`reset` counts the amount reset since the capture: a capture folds the earlier
//! resets into its smaller amount.)

use crate::outcome::Rejection;
use domain::clock::Timestamp;

/// How long an authorization can be captured.
pub(crate) const AUTHORIZATION_VALIDITY_MS: i64 = 7 * 24 * 3600 * 1000;

/// An after-sale operation on an accepted card transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// doCapture: captures an action-100 authorization, once, within 7 days.
    Capture,
    /// doReset: cancels before remittance, fully or partly.
    Reset,
    /// doRefund: pays back after remittance, partly or fully, possibly several times.
    Refund,
}

impl OperationKind {
    /// Every kind, as [`OperationKind::parse`] knows them.
    pub(crate) const ALL: [OperationKind; 3] = [
        OperationKind::Capture,
        OperationKind::Reset,
        OperationKind::Refund,
    ];

    /// The name kept in the ledgers: `CAPTURE`, `RESET` or `REFUND`.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Capture => "CAPTURE",
            OperationKind::Reset => "RESET",
            OperationKind::Refund => "REFUND",
        }
    }

    /// Reads a name written by [`OperationKind::as_str`]; `None` for anything else.
    pub fn parse(value: &str) -> Option<OperationKind> {
        OperationKind::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Where a transaction stands, from its amounts (the ledger's `state` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerStatus {
    /// Authorized (action 100), not captured yet, not fully reset.
    Authorized,
    /// Captured, not remitted yet, not fully reset.
    Captured,
    /// Fully reset before remittance.
    Cancelled,
    /// Remitted to the merchant, nothing refunded.
    Remitted,
    /// Remitted, then (partly or fully) refunded.
    Refunded,
}

impl LedgerStatus {
    /// Every status, as [`LedgerStatus::parse`] knows them.
    pub(crate) const ALL: [LedgerStatus; 5] = [
        LedgerStatus::Authorized,
        LedgerStatus::Captured,
        LedgerStatus::Cancelled,
        LedgerStatus::Remitted,
        LedgerStatus::Refunded,
    ];

    /// Reads a name written by [`LedgerStatus::as_str`]; `None` for anything else.
    pub fn parse(value: &str) -> Option<LedgerStatus> {
        LedgerStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The name in the ledger's `state` column, e.g. `CAPTURED`.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerStatus::Authorized => "AUTHORIZED",
            LedgerStatus::Captured => "CAPTURED",
            LedgerStatus::Cancelled => "CANCELLED",
            LedgerStatus::Remitted => "REMITTED",
            LedgerStatus::Refunded => "REFUNDED",
        }
    }
}

/// The amounts of an accepted transaction, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balances {
    /// The amount authorized.
    pub authorized: i64,
    /// The amount captured (0 before the capture of an action-100 authorization).
    pub captured: i64,
    /// The amount reset: before the capture, off the authorization; after it, off the capture.
    pub reset: i64,
    /// The amount remitted to the merchant (0 before remittance).
    pub remitted: i64,
    /// The total refunded after remittance.
    pub refunded: i64,
    /// When the authorization was granted (the 7 days to capture start here).
    pub authorized_at: Timestamp,
    /// When the transaction was remitted; `None` before.
    pub remitted_at: Option<Timestamp>,
}

impl Balances {
    /// A new authorization; action 101 captures it at once.
    pub fn authorized(amount: i64, capture: bool, at: Timestamp) -> Balances {
        Balances {
            authorized: amount,
            captured: if capture { amount } else { 0 },
            reset: 0,
            remitted: 0,
            refunded: 0,
            authorized_at: at,
            remitted_at: None,
        }
    }

    /// Where the transaction stands, from these amounts.
    pub fn status(&self) -> LedgerStatus {
        match (self.remitted_at, self.captured > 0) {
            (Some(_), _) if self.refunded > 0 => LedgerStatus::Refunded,
            (Some(_), _) => LedgerStatus::Remitted,
            (None, true) if self.reset >= self.captured => LedgerStatus::Cancelled,
            (None, true) => LedgerStatus::Captured,
            (None, false) if self.reset >= self.authorized => LedgerStatus::Cancelled,
            (None, false) => LedgerStatus::Authorized,
        }
    }

    /// What the buyer is charged (or has reserved) now: before remittance, what was authorized
    /// or captured and not reset; after it, what was remitted and not refunded.
    pub fn held(&self) -> i64 {
        if self.remitted_at.is_some() {
            self.remitted - self.refunded
        } else {
            self.open()
        }
    }

    /// What a reset could still cancel (before remittance).
    fn open(&self) -> i64 {
        let base = if self.captured > 0 {
            self.captured
        } else {
            self.authorized
        };
        base - self.reset
    }

    /// Applies an operation; `amount` `None` means everything that is left. Returns the new
    /// amounts and the amount operated.
    pub fn apply(
        &self,
        kind: OperationKind,
        amount: Option<i64>,
        now: Timestamp,
    ) -> Result<(Balances, i64), Rejection> {
        match kind {
            OperationKind::Capture => self.capture(amount, now),
            OperationKind::Reset => self.reset(amount),
            OperationKind::Refund => self.refund(amount),
        }
    }

    fn capture(&self, amount: Option<i64>, now: Timestamp) -> Result<(Balances, i64), Rejection> {
        if self.captured > 0 {
            return Err(Rejection::AlreadyCaptured);
        }
        let open = self.open();
        if open == 0 {
            return Err(Rejection::AlreadyReset);
        }
        if now.millis() > self.authorized_at.millis() + AUTHORIZATION_VALIDITY_MS {
            return Err(Rejection::AuthorizationExpired);
        }
        let amount = within(amount, open)?;
        let next = Balances {
            captured: amount,
            reset: 0,
            ..*self
        };
        Ok((next, amount))
    }

    fn reset(&self, amount: Option<i64>) -> Result<(Balances, i64), Rejection> {
        if self.remitted_at.is_some() {
            return Err(Rejection::NotResettable);
        }
        let open = self.open();
        if open == 0 {
            return Err(Rejection::AlreadyReset);
        }
        let amount = within(amount, open)?;
        let next = Balances {
            reset: self.reset + amount,
            ..*self
        };
        Ok((next, amount))
    }

    fn refund(&self, amount: Option<i64>) -> Result<(Balances, i64), Rejection> {
        if self.captured == 0 || self.remitted_at.is_none() {
            return Err(Rejection::NotRemitted);
        }
        let open = self.remitted - self.refunded;
        if open == 0 {
            return Err(Rejection::AmountExceeded);
        }
        let amount = within(amount, open)?;
        let next = Balances {
            refunded: self.refunded + amount,
            ..*self
        };
        Ok((next, amount))
    }

    /// Remits what was captured and not reset; `None` when there is nothing to remit.
    pub fn remit(&self, now: Timestamp) -> Option<Balances> {
        let due = self.captured - self.reset;
        if self.remitted_at.is_some() || self.captured == 0 || due <= 0 {
            return None;
        }
        Some(Balances {
            remitted: due,
            remitted_at: Some(now),
            ..*self
        })
    }
}

fn within(amount: Option<i64>, open: i64) -> Result<i64, Rejection> {
    match amount {
        None => Ok(open),
        Some(amount) if amount <= 0 => Err(Rejection::InvalidAmount),
        Some(amount) if amount > open => Err(Rejection::AmountExceeded),
        Some(amount) => Ok(amount),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OperationKind::{Capture, Refund, Reset};

    const T0: Timestamp = Timestamp(1_800_000_000_000);
    const DAY: i64 = 24 * 3600 * 1000;

    fn at(days: i64) -> Timestamp {
        T0.plus_millis(days * DAY)
    }

    #[test]
    fn capture_once_within_seven_days_up_to_the_authorization() {
        let auth = Balances::authorized(1000, false, T0);
        assert_eq!(auth.status(), LedgerStatus::Authorized);
        assert_eq!(
            auth.apply(Capture, Some(1001), at(1)),
            Err(Rejection::AmountExceeded)
        );
        assert_eq!(
            auth.apply(Capture, Some(0), at(1)),
            Err(Rejection::InvalidAmount)
        );
        assert_eq!(
            auth.apply(Capture, None, at(8)),
            Err(Rejection::AuthorizationExpired)
        );
        let (captured, amount) = auth.apply(Capture, Some(600), at(7)).unwrap();
        assert_eq!(
            (captured.captured, amount, captured.status()),
            (600, 600, LedgerStatus::Captured)
        );
        assert_eq!(
            captured.apply(Capture, Some(100), at(7)),
            Err(Rejection::AlreadyCaptured)
        );
        let sale = Balances::authorized(1000, true, T0);
        assert_eq!(
            sale.apply(Capture, None, at(0)),
            Err(Rejection::AlreadyCaptured)
        );
    }

    #[test]
    fn held_is_what_the_buyer_is_charged_or_has_reserved() {
        let auth = Balances::authorized(1000, false, T0);
        assert_eq!(auth.held(), 1000, "an authorization reserves");
        let (partly, _) = auth.apply(Reset, Some(400), at(0)).unwrap();
        assert_eq!(partly.held(), 600);
        let (captured, _) = partly.apply(Capture, None, at(0)).unwrap();
        assert_eq!(captured.held(), 600);
        let remitted = captured.remit(at(1)).unwrap();
        let (refunded, _) = remitted.apply(Refund, Some(250), at(2)).unwrap();
        assert_eq!((remitted.held(), refunded.held()), (600, 350));
        let (cancelled, _) = Balances::authorized(1000, true, T0)
            .apply(Reset, None, at(0))
            .unwrap();
        assert_eq!(cancelled.held(), 0);
    }

    #[test]
    fn reset_before_remittance_only() {
        let sale = Balances::authorized(1000, true, T0);
        let (partly, _) = sale.apply(Reset, Some(300), at(0)).unwrap();
        assert_eq!(
            partly.apply(Reset, Some(701), at(0)),
            Err(Rejection::AmountExceeded)
        );
        let (fully, amount) = partly.apply(Reset, None, at(0)).unwrap();
        assert_eq!((amount, fully.status()), (700, LedgerStatus::Cancelled));
        assert_eq!(
            fully.apply(Reset, None, at(0)),
            Err(Rejection::AlreadyReset)
        );
        assert_eq!(fully.remit(at(0)), None, "nothing left to remit");
        let remitted = sale.remit(at(0)).unwrap();
        assert_eq!(
            remitted.apply(Reset, None, at(0)),
            Err(Rejection::NotResettable)
        );
    }

    #[test]
    fn reset_of_an_authorization_lowers_the_capture() {
        let auth = Balances::authorized(1000, false, T0);
        let (partly, _) = auth.apply(Reset, Some(400), at(0)).unwrap();
        assert_eq!(
            partly.apply(Capture, Some(601), at(0)),
            Err(Rejection::AmountExceeded)
        );
        let (captured, amount) = partly.apply(Capture, None, at(0)).unwrap();
        assert_eq!((amount, captured.reset), (600, 0));
        assert_eq!(captured.remit(at(1)).unwrap().remitted, 600);
        let (cancelled, _) = auth.apply(Reset, None, at(0)).unwrap();
        assert_eq!(
            cancelled.apply(Capture, None, at(0)),
            Err(Rejection::AlreadyReset)
        );
    }

    #[test]
    fn refunds_after_remittance_partial_and_multiple() {
        let sale = Balances::authorized(1000, true, T0);
        assert_eq!(
            sale.apply(Refund, Some(100), at(0)),
            Err(Rejection::NotRemitted)
        );
        let auth = Balances::authorized(1000, false, T0);
        assert_eq!(
            auth.apply(Refund, Some(100), at(0)),
            Err(Rejection::NotRemitted)
        );
        let (partly, _) = sale.apply(Reset, Some(200), at(0)).unwrap();
        let remitted = partly.remit(at(1)).unwrap();
        assert_eq!(
            (remitted.remitted, remitted.status()),
            (800, LedgerStatus::Remitted)
        );
        assert_eq!(remitted.remit(at(2)), None, "remitted once");
        let (once, _) = remitted.apply(Refund, Some(300), at(2)).unwrap();
        let (twice, _) = once.apply(Refund, Some(300), at(2)).unwrap();
        assert_eq!(twice.status(), LedgerStatus::Refunded);
        assert_eq!(
            twice.apply(Refund, Some(201), at(2)),
            Err(Rejection::AmountExceeded)
        );
        let (all, amount) = twice.apply(Refund, None, at(2)).unwrap();
        assert_eq!((amount, all.refunded), (200, 800));
        assert_eq!(
            all.apply(Refund, Some(1), at(2)),
            Err(Rejection::AmountExceeded)
        );
    }
}
