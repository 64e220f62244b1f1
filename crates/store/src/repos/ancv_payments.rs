use crate::StoreError;
use domain::ancv_payment::{AncvPayment, AncvPaymentState};
use domain::clock::Timestamp;
use domain::contract::ContractNumber;
use domain::merchant::MerchantId;
use domain::money::Currency;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// cvgate's ANCV transactions and the states each went through.
pub struct AncvPayments<'a> {
    conn: &'a mut AnyConnection,
}

pub(super) const SELECT: &str = "SELECT payment_id, merchant_id, contract_number, shop_id, order_ref, label, amount, currency,
    beneficiary_id, ancv_id, state, validated_amount, authorization_number, holder, partner_code, expires_at,
    web_payment_token, created_at, updated_at FROM ancv_payments";

/// One recorded state: what it was, who told cvgate, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AncvPaymentEvent {
    /// The state reached.
    pub state: AncvPaymentState,
    /// Who told cvgate: `create`, `poll`, `notification`, …
    pub source: String,
    /// When cvgate recorded it.
    pub at: Timestamp,
}

impl<'a> AncvPayments<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        AncvPayments { conn }
    }

    /// Records a new payment; [`StoreError::Conflict`] when its `payment_id` is taken.
    pub async fn insert(&mut self, payment: &AncvPayment) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ancv_payments (payment_id, merchant_id, contract_number, shop_id, order_ref, label, amount,
                currency, beneficiary_id, ancv_id, state, validated_amount, authorization_number, holder, partner_code,
                expires_at, web_payment_token, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(&payment.payment_id)
        .bind(payment.merchant_id.as_str())
        .bind(payment.contract_number.as_str())
        .bind(&payment.shop_id)
        .bind(&payment.order_ref)
        .bind(payment.label.as_deref())
        .bind(payment.amount)
        .bind(i64::from(payment.currency.code()))
        .bind(&payment.beneficiary_id)
        .bind(payment.ancv_id.as_deref())
        .bind(payment.state.as_str())
        .bind(payment.validated_amount)
        .bind(payment.authorization_number.as_deref())
        .bind(payment.holder.as_deref())
        .bind(payment.partner_code.as_deref())
        .bind(payment.expires_at.map(Timestamp::millis))
        .bind(payment.web_payment_token.as_deref())
        .bind(payment.created_at.millis())
        .bind(payment.updated_at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Every ANCV payment a web payment session asked for, oldest first.
    pub async fn of_session(&mut self, token: &str) -> Result<Vec<AncvPayment>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE web_payment_token = $1 ORDER BY created_at, payment_id"
        )))
        .bind(token)
        .fetch_all(&mut *self.conn)
        .await?;
        rows.iter().map(payment_from_row).collect()
    }

    /// The payment with this cvgate id.
    pub async fn find(&mut self, payment_id: &str) -> Result<Option<AncvPayment>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE payment_id = $1"
        )))
        .bind(payment_id)
        .fetch_optional(&mut *self.conn)
        .await?;
        row.as_ref().map(payment_from_row).transpose()
    }

    /// The payment ANCV knows by this `transaction.id`.
    pub async fn find_by_ancv_id(
        &mut self,
        ancv_id: &str,
    ) -> Result<Option<AncvPayment>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE ancv_id = $1")))
            .bind(ancv_id)
            .fetch_optional(&mut *self.conn)
            .await?;
        row.as_ref().map(payment_from_row).transpose()
    }

    /// Writes the changed payment only if it is still in `expected` (optimistic concurrency:
    /// two appliers racing cannot move it backwards). False when someone else moved it first.
    pub async fn update_from(
        &mut self,
        expected: AncvPaymentState,
        payment: &AncvPayment,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE ancv_payments SET ancv_id = $1, state = $2, validated_amount = $3, authorization_number = $4,
                holder = $5, partner_code = $6, expires_at = $7, updated_at = $8
             WHERE payment_id = $9 AND state = $10",
        )
        .bind(payment.ancv_id.as_deref())
        .bind(payment.state.as_str())
        .bind(payment.validated_amount)
        .bind(payment.authorization_number.as_deref())
        .bind(payment.holder.as_deref())
        .bind(payment.partner_code.as_deref())
        .bind(payment.expires_at.map(Timestamp::millis))
        .bind(payment.updated_at.millis())
        .bind(&payment.payment_id)
        .bind(expected.as_str())
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that the payment reached `state` (once per state).
    pub async fn record_event(
        &mut self,
        payment_id: &str,
        state: AncvPaymentState,
        source: &str,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO ancv_payment_events (payment_id, state, source, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (payment_id, state) DO NOTHING",
        )
        .bind(payment_id)
        .bind(state.as_str())
        .bind(source)
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// The states the payment went through, in the order recorded.
    pub async fn events(&mut self, payment_id: &str) -> Result<Vec<AncvPaymentEvent>, StoreError> {
        let rows = sqlx::query("SELECT state, source, at FROM ancv_payment_events WHERE payment_id = $1 ORDER BY at, id")
            .bind(payment_id)
            .fetch_all(&mut *self.conn)
            .await?;
        rows.iter()
            .map(|row| {
                Ok(AncvPaymentEvent {
                    state: parse_state(&row.try_get::<String, _>("state")?)?,
                    source: row.try_get("source")?,
                    at: Timestamp(row.try_get("at")?),
                })
            })
            .collect()
    }
}

fn parse_state(value: &str) -> Result<AncvPaymentState, StoreError> {
    AncvPaymentState::parse(value)
        .ok_or_else(|| StoreError::corrupt("ancv_payments", format!("unknown state {value:?}")))
}

pub(super) fn payment_from_row(row: &AnyRow) -> Result<AncvPayment, StoreError> {
    let corrupt = |e| StoreError::corrupt("ancv_payments", e);
    Ok(AncvPayment {
        payment_id: row.try_get("payment_id")?,
        merchant_id: MerchantId::parse("merchant_id", &row.try_get::<String, _>("merchant_id")?)
            .map_err(corrupt)?,
        contract_number: ContractNumber::parse(
            "contract_number",
            &row.try_get::<String, _>("contract_number")?,
        )
        .map_err(corrupt)?,
        shop_id: row.try_get("shop_id")?,
        order_ref: row.try_get("order_ref")?,
        label: row.try_get("label")?,
        amount: row.try_get("amount")?,
        currency: Currency::from_code("currency", row.try_get("currency")?).map_err(corrupt)?,
        beneficiary_id: row.try_get("beneficiary_id")?,
        ancv_id: row.try_get("ancv_id")?,
        state: parse_state(&row.try_get::<String, _>("state")?)?,
        validated_amount: row.try_get("validated_amount")?,
        authorization_number: row.try_get("authorization_number")?,
        holder: row.try_get("holder")?,
        partner_code: row.try_get("partner_code")?,
        expires_at: row.try_get::<Option<i64>, _>("expires_at")?.map(Timestamp),
        web_payment_token: row.try_get("web_payment_token")?,
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
    })
}
