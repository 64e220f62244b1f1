//! Faults the sandbox can be told to inject (`POST /sandbox/card/admin/faults`), for tests of
//! cvgate's timeouts, errors and reconciliation.

use domain::random::Random;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added before every API answer.
    pub latency_ms: u64,
    /// Share of authorizations answered "acquirer internal error" (01199), from 0 to 1.
    pub error_rate: f64,
    /// Authorizations are made and committed, then never answered (the caller times out).
    pub timeout_after_authorizing: bool,
}

impl Faults {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err("error_rate must be between 0 and 1".to_owned());
        }
        if self.latency_ms > 600_000 {
            return Err("latency_ms must be at most 600000".to_owned());
        }
        Ok(())
    }

    /// Whether this request gets the injected error.
    pub fn roll_error(&self, random: &dyn Random) -> bool {
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
