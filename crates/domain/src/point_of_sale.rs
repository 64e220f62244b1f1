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

/// A point of sale as an operator asks for it (the CLI's flags, the JSON API's body), before any
/// check.
#[derive(Debug, Clone, Default)]
pub struct PointOfSaleRequest {
    /// Name shown to operators (required).
    pub label: String,
    /// How the JSON API names it; `POS-<id>` when absent.
    pub reference: Option<String>,
    /// Session lifetime in minutes; [`SessionLifetime::DEFAULT`] when absent.
    pub session_minutes: Option<i64>,
    /// Whether the widget may update sessions' data (off unless asked for).
    pub widget_data_updates: bool,
}

/// A point of sale whose fields are valid; whether its reference is free is checked against the
/// stored ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPointOfSale {
    /// The label, trimmed.
    pub label: String,
    /// The chosen reference, if any.
    pub reference: Option<String>,
    /// How long its sessions last.
    pub session_lifetime: SessionLifetime,
    /// Whether the widget may update sessions' data.
    pub widget_data_updates: bool,
}

impl PointOfSaleRequest {
    /// Checks every field on its own; the first failure wins (label, reference, lifetime).
    pub fn validate(&self) -> Result<NewPointOfSale, FieldError> {
        let label = validate_label(&self.label)?;
        let reference = self
            .reference
            .as_deref()
            .map(validate_reference)
            .transpose()?;
        let session_lifetime = match self.session_minutes {
            Some(minutes) => SessionLifetime::minutes("session_minutes", minutes)?,
            None => SessionLifetime::DEFAULT,
        };
        Ok(NewPointOfSale {
            label,
            reference,
            session_lifetime,
            widget_data_updates: self.widget_data_updates,
        })
    }
}

/// A change to a stored point of sale: `None` keeps the current value. The reference names the
/// point of sale and cannot change: given, it must be the current one.
#[derive(Debug, Clone, Default)]
pub struct PointOfSaleChange {
    /// The reference, if the caller repeats it (must be the current one).
    pub reference: Option<String>,
    /// A new label.
    pub label: Option<String>,
    /// A new session lifetime, in minutes.
    pub session_minutes: Option<i64>,
    /// Whether the widget may update sessions' data from now on.
    pub widget_data_updates: Option<bool>,
}

impl PointOfSaleChange {
    /// The point of sale as changed, each new value checked by the rules of a new point of sale;
    /// the first failure wins (reference, label, lifetime).
    pub fn apply(&self, current: &PointOfSale) -> Result<PointOfSale, FieldError> {
        if let Some(reference) = &self.reference
            && *reference != current.reference
        {
            return Err(FieldError::new(
                "reference",
                format!(
                    "cannot be changed (this point of sale is {})",
                    current.reference
                ),
            ));
        }
        let label = match &self.label {
            Some(label) => validate_label(label)?,
            None => current.label.clone(),
        };
        let session_lifetime = match self.session_minutes {
            Some(minutes) => SessionLifetime::minutes("session_minutes", minutes)?,
            None => current.session_lifetime,
        };
        Ok(PointOfSale {
            label,
            session_lifetime,
            widget_data_updates: self
                .widget_data_updates
                .unwrap_or(current.widget_data_updates),
            ..current.clone()
        })
    }
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

    fn shop() -> PointOfSale {
        PointOfSale {
            id: 7,
            merchant_id: MerchantId::parse("m", "1").unwrap(),
            label: "Shop".into(),
            reference: "SHOP-1".into(),
            session_lifetime: SessionLifetime::DEFAULT,
            widget_data_updates: false,
            created_at: Timestamp(1),
        }
    }

    #[test]
    fn a_request_is_checked_field_by_field() {
        let valid = PointOfSaleRequest {
            label: " Shop ".into(),
            reference: Some("SHOP-1".into()),
            session_minutes: Some(30),
            widget_data_updates: true,
        }
        .validate()
        .unwrap();
        assert_eq!(valid.label, "Shop");
        assert_eq!(valid.session_lifetime.as_minutes(), 30);
        assert!(valid.widget_data_updates);
        let defaults = PointOfSaleRequest {
            label: "Shop".into(),
            ..PointOfSaleRequest::default()
        }
        .validate()
        .unwrap();
        assert_eq!(defaults.session_lifetime, SessionLifetime::DEFAULT);
        assert_eq!(defaults.reference, None);
        for (request, field) in [
            (PointOfSaleRequest::default(), "label"),
            (
                PointOfSaleRequest {
                    label: "Shop".into(),
                    reference: Some("a b".into()),
                    ..PointOfSaleRequest::default()
                },
                "reference",
            ),
            (
                PointOfSaleRequest {
                    label: "Shop".into(),
                    session_minutes: Some(5),
                    ..PointOfSaleRequest::default()
                },
                "session_minutes",
            ),
        ] {
            assert_eq!(request.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name_and_never_the_reference() {
        let current = shop();
        assert_eq!(
            PointOfSaleChange::default().apply(&current).unwrap(),
            current
        );
        let changed = PointOfSaleChange {
            reference: Some("SHOP-1".into()),
            label: Some("Boutique".into()),
            session_minutes: Some(45),
            widget_data_updates: Some(true),
        }
        .apply(&current)
        .unwrap();
        assert_eq!(changed.label, "Boutique");
        assert_eq!(changed.session_lifetime.as_minutes(), 45);
        assert!(changed.widget_data_updates);
        assert_eq!(changed.reference, "SHOP-1");
        for (change, field) in [
            (
                PointOfSaleChange {
                    reference: Some("SHOP-2".into()),
                    ..PointOfSaleChange::default()
                },
                "reference",
            ),
            (
                PointOfSaleChange {
                    label: Some(" ".into()),
                    ..PointOfSaleChange::default()
                },
                "label",
            ),
            (
                PointOfSaleChange {
                    session_minutes: Some(91),
                    ..PointOfSaleChange::default()
                },
                "session_minutes",
            ),
        ] {
            assert_eq!(change.apply(&current).unwrap_err().field, field);
        }
    }
}
