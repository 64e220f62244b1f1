use crate::StoreError;
use domain::clock::Timestamp;
use domain::contract::ContractNumber;
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::return_code::ReturnCode;
use domain::web_payment::request::{Action, BuyerInput, Language};
use domain::web_payment::{Session, SessionState, ValidWebPayment, WebPayment};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

/// Web payment sessions.
pub struct WebPayments<'a> {
    conn: &'a mut AnyConnection,
}

const SELECT: &str = "SELECT token, merchant_id, pos_id, payment_contract, offered, offered_after_failure, amount, currency,
    action, order_ref, order_amount, order_date, return_url, cancel_url, notification_url, language, buyer_title,
    buyer_last_name, buyer_first_name, buyer_email, buyer_mobile_phone, buyer_customer_id, soft_descriptor,
    merchant_name, page_secret, state, attempts, ancv_payment_id, ancv_validated, card_transaction_id, last_code, expires_at,
    opened_at, finalized_at, merchant_read_at, created_at, updated_at, version FROM web_payments";

impl<'a> WebPayments<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        WebPayments { conn }
    }

    /// Records a new session; [`StoreError::Conflict`] when its token is taken.
    pub async fn insert(&mut self, payment: &WebPayment) -> Result<(), StoreError> {
        let r = &payment.request;
        let s = &payment.session;
        sqlx::query(
            "INSERT INTO web_payments (token, merchant_id, pos_id, payment_contract, offered, offered_after_failure,
                amount, currency, action, order_ref, order_amount, order_date, return_url, cancel_url, notification_url,
                language, buyer_title, buyer_last_name, buyer_first_name, buyer_email, buyer_mobile_phone,
                buyer_customer_id, soft_descriptor, merchant_name, page_secret, state, attempts, ancv_payment_id, ancv_validated,
                card_transaction_id, last_code, expires_at, opened_at, finalized_at, merchant_read_at, created_at,
                updated_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
                $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38)",
        )
        .bind(&payment.token)
        .bind(payment.merchant_id.as_str())
        .bind(payment.pos_id)
        .bind(r.payment_contract.as_str())
        .bind(join(&r.offered))
        .bind(join(&r.offered_after_failure))
        .bind(r.amount)
        .bind(i64::from(r.currency.code()))
        .bind(r.action.code())
        .bind(&r.order_ref)
        .bind(r.order_amount)
        .bind(&r.order_date)
        .bind(&r.return_url)
        .bind(&r.cancel_url)
        .bind(r.notification_url.as_deref())
        .bind(r.language.code())
        .bind(r.buyer.title.as_deref())
        .bind(r.buyer.last_name.as_deref())
        .bind(r.buyer.first_name.as_deref())
        .bind(r.buyer.email.as_deref())
        .bind(r.buyer.mobile_phone.as_deref())
        .bind(r.buyer.customer_id.as_deref())
        .bind(r.soft_descriptor.as_deref())
        .bind(r.merchant_name.as_deref())
        .bind(&payment.page_secret)
        .bind(s.state.as_str())
        .bind(i64::from(s.attempts))
        .bind(s.ancv_payment_id.as_deref())
        .bind(s.ancv_validated)
        .bind(s.card_transaction_id.as_deref())
        .bind(s.last_code.map(ReturnCode::code))
        .bind(s.expires_at.millis())
        .bind(payment.opened_at.map(Timestamp::millis))
        .bind(payment.finalized_at.map(Timestamp::millis))
        .bind(payment.merchant_read_at.map(Timestamp::millis))
        .bind(payment.created_at.millis())
        .bind(payment.updated_at.millis())
        .bind(payment.version)
        .execute(&mut *self.conn)
        .await?;
        for (position, (key, value)) in r.private_data.iter().enumerate() {
            sqlx::query("INSERT INTO web_payment_private_data (token, position, data_key, value) VALUES ($1, $2, $3, $4)")
                .bind(&payment.token)
                .bind(position as i64)
                .bind(key)
                .bind(value)
                .execute(&mut *self.conn)
                .await?;
        }
        Ok(())
    }

    /// The session with this token, with its private data.
    pub async fn find(&mut self, token: &str) -> Result<Option<WebPayment>, StoreError> {
        self.find_one("token", token).await
    }

    /// The session an ANCV payment belongs to.
    pub async fn find_by_ancv_payment(
        &mut self,
        payment_id: &str,
    ) -> Result<Option<WebPayment>, StoreError> {
        self.find_one("ancv_payment_id", payment_id).await
    }

    /// The session whose `column` is `value`, and its private data, in one statement (a row per
    /// private datum, or one row with none).
    async fn find_one(
        &mut self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<WebPayment>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.*, p.data_key AS private_key, p.value AS private_value
             FROM ({SELECT} WHERE {column} = $1 LIMIT 1) s
             LEFT JOIN web_payment_private_data p ON p.token = s.token
             ORDER BY p.position"
        )))
        .bind(value)
        .fetch_all(&mut *self.conn)
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut private_data = Vec::new();
        for row in &rows {
            if let Some(key) = row.try_get::<Option<String>, _>("private_key")? {
                private_data.push((key, row.try_get("private_value")?));
            }
        }
        Ok(Some(from_row(first, private_data)?))
    }

    /// Writes the session's progress if nobody changed it since `payment.version` was read; the
    /// stored version then grows by one. False when someone else was first.
    pub async fn save_progress(&mut self, payment: &WebPayment) -> Result<bool, StoreError> {
        let s = &payment.session;
        let done = sqlx::query(
            "UPDATE web_payments SET state = $1, attempts = $2, ancv_payment_id = $3, ancv_validated = $4,
                card_transaction_id = $5, last_code = $6, opened_at = $7, finalized_at = $8, merchant_read_at = $9,
                updated_at = $10, version = version + 1
             WHERE token = $11 AND version = $12",
        )
        .bind(s.state.as_str())
        .bind(i64::from(s.attempts))
        .bind(s.ancv_payment_id.as_deref())
        .bind(s.ancv_validated)
        .bind(s.card_transaction_id.as_deref())
        .bind(s.last_code.map(ReturnCode::code))
        .bind(payment.opened_at.map(Timestamp::millis))
        .bind(payment.finalized_at.map(Timestamp::millis))
        .bind(payment.merchant_read_at.map(Timestamp::millis))
        .bind(payment.updated_at.millis())
        .bind(&payment.token)
        .bind(payment.version)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Writes the merchant's update of amount, order reference and buyer identity if nobody
    /// changed the session since `payment.version` was read. False when someone was first.
    pub async fn save_data_update(&mut self, payment: &WebPayment) -> Result<bool, StoreError> {
        let r = &payment.request;
        let done = sqlx::query(
            "UPDATE web_payments SET amount = $1, order_amount = $2, order_ref = $3, buyer_email = $4,
                buyer_first_name = $5, buyer_last_name = $6, updated_at = $7, version = version + 1
             WHERE token = $8 AND version = $9",
        )
        .bind(r.amount)
        .bind(r.order_amount)
        .bind(&r.order_ref)
        .bind(r.buyer.email.as_deref())
        .bind(r.buyer.first_name.as_deref())
        .bind(r.buyer.last_name.as_deref())
        .bind(payment.updated_at.millis())
        .bind(&payment.token)
        .bind(payment.version)
        .execute(&mut *self.conn)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

fn join(numbers: &[ContractNumber]) -> String {
    numbers
        .iter()
        .map(ContractNumber::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

fn from_row(row: &AnyRow, private_data: Vec<(String, String)>) -> Result<WebPayment, StoreError> {
    let request = request_from_row(row, private_data)?;
    let session = session_from_row(row, request.amount)?;
    Ok(WebPayment {
        token: row.try_get("token")?,
        merchant_id: MerchantId::parse("merchant_id", &row.try_get::<String, _>("merchant_id")?)
            .map_err(|e| corrupt(e.to_string()))?,
        pos_id: row.try_get("pos_id")?,
        request,
        session,
        page_secret: row.try_get("page_secret")?,
        opened_at: optional_time(row, "opened_at")?,
        finalized_at: optional_time(row, "finalized_at")?,
        merchant_read_at: optional_time(row, "merchant_read_at")?,
        created_at: Timestamp(row.try_get("created_at")?),
        updated_at: Timestamp(row.try_get("updated_at")?),
        version: row.try_get("version")?,
    })
}

/// What the merchant asked for: the validated `doWebPayment` request as stored.
fn request_from_row(
    row: &AnyRow,
    private_data: Vec<(String, String)>,
) -> Result<ValidWebPayment, StoreError> {
    let action = match row.try_get::<String, _>("action")?.as_str() {
        "100" => Action::Authorization,
        "101" => Action::AuthorizationAndCapture,
        other => return Err(corrupt(format!("action {other:?}"))),
    };
    Ok(ValidWebPayment {
        amount: row.try_get("amount")?,
        currency: Currency::from_code("currency", row.try_get("currency")?)
            .map_err(|e| corrupt(e.to_string()))?,
        action,
        order_ref: row.try_get("order_ref")?,
        order_amount: row.try_get("order_amount")?,
        order_date: row.try_get("order_date")?,
        payment_contract: ContractNumber::parse(
            "payment_contract",
            &row.try_get::<String, _>("payment_contract")?,
        )
        .map_err(|e| corrupt(e.to_string()))?,
        offered: contract_numbers(row, "offered")?,
        offered_after_failure: contract_numbers(row, "offered_after_failure")?,
        return_url: row.try_get("return_url")?,
        cancel_url: row.try_get("cancel_url")?,
        notification_url: row.try_get("notification_url")?,
        language: Language::from_code(Some(&row.try_get::<String, _>("language")?)),
        buyer: BuyerInput {
            title: row.try_get("buyer_title")?,
            last_name: row.try_get("buyer_last_name")?,
            first_name: row.try_get("buyer_first_name")?,
            email: row.try_get("buyer_email")?,
            mobile_phone: row.try_get("buyer_mobile_phone")?,
            customer_id: row.try_get("buyer_customer_id")?,
        },
        private_data,
        soft_descriptor: row.try_get("soft_descriptor")?,
        merchant_name: row.try_get("merchant_name")?,
    })
}

/// How far the buyer got, for an order of `amount` minor units.
fn session_from_row(row: &AnyRow, amount: i64) -> Result<Session, StoreError> {
    let state: String = row.try_get("state")?;
    let last_code: Option<String> = row.try_get("last_code")?;
    Ok(Session {
        state: SessionState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?,
        amount,
        expires_at: Timestamp(row.try_get("expires_at")?),
        attempts: u8::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|e| corrupt(e.to_string()))?,
        ancv_payment_id: row.try_get("ancv_payment_id")?,
        ancv_validated: row.try_get("ancv_validated")?,
        card_transaction_id: row.try_get("card_transaction_id")?,
        last_code: match last_code {
            Some(code) => Some(
                ReturnCode::from_code(&code)
                    .ok_or_else(|| corrupt(format!("last_code {code:?}")))?,
            ),
            None => None,
        },
    })
}

/// A stored session row that breaks a rule.
fn corrupt(detail: String) -> StoreError {
    StoreError::corrupt("web_payments", detail)
}

/// A list of contract numbers stored comma-separated in `column` (empty text: none).
fn contract_numbers(row: &AnyRow, column: &str) -> Result<Vec<ContractNumber>, StoreError> {
    let text: String = row.try_get(column)?;
    text.split(',')
        .filter(|n| !n.is_empty())
        .map(|n| ContractNumber::parse(column, n).map_err(|e| corrupt(e.to_string())))
        .collect()
}

/// An optional instant stored as milliseconds in `column`.
fn optional_time(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(Timestamp))
}
