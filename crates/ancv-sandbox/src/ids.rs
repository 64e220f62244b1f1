//! Identifiers drawn from the injected random source (so a seeded run replays).

use domain::random::Random;

const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A transaction id: 10 lowercase alphanumerics, like ANCV's (`fiawa31zot`).
pub(crate) fn transaction_id(random: &dyn Random) -> String {
    draw(random, ALPHABET, 10)
}

/// An authorization number: 12 digits.
pub(crate) fn authorization_number(random: &dyn Random) -> String {
    draw(random, &ALPHABET[26..], 12)
}

/// `length` symbols of `alphabet`, uniformly (bytes past the last whole multiple are redrawn).
fn draw(random: &dyn Random, alphabet: &[u8], length: usize) -> String {
    let limit = 256 - 256 % alphabet.len();
    let mut out = String::with_capacity(length);
    let mut byte = [0u8; 1];
    while out.len() < length {
        random.fill(&mut byte);
        let value = usize::from(byte[0]);
        if value < limit {
            out.push(char::from(alphabet[value % alphabet.len()]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::random::OsRandom;

    #[test]
    fn shapes() {
        let id = transaction_id(&OsRandom);
        assert_eq!(id.len(), 10);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
        let number = authorization_number(&OsRandom);
        assert_eq!(number.len(), 12);
        assert!(number.bytes().all(|b| b.is_ascii_digit()));
    }
}
