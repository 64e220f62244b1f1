//! What testers see and do to transactions from the admin API and the CLI: a beneficiary's or a
//! shop's transactions, and ANCV rejecting a transaction after authorizing it (spec §3: REJECTED
//! "possibly after authorization").

use crate::accounts::beneficiary_not_found;
use crate::error::SandboxError;
use crate::model::{Event, State};
use crate::record::Txn;
use crate::rules::BeneficiaryRef;
use crate::sandbox::Sandbox;
use crate::storage;
use domain::clock::Timestamp;
use serde::Serialize;
use store::UnitOfWork;

/// A transaction in a list (amounts in cents, dates RFC 3339 UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionSummary {
    /// The ANCV transaction id (`transaction.id`).
    pub id: String,
    /// The merchant's payment reference (`order.paymentId`).
    pub payment_id: String,
    /// The merchant's order reference (`order.id`, at most 20 characters).
    pub order_id: String,
    /// The merchant's shop (`merchant.shopId`).
    pub shop_id: String,
    /// The account the payer resolved to; `None` before a payer is attached.
    pub beneficiary_id: Option<String>,
    /// The state as it is now (`transaction.state`).
    pub state: State,
    /// The order amount (`order.amount.total`), in cents.
    pub amount: i64,
    /// What the beneficiary validated, in cents; `None` until validated.
    pub validated_amount: Option<i64>,
    /// When it was created (`creationDate`), RFC 3339 UTC.
    pub created_at: String,
    /// When it last changed (`updateDate`), RFC 3339 UTC.
    pub updated_at: String,
}

impl TransactionSummary {
    fn of(txn: &Txn) -> TransactionSummary {
        let row = &txn.row;
        TransactionSummary {
            id: row.id.clone(),
            payment_id: row.payment_id.clone(),
            order_id: row.order_id.clone(),
            shop_id: row.shop_id.clone(),
            beneficiary_id: row.beneficiary_id.clone(),
            state: txn.state,
            amount: row.amount,
            validated_amount: row.validated_amount,
            created_at: row.created_at.to_rfc3339(),
            updated_at: row.updated_at.to_rfc3339(),
        }
    }
}

/// `{"transactions": […]}`, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionList {
    /// The transactions (`transactions`), oldest first.
    pub transactions: Vec<TransactionSummary>,
}

impl Sandbox {
    /// The transactions paid (or asked to be paid) by a beneficiary, named by ANCV id or e-mail.
    pub async fn transactions_of_beneficiary(
        &self,
        id_or_email: &str,
    ) -> Result<TransactionList, SandboxError> {
        let reference = BeneficiaryRef::parse("beneficiaryId", id_or_email)?;
        let now = self.now();
        let mut uow = self.store().write().await?;
        let beneficiary = self
            .find_beneficiary(&mut uow, &reference)
            .await?
            .ok_or_else(beneficiary_not_found)?;
        let ids = storage::tables(&mut uow)
            .all_transaction_ids_of_beneficiary(&beneficiary.beneficiary_id)
            .await?;
        self.summaries(uow, ids, now).await
    }

    /// The transactions created for a shop.
    pub async fn transactions_of_shop(
        &self,
        shop_id: &str,
    ) -> Result<TransactionList, SandboxError> {
        let shop_id = shop_id.trim();
        let now = self.now();
        let mut uow = self.store().write().await?;
        if !storage::tables(&mut uow).shop_exists(shop_id).await? {
            return Err(SandboxError::UnknownShop);
        }
        let ids = storage::tables(&mut uow)
            .transaction_ids_of_shop(shop_id)
            .await?;
        self.summaries(uow, ids, now).await
    }

    /// AUTHORIZED, VALIDATED or CONSIGNED → REJECTED, notified to the cancel URL; the validated
    /// vouchers go back to the beneficiary's balance, as for a cancellation. Any other state:
    /// OPERATION_TRANSACTION_NOT_ALLOWED, and nothing changes; unknown id: TRANSACTION_NOT_FOUND.
    pub async fn reject_transaction(&self, id: &str) -> Result<TransactionSummary, SandboxError> {
        let txn = self
            .end_giving_vouchers_back(id, Event::RejectAuthorized, None)
            .await?;
        tracing::info!(transaction = %id, "ANCV sandbox rejected a transaction after authorization");
        Ok(TransactionSummary::of(&txn))
    }

    /// The transactions as they are now: what time did (expiry, deferred capture) is applied and
    /// recorded on the way, as GET status would, so the list and the status never disagree.
    async fn summaries(
        &self,
        mut uow: UnitOfWork,
        ids: Vec<String>,
        now: Timestamp,
    ) -> Result<TransactionList, SandboxError> {
        let mut transactions = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(txn) = self.load_current(&mut uow, &id, now).await? {
                transactions.push(TransactionSummary::of(&txn));
            }
        }
        self.commit(uow).await?;
        Ok(TransactionList { transactions })
    }
}
