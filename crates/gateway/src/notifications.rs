//! Merchant notifications: when cvgate calls a merchant's `notificationURL`, and the job kinds
//! that do it (WEBTRS when a session ends, TRS when a transaction changes afterwards).

use domain::clock::Timestamp;
use domain::notification::{NotificationAttempt, NotificationOutcome};
use domain::point_of_sale::PosId;
use jobs::JobOutcome;
use store::Store;

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
/// policy forbids, decides between done, retry and giving up, and records each call with the
/// merchant's answer (the back office shows them).
#[derive(Clone)]
pub(crate) struct MerchantNotifier {
    policy: NotificationPolicy,
    http: reqwest::Client,
    store: Store,
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
    /// The point of sale of the sale, whose secrets (if any) sign the call.
    pub pos_id: PosId,
}

/// One HTTP call of a notification.
struct Call<'a> {
    target: &'a str,
    signature: Option<&'a str>,
    kind: &'a str,
    logged_as: &'a str,
    trying_for_ms: i64,
}

impl MerchantNotifier {
    /// A notifier with its own HTTP client, restricted as the policy says, recording its calls
    /// in `store`.
    pub fn new(policy: NotificationPolicy, store: Store) -> MerchantNotifier {
        MerchantNotifier {
            policy,
            http: crate::merchant_http::client(policy.allow_private_addresses),
            store,
        }
    }

    /// `GET <url>?notificationType=<kind>&<subject>` (WEBTRS: `&paymentEndpoint=1`): done on a
    /// 2xx (or when the URL is refused), again in a minute otherwise, until the retry window
    /// closes. Each call is recorded after it ends.
    pub async fn send(&self, notification: Notification<'_>, now: Timestamp) -> JobOutcome {
        let Notification {
            url,
            kind,
            subject: (name, value),
            logged_as,
            trying_for_ms,
            pos_id,
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
        let secrets =
            match crate::notification_signing::signing_secrets(&self.store, pos_id, now).await {
                Ok(secrets) => secrets,
                // Unsigned would be refused by a merchant who checks: try again later instead.
                Err(error) => return JobOutcome::Failed(error.to_string()),
            };
        let signature = (!secrets.is_empty()).then(|| {
            domain::notification::signature(&secrets, now.millis().div_euclid(1_000), &target)
        });
        let call = Call {
            target: &target,
            signature: signature.as_deref(),
            kind,
            logged_as,
            trying_for_ms,
        };
        let (outcome, status, detail) = self.call(call).await;
        let attempt = NotificationAttempt {
            subject: value.to_owned(),
            kind: kind.to_owned(),
            at: now,
            url: target,
            status,
            outcome,
            detail,
        };
        self.record(&attempt, logged_as).await;
        match outcome {
            NotificationOutcome::WillRetry => {
                JobOutcome::RunAgainAt(now.plus_millis(self.policy.retry_every_ms))
            }
            _ => JobOutcome::Done,
        }
    }

    /// Makes the call: how it ended, the merchant's HTTP status, and why it failed.
    async fn call(&self, call: Call<'_>) -> (NotificationOutcome, Option<u16>, String) {
        let Call {
            target,
            signature,
            kind,
            logged_as,
            trying_for_ms,
        } = call;
        if let Err(reason) =
            crate::merchant_http::check_url(target, self.policy.allow_private_addresses)
        {
            tracing::warn!(kind, subject = logged_as, %reason, "notification URL refused: no notification");
            return (NotificationOutcome::Refused, None, reason.to_string());
        }
        let mut request = self.http.get(target);
        if let Some(signature) = signature {
            request = request.header(domain::notification::SIGNATURE_HEADER, signature);
        }
        let (status, reason) = match request.send().await {
            Ok(response) if response.status().is_success() => {
                let status = response.status().as_u16();
                tracing::info!(kind, subject = logged_as, status, "merchant notified");
                return (NotificationOutcome::Delivered, Some(status), String::new());
            }
            Ok(response) => {
                let status = response.status().as_u16();
                (Some(status), format!("HTTP {status}"))
            }
            Err(error) => (None, error.without_url().to_string()),
        };
        if trying_for_ms >= self.policy.give_up_after_ms {
            tracing::warn!(kind, subject = logged_as, %reason, "merchant notification abandoned after its retry window");
            (NotificationOutcome::Abandoned, status, reason)
        } else {
            tracing::info!(kind, subject = logged_as, %reason, "merchant notification failed; will retry");
            (NotificationOutcome::WillRetry, status, reason)
        }
    }

    /// Keeps the call for the back office. A call that cannot be recorded is not made again:
    /// the merchant must not be notified twice because of cvgate's own bookkeeping.
    async fn record(&self, attempt: &NotificationAttempt, logged_as: &str) {
        let written = async {
            let mut uow = self.store.write().await?;
            uow.notification_attempts().append(attempt).await?;
            uow.commit().await
        };
        if let Err(error) = written.await {
            tracing::warn!(subject = logged_as, %error, "notification call not recorded");
        }
    }

    /// How long a job on its `attempt`-th run has been trying (one try per retry interval).
    pub fn trying_for_ms(&self, attempt: i64) -> i64 {
        attempt * self.policy.retry_every_ms
    }
}
