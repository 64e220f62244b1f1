//! cvgate's card transactions and their operations (captures, resets, refunds). Rows are plain
//! values; the gateway's card payment service owns their meaning (states, balances) and checks
//! them when it reads them. No column can hold a full card number or a security code.

use crate::StoreError;
use domain::clock::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Card transactions and their after-sale operations (`card_transactions`, `card_operations`).
pub struct CardTransactions<'a> {
    conn: &'a mut AnyConnection,
}

/// One card transaction. `version` is what [`CardTransactions::update`] compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardTransactionRow {
    /// Payline-style transaction id (14 digits), also the acquirer's reference.
    pub id: String,
    /// The merchant's id.
    pub merchant_id: String,
    /// The card contract's number.
    pub contract_number: String,
    /// The merchant's order reference.
    pub order_ref: String,
    /// Requested amount, minor units.
    pub amount: i64,
    /// ISO 4217 numeric currency code (978).
    pub currency: i64,
    /// Payline payment action: 100 (authorization) or 101 (authorization + capture).
    pub action: i64,
    /// The web payment session token the attempt belongs to (`None` outside a session).
    pub attempt_group: Option<String>,
    /// 1, 2, … within `attempt_group` (unique there).
    pub attempt_number: Option<i64>,
    /// `PENDING`, `CHALLENGE`, `ACCEPTED` or `REFUSED`.
    pub state: String,
    /// The Payline code of the final authorization outcome (five digits).
    pub return_code: Option<String>,
    /// The masked card number (`497010XXXXXX0006`); never the full number.
    pub masked_number: String,
    /// Payline card type (`CB`, `VISA`, …).
    pub card_type: String,
    /// Card expiry, `MMYY`.
    pub expiry: String,
    /// The acquirer's opaque token standing for the card, once accepted.
    pub card_token: Option<String>,
    /// The acquirer's authorization number, once accepted.
    pub authorization_number: Option<String>,
    /// How 3-D Secure went: `FRICTIONLESS` or `CHALLENGE`.
    pub three_ds: Option<String>,
    /// The acquirer's reference of the 3-D Secure challenge, while one is asked.
    pub challenge_ref: Option<String>,
    /// Where to send the buyer for the 3-D Secure challenge.
    pub challenge_url: Option<String>,
    /// Amount authorized, minor units (0 until accepted).
    pub authorized_amount: i64,
    /// Amount captured, minor units (0 before the capture of an action-100 authorization).
    pub captured_amount: i64,
    /// Amount reset (cancelled before remittance), minor units.
    pub reset_amount: i64,
    /// Amount remitted to the merchant, minor units (0 before remittance).
    pub remitted_amount: i64,
    /// Total refunded after remittance, minor units.
    pub refunded_amount: i64,
    /// When the authorization was granted (the 7 days to capture start here).
    pub authorized_at: Option<Timestamp>,
    /// When the transaction was remitted; `None` before.
    pub remitted_at: Option<Timestamp>,
    /// Optimistic concurrency: [`CardTransactions::update`] writes only on this version.
    pub version: i64,
    /// When the transaction was recorded (before calling the acquirer).
    pub created_at: Timestamp,
    /// When the row last changed.
    pub updated_at: Timestamp,
}

/// One capture, reset or refund of a card transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardOperationRow {
    /// The operation's own Payline transaction id.
    pub id: String,
    /// The card transaction it applies to.
    pub transaction_id: String,
    /// 1, 2, … per transaction.
    pub position: i64,
    /// `CAPTURE`, `RESET` or `REFUND`.
    pub kind: String,
    /// Amount captured, reset or refunded, minor units.
    pub amount: i64,
    /// `PENDING`, `DONE` or `FAILED`.
    pub state: String,
    /// The Payline code of the outcome, once known.
    pub return_code: Option<String>,
    /// The merchant request that made it (merchant, operation, transaction, sequenceNumber).
    pub request_key: Option<String>,
    /// `MERCHANT`, or `GATEWAY` when cvgate gives back a payment no session counts on.
    pub initiator: String,
    /// When the operation was recorded (before calling the acquirer).
    pub created_at: Timestamp,
    /// When the row last changed.
    pub updated_at: Timestamp,
}

pub(super) const SELECT: &str = "SELECT id, merchant_id, contract_number, order_ref, amount, currency, action, attempt_group,
    attempt_number, state, return_code, masked_number, card_type, expiry, card_token, authorization_number, three_ds,
    challenge_ref, challenge_url, authorized_amount, captured_amount, reset_amount, remitted_amount, refunded_amount,
    authorized_at, remitted_at, version, created_at, updated_at FROM card_transactions";

pub(super) const SELECT_OPERATION: &str =
    "SELECT id, transaction_id, position, kind, amount, state, return_code, request_key,
    initiator, created_at, updated_at FROM card_operations";

impl<'a> CardTransactions<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        CardTransactions { conn }
    }

    /// Fails with [`StoreError::Conflict`] when the id, or the attempt number in its group, is
    /// taken.
    pub async fn insert(&mut self, row: &CardTransactionRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO card_transactions (id, merchant_id, contract_number, order_ref, amount, currency, action,
                attempt_group, attempt_number, state, return_code, masked_number, card_type, expiry, card_token,
                authorization_number, three_ds, challenge_ref, challenge_url, authorized_amount, captured_amount,
                reset_amount, remitted_amount, refunded_amount, authorized_at, remitted_at, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22, $23, $24, $25, $26, $27, $28, $29)",
        )
        .bind(&row.id)
        .bind(&row.merchant_id)
        .bind(&row.contract_number)
        .bind(&row.order_ref)
        .bind(row.amount)
        .bind(row.currency)
        .bind(row.action)
        .bind(row.attempt_group.as_deref())
        .bind(row.attempt_number)
        .bind(&row.state)
        .bind(row.return_code.as_deref())
        .bind(&row.masked_number)
        .bind(&row.card_type)
        .bind(&row.expiry)
        .bind(row.card_token.as_deref())
        .bind(row.authorization_number.as_deref())
        .bind(row.three_ds.as_deref())
        .bind(row.challenge_ref.as_deref())
        .bind(row.challenge_url.as_deref())
        .bind(row.authorized_amount)
        .bind(row.captured_amount)
        .bind(row.reset_amount)
        .bind(row.remitted_amount)
        .bind(row.refunded_amount)
        .bind(row.authorized_at.map(Timestamp::millis))
        .bind(row.remitted_at.map(Timestamp::millis))
        .bind(row.version)
        .bind(row.created_at.millis())
        .bind(row.updated_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The transaction with this id.
    pub async fn find(&mut self, id: &str) -> Result<Option<CardTransactionRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    /// The transaction waiting on the 3-D Secure challenge with this reference.
    pub async fn find_by_challenge(
        &mut self,
        challenge_ref: &str,
    ) -> Result<Option<CardTransactionRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE challenge_ref = $1"
        )))
        .bind(challenge_ref)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    /// The attempts of one web payment session, first attempt first.
    pub async fn attempts(&mut self, group: &str) -> Result<Vec<CardTransactionRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE attempt_group = $1 ORDER BY attempt_number"
        )))
        .bind(group)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(transaction_from_row).collect()
    }

    /// Accepted transactions with a captured amount not remitted yet, oldest first.
    pub async fn to_remit(&mut self, limit: i64) -> Result<Vec<CardTransactionRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE remitted_at IS NULL AND captured_amount > 0 AND captured_amount > reset_amount
               AND state = 'ACCEPTED' ORDER BY created_at, id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(transaction_from_row).collect()
    }

    /// Writes what can change after insertion, only if the stored row is still at
    /// `row.version`; the stored version then grows by one. False when someone else wrote first.
    pub async fn update(&mut self, row: &CardTransactionRow) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE card_transactions SET state = $1, return_code = $2, card_token = $3, authorization_number = $4,
                three_ds = $5, challenge_ref = $6, challenge_url = $7, authorized_amount = $8, captured_amount = $9,
                reset_amount = $10, remitted_amount = $11, refunded_amount = $12, authorized_at = $13,
                remitted_at = $14, updated_at = $15, version = version + 1
             WHERE id = $16 AND version = $17",
        )
        .bind(&row.state)
        .bind(row.return_code.as_deref())
        .bind(row.card_token.as_deref())
        .bind(row.authorization_number.as_deref())
        .bind(row.three_ds.as_deref())
        .bind(row.challenge_ref.as_deref())
        .bind(row.challenge_url.as_deref())
        .bind(row.authorized_amount)
        .bind(row.captured_amount)
        .bind(row.reset_amount)
        .bind(row.remitted_amount)
        .bind(row.refunded_amount)
        .bind(row.authorized_at.map(Timestamp::millis))
        .bind(row.remitted_at.map(Timestamp::millis))
        .bind(row.updated_at.millis())
        .bind(&row.id)
        .bind(row.version)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Fails with [`StoreError::Conflict`] when the position is taken (a concurrent operation).
    pub async fn insert_operation(&mut self, row: &CardOperationRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO card_operations (id, transaction_id, position, kind, amount, state, return_code, request_key,
                initiator, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&row.id)
        .bind(&row.transaction_id)
        .bind(row.position)
        .bind(&row.kind)
        .bind(row.amount)
        .bind(&row.state)
        .bind(row.return_code.as_deref())
        .bind(row.request_key.as_deref())
        .bind(&row.initiator)
        .bind(row.created_at.millis())
        .bind(row.updated_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The operation a merchant request made, if it made one.
    pub async fn operation_by_request(
        &mut self,
        request_key: &str,
    ) -> Result<Option<CardOperationRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_OPERATION} WHERE request_key = $1"
        )))
        .bind(request_key)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(operation_from_row).transpose()
    }

    /// The operation with this id.
    pub async fn find_operation(
        &mut self,
        id: &str,
    ) -> Result<Option<CardOperationRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_OPERATION} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(operation_from_row).transpose()
    }

    /// The operations of a transaction, in the order they were asked for.
    pub async fn operations(
        &mut self,
        transaction_id: &str,
    ) -> Result<Vec<CardOperationRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_OPERATION} WHERE transaction_id = $1 ORDER BY position"
        )))
        .bind(transaction_id)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(operation_from_row).collect()
    }

    /// Finishes an operation still in `expected` state. False when it had moved already.
    pub async fn update_operation_from(
        &mut self,
        expected: &str,
        row: &CardOperationRow,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE card_operations SET state = $1, return_code = $2, updated_at = $3 WHERE id = $4 AND state = $5",
        )
        .bind(&row.state)
        .bind(row.return_code.as_deref())
        .bind(row.updated_at.millis())
        .bind(&row.id)
        .bind(expected)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

pub(super) fn transaction_from_row(row: &AnyRow) -> Result<CardTransactionRow, StoreError> {
    let timestamp = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp))
    };
    Ok(CardTransactionRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        contract_number: row.try_get("contract_number")?,
        order_ref: row.try_get("order_ref")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        action: row.try_get("action")?,
        attempt_group: row.try_get("attempt_group")?,
        attempt_number: row.try_get("attempt_number")?,
        state: row.try_get("state")?,
        return_code: row.try_get("return_code")?,
        masked_number: row.try_get("masked_number")?,
        card_type: row.try_get("card_type")?,
        expiry: row.try_get("expiry")?,
        card_token: row.try_get("card_token")?,
        authorization_number: row.try_get("authorization_number")?,
        three_ds: row.try_get("three_ds")?,
        challenge_ref: row.try_get("challenge_ref")?,
        challenge_url: row.try_get("challenge_url")?,
        authorized_amount: row.try_get("authorized_amount")?,
        captured_amount: row.try_get("captured_amount")?,
        reset_amount: row.try_get("reset_amount")?,
        remitted_amount: row.try_get("remitted_amount")?,
        refunded_amount: row.try_get("refunded_amount")?,
        authorized_at: timestamp("authorized_at")?,
        remitted_at: timestamp("remitted_at")?,
        version: row.try_get("version")?,
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
    })
}

pub(super) fn operation_from_row(row: &AnyRow) -> Result<CardOperationRow, StoreError> {
    Ok(CardOperationRow {
        id: row.try_get("id")?,
        transaction_id: row.try_get("transaction_id")?,
        position: row.try_get("position")?,
        kind: row.try_get("kind")?,
        amount: row.try_get("amount")?,
        state: row.try_get("state")?,
        return_code: row.try_get("return_code")?,
        request_key: row.try_get("request_key")?,
        initiator: row.try_get("initiator")?,
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
    })
}
