//! Money is an integer number of minor units in an ISO 4217 currency. No floats anywhere.

use crate::FieldError;
use std::fmt;

/// An ISO 4217 numeric currency code (`978` is the euro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u16);

impl Currency {
    /// The euro, ISO 4217 numeric code 978.
    pub const EUR: Currency = Currency(978);

    /// Parses the three-digit numeric code used on the Payline wire ("978").
    pub fn parse(field: &str, value: &str) -> Result<Currency, FieldError> {
        let value = value.trim();
        let rule = || {
            FieldError::new(
                field,
                "must be an ISO 4217 numeric code of 3 digits (978 for EUR)",
            )
        };
        if value.len() != 3 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(rule());
        }
        match value.parse::<u16>() {
            Ok(0) | Err(_) => Err(rule()),
            Ok(code) => Ok(Currency(code)),
        }
    }

    /// Checks a code stored as an integer (a database column); same rules as [`Currency::parse`].
    pub fn from_code(field: &str, code: i64) -> Result<Currency, FieldError> {
        Currency::parse(field, &format!("{code:03}"))
    }

    /// The ISO 4217 numeric code (1..=999).
    pub fn code(self) -> u16 {
        self.0
    }

    /// The ISO 4217 alphabetic code of the currencies cvgate takes (`EUR`), as the JSON API
    /// writes it; other currencies as their numeric code.
    pub fn alpha(self) -> String {
        match self {
            Currency::EUR => "EUR".to_owned(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes() {
        assert_eq!(Currency::parse("currency", "978").unwrap(), Currency::EUR);
        assert_eq!(
            Currency::parse("currency", "036").unwrap().to_string(),
            "036"
        );
        for bad in ["", "97", "9788", "EUR", "000", "-78", "9 8"] {
            let err = Currency::parse("currency", bad).unwrap_err();
            assert_eq!(err.field, "currency", "{bad}");
        }
        assert_eq!(Currency::from_code("c", 978).unwrap(), Currency::EUR);
        assert!(Currency::from_code("c", 1000).is_err());
    }
}
