//! What became of each call cvgate made to a merchant's `notificationURL`: the back office
//! shows them on a payment's page, with the merchant's HTTP answers.

use crate::clock::Timestamp;
use std::str::FromStr;

/// How one call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationOutcome {
    /// The merchant answered 2xx: no more calls.
    Delivered,
    /// It failed; cvgate calls again later.
    WillRetry,
    /// It failed and the retry window is closed: no more calls.
    Abandoned,
    /// The URL was refused before any call (a forbidden address).
    Refused,
}

impl NotificationOutcome {
    const ALL: [NotificationOutcome; 4] = [
        NotificationOutcome::Delivered,
        NotificationOutcome::WillRetry,
        NotificationOutcome::Abandoned,
        NotificationOutcome::Refused,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationOutcome::Delivered => "delivered",
            NotificationOutcome::WillRetry => "will_retry",
            NotificationOutcome::Abandoned => "abandoned",
            NotificationOutcome::Refused => "refused",
        }
    }
}

impl FromStr for NotificationOutcome {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        NotificationOutcome::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == value)
            .ok_or_else(|| format!("unknown notification outcome {value:?}"))
    }
}

/// One call to a merchant's notification URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationAttempt {
    /// What the call was about: the session token (WEBTRS) or the transaction id (TRS).
    pub subject: String,
    /// `WEBTRS` or `TRS`.
    pub kind: String,
    /// When the call ended.
    pub at: Timestamp,
    /// The URL called, query included.
    pub url: String,
    /// The merchant's HTTP status, when it answered at all.
    pub status: Option<u16>,
    /// How the call ended.
    pub outcome: NotificationOutcome,
    /// Why it failed (`HTTP 500`, a connection error, the refused address); empty when delivered.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_read_back_what_they_write() {
        for outcome in NotificationOutcome::ALL {
            assert_eq!(outcome.as_str().parse::<NotificationOutcome>(), Ok(outcome));
        }
        assert!("sent".parse::<NotificationOutcome>().is_err());
    }
}
