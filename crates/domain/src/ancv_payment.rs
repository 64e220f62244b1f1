//! cvgate's view of one ANCV Connect transaction, and the only moves it may make.
//!
//! ANCV tells cvgate about a transaction in several ways that can arrive late, twice or out of
//! order (call answers, notifications, polls). [`AncvPaymentState::may_become`] accepts only
//! forward moves, so applying the same news twice, or old news after new, changes nothing.

use std::fmt;

/// An ANCV Connect transaction's state as cvgate knows it: ANCV's `transaction.state`, or cvgate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AncvPaymentState {
    /// Written before calling ANCV; no ANCV transaction id yet.
    Requested,
    /// ANCV refused to create it, or to attach the payer (see the partner code).
    Refused,
    /// Created at ANCV, no payer attached yet.
    Initialized,
    /// Waiting for the beneficiary in the app.
    Processing,
    /// Validated in the app for `validated_amount`.
    Authorized,
    /// Captured by ANCV, right after authorization (cvgate asks for capture mode NORMAL).
    Validated,
    /// In ANCV's remittance to the merchant.
    Consigned,
    /// ANCV paid the merchant (final unless cancelled).
    Paid,
    /// Declined in the app.
    Aborted,
    /// Not validated in time.
    Expired,
    /// Refused by ANCV (account blocked…), possibly after authorization.
    Rejected,
    /// Cancelled through ANCV's cancellation (refund); the vouchers are back.
    Cancelled,
    /// Never sent to the beneficiary: ANCV could not be reached to create it, or nobody wanted
    /// it any more before it was. No payer was attached, so it can hold no vouchers (an ANCV
    /// transaction created meanwhile stays without payer and expires).
    Abandoned,
}

impl AncvPaymentState {
    /// Every state once, in the order of the happy path then the side exits.
    pub const ALL: [AncvPaymentState; 13] = [
        AncvPaymentState::Requested,
        AncvPaymentState::Refused,
        AncvPaymentState::Initialized,
        AncvPaymentState::Processing,
        AncvPaymentState::Authorized,
        AncvPaymentState::Validated,
        AncvPaymentState::Consigned,
        AncvPaymentState::Paid,
        AncvPaymentState::Aborted,
        AncvPaymentState::Expired,
        AncvPaymentState::Rejected,
        AncvPaymentState::Cancelled,
        AncvPaymentState::Abandoned,
    ];

    /// The stored and wire name, ANCV's upper-case spelling (`PROCESSING`).
    pub fn as_str(self) -> &'static str {
        match self {
            AncvPaymentState::Requested => "REQUESTED",
            AncvPaymentState::Refused => "REFUSED",
            AncvPaymentState::Initialized => "INITIALIZED",
            AncvPaymentState::Processing => "PROCESSING",
            AncvPaymentState::Authorized => "AUTHORIZED",
            AncvPaymentState::Validated => "VALIDATED",
            AncvPaymentState::Consigned => "CONSIGNED",
            AncvPaymentState::Paid => "PAID",
            AncvPaymentState::Aborted => "ABORTED",
            AncvPaymentState::Expired => "EXPIRED",
            AncvPaymentState::Rejected => "REJECTED",
            AncvPaymentState::Cancelled => "CANCELLED",
            AncvPaymentState::Abandoned => "ABANDONED",
        }
    }

    /// The state named by [`AncvPaymentState::as_str`]'s spelling, if any.
    pub fn parse(value: &str) -> Option<AncvPaymentState> {
        AncvPaymentState::ALL
            .into_iter()
            .find(|state| state.as_str() == value)
    }

    /// The position on the way to being paid; the side exits have none.
    fn progress(self) -> Option<u8> {
        match self {
            AncvPaymentState::Requested => Some(0),
            AncvPaymentState::Initialized => Some(1),
            AncvPaymentState::Processing => Some(2),
            AncvPaymentState::Authorized => Some(3),
            AncvPaymentState::Validated => Some(4),
            AncvPaymentState::Consigned => Some(5),
            AncvPaymentState::Paid => Some(6),
            AncvPaymentState::Refused
            | AncvPaymentState::Aborted
            | AncvPaymentState::Expired
            | AncvPaymentState::Rejected
            | AncvPaymentState::Cancelled
            | AncvPaymentState::Abandoned => None,
        }
    }

    /// The states passed through when moving forward from `self` to `next` on the way to being
    /// paid (e.g. VALIDATED → PAID went through CONSIGNED), in order, both ends excluded.
    pub fn skipped_on_the_way_to(self, next: AncvPaymentState) -> Vec<AncvPaymentState> {
        let (Some(from), Some(to)) = (self.progress(), next.progress()) else {
            return vec![];
        };
        AncvPaymentState::ALL
            .into_iter()
            .filter(|state| {
                state
                    .progress()
                    .is_some_and(|rank| rank > from && rank < to)
            })
            .collect()
    }

    /// Whether the beneficiary validated (vouchers are reserved or spent).
    pub fn is_authorized(self) -> bool {
        match self {
            AncvPaymentState::Authorized
            | AncvPaymentState::Validated
            | AncvPaymentState::Consigned
            | AncvPaymentState::Paid => true,
            AncvPaymentState::Requested
            | AncvPaymentState::Refused
            | AncvPaymentState::Initialized
            | AncvPaymentState::Processing
            | AncvPaymentState::Aborted
            | AncvPaymentState::Expired
            | AncvPaymentState::Rejected
            | AncvPaymentState::Cancelled
            | AncvPaymentState::Abandoned => false,
        }
    }

    /// Still waiting for ANCV or the beneficiary: worth polling.
    pub fn is_pending(self) -> bool {
        match self {
            AncvPaymentState::Requested
            | AncvPaymentState::Initialized
            | AncvPaymentState::Processing => true,
            AncvPaymentState::Refused
            | AncvPaymentState::Authorized
            | AncvPaymentState::Validated
            | AncvPaymentState::Consigned
            | AncvPaymentState::Paid
            | AncvPaymentState::Aborted
            | AncvPaymentState::Expired
            | AncvPaymentState::Rejected
            | AncvPaymentState::Cancelled
            | AncvPaymentState::Abandoned => false,
        }
    }

    /// Authorized but not paid to the merchant yet: ANCV may still settle it (CONSIGNED, PAID),
    /// or reject it. Worth following, slowly, in case its notifications are lost.
    pub fn awaits_settlement(self) -> bool {
        match self {
            AncvPaymentState::Authorized
            | AncvPaymentState::Validated
            | AncvPaymentState::Consigned => true,
            AncvPaymentState::Requested
            | AncvPaymentState::Refused
            | AncvPaymentState::Initialized
            | AncvPaymentState::Processing
            | AncvPaymentState::Paid
            | AncvPaymentState::Aborted
            | AncvPaymentState::Expired
            | AncvPaymentState::Rejected
            | AncvPaymentState::Cancelled
            | AncvPaymentState::Abandoned => false,
        }
    }

    /// Whether news that the transaction is in `next` moves cvgate's view forward. Repeats and
    /// moves backwards are refused; so is anything after an end state.
    pub fn may_become(self, next: AncvPaymentState) -> bool {
        if self == next {
            return false;
        }
        match next {
            AncvPaymentState::Requested => false,
            AncvPaymentState::Initialized
            | AncvPaymentState::Processing
            | AncvPaymentState::Authorized
            | AncvPaymentState::Validated
            | AncvPaymentState::Consigned
            | AncvPaymentState::Paid => match (self.progress(), next.progress()) {
                (Some(from), Some(to)) => to > from,
                _ => false,
            },
            AncvPaymentState::Refused => {
                self == AncvPaymentState::Requested || self == AncvPaymentState::Initialized
            }
            AncvPaymentState::Aborted | AncvPaymentState::Expired => self.is_pending(),
            AncvPaymentState::Rejected => self.progress().is_some(),
            AncvPaymentState::Cancelled => self.is_authorized(),
            AncvPaymentState::Abandoned => self == AncvPaymentState::Requested,
        }
    }
}

impl fmt::Display for AncvPaymentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AncvPaymentState::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for state in AncvPaymentState::ALL {
            assert_eq!(AncvPaymentState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn the_happy_path_moves_forward_and_never_back() {
        let path = [
            Requested,
            Initialized,
            Processing,
            Authorized,
            Validated,
            Consigned,
            Paid,
        ];
        for (i, from) in path.iter().enumerate() {
            for (j, to) in path.iter().enumerate() {
                assert_eq!(from.may_become(*to), j > i, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn side_exits() {
        assert!(Processing.may_become(Aborted) && Processing.may_become(Expired));
        assert!(
            !Authorized.may_become(Expired),
            "validated in time cannot expire"
        );
        assert!(
            Validated.may_become(Rejected),
            "rejected possibly after authorization"
        );
        assert!(Paid.may_become(Cancelled) && Authorized.may_become(Cancelled));
        assert!(!Processing.may_become(Cancelled));
        assert!(Requested.may_become(Abandoned) && !Initialized.may_become(Abandoned));
        for end in [Refused, Aborted, Expired, Rejected, Cancelled, Abandoned] {
            for next in AncvPaymentState::ALL {
                assert!(!end.may_become(next), "{end} is an end: not {next}");
            }
        }
    }

    #[test]
    fn skipped_states_are_the_ones_between() {
        assert_eq!(Validated.skipped_on_the_way_to(Paid), vec![Consigned]);
        assert_eq!(
            Processing.skipped_on_the_way_to(Validated),
            vec![Authorized]
        );
        assert_eq!(Processing.skipped_on_the_way_to(Aborted), vec![]);
        assert_eq!(Paid.skipped_on_the_way_to(Validated), vec![]);
    }

    /// Applying every sequence of news leaves the same state whatever the duplicates: the moves
    /// form a partial order (no cycles).
    #[test]
    fn no_cycles() {
        for a in AncvPaymentState::ALL {
            for b in AncvPaymentState::ALL {
                assert!(!(a.may_become(b) && b.may_become(a)), "{a} <-> {b}");
            }
        }
    }
}

/// One ANCV Connect transaction as cvgate stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AncvPayment {
    /// cvgate's transaction id, sent to ANCV as `order.paymentId` (the idempotency key).
    pub payment_id: String,
    /// The merchant the payment belongs to.
    pub merchant_id: crate::merchant::MerchantId,
    /// The merchant's ANCV_CONNECT contract used.
    pub contract_number: crate::contract::ContractNumber,
    /// The contract's ANCV shop id, sent as `merchant.shopId`.
    pub shop_id: String,
    /// The merchant's order reference (sent to ANCV as `order.id`, cut to 20 characters).
    pub order_ref: String,
    /// Soft descriptor shown in the app, sent as `order.label`.
    pub label: Option<String>,
    /// Requested amount, minor units.
    pub amount: i64,
    /// Currency of the amounts (EUR only at ANCV).
    pub currency: crate::money::Currency,
    /// The payer: an e-mail or an 11-digit ANCV id, sent as `payer.beneficiaryId`.
    pub beneficiary_id: String,
    /// ANCV's `transaction.id`, known once the create call answered.
    pub ancv_id: Option<String>,
    /// Where the transaction stands, as far as cvgate knows.
    pub state: AncvPaymentState,
    /// What the beneficiary validated (≤ amount).
    pub validated_amount: Option<i64>,
    /// ANCV's `authorizations[0].number`, once validated.
    pub authorization_number: Option<String>,
    /// Masked ANCV account (`10*****0003`).
    pub holder: Option<String>,
    /// The last ANCV state or error code, for Payline's `partnerCode`.
    pub partner_code: Option<String>,
    /// ANCV's `expirationDate`: when an unvalidated request expires.
    pub expires_at: Option<crate::clock::Timestamp>,
    /// The web payment session that asked for it (`None` outside a session).
    pub web_payment_token: Option<String>,
    /// When cvgate recorded the payment (before calling ANCV).
    pub created_at: crate::clock::Timestamp,
    /// When cvgate last changed this record.
    pub updated_at: crate::clock::Timestamp,
}
