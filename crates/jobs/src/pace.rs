//! How often the background loop may start a merchant notification: at a steady pace per
//! instance, so that a backlog (a merchant's server down while 100,000 sessions end) takes a
//! bounded share of the machine and never slows the payments being made. Each notification
//! still runs; past what the pace allows they run later than their due time.

use std::time::Duration;
use tokio::time::Instant;

/// When the next notification may start.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pace {
    /// The least time between two starts; `None`: no pace.
    interval: Option<Duration>,
    /// Not before this.
    next: Option<Instant>,
}

impl Pace {
    pub(crate) fn every(interval: Option<Duration>) -> Pace {
        Pace {
            interval,
            next: None,
        }
    }

    /// Whether a notification may start at `now`.
    pub(crate) fn allows(&self, now: Instant) -> bool {
        self.next.is_none_or(|next| now >= next)
    }

    /// A notification started at `now`: the next one waits an interval.
    pub(crate) fn started(&mut self, now: Instant) {
        if let Some(interval) = self.interval {
            self.next = Some(self.next.map_or(now, |next| next.max(now)) + interval);
        }
    }

    /// How long from `now` until the next may start, if it must wait.
    pub(crate) fn wait(&self, now: Instant) -> Option<Duration> {
        self.next.filter(|next| *next > now).map(|next| next - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_spaced_by_the_interval_and_no_pace_never_waits() {
        let now = Instant::now();
        let mut pace = Pace::every(Some(Duration::from_millis(10)));
        assert!(pace.allows(now));
        pace.started(now);
        assert!(!pace.allows(now + Duration::from_millis(9)));
        assert_eq!(pace.wait(now), Some(Duration::from_millis(10)));
        assert!(pace.allows(now + Duration::from_millis(10)));
        // A late start counts from when it happened, not from when it was allowed.
        pace.started(now + Duration::from_millis(50));
        assert_eq!(
            pace.wait(now + Duration::from_millis(50)),
            Some(Duration::from_millis(10))
        );

        let mut free = Pace::every(None);
        free.started(now);
        assert!(free.allows(now));
        assert_eq!(free.wait(now), None);
    }
}
