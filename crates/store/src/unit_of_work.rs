use crate::repos::{
    AncvPayments, AncvRefunds, AuditEvents, BackOfficeSessions, BackOfficeUsers, CardTransactions,
    Contracts, DemoFixtures, Jobs, Merchants, NotificationAttempts, NotificationSecrets,
    OperationReplays, PointsOfSale, ServerSecrets, TransactionIds, TransactionSearch, WebPayments,
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

    /// The backend of the database, for SQL that must differ between engines.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The transaction's connection, for repositories kept outside this crate (a sandbox's own
    /// tables).
    pub fn connection(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Makes every write of this unit of work durable, all at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Undoes every write of this unit of work (as dropping it does, but waiting for it).
    pub async fn rollback(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }

    /// Merchant accounts and their access key hashes.
    pub fn merchants(&mut self) -> Merchants<'_> {
        Merchants::new(&mut self.tx)
    }

    /// Merchants' points of sale.
    pub fn points_of_sale(&mut self) -> PointsOfSale<'_> {
        PointsOfSale::new(&mut self.tx)
    }

    /// Merchants' contracts.
    pub fn contracts(&mut self) -> Contracts<'_> {
        Contracts::new(&mut self.tx)
    }

    /// The deployment's secrets (e.g. the access key hashing secret), made once.
    pub fn server_secrets(&mut self) -> ServerSecrets<'_> {
        ServerSecrets::new(&mut self.tx)
    }

    /// ANCV Connect payments.
    pub fn ancv_payments(&mut self) -> AncvPayments<'_> {
        AncvPayments::new(&mut self.tx)
    }

    /// Payline transaction ids handed out, and what each one names.
    pub fn transaction_ids(&mut self) -> TransactionIds<'_> {
        TransactionIds::new(&mut self.tx)
    }

    /// transactionsSearch's reads: a merchant's transactions of a period, filtered in SQL.
    pub fn transaction_search(&mut self) -> TransactionSearch<'_> {
        TransactionSearch::new(&mut self.tx)
    }

    /// Refunds of ANCV payments (cancellations at ANCV).
    pub fn ancv_refunds(&mut self) -> AncvRefunds<'_> {
        AncvRefunds::new(&mut self.tx)
    }

    /// First answers of after-sale calls with a `sequenceNumber`, replayed on repeats.
    pub fn operation_replays(&mut self) -> OperationReplays<'_> {
        OperationReplays::new(&mut self.tx)
    }

    /// Background jobs: enqueue, lease, complete, reschedule.
    pub fn jobs(&mut self) -> Jobs<'_> {
        Jobs::new(&mut self.tx, self.backend)
    }

    /// Web payment sessions (`doWebPayment` tokens).
    pub fn web_payments(&mut self) -> WebPayments<'_> {
        WebPayments::new(&mut self.tx)
    }

    /// Card transactions and their after-sale ledger.
    pub fn card_transactions(&mut self) -> CardTransactions<'_> {
        CardTransactions::new(&mut self.tx)
    }

    /// Which once-per-database fixtures exist (the homologation demo merchant).
    pub fn demo_fixtures(&mut self) -> DemoFixtures<'_> {
        DemoFixtures::new(&mut self.tx)
    }

    /// Back-office sessions and failed sign-ins.
    pub fn back_office_sessions(&mut self) -> BackOfficeSessions<'_> {
        BackOfficeSessions::new(&mut self.tx)
    }

    /// The audit trail.
    pub fn audit_events(&mut self) -> AuditEvents<'_> {
        AuditEvents::new(&mut self.tx)
    }

    /// Back-office users.
    pub fn back_office_users(&mut self) -> BackOfficeUsers<'_> {
        BackOfficeUsers::new(&mut self.tx)
    }

    /// The calls made to merchants' notification URLs.
    pub fn notification_attempts(&mut self) -> NotificationAttempts<'_> {
        NotificationAttempts::new(&mut self.tx)
    }

    /// The secrets merchant notifications are signed with.
    pub fn notification_secrets(&mut self) -> NotificationSecrets<'_> {
        NotificationSecrets::new(&mut self.tx)
    }
}
