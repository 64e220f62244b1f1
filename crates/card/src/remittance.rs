//! When the daily remittance batch runs: a wall-clock time in Europe/Paris (setting
//! `remittance_time`, default `23:00`), turned into instants across daylight-saving changes.

use domain::FieldError;
use domain::clock::Timestamp;
use std::fmt;

/// A time of day `HH:MM` (24-hour), Europe/Paris.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemittanceTime {
    hour: u32,
    minute: u32,
}

impl RemittanceTime {
    /// 23:00, the batch time when `remittance_time` is not set.
    pub const DEFAULT: RemittanceTime = RemittanceTime {
        hour: 23,
        minute: 0,
    };

    /// Reads `HH:MM` (two digits each, surrounding spaces ignored); the error names `field`.
    pub fn parse(field: &str, value: &str) -> Result<RemittanceTime, FieldError> {
        let rule = || {
            FieldError::new(
                field,
                "must be a time HH:MM between 00:00 and 23:59 (Europe/Paris), e.g. 23:00",
            )
        };
        let (hour, minute) = value.trim().split_once(':').ok_or_else(rule)?;
        let two_digits = |part: &str| {
            (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u32>().ok())
                .flatten()
        };
        match (two_digits(hour), two_digits(minute)) {
            (Some(hour), Some(minute)) if hour < 24 && minute < 60 => {
                Ok(RemittanceTime { hour, minute })
            }
            _ => Err(rule()),
        }
    }

    /// The first instant strictly after `now` when the Paris clock shows this time (see
    /// [`domain::paris_time::next_wall_clock`] for the daylight-saving days).
    pub fn next_run(self, now: Timestamp) -> Timestamp {
        domain::paris_time::next_wall_clock(now, self.hour, self.minute)
    }
}

impl Default for RemittanceTime {
    fn default() -> Self {
        RemittanceTime::DEFAULT
    }
}

impl fmt::Display for RemittanceTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// The next run of the batch at `time` (`HH:MM`, Europe/Paris) after `now`.
pub fn next_run(now: Timestamp, time: &str) -> Result<Timestamp, FieldError> {
    Ok(RemittanceTime::parse("remittance_time", time)?.next_run(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn parses_hh_mm_only() {
        assert_eq!(
            RemittanceTime::parse("t", "23:00").unwrap().to_string(),
            "23:00"
        );
        assert_eq!(
            RemittanceTime::parse("t", " 00:05 ").unwrap().to_string(),
            "00:05"
        );
        for bad in [
            "", "23", "24:00", "23:60", "9:00", "23:0", "ab:cd", "23:00:00", "-1:00",
        ] {
            assert_eq!(
                RemittanceTime::parse("remittance_time", bad)
                    .unwrap_err()
                    .field,
                "remittance_time",
                "{bad}"
            );
        }
    }

    #[test]
    fn same_day_then_next_day() {
        // Winter (CET, UTC+1): 23:00 Paris is 22:00 UTC.
        assert_eq!(
            next_run(at("2026-01-15T10:00:00Z"), "23:00").unwrap(),
            at("2026-01-15T22:00:00Z")
        );
        assert_eq!(
            next_run(at("2026-01-15T22:00:00Z"), "23:00").unwrap(),
            at("2026-01-16T22:00:00Z"),
            "strictly after"
        );
        assert_eq!(
            next_run(at("2026-01-15T22:30:00Z"), "23:00").unwrap(),
            at("2026-01-16T22:00:00Z")
        );
        // Summer (CEST, UTC+2): 23:00 Paris is 21:00 UTC.
        assert_eq!(
            next_run(at("2026-07-01T20:59:59Z"), "23:00").unwrap(),
            at("2026-07-01T21:00:00Z")
        );
        // Just after midnight Paris, still the previous day in UTC.
        assert_eq!(
            next_run(at("2026-07-01T22:30:00Z"), "01:00").unwrap(),
            at("2026-07-01T23:00:00Z")
        );
    }

    #[test]
    fn across_the_spring_change() {
        // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST.
        assert_eq!(
            next_run(at("2026-03-28T23:00:00Z"), "23:00").unwrap(),
            at("2026-03-29T21:00:00Z"),
            "23:00 CEST"
        );
        assert_eq!(
            next_run(at("2026-03-28T12:00:00Z"), "23:00").unwrap(),
            at("2026-03-28T22:00:00Z"),
            "23:00 CET the day before"
        );
        // 02:30 does not exist that night: it runs at 03:30 CEST (01:30 UTC).
        assert_eq!(
            next_run(at("2026-03-28T23:00:00Z"), "02:30").unwrap(),
            at("2026-03-29T01:30:00Z")
        );
        assert_eq!(
            next_run(at("2026-03-29T01:30:00Z"), "02:30").unwrap(),
            at("2026-03-30T00:30:00Z")
        );
    }

    #[test]
    fn across_the_autumn_change() {
        // 2026-10-25: clocks go from 03:00 CEST back to 02:00 CET.
        assert_eq!(
            next_run(at("2026-10-24T22:00:00Z"), "23:00").unwrap(),
            at("2026-10-25T22:00:00Z"),
            "23:00 CET"
        );
        assert_eq!(
            next_run(at("2026-10-24T12:00:00Z"), "23:00").unwrap(),
            at("2026-10-24T21:00:00Z"),
            "23:00 CEST"
        );
        // 02:30 happens twice that night: the first one (CEST, 00:30 UTC), once.
        assert_eq!(
            next_run(at("2026-10-24T22:00:00Z"), "02:30").unwrap(),
            at("2026-10-25T00:30:00Z")
        );
        assert_eq!(
            next_run(at("2026-10-25T00:30:00Z"), "02:30").unwrap(),
            at("2026-10-26T01:30:00Z")
        );
    }

    #[test]
    fn daily_runs_keep_the_wall_clock_time_through_a_year() {
        let time = RemittanceTime::DEFAULT;
        let mut run = time.next_run(at("2026-01-01T00:00:00Z"));
        for _ in 0..365 {
            let local = domain::paris_time::format_payline(run);
            assert!(
                local.ends_with(" 23:00:00"),
                "{local} ({})",
                run.to_rfc3339()
            );
            run = time.next_run(run);
        }
    }
}
