//! The app page's session: a cookie the server signs and keeps nothing of. It says who is signed
//! in (the ANCV id — never the secret code), carries a random nonce from which the CSRF token is
//! derived, and ends at a time of the injected clock.
//!
//! Cookie value: `<beneficiary id or ->.<nonce>.<expiry millis>.<HMAC-SHA256 hex>`. The key is
//! drawn from the injected random source when the sandbox starts: a restart signs everyone out,
//! and two sandbox instances do not share sessions.

use crate::rules::is_ancv_id;
use domain::clock::Timestamp;
use domain::random::Random;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// How long a session lasts from its creation (signed in or not): enough to try a flow, short
/// enough to bound a cookie left behind.
pub(crate) const SESSION_TTL_MS: i64 = 60 * 60 * 1000;

const NONCE_BYTES: usize = 16;
const ANONYMOUS: &str = "-";

/// Signs the session cookies and derives the CSRF tokens. `Debug` never shows it.
pub(crate) struct SessionKey([u8; 32]);

impl SessionKey {
    pub(crate) fn generate(random: &dyn Random) -> SessionKey {
        let mut key = [0u8; 32];
        random.fill(&mut key);
        SessionKey(key)
    }

    /// The MAC of `parts` for one `purpose` (so a cookie MAC can never serve as a CSRF token).
    fn mac(&self, purpose: &str, parts: &[&str]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length");
        mac.update(purpose.as_bytes());
        for part in parts {
            mac.update(b"\0");
            mac.update(part.as_bytes());
        }
        mac
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    beneficiary: Option<String>,
    nonce: String,
    expires: Timestamp,
}

impl Session {
    /// A visitor not signed in yet (the sign-in form needs a CSRF token too).
    pub(crate) fn anonymous(random: &dyn Random, now: Timestamp) -> Session {
        Session::start(random, None, now)
    }

    /// A fresh session for `beneficiary_id`: a new nonce, so a token seen before sign-in is
    /// worthless after it.
    pub(crate) fn signed_in(random: &dyn Random, beneficiary_id: &str, now: Timestamp) -> Session {
        Session::start(random, Some(beneficiary_id.to_owned()), now)
    }

    fn start(random: &dyn Random, beneficiary: Option<String>, now: Timestamp) -> Session {
        Session {
            beneficiary,
            nonce: random.hex(NONCE_BYTES),
            expires: now.plus_millis(SESSION_TTL_MS),
        }
    }

    pub(crate) fn beneficiary(&self) -> Option<&str> {
        self.beneficiary.as_deref()
    }

    pub(crate) fn encode(&self, key: &SessionKey) -> String {
        let who = self.beneficiary.as_deref().unwrap_or(ANONYMOUS);
        let expires = self.expires.millis().to_string();
        let mac = key.mac("session", &[who, &self.nonce, &expires]);
        format!(
            "{who}.{}.{expires}.{}",
            self.nonce,
            hex::encode(mac.finalize().into_bytes())
        )
    }

    /// The session a cookie value carries, when its MAC verifies and it has not ended.
    pub(crate) fn decode(value: &str, key: &SessionKey, now: Timestamp) -> Option<Session> {
        let mut parts = value.split('.');
        let (who, nonce, expires, mac) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let mac = hex::decode(mac).ok()?;
        // `verify_slice` compares in constant time.
        key.mac("session", &[who, nonce, expires])
            .verify_slice(&mac)
            .ok()?;
        let expires = Timestamp(expires.parse().ok()?);
        let beneficiary = match who {
            ANONYMOUS => None,
            id if is_ancv_id(id) => Some(id.to_owned()),
            _ => return None,
        };
        (now < expires).then(|| Session {
            beneficiary,
            nonce: nonce.to_owned(),
            expires,
        })
    }

    /// The token every form of this session carries.
    pub(crate) fn csrf_token(&self, key: &SessionKey) -> String {
        hex::encode(key.mac("csrf", &[&self.nonce]).finalize().into_bytes())
    }

    /// Whether `presented` is this session's token, compared in constant time.
    pub(crate) fn csrf_matches(&self, key: &SessionKey, presented: &str) -> bool {
        let expected = self.csrf_token(key);
        bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::random::OsRandom;

    const NOW: Timestamp = Timestamp(1_795_774_530_123);

    #[test]
    fn a_cookie_round_trips_only_under_its_key_and_before_its_end() {
        let key = SessionKey::generate(&OsRandom);
        let session = Session::signed_in(&OsRandom, "10000000001", NOW);
        let cookie = session.encode(&key);
        assert!(cookie.starts_with("10000000001."));
        assert_eq!(Session::decode(&cookie, &key, NOW), Some(session.clone()));
        let end = NOW.plus_millis(SESSION_TTL_MS);
        assert_eq!(Session::decode(&cookie, &key, end), None);
        let other_key = SessionKey::generate(&OsRandom);
        assert_eq!(Session::decode(&cookie, &other_key, NOW), None);
        // Anyone else's id, a later end or a cut value: the MAC no longer verifies.
        let forged = cookie.replacen("10000000001", "10000000002", 1);
        assert_eq!(Session::decode(&forged, &key, NOW), None);
        let (head, mac) = cookie.rsplit_once('.').unwrap();
        let (who_nonce, expiry) = head.rsplit_once('.').unwrap();
        let later = format!("{who_nonce}.{}.{mac}", expiry.parse::<i64>().unwrap() + 1);
        assert_eq!(Session::decode(&later, &key, NOW), None);
        for broken in ["", "a.b.c", &format!("{cookie}.x"), head] {
            assert_eq!(Session::decode(broken, &key, NOW), None, "{broken}");
        }
        let anonymous = Session::anonymous(&OsRandom, NOW);
        let decoded = Session::decode(&anonymous.encode(&key), &key, NOW).unwrap();
        assert_eq!(decoded.beneficiary(), None);
        assert_eq!(format!("{key:?}"), "SessionKey(<redacted>)");
    }

    #[test]
    fn csrf_tokens_belong_to_one_session() {
        let key = SessionKey::generate(&OsRandom);
        let before = Session::anonymous(&OsRandom, NOW);
        let after = Session::signed_in(&OsRandom, "10000000001", NOW);
        let token = before.csrf_token(&key);
        assert_eq!(token.len(), 64);
        assert!(before.csrf_matches(&key, &token));
        assert!(!after.csrf_matches(&key, &token));
        assert!(!before.csrf_matches(&key, ""));
        assert!(!before.csrf_matches(&key, &token[..63]));
        // The cookie's MAC is not a token.
        let cookie_mac = before.encode(&key).rsplit('.').next().unwrap().to_owned();
        assert!(!before.csrf_matches(&key, &cookie_mac));
    }
}
