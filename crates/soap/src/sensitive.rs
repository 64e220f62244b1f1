//! Request text that must never be printed or logged: a card number, a CVV.

use std::fmt;

/// `Debug` prints `***`; there is no `Display`, `Clone` or serialisation, so the value leaves only
/// through an explicit [`Sensitive::expose`].
#[derive(PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    /// Wraps a value read from a request.
    pub(crate) fn new(value: impl Into<String>) -> Sensitive {
        Sensitive(value.into())
    }

    /// The value, for the one call that needs it. Never log, store or echo it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sensitive(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Sensitive::new("4970100000000006");
        assert_eq!(
            format!("{secret:?} {:#?}", Some(&secret))
                .matches("4970")
                .count(),
            0
        );
        assert_eq!(secret.expose(), "4970100000000006");
    }
}
