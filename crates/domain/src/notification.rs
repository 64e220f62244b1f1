//! What became of each call cvgate made to a merchant's `notificationURL`: the back office
//! shows them on a payment's page, with the merchant's HTTP answers.

use crate::clock::Timestamp;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::str::FromStr;

/// The header a signed notification carries (a cvgate extension; Payline's are unsigned).
pub const SIGNATURE_HEADER: &str = "Cvgate-Signature";

/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + url)>`, one `v1` per secret (two
/// while a rotation's overlap lasts): the merchant accepts the call when one of them matches its
/// secret and `t` is recent.
pub fn signature(secrets: &[String], unix_seconds: i64, url: &str) -> String {
    let mut header = format!("t={unix_seconds}");
    for secret in secrets {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(format!("{unix_seconds}.{url}").as_bytes());
        header.push_str(",v1=");
        header.push_str(&hex::encode(mac.finalize().into_bytes()));
    }
    header
}

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
    fn signatures_carry_one_mac_per_secret() {
        let url = "https://shop.example/n?notificationType=TRS&transactionId=1";
        let one = signature(&["s1".to_owned()], 1_800_000_000, url);
        assert!(one.starts_with("t=1800000000,v1="), "{one}");
        assert_eq!(one.len(), "t=1800000000,v1=".len() + 64);
        let two = signature(&["s1".to_owned(), "s0".to_owned()], 1_800_000_000, url);
        assert!(
            two.starts_with(&one),
            "the current secret's MAC first: {two}"
        );
        assert_ne!(signature(&["s1".to_owned()], 1_800_000_001, url), one);
    }

    #[test]
    fn outcomes_read_back_what_they_write() {
        for outcome in NotificationOutcome::ALL {
            assert_eq!(outcome.as_str().parse::<NotificationOutcome>(), Ok(outcome));
        }
        assert!("sent".parse::<NotificationOutcome>().is_err());
    }
}
