//! Rejected input ([`FieldError`]) and the shared checks of free-text fields.

use std::fmt;

/// A rejected input: which field, and the rule it broke, in words a merchant developer understands.
///
/// Displayed as `field: rule`, e.g. `shop_id: is required for an ANCV_CONNECT contract`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The rejected field, named as in the caller's request (e.g. `shop_id`, `payment.amount`).
    pub field: String,
    /// The broken rule, phrased to follow the field name (e.g. `must not be empty`).
    pub rule: String,
}

impl FieldError {
    /// The error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            rule: rule.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

impl std::error::Error for FieldError {}

/// Checks a free-text field: trimmed, non-empty when required, at most `max` characters, no
/// control characters (they break logs, terminals and XML).
pub fn text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    optional_text(field, value, max)
}

/// Like [`text`] but an empty value is allowed (and kept empty).
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(text("name", "  Shop ", 10).unwrap(), "Shop");
        assert_eq!(
            text("name", "   ", 10).unwrap_err().rule,
            "must not be empty"
        );
        assert_eq!(
            text("name", "ééééééééééé", 10).unwrap_err().to_string(),
            "name: must be at most 10 characters"
        );
        assert!(text("name", "a\u{7}b", 10).is_err());
        assert_eq!(optional_text("d", "", 10).unwrap(), "");
    }
}
