//! What an operator (or a test) sets for one sandbox instance.

use ancv::SealKey;

/// The settings of one sandbox instance: who may call it, its keys, and its timings (all
/// durations in milliseconds).
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// The only `merchant.serviceProviderId` accepted (anything else: MERCHANT_NOT_ALLOWED).
    pub service_provider_id: String,
    /// Verification keyring: the version in the `ANCV-Security` header picks the key, so a key
    /// rotation can be rehearsed with two versions at once.
    pub seal_keys: Vec<SealKey>,
    /// Seals the notifications (`transaction.id&transaction.state`, spec §2 Decision).
    pub notification_key: SealKey,
    /// Time to validate in the app, from creation (spec §3 Decision: 5 minutes).
    pub validation_window_ms: i64,
    /// How long the automatic test beneficiaries take to answer after the payer is attached.
    pub auto_delay_ms: i64,
    /// Delays between notification attempts; once exhausted, the last one repeats (spec §4).
    pub notification_retry_ms: Vec<i64>,
}

impl SandboxConfig {
    /// The validation window of ancv-connect.md §3 Decision: 5 minutes.
    pub const DEFAULT_VALIDATION_WINDOW_MS: i64 = 300_000;
    /// The published automatic beneficiaries answer after about 2 s (ancv-connect.md §6).
    pub const DEFAULT_AUTO_DELAY_MS: i64 = 2_000;
    /// The notification backoff of ancv-connect.md §4: 1 s, 5 s, 30 s, 1 min, then 5 min.
    pub const DEFAULT_NOTIFICATION_RETRY_MS: [i64; 5] = [1_000, 5_000, 30_000, 60_000, 300_000];

    /// The defaults of spec §6 for this service provider, one key verifying calls and sealing
    /// notifications.
    pub fn new(service_provider_id: impl Into<String>, seal_key: SealKey) -> SandboxConfig {
        SandboxConfig {
            service_provider_id: service_provider_id.into(),
            seal_keys: vec![seal_key.clone()],
            notification_key: seal_key,
            validation_window_ms: Self::DEFAULT_VALIDATION_WINDOW_MS,
            auto_delay_ms: Self::DEFAULT_AUTO_DELAY_MS,
            notification_retry_ms: Self::DEFAULT_NOTIFICATION_RETRY_MS.to_vec(),
        }
    }

    /// The delay before the next attempt after `attempts` failed ones (1 = the first failed).
    pub(crate) fn retry_delay_ms(&self, attempts: i64) -> i64 {
        let index = usize::try_from(attempts.saturating_sub(1)).unwrap_or(0);
        let delays = &self.notification_retry_ms;
        delays
            .get(index)
            .or(delays.last())
            .copied()
            .unwrap_or(Self::DEFAULT_NOTIFICATION_RETRY_MS[4])
            .max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_list_then_keep_the_last_interval() {
        let key = SealKey::new("ver001", "k").unwrap();
        let config = SandboxConfig::new("900001", key);
        let delays: Vec<i64> = (1..=7).map(|n| config.retry_delay_ms(n)).collect();
        assert_eq!(
            delays,
            [1_000, 5_000, 30_000, 60_000, 300_000, 300_000, 300_000]
        );
        let empty = SandboxConfig {
            notification_retry_ms: Vec::new(),
            ..config
        };
        assert_eq!(empty.retry_delay_ms(1), 300_000);
    }
}
