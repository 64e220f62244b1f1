//! Points of sale: a merchant's shops; contracts hang under them.

use crate::FieldError;
use crate::clock::Timestamp;
use crate::field_error::text;
use crate::merchant::MerchantId;

/// Database id of a point of sale (`points_of_sale.id`).
pub type PosId = i64;

/// How long a web payment session (token) lives, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime(u8);

impl SessionLifetime {
    /// Shortest allowed session lifetime, in minutes.
    pub const MIN: u8 = 10;
    /// Longest allowed session lifetime, in minutes.
    pub const MAX: u8 = 90;
    /// Lifetime of a point of sale created without one: 15 minutes.
    pub const DEFAULT: SessionLifetime = SessionLifetime(15);

    /// Checks a lifetime in minutes, [`Self::MIN`]..=[`Self::MAX`]; `field` names it in the error.
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

    /// The lifetime in minutes.
    pub fn as_minutes(self) -> i64 {
        i64::from(self.0)
    }
}

/// Checks a point of sale's label: trimmed, 1 to 100 characters, no control characters.
pub fn validate_label(value: &str) -> Result<String, FieldError> {
    text("label", value, 100)
}

/// Checks a point of sale's reference: 1 to 50 letters, digits, `-`, `_` or `.` (it appears in
/// URLs of the JSON API).
pub fn validate_reference(value: &str) -> Result<String, FieldError> {
    let valid = !value.is_empty()
        && value.len() <= 50
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            "reference",
            "must be 1 to 50 letters, digits, '-', '_' or '.'",
        ))
    }
}

/// A merchant's shop as stored; its contracts and web payment sessions hang under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointOfSale {
    /// Database id, unique across merchants.
    pub id: PosId,
    /// The merchant that owns this point of sale.
    pub merchant_id: MerchantId,
    /// Name shown to operators and the merchant (validated by [`validate_label`]).
    pub label: String,
    /// How the JSON API names it (`pointOfSaleReference`), unique per merchant (validated by
    /// [`validate_reference`]).
    pub reference: String,
    /// How long web payment sessions created for this point of sale stay usable.
    pub session_lifetime: SessionLifetime,
    /// Whether the payment widget may update a session's amount, order and buyer data before
    /// any attempt (`Payline.Api.updateWebpaymentData`); off by default.
    pub widget_data_updates: bool,
    /// When the point of sale was created.
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
