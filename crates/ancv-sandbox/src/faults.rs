//! Fault injection, set through the admin API and kept in the database (the sandbox's faults
//! table), so that every instance sharing it applies the same faults.

use crate::error::SandboxError;
use crate::json_body::JsonBody;
use domain::clock::Timestamp;
use domain::random::Random;
use serde::Serialize;
use std::time::Duration;
use store::UnitOfWork;

/// How long `timeout_after_commit` holds an answer back (then it is sent, to nobody).
pub(crate) const TIMEOUT_HOLD: Duration = Duration::from_secs(300);

const MAX_LATENCY_MS: u64 = 60_000;
const MAX_NOTIFICATION_DELAY_MS: i64 = 86_400_000;

/// The switches; the default (everything off) is a well-behaved ANCV.
///
/// - `latency_ms`: waited before answering each ANCV API call.
/// - `error_rate` (0.0–1.0): the share of ANCV API calls answered INTERNAL_SERVER_ERROR (500)
///   before anything is done (drawn from the injected random source).
/// - `timeout_after_commit`: the call is done and committed, then the answer is held back for
///   five minutes (`TIMEOUT_HOLD`) — far longer than any client waits; the hold ends early when
///   the client hangs up — so the client sees a timeout on an operation that did happen (what
///   the reconciliation of spec §5 is for).
/// - `drop_notifications`: the notification of a state change is never sent.
/// - `duplicate_notifications`: each notification is sent twice.
/// - `delay_notifications_ms`: the first attempt of a notification waits this long.
///
/// The notification switches are read when the state changes and kept with the delivery, so a
/// delivery behaves the same on every attempt. Only the ANCV API is affected, never the admin or
/// app APIs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Faults {
    /// Milliseconds waited before answering each ANCV API call (at most 60 000).
    pub latency_ms: u64,
    /// Share of ANCV API calls answered INTERNAL_SERVER_ERROR, from 0.0 to 1.0.
    pub error_rate: f64,
    /// Calls are done and committed, then their answer is held back for five minutes.
    pub timeout_after_commit: bool,
    /// Notifications of state changes are never sent.
    pub drop_notifications: bool,
    /// Each notification is sent twice.
    pub duplicate_notifications: bool,
    /// Milliseconds before a notification's first attempt (at most a day).
    pub delay_notifications_ms: i64,
}

impl Faults {
    const KEYS: [&'static str; 6] = [
        "latency_ms",
        "error_rate",
        "timeout_after_commit",
        "drop_notifications",
        "duplicate_notifications",
        "delay_notifications_ms",
    ];

    /// The admin API's JSON: missing keys are off, unknown keys refused.
    pub fn from_json(bytes: &[u8]) -> Result<Faults, SandboxError> {
        let body = JsonBody::parse(bytes, &Faults::KEYS)?;
        let latency_ms = body.optional_integer("latency_ms")?.unwrap_or(0);
        let faults = Faults {
            latency_ms: u64::try_from(latency_ms)
                .map_err(|_| SandboxError::invalid("latency_ms", "must not be negative"))?,
            error_rate: body.optional_number("error_rate")?.unwrap_or(0.0),
            timeout_after_commit: body.optional_bool("timeout_after_commit")?.unwrap_or(false),
            drop_notifications: body.optional_bool("drop_notifications")?.unwrap_or(false),
            duplicate_notifications: body
                .optional_bool("duplicate_notifications")?
                .unwrap_or(false),
            delay_notifications_ms: body
                .optional_integer("delay_notifications_ms")?
                .unwrap_or(0),
        };
        faults.validate()?;
        Ok(faults)
    }

    /// BAD_REQUEST naming the first switch out of its range.
    pub fn validate(&self) -> Result<(), SandboxError> {
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(SandboxError::invalid(
                "latency_ms",
                format!("must be at most {MAX_LATENCY_MS}"),
            ));
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(SandboxError::invalid(
                "error_rate",
                "must be between 0.0 and 1.0",
            ));
        }
        if !(0..=MAX_NOTIFICATION_DELAY_MS).contains(&self.delay_notifications_ms) {
            return Err(SandboxError::invalid(
                "delay_notifications_ms",
                format!("must be between 0 and {MAX_NOTIFICATION_DELAY_MS}"),
            ));
        }
        Ok(())
    }

    /// Whether this call fails, drawn from the injected random source.
    pub(crate) fn draws_error(&self, random: &dyn Random) -> bool {
        if self.error_rate <= 0.0 {
            return false;
        }
        // 53 random bits as a fraction in [0, 1): a rate of 1.0 always fails.
        let fraction = (random.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        fraction < self.error_rate
    }
}

/// The faults in force, read inside `uow` (none when none were ever set).
pub(crate) async fn load(uow: &mut UnitOfWork) -> Result<Faults, SandboxError> {
    match store::single_row::load(uow, crate::storage::FAULTS_TABLE).await? {
        None => Ok(Faults::default()),
        Some(json) => Faults::from_json(json.as_bytes())
            .map_err(|error| SandboxError::Internal(format!("stored faults: {error}"))),
    }
}

/// Keeps `faults` (already validated) for every instance.
pub(crate) async fn save(
    uow: &mut UnitOfWork,
    faults: &Faults,
    now: Timestamp,
) -> Result<(), SandboxError> {
    let json = serde_json::to_string(faults)
        .map_err(|error| SandboxError::Internal(format!("faults to JSON: {error}")))?;
    store::single_row::save(uow, crate::storage::FAULTS_TABLE, &json, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::random::OsRandom;

    #[test]
    fn missing_keys_are_off_and_bad_values_named() {
        assert_eq!(Faults::from_json(b"{}").unwrap(), Faults::default());
        let faults =
            Faults::from_json(br#"{"error_rate": 1, "drop_notifications": true, "latency_ms": 5}"#)
                .unwrap();
        assert_eq!(faults.error_rate, 1.0);
        assert!(faults.drop_notifications);
        assert_eq!(faults.latency_ms, 5);
        for (body, field) in [
            (&br#"{"error_rate": 1.5}"#[..], "error_rate"),
            (br#"{"latency_ms": -1}"#, "latency_ms"),
            (
                br#"{"delay_notifications_ms": "x"}"#,
                "delay_notifications_ms",
            ),
            (br#"{"drop": true}"#, "drop"),
        ] {
            let error = Faults::from_json(body).unwrap_err();
            assert!(error.to_string().starts_with(field), "{error}");
        }
    }

    #[test]
    fn the_stored_json_reads_back() {
        let faults = Faults {
            latency_ms: 5,
            error_rate: 0.5,
            timeout_after_commit: true,
            drop_notifications: false,
            duplicate_notifications: true,
            delay_notifications_ms: 10_000,
        };
        for faults in [faults, Faults::default()] {
            let json = serde_json::to_string(&faults).unwrap();
            assert_eq!(Faults::from_json(json.as_bytes()).unwrap(), faults);
        }
    }

    #[test]
    fn error_rate_extremes() {
        let never = Faults::default();
        let always = Faults {
            error_rate: 1.0,
            ..Faults::default()
        };
        for _ in 0..100 {
            assert!(!never.draws_error(&OsRandom));
            assert!(always.draws_error(&OsRandom));
        }
    }
}
