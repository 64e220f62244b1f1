//! Merchants: the accounts that call the Payline API (HTTP Basic: merchant id + access key).

use crate::FieldError;
use crate::clock::Timestamp;
use crate::field_error::text;
use std::fmt;
use std::str::FromStr;

/// A merchant id: a numeric string (Payline style), also the HTTP Basic user name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MerchantId(String);

impl MerchantId {
    /// Length of the ids cvgate generates.
    pub const GENERATED_DIGITS: usize = 12;

    /// Checks an id as given (trimmed): 1 to 20 ASCII digits; `field` names it in the error.
    pub fn parse(field: &str, value: &str) -> Result<MerchantId, FieldError> {
        let value = value.trim();
        if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                field,
                "must be a merchant id of 1 to 20 digits",
            ));
        }
        Ok(MerchantId(value.to_owned()))
    }

    /// A new id from a random number: 12 digits, never starting with 0 (so it survives clients
    /// that store it as a number).
    pub fn from_random(random: u64) -> MerchantId {
        let span = 9 * 10u64.pow(Self::GENERATED_DIGITS as u32 - 1);
        let low = 10u64.pow(Self::GENERATED_DIGITS as u32 - 1);
        MerchantId((low + random % span).to_string())
    }

    /// The id's digits, as sent on the wire and stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MerchantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a merchant may use the API; stored as `active` / `inactive`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MerchantStatus {
    /// Its access key authenticates API calls.
    Active,
    /// Switched off by an operator: every API call is refused as unauthenticated.
    Inactive,
}

impl MerchantStatus {
    /// The stored form: `active` or `inactive` (parsed back by `FromStr`).
    pub fn as_str(self) -> &'static str {
        match self {
            MerchantStatus::Active => "active",
            MerchantStatus::Inactive => "inactive",
        }
    }
}

impl FromStr for MerchantStatus {
    type Err = FieldError;

    fn from_str(value: &str) -> Result<Self, FieldError> {
        match value {
            "active" => Ok(MerchantStatus::Active),
            "inactive" => Ok(MerchantStatus::Inactive),
            _ => Err(FieldError::new("status", "must be active or inactive")),
        }
    }
}

/// The merchant's display name, as given by the operator.
pub fn validate_name(value: &str) -> Result<String, FieldError> {
    text("name", value, 100)
}

/// A merchant account as stored (its access key hash is kept apart, never loaded with it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merchant {
    /// The merchant id, also the HTTP Basic user name.
    pub id: MerchantId,
    /// Display name given by the operator (validated by [`validate_name`]).
    pub name: String,
    /// Whether the merchant may use the API.
    pub status: MerchantStatus,
    /// When the merchant was created.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_have_twelve_digits_and_no_leading_zero() {
        for random in [0, 1, u64::MAX, 899_999_999_999, 900_000_000_000] {
            let id = MerchantId::from_random(random);
            assert_eq!(id.as_str().len(), 12, "{id}");
            assert!(!id.as_str().starts_with('0'));
            assert_eq!(MerchantId::parse("merchant", id.as_str()).unwrap(), id);
        }
    }

    #[test]
    fn ids_are_digits_only() {
        for bad in ["", "12a", "-1", "123456789012345678901", "1 2"] {
            assert_eq!(
                MerchantId::parse("merchant", bad).unwrap_err().field,
                "merchant"
            );
        }
    }

    #[test]
    fn names_are_required() {
        assert_eq!(
            validate_name("  ").unwrap_err().to_string(),
            "name: must not be empty"
        );
        assert_eq!(validate_name(" Shop ").unwrap(), "Shop");
    }
}
