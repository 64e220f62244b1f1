//! The ANCV Connect sandbox's own tables (its migration set, `MIGRATIONS`): shops,
//! beneficiaries, transactions with their state history, notification deliveries and the fault
//! switches. Rows are plain values; the sandbox owns their meaning (states, behaviours) and checks
//! them when it reads them.

use domain::clock::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use store::migrations::{MigrationSet, Step};
use store::{Backend, StoreError, UnitOfWork};

/// The sandbox's schema, applied only when the sandbox runs.
pub(crate) const MIGRATIONS: MigrationSet = MigrationSet {
    history_table: "sandbox_ancv_migrations",
    steps: &[Step {
        version: 1,
        description: "the ANCV sandbox: shops, beneficiaries, transactions, deliveries, faults",
        sql: include_str!("../migrations/0001_ancv_sandbox.sql"),
    }],
};

/// The table of the fault switches (one JSON document: [`store::single_row`]).
pub(crate) const FAULTS_TABLE: &str = "sandbox_ancv_faults";

/// The sandbox's repository, in `uow`.
pub fn tables(uow: &mut UnitOfWork) -> SandboxAncv<'_> {
    let backend = uow.backend();
    SandboxAncv::new(uow.connection(), backend)
}

/// The queries on the sandbox's tables, inside one unit of work (from [`tables`]).
pub struct SandboxAncv<'a> {
    conn: &'a mut AnyConnection,
    backend: Backend,
}

/// A voucher holder. `email` is stored lower-cased; the secret code only as a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SandboxBeneficiary {
    pub beneficiary_id: String,
    pub email: String,
    pub balance: i64,
    pub secret_code_hash: String,
    pub behaviour: String,
    pub created_at: Timestamp,
}

/// A transaction as ANCV holds it. Written whole on insert; [`SandboxAncv::update_transaction`]
/// writes back what can change after creation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SandboxTransaction {
    pub id: String,
    pub shop_id: String,
    pub service_provider_id: String,
    pub order_id: String,
    pub payment_id: String,
    pub label: Option<String>,
    pub amount: i64,
    pub currency: i64,
    pub tspd_mode: String,
    pub capture_mode: String,
    pub capture_date: Option<String>,
    pub capture_at: Option<Timestamp>,
    pub return_url: String,
    pub cancel_url: String,
    pub state: String,
    pub payer_ref: Option<String>,
    pub beneficiary_id: Option<String>,
    pub payer_amount: Option<i64>,
    pub validated_amount: Option<i64>,
    pub authorization_number: Option<String>,
    pub validated_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One state a transaction reached, from its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxEvent {
    /// The ANCV state's name (`INITIALIZED`, `PROCESSING`, …).
    pub state: String,
    /// When it was reached (milliseconds since the Unix epoch, UTC).
    pub at: Timestamp,
}

/// A notification to send: its body is frozen at the state change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewSandboxDelivery {
    pub transaction_id: String,
    pub state: String,
    pub url: String,
    pub body: String,
    /// `pending`, or `dropped` when the drop fault was on.
    pub status: String,
    pub duplicate: bool,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A notification and its delivery so far, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SandboxDelivery {
    pub id: i64,
    pub transaction_id: String,
    pub state: String,
    pub url: String,
    pub body: String,
    /// `pending`, `delivered`, `abandoned` or `dropped`.
    pub status: String,
    pub duplicate: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

const SELECT_BENEFICIARY: &str = "SELECT beneficiary_id, email, balance, secret_code_hash, behaviour, created_at FROM sandbox_ancv_beneficiaries";

const SELECT_TRANSACTION: &str = "SELECT id, shop_id, service_provider_id, order_id, payment_id, label, amount, currency,
    tspd_mode, capture_mode, capture_date, capture_at, return_url, cancel_url, state, payer_ref, beneficiary_id,
    payer_amount, validated_amount, authorization_number, validated_at, cancel_reason, expires_at, created_at, updated_at
    FROM sandbox_ancv_transactions";

const SELECT_DELIVERY: &str =
    "SELECT id, transaction_id, state, url, body, status, duplicate, attempts, last_error,
    next_attempt_at, created_at, finished_at FROM sandbox_ancv_deliveries";

impl<'a> SandboxAncv<'a> {
    fn new(conn: &'a mut AnyConnection, backend: Backend) -> Self {
        SandboxAncv { conn, backend }
    }

    /// A transaction is read to be changed: PostgreSQL locks the row until the unit of work ends
    /// (SQLite writers are serialised already).
    fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    // --- shops ---

    /// False when the shop already existed.
    pub(crate) async fn insert_shop(
        &mut self,
        shop_id: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO sandbox_ancv_shops (shop_id, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(shop_id)
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn shop_exists(&mut self, shop_id: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT shop_id FROM sandbox_ancv_shops WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_optional(&mut *self.conn)
            .await?;
        Ok(row.is_some())
    }

    // --- beneficiaries ---

    /// Inserts unless the id or the e-mail is taken (then false, and nothing changes: a balance
    /// is never reset this way).
    pub(crate) async fn insert_beneficiary(
        &mut self,
        beneficiary: &SandboxBeneficiary,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO sandbox_ancv_beneficiaries (beneficiary_id, email, balance, secret_code_hash, behaviour, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&beneficiary.beneficiary_id)
        .bind(&beneficiary.email)
        .bind(beneficiary.balance)
        .bind(&beneficiary.secret_code_hash)
        .bind(&beneficiary.behaviour)
        .bind(beneficiary.created_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(crate) async fn find_beneficiary(
        &mut self,
        beneficiary_id: &str,
    ) -> Result<Option<SandboxBeneficiary>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_BENEFICIARY} WHERE beneficiary_id = $1"
        )))
        .bind(beneficiary_id)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(beneficiary_from_row).transpose()
    }

    /// By e-mail, already lower-cased by the caller.
    pub(crate) async fn find_beneficiary_by_email(
        &mut self,
        email: &str,
    ) -> Result<Option<SandboxBeneficiary>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_BENEFICIARY} WHERE email = $1"
        )))
        .bind(email)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(beneficiary_from_row).transpose()
    }

    /// Takes `amount` from the balance; false (and nothing changes) when the balance is lower.
    pub(crate) async fn debit_balance(
        &mut self,
        beneficiary_id: &str,
        amount: i64,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sandbox_ancv_beneficiaries SET balance = balance - $1, updated_at = $2
             WHERE beneficiary_id = $3 AND balance >= $1",
        )
        .bind(amount)
        .bind(at.millis())
        .bind(beneficiary_id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives `amount` back to the balance; false when there is no such beneficiary.
    pub(crate) async fn credit_balance(
        &mut self,
        beneficiary_id: &str,
        amount: i64,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sandbox_ancv_beneficiaries SET balance = balance + $1, updated_at = $2 WHERE beneficiary_id = $3",
        )
        .bind(amount)
        .bind(at.millis())
        .bind(beneficiary_id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    // --- transactions ---

    /// Fails with [`StoreError::Conflict`] when the id or (shop, paymentId) is taken.
    pub(crate) async fn insert_transaction(
        &mut self,
        transaction: &SandboxTransaction,
    ) -> Result<(), StoreError> {
        let t = transaction;
        sqlx::query(
            "INSERT INTO sandbox_ancv_transactions (id, shop_id, service_provider_id, order_id, payment_id, label, amount,
                currency, tspd_mode, capture_mode, capture_date, capture_at, return_url, cancel_url, state, payer_ref,
                beneficiary_id, payer_amount, validated_amount, authorization_number, validated_at, cancel_reason,
                expires_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22, $23, $24, $25)",
        )
        .bind(&t.id)
        .bind(&t.shop_id)
        .bind(&t.service_provider_id)
        .bind(&t.order_id)
        .bind(&t.payment_id)
        .bind(t.label.as_deref())
        .bind(t.amount)
        .bind(t.currency)
        .bind(&t.tspd_mode)
        .bind(&t.capture_mode)
        .bind(t.capture_date.as_deref())
        .bind(t.capture_at.map(Timestamp::millis))
        .bind(&t.return_url)
        .bind(&t.cancel_url)
        .bind(&t.state)
        .bind(t.payer_ref.as_deref())
        .bind(t.beneficiary_id.as_deref())
        .bind(t.payer_amount)
        .bind(t.validated_amount)
        .bind(t.authorization_number.as_deref())
        .bind(t.validated_at.map(Timestamp::millis))
        .bind(t.cancel_reason.as_deref())
        .bind(t.expires_at.millis())
        .bind(t.created_at.millis())
        .bind(t.updated_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Reads a transaction to change it (locked on PostgreSQL until the unit of work ends).
    pub(crate) async fn find_transaction(
        &mut self,
        id: &str,
    ) -> Result<Option<SandboxTransaction>, StoreError> {
        let sql = format!("{SELECT_TRANSACTION} WHERE id = $1{}", self.for_update());
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    /// The transaction created for this shop and paymentId, if any (locked like
    /// [`Self::find_transaction`]).
    pub(crate) async fn find_transaction_by_payment(
        &mut self,
        shop_id: &str,
        payment_id: &str,
    ) -> Result<Option<SandboxTransaction>, StoreError> {
        let sql = format!(
            "{SELECT_TRANSACTION} WHERE shop_id = $1 AND payment_id = $2{}",
            self.for_update()
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(shop_id)
            .bind(payment_id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(transaction_from_row).transpose()
    }

    /// Ids of the beneficiary's transactions in `state`, oldest first.
    pub(crate) async fn transaction_ids_of_beneficiary(
        &mut self,
        beneficiary_id: &str,
        state: &str,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM sandbox_ancv_transactions WHERE beneficiary_id = $1 AND state = $2 ORDER BY created_at, id",
        )
        .bind(beneficiary_id)
        .bind(state)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// Ids of every transaction of the beneficiary, oldest first.
    pub(crate) async fn all_transaction_ids_of_beneficiary(
        &mut self,
        beneficiary_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.ids_in_creation_order("beneficiary_id", beneficiary_id)
            .await
    }

    /// Ids of every transaction of the shop, oldest first.
    pub(crate) async fn transaction_ids_of_shop(
        &mut self,
        shop_id: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.ids_in_creation_order("shop_id", shop_id).await
    }

    /// Ids of the transactions whose `column` is `value`, in creation order: by creation time,
    /// then by the order their INITIALIZED events were recorded (several can share a millisecond).
    async fn ids_in_creation_order(
        &mut self,
        column: &'static str,
        value: &str,
    ) -> Result<Vec<String>, StoreError> {
        let sql = format!(
            "SELECT t.id FROM sandbox_ancv_transactions t
             LEFT JOIN sandbox_ancv_transaction_events e ON e.transaction_id = t.id AND e.state = 'INITIALIZED'
             WHERE t.{column} = $1 ORDER BY t.created_at, e.id, t.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// Ids of the transactions settlement may move: VALIDATED and CONSIGNED ones, and AUTHORIZED
    /// ones whose capture date has come (the caller captures them first). Oldest first.
    pub(crate) async fn settleable_transaction_ids(
        &mut self,
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM sandbox_ancv_transactions
             WHERE state IN ('VALIDATED', 'CONSIGNED') OR (state = 'AUTHORIZED' AND capture_at IS NOT NULL AND capture_at <= $1)
             ORDER BY created_at, id",
        )
        .bind(now.millis())
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(|row| Ok(row.try_get("id")?)).collect()
    }

    /// Writes back what changes after creation; false when there is no such transaction. Fails
    /// with [`StoreError::Conflict`] when it would give a beneficiary a second PROCESSING request.
    pub(crate) async fn update_transaction(
        &mut self,
        transaction: &SandboxTransaction,
    ) -> Result<bool, StoreError> {
        let t = transaction;
        let done = sqlx::query(
            "UPDATE sandbox_ancv_transactions SET state = $1, payer_ref = $2, beneficiary_id = $3, payer_amount = $4,
                validated_amount = $5, authorization_number = $6, validated_at = $7, cancel_reason = $8, updated_at = $9
             WHERE id = $10",
        )
        .bind(&t.state)
        .bind(t.payer_ref.as_deref())
        .bind(t.beneficiary_id.as_deref())
        .bind(t.payer_amount)
        .bind(t.validated_amount)
        .bind(t.authorization_number.as_deref())
        .bind(t.validated_at.map(Timestamp::millis))
        .bind(t.cancel_reason.as_deref())
        .bind(t.updated_at.millis())
        .bind(&t.id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that the transaction reached `state`; false when it had already.
    pub(crate) async fn insert_event(
        &mut self,
        transaction_id: &str,
        state: &str,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO sandbox_ancv_transaction_events (transaction_id, state, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(transaction_id)
        .bind(state)
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The states the transaction went through, in order.
    pub async fn events(&mut self, transaction_id: &str) -> Result<Vec<SandboxEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT state, at FROM sandbox_ancv_transaction_events WHERE transaction_id = $1 ORDER BY id",
        )
        .bind(transaction_id)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SandboxEvent {
                    state: row.try_get("state")?,
                    at: Timestamp(row.try_get("at")?),
                })
            })
            .collect()
    }

    // --- deliveries ---

    /// Returns the new delivery's id.
    pub(crate) async fn insert_delivery(
        &mut self,
        delivery: &NewSandboxDelivery,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sandbox_ancv_deliveries (transaction_id, state, url, body, status, duplicate, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&delivery.transaction_id)
        .bind(&delivery.state)
        .bind(&delivery.url)
        .bind(&delivery.body)
        .bind(&delivery.status)
        .bind(i64::from(delivery.duplicate))
        .bind(delivery.next_attempt_at.map(Timestamp::millis))
        .bind(delivery.created_at.millis())
        .fetch_one(&mut *self.conn)
        .await?;
        Ok(row.try_get("id")?)
    }

    pub(crate) async fn find_delivery(
        &mut self,
        id: i64,
    ) -> Result<Option<SandboxDelivery>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_DELIVERY} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(delivery_from_row).transpose()
    }

    /// The transaction's deliveries, in the order the states changed.
    pub(crate) async fn deliveries_of(
        &mut self,
        transaction_id: &str,
    ) -> Result<Vec<SandboxDelivery>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT_DELIVERY} WHERE transaction_id = $1 ORDER BY id"
        )))
        .bind(transaction_id)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Records an attempt's outcome (status, counters, next attempt); false when there is no such
    /// delivery.
    pub(crate) async fn update_delivery(
        &mut self,
        delivery: &SandboxDelivery,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE sandbox_ancv_deliveries SET status = $1, attempts = $2, last_error = $3, next_attempt_at = $4,
                finished_at = $5 WHERE id = $6",
        )
        .bind(&delivery.status)
        .bind(delivery.attempts)
        .bind(delivery.last_error.as_deref())
        .bind(delivery.next_attempt_at.map(Timestamp::millis))
        .bind(delivery.finished_at.map(Timestamp::millis))
        .bind(delivery.id)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn beneficiary_from_row(row: &AnyRow) -> Result<SandboxBeneficiary, StoreError> {
    Ok(SandboxBeneficiary {
        beneficiary_id: row.try_get("beneficiary_id")?,
        email: row.try_get("email")?,
        balance: row.try_get("balance")?,
        secret_code_hash: row.try_get("secret_code_hash")?,
        behaviour: row.try_get("behaviour")?,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}

fn transaction_from_row(row: &AnyRow) -> Result<SandboxTransaction, StoreError> {
    let timestamp = |column: &str| -> Result<Option<Timestamp>, StoreError> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp))
    };
    Ok(SandboxTransaction {
        id: row.try_get("id")?,
        shop_id: row.try_get("shop_id")?,
        service_provider_id: row.try_get("service_provider_id")?,
        order_id: row.try_get("order_id")?,
        payment_id: row.try_get("payment_id")?,
        label: row.try_get("label")?,
        amount: row.try_get("amount")?,
        currency: row.try_get("currency")?,
        tspd_mode: row.try_get("tspd_mode")?,
        capture_mode: row.try_get("capture_mode")?,
        capture_date: row.try_get("capture_date")?,
        capture_at: timestamp("capture_at")?,
        return_url: row.try_get("return_url")?,
        cancel_url: row.try_get("cancel_url")?,
        state: row.try_get("state")?,
        payer_ref: row.try_get("payer_ref")?,
        beneficiary_id: row.try_get("beneficiary_id")?,
        payer_amount: row.try_get("payer_amount")?,
        validated_amount: row.try_get("validated_amount")?,
        authorization_number: row.try_get("authorization_number")?,
        validated_at: timestamp("validated_at")?,
        cancel_reason: row.try_get("cancel_reason")?,
        expires_at: Timestamp(row.try_get("expires_at")?),
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
    })
}

fn delivery_from_row(row: &AnyRow) -> Result<SandboxDelivery, StoreError> {
    Ok(SandboxDelivery {
        id: row.try_get("id")?,
        transaction_id: row.try_get("transaction_id")?,
        state: row.try_get("state")?,
        url: row.try_get("url")?,
        body: row.try_get("body")?,
        status: row.try_get("status")?,
        duplicate: row.try_get::<i64, _>("duplicate")? != 0,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
        next_attempt_at: row
            .try_get::<Option<i64>, _>("next_attempt_at")?
            .map(Timestamp),
        created_at: Timestamp(row.try_get("created_at")?),
        finished_at: row.try_get::<Option<i64>, _>("finished_at")?.map(Timestamp),
    })
}
