//! Merchant notifications: when cvgate calls a merchant's `notificationURL`, and the job kinds
//! that do it (WEBTRS when a session ends, TRS when a transaction changes afterwards).

/// `GET <notificationURL>?notificationType=WEBTRS&token=…` (subject: the token).
pub const NOTIFY_JOB: &str = "merchant_notification";
/// `GET <notificationURL>?notificationType=TRS&transactionId=…` (subject: the transaction id).
pub const TRS_JOB: &str = "merchant_trs_notification";

/// Merchant notification timing (payline-v4.md §4: every minute for 2 hours).
#[derive(Debug, Clone, Copy)]
pub struct NotificationPolicy {
    pub retry_every_ms: i64,
    pub give_up_after_ms: i64,
    /// Whether notification URLs may point at loopback or private networks (homologation:
    /// shops on localhost; production: never, see [`crate::merchant_http`]).
    pub allow_private_addresses: bool,
}

impl Default for NotificationPolicy {
    fn default() -> Self {
        NotificationPolicy {
            retry_every_ms: 60_000,
            give_up_after_ms: 2 * 3_600_000,
            allow_private_addresses: true,
        }
    }
}
