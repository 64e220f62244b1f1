//! What an API call reads before anything else, in one statement: the merchants' configuration
//! version, the failed authentications counted against the caller's address and merchant id,
//! and the merchant's credentials.

use super::merchants::MerchantCredentials;
use crate::StoreError;
use domain::access_key::AccessKeyHash;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::{AnyConnection, Row};

/// Failures counted for one subject: how many, and when their window started.
pub type Failures = Option<(i64, Timestamp)>;

/// What [`ApiAccessReads::read`] found.
#[derive(Debug, Clone)]
pub struct ApiAccessRow {
    /// The merchants' configuration version when the statement ran.
    pub configuration_version: i64,
    /// Failures of the caller's address in the window.
    pub address_failures: Failures,
    /// Failures naming the merchant id in the window.
    pub merchant_failures: Failures,
    /// The merchant's credentials, when it exists.
    pub credentials: Option<MerchantCredentials>,
}

/// The caller a call names.
pub struct Caller<'c> {
    /// The throttle subject of its address.
    pub address_subject: &'c str,
    /// The merchant id it names (a well-formed one) and that id's throttle subject.
    pub merchant: Option<(&'c MerchantId, &'c str)>,
}

/// The one read of an API call's access check.
pub struct ApiAccessReads<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> ApiAccessReads<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        ApiAccessReads { conn }
    }

    /// Reads, in one round trip, what deciding on `caller`'s call needs; failures count only
    /// in windows started at or after `window_from`.
    pub async fn read(
        &mut self,
        caller: &Caller<'_>,
        window_from: Timestamp,
    ) -> Result<ApiAccessRow, StoreError> {
        let (merchant_id, merchant_subject) = caller
            .merchant
            .map_or(("", ""), |(id, subject)| (id.as_str(), subject));
        let rows = sqlx::query(
            "SELECT 'version' AS kind, version AS n, 0 AS since, NULL AS status, NULL AS key_hash
               FROM configuration_version WHERE id = 1
             UNION ALL
             SELECT subject, failures, window_start, NULL, NULL
               FROM sign_in_failures WHERE subject IN ($1, $2) AND window_start >= $3
             UNION ALL
             SELECT 'merchant', 0, 0, status, access_key_hash FROM merchants WHERE id = $4",
        )
        .bind(caller.address_subject)
        .bind(merchant_subject)
        .bind(window_from.millis())
        .bind(merchant_id)
        .fetch_all(&mut *self.conn)
        .await?;
        let mut found = ApiAccessRow {
            configuration_version: 0,
            address_failures: None,
            merchant_failures: None,
            credentials: None,
        };
        for row in rows {
            let kind: String = row.try_get("kind")?;
            let failures = Some((row.try_get("n")?, Timestamp(row.try_get("since")?)));
            match kind.as_str() {
                "version" => found.configuration_version = row.try_get("n")?,
                "merchant" => {
                    found.credentials = Some(MerchantCredentials {
                        status: row
                            .try_get::<String, _>("status")?
                            .parse()
                            .map_err(|e| StoreError::corrupt("merchants", e))?,
                        access_key_hash: AccessKeyHash::from_stored(row.try_get("key_hash")?),
                    });
                }
                subject if subject == caller.address_subject => found.address_failures = failures,
                _ => found.merchant_failures = failures,
            }
        }
        Ok(found)
    }
}
