use crate::repos::{
    AncvPayments, AncvRefunds, ApiAccessReads, AuditEvents, BackOfficeSessions, BackOfficeUsers,
    CardTransactions, ConfigurationVersion, Contracts, DemoFixtures, Jobs, Merchants,
    NotificationAttempts, NotificationSecrets, OperationReplays, PointsOfSale, ServerSecrets,
    TransactionIds, TransactionSearch, WebPayments,
};
use crate::writers::{Begun, Turn};
use crate::{Backend, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Transaction};

/// One database transaction and the repositories that work inside it. Dropping it without
/// [`UnitOfWork::commit`] rolls everything back.
///
/// A unit of work from [`crate::Store::quick_read`] has no transaction: each statement is its
/// own snapshot, and there is nothing to commit.
pub struct UnitOfWork {
    conn: Connection,
    backend: Backend,
}

enum Connection {
    Transaction(Transaction<'static, Any>),
    /// A turn in the shared SQLite transaction (`crate::writers`).
    Turn(Turn),
    Statements(PoolConnection<Any>),
}

impl UnitOfWork {
    pub(crate) fn new(tx: Transaction<'static, Any>, backend: Backend) -> Self {
        UnitOfWork {
            conn: Connection::Transaction(tx),
            backend,
        }
    }

    pub(crate) fn without_transaction(conn: PoolConnection<Any>, backend: Backend) -> Self {
        UnitOfWork {
            conn: Connection::Statements(conn),
            backend,
        }
    }

    pub(crate) fn writing(begun: Begun, backend: Backend) -> Self {
        let conn = match begun {
            Begun::Transaction(tx) => Connection::Transaction(tx),
            Begun::Turn(turn) => Connection::Turn(turn),
        };
        UnitOfWork { conn, backend }
    }

    fn conn(&mut self) -> &mut AnyConnection {
        match &mut self.conn {
            Connection::Transaction(tx) => tx,
            Connection::Turn(turn) => turn.connection(),
            Connection::Statements(conn) => conn,
        }
    }

    /// The backend of the database, for SQL that must differ between engines.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The transaction's connection, for repositories kept outside this crate (a sandbox's own
    /// tables).
    pub fn connection(&mut self) -> &mut sqlx::AnyConnection {
        self.conn()
    }

    /// Makes every write of this unit of work durable, all at once.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.conn {
            Connection::Transaction(tx) => tx.commit().await?,
            Connection::Turn(turn) => turn.commit().await?,
            Connection::Statements(_) => {}
        }
        Ok(())
    }

    /// Undoes every write of this unit of work (as dropping it does, but waiting for it).
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.conn {
            Connection::Transaction(tx) => tx.rollback().await?,
            Connection::Turn(turn) => turn.rollback().await?,
            Connection::Statements(_) => {}
        }
        Ok(())
    }

    /// The one read an API call starts with (configuration version, failures, credentials).
    pub fn api_access(&mut self) -> ApiAccessReads<'_> {
        ApiAccessReads::new(self.conn())
    }

    /// Merchant accounts and their access key hashes.
    pub fn merchants(&mut self) -> Merchants<'_> {
        Merchants::new(self.conn())
    }

    /// Merchants' points of sale.
    pub fn points_of_sale(&mut self) -> PointsOfSale<'_> {
        PointsOfSale::new(self.conn())
    }

    /// The merchants' configuration version (caches of it compare theirs).
    pub fn configuration_version(&mut self) -> ConfigurationVersion<'_> {
        ConfigurationVersion::new(self.conn())
    }

    /// Merchants' contracts.
    pub fn contracts(&mut self) -> Contracts<'_> {
        Contracts::new(self.conn())
    }

    /// The deployment's secrets (e.g. the access key hashing secret), made once.
    pub fn server_secrets(&mut self) -> ServerSecrets<'_> {
        ServerSecrets::new(self.conn())
    }

    /// ANCV Connect payments.
    pub fn ancv_payments(&mut self) -> AncvPayments<'_> {
        AncvPayments::new(self.conn())
    }

    /// Payline transaction ids handed out, and what each one names.
    pub fn transaction_ids(&mut self) -> TransactionIds<'_> {
        TransactionIds::new(self.conn())
    }

    /// transactionsSearch's reads: a merchant's transactions of a period, filtered in SQL.
    pub fn transaction_search(&mut self) -> TransactionSearch<'_> {
        TransactionSearch::new(self.conn())
    }

    /// Refunds of ANCV payments (cancellations at ANCV).
    pub fn ancv_refunds(&mut self) -> AncvRefunds<'_> {
        AncvRefunds::new(self.conn())
    }

    /// First answers of after-sale calls with a `sequenceNumber`, replayed on repeats.
    pub fn operation_replays(&mut self) -> OperationReplays<'_> {
        OperationReplays::new(self.conn())
    }

    /// Background jobs: enqueue, lease, complete, reschedule.
    pub fn jobs(&mut self) -> Jobs<'_> {
        let backend = self.backend;
        Jobs::new(self.conn(), backend)
    }

    /// Web payment sessions (`doWebPayment` tokens).
    pub fn web_payments(&mut self) -> WebPayments<'_> {
        WebPayments::new(self.conn())
    }

    /// Card transactions and their after-sale ledger.
    pub fn card_transactions(&mut self) -> CardTransactions<'_> {
        CardTransactions::new(self.conn())
    }

    /// Which once-per-database fixtures exist (the homologation demo merchant).
    pub fn demo_fixtures(&mut self) -> DemoFixtures<'_> {
        DemoFixtures::new(self.conn())
    }

    /// Back-office sessions and failed sign-ins.
    pub fn back_office_sessions(&mut self) -> BackOfficeSessions<'_> {
        BackOfficeSessions::new(self.conn())
    }

    /// The audit trail.
    pub fn audit_events(&mut self) -> AuditEvents<'_> {
        AuditEvents::new(self.conn())
    }

    /// Back-office users.
    pub fn back_office_users(&mut self) -> BackOfficeUsers<'_> {
        BackOfficeUsers::new(self.conn())
    }

    /// The calls made to merchants' notification URLs.
    pub fn notification_attempts(&mut self) -> NotificationAttempts<'_> {
        NotificationAttempts::new(self.conn())
    }

    /// The secrets merchant notifications are signed with.
    pub fn notification_secrets(&mut self) -> NotificationSecrets<'_> {
        NotificationSecrets::new(self.conn())
    }
}
