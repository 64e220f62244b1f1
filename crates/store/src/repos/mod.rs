//! Repositories: the SQL for one aggregate each, working inside a [`crate::UnitOfWork`].

mod after_sale;
mod ancv_payments;
mod api_access;
mod audit_events;
mod back_office_sessions;
mod back_office_users;
mod card_transactions;
mod configuration_version;
mod contracts;
mod demo_fixtures;
mod jobs;
mod merchants;
mod notification_attempts;
mod notification_secrets;
mod points_of_sale;
#[cfg(test)]
mod query_plans;
mod server_secrets;
mod transaction_search;
mod web_payments;

pub use after_sale::{
    AncvRefundRow, AncvRefunds, OperationReplays, ReplayKey, StoredReplay, TransactionIds,
};
pub use ancv_payments::{AncvPaymentEvent, AncvPayments};
pub use api_access::{ApiAccessReads, ApiAccessRow, Caller, Failures};
pub use audit_events::AuditEvents;
pub use back_office_sessions::{BackOfficeSessions, StoredSession};
pub use back_office_users::{BackOfficeUsers, NewUser};
pub use card_transactions::{CardOperationRow, CardTransactionRow, CardTransactions};
pub use configuration_version::ConfigurationVersion;
pub use contracts::Contracts;
pub use demo_fixtures::DemoFixtures;
pub use jobs::{JobFilter, JobState, Jobs, KindCounts, LeasedJob, RecordedFailure, StoredJob};
pub use merchants::{MerchantCredentials, Merchants};
pub use notification_attempts::NotificationAttempts;
pub use notification_secrets::NotificationSecrets;
pub use points_of_sale::PointsOfSale;
pub use server_secrets::ServerSecrets;
pub use transaction_search::{SearchCursor, SearchFilter, TransactionSearch};
pub use web_payments::WebPayments;
