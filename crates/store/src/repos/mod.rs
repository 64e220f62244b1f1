//! Repositories: the SQL for one aggregate each, working inside a [`crate::UnitOfWork`].

mod ancv_payments;
mod contracts;
mod demo_fixtures;
mod jobs;
mod merchants;
mod points_of_sale;
mod server_secrets;

pub use ancv_payments::{AncvPaymentEvent, AncvPayments};
pub use contracts::Contracts;
pub use demo_fixtures::DemoFixtures;
pub use jobs::{Jobs, LeasedJob, PendingJob};
pub use merchants::{MerchantCredentials, Merchants};
pub use points_of_sale::PointsOfSale;
pub use server_secrets::ServerSecrets;
