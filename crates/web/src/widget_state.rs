//! A session's state as Payline's widget names it (widget.md §3): what the widget and the
//! hosted page tell a merchant's callbacks and the native SDK bridges.

use domain::return_code::ReturnCode;
use domain::web_payment::SessionState as Stored;
use gateway::web_payments::Snapshot;
use serde::Serialize;

/// The widget's states (widget.md §3), named as Payline names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum WidgetState {
    /// Nothing attempted, or free to pay (the rest) again.
    PaymentMethodsList,
    /// Waiting for the beneficiary in the app, or for the acquirer.
    ActiveWaiting,
    /// A 3-D Secure challenge to go through.
    PaymentRedirectNoResponse,
    /// The card was refused; attempts are left.
    PaymentFailureWithRetry,
    /// The Chèque-Vacances request was declined or not validated in time; the buyer may retry.
    PaymentCanceledWithRetry,
    /// Paid.
    PaymentSuccess,
    /// Refused after the last attempt.
    PaymentFailure,
    /// Cancelled by the buyer or the merchant.
    PaymentCanceled,
    /// The session's time is over.
    TokenExpired,
}

impl WidgetState {
    /// The name the widget and the bridges use (`PAYMENT_METHODS_LIST`, …).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WidgetState::PaymentMethodsList => "PAYMENT_METHODS_LIST",
            WidgetState::ActiveWaiting => "ACTIVE_WAITING",
            WidgetState::PaymentRedirectNoResponse => "PAYMENT_REDIRECT_NO_RESPONSE",
            WidgetState::PaymentFailureWithRetry => "PAYMENT_FAILURE_WITH_RETRY",
            WidgetState::PaymentCanceledWithRetry => "PAYMENT_CANCELED_WITH_RETRY",
            WidgetState::PaymentSuccess => "PAYMENT_SUCCESS",
            WidgetState::PaymentFailure => "PAYMENT_FAILURE",
            WidgetState::PaymentCanceled => "PAYMENT_CANCELED",
            WidgetState::TokenExpired => "TOKEN_EXPIRED",
        }
    }

    /// Where the stored session stands, as the widget names it.
    pub(crate) fn of(snapshot: &Snapshot) -> WidgetState {
        let session = &snapshot.payment.session;
        match session.state {
            // A request ANCV refused at once (unknown account…) is not an attempt: the answer
            // to that request said so, and the buyer is simply back at the list.
            Stored::Created | Stored::OnPage | Stored::AncvPartial => match session.last_code {
                Some(ReturnCode::PartnerRefused) => WidgetState::PaymentCanceledWithRetry,
                Some(_) if session.attempts > 0 => WidgetState::PaymentFailureWithRetry,
                Some(_) | None => WidgetState::PaymentMethodsList,
            },
            Stored::AncvWaiting => WidgetState::ActiveWaiting,
            Stored::CardInProgress
                if snapshot
                    .card
                    .as_ref()
                    .is_some_and(|c| c.challenge_url.is_some()) =>
            {
                WidgetState::PaymentRedirectNoResponse
            }
            Stored::CardInProgress => WidgetState::ActiveWaiting,
            Stored::Accepted => WidgetState::PaymentSuccess,
            Stored::Refused => WidgetState::PaymentFailure,
            Stored::Cancelled => WidgetState::PaymentCanceled,
            Stored::ExpiredOnPage | Stored::ExpiredUnopened => WidgetState::TokenExpired,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_their_json() {
        for state in [
            WidgetState::PaymentMethodsList,
            WidgetState::ActiveWaiting,
            WidgetState::PaymentRedirectNoResponse,
            WidgetState::PaymentFailureWithRetry,
            WidgetState::PaymentCanceledWithRetry,
            WidgetState::PaymentSuccess,
            WidgetState::PaymentFailure,
            WidgetState::PaymentCanceled,
            WidgetState::TokenExpired,
        ] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
    }
}
