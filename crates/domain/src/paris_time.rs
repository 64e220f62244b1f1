//! Wall-clock time in Europe/Paris, as Payline writes dates (`dd/mm/yyyy HH:mm:ss`), and the
//! instants of Paris wall-clock times (the remittance batch), daylight-saving changes included.
//! The rules come from the IANA time-zone database bundled with `jiff`, not from the host.

use crate::clock::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use std::sync::LazyLock;

/// Europe/Paris, read once from the bundled database.
static PARIS: LazyLock<TimeZone> =
    LazyLock::new(|| TimeZone::get("Europe/Paris").expect("the bundled database has Europe/Paris"));

/// `at` as jiff's instant (cvgate's timestamps are milliseconds since the epoch, in range).
fn instant(at: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(at.millis()).expect("a cvgate timestamp is in jiff's range")
}

/// The offset from UTC in Paris at `at`, in milliseconds.
pub fn offset_ms(at: Timestamp) -> i64 {
    i64::from(PARIS.to_offset(instant(at)).seconds()) * 1000
}

/// `dd/mm/yyyy HH:mm:ss` in Paris.
pub fn format_payline(at: Timestamp) -> String {
    instant(at)
        .to_zoned(PARIS.clone())
        .strftime("%d/%m/%Y %H:%M:%S")
        .to_string()
}

/// A Paris wall-clock time, if the calendar has that date and time.
fn wall_clock(year: i64, month: u32, day: u32, hour: u32, minute: u32) -> Option<DateTime> {
    DateTime::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
        i8::try_from(hour).ok()?,
        i8::try_from(minute).ok()?,
        0,
        0,
    )
    .ok()
}

/// cvgate's timestamp of jiff's instant.
fn from_instant(at: jiff::Timestamp) -> Timestamp {
    Timestamp(at.as_millisecond())
}

/// The instant of a Paris wall-clock time (`None` for a time skipped by the spring change; the
/// earlier instant for one repeated in autumn).
pub fn instant_of(year: i64, month: u32, day: u32, hour: u32, minute: u32) -> Option<Timestamp> {
    let ambiguous = PARIS.to_ambiguous_timestamp(wall_clock(year, month, day, hour, minute)?);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { .. } => None,
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => {
            ambiguous.earlier().ok().map(from_instant)
        }
    }
}

/// The first instant strictly after `now` when the Paris clock shows `hour:minute`. A time in
/// the hour skipped in spring runs as the clocks move on (02:30 → 03:30 summer time); a time
/// that happens twice in autumn runs the first time (jiff's "compatible" reading).
pub fn next_wall_clock(now: Timestamp, hour: u32, minute: u32) -> Timestamp {
    let today = instant(now).to_zoned(PARIS.clone()).date();
    let hour = i8::try_from(hour).expect("an hour of the day");
    let minute = i8::try_from(minute).expect("a minute of the hour");
    std::iter::successors(Some(today), |day| day.tomorrow().ok())
        .map(|day| {
            let wall = day.at(hour, minute, 0, 0);
            let at = PARIS
                .to_ambiguous_timestamp(wall)
                .compatible()
                .expect("a wall-clock time of Paris has an instant");
            from_instant(at)
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
