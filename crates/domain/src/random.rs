//! Randomness is injected, like time ([`crate::clock`]), so that tests and simulations can replay a run.

use std::sync::Arc;

/// A source of random bytes; the production one is [`OsRandom`], tests inject a seeded one.
pub trait Random: Send + Sync {
    /// Fills `bytes` with random bytes.
    fn fill(&self, bytes: &mut [u8]);

    /// A random `u64` built from 8 bytes of [`Random::fill`] (little-endian).
    fn next_u64(&self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    /// `byte_count` random bytes as lowercase hex (twice as many characters), for tokens and ids.
    fn hex(&self, byte_count: usize) -> String {
        let mut bytes = vec![0u8; byte_count];
        self.fill(&mut bytes);
        hex::encode(bytes)
    }
}

/// The operating system's cryptographic random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, bytes: &mut [u8]) {
        // Without OS randomness no key can be made safely: stopping is the only right answer.
        getrandom::fill(bytes).expect("the operating system's random source is available");
    }
}

/// The random source shared by services, cheap to clone.
pub type SharedRandom = Arc<dyn Random>;
