//! Faults the sandbox can be told to inject (`POST /sandbox/card/admin/faults`), for tests of
//! cvgate's timeouts, errors and reconciliation. Kept in the database as the admin API's JSON, so
//! that every instance applies them.

use domain::random::Random;
use serde::{Deserialize, Serialize};

/// The fault switches, as the admin API reads and writes them (every field optional there,
/// unknown ones refused); the default is no fault.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Milliseconds added before every API answer (at most 600000).
    pub latency_ms: u64,
    /// Share of authorizations answered "acquirer internal error" (01199), from 0 to 1.
    pub error_rate: f64,
    /// Authorizations are made and committed, then never answered (the caller times out).
    pub timeout_after_authorizing: bool,
}

/// Why fault switches are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InvalidFaults {
    /// `error_rate` is a share of requests.
    #[error("error_rate must be between 0 and 1")]
    ErrorRate,
    /// `latency_ms` is bounded so that a test cannot hang an instance for ever.
    #[error("latency_ms must be at most 600000")]
    Latency,
    /// The stored JSON does not read as fault switches (the parser's reason).
    #[error("{0}")]
    Unreadable(String),
}

impl Faults {
    /// Checks the bounds (`error_rate` 0 to 1, `latency_ms` at most 600000); the error says which.
    pub(crate) fn validate(&self) -> Result<(), InvalidFaults> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(InvalidFaults::ErrorRate);
        }
        if self.latency_ms > 600_000 {
            return Err(InvalidFaults::Latency);
        }
        Ok(())
    }

    /// The JSON kept in `sandbox_faults` (the admin API's shape).
    pub(super) fn to_stored(&self) -> String {
        // Numbers and booleans only: serialising cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }

    pub(super) fn from_stored(json: &str) -> Result<Faults, InvalidFaults> {
        let faults: Faults = serde_json::from_str(json)
            .map_err(|error| InvalidFaults::Unreadable(error.to_string()))?;
        faults.validate()?;
        Ok(faults)
    }

    /// Whether this request gets the injected error.
    pub(crate) fn roll_error(&self, random: &dyn Random) -> bool {
        if self.error_rate <= 0.0 {
            return false;
        }
        // 53 random bits make a uniform number in [0, 1).
        let uniform = (random.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        uniform < self.error_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::random::OsRandom;

    #[test]
    fn stored_faults_read_back() {
        let faults = Faults {
            latency_ms: 300,
            error_rate: 0.25,
            timeout_after_authorizing: true,
        };
        assert_eq!(Faults::from_stored(&faults.to_stored()), Ok(faults));
        assert_eq!(Faults::from_stored("{}"), Ok(Faults::default()));
        assert!(Faults::from_stored(r#"{"error_rate": 3}"#).is_err());
    }

    #[test]
    fn error_rate_bounds() {
        let always = Faults {
            error_rate: 1.0,
            ..Faults::default()
        };
        let never = Faults::default();
        assert!((0..100).all(|_| always.roll_error(&OsRandom)));
        assert!((0..100).all(|_| !never.roll_error(&OsRandom)));
        assert!(
            Faults {
                error_rate: 1.5,
                ..Faults::default()
            }
            .validate()
            .is_err()
        );
    }
}
