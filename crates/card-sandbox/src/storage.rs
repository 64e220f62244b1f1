//! The card sandbox's own tables (its migration set, [`MIGRATIONS`]): the ledger — what the
//! simulated acquirer authorized, captured, reset, remitted and refunded, per cvgate transaction
//! reference —, the operations it received, and its fault switches. Rows are plain values; the
//! sandbox owns their meaning.

use domain::clock::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use store::migrations::{MigrationSet, Step};
use store::{Backend, StoreError, UnitOfWork};

/// The card sandbox's schema, applied only when the sandbox runs.
pub const MIGRATIONS: MigrationSet = MigrationSet {
    history_table: "sandbox_card_migrations",
    steps: &[Step {
        version: 1,
        description: "the card sandbox: ledger, operations, faults",
        sql: include_str!("../migrations/0001_card_sandbox.sql"),
    }],
};

/// The ledger's repository, in `uow`.
pub fn ledger(uow: &mut UnitOfWork) -> SandboxCard<'_> {
    let backend = uow.backend();
    SandboxCard::new(uow.connection(), backend)
}

/// The ledger's queries, on one unit of work's connection.
pub struct SandboxCard<'a> {
    conn: &'a mut AnyConnection,
    backend: Backend,
}

/// One row of the ledger (`sandbox_card_transactions`): an authorization request and what
/// became of it. Amounts in minor units, instants in milliseconds since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCardTransaction {
    /// cvgate's transaction id (its payment id).
    pub reference: String,
    /// The merchant's order reference, when the authorization request carried one. Written on
    /// insert only.
    pub order_ref: Option<String>,
    /// The amount asked in the authorization request.
    pub amount: i64,
    /// The ISO 4217 numeric currency code (978 = EUR).
    pub currency: i64,
    /// The Payline action: 100 (authorization) or 101 (authorization and capture).
    pub action: i64,
    /// `CHALLENGE_PENDING`, `DECLINED`, or once accepted a ledger status (`AUTHORIZED`,
    /// `CAPTURED`, `CANCELLED`, `REMITTED`, `REFUNDED`).
    pub state: String,
    /// The decline name (e.g. `DO_NOT_HONOUR`) when `DECLINED`.
    pub decline: Option<String>,
    /// The card number masked: first 6, `X`s, last 4 (`497010XXXXXX0006`).
    pub masked_number: String,
    /// The card's expiry, `MMYY`.
    pub expiry: String,
    /// The opaque token standing for the card, once accepted.
    pub card_token: Option<String>,
    /// The 6-digit authorization number, once accepted.
    pub authorization_number: Option<String>,
    /// `FRICTIONLESS` or `CHALLENGE`, once the authorization is decided.
    pub three_ds: Option<String>,
    /// The 3-D Secure challenge's reference (in the ACS page's URL), when one was started.
    pub challenge_ref: Option<String>,
    /// cvgate's URL the ACS page sends the browser back to, when a challenge was started.
    pub three_ds_return_url: Option<String>,
    /// For a 3-D Secure challenge: what passing it leads to (`ACCEPT` or a decline), decided at
    /// authorization so that the card itself is never kept. Written on insert only.
    pub authenticated_decision: Option<String>,
    /// The amount authorized (0 until accepted).
    pub authorized_amount: i64,
    /// The amount captured (0 before the capture).
    pub captured_amount: i64,
    /// The amount reset since the capture (before it: off the authorization).
    pub reset_amount: i64,
    /// The amount remitted to the merchant (0 before remittance).
    pub remitted_amount: i64,
    /// The total refunded after remittance.
    pub refunded_amount: i64,
    /// When the authorization was granted; `None` until accepted.
    pub authorized_at: Option<Timestamp>,
    /// When the transaction was remitted; `None` before.
    pub remitted_at: Option<Timestamp>,
    /// When the authorization request arrived (a challenge's 10 minutes start here).
    pub created_at: Timestamp,
    /// When the row last changed.
    pub updated_at: Timestamp,
}

/// One capture, reset or refund the sandbox received (`sandbox_card_operations`), kept so that
/// a repeated operation reference gets the first outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCardOperation {
    /// cvgate's operation id: the idempotency key.
    pub reference: String,
    /// cvgate's transaction id the operation applies to.
    pub transaction_reference: String,
    /// `CAPTURE`, `RESET` or `REFUND`.
    pub kind: String,
    /// The amount asked, in minor units; `None` for everything that was left.
    pub requested_amount: Option<i64>,
    /// The amount operated, in minor units; 0 when rejected.
    pub amount: i64,
    /// `DONE` or a rejection name (e.g. `AMOUNT_EXCEEDED`).
    pub outcome: String,
    /// When the operation arrived.
    pub created_at: Timestamp,
}

const SELECT: &str = "SELECT reference, order_ref, amount, currency, action, state, decline, masked_number, expiry, card_token,
    authorization_number, three_ds, challenge_ref, three_ds_return_url, authenticated_decision, authorized_amount,
    captured_amount, reset_amount, remitted_amount, refunded_amount, authorized_at, remitted_at, created_at, updated_at
    FROM sandbox_card_transactions";

impl<'a> SandboxCard<'a> {
    fn new(conn: &'a mut AnyConnection, backend: Backend) -> Self {
        SandboxCard { conn, backend }
    }

    /// A row read to be changed is locked until the unit of work ends on PostgreSQL (SQLite
    /// writers are serialised already).
    fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    /// Fails with [`StoreError::Conflict`] when the reference is known already.
    pub async fn insert_transaction(
        &mut self,
        row: &SandboxCardTransaction,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sandbox_card_transactions (reference, amount, currency, action, state, decline, masked_number,
                expiry, card_token, authorization_number, three_ds, challenge_ref, three_ds_return_url,
                authenticated_decision, authorized_amount, captured_amount, reset_amount, remitted_amount,
                refunded_amount, authorized_at, remitted_at, created_at, updated_at, order_ref)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
                $23, $24)",
        )
        .bind(&row.reference)
        .bind(row.amount)
        .bind(row.currency)
        .bind(row.action)
        .bind(&row.state)
        .bind(row.decline.as_deref())
        .bind(&row.masked_number)
        .bind(&row.expiry)
        .bind(row.card_token.as_deref())
        .bind(row.authorization_number.as_deref())
        .bind(row.three_ds.as_deref())
        .bind(row.challenge_ref.as_deref())
        .bind(row.three_ds_return_url.as_deref())
        .bind(row.authenticated_decision.as_deref())
        .bind(row.authorized_amount)
        .bind(row.captured_amount)
        .bind(row.reset_amount)
        .bind(row.remitted_amount)
        .bind(row.refunded_amount)
        .bind(row.authorized_at.map(Timestamp::millis))
        .bind(row.remitted_at.map(Timestamp::millis))
        .bind(row.created_at.millis())
        .bind(row.updated_at.millis())
        .bind(row.order_ref.as_deref())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The transaction, locked for the rest of the unit of work.
    pub async fn find_transaction(
        &mut self,
        reference: &str,
    ) -> Result<Option<SandboxCardTransaction>, StoreError> {
        let sql = format!("{SELECT} WHERE reference = $1{}", self.for_update());
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(reference)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    /// The transaction waiting for this 3-D Secure challenge, locked.
    pub async fn find_by_challenge(
        &mut self,
        challenge_ref: &str,
    ) -> Result<Option<SandboxCardTransaction>, StoreError> {
        let sql = format!("{SELECT} WHERE challenge_ref = $1{}", self.for_update());
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(challenge_ref)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    /// Every transaction, oldest first (tests, admin).
    pub async fn transactions(&mut self) -> Result<Vec<SandboxCardTransaction>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} ORDER BY created_at, reference"
        )))
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(transaction_from_row).collect()
    }

    /// The references of the transactions in `state`, oldest first.
    pub async fn references_in_state(&mut self, state: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT reference FROM sandbox_card_transactions WHERE state = $1 ORDER BY created_at, reference",
        )
        .bind(state)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|row| Ok(row.try_get("reference")?))
            .collect()
    }

    /// Writes back what can change after insertion (the row is locked by the find).
    pub async fn update_transaction(
        &mut self,
        row: &SandboxCardTransaction,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE sandbox_card_transactions SET state = $1, decline = $2, card_token = $3, authorization_number = $4,
                three_ds = $5, authorized_amount = $6, captured_amount = $7, reset_amount = $8, remitted_amount = $9,
                refunded_amount = $10, authorized_at = $11, remitted_at = $12, updated_at = $13
             WHERE reference = $14",
        )
        .bind(&row.state)
        .bind(row.decline.as_deref())
        .bind(row.card_token.as_deref())
        .bind(row.authorization_number.as_deref())
        .bind(row.three_ds.as_deref())
        .bind(row.authorized_amount)
        .bind(row.captured_amount)
        .bind(row.reset_amount)
        .bind(row.remitted_amount)
        .bind(row.refunded_amount)
        .bind(row.authorized_at.map(Timestamp::millis))
        .bind(row.remitted_at.map(Timestamp::millis))
        .bind(row.updated_at.millis())
        .bind(&row.reference)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Records an operation; fails with [`StoreError::Conflict`] when its reference is known.
    pub async fn insert_operation(&mut self, row: &SandboxCardOperation) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sandbox_card_operations (reference, transaction_reference, kind, requested_amount, amount,
                outcome, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&row.reference)
        .bind(&row.transaction_reference)
        .bind(&row.kind)
        .bind(row.requested_amount)
        .bind(row.amount)
        .bind(&row.outcome)
        .bind(row.created_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The operation with this reference, if it was received before.
    pub async fn find_operation(
        &mut self,
        reference: &str,
    ) -> Result<Option<SandboxCardOperation>, StoreError> {
        let row = sqlx::query(
            "SELECT reference, transaction_reference, kind, requested_amount, amount, outcome, created_at
             FROM sandbox_card_operations WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref()
            .map(|row| {
                Ok(SandboxCardOperation {
                    reference: row.try_get("reference")?,
                    transaction_reference: row.try_get("transaction_reference")?,
                    kind: row.try_get("kind")?,
                    requested_amount: row.try_get("requested_amount")?,
                    amount: row.try_get("amount")?,
                    outcome: row.try_get("outcome")?,
                    created_at: Timestamp(row.try_get("created_at")?),
                })
            })
            .transpose()
    }
}

fn transaction_from_row(row: &AnyRow) -> Result<SandboxCardTransaction, StoreError> {
    let timestamp = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp))
    };
    Ok(SandboxCardTransaction {
        reference: row.try_get("reference")?,
        order_ref: row.try_get("order_ref")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        action: row.try_get("action")?,
        state: row.try_get("state")?,
        decline: row.try_get("decline")?,
        masked_number: row.try_get("masked_number")?,
        expiry: row.try_get("expiry")?,
        card_token: row.try_get("card_token")?,
        authorization_number: row.try_get("authorization_number")?,
        three_ds: row.try_get("three_ds")?,
        challenge_ref: row.try_get("challenge_ref")?,
        three_ds_return_url: row.try_get("three_ds_return_url")?,
        authenticated_decision: row.try_get("authenticated_decision")?,
        authorized_amount: row.try_get("authorized_amount")?,
        captured_amount: row.try_get("captured_amount")?,
        reset_amount: row.try_get("reset_amount")?,
        remitted_amount: row.try_get("remitted_amount")?,
        refunded_amount: row.try_get("refunded_amount")?,
        authorized_at: timestamp("authorized_at")?,
        remitted_at: timestamp("remitted_at")?,
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
    })
}

/// The table of the fault switches (one JSON document: [`store::single_row`]).
pub const FAULTS_TABLE: &str = "sandbox_card_faults";
