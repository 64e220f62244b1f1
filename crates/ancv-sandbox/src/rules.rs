//! The input rules of spec §3 (pure): currency, amounts, beneficiary identifiers, what may be
//! validated, and how the holder is masked.

use crate::error::SandboxError;
use ancv::ErrorCode;

/// ISO 4217 numeric code of the euro, the only currency.
pub const EUR: u16 = 978;
/// The smallest order, in cents.
pub const MIN_AMOUNT: i64 = 2_000;

/// INVALID_TRANSACTION_CURRENCY unless `currency` is 978 (EUR).
pub fn check_currency(currency: u16) -> Result<(), SandboxError> {
    if currency == EUR {
        Ok(())
    } else {
        Err(SandboxError::refused(
            ErrorCode::InvalidTransactionCurrency,
            format!("currency {currency} is not accepted: only 978 (EUR)"),
        ))
    }
}

/// INVALID_TRANSACTION_AMOUNT when `order.amount.total` (cents) is below [`MIN_AMOUNT`].
pub fn check_order_amount(total: i64) -> Result<(), SandboxError> {
    if total >= MIN_AMOUNT {
        Ok(())
    } else {
        Err(SandboxError::refused(
            ErrorCode::InvalidTransactionAmount,
            format!("order.amount.total {total} is below the minimum of {MIN_AMOUNT} cents"),
        ))
    }
}

/// The payer pays the whole order with vouchers (the app may lower it later).
pub fn check_payer_amount(order_total: i64, payer_total: i64) -> Result<(), SandboxError> {
    if order_total == payer_total {
        Ok(())
    } else {
        Err(SandboxError::refused(
            ErrorCode::InvalidTransactionAmount,
            format!("payer.amount.total {payer_total} differs from the order amount {order_total}"),
        ))
    }
}

/// How a beneficiary is named: the 11-digit ANCV id or the account's e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BeneficiaryRef {
    /// The 11-digit ANCV identifier.
    AncvId(String),
    /// Lower-cased.
    Email(String),
}

impl BeneficiaryRef {
    /// BAD_REQUEST naming `field` when it is neither 11 digits nor an e-mail address.
    pub fn parse(field: &str, value: &str) -> Result<BeneficiaryRef, SandboxError> {
        let value = value.trim();
        if is_ancv_id(value) {
            Ok(BeneficiaryRef::AncvId(value.to_owned()))
        } else if value.contains('@') {
            normalise_email(field, value).map(BeneficiaryRef::Email)
        } else {
            Err(SandboxError::invalid(
                field,
                "must be an 11-digit ANCV identifier or an e-mail address",
            ))
        }
    }
}

/// Whether `value` is an ANCV identifier: exactly 11 ASCII digits.
pub fn is_ancv_id(value: &str) -> bool {
    value.len() == 11 && value.bytes().all(|b| b.is_ascii_digit())
}

/// The address lower-cased, or BAD_REQUEST naming `field`. Deliberately simple: one `@`, a
/// non-empty local part, a dotted domain, no spaces.
pub fn normalise_email(field: &str, value: &str) -> Result<String, SandboxError> {
    let value = value.trim();
    let valid = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if valid {
        Ok(value.to_lowercase())
    } else {
        Err(SandboxError::invalid(field, "is not an e-mail address"))
    }
}

/// What the beneficiary may validate: `asked` (or the full requested amount), more than zero
/// and at most min(balance, requested).
pub fn validated_amount(
    requested: i64,
    balance: i64,
    asked: Option<i64>,
) -> Result<i64, SandboxError> {
    let amount = asked.unwrap_or(requested);
    let refuse = |message: String| {
        Err(SandboxError::refused(
            ErrorCode::InvalidTransactionAmount,
            message,
        ))
    };
    if amount <= 0 {
        return refuse(format!("amount {amount} must be more than zero"));
    }
    if amount > requested {
        return refuse(format!(
            "amount {amount} is more than the requested {requested}"
        ));
    }
    if amount > balance {
        return refuse(format!(
            "amount {amount} is more than the balance {balance}: validate at most {}",
            balance.min(requested)
        ));
    }
    Ok(amount)
}

/// `10*****0003`: the first 2 and last 4 digits of the 11-digit ANCV id.
pub fn mask_holder(ancv_id: &str) -> String {
    let digits: Vec<char> = ancv_id.chars().collect();
    if digits.len() < 6 {
        return "*".repeat(digits.len());
    }
    let head: String = digits[..2].iter().collect();
    let tail: String = digits[digits.len() - 4..].iter().collect();
    format!("{head}*****{tail}")
}

/// Secret codes are 4 to 12 digits (the app's PIN).
pub fn check_secret_code_format(field: &str, code: &str) -> Result<(), SandboxError> {
    if (4..=12).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(SandboxError::invalid(field, "must be 4 to 12 digits"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_and_amounts() {
        assert!(check_currency(978).is_ok());
        assert_eq!(
            check_currency(840).unwrap_err().error_code(),
            "INVALID_TRANSACTION_CURRENCY"
        );
        assert!(check_order_amount(2_000).is_ok());
        assert_eq!(
            check_order_amount(1_999).unwrap_err().error_code(),
            "INVALID_TRANSACTION_AMOUNT"
        );
        assert!(check_payer_amount(2_500, 2_500).is_ok());
        assert_eq!(
            check_payer_amount(2_500, 2_400).unwrap_err().http_status(),
            400
        );
    }

    #[test]
    fn beneficiary_references() {
        assert_eq!(
            BeneficiaryRef::parse("f", "10000000001").unwrap(),
            BeneficiaryRef::AncvId("10000000001".into())
        );
        assert_eq!(
            BeneficiaryRef::parse("f", " Camille.Martin@Example.com ").unwrap(),
            BeneficiaryRef::Email("camille.martin@example.com".into())
        );
        for bad in [
            "1000000000",
            "100000000011",
            "1000000000a",
            "nobody",
            "@example.com",
            "a@b",
            "a b@example.com",
            "",
        ] {
            let error = BeneficiaryRef::parse("payer.beneficiaryId", bad).unwrap_err();
            assert_eq!(error.error_code(), "BAD_REQUEST", "{bad}");
            assert!(error.to_string().contains("payer.beneficiaryId"), "{bad}");
        }
    }

    #[test]
    fn validated_amounts() {
        assert_eq!(validated_amount(5_000, 10_000, None).unwrap(), 5_000);
        assert_eq!(validated_amount(5_000, 10_000, Some(1_500)).unwrap(), 1_500);
        assert_eq!(validated_amount(5_000, 2_500, Some(2_500)).unwrap(), 2_500);
        for (requested, balance, asked) in [
            (5_000, 2_500, None),
            (5_000, 2_500, Some(2_501)),
            (5_000, 10_000, Some(5_001)),
            (5_000, 10_000, Some(0)),
            (5_000, 10_000, Some(-1)),
            (5_000, 0, None),
        ] {
            let error = validated_amount(requested, balance, asked).unwrap_err();
            assert_eq!(error.error_code(), "INVALID_TRANSACTION_AMOUNT");
        }
    }

    #[test]
    fn holders_are_masked() {
        assert_eq!(mask_holder("10000000003"), "10*****0003");
        assert_eq!(mask_holder("12345678901"), "12*****8901");
    }

    #[test]
    fn secret_code_format() {
        assert!(check_secret_code_format("secretCode", "1234").is_ok());
        for bad in ["123", "12a4", "", "1234567890123"] {
            assert!(check_secret_code_format("secretCode", bad).is_err());
        }
    }
}
