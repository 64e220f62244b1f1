//! Secret codes are kept only as a hash. A code is 4 to 12 digits, so the hash is no protection
//! against guessing: it only keeps the codes out of the database dump, which is what a sandbox
//! needs. The comparison is constant-time anyway, as for any credential.

use sha2::{Digest, Sha256};

/// SHA-256 of `beneficiary_id:code`, in hex (the id salts it per account).
pub(crate) fn hash(beneficiary_id: &str, code: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(beneficiary_id.as_bytes());
    digest.update(b":");
    digest.update(code.as_bytes());
    hex::encode(digest.finalize())
}

pub(crate) fn matches(stored_hash: &str, beneficiary_id: &str, code: &str) -> bool {
    let presented = hash(beneficiary_id, code);
    let (a, b) = (stored_hash.as_bytes(), presented.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_code_for_the_right_account_matches() {
        let stored = hash("10000000001", "1234");
        assert!(!stored.contains("1234"));
        assert!(matches(&stored, "10000000001", "1234"));
        assert!(!matches(&stored, "10000000001", "1235"));
        assert!(!matches(&stored, "10000000002", "1234"));
        assert_ne!(stored, hash("10000000002", "1234"));
    }
}
