//! The `ANCV-Security` seal (spec §2): HMAC-SHA256 over the operation's fields joined with `&`,
//! sent as `HmacSHA256.<keyVersion>.<base64url-no-padding(mac)>`.
//!
//! Both sides take the fields from the JSON body itself (see [`Operation::fields`]), so the client
//! that signs and the sandbox that verifies cannot disagree on what was signed — even for a body
//! with a missing field, which signs as `null`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

const SCHEME: &str = "HmacSHA256";

/// A seal key and its version. The key never shows in `Debug` output or logs.
#[derive(Clone)]
pub struct SealKey {
    version: String,
    key: Vec<u8>,
}

/// Why a seal key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSealKey {
    /// The version names the key in the `ANCV-Security` header: it cannot hold `.` or spaces.
    #[error("the seal key version must be non-empty, without '.' or spaces")]
    Version,
    /// An empty key would seal nothing.
    #[error("the seal key must not be empty")]
    EmptyKey,
}

impl SealKey {
    /// The key is used as the UTF-8 bytes of the string (not hex-decoded), as ANCV does.
    pub fn new(version: &str, key: &str) -> Result<SealKey, InvalidSealKey> {
        if version.is_empty() || version.contains('.') || version.chars().any(char::is_whitespace) {
            return Err(InvalidSealKey::Version);
        }
        if key.is_empty() {
            return Err(InvalidSealKey::EmptyKey);
        }
        Ok(SealKey {
            version: version.to_owned(),
            key: key.as_bytes().to_vec(),
        })
    }

    fn mac(&self, signed: &str) -> Vec<u8> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(signed.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// The header value for these fields.
    pub fn seal(&self, fields: &[Option<String>]) -> String {
        format!(
            "{SCHEME}.{}.{}",
            self.version,
            URL_SAFE_NO_PAD.encode(self.mac(&signed_string(fields)))
        )
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SealKey {{ version: {:?}, key: <redacted> }}",
            self.version
        )
    }
}

/// The fields joined with `&`, a missing one written `null`.
pub(crate) fn signed_string(fields: &[Option<String>]) -> String {
    fields
        .iter()
        .map(|field| field.as_deref().unwrap_or("null"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Why a presented `ANCV-Security` header was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// No header at all.
    #[error("the ANCV-Security header is missing")]
    Missing,
    /// Not `HmacSHA256.<version>.<mac>` with a base64url MAC.
    #[error("the ANCV-Security header is not HmacSHA256.<version>.<mac>")]
    Malformed,
    /// The header names a key version the keyring does not hold (the version is given).
    #[error("unknown seal key version {0:?}")]
    UnknownVersion(String),
    /// Well-formed, known version, but the MAC is not the one of these fields.
    #[error("the seal does not match")]
    Mismatch,
}

/// The keys a verifier accepts, chosen by the version in the header (key rotation).
#[derive(Debug, Clone, Default)]
pub struct SealKeyring {
    keys: Vec<SealKey>,
}

impl SealKeyring {
    /// A keyring accepting these keys, each for its own version.
    pub fn new(keys: Vec<SealKey>) -> SealKeyring {
        SealKeyring { keys }
    }

    /// Checks the header (`None`: absent) against these fields, with the key its version names,
    /// comparing MACs in constant time.
    pub fn verify(&self, header: Option<&str>, fields: &[Option<String>]) -> Result<(), SealError> {
        let header = header.ok_or(SealError::Missing)?;
        let mut parts = header.splitn(3, '.');
        let (Some(SCHEME), Some(version), Some(encoded)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(SealError::Malformed);
        };
        let presented = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| SealError::Malformed)?;
        let key = self
            .keys
            .iter()
            .find(|key| key.version == version)
            .ok_or_else(|| SealError::UnknownVersion(version.to_owned()))?;
        let expected = key.mac(&signed_string(fields));
        if bool::from(expected.as_slice().ct_eq(&presented)) {
            Ok(())
        } else {
            Err(SealError::Mismatch)
        }
    }
}

/// The sealed operations and where their fields are in the body (spec §2 table).
#[derive(Debug, Clone, Copy)]
pub enum Operation<'a> {
    /// `create`: `shopId`, `serviceProviderId`, `order.id`, `order.paymentId`,
    /// `order.amount.total`.
    Create,
    /// `payer`: `{id}`, `payer.beneficiaryId`, `payer.amount.total`.
    Payer {
        /// ANCV's transaction id, from the request path.
        id: &'a str,
    },
    /// `status`: `{id}` (the call has no body).
    Status {
        /// ANCV's transaction id, from the request path.
        id: &'a str,
    },
    /// `cancellation`: `{id}`, `reason`.
    Cancellation {
        /// ANCV's transaction id, from the request path.
        id: &'a str,
    },
    /// Sandbox → cvgate: `transaction.id&transaction.state` (Decision, spec §2).
    Notification,
}

impl Operation<'_> {
    /// The fields to seal, in order, read from the JSON body (`Value::Null` when there is none);
    /// a missing field is `None` and signs as `null`.
    pub fn fields(&self, body: &Value) -> Vec<Option<String>> {
        let at = |pointer: &str| field(body, pointer);
        match *self {
            Operation::Create => vec![
                at("/merchant/shopId"),
                at("/merchant/serviceProviderId"),
                at("/order/id"),
                at("/order/paymentId"),
                at("/order/amount/total"),
            ],
            Operation::Payer { id } => vec![
                Some(id.to_owned()),
                at("/payer/beneficiaryId"),
                at("/payer/amount/total"),
            ],
            Operation::Status { id } => vec![Some(id.to_owned())],
            Operation::Cancellation { id } => vec![Some(id.to_owned()), at("/reason")],
            Operation::Notification => vec![at("/transaction/id"), at("/transaction/state")],
        }
    }
}

/// A field as signed: strings as they are, numbers in decimal, anything missing or null as `None`.
fn field(body: &Value, pointer: &str) -> Option<String> {
    match body.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// Hostile 1 MiB notification bodies, read as cvgate's notification endpoint reads them (the
    /// JSON, the sealed fields, the seal), within 50 ms of CPU each.
    #[test]
    fn hostile_notifications_are_checked_within_the_cpu_budget() {
        const MIB: usize = 1 << 20;
        let repeat = |unit: &str| unit.repeat(MIB / unit.len() - 64);
        let bodies = [
            ("deep nesting", repeat("{\"a\":")),
            (
                "long id",
                format!("{{\"transaction\":{{\"id\":\"{}\"}}}}", repeat("x")),
            ),
            (
                "many keys",
                format!("{{{}\"transaction\":{{\"id\":\"t\"}}}}", repeat("\"k\":1,")),
            ),
            (
                "escaped state",
                format!(
                    "{{\"transaction\":{{\"id\":\"t\",\"state\":\"{}\"}}}}",
                    repeat("\\u0041")
                ),
            ),
        ];
        let keyring = SealKeyring::new(vec![
            SealKey::new("ver001", "663768ff68ad8ea6768bbf65163e9b0a").unwrap(),
        ]);
        let seal = format!("{SCHEME}.ver001.{}", "A".repeat(43));
        for (name, body) in bodies {
            testkit::within_cpu_budget(name, 50.0, || {
                if let Ok(json) = serde_json::from_slice::<Value>(body.as_bytes()) {
                    let fields = Operation::Notification.fields(&json);
                    std::hint::black_box(keyring.verify(Some(&seal), &fields).is_ok());
                }
            });
        }
    }

    const TEST_KEY: &str = "663768ff68ad8ea6768bbf65163e9b0a";

    fn key() -> SealKey {
        SealKey::new("ver001", TEST_KEY).unwrap()
    }

    fn parts(signed: &str) -> Vec<Option<String>> {
        signed
            .split('&')
            .map(|p| (p != "null").then(|| p.to_owned()))
            .collect()
    }

    /// The five published vectors (spec §2).
    #[test]
    fn published_test_vectors() {
        let vectors = [
            (
                "10000651&100016&ref-20191105153749&1&2000",
                "HmacSHA256.ver001.9OyiuHfEhpgX9MuG9__FNrxAYWJAuDbjqsK8QCV-76o",
            ),
            (
                "10000651&100016&01&anId&2000",
                "HmacSHA256.ver001.h3ydYgcC5M87jsa8cmwYujFdgDvZA1B_breeKk6WvXQ",
            ),
            (
                "1&null&2000",
                "HmacSHA256.ver001.rEPmG2dZYChUQbfCSNC-x1Gf3pu0SvHwNddtpa5qgkc",
            ),
            (
                "1",
                "HmacSHA256.ver001.kLb8pzzMmTvtJZG91iBg_pdzRwJ-u9xikum8b_SA6XU",
            ),
            (
                "098765432109876543210&OTHER",
                "HmacSHA256.ver001.6U8BKdavNcCO3ywNhIxzdltHJ61dAu3x0wPgq5KmHAw",
            ),
        ];
        let keyring = SealKeyring::new(vec![key()]);
        for (signed, header) in vectors {
            let fields = parts(signed);
            assert_eq!(signed_string(&fields), signed);
            assert_eq!(key().seal(&fields), header, "{signed}");
            assert_eq!(keyring.verify(Some(header), &fields), Ok(()));
        }
    }

    #[test]
    fn fields_come_from_the_body() {
        let create = json!({
            "merchant": {"shopId": 10000651, "serviceProviderId": "100016"},
            "order": {"id": "ref-20191105153749", "paymentId": "1", "amount": {"total": 2000, "currency": 978}}
        });
        assert_eq!(
            signed_string(&Operation::Create.fields(&create)),
            "10000651&100016&ref-20191105153749&1&2000"
        );
        let payer = json!({"payer": {"amount": {"total": 2000}}});
        assert_eq!(
            signed_string(&Operation::Payer { id: "1" }.fields(&payer)),
            "1&null&2000"
        );
        let cancel = json!({"reason": "OTHER"});
        assert_eq!(
            signed_string(
                &Operation::Cancellation {
                    id: "098765432109876543210"
                }
                .fields(&cancel)
            ),
            "098765432109876543210&OTHER"
        );
        let notification = json!({"transaction": {"id": "abc", "state": "PAID"}});
        assert_eq!(
            signed_string(&Operation::Notification.fields(&notification)),
            "abc&PAID"
        );
    }

    #[test]
    fn bad_headers_are_told_apart() {
        let keyring = SealKeyring::new(vec![key()]);
        let fields = parts("1");
        assert_eq!(keyring.verify(None, &fields), Err(SealError::Missing));
        assert_eq!(
            keyring.verify(Some("garbage"), &fields),
            Err(SealError::Malformed)
        );
        assert_eq!(
            keyring.verify(Some("HmacSHA256.ver001.@@@"), &fields),
            Err(SealError::Malformed)
        );
        let other_version = SealKey::new("ver002", TEST_KEY).unwrap().seal(&fields);
        assert_eq!(
            keyring.verify(Some(&other_version), &fields),
            Err(SealError::UnknownVersion("ver002".into()))
        );
        assert!(!format!("{:?}", key()).contains(TEST_KEY));
    }

    #[test]
    fn rotation_accepts_each_known_version() {
        let old = SealKey::new("ver001", "old-key").unwrap();
        let new = SealKey::new("ver002", "new-key").unwrap();
        let keyring = SealKeyring::new(vec![old.clone(), new.clone()]);
        let fields = parts("abc&PAID");
        assert_eq!(keyring.verify(Some(&old.seal(&fields)), &fields), Ok(()));
        assert_eq!(keyring.verify(Some(&new.seal(&fields)), &fields), Ok(()));
    }

    fn field_strategy() -> impl Strategy<Value = Option<String>> {
        proptest::option::of("[a-zA-Z0-9@._-]{0,12}")
    }

    proptest! {
        #[test]
        fn sign_then_verify_holds(fields in proptest::collection::vec(field_strategy(), 1..6), key in "[a-f0-9]{8,40}") {
            let key = SealKey::new("v1", &key).unwrap();
            let header = key.seal(&fields);
            prop_assert_eq!(SealKeyring::new(vec![key]).verify(Some(&header), &fields), Ok(()));
        }

        #[test]
        fn any_change_breaks_the_seal(
            fields in proptest::collection::vec(field_strategy(), 1..6),
            index in 0usize..6,
            replacement in "[a-z0-9]{1,8}",
            key in "[a-f0-9]{8,40}",
            other_key in "[a-f0-9]{8,40}",
        ) {
            let signing = SealKey::new("v1", &key).unwrap();
            let header = signing.seal(&fields);
            // A changed field.
            let mut changed = fields.clone();
            let index = index % changed.len();
            let new_value = Some(format!("{}{}", changed[index].clone().unwrap_or_default(), replacement));
            changed[index] = new_value;
            // (None signs as "null": a replacement spelling "null" would sign the same string.)
            prop_assume!(signed_string(&changed) != signed_string(&fields));
            prop_assert_eq!(SealKeyring::new(vec![signing.clone()]).verify(Some(&header), &changed), Err(SealError::Mismatch));
            // Another key under the same version.
            prop_assume!(other_key != key);
            let other = SealKey::new("v1", &other_key).unwrap();
            prop_assert_eq!(SealKeyring::new(vec![other]).verify(Some(&header), &fields), Err(SealError::Mismatch));
            // Another version.
            let renamed = SealKey::new("v2", &key).unwrap();
            prop_assert_eq!(
                SealKeyring::new(vec![renamed]).verify(Some(&header), &fields),
                Err(SealError::UnknownVersion("v1".into()))
            );
        }
    }
}
