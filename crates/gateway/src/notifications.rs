//! Merchant notifications: when cvgate calls a merchant's `notificationURL`, and the job kinds
//! that do it (WEBTRS when a session ends, TRS when a transaction changes afterwards).

use domain::clock::Timestamp;
use jobs::JobOutcome;

/// `GET <notificationURL>?notificationType=WEBTRS&token=…&paymentEndpoint=1` (subject: the
/// token).
pub const NOTIFY_JOB: &str = "merchant_notification";
/// `GET <notificationURL>?notificationType=TRS&transactionId=…` (subject: the transaction id).
pub const TRS_JOB: &str = "merchant_trs_notification";

/// Merchant notification timing (payline-v4.md §4: every minute for 2 hours).
#[derive(Debug, Clone, Copy)]
pub struct NotificationPolicy {
    /// How long to wait before calling again after a failed call.
    pub retry_every_ms: i64,
    /// How long to keep trying before giving up on a notification.
    pub give_up_after_ms: i64,
    /// Whether notification URLs may point at loopback or private networks (homologation:
    /// shops on localhost; production: never, see `merchant_http`).
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

/// Calls merchants' notification URLs: the one place that builds the URL, refuses addresses the
/// policy forbids, and decides between done, retry and giving up.
#[derive(Clone)]
pub(crate) struct MerchantNotifier {
    policy: NotificationPolicy,
    http: reqwest::Client,
}

/// One notification to send.
pub(crate) struct Notification<'a> {
    /// The merchant's `notificationURL`, as given with the sale.
    pub url: &'a str,
    /// `WEBTRS` or `TRS`.
    pub kind: &'static str,
    /// The query parameter that names what changed: `("token", …)` or `("transactionId", …)`.
    pub subject: (&'static str, &'a str),
    /// How the subject appears in logs (a token is shortened).
    pub logged_as: &'a str,
    /// How long cvgate has been trying: past the policy's window, it gives up.
    pub trying_for_ms: i64,
}

impl MerchantNotifier {
    /// A notifier with its own HTTP client, restricted as the policy says.
    pub fn new(policy: NotificationPolicy) -> MerchantNotifier {
        MerchantNotifier {
            policy,
            http: crate::merchant_http::client(policy.allow_private_addresses),
        }
    }

    /// `GET <url>?notificationType=<kind>&<subject>` (WEBTRS: `&paymentEndpoint=1`): done on a
    /// 2xx (or when the URL is refused), again in a minute otherwise, until the retry window
    /// closes.
    pub async fn send(&self, notification: Notification<'_>, now: Timestamp) -> JobOutcome {
        let Notification {
            url,
            kind,
            subject: (name, value),
            logged_as,
            trying_for_ms,
        } = notification;
        let separator = if url.contains('?') { '&' } else { '?' };
        // Monext's Retail API clients tell a session's notification by `paymentEndpoint=1`
        // (retail-api.md §2); Payline's SOAP clients ignore the extra parameter.
        let endpoint = if kind == "WEBTRS" {
            "&paymentEndpoint=1"
        } else {
            ""
        };
        let target = format!("{url}{separator}notificationType={kind}&{name}={value}{endpoint}");
        if let Err(reason) =
            crate::merchant_http::check_url(&target, self.policy.allow_private_addresses)
        {
            tracing::warn!(kind, subject = logged_as, %reason, "notification URL refused: no notification");
            return JobOutcome::Done;
        }
        let reason = match self.http.get(&target).send().await {
            Ok(response) if response.status().is_success() => {
                tracing::info!(
                    kind,
                    subject = logged_as,
                    status = response.status().as_u16(),
                    "merchant notified"
                );
                return JobOutcome::Done;
            }
            Ok(response) => format!("HTTP {}", response.status().as_u16()),
            Err(error) => error.without_url().to_string(),
        };
        if trying_for_ms >= self.policy.give_up_after_ms {
            tracing::warn!(kind, subject = logged_as, %reason, "merchant notification abandoned after its retry window");
            JobOutcome::Done
        } else {
            tracing::info!(kind, subject = logged_as, %reason, "merchant notification failed; will retry");
            JobOutcome::RunAgainAt(now.plus_millis(self.policy.retry_every_ms))
        }
    }

    /// How long a job on its `attempt`-th run has been trying (one try per retry interval).
    pub fn trying_for_ms(&self, attempt: i64) -> i64 {
        attempt * self.policy.retry_every_ms
    }
}
