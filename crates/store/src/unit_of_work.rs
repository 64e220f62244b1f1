use crate::repos::{
    AncvPayments, AncvRefunds, CardTransactions, Contracts, DemoFixtures, Jobs, Merchants,
    OperationReplays, PointsOfSale, ServerSecrets, TransactionIds, WebPayments,
};
use crate::{Backend, StoreError};
use sqlx::{Any, Transaction};

/// One database transaction and the repositories that work inside it. Dropping it without
/// [`UnitOfWork::commit`] rolls everything back.
pub struct UnitOfWork {
    tx: Transaction<'static, Any>,
    backend: Backend,
}

impl UnitOfWork {
    pub(crate) fn new(tx: Transaction<'static, Any>, backend: Backend) -> Self {
        UnitOfWork { tx, backend }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The transaction's connection, for repositories kept outside this crate (a sandbox's own
    /// tables).
    pub fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }

    pub fn merchants(&mut self) -> Merchants<'_> {
        Merchants::new(&mut self.tx)
    }

    pub fn points_of_sale(&mut self) -> PointsOfSale<'_> {
        PointsOfSale::new(&mut self.tx)
    }

    pub fn contracts(&mut self) -> Contracts<'_> {
        Contracts::new(&mut self.tx)
    }

    pub fn server_secrets(&mut self) -> ServerSecrets<'_> {
        ServerSecrets::new(&mut self.tx)
    }

    pub fn ancv_payments(&mut self) -> AncvPayments<'_> {
        AncvPayments::new(&mut self.tx)
    }

    pub fn transaction_ids(&mut self) -> TransactionIds<'_> {
        TransactionIds::new(&mut self.tx)
    }

    pub fn ancv_refunds(&mut self) -> AncvRefunds<'_> {
        AncvRefunds::new(&mut self.tx)
    }

    pub fn operation_replays(&mut self) -> OperationReplays<'_> {
        OperationReplays::new(&mut self.tx)
    }

    pub fn jobs(&mut self) -> Jobs<'_> {
        Jobs::new(&mut self.tx, self.backend)
    }

    pub fn web_payments(&mut self) -> WebPayments<'_> {
        WebPayments::new(&mut self.tx)
    }

    pub fn card_transactions(&mut self) -> CardTransactions<'_> {
        CardTransactions::new(&mut self.tx)
    }

    pub fn demo_fixtures(&mut self) -> DemoFixtures<'_> {
        DemoFixtures::new(&mut self.tx)
    }
}
