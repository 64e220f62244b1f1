//! The card data of authorizations waiting for a 3-D Secure challenge, in process memory only,
//! keyed by the opaque challenge reference.
//!
//! Homologation-only limitation: the ACS must be answered by the same process that took the
//! authorization request (one instance, or sticky routing of `/sandbox/acs`), and a restart
//! forgets the pending challenges; such a challenge then ends as 03003 (authentication failed).
//! Nothing here ever reaches the disk, a log or a response.

use domain::card::CardData;
use domain::clock::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct Vault {
    entries: Mutex<HashMap<String, Entry>>,
}

struct Entry {
    card: CardData,
    expires_at: Timestamp,
}

impl Vault {
    /// Keeps `card` until `expires_at` (expired entries are dropped on every insertion).
    pub fn put(&self, challenge_ref: &str, card: CardData, now: Timestamp, expires_at: Timestamp) {
        let mut entries = self.lock();
        entries.retain(|_, entry| entry.expires_at > now);
        entries.insert(challenge_ref.to_owned(), Entry { card, expires_at });
    }

    /// Removes and returns the card, if still there and not expired.
    pub fn take(&self, challenge_ref: &str, now: Timestamp) -> Option<CardData> {
        let entry = self.lock().remove(challenge_ref)?;
        (entry.expires_at > now).then_some(entry.card)
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the lock leaves the map usable: entries are independent.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_taken_once_and_expire() {
        let vault = Vault::default();
        let card = || CardData::parse("4970100000000014", "1230", "123", Timestamp(0)).unwrap();
        vault.put("a", card(), Timestamp(0), Timestamp(100));
        assert!(vault.take("a", Timestamp(50)).is_some());
        assert!(vault.take("a", Timestamp(50)).is_none(), "taken once");
        vault.put("b", card(), Timestamp(0), Timestamp(100));
        assert!(vault.take("b", Timestamp(100)).is_none(), "expired");
        vault.put("c", card(), Timestamp(0), Timestamp(100));
        vault.put("d", card(), Timestamp(200), Timestamp(300));
        assert_eq!(vault.len(), 1, "expired entries are dropped");
    }
}
