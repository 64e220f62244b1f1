//! The web payment session: what happens between `doWebPayment` and the merchant reading the
//! result. A pure state machine — `Session::apply(event, now)` returns the effects the caller
//! must carry out (cancel the ANCV part, notify the merchant) — with exhaustive matches, so a new
//! state forces a decision everywhere.
//!
//! Split-payment rules (payline-v4.md §4): the ANCV part only counts once the card part is
//! accepted; if the card part finally fails, the buyer cancels or the session expires, the ANCV
//! authorization is cancelled at ANCV. ANCV declined/expired is not final: the buyer may retry or
//! choose a card.

use crate::clock::Timestamp;
use crate::return_code::ReturnCode;

/// Card attempts (and ANCV rejections) allowed per session.
pub const MAX_ATTEMPTS: u8 = 3;

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
    /// A card 3-D Secure challenge is under way (02306).
    CardChallenge,
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
            | SessionState::CardChallenge => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Created => "CREATED",
            SessionState::OnPage => "ON_PAGE",
            SessionState::AncvWaiting => "ANCV_WAITING",
            SessionState::AncvPartial => "ANCV_PARTIAL",
            SessionState::CardChallenge => "CARD_CHALLENGE",
            SessionState::Accepted => "ACCEPTED",
            SessionState::Refused => "REFUSED",
            SessionState::Cancelled => "CANCELLED",
            SessionState::ExpiredOnPage => "EXPIRED_ON_PAGE",
            SessionState::ExpiredUnopened => "EXPIRED_UNOPENED",
        }
    }

    pub fn parse(value: &str) -> Option<SessionState> {
        [
            SessionState::Created,
            SessionState::OnPage,
            SessionState::AncvWaiting,
            SessionState::AncvPartial,
            SessionState::CardChallenge,
            SessionState::Accepted,
            SessionState::Refused,
            SessionState::Cancelled,
            SessionState::ExpiredOnPage,
            SessionState::ExpiredUnopened,
        ]
        .into_iter()
        .find(|state| state.as_str() == value)
    }
}

/// The session's progress (the rest of the session — order, buyer, URLs — never changes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub state: SessionState,
    /// The order amount, minor units.
    pub amount: i64,
    pub expires_at: Timestamp,
    /// Card attempts refused and ANCV rejections so far.
    pub attempts: u8,
    /// The ANCV transaction currently tied to the session, and what it validated.
    pub ancv_payment_id: Option<String>,
    pub ancv_validated: Option<i64>,
    /// The card transaction that paid (or is being challenged).
    pub card_transaction_id: Option<String>,
    /// The last refusal or error shown to the buyer (and the final code once refused).
    pub last_code: Option<ReturnCode>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    PageOpened,
    AncvRequested {
        payment_id: String,
    },
    /// The beneficiary validated `amount` (≤ the order amount).
    AncvValidated {
        amount: i64,
    },
    AncvDeclined,
    AncvExpired,
    /// REJECTED by ANCV (02020).
    AncvRejected,
    /// The request could not be sent (unknown beneficiary, …): shown on the form, not an attempt.
    AncvFailed {
        code: ReturnCode,
    },
    CardAccepted {
        transaction_id: String,
    },
    CardChallenged {
        transaction_id: String,
    },
    CardRefused {
        code: ReturnCode,
    },
    BuyerCancelled,
    /// The clock passed `expires_at`.
    Expired,
}

/// What the caller must do after a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Cancel this ANCV transaction at ANCV (the vouchers go back).
    CancelAncv { payment_id: String },
    /// The session is final: tell the merchant (WEBTRS).
    NotifyMerchant,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{event} is not possible while the session is {state}")]
pub struct NotNow {
    pub state: &'static str,
    pub event: String,
}

impl Session {
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
            SessionState::OnPage | SessionState::AncvPartial | SessionState::CardChallenge => {
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

    pub fn attempts_left(&self) -> u8 {
        MAX_ATTEMPTS.saturating_sub(self.attempts)
    }

    /// Expires the session if its time is up (call before applying anything else).
    pub fn expire_if_due(&mut self, now: Timestamp) -> Vec<Effect> {
        if self.state.is_final() || now < self.expires_at {
            return vec![];
        }
        self.apply(SessionEvent::Expired).unwrap_or_default()
    }

    /// Applies an event; refuses events that make no sense now (the session is then unchanged).
    pub fn apply(&mut self, event: SessionEvent) -> Result<Vec<Effect>, NotNow> {
        use SessionState as S;
        let effects = match (self.state, event) {
            (S::Created, SessionEvent::PageOpened) => {
                self.state = S::OnPage;
                vec![]
            }
            (
                S::OnPage | S::AncvWaiting | S::AncvPartial | S::CardChallenge,
                SessionEvent::PageOpened,
            ) => vec![],
            (S::OnPage, SessionEvent::AncvRequested { payment_id }) => {
                self.ancv_payment_id = Some(payment_id);
                self.ancv_validated = None;
                self.last_code = None;
                self.state = S::AncvWaiting;
                vec![]
            }
            (S::AncvWaiting, SessionEvent::AncvValidated { amount })
                if amount > 0 && amount <= self.amount =>
            {
                self.ancv_validated = Some(amount);
                if amount == self.amount {
                    self.state = S::Accepted;
                    vec![Effect::NotifyMerchant]
                } else {
                    self.state = S::AncvPartial;
                    vec![]
                }
            }
            (S::AncvWaiting, SessionEvent::AncvDeclined) => {
                self.ancv_ended(ReturnCode::PartnerRefused, false)
            }
            (S::AncvWaiting, SessionEvent::AncvExpired) => {
                self.ancv_ended(ReturnCode::PartnerRefused, false)
            }
            (S::AncvWaiting, SessionEvent::AncvRejected) => {
                self.ancv_ended(ReturnCode::PartnerRefused, true)
            }
            (S::OnPage | S::AncvWaiting, SessionEvent::AncvFailed { code }) => {
                self.ancv_payment_id = None;
                self.ancv_validated = None;
                self.last_code = Some(code);
                self.state = S::OnPage;
                vec![]
            }
            (
                S::OnPage | S::AncvPartial | S::CardChallenge,
                SessionEvent::CardAccepted { transaction_id },
            ) => {
                self.card_transaction_id = Some(transaction_id);
                self.last_code = None;
                self.state = S::Accepted;
                vec![Effect::NotifyMerchant]
            }
            (S::OnPage | S::AncvPartial, SessionEvent::CardChallenged { transaction_id }) => {
                self.card_transaction_id = Some(transaction_id);
                self.state = S::CardChallenge;
                vec![]
            }
            (S::OnPage | S::AncvPartial | S::CardChallenge, SessionEvent::CardRefused { code }) => {
                self.attempts += 1;
                self.last_code = Some(code);
                self.card_transaction_id = None;
                if self.attempts >= MAX_ATTEMPTS {
                    self.state = S::Refused;
                    let mut effects = self.cancel_ancv_part();
                    effects.push(Effect::NotifyMerchant);
                    effects
                } else {
                    self.state = if self.ancv_validated.is_some() {
                        S::AncvPartial
                    } else {
                        S::OnPage
                    };
                    vec![]
                }
            }
            (
                S::Created | S::OnPage | S::AncvWaiting | S::AncvPartial | S::CardChallenge,
                SessionEvent::BuyerCancelled,
            ) => {
                self.state = S::Cancelled;
                let mut effects = self.cancel_ancv_part();
                effects.push(Effect::NotifyMerchant);
                effects
            }
            (S::Created, SessionEvent::Expired) => {
                self.state = S::ExpiredUnopened;
                vec![Effect::NotifyMerchant]
            }
            (
                S::OnPage | S::AncvWaiting | S::AncvPartial | S::CardChallenge,
                SessionEvent::Expired,
            ) => {
                self.state = S::ExpiredOnPage;
                let mut effects = self.cancel_ancv_part();
                effects.push(Effect::NotifyMerchant);
                effects
            }
            (state, event) => {
                return Err(NotNow {
                    state: state.as_str(),
                    event: format!("{event:?}"),
                });
            }
        };
        Ok(effects)
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

    /// An ANCV transaction tied to a session that will not be paid must give its vouchers back.
    /// (One still waiting in the app cannot be cancelled yet: the caller cancels it if it is
    /// authorized later.)
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

    fn partial(validated: i64) -> Session {
        let mut session = opened();
        session
            .apply(E::AncvRequested {
                payment_id: "A1".into(),
            })
            .unwrap();
        session
            .apply(E::AncvValidated { amount: validated })
            .unwrap();
        session
    }

    fn cancel_a1() -> Effect {
        Effect::CancelAncv {
            payment_id: "A1".into(),
        }
    }

    #[test]
    fn stage_codes_follow_the_page() {
        let mut session = Session::new(T, Timestamp(1_000));
        assert_eq!(session.return_code().code(), "02533");
        session.apply(E::PageOpened).unwrap();
        assert_eq!(session.return_code().code(), "02306");
        session
            .apply(E::AncvRequested {
                payment_id: "A1".into(),
            })
            .unwrap();
        assert_eq!(session.return_code().code(), "02000");
        session.apply(E::AncvValidated { amount: 2_500 }).unwrap();
        assert_eq!(
            (session.return_code().code(), session.card_amount()),
            ("02306", 3_500)
        );
        assert_eq!(
            session
                .apply(E::CardAccepted {
                    transaction_id: "C1".into()
                })
                .unwrap(),
            vec![Effect::NotifyMerchant]
        );
        assert_eq!(session.return_code().code(), "00000");
    }

    #[test]
    fn full_validation_pays_at_once() {
        let mut session = opened();
        session
            .apply(E::AncvRequested {
                payment_id: "A1".into(),
            })
            .unwrap();
        assert_eq!(
            session.apply(E::AncvValidated { amount: T }).unwrap(),
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
            assert_eq!(
                session
                    .apply(E::CardRefused {
                        code: ReturnCode::CardDoNotHonour
                    })
                    .unwrap(),
                vec![]
            );
            assert_eq!(
                (session.state, session.attempts),
                (SessionState::AncvPartial, attempt)
            );
        }
        let effects = session
            .apply(E::CardRefused {
                code: ReturnCode::CardDoNotHonour,
            })
            .unwrap();
        assert_eq!(effects, vec![cancel_a1(), Effect::NotifyMerchant]);
        assert_eq!(
            (session.state, session.return_code().code()),
            (SessionState::Refused, "01100")
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
    }

    #[test]
    fn decline_and_expiry_at_ancv_let_the_buyer_try_again() {
        for event in [E::AncvDeclined, E::AncvExpired] {
            let mut session = opened();
            session
                .apply(E::AncvRequested {
                    payment_id: "A1".into(),
                })
                .unwrap();
            assert_eq!(session.apply(event).unwrap(), vec![]);
            assert_eq!(
                (
                    session.state,
                    session.attempts,
                    session.ancv_payment_id.clone()
                ),
                (SessionState::OnPage, 0, None)
            );
            session
                .apply(E::AncvRequested {
                    payment_id: "A2".into(),
                })
                .unwrap();
            assert_eq!(session.state, SessionState::AncvWaiting);
        }
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
            E::CardRefused {
                code: ReturnCode::CardExpired,
            },
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
        assert!(session.apply(E::AncvValidated { amount: 100 }).is_err());
        let mut waiting = opened();
        waiting
            .apply(E::AncvRequested {
                payment_id: "A1".into(),
            })
            .unwrap();
        assert!(
            waiting.apply(E::AncvValidated { amount: T + 1 }).is_err(),
            "never more than the order"
        );
        assert!(
            waiting
                .apply(E::CardAccepted {
                    transaction_id: "C".into()
                })
                .is_err(),
            "no card while the app is asked"
        );
        assert_eq!(session, before);
    }

    #[test]
    fn three_ancv_rejections_refuse_the_session() {
        let mut session = opened();
        for n in 1..=3 {
            session
                .apply(E::AncvRequested {
                    payment_id: format!("A{n}"),
                })
                .unwrap();
            session.apply(E::AncvRejected).unwrap();
        }
        assert_eq!(
            (session.state, session.return_code().code()),
            (SessionState::Refused, "02020")
        );
    }
}
