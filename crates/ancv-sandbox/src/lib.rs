//! The ANCV Chèque-Vacances Connect homologation sandbox (spec `docs/ancv-connect.md` §3, §4, §6).
//!
//! It plays ANCV's side of the acquisition API over real HTTP, so that cvgate's connector
//! ([`ancv::AncvClient`]) can be tested offline: the four sealed calls, test beneficiaries with
//! balances and secret codes, the beneficiary's "app" (web pages and JSON), settlement, sealed
//! notifications to the merchant with retries, and injectable faults.
//!
//! - [`Sandbox::open`] builds it over a [`store::Store`] — its own tables ([`storage`], applied
//!   then: a production database never has them) —, an injected clock and random source, and a
//!   [`SandboxConfig`].
//! - [`Sandbox::router`] is the axum router, to be mounted where the sandbox lives (cvgate nests it
//!   under `/sandbox/ancv`): the ANCV API under `/acquisition/api/public/v1/`, `/admin/…`, the
//!   app's pages under `/app/` and its JSON under `/app/api/…`.
//! - [`Sandbox::job_handlers`] are the background jobs (notification deliveries, automatic
//!   beneficiaries, expiry, deferred capture) for a [`jobs::Worker`]. Nothing uses timers.
//!
//! The state machine is [`model`] and the input rules [`rules`] (both pure); the published test
//! data is [`seed`]; the fault switches are described on [`Faults`].

mod accounts;
mod acquisition;
mod admin;
mod api;
mod app;
mod app_api;
mod app_page;
mod config;
mod error;
mod faults;
mod ids;
mod job_handlers;
mod json_body;
pub mod model;
mod notify;
mod record;
pub mod rules;
mod sandbox;
mod secret;
pub mod seed;
mod settlement;
pub mod storage;
mod transactions;

pub use accounts::{BeneficiaryView, NewBeneficiary};
pub use app::{AppOutcome, PendingRequest, PendingRequests};
pub use config::SandboxConfig;
pub use error::SandboxError;
pub use faults::Faults;
pub use job_handlers::{AUTO_JOB, CAPTURE_JOB, DELIVERY_JOB, EXPIRY_JOB};
pub use model::{Behaviour, SettleUntil, State};
pub use notify::{Delivery, DeliveryStatus, GIVE_UP_AFTER_MS};
pub use sandbox::Sandbox;
pub use settlement::Settled;
pub use transactions::{TransactionList, TransactionSummary};
