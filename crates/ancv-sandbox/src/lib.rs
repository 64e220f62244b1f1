//! The ANCV Chèque-Vacances Connect homologation sandbox (spec ancv-connect.md §3, §4, §6).
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
//!
//! Inside, modules depend one way only: leaves (model, rules, errors, configuration, faults,
//! stored records, job kinds, the notification outbox) → the core ([`Sandbox`]'s state, reading
//! and moving a transaction) → services (`impl Sandbox` blocks: acquisition, app, accounts,
//! settlement, delivery) → adapters (the HTTP surfaces and the job handlers, calling `Sandbox`
//! methods) → wiring (the router; the list of job handlers sits with the handlers).

// Leaves: pure rules and types, storage, and what the core queues.
mod config;
mod error;
mod faults;
mod ids;
mod job_kinds;
mod json_body;
pub mod model;
mod outbox;
mod record;
pub mod rules;
mod secret;
pub mod seed;
pub mod storage;

// The core: the `Sandbox` instance, reading and moving a transaction.
mod sandbox;

// Services: `impl Sandbox` blocks, one job each.
mod accounts;
mod acquisition;
mod app;
mod delivery;
mod settlement;
mod transactions;

// Adapters: HTTP surfaces and job handlers, calling `Sandbox` methods.
mod admin;
mod api;
mod app_api;
mod app_page;
mod job_handlers;

// Wiring: the surfaces merged into one router.
mod router;

pub use accounts::{BeneficiaryView, NewBeneficiary};
pub use app::{AppOutcome, PendingRequest, PendingRequests};
pub use config::SandboxConfig;
pub use delivery::{Delivery, GIVE_UP_AFTER_MS};
pub use error::SandboxError;
pub use faults::Faults;
pub use job_kinds::{AUTO_JOB, CAPTURE_JOB, DELIVERY_JOB, EXPIRY_JOB};
pub use model::{Behaviour, SettleUntil, State};
pub use outbox::DeliveryStatus;
pub use sandbox::Sandbox;
pub use settlement::Settled;
pub use transactions::{TransactionList, TransactionSummary};
