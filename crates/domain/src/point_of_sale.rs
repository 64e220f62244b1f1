//! Points of sale: a merchant's shops; contracts hang under them.

use crate::FieldError;
use crate::clock::Timestamp;
use crate::field_error::text;
use crate::merchant::MerchantId;

pub type PosId = i64;

/// How long a web payment session (token) lives, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime(u8);

impl SessionLifetime {
    pub const MIN: u8 = 10;
    pub const MAX: u8 = 90;
    pub const DEFAULT: SessionLifetime = SessionLifetime(15);

    pub fn minutes(field: &str, minutes: i64) -> Result<SessionLifetime, FieldError> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&minutes) {
            Ok(SessionLifetime(minutes as u8))
        } else {
            Err(FieldError::new(
                field,
                format!("must be between {} and {} minutes", Self::MIN, Self::MAX),
            ))
        }
    }

    pub fn as_minutes(self) -> i64 {
        i64::from(self.0)
    }
}

pub fn validate_label(value: &str) -> Result<String, FieldError> {
    text("label", value, 100)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointOfSale {
    pub id: PosId,
    pub merchant_id: MerchantId,
    pub label: String,
    pub session_lifetime: SessionLifetime,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_lifetime_bounds() {
        assert_eq!(SessionLifetime::DEFAULT.as_minutes(), 15);
        assert!(SessionLifetime::minutes("session_minutes", 10).is_ok());
        assert!(SessionLifetime::minutes("session_minutes", 90).is_ok());
        for bad in [9, 91, 0, -5] {
            assert_eq!(
                SessionLifetime::minutes("session_minutes", bad)
                    .unwrap_err()
                    .to_string(),
                "session_minutes: must be between 10 and 90 minutes"
            );
        }
    }
}
