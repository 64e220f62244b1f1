//! Euros as people type and read them. Amounts are cents (`i64`) everywhere: the typed text is
//! parsed digit by digit, never through a float, so `0,29` is exactly 29 cents.

use crate::app_page::i18n::Lang;

/// Why a typed amount is not an amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AmountError {
    Missing,
    Format,
    /// More than 2 decimals.
    Precision,
}

/// The largest whole-euro part accepted (7 digits), far above any balance, far below overflow.
const MAX_EURO_DIGITS: usize = 7;

/// `25`, `25,5`, `25,50`, `25.50`, `1 000,00`, `25,00 €` → cents. Spaces (also the French
/// non-breaking ones) may group thousands; the decimal separator is `,` or `.`.
pub(crate) fn parse_euros(text: &str) -> Result<i64, AmountError> {
    let compact: String = text
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    if compact.is_empty() {
        return Err(AmountError::Missing);
    }
    let (euros, cents) = match compact.split_once([',', '.']) {
        Some((euros, cents)) => (euros, cents),
        None => (compact.as_str(), "00"),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(euros) || euros.len() > MAX_EURO_DIGITS || !digits(cents) {
        return Err(AmountError::Format);
    }
    if cents.len() > 2 {
        return Err(AmountError::Precision);
    }
    let euros: i64 = euros.parse().map_err(|_| AmountError::Format)?;
    let cents: i64 = format!("{cents:0<2}")
        .parse()
        .map_err(|_| AmountError::Format)?;
    Ok(euros * 100 + cents)
}

/// `2500` → `25,00 €` (French: narrow no-break space between thousands, no-break space before
/// the sign) or `€25.00` (English).
pub(crate) fn format_euros(cents: i64, lang: Lang) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (euros, cents) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
    match lang {
        Lang::Fr => format!("{sign}{},{cents:02}\u{a0}€", grouped(euros, '\u{202f}')),
        Lang::En => format!("{sign}€{}.{cents:02}", grouped(euros, ',')),
    }
}

/// The number with `separator` between groups of three digits.
fn grouped(number: u64, separator: char) -> String {
    let digits = number.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_amounts_become_exact_cents() {
        for (text, cents) in [
            ("25", 2_500),
            ("25,5", 2_550),
            ("25,50", 2_550),
            ("25.05", 2_505),
            ("0,29", 29),
            ("0.1", 10),
            (" 1 000,00 € ", 100_000),
            ("1\u{202f}234,56\u{a0}€", 123_456),
            ("0", 0),
            ("9999999,99", 999_999_999),
        ] {
            assert_eq!(parse_euros(text), Ok(cents), "{text:?}");
        }
    }

    #[test]
    fn malformed_amounts_are_named() {
        assert_eq!(parse_euros("  "), Err(AmountError::Missing));
        assert_eq!(parse_euros("25,001"), Err(AmountError::Precision));
        for text in [
            "abc",
            "-5",
            "+5",
            "25,",
            ",50",
            "1.000,00",
            "1e3",
            "25 50,1,2",
            "10000000",
            "2 5x",
        ] {
            assert_eq!(parse_euros(text), Err(AmountError::Format), "{text:?}");
        }
    }

    #[test]
    fn amounts_read_as_each_language_writes_them() {
        assert_eq!(format_euros(2_500, Lang::Fr), "25,00\u{a0}€");
        assert_eq!(format_euros(2_500, Lang::En), "€25.00");
        assert_eq!(
            format_euros(123_456_789, Lang::Fr),
            "1\u{202f}234\u{202f}567,89\u{a0}€"
        );
        assert_eq!(format_euros(123_456_789, Lang::En), "€1,234,567.89");
        assert_eq!(format_euros(5, Lang::En), "€0.05");
        assert_eq!(format_euros(-30_000, Lang::Fr), "-300,00\u{a0}€");
    }
}
