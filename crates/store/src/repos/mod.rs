//! Repositories: the SQL for one aggregate each, working inside a [`crate::UnitOfWork`].

mod after_sale;
mod ancv_payments;
mod card_sandbox;
mod card_transactions;
mod contracts;
mod demo_fixtures;
mod jobs;
mod merchants;
mod points_of_sale;
mod sandbox_ancv;
mod sandbox_faults;
mod server_secrets;
mod web_payments;

pub use after_sale::{AncvRefundRow, AncvRefunds, OperationReplays, ReplayKey, TransactionIds};
pub use ancv_payments::{AncvPaymentEvent, AncvPayments};
pub use card_sandbox::{SandboxCard, SandboxCardOperation, SandboxCardTransaction};
pub use card_transactions::{CardOperationRow, CardTransactionRow, CardTransactions};
pub use contracts::Contracts;
pub use demo_fixtures::DemoFixtures;
pub use jobs::{JobFilter, JobState, Jobs, KindCounts, LeasedJob, RecordedFailure, StoredJob};
pub use merchants::{MerchantCredentials, Merchants};
pub use points_of_sale::PointsOfSale;
pub use sandbox_ancv::{
    NewSandboxDelivery, SandboxAncv, SandboxBeneficiary, SandboxDelivery, SandboxEvent,
    SandboxTransaction,
};
pub use sandbox_faults::SandboxFaults;
pub use server_secrets::ServerSecrets;
pub use web_payments::WebPayments;
