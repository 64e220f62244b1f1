//! Seeded randomness: the simulation's decisions, and the random sources injected into cvgate and
//! the sandboxes (ids, tokens, authorization numbers), all drawn from one seed so that a run
//! replays exactly.

use domain::random::Random;
use std::sync::Mutex;

/// SplitMix64: small, fast, and good enough to drive a simulation (not for secrets).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream that starts from `seed` (the same seed, the same draws).
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next raw draw, every other method's source.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from(high - low).unwrap_or(0) + 1;
        low + i64::try_from(self.below(span)).unwrap_or(0)
    }

    /// True `per_mille` times in a thousand.
    pub fn chance(&mut self, per_mille: u32) -> bool {
        self.below(1000) < u64::from(per_mille)
    }

    /// One of `choices`, each with its weight.
    pub fn weighted<T: Copy>(&mut self, choices: &[(u32, T)]) -> T {
        let total: u64 = choices.iter().map(|(weight, _)| u64::from(*weight)).sum();
        let mut draw = self.below(total);
        for (weight, choice) in choices {
            if draw < u64::from(*weight) {
                return *choice;
            }
            draw -= u64::from(*weight);
        }
        choices[choices.len() - 1].1
    }

    /// A new independent stream (for another part of the world).
    pub fn fork(&mut self) -> Rng {
        Rng::new(self.next_u64())
    }
}

/// A [`Random`] for cvgate and the sandboxes, from a seed.
pub struct SeededRandom(Mutex<Rng>);

impl SeededRandom {
    /// Draws its bytes from `rng` (usually a fork of the run's stream).
    pub fn new(rng: Rng) -> SeededRandom {
        SeededRandom(Mutex::new(rng))
    }
}

impl Random for SeededRandom {
    fn fill(&self, bytes: &mut [u8]) {
        let mut rng = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for chunk in bytes.chunks_mut(8) {
            let word = rng.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_replays_and_weights_are_honoured() {
        let draws = |seed| {
            let mut rng = Rng::new(seed);
            (0..5).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draws(7), draws(7));
        assert_ne!(draws(7), draws(8));
        let mut rng = Rng::new(1);
        let picks: Vec<char> = (0..1000)
            .map(|_| rng.weighted(&[(0, 'a'), (1, 'b')]))
            .collect();
        assert!(
            picks.iter().all(|c| *c == 'b'),
            "a weight of 0 is never picked"
        );
        assert!((0..1000).all(|_| (3..=5).contains(&rng.between(3, 5))));
    }
}
