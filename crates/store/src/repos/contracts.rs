use crate::StoreError;
use domain::clock::Timestamp;
use domain::contract::{
    CardCode, Contract, ContractNumber, ContractStatus, MethodSettings, NewContract, ShopId,
};
use domain::merchant::MerchantId;
use domain::money::Currency;
use domain::point_of_sale::PosId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// Merchants' contracts and their complementary lists (`contracts`, `contract_complementaries`).
pub struct Contracts<'a> {
    conn: &'a mut AnyConnection,
}

const SELECT: &str = "SELECT merchant_id, number, pos_id, card_code, label, currency, description, status, shop_id, created_at FROM contracts";

impl<'a> Contracts<'a> {
    pub(crate) fn new(conn: &'a mut AnyConnection) -> Self {
        Contracts { conn }
    }

    /// Inserts the contract and its complementary list. Fails with [`StoreError::Conflict`] when
    /// the merchant already has a contract with that number.
    pub async fn insert(
        &mut self,
        merchant_id: &MerchantId,
        pos_id: PosId,
        contract: &NewContract,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let shop_id = contract.method.shop_id().map(ShopId::as_str);
        sqlx::query(
            "INSERT INTO contracts (merchant_id, number, pos_id, card_code, label, currency, description, status, shop_id, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(merchant_id.as_str())
        .bind(contract.number.as_str())
        .bind(pos_id)
        .bind(contract.card_code.as_str())
        .bind(&contract.label)
        .bind(i64::from(contract.currency.code()))
        .bind(&contract.description)
        .bind(ContractStatus::Active.as_str())
        .bind(shop_id)
        .bind(at.millis())
        .execute(&mut *self.conn)
        .await?;
        self.insert_complementaries(
            merchant_id,
            &contract.number,
            contract.method.complementary(),
        )
        .await
    }

    /// Writes the changeable fields of a stored contract (label, description, status, ANCV Shop
    /// ID) and replaces its complementary list by `contract`'s; false when the merchant has no
    /// contract with that number. Number, point of sale, payment method and currency stay.
    pub async fn update(&mut self, contract: &Contract, at: Timestamp) -> Result<bool, StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let done = sqlx::query(
            "UPDATE contracts SET label = $1, description = $2, status = $3, shop_id = $4, updated_at = $5
             WHERE merchant_id = $6 AND number = $7",
        )
        .bind(&contract.label)
        .bind(&contract.description)
        .bind(contract.status.as_str())
        .bind(contract.shop_id().map(ShopId::as_str))
        .bind(at.millis())
        .bind(contract.merchant_id.as_str())
        .bind(contract.number.as_str())
        .execute(&mut *self.conn)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM contract_complementaries WHERE merchant_id = $1 AND contract_number = $2",
        )
        .bind(contract.merchant_id.as_str())
        .bind(contract.number.as_str())
        .execute(&mut *self.conn)
        .await?;
        self.insert_complementaries(
            &contract.merchant_id,
            &contract.number,
            contract.complementary(),
        )
        .await?;
        Ok(true)
    }

    /// Writes an ANCV contract's complementary list, in order.
    async fn insert_complementaries(
        &mut self,
        merchant_id: &MerchantId,
        number: &ContractNumber,
        complementary: &[ContractNumber],
    ) -> Result<(), StoreError> {
        for (position, complementary_number) in complementary.iter().enumerate() {
            sqlx::query(
                "INSERT INTO contract_complementaries (merchant_id, contract_number, position, complementary_number)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(merchant_id.as_str())
            .bind(number.as_str())
            .bind(position as i64)
            .bind(complementary_number.as_str())
            .execute(&mut *self.conn)
            .await?;
        }
        Ok(())
    }

    /// The merchant's contract with this number, with its complementary list.
    pub async fn find(
        &mut self,
        merchant_id: &MerchantId,
        number: &ContractNumber,
    ) -> Result<Option<Contract>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE merchant_id = $1 AND number = $2"
        )))
        .bind(merchant_id.as_str())
        .bind(number.as_str())
        .fetch_optional(&mut *self.conn)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut complementary = self.complementaries(merchant_id, Some(number)).await?;
        contract_from_row(&row, &mut complementary).map(Some)
    }

    /// The merchant's contracts, by point of sale then number.
    pub async fn list_for(
        &mut self,
        merchant_id: &MerchantId,
    ) -> Result<Vec<Contract>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE merchant_id = $1 ORDER BY pos_id, number"
        )))
        .bind(merchant_id.as_str())
        .fetch_all(&mut *self.conn)
        .await?;
        let mut complementary = self.complementaries(merchant_id, None).await?;
        rows.iter()
            .map(|row| contract_from_row(row, &mut complementary))
            .collect()
    }

    /// Sets the status; false when there is no such contract.
    pub async fn set_status(
        &mut self,
        merchant_id: &MerchantId,
        number: &ContractNumber,
        status: ContractStatus,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        super::configuration_version::bump(&mut *self.conn).await?;
        let done = sqlx::query("UPDATE contracts SET status = $1, updated_at = $2 WHERE merchant_id = $3 AND number = $4")
            .bind(status.as_str())
            .bind(at.millis())
            .bind(merchant_id.as_str())
            .bind(number.as_str())
            .execute(&mut *self.conn)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Complementary lists by ANCV contract number, in order; of one contract or of all.
    async fn complementaries(
        &mut self,
        merchant_id: &MerchantId,
        only: Option<&ContractNumber>,
    ) -> Result<HashMap<String, Vec<ContractNumber>>, StoreError> {
        let rows = sqlx::query(
            "SELECT contract_number, complementary_number FROM contract_complementaries
             WHERE merchant_id = $1 AND ($2 IS NULL OR contract_number = $2)
             ORDER BY contract_number, position",
        )
        .bind(merchant_id.as_str())
        .bind(only.map(ContractNumber::as_str))
        .fetch_all(&mut *self.conn)
        .await?;
        let mut lists: HashMap<String, Vec<ContractNumber>> = HashMap::new();
        for row in rows {
            let number = ContractNumber::parse(
                "complementary_number",
                &row.try_get::<String, _>("complementary_number")?,
            )
            .map_err(|e| StoreError::corrupt("contract_complementaries", e))?;
            lists
                .entry(row.try_get("contract_number")?)
                .or_default()
                .push(number);
        }
        Ok(lists)
    }
}

fn contract_from_row(
    row: &AnyRow,
    complementaries: &mut HashMap<String, Vec<ContractNumber>>,
) -> Result<Contract, StoreError> {
    let corrupt = |e| StoreError::corrupt("contracts", e);
    let number: String = row.try_get("number")?;
    let card_code =
        CardCode::parse("card_code", &row.try_get::<String, _>("card_code")?).map_err(corrupt)?;
    let method = match card_code {
        CardCode::AncvConnect => {
            let shop_id: Option<String> = row.try_get("shop_id")?;
            MethodSettings::AncvConnect {
                shop_id: ShopId::parse("shop_id", shop_id.as_deref().unwrap_or_default())
                    .map_err(corrupt)?,
                complementary: complementaries.remove(&number).unwrap_or_default(),
            }
        }
        CardCode::Cb | CardCode::Visa | CardCode::Mastercard | CardCode::Amex => {
            MethodSettings::Card
        }
    };
    Ok(Contract {
        merchant_id: MerchantId::parse("merchant_id", &row.try_get::<String, _>("merchant_id")?)
            .map_err(corrupt)?,
        number: ContractNumber::parse("number", &number).map_err(corrupt)?,
        pos_id: row.try_get("pos_id")?,
        card_code,
        label: row.try_get("label")?,
        currency: Currency::from_code("currency", row.try_get("currency")?).map_err(corrupt)?,
        description: row.try_get("description")?,
        status: ContractStatus::parse("status", &row.try_get::<String, _>("status")?)
            .map_err(corrupt)?,
        method,
        created_at: Timestamp(row.try_get("created_at")?),
    })
}
