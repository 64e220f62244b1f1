//! Wall-clock time in Europe/Paris, as Payline writes dates (`dd/mm/yyyy HH:mm:ss`).
//!
//! The EU rule since 1996: summer time (UTC+2) from the last Sunday of March 01:00 UTC to the
//! last Sunday of October 01:00 UTC; UTC+1 otherwise. Enough to not need a time-zone database.

use crate::clock::{Timestamp, civil_from_days, days_from_civil};

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Day number (since 1970-01-01) of the last Sunday of `month` in `year`.
fn last_sunday(year: i64, month: u32) -> i64 {
    let first_of_next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let last_day = first_of_next - 1;
    // 1970-01-01 was a Thursday: weekday 0 = Sunday.
    let weekday = (last_day + 4).rem_euclid(7);
    last_day - weekday
}

/// The offset from UTC in Paris at `at`, in milliseconds.
pub fn offset_ms(at: Timestamp) -> i64 {
    let (year, _, _) = civil_from_days(at.millis().div_euclid(DAY_MS));
    let summer_starts = last_sunday(year, 3) * DAY_MS + HOUR_MS;
    let summer_ends = last_sunday(year, 10) * DAY_MS + HOUR_MS;
    if (summer_starts..summer_ends).contains(&at.millis()) {
        2 * HOUR_MS
    } else {
        HOUR_MS
    }
}

/// `dd/mm/yyyy HH:mm:ss` in Paris.
pub fn format_payline(at: Timestamp) -> String {
    let local = at.millis() + offset_ms(at);
    let (year, month, day) = civil_from_days(local.div_euclid(DAY_MS));
    let seconds = local.rem_euclid(DAY_MS) / 1000;
    format!(
        "{day:02}/{month:02}/{year:04} {:02}:{:02}:{:02}",
        seconds / 3600,
        seconds % 3600 / 60,
        seconds % 60
    )
}

/// The instant of a Paris wall-clock time (`None` for a time skipped by the spring change; the
/// earlier instant for one repeated in autumn).
pub fn instant_of(year: i64, month: u32, day: u32, hour: u32, minute: u32) -> Option<Timestamp> {
    let wall = days_from_civil(year, month, day) * DAY_MS
        + i64::from(hour) * HOUR_MS
        + i64::from(minute) * 60_000;
    [2 * HOUR_MS, HOUR_MS]
        .into_iter()
        .map(|offset| Timestamp(wall - offset))
        .find(|candidate| offset_ms(*candidate) + candidate.millis() == wall)
}

/// The first instant strictly after `now` when the Paris clock shows `hour:minute`. A time in
/// the hour skipped in spring runs as the clocks move on (02:30 → 03:30 summer time); a time
/// that happens twice in autumn runs the first time.
pub fn next_wall_clock(now: Timestamp, hour: u32, minute: u32) -> Timestamp {
    let local_day = (now.millis() + offset_ms(now)).div_euclid(DAY_MS);
    (local_day..)
        .map(|day| {
            let (year, month, date) = civil_from_days(day);
            instant_of(year, month, date, hour, minute).unwrap_or_else(|| {
                // Skipped: read with the winter offset, which puts it just after the jump.
                let wall = day * DAY_MS + i64::from(hour) * HOUR_MS + i64::from(minute) * 60_000;
                Timestamp(wall - HOUR_MS)
            })
        })
        .find(|candidate| *candidate > now)
        .expect("some day ahead shows that time")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> Timestamp {
        Timestamp::parse_rfc3339(text).unwrap()
    }

    #[test]
    fn winter_and_summer() {
        assert_eq!(
            format_payline(utc("2026-11-27T10:15:30Z")),
            "27/11/2026 11:15:30"
        );
        assert_eq!(
            format_payline(utc("2026-07-14T22:30:00Z")),
            "15/07/2026 00:30:00"
        );
    }

    #[test]
    fn the_changes_happen_at_one_utc_on_the_last_sundays() {
        // 2026: 29 March and 25 October.
        assert_eq!(
            format_payline(utc("2026-03-29T00:59:59Z")),
            "29/03/2026 01:59:59"
        );
        assert_eq!(
            format_payline(utc("2026-03-29T01:00:00Z")),
            "29/03/2026 03:00:00"
        );
        assert_eq!(
            format_payline(utc("2026-10-25T00:59:59Z")),
            "25/10/2026 02:59:59"
        );
        assert_eq!(
            format_payline(utc("2026-10-25T01:00:00Z")),
            "25/10/2026 02:00:00"
        );
    }

    #[test]
    fn next_wall_clock_runs_daily_across_the_changes() {
        let next = |now: &str, h, m| next_wall_clock(utc(now), h, m).to_rfc3339();
        assert_eq!(
            next("2026-11-27T10:00:00Z", 23, 0),
            "2026-11-27T22:00:00.000Z"
        );
        assert_eq!(
            next("2026-11-27T22:00:00Z", 23, 0),
            "2026-11-28T22:00:00.000Z",
            "strictly after"
        );
        assert_eq!(
            next("2026-07-01T22:00:00Z", 23, 0),
            "2026-07-02T21:00:00.000Z"
        );
        assert_eq!(
            next("2026-03-28T23:00:00Z", 2, 30),
            "2026-03-29T01:30:00.000Z",
            "skipped: 03:30 summer time"
        );
        assert_eq!(
            next("2026-10-24T23:00:00Z", 2, 30),
            "2026-10-25T00:30:00.000Z",
            "twice: the first"
        );
        assert_eq!(
            next("2026-11-27T23:30:00Z", 0, 15),
            "2026-11-28T23:15:00.000Z",
            "00:15 Paris of the next local day"
        );
    }

    #[test]
    fn wall_clock_to_instant() {
        assert_eq!(
            instant_of(2026, 11, 27, 23, 0),
            Some(utc("2026-11-27T22:00:00Z"))
        );
        assert_eq!(
            instant_of(2026, 7, 1, 23, 0),
            Some(utc("2026-07-01T21:00:00Z"))
        );
        assert_eq!(instant_of(2026, 3, 29, 2, 30), None, "skipped in spring");
        assert_eq!(
            instant_of(2026, 10, 25, 2, 30),
            Some(utc("2026-10-25T00:30:00Z")),
            "the first of the two"
        );
    }
}
