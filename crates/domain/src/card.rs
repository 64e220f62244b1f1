//! Card data as the buyer types it: number (PAN), expiry and security code (CVV).
//!
//! The PAN and the CVV live only in memory for the authorization call (docs/card-sandbox.md).
//! Their types therefore print redacted (`Debug` and `Display` show the masked number, never the
//! digits), implement neither `Clone` nor any serialisation, and hand their digits out only
//! through an explicit `expose()`. What may be stored is the masked number, the card type and the
//! expiry `MMYY`. Validation failures name the field (`card.number`, `card.expiry`, `card.cvv`)
//! and never repeat the value.

use crate::FieldError;
use crate::clock::Timestamp;
use crate::contract::CardCode;
use std::fmt;

/// The field named in errors about the card number (the page's form field).
pub const NUMBER_FIELD: &str = "card.number";
/// The field named in errors about the expiry date.
pub const EXPIRY_FIELD: &str = "card.expiry";
/// The rule an expiry in the past breaks (card-sandbox.md: refused 01101, card expired).
pub const EXPIRED_RULE: &str = "the card has expired";
/// The field named in errors about the security code.
pub const CVV_FIELD: &str = "card.cvv";

/// A card number: 12 to 19 digits with a valid Luhn check digit.
pub struct CardNumber(String);

impl CardNumber {
    /// Spaces and dashes (as buyers type them) are ignored.
    pub fn parse(value: &str) -> Result<CardNumber, FieldError> {
        let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(NUMBER_FIELD, "must be 12 to 19 digits"));
        }
        if !luhn_valid(&digits) {
            return Err(FieldError::new(
                NUMBER_FIELD,
                "is not a valid card number (wrong check digit)",
            ));
        }
        Ok(CardNumber(digits))
    }

    /// The digits, for the acquirer call only. Never log, store or echo them.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The first digits, an `X` for each hidden digit, the last 4: `497010XXXXXX0006`. At most
    /// the first 6 and the last 4 show (card-sandbox.md), and never more than half of a number
    /// shorter than 16 digits: `12XXXXXX9007` for 12 digits.
    pub fn masked(&self) -> String {
        let length = self.0.len();
        let shown = if length >= 16 { 10 } else { length / 2 };
        let first = shown - 4;
        format!(
            "{}{}{}",
            &self.0[..first],
            "X".repeat(length - shown),
            &self.0[length - 4..]
        )
    }

    /// The scheme the number belongs to, from its first digits.
    pub fn brand(&self) -> CardBrand {
        CardBrand::detect(&self.0)
    }
}

impl fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardNumber({})", self.masked())
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The Luhn (mod 10) check over a string of ASCII digits.
fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte - b'0');
            match index % 2 {
                0 => digit,
                _ if digit * 2 > 9 => digit * 2 - 9,
                _ => digit * 2,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card scheme, from the number's first digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardBrand {
    /// Numbers starting with 4.
    Visa,
    /// Numbers starting with 51–55 or 2221–2720.
    Mastercard,
    /// American Express: numbers starting with 34 or 37 (4-digit CVV).
    Amex,
    /// Another scheme (only a CB contract takes it).
    Other,
}

impl CardBrand {
    fn detect(digits: &str) -> CardBrand {
        let prefix = |len: usize| digits[..len].parse::<u32>().unwrap_or(0);
        if matches!(prefix(2), 34 | 37) {
            CardBrand::Amex
        } else if (51..=55).contains(&prefix(2)) || (2221..=2720).contains(&prefix(4)) {
            CardBrand::Mastercard
        } else if digits.starts_with('4') {
            CardBrand::Visa
        } else {
            CardBrand::Other
        }
    }

    fn label(self) -> &'static str {
        match self {
            CardBrand::Visa => "a VISA card",
            CardBrand::Mastercard => "a MASTERCARD card",
            CardBrand::Amex => "an AMEX card",
            CardBrand::Other => "a card of another scheme",
        }
    }
}

/// The Payline card type recorded for a payment on a contract: `CB` for a CB contract (CB cards
/// are co-branded), otherwise the contract's scheme, which the card must belong to.
pub fn card_type(contract: CardCode, brand: CardBrand) -> Result<CardCode, FieldError> {
    let expected = match contract {
        CardCode::Cb => return Ok(CardCode::Cb),
        CardCode::AncvConnect => {
            return Err(FieldError::new("contract_number", "is not a card contract"));
        }
        CardCode::Visa => CardBrand::Visa,
        CardCode::Mastercard => CardBrand::Mastercard,
        CardCode::Amex => CardBrand::Amex,
    };
    if brand == expected {
        Ok(contract)
    } else {
        Err(FieldError::new(
            NUMBER_FIELD,
            format!(
                "is {}, but this contract takes {contract} cards only",
                brand.label()
            ),
        ))
    }
}

/// The last month a card is valid, written `MMYY` on the wire and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    month: u32,
    /// Four digits (`YY` is 20YY).
    year: i64,
}

impl Expiry {
    /// `MMYY`; `MM/YY` is accepted too (as printed on cards).
    pub fn parse(value: &str) -> Result<Expiry, FieldError> {
        let compact: String = value.trim().chars().filter(|c| *c != '/').collect();
        let rule = || FieldError::new(EXPIRY_FIELD, "must be MMYY, e.g. 0528 for May 2028");
        if compact.len() != 4 || !compact.bytes().all(|b| b.is_ascii_digit()) {
            return Err(rule());
        }
        let month: u32 = compact[..2].parse().map_err(|_| rule())?;
        let year: i64 = compact[2..].parse().map_err(|_| rule())?;
        if !(1..=12).contains(&month) {
            return Err(rule());
        }
        Ok(Expiry {
            month,
            year: 2000 + year,
        })
    }

    /// A card is valid until the end of its expiry month (UTC).
    pub fn is_past(self, now: Timestamp) -> bool {
        let (year, month) = year_month(now);
        (self.year, self.month) < (year, month)
    }

    /// `MMYY`.
    pub fn as_mmyy(self) -> String {
        format!("{:02}{:02}", self.month, self.year % 100)
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_mmyy())
    }
}

/// The UTC year and month of an instant.
fn year_month(now: Timestamp) -> (i64, u32) {
    let text = now.to_rfc3339();
    let year = text[..4].parse().unwrap_or(i64::MAX);
    let month = text[5..7].parse().unwrap_or(12);
    (year, month)
}

/// The card security code: 3 digits, 4 for AMEX.
pub struct Cvv(String);

impl Cvv {
    /// Checks a code as typed (trimmed): 4 digits for [`CardBrand::Amex`], 3 for the others.
    pub fn parse(value: &str, brand: CardBrand) -> Result<Cvv, FieldError> {
        let value = value.trim();
        let (length, rule) = match brand {
            CardBrand::Amex => (4, "must be 4 digits for an AMEX card"),
            CardBrand::Visa | CardBrand::Mastercard | CardBrand::Other => (3, "must be 3 digits"),
        };
        if value.len() != length || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(CVV_FIELD, rule));
        }
        Ok(Cvv(value.to_owned()))
    }

    /// The digits, for the acquirer call only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cvv(***)")
    }
}

impl fmt::Display for Cvv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Validated card data, ready for one authorization call.
#[derive(Debug)]
pub struct CardData {
    /// The card number (PAN), redacted when printed.
    pub number: CardNumber,
    /// The last month the card is valid; not past when checked.
    pub expiry: Expiry,
    /// The security code, of the length the card's brand requires.
    pub cvv: Cvv,
}

impl CardData {
    /// Checks, in form order: number (length, Luhn), expiry (format, not past at `now`), CVV.
    pub fn parse(
        number: &str,
        expiry: &str,
        cvv: &str,
        now: Timestamp,
    ) -> Result<CardData, FieldError> {
        let number = CardNumber::parse(number)?;
        let expiry = Expiry::parse(expiry)?;
        if expiry.is_past(now) {
            return Err(FieldError::new(EXPIRY_FIELD, EXPIRED_RULE));
        }
        let cvv = Cvv::parse(cvv, number.brand())?;
        Ok(CardData {
            number,
            expiry,
            cvv,
        })
    }
}

/// The card fields exactly as posted by the buyer, before any check. Prints redacted.
pub struct CardInput {
    number: String,
    expiry: String,
    cvv: String,
}

impl CardInput {
    /// Keeps the three posted values unchecked; nothing is trimmed or parsed yet.
    pub fn new(
        number: impl Into<String>,
        expiry: impl Into<String>,
        cvv: impl Into<String>,
    ) -> CardInput {
        CardInput {
            number: number.into(),
            expiry: expiry.into(),
            cvv: cvv.into(),
        }
    }

    /// Checks the fields as [`CardData::parse`] does, with expiry judged at `now`.
    pub fn validate(&self, now: Timestamp) -> Result<CardData, FieldError> {
        CardData::parse(&self.number, &self.expiry, &self.cvv, now)
    }
}

impl fmt::Debug for CardInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CardInput {{ number: ***, expiry: {:?}, cvv: *** }}",
            self.expiry
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-27T10:15:30Z.
    const NOW: Timestamp = Timestamp(1_795_774_530_000);

    #[test]
    fn numbers_need_length_and_check_digit() {
        for good in [
            "4970100000000006",
            "4970 1000 0000 0014",
            "5555-5555-5555-4444",
            "378282246310005",
            "4000000000000000006",
        ] {
            assert!(CardNumber::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "4970100000000007",
            "49701000000",
            "49701000000000060000",
            "4970a00000000006",
        ] {
            let error = CardNumber::parse(bad).unwrap_err();
            assert_eq!(error.field, NUMBER_FIELD, "{bad}");
        }
    }

    #[test]
    fn errors_never_repeat_the_digits() {
        let error = CardNumber::parse("4970100000000007")
            .unwrap_err()
            .to_string();
        assert!(
            !error.contains("4970100000000007") && !error.contains("497010"),
            "{error}"
        );
        let error = Cvv::parse("12a", CardBrand::Visa).unwrap_err().to_string();
        assert!(!error.contains("12a"), "{error}");
    }

    #[test]
    fn masking_shows_at_most_six_and_four_and_never_half() {
        let number = CardNumber::parse("4970100000000006").unwrap();
        assert_eq!(number.masked(), "497010XXXXXX0006");
        assert_eq!(
            CardNumber::parse("4970100000000000009").unwrap().masked(),
            "497010XXXXXXXXX0009"
        );
        assert_eq!(
            CardNumber::parse("378282246310005").unwrap().masked(),
            "378XXXXXXXX0005"
        );
        assert_eq!(
            CardNumber::parse("123456789007").unwrap().masked(),
            "12XXXXXX9007"
        );
        // Every length: the digits shown are the number's own, at most 6 + 4, at most half
        // below 16 digits.
        for length in 12..=19 {
            let mut digits: String = "4".repeat(length - 1);
            let check = (0..10)
                .map(|d| format!("{digits}{d}"))
                .find(|n| CardNumber::parse(n).is_ok())
                .unwrap();
            digits = check;
            let masked = CardNumber::parse(&digits).unwrap().masked();
            let shown = masked.chars().filter(|c| *c != 'X').count();
            assert_eq!(masked.len(), length);
            assert!(
                shown <= 10 && (length >= 16 || shown * 2 <= length),
                "{masked}"
            );
            assert!(masked.ends_with(&digits[length - 4..]), "{masked}");
        }
    }

    #[test]
    fn debug_and_display_are_redacted() {
        let card = CardData::parse("4970100000000006", "1228", "737", NOW).unwrap();
        let printed = format!("{card:?} {} {} {}", card.number, card.cvv, card.expiry);
        assert!(
            !printed.contains("4970100000000006") && !printed.contains("737"),
            "{printed}"
        );
        assert!(printed.contains("497010XXXXXX0006"), "{printed}");
        let input = CardInput::new("4970100000000006", "1228", "737");
        let printed = format!("{input:?}");
        assert!(
            !printed.contains("4970100000000006") && !printed.contains("737"),
            "{printed}"
        );
    }

    #[test]
    fn brands() {
        let brand = |n: &str| CardNumber::parse(n).unwrap().brand();
        assert_eq!(brand("4970100000000006"), CardBrand::Visa);
        assert_eq!(brand("5555555555554444"), CardBrand::Mastercard);
        assert_eq!(brand("2223000048400011"), CardBrand::Mastercard);
        assert_eq!(brand("378282246310005"), CardBrand::Amex);
        assert_eq!(brand("6011111111111117"), CardBrand::Other);
    }

    #[test]
    fn card_type_follows_the_contract() {
        assert_eq!(
            card_type(CardCode::Cb, CardBrand::Mastercard).unwrap(),
            CardCode::Cb
        );
        assert_eq!(
            card_type(CardCode::Cb, CardBrand::Other).unwrap(),
            CardCode::Cb
        );
        assert_eq!(
            card_type(CardCode::Visa, CardBrand::Visa).unwrap(),
            CardCode::Visa
        );
        assert_eq!(
            card_type(CardCode::Visa, CardBrand::Mastercard)
                .unwrap_err()
                .field,
            NUMBER_FIELD
        );
        assert!(card_type(CardCode::AncvConnect, CardBrand::Visa).is_err());
    }

    #[test]
    fn expiry_is_valid_through_its_month() {
        assert_eq!(Expiry::parse("1126").unwrap().as_mmyy(), "1126");
        assert_eq!(Expiry::parse("05/28").unwrap().as_mmyy(), "0528");
        assert!(
            !Expiry::parse("1126").unwrap().is_past(NOW),
            "this month is still valid"
        );
        assert!(Expiry::parse("1026").unwrap().is_past(NOW));
        assert!(Expiry::parse("1225").unwrap().is_past(NOW));
        for bad in ["", "1326", "0026", "126", "11-26", "aabb"] {
            assert_eq!(Expiry::parse(bad).unwrap_err().field, EXPIRY_FIELD, "{bad}");
        }
        let past = CardData::parse("4970100000000006", "1025", "123", NOW).unwrap_err();
        assert_eq!(
            (past.field.as_str(), past.rule.as_str()),
            (EXPIRY_FIELD, "the card has expired")
        );
    }

    #[test]
    fn cvv_length_depends_on_the_brand() {
        assert!(Cvv::parse("123", CardBrand::Visa).is_ok());
        assert!(Cvv::parse("1234", CardBrand::Visa).is_err());
        assert!(Cvv::parse("1234", CardBrand::Amex).is_ok());
        assert!(Cvv::parse("123", CardBrand::Amex).is_err());
        let amex = CardData::parse("378282246310005", "1228", "123", NOW).unwrap_err();
        assert_eq!(amex.field, CVV_FIELD);
    }
}
