//! Merchant access keys: random, shown once, stored only as a keyed hash, compared in constant time.
//!
//! The keys are long random strings (≈143 bits), so a fast keyed hash (HMAC-SHA256 under a
//! per-deployment secret) is the right tool; a slow password hash would add nothing but latency.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `length` characters of base 62 drawn from uniformly random bytes (rejection sampling keeps
/// every character equally likely).
pub(crate) fn base62(length: usize, mut random_byte: impl FnMut() -> u8) -> String {
    let mut text = String::with_capacity(length);
    while text.len() < length {
        let byte = random_byte();
        // 248 = 4 × 62: bytes above it would favour the first characters.
        if byte < 248 {
            text.push(ALPHABET[usize::from(byte % 62)] as char);
        }
    }
    text
}

/// A merchant's access key in clear. Exists only between generation and display, or while
/// checking a request; never logged (its `Debug` is redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey(String);

impl AccessKey {
    /// 24 characters of base 62: about 143 bits of randomness.
    pub const LENGTH: usize = 24;

    /// Draws a key from a source of uniformly random bytes (rejection sampling keeps every
    /// character equally likely).
    pub fn generate(random_byte: impl FnMut() -> u8) -> AccessKey {
        AccessKey(base62(Self::LENGTH, random_byte))
    }

    /// Wraps a key as presented by a caller (e.g. Payline's HTTP Basic password), for checking it.
    pub fn from_clear(value: &str) -> AccessKey {
        AccessKey(value.to_owned())
    }

    /// The key in clear, for showing it to its owner once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKey(<redacted>)")
    }
}

/// What the database keeps instead of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyHash(String);

impl AccessKeyHash {
    const PREFIX: &'static str = "hmac-sha256:";

    /// Wraps a hash read back from the database (`hmac-sha256:` followed by 64 hex digits).
    pub fn from_stored(value: String) -> AccessKeyHash {
        AccessKeyHash(value)
    }

    /// The stored form, `hmac-sha256:<hex>`, as written to the database.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Hashes and checks access keys under the deployment's secret.
#[derive(Clone)]
pub struct AccessKeyHasher {
    secret: Vec<u8>,
}

impl AccessKeyHasher {
    /// A hasher keyed by the deployment's server secret (any length; HMAC accepts all).
    pub fn new(secret: &[u8]) -> AccessKeyHasher {
        AccessKeyHasher {
            secret: secret.to_vec(),
        }
    }

    fn mac(&self, key: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.secret)
            .expect("HMAC accepts keys of any length");
        mac.update(key.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// What to store for a key: its HMAC-SHA256 under the secret, hex-encoded and prefixed.
    pub fn hash(&self, key: &AccessKey) -> AccessKeyHash {
        AccessKeyHash(format!(
            "{}{}",
            AccessKeyHash::PREFIX,
            hex::encode(self.mac(&key.0))
        ))
    }

    /// Constant-time check of a presented key against a stored hash.
    pub fn verify(&self, presented: &AccessKey, stored: &AccessKeyHash) -> bool {
        let Some(stored_hex) = stored.0.strip_prefix(AccessKeyHash::PREFIX) else {
            return false;
        };
        let Ok(stored_mac) = hex::decode(stored_hex) else {
            return false;
        };
        bool::from(self.mac(&presented.0).as_slice().ct_eq(&stored_mac))
    }
}

impl fmt::Debug for AccessKeyHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessKeyHasher(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter_bytes() -> impl FnMut() -> u8 {
        let mut next = 0u8;
        move || {
            next = next.wrapping_add(37);
            next
        }
    }

    #[test]
    fn keys_are_24_alphanumeric_characters() {
        let key = AccessKey::generate(counter_bytes());
        assert_eq!(key.expose().len(), AccessKey::LENGTH);
        assert!(key.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
    }

    #[test]
    fn bytes_from_248_up_are_rejected() {
        let mut bytes = [255u8, 250, 248, 0].into_iter().cycle();
        let key = AccessKey::generate(|| bytes.next().unwrap());
        assert_eq!(key.expose(), "A".repeat(24));
    }

    #[test]
    fn hash_verifies_only_the_right_key_under_the_right_secret() {
        let hasher = AccessKeyHasher::new(b"deployment secret");
        let key = AccessKey::generate(counter_bytes());
        let hash = hasher.hash(&key);
        assert!(!hash.as_str().contains(key.expose()));
        assert!(hasher.verify(&key, &hash));
        assert!(!hasher.verify(&AccessKey::from_clear("wrong"), &hash));
        assert!(!AccessKeyHasher::new(b"other secret").verify(&key, &hash));
        assert!(!hasher.verify(&key, &AccessKeyHash::from_stored("garbage".into())));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = AccessKey::from_clear("SuperSecretValue");
        assert!(!format!("{key:?}").contains("SuperSecret"));
    }
}
