use crate::StoreError;
use domain::clock::Timestamp;
use domain::merchant::MerchantId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// The registry of transaction ids (unique across every kind of transaction).
pub struct TransactionIds<'a> {
    conn: &'a mut AnyConnection,
}

impl<'a> TransactionIds<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        TransactionIds { conn }
    }

    /// Takes `id` for a transaction of `kind`; false when it is already taken.
    pub async fn claim(
        &mut self,
        id: &str,
        kind: &str,
        merchant_id: &MerchantId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO transaction_ids (id, kind, merchant_id, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(kind)
        .bind(merchant_id.as_str())
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The kind of a merchant's transaction (`None`: unknown, or another merchant's).
    pub async fn kind_of(
        &mut self,
        id: &str,
        merchant_id: &MerchantId,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT kind FROM transaction_ids WHERE id = $1 AND merchant_id = $2")
                .bind(id)
                .bind(merchant_id.as_str())
                .fetch_optional(&mut *self.conn)
                .await?;
        Ok(row.map(|row| row.try_get("kind")).transpose()?)
    }
}

impl TransactionIds<'_> {
    /// The payments (ANCV and card) of a merchant's order reference.
    pub async fn payments_of_order(
        &mut self,
        merchant_id: &MerchantId,
        order_ref: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT payment_id AS id, 'ANCV_PAYMENT' AS kind FROM ancv_payments WHERE merchant_id = $1 AND order_ref = $2
             UNION ALL
             SELECT id, 'CARD_PAYMENT' AS kind FROM card_transactions WHERE merchant_id = $1 AND order_ref = $2",
        )
        .bind(merchant_id.as_str())
        .bind(order_ref)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("kind")?)))
            .collect()
    }
}

/// An ANCV refund (cancellation at ANCV) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AncvRefundRow {
    /// The refund's own Payline transaction id (from [`TransactionIds`]).
    pub id: String,
    /// The refunded ANCV payment (`AncvPayment::payment_id`).
    pub payment_id: String,
    /// `REFUND` or `RESET`.
    pub operation: String,
    /// Amount given back, minor units: the whole validated amount (ANCV refunds are full).
    pub amount: i64,
    /// `PENDING`, `DONE`, `FAILED`.
    pub state: String,
    /// The Payline `result.code` of the outcome, once known.
    pub return_code: Option<String>,
    /// ANCV's state or error code, for Payline's `partnerCode`.
    pub partner_code: Option<String>,
    /// The merchant request that made it (merchant, operation, transaction, sequenceNumber).
    pub request_key: Option<String>,
    /// When the refund was recorded (before calling ANCV).
    pub created_at: Timestamp,
    /// When the row last changed.
    pub updated_at: Timestamp,
}

/// Refunds and resets of ANCV payments (`ancv_refunds`).
pub struct AncvRefunds<'a> {
    conn: &'a mut AnyConnection,
}

pub(super) const REFUND_COLUMNS: &str =
    "SELECT id, payment_id, operation, amount, state, return_code, partner_code, request_key,
    created_at, updated_at FROM ancv_refunds";

impl<'a> AncvRefunds<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        AncvRefunds { conn }
    }

    /// Records a PENDING refund; [`StoreError::Conflict`] when the payment already has one that
    /// did not fail (refunds are once).
    pub async fn insert(&mut self, refund: &AncvRefundRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ancv_refunds (id, payment_id, operation, amount, state, return_code, partner_code, request_key,
                created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&refund.id)
        .bind(&refund.payment_id)
        .bind(&refund.operation)
        .bind(refund.amount)
        .bind(&refund.state)
        .bind(refund.return_code.as_deref())
        .bind(refund.partner_code.as_deref())
        .bind(refund.request_key.as_deref())
        .bind(refund.created_at.millis())
        .bind(refund.updated_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Sets the outcome of a PENDING refund.
    pub async fn finish(&mut self, refund: &AncvRefundRow) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE ancv_refunds SET state = $1, return_code = $2, partner_code = $3, updated_at = $4
             WHERE id = $5 AND state = 'PENDING'",
        )
        .bind(&refund.state)
        .bind(refund.return_code.as_deref())
        .bind(refund.partner_code.as_deref())
        .bind(refund.updated_at.millis())
        .bind(&refund.id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The refund with this transaction id.
    pub async fn find(&mut self, id: &str) -> Result<Option<AncvRefundRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REFUND_COLUMNS} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(refund_from_row).transpose()
    }

    /// The refund a merchant request made, if it made one.
    pub async fn by_request(
        &mut self,
        request_key: &str,
    ) -> Result<Option<AncvRefundRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REFUND_COLUMNS} WHERE request_key = $1"
        )))
        .bind(request_key)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(refund_from_row).transpose()
    }

    /// The refunds of a payment, oldest first.
    pub async fn of_payment(&mut self, payment_id: &str) -> Result<Vec<AncvRefundRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REFUND_COLUMNS} WHERE payment_id = $1 ORDER BY created_at, id"
        )))
        .bind(payment_id)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(refund_from_row).collect()
    }
}

pub(super) fn refund_from_row(row: &AnyRow) -> Result<AncvRefundRow, StoreError> {
    Ok(AncvRefundRow {
        id: row.try_get("id")?,
        payment_id: row.try_get("payment_id")?,
        operation: row.try_get("operation")?,
        amount: row.try_get("amount")?,
        state: row.try_get("state")?,
        return_code: row.try_get("return_code")?,
        partner_code: row.try_get("partner_code")?,
        request_key: row.try_get("request_key")?,
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
    })
}

/// First answers of operations called with a sequenceNumber.
pub struct OperationReplays<'a> {
    conn: &'a mut AnyConnection,
}

/// Who asked, for what: the replay key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayKey<'k> {
    /// The calling merchant.
    pub merchant_id: &'k MerchantId,
    /// The Payline operation (`doRefund`, `doReset`, `doCapture`).
    pub operation: &'k str,
    /// The request's `transactionID`.
    pub transaction_id: &'k str,
    /// The request's `sequenceNumber`, as sent.
    pub sequence_number: &'k str,
}

/// What a replay key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReplay {
    /// The first call's answer; `None` while it is still running.
    pub response: Option<String>,
    /// The digest of the first call's request, when its surface records one.
    pub request_digest: Option<String>,
}

impl ReplayKey<'_> {
    /// The key as one string, stored on the operation the request made (the sequence number
    /// comes last, so two different keys never give the same string).
    pub fn request_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.merchant_id, self.operation, self.transaction_id, self.sequence_number
        )
    }
}

impl<'a> OperationReplays<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        OperationReplays { conn }
    }

    /// Claims the key for this call until `until`, recording the request's digest (`None` for a
    /// surface that does not compare requests); false when another call holds it or has
    /// answered. A claim whose holder never finished (its lease is over) is taken over by a call
    /// with the same request.
    pub async fn claim(
        &mut self,
        key: &ReplayKey<'_>,
        request_digest: Option<&str>,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO operation_replays (merchant_id, operation, transaction_id, sequence_number, created_at, claimed_until, request_digest)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(key.merchant_id.as_str())
        .bind(key.operation)
        .bind(key.transaction_id)
        .bind(key.sequence_number)
        .bind(now.millis())
        .bind(until.millis())
        .bind(request_digest)
        .execute(&mut *self.conn)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(true);
        }
        let taken_over = sqlx::query(
            "UPDATE operation_replays SET claimed_until = $1
             WHERE merchant_id = $2 AND operation = $3 AND transaction_id = $4 AND sequence_number = $5
               AND response IS NULL AND (claimed_until IS NULL OR claimed_until <= $6)
               AND (request_digest IS NULL OR CAST($7 AS TEXT) IS NULL OR request_digest = $7)",
        )
        .bind(until.millis())
        .bind(key.merchant_id.as_str())
        .bind(key.operation)
        .bind(key.transaction_id)
        .bind(key.sequence_number)
        .bind(now.millis())
        .bind(request_digest)
        .execute(&mut *self.conn)
        .await?;
        Ok(taken_over.rows_affected() == 1)
    }

    /// What is stored under the key, if anything: the first call's answer once it has one, and
    /// the digest of its request.
    pub async fn stored(
        &mut self,
        key: &ReplayKey<'_>,
    ) -> Result<Option<StoredReplay>, StoreError> {
        let row = sqlx::query(
            "SELECT response, request_digest FROM operation_replays
             WHERE merchant_id = $1 AND operation = $2 AND transaction_id = $3 AND sequence_number = $4",
        )
        .bind(key.merchant_id.as_str())
        .bind(key.operation)
        .bind(key.transaction_id)
        .bind(key.sequence_number)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.map(|row| {
            Ok(StoredReplay {
                response: row.try_get("response")?,
                request_digest: row.try_get("request_digest")?,
            })
        })
        .transpose()
    }

    /// Stores the first call's answer (the response body), replayed to every repeat from now on.
    pub async fn complete(
        &mut self,
        key: &ReplayKey<'_>,
        response: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE operation_replays SET response = $1, completed_at = $2
             WHERE merchant_id = $3 AND operation = $4 AND transaction_id = $5 AND sequence_number = $6",
        )
        .bind(response)
        .bind(at.millis())
        .bind(key.merchant_id.as_str())
        .bind(key.operation)
        .bind(key.transaction_id)
        .bind(key.sequence_number)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Claims whose call never gave a settled answer and was never released (for operators and
    /// the simulation's checks): (merchant, operation, transaction, sequence number).
    pub async fn unfinished(
        &mut self,
    ) -> Result<Vec<(String, String, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT merchant_id, operation, transaction_id, sequence_number FROM operation_replays
             WHERE response IS NULL ORDER BY created_at, transaction_id, sequence_number",
        )
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("merchant_id")?,
                    row.try_get("operation")?,
                    row.try_get("transaction_id")?,
                    row.try_get("sequence_number")?,
                ))
            })
            .collect()
    }

    /// Gives the key up (the first call failed inside cvgate): the next repeat runs again.
    pub async fn release(&mut self, key: &ReplayKey<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "DELETE FROM operation_replays
             WHERE merchant_id = $1 AND operation = $2 AND transaction_id = $3 AND sequence_number = $4 AND response IS NULL",
        )
        .bind(key.merchant_id.as_str())
        .bind(key.operation)
        .bind(key.transaction_id)
        .bind(key.sequence_number)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}
