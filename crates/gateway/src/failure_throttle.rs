//! Failures counted per subject in a window (rows of `sign_in_failures`, shared by every
//! instance on one database): back-office sign-ins (per account, per address) and merchants'
//! API credentials (per merchant id, per address). A subject with too many failures in its
//! window is refused until the window ends.

use domain::clock::{Clock, Timestamp};
use std::sync::Arc;
use store::repos::Failures;
use store::{Store, StoreError};

/// Counts failures over windows of `window_ms`.
#[derive(Clone)]
pub(crate) struct FailureThrottle {
    store: Store,
    clock: Arc<dyn Clock>,
    window_ms: i64,
}

impl FailureThrottle {
    pub fn new(store: Store, clock: Arc<dyn Clock>, window_ms: i64) -> FailureThrottle {
        FailureThrottle {
            store,
            clock,
            window_ms,
        }
    }

    /// Seconds until the latest window of the `(subject, limit)` pairs at their limit ends;
    /// `None` when none is.
    pub async fn retry_after(&self, limits: &[(&str, i64)]) -> Result<Option<u64>, StoreError> {
        let now = self.clock.now();
        let mut uow = self.store.read().await?;
        let mut counts = Vec::with_capacity(limits.len());
        for (subject, limit) in limits {
            let failures = uow
                .back_office_sessions()
                .failures(subject, self.window_from(now))
                .await?;
            counts.push((failures, *limit));
        }
        Ok(self.wait_for(&counts, now))
    }

    /// Seconds from `now` until the latest window among `counts` (`(failures, limit)` pairs,
    /// already read) at its limit ends; `None` when none is.
    pub fn wait_for(&self, counts: &[(Failures, i64)], now: Timestamp) -> Option<u64> {
        let until = counts
            .iter()
            .filter_map(|(failures, limit)| {
                failures
                    .filter(|(count, _)| count >= limit)
                    .map(|(_, start)| start.plus_millis(self.window_ms))
            })
            .max()?;
        let millis = u64::try_from(until.millis() - now.millis()).unwrap_or(0);
        Some(millis.div_ceil(1_000).max(1))
    }

    /// When `subject`'s window ends, if it holds `limit` failures or more.
    pub async fn locked_until(
        &self,
        subject: &str,
        limit: i64,
        now: Timestamp,
    ) -> Result<Option<Timestamp>, StoreError> {
        let mut uow = self.store.read().await?;
        let failures = uow
            .back_office_sessions()
            .failures(subject, self.window_from(now))
            .await?;
        Ok(failures
            .filter(|(count, _)| *count >= limit)
            .map(|(_, start)| start.plus_millis(self.window_ms)))
    }

    /// One more failure for each subject.
    pub async fn record(&self, subjects: &[&str]) -> Result<(), StoreError> {
        let now = self.clock.now();
        let mut uow = self.store.write().await?;
        for subject in subjects {
            uow.back_office_sessions()
                .record_failure(subject, now, self.window_from(now))
                .await?;
        }
        uow.commit().await
    }

    /// Forgets `subject`'s failures; writes only when there are some (a read otherwise).
    pub async fn clear_if_any(&self, subject: &str) -> Result<(), StoreError> {
        let window_from = self.window_from(self.clock.now());
        let mut uow = self.store.read().await?;
        let any = uow
            .back_office_sessions()
            .failures(subject, window_from)
            .await?
            .is_some();
        drop(uow);
        if !any {
            return Ok(());
        }
        let mut uow = self.store.write().await?;
        uow.back_office_sessions().clear_failures(subject).await?;
        uow.commit().await
    }

    /// The oldest window start still counted at `now`.
    pub fn window_from(&self, now: Timestamp) -> Timestamp {
        now.plus_millis(-self.window_ms)
    }
}
