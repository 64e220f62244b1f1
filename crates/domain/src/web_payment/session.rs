//! The web payment session: what happens between `doWebPayment` and the merchant reading the
//! result. A pure state machine — `Session::apply(event)` returns the effects the caller must
//! carry out (give ANCV vouchers back, notify the merchant) — with exhaustive matches, so a new
//! state forces a decision everywhere.
//!
//! Split-payment rules (payline-v4.md §4): the ANCV part only counts once the card part is
//! accepted; if the card part finally fails, the buyer cancels or the session expires, the ANCV
//! authorization is cancelled at ANCV. ANCV declined/expired is not final: the buyer may retry or
//! choose a card.
//!
//! Money rules enforced here (the gateway compensates whatever a partner holds that the session
//! does not want, see [`Session::wants_ancv`] and [`Session::wants_card`]):
//! - every event names the payment it is about; news about a payment the session no longer
//!   counts on is refused ([`NotNow`]) and changes nothing;
//! - a session is accepted only when the card part pays exactly what the vouchers left;
//! - a vouchers' part that ANCV rejects or cancels before acceptance is gone: the buyer is back
//!   on the page; after acceptance the merchant is told (TRS).
//! - expiry and cancellation never wait for a card payment under way: the session ends at once
//!   (its final answer never changes afterwards) and a late card acceptance is compensated.

use crate::clock::Timestamp;
use crate::return_code::ReturnCode;

/// Card attempts (and ANCV rejections) allowed per session.
pub const MAX_ATTEMPTS: u8 = 3;

/// Where a web payment session stands; stored by name (see [`SessionState::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Token created; the buyer has not opened the page (02533).
    Created,
    /// On the page, nothing paid yet, or free to try again (02306).
    OnPage,
    /// The request is in the beneficiary's Chèque-Vacances app (02000).
    AncvWaiting,
    /// ANCV validated part of the amount; the rest is to pay by card (02306).
    AncvPartial,
    /// A card payment is under way: its authorization, or its 3-D Secure challenge (02306).
    CardInProgress,
    /// Paid in full (00000).
    Accepted,
    /// Refused with no attempt left (the refusal code).
    Refused,
    /// The buyer cancelled (02319).
    Cancelled,
    /// Expired after the buyer reached the page (02324).
    ExpiredOnPage,
    /// Expired before the buyer reached the page (02534).
    ExpiredUnopened,
}

impl SessionState {
    /// Every state once, for parsing and for tests over all states.
    pub const ALL: [SessionState; 10] = [
        SessionState::Created,
        SessionState::OnPage,
        SessionState::AncvWaiting,
        SessionState::AncvPartial,
        SessionState::CardInProgress,
        SessionState::Accepted,
        SessionState::Refused,
        SessionState::Cancelled,
        SessionState::ExpiredOnPage,
        SessionState::ExpiredUnopened,
    ];

    /// Whether the session is over: its answer to the merchant never changes again.
    pub fn is_final(self) -> bool {
        match self {
            SessionState::Accepted
            | SessionState::Refused
            | SessionState::Cancelled
            | SessionState::ExpiredOnPage
            | SessionState::ExpiredUnopened => true,
            SessionState::Created
            | SessionState::OnPage
            | SessionState::AncvWaiting
            | SessionState::AncvPartial
            | SessionState::CardInProgress => false,
        }
    }

    /// The stored name, upper snake case (`ON_PAGE`, `CARD_IN_PROGRESS`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Created => "CREATED",
            SessionState::OnPage => "ON_PAGE",
            SessionState::AncvWaiting => "ANCV_WAITING",
            SessionState::AncvPartial => "ANCV_PARTIAL",
            SessionState::CardInProgress => "CARD_IN_PROGRESS",
            SessionState::Accepted => "ACCEPTED",
            SessionState::Refused => "REFUSED",
            SessionState::Cancelled => "CANCELLED",
            SessionState::ExpiredOnPage => "EXPIRED_ON_PAGE",
            SessionState::ExpiredUnopened => "EXPIRED_UNOPENED",
        }
    }

    /// Reads a stored name back, including the old `CARD_CHALLENGE` (now `CARD_IN_PROGRESS`).
    pub fn parse(value: &str) -> Option<SessionState> {
        // Rows written before card authorizations had a state of their own.
        if value == "CARD_CHALLENGE" {
            return Some(SessionState::CardInProgress);
        }
        SessionState::ALL
            .into_iter()
            .find(|state| state.as_str() == value)
    }
}

/// The session's progress (the rest of the session — order, buyer, URLs — never changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Where the session stands.
    pub state: SessionState,
    /// The order amount, minor units.
    pub amount: i64,
    /// When the token expires (creation + the point of sale's session lifetime).
    pub expires_at: Timestamp,
    /// Card attempts refused and ANCV rejections so far.
    pub attempts: u8,
    /// The ANCV transaction currently tied to the session, and what it validated.
    pub ancv_payment_id: Option<String>,
    /// What ANCV validated of `ancv_payment_id`, minor units (`None` until validated).
    pub ancv_validated: Option<i64>,
    /// The card transaction under way, or the one that paid.
    pub card_transaction_id: Option<String>,
    /// The last refusal or error shown to the buyer (and the final code once refused).
    pub last_code: Option<ReturnCode>,
}

/// What can happen to a session, from the buyer, a partner or the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// The buyer opened (or reloaded) the payment page.
    PageOpened,
    /// The request for `payment_id` goes to the beneficiary's app.
    AncvRequested {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
    },
    /// The beneficiary validated `amount` (≤ the order amount).
    AncvValidated {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
        /// The validated amount, minor units.
        amount: i64,
    },
    /// The beneficiary declined in the app (ANCV `ABORTED`): not an attempt.
    AncvDeclined {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
    },
    /// The beneficiary did not validate in time (ANCV `EXPIRED`): not an attempt.
    AncvExpired {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
    },
    /// REJECTED by ANCV (02020), possibly after the validation.
    AncvRejected {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
    },
    /// Cancelled at ANCV by someone else than this session (a refund): the vouchers are back.
    AncvCancelled {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
    },
    /// The request could not be sent (unknown beneficiary, ANCV unreachable…): shown on the form,
    /// not an attempt.
    AncvFailed {
        /// cvgate's id of the ANCV payment.
        payment_id: String,
        /// The code shown to the buyer on the form.
        code: ReturnCode,
    },
    /// A card payment of what is left to pay starts.
    CardRequested {
        /// cvgate's id of the card transaction.
        transaction_id: String,
    },
    /// The acquirer accepted the card payment.
    CardAccepted {
        /// cvgate's id of the card transaction.
        transaction_id: String,
        /// The accepted amount, minor units; must equal [`Session::card_amount`].
        amount: i64,
    },
    /// The acquirer (or 3-D Secure) refused the card payment: one attempt used.
    CardRefused {
        /// cvgate's id of the card transaction.
        transaction_id: String,
        /// The refusal, shown to the buyer and, after the last attempt, to the merchant.
        code: ReturnCode,
    },
    /// The buyer pressed cancel on the page (02319).
    BuyerCancelled,
    /// The clock passed `expires_at`.
    Expired,
}

/// What the caller must do after a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Cancel this ANCV transaction at ANCV (the vouchers go back).
    CancelAncv {
        /// cvgate's id of the ANCV payment to cancel.
        payment_id: String,
    },
    /// The session is final: tell the merchant (WEBTRS).
    NotifyMerchant,
    /// A transaction of the accepted session changed afterwards: tell the merchant (TRS).
    NotifyTransactionChanged {
        /// cvgate's id of the transaction that changed (the `transactionId` of the TRS call).
        transaction_id: String,
    },
}

/// An event refused because it makes no sense in the session's state; the session is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible while the session is {state}")]
pub struct NotNow {
    /// The state's stored name (see [`SessionState::as_str`]).
    pub state: &'static str,
    /// The refused event, in its `Debug` form.
    pub event: String,
}

impl Session {
    /// A new session for an order of `amount` minor units, in [`SessionState::Created`].
    pub fn new(amount: i64, expires_at: Timestamp) -> Session {
        Session {
            state: SessionState::Created,
            amount,
            expires_at,
            attempts: 0,
            ancv_payment_id: None,
            ancv_validated: None,
            card_transaction_id: None,
            last_code: None,
        }
    }

    /// What `getWebPaymentDetails` answers now (payline-v4.md §4 table).
    pub fn return_code(&self) -> ReturnCode {
        match self.state {
            SessionState::Created => ReturnCode::TokenCreated,
            SessionState::OnPage | SessionState::AncvPartial | SessionState::CardInProgress => {
                ReturnCode::InProgress
            }
            SessionState::AncvWaiting => ReturnCode::OnHoldPartner,
            SessionState::Accepted => ReturnCode::Accepted,
            SessionState::Refused => self.last_code.unwrap_or(ReturnCode::InternalError),
            SessionState::Cancelled => ReturnCode::BuyerCancelled,
            SessionState::ExpiredOnPage => ReturnCode::SessionExpiredOnPage,
            SessionState::ExpiredUnopened => ReturnCode::SessionExpiredUnopened,
        }
    }

    /// What the card must pay: the whole amount, or what the vouchers left.
    pub fn card_amount(&self) -> i64 {
        self.amount - self.ancv_validated.unwrap_or(0)
    }

    /// How many card attempts (or ANCV rejections) the buyer still has.
    pub fn attempts_left(&self) -> u8 {
        MAX_ATTEMPTS.saturating_sub(self.attempts)
    }

    /// Whether the session counts on this ANCV payment's vouchers: the one it asked the app for
    /// while it waits, holds a partial validation, pays the rest by card, or was paid with.
    /// Vouchers of any other ANCV payment must go back.
    pub fn wants_ancv(&self, payment_id: &str) -> bool {
        self.ancv_payment_id.as_deref() == Some(payment_id)
            && match self.state {
                SessionState::AncvWaiting
                | SessionState::AncvPartial
                | SessionState::CardInProgress
                | SessionState::Accepted => true,
                SessionState::Created
                | SessionState::OnPage
                | SessionState::Refused
                | SessionState::Cancelled
                | SessionState::ExpiredOnPage
                | SessionState::ExpiredUnopened => false,
            }
    }

    /// Whether the session counts on this card transaction: the one under way, or the one that
    /// paid. Any other card acceptance must be reset or refunded.
    pub fn wants_card(&self, transaction_id: &str) -> bool {
        self.card_transaction_id.as_deref() == Some(transaction_id)
            && match self.state {
                SessionState::CardInProgress | SessionState::Accepted => true,
                SessionState::Created
                | SessionState::OnPage
                | SessionState::AncvWaiting
                | SessionState::AncvPartial
                | SessionState::Refused
                | SessionState::Cancelled
                | SessionState::ExpiredOnPage
                | SessionState::ExpiredUnopened => false,
            }
    }

    /// Expires the session if its time is up (call before applying anything else).
    pub fn expire_if_due(&mut self, now: Timestamp) -> Vec<Effect> {
        if self.state.is_final() || now < self.expires_at {
            return vec![];
        }
        self.apply(SessionEvent::Expired).unwrap_or_default()
    }

    fn is_current_ancv(&self, payment_id: &str) -> bool {
        self.ancv_payment_id.as_deref() == Some(payment_id)
    }

    fn is_current_card(&self, transaction_id: &str) -> bool {
        self.card_transaction_id.as_deref() == Some(transaction_id)
    }

    /// Applies an event; refuses events that make no sense now (the session is then unchanged).
    pub fn apply(&mut self, event: SessionEvent) -> Result<Vec<Effect>, NotNow> {
        use SessionEvent as E;
        let state = self.state;
        let effects = match &event {
            E::PageOpened | E::BuyerCancelled | E::Expired => self.apply_page_event(&event),
            E::AncvRequested { .. }
            | E::AncvValidated { .. }
            | E::AncvDeclined { .. }
            | E::AncvExpired { .. }
            | E::AncvRejected { .. }
            | E::AncvCancelled { .. }
            | E::AncvFailed { .. } => self.apply_ancv_event(&event),
            E::CardRequested { .. } | E::CardAccepted { .. } | E::CardRefused { .. } => {
                self.apply_card_event(&event)
            }
        };
        effects.ok_or_else(|| NotNow {
            state: state.as_str(),
            event: format!("{event:?}"),
        })
    }

    /// The page being opened, the buyer cancelling, the clock running out; `None` when the event
    /// makes no sense in the current state (nothing changed then).
    fn apply_page_event(&mut self, event: &SessionEvent) -> Option<Vec<Effect>> {
        use SessionEvent as E;
        use SessionState as S;
        let effects = match (self.state, event) {
            (S::Created, E::PageOpened) => {
                self.state = S::OnPage;
                vec![]
            }
            (S::OnPage | S::AncvWaiting | S::AncvPartial | S::CardInProgress, E::PageOpened) => {
                vec![]
            }
            (
                S::Created | S::OnPage | S::AncvWaiting | S::AncvPartial | S::CardInProgress,
                E::BuyerCancelled,
            ) => {
                self.state = S::Cancelled;
                let mut effects = self.cancel_ancv_part();
                effects.push(Effect::NotifyMerchant);
                effects
            }
            (S::Created, E::Expired) => {
                self.state = S::ExpiredUnopened;
                vec![Effect::NotifyMerchant]
            }
            (S::OnPage | S::AncvWaiting | S::AncvPartial | S::CardInProgress, E::Expired) => {
                self.state = S::ExpiredOnPage;
                let mut effects = self.cancel_ancv_part();
                effects.push(Effect::NotifyMerchant);
                effects
            }
            (
                S::Created
                | S::OnPage
                | S::AncvWaiting
                | S::AncvPartial
                | S::CardInProgress
                | S::Accepted
                | S::Refused
                | S::Cancelled
                | S::ExpiredOnPage
                | S::ExpiredUnopened,
                _,
            ) => return None,
        };
        Some(effects)
    }

    /// News about an ANCV payment (asked, validated, declined, expired, rejected, cancelled,
    /// failed); `None` when it makes no sense now or is about a payment the session no longer
    /// counts on (nothing changed then).
    fn apply_ancv_event(&mut self, event: &SessionEvent) -> Option<Vec<Effect>> {
        use SessionEvent as E;
        use SessionState as S;
        let effects = match (self.state, event) {
            (S::OnPage, E::AncvRequested { payment_id }) => {
                self.ancv_payment_id = Some(payment_id.clone());
                self.ancv_validated = None;
                self.last_code = None;
                self.state = S::AncvWaiting;
                vec![]
            }
            (S::AncvWaiting, E::AncvValidated { payment_id, amount })
                if self.is_current_ancv(payment_id) && *amount > 0 && *amount <= self.amount =>
            {
                self.ancv_validated_for(*amount)
            }
            (S::AncvWaiting, E::AncvDeclined { payment_id } | E::AncvExpired { payment_id })
                if self.is_current_ancv(payment_id) =>
            {
                self.ancv_ended(ReturnCode::PartnerRefused, false)
            }
            (S::AncvWaiting, E::AncvRejected { payment_id })
                if self.is_current_ancv(payment_id) =>
            {
                self.ancv_ended(ReturnCode::PartnerRefused, true)
            }
            (
                S::AncvPartial | S::CardInProgress,
                E::AncvRejected { payment_id } | E::AncvCancelled { payment_id },
            ) if self.is_current_ancv(payment_id) => {
                let counts_as_attempt = matches!(event, E::AncvRejected { .. });
                self.vouchers_part_gone(counts_as_attempt)
            }
            (S::Accepted, E::AncvRejected { payment_id }) if self.is_current_ancv(payment_id) => {
                vec![Effect::NotifyTransactionChanged {
                    transaction_id: payment_id.clone(),
                }]
            }
            (S::OnPage | S::AncvWaiting, E::AncvFailed { payment_id, code })
                if self.is_current_ancv(payment_id) =>
            {
                self.ancv_payment_id = None;
                self.ancv_validated = None;
                self.last_code = Some(*code);
                self.state = S::OnPage;
                vec![]
            }
            (
                S::Created
                | S::OnPage
                | S::AncvWaiting
                | S::AncvPartial
                | S::CardInProgress
                | S::Accepted
                | S::Refused
                | S::Cancelled
                | S::ExpiredOnPage
                | S::ExpiredUnopened,
                _,
            ) => return None,
        };
        Some(effects)
    }

    /// The beneficiary validated `amount` of the current ANCV payment: paid in full, or the rest
    /// is left to pay by card.
    fn ancv_validated_for(&mut self, amount: i64) -> Vec<Effect> {
        self.ancv_validated = Some(amount);
        if amount == self.amount {
            self.state = SessionState::Accepted;
            vec![Effect::NotifyMerchant]
        } else {
            self.state = SessionState::AncvPartial;
            vec![]
        }
    }

    /// News about a card payment (started, accepted, refused); `None` when it makes no sense now,
    /// is about another card transaction, or pays the wrong amount (nothing changed then).
    fn apply_card_event(&mut self, event: &SessionEvent) -> Option<Vec<Effect>> {
        use SessionEvent as E;
        use SessionState as S;
        let effects = match (self.state, event) {
            (S::OnPage | S::AncvPartial, E::CardRequested { transaction_id }) => {
                self.card_transaction_id = Some(transaction_id.clone());
                self.last_code = None;
                self.state = S::CardInProgress;
                vec![]
            }
            (
                S::CardInProgress,
                E::CardAccepted {
                    transaction_id,
                    amount,
                },
            ) if self.is_current_card(transaction_id) && *amount == self.card_amount() => {
                self.state = S::Accepted;
                vec![Effect::NotifyMerchant]
            }
            (
                S::CardInProgress,
                E::CardRefused {
                    transaction_id,
                    code,
                },
            ) if self.is_current_card(transaction_id) => self.card_refused(*code),
            (
                S::Created
                | S::OnPage
                | S::AncvWaiting
                | S::AncvPartial
                | S::CardInProgress
                | S::Accepted
                | S::Refused
                | S::Cancelled
                | S::ExpiredOnPage
                | S::ExpiredUnopened,
                _,
            ) => return None,
        };
        Some(effects)
    }

    /// The card payment under way was refused with `code`: one attempt used; the last one ends
    /// the session (vouchers given back), otherwise the buyer is back where the card started.
    fn card_refused(&mut self, code: ReturnCode) -> Vec<Effect> {
        self.attempts += 1;
        self.last_code = Some(code);
        self.card_transaction_id = None;
        if self.attempts >= MAX_ATTEMPTS {
            self.state = SessionState::Refused;
            let mut effects = self.cancel_ancv_part();
            effects.push(Effect::NotifyMerchant);
            effects
        } else {
            self.state = if self.ancv_validated.is_some() {
                SessionState::AncvPartial
            } else {
                SessionState::OnPage
            };
            vec![]
        }
    }

    /// The ANCV request ended without vouchers: the buyer may try again or pay by card, unless a
    /// rejection used the last attempt.
    fn ancv_ended(&mut self, code: ReturnCode, counts_as_attempt: bool) -> Vec<Effect> {
        self.ancv_validated = None;
        self.last_code = Some(code);
        if counts_as_attempt {
            self.attempts += 1;
        }
        if self.attempts >= MAX_ATTEMPTS {
            self.state = SessionState::Refused;
            vec![Effect::NotifyMerchant]
        } else {
            self.ancv_payment_id = None;
            self.state = SessionState::OnPage;
            vec![]
        }
    }

    /// ANCV took back a partial validation before the card part paid: the order is unpaid again.
    /// A card payment under way no longer counts (the gateway resets it if it is accepted).
    fn vouchers_part_gone(&mut self, counts_as_attempt: bool) -> Vec<Effect> {
        self.card_transaction_id = None;
        let effects = self.ancv_ended(ReturnCode::PartnerRefused, counts_as_attempt);
        self.ancv_payment_id = None;
        effects
    }

    /// An ANCV transaction tied to a session that will not be paid must give its vouchers back.
    /// (One still waiting in the app cannot be cancelled yet: the gateway gives it back if it
    /// is authorized later.)
    fn cancel_ancv_part(&self) -> Vec<Effect> {
        self.ancv_payment_id
            .iter()
            .map(|payment_id| Effect::CancelAncv {
                payment_id: payment_id.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SessionEvent as E;

    const T: i64 = 6_000;

    fn opened() -> Session {
        let mut session = Session::new(T, Timestamp(1_000));
        session.apply(E::PageOpened).unwrap();
        session
    }

    fn requested(id: &str) -> E {
        E::AncvRequested {
            payment_id: id.into(),
        }
    }

    fn validated(id: &str, amount: i64) -> E {
        E::AncvValidated {
            payment_id: id.into(),
            amount,
        }
    }

    fn card(id: &str) -> E {
        E::CardRequested {
            transaction_id: id.into(),
        }
    }

    fn card_accepted(id: &str, amount: i64) -> E {
        E::CardAccepted {
            transaction_id: id.into(),
            amount,
        }
    }

    fn card_refused(id: &str) -> E {
        E::CardRefused {
            transaction_id: id.into(),
            code: ReturnCode::CardDoNotHonour,
        }
    }

    fn partial(amount: i64) -> Session {
        let mut session = opened();
        session.apply(requested("A1")).unwrap();
        session.apply(validated("A1", amount)).unwrap();
        session
    }

    fn cancel_a1() -> Effect {
        Effect::CancelAncv {
            payment_id: "A1".into(),
        }
    }

    #[test]
    fn states_round_trip_and_old_rows_are_read() {
        for state in SessionState::ALL {
            assert_eq!(SessionState::parse(state.as_str()), Some(state));
        }
        assert_eq!(
            SessionState::parse("CARD_CHALLENGE"),
            Some(SessionState::CardInProgress)
        );
    }

    #[test]
    fn stage_codes_follow_the_page() {
        let mut session = Session::new(T, Timestamp(1_000));
        assert_eq!(session.return_code().code(), "02533");
        session.apply(E::PageOpened).unwrap();
        assert_eq!(session.return_code().code(), "02306");
        session.apply(requested("A1")).unwrap();
        assert_eq!(session.return_code().code(), "02000");
        session.apply(validated("A1", 2_500)).unwrap();
        assert_eq!(
            (session.return_code().code(), session.card_amount()),
            ("02306", 3_500)
        );
        session.apply(card("C1")).unwrap();
        assert_eq!(
            (session.state, session.return_code().code()),
            (SessionState::CardInProgress, "02306")
        );
        assert_eq!(
            session.apply(card_accepted("C1", 3_500)).unwrap(),
            vec![Effect::NotifyMerchant]
        );
        assert_eq!(session.return_code().code(), "00000");
    }

    #[test]
    fn full_validation_pays_at_once() {
        let mut session = opened();
        session.apply(requested("A1")).unwrap();
        assert_eq!(
            session.apply(validated("A1", T)).unwrap(),
            vec![Effect::NotifyMerchant]
        );
        assert_eq!(
            (session.state, session.card_amount()),
            (SessionState::Accepted, 0)
        );
    }

    #[test]
    fn three_card_refusals_end_it_and_give_the_vouchers_back() {
        let mut session = partial(2_500);
        for attempt in 1..=2 {
            session.apply(card(&format!("C{attempt}"))).unwrap();
            assert_eq!(
                session.apply(card_refused(&format!("C{attempt}"))).unwrap(),
                vec![]
            );
            assert_eq!(
                (session.state, session.attempts),
                (SessionState::AncvPartial, attempt)
            );
        }
        session.apply(card("C3")).unwrap();
        let effects = session.apply(card_refused("C3")).unwrap();
        assert_eq!(effects, vec![cancel_a1(), Effect::NotifyMerchant]);
        assert_eq!(
            (session.state, session.return_code().code()),
            (SessionState::Refused, "01100")
        );
    }

    #[test]
    fn the_card_must_pay_exactly_what_the_vouchers_left() {
        let mut session = partial(2_500);
        session.apply(card("C1")).unwrap();
        let before = session.clone();
        assert!(session.apply(card_accepted("C1", 6_000)).is_err());
        assert!(session.apply(card_accepted("C1", 3_499)).is_err());
        assert!(
            session.apply(card_accepted("C0", 3_500)).is_err(),
            "another card"
        );
        assert_eq!(session, before);
        assert!(!session.wants_card("C0"));
        assert!(session.wants_card("C1") && session.wants_ancv("A1"));
    }

    #[test]
    fn one_card_payment_at_a_time_and_none_while_the_app_is_asked() {
        let mut session = opened();
        session.apply(card("C1")).unwrap();
        assert!(session.apply(card("C2")).is_err(), "one at a time");
        assert!(session.apply(requested("A1")).is_err(), "no ANCV meanwhile");
        let mut waiting = opened();
        waiting.apply(requested("A1")).unwrap();
        assert!(
            waiting.apply(card("C1")).is_err(),
            "no card while the app is asked"
        );
    }

    #[test]
    fn cancelling_after_a_partial_validation_cancels_at_ancv() {
        let mut session = partial(2_500);
        assert_eq!(
            session.apply(E::BuyerCancelled).unwrap(),
            vec![cancel_a1(), Effect::NotifyMerchant]
        );
        assert_eq!(session.return_code().code(), "02319");
        assert!(!session.wants_ancv("A1"));
    }

    #[test]
    fn ending_during_a_card_payment_does_not_wait_for_it() {
        for ending in [E::BuyerCancelled, E::Expired] {
            let mut session = partial(2_500);
            session.apply(card("C1")).unwrap();
            assert_eq!(
                session.apply(ending.clone()).unwrap(),
                vec![cancel_a1(), Effect::NotifyMerchant],
                "{ending:?}"
            );
            assert!(session.state.is_final());
            assert!(
                !session.wants_card("C1"),
                "a late acceptance is compensated"
            );
            assert!(session.apply(card_accepted("C1", 3_500)).is_err());
        }
    }

    #[test]
    fn decline_and_expiry_at_ancv_let_the_buyer_try_again() {
        for event in [
            E::AncvDeclined {
                payment_id: "A1".into(),
            },
            E::AncvExpired {
                payment_id: "A1".into(),
            },
        ] {
            let mut session = opened();
            session.apply(requested("A1")).unwrap();
            assert_eq!(session.apply(event).unwrap(), vec![]);
            assert_eq!(
                (
                    session.state,
                    session.attempts,
                    session.ancv_payment_id.clone()
                ),
                (SessionState::OnPage, 0, None)
            );
            session.apply(requested("A2")).unwrap();
            assert_eq!(session.state, SessionState::AncvWaiting);
        }
    }

    #[test]
    fn news_about_an_earlier_ancv_payment_changes_nothing() {
        let mut session = opened();
        session.apply(requested("A1")).unwrap();
        session
            .apply(E::AncvDeclined {
                payment_id: "A1".into(),
            })
            .unwrap();
        session.apply(requested("A2")).unwrap();
        let before = session.clone();
        assert!(session.apply(validated("A1", 2_000)).is_err());
        assert_eq!(session, before);
        assert!(!session.wants_ancv("A1") && session.wants_ancv("A2"));
    }

    #[test]
    fn a_partial_validation_rejected_by_ancv_is_gone() {
        let mut session = partial(2_500);
        session.apply(card("C1")).unwrap();
        assert_eq!(
            session
                .apply(E::AncvRejected {
                    payment_id: "A1".into()
                })
                .unwrap(),
            vec![]
        );
        assert_eq!(
            (
                session.state,
                session.card_amount(),
                session.attempts,
                session.last_code
            ),
            (SessionState::OnPage, T, 1, Some(ReturnCode::PartnerRefused))
        );
        assert!(
            !session.wants_card("C1"),
            "the card under way is compensated"
        );
        assert!(session.apply(card_accepted("C1", 3_500)).is_err());
    }

    #[test]
    fn a_partial_validation_cancelled_by_a_refund_is_gone() {
        let mut session = partial(2_500);
        session
            .apply(E::AncvCancelled {
                payment_id: "A1".into(),
            })
            .unwrap();
        assert_eq!(
            (session.state, session.card_amount(), session.attempts),
            (SessionState::OnPage, T, 0)
        );
    }

    #[test]
    fn ancv_rejecting_after_acceptance_is_told_to_the_merchant() {
        let mut session = partial(2_500);
        session.apply(card("C1")).unwrap();
        session.apply(card_accepted("C1", 3_500)).unwrap();
        assert_eq!(
            session
                .apply(E::AncvRejected {
                    payment_id: "A1".into()
                })
                .unwrap(),
            vec![Effect::NotifyTransactionChanged {
                transaction_id: "A1".into()
            }]
        );
        assert_eq!(session.state, SessionState::Accepted);
    }

    #[test]
    fn ancv_failing_sends_the_buyer_back_without_an_attempt() {
        let mut session = opened();
        session.apply(requested("A1")).unwrap();
        session
            .apply(E::AncvFailed {
                payment_id: "A1".into(),
                code: ReturnCode::InternalError,
            })
            .unwrap();
        assert_eq!(
            (
                session.state,
                session.attempts,
                session.ancv_payment_id.clone()
            ),
            (SessionState::OnPage, 0, None)
        );
        assert_eq!(session.last_code, Some(ReturnCode::InternalError));
    }

    #[test]
    fn session_expiry_codes_and_effects() {
        let mut unopened = Session::new(T, Timestamp(1_000));
        assert_eq!(unopened.expire_if_due(Timestamp(999)), vec![]);
        assert_eq!(
            unopened.expire_if_due(Timestamp(1_000)),
            vec![Effect::NotifyMerchant]
        );
        assert_eq!(unopened.return_code().code(), "02534");
        let mut waiting = partial(2_500);
        assert_eq!(
            waiting.expire_if_due(Timestamp(5_000)),
            vec![cancel_a1(), Effect::NotifyMerchant]
        );
        assert_eq!(waiting.return_code().code(), "02324");
        assert_eq!(
            waiting.expire_if_due(Timestamp(9_000)),
            vec![],
            "expires once"
        );
    }

    #[test]
    fn final_sessions_refuse_everything() {
        let mut session = partial(T);
        for event in [
            E::BuyerCancelled,
            E::PageOpened,
            card_refused("C1"),
            card("C2"),
            E::Expired,
        ] {
            assert!(session.apply(event).is_err());
        }
        assert_eq!(session.state, SessionState::Accepted);
    }

    #[test]
    fn nonsense_is_refused_and_changes_nothing() {
        let mut session = opened();
        let before = session.clone();
        assert!(session.apply(validated("A1", 100)).is_err());
        assert_eq!(session, before);
        let mut waiting = opened();
        waiting.apply(requested("A1")).unwrap();
        assert!(
            waiting.apply(validated("A1", T + 1)).is_err(),
            "never more than the order"
        );
    }

    #[test]
    fn three_ancv_rejections_refuse_the_session() {
        let mut session = opened();
        for n in 1..=3 {
            let id = format!("A{n}");
            session.apply(requested(&id)).unwrap();
            session.apply(E::AncvRejected { payment_id: id }).unwrap();
        }
        assert_eq!(
            (session.state, session.return_code().code()),
            (SessionState::Refused, "02020")
        );
    }
}
