//! The transaction state machine of spec §3, pure: which events each state accepts, which states
//! they lead through, what time does on its own, where each state is notified, and what the
//! automatic test beneficiaries do. Every match on a state lists them all, so a new state forces
//! a decision everywhere.

use crate::error::SandboxError;
use ancv::ErrorCode;
use ancv::wire::CaptureMode;
use domain::clock::Timestamp;

pub use ancv::wire::TransactionState as State;

/// What can happen to a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The merchant attached a payer: the request goes to the beneficiary's app.
    AttachPayer,
    /// The payer's account is blocked: ANCV refuses at once.
    Reject,
    /// ANCV refuses a transaction it had authorized ("possibly after authorization", spec §3;
    /// the admin API's reject): the validated vouchers go back to the balance.
    RejectAuthorized,
    /// The beneficiary validated in the app.
    Validate(CaptureMode),
    /// The beneficiary declined in the app.
    Decline,
    /// A deferred capture's date came.
    Capture,
    /// The validation window elapsed.
    Expire,
    /// Settlement, first step: in ANCV's remittance to the merchant.
    Consign,
    /// Settlement, second step: ANCV paid the merchant.
    Pay,
    /// `/cancellation` (a full refund).
    Cancel,
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Event::AttachPayer => "attaching a payer",
            Event::Reject => "rejecting",
            Event::RejectAuthorized => "rejecting",
            Event::Validate(_) => "validating",
            Event::Decline => "declining",
            Event::Capture => "capturing",
            Event::Expire => "expiring",
            Event::Consign => "consigning",
            Event::Pay => "paying",
            Event::Cancel => "cancelling",
        }
    }
}

/// The states `event` leads `state` through, in order (a validation with immediate capture
/// passes AUTHORIZED then VALIDATED); OPERATION_TRANSACTION_NOT_ALLOWED when `state` does not
/// accept it.
pub fn next_states(state: State, event: Event) -> Result<Vec<State>, SandboxError> {
    use State::*;
    let allowed: Option<Vec<State>> = match event {
        Event::AttachPayer => match state {
            Initialized => Some(vec![Processing]),
            Processing | Authorized | Validated | Consigned | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::Reject => match state {
            Initialized => Some(vec![Rejected]),
            Processing | Authorized | Validated | Consigned | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::RejectAuthorized => match state {
            Authorized | Validated | Consigned => Some(vec![Rejected]),
            Initialized | Processing | Paid | Aborted | Expired | Rejected | Cancelled => None,
        },
        Event::Validate(capture) => match state {
            Processing => Some(match capture {
                CaptureMode::Normal => vec![Authorized, Validated],
                CaptureMode::Deferred => vec![Authorized],
            }),
            Initialized | Authorized | Validated | Consigned | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::Decline => match state {
            Processing => Some(vec![Aborted]),
            Initialized | Authorized | Validated | Consigned | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::Capture => match state {
            Authorized => Some(vec![Validated]),
            Initialized | Processing | Validated | Consigned | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::Expire => match state {
            Initialized | Processing => Some(vec![Expired]),
            Authorized | Validated | Consigned | Paid | Aborted | Expired | Rejected
            | Cancelled => None,
        },
        Event::Consign => match state {
            Validated => Some(vec![Consigned]),
            Initialized | Processing | Authorized | Consigned | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::Pay => match state {
            Consigned => Some(vec![Paid]),
            Initialized | Processing | Authorized | Validated | Paid | Aborted | Expired
            | Rejected | Cancelled => None,
        },
        Event::Cancel => match state {
            Authorized | Validated | Consigned | Paid => Some(vec![Cancelled]),
            Initialized | Processing | Aborted | Expired | Rejected | Cancelled => None,
        },
    };
    allowed.ok_or_else(|| {
        SandboxError::refused(
            ErrorCode::OperationTransactionNotAllowed,
            format!(
                "the transaction is {state}: {} it is not allowed",
                event.name()
            ),
        )
    })
}

/// Dates of a transaction that time acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// The end of the validation window (ANCV `expirationDate`).
    pub expires_at: Timestamp,
    /// Only for a deferred capture.
    pub capture_at: Option<Timestamp>,
}

/// What time alone does to a transaction in `state` at `now`: expire it once the window has
/// elapsed, capture it once its capture date has come. Applied on every read and write of the
/// transaction, and by jobs scheduled at those dates.
pub fn due_event(state: State, deadlines: Deadlines, now: Timestamp) -> Option<Event> {
    match state {
        State::Initialized | State::Processing => {
            (now >= deadlines.expires_at).then_some(Event::Expire)
        }
        State::Authorized => deadlines
            .capture_at
            .filter(|capture_at| now >= *capture_at)
            .map(|_| Event::Capture),
        State::Validated
        | State::Consigned
        | State::Paid
        | State::Aborted
        | State::Expired
        | State::Rejected
        | State::Cancelled => None,
    }
}

/// How far a settlement takes the transactions: CONSIGNED only, or on to PAID (the default:
/// one settlement moves every VALIDATED transaction through both steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SettleUntil {
    /// Stop in ANCV's remittance, before ANCV pays.
    Consigned,
    /// On to PAID.
    #[default]
    Paid,
}

/// The next settlement step for a transaction in `state`, if any.
pub fn settlement_event(state: State, until: SettleUntil) -> Option<Event> {
    match state {
        State::Validated => Some(Event::Consign),
        State::Consigned => match until {
            SettleUntil::Paid => Some(Event::Pay),
            SettleUntil::Consigned => None,
        },
        State::Initialized
        | State::Processing
        | State::Authorized
        | State::Paid
        | State::Aborted
        | State::Expired
        | State::Rejected
        | State::Cancelled => None,
    }
}

/// Which of the transaction's redirect URLs hears about a state (spec §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyUrl {
    /// `redirectUrls.returnUrl`: the payment went through (or was refunded).
    Return,
    /// `redirectUrls.cancelUrl`: the payment did not happen.
    Cancel,
}

/// Where the merchant hears about `state` (ancv-connect.md §4); `None`: it is not notified.
pub fn notification_url(state: State) -> Option<NotifyUrl> {
    match state {
        State::Authorized
        | State::Validated
        | State::Consigned
        | State::Paid
        | State::Cancelled => Some(NotifyUrl::Return),
        State::Aborted | State::Expired | State::Rejected => Some(NotifyUrl::Cancel),
        // Nothing happened yet that the merchant waits for.
        State::Initialized | State::Processing => None,
    }
}

/// How a test beneficiary behaves in the app (spec §6 published data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Behaviour {
    /// Someone validates or declines in the app.
    Manual,
    /// Validates the full amount (as much as the balance allows) after the automatic delay.
    AutoFull,
    /// Validates its whole balance (at most the amount) after the automatic delay.
    AutoPartial,
    /// Declines after the automatic delay.
    AutoDecline,
    /// Never answers: the request expires.
    AutoExpire,
    /// The account is blocked: the payer is rejected at once.
    Blocked,
}

impl Behaviour {
    /// Every behaviour, in the order they are listed to operators.
    pub const ALL: [Behaviour; 6] = [
        Behaviour::Manual,
        Behaviour::AutoFull,
        Behaviour::AutoPartial,
        Behaviour::AutoDecline,
        Behaviour::AutoExpire,
        Behaviour::Blocked,
    ];

    /// The name stored and used by the admin API and the CLI (`manual`, `auto_full`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Behaviour::Manual => "manual",
            Behaviour::AutoFull => "auto_full",
            Behaviour::AutoPartial => "auto_partial",
            Behaviour::AutoDecline => "auto_decline",
            Behaviour::AutoExpire => "auto_expire",
            Behaviour::Blocked => "blocked",
        }
    }

    /// The behaviour named `value` (as [`Behaviour::as_str`] writes it), if any.
    pub fn parse(value: &str) -> Option<Behaviour> {
        Behaviour::ALL
            .into_iter()
            .find(|behaviour| behaviour.as_str() == value)
    }

    /// Whether an automatic answer is scheduled when a request reaches the app.
    pub fn answers_automatically(self) -> bool {
        match self {
            Behaviour::AutoFull | Behaviour::AutoPartial | Behaviour::AutoDecline => true,
            Behaviour::Manual | Behaviour::AutoExpire | Behaviour::Blocked => false,
        }
    }
}

/// What an automatic beneficiary does with a pending request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoAnswer {
    /// Validate this many cents.
    Validate(i64),
    /// Decline: ABORTED.
    Decline,
    /// Leave the request alone (someone answers in the app, or nobody does).
    Nothing,
}

/// Full and partial both validate as much as they can — min(balance, requested) — and differ by
/// the balance they are published with; with nothing left to spend, they decline.
pub fn auto_answer(behaviour: Behaviour, requested: i64, balance: i64) -> AutoAnswer {
    match behaviour {
        Behaviour::AutoFull | Behaviour::AutoPartial => {
            let amount = requested.min(balance);
            if amount > 0 {
                AutoAnswer::Validate(amount)
            } else {
                AutoAnswer::Decline
            }
        }
        Behaviour::AutoDecline => AutoAnswer::Decline,
        Behaviour::Manual | Behaviour::AutoExpire | Behaviour::Blocked => AutoAnswer::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use State::*;

    const EVENTS: [Event; 11] = [
        Event::AttachPayer,
        Event::Reject,
        Event::RejectAuthorized,
        Event::Validate(CaptureMode::Normal),
        Event::Validate(CaptureMode::Deferred),
        Event::Decline,
        Event::Capture,
        Event::Expire,
        Event::Consign,
        Event::Pay,
        Event::Cancel,
    ];

    /// The whole table of spec §3: every (state, event) pair either moves as listed or is refused.
    #[test]
    fn the_transition_table() {
        let expected = |state: State, event: Event| -> Option<Vec<State>> {
            Some(match (state, event) {
                (Initialized, Event::AttachPayer) => vec![Processing],
                (Initialized, Event::Reject) => vec![Rejected],
                (Authorized | Validated | Consigned, Event::RejectAuthorized) => vec![Rejected],
                (Processing, Event::Validate(CaptureMode::Normal)) => vec![Authorized, Validated],
                (Processing, Event::Validate(CaptureMode::Deferred)) => vec![Authorized],
                (Processing, Event::Decline) => vec![Aborted],
                (Authorized, Event::Capture) => vec![Validated],
                (Initialized | Processing, Event::Expire) => vec![Expired],
                (Validated, Event::Consign) => vec![Consigned],
                (Consigned, Event::Pay) => vec![Paid],
                (Authorized | Validated | Consigned | Paid, Event::Cancel) => vec![Cancelled],
                _ => return None,
            })
        };
        for state in State::ALL {
            for event in EVENTS {
                match (next_states(state, event), expected(state, event)) {
                    (Ok(states), Some(want)) => assert_eq!(states, want, "{state} {event:?}"),
                    (Err(error), None) => {
                        assert_eq!(error.error_code(), "OPERATION_TRANSACTION_NOT_ALLOWED");
                        assert_eq!(error.http_status(), 409);
                    }
                    (got, want) => panic!("{state} {event:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn final_states_accept_nothing_but_the_cancellation_of_paid() {
        for state in State::ALL.into_iter().filter(|s| s.is_final()) {
            for event in EVENTS {
                let accepted = next_states(state, event).is_ok();
                assert_eq!(
                    accepted,
                    state == Paid && event == Event::Cancel,
                    "{state} {event:?}"
                );
            }
        }
    }

    #[test]
    fn rejection_after_authorization_ends_only_what_vouchers_were_validated_for() {
        for state in [Authorized, Validated, Consigned] {
            assert_eq!(
                next_states(state, Event::RejectAuthorized).unwrap(),
                [Rejected],
                "{state}"
            );
        }
        // Nothing validated yet, already paid, or already ended: refused.
        for state in [
            Initialized,
            Processing,
            Paid,
            Aborted,
            Expired,
            Rejected,
            Cancelled,
        ] {
            let error = next_states(state, Event::RejectAuthorized).unwrap_err();
            assert_eq!(error.error_code(), "OPERATION_TRANSACTION_NOT_ALLOWED");
            assert!(error.to_string().contains("rejecting"), "{error}");
        }
        assert_eq!(notification_url(Rejected), Some(NotifyUrl::Cancel));
        assert!(Rejected.is_final());
    }

    #[test]
    fn time_expires_pending_requests_and_captures_deferred_ones() {
        let deadlines = Deadlines {
            expires_at: Timestamp(1_000),
            capture_at: Some(Timestamp(5_000)),
        };
        assert_eq!(due_event(Initialized, deadlines, Timestamp(999)), None);
        assert_eq!(
            due_event(Initialized, deadlines, Timestamp(1_000)),
            Some(Event::Expire)
        );
        assert_eq!(
            due_event(Processing, deadlines, Timestamp(2_000)),
            Some(Event::Expire)
        );
        assert_eq!(due_event(Authorized, deadlines, Timestamp(4_999)), None);
        assert_eq!(
            due_event(Authorized, deadlines, Timestamp(5_000)),
            Some(Event::Capture)
        );
        let immediate = Deadlines {
            capture_at: None,
            ..deadlines
        };
        assert_eq!(due_event(Authorized, immediate, Timestamp(9_999)), None);
        for state in [
            Validated, Consigned, Paid, Aborted, Expired, Rejected, Cancelled,
        ] {
            assert_eq!(due_event(state, deadlines, Timestamp(i64::MAX)), None);
        }
        // Whatever time does is allowed by the table.
        for state in State::ALL {
            if let Some(event) = due_event(state, deadlines, Timestamp(i64::MAX)) {
                assert!(next_states(state, event).is_ok());
            }
        }
    }

    #[test]
    fn settlement_moves_validated_through_consigned_to_paid() {
        let walk = |mut state: State, until: SettleUntil| {
            let mut passed = Vec::new();
            while let Some(event) = settlement_event(state, until) {
                state = *next_states(state, event).unwrap().last().unwrap();
                passed.push(state);
            }
            passed
        };
        assert_eq!(walk(Validated, SettleUntil::Paid), [Consigned, Paid]);
        assert_eq!(walk(Validated, SettleUntil::Consigned), [Consigned]);
        assert_eq!(walk(Consigned, SettleUntil::Paid), [Paid]);
        for state in [
            Initialized,
            Processing,
            Authorized,
            Paid,
            Aborted,
            Expired,
            Rejected,
            Cancelled,
        ] {
            assert!(walk(state, SettleUntil::Paid).is_empty(), "{state}");
        }
    }

    #[test]
    fn notifications_go_where_spec_4_says() {
        let to_return: Vec<State> = State::ALL
            .into_iter()
            .filter(|s| notification_url(*s) == Some(NotifyUrl::Return))
            .collect();
        assert_eq!(
            to_return,
            [Authorized, Validated, Consigned, Paid, Cancelled]
        );
        let to_cancel: Vec<State> = State::ALL
            .into_iter()
            .filter(|s| notification_url(*s) == Some(NotifyUrl::Cancel))
            .collect();
        assert_eq!(to_cancel, [Aborted, Expired, Rejected]);
        for state in State::ALL {
            if notification_url(state).is_some() {
                assert_eq!(
                    notification_url(state) == Some(NotifyUrl::Return),
                    state.notifies_return_url()
                );
            }
        }
    }

    #[test]
    fn automatic_beneficiaries() {
        assert_eq!(
            auto_answer(Behaviour::AutoFull, 5_000, 100_000),
            AutoAnswer::Validate(5_000)
        );
        assert_eq!(
            auto_answer(Behaviour::AutoPartial, 5_000, 2_500),
            AutoAnswer::Validate(2_500)
        );
        assert_eq!(
            auto_answer(Behaviour::AutoPartial, 5_000, 0),
            AutoAnswer::Decline
        );
        assert_eq!(
            auto_answer(Behaviour::AutoDecline, 5_000, 10_000),
            AutoAnswer::Decline
        );
        for behaviour in [Behaviour::Manual, Behaviour::AutoExpire, Behaviour::Blocked] {
            assert_eq!(auto_answer(behaviour, 5_000, 10_000), AutoAnswer::Nothing);
            assert!(!behaviour.answers_automatically());
        }
        for behaviour in Behaviour::ALL {
            assert_eq!(Behaviour::parse(behaviour.as_str()), Some(behaviour));
        }
    }
}
